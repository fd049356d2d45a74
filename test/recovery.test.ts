// Restart recovery with a real server process and a real database file: after a graceful stop
// and after kill -9, the books, open orders and trades are exactly what they were; and orders and
// trades that had not followed the journal into their tables yet are rebuilt from it.
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { runCli, EXCHANGE_FROM_SOURCE as SOURCE, spawnExchange, tempDir } from "./helpers";
import { snapshot, trade } from "./trading-scenario";
import { random } from "../src/random";
import { createAccount } from "../src/accounts";
import { DEFAULT_LIMITS } from "../src/core/admission";
import type { Outcome } from "../src/core/outcomes";
import { openExchange, type Exchange } from "../src/exchange";
import { loadMarkets } from "../src/markets";
import { renderOrder, type OrderState } from "../src/orders/order";
import type { OrderRequest } from "../src/orders/validate";
import { projectionPath } from "../src/store/database";
import { migrate } from "../src/store/migrations";

/** A projector that never writes its tables: only the journal has what is acknowledged. */
const UNWRITTEN = { maxDelayMs: 1e9, maxBufferedRows: 1e9 };

/** Leaves an exchange as kill -9 would leave its tables: the projector stopped, nothing written. */
async function abandon(ex: Exchange): Promise<void> {
  ex.projection.terminate();
  ex.engine.close();
  await ex.storage.close();
}

for (const how of ["SIGTERM", "SIGKILL"] as const) {
  test(`books, orders and trades survive a restart after ${how}`, async () => {
    const dir = tempDir();
    const env = { EXCHANGE_DB: join(dir, "exchange.db") };
    const keys = ["a", "b", "c"].map((n) => JSON.parse(runCli([...SOURCE, "accounts", "create", n], dir, env)).apiKey as string);

    const first = await spawnExchange(SOURCE, dir, env);
    await trade(first.call, keys, 120, how === "SIGKILL" ? 7 : 11);
    const before = await snapshot(first.call, keys);
    expect(before.books.some((b) => b.bids.length + b.asks.length > 0)).toBe(true);
    expect(before.trades.some((t) => t.length > 0)).toBe(true);
    first.proc.kill(how);
    expect(await first.proc.exited).toBe(how === "SIGTERM" ? 0 : 137);

    const second = await spawnExchange(SOURCE, dir, env);
    try {
      // A graceful stop leaves a snapshot: the next start replays nothing.
      expect(second.startup).toMatch(how === "SIGTERM" ? /recovered 0 journal entries/ : /recovered [1-9]\d* journal entries/);
      expect(await snapshot(second.call, keys)).toEqual(before);
      // Still trading after recovery, against the recovered books.
      await trade(second.call, keys, 20, 3);
    } finally {
      second.proc.kill("SIGKILL");
      await second.proc.exited;
    }
  });
}

