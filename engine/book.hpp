// One market's book: two sides, each a LevelIndex of price levels with the best level last (a
// sweep pops levels off the end in O(1) each). Unlike a flat array indexed by price, memory follows
// the number of live levels, not the price range, so a swinging or crashing price costs nothing
// extra. Each level is an intrusive FIFO of pooled orders.
//
// The book's conditional orders wait in two more sides of the same kind, keyed by stop price, so
// that the trigger check after a trade is one look at the best level of each: nothing is scanned
// unless a stop rests at or past the last price. Trailing orders that track the price wait in
// lists by trailing delta (see Tracking).
#pragma once
#include <cstdint>
#include <vector>

#include "level_index.hpp"
#include "pool.hpp"

namespace ex {

// Where a live order is.
enum class State : uint8_t {
    resting,   // in its book side's level
    pending,   // untriggered, in a trigger side's level (by stop price)
    tracking,  // a trailing order tracking the price, in its book's tracking list
    waiting,   // an OTO's pending order, until its working order fills
    ready,     // triggered or released, in the engine's queue to enter the book
};

struct Order {
    uint64_t id;
    int64_t price;
    int64_t remaining;  // still to fill, hidden iceberg quantity included (all of it is in its level
                        // but for an iceberg's, which shows Extra::shown)
    int64_t filled;     // executed, or lost to self-trade prevention (decrement)
    uint32_t prev;      // neighbours in the level's FIFO (or tracking list)
    uint32_t next;      // also the free-list link while the slot is free
    uint32_t level;     // pool index of its level
    uint32_t book;
    uint32_t account;
    uint32_t ext;       // NIL, or its Extra: what a conditional, iceberg or list member needs more
    uint8_t side;
    uint8_t flags;      // EX_FLAG_POST_ONLY, and ORDER_ICEBERG / ORDER_LISTED
    uint8_t stp;        // its self-trade prevention mode, for when an amendment makes it a taker
    State state;
};

// Order::flags of the engine's own, beside the command's EX_FLAG_POST_ONLY: what the order's Extra
// holds, so that matching, amending and cancelling read an Extra only for an order that needs it
// (a triggered stop resting as a plain limit keeps its Extra, and that read was a cache miss); and
// whether it has traded (`filled` counts self-trade decrements too), for cancel restrictions.
// ORDER_PAYS marks an OPO's working order (EX_FLAG_OPO): what its fills receive is locked for its
// list's pending order (List::received), so settlement tests one bit of an order it has read.
enum : uint8_t { ORDER_PAYS = 0x10, ORDER_TRADED = 0x20, ORDER_ICEBERG = 0x40, ORDER_LISTED = 0x80 };

// The rest of an order that is more than a plain limit order.
struct Extra {
    int64_t stop_price;  // trigger, or trailing activation, price; 0 = none
    uint64_t since;      // tracking: when it began (the engine's count of orders that began tracking)
    int64_t amount;      // market order by quote amount: the units; else 0
    int64_t visible;     // iceberg: the slice size; else 0
    int64_t shown;       // iceberg: what its level shows of it now (the current slice)
    uint32_t trailing_bps;
    uint32_t trail;      // tracking: its Trail
    uint32_t list;       // NIL, or its order list
    uint32_t next;       // free-list link
    uint8_t trigger;     // EX_TRIG_*
    bool market;
    uint8_t tif;
    bool released;       // an OTO's pending order (or an OTOCO's pair) its working order released
    bool paid;           // ... and, an OPO's, holds what its working order received (locked already)
};

// Orders placed and decided together: OCO or OTO (two), OTOCO (three: an OTO whose pending order
// is an OCO pair, `second` and `third`).
struct List {
    uint64_t id;
    uint32_t first, second;  // order pool indices
    int64_t shared;          // OCO: units of hold both legs count, locked once
    uint32_t next;           // free-list link
    uint32_t third;          // OTOCO: the pair's second order; else NIL
    uint8_t link;            // EX_LINK_* (an OTOCO's is EX_LINK_OTO)
    int64_t received;        // OPO: base units its working order's fills received net of fees,
                             // locked for the pending order (or pair)
};

// A List as images before version 5 hold it (no received units).
struct ListV4 {
    uint64_t id;
    uint32_t first, second;
    int64_t shared;
    uint32_t next;
    uint32_t third;
    uint8_t link;
};

// A List as images before version 3 hold it (no third member).
struct ListV2 {
    uint64_t id;
    uint32_t first, second;
    int64_t shared;
    uint32_t next;
    uint8_t link;
};

struct Level {
    int64_t price;
    int64_t total;   // sum of the shown quantity of its orders
    int64_t hidden;  // sum of its icebergs' hidden quantity
    uint32_t head;   // oldest order: first to match
    uint32_t tail;
    uint32_t next;   // free-list link
};

// The tracking trailing orders of one side with one trailing delta, in the order they began
// tracking. An order's extreme is the best price since it began (highest for a sell, lowest for a
// buy), so an older order's is at least as good as a newer one's: the extremes are monotone along
// the list, and orders that share one form runs. A new extreme reaches the newest runs, which
// merge into one (popped off the back of `runs`, amortized O(1)); the delta being the same, the
// trigger price is monotone too, so the orders that trigger are the oldest runs (off the front).
// A run is known by its first order's `since`; an order's run is the last that began at or
// before it (a binary search, for cancels).
struct Run {
    uint64_t since;
    int64_t extreme;  // 0: none yet (it began before the book's first trade)
};

struct Trail {
    uint32_t bps;
    uint32_t head = NIL, tail = NIL;  // orders, oldest first
    uint32_t next;                    // free-list link
    std::vector<Run> runs;            // runs[first..], oldest first
    size_t first = 0;

