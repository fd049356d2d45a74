// Binance's unfilled order count (faqs/order_count_decrement.md): each account's new orders are
// counted in two intervals, ten seconds and a UTC day (fixed windows on the clock); an order's
// first fill takes the count back down (by one as a taker, by more as a maker, as Binance's
// examples show), never below zero, so that orders which trade do not count. Past a limit, new
// orders are refused with -1015 until the interval ends. Only the Binance surface counts: the
// other surfaces have no such limit, but fills of every order of the account take the count down.
import type { BatchReport } from "../core/sequencer";
import { BinanceError, errors } from "./errors";

export const DEFAULT_ORDER_LIMIT_10S = 100;
export const ORDER_LIMIT_1D = 200_000;
/** What an order's first fill takes off the count, as a taker and as a maker. */
const TAKER_CREDIT = 1;
const MAKER_CREDIT = 5;

const INTERVALS = [
  { ms: 10_000, interval: "SECOND", intervalNum: 10, header: "x-mbx-order-count-10s" },
  { ms: 86_400_000, interval: "DAY", intervalNum: 1, header: "x-mbx-order-count-1d" },
] as const;

/** An account's count in each interval, and which window of the clock it is for. */
interface Counts { window: [number, number]; count: [number, number] }

export class UnfilledOrderCounts {
  private readonly accounts = new Map<number, Counts>();
  /** The limit of each interval (the ten seconds', the day's); none when `limit10s` is 0. */
  readonly limits: readonly [number, number];

  constructor(limit10s = DEFAULT_ORDER_LIMIT_10S) {
    this.limits = limit10s > 0 ? [limit10s, ORDER_LIMIT_1D] : [0, 0];
  }

  get enabled(): boolean {
    return this.limits[0] > 0;
  }

  /** Counts `n` new orders of the account, or throws -1015 (nothing counted) if that would pass a
   *  limit. */
  private take(accountId: number, n: number, now = Date.now()): void {
    const c = this.current(accountId, now);
    for (let i = 0; i < INTERVALS.length; i++) {
      if (this.limits[i]! > 0 && c.count[i]! + n > this.limits[i]!) {
        const { ms, intervalNum, interval } = INTERVALS[i]!;
        const retryAfter = Math.ceil(((c.window[i]! + 1) * ms - now) / 1000);
        throw errors.tooManyOrders(this.limits[i]!, `${intervalNum} ${interval}`, retryAfter);
      }
    }
    c.count[0] += n;
    c.count[1] += n;
  }

  /** Runs a request that places `n` new orders of the account: counted first (or refused with
   *  -1015), and given back if it placed none. */
  async placing<T>(accountId: number, n: number, run: () => T | Promise<T>): Promise<T> {
    this.take(accountId, n);
    try {
      return await run();
    } catch (error) {
      // A cancel-replace whose cancel failed but whose new order was placed (-2021) placed it.
      const placed = error instanceof BinanceError && (error.data as { newOrderResult?: string } | undefined)?.newOrderResult === "SUCCESS";
      if (!placed) this.credit(accountId, n, Date.now());
      throw error;
    }
  }

  /** Each order's first fill in a committed batch takes its account's count down. */
  publish(report: BatchReport): void {
    if (this.accounts.size === 0 || report.trades.length === 0) return;
    // An order whose first fill is one of this batch's trades (their ids only grow).
    const batchFirstTrade = report.trades[0]!.id;
    const now = Date.now();
    for (const o of report.orders) {
      const first = o.fills[0];
      if (first === undefined || first.tradeId < batchFirstTrade || !this.accounts.has(o.accountId)) continue;
      this.credit(o.accountId, first.liquidity === "maker" ? MAKER_CREDIT : TAKER_CREDIT, now);
    }
  }

  /** The counts as Binance shows them (rateLimit/order, and the WebSocket API's rateLimits). */
  view(accountId: number, now = Date.now()) {
    const c = this.current(accountId, now);
    return INTERVALS.map((_, i) => ({ ...this.limitOf(i), count: c.count[i]! }));
  }

  /** The counts as REST answers name them (X-MBX-ORDER-COUNT-10S and -1D). */
  headers(accountId: number, now = Date.now()): Record<string, string> {
    const c = this.current(accountId, now);
    return { [INTERVALS[0].header]: String(c.count[0]), [INTERVALS[1].header]: String(c.count[1]) };
  }

  /** The limits as exchangeInfo lists them (none when there are none). */
  rateLimits() {
    return this.enabled ? INTERVALS.map((_, i) => this.limitOf(i)) : [];
  }

  /** Interval `i`'s limit as Binance describes it. */
  private limitOf(i: number) {
    const { interval, intervalNum } = INTERVALS[i]!;
    return { rateLimitType: "ORDERS", interval, intervalNum, limit: this.limits[i]! };
  }

  private credit(accountId: number, n: number, now: number): void {
    const c = this.current(accountId, now);
    c.count[0] = Math.max(0, c.count[0] - n);
    c.count[1] = Math.max(0, c.count[1] - n);
    // An account at zero in both holds nothing worth keeping.
    if (c.count[0] === 0 && c.count[1] === 0) this.accounts.delete(accountId);
  }

  /** The account's counts for the windows `now` is in (a new window starts at zero). */
  private current(accountId: number, now: number): Counts {
    let c = this.accounts.get(accountId);
    if (!c) {
      c = { window: [0, 0], count: [0, 0] };
      this.accounts.set(accountId, c);
    }
    for (let i = 0; i < INTERVALS.length; i++) {
      const window = Math.floor(now / INTERVALS[i]!.ms);
      if (c.window[i] !== window) {
        c.window[i] = window;
        c.count[i] = 0;
      }
    }
    return c;
  }
}
