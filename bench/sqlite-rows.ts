// What SQLite charges per row for the ways the store could write a later state of a row it has
// written before, on the real schema with background checkpoints (as the server runs): the
// multi-row upsert (INSERT ... ON CONFLICT DO UPDATE, the order rows' way) against one prepared
// UPDATE per row (the balances' way, with an INSERT when it changed nothing), for balances and
// for order rows (their ten changing columns).
//   bun bench/sqlite-rows.ts [--accounts 5000] [--rounds 3]
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Database } from "bun:sqlite";
import { openStorage } from "../src/store/database";
import { tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { accounts: { type: "string", default: "5000" }, rounds: { type: "string", default: "3" } } });
const ACCOUNTS = Number(values.accounts), FLUSHES = 400, PER_FLUSH = 260, CHUNK = 64;
type Row = [account: number, asset: string, free: string, locked: string, time: number];

/** µs per row of `write` over FLUSHES transactions of PER_FLUSH changed balances, on a fresh database. */
function time(prepare: (db: Database) => (rows: Row[]) => void): number {
  const storage = openStorage(join(tempDir("exchange-sqlite-rows-"), "exchange.db"), "NORMAL", { backgroundCheckpoints: true });
  const db = storage.sqlite;
  const insert = db.prepare("INSERT INTO balances (account_id, asset, free, locked, updated_at) VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => { for (let a = 1; a <= ACCOUNTS; a++) for (const asset of ["BTC", "USD"]) insert.run(a, asset, "1000000", "0", 0); })();
  const write = db.transaction(prepare(db));
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let ns = 0;
  for (let f = 0; f < FLUSHES; f++) {
    const rows: Row[] = Array.from({ length: PER_FLUSH }, (_, i) => [1 + Math.floor(next() * ACCOUNTS), i % 2 ? "BTC" : "USD", String(f * 1000 + i), "5", f]);
    const started = Bun.nanoseconds();
    write(rows);
    ns += Bun.nanoseconds() - started;
  }
  void storage.close();
  return ns / (FLUSHES * PER_FLUSH) / 1000;
}

/** A multi-row upsert into `table`, CHUNK rows a statement (one prepared per row count). */
function multiRowUpsert(db: Database, table: string, columns: string[], key: string, changing: string[]) {
  const statements = new Map<number, ReturnType<Database["prepare"]>>();
  const row = `(${columns.map(() => "?").join(", ")})`;
  return (rows: unknown[][]) => {
    for (let from = 0; from < rows.length; from += CHUNK) {
      const part = rows.slice(from, from + CHUNK);
      let statement = statements.get(part.length);
      if (!statement) {
        statement = db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${part.map(() => row).join(", ")}
          ON CONFLICT (${key}) DO UPDATE SET ${changing.map((c) => `${c} = excluded.${c}`).join(", ")}`);
        statements.set(part.length, statement);
      }
      statement.run(...(part.flat() as never[]));
    }
  };
}

const upsert = (db: Database) =>
  multiRowUpsert(db, "balances", ["account_id", "asset", "free", "locked", "updated_at"], "account_id, asset", ["free", "locked", "updated_at"]);
const updateFirst = (db: Database) => {
  const update = db.prepare("UPDATE balances SET free = ?, locked = ?, updated_at = ? WHERE account_id = ? AND asset = ?");
  const insert = db.prepare("INSERT INTO balances (account_id, asset, free, locked, updated_at) VALUES (?, ?, ?, ?, ?)");
  return (rows: Row[]) => {
    for (const [account, asset, free, locked, at] of rows) if (update.run(free, locked, at, account, asset).changes === 0) insert.run(account, asset, free, locked, at);
  };
};

// Order rows: 100,000 open orders of 4 accounts, then each flush of 512 moves 512 of them on.
const ORDERS = 100_000, ORDER_FLUSH = 512;
const ORDER_COLUMNS = ["id", "account_id", "symbol", "side", "type", "time_in_force", "post_only", "price", "quantity",
  "filled_quantity", "status", "reject_reason", "client_order_id", "created_at", "updated_at", "self_trade_prevention",
  "quote_quantity", "prevented_quantity", "decremented_quantity", "expire_reason", "stop_price", "trailing_delta",
  "iceberg_quantity", "list_id", "list_type", "triggered"];
const CHANGING = ["price", "quantity", "filled_quantity", "status", "reject_reason", "updated_at", "prevented_quantity",
  "decremented_quantity", "expire_reason", "triggered"];
const orderRow = (id: number, status: string) => [id, 1 + (id % 4), "BTC-USD", id % 2 ? "buy" : "sell", "limit", "GTC", 0,
  10_000 + (id % 10), 10, 0, status, null, null, 0, 0, "none", null, 0, 0, null, null, null, null, null, null, 0];

function timeOrders(byUpdate: boolean): number {
  const storage = openStorage(join(tempDir("exchange-sqlite-rows-"), "exchange.db"), "NORMAL", { backgroundCheckpoints: true });
  const db = storage.sqlite;
  const upsertRows = multiRowUpsert(db, "orders", ORDER_COLUMNS, "id", CHANGING);
  const update = db.prepare(`UPDATE orders SET ${CHANGING.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`);
  const upsertAll = db.transaction((ids: number[], status: string) => upsertRows(ids.map((id) => orderRow(id, status))));
  const updateAll = db.transaction((ids: number[], status: string) => {
    for (const id of ids) update.run(10_000 + (id % 10), 10, 0, status, null, 0, 0, 0, null, 0, id);
  });
  const all = Array.from({ length: ORDERS }, (_, i) => i + 1);
  upsertAll(all, "new");
  let ns = 0;
  for (let from = 0; from < ORDERS; from += ORDER_FLUSH) {
    const ids = all.slice(from, from + ORDER_FLUSH);
    const started = Bun.nanoseconds();
    (byUpdate ? updateAll : upsertAll)(ids, "partially_filled");
    ns += Bun.nanoseconds() - started;
  }
  void storage.close();
  return ns / ORDERS / 1000;
}

const runs = { upsert: [] as number[], updateFirst: [] as number[], orderUpsert: [] as number[], orderUpdate: [] as number[] };
for (let r = 0; r < Number(values.rounds); r++) {
  runs.upsert.push(time(upsert));
  runs.updateFirst.push(time(updateFirst));
  runs.orderUpsert.push(timeOrders(false));
  runs.orderUpdate.push(timeOrders(true));
}
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const show = (xs: number[]) => `${xs.map((x) => x.toFixed(2)).join(" ")} (median ${median(xs).toFixed(2)})`;
console.log(`balances, ${ACCOUNTS} accounts, ${PER_FLUSH} a flush, µs per row: multi-row upsert ${show(runs.upsert)}; update, insert if none ${show(runs.updateFirst)}`);
console.log(`order rows, ${ORDER_FLUSH} a flush, µs per row: multi-row upsert ${show(runs.orderUpsert)}; update ${show(runs.orderUpdate)}`);