    template <class A>
    void image(A& a) {
        a.scalar(bps);
        a.scalar(head);
        a.scalar(tail);
        a.scalar(next);
        a.vec(runs);
        a.scalar(first);
    }
};

// A side's trails, one per trailing delta in use (few: a check costs one look at each).
struct Tracking {
    std::vector<uint32_t> trails;

    template <class A>
    void image(A& a) { a.vec(trails); }
};

class BookSide {
public:
    explicit BookSide(bool bid) : bid_(bid) {}

    bool empty() const { return levels_.empty(); }
    uint32_t best() const { return levels_.back(); }
    void pop_best() { levels_.pop_back(); }
    // The best level's price, without reading the level.
    int64_t best_price() const { return bid_ ? levels_.back_key() : -levels_.back_key(); }

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
    __attribute__((always_inline)) uint32_t find_or_insert(int64_t price, Make make) { return levels_.find_or_insert(key(price), make); }
    void erase(int64_t price) { levels_.erase(key(price)); }

    template <class A>
    void image(A& a) {
        a.scalar(bid_);
        levels_.image(a);
    }

private:
    // Sort key: ascending keys put the best price last on both sides.
    int64_t key(int64_t price) const { return bid_ ? price : -price; }

    bool bid_;
    LevelIndex levels_;
};

struct Book {
    BookSide bids{true};
    BookSide asks{false};
    BookSide rises{false};  // triggers when the last price rises to the stop: lowest stop first
    BookSide falls{true};   // triggers when it falls to the stop: highest stop first
    Tracking tracking[2];   // by side
    uint64_t sequence = 0;
    int64_t last = 0;             // last trade price (0: none yet)
    int64_t high = 0, low = 0;    // extremes of the trade prices since the last trigger check
    bool traded = false;          // a trade since the last trigger check
    uint32_t conditional = 0;     // conditional orders waiting (pending or tracking)
    uint32_t index = 0;           // its symbol

    template <class A>
    void image(A& a) {
        for (BookSide* s : {&bids, &asks, &rises, &falls}) s->image(a);
        for (Tracking& t : tracking) t.image(a);
        a.scalar(sequence);
        a.scalar(last);
        a.scalar(high);
        a.scalar(low);
        a.scalar(traded);
        a.scalar(conditional);
        a.scalar(index);
    }

    BookSide& side(uint8_t s) { return s == 0 ? bids : asks; }
    const BookSide& side(uint8_t s) const { return s == 0 ? bids : asks; }
};

}  // namespace ex
