// The sequencer under concurrency: natural batching, and load shedding with a bounded queue.
import { afterEach, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "../src/core/admission";
import { CommandKind } from "../native/layout";
import { startTestExchange } from "./helpers";

let ex: ReturnType<typeof startTestExchange> | undefined;
afterEach(async () => {
  await ex?.stop();
  ex = undefined;
});

/** The projection file, with the orders and trades that follow the journal written. */
const database = (e: NonNullable<typeof ex>) => {
  e.exchange.writeTables();
  return e.exchange.storage.tables;
};

const body = (i: number) => ({ symbol: "BTC-USD", side: i % 2 ? "buy" : "sell", type: "limit", price: "100.00", quantity: "0.001" });

test("requests that arrive together share a batch: one engine call and one transaction", async () => {
  ex = startTestExchange();
  const key = ex.newAccount();
  const batches: number[] = [];
  ex.exchange.sequencer.onCommitted((report) => {
    // Orders only: the account's funding (its default balances) goes in a batch of its own.
    const orders = report.journal.filter((j) => j.kind === CommandKind.limit || j.kind === CommandKind.market).length;
    if (orders) batches.push(orders);
  });
  const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => ex!.call("POST", "/api/v1/orders", { key, json: body(i) })));
  expect(replies.every((r) => r.status === 201)).toBe(true);
  expect(batches.reduce((a, b) => a + b, 0)).toBe(200);
  expect(batches.length).toBeLessThan(200);
  expect(Math.max(...batches)).toBeGreaterThan(1);
  // 100 buys met 100 sells at one price: everything filled, nothing rests.
  const book = (await ex.call("GET", "/api/v1/markets/BTC-USD/book")).body;
  expect(book.bids).toEqual([]);
  expect(book.asks).toEqual([]);
});

test("a full queue answers 503 with Retry-After at once; every acknowledged order is stored", async () => {
  ex = startTestExchange({ ...DEFAULT_LIMITS, maxQueuedCommands: 8, maxBatchCommands: 8 });
  const key = ex.newAccount();
  const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => ex!.call("POST", "/api/v1/orders", { key, json: { ...body(i), price: "1.00" } })));
  const accepted = replies.filter((r) => r.status === 201);
  const shed = replies.filter((r) => r.status === 503);
  expect(accepted.length + shed.length).toBe(60);
  expect(shed.length).toBeGreaterThan(0);
  expect(shed[0]!.body.error.code).toBe("OVERLOADED");
  expect(shed[0]!.headers.get("retry-after")).toBe("1");
  const stored = database(ex!).query("SELECT id FROM orders ORDER BY id").all().map((r: any) => String(r.id));
  expect(stored).toEqual(accepted.map((r) => r.body.orderId).sort((a, b) => Number(a) - Number(b)));
  // And it still serves.
  expect((await ex.call("POST", "/api/v1/orders", { key, json: body(1) })).status).toBe(201);
});

test("a batch is one job: admitted whole or refused whole, its items answered in order", async () => {
  ex = startTestExchange({ ...DEFAULT_LIMITS, maxQueuedCommands: 8, maxBatchCommands: 8 });
  const key = ex.newAccount();
  const batches: number[] = [];
  ex.exchange.sequencer.onCommitted((report) => {
    // Orders only: the account's funding (its default balances) goes in a batch of its own.
    const orders = report.journal.filter((j) => j.kind === CommandKind.limit || j.kind === CommandKind.market).length;
    if (orders) batches.push(orders);
  });
  const orders = (n: number) => Array.from({ length: n }, (_, i) => ({ ...body(i), price: "1.00", clientOrderId: `c${i % 5}` }));
  const refused = await ex.call("POST", "/api/v1/orders/batch", { key, json: { orders: orders(9) } });
  expect(refused.status).toBe(503);
  expect(refused.body.error.code).toBe("OVERLOADED");
  expect(database(ex!).query("SELECT count(*) AS n FROM orders").get()).toEqual({ n: 0 });

  // 7 items: the third is off tick; the last two reuse the client ids of the first two, which
  // are still open when the batch is admitted (they fill only when it is matched). Answers show
  // each order after the whole batch: the makers filled too.
  const items: unknown[] = orders(7);
  items[2] = { ...(items[2] as object), price: "1.001" };
  const placed = await ex.call("POST", "/api/v1/orders/batch", { key, json: { orders: items } });
  expect(placed.status).toBe(200);
  const results = placed.body.results;
  expect(results.map((r: any) => r.error?.code ?? r.status)).toEqual([
    "filled", "filled", "VALIDATION", "filled", "filled", "DUPLICATE_CLIENT_ORDER_ID", "DUPLICATE_CLIENT_ORDER_ID",
  ]);
  expect(batches).toEqual([4]);
  const stored = database(ex!).query("SELECT id FROM orders ORDER BY id").all().map((r: any) => String(r.id));
  expect(stored).toEqual(results.filter((r: any) => r.orderId).map((r: any) => r.orderId));
});

