// Binance's spot REST API, /api/v3, over the same core as /api/v1: parameters from the query
// string and the form body exactly as Binance takes them, its signatures, weights, errors and
// answers. Every route is declared once with its weight and security, through `route`.
import { Elysia } from "elysia";
import type { KeyedAccount } from "../accounts";
import { Outcome } from "../core/outcomes";
import { log } from "../log";
import type { Market } from "../markets";
import { accountOf, checkTimestamp, signedPayload, verifySignature } from "./auth";
import { BinanceError, errors, fromOutcome } from "./errors";
import { bookTicker, depth, INTERVALS, klineArray, symbolInfo, ticker24h, miniTicker24h } from "./market-data";
import { Params } from "./params";
import { feeRatesOf } from "../exchange";
import { accountInfo, accountTrade, aggregateTrade, listStatus, orderView, publicTrade, rateOf } from "./render";
import type { BinanceTrading } from "./trading";
import type { UserDataStreams } from "./user-data";
import { RequestWeights } from "./weights";

export const MAX_BODY_BYTES = 64 * 1024;

type Security = "none" | "key" | "signed";
interface Context { p: Params; account: KeyedAccount; request: Request }
type Weight = number | ((p: Params) => number);


function depthWeight(limit: number): number {
  return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

const tickerWeight = (one: number, all: number) => (p: Params) => {
  const list = p.optional("symbols");
  if (list !== undefined) return Math.max(one, Math.min(all, (list.match(/,/g)?.length ?? 0) + 1) * one);
  return p.has("symbol") ? one : all;
};

export interface BinanceRestOptions {
  weights: RequestWeights;
  userData: UserDataStreams;
  /** The IP a request comes from (the Bun server's own lookup). */
  ipOf: (request: Request) => string | undefined;
}

export function binanceRest(core: BinanceTrading, { weights, userData, ipOf }: BinanceRestOptions) {
  const ex = core.ex;
  // One set of headers, filled in for each answer (cheaper than a Headers built from an object each time).
  const answerHeaders = new Headers({ "content-type": "application/json" });
  const app = new Elysia({ name: "binance-rest" });

  /** Declares `${prefix}/${path}`: Binance's spot API under /api/v3, its wallet under /sapi/v1. */
  const routesUnder = (prefix: string) => (method: "GET" | "POST" | "PUT" | "DELETE", path: string, weight: Weight, security: Security, handler: (c: Context) => unknown) => {
    // Only `request` from Elysia's context: a handler that reads `server` makes Elysia define it
    // on every request's context, which costs more than the rest of the route.
    app.route(method, `${prefix}/${path}`, async ({ request }) => {
      const ip = weights.keyOf(() => ipOf(request));
      // One reading of the clock for the weights' minute and the signature's timestamp.
      const now = Date.now();
      let used = weights.current(ip, now);
      const answer = (status: number, body: unknown, extra?: Record<string, string>) => {
        const used1m = String(used);
        answerHeaders.set("x-mbx-used-weight-1m", used1m);
        answerHeaders.set("x-mbx-used-weight", used1m);
        for (const name in extra) answerHeaders.set(name, extra[name]!);
        // Response.json serializes in native code; the Response takes a copy of the headers.
        const response = Response.json(body, { status, headers: answerHeaders });
        for (const name in extra) answerHeaders.delete(name);
        return response;
      };
      try {
        const url = request.url;
        const q = url.indexOf("?");
        const query = q < 0 ? "" : url.slice(q + 1);
        let body = "";
        if (method !== "GET") {
          if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw errors.invalidValue("body");
          body = await request.text();
          if (body.length > MAX_BODY_BYTES) throw errors.invalidValue("body");
        }
        const p = Params.fromText(query, body);
        used = weights.spend(ip, typeof weight === "number" ? weight : weight(p), now);
        let account = undefined as unknown as KeyedAccount;
        if (security !== "none") {
          account = accountOf(ex.accounts, request.headers.get("x-mbx-apikey"));
          if (security === "signed") {
            checkTimestamp(p.optional("timestamp"), p.optional("recvWindow"), now);
            verifySignature(account, signedPayload(query, body), p.optional("signature"));
          }
        }
        return answer(200, await handler({ p, account, request }));
      } catch (error) {
        const e = error instanceof BinanceError ? error : error instanceof Outcome ? fromOutcome(error) : undefined;
        if (e) return answer(e.status, e.body(), e.headers);
        log("error", "binance surface: unhandled error", { path, error: String(error) });
        return answer(500, errors.internal().body());
      }
    // Binance documents this surface: the OpenAPI document is /api/v1's.
    }, { parse: "none", detail: { hide: true } });
  };
  const route = routesUnder("/api/v3");
  const wallet = routesUnder("/sapi/v1");

  /** The tickers' answer: one object for `symbol`, an array for `symbols=[…]` or for every market. */
  const oneOrMany = <T>(p: Params, render: (m: Market) => T): T | T[] => {
    const list = p.markets(ex.markets);
    return list && p.has("symbol") ? render(list[0]!) : (list ?? ex.markets.list).map(render);
  };

  // ---- general and market data ------------------------------------------------------------
  route("GET", "ping", 1, "none", () => ({}));
  route("GET", "time", 1, "none", () => ({ serverTime: Date.now() }));
  route("GET", "exchangeInfo", 20, "none", ({ p }) => {
    const markets = p.markets(ex.markets) ?? ex.markets.list;
    return {
      timezone: "UTC", serverTime: Date.now(),
      rateLimits: [{ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: weights.limit }],
      exchangeFilters: [], symbols: markets.map((m) => symbolInfo(ex, m)),
    };
  });
  route("GET", "depth", (p) => depthWeight(p.limit(100, 5000)), "none", ({ p }) => depth(ex, p.market(ex.markets), p.limit(100, 5000)));
  route("GET", "trades", 25, "none", ({ p }) => {
    const m = p.market(ex.markets);
    // From memory, oldest first as Binance lists them.
    return ex.recentTrades.newest(m.index, p.limit(500, 1000)).reverse().map((t) => publicTrade(m, t));
  });
  // Reads of the store first await the batches they need (Exchange.readable): the server goes on
  // with other requests meanwhile.
  route("GET", "historicalTrades", 25, "none", async ({ p }) => {
    const m = p.market(ex.markets);
    const filter = { fromId: p.int("fromId", 0, Number.MAX_SAFE_INTEGER), limit: p.limit(500, 1000) };
    return ex.queries.tradeHistory(m.symbol, filter, await core.readable()).map((t) => publicTrade(m, t));
  });
  route("GET", "aggTrades", 4, "none", async ({ p }) => {
    const m = p.market(ex.markets);
    const fromId = p.int("fromId", 0, Number.MAX_SAFE_INTEGER);
    const window = p.window(1);
    if (fromId !== undefined && window.startTime !== undefined) throw errors.combination("fromId", "startTime");
    const filter = { fromId, ...window, limit: p.limit(500, 1000) };
    // The newest (neither an id nor a time given): from memory, oldest first.
    const newest = fromId === undefined && window.startTime === undefined && window.endTime === undefined;
    const trades = newest ? ex.recentTrades.newest(m.index, filter.limit).reverse() : ex.queries.tradeHistory(m.symbol, filter, await core.readable());
    return trades.map((t) => aggregateTrade(m, t));
  });
  for (const path of ["klines", "uiKlines"]) {
    route("GET", path, 2, "none", async ({ p }) => {
      const m = p.market(ex.markets);
      const bucketing = INTERVALS[p.required("interval")];
      if (!bucketing) throw errors.badInterval();
      const filter = { ...p.window(), limit: p.limit(500, 1000) };
      return ex.queries.klines(m.symbol, bucketing, filter, await core.readable()).map((k) => klineArray(m, bucketing, k));
    });
  }
  route("GET", "avgPrice", 2, "none", ({ p }) => {
    const m = p.market(ex.markets);
    const now = ex.clock.now();
    const w = ex.stats.window(m.index, now, 5);
    const last = ex.stats.lastPrice(m.index) ?? 0;
    return { mins: 5, price: w.lots > 0n ? m.formatAveragePrice(w.notional, w.lots) : m.formatPrice(last), closeTime: now };
  });
  route("GET", "ticker/24hr", tickerWeight(2, 80), "none", ({ p }) => {
    const mini = p.oneOf("type", ["FULL", "MINI"] as const, () => errors.invalidValue("type")) === "MINI";
    return oneOrMany(p, (m) => (mini ? miniTicker24h(ex, m) : ticker24h(ex, m)));
  });
  route("GET", "ticker/price", tickerWeight(2, 4), "none", ({ p }) => {
    return oneOrMany(p, (m) => ({ symbol: m.binanceSymbol, price: m.formatPrice(ex.stats.lastPrice(m.index) ?? 0) }));
  });
  route("GET", "ticker/bookTicker", tickerWeight(2, 4), "none", ({ p }) => {
    return oneOrMany(p, (m) => bookTicker(ex, m));
  });

  // ---- trading ------------------------------------------------------------------------------
  route("POST", "order", 1, "signed", ({ p, account }) => core.place(account, core.parseOrder(p)));
  route("POST", "order/test", 1, "signed", ({ p, account }) => {
    const order = core.parseOrder(p);
    if (p.optional("computeCommissionRates") !== "true") return {};
    const rates = feeRatesOf(ex, account.id, order.request.market);
    return {
      standardCommissionForOrder: { maker: rateOf(rates.maker), taker: rateOf(rates.taker) },
      taxCommissionForOrder: { maker: rateOf(0), taker: rateOf(0) }, discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: "BNB", discount: "0" },
    };
  });
  route("DELETE", "order", 1, "signed", ({ p, account }) => core.cancel(account, p.market(ex.markets), p));
  route("DELETE", "openOrders", 1, "signed", ({ p, account }) => core.cancelAll(account, p.market(ex.markets)));
  route("POST", "order/cancelReplace", 1, "signed", ({ p, account }) => core.cancelReplace(account, p));
  route("GET", "order", 4, "signed", async ({ p, account }) => {
    const m = p.market(ex.markets);
    await core.readable(account);
    return orderView(core.findOrder(account, m, p));
  });
  route("GET", "openOrders", (p) => (p.has("symbol") ? 6 : 80), "signed", ({ p, account }) => core.openOrders(account, p.optionalMarket(ex.markets)));
  route("GET", "allOrders", 20, "signed", async ({ p, account }) => {
    const m = p.market(ex.markets);
    const filter = { fromId: p.int("orderId", 0, Number.MAX_SAFE_INTEGER), ...p.window(24), limit: p.limit(500, 1000) };
    return ex.queries.accountOrders(account.id, m.symbol, filter, await core.readable(account)).map(orderView);
  });
  route("POST", "orderList/oco", 1, "signed", ({ p, account }) => core.placeList(account, p, "oco"));
  route("POST", "orderList/oto", 1, "signed", ({ p, account }) => core.placeList(account, p, "oto"));
  route("DELETE", "orderList", 1, "signed", ({ p, account }) => core.cancelList(account, p));
  route("GET", "orderList", 4, "signed", async ({ p, account }) => {
    await core.readable(account);
    return listStatus(core.findList(account, p), "ACK");
  });
  route("GET", "openOrderList", 6, "signed", async ({ account }) => {
    await core.readable(account);
    return core.openLists(account);
  });

  // ---- account ------------------------------------------------------------------------------
  route("GET", "account", 20, "signed", async ({ p, account }) => {
    await ex.funding.arrival(account.id);
    return accountInfo(ex, account, p.optional("omitZeroBalances") === "true");
  });
  route("GET", "myTrades", 20, "signed", async ({ p, account }) => {
    const m = p.market(ex.markets);
    const fromId = p.int("fromId", 0, Number.MAX_SAFE_INTEGER);
    const window = p.window(24);
    if (fromId !== undefined && window.startTime !== undefined) throw errors.combination("fromId", "startTime");
    const filter = { orderId: p.int("orderId", 0, Number.MAX_SAFE_INTEGER), fromId, ...window, limit: p.limit(500, 1000) };
    return ex.queries.accountTrades(account.id, m.symbol, filter, await core.readable(account)).map(({ trade, asTaker }) => accountTrade(m, trade, asTaker));
  });
  route("GET", "account/commission", 20, "signed", ({ p, account }) => {
    const m = p.market(ex.markets);
    const rates = feeRatesOf(ex, account.id, m);
    const zero = rateOf(0);
    return {
      symbol: m.binanceSymbol,
      standardCommission: { maker: rateOf(rates.maker), taker: rateOf(rates.taker), buyer: zero, seller: zero },
      specialCommission: { maker: zero, taker: zero, buyer: zero, seller: zero },
      taxCommission: { maker: zero, taker: zero, buyer: zero, seller: zero },
      discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: "BNB", discount: "0" },
    };
  });
  route("GET", "rateLimit/order", 40, "signed", () => []);

  // ---- wallet (sapi): what a spot venue has to say there, for the bots that ask at start ------
  wallet("GET", "system/status", 1, "none", () => ({ status: 0, msg: "normal" }));
  wallet("GET", "account/status", 1, "signed", () => ({ data: "Normal" }));
  wallet("GET", "asset/tradeFee", 1, "signed", ({ p, account }) => {
    const one = p.optionalMarket(ex.markets);
    return (one ? [one] : ex.markets.list).map((m) => {
      const rates = feeRatesOf(ex, account.id, m);
      return { symbol: m.binanceSymbol, makerCommission: rateOf(rates.maker), takerCommission: rateOf(rates.taker) };
    });
  });

  // ---- the listenKey shim for older bots (Binance removed it; /ws/<listenKey> streams the events)
  route("POST", "userDataStream", 2, "key", ({ account }) => ({ listenKey: userData.createListenKey(account) }));
  route("PUT", "userDataStream", 2, "key", ({ p, account }) => (userData.keepAlive(account, p.required("listenKey")), {}));
  route("DELETE", "userDataStream", 2, "key", ({ p, account }) => (userData.closeListenKey(account, p.required("listenKey")), {}));

  return app;
}
