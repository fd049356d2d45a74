// The newest trades of each market, in memory: what clients poll most (a market's recent trades),
// answered without the store. The store's trades follow the journal on the projector's thread, so
// a read of them waits until it has written every batch acknowledged; under load that cost the
// venue a tenth of its orders/s at a hundred reads a second (BENCHMARKS.md).
import type { Markets } from "./markets";
import type { TradeRecord } from "./store/projection-writer";

/** What a public trade shows. */
export type PublicTrade = Pick<TradeRecord, "id" | "price" | "quantity" | "takerSide" | "time">;

export class RecentTrades {
  /** Trades kept per market: the most any recent-trades read asks for. */
  static readonly CAPACITY = 1000;
  /** Per market, a ring of its newest trades; `next`: where the next one goes. */
  private readonly rings: PublicTrade[][];
  private readonly next: number[];

  /** `stored`: a market's newest trades in the store (complete at start), newest first. */
  constructor(private readonly markets: Markets, stored: (symbol: string, limit: number) => PublicTrade[]) {
    this.rings = markets.list.map((m) => stored(m.symbol, RecentTrades.CAPACITY).reverse());
    this.next = this.rings.map((ring) => ring.length % RecentTrades.CAPACITY);
  }

  /** A committed batch's trades, in id order. */
  record(trades: readonly TradeRecord[]): void {
    for (const t of trades) {
      const m = this.markets.get(t.symbol)!.index;
      const ring = this.rings[m]!;
      ring[this.next[m]!] = t;
      this.next[m] = (this.next[m]! + 1) % RecentTrades.CAPACITY;
    }
  }

  /** A market's newest `limit` trades (at most CAPACITY), newest first. */
  newest(market: number, limit: number): PublicTrade[] {
    const ring = this.rings[market]!, out: PublicTrade[] = [];
    const n = Math.min(limit, ring.length); // (a ring never holds more than CAPACITY)
    for (let i = 1; i <= n; i++) out.push(ring[(this.next[market]! - i + RecentTrades.CAPACITY) % RecentTrades.CAPACITY]!);
    return out;
  }
}