test("a cancel-all larger than the whole queue still goes in when nothing waits", async () => {
  ex = startTestExchange({ ...DEFAULT_LIMITS, maxQueuedCommands: 8, maxBatchCommands: 8 });
  const key = ex.newAccount();
  for (let i = 0; i < 12; i++) expect((await ex.call("POST", "/api/v1/orders", { key, json: { ...body(0), price: `${1 + i}.00` } })).status).toBe(201);
  const cancelled = await ex.call("DELETE", "/api/v1/orders", { key });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.map((o: any) => o.status)).toEqual(new Array(12).fill("canceled"));
  expect((await ex.call("GET", "/api/v1/markets/BTC-USD/book")).body.asks).toEqual([]);
});

test("stop() answers queued orders after committing them, then refuses new ones", async () => {
  ex = startTestExchange();
  const key = ex.newAccount();
  const inFlight = Array.from({ length: 20 }, (_, i) => ex!.call("POST", "/api/v1/orders", { key, json: body(i) }));
  await Bun.sleep(0);
  const stopped = ex.exchange.sequencer.stop();
  const replies = await Promise.all(inFlight);
  await stopped;
  const ok = replies.filter((r) => r.status === 201).length;
  expect(replies.every((r) => r.status === 201 || (r.status === 503 && r.body.error.code === "SHUTTING_DOWN"))).toBe(true);
  expect(database(ex!).query("SELECT count(*) AS n FROM orders").get()).toEqual({ n: ok });
  // And after stop(), a new order is refused at once, and nothing is stored for it.
  const late = await ex.call("POST", "/api/v1/orders", { key, json: body(0) });
  expect(late.status).toBe(503);
  expect(late.body.error.code).toBe("SHUTTING_DOWN");
  expect(database(ex!).query("SELECT count(*) AS n FROM orders").get()).toEqual({ n: ok });
});

test("batches of the accounts given to holdCommitsOf are answered before their commit, and committed together before anyone else's, before a read, after 10 ms, or when it ends", async () => {
  ex = startTestExchange();
  const { sequencer, storage, accounts, markets, journal, projection, queries, funding } = ex.exchange;
  const participant = accounts.byApiKey(ex.newAccount("participant"))!;
  const user = accounts.byApiKey(ex.newAccount("user"))!;
  await funding.fundPending();
  await Bun.sleep(10);
  const market = markets.get("BTC-USD")!;
  const order = (side: "buy" | "sell", price: string) => ({
    market, side, type: "limit" as const, timeInForce: "GTC" as const, postOnly: false, price: market.priceTicks(price), quantity: market.minQuantityLots,
    quoteQuantity: null, clientOrderId: null, selfTradePrevention: "none" as const, stopPrice: null, trailingDelta: null, icebergQuantity: null,
  });
  await sequencer.submit(user, order("sell", "200")); // (after the accounts' funding)
  const heard: number[] = [];
  sequencer.onCommitted((r) => heard.push(...r.journal.map((e) => e.orderId)));
  // Read straight from SQLite: through Queries, a read commits what is held.
  const journalRows = () => (storage.sqlite.query("SELECT count(*) AS n FROM journal_batches").get() as { n: number }).n;
  const orderRows = (id: number) => (storage.tables.query("SELECT count(*) AS n FROM orders WHERE id = ?").get(id) as { n: number }).n;
  const rows = journalRows();

  // Held without a time limit first, so that only the events under test commit them (a loaded
  // machine may take more than 10 ms between two steps).
  sequencer.holdCommitsOf(new Set([participant.id]), 60_000);
  const a = await sequencer.submit(participant, order("buy", "100"));
  const b = await sequencer.submit(participant, order("buy", "99"));
  expect([a.status, b.status]).toEqual(["new", "new"]);
  projection.waitFor(journal.committedSeq); // (what is committed, not what is held)
  expect({ journal: journalRows(), rows: orderRows(a.id) + orderRows(b.id), heard }).toEqual({ journal: rows, rows: 0, heard: [] });

  // Anyone else's batch is answered once committed, with those held before it, in order: the
  // three batches in one journal row, each entry still there.
  const u = await sequencer.submit(user, order("sell", "101"));
  expect({ journal: journalRows(), heard }).toEqual({ journal: rows + 1, heard: [a.id, b.id, u.id] });
  expect(queries.journalPage(0, 1000).filter((e) => e.kind === CommandKind.limit).map((e) => e.orderId).slice(-3)).toEqual([a.id, b.id, u.id]);

  const c = await sequencer.submit(participant, order("buy", "98"));
  expect(journalRows()).toBe(rows + 1);
  expect(queries.order(c.id)?.status).toBe("new");
  expect({ journal: journalRows(), heard: heard.at(-1) }).toEqual({ journal: rows + 2, heard: c.id });

  sequencer.holdCommitsOf(new Set([participant.id])); // now at most 10 ms
  const d = await sequencer.submit(participant, order("buy", "97"));
  expect(journalRows()).toBe(rows + 2);
  await Bun.sleep(50);
  expect({ journal: journalRows(), heard: heard.at(-1) }).toEqual({ journal: rows + 3, heard: d.id });

  const e = await sequencer.submit(participant, order("buy", "96"));
  sequencer.holdCommitsOf(null);
  expect({ journal: journalRows(), heard: heard.at(-1) }).toEqual({ journal: rows + 4, heard: e.id });
  const f = await sequencer.submit(participant, order("buy", "95"));
  expect({ journal: journalRows(), heard: heard.at(-1) }).toEqual({ journal: rows + 5, heard: f.id });
});
