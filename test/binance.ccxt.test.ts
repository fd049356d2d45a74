// The Binance surface with the client most bots use: ccxt (REST) and ccxt.pro (streams, the
// WebSocket API), unmodified, pointed at a real exchange on loopback.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import ccxt, { type OHLCV } from "ccxt";
import { binanceAccount, ccxtBinance, signedRequest, type Keys } from "./binance-client";
import { earlyInClockWindow, startTestExchange } from "./helpers";

const ex = startTestExchange();
const SYMBOL = "BTC/USD";
type Binance = Awaited<ReturnType<typeof ccxtBinance>>;
let maker: Binance, taker: Binance, makerKeys: Keys, takerKeys: Keys;
const clients: Binance[] = [];
const connect = async (keys?: Keys, options?: Record<string, unknown>) => {
  const c = await ccxtBinance(ex.url, keys, options);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  makerKeys = await binanceAccount(ex.call, "maker", { USD: "1000000", BTC: "100" });
  takerKeys = await binanceAccount(ex.call, "taker", { USD: "100000" });
  maker = await connect(makerKeys);
  taker = await connect(takerKeys);
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await ex.stop();
});

test("loadMarkets: every market, with its precisions, limits and order types from exchangeInfo", () => {
  expect(Object.keys(taker.markets).sort()).toEqual(["BTC/USD", "ETH/USD", "SOL/USD"]);
  const m = taker.market(SYMBOL);
  expect(m).toMatchObject({ id: "BTCUSD", base: "BTC", quote: "USD", spot: true, active: true });
  expect(m.precision).toMatchObject({ amount: 0.0001, price: 0.01 });
  expect(m.limits.amount?.min).toBe(0.0001);
  expect(m.info.orderTypes).toEqual(["LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER"]);
});

