// The hot write path: one transaction per batch. Rows go in as multi-row INSERT statements (up to
// CHUNK rows each), prepared once per row count and cached: on this machine that is about twice
// the rate of one prepared statement per row, and far above Drizzle's query builder, which
// rebuilds SQL on every call (see ../shared/design.md).
import type { Database, Statement } from "bun:sqlite";
import type { JournalEntry } from "../journal";
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
}

export interface BatchWrite {
  time: number;
  journal: JournalEntry[];
  orders: Iterable<OrderState>;
  trades: TradeRecord[];
}

const CHUNK = 64;
type Value = string | number | null;

/** A multi-row INSERT: `head` VALUES (…), (…) … `tail`, with a statement per row count. */
class MultiRowInsert {
  private readonly statements: (Statement | undefined)[] = [];
  private readonly row: string;

  constructor(private readonly sqlite: Database, private readonly head: string, columns: number, private readonly tail = "") {
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
      statement.run(...(from === 0 && n === rows ? values : values.slice(from * perRow, (from + n) * perRow)));
    }
  }
}

export class BatchWriter {
  private readonly journal: MultiRowInsert;
  private readonly orders: MultiRowInsert;
  private readonly trades: MultiRowInsert;
  private readonly write: (batch: BatchWrite) => void;

  constructor(sqlite: Database) {
    this.journal = new MultiRowInsert(sqlite,
      "INSERT INTO journal (seq, kind, order_id, symbol, side, time_in_force, flags, price, quantity, time)", 10);
    this.orders = new MultiRowInsert(sqlite,
      `INSERT INTO orders (id, account_id, symbol, side, type, time_in_force, post_only, price, quantity,
         filled_quantity, status, reject_reason, client_order_id, created_at, updated_at)`, 15,
      `ON CONFLICT (id) DO UPDATE SET price = excluded.price, quantity = excluded.quantity,
         filled_quantity = excluded.filled_quantity, status = excluded.status,
         reject_reason = excluded.reject_reason, updated_at = excluded.updated_at`);
    this.trades = new MultiRowInsert(sqlite,
      "INSERT INTO trades (id, symbol, price, quantity, taker_order_id, maker_order_id, taker_side, time)", 8);
    this.write = sqlite.transaction((batch: BatchWrite) => {
      const journal: Value[] = [];
      for (const j of batch.journal) {
        journal.push(j.seq, j.kind, j.orderId, j.symbol, j.side, j.timeInForce, j.flags, j.price, j.quantity, batch.time);
      }
      if (batch.journal.length) this.journal.run(journal, batch.journal.length);
      const orders: Value[] = [];
      let orderRows = 0;
      for (const o of batch.orders) {
        orders.push(o.id, o.accountId, o.market.symbol, o.side, o.type, o.timeInForce, o.postOnly ? 1 : 0, o.price,
          o.quantity, o.filled, o.status, o.rejectReason, o.clientOrderId, o.createdAt, o.updatedAt);
        orderRows++;
      }
      if (orderRows) this.orders.run(orders, orderRows);
      const trades: Value[] = [];
      for (const t of batch.trades) {
        trades.push(t.id, t.symbol, t.price, t.quantity, t.takerOrderId, t.makerOrderId, t.takerSide, t.time);
      }
      if (batch.trades.length) this.trades.run(trades, batch.trades.length);
    });
  }

  /** Writes the batch in one transaction; returns once it is committed. */
  commit(batch: BatchWrite): void {
    this.write(batch);
  }
}
