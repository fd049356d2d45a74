// The database schema (Drizzle). Prices are integer ticks and quantities integer lots, exactly as
// the engine sees them; the market's tick and step sizes turn them back into decimals at the edge.
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  // SHA-256 of the API key: the key itself is shown once and never stored.
  apiKeyHash: text("api_key_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
  // The HMAC secret, as given out: verifying an HMAC signature takes the secret itself. Null for
  // accounts that sign with a key pair (the Binance surface), whose public key is kept instead.
  apiSecret: text("api_secret"),
  publicKey: text("public_key"), // PEM, Ed25519 or RSA

});

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
    listId: integer("list_id"), // its OCO or OTO order list
    listType: text("list_type", { enum: ["oco", "oto"] }),
    triggered: integer("triggered", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    index("orders_account_idx").on(t.accountId, t.id),
    // Only open orders (read once, at start): a small index instead of one that churns with
    // every status change of every order.
    index("orders_open_idx").on(t.id).where(sql`${t.status} IN ('new', 'partially_filled')`),
  ],
);

/**
 * The command journal: every command given to the engine, in order, with what a new order needs
 * besides (its account and client order id). It is what makes a request durable: a batch is
 * answered once its journal rows are committed. Replaying it through the (deterministic) engine
 * rebuilds the books exactly, and the orders and trades that follow from it. Codes are the
 * engine's (native/layout.ts).
 */
export const journal = sqliteTable("journal", {
  seq: integer("seq").primaryKey(),
  accountId: integer("account_id").notNull().default(0), // new orders; 0 for other commands
  clientOrderId: text("client_order_id"),
  kind: integer("kind").notNull(),
  orderId: integer("order_id").notNull(),
  symbol: text("symbol").notNull(),
  side: integer("side").notNull(),
  timeInForce: integer("time_in_force").notNull(),
  flags: integer("flags").notNull(),
  price: integer("price").notNull(),
  quantity: integer("quantity").notNull(),
  stp: integer("stp").notNull().default(0),
  amount: text("amount"), // units (exact beyond 2^53): deposits, withdrawals, market orders by amount
  asset: text("asset"), // deposits and withdrawals
  time: integer("time").notNull(),
  // Conditional orders, icebergs, order lists and cancel-replace (engine.h ex_command).
  stopPrice: integer("stop_price").notNull().default(0),
  trailingBps: integer("trailing_bps").notNull().default(0),
  trigger: integer("trigger").notNull().default(0),
  visible: integer("visible").notNull().default(0),
  otherId: integer("other_id").notNull().default(0), // cancel-replace: the order cancelled; lists: the list id
  link: integer("link").notNull().default(0),
  mode: integer("mode").notNull().default(0),
});

/**
 * The journal as it is written now: one row per committed batch, its commands in one binary
 * record (store/journal-record.ts). The table above keeps the journal of databases written before;
 * recovery reads both, in seq order.
 */
export const journalBatches = sqliteTable("journal_batches", {
  lastSeq: integer("last_seq").primaryKey(),
  firstSeq: integer("first_seq").notNull(),
  time: integer("time").notNull(),
  // The highest order id given out when the batch was committed (a refused order's id is not
  // given out again).
  lastOrderId: integer("last_order_id").notNull(),
  entries: blob("entries", { mode: "buffer" }).notNull(),
});

/**
 * Images of the engine's whole state (books, balances, untriggered orders) as of journal entry
 * `seq`: recovery restores the newest and replays only the journal after it, which is pruned
 * behind it.
 */
export const snapshots = sqliteTable("snapshots", {
  seq: integer("seq").primaryKey(),
  time: integer("time").notNull(),
  lastOrderId: integer("last_order_id").notNull(),
  image: blob("image", { mode: "buffer" }).notNull(),
  // The 24-hour market figures as of the snapshot (MarketStats.image) and the last trade in them.
  lastTradeId: integer("last_trade_id").notNull().default(0),
  stats: text("stats"),
  // The markets and assets the image's books and balances are of, in their order (JSON lists of
  // names): a start may add markets after them, not reorder them.
  layout: text("layout"),
});

/**
 * How far the orders and trades tables are written: every journal entry up to `seq`. They follow
 * the journal in larger transactions (store/writer.ts); recovery writes the rest from the journal.
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
    // Whose trade it is on each side: an account's ledger reads its trades through these.
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
    index("trades_taker_account_idx").on(t.takerAccountId, t.id),
    index("trades_maker_account_idx").on(t.makerAccountId, t.id),
  ],
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

/**
 * Funding asked for by another process (`exchange accounts create` while the server may run):
 * the server journals each as a command (deposits, fee rates) and deletes it in the same
 * transaction, so each is applied exactly once. kind "defaults": the venue's default balances.
 */
export const accountRequests = sqliteTable("account_requests", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  accountId: integer("account_id").notNull(),
  kind: text("kind", { enum: ["deposit", "fees", "defaults"] }).notNull(),
  asset: text("asset"),
  amount: text("amount"),
  makerFeeBps: integer("maker_fee_bps"),
  takerFeeBps: integer("taker_fee_bps"),
  createdAt: integer("created_at").notNull(),
});

/**
 * The top of each market's book, sampled once a second of venue time while a simulation or a
 * replay runs: what `exchange analyze` reads spreads from (trades tell prices, not spreads).
 * Prices in ticks and sizes in lots; null for an empty side.
 */
export const bookSamples = sqliteTable(
  "book_samples",
  {
    symbol: text("symbol").notNull(),
    time: integer("time").notNull(),
    bid: integer("bid"),
    ask: integer("ask"),
    bidQuantity: integer("bid_quantity").notNull(),
    askQuantity: integer("ask_quantity").notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.time] })],
);
