// The tickers' windows kept in minute buckets against a plain list of every trade: trades over
// more than a week (so that old minutes' buckets are reused), then windows of every kind (the last
// N minutes, Binance's rolling windows from 1 minute to 7 days) read at times after the last trade,
// and the same after the state went through image() and restore(), as a restart does.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { MarketStats, MAX_WINDOW_MS, type TradeWindow } from "../src/market-stats";

const MINUTE = 60_000;
const START = 1_700_000_000_000;

interface Trade { market: number; id: number; price: number; lots: number; time: number }

/** The window's figures from the list: the trades from `fromTime` on (all are at or before now). */
function reference(trades: Trade[], market: number, fromTime: number): TradeWindow {
  const inside = trades.filter((t) => t.market === market && t.time >= fromTime);
  const w: TradeWindow = { open: null, high: null, low: null, close: null, lots: 0n, notional: 0n, count: 0, firstId: -1, lastId: -1, openTime: fromTime };
  for (const t of inside) {
    w.open ??= t.price;
    w.high = Math.max(w.high ?? t.price, t.price);
    w.low = Math.min(w.low ?? t.price, t.price);
    w.close = t.price;
    w.lots += BigInt(t.lots);
    w.notional += BigInt(t.price) * BigInt(t.lots);
    w.count++;
    if (w.firstId < 0) w.firstId = t.id;
    w.lastId = t.id;
  }
  return w;
}

test("rolling and last-minutes windows equal the sums over the trades in them, before and after a restore", () => {
  const trade = fc.record({
    market: fc.nat({ max: 1 }),
    gap: fc.oneof(fc.nat({ max: 2_000 }), fc.nat({ max: 20 * MINUTE }), fc.nat({ max: 26 * 60 * MINUTE })),
    // Sometimes large enough that a trade's notional, a minute's sums or a window's sums leave
    // the exact range of a number (2^26 x 2^26 is exact; two such minutes are not).
    price: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.constant(2 ** 26), fc.constant(2 ** 40)),
    lots: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(2 ** 26), fc.constant(2 ** 30)),
  });
  const read = fc.record({
    after: fc.nat({ max: 3 * 60 * MINUTE }),
    windowMs: fc.oneof(fc.integer({ min: 1, max: 59 }).map((n) => n * MINUTE), fc.integer({ min: 1, max: 23 }).map((n) => n * 60 * MINUTE),
      fc.integer({ min: 1, max: 7 }).map((n) => n * 1440 * MINUTE)),
    minutes: fc.integer({ min: 1, max: 1440 }),
  });
  fc.assert(
    fc.property(fc.array(trade, { maxLength: 300 }), fc.array(read, { minLength: 1, maxLength: 4 }), (steps, reads) => {
      const stats = new MarketStats(2);
      const trades: Trade[] = [];
      let time = START;
      steps.forEach((s, i) => {
        time += s.gap;
        const t = { market: s.market, id: i + 1, price: s.price, lots: s.lots, time };
        trades.push(t);
        stats.recordTrade(t.market, t.id, t.price, t.lots, t.time);
      });
      const restored = new MarketStats(2);
      expect(restored.restore(stats.image())).toBe(true);
      for (const r of reads) {
        const now = time + r.after;
        for (const market of [0, 1]) {
          const rollingFrom = Math.floor((now - r.windowMs) / MINUTE) * MINUTE;
          const minutesFrom = (Math.floor(now / MINUTE) - r.minutes + 1) * MINUTE;
          for (const s of [stats, restored]) {
            expect(s.rolling(market, now, r.windowMs)).toEqual(reference(trades, market, rollingFrom));
            expect(s.lastMinutes(market, now, r.minutes)).toEqual(reference(trades, market, minutesFrom));
          }
          const last = trades.filter((t) => t.market === market).at(-1);
          expect(restored.lastPrice(market)).toBe(last?.price ?? null);
          expect(restored.lastTime(market)).toBe(last?.time ?? 0);
        }
      }
    }),
    { numRuns: 150 },
  );
  expect(MAX_WINDOW_MS).toBe(7 * 1440 * MINUTE);
});
