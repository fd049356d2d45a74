// The markets' newest trades kept in memory against a plain list of every trade: started from what
// the store held (fewer or more than the ring keeps), then batches of trades in several markets,
// past the ring's capacity, each read of any size agrees with the list's newest.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { loadMarkets } from "../src/markets";
import { RecentTrades, type PublicTrade } from "../src/recent-trades";
import type { TradeRecord } from "../src/store/projection-writer";

const markets = loadMarkets();

test("the newest trades in memory are the newest of all trades, per market", () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat({ max: 1500 }), { minLength: markets.list.length, maxLength: markets.list.length }),
      fc.array(fc.array(fc.nat({ max: markets.list.length - 1 }), { maxLength: 1500 }), { maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: RecentTrades.CAPACITY }), { minLength: 1, maxLength: 5 }),
      (storedCounts, batches, limits) => {
        let id = 0;
        const all: (PublicTrade & { symbol: string })[] = [];
        const trade = (symbol: string): TradeRecord => ({
          id: ++id, symbol, price: 100 + (id % 7), quantity: 1 + (id % 3), takerOrderId: id, makerOrderId: id, takerSide: id % 2 ? "buy" : "sell",
          time: 1_700_000_000_000 + id, takerFee: 0n, makerFee: 0n, takerAccountId: 1, makerAccountId: 2,
        });
        // What the store held at start.
        markets.list.forEach((m, i) => { for (let k = 0; k < storedCounts[i]!; k++) all.push(trade(m.symbol)); });
        const newestOf = (symbol: string, limit: number) => all.filter((t) => t.symbol === symbol).slice(-limit).reverse().map((t) => t.id);
        const recent = new RecentTrades(markets, (symbol, limit) => newestOf(symbol, limit).map((n) => all[n - 1]!));
        for (const batch of batches) {
          const trades = batch.map((i) => trade(markets.list[i]!.symbol));
          all.push(...trades);
          recent.record(trades);
          for (const m of markets.list) {
            for (const limit of limits) expect(recent.newest(m.index, limit).map((t) => t.id)).toEqual(newestOf(m.symbol, limit));
          }
        }
      },
    ),
    { numRuns: 100 },
  );
});
