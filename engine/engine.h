/*
 * The matching engine's C ABI: the single source of truth for every struct layout that crosses
 * the bun:ffi boundary. native/layout.ts mirrors it, and a test checks the mirror against
 * ex_layout() below.
 *
 * One call per batch: an array of commands in, an array of events out. Prices are integer ticks,
 * quantities integer lots, amounts of money integer units of an asset (its smallest unit), ids
 * unsigned 64-bit. The engine is deterministic: the same commands give the same events and the
 * same balances, byte for byte.
 *
 * Spot accounts live here, because they must be atomic with matching: every account holds, per
 * asset, `free` and `locked` units. A new order locks what it may spend (a buy: price x quantity
 * of the quote asset; a sell: the quantity of the base asset), each trade settles both sides at
 * once, fees are charged in the asset received (rounded up) and credited to account 0, the venue's
 * fee account, and self-trade prevention needs the resting order's account.
 *
 * Conditional orders (stop-loss, take-profit, trailing) wait inside the engine too, because they
 * must trigger at the exact point of the command stream where the triggering trade happens: after
 * a taker has finished matching, every conditional order of that book whose condition the last
 * trade price meets is triggered, and each then matches as a new order would. A triggered order's
 * trades may trigger more (a cascade): every order triggers at most once, so a cascade ends.
 */
#ifndef EXCHANGE_ENGINE_H
#define EXCHANGE_ENGINE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ex_command.kind */
enum {
    EX_CMD_LIMIT = 1,    /* new limit order: account, symbol, price, quantity, side, tif, flags, stp */
    EX_CMD_MARKET = 2,   /* new market order: quantity, or amount (quote units to spend or receive;
                            then quantity is only a cap); behaves as IOC (or FOK, by quantity only) */
    EX_CMD_CANCEL = 3,   /* cancel order_id */
    EX_CMD_AMEND = 4,    /* amend order_id: price (0 = keep) and quantity = new total incl. filled
                            (0 = keep): each amendment applies to the state the one before left.
                            With EX_FLAG_KEEP_PRIORITY: see there */
    EX_CMD_DEPOSIT = 5,  /* credit `amount` units of `asset` to `account` (free) */
    EX_CMD_WITHDRAW = 6, /* debit `amount` units of `asset` from `account`'s free balance */
    EX_CMD_SET_FEES = 7, /* account's own fee rates: price = maker bps, quantity = taker bps (-1 = market's) */
    EX_CMD_CANCEL_REPLACE = 8, /* cancel other_id, then place the new order this command describes
                                  (as EX_CMD_LIMIT, or as EX_CMD_MARKET when flags has
                                  EX_FLAG_MARKET), in one step; mode: EX_CR_* */
};

/* ex_command.trigger: a conditional order waits, untriggered, until the last trade price of its
 * market meets stop_price (Binance's rules): a stop-loss buy when last >= stop, a stop-loss sell
 * when last <= stop, a take-profit buy when last <= stop, a take-profit sell when last >= stop. A
 * limit (stop-limit, take-profit-limit) then matches at its price with its tif; a market one as a
 * market order. A stop-market buy by quantity is bounded: `price` is the most it pays, and it
 * triggers into an IOC at that price. With trailing_bps, stop_price (optional) only activates
 * tracking: from then the order tracks the best price (highest for a sell, lowest for a buy) and
 * triggers when the last price has moved trailing_bps against it. Holds are taken at placement
 * (limit: as its limit; market sell: its quantity; market buy: price x quantity, or `amount`). */
enum { EX_TRIG_NONE = 0, EX_TRIG_STOP_LOSS = 1, EX_TRIG_TAKE_PROFIT = 2 };

/* ex_command.link: this command and the next one in the same batch form an order list (all carry
 * its id in other_id), placed or refused together. OCO: both on one side, each a post-only limit
 * or a conditional order; the first fill of either, or a trigger, cancels the other in the same
 * step, and the list holds what its larger leg needs, once. OTO: the first (a limit order) works;
 * the second waits, holding nothing, and is placed when the first has filled completely. OTOCO:
 * an OTO whose second command is linked OCO to a third: the working order, then an OCO pair that
 * waits, holding nothing, and is placed as an OCO when the working order has filled completely
 * (both legs' TRIGGERED events first; the pair expires whole, the leg at fault EXPIRED and the
 * other CANCELLED, if the free balance cannot hold it or a post-only leg would take; a leg whose
 * condition holds already triggers at once and cancels the other). Cancelling, or the expiry
 * of, any member cancels the list. A linked command at the end of a batch is refused. An OTO or
 * OTOCO whose working command carries EX_FLAG_OPO is an OPO or OPOCO: see there. */
