// Storage: migrations are embedded and complete; pragmas are set as the design says.
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import journal from "../src/store/migrations/meta/_journal.json";
import projectionJournal from "../src/store/projection-migrations/meta/_journal.json";
import { EMBEDDED, EMBEDDED_PROJECTION, migrate } from "../src/store/migrations";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { Database } from "bun:sqlite";
import { openStorage, projectionPath } from "../src/store/database";
import { tempDir } from "./helpers";

test("every migration in the journals and on disk is embedded, for both files", () => {
  for (const [folder, entries, embedded] of [["migrations", journal.entries, EMBEDDED], ["projection-migrations", projectionJournal.entries, EMBEDDED_PROJECTION]] as const) {
    const onDisk = readdirSync(join(import.meta.dir, "../src/store", folder)).filter((f) => f.endsWith(".sql")).map((f) => f.replace(/\.sql$/, ""));
    expect(Object.keys(embedded).sort()).toEqual(entries.map((e) => e.tag).sort());
    expect(onDisk.sort()).toEqual(Object.keys(embedded).sort());
  }
});

test("a new database and its projection file are migrated once, in WAL mode with the chosen synchronous level", () => {
  const path = join(tempDir(), "x.db");
  const names = (db: Database) => db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name").all().map((r: any) => r.name);
  for (const [mode, level] of [["NORMAL", 1], ["FULL", 2]] as const) {
    const s = openStorage(path, mode);
    for (const db of [s.sqlite, s.tables]) {
      expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: level });
    }
    expect(names(s.sqlite)).toEqual(["account_requests", "accounts", "book_samples", "journal", "journal_batches", "snapshots", "sqlite_sequence"]);
    expect(names(s.tables)).toEqual(["account_trades", "balances", "ledger", "order_amendments", "orders", "prevented_matches", "projection", "trades"]);
    expect(s.tables.query("SELECT * FROM projection").all()).toEqual([{ id: 1, seq: 0 }]);
    expect(s.sqlite.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: journal.entries.length });
    expect(s.tables.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: projectionJournal.entries.length });
    s.close();
  }
});

test("the server's storage checkpoints on its own thread, and a clean close leaves no WAL behind", async () => {
  const path = join(tempDir(), "bg.db");
  const s = openStorage(path, "NORMAL", { backgroundCheckpoints: true });
  expect(s.sqlite.query("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 0 });
  s.sqlite.exec("CREATE TABLE filler (x TEXT)");
  const insert = s.sqlite.prepare("INSERT INTO filler (x) VALUES (?)");
  for (let i = 0; i < 200; i++) s.sqlite.transaction(() => insert.run("x".repeat(2000)))();
  for (let waited = 0; s.checkpoints() === 0 && waited < 3000; waited += 50) await Bun.sleep(50);
  expect(s.checkpoints()).toBeGreaterThan(0);
  await s.close();
  expect(Bun.file(`${path}-wal`).size).toBe(0);
});

test("under writes that hardly pause, the WAL still starts over once it passes its bound", async () => {
  // PASSIVE checkpoints alone never catch up with a writer that hardly stops, and SQLite starts
  // the WAL over only once all of it is checkpointed: without the RESTART this grows to tens of MB.
  const path = join(tempDir(), "busy.db");
  const s = openStorage(path, "NORMAL", { backgroundCheckpoints: true, maxWalFrames: 256 });
  s.sqlite.exec("CREATE TABLE filler (x TEXT)");
  const insert = s.sqlite.prepare("INSERT INTO filler (x) VALUES (?)");
  const write = s.sqlite.transaction(() => { for (let i = 0; i < 8; i++) insert.run("x".repeat(2000)); });
  let largest = 0;
  const until = Date.now() + 2500;
  while (Date.now() < until) {
    write();
    largest = Math.max(largest, Bun.file(`${path}-wal`).size);
    await Bun.sleep(1); // the server's thread, too, does other work between its transactions
  }
  expect((s.sqlite.query("SELECT count(*) AS n FROM filler").get() as { n: number }).n * 2000).toBeGreaterThan(8 << 20);
  expect(largest).toBeLessThan(8 << 20);
  await s.close();
});

test("a projection file from before account_trades gets each trade's legs by account, and loses the two indexes it replaces", async () => {
  const path = join(tempDir(), "x.db");
  const old = new Database(projectionPath(path), { create: true });
  migrate(drizzle({ client: old }), "projection", { before: "0001_account_trades" });
  const insert = old.prepare("INSERT INTO trades (id, symbol, price, quantity, taker_order_id, maker_order_id, taker_side, time, taker_account_id, maker_account_id) VALUES (?, 'BTC-USD', 100, 1, ?, ?, 'buy', 1, ?, ?)");
  insert.run(1, 11, 10, 7, 3);
  insert.run(2, 13, 12, 3, 3); // a self-trade: both legs are account 3's
  old.close();
  const s = openStorage(path);
  try {
    expect(s.tables.query("SELECT account_id, trade_id, as_taker FROM account_trades ORDER BY account_id, trade_id, as_taker").all()).toEqual([
      { account_id: 3, trade_id: 1, as_taker: 0 }, { account_id: 3, trade_id: 2, as_taker: 0 }, { account_id: 3, trade_id: 2, as_taker: 1 },
      { account_id: 7, trade_id: 1, as_taker: 1 },
    ]);
    expect(s.tables.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'trades_%account%'").all()).toEqual([]);
  } finally {
    await s.close();
  }
});

test("projection files made by each earlier exchange open: with the client order id index (dropped), or from the interim 0002 without it", async () => {
  const indexes = (db: Database) => db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'orders_%' ORDER BY name").all().map((r: any) => r.name);
  // As 0002_order_lookups left it: both partial indexes of orders.
  const withLookups = join(tempDir(), "a.db");
  const a = new Database(projectionPath(withLookups), { create: true });
  migrate(drizzle({ client: a }), "projection", { before: "0003_order_client_index_dropped" });
  expect(indexes(a)).toContain("orders_client_idx");
  a.close();
  // As a build whose 0002 made only the list index left it (its migration recorded at a later time).
  const interim = join(tempDir(), "b.db");
  const b = new Database(projectionPath(interim), { create: true });
  migrate(drizzle({ client: b }), "projection", { before: "0002_order_lookups" });
  b.exec("CREATE INDEX `orders_list_idx` ON `orders` (`list_id`) WHERE \"orders\".\"list_id\" IS NOT NULL");
  b.exec("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('interim 0002_order_lists', 1796626370349)");
  b.close();
  for (const path of [withLookups, interim, join(tempDir(), "c.db")]) {
    const s = openStorage(path);
    try {
      expect(indexes(s.tables)).toEqual(["orders_account_idx", "orders_account_list_members_idx", "orders_account_lists_idx", "orders_list_idx", "orders_open_idx"]);
    } finally {
      await s.close();
    }
  }
});
