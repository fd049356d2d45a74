// One market's book: two sides, each a LevelIndex of price levels with the best level last (a
// sweep pops levels off the end in O(1) each). Unlike a flat array indexed by price, memory follows
// the number of live levels, not the price range, so a swinging or crashing price costs nothing
// extra. Each level is an intrusive FIFO of pooled orders.
#pragma once
#include <cstdint>
#include <vector>

#include "level_index.hpp"
#include "pool.hpp"

namespace ex {

struct Order {
    uint64_t id;
    int64_t price;
    int64_t remaining;
    int64_t filled;  // executed, or lost to self-trade prevention (decrement)
    uint32_t prev;   // neighbours in the level's FIFO
    uint32_t next;   // also the free-list link while the slot is free
    uint32_t level;  // pool index of its level
    uint32_t book;
    uint32_t account;
    uint8_t side;
    uint8_t flags;
    uint8_t stp;     // its self-trade prevention mode, for when an amendment makes it a taker
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
    explicit BookSide(bool bid) : bid_(bid) {}

    bool empty() const { return levels_.empty(); }
    uint32_t best() const { return levels_.back(); }
    void pop_best() { levels_.pop_back(); }

    // Visits levels from the best while `visit` returns true.
    template <class Visit>
    void for_each_from_best(Visit visit) const { levels_.for_each_from_back(visit); }

    // Whether an order on this side at `price` would trade against a level of the other side at
    // `level_price`.
    bool crosses(int64_t price, int64_t level_price) const {
        return bid_ ? price >= level_price : price <= level_price;
    }

    // The level at `price`, or NIL.
    uint32_t find(int64_t price) const { return levels_.find(key(price)); }
    // The level at `price`, made by `make()` and inserted when there is none.
    template <class Make>
    uint32_t find_or_insert(int64_t price, Make make) { return levels_.find_or_insert(key(price), make); }
    void erase(int64_t price) { levels_.erase(key(price)); }

private:
    // Sort key: ascending keys put the best price last on both sides.
    int64_t key(int64_t price) const { return bid_ ? price : -price; }

    bool bid_;
    LevelIndex levels_;
};

struct Book {
    BookSide bids{true};
    BookSide asks{false};
    uint64_t sequence = 0;

    BookSide& side(uint8_t s) { return s == 0 ? bids : asks; }
    const BookSide& side(uint8_t s) const { return s == 0 ? bids : asks; }
};

}  // namespace ex
