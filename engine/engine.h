/*
 * The matching engine's C ABI: the single source of truth for every struct layout that crosses
 * the bun:ffi boundary. native/layout.ts mirrors it, and a test checks the mirror against
 * ex_layout() below.
 *
 * One call per batch: an array of commands in, an array of events out. Prices are integer ticks,
 * quantities integer lots, ids unsigned 64-bit. The engine is deterministic: the same commands
 * give the same events, byte for byte.
 */
#ifndef EXCHANGE_ENGINE_H
#define EXCHANGE_ENGINE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ex_command.kind */
enum {
    EX_CMD_LIMIT = 1,  /* new limit order: price, quantity, side, tif, flags */
    EX_CMD_MARKET = 2, /* new market order: quantity, side; price ignored; behaves as IOC (or FOK) */
    EX_CMD_CANCEL = 3, /* cancel order_id */
    EX_CMD_AMEND = 4,  /* amend order_id: price (0 = keep) and quantity = new total incl. filled */
};

/* ex_command.side and ex_event.side */
enum { EX_BUY = 0, EX_SELL = 1 };

/* ex_command.tif */
enum { EX_GTC = 0, EX_IOC = 1, EX_FOK = 2 };

/* ex_command.flags */
enum { EX_FLAG_POST_ONLY = 1 };

typedef struct ex_command {
    uint64_t order_id; /* chosen by the caller for new orders; unique among live orders */
    int64_t price;     /* ticks, > 0 for limit orders */
    int64_t quantity;  /* lots, > 0; for amend the new total quantity including the filled part */
    uint32_t symbol;   /* book index, < the symbol count given to ex_engine_create */
    uint8_t kind;
    uint8_t side;
    uint8_t tif;
    uint8_t flags;
} ex_command;

/* ex_event.type */
enum {
    EX_EV_ACCEPTED = 1,  /* new order passed the engine's checks; trades and/or EXPIRED may follow;
                            if neither empties it and it is GTC, it rests */
    EX_EV_TRADE = 2,     /* order_id = taker, other_id = maker; at the maker's price */
    EX_EV_CANCELLED = 3, /* quantity = the remaining quantity removed from the book */
    EX_EV_EXPIRED = 4,   /* IOC/market remainder, or FOK that could not fill (quantity = remaining) */
    EX_EV_REJECTED = 5,  /* reason says why; nothing changed */
    EX_EV_AMENDED = 6,   /* price, quantity = new total, remaining; flags bit 0: kept priority */
};

/* ex_event.reason for EX_EV_REJECTED */
enum {
    EX_REJ_NONE = 0,
    EX_REJ_INVALID = 1,          /* bad symbol, kind, side, tif, price or quantity */
    EX_REJ_DUPLICATE_ID = 2,     /* new order with the id of a live order */
    EX_REJ_UNKNOWN_ORDER = 3,    /* cancel/amend of an id that is not resting */
    EX_REJ_POST_ONLY = 4,        /* post-only order (or amend) that would take liquidity */
    EX_REJ_AMEND_QUANTITY = 5,   /* amend to a total at or below the filled quantity */
};

/* ex_event.flags */
enum { EX_EVF_KEPT_PRIORITY = 1 };

typedef struct ex_event {
    uint64_t order_id;      /* the order the event is about (the taker for trades) */
    uint64_t other_id;      /* trades: the maker order */
    int64_t price;          /* trade price; order price for ACCEPTED/AMENDED */
    int64_t quantity;       /* trade quantity; order quantity for ACCEPTED/AMENDED/CANCELLED/EXPIRED */
    int64_t remaining;      /* order_id's remaining quantity after the event */
    int64_t other_remaining;/* trades: the maker's remaining quantity after the trade */
    uint64_t sequence;      /* the book's sequence after the event (increments on each book change) */
    uint32_t command_index; /* index in the batch of the command that caused the event */
    uint8_t type;
    uint8_t reason;
    uint8_t side;           /* side of order_id (the taker for trades) */
    uint8_t flags;
} ex_event;

typedef struct ex_engine ex_engine;

/* The largest price (ticks) and quantity (lots) the engine accepts: 10^15, so every value is
 * exact in a JavaScript number and level totals stay far from int64 overflow. */
int64_t ex_max_value(void);

/* Creates an engine with `symbols` empty books. Returns NULL if out of memory. */
ex_engine* ex_engine_create(uint32_t symbols);
void ex_engine_destroy(ex_engine* engine);

/*
 * Processes `count` commands in order and writes their events to `out` (capacity `out_capacity`).
 * Returns the number of events written. Events that do not fit wait inside the engine: while the
 * return value equals out_capacity, call ex_engine_drain for the rest before the next batch.
 */
uint32_t ex_engine_process(ex_engine* engine, const ex_command* commands, uint32_t count,
                           ex_event* out, uint32_t out_capacity);
uint32_t ex_engine_drain(ex_engine* engine, ex_event* out, uint32_t out_capacity);

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
 * Remaining quantity of a resting order, or 0 when it is not resting. Writes its price to
 * *price_out when resting (price_out may be NULL).
 */
int64_t ex_engine_order_remaining(const ex_engine* engine, uint64_t order_id, int64_t* price_out);

/*
 * Layout facts for the binding's self-check: writes up to `capacity` uint32 values:
 * sizeof(ex_command), then offsetof of each ex_command field in declaration order,
 * sizeof(ex_event), then offsetof of each ex_event field in declaration order.
 * Returns the number of values the full description has.
 */
uint32_t ex_layout(uint32_t* out, uint32_t capacity);

#ifdef __cplusplus
}
#endif

#endif
