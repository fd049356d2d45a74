// The hot write path. A batch is durable once its journal record is committed (one small
// transaction appending one row: the batch's commands in one binary record, journal-record.ts):
// then it is answered. The orders and trades it
// changed follow in larger transactions, every few milliseconds or few thousand rows, and before
// anything reads them (Queries calls flush()); after a crash, recovery writes what had not
// followed yet from the journal. A commit per batch touching every index of orders and trades
// cost about 20 B-tree pages per batch; the journal alone costs one or two, and the pages of the
// open orders are written once per interval instead of once per batch.
// Rows go in as multi-row INSERT statements (up to CHUNK rows each), prepared once per row count
// and cached: about twice the rate of one prepared statement per row, and far above Drizzle's
// query builder, which rebuilds SQL on every call (see ../shared/design.md).
import type { Database, Statement } from "bun:sqlite";
import type { JournalEntry } from "../journal";
import { JournalRecordEncoder } from "./journal-record";
import type { OrderState } from "../orders/order";

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

export interface BatchWrite {
  time: number;
  journal: JournalEntry[];
  orders: Iterable<OrderState>;
  trades: TradeRecord[];
  balances: BalanceRecord[];
  ledger: LedgerRecord[];
  /** The highest order id given out so far (kept with the journal: ids are never reused). */
  lastOrderId: number;
  /** Rows of account_requests this batch journaled: deleted with its journal. */
  requests?: number[];
}

const CHUNK = 64;
const ORDER_COLUMNS = 26;
type Value = string | number | null;

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

/** Rows follow their journal within 10 ms. */
export const PROMPT_PROJECTION: WriterOptions = { maxDelayMs: 10, maxBufferedRows: 4096 };
/** While a simulation or a replay runs as fast as it can: fewer, larger transactions. A simulated
 *  population's thousands of accounts spread each transaction's rows over as many index pages,
 *  and a page written for many rows costs little more than for one (BENCHMARKS.md). */
export const BULK_PROJECTION: WriterOptions = { maxDelayMs: 100, maxBufferedRows: 32_768 };

export class BatchWriter {
  private readonly orders: MultiRowInsert;
  private readonly trades: MultiRowInsert;
  private readonly ledger: MultiRowInsert;
  private readonly writeJournal: (batches: BatchWrite[]) => void;
  /** Batches whose journal waits for the next commit (see hold). */
  private held: BatchWrite[] = [];
  private readonly writeProjection: () => void;

  private orderValues: Value[] = [];
  private orderRows = 0;
  /** Row of each buffered order: a later state of it replaces its row, so an order placed and
   *  closed within one interval is written once (and never enters the open-orders index). */
  private orderRow = new Map<number, number>();
  private tradeValues: Value[] = [];
  private tradeRows = 0;
  /** The latest state of each balance a buffered batch changed, by account and asset. */
  private balanceRows = new Map<number, BalanceRecord & { time: number }>();
  /** A small number for each asset symbol seen, for the balance rows' keys (no string per change). */
  private readonly assetKeys = new Map<string, number>();
  private ledgerValues: Value[] = [];
  private ledgerRows = 0;
  /** The last journal entry whose orders and trades are buffered or written. */
  private projectedSeq: number;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** Called when buffered rows cannot be written (from a timer, so nothing else would see it). */
  onFatal: (error: unknown) => void = (error) => {
    throw error;
  };

  constructor(sqlite: Database, projectedSeq: number, private options: WriterOptions = PROMPT_PROJECTION) {
    this.projectedSeq = projectedSeq;
    this.orders = new MultiRowInsert(sqlite,
      `INSERT INTO orders (id, account_id, symbol, side, type, time_in_force, post_only, price, quantity,
         filled_quantity, status, reject_reason, client_order_id, created_at, updated_at,
         self_trade_prevention, quote_quantity, prevented_quantity, decremented_quantity, expire_reason,
         stop_price, trailing_delta, iceberg_quantity, list_id, list_type, triggered)`,
      `ON CONFLICT (id) DO UPDATE SET price = excluded.price, quantity = excluded.quantity,
         filled_quantity = excluded.filled_quantity, status = excluded.status,
         reject_reason = excluded.reject_reason, updated_at = excluded.updated_at,
         prevented_quantity = excluded.prevented_quantity, decremented_quantity = excluded.decremented_quantity,
         expire_reason = excluded.expire_reason, triggered = excluded.triggered`);
    this.trades = new MultiRowInsert(sqlite,
      `INSERT INTO trades (id, symbol, price, quantity, taker_order_id, maker_order_id, taker_side, time, taker_fee, maker_fee,
         taker_account_id, maker_account_id)`);
    // A balance's row nearly always exists (from its first deposit): an UPDATE, and an INSERT
    // only when it changed nothing, costs about two thirds of the multi-row upsert (BENCHMARKS.md).
    const updateBalance = sqlite.prepare("UPDATE balances SET free = ?, locked = ?, updated_at = ? WHERE account_id = ? AND asset = ?");
    const insertBalance = sqlite.prepare("INSERT INTO balances (account_id, asset, free, locked, updated_at) VALUES (?, ?, ?, ?, ?)");
    this.ledger = new MultiRowInsert(sqlite, "INSERT INTO ledger (account_id, asset, kind, amount, time)");
    const projectionMark = sqlite.prepare("UPDATE projection SET seq = ? WHERE id = 1");
    const deleteRequest = sqlite.prepare("DELETE FROM account_requests WHERE id = ?");
    const insertRecord = sqlite.prepare("INSERT INTO journal_batches (last_seq, first_seq, time, last_order_id, entries) VALUES (?, ?, ?, ?, ?)");
    const record = new JournalRecordEncoder();
    this.writeJournal = sqlite.transaction((batches: BatchWrite[]) => {
      for (const batch of batches) {
        const entries = batch.journal;
        if (entries.length) insertRecord.run(entries[entries.length - 1]!.seq, entries[0]!.seq, batch.time, batch.lastOrderId, record.encode(entries));
        for (const id of batch.requests ?? []) deleteRequest.run(id);
      }
    });
    this.writeProjection = sqlite.transaction(() => {
      if (this.orderRows) this.orders.run(this.orderValues, this.orderRows);
      if (this.tradeRows) this.trades.run(this.tradeValues, this.tradeRows);
      for (const b of this.balanceRows.values()) {
        const free = String(b.free), locked = String(b.locked);
        if (updateBalance.run(free, locked, b.time, b.accountId, b.asset).changes === 0) insertBalance.run(b.accountId, b.asset, free, locked, b.time);
      }
      if (this.ledgerRows) this.ledger.run(this.ledgerValues, this.ledgerRows);
      projectionMark.run(this.projectedSeq);
    });
  }

