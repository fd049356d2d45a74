// Order id -> pool index. Open addressing with linear probing and backward-shift deletion:
// no tombstones, so lookups stay short however many orders come and go. O(1) cancel rests
// on this map.
#pragma once
#include <cstdint>
#include <vector>

#include "cache.hpp"
#include "pool.hpp"

namespace ex {

class IdIndex {
public:
    // Starts small so that a book of a few thousand orders keeps its index in cache. It doubles at
    // half load (short probes) until it is the size of the core's L2 cache, and at three-quarters
    // load beyond (cache.hpp): on a 512 KiB L2, a book of 20,000 orders at half load had an index
    // twice the cache's size, and the deep scenario ran at about half the speed (BENCHMARKS.md).
    explicit IdIndex(uint32_t capacity_log2 = 10) : dense_log2_(floor_log2(l2_cache_bytes() / sizeof(Slot))) { resize(capacity_log2); }

    uint32_t size() const { return size_; }

    uint32_t find(uint64_t key) const {
        for (uint64_t i = slot_of(key);; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.value == NIL) return NIL;
            if (s.key == key) return s.value;
        }
    }

    // Starts loading the slot where `key` would be found: a hint, nothing changes.
    void prefetch(uint64_t key) const { __builtin_prefetch(&slots_[slot_of(key)]); }
    // Whether the index is half the core's L2 or more: below that, finding the orders of the
    // commands ahead (to prefetch them) costs more than it hides.
    bool large() const { return log2_ + 1 >= dense_log2_; }

    // Inserts key -> value; returns false (and changes nothing) if the key is present.
    bool insert(uint64_t key, uint32_t value) {
        bool full = log2_ < dense_log2_ ? (size_ + 1) * 2 > slots_.size() : (size_ + 1) * 4 > slots_.size() * 3;
        if (full) resize(log2_ + 1);
        for (uint64_t i = slot_of(key);; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.value == NIL) {
                s.key = key;
                s.value = value;
                ++size_;
                return true;
            }
            if (s.key == key) return false;
        }
    }

    void erase(uint64_t key) {
        uint64_t i = slot_of(key);
        for (;; i = (i + 1) & mask_) {
            if (slots_[i].value == NIL) return;
            if (slots_[i].key == key) break;
        }
        // Shift back the entries of the probe run that follows, so no hole breaks a run.
        uint64_t hole = i;
        for (uint64_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            if (slots_[j].value == NIL) break;
            uint64_t home = slot_of(slots_[j].key);
            // Move j into the hole when its home is not cyclically within (hole, j].
            bool home_in_range = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!home_in_range) {
                slots_[hole] = slots_[j];
                hole = j;
            }
        }
        slots_[hole].value = NIL;
        --size_;
    }

    template <class A>
    void image(A& a) {
        a.vec(slots_);
        a.scalar(mask_);
        a.scalar(shift_);
        a.scalar(log2_);
        a.scalar(size_);
    }

private:

    struct Slot {
        uint64_t key;
        uint32_t value;
    };

    uint64_t slot_of(uint64_t key) const {
        // Fibonacci hashing: spreads sequential ids across the table.
        return (key * 0x9E3779B97F4A7C15ull) >> shift_;
    }

    void resize(uint32_t log2) {
        std::vector<Slot> old;
        old.swap(slots_);
        log2_ = log2;
        slots_.assign(uint64_t(1) << log2, Slot{0, NIL});
        mask_ = slots_.size() - 1;
        shift_ = 64 - log2;
        size_ = 0;
        for (const Slot& s : old)
            if (s.value != NIL) insert(s.key, s.value);
    }

    uint32_t dense_log2_;  // from this size on it grows at three-quarters load (not kept in images)
    std::vector<Slot> slots_;
    uint64_t mask_ = 0;
    uint32_t shift_ = 0;
    uint32_t log2_ = 0;
    uint32_t size_ = 0;
};

}  // namespace ex