// With a snapshot (every 200 entries: one in this run) too, taken while the tables are behind it:
// the journal behind it stays until they pass it, and a start replays from before it.
test.each([["", undefined], [" past a snapshot ahead of the tables", 200]])("acknowledged batches whose orders and trades were not written yet come back from the journal%s", async (_, snapshotEvery) => {
  // The first exchange never writes its orders and trades tables (as if killed within the few
  // milliseconds they trail the journal); a second one opens the same file and must rebuild them.
  const dbPath = join(tempDir(), "exchange.db");
  const markets = loadMarkets();
  const first = openExchange({ dbPath, markets, projection: UNWRITTEN, snapshots: snapshotEvery ? { everyEntries: snapshotEvery } : undefined });
  const accounts = ["a", "b"].map((name) => ({ id: createAccount(first.storage.db, name).id, name }));
  await first.funding.fundPending(); // the venue's default balances
  const r = random(11);
  const acked = new Map<number, OrderState>();
  for (let round = 0; round < 30; round++) {
    const pending = Array.from({ length: 8 }, (_, i) => {
      const account = accounts[(round + i) % 2]!;
      const open = [...acked.values()].filter((o) => o.accountId === account.id && (o.status === "new" || o.status === "partially_filled"));
      const roll = r();
      if (roll < 0.15 && open.length) return first.sequencer.cancel(account, open[0]!.id).catch(() => null);
      if (roll < 0.25 && open.length) return first.sequencer.amend(account, open[0]!.id, { price: 9_990 + Math.floor(r() * 20), quantity: null }).catch(() => null);
      if (roll > 0.95 && open.length) {
        // Lowered in place, now and then to its filled part (it expires), with a new client order id or not.
        const o = open.at(-1)!;
        const lower = o.filled > 0 && r() < 0.3 ? o.filled : Math.max(1, o.quantity - 1);
        try {
          return first.sequencer.reduce(account, o.id, lower, r() < 0.5 ? `k${round}-${i}` : null).then(({ order }) => order, () => null);
        } catch {
          return null; // (refused before queueing: not lower than its quantity)
        }
      }
      const market = markets.list[Math.floor(r() * 2)]!;
      return first.sequencer.submit(account, {
        market, side: r() < 0.5 ? "buy" : "sell", type: roll < 0.3 ? "market" : "limit", timeInForce: roll < 0.3 ? "IOC" : "GTC",
        postOnly: false, price: roll < 0.3 ? null : 9_990 + Math.floor(r() * 20), quantity: market.minQuantityLots * (1 + Math.floor(r() * 5)),
        clientOrderId: roll > 0.9 ? `c${round}-${i}` : null, quoteQuantity: null, selfTradePrevention: r() < 0.5 ? "none" : "expireMaker", stopPrice: null, trailingDelta: null, icebergQuantity: null,
      }).catch(() => null);
    });
    for (const o of await Promise.all(pending)) if (o) acked.set(o.id, o);
  }
  const books = (ex: Exchange) => markets.list.map((m) => [ex.engine.depth(m.index, 0, 1000), ex.engine.depth(m.index, 1, 1000)]);
  expect(first.projection.written).toBeLessThan(first.journal.committedSeq);
  expect(first.storage.tables.query("SELECT count(*) AS n FROM orders").get()).toEqual({ n: 0 });
  if (snapshotEvery) {
    const snapshots = first.storage.sqlite.query("SELECT seq FROM snapshots").all() as { seq: number }[];
    const kept = first.storage.sqlite.query("SELECT count(*) AS n FROM journal_batches WHERE last_seq <= ?").get(snapshots[0]?.seq ?? 0) as { n: number };
    expect({ snapshots: snapshots.length, ahead: snapshots[0]!.seq > first.projection.written, kept: kept.n > 0 }).toEqual({ snapshots: 1, ahead: true, kept: true });
  }

  const second = openExchange({ dbPath, markets });
  try {
    expect(second.recovered.journalEntries).toBeGreaterThan(200);
    expect(second.recovered.snapshotSeq).toBe(0);
    expect(books(second)).toEqual(books(first));
    // Every balance too, the fee account's included, and as the balances table now stores it.
    for (const id of [0, ...accounts.map((a) => a.id)]) {
      for (const asset of markets.assets.list) expect(second.engine.balance(id, asset.index)).toEqual(first.engine.balance(id, asset.index));
    }
    expect(second.queries.storedBalances().length).toBeGreaterThan(0);
    // Every order as the first exchange last had it (acknowledged, then changed by later batches).
    for (const [id, o] of acked) expect(renderOrder(second.queries.order(id)!)).toEqual(renderOrder(o));
    const trades = second.storage.tables.query("SELECT count(*) AS n FROM trades").get() as { n: number };
    expect(trades.n).toBe(new Set([...acked.values()].flatMap((o) => o.fills.map((f) => f.tradeId))).size);
    expect(trades.n).toBeGreaterThan(0);
    // The prevented matches, under the ids the first gave them: 1 to n, each naming the orders
    // that show it as their last.
    const prevented = second.storage.tables.query("SELECT id, taker_order_id AS taker, maker_order_id AS maker FROM prevented_matches ORDER BY id").all() as { id: number; taker: number; maker: number }[];
    expect(prevented.length).toBeGreaterThan(0);
    expect(prevented.map((p) => p.id)).toEqual(prevented.map((_, i) => i + 1));
    for (const [id, o] of acked) {
      expect(second.queries.order(id)!.preventedMatchId).toBe(o.preventedMatchId);
      if (o.preventedMatchId !== null) expect([prevented[o.preventedMatchId - 1]!.taker, prevented[o.preventedMatchId - 1]!.maker]).toContain(id);
    }
    // The amendments too, 1 to n, each of an order whose last client order id is its last one's.
    const amendments = second.storage.tables.query("SELECT id, order_id AS orderId, new_client_order_id AS clientOrderId FROM order_amendments ORDER BY id").all() as { id: number; orderId: number; clientOrderId: string | null }[];
    expect(amendments.length).toBeGreaterThan(0);
    expect(amendments.map((a) => a.id)).toEqual(amendments.map((_, i) => i + 1));
    for (const a of amendments) expect(second.queries.order(a.orderId)!.clientOrderId).toBe(amendments.findLast((b) => b.orderId === a.orderId)!.clientOrderId);
    // And it goes on: new ids after the recovered ones (in the market the run left alone).
    const order = (side: "buy" | "sell", selfTradePrevention: "none" | "expireTaker") => second.sequencer.submit(accounts[0]!, { market: markets.list[2]!, side, type: "limit", timeInForce: "GTC", postOnly: false, price: 1, quantity: 1, clientOrderId: null, quoteQuantity: null, selfTradePrevention, stopPrice: null, trailingDelta: null, icebergQuantity: null });
    const next = await order("buy", "none");
    expect(next.id).toBeGreaterThan(Math.max(...acked.keys()));
    expect((await order("sell", "expireTaker")).preventedMatchId).toBe(prevented.length + 1);
  } finally {
    await abandon(first);
    await second.close();
  }
});

