// Per-market statistics for the tickers: last trade price and rolling windows of up to 7 days
// (open, high, low, volume, quote volume, trade count and ids), kept in memory in minute buckets
// so that a ticker request never scans a week of trades.

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The longest window (Binance's rolling ticker takes up to 7 days, from the start of a minute). */
export const MAX_WINDOW_MS = 7 * DAY;
const BUCKETS = MAX_WINDOW_MS / MINUTE + 1;

/** The statistics of the trades from a window's first minute to now; null fields when nothing traded. */
export interface TradeWindow {
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

/** A sum of exact parts (a number below 2^53 and a BigInt): in a number while it stays exact. */
class ExactSum {
  private small = 0;
  private big = 0n;

  add(n: number, big: bigint): void {
    if (this.small + n > Number.MAX_SAFE_INTEGER) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
    this.small += n;
    if (big !== 0n) this.big += big;
  }

  total(): bigint {
    return this.big + BigInt(this.small);
  }
}

export class MarketStats {
  private readonly lastPrices: (number | null)[];
  private readonly lastQuantities: number[];
  private readonly lastTimes: number[];
  /** A week of minutes per market, each made when its minute first trades: memory follows what traded. */
  private readonly buckets: (Bucket | undefined)[][];

  constructor(marketCount: number) {
    this.lastPrices = new Array(marketCount).fill(null);
    this.lastQuantities = new Array(marketCount).fill(0);
    this.lastTimes = new Array(marketCount).fill(0);
    this.buckets = Array.from({ length: marketCount }, () => new Array<Bucket | undefined>(BUCKETS).fill(undefined));
  }

  private bucket(market: number, minute: number): Bucket {
    const slots = this.buckets[market]!;
    return slots[minute % BUCKETS] ??= new Bucket();
  }

  recordTrade(market: number, id: number, price: number, lots: number, time: number): void {
    this.lastPrices[market] = price;
    this.lastQuantities[market] = lots;
    this.lastTimes[market] = time;
    const minute = Math.floor(time / MINUTE);
    const b = this.bucket(market, minute);
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

  /** The time of the last trade (0 if none since start). */
  lastTime(market: number): number {
    return this.lastTimes[market]!;
  }

  setLastPrice(market: number, price: number): void {
    this.lastPrices[market] = price;
  }

  /** Lots traded in the 24 hours up to `now`, in whole minutes. */
  volume24h(market: number, now: number): bigint {
    return this.window24h(market, now).lots;
  }

  window24h(market: number, now: number): TradeWindow {
    return this.lastMinutes(market, now, 1440);
  }

  /** The last `minutes` whole minutes up to `now`, this one included. */
  lastMinutes(market: number, now: number, minutes: number): TradeWindow {
    return this.window(market, Math.floor(now / MINUTE) - minutes + 1, now);
  }

  /** Binance's rolling window of `ms` (at most MAX_WINDOW_MS): from the start of the minute `ms` before `now`. */
  rolling(market: number, now: number, ms: number): TradeWindow {
    return this.window(market, Math.floor((now - ms) / MINUTE), now);
  }

  /** From the start of the minute holding `time` (at most MAX_WINDOW_MS before `now`) to `now`. */
  since(market: number, time: number, now: number): TradeWindow {
    return this.window(market, Math.floor(time / MINUTE), now);
  }

  /** From the start of minute `first` to `now`. */
  private window(market: number, first: number, now: number): TradeWindow {
    const current = Math.floor(now / MINUTE);
    const w: TradeWindow = { open: null, high: null, low: null, close: null, lots: 0n, notional: 0n, count: 0, firstId: -1, lastId: -1, openTime: first * MINUTE };
    const slots = this.buckets[market]!;
    // The sums as numbers while they stay exact, moved into the BigInts only when they would not
    // (a week of minutes summed in BigInt took 0.5 ms).
    const sums = new ExactSum(), notionals = new ExactSum();
    // Oldest minute first, so open and close are the window's first and last trades.
    for (let m = Math.max(first, current - BUCKETS + 1); m <= current; m++) {
      const b = slots[m % BUCKETS];
      if (b === undefined || b.minute !== m) continue;
      if (w.open === null) {
        w.open = b.open;
        w.high = b.high;
        w.low = b.low;
        w.firstId = b.firstId;
      }
      w.high = Math.max(w.high!, b.high);
      w.low = Math.min(w.low!, b.low);
      w.close = b.close;
      sums.add(b.lots, b.bigLots);
      notionals.add(b.notional, b.bigNotional);
      w.count += b.count;
      w.lastId = b.lastId;
    }
    w.lots = sums.total();
    w.notional = notionals.total();
    return w;
  }

  /** The state as JSON (money as decimal strings): kept with a snapshot, so that a start reads
   *  only the trades after it instead of a week's. */
  image(): string {
    const buckets = this.buckets.map((list) => list.filter((b) => b !== undefined).map((b) => [
      b.minute, b.open, b.close, b.high, b.low, b.lots, b.notional, String(b.bigLots), String(b.bigNotional), b.count, b.firstId, b.lastId,
    ]));
    return JSON.stringify({ lastPrices: this.lastPrices, lastQuantities: this.lastQuantities, lastTimes: this.lastTimes, buckets });
  }

  /** Takes back the state of image() (of the first markets, when some were added since). */
  restore(image: string): boolean {
    const state = JSON.parse(image) as { lastPrices: (number | null)[]; lastQuantities: number[]; lastTimes?: number[]; buckets: (number | string)[][][] };
    if (state.buckets.length > this.buckets.length) return false;
    state.lastPrices.forEach((p, i) => (this.lastPrices[i] = p));
    state.lastQuantities.forEach((q, i) => (this.lastQuantities[i] = q));
    state.lastTimes?.forEach((t, i) => (this.lastTimes[i] = t));
    state.buckets.forEach((list, market) => {
      for (const [minute, open, close, high, low, lots, notional, bigLots, bigNotional, count, firstId, lastId] of list) {
        Object.assign(this.bucket(market, minute as number), { minute, open, close, high, low, lots, notional, bigLots: BigInt(bigLots!), bigNotional: BigInt(bigNotional!), count, firstId, lastId });
      }
    });
    return true;
  }
}
