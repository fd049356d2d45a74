// The HTTP API against a real server on loopback, a real engine and a real SQLite file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestExchange } from "./helpers";

let ex: ReturnType<typeof startTestExchange>;
let alice: string, bob: string;
beforeAll(() => {
  ex = startTestExchange();
  alice = ex.newAccount("alice");
  bob = ex.newAccount("bob");
});
afterAll(() => ex.stop());

const order = (key: string, body: Record<string, unknown>) => ex.call("POST", "/api/v1/orders", { key, json: body });
const limit = (key: string, symbol: string, side: string, price: string, quantity: string, extra: Record<string, unknown> = {}) =>
  order(key, { symbol, side, type: "limit", price, quantity, ...extra });
const book = async (symbol: string) => (await ex.call("GET", `/api/v1/markets/${symbol}/book`)).body;
const tableCounts = () => ({
  flushed: ex.exchange.writeTables(),
  orders: ex.exchange.storage.tables.query("SELECT count(*) AS n FROM orders").get(),
  journal: ex.exchange.storage.sqlite.query("SELECT count(*) AS n, coalesce(max(last_seq), 0) AS seq FROM journal_batches").get(),
});

describe("markets", () => {
  test("lists the built-in markets", async () => {
    const r = await ex.call("GET", "/api/v1/markets");
    expect(r.status).toBe(200);
    expect(r.body.map((m: any) => m.symbol)).toEqual(["BTC-USD", "ETH-USD", "SOL-USD"]);
    expect(r.body[2]).toEqual({
      symbol: "SOL-USD", baseAsset: "SOL", quoteAsset: "USD", tickSize: "0.001", stepSize: "0.01", minQuantity: "0.01", status: "trading",
      basePrecision: "0.00000001", quotePrecision: "0.000001", makerFeeBps: 10, takerFeeBps: 20, selfTradePrevention: "none",
      binanceSymbol: "SOLUSD", // by default its base and quote joined
    });
  });

  test("unknown symbols are 404 UNKNOWN_SYMBOL", async () => {
    for (const path of ["book", "trades", "ticker"]) {
      const r = await ex.call("GET", `/api/v1/markets/DOGE-USD/${path}`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("UNKNOWN_SYMBOL");
    }
  });

  test("health is ok", async () => {
    expect((await ex.call("GET", "/health")).body).toEqual({ status: "ok" });
  });
});

describe("trading", () => {
  test("a market order fills against resting orders at their prices, best first", async () => {
    const s1 = await limit(alice, "ETH-USD", "sell", "2000.10", "1.5");
    const s2 = await limit(alice, "ETH-USD", "sell", "2000.05", "1");
    expect(s1.status).toBe(201);
    expect(s1.body).toMatchObject({ status: "new", price: "2000.10", quantity: "1.500", remainingQuantity: "1.500", averagePrice: null, timeInForce: "GTC" });
    const before = await book("ETH-USD");
    expect(before.asks).toEqual([["2000.05", "1.000"], ["2000.10", "1.500"]]);

    const buy = await order(bob, { symbol: "ETH-USD", side: "buy", type: "market", quantity: "2" });
    expect(buy.status).toBe(201);
    expect(buy.body).toMatchObject({ status: "filled", filledQuantity: "2.000", timeInForce: "IOC", price: null });
    expect(buy.body.fills.map((f: any) => [f.price, f.quantity, f.liquidity])).toEqual([["2000.05", "1.000", "taker"], ["2000.10", "1.000", "taker"]]);
    expect(buy.body.averagePrice).toBe("2000.075");

    const after = await book("ETH-USD");
    expect(after.asks).toEqual([["2000.10", "0.500"]]);
    expect(after.sequence).toBeGreaterThan(before.sequence);

    const better = await ex.call("GET", `/api/v1/orders/${s2.body.orderId}`, { key: alice });
    expect(better.body).toMatchObject({ status: "filled", filledQuantity: "1.000", averagePrice: "2000.05" });
    const maker = await ex.call("GET", `/api/v1/orders/${s1.body.orderId}`, { key: alice });
    expect(maker.body).toMatchObject({ status: "partially_filled", filledQuantity: "1.000", remainingQuantity: "0.500" });
    expect(maker.body.fills[0].liquidity).toBe("maker");

    const trades = await ex.call("GET", "/api/v1/markets/ETH-USD/trades");
    expect(trades.body.map((t: any) => [t.price, t.quantity, t.takerSide])).toEqual([["2000.10", "1.000", "buy"], ["2000.05", "1.000", "buy"]]);
    const ticker = await ex.call("GET", "/api/v1/markets/ETH-USD/ticker");
    expect(ticker.body).toMatchObject({ symbol: "ETH-USD", bestBid: null, bestAsk: "2000.10", lastPrice: "2000.10", volume24h: "2.000", sequence: after.sequence });
  });

  test("IOC expires its remainder, FOK fills all or nothing, post-only never takes", async () => {
    await limit(alice, "SOL-USD", "sell", "150.000", "10");
    const ioc = await limit(bob, "SOL-USD", "buy", "150.000", "15", { timeInForce: "IOC" });
    expect(ioc.body).toMatchObject({ status: "expired", filledQuantity: "10.00", remainingQuantity: "0.00" });
    await limit(alice, "SOL-USD", "sell", "151.000", "5");
    const fok = await limit(bob, "SOL-USD", "buy", "151.000", "6", { timeInForce: "FOK" });
    expect(fok.body).toMatchObject({ status: "expired", filledQuantity: "0.00", fills: [] });
    const post = await limit(bob, "SOL-USD", "buy", "151.000", "1", { postOnly: true });
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({ status: "rejected", rejectReason: "POST_ONLY_WOULD_TAKE" });
    const rests = await limit(bob, "SOL-USD", "buy", "150.999", "1", { postOnly: true });
    expect(rests.body).toMatchObject({ status: "new", postOnly: true });
    expect((await book("SOL-USD")).bids).toEqual([["150.999", "1.00"]]);
  });

  test("amend: lower quantity keeps priority, a new price loses it; at or below filled is 400", async () => {
    const a = await limit(alice, "BTC-USD", "buy", "100.00", "1");
    const b = await limit(bob, "BTC-USD", "buy", "100.00", "1");
    const lowered = await ex.call("PATCH", `/api/v1/orders/${a.body.orderId}`, { key: alice, json: { quantity: "0.5" } });
    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ quantity: "0.5000", remainingQuantity: "0.5000", price: "100.00" });
    const hit = await order(bob, { symbol: "BTC-USD", side: "sell", type: "limit", price: "100.00", quantity: "0.1", timeInForce: "IOC" });
    expect(hit.body.fills).toHaveLength(1);
    expect((await ex.call("GET", `/api/v1/orders/${a.body.orderId}`, { key: alice })).body.filledQuantity).toBe("0.1000");

    // Moving away and back sends alice behind bob.
    await ex.call("PATCH", `/api/v1/orders/${a.body.orderId}`, { key: alice, json: { price: "99.99" } });
    await ex.call("PATCH", `/api/v1/orders/${a.body.orderId}`, { key: alice, json: { price: "100.00" } });
    await order(bob, { symbol: "BTC-USD", side: "sell", type: "market", quantity: "0.2" });
    expect((await ex.call("GET", `/api/v1/orders/${b.body.orderId}`, { key: bob })).body.filledQuantity).toBe("0.2000");

    const tooLow = await ex.call("PATCH", `/api/v1/orders/${a.body.orderId}`, { key: alice, json: { quantity: "0.1" } });
    expect(tooLow.status).toBe(400);
    expect(tooLow.body.error.message).toContain("filled");
    // A crossing price trades at once.
    await limit(bob, "BTC-USD", "sell", "100.50", "0.3");
    const crossed = await ex.call("PATCH", `/api/v1/orders/${a.body.orderId}`, { key: alice, json: { price: "100.50" } });
    expect(crossed.body).toMatchObject({ status: "partially_filled", price: "100.50", filledQuantity: "0.4000", remainingQuantity: "0.1000" });
  });

  test("cancel: 200 with status canceled, then 409; cancel-all cancels every open order of the account", async () => {
    const o = await limit(alice, "SOL-USD", "sell", "300.000", "1");
    const c = await ex.call("DELETE", `/api/v1/orders/${o.body.orderId}`, { key: alice });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ status: "canceled", orderId: o.body.orderId });
    const again = await ex.call("DELETE", `/api/v1/orders/${o.body.orderId}`, { key: alice });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("ORDER_NOT_OPEN");

    const key = ex.newAccount("canceller");
    const s1 = await limit(key, "SOL-USD", "sell", "301.000", "1");
    const s2 = await limit(key, "SOL-USD", "sell", "302.000", "1");
    const e1 = await limit(key, "ETH-USD", "buy", "1.00", "1");
    const sol = await ex.call("DELETE", "/api/v1/orders?symbol=SOL-USD", { key });
    expect(sol.body.map((x: any) => [x.orderId, x.status]).sort()).toEqual([[s1.body.orderId, "canceled"], [s2.body.orderId, "canceled"]]);
    const all = await ex.call("DELETE", "/api/v1/orders", { key });
    expect(all.body.map((x: any) => [x.orderId, x.status])).toEqual([[e1.body.orderId, "canceled"]]);
    expect((await ex.call("GET", "/api/v1/orders", { key })).body).toEqual([]);
    expect((await ex.call("DELETE", "/api/v1/orders", { key })).body).toEqual([]);
  });

  test("list orders by status, newest first", async () => {
    const key = ex.newAccount("lister");
    const a = await limit(key, "BTC-USD", "buy", "1.00", "1");
    const b = await limit(key, "BTC-USD", "buy", "1.01", "1");
    await ex.call("DELETE", `/api/v1/orders/${a.body.orderId}`, { key });
    const open = await ex.call("GET", "/api/v1/orders?status=open", { key });
    expect(open.body.map((o: any) => o.orderId)).toEqual([b.body.orderId]);
    const closed = await ex.call("GET", "/api/v1/orders?status=closed", { key });
    expect(closed.body.map((o: any) => o.orderId)).toEqual([a.body.orderId]);
    const all = await ex.call("GET", "/api/v1/orders?status=all&limit=1", { key });
    expect(all.body.map((o: any) => o.orderId)).toEqual([b.body.orderId]);
    expect((await ex.call("GET", "/api/v1/orders?symbol=ETH-USD&status=all", { key })).body).toEqual([]);

    // Open orders (read from memory) newest first, by market and up to the limit, each as GET
    // /orders/{id} shows it.
    const c = await limit(key, "ETH-USD", "buy", "1.00", "1");
    const d = await limit(key, "BTC-USD", "buy", "1.02", "1");
    const ids = async (query: string) => (await ex.call("GET", `/api/v1/orders?${query}`, { key })).body.map((o: any) => o.orderId);
    expect(await ids("status=open")).toEqual([d.body.orderId, c.body.orderId, b.body.orderId]);
    expect(await ids("status=open&symbol=BTC-USD")).toEqual([d.body.orderId, b.body.orderId]);
    expect(await ids("limit=2")).toEqual([d.body.orderId, c.body.orderId]);
    const listed = (await ex.call("GET", "/api/v1/orders?symbol=ETH-USD", { key })).body;
    expect(listed).toEqual([(await ex.call("GET", `/api/v1/orders/${c.body.orderId}`, { key })).body]);

    // An open order partly filled, as memory has it (GET by id, status=open) and as the store has
    // it (status=all): the same.
    const seller = ex.newAccount("lister's counterparty");
    expect((await limit(seller, "ETH-USD", "sell", "1.00", "0.4")).status).toBe(201);
    const fromMemory = (await ex.call("GET", `/api/v1/orders/${c.body.orderId}`, { key })).body;
    expect(fromMemory).toMatchObject({ status: "partially_filled", filledQuantity: "0.400" });
    expect(fromMemory.fills).toHaveLength(1);
    const stored = (await ex.call("GET", "/api/v1/orders?symbol=ETH-USD&status=all", { key })).body;
    expect(stored).toEqual([fromMemory]);
  });

  test("clientOrderId is unique among open orders, reusable once closed", async () => {
    const key = ex.newAccount("clid");
    const first = await limit(key, "BTC-USD", "buy", "2.00", "1", { clientOrderId: "my-1" });
    expect(first.body.clientOrderId).toBe("my-1");
    const dup = await limit(key, "BTC-USD", "buy", "2.00", "1", { clientOrderId: "my-1" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("DUPLICATE_CLIENT_ORDER_ID");
    expect((await limit(alice, "BTC-USD", "buy", "2.00", "1", { clientOrderId: "my-1" })).status).toBe(201);
    await ex.call("DELETE", `/api/v1/orders/${first.body.orderId}`, { key });
    expect((await limit(key, "BTC-USD", "buy", "2.00", "1", { clientOrderId: "my-1" })).status).toBe(201);
  });

  test("batch: each order stands on its own, results in request order", async () => {
    const key = ex.newAccount("batcher");
    const r = await ex.call("POST", "/api/v1/orders/batch", {
      key,
      json: {
        orders: [
          { symbol: "ETH-USD", side: "buy", type: "limit", price: "10.00", quantity: "1" },
          { symbol: "ETH-USD", side: "buy", type: "limit", price: "10.001", quantity: "1" },
          { symbol: "NOPE-USD", side: "buy", type: "limit", price: "1", quantity: "1" },
          { symbol: "ETH-USD", side: "sell", type: "limit", price: "10.00", quantity: "0.4" },
        ],
      },
    });
    expect(r.status).toBe(200);
    const [a, b, c, d] = r.body.results;
    expect(a.status).toBe("partially_filled");
    expect(b.error.code).toBe("VALIDATION");
    expect(b.error.message).toContain("price");
    expect(c.error.code).toBe("UNKNOWN_SYMBOL");
    expect(d).toMatchObject({ status: "filled", averagePrice: "10.00" });
    for (const bad of [{}, { orders: [] }, { orders: "x" }, { orders: new Array(1001).fill({}) }, { orders: [], x: 1 }]) {
      const refused = await ex.call("POST", "/api/v1/orders/batch", { key, json: bad });
      expect(refused.status).toBe(400);
    }
  });
});

