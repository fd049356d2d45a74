// The matching engine behind the C ABI of engine.h: price-time priority over many books, spot
// balances with holds, settlement and fees, and self-trade prevention, one thread, no locks.
// Orders and levels live in pools, an id index gives O(1) cancel and amend, and events are
// written straight into the caller's output array.
#include "engine.h"

#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

#include "accounts.hpp"
#include "book.hpp"
#include "id_index.hpp"
#include "pool.hpp"

using namespace ex;

namespace {

using i128 = __int128;

constexpr int64_t MAX_VALUE = 1000000000000000LL;  // 10^15: price ticks and quantity lots
constexpr int64_t MAX_TOTAL = int64_t(1) << 62;     // units of one asset in the whole venue
constexpr int64_t MAX_UNITS_PER = 100000000LL;      // 10^8: lot and tick x lot units

bool valid_value(int64_t v) { return v > 0 && v <= MAX_VALUE; }
int64_t saturate(i128 v) { return v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v); }
// Fees are rounded up to the smallest unit; bps <= 10000, so a fee never exceeds what it is on.
int64_t fee_of(int64_t received, int32_t bps) {
    return static_cast<int64_t>((static_cast<i128>(received) * bps + 9999) / 10000);
}

// Why a taker stopped before its limit price or the book did.
enum class Stop : uint8_t { none, self_trade, funds, budget };

// The order being matched: a new one, or one an amendment sends back in.
struct Taker {
    uint64_t id;
    uint32_t account;
    uint8_t side;
    uint8_t stp;
    bool market;
    bool held;          // its remaining quantity is locked (limit orders, market sells by quantity)
    int64_t limit;      // limit price (the hold was taken at it)
    int64_t remaining;
    int64_t filled;     // executed or decremented
    int64_t budget;     // market orders by quote amount: units left to spend or receive; else -1
    Stop stop;
};

}  // namespace

struct ex_engine {
    ex_engine(uint32_t symbols, uint32_t assets, const ex_market* config)
        : books(symbols), markets(config, config + symbols), accounts(assets), orders(1 << 16), levels(1 << 12) {
        overflow.reserve(1024);
    }

