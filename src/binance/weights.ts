// Request weights, as Binance counts them: each request adds its endpoint's weight to its IP's
// count for the current minute (fixed windows on the clock), every answer says the count
// (X-MBX-USED-WEIGHT-1M), and past the limit requests are refused with 429 and Retry-After until
// the next minute; an IP that goes on past twice the limit without backing off gets 418 (banned)
// until then. Counts are per IP; the map holds only the current minute's, so it stays small.
import { errors } from "./errors";

export const DEFAULT_WEIGHT_LIMIT = 6000;

export class RequestWeights {
  private minute = 0;
  private readonly used = new Map<string, number>();

  /** `limit` 0: counted and reported, never refused. */
  constructor(readonly limit = DEFAULT_WEIGHT_LIMIT) {}

  /** The key weight is counted under: the IP, or with no limit the venue as a whole (so that
   *  callers may skip looking the IP up). */
  keyOf(ip: () => string | undefined): string {
    return this.limit > 0 ? ip() ?? "local" : "*";
  }

  /** Adds the weight; returns the count so far this minute, or throws -1003 past the limit. */
  spend(ip: string, weight: number, now = Date.now()): number {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used.clear();
    }
    const used = (this.used.get(ip) ?? 0) + weight;
    this.used.set(ip, used);
    if (this.limit > 0 && used > this.limit) {
      const next = (minute + 1) * 60_000;
      const retryAfter = Math.ceil((next - now) / 1000);
      if (used > 2 * this.limit) throw errors.banned(next, retryAfter);
      throw errors.tooMuchWeight(this.limit, retryAfter);
    }
    return used;
  }

  current(ip: string, now = Date.now()): number {
    return Math.floor(now / 60_000) === this.minute ? this.used.get(ip) ?? 0 : 0;
  }
}