describe("trading through ccxt's REST calls", () => {
  test("a book, market buys by amount and by cost, trades, balances with fees, tickers and candles", async () => {
    const before = await taker.fetchBalance();
    expect(before.total.USD).toBe(100000);
    await maker.createOrder(SYMBOL, "limit", "sell", 1, 64000);
    await maker.createOrder(SYMBOL, "limit", "sell", 1, 64100);
    await maker.createOrder(SYMBOL, "limit", "buy", 0.5, 63900);
    const book = await taker.fetchOrderBook(SYMBOL);
    expect(book.bids).toEqual([[63900, 0.5]]);
    expect(book.asks).toEqual([[64000, 1], [64100, 1]]);

    const byAmount = await taker.createOrder(SYMBOL, "market", "buy", 0.5);
    expect(byAmount).toMatchObject({ status: "closed", filled: 0.5, average: 64000, cost: 32000 });
    expect(byAmount.fee).toEqual({ currency: "BTC", cost: 0.001 }); // taker 20 bps of 0.5 BTC, in what it received
    const byCost = await taker.createMarketBuyOrderWithCost(SYMBOL, 6400);
    expect(byCost).toMatchObject({ status: "closed", filled: 0.1, cost: 6400 });

    const after = await taker.fetchBalance();
    expect(after.total.USD).toBe(100000 - 32000 - 6400);
    expect(after.total.BTC).toBeCloseTo(0.6 - 0.001 - 0.0002, 10);
    expect((await maker.fetchBalance()).free.USD).toBe(1000000 - 0.5 * 63900 + 38400 - 38.4); // maker 10 bps in USD

    const trades = await taker.fetchTrades(SYMBOL);
    expect(trades.map((t: any) => [t.price, t.amount, t.side])).toEqual([[64000, 0.5, "buy"], [64000, 0.1, "buy"]]);
    const mine = await taker.fetchMyTrades(SYMBOL);
    expect(mine.map((t: any) => [t.amount, t.takerOrMaker, t.fee?.currency, t.fee?.cost])).toEqual([[0.5, "taker", "BTC", 0.001], [0.1, "taker", "BTC", 0.0002]]);
    const theirs = await maker.fetchMyTrades(SYMBOL);
    expect(theirs.every((t: any) => t.takerOrMaker === "maker" && t.side === "sell" && t.fee?.currency === "USD")).toBe(true);

    const ticker = await taker.fetchTicker(SYMBOL);
    expect(ticker).toMatchObject({ last: 64000, bid: 63900, ask: 64000, baseVolume: 0.6, quoteVolume: 38400, high: 64000, low: 64000 });
    const tickers = await taker.fetchTickers([SYMBOL, "ETH/USD"]);
    expect(Object.keys(tickers).sort()).toEqual(["BTC/USD", "ETH/USD"]);
    for (const timeframe of ["1s", "1m", "1h", "1d", "1w", "1M"]) {
      // The two trades may fall in two intervals, and the interval now open may have none yet (a
      // quiet one shows the close before it), so the candles are checked together.
      const candles = await taker.fetchOHLCV(SYMBOL, timeframe);
      const traded = candles.filter((c: number[]) => c[5]! > 0);
      expect(traded.length).toBeGreaterThanOrEqual(1);
      expect(traded.flatMap((c: number[]) => c.slice(1, 5))).toEqual(Array(4 * traded.length).fill(64000));
      expect(traded.reduce((sum: number, c: number[]) => sum + c[5]!, 0)).toBeCloseTo(0.6, 9);
      expect(candles.at(-1)!.slice(1, 5)).toEqual([64000, 64000, 64000, 64000]);
    }
  });

  test("limit, limit maker, stop-loss-limit, take-profit-limit and trailing orders; fetch, cancel, cancel all", async () => {
    const limit = await taker.createOrder(SYMBOL, "limit", "buy", 0.1, 60000);
    const makerOnly = await taker.createOrder(SYMBOL, "limit", "buy", 0.1, 60001, { postOnly: true });
    expect(makerOnly.info.type).toBe("LIMIT_MAKER");
    const stopLoss = await taker.createOrder(SYMBOL, "limit", "sell", 0.1, 63000, { stopLossPrice: 63500 });
    expect(stopLoss.info.type).toBe("STOP_LOSS_LIMIT");
    const takeProfit = await taker.createOrder(SYMBOL, "limit", "sell", 0.1, 66000, { takeProfitPrice: 65500 });
    expect(takeProfit.info.type).toBe("TAKE_PROFIT_LIMIT");
    const trailing = await taker.createOrder(SYMBOL, "market", "sell", 0.1, undefined, { trailingPercent: 1.5, stopLossOrTakeProfit: "stopLoss" });
    expect(trailing.info.type).toBe("STOP_LOSS");

    const fetched = await taker.fetchOrder(stopLoss.id, SYMBOL);
    expect(fetched).toMatchObject({ status: "open", type: "limit", side: "sell", price: 63000, triggerPrice: 63500, amount: 0.1 });
    expect((await taker.fetchOrder(trailing.id, SYMBOL)).info).toMatchObject({ type: "STOP_LOSS", trailingDelta: 150, isWorking: false });
    const open = await taker.fetchOpenOrders(SYMBOL);
    expect(open.map((o: any) => o.id)).toEqual([limit.id, makerOnly.id, stopLoss.id, takeProfit.id, trailing.id]);

    const cancelled = await taker.cancelOrder(limit.id, SYMBOL);
    expect(cancelled.status).toBe("canceled");
    expect((await taker.fetchOrder(limit.id, SYMBOL)).status).toBe("canceled");
    const all = await taker.cancelAllOrders(SYMBOL);
    expect(all.length).toBe(4);
    expect(await taker.fetchOpenOrders(SYMBOL)).toEqual([]);
    const orders = await taker.fetchOrders(SYMBOL);
    expect(orders.map((o: any) => o.status)).toEqual(["closed", "closed", "canceled", "canceled", "canceled", "canceled", "canceled"]);
    // The holds are all released: what is free is the whole balance again.
    const balance = await taker.fetchBalance();
    expect(balance.used.USD).toBe(0);
    expect(balance.used.BTC).toBe(0);
  });
});

