// Spot accounts over the real HTTP API: starting balances, holds, settlement with fees, refused
// orders that change nothing, deposits and withdrawals, the ledger, the balances stream, and the
// conservation of every asset across all accounts (the fee account's included).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signedRequest } from "./binance-client";
import { EXCHANGE_FROM_SOURCE, runCli, startTestExchange, tempDir } from "./helpers";

let ex: ReturnType<typeof startTestExchange>;
beforeAll(() => {
  ex = startTestExchange();
});
afterAll(() => ex.stop());

/** A new account over the API with the given starting balances; returns its key. */
async function account(deposits: Record<string, string>, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await ex.call("POST", "/api/v1/accounts", { json: { name: "t", deposits, ...extra } });
  expect(r.status).toBe(201);
  return r.body.apiKey;
}
const balances = async (key: string) => {
  const r = await ex.call("GET", "/api/v1/account", { key });
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.balances.map((b: any) => [b.asset, [b.free, b.locked]]));
};
const order = (key: string, json: Record<string, unknown>) => ex.call("POST", "/api/v1/orders", { key, json });

test("an account created without deposits starts with the venue's default balances", async () => {
  const r = await ex.call("POST", "/api/v1/accounts", { json: { name: "plain" } });
  expect(r.status).toBe(201);
  expect(r.body.balances).toContainEqual({ asset: "USD", free: "1000000.000000", locked: "0.000000" });
  expect(r.body.balances).toContainEqual({ asset: "BTC", free: "100.00000000", locked: "0.00000000" });
});

test("a limit buy holds price x quantity, a fill settles both sides with fees in the asset received", async () => {
  const buyer = await account({ USD: "1000" });
  const seller = await account({ BTC: "1" });
  const placed = await order(buyer, { symbol: "BTC-USD", side: "buy", type: "limit", price: "100.00", quantity: "2" });
  expect(placed.status).toBe(201);
  expect(await balances(buyer)).toMatchObject({ USD: ["800.000000", "200.000000"] });
  const sold = await order(seller, { symbol: "BTC-USD", side: "sell", type: "limit", price: "99.00", quantity: "0.5" });
  expect(sold.body).toMatchObject({ status: "filled", fee: "0.100000", feeAsset: "USD" }); // 20 bps of 50 USD
  expect(sold.body.fills[0]).toMatchObject({ price: "100.00", quantity: "0.5000", fee: "0.100000", feeAsset: "USD" });
  // Buyer: paid 50 from its hold, received 0.5 BTC less 10 bps (0.0005 BTC).
  expect(await balances(buyer)).toMatchObject({ USD: ["800.000000", "150.000000"], BTC: ["0.49950000", "0.00000000"] });
  expect(await balances(seller)).toMatchObject({ USD: ["49.900000", "0.000000"], BTC: ["0.50000000", "0.00000000"] });
  // Cancel releases the rest of the hold.
  await ex.call("DELETE", `/api/v1/orders/${placed.body.orderId}`, { key: buyer });
  expect(await balances(buyer)).toMatchObject({ USD: ["950.000000", "0.000000"] });
  // Its ledger: the deposit, both legs of the trade (the received one net of its fee).
  const ledger = (await ex.call("GET", "/api/v1/account/ledger", { key: buyer })).body;
  expect(ledger.map((l: any) => [l.kind, l.asset, l.amount, l.fee])).toEqual([
    ["trade", "BTC", "0.49950000", "0.00050000"], ["trade", "USD", "-50.000000", "0.000000"], ["deposit", "USD", "1000.000000", "0.000000"],
  ]);
  const usdOnly = (await ex.call("GET", "/api/v1/account/ledger?asset=USD&limit=1", { key: buyer })).body;
  expect(usdOnly.map((l: any) => l.amount)).toEqual(["-50.000000"]);
});