test("a start restores the newest snapshot and replays only the journal after it; the journal behind it is pruned", async () => {
  const dir = tempDir();
  const env = { EXCHANGE_DB: join(dir, "exchange.db") };
  const keys = ["a", "b", "c"].map((n) => JSON.parse(runCli([...SOURCE, "accounts", "create", n], dir, env)).apiKey as string);
  const args = ["serve", "--port", "0", "--snapshot-every", "100"];
  const first = await spawnExchange(SOURCE, dir, env, args);
  await trade(first.call, keys, 150, 5);
  const before = await snapshot(first.call, keys);
  // The 24-hour figures come back from the snapshot's copy and the trades after it.
  // (Less the window's ends, which move with the clock: the restart may cross a minute.)
  const dayFigures = async (call: typeof first.call) => {
    const { closeTime: _, openTime: __, ...t } = (await call("GET", "/api/v3/ticker/24hr?symbol=BTCUSD")).body;
    return t;
  };
  const figuresBefore = await dayFigures(first.call);
  expect(figuresBefore.count).toBeGreaterThan(0);
  first.proc.kill("SIGKILL");
  await first.proc.exited;

  const { Database } = await import("bun:sqlite");
  const db = new Database(env.EXCHANGE_DB, { readonly: true });
  const newest = db.query("SELECT max(seq) AS seq FROM snapshots").get() as { seq: number | null };
  const snapshots = (db.query("SELECT count(*) AS n FROM snapshots").get() as { n: number }).n;
  const behind = (db.query("SELECT count(*) AS n FROM journal_batches WHERE last_seq <= ?").get(newest.seq ?? 0) as { n: number }).n;
  const after = (db.query("SELECT count(*) AS n FROM journal_batches WHERE last_seq > ?").get(newest.seq ?? 0) as { n: number }).n;
  db.close();
  expect(newest.seq).toBeGreaterThan(100);
  expect(snapshots).toBe(1);
  expect(behind).toBe(0);

  const second = await spawnExchange(SOURCE, dir, env, args);
  try {
    const replayed = Number(/recovered (\d+) journal entries/.exec(second.startup)![1]);
    // Only the tail: less than the snapshot interval's worth of batches (each at least one entry).
    // (Said with what a failure needs to be read: where the snapshot was, and the journal after it.)
    const tail = `${replayed} entries replayed; the snapshot at entry ${newest.seq}, ${after} batches after it`;
    expect(replayed < 100 + 64 ? "the tail" : tail).toBe("the tail");
    expect(after === 0 ? replayed === 0 : replayed > 0).toBe(true);
    expect(await snapshot(second.call, keys)).toEqual(before);
    expect(await dayFigures(second.call)).toEqual(figuresBefore);
    await trade(second.call, keys, 20, 3);
  } finally {
    second.proc.kill("SIGKILL");
    await second.proc.exited;
  }
});

