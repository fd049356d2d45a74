// Per-market statistics for the tickers: last trade price and a rolling 24-hour window (open,
// high, low, volume, quote volume, trade count and ids), kept in memory in minute buckets so a
// ticker request never scans a day of trades.

const MINUTE = 60_000;
const WINDOW_MINUTES = 1440;

/** The 24 hours up to now, in whole minutes; null fields when nothing traded. */
export interface Window24h {
  open: number | null; // ticks: the first trade's price
  high: number | null;
  low: number | null;
  close: number | null;
  lots: bigint;
  /** Σ price x quantity, ticks x lots. */
  notional: bigint;
  count: number;
  firstId: number;
  lastId: number;
  openTime: number;
}

/** One minute's trades of one market. Sums are kept as numbers while they are exact (below
 *  2^53), the rest in BigInt: a trade then costs no BigInt arithmetic. */
class Bucket {
  minute = -1;
  open = 0;
  close = 0;
  high = 0;
  low = 0;
  lots = 0;
  notional = 0;
  bigLots = 0n;
  bigNotional = 0n;
  count = 0;
  firstId = 0;
  lastId = 0;

  add(price: number, lots: number): void {
    const notional = price * lots;
    if (notional <= Number.MAX_SAFE_INTEGER && this.notional + notional <= Number.MAX_SAFE_INTEGER) this.notional += notional;
    else this.bigNotional += BigInt(price) * BigInt(lots);
    if (this.lots + lots <= Number.MAX_SAFE_INTEGER) this.lots += lots;
    else this.bigLots += BigInt(lots);
  }
}

export class MarketStats {
  private readonly lastPrices: (number | null)[];
  private readonly lastQuantities: number[];
  private readonly buckets: Bucket[][];

  constructor(marketCount: number) {
    this.lastPrices = new Array(marketCount).fill(null);
    this.lastQuantities = new Array(marketCount).fill(0);
    this.buckets = Array.from({ length: marketCount }, () => Array.from({ length: WINDOW_MINUTES }, () => new Bucket()));
  }

  recordTrade(market: number, id: number, price: number, lots: number, time: number): void {
    this.lastPrices[market] = price;
    this.lastQuantities[market] = lots;
    const minute = Math.floor(time / MINUTE);
    const b = this.buckets[market]![minute % WINDOW_MINUTES]!;
    if (b.minute !== minute) {
      b.minute = minute;
      b.open = b.high = b.low = price;
      b.lots = b.notional = 0;
      b.bigLots = b.bigNotional = 0n;
      b.count = 0;
      b.firstId = id;
    }
    b.close = price;
    if (price > b.high) b.high = price;
    if (price < b.low) b.low = price;
    b.add(price, lots);
    b.count++;
    b.lastId = id;
  }

  lastPrice(market: number): number | null {
    return this.lastPrices[market] ?? null;
  }

  /** Lots of the last trade (0 if none since start). */
  lastQuantity(market: number): number {
    return this.lastQuantities[market]!;
  }

  setLastPrice(market: number, price: number): void {
    this.lastPrices[market] = price;
  }

  /** Lots traded in the 24 hours up to `now`, in whole minutes. */
  volume24h(market: number, now: number): bigint {
    return this.window24h(market, now).lots;
  }

  window24h(market: number, now: number): Window24h {
    return this.window(market, now, WINDOW_MINUTES);
  }

  /** The last `minutes` whole minutes up to `now` (at most 1440). */
  window(market: number, now: number, minutes: number): Window24h {
    const current = Math.floor(now / MINUTE);
    const w: Window24h = { open: null, high: null, low: null, close: null, lots: 0n, notional: 0n, count: 0, firstId: -1, lastId: -1, openTime: (current - minutes + 1) * MINUTE };
    // Oldest minute first, so open and close are the window's first and last trades.
    for (let m = current - minutes + 1; m <= current; m++) {
      const b = this.buckets[market]![m % WINDOW_MINUTES]!;
      if (b.minute !== m) continue;
      if (w.open === null) {
        w.open = b.open;
        w.high = b.high;
        w.low = b.low;
        w.firstId = b.firstId;
      }
      w.high = Math.max(w.high!, b.high);
      w.low = Math.min(w.low!, b.low);
      w.close = b.close;
      w.lots += BigInt(b.lots) + b.bigLots;
      w.notional += BigInt(b.notional) + b.bigNotional;
      w.count += b.count;
      w.lastId = b.lastId;
    }
    return w;
  }

  /** The state as JSON (money as decimal strings): kept with a snapshot, so that a start reads
   *  only the trades after it instead of a day's. */
  image(): string {
    const buckets = this.buckets.map((list) => list.filter((b) => b.minute >= 0).map((b) => [
      b.minute, b.open, b.close, b.high, b.low, b.lots, b.notional, String(b.bigLots), String(b.bigNotional), b.count, b.firstId, b.lastId,
    ]));
    return JSON.stringify({ lastPrices: this.lastPrices, lastQuantities: this.lastQuantities, buckets });
  }

  /** Takes back the state of image() (of the first markets, when some were added since). */
  restore(image: string): boolean {
    const state = JSON.parse(image) as { lastPrices: (number | null)[]; lastQuantities: number[]; buckets: (number | string)[][][] };
    if (state.buckets.length > this.buckets.length) return false;
    state.lastPrices.forEach((p, i) => (this.lastPrices[i] = p));
    state.lastQuantities.forEach((q, i) => (this.lastQuantities[i] = q));
    state.buckets.forEach((list, market) => {
      for (const [minute, open, close, high, low, lots, notional, bigLots, bigNotional, count, firstId, lastId] of list) {
        const b = this.buckets[market]![(minute as number) % WINDOW_MINUTES]!;
        Object.assign(b, { minute, open, close, high, low, lots, notional, bigLots: BigInt(bigLots!), bigNotional: BigInt(bigNotional!), count, firstId, lastId });
      }
    });
    return true;
  }
}
