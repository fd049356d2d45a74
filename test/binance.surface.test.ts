// The Binance surface at the wire, as Binance's docs describe it: parameters, signatures, answers
// and errors of /api/v3; the market streams and their update ids; the WebSocket API with its
// user data stream; the listenKey shim; and bad input, refused with Binance's codes.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairSync, sign } from "node:crypto";
import { binanceAccount, openSocket, signedRequest, signWsParams, type Keys } from "./binance-client";
import { earlyInClockWindow, EXCHANGE_FROM_SOURCE, runCli, startTestExchange, tempDir } from "./helpers";

const ex = startTestExchange();
const WS = ex.url.replace(/^http/, "ws");
let alice: Keys, bob: Keys;
const rest = (keys: Keys, method: string, path: string, params: Record<string, string> = {}) => signedRequest(ex.url, keys, method, path, params);
const get = async (path: string) => {
  const r = await fetch(`${ex.url}/api/v3/${path}`);
  return { status: r.status, headers: r.headers, body: await r.json() as any };
};
const limit = (side: "BUY" | "SELL", quantity: string, price: string, extra: Record<string, string> = {}) =>
  ({ symbol: "BTCUSD", side, type: "LIMIT", timeInForce: "GTC", quantity, price, ...extra });

beforeAll(async () => {
  alice = await binanceAccount(ex.call, "alice", { USD: "1000000", BTC: "100" });
  bob = await binanceAccount(ex.call, "bob", { USD: "1000000", BTC: "100" });
});
afterAll(() => ex.stop());
// Each test starts from an empty BTCUSD book.
afterEach(async () => {
  for (const keys of [alice, bob]) await rest(keys, "DELETE", "openOrders", { symbol: "BTCUSD" });
});

