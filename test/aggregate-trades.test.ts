// Aggregate trades: the trades of one taker order at one price, told as one. The paged reads off
// the store and the read of the newest from memory are compared with the obvious answer (every
// trade grouped in one pass, then filtered); then a real exchange's aggTrades, its @aggTrade
// stream and ccxt's fetchTrades (which reads aggTrades) are checked on a sweep of the book.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { aggregate, newestAggregates, readAggregates, type AggregateTrade, type GroupableTrade, type TradePage } from "../src/aggregate-trades";
import { binanceAccount, ccxtBinance, openSocket, signedRequest, type Keys } from "./binance-client";
import { startTestExchange } from "./helpers";

/** One market's trades: ids ascending with gaps (other markets' trades), times never decreasing,
 *  runs of one taker at one price. */
const marketTrades = fc.array(fc.record({
  gap: fc.boolean(), later: fc.boolean(), newTaker: fc.boolean(), price: fc.integer({ min: 1, max: 3 }), quantity: fc.integer({ min: 1, max: 9 }),
}), { maxLength: 80 }).map((steps) => {
  const trades: GroupableTrade[] = [];
  let id = 0, time = 1000, taker = 1;
  for (const s of steps) {
    id += s.gap ? 2 : 1;
    if (s.later) time += 1;
    // A new taker, or the same one after a gap, which a real taker's trades never have.
    if (s.newTaker || s.later || s.gap) taker += 1;
    trades.push({ id, time, takerOrderId: taker, price: s.price, quantity: s.quantity, takerSide: taker % 2 ? "buy" : "sell" });
  }
  return trades;
});

/** The store's read, over an array: ids from `fromId` (or times from `startTime`) on, the first
 *  `limit`; otherwise the last `limit` up to `toId` and `endTime`; always in id order. */
const pagesOf = (all: GroupableTrade[], reads: number[]): TradePage => (f) => {
  reads.push(f.limit);
  const within = all.filter((t) => (f.fromId === undefined || t.id >= f.fromId) && (f.toId === undefined || t.id <= f.toId) &&
    (f.startTime === undefined || t.time >= f.startTime) && (f.endTime === undefined || t.time <= f.endTime));
  return f.fromId !== undefined || f.startTime !== undefined ? within.slice(0, f.limit) : within.slice(-f.limit);
};

describe("grouping", () => {
  test("a run of one taker at one price is one aggregate; another taker, price or a gap in ids starts the next", () => {
    const t = (id: number, takerOrderId: number, price: number, quantity = 1): GroupableTrade => ({ id, takerOrderId, price, quantity, time: 5, takerSide: "buy" });
    expect(aggregate([t(1, 7, 100, 2), t(2, 7, 100, 3), t(3, 7, 101), t(4, 8, 101), t(6, 8, 101)])).toEqual([
      { id: 1, lastId: 2, price: 100, quantity: 5, time: 5, takerSide: "buy" },
      { id: 3, lastId: 3, price: 101, quantity: 1, time: 5, takerSide: "buy" },
      { id: 4, lastId: 4, price: 101, quantity: 1, time: 5, takerSide: "buy" },
      { id: 6, lastId: 6, price: 101, quantity: 1, time: 5, takerSide: "buy" },
    ]);
  });

  test("paged reads from an id, from a time, in a window or of the newest give what grouping every trade gives", () => {
    fc.assert(fc.property(marketTrades, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 90 }), fc.integer({ min: 1000, max: 1030 }),
      fc.integer({ min: 0, max: 30 }), fc.constantFrom("fromId", "startTime", "window", "endTime", "newest"), (all, limit, fromId, startTime, span, kind) => {
        const whole = aggregate(all);
        const reads: number[] = [];
        const read = pagesOf(all, reads);
        let expected: AggregateTrade[], got: AggregateTrade[];
        switch (kind) {
          case "fromId":
            expected = whole.filter((a) => a.id >= fromId).slice(0, limit);
            got = readAggregates(read, { fromId, limit });
            break;
          case "startTime":
            expected = whole.filter((a) => a.time >= startTime).slice(0, limit);
            got = readAggregates(read, { startTime, limit });
            break;
          case "window":
            expected = whole.filter((a) => a.time >= startTime && a.time <= startTime + span).slice(0, limit);
            got = readAggregates(read, { startTime, endTime: startTime + span, limit });
            break;
          case "endTime":
            expected = whole.filter((a) => a.time <= startTime).slice(-limit);
            got = readAggregates(read, { endTime: startTime, limit });
            break;
          default:
            expected = whole.slice(-limit);
            got = readAggregates(read, { limit });
        }
        expect(got).toEqual(expected);
        // From memory: the newest trades, newest first; whole unless the trades kept ran out first.
        const kept = Math.min(all.length, 1 + (fromId % 40));
        const newest = newestAggregates(all.slice(-kept).reverse(), limit);
        if (newest.whole || kept === all.length) expect(newest.aggregates).toEqual(whole.slice(-limit));
        else expect(newest.aggregates.length).toBeLessThanOrEqual(limit);
      }), { numRuns: 2000 });
  });
});

