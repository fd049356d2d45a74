// The markets' newest trades kept in memory against a plain list of every trade: started from what
// the store held (fewer or more than the ring keeps), then batches of trades in several markets,
// past the ring's capacity, each read of any size agrees with the list's newest; and the newest
// aggregate trades read from memory are the newest of all trades grouped, or are not answered.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { aggregate } from "../src/aggregate-trades";
import { loadMarkets } from "../src/markets";
import { RecentTrades, type PublicTrade } from "../src/recent-trades";
import type { TradeRecord } from "../src/store/projection-writer";

const markets = loadMarkets();
const CAPACITY = 40;

test("the newest trades and aggregate trades in memory are the newest of all trades, per market", () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat({ max: 60 }), { minLength: markets.list.length, maxLength: markets.list.length }),
      fc.array(fc.array(fc.record({ market: fc.nat({ max: markets.list.length - 1 }), sameTaker: fc.boolean() }), { maxLength: 60 }), { maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: CAPACITY }), { minLength: 1, maxLength: 5 }),
      (storedCounts, batches, limits) => {
        let id = 0, taker = 0;
        const all: (PublicTrade & { symbol: string })[] = [];
        // A taker's trades are one after another, in one market, at one price (or at two).
        const trade = (symbol: string, sameTaker = false): TradeRecord => {
          const last = all.at(-1);
          if (!sameTaker || last?.symbol !== symbol) taker++;
          return {
            id: ++id, symbol, price: 100 + (taker % 3) + (id % 2), quantity: 1 + (id % 3), takerOrderId: taker, makerOrderId: id, takerSide: taker % 2 ? "buy" : "sell",
            time: 1_700_000_000_000 + taker, takerFee: 0n, makerFee: 0n, takerAccountId: 1, makerAccountId: 2,
          };
        };
        // What the store held at start.
        markets.list.forEach((m, i) => { for (let k = 0; k < storedCounts[i]!; k++) all.push(trade(m.symbol)); });
        const newestOf = (symbol: string, limit: number) => all.filter((t) => t.symbol === symbol).slice(-limit).reverse().map((t) => t.id);
        const recent = new RecentTrades(markets, (symbol, limit) => newestOf(symbol, limit).map((n) => all[n - 1]!), CAPACITY);
        for (const batch of batches) {
          const trades: TradeRecord[] = [];
          for (const { market, sameTaker } of batch) {
            const t = trade(markets.list[market]!.symbol, sameTaker);
            all.push(t);
            trades.push(t);
          }
          recent.record(trades);
          for (const m of markets.list) {
            const ofMarket = all.filter((t) => t.symbol === m.symbol);
            for (const limit of limits) {
              expect(recent.newest(m.index, limit).map((t) => t.id)).toEqual(newestOf(m.symbol, limit));
              const aggregates = recent.newestAggregates(m.index, limit);
              // Answered whenever the trades kept show where the oldest asked for begins.
              if (ofMarket.length < CAPACITY || aggregate(ofMarket.slice(-CAPACITY)).length > limit) expect(aggregates).toBeDefined();
              if (aggregates) expect(aggregates).toEqual(aggregate(ofMarket).slice(-limit));
            }
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});
