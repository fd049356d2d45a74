// Every endpoint of the Binance surface, once: its REST method and path, weight, security, its
// name on the WebSocket API when it has one there, and what it does over the core. REST (rest.ts)
// and the WebSocket API (ws-api.ts) each add only their own framing, signatures and weights.
import type { KeyedAccount } from "../accounts";
import { readAggregates } from "../aggregate-trades";
import { feeRatesOf } from "../exchange";
import type { Market } from "../markets";
import { errors } from "./errors";
import { averagePrice, bookTicker, depth, inTimeZone, INTERVALS, klineArray, klineSeries, mini, miniTicker24h, rollingTicker, symbolInfo, ticker24h, tradingDayTicker, utcOffsetOf, windowSizeMs } from "./market-data";
import type { Params } from "./params";
import { accountInfo, accountTrade, aggregateTrade, listStatus, orderView, preventedMatch, publicTrade, rateOf } from "./render";
import type { BinanceTrading } from "./trading";
import type { UnfilledOrderCounts } from "./order-counts";
import type { UserDataStreams } from "./user-data";
import type { RequestWeights } from "./weights";

/** none: public; key: the API key alone (the listenKey shim); signed: a signature, or on the
 *  WebSocket API a logged-on session. */
export type Security = "none" | "key" | "signed";
export type Weight = number | ((p: Params) => number);
export interface Call { p: Params; account: KeyedAccount }

export interface Endpoint {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** /api/v3/… or /sapi/v1/… */
  path: string;
  weight: Weight;
  security: Security;
  /** Its method on the WebSocket API (/ws-api/v3), if it has one. */
  wsMethod: string | null;
  /** The new orders it places (the unfilled order count's, order-counts.ts). */
  newOrders: number;
  run: (c: Call) => unknown;
}

export const weightOf = (weight: Weight, p: Params) => (typeof weight === "number" ? weight : weight(p));

