// The schema (Drizzle) of the database file itself (--db): the journal, which is the truth, the
// snapshots of the engine, accounts, funding asked for by other processes, book samples. The
// tables derived from the journal (orders, trades, balances, the ledger) are in a file of their
// own beside it, written by the projector's thread: projection-schema.ts. Prices are integer ticks
// and quantities integer lots, exactly as the engine sees them.
import { blob, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