enum { EX_LINK_NONE = 0, EX_LINK_OCO = 1, EX_LINK_OTO = 2 };

/* ex_command.mode for EX_CMD_CANCEL_REPLACE: if the cancel fails, refuse the new order (stop on
 * failure) or place it anyway. A new order refused after a successful cancel leaves the cancel. */
enum { EX_CR_STOP_ON_FAILURE = 0, EX_CR_ALLOW_FAILURE = 1 };

/* ex_command.side and ex_event.side */
enum { EX_BUY = 0, EX_SELL = 1 };

/* ex_command.tif */
enum { EX_GTC = 0, EX_IOC = 1, EX_FOK = 2 };

/* ex_command.flags */
enum {
    EX_FLAG_POST_ONLY = 1,
    EX_FLAG_MARKET = 2, /* cancel-replace: the new order is a market order */
    /* amend: only lower the order's total to `quantity` (price 0), in place, keeping its time
     * priority (Binance's amend keep priority). Any live order may be lowered: resting, waiting
     * untriggered, an OTO's pending order, an OCO's member (its sibling is lowered with it to at
     * most the same total: one AMENDED event for the sibling before the order's own). A total not
     * below the order's is refused (AMEND_QUANTITY); a market order by quote amount is not
     * amendable. A total at or below the filled part leaves nothing to fill: the order ends,
     * AMENDED with remaining 0 and EX_EVF_ENDED, its total then being the filled part. */
    EX_FLAG_KEEP_PRIORITY = 4,
    /* cancel, and cancel-replace's cancel: a restriction (Binance's cancelRestrictions). The order
     * is cancelled only if it has not traded yet (ONLY_NEW) or only if it has traded
     * (ONLY_PARTIALLY_FILLED); an OTO's pending order still waiting for its working order is
     * neither (PENDING_NEW). Else CANCEL_RESTRICTED, and nothing changes (cancel-replace: as a
     * failed cancel, by its mode). Self-trade decrements are not trades. Both at once: INVALID. */
    EX_FLAG_ONLY_NEW = 8,
    EX_FLAG_ONLY_PARTIALLY_FILLED = 16,
    /* an OTO's (or OTOCO's) working command: one pays the other (Binance's OPO, OPOCO). The working
     * order is a buy; its pending order (or pair) sells, and its commands give quantity 0: each
     * fill's base, net of the fee, is locked for it as it arrives, and when the working order has
     * filled completely the pending order takes what was received, in whole lots (the rest is
     * unlocked), with that as its hold; it expires (EX_EXP_INSUFFICIENT) if that is no lot. If
     * the list ends otherwise, what was received is unlocked. A pending order that still waits is
     * not amendable; none may be an iceberg. */
    EX_FLAG_OPO = 32,
};

/* ex_command.stp: self-trade prevention when the taker meets a resting order of its own account
 * (the taker's mode decides, as on Binance). */
enum {
    EX_STP_NONE = 0,         /* they trade */
    EX_STP_EXPIRE_TAKER = 1, /* the taker's remaining quantity expires */
    EX_STP_EXPIRE_MAKER = 2, /* the resting order expires; the taker goes on matching */
    EX_STP_EXPIRE_BOTH = 3,
    EX_STP_DECREMENT = 4,    /* both lose the overlap; whichever is left with nothing expires */
};

