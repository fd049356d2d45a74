// The matching engine behind the C ABI of engine.h: price-time priority over many books, spot
// balances with holds, settlement and fees, self-trade prevention, conditional orders, icebergs
// and order lists, one thread, no locks. Orders and levels live in pools, an id index gives O(1)
// cancel and amend, and events are written straight into the caller's output array.
#include "engine.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

#include "accounts.hpp"
#include "book.hpp"
#include "id_index.hpp"
#include "image.hpp"
#include "pool.hpp"

using namespace ex;

namespace {

using i128 = __int128;

constexpr int64_t MAX_VALUE = 1000000000000000LL;  // 10^15: price ticks and quantity lots
constexpr int64_t MAX_TOTAL = int64_t(1) << 62;     // units of one asset in the whole venue
constexpr int64_t MAX_UNITS_PER = 100000000LL;      // 10^8: lot and tick x lot units
constexpr uint32_t MAX_CASCADE = 1u << 20;          // orders one command may set off
// Images: 2: orders carry ORDER_ICEBERG / ORDER_LISTED (a version 1 image has them derived on
// restore); 3: an order list has a third member (OTOCO), NIL in lists of older images; 4: orders
// carry ORDER_TRADED (derived on restore from `filled`, which counts self-trade decrements too);
// 5: a list has the units an OPO's working order received, and an Extra whether they pay for it.
constexpr uint32_t IMAGE_VERSION = 5;

bool valid_value(int64_t v) { return v > 0 && v <= MAX_VALUE; }
int64_t saturate(i128 v) { return v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v); }
// Fees are rounded up to the smallest unit; bps <= 10000, so a fee never exceeds what it is on.
int64_t fee_of(int64_t received, int32_t bps) {
    // In 64 bits while the product fits (almost always): a 128-bit division is a library call.
    if (received < (int64_t(1) << 49)) return (received * bps + 9999) / 10000;
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
    bool traded = false;  // it traded in this match (its order then carries ORDER_TRADED)
    bool pays = false;    // an OPO's working order: what it receives is locked for its pending order
    int64_t received = 0; // ... and how much (base units, net of fees)
};

}  // namespace

struct ex_engine {
    ex_engine(uint32_t symbols, uint32_t assets, const ex_market* config)
        : books(symbols), markets(config, config + symbols), accounts(assets), orders(1 << 16), levels(1 << 12),
          extras(1 << 10), lists(1 << 8) {
        overflow.reserve(1024);
        for (uint32_t i = 0; i < symbols; ++i) books[i].index = i;
        ready.reserve(256);
        fired.reserve(256);
    }

    std::vector<Book> books;
    std::vector<ex_market> markets;
    Accounts accounts;
    Pool<Order> orders;
    Pool<Level> levels;
    Pool<Extra> extras;
    Pool<List> lists;
    Pool<Trail> trails{16};
    uint64_t tracking_clock = 0;
    IdIndex ids;

    // Orders triggered or released, to enter the book in this order: (pool index, id).
    std::vector<std::pair<uint32_t, uint64_t>> ready;
    size_t ready_read = 0;
    std::vector<uint32_t> fired;  // scratch of collect()

    // Output of the current call; events past the caller's capacity wait in `overflow`.
    ex_event* out = nullptr;
    uint32_t out_capacity = 0;
    uint32_t out_count = 0;
    std::vector<ex_event> overflow;
    size_t overflow_read = 0;
    uint32_t command_index = 0;
    uint32_t touched = NIL;  // the book the current command traded in

    std::vector<uint8_t> snapshot;  // the last image taken (ex_engine_snapshot)

    // The state a snapshot keeps: everything but the markets (given at restore, as at create) and
    // what lives only within one call (outputs, the ready queue, scratch).
    template <class A>
    void image(A& a, uint32_t version = IMAGE_VERSION) {
        a.vec(books);
        accounts.image(a);
        orders.image(a);
        levels.image(a);
        extras.image(a);
        if (A::reading && version < 3) {
            lists.image_from<ListV2>(a, [](const ListV2& l) { return List{l.id, l.first, l.second, l.shared, l.next, NIL, l.link, 0}; });
        } else if (A::reading && version < 5) {
            lists.image_from<ListV4>(a, [](const ListV4& l) { return List{l.id, l.first, l.second, l.shared, l.next, l.third, l.link, 0}; });
        } else {
            lists.image(a);
        }
        trails.image(a);
        a.scalar(tracking_clock);
        ids.image(a);
    }

    // For an image saved before orders carried ORDER_ICEBERG / ORDER_LISTED (version 1) or
    // ORDER_TRADED (before 4): they are derived from the orders' Extras and fills (an order only
    // decremented by self-trade prevention counts as traded there). Free slots get them too,
    // harmlessly: taking a slot sets its flags.
    void derive_order_flags(uint32_t version) {
        for (uint32_t i = 0; i < orders.slots(); ++i) {
            Order& o = orders[i];
            if (o.filled > 0) o.flags |= ORDER_TRADED;
            if (version > 1) continue;
            o.flags &= ~(ORDER_ICEBERG | ORDER_LISTED);
            if (o.ext == NIL || o.ext >= extras.slots()) continue;
            if (extras[o.ext].visible != 0) o.flags |= ORDER_ICEBERG;
            if (extras[o.ext].list != NIL) o.flags |= ORDER_LISTED;
        }
    }

    // Inlined: it is on every path, and a call per event costs more than the event (measured).
    __attribute__((always_inline)) ex_event& emit(uint8_t type, uint64_t order_id, uint8_t side, uint64_t sequence) {
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
        // In 64 bits while the products fit (almost always): 128-bit products are several multiplies.
        int64_t units;
        if (side == EX_BUY) {
            if (!__builtin_mul_overflow(price, quantity, &units) && !__builtin_mul_overflow(units, m.notional_units, &units))
                return units;
            return static_cast<i128>(price) * quantity * m.notional_units;
        }
        if (!__builtin_mul_overflow(quantity, m.lot_units, &units)) return units;
        return static_cast<i128>(quantity) * m.lot_units;
    }
    static uint32_t held_asset(const ex_market& m, uint8_t side) { return side == EX_BUY ? m.quote_asset : m.base_asset; }
    // What an order placed by `c` holds: as a limit at its price (a stop-market buy: at its bound),
    // or a market buy by quote amount that amount.
    static i128 hold_for(const ex_market& m, const ex_command& c) {
        bool by_amount = c.kind == EX_CMD_MARKET && c.amount != 0;
        return by_amount && c.side == EX_BUY ? static_cast<i128>(c.amount) : hold_of(m, c.side, c.price, c.quantity);
    }
    // What a live order holds now.
    i128 hold_now(const Order& o) const {
        const ex_market& m = markets[o.book];
        if (o.state == State::waiting) return 0;
        // (An Extra is read only for a buy not resting: a read that misses the cache.)
        if (o.ext != NIL && o.side == EX_BUY && o.state != State::resting && extras[o.ext].amount != 0)
            return extras[o.ext].amount;
        return hold_of(m, o.side, o.price, o.remaining);
    }

    // Moves units between free and locked (positive: locks).
    __attribute__((always_inline)) void lock(uint32_t account, uint32_t asset, int64_t units) {
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
    void settle(const ex_market& m, Taker& t, const Order& maker, int64_t price, int64_t qty, ex_event& e) {
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
        // One pays the other: what an OPO's working order (a buy) receives is locked for its
        // pending order as it arrives.
        if (__builtin_expect(t.pays, 0)) {
            lock(t.account, got, got_units - e.amount);
            t.received += got_units - e.amount;
        }
        if (__builtin_expect((maker.flags & ORDER_PAYS) != 0, 0)) {
            lock(maker.account, paid, paid_units - e.other_amount);
            lists[extras[maker.ext].list].received += paid_units - e.other_amount;
        }
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
            int64_t lots = per_lot <= INT64_MAX ? units / static_cast<int64_t>(per_lot) : 0;
            if (lots < cap) { cap = lots; *why = by_budget ? Stop::budget : Stop::funds; }
        } else {
            int64_t base_lots = accounts.free_of(t.account, m.base_asset) / m.lot_units;
            if (t.budget >= 0) {
                int64_t lots = per_lot <= INT64_MAX ? t.budget / static_cast<int64_t>(per_lot) : 0;
                if (lots < cap) { cap = lots; *why = Stop::budget; }
            }
            if (base_lots < cap) { cap = base_lots; *why = Stop::funds; }
        }
        return cap;
    }

    // ---- levels: the book's sides, and the trigger sides of its conditional orders ------------

