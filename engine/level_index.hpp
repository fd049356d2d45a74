// The price levels of one book side, by key (the side's sort key of the price; the best level has
// the largest key). Keys are grouped in blocks of 64 adjacent keys: a block has a 64-bit occupancy
// mask and 64 level slots, a hash map finds a block by key >> 6, and an OrderedIndex keeps the
// non-empty blocks in order. Finding, adding or removing a level is a hash probe and a bit
// operation; the best level is the top bit of the last block. The ordered index changes only when
// a block empties or appears, which is rare where levels are dense (near the top of a book) and
// no worse than a sorted index where they are sparse. Memory follows the live levels, never the
// price range, so a swinging or crashing price costs nothing extra.
#pragma once
#include <cstdint>

#include "id_index.hpp"
#include "ordered_index.hpp"
#include "pool.hpp"

namespace ex {

class LevelIndex {
public:
    // Empty blocks are always dropped, so no block means no level.
    bool empty() const { return order_.empty(); }

    // The level with the largest key.
    uint32_t back() const {
        const Block& b = blocks_[order_.back()];
        return b.levels[top_bit(b.mask)];
    }

    // The largest key, read off its block (without touching the level).
    int64_t back_key() const {
        const Block& b = blocks_[order_.back()];
        return static_cast<int64_t>(b.id << SHIFT) + top_bit(b.mask);
    }

    void pop_back() {
        uint32_t bi = order_.back();
        Block& b = blocks_[bi];
        b.mask &= ~(uint64_t(1) << top_bit(b.mask));
        if (b.mask == 0) {
            order_.pop_back();
            drop_block(bi);
        }
    }

    uint32_t find(int64_t key) const {
        uint32_t bi = by_id_.find(block_id(key));
        if (bi == NIL) return NIL;
        const Block& b = blocks_[bi];
        return (b.mask >> bit(key)) & 1 ? b.levels[bit(key)] : NIL;
    }

    // The level at `key`; when there is none, `make()` creates one and it is inserted.
    template <class Make>
    __attribute__((always_inline)) uint32_t find_or_insert(int64_t key, Make make) {
        uint64_t id = block_id(key);
        uint32_t bi = by_id_.find(id);
        if (bi == NIL) {
            bi = blocks_.acquire();
            blocks_[bi].mask = 0;
            blocks_[bi].id = id;
            by_id_.insert(id, bi);
            order_.find_or_insert(static_cast<int64_t>(key >> SHIFT), [bi] { return bi; });
        }
        Block& b = blocks_[bi];
        uint64_t m = uint64_t(1) << bit(key);
        if (b.mask & m) return b.levels[bit(key)];
        uint32_t level = make();  // allocates from the level pool, not from blocks_: b stays valid
        b.mask |= m;
        b.levels[bit(key)] = level;
        return level;
    }

    // Removes a key that is present.
    void erase(int64_t key) {
        uint32_t bi = by_id_.find(block_id(key));
        Block& b = blocks_[bi];
        b.mask &= ~(uint64_t(1) << bit(key));
        if (b.mask == 0) {
            order_.erase(key >> SHIFT);
            drop_block(bi);
        }
    }

    // Visits levels from the largest key down while `visit` returns true.
    template <class Visit>
    void for_each_from_back(Visit visit) const {
        order_.for_each_from_back([&](uint32_t bi) {
            const Block& b = blocks_[bi];
            for (uint64_t m = b.mask; m != 0;) {
                uint32_t top = top_bit(m);
                if (!visit(b.levels[top])) return false;
                m &= ~(uint64_t(1) << top);
            }
            return true;
        });
    }

    template <class A>
    void image(A& a) {
        blocks_.image(a);
        by_id_.image(a);
        order_.image(a);
    }

private:
    static constexpr int SHIFT = 6;

    struct Block {
        uint64_t mask;        // bit i: the key (id << 6) + i has a level
        uint64_t id;          // key >> 6, as stored in by_id_
        uint32_t levels[64];
        uint32_t next;        // free-list link of the block pool
    };

    // Arithmetic shift: floor division, so negative keys (ask sides) group correctly too.
    static uint64_t block_id(int64_t key) { return static_cast<uint64_t>(key >> SHIFT); }
    static uint32_t bit(int64_t key) { return static_cast<uint32_t>(key & 63); }
    static uint32_t top_bit(uint64_t mask) { return 63 - static_cast<uint32_t>(__builtin_clzll(mask)); }

    void drop_block(uint32_t bi) {
        by_id_.erase(blocks_[bi].id);
        blocks_.release(bi);
    }

    Pool<Block> blocks_{16};
    IdIndex by_id_{6};
    OrderedIndex order_;  // block id (key >> 6) -> block, in key order
};

}  // namespace ex
