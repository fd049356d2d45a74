// The orders, trades, balances and ledger tables: projections of the journal (journal-writer.ts
// commits it; it is the acknowledgement). Rows are buffered and written in larger transactions,
// every few milliseconds or few thousand rows, by the projector's thread (projector.ts), and at a
// start by recovery; a later state of an order replaces its buffered row, so an order placed and
// closed within one interval is written once. Each transaction also moves the projection's mark
// (the last journal entry whose rows it holds), so after a crash recovery writes what had not
// followed from the journal. A transaction per batch touching every index of orders and trades
// cost about 20 B-tree pages per batch; written once per interval, the pages of open orders are
// written once.
// Rows go in as multi-row INSERT statements (up to CHUNK rows each), prepared once per row count
// and cached: about twice the rate of one prepared statement per row, and far above Drizzle's
// query builder, which rebuilds SQL on every call (see ../shared/design.md).
import type { Database, Statement } from "bun:sqlite";
import type { SelfTradeMode } from "../markets";

export interface TradeRecord {
  id: number;
  symbol: string;
  price: number;
  quantity: number;
  takerOrderId: number;
  makerOrderId: number;
  takerSide: "buy" | "sell";
  time: number;
  takerFee: bigint;
  makerFee: bigint;
  takerAccountId: number;
  makerAccountId: number;
}

/** A match self-trade prevention stopped (taker and maker are of one account). */
export interface PreventedMatchRecord {
  id: number;
  accountId: number;
  symbol: string;
  takerOrderId: number;
  makerOrderId: number;
  /** The taker's mode, which decided. */
  mode: SelfTradeMode;
  price: number;
  /** Lots the match would have traded. */
  quantity: number;
  /** Lots it took off the taker and off the maker: what expired, or the overlap (decrement). */
  takerQuantity: number;
  makerQuantity: number;
  time: number;
}

/** An amendment that lowered an order's total in place, keeping its priority. */
export interface AmendmentRecord {
  id: number;
  orderId: number;
  accountId: number;
  symbol: string;
  origClientOrderId: string | null;
  newClientOrderId: string | null;
  /** Lots: the order's total before, and the total asked for. */
  origQuantity: number;
  newQuantity: number;
  time: number;
}

/** A balance as it is after a batch (units). */
export interface BalanceRecord {
  accountId: number;
  asset: string;
  free: bigint;
  locked: bigint;
}

/** A change of an account's total that no trade row tells: a deposit or a withdrawal (schema.ts, ledger). */
export interface LedgerRecord {
  accountId: number;
  asset: string;
  kind: "deposit" | "withdrawal";
  /** Signed change of the account's total (free + locked). */
  amount: bigint;
  time: number;
}

const CHUNK = 64;
export const ORDER_COLUMNS = 27;
export const TRADE_COLUMNS = 12;
export const LEDGER_COLUMNS = 5;
export const PREVENTED_MATCH_COLUMNS = 11;
export const AMENDMENT_COLUMNS = 9;
/** Where a trade row (the INSERT below) holds its id and its two accounts: account_trades is made of them. */
export const TRADE_ID = 0, TAKER_ACCOUNT = 10, MAKER_ACCOUNT = 11;
/** The columns of an order's row that its life changes: price, quantity, filled_quantity, status,
 *  reject_reason, client_order_id (an amendment may change it), updated_at, prevented_quantity,
 *  decremented_quantity, expire_reason, triggered. */
const CHANGING_COLUMNS = [7, 8, 9, 10, 11, 12, 14, 17, 18, 19, 25];
export type Value = string | number | null;

/** A multi-row INSERT: `head` VALUES (…), (…) … `tail`, with a statement per row count. */
class MultiRowInsert {
  private readonly statements: (Statement | undefined)[] = [];
  private readonly row: string;

  constructor(private readonly sqlite: Database, private readonly head: string, private readonly tail = "") {
    const columns = head.slice(head.indexOf("(") + 1, head.lastIndexOf(")")).split(",").length;
    this.row = `(${new Array(columns).fill("?").join(", ")})`;
  }