test("an order the free balance does not cover is refused with the asset, needed and available; nothing changes", async () => {
  const key = await account({ USD: "100" });
  const before = await balances(key);
  const r = await order(key, { symbol: "BTC-USD", side: "buy", type: "limit", price: "100.01", quantity: "1" });
  expect(r.status).toBe(400);
  expect(r.body.error).toMatchObject({ code: "INSUFFICIENT_BALANCE", asset: "USD", needed: "100.010000", available: "100.000000" });
  expect(await balances(key)).toEqual(before);
  expect((await ex.call("GET", "/api/v1/orders?status=all", { key })).body).toEqual([]);
  // In a batch, only that item is refused.
  const batch = await ex.call("POST", "/api/v1/orders/batch", { key, json: { orders: [
    { symbol: "BTC-USD", side: "buy", type: "limit", price: "10.00", quantity: "5" },
    { symbol: "BTC-USD", side: "buy", type: "limit", price: "10.00", quantity: "6" },
  ] } });
  expect(batch.body.results.map((x: any) => x.error?.code ?? x.status)).toEqual(["new", "INSUFFICIENT_BALANCE"]);
  // An amendment that needs more than is free is refused, the order unchanged.
  const id = batch.body.results[0].orderId;
  const amended = await ex.call("PATCH", `/api/v1/orders/${id}`, { key, json: { quantity: "11" } });
  expect(amended.status).toBe(400);
  expect(amended.body.error.code).toBe("INSUFFICIENT_BALANCE");
  expect((await ex.call("GET", `/api/v1/orders/${id}`, { key })).body.quantity).toBe("5.0000");
});

test("a market buy by quoteQuantity spends up to it; a market buy beyond the free quote expires the rest", async () => {
  const maker = await account({ SOL: "100" });
  await order(maker, { symbol: "SOL-USD", side: "sell", type: "limit", price: "10.000", quantity: "5" });
  await order(maker, { symbol: "SOL-USD", side: "sell", type: "limit", price: "20.000", quantity: "5" });
  const taker = await account({ USD: "75" });
  const byQuote = await order(taker, { symbol: "SOL-USD", side: "buy", type: "market", quoteQuantity: "60" });
  expect(byQuote.body).toMatchObject({ status: "filled", quantity: "5.50", filledQuantity: "5.50", quoteQuantity: "60.000000", filledQuoteQuantity: "60.000000" });
  const short = await order(taker, { symbol: "SOL-USD", side: "buy", type: "market", quantity: "2" });
  expect(short.body).toMatchObject({ status: "expired", expireReason: "INSUFFICIENT_BALANCE", filledQuantity: "0.75" });
  expect(await balances(taker)).toMatchObject({ USD: ["0.000000", "0.000000"] });
});

test("self-trade prevention: the taker's mode, visible on the orders concerned", async () => {
  const key = await account({ USD: "10000", ETH: "10" });
  const resting = await order(key, { symbol: "ETH-USD", side: "sell", type: "limit", price: "3000.00", quantity: "1" });
  const taker = await order(key, { symbol: "ETH-USD", side: "buy", type: "limit", price: "3000.00", quantity: "1", selfTradePrevention: "expireMaker" });
  expect(taker.body).toMatchObject({ status: "new", preventedQuantity: "1.000", fills: [] });
  const maker = (await ex.call("GET", `/api/v1/orders/${resting.body.orderId}`, { key })).body;
  expect(maker).toMatchObject({ status: "expired", expireReason: "SELF_TRADE_PREVENTION", preventedQuantity: "1.000", preventedMatchId: taker.body.preventedMatchId });
  // The prevented match, from either order; another account's order is 404.
  const match = {
    preventedMatchId: taker.body.preventedMatchId, symbol: "ETH-USD", takerOrderId: taker.body.orderId, makerOrderId: resting.body.orderId,
    selfTradePrevention: "expireMaker", price: "3000.00", quantity: "1.000", takerQuantity: "0.000", makerQuantity: "1.000", time: taker.body.createdAt,
  };
  for (const id of [resting.body.orderId, taker.body.orderId]) expect((await ex.call("GET", `/api/v1/orders/${id}/prevented-matches`, { key })).body).toEqual([match]);
  const after = await ex.call("GET", `/api/v1/orders/${taker.body.orderId}/prevented-matches?fromId=${Number(match.preventedMatchId) + 1}`, { key });
  expect(after.body).toEqual([]);
  const stranger = await account({ USD: "1" });
  expect((await ex.call("GET", `/api/v1/orders/${taker.body.orderId}/prevented-matches`, { key: stranger })).status).toBe(404);
  expect((await ex.call("GET", `/api/v1/orders/${taker.body.orderId}/prevented-matches?limit=0`, { key })).status).toBe(400);
  const bad = await order(key, { symbol: "ETH-USD", side: "buy", type: "limit", price: "1.00", quantity: "1", selfTradePrevention: "sometimes" });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toContain("selfTradePrevention");
});