describe("REST /api/v3", () => {
  test("ACK, RESULT and FULL answers; parameters in the body, the query, or both; never a code key in an order", async () => {
    const ack = await rest(alice, "POST", "order", limit("SELL", "0.5", "64000", { newOrderRespType: "ACK" }));
    expect(Object.keys(ack.body).sort()).toEqual(["clientOrderId", "orderId", "orderListId", "symbol", "transactTime"]);
    const result = await rest(bob, "POST", "order", limit("BUY", "0.2", "64000", { newOrderRespType: "RESULT", newClientOrderId: "my-order.1" }));
    expect(result.body).toMatchObject({ symbol: "BTCUSD", clientOrderId: "my-order.1", status: "FILLED", executedQty: "0.2000", cummulativeQuoteQty: "12800.000000", type: "LIMIT", side: "BUY" });
    expect(result.body.fills).toBeUndefined();
    const full = await signedRequest(ex.url, bob, "POST", "order", { symbol: "BTCUSD", side: "BUY", type: "MARKET", quantity: "0.1" }, "query");
    expect(full.body.fills).toEqual([{ price: "64000.00", qty: "0.1000", commission: "0.00020000", commissionAsset: "BTC", tradeId: 2 }]);
    for (const o of [ack.body, result.body, full.body]) expect(o.code).toBeUndefined();
    // Found by client order id, and the order placed without one by the id it is shown with.
    const byClientId = await rest(bob, "GET", "order", { symbol: "BTCUSD", origClientOrderId: "my-order.1" });
    expect(byClientId.body).toMatchObject({ orderId: result.body.orderId, status: "FILLED", isWorking: true });
    const generated = await rest(alice, "GET", "order", { symbol: "BTCUSD", origClientOrderId: ack.body.clientOrderId });
    expect(generated.body).toMatchObject({ orderId: ack.body.orderId, status: "PARTIALLY_FILLED", executedQty: "0.3000" });
    // Another account's order does not exist for this one.
    expect((await rest(bob, "GET", "order", { symbol: "BTCUSD", orderId: String(ack.body.orderId) })).body.code).toBe(-2013);
  });

  test("market data: depth with lastUpdateId, trades, aggTrades, klines, tickers, avgPrice (after the trades above)", async () => {
    await rest(alice, "POST", "order", limit("SELL", "0.2", "64000"));
    const depth = await get("depth?symbol=BTCUSD&limit=5");
    expect(depth.body).toEqual({ lastUpdateId: expect.any(Number), bids: [], asks: [["64000.00", "0.2000"]] });
    expect(depth.headers.get("x-mbx-used-weight-1m")).not.toBeNull();
    const trades = await get("trades?symbol=BTCUSD");
    expect(trades.body.map((t: any) => [t.id, t.price, t.qty, t.isBuyerMaker])).toEqual([[1, "64000.00", "0.2000", false], [2, "64000.00", "0.1000", false]]);
    expect((await get("historicalTrades?symbol=BTCUSD&fromId=2")).body.map((t: any) => t.id)).toEqual([2]);
    const agg = await get("aggTrades?symbol=BTCUSD&limit=1");
    expect(agg.body).toEqual([{ a: 2, p: "64000.00", q: "0.1000", f: 2, l: 2, T: expect.any(Number), m: false, M: true }]);
    // By the hour: a minute could turn between the trades and this read, and list a quiet one.
    const klines = await get("klines?symbol=BTCUSD&interval=1h");
    expect(klines.body).toHaveLength(1);
    const k = klines.body[0];
    expect(k.slice(1, 6)).toEqual(["64000.00", "64000.00", "64000.00", "64000.00", "0.3000"]);
    expect([k[6] - k[0], k[7], k[8], k[9], k[10]]).toEqual([3_599_999, "19200.000000", 2, "0.3000", "19200.000000"]);
    // Candles are chosen by their open time: none opens before the hour of the first trade.
    expect((await get(`klines?symbol=BTCUSD&interval=1h&endTime=${k[0] - 1}`)).body).toEqual([]);
    const ticker = await get("ticker/24hr?symbol=BTCUSD");
    expect(ticker.body).toMatchObject({ symbol: "BTCUSD", lastPrice: "64000.00", volume: "0.3000", quoteVolume: "19200.000000", count: 2, firstId: 1, lastId: 2, askPrice: "64000.00", askQty: "0.2000", priceChangePercent: "0.000" });
    const some = await get(`ticker/24hr?symbols=${encodeURIComponent('["BTCUSD","ETHUSD"]')}&type=MINI`);
    expect(some.body.map((t: any) => t.symbol)).toEqual(["BTCUSD", "ETHUSD"]);
    expect(some.body[0].priceChange).toBeUndefined();
    expect((await get("ticker/price?symbol=BTCUSD")).body).toEqual({ symbol: "BTCUSD", price: "64000.00" });
    expect((await get("ticker/bookTicker?symbol=BTCUSD")).body).toEqual({ symbol: "BTCUSD", bidPrice: "0.00", bidQty: "0.0000", askPrice: "64000.00", askQty: "0.2000" });
    expect((await get("avgPrice?symbol=BTCUSD")).body).toMatchObject({ mins: 5, price: "64000.00" });
    const info = await get("exchangeInfo?symbol=BTCUSD");
    expect(info.body.symbols).toHaveLength(1);
    expect(info.body.symbols[0].filters.map((f: any) => f.filterType)).toEqual(["PRICE_FILTER", "LOT_SIZE", "MARKET_LOT_SIZE", "NOTIONAL", "TRAILING_DELTA", "MAX_NUM_ORDERS", "MAX_NUM_ORDER_AMENDS"]);
    expect(info.body.symbols[0].allowedSelfTradePreventionModes).toEqual(["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"]);
  });

  test("the rolling-window ticker: window sizes from 1m to 7d, FULL and MINI, symbols, weights, the WebSocket API's, and bad windows", async () => {
    const FULL = ["symbol", "priceChange", "priceChangePercent", "weightedAvgPrice", "openPrice", "highPrice", "lowPrice", "lastPrice",
      "volume", "quoteVolume", "openTime", "closeTime", "firstId", "lastId", "count"];
    const MINI = FULL.filter((k) => !["priceChange", "priceChangePercent", "weightedAvgPrice"].includes(k));
    // The trades above: both at 64000 within this minute, so every window holds them.
    const figures = { symbol: "BTCUSD", openPrice: "64000.00", lastPrice: "64000.00", volume: "0.3000", quoteVolume: "19200.000000", firstId: 1, lastId: 2, count: 2 };
    for (const size of ["1m", "59m", "1h", "23h", "1d", "7d", undefined]) {
      const before = Date.now();
      const t = await get(`ticker?symbol=BTCUSD${size ? `&windowSize=${size}` : ""}`);
      expect(Object.keys(t.body)).toEqual(FULL);
      expect(t.body).toMatchObject({ ...figures, priceChange: "0.00", priceChangePercent: "0.000", weightedAvgPrice: "64000.00" });
      // From the start of the minute the window's size before now.
      const ms = { m: 60_000, h: 3_600_000, d: 86_400_000 }[(size ?? "1d").slice(-1) as "m"] * Number.parseInt(size ?? "1d");
      expect(t.body.openTime % 60_000).toBe(0);
      expect(t.body.openTime).toBe(Math.floor((t.body.closeTime - ms) / 60_000) * 60_000);
      expect(t.body.closeTime).toBeGreaterThanOrEqual(before - 1000);
    }
    const mini = await get(`ticker?symbols=${encodeURIComponent('["BTCUSD","ETHUSD"]')}&type=MINI&windowSize=2h`);
    expect(mini.body.map((t: any) => Object.keys(t))).toEqual([MINI, MINI]);
    expect(mini.body[0]).toMatchObject(figures);
    expect(mini.body[1]).toMatchObject({ symbol: "ETHUSD", count: 0, firstId: -1, lastId: -1, volume: "0.000" });
    // 4 a market: count the weight each request adds, inside one clock minute.
    await earlyInClockWindow(60_000, 55_000);
    const used = (r: { headers: Headers }) => Number(r.headers.get("x-mbx-used-weight-1m"));
    const a = await get("ping"), b = await get("ticker?symbol=BTCUSD"), c = await get(`ticker?symbols=${encodeURIComponent('["BTCUSD","ETHUSD"]')}`);
    expect([used(b) - used(a), used(c) - used(b)]).toEqual([4, 8]);
    // The WebSocket API's `ticker` answers the same (but for the time it was asked).
    const api = await openSocket(`${WS}/ws-api/v3`);
    const viaWs = await api.request("ticker", { symbol: "BTCUSD", windowSize: "3d" });
    const viaRest = (await get("ticker?symbol=BTCUSD&windowSize=3d")).body;
    expect({ ...viaWs.result, openTime: 0, closeTime: 0 }).toEqual({ ...viaRest, openTime: 0, closeTime: 0 });
    api.close();
    for (const bad of ["0m", "60m", "24h", "8d", "1d2h", "1w", "m", "01m"]) {
      expect({ bad, body: (await get(`ticker?symbol=BTCUSD&windowSize=${bad}`)).body }).toEqual({ bad, body: { code: -1130, msg: "Data sent for parameter 'windowSize' is not valid." } });
    }
    expect((await get("ticker")).body.code).toBe(-1102);
    expect((await get("ticker?symbol=BTCUSD&type=NANO")).body.code).toBe(-1130);
    expect((await get("ticker?symbol=NOPE")).body.code).toBe(-1121);
  });

  test("the trading day ticker: from midnight in a time zone, its trades so far; FULL and MINI, symbols, weights, bad zones", async () => {
    const DAY = 86_400_000;
    const trades: any[] = (await get("trades?symbol=BTCUSD&limit=1000")).body;
    expect(trades.length).toBeGreaterThan(0);
    for (const [zone, hoursAhead] of [[undefined, 0], ["0", 0], ["8", 8], ["+08:00", 8], ["-1:00", -1], ["05:45", 5.75], ["14", 14], ["-12", -12]] as const) {
      const t = (await get(`ticker/tradingDay?symbol=BTCUSD${zone ? `&timeZone=${encodeURIComponent(zone)}` : ""}`)).body;
      const offset = hoursAhead * 3_600_000;
      const open = Math.floor((Date.now() + offset) / DAY) * DAY - offset;
      expect({ zone, openTime: t.openTime, closeTime: t.closeTime }).toEqual({ zone, openTime: open, closeTime: open + DAY - 1 });
      const today = trades.filter((x) => x.time >= open);
      const prices = today.map((x) => x.price).sort((a, b) => Number(a) - Number(b));
      expect({ zone, count: t.count, firstId: t.firstId, lastId: t.lastId, openPrice: t.openPrice, highPrice: t.highPrice, lowPrice: t.lowPrice })
        .toEqual({ zone, count: today.length, firstId: today[0]?.id ?? -1, lastId: today.at(-1)?.id ?? -1, openPrice: today[0]?.price, highPrice: prices.at(-1), lowPrice: prices[0] });
    }
    const FULL = ["symbol", "priceChange", "priceChangePercent", "weightedAvgPrice", "openPrice", "highPrice", "lowPrice", "lastPrice",
      "volume", "quoteVolume", "openTime", "closeTime", "firstId", "lastId", "count"];
    expect(Object.keys((await get("ticker/tradingDay?symbol=BTCUSD")).body)).toEqual(FULL);
    const mini = await get(`ticker/tradingDay?symbols=${encodeURIComponent('["BTCUSD","ETHUSD"]')}&type=MINI`);
    expect(mini.body.map((t: any) => [t.symbol, "priceChange" in t, t.count > 0])).toEqual([["BTCUSD", false, true], ["ETHUSD", false, false]]);
    // 4 a market, as the rolling ticker (inside one clock minute).
    await earlyInClockWindow(60_000, 55_000);
    const used = (r: { headers: Headers }) => Number(r.headers.get("x-mbx-used-weight-1m"));
    const a = await get("ping"), b = await get("ticker/tradingDay?symbol=BTCUSD"), c = await get(`ticker/tradingDay?symbols=${encodeURIComponent('["BTCUSD","ETHUSD"]')}`);
    expect([used(b) - used(a), used(c) - used(b)]).toEqual([4, 8]);
    for (const bad of ["15", "-13", "+14:30", "8:60", "UTC", "1.5"]) {
      expect({ bad, body: (await get(`ticker/tradingDay?symbol=BTCUSD&timeZone=${encodeURIComponent(bad)}`)).body }).toEqual({ bad, body: { code: -1130, msg: "Data sent for parameter 'timeZone' is not valid." } });
    }
    expect((await get("ticker/tradingDay")).body.code).toBe(-1102);
    expect((await get("ticker/tradingDay?symbol=NOPE")).body.code).toBe(-1121);
  });

  test("account, myTrades, allOrders, commission, order/test", async () => {
    const account = await rest(bob, "GET", "account", { omitZeroBalances: "true" });
    expect(account.body).toMatchObject({ canTrade: true, accountType: "SPOT", commissionRates: { maker: "0.00100000", taker: "0.00200000" } });
    expect(account.body.balances.find((b: any) => b.asset === "BTC")).toEqual({ asset: "BTC", free: "100.29940000", locked: "0.00000000" });
    const trades = await rest(bob, "GET", "myTrades", { symbol: "BTCUSD" });
    expect(trades.body.map((t: any) => [t.id, t.isBuyer, t.isMaker, t.commission, t.commissionAsset])).toEqual([[1, true, false, "0.00040000", "BTC"], [2, true, false, "0.00020000", "BTC"]]);
    const orders = await rest(bob, "GET", "allOrders", { symbol: "BTCUSD", limit: "1" });
    expect(orders.body).toHaveLength(1);
    expect(orders.body[0].type).toBe("MARKET");
    expect((await rest(bob, "GET", "allOrders", { symbol: "BTCUSD", startTime: "0", endTime: String(25 * 3600_000) })).body.code).toBe(-1127);
    expect((await rest(bob, "GET", "account/commission", { symbol: "BTCUSD" })).body.standardCommission).toEqual({ maker: "0.00100000", taker: "0.00200000", buyer: "0.00000000", seller: "0.00000000" });
    // The account's filters in a market are the market's, as exchangeInfo lists them.
    const info = (await get("exchangeInfo?symbol=BTCUSD")).body;
    expect((await rest(bob, "GET", "myFilters", { symbol: "BTCUSD" })).body).toEqual({ exchangeFilters: info.exchangeFilters, symbolFilters: info.symbols[0].filters, assetFilters: [] });
    expect((await rest(bob, "GET", "myFilters", {})).body.code).toBe(-1102);
    expect((await rest(bob, "POST", "order/test", limit("BUY", "1", "1"))).body).toEqual({});
    expect((await rest(bob, "GET", "openOrders", { symbol: "BTCUSD" })).body).toEqual([]); // the test placed nothing
  });

  test("order lists: OCO and OTO placed, listed, cancelled together", async () => {
    const oco = await rest(alice, "POST", "orderList/oco", {
      symbol: "BTCUSD", side: "SELL", quantity: "0.1", aboveType: "LIMIT_MAKER", abovePrice: "70000",
      belowType: "STOP_LOSS_LIMIT", belowPrice: "59000", belowStopPrice: "60000", belowTimeInForce: "GTC", newOrderRespType: "RESULT",
    });
    expect(oco.body).toMatchObject({ contingencyType: "OCO", listStatusType: "EXEC_STARTED", listOrderStatus: "EXECUTING", symbol: "BTCUSD" });
    expect(oco.body.orderReports.map((o: any) => o.type)).toEqual(["LIMIT_MAKER", "STOP_LOSS_LIMIT"]);
    const oto = await rest(alice, "POST", "orderList/oto", {
      symbol: "BTCUSD", workingType: "LIMIT", workingSide: "BUY", workingPrice: "50000", workingQuantity: "0.1", workingTimeInForce: "GTC",
      pendingType: "LIMIT", pendingSide: "SELL", pendingPrice: "80000", pendingQuantity: "0.1", pendingTimeInForce: "GTC",
    });
    expect(oto.body).toMatchObject({ contingencyType: "OTO", listClientOrderId: `exlist${oto.body.orderListId}` });
    expect((await rest(alice, "GET", "orderList", { origClientOrderId: `exlist${oto.body.orderListId}` })).body.orderListId).toBe(oto.body.orderListId);
    expect((await rest(alice, "GET", "openOrderList")).body.map((l: any) => l.orderListId)).toEqual([oco.body.orderListId, oto.body.orderListId]);
    const cancelled = await rest(alice, "DELETE", "orderList", { symbol: "BTCUSD", orderListId: String(oco.body.orderListId) });
    expect(cancelled.body).toMatchObject({ listStatusType: "ALL_DONE", listOrderStatus: "ALL_DONE" });
    expect(cancelled.body.orderReports.map((o: any) => o.status)).toEqual(["CANCELED", "CANCELED"]);
    expect((await rest(alice, "GET", "orderList", { orderListId: String(oto.body.orderListId) })).body.listOrderStatus).toBe("EXECUTING");
    await rest(alice, "DELETE", "orderList", { symbol: "BTCUSD", orderListId: String(oto.body.orderListId) });
    expect((await rest(alice, "GET", "openOrderList")).body).toEqual([]);
    // Every list of the account, newest first: the newest `limit`, or from an id on; never another account's.
    const all = (await rest(alice, "GET", "allOrderList")).body;
    expect(all.slice(0, 2).map((l: any) => [l.orderListId, l.contingencyType, l.listOrderStatus])).toEqual([[oto.body.orderListId, "OTO", "ALL_DONE"], [oco.body.orderListId, "OCO", "ALL_DONE"]]);
    expect(all[0].orders.map((o: any) => o.orderId)).toEqual(oto.body.orders.map((o: any) => o.orderId));
    expect((await rest(alice, "GET", "allOrderList", { limit: "1" })).body.map((l: any) => l.orderListId)).toEqual([oto.body.orderListId]);
    expect((await rest(alice, "GET", "allOrderList", { fromId: String(oco.body.orderListId) })).body.map((l: any) => l.orderListId)).toEqual([oto.body.orderListId, oco.body.orderListId]);
    expect((await rest(alice, "GET", "allOrderList", { fromId: String(oto.body.orderListId + 1) })).body).toEqual([]);
    expect((await rest(alice, "GET", "allOrderList", { startTime: String(Date.now() - 60_000) })).body.length).toBe(all.length);
    expect((await rest(bob, "GET", "allOrderList")).body.map((l: any) => l.orderListId)).not.toContain(oco.body.orderListId);
    expect((await rest(alice, "GET", "allOrderList", { fromId: "1", startTime: "0" })).body.code).toBe(-1128);
    expect((await rest(alice, "GET", "allOrderList", { limit: "1001" })).body.code).toBe(-1130);
  });

  test("OTOCO: a bracket whose take-profit and stop-loss are placed when the entry fills, as an OCO", async () => {
    // (It trades within the prices of the other tests: the rolling tickers below see them all.)
    const bracket = (quantity = "0.1") => rest(alice, "POST", "orderList/otoco", {
      symbol: "BTCUSD", workingType: "LIMIT", workingSide: "BUY", workingPrice: "64000", workingQuantity: quantity, workingTimeInForce: "GTC",
      pendingSide: "SELL", pendingQuantity: quantity, pendingAboveType: "LIMIT_MAKER", pendingAbovePrice: "64700", pendingAboveClientOrderId: "take-profit",
      pendingBelowType: "STOP_LOSS_LIMIT", pendingBelowPrice: "62900", pendingBelowStopPrice: "63000", pendingBelowTimeInForce: "GTC",
      newOrderRespType: "RESULT", listClientOrderId: "my-bracket",
    });
    const placed = await bracket();
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ contingencyType: "OTO", listStatusType: "EXEC_STARTED", listOrderStatus: "EXECUTING", listClientOrderId: "my-bracket", symbol: "BTCUSD" });
    const [entry, takeProfit, stopLoss] = placed.body.orderReports;
    expect([entry.type, takeProfit.type, stopLoss.type]).toEqual(["LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT"]);
    expect([entry.side, takeProfit.side, stopLoss.side]).toEqual(["BUY", "SELL", "SELL"]);
    expect(takeProfit).toMatchObject({ clientOrderId: "take-profit", origQty: "0.1000", price: "64700.00", orderListId: placed.body.orderListId });
    expect(stopLoss).toMatchObject({ stopPrice: "63000.00", price: "62900.00" });
    // The pair is PENDING_NEW, and not working, until the entry has filled.
    expect([entry.status, takeProfit.status, stopLoss.status]).toEqual(["NEW", "PENDING_NEW", "PENDING_NEW"]);
    expect([entry.workingTime > 0, takeProfit.workingTime, stopLoss.workingTime]).toEqual([true, -1, -1]);
    const view = async (o: any) => (await rest(alice, "GET", "order", { symbol: "BTCUSD", orderId: String(o.orderId) })).body;
    expect(await view(takeProfit)).toMatchObject({ status: "PENDING_NEW", isWorking: false });
    // Until the entry fills, only it is in the book, and only it holds anything.
    expect((await get("depth?symbol=BTCUSD")).body).toMatchObject({ bids: [["64000.00", "0.1000"]], asks: [] });
    const btc = async () => (await rest(alice, "GET", "account")).body.balances.find((b: any) => b.asset === "BTC");
    expect((await btc()).locked).toBe("0.00000000");
    // bob sells into the entry: the pair is placed, the take-profit rests, and the pair holds 0.1 BTC once.
    await rest(bob, "POST", "order", limit("SELL", "0.1", "64000"));
    expect((await get("depth?symbol=BTCUSD")).body).toMatchObject({ bids: [], asks: [["64700.00", "0.1000"]] });
    expect((await btc()).locked).toBe("0.10000000");
    expect(await view(takeProfit)).toMatchObject({ status: "NEW", isWorking: true });
    expect(await view(stopLoss)).toMatchObject({ status: "NEW", isWorking: false }); // (untriggered)
    expect((await rest(alice, "GET", "orderList", { orderListId: String(placed.body.orderListId) })).body.listOrderStatus).toBe("EXECUTING");
    // The take-profit fills: the stop-loss is cancelled with it, and the list is done.
    await rest(bob, "POST", "order", limit("BUY", "0.1", "64700"));
    const done = await rest(alice, "GET", "orderList", { orderListId: String(placed.body.orderListId) });
    expect(done.body).toMatchObject({ listStatusType: "ALL_DONE", listOrderStatus: "ALL_DONE", listClientOrderId: "my-bracket" });
    // Found by its client id too, done as open.
    expect((await rest(alice, "GET", "orderList", { origClientOrderId: "my-bracket" })).body).toEqual(done.body);
    expect(done.body.orders).toHaveLength(3);
    const statuses = await Promise.all([entry, takeProfit, stopLoss].map(async (o: any) => (await view(o)).status));
    expect(statuses).toEqual(["FILLED", "FILLED", "CANCELED"]);
    expect((await btc()).locked).toBe("0.00000000");
    // Each fill names the list of its own order: alice's legs the bracket, bob's none.
    const legs = async (keys: Keys, params: Record<string, string> = {}) =>
      (await rest(keys, "GET", "myTrades", { symbol: "BTCUSD", limit: "2", ...params })).body.map((t: any) => [t.orderId, t.orderListId]);
    const listId = placed.body.orderListId;
    expect(await legs(alice)).toEqual([[entry.orderId, listId], [takeProfit.orderId, listId]]);
    expect(await legs(alice, { orderId: String(takeProfit.orderId) })).toEqual([[takeProfit.orderId, listId]]);
    expect((await legs(bob)).map(([, list]: number[]) => list)).toEqual([-1, -1]);
    // Cancelling a pending order before the entry fills cancels all three. (A done list's client
    // id is free again; an open one's is not.)
    const second = (await bracket("0.2")).body;
    expect((await bracket("0.3")).body.code).toBe(-2010);
    expect((await rest(alice, "GET", "orderList", { origClientOrderId: "my-bracket" })).body.orderListId).toBe(second.orderListId);
    const cancelled = await rest(alice, "DELETE", "orderList", { symbol: "BTCUSD", listClientOrderId: "my-bracket" });
    // The answer shows the cancel's generated id as the list's (as Binance does), and each order's
    // own as its origClientOrderId; the list keeps its own (found by it below).
    expect(cancelled.body).toMatchObject({ orderListId: second.orderListId, listClientOrderId: expect.stringMatching(/^[A-Za-z0-9]{22}$/) });
    expect(cancelled.body.orderReports.map((o: any) => [o.status, o.origClientOrderId])).toEqual(second.orders.map((o: any) => ["CANCELED", o.clientOrderId]));
    expect(new Set(cancelled.body.orderReports.map((o: any) => o.clientOrderId)).size).toBe(3);
    expect(cancelled.body.orders).toEqual(second.orders);
    // The newest list with the id is found; one shown as exlist<id> is found by that; others are unknown.
    expect((await rest(alice, "GET", "orderList", { origClientOrderId: "my-bracket" })).body.orderListId).toBe(second.orderListId);
    expect((await rest(alice, "GET", "orderList", { origClientOrderId: "no-such-list" })).body.code).toBe(-2013);
    expect((await rest(bob, "GET", "orderList", { origClientOrderId: "my-bracket" })).body.code).toBe(-2013);
    expect((await rest(alice, "GET", "orderList", {})).body.code).toBe(-1102);
    // A pending pair that is not a pair (a plain limit) is refused whole.
    const bad = await rest(alice, "POST", "orderList/otoco", {
      symbol: "BTCUSD", workingType: "LIMIT", workingSide: "BUY", workingPrice: "64000", workingQuantity: "0.1", workingTimeInForce: "GTC",
      pendingSide: "SELL", pendingQuantity: "0.1", pendingAboveType: "LIMIT", pendingAbovePrice: "64700", pendingAboveTimeInForce: "GTC",
      pendingBelowType: "STOP_LOSS", pendingBelowStopPrice: "63000",
    });
    expect(bad.status).toBe(400);
    expect((await rest(alice, "GET", "openOrderList")).body).toEqual([]);
  });

  test("OPO and OPOCO: the pending orders sell what the working order bought, net of its fee, in whole lots", async () => {
    const units = (decimal: string) => BigInt(decimal.replace(".", "")); // BTC: 8 decimals
    const btc = async () => (await rest(alice, "GET", "account")).body.balances.find((b: any) => b.asset === "BTC");
    const working = { symbol: "BTCUSD", workingType: "LIMIT", workingSide: "BUY", workingPrice: "64000", workingQuantity: "0.15", workingTimeInForce: "GTC" };
    const before = await btc();
    const placed = await rest(alice, "POST", "orderList/opo", { ...working, pendingType: "LIMIT_MAKER", pendingSide: "SELL", pendingPrice: "64700", newOrderRespType: "RESULT" });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ contingencyType: "OTO", listStatusType: "EXEC_STARTED", listOrderStatus: "EXECUTING" });
    const pending = placed.body.orderReports[1];
    expect(pending).toMatchObject({ status: "PENDING_NEW", type: "LIMIT_MAKER", side: "SELL", price: "64700.00", workingTime: -1 });
    expect(pending.origQty).toBeUndefined(); // (as Binance shows it: no quantity yet)
    // bob sells 0.1 into the working order: alice receives 0.1 less the maker fee (10 bps), locked.
    await rest(bob, "POST", "order", limit("SELL", "0.1", "64000"));
    expect(await btc()).toMatchObject({ free: before.free, locked: "0.09990000" });
    // The rest: 0.14985 received in all. The pending order sells 0.1498; the half lot left is free.
    await rest(bob, "POST", "order", limit("SELL", "0.05", "64000"));
    expect((await get("depth?symbol=BTCUSD")).body).toMatchObject({ bids: [], asks: [["64700.00", "0.1498"]] });
    const after = await btc();
    expect([after.locked, units(after.free) - units(before.free)]).toEqual(["0.14980000", 5_000n]);
    expect((await rest(alice, "GET", "order", { symbol: "BTCUSD", orderId: String(pending.orderId) })).body).toMatchObject({ status: "NEW", origQty: "0.1498", isWorking: true });
    // OPOCO: the pair sells the same quantity, held once.
    const pair = await rest(alice, "POST", "orderList/opoco", {
      ...working, workingQuantity: "0.1", pendingSide: "SELL", pendingAboveType: "LIMIT_MAKER", pendingAbovePrice: "64800",
      pendingBelowType: "STOP_LOSS", pendingBelowStopPrice: "63000",
    });
    expect(pair.body.orders).toHaveLength(3);
    await rest(bob, "POST", "order", limit("SELL", "0.1", "64000"));
    expect((await get("depth?symbol=BTCUSD")).body.asks).toEqual([["64700.00", "0.1498"], ["64800.00", "0.0999"]]);
    expect((await btc()).locked).toBe("0.24970000");
    // Refused: a pending quantity, a working sell, a pending buy.
    const opo = (extra: Record<string, string>) => rest(alice, "POST", "orderList/opo", { ...working, pendingType: "LIMIT_MAKER", pendingSide: "SELL", pendingPrice: "64700", ...extra });
    expect((await opo({ pendingQuantity: "0.1" })).body.code).toBe(-1106);
    for (const bad of [{ workingSide: "SELL", workingPrice: "65000" }, { pendingSide: "BUY", pendingPrice: "63000" }] as Record<string, string>[]) expect((await opo(bad)).status).toBe(400);
    expect((await get("exchangeInfo?symbol=BTCUSD")).body.symbols[0].opoAllowed).toBe(true);
  });

  test("cancelReplace: both done, or -2022 with nothing done when the cancel fails", async () => {
    const placed = await rest(alice, "POST", "order", limit("BUY", "0.1", "50000"));
    const replaced = await rest(alice, "POST", "order/cancelReplace", { ...limit("BUY", "0.2", "50500"), cancelReplaceMode: "STOP_ON_FAILURE", cancelOrderId: String(placed.body.orderId) });
    expect(replaced.body).toMatchObject({ cancelResult: "SUCCESS", newOrderResult: "SUCCESS", cancelResponse: { status: "CANCELED", orderId: placed.body.orderId }, newOrderResponse: { price: "50500.00", origQty: "0.2000" } });
    const failed = await rest(alice, "POST", "order/cancelReplace", { ...limit("BUY", "0.2", "50600"), cancelReplaceMode: "STOP_ON_FAILURE", cancelOrderId: String(placed.body.orderId) });
    expect(failed.status).toBe(400);
    expect(failed.body).toMatchObject({ code: -2022, data: { cancelResult: "FAILURE", newOrderResult: "NOT_ATTEMPTED" } });
    const allowed = await rest(alice, "POST", "order/cancelReplace", { ...limit("BUY", "0.2", "50700"), cancelReplaceMode: "ALLOW_FAILURE", cancelOrderId: String(placed.body.orderId) });
    expect(allowed.status).toBe(409);
    expect(allowed.body).toMatchObject({ code: -2021, data: { cancelResult: "FAILURE", newOrderResult: "SUCCESS" } });
    const open = await rest(alice, "GET", "openOrders", { symbol: "BTCUSD" });
    expect(open.body.map((o: any) => o.price)).toEqual(["50500.00", "50700.00"]);
  });

  test("cancelRestrictions: ONLY_NEW and ONLY_PARTIALLY_FILLED on a cancel and on cancelReplace's; -1145 for anything else", async () => {
    const partly = (await rest(alice, "POST", "order", limit("BUY", "0.3", "50000"))).body.orderId;
    const untouched = (await rest(alice, "POST", "order", limit("BUY", "0.1", "49900"))).body.orderId;
    await rest(bob, "POST", "order", limit("SELL", "0.1", "50000"));
    const restricted = { code: -2011, msg: "Order was not canceled due to cancel restrictions." };
    const cancel = (orderId: number, cancelRestrictions: string) => rest(alice, "DELETE", "order", { symbol: "BTCUSD", orderId: String(orderId), cancelRestrictions });
    for (const [orderId, only] of [[partly, "ONLY_NEW"], [untouched, "ONLY_PARTIALLY_FILLED"]] as const) {
      const r = await cancel(orderId, only);
      expect([r.status, r.body]).toEqual([400, restricted]);
    }
    expect((await cancel(untouched, "ONLY_FILLED")).body).toEqual({ code: -1145, msg: "Invalid cancelRestrictions" });
    const stopped = await rest(alice, "POST", "order/cancelReplace", { ...limit("BUY", "0.2", "49000"), cancelReplaceMode: "STOP_ON_FAILURE", cancelOrderId: String(partly), cancelRestrictions: "ONLY_NEW" });
    expect([stopped.status, stopped.body]).toEqual([400, { code: -2022, msg: "Order cancel-replace failed.",
      data: { cancelResult: "FAILURE", newOrderResult: "NOT_ATTEMPTED", cancelResponse: restricted, newOrderResponse: null } }]);
    const allowed = await rest(alice, "POST", "order/cancelReplace", { ...limit("BUY", "0.2", "49000"), cancelReplaceMode: "ALLOW_FAILURE", cancelOrderId: String(untouched), cancelRestrictions: "ONLY_PARTIALLY_FILLED" });
    expect(allowed.status).toBe(409);
    expect(allowed.body).toMatchObject({ code: -2021, data: { cancelResult: "FAILURE", newOrderResult: "SUCCESS", cancelResponse: restricted, newOrderResponse: { price: "49000.00" } } });
    const open = async () => (await rest(alice, "GET", "openOrders", { symbol: "BTCUSD" })).body.map((o: any) => [o.orderId, o.status]);
    expect(await open()).toEqual([[partly, "PARTIALLY_FILLED"], [untouched, "NEW"], [allowed.body.data.newOrderResponse.orderId, "NEW"]]);
    const done = await cancel(partly, "ONLY_PARTIALLY_FILLED");
    expect(done.body).toMatchObject({ orderId: partly, status: "CANCELED", executedQty: "0.1000" });
    expect((await cancel(untouched, "ONLY_NEW")).body).toMatchObject({ orderId: untouched, status: "CANCELED", executedQty: "0.0000" });
  });

  test("amend keep priority: lowered in place ahead of later orders, a new client order id, the amendments listed; OCO members together; to the filled part, expired", async () => {
    const first = (await rest(alice, "POST", "order", limit("SELL", "0.5", "64000", { newClientOrderId: "mine-1" }))).body;
    await rest(bob, "POST", "order", limit("SELL", "0.5", "64000"));
    const amend = (params: Record<string, string>, keys = alice) => rest(keys, "PUT", "order/amend/keepPriority", { symbol: "BTCUSD", ...params });
    const lowered = await amend({ orderId: String(first.orderId), newQty: "0.3", newClientOrderId: "mine-2" });
    expect(lowered.status).toBe(200);
    expect(lowered.body).toEqual({
      transactTime: expect.any(Number), executionId: expect.any(Number),
      amendedOrder: {
        symbol: "BTCUSD", orderId: first.orderId, orderListId: -1, origClientOrderId: "mine-1", clientOrderId: "mine-2", price: "64000.00",
        qty: "0.3000", executedQty: "0.0000", preventedQty: "0.0000", quoteOrderQty: "0.000000", cumulativeQuoteQty: "0.000000",
        status: "NEW", timeInForce: "GTC", type: "LIMIT", side: "SELL", workingTime: expect.any(Number), selfTradePreventionMode: "NONE",
      },
    });
    expect((await get("depth?symbol=BTCUSD")).body.asks).toEqual([["64000.00", "0.8000"]]);
    // Still first at its price: a buy of 0.2 fills against it, not bob's.
    await rest(bob, "POST", "order", limit("BUY", "0.2", "64000"));
    expect((await rest(alice, "GET", "order", { symbol: "BTCUSD", origClientOrderId: "mine-2" })).body).toMatchObject({ status: "PARTIALLY_FILLED", origQty: "0.3000", executedQty: "0.2000" });
    // Without newClientOrderId it gets a generated one; lowered to its filled part, it expires.
    const again = await amend({ origClientOrderId: "mine-2", newQty: "0.2" });
    expect(again.body.amendedOrder).toMatchObject({ origClientOrderId: "mine-2", clientOrderId: expect.stringMatching(/^[A-Za-z0-9]{22}$/), qty: "0.2000", executedQty: "0.2000", status: "EXPIRED" });
    expect(again.body.executionId).toBe(lowered.body.executionId + 1);
    const amendments = await rest(alice, "GET", "order/amendments", { symbol: "BTCUSD", orderId: String(first.orderId) });
    expect(amendments.body).toEqual([
      { symbol: "BTCUSD", orderId: first.orderId, executionId: lowered.body.executionId, origClientOrderId: "mine-1", newClientOrderId: "mine-2", origQty: "0.5000", newQty: "0.3000", time: lowered.body.transactTime },
      { symbol: "BTCUSD", orderId: first.orderId, executionId: again.body.executionId, origClientOrderId: "mine-2", newClientOrderId: again.body.amendedOrder.clientOrderId, origQty: "0.3000", newQty: "0.2000", time: again.body.transactTime },
    ]);
    expect((await rest(alice, "GET", "order/amendments", { symbol: "BTCUSD", orderId: String(first.orderId), fromExecutionId: String(again.body.executionId) })).body).toHaveLength(1);
    expect((await rest(bob, "GET", "order/amendments", { symbol: "BTCUSD", orderId: String(first.orderId) })).body.code).toBe(-2013);

    // An OCO: lowering one member lowers the other, and the list shows it.
    const oco = (await rest(alice, "POST", "orderList/oco", {
      symbol: "BTCUSD", side: "SELL", quantity: "0.4", aboveType: "LIMIT_MAKER", abovePrice: "70000",
      belowType: "STOP_LOSS_LIMIT", belowPrice: "59000", belowStopPrice: "60000", belowTimeInForce: "GTC",
    })).body;
    const [above, below] = oco.orders.map((o: any) => o.orderId);
    const inList = await amend({ orderId: String(below), newQty: "0.1", newClientOrderId: "stop-leg" });
    expect(inList.body.amendedOrder).toMatchObject({ orderListId: oco.orderListId, qty: "0.1000", status: "NEW", type: "STOP_LOSS_LIMIT", stopPrice: "60000.00" });
    expect(inList.body.amendedOrder.workingTime).toBeUndefined();
    expect(inList.body.listStatus).toEqual({
      orderListId: oco.orderListId, contingencyType: "OCO", listOrderStatus: "EXECUTING", listClientOrderId: expect.any(String), symbol: "BTCUSD",
      orders: [{ symbol: "BTCUSD", orderId: above, clientOrderId: expect.any(String) }, { symbol: "BTCUSD", orderId: below, clientOrderId: "stop-leg" }],
    });
    expect((await rest(alice, "GET", "order", { symbol: "BTCUSD", orderId: String(above) })).body.origQty).toBe("0.1000");
    expect((await get("depth?symbol=BTCUSD")).body.asks).toContainEqual(["70000.00", "0.1000"]);

    // Refusals: -2038, nothing changed.
    const before = (await rest(alice, "GET", "account")).body.balances;
    expect((await amend({ orderId: String(above), newQty: "0.2" })).body).toEqual({ code: -2038, msg: "Order amend (quantity increase) is not supported." });
    expect((await amend({ orderId: String(above), newQty: "0.1" })).body).toEqual({ code: -2038, msg: "The requested action would change no state; rejecting" });
    expect((await amend({ orderId: String(first.orderId), newQty: "0.1" })).body).toEqual({ code: -2038, msg: "Order does not exist." });
    expect((await amend({ orderId: String(above), newQty: "0.05" }, bob)).body.code).toBe(-2038);
    expect((await amend({ orderId: String(above), newQty: "0.05", newClientOrderId: "stop-leg" })).body).toEqual({ code: -2038, msg: "Duplicate order sent." });
    expect((await amend({ orderId: String(above) })).body.code).toBe(-1102);
    expect((await amend({ orderId: String(above), newQty: "0.00001" })).body).toEqual({ code: -1013, msg: "Filter failure: LOT_SIZE" });
    expect((await amend({ orderId: String(above), newQty: "abc" })).body.code).toBe(-1100);
    expect((await rest(alice, "GET", "account")).body.balances).toEqual(before);
    expect((await rest(alice, "GET", "order", { symbol: "BTCUSD", orderId: String(above) })).body.origQty).toBe("0.1000");
    const exchangeInfo = (await get("exchangeInfo?symbol=BTCUSD")).body;
    expect(exchangeInfo.symbols[0].amendAllowed).toBe(true);
    // At most MAX_NUM_ORDER_AMENDS amendments of one order.
    const { maxNumOrderAmends } = exchangeInfo.symbols[0].filters.find((f: any) => f.filterType === "MAX_NUM_ORDER_AMENDS");
    expect(maxNumOrderAmends).toBe(10);
    const often = (await rest(alice, "POST", "order", limit("SELL", "1", "80000"))).body;
    for (let i = 1; i <= maxNumOrderAmends; i++) expect((await amend({ orderId: String(often.orderId), newQty: (1 - i / 100).toFixed(2) })).status).toBe(200);
    expect((await amend({ orderId: String(often.orderId), newQty: "0.5" })).body).toEqual({ code: -2038, msg: "Filter failure: MAX_NUM_ORDER_AMENDS" });
    expect((await rest(alice, "GET", "order", { symbol: "BTCUSD", orderId: String(often.orderId) })).body.origQty).toBe("0.9000");
  });

  test("self-trade prevention: the expired orders name their prevented match, which myPreventedMatches finds by id or by order", async () => {
    // EXPIRE_MAKER: alice's resting sell expires whole; her buy goes on and rests.
    const maker = (await rest(alice, "POST", "order", limit("SELL", "0.5", "64000"))).body;
    const taker = (await rest(alice, "POST", "order", limit("BUY", "0.2", "64000", { selfTradePreventionMode: "EXPIRE_MAKER" }))).body;
    expect(taker).toMatchObject({ status: "NEW", executedQty: "0.0000", preventedQuantity: "0.0000" });
    const expired = (await rest(alice, "GET", "order", { symbol: "BTCUSD", orderId: String(maker.orderId) })).body;
    expect(expired).toMatchObject({ status: "EXPIRED_IN_MATCH", preventedMatchId: taker.preventedMatchId, preventedQuantity: "0.5000" });
    const first = {
      symbol: "BTCUSD", preventedMatchId: taker.preventedMatchId, takerOrderId: taker.orderId, makerSymbol: "BTCUSD", makerOrderId: maker.orderId,
      tradeGroupId: -1, selfTradePreventionMode: "EXPIRE_MAKER", price: "64000.00", makerPreventedQuantity: "0.5000", transactTime: taker.transactTime,
    };
    const prevented = (params: Record<string, string>, keys = alice) => rest(keys, "GET", "myPreventedMatches", { symbol: "BTCUSD", ...params });
    expect((await prevented({ preventedMatchId: String(first.preventedMatchId) })).body).toEqual([first]);
    expect((await prevented({ orderId: String(maker.orderId) })).body).toEqual([first]);
    // Another account, or another market, has none of them.
    expect((await prevented({ preventedMatchId: String(first.preventedMatchId) }, bob)).body).toEqual([]);
    expect((await rest(alice, "GET", "myPreventedMatches", { symbol: "ETHUSD", orderId: String(maker.orderId) })).body).toEqual([]);

    // DECREMENT: both lose the overlap; the smaller (the taker) expires, the maker rests with the rest.
    const big = (await rest(alice, "POST", "order", limit("SELL", "1", "64100"))).body;
    const small = (await rest(alice, "POST", "order", { symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "IOC", quantity: "0.4", price: "64100", selfTradePreventionMode: "DECREMENT" })).body;
    expect(small).toMatchObject({ status: "EXPIRED_IN_MATCH", executedQty: "0.0000", preventedQuantity: "0.4000", preventedMatchId: first.preventedMatchId + 1 });
    expect((await rest(alice, "GET", "order", { symbol: "BTCUSD", orderId: String(big.orderId) })).body)
      .toMatchObject({ status: "NEW", preventedQuantity: "0.4000", preventedMatchId: small.preventedMatchId });
    const second = (await prevented({ orderId: String(big.orderId) })).body;
    expect(second).toEqual([{ ...first, preventedMatchId: small.preventedMatchId, takerOrderId: small.orderId, makerOrderId: big.orderId,
      selfTradePreventionMode: "DECREMENT", price: "64100.00", takerPreventedQuantity: "0.4000", makerPreventedQuantity: "0.4000", transactTime: small.transactTime }]);
    expect((await prevented({ orderId: String(big.orderId), fromPreventedMatchId: String(small.preventedMatchId + 1) })).body).toEqual([]);
    // Binance's four combinations, and no other.
    expect((await prevented({})).body.code).toBe(-1102);
    expect((await prevented({ fromPreventedMatchId: "1" })).body.code).toBe(-1128);
    expect((await prevented({ preventedMatchId: "1", orderId: "1" })).body.code).toBe(-1106);
    expect((await prevented({ orderId: "-1" })).body.code).toBe(-1130);
  });

  test("bad input: Binance's code for each, nothing changed, and the server keeps serving", async () => {
    const before = (await rest(alice, "GET", "account")).body.balances;
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.1" }, -1102, /'price'/],
      [limit("BUY", "0.1", "1e5"), -1100, /'price'/],
      [limit("BUY", "-1", "64000"), -1100, /'quantity'/],
      [limit("BUY", "NaN", "64000"), -1100, /'quantity'/],
      [limit("BUY", "0.1", "64000.001"), -1013, /PRICE_FILTER/],
      [limit("BUY", "0.00001", "64000"), -1013, /LOT_SIZE/],
      [limit("BUY", "99999999999999999999", "64000"), -1013, /LOT_SIZE/],
      [{ ...limit("BUY", "0.1", "64000"), symbol: "DOGEUSD" }, -1121, /Invalid symbol/],
      [{ ...limit("BUY", "0.1", "64000"), side: "UP" }, -1117, /Invalid side/],
      [{ ...limit("BUY", "0.1", "64000"), type: "PEGGED" }, -1116, /Invalid orderType/],
      [{ ...limit("BUY", "0.1", "64000"), timeInForce: "GTX" }, -1115, /Invalid timeInForce/],
      [{ symbol: "BTCUSD", side: "BUY", type: "MARKET" }, -1102, /'quantity' or 'quoteOrderQty'/],
      [{ symbol: "BTCUSD", side: "BUY", type: "MARKET", quantity: "1", quoteOrderQty: "10" }, -1128, /quoteOrderQty/],
      [{ ...limit("BUY", "0.1", "64000"), newClientOrderId: "white space" }, -1100, /newClientOrderId/],
      [{ ...limit("BUY", "0.1", "64000"), recvWindow: "70000" }, -1130, /recvWindow/],
      [{ ...limit("BUY", "0.1", "64000"), icebergQty: "0.2" }, -2010, /IcebergQty exceeds QTY/],
      [{ symbol: "BTCUSD", side: "SELL", type: "STOP_LOSS_LIMIT", timeInForce: "GTC", quantity: "0.1", price: "90000", stopPrice: "90000" }, -2010, /trigger immediately/],
    ];
    for (const [params, code, msg] of cases) {
      const r = await rest(alice, "POST", "order", params);
      expect([r.status, r.body.code, r.body.msg]).toEqual([400, code, expect.stringMatching(msg)]);
    }
    const raw = async (query: string, init: RequestInit = {}) => {
      const r = await fetch(`${ex.url}/api/v3/${query}`, init);
      return { status: r.status, body: await r.json() as any };
    };
    expect((await raw("depth?symbol=BTCUSD&symbol=ETHUSD")).body.code).toBe(-1101);
    expect((await raw("depth?symbol=BTCUSD&limit=0")).body.code).toBe(-1130);
    expect((await raw("klines?symbol=BTCUSD&interval=2m")).body.code).toBe(-1120);
    expect((await raw("depth")).body.code).toBe(-1102);
    expect((await raw("depth?symbol=%E0%A4%A")).status).toBe(400);
    expect((await raw("account?timestamp=1", { headers: { "x-mbx-apikey": "has space" } })).body.code).toBe(-2014);
    expect((await raw("order", { method: "POST", headers: { "x-mbx-apikey": alice.apiKey }, body: "x".repeat(100_000) })).status).toBe(400);
    // A signature over other bytes than those sent.
    const tampered = await fetch(`${ex.url}/api/v3/account?timestamp=${Date.now()}&signature=${"ab".repeat(32)}`, { headers: { "x-mbx-apikey": alice.apiKey } });
    expect((await tampered.json() as any).code).toBe(-1022);
    // The right signature in capitals is the same signature; one character that is not a hex digit
    // (even where the table of digits would read it as one, past ASCII) is not.
    const query = `timestamp=${Date.now()}`;
    const hex = new Bun.CryptoHasher("sha256", alice.secret).update(query).digest("hex");
    const signedWith = (signature: string) => fetch(`${ex.url}/api/v3/account?${query}&signature=${encodeURIComponent(signature)}`, { headers: { "x-mbx-apikey": alice.apiKey } });
    expect((await signedWith(hex.toUpperCase())).status).toBe(200);
    for (const wrong of [`${hex.slice(0, 63)}g`, `${hex.slice(0, 63)}${String.fromCharCode(hex.charCodeAt(63) + 128)}`]) {
      expect((await (await signedWith(wrong)).json() as any).code).toBe(-1022);
    }
    // A cancel whose own client id is malformed cancels nothing.
    const resting = (await rest(alice, "POST", "order", limit("BUY", "0.1", "50000"))).body;
    for (const [path, params] of [["order", { orderId: String(resting.orderId) }], ["orderList", { orderListId: "1" }]] as const) {
      const r = await rest(alice, "DELETE", path, { symbol: "BTCUSD", ...params, newClientOrderId: "white space" });
      expect([r.status, r.body.code, r.body.msg]).toEqual([400, -1100, expect.stringMatching(/newClientOrderId/)]);
    }
    const replace = await rest(alice, "POST", "order/cancelReplace", { ...limit("BUY", "0.1", "50100"), cancelReplaceMode: "STOP_ON_FAILURE", cancelOrderId: String(resting.orderId), cancelNewClientOrderId: "x".repeat(37) });
    expect([replace.status, replace.body.code]).toEqual([400, -1100]);
    expect((await rest(alice, "GET", "openOrders", { symbol: "BTCUSD" })).body.map((o: any) => o.orderId)).toEqual([resting.orderId]);
    await rest(alice, "DELETE", "order", { symbol: "BTCUSD", orderId: String(resting.orderId) });
    expect((await rest(alice, "GET", "account")).body.balances).toEqual(before);
  });
  test("klines: every interval from the market's first trade on, a quiet one at the close before it; limit, startTime and endTime count intervals", async () => {
    // (Trades of their own: after the tests above, which count balances.)
    const trade = async (price: string) => {
      await rest(alice, "POST", "order", limit("SELL", "0.01", price));
      await rest(bob, "POST", "order", limit("BUY", "0.01", price));
    };
    await trade("64010");
    await Bun.sleep(2100);
    await trade("64020");
    const seconds = (await get("klines?symbol=BTCUSD&interval=1s&limit=1000")).body as any[];
    // One candle a second, up to this one.
    seconds.slice(1).forEach((k, i) => expect(k[0] - seconds[i][0]).toBe(1000));
    expect(Date.now() - seconds.at(-1)[0]).toBeLessThan(2000);
    const at = (price: string) => seconds.findIndex((k) => k[4] === price && k[8] > 0);
    const [first, second] = [at("64010.00"), at("64020.00")];
    expect(second - first).toBeGreaterThanOrEqual(2);
    for (const quiet of seconds.slice(first + 1, second)) {
      expect(quiet.slice(1, 12)).toEqual(["64010.00", "64010.00", "64010.00", "64010.00", "0.0000", quiet[0] + 999, "0.000000", 0, "0.0000", "0.000000", "0"]);
    }
    // None before the market's first trade.
    expect(seconds[0][8]).toBeGreaterThan(0);
    const open = seconds[first][0];
    expect((await get(`klines?symbol=BTCUSD&interval=1s&startTime=${open}&limit=2`)).body.map((k: any) => k[0])).toEqual([open, open + 1000]);
    expect((await get(`klines?symbol=BTCUSD&interval=1s&startTime=${open + 1}&limit=1`)).body.map((k: any) => k[0])).toEqual([open + 1000]);
    const upTo = (await get(`klines?symbol=BTCUSD&interval=1s&endTime=${open + 500}&limit=2`)).body as any[];
    expect(upTo.map((k) => k[0])).toEqual(first === 0 ? [open] : [open - 1000, open]);
    expect(upTo.at(-1)).toEqual(seconds[first]);
    expect((await get(`klines?symbol=BTCUSD&interval=1s&startTime=${Date.now() + 60_000}`)).body).toEqual([]);
    expect((await get("klines?symbol=ETHUSD&interval=1m")).body).toEqual([]); // never traded

    // In a time zone, days, weeks and months begin at its midnight (startTime and endTime stay UTC).
    const traded = seconds[second][0];
    for (const [zone, hours] of [["8", 8], ["+08:00", 8], ["-5:30", -5.5], ["05:45", 5.75], ["14", 14], ["-12:00", -12], ["0", 0]] as const) {
      const offset = hours * 3_600_000;
      const local = new Date(traded + offset);
      const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - offset;
      const monday = day - ((local.getUTCDay() + 6) % 7) * 86_400_000;
      const month = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - offset;
      const nextMonth = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - offset;
      for (const [interval, open, close] of [["1d", day, day + 86_400_000], ["1w", monday, monday + 7 * 86_400_000], ["1M", month, nextMonth]] as const) {
        const holding = async (query: string) => ((await get(`klines?symbol=BTCUSD&interval=${interval}${query}`)).body as any[]).find((k) => k[0] <= traded && traded <= k[6]);
        const [inZone, inUtc] = [await holding(`&timeZone=${encodeURIComponent(zone)}`), await holding("")];
        expect([inZone[0], inZone[6]]).toEqual([open, close - 1]);
        // The same trades (every trade of this file is within seconds of this one).
        expect([...inZone.slice(1, 6), inZone[8]]).toEqual([...inUtc.slice(1, 6), inUtc[8]]);
      }
    }
    const ws = await openSocket(`${WS}/ws-api/v3`);
    expect((await ws.request("uiKlines", { symbol: "BTCUSD", interval: "1d", timeZone: "-5:30" })).result.at(-1)[0] % 86_400_000).toBe(5.5 * 3_600_000);
    ws.close();
    for (const zone of ["15", "-13", "+14:01", "8:60", "8:5", "abc", "1.5"]) {
      expect((await get(`klines?symbol=BTCUSD&interval=1d&timeZone=${encodeURIComponent(zone)}`)).body).toEqual({ code: -1130, msg: "Data sent for parameter 'timeZone' is not valid." });
    }
  });
});