test("snapshots are taken while the tables are behind; the journal behind the newest they pass goes a slice at a time, oldest first; a crash between two slices loses nothing", async () => {
  const dbPath = join(tempDir(), "exchange.db");
  const markets = loadMarkets();
  // The tables are written only when waited for, so that the prune starts where this test says.
  const options = { dbPath, markets, projection: UNWRITTEN, snapshots: { everyEntries: 40, pruneSlice: 7, pruneEveryMs: 0 } };
  const first = openExchange(options);
  const alice = createAccount(first.storage.db, "alice");
  await first.funding.fundPending(alice.id);
  const market = first.markets.get("BTC-USD")!;
  const place = (ex: Exchange, i: number) => ex.sequencer.submit(alice, { market, side: i % 2 ? "buy" : "sell", type: "limit", timeInForce: "GTC", postOnly: false,
    price: i % 2 ? 1_000_000 - i : 2_000_000 + i, quantity: 1 + (i % 5), quoteQuantity: null, clientOrderId: null, selfTradePrevention: "none", stopPrice: null, trailingDelta: null, icebergQuantity: null });
  const count = (ex: Exchange, sql: string) => (ex.storage.sqlite.query(sql).get() as { n: number }).n;
  const behind = (ex: Exchange) => count(ex, "SELECT count(*) AS n FROM journal_batches WHERE last_seq <= (SELECT max(seq) FROM snapshots)");
  const oldest = (ex: Exchange) => count(ex, "SELECT min(first_seq) AS n FROM journal_batches");

  for (let i = 0; i < 45; i++) await place(first, i); // one batch (and journal row) each
  const olderSeq = count(first, "SELECT max(seq) AS n FROM snapshots");
  // The next, taken though the tables are not past this one (nothing waited for them): both stay.
  for (let i = 45; i < 90; i++) await place(first, i);
  expect(count(first, "SELECT count(*) AS n FROM snapshots")).toBe(2);
  expect(first.projection.written).toBeLessThan(olderSeq);
  const snapshotSeq = count(first, "SELECT max(seq) AS n FROM snapshots");
  first.writeTables();
  const rows = behind(first);
  expect(rows).toBeGreaterThan(7);
  // Each call deletes the next 7 entries' rows, the oldest first, until none is left behind it.
  let from = oldest(first);
  for (let step = 1; behind(first) > 0; step++) {
    expect(step).toBeLessThanOrEqual(Math.ceil(rows / 7) + 1);
    first.snapshots.prunePassed();
    const now = oldest(first);
    expect(now === null || now > from).toBe(true);
    from = now;
  }
  // Nothing after the snapshot went with it (one entry a batch here).
  expect(oldest(first)).toBe(snapshotSeq + 1);

  expect(count(first, "SELECT count(*) AS n FROM snapshots")).toBe(1);

  // A third snapshot, its prune begun (the one before goes at once), then a crash.
  for (let i = 90; i < 135; i++) await place(first, i);
  expect(count(first, "SELECT min(seq) AS n FROM snapshots")).toBe(snapshotSeq);
  first.writeTables();
  const rowsBehind = behind(first);
  first.snapshots.prunePassed();
  expect(count(first, "SELECT count(*) AS n FROM snapshots")).toBe(1);
  expect(behind(first)).toBeGreaterThan(0);
  expect(behind(first)).toBeLessThan(rowsBehind);
  const open = first.sequencer.openOrders().map((o) => [o.id, o.price, o.quantity]);
  const balances = [0, 1].map((asset) => first.engine.balance(alice.id, asset));
  await abandon(first);

  const second = openExchange({ ...options, projection: undefined });
  try {
    expect(second.recovered.snapshotSeq).toBe(count(second, "SELECT max(seq) AS n FROM snapshots"));
    expect(second.sequencer.openOrders().map((o) => [o.id, o.price, o.quantity])).toEqual(open);
    expect([0, 1].map((asset) => second.engine.balance(alice.id, asset))).toEqual(balances);
    await place(second, 135);
  } finally {
    await second.close(); // a clean stop prunes to its snapshot, whole
  }
  const db = new Database(dbPath, { readonly: true });
  expect((db.query("SELECT count(*) AS n FROM journal_batches").get() as { n: number }).n).toBe(0);
  db.close();
});

