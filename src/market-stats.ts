// Per-market statistics for the ticker: last trade price and rolling 24-hour volume, kept in
// memory (minute buckets) so a ticker request never scans a day of trades.

const MINUTE = 60_000;
const WINDOW_MINUTES = 1440;

export class MarketStats {
  private readonly lastPrices: (number | null)[];
  private readonly bucketMinute: Float64Array[];
  private readonly bucketLots: BigInt64Array[];

  constructor(marketCount: number) {
    this.lastPrices = new Array(marketCount).fill(null);
    this.bucketMinute = Array.from({ length: marketCount }, () => new Float64Array(WINDOW_MINUTES).fill(-1));
    this.bucketLots = Array.from({ length: marketCount }, () => new BigInt64Array(WINDOW_MINUTES));
  }

  recordTrade(market: number, price: number, lots: number, time: number): void {
    this.lastPrices[market] = price;
    const minute = Math.floor(time / MINUTE);
    const slot = minute % WINDOW_MINUTES;
    const minutes = this.bucketMinute[market]!;
    const lotsBySlot = this.bucketLots[market]!;
    if (minutes[slot] !== minute) {
      minutes[slot] = minute;
      lotsBySlot[slot] = 0n;
    }
    lotsBySlot[slot]! += BigInt(lots);
  }

  lastPrice(market: number): number | null {
    return this.lastPrices[market] ?? null;
  }

  setLastPrice(market: number, price: number): void {
    this.lastPrices[market] = price;
  }

  /** Lots traded in the 24 hours up to `now`, in whole minutes. */
  volume24h(market: number, now: number): bigint {
    const current = Math.floor(now / MINUTE);
    const minutes = this.bucketMinute[market]!;
    const lotsBySlot = this.bucketLots[market]!;
    let sum = 0n;
    for (let i = 0; i < WINDOW_MINUTES; i++) {
      if (minutes[i]! > current - WINDOW_MINUTES) sum += lotsBySlot[i]!;
    }
    return sum;
  }
}
