// The schema (Drizzle) of the projection file (the database file's name with "-projection"): the
// tables derived from the journal, which the projector's thread writes behind it (projector.ts):
// every order with its state, trades, balances and the ledger. Prices are integer ticks and
// quantities integer lots, exactly as the engine sees them.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every order with its current state. */
export const orders = sqliteTable(
  "orders",
  {
    id: integer("id").primaryKey(),
    accountId: integer("account_id").notNull(),
    symbol: text("symbol").notNull(),
    side: text("side", { enum: ["buy", "sell"] }).notNull(),
    type: text("type", { enum: ["limit", "market", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"] }).notNull(),
    timeInForce: text("time_in_force", { enum: ["GTC", "IOC", "FOK"] }).notNull(),
    postOnly: integer("post_only", { mode: "boolean" }).notNull(),
    price: integer("price"), // null for market orders
    quantity: integer("quantity").notNull(), // total, the filled part included
    filledQuantity: integer("filled_quantity").notNull(),
    status: text("status", {
      enum: ["new", "partially_filled", "filled", "canceled", "expired", "rejected"],
    }).notNull(),
    rejectReason: text("reject_reason"),
    clientOrderId: text("client_order_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    selfTradePrevention: text("self_trade_prevention", { enum: ["none", "expireTaker", "expireMaker", "expireBoth", "decrement"] }).notNull().default("none"),
    quoteQuantity: text("quote_quantity"), // units of the quote asset, market orders by amount
    preventedQuantity: integer("prevented_quantity").notNull().default(0),
    decrementedQuantity: integer("decremented_quantity").notNull().default(0),
    expireReason: text("expire_reason"),
    stopPrice: integer("stop_price"), // ticks: conditional orders' trigger (or trailing activation) price
    trailingDelta: integer("trailing_delta"), // basis points: trailing stops
    icebergQuantity: integer("iceberg_quantity"), // lots shown at a time
    listId: integer("list_id"), // its order list
    listType: text("list_type", { enum: ["oco", "oto", "otoco"] }),
    triggered: integer("triggered", { mode: "boolean" }).notNull().default(false),
    listClientOrderId: text("list_client_order_id"), // its list's client id, if one was given
  },
  (t) => [
    index("orders_account_idx").on(t.accountId, t.id),
    // Only open orders (read once, at start): a small index instead of one that churns with
    // every status change of every order.
    index("orders_open_idx").on(t.id).where(sql`${t.status} IN ('new', 'partially_filled')`),
    // An order list's two orders: partial, so that orders outside lists cost it nothing (and list
    // ids, their first order's, only grow: it is written at its end). A closed order by its client
    // order id has no index: ids such as ccxt's are random, and an index of them took a new order's
    // row from 2 to 9 µs (BENCHMARKS.md); the account's orders are read newest first instead.
    index("orders_list_idx").on(t.listId).where(sql`${t.listId} IS NOT NULL`),
    // An account's order lists, each by its first order (whose id is the list's).
    index("orders_account_lists_idx").on(t.accountId, t.id).where(sql`${t.listId} = ${t.id}`),
    // Which of an account's orders are in a list, and which, read off this index alone
    // (Queries.accountTrades: looking each order up cost 3x the read, BENCHMARKS.md).
    index("orders_account_list_members_idx").on(t.accountId, t.id, t.listId).where(sql`${t.listId} IS NOT NULL`),
  ],
);

/**
 * How far these tables are written: every journal entry up to `seq`. They follow the journal in
 * larger transactions (projection-writer.ts); recovery writes the rest from the journal.
 */
export const projection = sqliteTable("projection", {
  id: integer("id").primaryKey(), // always 1: one row
  seq: integer("seq").notNull(),
});

export const trades = sqliteTable(
  "trades",
  {
    id: integer("id").primaryKey(),
    symbol: text("symbol").notNull(),
    price: integer("price").notNull(),
    quantity: integer("quantity").notNull(),
    takerOrderId: integer("taker_order_id").notNull(),
    makerOrderId: integer("maker_order_id").notNull(),
    takerSide: text("taker_side", { enum: ["buy", "sell"] }).notNull(),
    time: integer("time").notNull(),
    // Units of the asset each side received; money is kept as decimal text of integer units, so
    // that it stays exact past 2^53 through every reader.
    takerFee: text("taker_fee").notNull().default("0"),
    makerFee: text("maker_fee").notNull().default("0"),
    // Whose trade it is on each side (an account's trades are found through account_trades).
    takerAccountId: integer("taker_account_id").notNull().default(0),
    makerAccountId: integer("maker_account_id").notNull().default(0),
  },
  (t) => [
    // Recent trades and candles of one market. Its entries end with the row id, so "newest
    // first" (time, then id) reads straight off it; trades arrive in time order, so it only ever
    // grows at its end. (An index on (symbol, id) as well cost a B-tree page per commit.)
    index("trades_symbol_time_idx").on(t.symbol, t.time),
    index("trades_taker_idx").on(t.takerOrderId),
    index("trades_maker_idx").on(t.makerOrderId),
  ],
);

/**
 * Each leg of each trade by its account, newest last: how an account's trades and ledger are read.
 * A table of its own (WITHOUT ROWID: the key is the row), written in key order for each
 * transaction, rather than two indexes of trades by account: those took a new trade's entries to
 * as many places as there are accounts trading, and with 1,000 accounts a trade row cost 9-10 µs
 * against 2.4-2.6 this way (BENCHMARKS.md). A self-trade has both legs.
 */
export const accountTrades = sqliteTable(
  "account_trades",
  {
    accountId: integer("account_id").notNull(),
    tradeId: integer("trade_id").notNull(),
    asTaker: integer("as_taker", { mode: "boolean" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.tradeId, t.asTaker] })],
);

/**
 * Each match self-trade prevention stopped: a taker and a resting order of the same account met,
 * and the taker's mode decided what expired or shrank instead of a trade. Rare by nature, so their
 * indexes cost the writer little; an order's last one (its preventedMatchId) is read off them,
 * not kept in its row, which every order writes.
 */
export const preventedMatches = sqliteTable(
  "prevented_matches",
  {
    id: integer("id").primaryKey(),
    accountId: integer("account_id").notNull(),
    symbol: text("symbol").notNull(),
    takerOrderId: integer("taker_order_id").notNull(),
    makerOrderId: integer("maker_order_id").notNull(),
    mode: text("mode", { enum: ["none", "expireTaker", "expireMaker", "expireBoth", "decrement"] }).notNull(),
    price: integer("price").notNull(), // the resting order's
    quantity: integer("quantity").notNull(), // lots the match would have traded
    // Lots it took off each order: what expired (the expire modes' side or sides), or the
    // overlap (decrement); 0 for an order it left alone.
    takerQuantity: integer("taker_quantity").notNull(),
    makerQuantity: integer("maker_quantity").notNull(),
    time: integer("time").notNull(),
  },
  (t) => [
    index("prevented_matches_taker_idx").on(t.takerOrderId),
    index("prevented_matches_maker_idx").on(t.makerOrderId),
  ],
);

/**
 * Each amendment that lowered an order's total in place, keeping its priority (Binance's amend
 * keep priority): the quantities before and after, and the client order ids (an amendment may
 * give the order a new one). An OCO's sibling lowered with it has its own row.
 */
export const orderAmendments = sqliteTable(
  "order_amendments",
  {
    id: integer("id").primaryKey(),
    orderId: integer("order_id").notNull(),
    accountId: integer("account_id").notNull(),
    symbol: text("symbol").notNull(),
    origClientOrderId: text("orig_client_order_id"),
    newClientOrderId: text("new_client_order_id"),
    origQuantity: integer("orig_quantity").notNull(), // lots
    newQuantity: integer("new_quantity").notNull(), // lots, as asked (the order's total when it ended: its filled part)
    time: integer("time").notNull(),
  },
  (t) => [index("order_amendments_order_idx").on(t.orderId)],
);

/** Each account's balance of each asset (units), as of the last projected batch. */
export const balances = sqliteTable(
  "balances",
  {
    accountId: integer("account_id").notNull(),
    asset: text("asset").notNull(),
    free: text("free").notNull(),
    locked: text("locked").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.asset] })],
);

/**
 * The changes to an account's total balance that its trades do not tell: deposits and
 * withdrawals. An account's ledger is these with the two legs of each of its trades, and the fee
 * account's the fees of every trade (Queries.ledger): those follow from the trade rows, so they are
 * not written twice. Holds are not changes of the total, so they are not here.
 */
export const ledger = sqliteTable(
  "ledger",
  {
    id: integer("id").primaryKey(),
    accountId: integer("account_id").notNull(),
    asset: text("asset").notNull(),
    kind: text("kind", { enum: ["deposit", "withdrawal"] }).notNull(),
    amount: text("amount").notNull(), // signed units
    time: integer("time").notNull(),
  },
  (t) => [index("ledger_account_idx").on(t.accountId, t.id)],
);