describe("each error class ccxt maps", () => {
  const raises = async (work: () => Promise<unknown>, type: new (...args: any[]) => Error) => {
    const error = await work().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    return error as Error;
  };

  test("InsufficientFunds, OrderImmediatelyFillable, InvalidOrder, OrderNotFound, BadSymbol", async () => {
    await raises(() => taker.createOrder(SYMBOL, "limit", "buy", 1000, 60000), ccxt.InsufficientFunds);
    await raises(() => taker.createOrder(SYMBOL, "limit", "buy", 0.1, 64100, { postOnly: true }), ccxt.OrderImmediatelyFillable);
    // Sent raw: ccxt would round the price to the tick itself.
    const offTick = { symbol: "BTCUSD", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.1", price: "64000.001" };
    await raises(() => taker.privatePostOrder(offTick), ccxt.InvalidOrder);
    await raises(() => taker.privatePostOrder({ ...offTick, price: "64000", quantity: "0.00001" }), ccxt.InvalidOrder);
    await raises(() => taker.fetchOrder("999999", SYMBOL), ccxt.OrderNotFound);
    await raises(() => taker.cancelOrder("999999", SYMBOL), ccxt.OrderNotFound);
    await raises(() => taker.publicGetDepth({ symbol: "DOGEUSD" }), ccxt.BadSymbol);
    // Nothing of the refused orders stayed behind.
    expect(await taker.fetchOpenOrders(SYMBOL)).toEqual([]);
  });

  test("fetchStatus and fetchTradingFee(s) from the wallet (sapi) endpoints: the account's own rates in every market", async () => {
    expect(await taker.fetchStatus()).toMatchObject({ status: "ok" });
    const created = await ex.call("POST", "/api/v1/accounts", { json: { name: "vip", makerFeeBps: 2, takerFeeBps: 7 } });
    const vip = await connect({ apiKey: created.body.apiKey, secret: created.body.apiSecret });
    expect(await vip.fetchTradingFee(SYMBOL)).toMatchObject({ symbol: SYMBOL, maker: 0.0002, taker: 0.0007 });
    const all = await taker.fetchTradingFees();
    expect(Object.keys(all).sort()).toEqual(["BTC/USD", "ETH/USD", "SOL/USD"]);
    expect(all["ETH/USD"]).toMatchObject({ maker: 0.001, taker: 0.002 }); // the markets' defaults
    await raises(() => taker.sapiGetAssetTradeFee({ symbol: "DOGEUSD" }), ccxt.BadSymbol);
    const unsigned = await fetch(`${ex.url}/sapi/v1/asset/tradeFee`);
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json() as any).code).toBe(-2015);
  });

  test("AuthenticationError for a wrong secret or an unknown key, InvalidNonce for a stale or early timestamp", async () => {
    const forged = await connect({ apiKey: takerKeys.apiKey, secret: "0".repeat(64) });
    expect((await raises(() => forged.fetchBalance(), ccxt.AuthenticationError)).message).toContain("-1022");
    const unknown = await connect({ apiKey: "ex_unknown", secret: takerKeys.secret });
    expect((await raises(() => unknown.fetchBalance(), ccxt.AuthenticationError)).message).toContain("-2015");
    const late = await connect(takerKeys, { timeDifference: 60_000 });
    expect((await raises(() => late.fetchBalance(), ccxt.InvalidNonce)).message).toContain("outside of the recvWindow");
    const early = await connect(takerKeys, { timeDifference: -5_000 });
    expect((await raises(() => early.fetchBalance(), ccxt.InvalidNonce)).message).toContain("ahead of the server's time");
  });

  test("RateLimitExceeded past the weight limit: 429 with Retry-After, and the used weight on every answer", async () => {
    const limited = startTestExchange(undefined, undefined, { binanceWeightLimit: 50 });
    // Weight is counted per clock minute: start well inside one.
    await earlyInClockWindow(60_000, 55_000);
    try {
      const first = await fetch(`${limited.url}/api/v3/exchangeInfo`);
      expect(first.headers.get("x-mbx-used-weight-1m")).toBe("20");
      const c = await ccxtBinance(limited.url); // loadMarkets: exchangeInfo again (40)
      const error = await c.fetchTime().then(() => c.fetchOrderBook(SYMBOL)).then(() => c.fetchOrderBook(SYMBOL)).then(() => null, (e: unknown) => e);
      // ccxt raises a 429 as DDoSProtection, of which RateLimitExceeded is a kind.
      expect(error).toBeInstanceOf(ccxt.DDoSProtection);
      const refused = await fetch(`${limited.url}/api/v3/ping`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await refused.json() as any).code).toBe(-1003);
      // Going on past twice the limit without backing off is a ban (418) until the minute ends.
      let status = 429;
      for (let i = 0; i < 60 && status === 429; i++) status = (await fetch(`${limited.url}/api/v3/ping`)).status;
      expect(status).toBe(418);
      await c.close();
    } finally {
      await limited.stop();
    }
  });
});