test("deposits and withdrawals are journaled; more than free is refused; bad input changes nothing", async () => {
  const key = await account({ USD: "10" });
  expect((await ex.call("POST", "/api/v1/account/deposits", { key, json: { asset: "USD", amount: "5.5" } })).status).toBe(200);
  const w = await ex.call("POST", "/api/v1/account/withdrawals", { key, json: { asset: "USD", amount: "15.500001" } });
  expect(w.status).toBe(400);
  expect(w.body.error).toMatchObject({ code: "INSUFFICIENT_BALANCE", needed: "15.500001", available: "15.500000" });
  for (const json of [{ asset: "USD", amount: "-1" }, { asset: "USD", amount: "0" }, { asset: "USD", amount: "1e3" }, { asset: "USD", amount: "0.0000001" },
    { asset: "USD", amount: "99999999999999999999" }, { asset: "DOGE", amount: "1" }, { asset: "USD" }, { asset: "USD", amount: "1", extra: 1 }]) {
    const r = await ex.call("POST", "/api/v1/account/deposits", { key, json });
    expect(r.status).toBe(400);
    expect(r.body.error.message.length).toBeGreaterThan(5);
  }
  expect(await balances(key)).toMatchObject({ USD: ["15.500000", "0.000000"] });
  expect((await ex.call("POST", "/api/v1/account/withdrawals", { key, json: { asset: "USD", amount: "15.5" } })).status).toBe(200);
  expect(await balances(key)).toMatchObject({ USD: ["0.000000", "0.000000"] });
  // Account creation refuses bad deposits and creates nothing; a text body is 415.
  const accounts = () => ex.exchange.storage.sqlite.query("SELECT count(*) AS n FROM accounts").get();
  const before = accounts();
  expect((await ex.call("POST", "/api/v1/accounts", { json: { name: "x", deposits: { USD: "abc" } } })).status).toBe(400);
  expect((await ex.call("POST", "/api/v1/accounts", { json: { name: "x", deposits: { NOPE: "1" } } })).status).toBe(400);
  expect((await ex.call("POST", "/api/v1/accounts", { json: { name: "x", makerFeeBps: -1 } })).status).toBe(400);
  const text = await fetch(`${ex.url}/api/v1/accounts`, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"name":"x"}' });
  expect(text.status).toBe(415);
  expect(accounts()).toEqual(before);
});

test("an account the command line creates while the exchange runs shows its deposits on its very first read, on either surface", async () => {
  // The server journals a CLI account's funding when it first sees the key; a read in that same
  // request must wait for it, or a new user sees an empty account.
  const create = (name: string) => JSON.parse(runCli([...EXCHANGE_FROM_SOURCE, "accounts", "create", name, "--deposit", "USD=1234.5,BTC=0.25",
    "--maker-fee-bps", "3", "--taker-fee-bps", "4", "--db", ex.dbPath], tempDir()));
  const [first, second, third, fourth] = ["cli-a", "cli-b", "cli-c", "cli-d"].map(create);
  expect(await balances(first.apiKey)).toMatchObject({ USD: ["1234.500000", "0.000000"], BTC: ["0.25000000", "0.00000000"] });
  const ledger = await ex.call("GET", "/api/v1/account/ledger?asset=USD", { key: second.apiKey });
  expect(ledger.body).toMatchObject([{ kind: "deposit", asset: "USD", amount: "1234.500000" }]);
  const binance = await signedRequest(ex.url, { apiKey: third.apiKey, secret: third.apiSecret }, "GET", "account", { omitZeroBalances: "true" });
  expect(binance.status).toBe(200);
  expect(binance.body.balances).toEqual([{ asset: "BTC", free: "0.25000000", locked: "0.00000000" }, { asset: "USD", free: "1234.500000", locked: "0.000000" }]);
  // Its fee rates come with its funding: the first read of them shows the account's own.
  const fees = await signedRequest(ex.url, { apiKey: fourth.apiKey, secret: fourth.apiSecret }, "GET", "/sapi/v1/asset/tradeFee", { symbol: "BTCUSD" });
  expect(fees.body).toEqual([{ symbol: "BTCUSD", makerCommission: "0.00030000", takerCommission: "0.00040000" }]);
});