    // The FIFOs of orders (a level, a trail) are linked through Order::prev and next.
    __attribute__((always_inline)) void append(uint32_t& head, uint32_t& tail, uint32_t oi) {
        Order& o = orders[oi];
        o.next = NIL;
        o.prev = tail;
        if (tail != NIL) orders[tail].next = oi; else head = oi;
        tail = oi;
    }
    // The head, whose prev is NIL (matching takes orders off there).
    __attribute__((always_inline)) void pop_head(uint32_t& head, uint32_t& tail) {
        head = orders[head].next;
        if (head != NIL) orders[head].prev = NIL; else tail = NIL;
    }
    __attribute__((always_inline)) void remove(uint32_t& head, uint32_t& tail, uint32_t oi) {
        const Order& o = orders[oi];
        if (o.prev != NIL) orders[o.prev].next = o.next; else head = o.next;
        if (o.next != NIL) orders[o.next].prev = o.prev; else tail = o.prev;
    }

    // Appends an order to the level at `price` of `side` (made when missing). It shows `shown`
    // of its remaining quantity; the rest is hidden.
    __attribute__((always_inline)) void link(BookSide& side, uint32_t oi, int64_t price) {
        Order& o = orders[oi];
        uint32_t li = side.find_or_insert(price, [&]() __attribute__((always_inline)) {
            uint32_t fresh = levels.acquire();
            Level& l = levels[fresh];
            l.price = price;
            l.total = 0;
            l.hidden = 0;
            l.head = l.tail = NIL;
            return fresh;
        });
        Level& l = levels[li];
        o.level = li;
        append(l.head, l.tail, oi);
        int64_t shown = shown_of(o);
        l.total += shown;
        l.hidden += o.remaining - shown;
    }

    // An iceberg shows a slice of its remaining quantity; every other order all of it.
    static bool iceberg(const Order& o) { return o.flags & ORDER_ICEBERG; }
    int64_t shown_of(const Order& o) const { return iceberg(o) ? extras[o.ext].shown : o.remaining; }

    // Unlinks an order from its level (dropping the level if it empties).
    __attribute__((always_inline)) void unlink(BookSide& side, uint32_t oi) {
        Order& o = orders[oi];
        Level& l = levels[o.level];
        remove(l.head, l.tail, oi);
        int64_t shown = shown_of(o);
        l.total -= shown;
        l.hidden -= o.remaining - shown;
        if (l.head == NIL) {
            side.erase(l.price);
            levels.release(o.level);
        }
    }

    // Puts an order in its book at its price, showing all of it or an iceberg's first slice.
    __attribute__((always_inline)) void rest(Book& book, uint32_t oi) {
        Order& o = orders[oi];
        if (o.ext != NIL) {
            Extra& x = extras[o.ext];
            x.shown = x.visible > 0 && x.visible < o.remaining ? x.visible : o.remaining;
        }
        o.state = State::resting;
        link(book.side(o.side), oi, o.price);
        ++book.sequence;
    }

    // Takes the head order off a level being matched (the matching loop drops the level itself).
    void drop_head(Level& l, uint32_t mi) {
        Order& maker = orders[mi];
        int64_t shown = shown_of(maker);
        l.total -= shown;
        l.hidden -= maker.remaining - shown;
        pop_head(l.head, l.tail);
        retire(mi);
    }

    // An iceberg at the head of its level has shown all of its slice: the next one joins the back.
    void refresh(Book& book, Level& l, uint32_t mi) {
        Order& o = orders[mi];
        int64_t visible = extras[o.ext].visible;
        int64_t slice = o.remaining < visible ? o.remaining : visible;
        pop_head(l.head, l.tail);
        append(l.head, l.tail, mi);
        extras[o.ext].shown = slice;
        l.total += slice;
        l.hidden -= slice;
        ex_event& e = emit(EX_EV_REFRESHED, o.id, o.side, ++book.sequence);
        e.price = l.price;
        e.quantity = slice;
        e.remaining = o.remaining;
    }

    // A pool slot for the order `c` places, in the id index (with its Extra when `extra`).
    __attribute__((always_inline)) uint32_t acquire_order(const ex_command& c, bool extra) {
        uint32_t oi = orders.acquire();
        Order& o = orders[oi];
        o.id = c.order_id;
        o.price = c.price;
        o.remaining = c.quantity;
        o.filled = 0;
        o.prev = o.next = o.level = NIL;
        o.book = c.symbol;
        o.account = c.account;
        o.side = c.side;
        o.flags = c.flags & EX_FLAG_POST_ONLY;
        o.stp = c.stp;
        o.state = State::ready;
        o.ext = NIL;
        if (extra) {
            uint32_t xi = extras.acquire();
            Extra& x = extras[xi];
            x.stop_price = c.stop_price;
            x.since = 0;
            x.trail = NIL;
            // amount and visible share the command's bytes: which one it is follows from its kind.
            x.market = c.kind == EX_CMD_MARKET;
            x.amount = x.market ? c.amount : 0;
            x.visible = x.market ? 0 : c.visible;
            if (x.visible != 0) o.flags |= ORDER_ICEBERG;
            x.shown = c.quantity;
            x.trailing_bps = c.trailing_bps;
            x.list = NIL;
            x.trigger = c.trigger;
            x.tif = c.tif;
            x.released = false;
            x.paid = false;
            orders[oi].ext = xi;
        }
        ids.insert(c.order_id, oi);
        return oi;
    }

    void retire(uint32_t oi) {
        Order& o = orders[oi];
        ids.erase(o.id);
        if (o.ext != NIL) extras.release(o.ext);
        orders.release(oi);
    }

    // ---- conditional orders ---------------------------------------------------------------

    // Whether a conditional order triggers (or activates) on a rise of the price to its stop:
    // stop-loss buys and take-profit sells; the others on a fall.
    static bool rises(uint8_t side, uint8_t trigger) { return (trigger == EX_TRIG_STOP_LOSS) == (side == EX_BUY); }
    static bool met(bool rise, int64_t stop, int64_t last) { return last > 0 && (rise ? last >= stop : last <= stop); }

    // A tracking order's trigger price from its extreme: a sell triggers at or below
    // extreme x (1 - bps), a buy at or above extreme x (1 + bps). (0: no extreme yet.)
    static int64_t fire_of(uint8_t side, int64_t extreme, uint32_t bps) {
        if (extreme == 0) return side == EX_SELL ? 0 : INT64_MAX;
        // In 64 bits while the product fits (bps <= 10000): a 128-bit division is a library call.
        if (extreme < (int64_t(1) << 48)) {
            if (side == EX_SELL) return extreme * (10000 - bps) / 10000;
            return (extreme * (10000 + bps) + 9999) / 10000;
        }
        if (side == EX_SELL) return static_cast<int64_t>(static_cast<i128>(extreme) * (10000 - bps) / 10000);
        return static_cast<int64_t>((static_cast<i128>(extreme) * (10000 + bps) + 9999) / 10000);
    }

    // Makes a conditional order wait: by its stop price, or tracking when trailing without one.
    void wait_for_trigger(Book& book, uint32_t oi) {
        Order& o = orders[oi];
        Extra& x = extras[o.ext];
        ++book.conditional;
        if (x.stop_price == 0) return track(book, oi, book.last);
        o.state = State::pending;
        x.shown = o.remaining;
        link(rises(o.side, x.trigger) ? book.rises : book.falls, oi, x.stop_price);
    }

    // Starts tracking the price from `extreme` (0: from the next trade): the last price, at which
    // every order already tracking has an extreme at least as good, so it goes at the tail.
    void track(Book& book, uint32_t oi, int64_t extreme) {
        Order& o = orders[oi];
        Extra& x = extras[o.ext];
        o.state = State::tracking;
        x.since = ++tracking_clock;
        Tracking& tr = book.tracking[o.side];
        uint32_t ti = NIL;
        for (uint32_t t : tr.trails) if (trails[t].bps == x.trailing_bps) { ti = t; break; }
        if (ti == NIL) {
            ti = trails.acquire();
            Trail& fresh = trails[ti];
            fresh.bps = x.trailing_bps;
            fresh.head = fresh.tail = NIL;
            fresh.runs.clear();
            fresh.first = 0;
            tr.trails.push_back(ti);
        }
        Trail& t = trails[ti];
        x.trail = ti;
        append(t.head, t.tail, oi);
        if (t.runs.size() == t.first || t.runs.back().extreme != extreme) t.runs.push_back(Run{x.since, extreme});
    }