describe("market streams", () => {
  test("raw and combined streams, SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, errors, and ping frames", async () => {
    const raw = await openSocket(`${WS}/ws/btcusd@trade`);
    const combined = await openSocket(`${WS}/stream?streams=btcusd@aggTrade/btcusd@bookTicker`);
    const control = await openSocket(`${WS}/ws/1`);
    expect(await control.request("SUBSCRIBE", ["btcusd@kline_1m", "btcusd@depth5@100ms"])).toEqual({ result: null, id: 1 });
    expect(await control.request("LIST_SUBSCRIPTIONS")).toEqual({ result: ["btcusd@kline_1m", "btcusd@depth5@100ms"], id: 2 });
    expect(await control.request("SUBSCRIBE", ["btcusd@nothing"])).toMatchObject({ error: { code: 2 }, id: 3 });
    // Kline streams come in UTC and in UTC+8 only, as on Binance.
    for (const other of ["btcusd@kline_1d@+09:00", "btcusd@kline_2d", "btcusd@kline_1d@100ms"]) {
      expect(await control.request("SUBSCRIBE", [other])).toMatchObject({ error: { code: 2 } });
    }
    expect(await control.request("UNSUBSCRIBE", ["btcusd@depth5@100ms"])).toEqual({ result: null, id: 7 });
    control.ws.send("{not json");
    expect(await control.next((m) => m.error?.code === 3)).toBeDefined();
    // An id is a 64-bit integer, a string of at most 36 characters, or null (Binance's rule).
    for (const id of ["x".repeat(37), 1.5, 1e300, { a: 1 }]) {
      control.ws.send(JSON.stringify({ method: "LIST_SUBSCRIPTIONS", id }));
      expect(await control.next((m) => m.error !== undefined)).toEqual({ error: { code: 2, msg: expect.stringContaining("'id' must be") }, id: null });
    }
    const uuid = "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b";
    control.ws.send(JSON.stringify({ method: "LIST_SUBSCRIPTIONS", id: uuid }));
    expect(await control.next((m) => m.id === uuid)).toEqual({ result: ["btcusd@kline_1m"], id: uuid });

    await rest(alice, "POST", "order", limit("SELL", "0.1", "64500"));
    await rest(bob, "POST", "order", limit("BUY", "0.1", "64500"));
    const trade = await raw.next((m) => m.e === "trade");
    expect(trade).toMatchObject({ s: "BTCUSD", p: "64500.00", q: "0.1000", m: false });
    expect(await combined.next((m) => m.stream === "btcusd@aggTrade")).toMatchObject({ data: { e: "aggTrade", p: "64500.00", a: trade.t, f: trade.t, l: trade.t } });
    expect(await combined.next((m) => m.stream === "btcusd@bookTicker")).toMatchObject({ data: { s: "BTCUSD", u: expect.any(Number) } });
    expect(await control.next((m) => m.e === "kline")).toMatchObject({ k: { i: "1m", c: "64500.00", x: false } });

    const pong = new Promise<string>((resolve) => raw.ws.addEventListener("pong" as any, (e: any) => resolve(String(e.data))));
    (raw.ws as any).ping("are you there");
    expect(await pong).toBe("are you there");
    for (const s of [raw, combined, control]) s.close();
  });

  test("diff depth: per-symbol update ids without gaps, stitched to GET /api/v3/depth's lastUpdateId", async () => {
    const stream = await openSocket(`${WS}/ws/btcusd@depth@100ms`);
    const partial = await openSocket(`${WS}/ws/btcusd@depth5@100ms`);
    const snapshot = (await get("depth?symbol=BTCUSD&limit=1000")).body;
    for (let i = 0; i < 20; i++) {
      await rest(i % 2 ? alice : bob, "POST", "order", limit(i % 2 ? "SELL" : "BUY", "0.01", String(i % 2 ? 66000 + i : 62000 - i)));
      if (i % 5 === 0) await Bun.sleep(120); // several 100 ms events
    }
    const end = (await get("depth?symbol=BTCUSD&limit=1000")).body;
    // Rebuild the book from the snapshot and the events, as a client does.
    const book = { bids: new Map<string, string>(snapshot.bids), asks: new Map<string, string>(snapshot.asks) };
    let last = snapshot.lastUpdateId, events = 0;
    while (last < end.lastUpdateId) {
      const e = await stream.next((m) => m.e === "depthUpdate");
      if (e.u <= snapshot.lastUpdateId) continue;
      // The first event applied spans the snapshot's id; each later one starts right after the one before.
      if (events === 0) expect(e.U <= last + 1 && last + 1 <= e.u).toBe(true);
      else expect(e.U).toBe(last + 1);
      last = e.u;
      events++;
      for (const [side, levels] of [["bids", e.b], ["asks", e.a]] as const) {
        for (const [p, q] of levels) Number(q) === 0 ? book[side].delete(p) : book[side].set(p, q);
      }
    }
    expect(events).toBeGreaterThan(1);
    const sorted = (m: Map<string, string>, desc: boolean) => [...m].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
    expect(sorted(book.bids, true)).toEqual(end.bids);
    expect(sorted(book.asks, false)).toEqual(end.asks);
    const top = await partial.next((m) => m.lastUpdateId === end.lastUpdateId, 3000);
    expect(top).toEqual({ lastUpdateId: end.lastUpdateId, bids: end.bids.slice(0, 5), asks: end.asks.slice(0, 5) });
    stream.close();
    partial.close();
  });

  test("ticker and miniTicker once a second after trades", async () => {
    const s = await openSocket(`${WS}/stream?streams=btcusd@ticker/btcusd@miniTicker`);
    await rest(alice, "POST", "order", limit("SELL", "0.1", "64600"));
    await rest(bob, "POST", "order", limit("BUY", "0.1", "64600"));
    // (A first event may still be of the trades before these: each is the ticker at its second.)
    expect(await s.next((m) => m.stream === "btcusd@ticker" && m.data.c === "64600.00", 3000)).toMatchObject({ data: { e: "24hrTicker", s: "BTCUSD", v: expect.any(String), n: expect.any(Number) } });
    expect(await s.next((m) => m.stream === "btcusd@miniTicker" && m.data.c === "64600.00", 3000)).toMatchObject({ data: { e: "24hrMiniTicker", o: expect.any(String) } });
    s.close();
  });

  test("all-market and rolling-window tickers and the average price each second; klines every second or two, closed when their interval ends, trade or not", async () => {
    const names = ["!ticker@arr", "!miniTicker@arr", "btcusd@ticker_1h", "!ticker_4h@arr", "btcusd@avgPrice", "btcusd@kline_1s", "btcusd@kline_1m", "btcusd@kline_1d@+08:00"];
    const s = await openSocket(`${WS}/stream?streams=${names.join("/")}`);
    await rest(alice, "POST", "order", limit("SELL", "0.1", "64700"));
    await rest(bob, "POST", "order", limit("BUY", "0.1", "64700"));
    const at = (name: string, match: (data: any) => boolean = () => true) => s.next((m) => m.stream === name && match(m.data));
    // The arrays hold only the markets that traded.
    const all = await at("!ticker@arr", (d) => d[0]?.c === "64700.00");
    expect(all.data.map((t: any) => [t.e, t.s])).toEqual([["24hrTicker", "BTCUSD"]]);
    expect((await at("!miniTicker@arr", (d) => d[0]?.c === "64700.00")).data).toEqual([expect.objectContaining({ e: "24hrMiniTicker", s: "BTCUSD" })]);
    const hour = await at("btcusd@ticker_1h", (d) => d.c === "64700.00");
    expect(Object.keys(hour.data)).toEqual(["e", "E", "s", "p", "P", "o", "h", "l", "c", "w", "v", "q", "O", "C", "F", "L", "n"]);
    expect(hour.data).toMatchObject({ e: "1hTicker", s: "BTCUSD", h: "64700.00" });
    expect(hour.data.O % 60_000).toBe(0);
    expect((await at("!ticker_4h@arr", (d) => d[0]?.c === "64700.00")).data).toEqual([expect.objectContaining({ e: "4hTicker", s: "BTCUSD" })]);
    expect((await at("btcusd@avgPrice")).data).toMatchObject({ e: "avgPrice", s: "BTCUSD", i: "5m", w: expect.stringMatching(/^\d+\.\d+$/), T: expect.any(Number) });
    // The trade's second goes out closed; later seconds go out with no trade, at its price.
    const closed = await at("btcusd@kline_1s", (d) => d.k.x && d.k.L === hour.data.L);
    expect(closed.data.k).toMatchObject({ i: "1s", T: closed.data.k.t + 999, c: "64700.00", h: "64700.00" });
    const quiet = await at("btcusd@kline_1s", (d) => d.k.t > closed.data.k.t);
    expect(quiet.data.k).toMatchObject({ n: 0, f: -1, L: -1, o: "64700.00", h: "64700.00", l: "64700.00", c: "64700.00", v: "0.0000" });
    expect((await at("btcusd@kline_1m", (d) => d.k.c === "64700.00")).data.k).toMatchObject({ i: "1m", x: false });
    // A day in UTC+8: from its midnight, 16:00 UTC.
    const day = (await at("btcusd@kline_1d@+08:00", (d) => d.k.c === "64700.00")).data.k;
    expect(day).toMatchObject({ i: "1d", x: false, T: day.t + 86_399_999 });
    expect((day.t + 8 * 3_600_000) % 86_400_000).toBe(0);
    s.close();
  });
});

