// The screen's copy of one market's book, kept from the book stream: a snapshot, then updates that
// each name the sequence they follow. An update that does not follow is a gap, and the owner
// resubscribes for a new snapshot. Prices stay the API's exact strings; the numeric key only orders
// the levels (every price of a market is on one tick grid, so distinct strings give distinct keys).

export type Level = [price: string, quantity: string];

export interface BookSnapshot {
  sequence: number;
  bids: Level[];
  asks: Level[];
}

export interface BookUpdate extends BookSnapshot {
  prevSequence: number;
}

interface Row {
  key: number;
  price: string;
  quantity: string;
}

/** Levels a side keeps: the stream's snapshot holds the best 1,000, and updates add levels without
 *  bound, so the worst are let go (a level that changes again comes back with its quantity). */
export const MAX_LEVELS = 2_000;

/** One side, best first: bids by falling price, asks by rising price. */
class Side {
  readonly rows: Row[] = [];

  constructor(private readonly descending: boolean) {}

  clear(): void {
    this.rows.length = 0;
  }

  /** Sets a level; quantity "0" removes it. Binary search, then one splice: a side holds at most
   *  the snapshot's 1,000 levels plus what updates add. */
  set(price: string, quantity: string): void {
    const key = Number(price);
    const rows = this.rows;
    let lo = 0, hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.before(rows[mid]!.key, key)) lo = mid + 1;
      else hi = mid;
    }
    const found = lo < rows.length && rows[lo]!.key === key;
    const remove = Number(quantity) === 0;
    if (found && remove) rows.splice(lo, 1);
    else if (found) rows[lo]!.quantity = quantity;
    else if (!remove && lo < MAX_LEVELS) {
      rows.splice(lo, 0, { key, price, quantity });
      if (rows.length > MAX_LEVELS) rows.length = MAX_LEVELS;
    }
  }

  private before(a: number, b: number): boolean {
    return this.descending ? a > b : a < b;
  }
}

export type UpdateResult = "applied" | "stale" | "gap";

export class LocalBook {
  readonly bids = new Side(true);
  readonly asks = new Side(false);
  /** The sequence the book is at; undefined until a snapshot arrives (and again after a gap). */
  sequence: number | undefined;

  snapshot(s: BookSnapshot): void {
    this.bids.clear();
    this.asks.clear();
    for (const [p, q] of s.bids) this.bids.set(p, q);
    for (const [p, q] of s.asks) this.asks.set(p, q);
    this.sequence = s.sequence;
  }

  /** Applies an update that follows the book's sequence. "stale": one the snapshot already holds;
   *  "gap": one was missed, and the book is unusable until the next snapshot. */
  update(u: BookUpdate): UpdateResult {
    if (this.sequence === undefined) return "gap";
    if (u.sequence <= this.sequence) return "stale";
    if (u.prevSequence !== this.sequence) {
      this.sequence = undefined;
      return "gap";
    }
    for (const [p, q] of u.bids) this.bids.set(p, q);
    for (const [p, q] of u.asks) this.asks.set(p, q);
    this.sequence = u.sequence;
    return "applied";
  }

  bestBid(): string | undefined {
    return this.bids.rows[0]?.price;
  }

  bestAsk(): string | undefined {
    return this.asks.rows[0]?.price;
  }

  /** The best `depth` levels of a side. */
  top(side: "bids" | "asks", depth: number): Level[] {
    return this[side].rows.slice(0, depth).map((r) => [r.price, r.quantity]);
  }
}