  /** Inserts rows given as one flat array of values, `columns` per row. */
  run(values: Value[], rows: number): void {
    const perRow = values.length / rows;
    for (let from = 0; from < rows; from += CHUNK) {
      const n = Math.min(CHUNK, rows - from);
      const statement = (this.statements[n] ??= this.sqlite.prepare(
        `${this.head} VALUES ${new Array(n).fill(this.row).join(", ")} ${this.tail}`,
      ));
      // An array binds its values in order, and costs less than as many arguments.
      statement.run(from === 0 && n === rows ? values : values.slice(from * perRow, (from + n) * perRow));
    }
  }
}

export interface WriterOptions {
  /** The orders and trades of a batch are written at most this long after its journal. */
  maxDelayMs: number;
  /** ... or once this many order and trade rows wait. */
  maxBufferedRows: number;
}

/**
 * Rows follow their journal within 100 ms, or once 32,768 wait: few, large transactions, since a
 * B-tree page written for many rows costs little more than for one (and a simulated population's
 * thousands of accounts spread rows over as many index pages). Nobody waits for them: a read asks
 * for what it needs at once (projector.ts), and the projector's thread takes no core from the
 * server's. Transactions every 10 ms cost the server 3% of its orders/s on a 2-core machine
 * (the writes' own I/O), BENCHMARKS.md.
 */
export const PROJECTION_PACE: WriterOptions = { maxDelayMs: 100, maxBufferedRows: 32_768 };

export class ProjectionWriter {
  private readonly orders: MultiRowInsert;
  private readonly trades: MultiRowInsert;
  private readonly accountTrades: MultiRowInsert;
  private readonly ledger: MultiRowInsert;
  private readonly preventedMatches: MultiRowInsert;
  private readonly amendments: MultiRowInsert;
  private readonly writeRows: () => void;

  private readonly orderValues: Value[] = [];
  private orderRows = 0;
  /** Row of each buffered order: a later state of it replaces its row, so an order placed and
   *  closed within one interval is written once (and never enters the open-orders index). */
  private readonly orderRow = new Map<number, number>();
  private readonly tradeValues: Value[] = [];
  private tradeRows = 0;
  /** The account_trades rows of the buffered trades, in key order once sorted (writeRows). */
  private readonly legValues: Value[] = [];
  /** The latest state of each balance a buffered batch changed, by account and asset. */
  private readonly balanceRows = new Map<number, { accountId: number; asset: string; free: bigint; locked: bigint; time: number }>();
  /** A small number for each asset symbol seen, for the balance rows' keys (no string per change). */
  private readonly assetKeys = new Map<string, number>();
  private readonly ledgerValues: Value[] = [];
  private ledgerRows = 0;
  private readonly preventedValues: Value[] = [];
  private preventedRows = 0;
  private readonly amendmentValues: Value[] = [];
  private amendmentRows = 0;
  /** The last journal entry whose rows are buffered or written, and written. */
  private projectedSeq: number;
  private writtenSeq: number;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** Called when buffered rows cannot be written (from a timer, so nothing else would see it). */
  onFatal: (error: unknown) => void = (error) => {
    throw error;
  };
  /** Called after each transaction, with the last journal entry whose rows are now written. */
  onWritten: (seq: number) => void = () => {};