test("DDoSProtection past the unfilled order count (429, as on Binance), and orders again once one has filled", async () => {
  const limited = startTestExchange(undefined, undefined, { binanceOrderLimit: 2 });
  await earlyInClockWindow(10_000, 6_000);
  try {
    const keys = await binanceAccount(limited.call, "counted", { USD: "100000", BTC: "1" });
    const other = await binanceAccount(limited.call, "other", { USD: "100000", BTC: "1" });
    const bot = await ccxtBinance(limited.url, keys);
    const first = await bot.createOrder(SYMBOL, "limit", "buy", 0.01, 60000);
    await bot.createOrder(SYMBOL, "limit", "buy", 0.01, 59000);
    const error = await bot.createOrder(SYMBOL, "limit", "buy", 0.01, 58000).then(() => null, (e: unknown) => e);
    // ccxt raises every 429 as DDoSProtection, before it reads the code.
    expect(error).toBeInstanceOf(ccxt.DDoSProtection);
    expect(String(error)).toContain("-1015");
    // A fill of a resting order (its first, as a maker) gives back more than it took.
    await signedRequest(limited.url, other, "POST", "/api/v3/order", { symbol: "BTCUSD", side: "SELL", type: "MARKET", quantity: "0.01" });
    expect((await bot.fetchOrder(first.id, SYMBOL)).status).toBe("closed");
    expect((await bot.createOrder(SYMBOL, "limit", "buy", 0.01, 58000)).status).toBe("open");
    await bot.close();
  } finally {
    await limited.stop();
  }
});

test("Ed25519 and RSA keys: the venue keeps only the public key; ccxt signs REST and WebSocket API requests with the private one", async () => {
  for (const keyType of ["ed25519", "rsa"] as const) {
    const keys = await binanceAccount(ex.call, `bot-${keyType}`, { USD: "50000", BTC: "1" }, keyType);
    const bot = await connect(keys);
    expect((await bot.fetchBalance()).total.USD).toBe(50000);
    const order = await bot.createOrder(SYMBOL, "limit", "buy", 0.01, 50000);
    expect(order.status).toBe("open");
    const ws = await bot.createOrderWs(SYMBOL, "limit", "buy", 0.01, 50001);
    expect(ws.status).toBe("open");
    expect((await bot.cancelAllOrders(SYMBOL)).length).toBe(2);
  }
  // An HMAC signature of an Ed25519 account's request is not valid.
  const ed = await binanceAccount(ex.call, "ed-only", {}, "ed25519");
  const r = await signedRequest(ex.url, { apiKey: ed.apiKey, secret: "x" }, "GET", "account", {});
  expect(r.body.code).toBe(-1022);
});

