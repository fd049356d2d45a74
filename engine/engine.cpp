// The matching engine behind the C ABI of engine.h: price-time priority over many books, one
// thread, no locks. Orders and levels live in pools, an id index gives O(1) cancel and amend,
// and events are written straight into the caller's output array.
#include "engine.h"

#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

#include "book.hpp"
#include "id_index.hpp"
#include "pool.hpp"

using namespace ex;

namespace {

constexpr int64_t MAX_VALUE = 1000000000000000LL;  // 10^15: price ticks and quantity lots

bool valid_value(int64_t v) { return v > 0 && v <= MAX_VALUE; }

}  // namespace

struct ex_engine {
    explicit ex_engine(uint32_t symbols) : books(symbols), orders(1 << 16), levels(1 << 12) {
        overflow.reserve(1024);
    }

    std::vector<Book> books;
    Pool<Order> orders;
    Pool<Level> levels;
    IdIndex ids;

    // Output of the current call; events past the caller's capacity wait in `overflow`.
    ex_event* out = nullptr;
    uint32_t out_capacity = 0;
    uint32_t out_count = 0;
    std::vector<ex_event> overflow;
    size_t overflow_read = 0;
    uint32_t command_index = 0;

    ex_event& emit(uint8_t type, uint64_t order_id, uint8_t side, uint64_t sequence) {
        ex_event* e;
        if (out_count < out_capacity) {
            e = &out[out_count++];
        } else {
            overflow.emplace_back();
            e = &overflow.back();
        }
        std::memset(e, 0, sizeof *e);
        e->type = type;
        e->order_id = order_id;
        e->side = side;
        e->sequence = sequence;
        e->command_index = command_index;
        return *e;
    }

    void reject(const ex_command& c, uint8_t reason, uint64_t sequence) {
        emit(EX_EV_REJECTED, c.order_id, c.side, sequence).reason = reason;
    }

    // ---- resting orders -------------------------------------------------------------------

    void rest(Book& book, uint32_t oi) {
        Order& o = orders[oi];
        uint32_t li = book.side(o.side).find_or_insert(o.price, [&] {
            uint32_t fresh = levels.acquire();
            Level& l = levels[fresh];
            l.price = o.price;
            l.total = 0;
            l.head = l.tail = NIL;
            return fresh;
        });
        Level& l = levels[li];
        o.level = li;
        o.next = NIL;
        o.prev = l.tail;
        if (l.tail != NIL) orders[l.tail].next = oi; else l.head = oi;
        l.tail = oi;
        l.total += o.remaining;
        ++book.sequence;
    }

    // Unlinks a resting order from its level (dropping the level if it empties).
    void unlink(Book& book, uint32_t oi) {
        Order& o = orders[oi];
        Level& l = levels[o.level];
        if (o.prev != NIL) orders[o.prev].next = o.next; else l.head = o.next;
        if (o.next != NIL) orders[o.next].prev = o.prev; else l.tail = o.prev;
        l.total -= o.remaining;
        if (l.head == NIL) {
            book.side(o.side).erase(l.price);
            levels.release(o.level);
        }
    }

    void retire(uint32_t oi) {
        ids.erase(orders[oi].id);
        orders.release(oi);
    }

    // ---- matching -------------------------------------------------------------------------

    // Trades the taker against the opposite side while prices cross. `limit` is ignored for
    // market orders. Returns the taker's remaining quantity.
    int64_t match(Book& book, uint64_t taker_id, uint8_t taker_side, bool market, int64_t limit,
                  int64_t remaining, int64_t* taker_filled) {
        BookSide& mine = book.side(taker_side);
        BookSide& other = book.side(taker_side ^ 1);
        while (remaining > 0 && !other.empty()) {
            uint32_t li = other.best();
            Level& l = levels[li];
            if (!market && !mine.crosses(limit, l.price)) break;
            while (remaining > 0 && l.head != NIL) {
                uint32_t mi = l.head;
                Order& maker = orders[mi];
                int64_t qty = remaining < maker.remaining ? remaining : maker.remaining;
                remaining -= qty;
                maker.remaining -= qty;
                maker.filled += qty;
                l.total -= qty;
                *taker_filled += qty;
                ex_event& e = emit(EX_EV_TRADE, taker_id, taker_side, ++book.sequence);
                e.other_id = maker.id;
                e.price = l.price;
                e.quantity = qty;
                e.remaining = remaining;
                e.other_remaining = maker.remaining;
                if (maker.remaining == 0) {
                    l.head = maker.next;
                    if (l.head != NIL) orders[l.head].prev = NIL; else l.tail = NIL;
                    retire(mi);
                }
            }
            if (l.head == NIL) {
                other.pop_best();
                levels.release(li);
            }
        }
        return remaining;
    }