  constructor(sqlite: Database, projectedSeq: number, private readonly options: WriterOptions = PROJECTION_PACE) {
    this.projectedSeq = this.writtenSeq = projectedSeq;
    this.orders = new MultiRowInsert(sqlite,
      `INSERT INTO orders (id, account_id, symbol, side, type, time_in_force, post_only, price, quantity,
         filled_quantity, status, reject_reason, client_order_id, created_at, updated_at,
         self_trade_prevention, quote_quantity, prevented_quantity, decremented_quantity, expire_reason,
         stop_price, trailing_delta, iceberg_quantity, list_id, list_type, triggered, list_client_order_id)`,
      `ON CONFLICT (id) DO UPDATE SET price = excluded.price, quantity = excluded.quantity,
         filled_quantity = excluded.filled_quantity, status = excluded.status,
         reject_reason = excluded.reject_reason, client_order_id = excluded.client_order_id, updated_at = excluded.updated_at,
         prevented_quantity = excluded.prevented_quantity, decremented_quantity = excluded.decremented_quantity,
         expire_reason = excluded.expire_reason, triggered = excluded.triggered`);
    this.trades = new MultiRowInsert(sqlite,
      `INSERT INTO trades (id, symbol, price, quantity, taker_order_id, maker_order_id, taker_side, time, taker_fee, maker_fee,
         taker_account_id, maker_account_id)`);
    this.accountTrades = new MultiRowInsert(sqlite, "INSERT INTO account_trades (account_id, trade_id, as_taker)");
    // A balance's row nearly always exists (from its first deposit): an UPDATE, and an INSERT
    // only when it changed nothing, costs about two thirds of the multi-row upsert (BENCHMARKS.md).
    const updateBalance = sqlite.prepare("UPDATE balances SET free = ?, locked = ?, updated_at = ? WHERE account_id = ? AND asset = ?");
    const insertBalance = sqlite.prepare("INSERT INTO balances (account_id, asset, free, locked, updated_at) VALUES (?, ?, ?, ?, ?)");
    this.ledger = new MultiRowInsert(sqlite, "INSERT INTO ledger (account_id, asset, kind, amount, time)");
    this.preventedMatches = new MultiRowInsert(sqlite,
      "INSERT INTO prevented_matches (id, account_id, symbol, taker_order_id, maker_order_id, mode, price, quantity, taker_quantity, maker_quantity, time)");
    this.amendments = new MultiRowInsert(sqlite,
      "INSERT INTO order_amendments (id, order_id, account_id, symbol, orig_client_order_id, new_client_order_id, orig_quantity, new_quantity, time)");
    const projectionMark = sqlite.prepare("UPDATE projection SET seq = ? WHERE id = 1");
    this.writeRows = sqlite.transaction(() => {
      if (this.orderRows) this.orders.run(this.orderValues, this.orderRows);
      if (this.tradeRows) {
        this.trades.run(this.tradeValues, this.tradeRows);
        this.accountTrades.run(this.tradeLegs(), 2 * this.tradeRows);
      }
      for (const b of this.balanceRows.values()) {
        const free = String(b.free), locked = String(b.locked);
        if (updateBalance.run(free, locked, b.time, b.accountId, b.asset).changes === 0) insertBalance.run(b.accountId, b.asset, free, locked, b.time);
      }
      if (this.ledgerRows) this.ledger.run(this.ledgerValues, this.ledgerRows);
      if (this.preventedRows) this.preventedMatches.run(this.preventedValues, this.preventedRows);
      if (this.amendmentRows) this.amendments.run(this.amendmentValues, this.amendmentRows);
      projectionMark.run(this.projectedSeq);
    });
  }

  /** The last journal entry whose orders, trades and balances are buffered or written. */
  get projected(): number {
    return this.projectedSeq;
  }

  /** The last journal entry whose rows are written. */
  get written(): number {
    return this.writtenSeq;
  }

  /** Rows waiting to be written. */
  get buffered(): number {
    return this.orderRows + this.tradeRows + this.balanceRows.size + this.ledgerRows + this.preventedRows + this.amendmentRows;
  }

  // A batch's rows go in one by one (projected-batch.ts reads them off the bytes the server's thread
  // handed over), each in its table's column order; then endBatch.

  /** An order's row (ORDER_COLUMNS values; the array may be reused once this returns). A later
   *  state of a buffered order replaces its row. */
  order(row: readonly Value[]): void {
    const values = this.orderValues;
    const id = row[0] as number;
    const at = this.orderRow.get(id);
    if (at === undefined) {
      this.orderRow.set(id, this.orderRows++);
      for (let i = 0; i < ORDER_COLUMNS; i++) values.push(row[i]!);
      return;
    }
    // The columns an order's life changes (those the upsert below updates).
    for (const c of CHANGING_COLUMNS) values[at * ORDER_COLUMNS + c] = row[c]!;
  }