describe("ccxt.pro", () => {
  test("watchOrderBook with its checksum on during a random order stream holds the book GET /api/v3/depth shows", async () => {
    const watcher = await connect(undefined, { watchOrderBook: { checksum: true } });
    let book = await watcher.watchOrderBook(SYMBOL);
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const bots = [maker, taker];
    for (let i = 0; i < 150; i++) {
      const bot = bots[i % 2]!;
      const side = random() < 0.5 ? "buy" : "sell";
      const price = Math.round((63800 + random() * 400) * 100) / 100;
      const amount = Math.round((0.001 + random() * 0.05) * 10000) / 10000;
      const kind = random();
      if (kind < 0.15) await bot.createOrder(SYMBOL, "market", side, amount).catch(() => {});
      else if (kind < 0.25) await bot.cancelAllOrders(SYMBOL);
      else await bot.createOrder(SYMBOL, "limit", side, amount, price).catch(() => {});
      // Keep reading, so that a gap or a bad checksum would raise here.
      if (i % 10 === 0) book = await watcher.watchOrderBook(SYMBOL);
    }
    const depth = await watcher.publicGetDepth({ symbol: "BTCUSD", limit: 1000 });
    const deadline = Date.now() + 5000;
    while (book.nonce! < depth.lastUpdateId && Date.now() < deadline) book = await watcher.watchOrderBook(SYMBOL);
    expect(book.nonce).toBe(depth.lastUpdateId);
    const levels = (side: [string, string][]) => side.map(([p, q]) => [Number(p), Number(q)]);
    expect(book.bids.slice()).toEqual(levels(depth.bids));
    expect(book.asks.slice()).toEqual(levels(depth.asks));
  });

  test("watchTrades, watchTicker, watchOHLCV, watchOrders, watchBalance and watchMyTrades hear a fill; createOrderWs places it; fetchOrdersWs, fetchMyTradesWs, fetchTradesWs and fetchOHLCVWs read it back", async () => {
    const keys = await binanceAccount(ex.call, "watcher", { USD: "100000" });
    const bot = await connect(keys);
    await maker.cancelAllOrders(SYMBOL);
    await taker.cancelAllOrders(SYMBOL);
    const trades = bot.watchTrades(SYMBOL);
    const ticker = bot.watchTicker(SYMBOL);
    const candles = bot.watchOHLCV(SYMBOL, "1m");
    const orders = bot.watchOrders(SYMBOL);
    const balance = bot.watchBalance();
    const myTrades = bot.watchMyTrades(SYMBOL);
    await Bun.sleep(300); // the subscriptions are in place
    await maker.createOrder(SYMBOL, "limit", "sell", 0.2, 65000);
    const placed = await bot.createOrderWs(SYMBOL, "limit", "buy", 0.2, 65000);
    expect(placed).toMatchObject({ status: "closed", filled: 0.2, price: 65000 });

    expect((await trades).at(-1)).toMatchObject({ price: 65000, amount: 0.2, side: "buy" });
    // Candles are sent every two seconds: the first may be from before the trade.
    let c = await candles;
    for (let i = 0; i < 5 && c.at(-1)![4] !== 65000; i++) c = await bot.watchOHLCV(SYMBOL, "1m");
    expect(c.at(-1)![4]).toBe(65000);
    // The ticker is sent once a second: its first may still be of the trades before this one.
    let t = await ticker;
    for (let i = 0; i < 5 && t.last !== 65000; i++) t = await bot.watchTicker(SYMBOL);
    expect(t.last).toBe(65000);
    const mine = await myTrades;
    expect(mine.at(-1)).toMatchObject({ price: 65000, amount: 0.2, takerOrMaker: "taker", fee: { currency: "BTC", cost: 0.0004 } });
    const seen = await orders;
    expect(seen.at(-1)).toMatchObject({ id: placed.id, filled: 0.2 });
    let b = await balance;
    while (b.total.BTC === undefined || b.total.BTC === 0) b = await bot.watchBalance();
    expect(b.free.USD).toBe(100000 - 13000);
    expect(b.total.BTC).toBeCloseTo(0.1996, 10);

    // The WebSocket API's reads, as ccxt.pro asks for them (allOrders, myTrades, trades.historical, klines).
    expect((await bot.fetchOrdersWs(SYMBOL)).at(-1)).toMatchObject({ id: placed.id, status: "closed" });
    expect((await bot.fetchMyTradesWs(SYMBOL)).at(-1)).toMatchObject({ order: placed.id, price: 65000, amount: 0.2 });
    expect((await bot.fetchTradesWs(SYMBOL)).at(-1)).toMatchObject({ price: 65000, amount: 0.2 });
    expect((await bot.fetchOHLCVWs(SYMBOL, "1m")).at(-1)![4]).toBe(65000);
  });

  test("every market's tickers (watchTickers), a rolling window's (watchTicker ticker_1h, fetchTicker rolling), and 1s candles that go on without trades", async () => {
    const bot = await connect();
    await maker.cancelAllOrders(SYMBOL);
    const mini = bot.watchTickers(); // !miniTicker@arr
    const full = bot.watchTickers(undefined, { name: "ticker" }); // !ticker@arr
    const hour = bot.watchTicker(SYMBOL, { name: "ticker_1h" });
    const seconds = bot.watchOHLCV(SYMBOL, "1s");
    await Bun.sleep(300); // the subscriptions are in place
    await maker.createOrder(SYMBOL, "limit", "sell", 0.1, 65100);
    await taker.createOrder(SYMBOL, "market", "buy", 0.1);
    /** The first value a watch gives (and its repeats) that meets `done`. */
    const until = async <T>(first: Promise<T>, again: () => Promise<T>, done: (v: T) => boolean) => {
      let v = await first;
      for (let i = 0; i < 8 && !done(v); i++) v = await again();
      return v;
    };
    const miniTickers = await until<Awaited<typeof mini>>(mini, () => bot.watchTickers(), (t) => t[SYMBOL]?.last === 65100);
    expect(miniTickers[SYMBOL]).toMatchObject({ symbol: SYMBOL, last: 65100 });
    const fullTickers = await until<Awaited<typeof full>>(full, () => bot.watchTickers(undefined, { name: "ticker" }), (t) => t[SYMBOL]?.last === 65100);
    expect(fullTickers[SYMBOL]!.info.e).toBe("24hrTicker");
    const hourly = await until<Awaited<typeof hour>>(hour, () => bot.watchTicker(SYMBOL, { name: "ticker_1h" }), (t) => t.last === 65100);
    expect(hourly).toMatchObject({ symbol: SYMBOL, last: 65100, high: 65100, info: { e: "1hTicker" } });
    const rolling = await taker.fetchTicker(SYMBOL, { rolling: true, windowSize: "1h" });
    expect(rolling).toMatchObject({ symbol: SYMBOL, last: 65100, high: 65100 });
    expect(rolling.info.bidPrice).toBeUndefined(); // the rolling ticker's fields, not the 24-hour one's
    expect(Number(rolling.info.openTime) % 60_000).toBe(0);
    // A second after the trade's: a candle at its price with no volume, sent without a trade.
    const traded = await until<Awaited<typeof seconds>>(seconds, () => bot.watchOHLCV(SYMBOL, "1s"), (c) => c.some((k: OHLCV) => k[4] === 65100 && k[5]! > 0));
    const tradeSecond = traded.find((k: OHLCV) => k[4] === 65100 && k[5]! > 0)![0]!;
    const after = await until<Awaited<typeof seconds>>(Promise.resolve(traded), () => bot.watchOHLCV(SYMBOL, "1s"), (c) => c.at(-1)![0]! > tradeSecond);
    expect(after.at(-1)!.slice(1)).toEqual([65100, 65100, 65100, 65100, 0]);
  });
});