describe("accounts", () => {
  test("missing or unknown API keys are 401", async () => {
    const none = await ex.call("GET", "/api/v1/orders");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("UNAUTHORIZED");
    expect((await ex.call("GET", "/api/v1/orders", { key: "ex_forged" })).status).toBe(401);
    expect((await limit("ex_forged", "BTC-USD", "buy", "1", "1")).status).toBe(401);
    // The key is checked before the body: a bad body without a key is still 401.
    expect((await ex.call("POST", "/api/v1/orders", { json: { nonsense: true } })).status).toBe(401);
    expect((await ex.call("PATCH", "/api/v1/orders/1", { json: [] })).status).toBe(401);
  });

  test("another account's order is 404, for reading, cancelling and amending", async () => {
    const o = await limit(alice, "BTC-USD", "sell", "5000.00", "1");
    for (const [method, json] of [["GET", undefined], ["DELETE", undefined], ["PATCH", { quantity: "0.5" }]] as const) {
      const r = await ex.call(method, `/api/v1/orders/${o.body.orderId}`, { key: bob, json });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("ORDER_NOT_FOUND");
    }
    expect((await ex.call("GET", `/api/v1/orders/${o.body.orderId}`, { key: alice })).body.remainingQuantity).toBe("1.0000");
    expect((await ex.call("GET", "/api/v1/orders/999999", { key: alice })).status).toBe(404);
  });
});