  /** A trade's row (TRADE_COLUMNS values). */
  trade(row: readonly Value[]): void {
    for (let i = 0; i < TRADE_COLUMNS; i++) this.tradeValues.push(row[i]!);
    this.tradeRows++;
  }

  /** Both legs of each buffered trade as account_trades rows, in the table's key order: each
   *  account's new entries then go into its part of the table together (BENCHMARKS.md). Trades
   *  come in id order, so ordering the legs by account, then as they came, keeps each account's
   *  in id order. (Sorted as numbers, account * legs + leg: exact, as account ids are below 2^24.) */
  private tradeLegs(): Value[] {
    const trades = this.tradeValues, n = 2 * this.tradeRows;
    // Leg 2i is trade i's taker's, leg 2i + 1 its maker's.
    const accountAt = (leg: number) => (leg >> 1) * TRADE_COLUMNS + (leg & 1 ? MAKER_ACCOUNT : TAKER_ACCOUNT);
    const keys = new Float64Array(n);
    for (let leg = 0; leg < n; leg++) keys[leg] = (trades[accountAt(leg)] as number) * n + leg;
    keys.sort();
    const values = this.legValues;
    values.length = 0;
    for (const key of keys) {
      const leg = key % n;
      values.push(trades[accountAt(leg)]!, trades[(leg >> 1) * TRADE_COLUMNS + TRADE_ID]!, leg & 1 ? 0 : 1);
    }
    return values;
  }

  /** A balance as the batch left it (a later one of the same account and asset replaces it). */
  balance(accountId: number, asset: string, free: bigint, locked: bigint, time: number): void {
    let key = this.assetKeys.get(asset);
    if (key === undefined) this.assetKeys.set(asset, (key = this.assetKeys.size));
    // Account ids are below 2^24 (engine.h, EX_MAX_ACCOUNTS): one exact integer per account and asset.
    this.balanceRows.set(key * 2 ** 24 + accountId, { accountId, asset, free, locked, time });
  }

  /** A ledger entry's row (LEDGER_COLUMNS values). */
  ledgerEntry(row: readonly Value[]): void {
    for (let i = 0; i < LEDGER_COLUMNS; i++) this.ledgerValues.push(row[i]!);
    this.ledgerRows++;
  }

  /** A prevented match's row (PREVENTED_MATCH_COLUMNS values). */
  preventedMatch(row: readonly Value[]): void {
    for (let i = 0; i < PREVENTED_MATCH_COLUMNS; i++) this.preventedValues.push(row[i]!);
    this.preventedRows++;
  }

  /** An amendment's row (AMENDMENT_COLUMNS values). */
  amendment(row: readonly Value[]): void {
    for (let i = 0; i < AMENDMENT_COLUMNS; i++) this.amendmentValues.push(row[i]!);
    this.amendmentRows++;
  }

  /** Every row of a batch whose journal is stored is in: its last entry, 0 if it journaled none. */
  endBatch(lastSeq: number): void {
    if (lastSeq > 0) this.projectedSeq = lastSeq;
    if (this.buffered >= this.options.maxBufferedRows) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flushOrDie(), this.options.maxDelayMs);
      this.timer.unref?.();
    }
  }

  /** Writes every buffered row (one transaction). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffered === 0 && this.writtenSeq === this.projectedSeq) return;
    this.writeRows();
    // (The arrays are kept, emptied: a flush every few milliseconds would otherwise make garbage.)
    this.orderValues.length = 0;
    this.orderRows = 0;
    this.orderRow.clear();
    this.tradeValues.length = 0;
    this.tradeRows = 0;
    this.balanceRows.clear();
    this.ledgerValues.length = 0;
    this.ledgerRows = 0;
    this.preventedValues.length = 0;
    this.preventedRows = 0;
    this.amendmentValues.length = 0;
    this.amendmentRows = 0;
    this.writtenSeq = this.projectedSeq;
    this.onWritten(this.writtenSeq);
  }

  private flushOrDie(): void {
    try {
      this.flush();
    } catch (error) {
      this.onFatal(error);
    }
  }
}