test("every asset is conserved: the sum over all accounts equals deposits minus withdrawals", async () => {
  ex.exchange.writeTables();
  const db = ex.exchange.storage.sqlite;
  for (const asset of ex.exchange.markets.assets.list) {
    const flows = ex.exchange.storage.tables.query("SELECT kind, amount FROM ledger WHERE asset = ? AND kind IN ('deposit', 'withdrawal')").all(asset.symbol) as { amount: string }[];
    const net = flows.reduce((s, f) => s + BigInt(f.amount), 0n);
    const ids = (db.query("SELECT id FROM accounts").all() as { id: number }[]).map((r) => r.id);
    let held = 0n;
    for (const id of [0, ...ids]) {
      const b = ex.exchange.engine.balance(id, asset.index);
      expect(b.free).toBeGreaterThanOrEqual(0n);
      expect(b.locked).toBeGreaterThanOrEqual(0n);
      held += b.free + b.locked;
    }
    expect(held).toBe(net);
  }
});

test("each account's ledger adds up to its balance, for every asset and the fee account too", async () => {
  const ids = (ex.exchange.storage.sqlite.query("SELECT id FROM accounts").all() as { id: number }[]).map((r) => r.id);
  let legs = 0;
  for (const id of [0, ...ids]) {
    for (const asset of ex.exchange.markets.assets.list) {
      const entries = ex.exchange.queries.ledger(id, { asset: asset.symbol, limit: 1000 });
      expect(entries.length).toBeLessThan(1000); // all of them
      legs += entries.filter((e) => e.kind === "trade").length;
      const b = ex.exchange.engine.balance(id, asset.index);
      expect(entries.reduce((sum, e) => sum + e.amount, 0n)).toBe(b.free + b.locked);
    }
  }
  expect(legs).toBeGreaterThan(10);
});

test("two amends of one order in one batch: each applies to what the one before left", async () => {
  const key = await account({ USD: "1000" });
  const o = (await order(key, { symbol: "BTC-USD", side: "buy", type: "limit", price: "100.00", quantity: "1" })).body;
  const [a, b] = await Promise.all([
    ex.call("PATCH", `/api/v1/orders/${o.orderId}`, { key, json: { price: "101.00" } }),
    ex.call("PATCH", `/api/v1/orders/${o.orderId}`, { key, json: { quantity: "0.5" } }),
  ]);
  expect([a.status, b.status]).toEqual([200, 200]);
  const now = (await ex.call("GET", `/api/v1/orders/${o.orderId}`, { key })).body;
  expect([now.price, now.quantity]).toEqual(["101.00", "0.5000"]);
  expect(await balances(key)).toMatchObject({ USD: ["949.500000", "50.500000"] });
});

describe("streams", () => {
  test("the balances channel sends the account's balances after each batch that changed them; bad channels are errors", async () => {
    const key = await account({ USD: "500" });
    const ws = new WebSocket(ex.url.replace("http", "ws") + "/ws");
    const messages: any[] = [];
    ws.onmessage = (e) => messages.push(JSON.parse(String(e.data)));
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const next = async (pred: (m: any) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const found = messages.find(pred);
        if (found) return found;
        await Bun.sleep(5);
      }
      throw new Error(`no such message in ${JSON.stringify(messages)}`);
    };
    ws.send(JSON.stringify({ op: "subscribe", channel: "balances" }));
    expect((await next((m) => m.type === "error")).message).toContain("authenticate");
    ws.send(JSON.stringify({ op: "auth", apiKey: key }));
    await next((m) => m.type === "authenticated");
    ws.send(JSON.stringify({ op: "subscribe", channel: "balances" }));
    await next((m) => m.type === "subscribed" && m.channel === "balances");
    for (const channel of ["book:BTC-USD:x", "trades:BTC-USD:x", "ticker:BTC-USD:1:2"]) {
      messages.length = 0;
      ws.send(JSON.stringify({ op: "subscribe", channel }));
      expect((await next((m) => m.type === "error")).message).toContain("unknown channel");
    }
    messages.length = 0;
    await order(key, { symbol: "BTC-USD", side: "buy", type: "limit", price: "50.00", quantity: "1" });
    const update = await next((m) => m.channel === "balances");
    expect(update.balances).toEqual([{ asset: "USD", free: "450.000000", locked: "50.000000" }]);
    ws.close();
  });
});
