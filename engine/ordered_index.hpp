// A sorted map of int64 keys to uint32 values: a sorted array split into chunks of at most CHUNK
// entries, plus the first key of each chunk. Lookups are two short branch-free binary searches;
// inserting or removing shifts at most one chunk, not the whole map, so keys that come and go at
// random positions stay cheap. The largest key is the last entry of the last chunk: O(1) to read
// and to pop.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "pool.hpp"

namespace ex {

class OrderedIndex {
public:
    static constexpr uint32_t CHUNK = 64;

    OrderedIndex() {
        order_.reserve(64);
        first_.reserve(64);
    }

    bool empty() const { return order_.empty(); }

    // The value of the largest key.
    uint32_t back() const {
        const Chunk& c = chunks_[order_.back()];
        return c.levels[c.size - 1];
    }

    void pop_back() {
        if (--chunks_[order_.back()].size == 0) drop_chunk(static_cast<uint32_t>(order_.size() - 1));
    }

    // The value at `key`; when there is none, `make()` gives one and it is inserted. One search.
    template <class Make>
    uint32_t find_or_insert(int64_t key, Make make) {
        if (order_.empty()) {
            uint32_t ci = chunks_.acquire();
            chunks_[ci].size = 0;
            order_.push_back(ci);
            first_.push_back(key);
        }
        uint32_t slot = locate(key);
        Chunk* c = &chunks_[order_[slot]];
        uint32_t i = position(*c, key);
        if (i < c->size && c->keys[i] == key) return c->levels[i];
        uint32_t level = make();
        if (c->size == CHUNK) {
            split(slot);
            if (key >= first_[slot + 1]) ++slot;
            c = &chunks_[order_[slot]];
            i = position(*c, key);
        }
        std::memmove(c->keys + i + 1, c->keys + i, (c->size - i) * sizeof c->keys[0]);
        std::memmove(c->levels + i + 1, c->levels + i, (c->size - i) * sizeof c->levels[0]);
        c->keys[i] = key;
        c->levels[i] = level;
        ++c->size;
        if (i == 0) first_[slot] = key;
        return level;
    }

    // Removes a key that is present.
    void erase(int64_t key) {
        uint32_t slot = locate(key);
        Chunk& c = chunks_[order_[slot]];
        uint32_t i = position(c, key);
        --c.size;
        std::memmove(c.keys + i, c.keys + i + 1, (c.size - i) * sizeof c.keys[0]);
        std::memmove(c.levels + i, c.levels + i + 1, (c.size - i) * sizeof c.levels[0]);
        if (c.size == 0) return drop_chunk(slot);
        if (i == 0) first_[slot] = c.keys[0];
        // Merge with the next chunk when both are small, so chunks never dwindle to a flat list.
        if (slot + 1 < order_.size()) {
            Chunk& next = chunks_[order_[slot + 1]];
            if (c.size + next.size <= CHUNK / 2) {
                std::memcpy(c.keys + c.size, next.keys, next.size * sizeof c.keys[0]);
                std::memcpy(c.levels + c.size, next.levels, next.size * sizeof c.levels[0]);
                c.size += next.size;
                drop_chunk(slot + 1);
            }
        }
    }

    // Visits values from the largest key down while `visit` returns true; false if it stopped.
    template <class Visit>
    bool for_each_from_back(Visit visit) const {
        for (size_t s = order_.size(); s-- > 0;) {
            const Chunk& c = chunks_[order_[s]];
            for (uint32_t i = c.size; i-- > 0;)
                if (!visit(c.levels[i])) return false;
        }
        return true;
    }

    template <class A>
    void image(A& a) {
        chunks_.image(a);
        a.vec(order_);
        a.vec(first_);
    }

private:
    struct Chunk {
        int64_t keys[CHUNK];
        uint32_t levels[CHUNK];  // the values
        uint32_t size;
        uint32_t next;  // free-list link of the chunk pool
    };

    // Index of the first of `n` sorted keys that is >= key (n if none). Branch-free: the step
    // compiles to a conditional move, so random keys cost no mispredicted branches.
    static uint32_t lower_bound(const int64_t* keys, uint32_t n, int64_t key) {
        if (n == 0) return 0;
        const int64_t* base = keys;
        while (n > 1) {
            uint32_t half = n / 2;
            base = base[half - 1] < key ? base + half : base;
            n -= half;
        }
        return static_cast<uint32_t>(base - keys) + (*base < key);
    }

    // The chunk whose range holds `key`: the last one whose first key is <= key (or the first).
    uint32_t locate(int64_t key) const {
        uint32_t n = static_cast<uint32_t>(first_.size());
        if (first_[n - 1] <= key) return n - 1;  // the best end, where most activity is
        uint32_t after = lower_bound(first_.data(), n, key + 1);  // first chunk starting above key
        return after == 0 ? 0 : after - 1;
    }

    static uint32_t position(const Chunk& c, int64_t key) { return lower_bound(c.keys, c.size, key); }

    void split(uint32_t slot) {
        uint32_t fresh = chunks_.acquire();
        Chunk& c = chunks_[order_[slot]];
        Chunk& n = chunks_[fresh];
        uint32_t half = c.size / 2;
        n.size = c.size - half;
        std::memcpy(n.keys, c.keys + half, n.size * sizeof c.keys[0]);
        std::memcpy(n.levels, c.levels + half, n.size * sizeof c.levels[0]);
        c.size = half;
        order_.insert(order_.begin() + slot + 1, fresh);
        first_.insert(first_.begin() + slot + 1, n.keys[0]);
    }

    void drop_chunk(uint32_t slot) {
        chunks_.release(order_[slot]);
        order_.erase(order_.begin() + slot);
        first_.erase(first_.begin() + slot);
    }

    Pool<Chunk> chunks_{16};
    std::vector<uint32_t> order_;  // chunk indices in key order
    std::vector<int64_t> first_;   // first key of each chunk, parallel to order_
};

}  // namespace ex
