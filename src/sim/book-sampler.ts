// Samples the top of every market's book once per second of venue time into book_samples, for
// `exchange analyze` (spreads). Driven by the simulation's or the replay's steps, so that an
// accelerated run samples its own seconds, not the wall's.
import type { Exchange } from "../exchange";

const SAMPLE_MS = 1000;

export class BookSampler {
  private next = 0;
  private readonly insert;

  constructor(private readonly ex: Exchange) {
    this.insert = ex.storage.sqlite.prepare(
      "INSERT OR REPLACE INTO book_samples (symbol, time, bid, ask, bid_quantity, ask_quantity) VALUES (?, ?, ?, ?, ?, ?)",
    );
  }

  /** Samples if venue time has reached the next whole second since the last sample. */
  sample(now: number): void {
    if (now < this.next) return;
    const second = Math.floor(now / SAMPLE_MS) * SAMPLE_MS;
    this.next = second + SAMPLE_MS;
    const { engine, storage } = this.ex;
    storage.sqlite.transaction(() => {
      for (const m of this.ex.markets.list) {
        const [bid] = engine.depth(m.index, 0, 1);
        const [ask] = engine.depth(m.index, 1, 1);
        if (!bid && !ask) continue;
        this.insert.run(m.symbol, second, bid?.[0] ?? null, ask?.[0] ?? null, bid?.[1] ?? 0, ask?.[1] ?? 0);
      }
    })();
  }
}
