// One market's book: two sides, each an array of price levels sorted so that the best level is
// at the back. Activity clusters at the best price, so inserting or removing a level there moves
// few elements, and a sweep pops levels off the back in O(1) each. Unlike a flat array indexed by
// price, memory follows the number of live levels, not the price range, so a swinging or
// crashing price costs nothing extra. Each level is an intrusive FIFO of pooled orders.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "pool.hpp"

namespace ex {

struct Order {
    uint64_t id;
    int64_t price;
    int64_t remaining;
    int64_t filled;
    uint32_t prev;   // neighbours in the level's FIFO
    uint32_t next;   // also the free-list link while the slot is free
    uint32_t level;  // pool index of its level
    uint32_t book;
    uint8_t side;
    uint8_t flags;
};

struct Level {
    int64_t price;
    int64_t total;  // sum of the remaining quantity of its orders
    uint32_t head;  // oldest order: first to match
    uint32_t tail;
    uint32_t next;  // free-list link
};

class BookSide {
public:
    explicit BookSide(bool bid) : bid_(bid) {
        keys_.reserve(1024);
        levels_.reserve(1024);
    }

    bool empty() const { return levels_.empty(); }
    uint32_t best() const { return levels_.back(); }
    void pop_best() {
        keys_.pop_back();
        levels_.pop_back();
    }
    uint32_t level_count() const { return static_cast<uint32_t>(levels_.size()); }
    // i-th level from the best.
    uint32_t level_from_best(uint32_t i) const { return levels_[levels_.size() - 1 - i]; }

    // Whether an order on this side at `price` would trade against a level of the other side at
    // `level_price`.
    bool crosses(int64_t price, int64_t level_price) const {
        return bid_ ? price >= level_price : price <= level_price;
    }

    // Finds the level at `price`, or NIL.
    uint32_t find(int64_t price) const {
        size_t i = lower(key(price));
        return (i < keys_.size() && keys_[i] == key(price)) ? levels_[i] : NIL;
    }

    // Places an existing level (not yet in this side) at its sorted position.
    void insert(int64_t price, uint32_t level) {
        int64_t k = key(price);
        size_t i = lower(k);
        keys_.insert(keys_.begin() + i, k);
        levels_.insert(levels_.begin() + i, level);
    }

    void erase(int64_t price) {
        int64_t k = key(price);
        if (keys_.back() == k) return pop_best();
        size_t i = lower(k);
        keys_.erase(keys_.begin() + i);
        levels_.erase(levels_.begin() + i);
    }

private:
    // Sort key: ascending keys put the best price at the back on both sides.
    int64_t key(int64_t price) const { return bid_ ? price : -price; }

    size_t lower(int64_t k) const {
        // Most lookups land near the best price: check the last few before a binary search.
        size_t n = keys_.size();
        for (size_t step = 0; step < 4 && step < n; ++step) {
            size_t i = n - 1 - step;
            if (keys_[i] < k) return i + 1;
            if (keys_[i] == k) return i;
        }
        return static_cast<size_t>(std::lower_bound(keys_.begin(), keys_.end(), k) - keys_.begin());
    }

    bool bid_;
    std::vector<int64_t> keys_;     // sorted ascending
    std::vector<uint32_t> levels_;  // level pool indices, parallel to keys_
};

struct Book {
    BookSide bids{true};
    BookSide asks{false};
    uint64_t sequence = 0;

    BookSide& side(uint8_t s) { return s == 0 ? bids : asks; }
    const BookSide& side(uint8_t s) const { return s == 0 ? bids : asks; }
};

}  // namespace ex