    // The run of a tracking order: the last that began at or before it.
    static size_t run_of(const Trail& t, uint64_t since) {
        size_t lo = t.first, hi = t.runs.size();  // the answer is in [lo, hi)
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (t.runs[mid].since <= since) lo = mid; else hi = mid;
        }
        return lo;
    }

    // Takes a tracking order out of its trail (dropping its run if it was the run's last order,
    // and the trail if it was the trail's).
    void untrack(Book& book, uint32_t oi) {
        Order& o = orders[oi];
        const Extra& x = extras[o.ext];
        uint32_t ti = x.trail;
        Trail& t = trails[ti];
        size_t r = run_of(t, x.since);
        if (t.runs[r].since == x.since) {
            // It began its run: the run now begins at the next order, if that is still in it.
            bool next_in_run = o.next != NIL && (r + 1 == t.runs.size() || extras[orders[o.next].ext].since < t.runs[r + 1].since);
            if (next_in_run) t.runs[r].since = extras[orders[o.next].ext].since;
            else if (r == t.first) ++t.first;
            else t.runs.erase(t.runs.begin() + static_cast<std::ptrdiff_t>(r));
        }
        remove(t.head, t.tail, oi);
        if (t.head == NIL) drop_trail(book.tracking[o.side], ti);
    }

    void drop_trail(Tracking& tr, uint32_t ti) {
        for (size_t k = 0; k < tr.trails.size(); ++k) {
            if (tr.trails[k] != ti) continue;
            tr.trails[k] = tr.trails.back();
            tr.trails.pop_back();
            break;
        }
        trails.release(ti);
    }

    // Removes a waiting conditional order from where it waits.
    void stop_waiting(Book& book, uint32_t oi) {
        Order& o = orders[oi];
        if (o.state == State::pending) {
            unlink(rises(o.side, extras[o.ext].trigger) ? book.rises : book.falls, oi);
            --book.conditional;
        } else if (o.state == State::tracking) {
            untrack(book, oi);
            --book.conditional;
        }
    }

    void make_ready(uint32_t oi) {
        orders[oi].state = State::ready;
        ready.emplace_back(oi, orders[oi].id);
    }

    // After trades: the tracking orders follow the price, and every conditional order whose
    // condition the last price meets is triggered (tracking ones first, in the order they began
    // tracking; then rises, lowest stop first; then falls, highest first; FIFO at one stop).
    // Trailing orders whose activation price is met begin tracking from the last price.
    void collect(Book& book) {
        book.traded = false;
        int64_t last = book.last, high = book.high, low = book.low;
        book.high = book.low = last;
        fired.clear();
        for (uint8_t side = 0; side < 2; ++side) {
            std::vector<uint32_t>& all = book.tracking[side].trails;
            if (all.empty()) continue;
            bool sell = side == EX_SELL;
            int64_t best = sell ? high : low;
            size_t from = fired.size();
            for (size_t k = 0; k < all.size();) {
                uint32_t ti = all[k];
                Trail& t = trails[ti];
                // The newest runs whose extreme the price passed take it, merged into one.
                bool merged = false;
                uint64_t since = 0;
                while (t.runs.size() > t.first) {
                    int64_t e = t.runs.back().extreme;
                    if (e != 0 && !(sell ? best > e : best < e)) break;
                    since = t.runs.back().since;
                    t.runs.pop_back();
                    merged = true;
                }
                if (merged) t.runs.push_back(Run{since, best});
                // The oldest runs the last price triggers, whole (one extreme, one delta).
                while (t.runs.size() > t.first) {
                    int64_t fire = fire_of(side, t.runs[t.first].extreme, t.bps);
                    if (!(sell ? last <= fire : last >= fire)) break;
                    uint64_t end = t.first + 1 < t.runs.size() ? t.runs[t.first + 1].since : UINT64_MAX;
                    while (t.head != NIL && extras[orders[t.head].ext].since < end) {
                        uint32_t oi = t.head;
                        pop_head(t.head, t.tail);
                        orders[oi].state = State::ready;
                        --book.conditional;
                        fired.push_back(oi);
                    }
                    ++t.first;
                }
                if (t.first > 64 && 2 * t.first > t.runs.size()) {
                    t.runs.erase(t.runs.begin(), t.runs.begin() + static_cast<std::ptrdiff_t>(t.first));
                    t.first = 0;
                }
                if (t.head == NIL) drop_trail(book.tracking[side], ti);  // moves the last trail here
                else ++k;
            }
            // In the order they began tracking, across trails.
            std::sort(fired.begin() + static_cast<std::ptrdiff_t>(from), fired.end(),
                      [&](uint32_t a, uint32_t b) { return extras[orders[a].ext].since < extras[orders[b].ext].since; });
        }
        // Rises, then falls: a pending order whose stop the last price meets.
        for (int pass = 0; pass < 2; ++pass) {
            BookSide& side = pass == 0 ? book.rises : book.falls;
            while (!side.empty()) {
                if (!met(pass == 0, side.best_price(), last)) break;
                uint32_t oi = levels[side.best()].head;
                unlink(side, oi);
                if (extras[orders[oi].ext].trailing_bps != 0) {
                    track(book, oi, last);
                } else {
                    --book.conditional;
                    orders[oi].state = State::ready;
                    fired.push_back(oi);
                }
            }
        }
        for (uint32_t oi : fired) {
            if (ids.find(orders[oi].id) != oi) continue;  // cancelled as the sibling of one before it
            ready.emplace_back(oi, orders[oi].id);
            if (orders[oi].flags & ORDER_LISTED) end_list(oi, false);
        }
    }

    // Runs what the last step set off: orders released by it, then the conditional orders its
    // trades triggered, each entering the book in turn, for as long as entries set off more. Every
    // order enters at most once, so this ends; the bound only guards it (what is left waits for
    // the next command).
    void cascade(uint32_t symbol) {
        Book& book = books[symbol];
        for (uint32_t n = 0; n < MAX_CASCADE; ++n) {
            if (book.traded) {
                if (book.conditional) collect(book);
                else { book.traded = false; book.high = book.low = book.last; }
            }
            if (ready_read == ready.size()) {
                ready.clear();
                ready_read = 0;
                return;
            }
            auto [oi, id] = ready[ready_read++];
            if (ids.find(id) != oi || orders[oi].state != State::ready) continue;
            enter(oi);
        }
    }

    // A triggered conditional order, or a released OTO pending order, enters the book.
    void enter(uint32_t oi) {
        Order& o = orders[oi];
        Book& book = books[o.book];
        const ex_market& m = markets[o.book];
        Extra& x = extras[o.ext];
        bool released = x.released;
        triggered(book, o, released ? EX_TRG_LIST : EX_TRG_PRICE);
        if (released && (o.flags & ORDER_LISTED)) return enter_pair(oi);
        if (released) {
            x.released = false;
            uint32_t asset = held_asset(m, o.side);
            // An OPO's: what its working order received is locked for it already; held anew below.
            if (x.paid) {
                x.paid = false;
                lock(o.account, asset, -static_cast<int64_t>(hold_now(o)));
            }
            // It takes its hold now, what it would have held placed directly (it is not waiting).
            i128 needed = hold_now(o);
            int64_t available = accounts.free_of(o.account, asset);
            // It expires if it cannot be held (an OPO's: if it was paid no lot), or if, post-only,
            // it would take.
            bool short_of = needed > available || o.remaining == 0;
            if (short_of || ((o.flags & EX_FLAG_POST_ONLY) && would_take(book, o.side, o.price))) {
                ex_event& ex = emit(EX_EV_EXPIRED, o.id, o.side, book.sequence);
                ex.price = o.price;
                ex.quantity = o.remaining;
                ex.remaining = o.remaining;
                ex.reason = short_of ? EX_EXP_INSUFFICIENT : EX_EXP_POST_ONLY;
                return retire(oi);
            }
            lock(o.account, asset, static_cast<int64_t>(needed));
            return place_released(book, m, oi);
        }
        execute_order(book, m, oi);
    }

    // A waiting order enters the book now (`reason`: EX_TRG_*).
    void triggered(const Book& book, const Order& o, uint8_t reason) {
        ex_event& e = emit(EX_EV_TRIGGERED, o.id, o.side, book.sequence);
        e.price = book.last;
        e.quantity = e.remaining = o.remaining;
        e.reason = reason;
    }

    // A released pending order (or pair leg) that holds what it must: a conditional one waits for
    // its trigger, or triggers at once if its condition holds already (a pair leg cancelling the
    // other); a limit one is executed (a pair's post-only leg, which cannot take: it rests).
    void place_released(Book& book, const ex_market& m, uint32_t oi) {
        const Order& o = orders[oi];
        const Extra& x = extras[o.ext];
        if (x.trigger != EX_TRIG_NONE) {
            if (x.stop_price == 0 || !met(rises(o.side, x.trigger), x.stop_price, book.last)) return wait_for_trigger(book, oi);
            triggered(book, o, EX_TRG_PRICE);
            if (o.flags & ORDER_LISTED) end_list(oi, false);
        }
        execute_order(book, m, oi);
    }

    // A released OTOCO pair, an OCO list of two legs on one side, enters the book (its first leg
    // has had its TRIGGERED event): it holds what its larger leg needs, once, or expires whole if
    // the free balance cannot hold that or a post-only leg would take. Each leg is then placed as
    // an OCO's are (a post-only limit rests, a conditional order waits), except that a leg whose
    // condition holds already triggers at once, cancelling the other.
    void enter_pair(uint32_t first) {
        Order& o = orders[first];
        Book& book = books[o.book];
        const ex_market& m = markets[o.book];
        uint32_t li = extras[o.ext].list;
        uint32_t legs[2] = {lists[li].first, lists[li].second};
        uint32_t second = legs[1];
        triggered(book, orders[second], EX_TRG_LIST);
        i128 ha = hold_now(orders[first]), hb = hold_now(orders[second]);
        i128 shared = ha < hb ? ha : hb;
        i128 needed = ha + hb - shared;
        uint32_t asset = held_asset(m, o.side);
        // An OPOCO's: both legs sell what its working order received, locked for them already;
        // held anew below.
        bool paid = extras[o.ext].paid;
        if (paid) lock(o.account, asset, -static_cast<int64_t>(needed));
        int64_t available = accounts.free_of(o.account, asset);
        uint32_t failed = NIL;
        uint8_t why = EX_EXP_INSUFFICIENT;
        if (needed > available || (paid && o.remaining == 0)) {
            failed = first;
        } else {
            for (uint32_t k : legs) {
                const Order& leg = orders[k];
                if ((leg.flags & EX_FLAG_POST_ONLY) && would_take(book, leg.side, leg.price)) {
                    failed = k;
                    why = EX_EXP_POST_ONLY;
                    break;
                }
            }
        }
        for (uint32_t k : legs) {
            extras[orders[k].ext].released = false;
            extras[orders[k].ext].paid = false;
            if (failed == NIL) continue;
            // Nothing is held yet: both leave as they are.
            const Order& leg = orders[k];
            extras[leg.ext].list = NIL;
            ex_event& e = emit(k == failed ? EX_EV_EXPIRED : EX_EV_CANCELLED, leg.id, leg.side, book.sequence);
            e.price = leg.price;
            e.quantity = leg.remaining;
            e.remaining = k == failed ? leg.remaining : 0;
            e.reason = k == failed ? why : static_cast<uint8_t>(EX_CXL_LIST);
        }
        if (failed != NIL) {
            lists.release(li);
            for (uint32_t k : legs) retire(k);
            return;
        }
        lock(o.account, asset, static_cast<int64_t>(needed));
        lists[li].shared = static_cast<int64_t>(shared);
        for (uint32_t k : legs) {
            if (ids.find(orders[k].id) == k) place_released(book, m, k);  // (not: cancelled, the first leg triggered at once)
        }
    }

    // Matches an order that holds what it must (or, by quote amount, nothing) and rests what is
    // left of it when it is a GTC limit; closes it with ACCEPTED or EXPIRED.
    void execute_order(Book& book, const ex_market& m, uint32_t oi) {
        Order& o = orders[oi];
        Extra& x = extras[o.ext];
        bool by_amount = x.market && x.amount != 0;
        // A stop-market buy by quantity: an IOC at its bound. (A plain market buy, an OTO's
        // pending order, is not held: the free balance bounds it, as when placed directly.)
        bool bounded = x.market && x.trigger != EX_TRIG_NONE && o.side == EX_BUY && !by_amount;
        bool market = x.market && !bounded;
        bool held = !market || (o.side == EX_SELL && !by_amount);
        uint8_t tif = bounded ? static_cast<uint8_t>(EX_IOC) : x.tif;
        if (by_amount) lock(o.account, held_asset(m, o.side), -static_cast<int64_t>(hold_now(o)));
        Taker t{o.id, o.account, o.side, o.stp, market, held, market ? 0 : o.price, o.remaining, o.filled,
                by_amount ? x.amount : -1, Stop::none};
        run_taker(book, m, t, tif, oi, o.flags);
    }

    // ---- order lists ------------------------------------------------------------------------

    // A member of a list was decided (filled in part, triggered, cancelled, expired, or for an
    // OTO's working order filled completely): the list ends, and the other members are cancelled
    // (OCO, or an OTO not filled) or released (an OTO's pending order, an OTOCO's pair).
    void end_list(uint32_t oi, bool filled) {
        uint32_t li = extras[orders[oi].ext].list;
        List l = lists[li];
        bool release = l.link == EX_LINK_OTO && oi == l.first && filled;
        bool pays = orders[l.first].flags & ORDER_PAYS;
        lists.release(li);
        uint32_t members[3] = {l.first, l.second, l.third};
        for (uint32_t k : members) {
            if (k == NIL) continue;
            extras[orders[k].ext].list = NIL;
            orders[k].flags &= ~(ORDER_LISTED | ORDER_PAYS);
        }
        if (release) return release_pending(l.id, l.second, l.third, pays ? l.received : -1);
        // An OPO that ends otherwise gives back what its working order received.
        if (pays) lock(orders[l.first].account, markets[orders[l.first].book].base_asset, -l.received);
        for (uint32_t k : members) {
            if (k != NIL && k != oi) cancel_live(k, EX_CXL_LIST, l.shared);
        }
    }

    // An OTO's working order has filled completely: its pending order (`third` NIL), or pair, is
    // to enter the book. A pair becomes an OCO list, both entering when the first does. An OPO's
    // (`paid`: the units its working order received, else -1) takes what was received in whole
    // lots, which stay locked for it; the rest is unlocked.
    void release_pending(uint64_t list_id, uint32_t second, uint32_t third, int64_t paid) {
        if (paid >= 0) {
            const Order& o = orders[second];
            const ex_market& m = markets[o.book];
            int64_t lots = paid / m.lot_units;
            lock(o.account, m.base_asset, -(paid - lots * m.lot_units));
            for (uint32_t k : {second, third}) {
                if (k == NIL) continue;
                orders[k].remaining = lots;
                extras[orders[k].ext].shown = lots;
                extras[orders[k].ext].paid = true;
            }
        }
        extras[orders[second].ext].released = true;
        if (third != NIL) {
            extras[orders[third].ext].released = true;
            orders[third].state = State::ready;
            link_list(list_id, second, third, NIL, 0, EX_LINK_OCO);
        }
        make_ready(second);
    }

    // Takes a live order out of wherever it is (its level, or where it waits), ending its list
    // and releasing its hold less `shared` (the part a list sibling that stays counts too). The
    // caller emits its closing event and retires it.
    __attribute__((always_inline)) Order& take_out(uint32_t oi, int64_t shared) {
        Book& book = books[orders[oi].book];
        if (orders[oi].flags & ORDER_LISTED) end_list(oi, false);
        Order& me = orders[oi];
        int64_t held = static_cast<int64_t>(hold_now(me)) - shared;
        lock(me.account, held_asset(markets[me.book], me.side), -held);
        if (me.state == State::resting) {
            unlink(book.side(me.side), oi);
            ++book.sequence;
        } else {
            stop_waiting(book, oi);
        }
        return me;
    }

    // Cancels a live order wherever it is (`shared`: as take_out).
    void cancel_live(uint32_t oi, uint8_t reason, int64_t shared) {
        Order& me = take_out(oi, shared);
        Book& book = books[me.book];
        ex_event& e = emit(EX_EV_CANCELLED, me.id, me.side, book.sequence);
        e.price = me.price;
        e.quantity = me.remaining;
        e.reason = reason;
        retire(oi);
    }

    // ---- matching -------------------------------------------------------------------------

    // A maker that is more than a plain order has traded (or been decremented): an OCO ends, an
    // OTO's working order that has filled completely releases its pending order, and an iceberg
    // whose slice is gone shows the next one.
    void maker_changed(Book& book, Level& l, uint32_t mi) {
        Extra& x = extras[orders[mi].ext];
        if (x.list != NIL && (lists[x.list].link == EX_LINK_OCO || orders[mi].remaining == 0)) end_list(mi, true);
        Order& o = orders[mi];
        if (iceberg(o) && extras[o.ext].shown == 0 && o.remaining > 0) refresh(book, l, mi);
    }

    // A taker met a resting order of its own account under a prevention mode. Returns true when
    // the taker must stop.
    bool prevent(Book& book, const ex_market& m, Level& l, uint32_t mi, Taker& t) {
        Order& maker = orders[mi];
        int64_t shown = shown_of(maker);
        int64_t overlap = t.remaining < shown ? t.remaining : shown;
        bool decrement = t.stp == EX_STP_DECREMENT;
        if (decrement) {
            maker.remaining -= overlap;
            if (iceberg(maker)) extras[maker.ext].shown -= overlap;
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
            Order& mk = orders[mi];
            if (mk.flags & ORDER_LISTED) end_list(mi, false);
            Order& gone = orders[mi];
            int64_t left = gone.remaining;
            release_order(m, gone, left);
            uint64_t id = gone.id;
            uint8_t side = gone.side;
            drop_head(l, mi);
            ++book.sequence;
            ex_event& x = emit(EX_EV_EXPIRED, id, side, book.sequence);
            x.price = l.price;
            x.quantity = left;
            x.reason = EX_EXP_SELF_TRADE;
        } else if (decrement && (orders[mi].flags & (ORDER_ICEBERG | ORDER_LISTED))) {
            maker_changed(book, l, mi);
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
            int64_t price = l.price;
            bool traded = false;
            while (t.remaining > 0 && l.head != NIL) {
                uint32_t mi = l.head;
                Order& maker = orders[mi];
                if (maker.account == t.account && t.stp != EX_STP_NONE) {
                    if (prevent(book, m, l, mi, t)) { done = true; break; }
                    continue;
                }
                int64_t shown = shown_of(maker);
                int64_t qty = t.remaining < shown ? t.remaining : shown;
                if (!t.held) {
                    Stop why = Stop::none;
                    qty = affordable(m, t, price, qty, &why);
                    if (why != Stop::none) { t.stop = why; done = true; }
                    if (qty == 0) break;
                }
                t.remaining -= qty;
                t.filled += qty;
                maker.remaining -= qty;
                if (iceberg(maker)) extras[maker.ext].shown -= qty;
                maker.filled += qty;
                maker.flags |= ORDER_TRADED;
                t.traded = true;
                l.total -= qty;
                ex_event& e = emit(EX_EV_TRADE, t.id, t.side, ++book.sequence);
                e.other_id = maker.id;
                e.price = price;
                e.quantity = qty;
                e.remaining = t.remaining;
                e.other_remaining = maker.remaining;
                settle(m, t, maker, price, qty, e);
                traded = true;
                if (t.budget >= 0) t.budget -= price * qty * m.notional_units;
                if (maker.flags & (ORDER_ICEBERG | ORDER_LISTED)) maker_changed(book, l, mi);
                if (orders[mi].remaining == 0) {
                    pop_head(l.head, l.tail);
                    retire(mi);
                }
                if (done) break;
            }
            if (traded) {
                // The trigger check after the taker needs the last price and the extremes.
                book.last = price;
                if (price > book.high) book.high = price;
                if (price < book.low || book.low == 0) book.low = price;
                book.traded = true;
                touched = book.index;
            }
            if (l.head == NIL) {
                other.pop_best();
                levels.release(li);
            }
        }
    }

    // Whether a fill-or-kill taker can fill completely: liquidity up to its limit (icebergs'
    // hidden quantity included), as self-trade prevention would leave it, and for a market buy
    // the free balance to pay for it. Returns the expiry reason, or -1 when it can.
    int fill_or_kill(const Book& book, const ex_market& m, const Taker& t) const {
        const BookSide& mine = book.side(t.side);
        int64_t wanted = t.remaining;
        i128 cost = 0;
        bool blocked = false;
        book.side(t.side ^ 1).for_each_from_best([&](uint32_t li) {
            const Level& l = levels[li];
            if (!t.market && !mine.crosses(t.limit, l.price)) return false;
            auto take = [&](int64_t available) {
                int64_t n = wanted < available ? wanted : available;
                cost += static_cast<i128>(n) * l.price * m.notional_units;
                wanted -= n;
            };
            if (t.stp == EX_STP_NONE) {
                take(l.total + l.hidden);
                return wanted > 0;
            }
            // With prevention, the taker meets the shown slices in order; a slice that is used up
            // refreshes behind the rest, so hidden quantity is reached only past every order of
            // the level: never, if one of its own stops it there.
            int64_t own_hidden = 0;
            for (uint32_t oi = l.head; oi != NIL && wanted > 0; oi = orders[oi].next) {
                const Order& o = orders[oi];
                if (o.account == t.account) {
                    if (t.stp == EX_STP_EXPIRE_MAKER) { own_hidden += o.remaining - shown_of(o); continue; }
                    blocked = true;
                    return false;
                }
                take(shown_of(o));
            }
            if (wanted > 0) take(l.hidden - own_hidden);
            return wanted > 0;
        });
        if (wanted > 0 || blocked) return EX_EXP_TIME_IN_FORCE;
        if (t.market && t.side == EX_BUY && cost > accounts.free_of(t.account, m.quote_asset)) return EX_EXP_INSUFFICIENT;
        return -1;
    }

    __attribute__((always_inline)) bool would_take(const Book& book, uint8_t side, int64_t price) const {
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

    // Matches a taker that has passed every check and holds what it must, then closes it: rests
    // what is left of a GTC limit (in pool slot `oi`, or a new one with `flags` when NIL), else
    // expires it. Returns true when it filled completely.
    bool run_taker(Book& book, const ex_market& m, Taker& t, uint8_t tif, uint32_t oi, uint8_t flags) {
        uint8_t expiry = 0;
        int fok = tif == EX_FOK ? fill_or_kill(book, m, t) : -1;
        if (fok >= 0) {
            expiry = static_cast<uint8_t>(fok);
        } else {
            // Most new orders do not cross: they skip the matching.
            if (t.market || would_take(book, t.side, t.limit)) match(book, m, t);
            switch (t.stop) {
                case Stop::self_trade: expiry = EX_EXP_SELF_TRADE; break;
                case Stop::funds: expiry = EX_EXP_INSUFFICIENT; break;
                case Stop::budget: t.remaining = 0; break;  // spent (or received) all it could: complete
                case Stop::none: expiry = EX_EXP_TIME_IN_FORCE; break;
            }
        }
        if (fok >= 0 || t.stop == Stop::self_trade || t.stop == Stop::funds || (t.remaining > 0 && tif != EX_GTC)) {
            expire_taker(m, t, book.sequence, t.limit, expiry);
            close_member(oi, false);
            return false;
        }
        bool by_amount = t.budget >= 0;
        if (t.remaining > 0) {
            if (oi == NIL) {
                oi = orders.acquire();
                Order& o = orders[oi];
                o.id = t.id;
                o.price = t.limit;
                o.book = book.index;
                o.account = t.account;
                o.side = t.side;
                o.flags = flags;
                o.stp = t.stp;
                o.ext = NIL;
                ids.insert(o.id, oi);
            }
            Order& o = orders[oi];
            o.remaining = t.remaining;
            o.filled = t.filled;
            if (t.traded) o.flags |= ORDER_TRADED;
            rest(book, oi);
        }
        ex_event& e = emit(EX_EV_ACCEPTED, t.id, t.side, book.sequence);
        e.price = t.market ? 0 : t.limit;
        e.quantity = by_amount ? t.filled : t.remaining + t.filled;
        e.remaining = t.remaining;
        if (t.remaining > 0) return false;
        close_member(oi, true);
        return true;
    }

    // A taker in pool slot `oi` (NIL: a plain order, never slotted) is done without resting.
    void close_member(uint32_t oi, bool filled) {
        if (oi == NIL) return;
        if (orders[oi].flags & ORDER_LISTED) {
            List& l = lists[extras[orders[oi].ext].list];
            end_list(oi, filled && l.first == oi);
        }
        retire(oi);
    }

    // ---- commands -------------------------------------------------------------------------

    // The reason a new-order command is malformed, or 0.
    uint8_t invalid(const ex_command& c) const {
        // Plain limit orders first (most orders): one test each.
        if (c.kind == EX_CMD_LIMIT && (c.stop_price | c.visible | c.trailing_bps | c.trigger) == 0) {
            bool ok = c.symbol < books.size() && c.side <= EX_SELL && c.tif <= EX_FOK && c.stp <= EX_STP_DECREMENT &&
                      c.account < EX_MAX_ACCOUNTS && valid_value(c.quantity) && valid_value(c.price) &&
                      (!(c.flags & EX_FLAG_POST_ONLY) || c.tif == EX_GTC);
            return ok ? 0 : EX_REJ_INVALID;
        }
        bool market = c.kind == EX_CMD_MARKET;
        bool by_amount = market && c.amount != 0;
        bool conditional = c.trigger != EX_TRIG_NONE;
        bool bounded = conditional && market && c.side == EX_BUY && !by_amount;
        if (c.symbol >= books.size() || c.side > EX_SELL || c.tif > EX_FOK || c.stp > EX_STP_DECREMENT ||
            c.account >= EX_MAX_ACCOUNTS || !valid_value(c.quantity) ||
            ((!market || bounded) ? !valid_value(c.price) : c.price != 0) ||
            (market && c.tif == EX_GTC) || ((c.flags & EX_FLAG_POST_ONLY) && (market || conditional || c.tif != EX_GTC)) ||
            (by_amount && (c.amount < 0 || c.amount > MAX_TOTAL || c.tif == EX_FOK)) ||
            c.trigger > EX_TRIG_TAKE_PROFIT || c.stop_price < 0 || c.stop_price > MAX_VALUE || c.trailing_bps > 9999 ||
            (!conditional && (c.stop_price != 0 || c.trailing_bps != 0)) ||
            (conditional && c.stop_price == 0 && c.trailing_bps == 0) ||
            (!market && (c.visible < 0 || (c.visible > 0 && (c.tif != EX_GTC || c.visible >= c.quantity)))))
            return EX_REJ_INVALID;
        return 0;
    }

    bool needs_extra(const ex_command& c) const {
        return c.trigger != EX_TRIG_NONE || (c.kind != EX_CMD_MARKET && c.visible != 0);
    }

    void new_order(const ex_command& c) {
        if (uint8_t why = invalid(c)) return reject(c, why, c.symbol < books.size() ? books[c.symbol].sequence : 0);
        Book& book = books[c.symbol];
        const ex_market& m = markets[c.symbol];
        if (ids.find(c.order_id) != NIL) return reject(c, EX_REJ_DUPLICATE_ID, book.sequence);
        accounts.ensure(c.account);
        uint32_t asset = held_asset(m, c.side);
        bool market = c.kind == EX_CMD_MARKET;
        bool by_amount = market && c.amount != 0;
        if (c.trigger != EX_TRIG_NONE) {
            i128 needed = hold_for(m, c);
            int64_t available = accounts.free_of(c.account, asset);
            if (needed > available) return insufficient(c, c.side, asset, needed, available, book.sequence);
            if (c.stop_price != 0 && met(rises(c.side, c.trigger), c.stop_price, book.last))
                return reject(c, EX_REJ_WOULD_TRIGGER, book.sequence);
            lock(c.account, asset, static_cast<int64_t>(needed));
            place_waiting(book, acquire_order(c, true), c);
            return;
        }
        // What the order needs free: its hold, or for a market buy by amount that amount.
        bool held = !market || (c.side == EX_SELL && !by_amount);
        i128 needed = held ? hold_of(m, c.side, c.price, c.quantity) : (by_amount && c.side == EX_BUY ? c.amount : 0);
        int64_t available = accounts.free_of(c.account, asset);
        if (needed > available) return insufficient(c, c.side, asset, needed, available, book.sequence);
        if ((c.flags & EX_FLAG_POST_ONLY) && would_take(book, c.side, c.price))
            return reject(c, EX_REJ_POST_ONLY, book.sequence);
        if (held) lock(c.account, asset, static_cast<int64_t>(needed));
        bool extra = needs_extra(c);
        if (!extra && !market && c.tif == EX_GTC && !would_take(book, c.side, c.price)) {
            // A plain GTC limit that does not cross (most new orders) rests at once.
            rest(book, acquire_order(c, false));
            ex_event& e = emit(EX_EV_ACCEPTED, c.order_id, c.side, book.sequence);
            e.price = c.price;
            e.quantity = c.quantity;
            e.remaining = c.quantity;
            return;
        }
        uint32_t oi = extra ? acquire_order(c, true) : NIL;
        Taker t{c.order_id, c.account, c.side, c.stp, market, held, market ? 0 : c.price, c.quantity, 0,
                by_amount ? c.amount : -1, Stop::none};
        run_taker(book, m, t, c.tif, oi, c.flags & EX_FLAG_POST_ONLY);
    }

    // A conditional order (or an OTO's pending order) that passed its checks waits.
    void place_waiting(Book& book, uint32_t oi, const ex_command& c) {
        wait_for_trigger(book, oi);
        ex_event& e = emit(EX_EV_ACCEPTED, c.order_id, c.side, book.sequence);
        e.price = c.price;
        e.quantity = c.quantity;
        e.remaining = c.quantity;
        e.flags = EX_EVF_WAITING;
    }

    // An order list: two commands (OCO, OTO) or three (OTOCO: an OTO whose pending order is the
    // OCO pair of the last two), placed together or refused together.
    void new_list(const ex_command* cs, uint32_t n) {
        const ex_command& a = cs[0];
        const ex_command& b = cs[1];
        uint32_t first_index = command_index;
        auto refuse = [&](uint32_t failed, uint8_t reason, uint32_t asset = 0, i128 needed = 0, int64_t available = 0) {
            uint64_t seq = a.symbol < books.size() ? books[a.symbol].sequence : 0;
            for (uint32_t k = 0; k < n; ++k) {
                command_index = first_index + k;
                if (k != failed) reject(cs[k], EX_REJ_LIST, seq);
                else if (reason == EX_REJ_INSUFFICIENT) insufficient(cs[k], cs[k].side, asset, needed, available, seq);
                else reject(cs[k], reason, seq);
            }
        };
        // An OPO's pending commands give no quantity (it is what the working order receives);
        // checked as if of one lot, they may not be icebergs.
        bool opo = a.flags & EX_FLAG_OPO;
        for (uint32_t k = 0; k < n; ++k) {
            ex_command c = cs[k];
            if (opo && k > 0) {
                if (c.quantity != 0) return refuse(k, EX_REJ_INVALID);
                c.quantity = 1;
            }
            if (uint8_t why = invalid(c)) return refuse(k, why);
        }
        bool oco = a.link == EX_LINK_OCO;
        auto leg_ok = [](const ex_command& c) { return c.trigger != EX_TRIG_NONE || (c.flags & EX_FLAG_POST_ONLY); };
        auto pair_ok = [&](const ex_command& x, const ex_command& y) { return x.side == y.side && leg_ok(x) && leg_ok(y); };
        bool shape = a.link <= EX_LINK_OTO && cs[n - 1].link == EX_LINK_NONE &&
                     (n == 2 ? (oco ? pair_ok(a, b) : a.kind == EX_CMD_LIMIT && a.trigger == EX_TRIG_NONE)
                             : a.link == EX_LINK_OTO && b.link == EX_LINK_OCO && a.kind == EX_CMD_LIMIT &&
                                   a.trigger == EX_TRIG_NONE && pair_ok(b, cs[2]));
        // One pays the other: the working order buys what its pending orders sell.
        if (opo) shape = shape && !oco && a.side == EX_BUY;
        for (uint32_t k = 1; k < n && shape; ++k) {
            const ex_command& c = cs[k];
            shape = c.symbol == a.symbol && c.other_id == a.other_id && c.account == a.account && (!opo || c.side == EX_SELL);
            for (uint32_t j = 0; j < k; ++j) shape = shape && c.order_id != cs[j].order_id;
        }
        if (!shape) return refuse(0, EX_REJ_INVALID);
        Book& book = books[a.symbol];
        const ex_market& m = markets[a.symbol];
        for (uint32_t k = 0; k < n; ++k) {
            if (ids.find(cs[k].order_id) != NIL) return refuse(k, EX_REJ_DUPLICATE_ID);
        }
        // What is placed now: both legs of an OCO; an OTO's working order alone (its pending
        // order or pair is checked when released).
        for (uint32_t k = 0; k < (oco ? 2u : 1u); ++k) {
            const ex_command& c = cs[k];
            if (c.trigger != EX_TRIG_NONE && c.stop_price != 0 && met(rises(c.side, c.trigger), c.stop_price, book.last))
                return refuse(k, EX_REJ_WOULD_TRIGGER);
            if ((c.flags & EX_FLAG_POST_ONLY) && would_take(book, c.side, c.price)) return refuse(k, EX_REJ_POST_ONLY);
        }
        accounts.ensure(a.account);
        uint32_t asset = held_asset(m, a.side);
        i128 ha = hold_for(m, a), hb = oco ? hold_for(m, b) : 0;
        i128 shared = ha < hb ? ha : hb;
        i128 needed = ha + hb - shared;
        int64_t available = accounts.free_of(a.account, asset);
        if (needed > available) return refuse(0, EX_REJ_INSUFFICIENT, asset, needed, available);
        lock(a.account, asset, static_cast<int64_t>(needed));
        uint32_t slots[3] = {NIL, NIL, NIL};
        for (uint32_t k = 0; k < n; ++k) slots[k] = acquire_order(cs[k], true);
        command_index = first_index;
        if (oco) {
            link_list(a.other_id, slots[0], slots[1], NIL, static_cast<int64_t>(shared), EX_LINK_OCO);
            // Neither leg can trade now: a post-only limit rests, a conditional order waits.
            for (uint32_t k = 0; k < 2; ++k) {
                const ex_command& c = cs[k];
                command_index = first_index + k;
                if (c.trigger != EX_TRIG_NONE) {
                    place_waiting(book, slots[k], c);
                } else {
                    rest(book, slots[k]);
                    ex_event& e = emit(EX_EV_ACCEPTED, c.order_id, c.side, book.sequence);
                    e.price = c.price;
                    e.quantity = e.remaining = c.quantity;
                }
            }
            return;
        }
        // OTO: the working order works first, alone; the pending order (or pair) then waits for it
        // to fill, holding nothing, or follows it at once.
        for (uint32_t k = 1; k < n; ++k) orders[slots[k]].state = State::waiting;
        Taker t{a.order_id, a.account, a.side, a.stp, false, true, a.price, a.quantity, 0, -1, Stop::none};
        t.pays = opo;
        if (opo) orders[slots[0]].flags |= ORDER_PAYS;
        bool filled = run_taker(book, m, t, a.tif, slots[0], a.flags & EX_FLAG_POST_ONLY);
        bool working = ids.find(a.order_id) == slots[0];
        for (uint32_t k = 1; k < n; ++k) {
            const ex_command& c = cs[k];
            command_index = first_index + k;
            ex_event& e = emit(working || filled ? EX_EV_ACCEPTED : EX_EV_CANCELLED, c.order_id, c.side, book.sequence);
            e.price = c.price;
            e.quantity = c.quantity;
            if (working || filled) {
                e.remaining = c.quantity;
                e.flags = EX_EVF_WAITING;
            } else {
                e.reason = EX_CXL_LIST;
                retire(slots[k]);
            }
        }
        if (working) link_list(a.other_id, slots[0], slots[1], slots[2], 0, EX_LINK_OTO, t.received);
        else if (filled) release_pending(a.other_id, slots[1], slots[2], opo ? t.received : -1);
        else if (opo) lock(a.account, m.base_asset, -t.received);  // it expired: what it received is free
    }

    void link_list(uint64_t id, uint32_t first, uint32_t second, uint32_t third, int64_t shared, uint8_t link_kind,
                   int64_t received = 0) {
        uint32_t li = lists.acquire();
        lists[li] = List{id, first, second, shared, NIL, third, link_kind, received};
        for (uint32_t k : {first, second, third}) {
            if (k == NIL) continue;
            extras[orders[k].ext].list = li;
            orders[k].flags |= ORDER_LISTED;
        }
    }

    // Whether a cancel's restriction (EX_FLAG_ONLY_*, in `flags`) lets it cancel order `o`.
    static bool restriction_allows(const Order& o, uint8_t flags) {
        uint8_t only = flags & (EX_FLAG_ONLY_NEW | EX_FLAG_ONLY_PARTIALLY_FILLED);
        if (only == 0) return true;
        if (o.state == State::waiting) return false;  // PENDING_NEW
        return (only == EX_FLAG_ONLY_NEW) == !(o.flags & ORDER_TRADED);
    }

    static bool valid_restriction(uint8_t flags) {
        return (flags & (EX_FLAG_ONLY_NEW | EX_FLAG_ONLY_PARTIALLY_FILLED)) != (EX_FLAG_ONLY_NEW | EX_FLAG_ONLY_PARTIALLY_FILLED);
    }

    void cancel(const ex_command& c) {
        if (!valid_restriction(c.flags)) return reject(c, EX_REJ_INVALID, 0);
        uint32_t oi = ids.find(c.order_id);
        if (oi == NIL || orders[oi].state == State::ready) return reject(c, EX_REJ_UNKNOWN_ORDER, 0);
        if (!restriction_allows(orders[oi], c.flags)) return reject(c, EX_REJ_CANCEL_RESTRICTED, 0);
        Order& o = orders[oi];
        if (o.ext != NIL) return cancel_live(oi, EX_CXL_REQUESTED, 0);
        // A plain resting order (most cancels): inline.
        Book& book = books[o.book];
        int64_t remaining = o.remaining;
        release_order(markets[o.book], o, remaining);
        unlink(book.side(o.side), oi);
        ++book.sequence;
        ex_event& e = emit(EX_EV_CANCELLED, o.id, o.side, book.sequence);
        e.price = o.price;
        e.quantity = remaining;
        retire(oi);
    }

    void cancel_replace(const ex_command& c) {
        ex_command n = c;
        n.kind = (c.flags & EX_FLAG_MARKET) ? EX_CMD_MARKET : EX_CMD_LIMIT;
        n.flags = c.flags & EX_FLAG_POST_ONLY;
        n.other_id = 0;
        if (uint8_t why = invalid(n); why || c.link != EX_LINK_NONE || !valid_restriction(c.flags))
            return reject(c, EX_REJ_INVALID, c.symbol < books.size() ? books[c.symbol].sequence : 0);
        uint32_t oi = ids.find(c.other_id);
        bool open = oi != NIL && orders[oi].account == c.account && orders[oi].state != State::ready;
        bool cancellable = open && restriction_allows(orders[oi], c.flags);
        if (!cancellable && c.mode != EX_CR_ALLOW_FAILURE) {
            ex_event& e = emit(EX_EV_REJECTED, c.order_id, c.side, books[c.symbol].sequence);
            e.reason = open ? EX_REJ_CANCEL_RESTRICTED : EX_REJ_CANCEL_FAILED;
            e.account = c.account;
            e.other_id = c.other_id;
            return;
        }
        if (cancellable) cancel_live(oi, EX_CXL_REQUESTED, 0);
        new_order(n);
    }

    // Lowers an order's remaining quantity where it is, keeping its place: its level's totals (in
    // the book, or on a trigger side for a waiting stop) follow, and an iceberg loses hidden
    // quantity first.
    void shrink(Book& book, uint32_t oi, int64_t remaining) {
        Order& o = orders[oi];
        if (o.state == State::resting || o.state == State::pending) {
            Level& l = levels[o.level];
            int64_t was = shown_of(o);
            int64_t shown = was < remaining ? was : remaining;
            l.total -= was - shown;
            l.hidden -= (o.remaining - was) - (remaining - shown);
            if (iceberg(o) || o.state == State::pending) extras[o.ext].shown = shown;
            if (o.state == State::resting) ++book.sequence;
        }
        o.remaining = remaining;
    }

    // An amendment of a live order refused: nothing changed.
    void refuse_amendment(const Order& o, uint8_t reason) {
        ex_event& e = emit(EX_EV_REJECTED, o.id, o.side, books[o.book].sequence);
        e.reason = reason;
    }

    // An order's amendment done: its price, its new total and what is left of it.
    __attribute__((always_inline)) void amended(const Order& o, int64_t quantity, int64_t remaining, uint8_t flags) {
        ex_event& e = emit(EX_EV_AMENDED, o.id, o.side, books[o.book].sequence);
        e.price = o.price;
        e.quantity = quantity;
        e.remaining = remaining;
        e.flags = flags;
    }

    // Amend keep priority (EX_FLAG_KEEP_PRIORITY): live order `oi`'s total lowered in place.
    void reduce(const ex_command& c, uint32_t oi) {
        Order& o = orders[oi];
        Book& book = books[o.book];
        const ex_market& m = markets[o.book];
        if (c.price != 0 || !valid_value(c.quantity)) return refuse_amendment(o, EX_REJ_INVALID);
        // An OPO's pending order has no quantity until its working order has filled.
        if (o.state == State::waiting && (orders[lists[extras[o.ext].list].first].flags & ORDER_PAYS))
            return refuse_amendment(o, EX_REJ_NOT_AMENDABLE);
        if (c.quantity >= o.filled + o.remaining) return refuse_amendment(o, EX_REJ_AMEND_QUANTITY);
        // An OCO's members are lowered together, and so is an OTOCO's pending pair.
        uint32_t other = NIL;
        if (o.flags & ORDER_LISTED) {
            const List& l = lists[extras[o.ext].list];
            if (l.link == EX_LINK_OCO) other = l.first == oi ? l.second : l.first;
            else if (l.third != NIL && oi != l.first) other = l.second == oi ? l.third : l.second;
        }
        auto by_amount = [&](uint32_t k) { return orders[k].ext != NIL && extras[orders[k].ext].amount != 0; };
        if (by_amount(oi) || (other != NIL && by_amount(other))) return refuse_amendment(o, EX_REJ_NOT_AMENDABLE);
        if (c.quantity <= o.filled) {
            // Nothing is left to fill: it ends as a cancel would end it (an OTO's pending order
            // with it), and its total is what filled.
            Order& me = take_out(oi, 0);
            amended(me, me.filled, 0, EX_EVF_ENDED);
            return retire(oi);
        }
        // What the order (an OCO: the list, its shared part once) holds before and after.
        int64_t shared = other != NIL ? lists[extras[o.ext].list].shared : 0;
        i128 before = hold_now(o) + (other != NIL ? hold_now(orders[other]) - shared : 0);
        shrink(book, oi, c.quantity - o.filled);
        i128 after = hold_now(orders[oi]);
        if (other != NIL) {
            Order& s = orders[other];
            if (s.filled + s.remaining > c.quantity) {
                shrink(book, other, c.quantity - s.filled);
                amended(s, c.quantity, s.remaining, EX_EVF_KEPT_PRIORITY);
            }
            i128 hs = hold_now(orders[other]);
            i128 least = after < hs ? after : hs;
            lists[extras[orders[oi].ext].list].shared = static_cast<int64_t>(least);
            after += hs - least;
        }
        Order& now = orders[oi];
        lock(now.account, held_asset(m, now.side), -static_cast<int64_t>(before - after));
        amended(now, c.quantity, now.remaining, EX_EVF_KEPT_PRIORITY);
    }

    void amend(const ex_command& c) {
        uint32_t oi = ids.find(c.order_id);
        if (oi == NIL || orders[oi].state == State::ready) return reject(c, EX_REJ_UNKNOWN_ORDER, 0);
        if (c.flags & EX_FLAG_KEEP_PRIORITY) return reduce(c, oi);
        Order& o = orders[oi];
        Book& book = books[o.book];
        const ex_market& m = markets[o.book];
        auto refuse = [&](uint8_t reason) { refuse_amendment(o, reason); };
        if (o.state != State::resting || (o.flags & ORDER_LISTED)) return refuse(EX_REJ_NOT_AMENDABLE);
        int64_t price = c.price == 0 ? o.price : c.price;
        int64_t quantity = c.quantity == 0 ? o.filled + o.remaining : c.quantity;
        if (!valid_value(price) || !valid_value(quantity)) return refuse(EX_REJ_INVALID);
        if (quantity <= o.filled) return refuse(EX_REJ_AMEND_QUANTITY);
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
            shrink(book, oi, remaining);
            kept = EX_EVF_KEPT_PRIORITY;
        } else {
            if ((o.flags & EX_FLAG_POST_ONLY) && price != o.price && would_take(book, o.side, price)) return refuse(EX_REJ_POST_ONLY);
            lock(o.account, asset, static_cast<int64_t>(more));
            unlink(book.side(o.side), oi);
            ++book.sequence;
            // The order re-enters as a taker at its new price (most amendments do not cross: they
            // skip the matching), then rests at the back.
            if (would_take(book, o.side, price)) {
                Taker t{o.id, o.account, o.side, o.stp, false, true, price, remaining, o.filled, -1, Stop::none};
                match(book, m, t);
                Order& moved = orders[oi];
                moved.remaining = t.remaining;
                moved.filled = t.filled;
                if (t.traded) moved.flags |= ORDER_TRADED;
                remaining = t.remaining;
                if (t.stop == Stop::self_trade) {
                    retire(oi);
                    return expire_taker(m, t, book.sequence, price, EX_EXP_SELF_TRADE);
                }
            } else {
                o.remaining = remaining;
            }
            orders[oi].price = price;
            if (remaining > 0) rest(book, oi);
        }
        Order& now = orders[oi];
        amended(now, quantity, remaining, kept);
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
            case EX_CMD_CANCEL_REPLACE: return cancel_replace(c);
            default: return reject(c, EX_REJ_INVALID, 0);
        }
    }

    // Every command looks its order id up first, and unless the book is tiny that slot is not in
    // L1: start loading it four commands ahead, and the command itself twelve ahead (a batch may
    // come from memory no cache has seen). In a large book the order a cancel or amend names is a
    // miss too: load it two ahead. Smaller books are in L2, and there finding the order ahead
    // (a second lookup) and its neighbours cost more than it hid (BENCHMARKS.md). `ahead`: the
    // order found two ahead on the call before, which is now the next command's (a hint: that
    // command may since have closed it, and a pool slot stays in bounds).
    __attribute__((always_inline)) void prefetch(const ex_command* commands, uint32_t i, uint32_t count, uint32_t& ahead) const {
        if (i + 12 < count) {
            // Its first and last bytes: a command is 64 bytes, but an array of them need not
            // start on a line, so one may span two.
            __builtin_prefetch(&commands[i + 12]);
            __builtin_prefetch(&commands[i + 12].kind);
        }
        if (i + 4 < count) ids.prefetch(commands[i + 4].order_id);
        if (!ids.large()) return;
        // Past a quarter of the core's L2 in orders, the next order's neighbours in its level,
        // which unlinking it writes, are misses too (in L1 at least).
        if (ahead != NIL && uint64_t(orders.slots()) * sizeof(Order) > l2_cache_bytes() / 4) {
            const Order& o = orders[ahead];
            if (o.prev != NIL) __builtin_prefetch(&orders[o.prev]);
            if (o.next != NIL) __builtin_prefetch(&orders[o.next]);
        }
        ahead = NIL;
        if (i + 2 < count && (commands[i + 2].kind == EX_CMD_CANCEL || commands[i + 2].kind == EX_CMD_AMEND)) {
            ahead = ids.find(commands[i + 2].order_id);
            if (ahead != NIL) __builtin_prefetch(&orders[ahead]);
        }
    }

    void process_all(const ex_command* commands, uint32_t count) {
        uint32_t ahead = NIL;
        for (uint32_t i = 0; i < count; ++i) {
            command_index = i;
            const ex_command& c = commands[i];
            prefetch(commands, i, count, ahead);
            touched = NIL;
            if (c.link != EX_LINK_NONE && (c.kind == EX_CMD_LIMIT || c.kind == EX_CMD_MARKET)) {
                if (i + 1 == count) {
                    reject(c, EX_REJ_INVALID, 0);
                    continue;
                }
                // An OTOCO: an OTO whose second command links on to a third.
                uint32_t n = c.link == EX_LINK_OTO && i + 2 < count && commands[i + 1].link == EX_LINK_OCO ? 3 : 2;
                new_list(&commands[i], n);
                i += n - 1;
            } else {
                process(c);
            }
            if (ready_read < ready.size()) {
                cascade(touched != NIL ? touched : orders[ready[ready_read].first].book);
            } else if (touched != NIL) {
                Book& book = books[touched];
                if (book.conditional) cascade(touched);
                else { book.traded = false; book.high = book.low = book.last; }
            }
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
    // A command names a symbol or an asset in 16 bits.
    if (assets == 0 || assets > 65536 || symbols > 65536 || (symbols > 0 && !markets)) return nullptr;
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

namespace {
constexpr uint32_t IMAGE_MAGIC = 0x31535845;  // "EXS1"
struct ImageHeader {
    uint32_t magic, version, symbols, assets;
    uint64_t body, checksum;
};
}  // namespace

uint64_t ex_engine_snapshot(ex_engine* engine) {
    // Only between batches: nothing may wait in the engine's outputs.
    if (engine->overflow_read < engine->overflow.size() || engine->ready_read < engine->ready.size()) return 0;
    ImageWriter w;
    w.bytes.resize(sizeof(ImageHeader));
    engine->image(w);
    ImageHeader h{IMAGE_MAGIC, IMAGE_VERSION, static_cast<uint32_t>(engine->books.size()), engine->accounts.assets(),
                  w.bytes.size() - sizeof(ImageHeader), 0};
    h.checksum = image_checksum(w.bytes.data() + sizeof h, h.body);
    std::memcpy(w.bytes.data(), &h, sizeof h);
    engine->snapshot.swap(w.bytes);
    return engine->snapshot.size();
}

void ex_engine_snapshot_copy(const ex_engine* engine, uint8_t* out) {
    std::memcpy(out, engine->snapshot.data(), engine->snapshot.size());
}

ex_engine* ex_engine_restore(uint32_t symbols, uint32_t assets, const ex_market* markets, const uint8_t* image,
                             uint64_t size) {
    ImageHeader h;
    if (!image || size < sizeof h) return nullptr;
    std::memcpy(&h, image, sizeof h);
    if (h.magic != IMAGE_MAGIC || h.version < 1 || h.version > IMAGE_VERSION || h.symbols > symbols || h.assets > assets ||
        h.body != size - sizeof h || h.checksum != image_checksum(image + sizeof h, h.body))
        return nullptr;
    ex_engine* engine = ex_engine_create(symbols, assets, markets);
    if (!engine) return nullptr;
    ImageReader r(image + sizeof h, h.body);
    engine->image(r, h.version);  // each vector's length is checked against the bytes left before it is allocated
    if (!r.done() || engine->books.size() != h.symbols || engine->accounts.assets() != h.assets || !engine->accounts.consistent()) {
        delete engine;
        return nullptr;
    }
    if (h.version < 4) engine->derive_order_flags(h.version);
    // Before 5 an Extra had no `paid` (its byte was padding, never written): no OPO existed.
    if (h.version < 5) for (uint32_t i = 0; i < engine->extras.slots(); ++i) engine->extras[i].paid = false;
    // Markets and assets added after the snapshot (at the end): empty books, zero balances.
    for (uint32_t i = h.symbols; i < symbols; ++i) {
        engine->books.emplace_back();
        engine->books.back().index = i;
    }
    engine->accounts.widen(assets);
    return engine;
}

uint32_t ex_engine_process(ex_engine* engine, const ex_command* commands, uint32_t count,
                           ex_event* out, uint32_t out_capacity) {
    // Events left from an undrained earlier call go first, so order is never lost.
    uint32_t written = engine->drain(out, out_capacity);
    engine->out = out + written;
    engine->out_capacity = out_capacity - written;
    engine->out_count = 0;
    engine->accounts.begin_batch();
    engine->process_all(commands, count);
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

int64_t ex_engine_order_remaining(const ex_engine* engine, uint64_t order_id, int64_t* out) {
    uint32_t oi = engine->ids.find(order_id);
    if (oi == NIL) return -1;
    const Order& o = engine->orders[oi];
    if (out) {
        out[0] = o.price;
        // A list's pending order: waiting for its working order, or released and not yet entered.
        bool pending = o.state == State::waiting || (o.state == State::ready && o.ext != NIL && engine->extras[o.ext].released);
        out[1] = o.state == State::resting ? 0 : pending ? 2 : 1;
    }
    return o.remaining;
}

static_assert(sizeof(ex_command) == 64, "a command is one cache line");

uint32_t ex_layout(uint32_t* out, uint32_t capacity) {
    const uint32_t facts[] = {
        sizeof(ex_command),
        offsetof(ex_command, order_id), offsetof(ex_command, price), offsetof(ex_command, quantity),
        offsetof(ex_command, amount), offsetof(ex_command, symbol), offsetof(ex_command, account),
        offsetof(ex_command, asset), offsetof(ex_command, kind), offsetof(ex_command, side),
        offsetof(ex_command, tif), offsetof(ex_command, flags), offsetof(ex_command, stp),
        offsetof(ex_command, stop_price), offsetof(ex_command, visible), offsetof(ex_command, other_id),
        offsetof(ex_command, trailing_bps), offsetof(ex_command, trigger), offsetof(ex_command, link),
        offsetof(ex_command, mode),
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