  /** How soon rows follow their journal. */
  get pace(): WriterOptions {
    return this.options;
  }

  /** Changes how soon rows follow their journal (from the next batch on); returns what it was. */
  setPace(options: WriterOptions): WriterOptions {
    const before = this.options;
    this.options = options;
    return before;
  }

  /** The last journal entry whose orders, trades and balances are buffered or written. */
  get projected(): number {
    return this.projectedSeq;
  }

  /** Order and trade rows waiting to be written. */
  get buffered(): number {
    return this.orderRows + this.tradeRows + this.balanceRows.size + this.ledgerRows;
  }

  /** Commits the batch's journal (and those held before it, in the same transaction): when this
   *  returns, they are durable. Their orders and trades are written soon after (see above). */
  commit(batch: BatchWrite): void {
    this.held.push(batch);
    this.commitHeld();
  }

  /** Keeps the batch's journal for the next commit, which writes it with the batches after it in
   *  one transaction (a simulation at full speed: Sequencer.holdCommitsOf). Nothing of it is
   *  written before that, its rows included, so the tables never run ahead of the journal. */
  hold(batch: BatchWrite): void {
    this.held.push(batch);
  }

  /** Batches held for the next commit. */
  get heldBatches(): number {
    return this.held.length;
  }

  /** Commits the held batches' journal, if any. */
  commitHeld(): void {
    if (this.held.length === 0) return;
    const batches = this.held;
    this.writeJournal(batches);
    this.held = [];
    for (const batch of batches) this.project(batch);
  }

  /** Buffers the orders and trades of a batch whose journal is stored (by commit, or long ago: recovery). */
  project(batch: BatchWrite): void {
    const values = this.orderValues;
    for (const o of batch.orders) {
      const row = this.orderRow.get(o.id);
      if (row === undefined) {
        this.orderRow.set(o.id, this.orderRows++);
        values.push(o.id, o.accountId, o.market.symbol, o.side, o.type, o.timeInForce, o.postOnly ? 1 : 0, o.price,
          o.quantity, o.filled, o.status, o.rejectReason, o.clientOrderId, o.createdAt, o.updatedAt,
          o.selfTradePrevention, o.quoteQuantity === null ? null : String(o.quoteQuantity), o.prevented, o.decremented,
          o.expireReason, o.stopPrice, o.trailingDelta, o.icebergQuantity, o.listId, o.listType, o.triggered ? 1 : 0);
      } else {
        // The columns an order's life changes (those the upsert below updates).
        const at = row * ORDER_COLUMNS;
        values[at + 7] = o.price;
        values[at + 8] = o.quantity;
        values[at + 9] = o.filled;
        values[at + 10] = o.status;
        values[at + 11] = o.rejectReason;
        values[at + 14] = o.updatedAt;
        values[at + 17] = o.prevented;
        values[at + 18] = o.decremented;
        values[at + 19] = o.expireReason;
        values[at + 25] = o.triggered ? 1 : 0;
      }
    }
    for (const t of batch.trades) {
      this.tradeValues.push(t.id, t.symbol, t.price, t.quantity, t.takerOrderId, t.makerOrderId, t.takerSide, t.time,
        String(t.takerFee), String(t.makerFee), t.takerAccountId, t.makerAccountId);
      this.tradeRows++;
    }
    for (const b of batch.balances) {
      let asset = this.assetKeys.get(b.asset);
      if (asset === undefined) this.assetKeys.set(b.asset, (asset = this.assetKeys.size));
      // Account ids are below 2^24 (engine.h, EX_MAX_ACCOUNTS): one exact integer per account and asset.
      this.balanceRows.set(asset * 2 ** 24 + b.accountId, { accountId: b.accountId, asset: b.asset, free: b.free, locked: b.locked, time: batch.time });
    }
    for (const l of batch.ledger) {
      this.ledgerValues.push(l.accountId, l.asset, l.kind, String(l.amount), l.time);
      this.ledgerRows++;
    }
    const last = batch.journal[batch.journal.length - 1];
    if (last) this.projectedSeq = last.seq;
    if (this.buffered >= this.options.maxBufferedRows) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flushOrDie(), this.options.maxDelayMs);
      this.timer.unref?.();
    }
  }

  /** Writes every buffered order and trade row (one transaction). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writeProjection();
    this.orderValues = [];
    this.orderRows = 0;
    this.orderRow.clear();
    this.tradeValues = [];
    this.tradeRows = 0;
    this.balanceRows = new Map();
    this.ledgerValues = [];
    this.ledgerRows = 0;
  }

  private flushOrDie(): void {
    try {
      this.flush();
    } catch (error) {
      this.onFatal(error);
    }
  }
}