describe("validation: bad input is a 400 naming the field and changes nothing", () => {
  const good = { symbol: "BTC-USD", side: "buy", type: "limit", price: "100.00", quantity: "1" };
  const cases: [string, Record<string, unknown>, string][] = [
    ["missing symbol", { ...good, symbol: undefined }, "symbol"],
    ["symbol type", { ...good, symbol: 7 }, "symbol"],
    ["side", { ...good, side: "BUY" }, "side"],
    ["missing side", { ...good, side: undefined }, "side"],
    ["type", { ...good, type: "stop" }, "type"],
    ["missing quantity", { ...good, quantity: undefined }, "quantity"],
    ["quantity zero", { ...good, quantity: "0" }, "quantity"],
    ["quantity negative", { ...good, quantity: "-1" }, "quantity"],
    ["quantity off step", { ...good, quantity: "0.00001" }, "quantity"],
    ["quantity exponent", { ...good, quantity: "1e3" }, "quantity"],
    ["quantity bool", { ...good, quantity: true }, "quantity"],
    ["quantity huge", { ...good, quantity: "1000000000000000000" }, "quantity"],
    ["quantity 30 digits", { ...good, quantity: "123456789012345678901234567890" }, "quantity"],
    ["missing price", { ...good, price: undefined }, "price"],
    ["price off tick", { ...good, price: "100.001" }, "price"],
    ["price zero", { ...good, price: 0 }, "price"],
    ["price negative number", { ...good, price: -5 }, "price"],
    ["price text", { ...good, price: "abc" }, "price"],
    ["price on market", { ...good, type: "market" }, "price"],
    ["timeInForce case", { ...good, timeInForce: "gtc" }, "timeInForce"],
    ["postOnly type", { ...good, postOnly: "yes" }, "postOnly"],
    ["postOnly IOC", { ...good, postOnly: true, timeInForce: "IOC" }, "postOnly"],
    ["clientOrderId chars", { ...good, clientOrderId: "../etc/passwd" }, "clientOrderId"],
    ["clientOrderId long", { ...good, clientOrderId: "x".repeat(37) }, "clientOrderId"],
    ["clientOrderId SQL", { ...good, clientOrderId: "1'; DROP TABLE orders;--" }, "clientOrderId"],
    ["extra field", { ...good, leverage: 100 }, "leverage"],
  ];
  for (const [name, body, field] of cases) {
    test(name, async () => {
      const before = tableCounts();
      const r = await order(alice, JSON.parse(JSON.stringify(body)));
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain(field);
      expect(tableCounts()).toEqual(before);
    });
  }

  test("a market order sent as GTC behaves as IOC, as the contract says", async () => {
    const r = await order(alice, { symbol: "BTC-USD", side: "buy", type: "market", quantity: "1", timeInForce: "GTC" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: "market", timeInForce: "IOC", remainingQuantity: "0.0000" });
    expect(["filled", "expired"]).toContain(r.body.status); // it never rests
  });

  test("unknown symbol in an order is 400 UNKNOWN_SYMBOL", async () => {
    const r = await order(alice, { ...good, symbol: "DOGE-USD" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("UNKNOWN_SYMBOL");
  });

  test("malformed JSON, wrong content type, non-object bodies, oversized bodies", async () => {
    const before = tableCounts();
    const bad = await ex.call("POST", "/api/v1/orders", { key: alice, raw: "{\"symbol\":", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_JSON");
    const text = await ex.call("POST", "/api/v1/orders", { key: alice, raw: JSON.stringify(good), headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    const array = await order(alice, [good] as any);
    expect(array.status).toBe(400);
    expect(array.body.error.message).toBe("the body must be a JSON object");
    const huge = await ex.call("POST", "/api/v1/orders", { key: alice, raw: JSON.stringify({ ...good, pad: "x".repeat(2 << 20) }), headers: { "content-type": "application/json" } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("BODY_TOO_LARGE");
    expect(tableCounts()).toEqual(before);
    expect((await ex.call("GET", "/health")).status).toBe(200);
  });

  test("bad path and query parameters", async () => {
    for (const id of ["abc", "0", "-1", "18446744073709551616", "1.5"]) {
      const r = await ex.call("GET", `/api/v1/orders/${id}`, { key: alice });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain("orderId");
    }
    expect((await ex.call("GET", "/api/v1/markets/BTC-USD/book?depth=0")).body.error.message).toContain("depth");
    expect((await ex.call("GET", "/api/v1/markets/BTC-USD/book?depth=1001")).status).toBe(400);
    expect((await ex.call("GET", "/api/v1/markets/BTC-USD/trades?limit=x")).body.error.message).toContain("limit");
    expect((await ex.call("GET", "/api/v1/orders?status=OPEN", { key: alice })).body.error.message).toContain("status");
    const amend = await limit(alice, "BTC-USD", "buy", "3.00", "1");
    for (const body of [{}, { price: "3.001" }, { quantity: "-1" }, { size: 1 }]) {
      const r = await ex.call("PATCH", `/api/v1/orders/${amend.body.orderId}`, { key: alice, json: body });
      expect(r.status).toBe(400);
    }
  });
});

describe("candles", () => {
  test("OHLCV per interval equals the trades grouped by hand", async () => {
    const key = ex.newAccount("candles");
    for (const [price, qty] of [["10.00", "1"], ["12.50", "2"], ["9.75", "1"], ["11.00", "3"]] as const) {
      await limit(key, "BTC-USD", "sell", price, qty);
      await order(key, { symbol: "BTC-USD", side: "buy", type: "market", quantity: qty });
    }
    const trades = ((await ex.call("GET", "/api/v1/markets/BTC-USD/trades?limit=1000")).body as any[]).reverse();
    for (const [interval, ms] of [["1m", 60_000], ["5m", 300_000], ["1h", 3_600_000]] as const) {
      const buckets = new Map<number, any[]>();
      for (const t of trades) {
        const b = Math.floor(t.time / ms) * ms;
        buckets.set(b, [...(buckets.get(b) ?? []), t]);
      }
      const expected = [...buckets].sort((a, b) => b[0] - a[0]).map(([time, ts]) => ({
        time, open: ts[0].price, close: ts.at(-1).price,
        high: ts.map((t) => t.price).sort((a, b) => Number(b) - Number(a))[0],
        low: ts.map((t) => t.price).sort((a, b) => Number(a) - Number(b))[0],
        volume: (ts.reduce((s, t) => s + Math.round(Number(t.quantity) * 1e4), 0) / 1e4).toFixed(4), trades: ts.length,
      }));
      const r = await ex.call("GET", `/api/v1/markets/BTC-USD/candles?interval=${interval}&limit=1000`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(expected);
    }
    const bad = await ex.call("GET", "/api/v1/markets/BTC-USD/candles?interval=2m");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("interval");
    expect((await ex.call("GET", "/api/v1/markets/NOPE-USD/candles")).status).toBe(404);
  });
});

describe("operations", () => {
  const metric = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);

  test("GET /metrics counts orders, trades and rejects by reason, with batch histograms and gauges", async () => {
    const before = (await ex.call("GET", "/metrics")).body as string;
    const key = ex.newAccount("metrics");
    await limit(key, "SOL-USD", "sell", "7.000", "1");
    await limit(key, "SOL-USD", "buy", "7.000", "1");
    await limit(key, "SOL-USD", "sell", "8.000", "1");
    await limit(key, "SOL-USD", "buy", "9.000", "1", { postOnly: true }); // rejected: would take
    await limit(key, "SOL-USD", "buy", "abc", "1"); // refused: 400
    const r = await ex.call("GET", "/metrics");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/plain");
    const after = r.body as string;
    const delta = (name: string) => metric(after, name) - (metric(before, name) || 0);
    expect(delta('exchange_orders_total{symbol="SOL-USD"}')).toBe(4);
    expect(delta('exchange_trades_total{symbol="SOL-USD"}')).toBe(1);
    expect(delta('exchange_rejects_total{reason="POST_ONLY_WOULD_TAKE"}')).toBe(1);
    expect(delta('exchange_rejects_total{reason="VALIDATION"}')).toBe(1);
    expect(metric(after, "exchange_batch_commands_count")).toBeGreaterThan(0);
    expect(metric(after, 'exchange_commit_seconds_bucket{le="+Inf"}')).toBe(metric(after, "exchange_commit_seconds_count"));
    for (const gauge of ["exchange_queue_depth", "exchange_open_orders", "exchange_websocket_clients", "process_resident_memory_bytes"]) {
      expect(Number.isFinite(metric(after, gauge))).toBe(true);
    }
  });
});

describe("API documentation", () => {
  test("the OpenAPI document covers every endpoint with a summary, a description and an example", async () => {
    const r = await ex.call("GET", "/openapi/json");
    expect(r.status).toBe(200);
    const spec = r.body;
    const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const expected = ["get /health", "get /metrics", "get /api/v1/markets", "get /api/v1/markets/{symbol}/book", "get /api/v1/markets/{symbol}/trades",
      "get /api/v1/markets/{symbol}/ticker", "get /api/v1/markets/{symbol}/candles", "post /api/v1/accounts", "post /api/v1/orders",
      "post /api/v1/orders/batch", "get /api/v1/orders", "delete /api/v1/orders", "get /api/v1/orders/{orderId}",
      "delete /api/v1/orders/{orderId}", "patch /api/v1/orders/{orderId}", "post /api/v1/orders/{orderId}/replace", "get /api/v1/orders/{orderId}/prevented-matches",
      "post /api/v1/orderLists", "get /api/v1/orderLists", "get /api/v1/orderLists/{listId}", "get /api/v1/account", "get /api/v1/account/ledger",
      "post /api/v1/account/deposits", "post /api/v1/account/withdrawals",
      "get /api/v1/sim", "post /api/v1/sim", "patch /api/v1/sim", "post /api/v1/sim/pause", "post /api/v1/sim/resume", "delete /api/v1/sim"];
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(expected.sort());
    for (const { path, method, op } of operations) {
      expect(`${method} ${path}: ${op.summary ? "summary" : ""} ${op.description ? "description" : ""}`).toBe(`${method} ${path}: summary description`);
      const examples = Object.values(op.responses ?? {}).map((res: any) => res.content?.["application/json"]?.example);
      expect(examples.some((e) => e !== undefined)).toBe(true);
    }
    expect(spec.paths["/api/v1/orders"].post.requestBody).toBeDefined();
    expect(spec.info.description).toContain("/ws");
  });

  test("the docs page needs no internet: its viewer is served by the exchange", async () => {
    const page = await fetch(`${ex.url}/openapi`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('src="/openapi/scalar.js"');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    const script = await fetch(`${ex.url}/openapi/scalar.js`);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
  });
});
