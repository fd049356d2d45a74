// Every read the API makes of the store, as SQLite plans it: none may walk a whole table of orders,
// trades or the ledger, which grow with every order ever placed (a venue that has taken ten million
// orders answers an order list as fast as a new one). One read walks an index on purpose: a closed
// order by its client order id, among its account's orders, newest first (projection-schema.ts). The plans come from
// EXPLAIN QUERY PLAN of the very statements Drizzle sends, caught by its logger (the few statements
// Queries prepares itself read one row by id).
import { expect, test } from "bun:test";
import fc from "fast-check";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { loadMarkets } from "../src/markets";
import { openStorage, type Db, type TablesDb } from "../src/store/database";
import * as schema from "../src/store/schema";
import * as projectionSchema from "../src/store/projection-schema";
import { Queries, type Bucketing } from "../src/store/queries";
import { random } from "../src/random";
import { tempDir } from "./helpers";
import { pushTo } from "../src/collections";

const GROWING = ["orders", "trades", "account_trades", "ledger", "prevented_matches", "order_amendments", "journal", "journal_batches"];

test("no read of the API scans a table that grows with the orders", async () => {
  const storage = openStorage(join(tempDir("exchange-plans-"), "exchange.db"));
  const seen: { sql: string; params: unknown[] }[] = [];
  const logger = { logQuery: (sql: string, params: unknown[]) => void seen.push({ sql, params }) };
  const db = drizzle({ client: storage.sqlite, schema, logger }) as unknown as Db;
  const tables = drizzle({ client: storage.tables, schema: projectionSchema, logger }) as unknown as TablesDb;
  const markets = loadMarkets();
  const q = new Queries(db, tables, markets);
  const symbol = markets.list[0]!.symbol;
  const now = Date.now();
  // A trade of account 3's order 7 a minute ago, so that reads that first find where a window
  // starts go on to their main statement, and a match self-trade prevention stopped, so that
  // reads of the order look its id up. (The plans do not depend on how many rows there are.)
  storage.tables.run(`INSERT INTO orders (id, account_id, symbol, side, type, time_in_force, post_only, price, quantity,
    filled_quantity, status, created_at, updated_at, prevented_quantity) VALUES (7, 3, ?, 'buy', 'limit', 'GTC', 0, 100, 2, 1, 'filled', ?, ?, 1)`, [symbol, now - 60_000, now - 60_000]);
  storage.tables.run(`INSERT INTO trades (id, symbol, price, quantity, taker_order_id, maker_order_id, taker_side, time,
    taker_account_id, maker_account_id) VALUES (5, ?, 100, 1, 7, 6, 'buy', ?, 3, 4)`, [symbol, now - 60_000]);
  storage.tables.run("INSERT INTO account_trades (account_id, trade_id, as_taker) VALUES (3, 5, 1), (4, 5, 0)");
  const reads: [string, () => unknown][] = [
    ["order", () => q.order(7)],
    ["closed orders of an account in a market", () => q.listOrders(3, { symbol, status: "closed", limit: 50 })],
    ["all orders of an account", () => q.listOrders(3, { status: "all", limit: 50 })],
    ["an order list", () => q.orderList(7)],
    ["recent trades", () => q.trades(symbol, 50)],
    ["candles", () => q.candles(symbol, 60_000, 100, now)],
    ["monthly klines", () => q.klines(symbol, { month: true, utcOffset: 0 }, { limit: 12 })],
    ["the newest trades", () => q.tradeHistory(symbol, { limit: 100 })],
    ["trades from an id", () => q.tradeHistory(symbol, { fromId: 5, limit: 100 })],
    ["trades up to a time", () => q.tradeHistory(symbol, { endTime: now, limit: 100 })],
    ["trades up to an id and a time (aggregates, read back)", () => q.tradeHistory(symbol, { toId: 50, endTime: now, limit: 100 })],
    ["trades in a window", () => q.tradeHistory(symbol, { startTime: now - 3_600_000, endTime: now, limit: 100 })],
    ["an account's trades", () => q.accountTrades(3, symbol, { limit: 100 })],
    ["an account's trades from an id", () => q.accountTrades(3, symbol, { fromId: 5, limit: 100 })],
    ["an account's trades in a window", () => q.accountTrades(3, symbol, { startTime: now - 3_600_000, endTime: now, limit: 100 })],
    ["an account's trades up to a time", () => q.accountTrades(3, symbol, { endTime: now, limit: 100 })],
    ["one order's trades", () => q.accountTrades(3, symbol, { orderId: 7, limit: 100 })],
    ["an account's orders in a market", () => q.accountOrders(3, symbol, { limit: 100 })],
    ["an account's orders from an id", () => q.accountOrders(3, symbol, { fromId: 5, limit: 100 })],
    ["an account's orders in a window", () => q.accountOrders(3, symbol, { startTime: now - 3_600_000, endTime: now, limit: 100 })],
    ["an order by its client order id", () => q.orderByClientId(3, "my-order-1")],
    ["an account's order lists", () => q.accountLists(3, { limit: 500 })],
    ["an account's order lists from an id", () => q.accountLists(3, { fromId: 5, limit: 500 })],
    ["an account's order lists in a window", () => q.accountLists(3, { startTime: now - 3_600_000, endTime: now, limit: 500 })],
    ["an account's order lists by a client id", () => q.listByClientId(3, "my-bracket")],
    ["a prevented match", () => q.preventedMatches(3, symbol, { id: 2 })],
    ["an order's prevented matches", () => q.preventedMatches(3, symbol, { orderId: 7, fromId: 1, limit: 500 })],
    ["an order's amendments", () => q.amendments(3, 7, { fromId: 1, limit: 500 })],
    ["the last trade price", () => q.lastTradePrice(symbol)],
    ["the last trade price before a time", () => q.lastTradePriceBefore(symbol, now)],
    ["the first trade's time", () => q.firstTradeTime(symbol)],
    ["an account's ledger", () => q.ledger(3, { limit: 50 })],
    ["the fee account's ledger", () => q.ledger(0, { limit: 50 })],
    ["an account's ledger of one asset", () => q.ledger(3, { asset: markets.list[0]!.base.symbol, limit: 50 })],
    ["a journal page", () => q.journalPage(100, 500)],
    ["the latest snapshot", () => q.latestSnapshot()],
  ];
  // What a read may do beyond searching by a key: the fee account's ledger reads the newest trades
  // (every trade pays it) and stops at the limit; candles sort the trades of their window; the fills
  // of the orders found, and an order's prevented matches, are sorted (a few rows, off the indexes
  // by order).
  const allowed = (name: string, sql: string, detail: string) =>
    (name === "the fee account's ledger" && /^SCAN trades$/.test(detail) && /order by "trades"."id" desc limit/.test(sql)) ||
    (/candles|klines/.test(name) && /^USE TEMP B-TREE/.test(detail)) ||
    ((/"taker_order_id" IN \(SELECT value FROM json_each/.test(sql) || name === "an order's prevented matches") && detail === "USE TEMP B-TREE FOR ORDER BY");
  const problems: string[] = [];
  for (const [name, read] of reads) {
    seen.length = 0;
    read();
    expect(seen.length).toBeGreaterThan(0);
    const details: string[] = [];
    for (const { sql, params } of seen) {
      const client = /"(orders|trades|account_trades|ledger|balances|prevented_matches|order_amendments)"/.test(sql) ? storage.tables : storage.sqlite;
      const explain = client.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const plan = explain.all(...(params as never[])) as { detail: string }[];
      explain.finalize();
      for (const { detail } of plan) {
        details.push(detail);
        const scan = GROWING.includes(/^SCAN (\w+)/.exec(detail)?.[1] ?? "");
        const sort = /^USE TEMP B-TREE/.test(detail) && GROWING.some((t) => sql.includes(`from "${t}"`));
        if ((scan || sort) && !allowed(name, sql, detail)) problems.push(`${name}: ${detail}\n  ${sql}`);
      }
    }
    // An account's lists are read off the index of lists, not among all its orders.
    // An account's lists are read off an index of lists (of their first orders, or of all their
    // orders); which of its trades' orders are in one, off the index of list members alone.
    if (/order lists/.test(name) && !details.some((d) => /orders_account_list(s|_members)_idx/.test(d))) problems.push(`${name}: not off an index of lists: ${details.join("; ")}`);
    if (/account's trades|order's trades/.test(name) && !details.some((d) => d.includes("USING COVERING INDEX orders_account_list_members_idx"))) problems.push(`${name}: its lists not off the index of list members alone: ${details.join("; ")}`);
    // A window of times is read as a range of ids, not from an account's first order or trade.
    if (/window|up to a time/.test(name) && /account/.test(name)) {
      if (!details.some((d) => /\((account_id=\? AND (trade_)?id>\? AND (trade_)?id<\?)\)/.test(d))) problems.push(`${name}: no id range in ${details.join("; ")}`);
    }
  }
  expect(problems).toEqual([]);
  await storage.close();
});

// The reads above take a window of times as a range of ids, which holds because times never
// decrease with ids (the venue's clock never runs back). Here: random orders and trades so
// written, over several accounts and two markets, and every history read against a plain filter
// of all the rows.
test("history reads by id and by time agree with a plain filter of every row", () => {
  const markets = loadMarkets();
  const symbols = [markets.list[0]!.symbol, markets.list[1]!.symbol];
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      const r = random(seed);
      const int = (n: number) => Math.floor(r() * n);
      const storage = openStorage(join(tempDir("exchange-history-"), "exchange.db"));
      try {
        const q = new Queries(storage.db, storage.tablesDb, markets);
        // Half a minute before a month begins at UTC+8 (the candles in time zones below).
        const start = Date.UTC(2023, 10, 30, 15, 59, 30);
        const orderRows: { id: number; account: number; symbol: string; time: number; listHead: boolean; listId: number | null }[] = [];
        const tradeRows: { id: number; symbol: string; time: number; taker: number; maker: number; takerOrder: number; makerOrder: number; price: number; quantity: number; buy: boolean }[] = [];
        let time = start;
        // Ids with gaps (refused orders have no row), several at one time, and idle stretches.
        for (let id = 1; id <= 300; id += 1 + int(3)) {
          time += r() < 0.3 ? 0 : r() < 0.9 ? int(5) : 1_000 + int(5_000);
          orderRows.push({ id, account: 1 + int(3), symbol: symbols[int(2)]!, time, listHead: r() < 0.3, listId: null });
        }
        // A list's orders are its first order's id and the next ones (here: those of the same account).
        for (const [k, o] of orderRows.entries()) {
          if (o.listHead) o.listId = o.id;
          else if (k > 0 && orderRows[k - 1]!.listId !== null && orderRows[k - 1]!.account === o.account && r() < 0.5) o.listId = orderRows[k - 1]!.listId;
        }
        const anOrderOf = (account: number) => {
          const own = orderRows.filter((o) => o.account === account);
          return own.length === 0 ? 0 : own[int(own.length)]!.id;
        };
        const listOf = new Map(orderRows.map((o) => [o.id, o.listId]));
        time = start;
        for (let id = 1; id <= 200; id++) {
          time += r() < 0.3 ? 0 : r() < 0.9 ? int(8) : 1_000 + int(5_000);
          const taker = 1 + int(3), maker = 1 + int(3);
          tradeRows.push({ id, symbol: symbols[int(2)]!, time, taker, maker, takerOrder: anOrderOf(taker), makerOrder: anOrderOf(maker), price: 90 + int(20), quantity: 1 + int(5), buy: r() < 0.5 });
        }
        storage.tables.transaction(() => {
          for (const o of orderRows) {
            storage.tables.run(`INSERT INTO orders (id, account_id, symbol, side, type, time_in_force, post_only, price, quantity,
              filled_quantity, status, created_at, updated_at, list_id) VALUES (?, ?, ?, 'buy', 'limit', 'GTC', 0, 100, 1, 0, 'canceled', ?, ?, ?)`,
              [o.id, o.account, o.symbol, o.time, o.time, o.listId]);
          }
          for (const t of tradeRows) {
            storage.tables.run(`INSERT INTO trades (id, symbol, price, quantity, taker_order_id, maker_order_id, taker_side, time,
              taker_account_id, maker_account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [t.id, t.symbol, t.price, t.quantity, t.takerOrder, t.makerOrder, t.buy ? "buy" : "sell", t.time, t.taker, t.maker]);
            storage.tables.run("INSERT INTO account_trades (account_id, trade_id, as_taker) VALUES (?, ?, 1), (?, ?, 0)", [t.taker, t.id, t.maker, t.id]);
          }
        })();
        const end = Math.max(time, orderRows.at(-1)!.time);
        for (let k = 0; k < 40; k++) {
          const pick = int(4);
          // Half the times are those of rows: a window's ends are inclusive.
          const someTime = () => (r() < 0.5 ? [orderRows, tradeRows][int(2)]!.map((x) => x.time)[int(200)]! : start + int(end - start + 10) - 5);
          const filter = {
            fromId: pick === 1 ? int(320) : undefined,
            startTime: pick === 2 || pick === 3 ? someTime() : undefined,
            endTime: pick === 0 && r() < 0.5 || pick === 3 ? someTime() : undefined,
            limit: 1 + int(60),
          };
          const oldestFirst = filter.fromId !== undefined || filter.startTime !== undefined;
          const inWindow = (id: number, t: number) => (filter.fromId === undefined || id >= filter.fromId) &&
            (filter.startTime === undefined || t >= filter.startTime) && (filter.endTime === undefined || t <= filter.endTime);
          const take = <T>(xs: T[]) => (oldestFirst ? xs.slice(0, filter.limit) : xs.slice(-filter.limit));
          const symbol = symbols[int(2)]!, account = 1 + int(3);

          const trades = take(tradeRows.filter((t) => t.symbol === symbol && inWindow(t.id, t.time))).map((t) => t.id);
          expect(q.tradeHistory(symbol, filter).map((t) => t.id)).toEqual(trades);

          // An account's legs, a self-trade's two included, the taker's first; each with its order's list.
          const legs = tradeRows.filter((t) => t.symbol === symbol && inWindow(t.id, t.time)).flatMap((t) => [
            ...(t.maker === account ? [{ id: t.id, asTaker: false, listId: listOf.get(t.makerOrder) ?? null }] : []),
            ...(t.taker === account ? [{ id: t.id, asTaker: true, listId: listOf.get(t.takerOrder) ?? null }] : []),
          ]);
          const expected = take(legs).sort((a, b) => a.id - b.id || (a.asTaker ? -1 : 1));
          expect(q.accountTrades(account, symbol, filter).map(({ trade, asTaker, listId }) => ({ id: trade.id, asTaker, listId }))).toEqual(expected);

          const orders = take(orderRows.filter((o) => o.account === account && o.symbol === symbol && inWindow(o.id, o.time))).map((o) => o.id);
          expect(q.accountOrders(account, symbol, filter).map((o) => o.id)).toEqual(orders);
          // An account's lists, in every market (a list's id is its first order's).
          const lists = take(orderRows.filter((o) => o.listHead && o.account === account && inWindow(o.id, o.time))).map((o) => o.id);
          expect(q.accountLists(account, filter)).toEqual(lists);

          // Candles (not by id): the trades of the window grouped by interval.
          if (filter.fromId !== undefined) continue;
          // In UTC, and in time zones ahead of it and behind it (Binance's timeZone).
          const bucketings: Bucketing[] = [{ ms: 1_000, origin: 0 }, { ms: 60_000, origin: 0 }, { ms: 7 * 86_400_000, origin: 345_600_000 },
            { ms: 86_400_000, origin: -20_700_000 }, { month: true, utcOffset: 0 }, { month: true, utcOffset: 28_800_000 }, { month: true, utcOffset: -36_000_000 }];
          const bucketing = bucketings[int(bucketings.length)]!;
          const bucketOf = (t: number) => {
            if ("month" in bucketing) {
              const local = new Date(t + bucketing.utcOffset);
              return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - bucketing.utcOffset;
            }
            return Math.floor((t - bucketing.origin) / bucketing.ms) * bucketing.ms + bucketing.origin;
          };
          const buckets = new Map<number, (typeof tradeRows)[number][]>();
          for (const t of tradeRows) if (t.symbol === symbol && inWindow(t.id, t.time)) pushTo(buckets, bucketOf(t.time), t);
          const sum = (ts: (typeof tradeRows)[number][], f: (t: (typeof tradeRows)[number]) => number) => ts.reduce((n, t) => n + f(t), 0);
          const candles = take([...buckets.entries()].sort(([x], [y]) => x - y)).map(([time, ts]) => ({
            time, open: ts[0]!.price, high: Math.max(...ts.map((t) => t.price)), low: Math.min(...ts.map((t) => t.price)), close: ts.at(-1)!.price,
            volume: sum(ts, (t) => t.quantity), trades: ts.length, notional: sum(ts, (t) => t.price * t.quantity),
            takerBuyVolume: sum(ts, (t) => (t.buy ? t.quantity : 0)), takerBuyNotional: sum(ts, (t) => (t.buy ? t.price * t.quantity : 0)),
            firstId: ts[0]!.id, lastId: ts.at(-1)!.id,
          }));
          expect(q.klines(symbol, bucketing, filter).map((k) => ({ ...k }))).toEqual(candles);
        }
      } finally {
        storage.sqlite.close();
        storage.tables.close();
      }
    }),
    { numRuns: 15 },
  );
});