describe("WebSocket API and user data", () => {
  test("session.logon with an Ed25519 key, then unsigned requests; user data events for orders, fills, balances, deposits and lists", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const r = await ex.call("POST", "/api/v1/accounts", { json: { name: "ws-bot", deposits: { USD: "100000" }, publicKey: pem } });
    expect(r.body.apiSecret).toBeNull();
    const keys = { apiKey: r.body.apiKey as string, secret: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
    const api = await openSocket(`${WS}/ws-api/v3`);
    expect(await api.request("session.logon", signWsParams(keys, {}, "ed25519"))).toMatchObject({ status: 200, result: { authorizedSince: expect.any(Number) } });
    const sub = await api.request("userDataStream.subscribe");
    expect(sub).toMatchObject({ status: 200, result: { subscriptionId: 0 } });

    await rest(alice, "POST", "order", limit("SELL", "0.3", "64700"));
    const ts = () => ({ timestamp: Date.now() });
    const placed = await api.request("order.place", { ...ts(), symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.5", price: "64700", newOrderRespType: "RESULT" });
    // The order counted, and its first fill (as a taker) gave it back.
    expect(placed).toMatchObject({ status: 200, result: { status: "PARTIALLY_FILLED", executedQty: "0.3000" }, rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT" }, { rateLimitType: "ORDERS", interval: "SECOND", count: 0 }, { rateLimitType: "ORDERS", interval: "DAY", count: 0 },
    ] });
    const id = placed.result.orderId;
    const event = (pred: (e: any) => boolean) => api.next((m) => m.subscriptionId === 0 && pred(m.event));
    expect((await event((e) => e.e === "executionReport" && e.x === "NEW")).event).toMatchObject({ i: id, X: "NEW", S: "BUY", o: "LIMIT" });
    expect((await event((e) => e.e === "executionReport" && e.x === "TRADE")).event).toMatchObject({ i: id, X: "PARTIALLY_FILLED", l: "0.3000", L: "64700.00", z: "0.3000", n: "0.00060000", N: "BTC", m: false });
    const position = (await event((e) => e.e === "outboundAccountPosition")).event;
    expect(position.B).toContainEqual({ a: "USD", f: "67650.000000", l: "12940.000000" });

    expect((await api.request("order.status", { ...ts(), symbol: "BTCUSD", orderId: id })).result).toMatchObject({ orderId: id, status: "PARTIALLY_FILLED" });
    expect((await api.request("openOrders.status", { ...ts(), symbol: "BTCUSD" })).result.map((o: any) => o.orderId)).toEqual([id]);
    // A cancel has a client id of its own: the answer's and the report's clientOrderId (`c`), the
    // order's own being origClientOrderId (`C`); generated when the request has none.
    const replaced = await api.request("order.cancelReplace", { ...ts(), symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.1", price: "60000", cancelReplaceMode: "STOP_ON_FAILURE", cancelOrderId: id, cancelNewClientOrderId: "replace-1" });
    expect(replaced.result).toMatchObject({ cancelResult: "SUCCESS", newOrderResult: "SUCCESS", cancelResponse: { clientOrderId: "replace-1", origClientOrderId: placed.result.clientOrderId } });
    expect((await event((e) => e.e === "executionReport" && e.x === "CANCELED")).event).toMatchObject({ i: id, X: "CANCELED", c: "replace-1", C: placed.result.clientOrderId });
    const next = replaced.result.newOrderResponse;
    const cancel = await api.request("order.cancel", { ...ts(), symbol: "BTCUSD", orderId: next.orderId });
    expect(cancel.result).toMatchObject({ status: "CANCELED", origClientOrderId: next.clientOrderId, clientOrderId: expect.stringMatching(/^[A-Za-z0-9]{22}$/) });
    expect((await event((e) => e.e === "executionReport" && e.x === "CANCELED")).event).toMatchObject({ i: next.orderId, c: cancel.result.clientOrderId, C: next.clientOrderId });
    // The order keeps its own id: found by it, and shown with it.
    expect((await api.request("order.status", { ...ts(), symbol: "BTCUSD", origClientOrderId: next.clientOrderId })).result).toMatchObject({ orderId: next.orderId, clientOrderId: next.clientOrderId, status: "CANCELED" });
    const named = await api.request("order.place", { ...ts(), symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.1", price: "60000", newClientOrderId: "to-cancel" });
    expect((await api.request("order.cancel", { ...ts(), symbol: "BTCUSD", origClientOrderId: "to-cancel", newClientOrderId: "the-cancel" })).result)
      .toMatchObject({ orderId: named.result.orderId, clientOrderId: "the-cancel", origClientOrderId: "to-cancel" });
    expect((await event((e) => e.e === "executionReport" && e.x === "CANCELED")).event).toMatchObject({ i: named.result.orderId, c: "the-cancel", C: "to-cancel" });

    const oco = await api.request("orderList.place.oco", { ...ts(), symbol: "BTCUSD", side: "BUY", quantity: "0.1", aboveType: "STOP_LOSS_LIMIT", abovePrice: "70000", aboveStopPrice: "69000", aboveTimeInForce: "GTC", belowType: "LIMIT_MAKER", belowPrice: "50000" });
    expect(oco.status).toBe(200);
    expect((await event((e) => e.e === "listStatus")).event).toMatchObject({ c: "OCO", L: "EXECUTING", g: oco.result.orderListId });
    expect((await api.request("openOrders.cancelAll", { ...ts(), symbol: "BTCUSD" })).result.length).toBe(2);
    const otoco = await api.request("orderList.place.otoco", {
      ...ts(), symbol: "BTCUSD", workingType: "LIMIT", workingSide: "BUY", workingPrice: "50000", workingQuantity: "0.1", workingTimeInForce: "GTC",
      pendingSide: "SELL", pendingQuantity: "0.1", pendingAboveType: "LIMIT_MAKER", pendingAbovePrice: "70000", pendingBelowType: "STOP_LOSS", pendingBelowStopPrice: "45000",
    });
    expect(otoco).toMatchObject({ status: 200, result: { contingencyType: "OTO", orders: [{}, {}, {}] } });
    const bracket = (await event((e) => e.e === "listStatus" && e.g === otoco.result.orderListId)).event;
    expect(bracket).toMatchObject({ c: "OTO", L: "EXECUTING" });
    expect(bracket.O.map((o: any) => o.i)).toEqual(otoco.result.orders.map((o: any) => o.orderId));
    const [, above, below] = otoco.result.orders.map((o: any) => o.orderId);
    for (const i of [above, below]) expect((await event((e) => e.e === "executionReport" && e.i === i)).event).toMatchObject({ x: "NEW", X: "PENDING_NEW", g: otoco.result.orderListId, w: false });
    // A list's cancel: its id is the list's in the answer and in the listStatus event; each
    // order's report has an id of its own, as the answer has.
    const listCancel = (await api.request("orderList.cancel", { ...ts(), symbol: "BTCUSD", orderListId: otoco.result.orderListId, newClientOrderId: "cancel-bracket" })).result;
    expect(listCancel).toMatchObject({ listOrderStatus: "ALL_DONE", listClientOrderId: "cancel-bracket" });
    for (const r of listCancel.orderReports) {
      expect((await event((e) => e.e === "executionReport" && e.x === "CANCELED" && e.i === r.orderId)).event).toMatchObject({ c: r.clientOrderId, C: r.origClientOrderId });
    }
    expect((await event((e) => e.e === "listStatus" && e.g === otoco.result.orderListId && e.L === "ALL_DONE")).event.C).toBe("cancel-bracket");
    // An OTO whose working order fills at once: its pending order was PENDING_NEW, and is placed (NEW).
    await rest(alice, "POST", "order", limit("SELL", "0.1", "64700"));
    const oto = await api.request("orderList.place.oto", {
      ...ts(), symbol: "BTCUSD", workingType: "LIMIT", workingSide: "BUY", workingPrice: "64700", workingQuantity: "0.1", workingTimeInForce: "GTC",
      pendingType: "LIMIT_MAKER", pendingSide: "SELL", pendingPrice: "70000", pendingQuantity: "0.1", newOrderRespType: "RESULT",
    });
    const pendingId = oto.result.orders[1].orderId;
    expect(oto.result.orderReports.map((o: any) => o.status)).toEqual(["FILLED", "NEW"]);
    const pendingReports = [await event((e) => e.e === "executionReport" && e.i === pendingId), await event((e) => e.e === "executionReport" && e.i === pendingId)];
    expect(pendingReports.map(({ event: e }) => [e.x, e.X, e.w])).toEqual([["NEW", "PENDING_NEW", false], ["NEW", "NEW", true]]);
    expect((await api.request("order.cancel", { ...ts(), symbol: "BTCUSD", orderId: pendingId })).result.status).toBe("CANCELED");

    await ex.call("POST", "/api/v1/account/deposits", { key: keys.apiKey, json: { asset: "USD", amount: "5" } });
    expect((await event((e) => e.e === "balanceUpdate")).event).toMatchObject({ a: "USD", d: "5.000000" });

    // An order self-trade prevention expired: its report names the prevented match.
    const resting = await api.request("order.place", { ...ts(), symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.3", price: "60000" });
    const taker = await api.request("order.place", { ...ts(), symbol: "BTCUSD", side: "SELL", type: "LIMIT", timeInForce: "GTC", quantity: "0.1", price: "60000", selfTradePreventionMode: "EXPIRE_BOTH" });
    const prevention = (await event((e) => e.e === "executionReport" && e.x === "TRADE_PREVENTION" && e.i === resting.result.orderId)).event;
    expect(prevention).toMatchObject({ X: "EXPIRED_IN_MATCH", v: taker.result.preventedMatchId, A: "0.3000", B: "0.3000", u: -1, U: taker.result.orderId, Cs: "BTCUSD", pl: "0.1000", pL: "60000.00", pY: "6000.000000" });
    expect((await event((e) => e.e === "executionReport" && e.x === "TRADE_PREVENTION" && e.i === taker.result.orderId)).event)
      .toMatchObject({ v: prevention.v, A: "0.1000", B: "0.1000", U: resting.result.orderId });
    expect((await api.request("myPreventedMatches", { ...ts(), symbol: "BTCUSD", preventedMatchId: prevention.v })).result)
      .toEqual([expect.objectContaining({ takerOrderId: taker.result.orderId, makerOrderId: resting.result.orderId, takerPreventedQuantity: "0.1000", makerPreventedQuantity: "0.3000" })]);

    // Lowered in place: REPLACED, with the client order id it had.
    const kept = await api.request("order.place", { ...ts(), symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.3", price: "59000", newClientOrderId: "before" });
    const amended = await api.request("order.amend.keepPriority", { ...ts(), symbol: "BTCUSD", orderId: kept.result.orderId, newQty: "0.2", newClientOrderId: "after" });
    expect(amended).toMatchObject({ status: 200, result: { amendedOrder: { clientOrderId: "after", qty: "0.2000" } }, rateLimits: [{ count: expect.any(Number) }] });
    expect((await event((e) => e.e === "executionReport" && e.x === "REPLACED")).event).toMatchObject({ i: kept.result.orderId, X: "NEW", c: "after", C: "before", q: "0.2000" });
    expect((await api.request("order.amendments", { ...ts(), symbol: "BTCUSD", orderId: kept.result.orderId })).result)
      .toEqual([expect.objectContaining({ executionId: amended.result.executionId, origQty: "0.3000", newQty: "0.2000" })]);

    expect(await api.request("userDataStream.unsubscribe")).toMatchObject({ status: 200 });
    expect(await api.request("order.place", { symbol: "BTCUSD" })).toMatchObject({ status: 400, error: { code: -1102 } }); // no timestamp
    expect(await api.request("no.such.method", {})).toMatchObject({ status: 400, error: { code: -1020 } });
    expect(await api.request("order.status", ["not", "an", "object"])).toMatchObject({ status: 400, error: { code: -1135 } });
    expect(await api.request("order.status", { ...ts(), symbol: { nested: true } })).toMatchObject({ status: 400, error: { code: -1130 } });
    api.ws.send("{not json");
    expect(await api.next((m) => m.id === null && m.error?.code === -1135)).toMatchObject({ status: 400 });
    // The connection still serves.
    expect(await api.request("ping")).toMatchObject({ status: 200, result: {} });
    api.close();
  });

  test("REST's reads on the WebSocket API under Binance's method names, answering the same, with the same weights", async () => {
    await rest(alice, "POST", "order", limit("SELL", "0.2", "64800"));
    await rest(bob, "POST", "order", { symbol: "BTCUSD", side: "BUY", type: "MARKET", quantity: "0.1" });
    await rest(alice, "POST", "order", limit("BUY", "0.3", "64000"));
    const api = await openSocket(`${WS}/ws-api/v3`);
    const reads: [string, string, Record<string, string>, boolean][] = [
      ["depth", "depth", { symbol: "BTCUSD", limit: "1000" }, false],
      ["trades.recent", "trades", { symbol: "BTCUSD" }, false],
      ["trades.historical", "historicalTrades", { symbol: "BTCUSD", limit: "5" }, false],
      ["trades.aggregate", "aggTrades", { symbol: "BTCUSD" }, false],
      ["klines", "klines", { symbol: "BTCUSD", interval: "1m" }, false],
      ["uiKlines", "uiKlines", { symbol: "BTCUSD", interval: "1h" }, false],
      ["ticker.price", "ticker/price", { symbol: "BTCUSD" }, false],
      ["ticker.book", "ticker/bookTicker", { symbol: "BTCUSD" }, false],
      ["ticker.tradingDay", "ticker/tradingDay", { symbol: "BTCUSD", timeZone: "-3" }, false],
      ["allOrders", "allOrders", { symbol: "BTCUSD" }, true],
      ["allOrderLists", "allOrderList", {}, true],
      ["myTrades", "myTrades", { symbol: "BTCUSD" }, true],
      ["account.commission", "account/commission", { symbol: "BTCUSD" }, true],
      ["myFilters", "myFilters", { symbol: "BTCUSD" }, true],
      ["openOrders.status", "openOrders", { symbol: "BTCUSD" }, true],
    ];
    // Weight is counted per IP (this socket's and the fetches' are one) and clock minute: start well inside one.
    await earlyInClockWindow(60_000, 50_000);
    for (const [method, path, params, signed] of reads) {
      const used = async () => Number((await get("ping")).headers.get("x-mbx-used-weight-1m"));
      const start = await used();
      const viaRest = signed ? await rest(alice, "GET", path, params) : await get(`${path}?${new URLSearchParams(params)}`);
      expect(viaRest.status).toBe(200);
      const afterRest = Number(viaRest.headers.get("x-mbx-used-weight-1m"));
      const answer = await api.request(method, signed ? signWsParams(alice, params) : params);
      expect({ method, status: answer.status, result: answer.result }).toEqual({ method, status: 200, result: viaRest.body });
      expect({ method, weight: answer.rateLimits[0].count - afterRest }).toEqual({ method, weight: afterRest - start });
    }
    expect((await api.request("exchangeInfo", { symbol: "BTCUSD" })).result.symbols.map((s: any) => s.symbol)).toEqual(["BTCUSD"]);
    expect((await api.request("ticker.24hr", { symbols: ["BTCUSD", "ETHUSD"] })).result.map((t: any) => t.lastPrice)).toEqual(["64800.00", "0.00"]);
    expect(await api.request("allOrders", { symbol: "BTCUSD" })).toMatchObject({ status: 401, error: { code: -2015 } }); // unsigned
    api.close();
  });

  test("userDataStream.subscribe.signature with HMAC; a bad signature is -1022; logon is needed for userDataStream.subscribe", async () => {
    const api = await openSocket(`${WS}/ws-api/v3`);
    expect(await api.request("userDataStream.subscribe")).toMatchObject({ status: 401, error: { code: -1002 } });
    const bad = signWsParams(bob, {});
    expect(await api.request("userDataStream.subscribe.signature", { ...bad, signature: "00".repeat(32) })).toMatchObject({ status: 400, error: { code: -1022 } });
    expect(await api.request("userDataStream.subscribe.signature", signWsParams(bob, {}))).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
    await rest(bob, "POST", "order", limit("BUY", "0.01", "40000"));
    expect((await api.next((m) => m.event?.e === "executionReport")).event).toMatchObject({ x: "NEW", p: "40000.00" });
    // One subscription an account on a connection.
    expect(await api.request("userDataStream.subscribe.signature", signWsParams(bob, {}))).toMatchObject({ status: 400, error: { code: -2035 } });
    // Another account logs on and subscribes: both are listed. Logging out ends only the logon's
    // subscription, which hears eventStreamTerminated last.
    const carol = await binanceAccount(ex.call, "carol", { USD: "1000" }, "ed25519");
    expect((await api.request("session.logon", signWsParams(carol, {}, "ed25519"))).status).toBe(200);
    expect((await api.request("userDataStream.subscribe")).result).toEqual({ subscriptionId: 1 });
    expect((await api.request("session.subscriptions")).result).toEqual([{ subscriptionId: 0 }, { subscriptionId: 1 }]);
    expect((await api.request("session.logout")).result.userDataStream).toBe(true);
    expect(await api.next((m) => m.event?.e === "eventStreamTerminated")).toEqual({ subscriptionId: 1, event: { e: "eventStreamTerminated", E: expect.any(Number) } });
    expect((await api.request("session.subscriptions")).result).toEqual([{ subscriptionId: 0 }]);
    // Unsubscribed, bob's ends the same way, and hears nothing more.
    expect((await api.request("userDataStream.unsubscribe", { subscriptionId: 0 })).result).toEqual({});
    expect((await api.next((m) => m.event?.e === "eventStreamTerminated")).subscriptionId).toBe(0);
    expect((await api.request("session.status")).result.userDataStream).toBe(false);
    await rest(bob, "POST", "order", limit("BUY", "0.01", "40100"));
    expect((await api.request("ping")).status).toBe(200); // (answered after the order's events would have been sent)
    expect(api.queue.filter((m) => m.event?.e === "executionReport")).toEqual([]);
    api.close();
  });

  test("the listenKey shim: POST /api/v3/userDataStream, /ws/<listenKey>, keep-alive and close", async () => {
    const create = await fetch(`${ex.url}/api/v3/userDataStream`, { method: "POST", headers: { "x-mbx-apikey": alice.apiKey } });
    const { listenKey } = await create.json() as any;
    expect(listenKey).toMatch(/^[0-9a-f]{64}$/);
    const stream = await openSocket(`${WS}/ws/${listenKey}`);
    await rest(alice, "POST", "order", limit("SELL", "0.01", "90000"));
    expect(await stream.next((m) => m.e === "executionReport")).toMatchObject({ x: "NEW", S: "SELL" });
    const keepAlive = await fetch(`${ex.url}/api/v3/userDataStream?listenKey=${listenKey}`, { method: "PUT", headers: { "x-mbx-apikey": alice.apiKey } });
    expect(await keepAlive.json()).toEqual({});
    const byOther = await fetch(`${ex.url}/api/v3/userDataStream?listenKey=${listenKey}`, { method: "PUT", headers: { "x-mbx-apikey": bob.apiKey } });
    expect((await byOther.json() as any).code).toBe(-1125);
    await fetch(`${ex.url}/api/v3/userDataStream?listenKey=${listenKey}`, { method: "DELETE", headers: { "x-mbx-apikey": alice.apiKey } });
    stream.close();
  });
});

test("unfilled order counts: each new order counts in 10 s and the day, a first fill gives it back, past the limit -1015", async () => {
  const limited = startTestExchange(undefined, undefined, { binanceOrderLimit: 5 });
  // Counts are kept per ten seconds of the clock: start early in one.
  await earlyInClockWindow(10_000, 4_000);
  try {
    const carol = await binanceAccount(limited.call, "carol", { USD: "1000000", BTC: "10" });
    const dave = await binanceAccount(limited.call, "dave", { USD: "1000000", BTC: "10" });
    const send = (keys: Keys, method: string, path: string, params: Record<string, string>) => signedRequest(limited.url, keys, method, path, params);
    const counts = (r: { headers: Headers }) => [r.headers.get("x-mbx-order-count-10s"), r.headers.get("x-mbx-order-count-1d")];
    const placed = [];
    for (const price of ["50000", "50100", "50200"]) {
      const r = await send(carol, "POST", "order", limit("BUY", "0.1", price));
      placed.push(r.body.orderId);
      expect(counts(r)).toEqual([String(placed.length), String(placed.length)]);
    }
    // A refused order is not counted; an OCO counts its two.
    expect((await send(carol, "POST", "order", limit("BUY", "0.1", "50000.001"))).body.code).toBe(-1013);
    const oco = await send(carol, "POST", "orderList/oco", { symbol: "BTCUSD", side: "SELL", quantity: "0.1", aboveType: "LIMIT_MAKER", abovePrice: "70000", belowType: "STOP_LOSS", belowStopPrice: "40000" });
    expect([oco.status, ...counts(oco)]).toEqual([200, "5", "5"]);
    expect((await send(carol, "GET", "rateLimit/order", {})).body).toEqual([
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 5, count: 5 },
      { rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: 200_000, count: 5 },
    ]);
    const refused = await send(carol, "POST", "order", limit("BUY", "0.1", "50300"));
    expect([refused.status, refused.body]).toEqual([429, { code: -1015, msg: "Too many new orders; current limit is 5 orders per 10 SECOND." }]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Cancels change nothing; another account has a count of its own.
    await send(carol, "DELETE", "order", { symbol: "BTCUSD", orderId: String(placed[0]) });
    expect(counts(await send(dave, "POST", "order", limit("SELL", "0.1", "50200")))).toEqual(["0", "0"]);
    // Dave's sell was carol's order's first fill, as a maker: five back (dave's own first fill, as
    // a taker, took his back to zero).
    const after = await send(carol, "POST", "order", limit("BUY", "0.1", "50300"));
    expect([after.status, ...counts(after)]).toEqual([200, "1", "1"]);
    // The WebSocket API answers an order with the counts among its rateLimits.
    const api = await openSocket(`${limited.url.replace(/^http/, "ws")}/ws-api/v3`);
    const answer = await api.request("order.place", signWsParams(carol, limit("BUY", "0.1", "50400")));
    expect(answer.rateLimits.filter((l: any) => l.rateLimitType === "ORDERS").map((l: any) => l.count)).toEqual([2, 2]);
    api.close();
    const info = await fetch(`${limited.url}/api/v3/exchangeInfo`).then((r) => r.json() as any);
    expect(info.rateLimits.map((l: any) => [l.rateLimitType, l.interval, l.limit])).toEqual([["REQUEST_WEIGHT", "MINUTE", 6000], ["ORDERS", "SECOND", 5], ["ORDERS", "DAY", 200_000]]);
  } finally {
    await limited.stop();
  }
});

test("exchange accounts create prints the key and the secret once; --ed25519-public-key keeps only the public key", async () => {
  const dir = tempDir();
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const file = join(dir, "key.pem");
  writeFileSync(file, publicKey.export({ type: "spki", format: "pem" }).toString());
  const db = ["--db", ex.dbPath];
  const hmac = JSON.parse(runCli([...EXCHANGE_FROM_SOURCE, "accounts", "create", "cli-hmac", ...db, "--deposit", "USD=100"], dir));
  expect(hmac.apiSecret).toMatch(/^[0-9a-f]{64}$/);
  const ed = JSON.parse(runCli([...EXCHANGE_FROM_SOURCE, "accounts", "create", "cli-ed", ...db, "--ed25519-public-key", file], dir));
  expect(ed.apiSecret).toBeNull();
  expect((await signedRequest(ex.url, { apiKey: hmac.apiKey, secret: hmac.apiSecret }, "GET", "account", {})).body.canTrade).toBe(true);
  const query = `timestamp=${Date.now()}`;
  const signature = encodeURIComponent(sign(null, Buffer.from(query), privateKey).toString("base64"));
  const r = await fetch(`${ex.url}/api/v3/account?${query}&signature=${signature}`, { headers: { "x-mbx-apikey": ed.apiKey } });
  expect((await r.json() as any).canTrade).toBe(true);
  const wrong = Bun.spawnSync([...EXCHANGE_FROM_SOURCE, "accounts", "create", "x", ...db, "--rsa-public-key", file], { cwd: dir, stderr: "pipe" });
  expect(wrong.exitCode).toBe(2);
  expect(wrong.stderr.toString()).toContain("not rsa");
});