    std::vector<Book> books;
    std::vector<ex_market> markets;
    Accounts accounts;
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
        ex_event& e = emit(EX_EV_REJECTED, c.order_id, c.side, sequence);
        e.reason = reason;
        e.account = c.account;
    }

    void insufficient(const ex_command& c, uint8_t side, uint32_t asset, i128 needed, int64_t available,
                      uint64_t sequence) {
        ex_event& e = emit(EX_EV_REJECTED, c.order_id, side, sequence);
        e.reason = EX_REJ_INSUFFICIENT;
        e.account = c.account;
        e.asset = asset;
        e.amount = saturate(needed);
        e.other_amount = available;
    }

    // ---- balances ---------------------------------------------------------------------------

    int32_t maker_rate(uint32_t account, const ex_market& m) {
        int32_t own = accounts.fees(account).maker;
        return own >= 0 ? own : m.maker_fee_bps;
    }
    int32_t taker_rate(uint32_t account, const ex_market& m) {
        int32_t own = accounts.fees(account).taker;
        return own >= 0 ? own : m.taker_fee_bps;
    }

    // What `quantity` lots of an order at `price` hold: quote for a buy, base for a sell.
    static i128 hold_of(const ex_market& m, uint8_t side, int64_t price, int64_t quantity) {
        return side == EX_BUY ? static_cast<i128>(price) * quantity * m.notional_units
                              : static_cast<i128>(quantity) * m.lot_units;
    }
    static uint32_t held_asset(const ex_market& m, uint8_t side) { return side == EX_BUY ? m.quote_asset : m.base_asset; }

    // Moves units between free and locked (positive: locks).
    void lock(uint32_t account, uint32_t asset, int64_t units) {
        if (units == 0) return;
        Balance& b = accounts.change(account, asset);
        b.free -= units;
        b.locked += units;
    }

    void release_order(const ex_market& m, const Order& o, int64_t quantity) {
        lock(o.account, held_asset(m, o.side), -static_cast<int64_t>(hold_of(m, o.side, o.price, quantity)));
    }

    void release_taker(const ex_market& m, const Taker& t, int64_t quantity) {
        if (t.held) lock(t.account, held_asset(m, t.side), -static_cast<int64_t>(hold_of(m, t.side, t.limit, quantity)));
    }

    // Settles one trade of `qty` lots at `price` (the maker's): both sides and the fee account.
    // The taker pays one asset (quote for a buy, base for a sell) and receives the other; the
    // maker pays the taker's received asset out of its hold and receives what the taker paid.
    void settle(const ex_market& m, const Taker& t, const Order& maker, int64_t price, int64_t qty, ex_event& e) {
        int64_t base = qty * m.lot_units;
        int64_t quote = price * qty * m.notional_units;  // within the buyer's hold or free balance
        bool buy = t.side == EX_BUY;
        uint32_t paid = buy ? m.quote_asset : m.base_asset, got = buy ? m.base_asset : m.quote_asset;
        int64_t paid_units = buy ? quote : base, got_units = buy ? base : quote;
        Balance& tp = accounts.change(t.account, paid);
        if (t.held) {
            // A buy held at its limit gets back the difference when it fills below it.
            int64_t held = buy ? t.limit * qty * m.notional_units : base;
            tp.locked -= held;
            tp.free += held - paid_units;
        } else {
            tp.free -= paid_units;
        }
        // The rates are looked up here, not when the taker is made: most amendments never trade.
        e.amount = fee_of(got_units, taker_rate(t.account, m));
        e.other_amount = fee_of(paid_units, maker_rate(maker.account, m));
        accounts.change(t.account, got).free += got_units - e.amount;
        accounts.change(maker.account, got).locked -= got_units;
        accounts.change(maker.account, paid).free += paid_units - e.other_amount;
        accounts.change(EX_FEE_ACCOUNT, got).free += e.amount;
        accounts.change(EX_FEE_ACCOUNT, paid).free += e.other_amount;
    }

    // Lots a taker that is not held may take at `price` now: limited by its free balance (and,
    // by quote amount, by what is left of it). Sets `why` when that limit binds.
    int64_t affordable(const ex_market& m, const Taker& t, int64_t price, int64_t wanted, Stop* why) {
        i128 per_lot = static_cast<i128>(price) * m.notional_units;
        int64_t cap = wanted;
        if (t.side == EX_BUY) {
            int64_t units = accounts.free_of(t.account, m.quote_asset);
            bool by_budget = t.budget >= 0 && t.budget <= units;
            if (by_budget) units = t.budget;
            int64_t lots = static_cast<int64_t>(units / per_lot);
            if (lots < cap) { cap = lots; *why = by_budget ? Stop::budget : Stop::funds; }
        } else {
            int64_t base_lots = accounts.free_of(t.account, m.base_asset) / m.lot_units;
            if (t.budget >= 0) {
                int64_t lots = static_cast<int64_t>(t.budget / per_lot);
                if (lots < cap) { cap = lots; *why = Stop::budget; }
            }
            if (base_lots < cap) { cap = base_lots; *why = Stop::funds; }
        }
        return cap;
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

    // Takes the head order off a level being matched (the matching loop drops the level itself).
    void drop_head(Level& l, uint32_t mi) {
        Order& maker = orders[mi];
        l.total -= maker.remaining;
        l.head = maker.next;
        if (l.head != NIL) orders[l.head].prev = NIL; else l.tail = NIL;
        retire(mi);
    }

    void retire(uint32_t oi) {
        ids.erase(orders[oi].id);
        orders.release(oi);
    }

    // ---- matching -------------------------------------------------------------------------

    // A taker met a resting order of its own account under a prevention mode. Returns true when
    // the taker must stop.
    bool prevent(Book& book, const ex_market& m, Level& l, uint32_t mi, Taker& t) {
        Order& maker = orders[mi];
        int64_t overlap = t.remaining < maker.remaining ? t.remaining : maker.remaining;
        bool decrement = t.stp == EX_STP_DECREMENT;
        if (decrement) {
            maker.remaining -= overlap;
            maker.filled += overlap;
            l.total -= overlap;
            release_order(m, maker, overlap);
            t.remaining -= overlap;
            t.filled += overlap;
            release_taker(m, t, overlap);
            ++book.sequence;
        }
        ex_event& e = emit(EX_EV_PREVENTED, t.id, t.side, book.sequence);
        e.other_id = maker.id;
        e.price = l.price;
        e.quantity = overlap;
        e.remaining = t.remaining;
        e.other_remaining = maker.remaining;
        e.flags = decrement ? EX_EVF_DECREMENTED : 0;
        bool expire_maker = t.stp == EX_STP_EXPIRE_MAKER || t.stp == EX_STP_EXPIRE_BOTH ||
                            (decrement && maker.remaining == 0);
        if (expire_maker) {
            int64_t left = maker.remaining;
            release_order(m, maker, left);
            uint64_t id = maker.id;
            uint8_t side = maker.side;
            drop_head(l, mi);
            ++book.sequence;
            ex_event& x = emit(EX_EV_EXPIRED, id, side, book.sequence);
            x.price = l.price;
            x.quantity = left;
            x.reason = EX_EXP_SELF_TRADE;
        }
        bool stop = t.stp == EX_STP_EXPIRE_TAKER || t.stp == EX_STP_EXPIRE_BOTH || (decrement && t.remaining == 0);
        if (stop) t.stop = Stop::self_trade;
        return stop;
    }

    // Trades the taker against the opposite side while prices cross, until it is done or stops.
    void match(Book& book, const ex_market& m, Taker& t) {
        BookSide& mine = book.side(t.side);
        BookSide& other = book.side(t.side ^ 1);
        bool done = false;
        while (!done && t.remaining > 0 && !other.empty()) {
            uint32_t li = other.best();
            Level& l = levels[li];
            if (!t.market && !mine.crosses(t.limit, l.price)) break;
            while (t.remaining > 0 && l.head != NIL) {
                uint32_t mi = l.head;
                Order& maker = orders[mi];
                if (maker.account == t.account && t.stp != EX_STP_NONE) {
                    if (prevent(book, m, l, mi, t)) { done = true; break; }
                    continue;
                }
                int64_t qty = t.remaining < maker.remaining ? t.remaining : maker.remaining;
                if (!t.held) {
                    Stop why = Stop::none;
                    qty = affordable(m, t, l.price, qty, &why);
                    if (why != Stop::none) { t.stop = why; done = true; }
                    if (qty == 0) break;
                }
                t.remaining -= qty;
                t.filled += qty;
                maker.remaining -= qty;
                maker.filled += qty;
                l.total -= qty;
                ex_event& e = emit(EX_EV_TRADE, t.id, t.side, ++book.sequence);
                e.other_id = maker.id;
                e.price = l.price;
                e.quantity = qty;
                e.remaining = t.remaining;
                e.other_remaining = maker.remaining;
                settle(m, t, maker, l.price, qty, e);
                if (t.budget >= 0) t.budget -= l.price * qty * m.notional_units;
                if (maker.remaining == 0) {
                    l.head = maker.next;
                    if (l.head != NIL) orders[l.head].prev = NIL; else l.tail = NIL;
                    retire(mi);
                }
                if (done) break;
            }
            if (l.head == NIL) {
                other.pop_best();
                levels.release(li);
            }
        }
    }

    // Whether a fill-or-kill taker can fill completely: liquidity up to its limit, as self-trade
    // prevention would leave it, and for a market buy the free balance to pay for it. Returns the
    // expiry reason, or -1 when it can.
    int fill_or_kill(const Book& book, const ex_market& m, const Taker& t) const {
        const BookSide& mine = book.side(t.side);
        int64_t wanted = t.remaining;
        i128 cost = 0;
        bool blocked = false;
        book.side(t.side ^ 1).for_each_from_best([&](uint32_t li) {
            const Level& l = levels[li];
            if (!t.market && !mine.crosses(t.limit, l.price)) return false;
            if (t.stp == EX_STP_NONE) {
                int64_t take = wanted < l.total ? wanted : l.total;
                cost += static_cast<i128>(take) * l.price * m.notional_units;
                wanted -= take;
                return wanted > 0;
            }
            for (uint32_t oi = l.head; oi != NIL && wanted > 0; oi = orders[oi].next) {
                const Order& o = orders[oi];
                if (o.account == t.account) {
                    if (t.stp == EX_STP_EXPIRE_MAKER) continue;
                    blocked = true;
                    return false;
                }
                int64_t take = wanted < o.remaining ? wanted : o.remaining;
                cost += static_cast<i128>(take) * l.price * m.notional_units;
                wanted -= take;
            }
            return wanted > 0;
        });
        if (wanted > 0 || blocked) return EX_EXP_TIME_IN_FORCE;
        if (t.market && t.side == EX_BUY && cost > accounts.free_of(t.account, m.quote_asset)) return EX_EXP_INSUFFICIENT;
        return -1;
    }

    bool would_take(const Book& book, uint8_t side, int64_t price) const {
        const BookSide& other = book.side(side ^ 1);
        return !other.empty() && book.side(side).crosses(price, levels[other.best()].price);
    }

    // The taker's closing event when it does not rest: EXPIRED, releasing what it still holds.
    void expire_taker(const ex_market& m, const Taker& t, uint64_t sequence, int64_t price, uint8_t reason) {
        release_taker(m, t, t.remaining);
        ex_event& e = emit(EX_EV_EXPIRED, t.id, t.side, sequence);
        e.price = price;
        e.quantity = t.remaining;
        e.remaining = t.remaining;
        e.reason = reason;
    }

    // ---- commands -------------------------------------------------------------------------

    void new_order(const ex_command& c) {
        bool market = c.kind == EX_CMD_MARKET;
        bool by_amount = market && c.amount != 0;
        if (c.symbol >= books.size() || c.side > EX_SELL || c.tif > EX_FOK || c.stp > EX_STP_DECREMENT ||
            c.account >= EX_MAX_ACCOUNTS || !valid_value(c.quantity) || (!market && !valid_value(c.price)) ||
            (market && c.tif == EX_GTC) || ((c.flags & EX_FLAG_POST_ONLY) && (market || c.tif != EX_GTC)) ||
            (by_amount && (c.amount < 0 || c.amount > MAX_TOTAL || c.tif == EX_FOK)) || (!market && c.amount != 0)) {
            return reject(c, EX_REJ_INVALID, c.symbol < books.size() ? books[c.symbol].sequence : 0);
        }
        Book& book = books[c.symbol];
        const ex_market& m = markets[c.symbol];
        if (ids.find(c.order_id) != NIL) return reject(c, EX_REJ_DUPLICATE_ID, book.sequence);
        accounts.ensure(c.account);
        Taker t{c.order_id, c.account, c.side, c.stp, market, !market || (c.side == EX_SELL && !by_amount),
                market ? 0 : c.price, c.quantity, 0, by_amount ? c.amount : -1, Stop::none};
        // What the order needs free: its hold, or for a market buy by amount that amount.
        uint32_t asset = held_asset(m, c.side);
        i128 needed = t.held ? hold_of(m, c.side, t.limit, c.quantity) : (by_amount && c.side == EX_BUY ? c.amount : 0);
        int64_t available = accounts.free_of(c.account, asset);
        if (needed > available) return insufficient(c, c.side, asset, needed, available, book.sequence);
        if ((c.flags & EX_FLAG_POST_ONLY) && would_take(book, c.side, c.price))
            return reject(c, EX_REJ_POST_ONLY, book.sequence);
        if (c.tif == EX_FOK) {
            int reason = fill_or_kill(book, m, t);
            if (reason >= 0) {
                ex_event& e = emit(EX_EV_EXPIRED, c.order_id, c.side, book.sequence);
                e.price = t.limit;
                e.quantity = c.quantity;
                e.remaining = c.quantity;
                e.reason = static_cast<uint8_t>(reason);
                return;
            }
        }
        if (t.held) lock(c.account, asset, static_cast<int64_t>(needed));
        match(book, m, t);
        switch (t.stop) {
            case Stop::self_trade: return expire_taker(m, t, book.sequence, t.limit, EX_EXP_SELF_TRADE);
            case Stop::funds: return expire_taker(m, t, book.sequence, t.limit, EX_EXP_INSUFFICIENT);
            case Stop::budget: t.remaining = 0; break;  // spent (or received) all it could: complete
            case Stop::none: break;
        }
        if (t.remaining > 0 && c.tif != EX_GTC) return expire_taker(m, t, book.sequence, t.limit, EX_EXP_TIME_IN_FORCE);
        if (t.remaining > 0) {
            uint32_t oi = orders.acquire();
            Order& o = orders[oi];
            o.id = c.order_id;
            o.price = c.price;
            o.remaining = t.remaining;
            o.filled = t.filled;
            o.book = c.symbol;
            o.account = c.account;
            o.side = c.side;
            o.flags = c.flags;
            o.stp = c.stp;
            ids.insert(o.id, oi);
            rest(book, oi);
        }
        ex_event& e = emit(EX_EV_ACCEPTED, c.order_id, c.side, book.sequence);
        e.price = c.price;
        e.quantity = by_amount ? t.filled : c.quantity;
        e.remaining = t.remaining;
    }

    void cancel(const ex_command& c) {
        uint32_t oi = ids.find(c.order_id);
        if (oi == NIL) return reject(c, EX_REJ_UNKNOWN_ORDER, 0);
        Order& o = orders[oi];
        Book& book = books[o.book];
        int64_t remaining = o.remaining;
        release_order(markets[o.book], o, remaining);
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
        const ex_market& m = markets[o.book];
        int64_t price = c.price == 0 ? o.price : c.price;
        int64_t quantity = c.quantity == 0 ? o.filled + o.remaining : c.quantity;
        if (!valid_value(price) || !valid_value(quantity)) {
            ex_event& e = emit(EX_EV_REJECTED, o.id, o.side, book.sequence);
            e.reason = EX_REJ_INVALID;
            return;
        }
        if (quantity <= o.filled) {
            ex_event& e = emit(EX_EV_REJECTED, o.id, o.side, book.sequence);
            e.reason = EX_REJ_AMEND_QUANTITY;
            return;
        }
        int64_t remaining = quantity - o.filled;
        uint32_t asset = held_asset(m, o.side);
        i128 more = hold_of(m, o.side, price, remaining) - hold_of(m, o.side, o.price, o.remaining);
        int64_t available = accounts.free_of(o.account, asset);
        if (more > available) {
            ex_command as_order = c;
            as_order.account = o.account;
            return insufficient(as_order, o.side, asset, more, available, book.sequence);
        }
        uint8_t kept = 0;
        if (price == o.price && remaining <= o.remaining) {
            // Smaller (or equal) at the same price: keeps its place in the queue.
            lock(o.account, asset, static_cast<int64_t>(more));
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
            lock(o.account, asset, static_cast<int64_t>(more));
            unlink(book, oi);
            ++book.sequence;
            // The order re-enters as a taker at its new price, then rests at the back.
            Taker t{o.id, o.account, o.side, o.stp, false, true, price, remaining, o.filled, -1, Stop::none};
            match(book, m, t);
            Order& moved = orders[oi];
            moved.price = price;
            moved.remaining = t.remaining;
            moved.filled = t.filled;
            remaining = t.remaining;
            if (t.stop == Stop::self_trade) {
                retire(oi);
                return expire_taker(m, t, book.sequence, price, EX_EXP_SELF_TRADE);
            }
            if (remaining > 0) rest(book, oi);
        }
        Order& now = orders[oi];
        ex_event& e = emit(EX_EV_AMENDED, now.id, now.side, book.sequence);
        e.price = price;
        e.quantity = quantity;
        e.remaining = remaining;
        e.flags = kept;
        if (remaining == 0) retire(oi);
    }

    void deposit(const ex_command& c, bool in) {
        if (c.account >= EX_MAX_ACCOUNTS || c.asset >= accounts.assets() || c.amount <= 0 || c.amount > MAX_TOTAL)
            return reject(c, EX_REJ_INVALID, 0);
        accounts.ensure(c.account);
        int64_t& total = accounts.total(c.asset);
        if (in && c.amount > MAX_TOTAL - total) return reject(c, EX_REJ_LIMIT, 0);
        int64_t available = accounts.free_of(c.account, c.asset);
        if (!in && c.amount > available) return insufficient(c, 0, c.asset, c.amount, available, 0);
        accounts.change(c.account, c.asset).free += in ? c.amount : -c.amount;
        total += in ? c.amount : -c.amount;
        ex_event& e = emit(in ? EX_EV_DEPOSITED : EX_EV_WITHDRAWN, c.order_id, 0, 0);
        e.account = c.account;
        e.asset = c.asset;
        e.amount = c.amount;
    }

    void set_fees(const ex_command& c) {
        auto valid_rate = [](int64_t bps) { return bps >= -1 && bps <= 10000; };
        if (c.account >= EX_MAX_ACCOUNTS || !valid_rate(c.price) || !valid_rate(c.quantity))
            return reject(c, EX_REJ_INVALID, 0);
        accounts.ensure(c.account);
        accounts.fees(c.account) = FeeRates{static_cast<int32_t>(c.price), static_cast<int32_t>(c.quantity)};
        ex_event& e = emit(EX_EV_FEES_SET, c.order_id, 0, 0);
        e.account = c.account;
        e.price = c.price;
        e.quantity = c.quantity;
    }

    void process(const ex_command& c) {
        switch (c.kind) {
            case EX_CMD_LIMIT:
            case EX_CMD_MARKET: return new_order(c);
            case EX_CMD_CANCEL: return cancel(c);
            case EX_CMD_AMEND: return amend(c);
            case EX_CMD_DEPOSIT: return deposit(c, true);
            case EX_CMD_WITHDRAW: return deposit(c, false);
            case EX_CMD_SET_FEES: return set_fees(c);
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
int64_t ex_max_total(void) { return MAX_TOTAL; }

ex_engine* ex_engine_create(uint32_t symbols, uint32_t assets, const ex_market* markets) {
    if (assets == 0 || (symbols > 0 && !markets)) return nullptr;
    for (uint32_t i = 0; i < symbols; ++i) {
        const ex_market& m = markets[i];
        auto units_ok = [](int64_t u) { return u >= 1 && u <= MAX_UNITS_PER; };
        auto rate_ok = [](int32_t bps) { return bps >= 0 && bps <= 10000; };
        if (m.base_asset >= assets || m.quote_asset >= assets || m.base_asset == m.quote_asset ||
            !units_ok(m.lot_units) || !units_ok(m.notional_units) || !rate_ok(m.maker_fee_bps) ||
            !rate_ok(m.taker_fee_bps))
            return nullptr;
    }
    return new (std::nothrow) ex_engine(symbols, assets, markets);
}

void ex_engine_destroy(ex_engine* engine) { delete engine; }

uint32_t ex_engine_process(ex_engine* engine, const ex_command* commands, uint32_t count,
                           ex_event* out, uint32_t out_capacity) {
    // Events left from an undrained earlier call go first, so order is never lost.
    uint32_t written = engine->drain(out, out_capacity);
    engine->out = out + written;
    engine->out_capacity = out_capacity - written;
    engine->out_count = 0;
    engine->accounts.begin_batch();
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

uint32_t ex_engine_changed_count(const ex_engine* engine) {
    return static_cast<uint32_t>(engine->accounts.changed().size());
}

uint32_t ex_engine_changed_balances(const ex_engine* engine, uint32_t from, ex_balance* out, uint32_t capacity) {
    const std::vector<uint64_t>& changed = engine->accounts.changed();
    uint32_t n = 0;
    for (size_t i = from; i < changed.size() && n < capacity; ++i, ++n) {
        uint32_t account = static_cast<uint32_t>(changed[i] >> 32);
        uint32_t asset = static_cast<uint32_t>(changed[i]);
        const Balance* b = engine->accounts.peek(account, asset);
        out[n] = ex_balance{account, asset, b->free, b->locked};
    }
    return n;
}

void ex_engine_fee_rates(const ex_engine* engine, uint32_t account, int32_t* out) {
    bool known = account < engine->accounts.count();
    out[0] = known ? engine->accounts.fees(account).maker : -1;
    out[1] = known ? engine->accounts.fees(account).taker : -1;
}

void ex_engine_balance(const ex_engine* engine, uint32_t account, uint32_t asset, int64_t* out) {
    const Balance* b = engine->accounts.peek(account, asset);
    out[0] = b ? b->free : 0;
    out[1] = b ? b->locked : 0;
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
        offsetof(ex_command, amount), offsetof(ex_command, symbol), offsetof(ex_command, account),
        offsetof(ex_command, asset), offsetof(ex_command, kind), offsetof(ex_command, side),
        offsetof(ex_command, tif), offsetof(ex_command, flags), offsetof(ex_command, stp),
        sizeof(ex_event),
        offsetof(ex_event, order_id), offsetof(ex_event, other_id), offsetof(ex_event, price),
        offsetof(ex_event, quantity), offsetof(ex_event, remaining),
        offsetof(ex_event, other_remaining), offsetof(ex_event, sequence), offsetof(ex_event, amount),
        offsetof(ex_event, other_amount), offsetof(ex_event, command_index), offsetof(ex_event, account),
        offsetof(ex_event, asset), offsetof(ex_event, type), offsetof(ex_event, reason),
        offsetof(ex_event, side), offsetof(ex_event, flags),
        sizeof(ex_market),
        offsetof(ex_market, base_asset), offsetof(ex_market, quote_asset), offsetof(ex_market, lot_units),
        offsetof(ex_market, notional_units), offsetof(ex_market, maker_fee_bps), offsetof(ex_market, taker_fee_bps),
        sizeof(ex_balance),
        offsetof(ex_balance, account), offsetof(ex_balance, asset), offsetof(ex_balance, free),
        offsetof(ex_balance, locked),
    };
    uint32_t n = sizeof facts / sizeof facts[0];
    for (uint32_t i = 0; i < n && i < capacity; ++i) out[i] = facts[i];
    return n;
}

}  // extern "C"