    // Quantity available to a taker up to its limit, stopping once `wanted` is reached.
    int64_t available(const Book& book, uint8_t taker_side, bool market, int64_t limit,
                      int64_t wanted) const {
        const BookSide& mine = book.side(taker_side);
        const BookSide& other = book.side(taker_side ^ 1);
        int64_t sum = 0;
        other.for_each_from_best([&](uint32_t li) {
            const Level& l = levels[li];
            if (!market && !mine.crosses(limit, l.price)) return false;
            sum += l.total;
            return sum < wanted;
        });
        return sum;
    }

    bool would_take(const Book& book, uint8_t side, int64_t price) const {
        const BookSide& other = book.side(side ^ 1);
        return !other.empty() && book.side(side).crosses(price, levels[other.best()].price);
    }

    // ---- commands -------------------------------------------------------------------------

    void new_order(const ex_command& c) {
        bool market = c.kind == EX_CMD_MARKET;
        if (c.symbol >= books.size() || c.side > EX_SELL || c.tif > EX_FOK ||
            !valid_value(c.quantity) || (!market && !valid_value(c.price)) ||
            (market && c.tif == EX_GTC) || ((c.flags & EX_FLAG_POST_ONLY) && (market || c.tif != EX_GTC))) {
            return reject(c, EX_REJ_INVALID, c.symbol < books.size() ? books[c.symbol].sequence : 0);
        }
        Book& book = books[c.symbol];
        if (ids.find(c.order_id) != NIL) return reject(c, EX_REJ_DUPLICATE_ID, book.sequence);
        if ((c.flags & EX_FLAG_POST_ONLY) && would_take(book, c.side, c.price))
            return reject(c, EX_REJ_POST_ONLY, book.sequence);
        if (c.tif == EX_FOK && available(book, c.side, market, c.price, c.quantity) < c.quantity) {
            ex_event& e = emit(EX_EV_EXPIRED, c.order_id, c.side, book.sequence);
            e.price = c.price;
            e.quantity = c.quantity;
            e.remaining = c.quantity;
            return;
        }
        int64_t filled = 0;
        int64_t remaining = match(book, c.order_id, c.side, market, c.price, c.quantity, &filled);
        if (remaining > 0 && c.tif != EX_GTC) {
            ex_event& e = emit(EX_EV_EXPIRED, c.order_id, c.side, book.sequence);
            e.price = market ? 0 : c.price;
            e.quantity = remaining;
            e.remaining = remaining;
            return;
        }
        if (remaining > 0) {
            uint32_t oi = orders.acquire();
            Order& o = orders[oi];
            o.id = c.order_id;
            o.price = c.price;
            o.remaining = remaining;
            o.filled = filled;
            o.book = c.symbol;
            o.side = c.side;
            o.flags = c.flags;
            ids.insert(o.id, oi);
            rest(book, oi);
        }
        ex_event& e = emit(EX_EV_ACCEPTED, c.order_id, c.side, book.sequence);
        e.price = c.price;
        e.quantity = c.quantity;
        e.remaining = remaining;
    }

    void cancel(const ex_command& c) {
        uint32_t oi = ids.find(c.order_id);
        if (oi == NIL) return reject(c, EX_REJ_UNKNOWN_ORDER, 0);
        Order& o = orders[oi];
        Book& book = books[o.book];
        int64_t remaining = o.remaining;
        unlink(book, oi);
        ++book.sequence;
        ex_event& e = emit(EX_EV_CANCELLED, o.id, o.side, book.sequence);
        e.price = o.price;
        e.quantity = remaining;
        retire(oi);
    }

    void amend(const ex_command& c) {
        uint32_t oi = ids.find(c.order_id);
        if (oi == NIL) return reject(c, EX_REJ_UNKNOWN_ORDER, 0);
        Order& o = orders[oi];
        Book& book = books[o.book];
        int64_t price = c.price == 0 ? o.price : c.price;
        if (!valid_value(price) || !valid_value(c.quantity)) {
            ex_event& e = emit(EX_EV_REJECTED, o.id, o.side, book.sequence);
            e.reason = EX_REJ_INVALID;
            return;
        }
        if (c.quantity <= o.filled) {
            ex_event& e = emit(EX_EV_REJECTED, o.id, o.side, book.sequence);
            e.reason = EX_REJ_AMEND_QUANTITY;
            return;
        }
        int64_t remaining = c.quantity - o.filled;
        uint8_t kept = 0;
        if (price == o.price && remaining <= o.remaining) {
            // Smaller (or equal) at the same price: keeps its place in the queue.
            levels[o.level].total -= o.remaining - remaining;
            o.remaining = remaining;
            ++book.sequence;
            kept = EX_EVF_KEPT_PRIORITY;
        } else {
            if ((o.flags & EX_FLAG_POST_ONLY) && price != o.price && would_take(book, o.side, price)) {
                ex_event& e = emit(EX_EV_REJECTED, o.id, o.side, book.sequence);
                e.reason = EX_REJ_POST_ONLY;
                return;
            }
            unlink(book, oi);
            ++book.sequence;
            int64_t filled = o.filled;
            // The order re-enters as a taker at its new price, then rests at the back.
            remaining = match(book, o.id, o.side, false, price, remaining, &filled);
            Order& moved = orders[oi];
            moved.price = price;
            moved.remaining = remaining;
            moved.filled = filled;
            if (remaining > 0) rest(book, oi);
        }
        Order& now = orders[oi];
        ex_event& e = emit(EX_EV_AMENDED, now.id, now.side, book.sequence);
        e.price = price;
        e.quantity = c.quantity;
        e.remaining = remaining;
        e.flags = kept;
        if (remaining == 0) retire(oi);
    }