// Last, in a market of its own, with accounts of its own: nothing above sees it.
test("an OPO through ccxt's own binance endpoint (privatePostOrderListOpo): the pending sell is placed with what the buy received, net of its fee, in whole lots", async () => {
  const buyer = await connect(await binanceAccount(ex.call, "opo-buyer", { USD: "100000" }));
  const seller = await connect(await binanceAccount(ex.call, "opo-seller", { ETH: "10" }));
  const list = await buyer.privatePostOrderListOpo({
    symbol: "ETHUSD", workingType: "LIMIT", workingSide: "BUY", workingPrice: "3000", workingQuantity: "0.2", workingTimeInForce: "GTC",
    pendingType: "LIMIT_MAKER", pendingSide: "SELL", pendingPrice: "3100",
  });
  const [working, pending] = list.orders.map((o: any) => String(o.orderId));
  expect((await buyer.fetchOrder(pending, "ETH/USD")).info.status).toBe("PENDING_NEW");
  await seller.createOrder("ETH/USD", "limit", "sell", 0.2, 3000);
  expect((await buyer.fetchOrder(working, "ETH/USD")).status).toBe("closed");
  // 0.2 ETH bought as the maker (10 bps): 0.1998 received; 0.199 (whole steps of 0.001) to sell,
  // held for the sell, and the rest free.
  expect(await buyer.fetchOrder(pending, "ETH/USD")).toMatchObject({ status: "open", side: "sell", price: 3100, amount: 0.199 });
  const balance = await buyer.fetchBalance();
  expect([balance.used.ETH, balance.free.ETH]).toEqual([0.199, 0.0008]);
});