/* 64 bytes, a cache line: the engine reads a batch of them from memory no cache has seen. */
typedef struct ex_command {
    uint64_t order_id; /* chosen by the caller for new orders; unique among live orders */
    int64_t price;     /* ticks, > 0 for limit orders */
    int64_t quantity;  /* lots, > 0; for amend the new total quantity including the filled part */
    /* One of two, by kind (a cancel-replace's: its new order's). A market order has no visible
     * part, a limit order no amount. */
    union {
        int64_t amount;  /* market orders, deposits, withdrawals: units (a market order's quote
                            amount to spend or receive; 0 = by quantity) */
        int64_t visible; /* limit orders: the lots an iceberg shows at a time (0 < visible <
                            quantity); 0 = all */
    };
    int64_t stop_price;/* conditional orders: the trigger (or, trailing, activation) price; 0 = none */
    uint64_t other_id; /* cancel-replace: the order to cancel; order lists: the list's id */
    uint32_t account;  /* the account placing the order or being funded, < EX_MAX_ACCOUNTS */
    /* One of two, by kind: */
    union {
        uint16_t symbol; /* orders: book index, < the symbol count given to ex_engine_create */
        uint16_t asset;  /* deposits and withdrawals: asset index */
    };
    uint16_t trailing_bps; /* trailing conditional orders: 1 .. 9999 basis points; else 0 */
    uint8_t kind;
    uint8_t side;
    uint8_t tif;
    uint8_t flags;
    uint8_t stp;
    uint8_t trigger;   /* EX_TRIG_* */
    uint8_t link;      /* EX_LINK_* */
    uint8_t mode;      /* EX_CR_* */
} ex_command;

/* ex_event.type. Every command has exactly one closing event (ACCEPTED, EXPIRED, REJECTED,
 * CANCELLED, AMENDED, DEPOSITED, WITHDRAWN or FEES_SET) about the command's own order or account,
 * after every event its own matching caused (TRADE, PREVENTED, REFRESHED, EXPIRED of resting
 * orders, CANCELLED of list siblings, AMENDED of an OCO sibling). Then come, with the same
 * command_index, the orders it set off (the cascade): each a TRIGGERED event, its matching's
 * events and its own closing event. */
enum {
    EX_EV_ACCEPTED = 1,  /* new order passed the engine's checks and was matched: if it has
                            `remaining` it rests (GTC) */
    EX_EV_TRADE = 2,     /* order_id = taker, other_id = maker; at the maker's price; amount = the
                            taker's fee, other_amount = the maker's (each in the asset it receives) */
    EX_EV_CANCELLED = 3, /* quantity = the remaining quantity removed from the book */
    EX_EV_EXPIRED = 4,   /* quantity = remaining that expired; reason: EX_EXP_* (this is also how a
                            resting order is expired by self-trade prevention) */
    EX_EV_REJECTED = 5,  /* reason says why; nothing changed. INSUFFICIENT: asset, amount = needed,
                            other_amount = available */
    EX_EV_AMENDED = 6,   /* price, quantity = new total, remaining; flags bit 0: kept priority */
    EX_EV_PREVENTED = 7, /* a self-trade was prevented: order_id = taker, other_id = maker, price =
                            the maker's, quantity = the overlap, remaining and other_remaining after;
                            flags EX_EVF_DECREMENTED if both lost the overlap */
    EX_EV_DEPOSITED = 8, /* account, asset, amount */
    EX_EV_WITHDRAWN = 9, /* account, asset, amount */
    EX_EV_FEES_SET = 10, /* account; price = maker bps, quantity = taker bps */
    EX_EV_TRIGGERED = 11,/* a waiting order enters the book now: reason EX_TRG_PRICE (price = the
                            last trade price that triggered it) or EX_TRG_LIST (its OTO or
                            OTOCO working order filled); remaining = its quantity (an OPO's
                            pending order: what its working order paid it, in lots) */
    EX_EV_REFRESHED = 12,/* an iceberg's shown slice was filled and the next joined the back of its
                            level: price, quantity = the new slice, remaining = all it has left */
};

/* ex_event.reason for EX_EV_TRIGGERED */
enum { EX_TRG_PRICE = 0, EX_TRG_LIST = 1 };

/* ex_event.reason for EX_EV_CANCELLED */
enum { EX_CXL_REQUESTED = 0, EX_CXL_LIST = 1 /* another member of its order list decided it */ };