    void process(const ex_command& c) {
        switch (c.kind) {
            case EX_CMD_LIMIT:
            case EX_CMD_MARKET: return new_order(c);
            case EX_CMD_CANCEL: return cancel(c);
            case EX_CMD_AMEND: return amend(c);
            default: return reject(c, EX_REJ_INVALID, 0);
        }
    }

    uint32_t drain(ex_event* dst, uint32_t capacity) {
        size_t pending = overflow.size() - overflow_read;
        uint32_t n = pending < capacity ? static_cast<uint32_t>(pending) : capacity;
        if (n) std::memcpy(dst, overflow.data() + overflow_read, n * sizeof(ex_event));
        overflow_read += n;
        if (overflow_read == overflow.size()) {
            overflow.clear();
            overflow_read = 0;
        }
        return n;
    }
};

extern "C" {

int64_t ex_max_value(void) { return MAX_VALUE; }

ex_engine* ex_engine_create(uint32_t symbols) {
    return new (std::nothrow) ex_engine(symbols);
}

void ex_engine_destroy(ex_engine* engine) { delete engine; }

uint32_t ex_engine_process(ex_engine* engine, const ex_command* commands, uint32_t count,
                           ex_event* out, uint32_t out_capacity) {
    // Events left from an undrained earlier call go first, so order is never lost.
    uint32_t written = engine->drain(out, out_capacity);
    engine->out = out + written;
    engine->out_capacity = out_capacity - written;
    engine->out_count = 0;
    for (uint32_t i = 0; i < count; ++i) {
        engine->command_index = i;
        engine->process(commands[i]);
    }
    uint32_t total = written + engine->out_count;
    engine->out = nullptr;
    engine->out_capacity = 0;
    return total;
}

uint32_t ex_engine_drain(ex_engine* engine, ex_event* out, uint32_t out_capacity) {
    return engine->drain(out, out_capacity);
}

uint32_t ex_engine_depth(const ex_engine* engine, uint32_t symbol, uint8_t side, uint32_t depth,
                         int64_t* out) {
    if (symbol >= engine->books.size() || side > EX_SELL) return 0;
    uint32_t n = 0;
    engine->books[symbol].side(side).for_each_from_best([&](uint32_t li) {
        if (n == depth) return false;
        const Level& l = engine->levels[li];
        out[2 * n] = l.price;
        out[2 * n + 1] = l.total;
        ++n;
        return true;
    });
    return n;
}

int64_t ex_engine_level_quantity(const ex_engine* engine, uint32_t symbol, uint8_t side, int64_t price) {
    if (symbol >= engine->books.size() || side > EX_SELL) return 0;
    uint32_t li = engine->books[symbol].side(side).find(price);
    return li == NIL ? 0 : engine->levels[li].total;
}

uint64_t ex_engine_sequence(const ex_engine* engine, uint32_t symbol) {
    return symbol < engine->books.size() ? engine->books[symbol].sequence : 0;
}

uint64_t ex_engine_order_count(const ex_engine* engine) { return engine->ids.size(); }

int64_t ex_engine_order_remaining(const ex_engine* engine, uint64_t order_id, int64_t* price_out) {
    uint32_t oi = engine->ids.find(order_id);
    if (oi == NIL) return 0;
    const Order& o = engine->orders[oi];
    if (price_out) *price_out = o.price;
    return o.remaining;
}

uint32_t ex_layout(uint32_t* out, uint32_t capacity) {
    const uint32_t facts[] = {
        sizeof(ex_command),
        offsetof(ex_command, order_id), offsetof(ex_command, price), offsetof(ex_command, quantity),
        offsetof(ex_command, symbol), offsetof(ex_command, kind), offsetof(ex_command, side),
        offsetof(ex_command, tif), offsetof(ex_command, flags),
        sizeof(ex_event),
        offsetof(ex_event, order_id), offsetof(ex_event, other_id), offsetof(ex_event, price),
        offsetof(ex_event, quantity), offsetof(ex_event, remaining),
        offsetof(ex_event, other_remaining), offsetof(ex_event, sequence),
        offsetof(ex_event, command_index), offsetof(ex_event, type), offsetof(ex_event, reason),
        offsetof(ex_event, side), offsetof(ex_event, flags),
    };
    uint32_t n = sizeof facts / sizeof facts[0];
    for (uint32_t i = 0; i < n && i < capacity; ++i) out[i] = facts[i];
    return n;
}

}  // extern "C"
