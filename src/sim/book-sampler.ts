// Samples the top of every market's book once per second of venue time into book_samples, for
// `exchange analyze` (spreads). Driven by the simulation's or the replay's steps, so that an
// accelerated run samples its own seconds, not the wall's. Samples are written several at a time
// (a transaction each was 9% of a simulated day at full speed): once 64 seconds' wait, a second of
// the wall after the first of them, and when the run pauses, changes pace or stops (flush).
import type { Exchange } from "../exchange";

const SAMPLE_MS = 1000;
const MAX_BUFFERED_SECONDS = 64;
const MAX_WAIT_MS = 1000;

type Sample = [symbol: string, time: number, bid: number | null, ask: number | null, bidQuantity: number, askQuantity: number];

export class BookSampler {
  private next = 0;
  private readonly buffered: Sample[] = [];
  private seconds = 0;
  private firstBufferedAt = 0;
  private readonly write: (samples: Sample[]) => void;

  constructor(private readonly ex: Exchange) {
    const insert = ex.storage.sqlite.prepare(
      "INSERT OR REPLACE INTO book_samples (symbol, time, bid, ask, bid_quantity, ask_quantity) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.write = ex.storage.sqlite.transaction((samples: Sample[]) => {
      for (const s of samples) insert.run(...s);
    });
  }

  /** Samples if venue time has reached the next whole second since the last sample. */
  sample(now: number): void {
    if (now < this.next) return;
    const second = Math.floor(now / SAMPLE_MS) * SAMPLE_MS;
    this.next = second + SAMPLE_MS;
    const { engine } = this.ex;
    if (this.seconds === 0) this.firstBufferedAt = performance.now();
    this.seconds++;
    for (const m of this.ex.markets.list) {
      const [bid] = engine.depth(m.index, 0, 1);
      const [ask] = engine.depth(m.index, 1, 1);
      if (!bid && !ask) continue;
      this.buffered.push([m.symbol, second, bid?.[0] ?? null, ask?.[0] ?? null, bid?.[1] ?? 0, ask?.[1] ?? 0]);
    }
    if (this.seconds >= MAX_BUFFERED_SECONDS || performance.now() - this.firstBufferedAt >= MAX_WAIT_MS) this.flush();
  }

  /** Writes the samples taken and not yet written. */
  flush(): void {
    if (this.buffered.length > 0) this.write(this.buffered);
    this.buffered.length = 0;
    this.seconds = 0;
  }
}