/* ex_event.reason for EX_EV_REJECTED */
enum {
    EX_REJ_NONE = 0,
    EX_REJ_INVALID = 1,          /* bad symbol, kind, side, tif, price, quantity, amount or account */
    EX_REJ_DUPLICATE_ID = 2,     /* new order with the id of a live order */
    EX_REJ_UNKNOWN_ORDER = 3,    /* cancel/amend of an id that is not resting */
    EX_REJ_POST_ONLY = 4,        /* post-only order (or amend) that would take liquidity */
    EX_REJ_AMEND_QUANTITY = 5,   /* amend to a total at or below the filled quantity (keep
                                    priority: not below the order's total) */
    EX_REJ_INSUFFICIENT = 6,     /* free balance does not cover the order, amendment or withdrawal */
    EX_REJ_LIMIT = 7,            /* a deposit would take the venue's total of the asset past EX_MAX_TOTAL */
    EX_REJ_WOULD_TRIGGER = 8,    /* a conditional order whose condition the last price already meets */
    EX_REJ_NOT_AMENDABLE = 9,    /* amend of an order that waits untriggered or belongs to a list
                                    (keep priority: of a market order by quote amount, or of an
                                    OPO's pending order still waiting) */
    EX_REJ_LIST = 10,            /* the other member of its order list was refused */
    EX_REJ_CANCEL_FAILED = 11,   /* cancel-replace (stop on failure): the order to cancel is not open */
    EX_REJ_CANCEL_RESTRICTED = 12, /* cancel (or cancel-replace, stop on failure): the order's state is
                                      not the one its restriction (EX_FLAG_ONLY_*) asks for */
};

/* ex_event.reason for EX_EV_EXPIRED */
enum {
    EX_EXP_TIME_IN_FORCE = 0,    /* IOC or market remainder; FOK that could not fill */
    EX_EXP_SELF_TRADE = 1,       /* self-trade prevention */
    EX_EXP_INSUFFICIENT = 2,     /* a market order stopped where the free balance ran out (or an OTO's
                                    pending order found too little free when released, or an
                                    OPO's was paid less than a lot) */
    EX_EXP_POST_ONLY = 3,        /* an OTO's pending post-only order would have taken when released */
};

/* ex_event.flags */
enum {
    EX_EVF_KEPT_PRIORITY = 1,
    EX_EVF_DECREMENTED = 2,
    EX_EVF_WAITING = 4, /* ACCEPTED: the order waits (untriggered, or an OTO's pending order) */
    EX_EVF_ENDED = 8,   /* AMENDED (keep priority): lowered to its filled part or below, it expired */
};

typedef struct ex_event {
    uint64_t order_id;      /* the order the event is about (the taker for trades) */
    uint64_t other_id;      /* trades and prevented self-trades: the maker order */
    int64_t price;          /* trade price; order price for ACCEPTED/AMENDED */
    int64_t quantity;       /* trade quantity; order quantity for ACCEPTED/AMENDED/CANCELLED/EXPIRED */
    int64_t remaining;      /* order_id's remaining quantity after the event */
    int64_t other_remaining;/* trades: the maker's remaining quantity after the trade */
    uint64_t sequence;      /* the book's sequence after the event (increments on each book change) */
    int64_t amount;         /* see the event types */
    int64_t other_amount;
    uint32_t command_index; /* index in the batch of the command that caused the event */
    uint32_t account;       /* DEPOSITED, WITHDRAWN, FEES_SET, REJECTED: the command's account */
    uint32_t asset;         /* DEPOSITED, WITHDRAWN, REJECTED (INSUFFICIENT): the asset */
    uint8_t type;
    uint8_t reason;
    uint8_t side;           /* side of order_id (the taker for trades) */
    uint8_t flags;
} ex_event;

/* A market's place among the assets: what a lot and a tick x lot are worth in units. */
typedef struct ex_market {
    uint32_t base_asset;
    uint32_t quote_asset;
    int64_t lot_units;       /* base units in one lot (1 .. 10^8) */
    int64_t notional_units;  /* quote units in one tick x one lot (1 .. 10^8) */
    int32_t maker_fee_bps;   /* 0 .. 10000 */
    int32_t taker_fee_bps;
} ex_market;

/* One account's balance of one asset. */
typedef struct ex_balance {
    uint32_t account;
    uint32_t asset;
    int64_t free;
    int64_t locked;
} ex_balance;

/* Accounts are numbered 0 .. EX_MAX_ACCOUNTS-1; 0 is the venue's fee account. */
#define EX_MAX_ACCOUNTS (1u << 24)
#define EX_FEE_ACCOUNT 0u

typedef struct ex_engine ex_engine;

/* The largest price (ticks) and quantity (lots) the engine accepts: 10^15, so every value is
 * exact in a JavaScript number and level totals stay far from int64 overflow. */
int64_t ex_max_value(void);
/* The most units of one asset the whole venue may hold (2^62): a deposit past it is refused, so no
 * balance, hold or fee can overflow. */
