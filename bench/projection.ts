// The write path alone (src/store/journal-writer.ts, src/store/projection-writer.ts) on a real
// SQLite file: what a batch's journal commit costs, and what the orders and trades that follow it cost per row, with every index and with
// the orders indexes dropped one by one (to show what each costs). The flow resembles the
// sustained load scenario: batches of 16 commands, a third of new orders taking a resting one, the
// oldest resting orders cancelled beyond 640, the rows written every 22 batches (~350 orders).
//   bun bench/projection.ts [--windows 200] [--accounts 4]
import { parseArgs } from "node:util";
import { join } from "node:path";
import type { JournalEntry } from "../src/journal";
import { loadMarkets } from "../src/markets";
import type { OrderState } from "../src/orders/order";
import { openStorage } from "../src/store/database";
import { JournalWriter } from "../src/store/journal-writer";
import { ProjectedBatchEncoder, projectBatch } from "../src/store/projected-batch";
import { ProjectionWriter, type TradeRecord } from "../src/store/projection-writer";
import { CommandKind } from "../native/layout";
import { tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { windows: { type: "string", default: "200" }, accounts: { type: "string", default: "4" } } });
const WINDOWS = Number(values.windows);
/** Accounts the orders are spread over: an index by account takes each new row to as many places. */
const ACCOUNTS = Number(values.accounts);
const BATCHES_PER_WINDOW = 22;
const markets = loadMarkets();
const market = markets.list[0]!;
const rows = new ProjectedBatchEncoder();
const NO_BALANCES = new Uint8Array(0);

function run(dropped: string[]) {
  const storage = openStorage(join(tempDir("exchange-projection-"), "exchange.db"));
  for (const index of dropped) storage.tables.exec(`DROP INDEX ${index}`);
  // Both on this thread here (the exchange writes the rows on the projector's), timed apart.
  const writer = new ProjectionWriter(storage.tables, 0, { maxDelayMs: 1e9, maxBufferedRows: 1e9 });
  const journalWriter = new JournalWriter(storage.sqlite, 0, () => {});
  let seq = 0, orderId = 0, tradeId = 0, orderRows = 0, journalNs = 0, flushNs = 0;
  const resting: OrderState[] = [];
  const entry = (kind: number, o: OrderState): JournalEntry => ({
    seq: ++seq, kind, accountId: o.accountId, clientOrderId: null, orderId: o.id, symbol: market.symbol,
    side: 0, timeInForce: 0, flags: 0, price: o.price ?? 0, quantity: o.quantity, stp: 0, amount: null, asset: null,
    trigger: 0, stopPrice: 0, trailingBps: 0, visible: 0, otherId: 0, link: 0, mode: 0, listClientOrderId: null,
  });
  for (let w = 0; w < WINDOWS; w++) {
    for (let b = 0; b < BATCHES_PER_WINDOW; b++) {
      const time = Date.now();
      const journal: JournalEntry[] = [], orders = new Set<OrderState>(), trades: TradeRecord[] = [];
      for (let i = 0; i < 16; i++) {
        if (resting.length > 640 && i % 3 === 2) {
          const o = resting.shift()!;
          o.status = "canceled";
          o.updatedAt = time;
          journal.push(entry(CommandKind.cancel, o));
          orders.add(o);
          continue;
        }
        const id = ++orderId;
        const o: OrderState = {
          id, accountId: 1 + (id % ACCOUNTS), market, side: id % 2 ? "buy" : "sell", type: "limit", timeInForce: "GTC",
          postOnly: false, price: 10_000 + (id % 10), quantity: 10, filled: 0, status: "new", rejectReason: null,
          clientOrderId: null, createdAt: time, updatedAt: time, fills: [],
          selfTradePrevention: "none", quoteQuantity: null, prevented: 0, decremented: 0, preventedMatchId: null, expireReason: null, stopPrice: null, trailingDelta: null, icebergQuantity: null, listId: null, listType: null, listClientOrderId: null, triggered: false, waiting: false, pending: false, amendments: 0, accountSlot: -1,
        };
        journal.push(entry(CommandKind.limit, o));
        orders.add(o);
        const maker = i % 3 === 0 ? resting.shift() : undefined;
        if (maker) {
          o.filled = maker.filled = 10;
          o.status = maker.status = "filled";
          maker.updatedAt = time;
          orders.add(maker);
          trades.push({ id: ++tradeId, symbol: market.symbol, price: maker.price!, quantity: 10, takerOrderId: id, makerOrderId: maker.id, takerSide: o.side, time, takerFee: 2n, makerFee: 1n, takerAccountId: o.accountId, makerAccountId: maker.accountId });
        } else {
          resting.push(o);
        }
      }
      const started = Bun.nanoseconds();
      journalWriter.commit({ time, journal, lastOrderId: 0, rows: new Uint8Array(0) });
      journalNs += Bun.nanoseconds() - started;
      writer.endBatch(projectBatch(rows.encode({ time, lastSeq: seq, orders, trades, ledger: [], preventedMatches: [], amendments: [] }, NO_BALANCES, markets), markets, writer));
    }
    orderRows += writer.buffered;
    const started = Bun.nanoseconds();
    writer.flush();
    flushNs += Bun.nanoseconds() - started;
  }
  void storage.close();
  return { journalPerBatch: journalNs / (WINDOWS * BATCHES_PER_WINDOW) / 1000, flushPerRow: flushNs / orderRows / 1000 };
}

const variants: [string, string[]][] = [
  ["every index", []],
  ["without orders_open_idx", ["orders_open_idx"]],
  ["without orders_account_idx", ["orders_account_idx"]],
  ["without both", ["orders_open_idx", "orders_account_idx"]],
];
console.log("| variant | journal commit per batch of 16 (µs) | orders and trades, per row (µs) |\n| --- | --- | --- |");
for (const [name, dropped] of variants) {
  const r = run(dropped);
  console.log(`| ${name} | ${r.journalPerBatch.toFixed(1)} | ${r.flushPerRow.toFixed(2)} |`);
}