/** Turns a database and its projection file into one file of the layout before the projection
 *  file (migrations up to 0010, every table in the database file), as an older exchange left it. */
function toOneFile(path: string): void {
  const old = `${path}.old`;
  const db = new Database(old, { create: true });
  migrate(drizzle({ client: db }), "database", { before: "0011_projection_file" });
  db.exec(`ATTACH DATABASE '${path}' AS n`);
  db.exec(`ATTACH DATABASE '${projectionPath(path)}' AS p`);
  const tables = (schema: string) => (db.query(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name <> 'sqlite_sequence'`).all() as { name: string }[]).map((t) => t.name);
  for (const t of tables("n")) db.exec(`INSERT INTO main.${t} SELECT * FROM n.${t}`);
  const oldTables = new Set(tables("main"));
  for (const t of tables("p")) {
    // (account_trades came after the projection file: the old layout has no such table.)
    if (t === "projection" || !oldTables.has(t)) continue;
    // (Nor do columns added since: prevented_match_id.)
    const oldColumns = new Set((db.query(`PRAGMA main.table_info(${t})`).all() as { name: string }[]).map((c) => c.name));
    const columns = (db.query(`PRAGMA p.table_info(${t})`).all() as { name: string }[]).map((c) => c.name).filter((c) => oldColumns.has(c)).join(", ");
    db.exec(`INSERT INTO main.${t} (${columns}) SELECT ${columns} FROM p.${t}`);
  }
  db.exec("UPDATE main.projection SET seq = (SELECT seq FROM p.projection)");
  db.exec("DETACH DATABASE n");
  db.exec("DETACH DATABASE p");
  db.close();
  for (const suffix of ["", "-wal", "-shm", "-projection", "-projection-wal", "-projection-shm"]) rmSync(`${path}${suffix}`, { force: true });
  renameSync(old, path);
}

test("a database written before the projection file: its tables move into it once, and everything comes back", async () => {
  const dir = tempDir();
  const env = { EXCHANGE_DB: join(dir, "exchange.db") };
  const keys = ["a", "b", "c"].map((n) => JSON.parse(runCli([...SOURCE, "accounts", "create", n], dir, env)).apiKey as string);
  // A clean stop leaves a snapshot and prunes the journal behind it: those orders and trades are
  // in the tables alone. Then more, and a kill, so that the journal's tail is not all written.
  const first = await spawnExchange(SOURCE, dir, env);
  await trade(first.call, keys, 80, 13);
  first.proc.kill("SIGTERM");
  await first.proc.exited;
  const second = await spawnExchange(SOURCE, dir, env);
  await trade(second.call, keys, 60, 17);
  const before = await snapshot(second.call, keys);
  expect(before.trades.some((t) => t.length > 0)).toBe(true);
  second.proc.kill("SIGKILL");
  await second.proc.exited;
  toOneFile(env.EXCHANGE_DB);
  const inOne = new Database(env.EXCHANGE_DB, { readonly: true });
  const stored = (inOne.query("SELECT count(*) AS n FROM orders").get() as { n: number }).n;
  inOne.close();
  expect(stored).toBeGreaterThan(0);

  for (let start = 0; start < 2; start++) {
    const next = await spawnExchange(SOURCE, dir, env);
    try {
      expect(await snapshot(next.call, keys)).toEqual(before);
    } finally {
      next.proc.kill("SIGKILL");
      await next.proc.exited;
    }
    const database = new Database(env.EXCHANGE_DB, { readonly: true }), projection = new Database(projectionPath(env.EXCHANGE_DB), { readonly: true });
    expect(database.query("SELECT name FROM sqlite_master WHERE name IN ('orders', 'trades', 'balances', 'ledger', 'projection')").all()).toEqual([]);
    expect((projection.query("SELECT count(*) AS n FROM orders").get() as { n: number }).n).toBeGreaterThanOrEqual(stored);
    database.close();
    projection.close();
  }
});

test("a projection file left from another database (only the database file removed) is refused with a reason", async () => {
  const dbPath = join(tempDir(), "exchange.db");
  const first = openExchange({ dbPath, markets: loadMarkets() });
  const alice = createAccount(first.storage.db, "alice");
  await first.funding.fundPending(alice.id);
  await first.close();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
  expect(() => openExchange({ dbPath, markets: loadMarkets() })).toThrow(/belongs to another database.*Remove it too/);
  rmSync(projectionPath(dbPath));
  const fresh = openExchange({ dbPath, markets: loadMarkets() });
  expect(fresh.recovered.journalEntries).toBe(0);
  await fresh.close();
});

test("after a snapshot, markets may be added at the end of the markets file; reordering them is refused with a reason", async () => {
  const dir = tempDir();
  const file = (specs: object[]) => {
    const path = join(dir, `markets-${specs.length}-${Date.now()}.json`);
    require("node:fs").writeFileSync(path, JSON.stringify(specs));
    return path;
  };
  const btc = { symbol: "BTC-USD", baseAsset: "BTC", quoteAsset: "USD", tickSize: "0.01", stepSize: "0.0001", minQuantity: "0.0001" };
  const eth = { symbol: "ETH-USD", baseAsset: "ETH", quoteAsset: "USD", tickSize: "0.01", stepSize: "0.001", minQuantity: "0.001" };
  const doge = { symbol: "DOGE-USD", baseAsset: "DOGE", quoteAsset: "USD", tickSize: "0.0001", stepSize: "1", minQuantity: "1" };
  const dbPath = join(dir, "exchange.db");
  const first = openExchange({ dbPath, markets: loadMarkets(file([btc, eth])) });
  const alice = createAccount(first.storage.db, "alice");
  await first.funding.fundPending(alice.id);
  const placed = await first.sequencer.submit(alice, { market: first.markets.get("ETH-USD")!, side: "buy", type: "limit", timeInForce: "GTC", postOnly: false,
    price: 150_000, quantity: 2_000, quoteQuantity: null, clientOrderId: null, selfTradePrevention: "none", stopPrice: null, trailingDelta: null, icebergQuantity: null });
  await first.close(); // a clean stop: a snapshot, the journal pruned behind it

  const added = openExchange({ dbPath, markets: loadMarkets(file([btc, eth, doge])) });
  expect(added.recovered.snapshotSeq).toBeGreaterThan(0);
  expect(added.engine.liveOrder(placed.id)?.remaining).toBe(2_000);
  expect(added.engine.depth(added.markets.get("DOGE-USD")!.index, 1, 10)).toEqual([]);
  await added.close();

  expect(() => openExchange({ dbPath, markets: loadMarkets(file([eth, btc, doge])) })).toThrow(/add new ones after them/);
});

test("an order is lowered in place at most the venue's limit of times: asked all at once, and counted again after a restart, from the tables or from the journal", async () => {
  const dbPath = join(tempDir(), "exchange.db");
  const markets = loadMarkets();
  const limits = { ...DEFAULT_LIMITS, maxAmendmentsPerOrder: 3 };
  const open = (projection?: { maxDelayMs: number; maxBufferedRows: number }) => openExchange({ dbPath, markets, limits, projection });
  // (A refusal before queueing is thrown, not returned: both become a rejected promise here.)
  const lower = (ex: Exchange, id: number, quantity: number) => Promise.resolve().then(() => ex.sequencer.reduce(account, id, quantity, null));
  const codes = async (ex: Exchange, id: number, quantities: number[]) =>
    (await Promise.allSettled(quantities.map((q) => lower(ex, id, q)))).map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as Outcome).code));
  const sell = (ex: Exchange) => ex.sequencer.submit(account, {
    market: markets.list[0]!, side: "sell", type: "limit", timeInForce: "GTC", postOnly: false, price: 1_000_000, quantity: 100,
    clientOrderId: null, quoteQuantity: null, selfTradePrevention: "none", stopPrice: null, trailingDelta: null, icebergQuantity: null,
  });

  const first = open();
  const account = { id: createAccount(first.storage.db, "a").id, name: "a" };
  await first.funding.fundPending();
  const a = await sell(first);
  expect(await codes(first, a.id, [99, 98, 97, 96, 95])).toEqual(["ok", "ok", "ok", "TOO_MANY_AMENDMENTS", "TOO_MANY_AMENDMENTS"]);
  expect(a.quantity).toBe(97);
  const b = await sell(first);
  expect(await codes(first, b.id, [99, 98])).toEqual(["ok", "ok"]);
  await first.close();

  // From the tables (a clean stop wrote them); then amendments the tables will not have seen.
  const second = open(UNWRITTEN);
  expect(await codes(second, a.id, [90])).toEqual(["TOO_MANY_AMENDMENTS"]);
  const c = await sell(second);
  expect(await codes(second, c.id, [99, 98])).toEqual(["ok", "ok"]);
  expect(second.projection.written).toBeLessThan(second.journal.committedSeq);
  await abandon(second);

  // From the journal replayed at start (its amendments of c were never written to the tables).
  const third = open();
  try {
    expect(await codes(third, b.id, [97, 96])).toEqual(["ok", "TOO_MANY_AMENDMENTS"]);
    expect(await codes(third, c.id, [97, 96])).toEqual(["ok", "TOO_MANY_AMENDMENTS"]);
  } finally {
    await third.close();
  }
});

test("order lists of every type come back from the journal with their type (an OTOCO's from its second entry's link, an OPO's from its first's flag), client id and pending orders, and go on working", async () => {
  const dbPath = join(tempDir(), "exchange.db");
  const markets = loadMarkets();
  const market = markets.list[0]!;
  const open = (projection?: { maxDelayMs: number; maxBufferedRows: number }) => openExchange({ dbPath, markets, projection });
  const request = (side: "buy" | "sell", price: number, extra: Partial<OrderRequest> = {}): OrderRequest => ({
    market, side, type: "limit", timeInForce: "GTC", postOnly: false, price, quantity: 100, clientOrderId: null, quoteQuantity: null,
    selfTradePrevention: "none", stopPrice: null, trailingDelta: null, icebergQuantity: null, ...extra,
  });
  const takeProfit = request("sell", 1_100_000, { postOnly: true });
  const stopLoss = request("sell", 0, { type: "stop_loss", timeInForce: "IOC", price: null, stopPrice: 900_000 });

  // Placed while the tables are never written: only the journal has them.
  const first = open(UNWRITTEN);
  const account = { id: createAccount(first.storage.db, "a").id, name: "a" };
  const other = { id: createAccount(first.storage.db, "b").id, name: "b" };
  await first.funding.fundPending();
  const lists = [
    await first.sequencer.submitList(account, "oco", [takeProfit, stopLoss], "my-oco"),
    await first.sequencer.submitList(account, "oto", [request("buy", 980_000), takeProfit]),
    await first.sequencer.submitList(account, "otoco", [request("buy", 990_000), takeProfit, stopLoss], "my-bracket"),
    await first.sequencer.submitList(account, "opo", [request("buy", 970_000), { ...takeProfit, quantity: 0 }]),
    await first.sequencer.submitList(account, "opoco", [request("buy", 960_000), { ...takeProfit, quantity: 0 }, { ...stopLoss, quantity: 0 }]),
  ];
  const shape = (orders: OrderState[]) => orders.map((o) => ({ id: o.id, listId: o.listId, listType: o.listType, listClientOrderId: o.listClientOrderId, status: o.status, waiting: o.waiting, pending: o.pending }));
  const was = lists.map(shape);
  expect(was.map((l) => l.map((o) => o.listType))).toEqual([["oco", "oco"], ["oto", "oto"], ["otoco", "otoco", "otoco"], ["opo", "opo"], ["opoco", "opoco", "opoco"]]);
  expect(was.map((l) => l.map((o) => o.listClientOrderId))).toEqual([["my-oco", "my-oco"], [null, null], ["my-bracket", "my-bracket", "my-bracket"], [null, null], [null, null, null]]);
  expect(was.map((l) => l.map((o) => o.pending))).toEqual([[false, false], [false, true], [false, true, true], [false, true], [false, true, true]]);
  // An open list's client id is the list's while it is open.
  expect(() => first.sequencer.submitList(account, "oco", [takeProfit, stopLoss], "my-oco")).toThrow(/listClientOrderId/);
  expect(first.projection.written).toBeLessThan(first.journal.committedSeq);
  await abandon(first);

  const second = open();
  try {
    expect(lists.map((l) => shape(l.map((o) => second.sequencer.registry.get(o.id)!)))).toEqual(was);
    // The OTOCO's entry fills: its pair is placed.
    const otoco = lists[2]!;
    expect((await second.sequencer.submit(other, request("sell", 990_000))).status).toBe("filled");
    const stored = second.queries.orderList(otoco[0]!.id, await second.readable(second.journal.committedSeq));
    expect(stored.map((o) => [o.listType, o.listClientOrderId, o.status])).toEqual([["otoco", "my-bracket", "filled"], ["otoco", "my-bracket", "new"], ["otoco", "my-bracket", "new"]]);
    expect(second.queries.listByClientId(account.id, "my-bracket")).toBe(otoco[0]!.id);
    // The take-profit rests; the stop-loss waits for its trigger.
    expect(otoco.slice(1).map((o) => second.sequencer.registry.get(o.id)!.waiting)).toEqual([false, true]);
    expect(second.engine.depth(market.index, 1, 10)).toEqual([[1_100_000, 200]]); // (the OCO's take-profit and this one)
    // The OTO's and the OPO's working orders fill: the OPO's pending order sells what it bought,
    // less the maker fee, in whole lots.
    expect((await second.sequencer.submit(other, request("sell", 970_000, { quantity: 200 }))).status).toBe("filled");
    const lot = BigInt(market.lotUnits), bought = 100n * lot;
    const paid = Number((bought - (bought * BigInt(market.makerFeeBps) + 9_999n) / 10_000n) / lot);
    const opo = second.queries.orderList(lists[3]![0]!.id, await second.readable(second.journal.committedSeq));
    expect(opo.map((o) => [o.listType, o.status, o.quantity])).toEqual([["opo", "filled", 100], ["opo", "new", paid]]);
    expect(paid).toBeLessThan(100);
    expect(second.engine.depth(market.index, 1, 10)).toEqual([[1_100_000, 300 + paid]]);
  } finally {
    await second.close();
  }
});