int64_t ex_max_total(void);

/* Creates an engine with `symbols` empty books over `assets` assets, `markets[i]` describing book
 * i. Returns NULL if out of memory, if a market is out of range, or if symbols or assets exceed
 * 65,536 (a command names either in 16 bits). */
ex_engine* ex_engine_create(uint32_t symbols, uint32_t assets, const ex_market* markets);
void ex_engine_destroy(ex_engine* engine);

/*
 * Snapshots. ex_engine_snapshot takes an image of the engine's whole state (books, balances, fee
 * rates, untriggered and tracking orders, order lists) into the engine and returns its size in
 * bytes (0 if events are still waiting to be drained); ex_engine_snapshot_copy copies it to `out`.
 * ex_engine_restore makes an engine from an image taken with the same markets, or with the first
 * of them (markets and assets added since come after the image's, empty): it behaves exactly as
 * the one saved. Returns NULL for an image that is damaged, of another version, or of more markets
 * or assets than given.
 */
uint64_t ex_engine_snapshot(ex_engine* engine);
void ex_engine_snapshot_copy(const ex_engine* engine, uint8_t* out);
ex_engine* ex_engine_restore(uint32_t symbols, uint32_t assets, const ex_market* markets, const uint8_t* image,
                             uint64_t size);

/*
 * Processes `count` commands in order and writes their events to `out` (capacity `out_capacity`).
 * Returns the number of events written. Events that do not fit wait inside the engine: while the
 * return value equals out_capacity, call ex_engine_drain for the rest before the next batch.
 */
uint32_t ex_engine_process(ex_engine* engine, const ex_command* commands, uint32_t count,
                           ex_event* out, uint32_t out_capacity);
uint32_t ex_engine_drain(ex_engine* engine, ex_event* out, uint32_t out_capacity);

/*
 * The balances the last ex_engine_process call changed, as they are now, in the order first
 * changed: up to `capacity` of them from the `from`-th on. Returns how many were written.
 */
uint32_t ex_engine_changed_balances(const ex_engine* engine, uint32_t from, ex_balance* out, uint32_t capacity);
/* How many balances the last ex_engine_process call changed. */
uint32_t ex_engine_changed_count(const ex_engine* engine);
/* An account's own fee rates: writes maker and taker bps to out[0], out[1] (-1: the market's). */
void ex_engine_fee_rates(const ex_engine* engine, uint32_t account, int32_t* out);
/* One balance: writes free and locked to out[0], out[1] (zeros for an account never seen). */
void ex_engine_balance(const ex_engine* engine, uint32_t account, uint32_t asset, int64_t* out);

/*
 * Aggregated levels of one side of a book, best first: up to `depth` (price, quantity) pairs
 * written to `out` as 2*depth int64 values. Returns the number of levels written.
 */
uint32_t ex_engine_depth(const ex_engine* engine, uint32_t symbol, uint8_t side, uint32_t depth,
                         int64_t* out);
/* Total resting quantity at one price of one side (0 when there is no such level). */
int64_t ex_engine_level_quantity(const ex_engine* engine, uint32_t symbol, uint8_t side, int64_t price);
/* The book's sequence: increments on every change to the book. */
uint64_t ex_engine_sequence(const ex_engine* engine, uint32_t symbol);
/* Live (resting) orders in all books. */
uint64_t ex_engine_order_count(const ex_engine* engine);
/*
 * Remaining quantity of a live order (resting, or waiting untriggered or in a list; an OPO's
 * pending order waiting for its working order has 0), or -1 when it is not live. Writes its price to out[0], and to out[1] 0 if it rests, 2 if it is an OTO's (or
 * OTOCO's) pending order whose working order has not filled yet, 1 if it waits otherwise
 * (untriggered) (out may be NULL).
 */
int64_t ex_engine_order_remaining(const ex_engine* engine, uint64_t order_id, int64_t* out);

/*
 * Layout facts for the binding's self-check: writes up to `capacity` uint32 values:
 * sizeof(ex_command), then offsetof of each ex_command field in declaration order,
 * sizeof(ex_event), then offsetof of each ex_event field in declaration order, then the same for
 * ex_market and ex_balance. Returns the number of values the full description has.
 */
uint32_t ex_layout(uint32_t* out, uint32_t capacity);

#ifdef __cplusplus
}
#endif

#endif
