// The tickers' statistics (src/market-stats.ts): recording a trade (every trade, on the server's
// thread), the 24-hour window (each 24-hour ticker read and @ticker event) and a 7-day rolling
// window (GET /api/v3/ticker at its widest), over a week in which every minute traded.
// With --against FILE, the same against another version of the module, in the same run:
//   git show <rev>:src/market-stats.ts > /tmp/market-stats-old.ts
//   bun bench/market-stats.ts --against /tmp/market-stats-old.ts
import { bench, run, summary } from "mitata";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { MarketStats } from "../src/market-stats";

const { values } = parseArgs({ options: { against: { type: "string" } } });
type Stats = Pick<MarketStats, "recordTrade" | "window24h"> & Partial<Pick<MarketStats, "rolling">>;
const versions: [string, new (markets: number) => Stats][] = [["this tree", MarketStats]];
if (values.against) versions.unshift(["against", (await import(resolve(values.against))).MarketStats]);

const T0 = 1_765_000_000_000;
const DAY = 86_400_000;
summary(() => {
  for (const [name, Stats] of versions) {
    const recording = new Stats(3);
    let i = 0;
    // A trade every 5 ms of venue time, across three markets: a new minute every 12,000 trades.
    bench(`recordTrade (${name})`, () => {
      i++;
      recording.recordTrade(i % 3, i, 6_400_000 + (i & 63), 1 + (i & 7), T0 + i * 5);
    });
  }
});
summary(() => {
  for (const [name, Stats] of versions) {
    const week = new Stats(1);
    for (let i = 0; i < 8 * 86_400; i++) week.recordTrade(0, i, 6_400_000 + (i & 63), 1 + (i & 7), T0 + i * 1000);
    const now = T0 + 8 * DAY;
    bench(`window24h (${name})`, () => week.window24h(0, now));
    if (week.rolling) bench(`rolling 7d (${name})`, () => week.rolling!(0, now, 7 * DAY));
  }
});
await run();
