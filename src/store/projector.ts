// The projector: the orders, trades, balances and ledger tables written behind the journal on a
// thread of their own (projector-worker.ts), into the projection file (database.ts), so that the
// server's thread only commits the journal. Writing those rows was a fifth of the server's time
// per order (BENCHMARKS.md). Each committed batch is handed over, through a ring in shared memory
// (message-ring.ts), as the rows it changed, encoded as the batch left them (projected-batch.ts):
// the worker writes them in larger transactions.
//
// Reads of those tables wait until every acknowledged batch is written (waitFor), so a client
// never reads less than it was told. What is handed over and not yet taken is bounded by the ring:
// past it, the server's thread waits for the worker.
import { resolve } from "node:path";
import type { MarketSpec } from "../markets";
import type { SyncMode } from "./database";
import type { JournalBatch } from "./journal-writer";
import { MessageRing } from "./message-ring";
import { runWhenIdle } from "../scheduling";
import type { WriterOptions } from "./projection-writer";

// From source the worker sits beside this file; in the single binary it is its own entrypoint,
// bundled as store/projector-worker.js under the binary's root (package.json, "build").
const PROJECTOR_WORKER = import.meta.url.includes("$bunfs")
  ? new URL("./store/projector-worker.js", import.meta.url)
  : new URL("./projector-worker.ts", import.meta.url);

/** Bytes handed over and not yet taken, at most. */
const RING_BYTES = 32 << 20;
/** How long a wait for the worker may take before the exchange gives up on it. */
const STALL_MS = 60_000;
const START_MS = 20_000;

/** The control words shared with the worker (Int32 slots; WRITTEN is a Float64 slot). */
export const Control = {
  state: 0,
  /** The server's thread moves it on when it has handed something over or wants the rows written. */
  doorbell: 1,
  /** The worker moves it on when it has written rows or stopped. */
  progress: 2,
  /** Nonzero: write the buffered rows now (a read waits for them). */
  flush: 3,
  /** The worker's thread id, and 1 while it runs at normal priority because it is waited for. */
  tid: 4,
  raised: 5,
  /** (Float64 slot, past the six Int32 slots) the last journal entry whose rows are written. */
  written: 3,
  bytes: 32,
} as const;
export const State = { starting: 0, ready: 1, failed: 2, stopped: 3 } as const;

/** How often the worker looks for batches when nobody rings: it is not woken for each one (a wake
 *  of a sleeping thread per batch took the server's core from it, BENCHMARKS.md). A read rings. */
export const POLL_MS = 5;

export interface ProjectorStart {
  type: "start";
  control: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  path: string;
  sync: SyncMode;
  markets: MarketSpec[];
  defaultBalances: string;
  /** Where the tables stand: the last journal entry whose rows are written. */
  projectedSeq: number;
  pace: WriterOptions;
}

export type ProjectorMessage = ProjectorStart | { type: "stop" };

export class Projector {
  private readonly worker: Worker;
  private readonly words: Int32Array;
  private readonly seqs: Float64Array;
  private readonly ring: MessageRing;
  private failure: string | null = null;

  /** Starts the worker on the projection file as it is now (written up to `projectedSeq`), and
   *  waits until it has opened it. */
  constructor(start: Omit<ProjectorStart, "type" | "control" | "ring">) {
    const control = new SharedArrayBuffer(Control.bytes);
    const ring = MessageRing.create(RING_BYTES);
    this.words = new Int32Array(control);
    this.seqs = new Float64Array(control);
    this.seqs[Control.written] = start.projectedSeq;
    this.ring = new MessageRing(ring, () => this.raise());
    this.worker = new Worker(PROJECTOR_WORKER);
    this.worker.onmessage = (event: MessageEvent<{ type: string; error?: string }>) => {
      if (event.data.type === "error") this.failed(event.data.error ?? "the projector failed");
    };
    this.worker.onerror = (event) => this.failed(String(event.message));
    this.post({ type: "start", control, ring, ...start, path: resolve(start.path) });
    this.waitUntil(() => this.state !== State.starting, "start", START_MS);
    if (this.state !== State.ready) throw new Error(`the projector did not start: ${this.failure ?? "see the log"}`);
  }

