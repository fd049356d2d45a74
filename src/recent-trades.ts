// The newest trades of each market, in memory: what clients poll most (a market's recent trades),
// answered without the store. The store's trades follow the journal on the projector's thread, so
// a read of them waits until it has written every batch acknowledged; under load that cost the
// venue a tenth of its orders/s at a hundred reads a second (BENCHMARKS.md).
import { newestAggregates, type AggregateTrade, type GroupableTrade } from "./aggregate-trades";
import type { Markets } from "./markets";
import type { TradeRecord } from "./store/projection-writer";

/** What a public trade shows, with its taker order (which groups it into an aggregate). */
export type PublicTrade = GroupableTrade;

export class RecentTrades {
  /** Trades kept per market: enough for the largest read of recent trades (1,000) and, at up to
   *  five trades an aggregate, of recent aggregate trades (1,000). */
  static readonly CAPACITY = 5000;
  /** Per market, a ring of its newest trades; `next`: where the next one goes. */
  private readonly rings: PublicTrade[][];
  private readonly next: number[];

  /** `stored`: a market's newest trades in the store (complete at start), newest first. */
  constructor(private readonly markets: Markets, stored: (symbol: string, limit: number) => PublicTrade[], private readonly capacity = RecentTrades.CAPACITY) {
    this.rings = markets.list.map((m) => stored(m.symbol, capacity).reverse());
    this.next = this.rings.map((ring) => ring.length % capacity);
  }

  /** A committed batch's trades, in id order. */
  record(trades: readonly TradeRecord[]): void {
    for (const t of trades) {
      const m = this.markets.get(t.symbol)!.index;
      const ring = this.rings[m]!;
      ring[this.next[m]!] = t;
      this.next[m] = (this.next[m]! + 1) % this.capacity;
    }
  }

  /** A market's newest `limit` aggregate trades, oldest first; undefined when the trades kept do
   *  not hold that many whole ones. */
  newestAggregates(market: number, limit: number): AggregateTrade[] | undefined {
    const kept = this.rings[market]!.length;
    // Most aggregates are a trade or a few: a look at four trades for each first, then at all.
    const first = Math.min(kept, 4 * (limit + 1));
    const look = newestAggregates(this.newest(market, first), limit);
    if (look.whole) return look.aggregates;
    const { aggregates, whole } = first === kept ? look : newestAggregates(this.newest(market, kept), limit);
    // The oldest may have begun before the oldest trade kept, unless every trade is kept.
    return whole || kept < this.capacity ? aggregates : undefined;
  }

  /** A market's newest `limit` trades (at most its capacity), newest first. */
  newest(market: number, limit: number): PublicTrade[] {
    const ring = this.rings[market]!, out: PublicTrade[] = [];
    const n = Math.min(limit, ring.length); // (a ring never holds more than its capacity)
    for (let i = 1; i <= n; i++) out.push(ring[(this.next[market]! - i + this.capacity) % this.capacity]!);
    return out;
  }
}