describe("on a real exchange", () => {
  const ex = startTestExchange();
  let maker: Keys, taker: Keys;
  const rest = (keys: Keys, method: string, path: string, params: Record<string, string>) => signedRequest(ex.url, keys, method, path, params);
  const aggTrades = async (query: string) => (await fetch(`${ex.url}/api/v3/aggTrades?symbol=BTCUSD&${query}`)).json() as Promise<any[]>;
  const sell = (quantity: string, price: string) => rest(maker, "POST", "order", { symbol: "BTCUSD", side: "SELL", type: "LIMIT", timeInForce: "GTC", quantity, price });

  beforeAll(async () => {
    maker = await binanceAccount(ex.call, "maker", { BTC: "10" });
    taker = await binanceAccount(ex.call, "taker", { USD: "1000000" });
  });
  afterAll(() => ex.stop());

  test("a sweep of five makers at two prices is two aggregates, in REST, the stream, the WebSocket API and ccxt's fetchTrades", async () => {
    const stream = await openSocket(`${ex.url.replace(/^http/, "ws")}/ws/btcusd@aggTrade`);
    for (const [quantity, price] of [["0.1", "64000"], ["0.2", "64000"], ["0.3", "64000"], ["0.4", "64010"], ["0.5", "64010"]] as const) await sell(quantity, price);
    const sweep = await rest(taker, "POST", "order", { symbol: "BTCUSD", side: "BUY", type: "MARKET", quantity: "1.5", newOrderRespType: "FULL" });
    const ids = sweep.body.fills.map((f: any) => f.tradeId);
    expect(ids).toHaveLength(5);
    // Another taker at the last price: an aggregate of its own.
    await sell("0.1", "64010");
    await rest(taker, "POST", "order", { symbol: "BTCUSD", side: "BUY", type: "MARKET", quantity: "0.1" });

    const first = { a: ids[0], p: "64000.00", q: "0.6000", f: ids[0], l: ids[2], T: expect.any(Number), m: false, M: true };
    const second = { a: ids[3], p: "64010.00", q: "0.9000", f: ids[3], l: ids[4], T: first.T, m: false, M: true };
    const third = { a: ids[4] + 1, p: "64010.00", q: "0.1000", f: ids[4] + 1, l: ids[4] + 1, T: first.T, m: false, M: true };
    expect(await aggTrades("")).toEqual([first, second, third]);
    expect(await aggTrades("limit=2")).toEqual([second, third]);
    // From an id: an aggregate whose id is at or after it (one begun before it is not listed).
    expect(await aggTrades(`fromId=${ids[0]}&limit=1`)).toEqual([first]);
    expect(await aggTrades(`fromId=${ids[1]}`)).toEqual([second, third]);
    const all = await aggTrades("");
    expect(await aggTrades(`startTime=${all[0].T}&endTime=${all[2].T}`)).toEqual([first, second, third]);
    expect(await aggTrades(`endTime=${all[0].T - 1}`)).toEqual([]);

    const heard = [await stream.next(), await stream.next(), await stream.next()];
    expect(heard).toEqual([first, second, third].map((a) => ({ e: "aggTrade", E: expect.any(Number), s: "BTCUSD", ...a })));
    stream.close();

    const wsApi = await openSocket(`${ex.url.replace(/^http/, "ws")}/ws-api/v3`);
    expect((await wsApi.request("trades.aggregate", { symbol: "BTCUSD", fromId: ids[1] })).result).toEqual([second, third]);
    wsApi.close();

    const bot = await ccxtBinance(ex.url);
    const trades = await bot.fetchTrades("BTC/USD");
    expect(trades.map((t: any) => [t.id, t.price, t.amount, t.side])).toEqual([[String(ids[0]), 64000, 0.6, "buy"], [String(ids[3]), 64010, 0.9, "buy"], [String(ids[4] + 1), 64010, 0.1, "buy"]]);
    await bot.close();
  });
});