function depthWeight(limit: number): number {
  return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

const tickerWeight = (one: number, all: number) => (p: Params) => {
  const list = p.optional("symbols");
  if (list !== undefined) return Math.max(one, Math.min(all, (list.match(/,/g)?.length ?? 0) + 1) * one);
  return p.has("symbol") ? one : all;
};

/** `timeZone` as ms ahead of UTC (0 unless given). */
function timeZoneOf(p: Params): number {
  const zone = p.optional("timeZone");
  const utcOffset = zone === undefined ? 0 : utcOffsetOf(zone);
  if (utcOffset === undefined) throw errors.invalidValue("timeZone");
  return utcOffset;
}

/** A ticker's `type`: FULL (the default) or MINI. */
const tickerType = (p: Params) => p.oneOf("type", ["FULL", "MINI"] as const, () => errors.invalidValue("type")) ?? "FULL";

export function binanceEndpoints(core: BinanceTrading, weights: RequestWeights, orderCounts: UnfilledOrderCounts, userData: UserDataStreams): Endpoint[] {
  const ex = core.ex;
  const endpoints: Endpoint[] = [];
  const under = (prefix: string) => (method: Endpoint["method"], path: string, weight: Weight, security: Security, wsMethod: string | null, run: Endpoint["run"], newOrders = 0) => {
    endpoints.push({ method, path: `${prefix}/${path}`, weight, security, wsMethod, newOrders, run });
  };
  const api = under("/api/v3");
  const wallet = under("/sapi/v1");

  /** The tickers' answer: one object for `symbol`, an array for `symbols=[…]` or for every market. */
  const oneOrMany = <T>(p: Params, render: (m: Market) => T): T | T[] => {
    const list = p.markets(ex.markets);
    return list && p.has("symbol") ? render(list[0]!) : (list ?? ex.markets.list).map(render);
  };

  // ---- general and market data ------------------------------------------------------------
  api("GET", "ping", 1, "none", "ping", () => ({}));
  api("GET", "time", 1, "none", "time", () => ({ serverTime: Date.now() }));
  api("GET", "exchangeInfo", 20, "none", "exchangeInfo", ({ p }) => {
    const markets = p.markets(ex.markets) ?? ex.markets.list;
    return {
      timezone: "UTC", serverTime: Date.now(),
      rateLimits: [{ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: weights.limit }, ...orderCounts.rateLimits()],
      exchangeFilters: [], symbols: markets.map((m) => symbolInfo(ex, m)),
    };
  });
  api("GET", "depth", (p) => depthWeight(p.limit(100, 5000)), "none", "depth", ({ p }) => depth(ex, p.market(ex.markets), p.limit(100, 5000)));
  api("GET", "trades", 25, "none", "trades.recent", ({ p }) => {
    const m = p.market(ex.markets);
    // From memory, oldest first as Binance lists them.
    return ex.recentTrades.newest(m.index, p.limit(500, 1000)).reverse().map((t) => publicTrade(m, t));
  });
  // Reads of the store first await the batches they need (Exchange.readable): the server goes on
  // with other requests meanwhile.
  api("GET", "historicalTrades", 25, "none", "trades.historical", async ({ p }) => {
    const m = p.market(ex.markets);
    const filter = { fromId: p.int("fromId", 0, Number.MAX_SAFE_INTEGER), limit: p.limit(500, 1000) };
    return ex.queries.tradeHistory(m.symbol, filter, await core.readable()).map((t) => publicTrade(m, t));
  });
  api("GET", "aggTrades", 4, "none", "trades.aggregate", async ({ p }) => {
    const m = p.market(ex.markets);
    const fromId = p.int("fromId", 0, Number.MAX_SAFE_INTEGER);
    const window = p.window(1);
    if (fromId !== undefined && window.startTime !== undefined) throw errors.combination("fromId", "startTime");
    const filter = { fromId, ...window, limit: p.limit(500, 1000) };
    // The newest (neither an id nor a time given): from memory when it holds them.
    const newest = fromId === undefined && window.startTime === undefined && window.endTime === undefined;
    let found = newest ? ex.recentTrades.newestAggregates(m.index, filter.limit) : undefined;
    if (!found) {
      const seq = await core.readable();
      found = readAggregates((page) => ex.queries.tradeHistory(m.symbol, page, seq), filter);
    }
    return found.map((a) => aggregateTrade(m, a));
  });
  for (const path of ["klines", "uiKlines"]) {
    api("GET", path, 2, "none", path, async ({ p }) => {
      const m = p.market(ex.markets);
      const interval = INTERVALS[p.required("interval")];
      if (!interval) throw errors.badInterval();
      // (startTime and endTime stay UTC times, as Binance takes them.)
      const bucketing = inTimeZone(interval, timeZoneOf(p));
      const window = p.window();
      const limit = p.limit(500, 1000);
      return klineSeries(ex, m, bucketing, window, limit, await core.readable()).map((k) => klineArray(m, bucketing, k));
    });
  }
  api("GET", "avgPrice", 2, "none", "avgPrice", ({ p }) => averagePrice(ex, p.market(ex.markets)));
  api("GET", "ticker/24hr", tickerWeight(2, 80), "none", "ticker.24hr", ({ p }) => {
    const type = tickerType(p);
    return oneOrMany(p, (m) => (type === "MINI" ? miniTicker24h(ex, m) : ticker24h(ex, m)));
  });
  // The rolling window: `symbol` or `symbols` (at most 100), 4 a market up to 200.
  api("GET", "ticker", tickerWeight(4, 200), "none", "ticker", ({ p }) => {
    const type = tickerType(p);
    const size = p.optional("windowSize") ?? "1d";
    const ms = windowSizeMs(size);
    if (ms === undefined) throw errors.invalidValue("windowSize");
    if (!p.has("symbol") && !p.has("symbols")) throw errors.eitherOf("symbol", "symbols");
    const now = ex.clock.now();
    return oneOrMany(p, (m) => (type === "MINI" ? mini(rollingTicker(ex, m, ms, now)) : rollingTicker(ex, m, ms, now)));
  });
  // The trading day so far in a time zone (UTC unless `timeZone`), 4 a market up to 200.
  api("GET", "ticker/tradingDay", tickerWeight(4, 200), "none", "ticker.tradingDay", ({ p }) => {
    const type = tickerType(p);
    const utcOffset = timeZoneOf(p);
    if (!p.has("symbol") && !p.has("symbols")) throw errors.eitherOf("symbol", "symbols");
    const now = ex.clock.now();
    return oneOrMany(p, (m) => (type === "MINI" ? mini(tradingDayTicker(ex, m, utcOffset, now)) : tradingDayTicker(ex, m, utcOffset, now)));
  });
  api("GET", "ticker/price", tickerWeight(2, 4), "none", "ticker.price", ({ p }) => {
    return oneOrMany(p, (m) => ({ symbol: m.binanceSymbol, price: m.formatPrice(ex.stats.lastPrice(m.index) ?? 0) }));
  });
  api("GET", "ticker/bookTicker", tickerWeight(2, 4), "none", "ticker.book", ({ p }) => {
    return oneOrMany(p, (m) => bookTicker(ex, m));
  });

  // ---- trading ------------------------------------------------------------------------------
  api("POST", "order", 1, "signed", "order.place", ({ p, account }) => core.place(account, core.parseOrder(p)), 1);
  api("POST", "order/test", 1, "signed", "order.test", ({ p, account }) => {
    const order = core.parseOrder(p);
    if (p.optional("computeCommissionRates") !== "true") return {};
    const rates = feeRatesOf(ex, account.id, order.request.market);
    return {
      standardCommissionForOrder: { maker: rateOf(rates.maker), taker: rateOf(rates.taker) },
      taxCommissionForOrder: { maker: rateOf(0), taker: rateOf(0) }, discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: "BNB", discount: "0" },
    };
  });
  api("DELETE", "order", 1, "signed", "order.cancel", ({ p, account }) => core.cancel(account, p.market(ex.markets), p));
  api("DELETE", "openOrders", 1, "signed", "openOrders.cancelAll", ({ p, account }) => core.cancelAll(account, p.market(ex.markets)));
  api("POST", "order/cancelReplace", 1, "signed", "order.cancelReplace", ({ p, account }) => core.cancelReplace(account, p), 1);
  api("PUT", "order/amend/keepPriority", 4, "signed", "order.amend.keepPriority", ({ p, account }) => core.amendKeepPriority(account, p));
  api("GET", "order/amendments", 4, "signed", "order.amendments", ({ p, account }) => core.amendments(account, p));
  api("GET", "order", 4, "signed", "order.status", async ({ p, account }) => {
    const m = p.market(ex.markets);
    await core.readable(account);
    return orderView(core.findOrder(account, m, p));
  });
  api("GET", "openOrders", (p) => (p.has("symbol") ? 6 : 80), "signed", "openOrders.status", ({ p, account }) => core.openOrders(account, p.optionalMarket(ex.markets)));
  api("GET", "allOrders", 20, "signed", "allOrders", async ({ p, account }) => {
    const m = p.market(ex.markets);
    const filter = { fromId: p.int("orderId", 0, Number.MAX_SAFE_INTEGER), ...p.window(24), limit: p.limit(500, 1000) };
    return ex.sequencer.registry.current(ex.queries.accountOrders(account.id, m.symbol, filter, await core.readable(account))).map(orderView);
  });
  api("POST", "orderList/oco", 1, "signed", "orderList.place.oco", ({ p, account }) => core.placeList(account, p, "oco"), 2);
  api("POST", "orderList/oto", 1, "signed", "orderList.place.oto", ({ p, account }) => core.placeList(account, p, "oto"), 2);
  api("POST", "orderList/otoco", 1, "signed", "orderList.place.otoco", ({ p, account }) => core.placeList(account, p, "otoco"), 3);
  api("POST", "orderList/opo", 1, "signed", "orderList.place.opo", ({ p, account }) => core.placeList(account, p, "opo"), 2);
  api("POST", "orderList/opoco", 1, "signed", "orderList.place.opoco", ({ p, account }) => core.placeList(account, p, "opoco"), 3);
  api("DELETE", "orderList", 1, "signed", "orderList.cancel", ({ p, account }) => core.cancelList(account, p));
  api("GET", "orderList", 4, "signed", "orderList.status", async ({ p, account }) => {
    await core.readable(account);
    return listStatus(core.findList(account, p), "ACK");
  });
  api("GET", "openOrderList", 6, "signed", "openOrderLists.status", async ({ account }) => {
    await core.readable(account);
    return core.openLists(account);
  });
  api("GET", "allOrderList", 20, "signed", "allOrderLists", ({ p, account }) => core.allLists(account, p));

  // ---- account ------------------------------------------------------------------------------
  api("GET", "account", 20, "signed", "account.status", ({ p, account }) => accountInfo(ex, account, p.optional("omitZeroBalances") === "true"));
  api("GET", "myTrades", 20, "signed", "myTrades", async ({ p, account }) => {
    const m = p.market(ex.markets);
    const fromId = p.int("fromId", 0, Number.MAX_SAFE_INTEGER);
    const window = p.window(24);
    if (fromId !== undefined && window.startTime !== undefined) throw errors.combination("fromId", "startTime");
    const filter = { orderId: p.int("orderId", 0, Number.MAX_SAFE_INTEGER), fromId, ...window, limit: p.limit(500, 1000) };
    return ex.queries.accountTrades(account.id, m.symbol, filter, await core.readable(account)).map((leg) => accountTrade(m, leg));
  });
  // By its id, or an order's (from an id on): Binance's four combinations, and no other.
  api("GET", "myPreventedMatches", (p) => (p.has("preventedMatchId") ? 2 : 20), "signed", "myPreventedMatches", async ({ p, account }) => {
    const m = p.market(ex.markets);
    const id = p.int("preventedMatchId", 0, Number.MAX_SAFE_INTEGER);
    const orderId = p.int("orderId", 0, Number.MAX_SAFE_INTEGER);
    const fromId = p.int("fromPreventedMatchId", 0, Number.MAX_SAFE_INTEGER);
    let filter: Parameters<typeof ex.queries.preventedMatches>[2];
    if (id !== undefined) {
      const extra = ["orderId", "fromPreventedMatchId", "limit"].find((name) => p.has(name));
      if (extra) throw errors.notRequired(extra);
      filter = { id };
    } else if (orderId !== undefined) {
      filter = { orderId, fromId, limit: p.limit(500, 1000) };
    } else {
      throw fromId === undefined ? errors.eitherOf("preventedMatchId", "orderId") : errors.combination("orderId", "fromPreventedMatchId");
    }
    return ex.queries.preventedMatches(account.id, m.symbol, filter, await core.readable(account)).map((r) => preventedMatch(m, r));
  });
  api("GET", "account/commission", 20, "signed", "account.commission", ({ p, account }) => {
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
  // The filters an order of the account in the market meets: the market's own (no account has
  // limits of its own here, so no MAX_ASSET).
  api("GET", "myFilters", 40, "signed", "myFilters", ({ p }) => {
    const m = p.market(ex.markets);
    return { exchangeFilters: [], symbolFilters: symbolInfo(ex, m).filters, assetFilters: [] };
  });
  api("GET", "rateLimit/order", 40, "signed", "account.rateLimits.orders", ({ account }) => orderCounts.view(account.id));

  // ---- wallet (sapi): what a spot venue has to say there, for the bots that ask at start ------
  wallet("GET", "system/status", 1, "none", null, () => ({ status: 0, msg: "normal" }));
  wallet("GET", "account/status", 1, "signed", null, () => ({ data: "Normal" }));
  wallet("GET", "asset/tradeFee", 1, "signed", null, ({ p, account }) => {
    const one = p.optionalMarket(ex.markets);
    return (one ? [one] : ex.markets.list).map((m) => {
      const rates = feeRatesOf(ex, account.id, m);
      return { symbol: m.binanceSymbol, makerCommission: rateOf(rates.maker), takerCommission: rateOf(rates.taker) };
    });
  });

  // ---- the listenKey shim for older bots (Binance removed it; /ws/<listenKey> streams the events)
  api("POST", "userDataStream", 2, "key", null, ({ account }) => ({ listenKey: userData.createListenKey(account) }));
  api("PUT", "userDataStream", 2, "key", null, ({ p, account }) => (userData.keepAlive(account, p.required("listenKey")), {}));
  api("DELETE", "userDataStream", 2, "key", null, ({ p, account }) => (userData.closeListenKey(account, p.required("listenKey")), {}));

  return endpoints;
}