  /** Called once the worker has failed: the tables can no longer follow the journal. */
  onFatal: (error: unknown) => void = (error) => {
    throw error;
  };

  /** The last journal entry whose rows are written. */
  get written(): number {
    return this.seqs[Control.written]!;
  }

  /** Hands over a batch whose journal is stored (a JournalFollower). */
  follow(batch: JournalBatch): void {
    this.ring.write([batch.rows]);
    if (this.ring.fill() > 0.5) this.raise();
  }

  /** Returns once the rows of every journal entry up to `seq` are written. */
  waitFor(seq: number): void {
    if (this.written >= seq) return;
    Atomics.store(this.words, Control.flush, 1);
    this.wake();
    this.waitUntil(() => this.written >= seq, "write");
  }

  /** Resolves once the rows of every journal entry up to `seq` are written, without holding this
   *  thread meanwhile: a read that awaits it lets the server go on with everyone else's requests. */
  async whenWritten(seq: number): Promise<void> {
    if (this.written >= seq) return;
    Atomics.store(this.words, Control.flush, 1);
    this.wake();
    const deadline = performance.now() + STALL_MS;
    for (;;) {
      const progress = Atomics.load(this.words, Control.progress);
      if (this.written >= seq) return;
      this.stillWaiting("write", deadline, STALL_MS);
      const waiting = Atomics.waitAsync(this.words, Control.progress, progress, 100);
      if (waiting.async) await waiting.value;
    }
  }

  /** Writes what is handed over, then stops the worker. */
  async close(): Promise<void> {
    if (this.state === State.ready) {
      this.post({ type: "stop" });
      this.waitUntil(() => this.state !== State.ready, "stop");
    }
    this.worker.terminate();
  }

  /** Stops the thread at once, writing nothing more: what a crash does (tests). */
  terminate(): void {
    Atomics.store(this.words, Control.state, State.stopped);
    this.worker.terminate();
  }

  private get state(): number {
    return Atomics.load(this.words, Control.state);
  }

  /** Wakes the worker (costs nothing much when it is awake). */
  private wake(): void {
    Atomics.add(this.words, Control.doorbell, 1);
    Atomics.notify(this.words, Control.doorbell);
  }

  private post(message: ProjectorMessage): void {
    this.worker.postMessage(message);
  }

  private failed(why: string): void {
    if (this.failure !== null) return;
    this.failure = why;
    Atomics.store(this.words, Control.state, State.failed);
    this.onFatal(new Error(`the projector failed: ${why}`));
  }

  /**
   * The worker runs only on a core nothing else wants (scheduling.ts): its rows may lag, but it
   * never takes a core from this thread, which answers users, nor from a bot beside the exchange
   * (woken at normal priority it cost 11% of the orders/s on a 2-core machine, BENCHMARKS.md). Once
   * someone waits for it (a read, or a ring half full) it runs like any thread until it has caught
   * up: under the batch load, idle priority alone starved it, and the server waited on a full ring.
   */
  private raise(): void {
    if (Atomics.compareExchange(this.words, Control.raised, 0, 1) === 0) runWhenIdle(Atomics.load(this.words, Control.tid), false);
  }

  /** Blocks this thread until `done()` (the worker moves the progress counter whenever it moves on). */
  private waitUntil(done: () => boolean, what: string, limitMs = STALL_MS): void {
    const deadline = performance.now() + limitMs;
    for (;;) {
      const progress = Atomics.load(this.words, Control.progress);
      if (done()) return;
      this.stillWaiting(what, deadline, limitMs);
      Atomics.wait(this.words, Control.progress, progress, 100);
    }
  }

  /** Between looks at the progress counter of a wait for the worker: it runs at normal priority
   *  meanwhile (but while starting); throws if it failed or stopped, or the wait took too long. */
  private stillWaiting(what: string, deadline: number, limitMs: number): void {
    if (what !== "start") this.raise();
    const state = this.state;
    if (state === State.failed || (state === State.stopped && what !== "stop")) {
      throw new Error(`the projector cannot ${what}: ${this.failure ?? "it has stopped"}`);
    }
    if (performance.now() > deadline) throw new Error(`the projector did not ${what} within ${limitMs / 1000} s`);
  }
}
