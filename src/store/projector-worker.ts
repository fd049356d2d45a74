// The projector's thread (projector.ts): writes the projection file's tables (orders, trades,
// balances, the ledger) behind the journal. It takes the batches' rows off the ring every few
// milliseconds, or at once when a read rings, and writes them in larger transactions
// (projection-writer.ts). Started by projector.ts; listed as a build entrypoint so that the
// single binary carries it.
import { Database } from "bun:sqlite";
import { dlopen, FFIType } from "bun:ffi";
import { setPriority } from "node:os";
import { MessageRing } from "./message-ring";
import { projectBatch } from "./projected-batch";
import { ProjectionWriter } from "./projection-writer";
import { Control, POLL_MS, State, type ProjectorMessage, type ProjectorStart } from "./projector";
import { Markets } from "../markets";

declare const self: Worker;

let words: Int32Array;
let seqs: Float64Array;
let projection: Projection | undefined;
let stopped = false;

/** Tells the server's thread that something moved on (written rows, a state). */
function progressed(): void {
  Atomics.add(words, Control.progress, 1);
  Atomics.notify(words, Control.progress);
}

class Projection {
  private readonly markets: Markets;
  private readonly ring: MessageRing;
  readonly writer: ProjectionWriter;

  constructor(readonly sqlite: Database, start: ProjectorStart) {
    this.markets = new Markets(start.markets, start.defaultBalances);
    this.ring = new MessageRing(start.ring);
    this.writer = new ProjectionWriter(sqlite, start.projectedSeq, start.pace);
    this.writer.onWritten = (seq) => {
      seqs[Control.written] = seq;
      progressed();
    };
    this.writer.onFatal = fail;
  }

  /** Buffers every batch on the ring, and writes the rows if a read waits for them. */
  drain(): void {
    // (Each batch is read where it lies in the ring, and its room given back by the next read.)
    for (let rows = this.ring.read(); rows; rows = this.ring.read()) projectBatch(rows, this.markets, this.writer);
    if (Atomics.exchange(words, Control.flush, 0) !== 0) {
      this.writer.flush();
      progressed();
    }
  }
}

function fail(error: unknown): void {
  stopped = true;
  Atomics.store(words, Control.state, State.failed);
  progressed();
  postMessage({ type: "error", error: String(error instanceof Error ? error.stack ?? error.message : error) });
}

/** Takes batches as they come; between them, sleeps on the doorbell (the writer's timer still runs). */
async function run(p: Projection): Promise<void> {
  while (!stopped) {
    const bell = Atomics.load(words, Control.doorbell);
    p.drain();
    const waiting = Atomics.waitAsync(words, Control.doorbell, bell, POLL_MS);
    if (waiting.async) await waiting.value;
  }
}

/**
 * This thread runs only on a core nothing else wants (Linux SCHED_IDLE; elsewhere, or if refused,
 * the lowest nice): its rows may lag a few milliseconds, but it must never take a core from the
 * server's thread, which answers users, nor from anything else on the machine. Woken at normal
 * priority, it preempted the server's thread or a client beside it on a 2-core machine: 0.89 of
 * the orders/s (BENCHMARKS.md). It cannot starve what waits for it: a read, or a full ring, sleeps
 * the server's thread and frees its core.
 */
function runWhenIdle(): void {
  try {
    if (process.platform === "linux") {
      const libc = dlopen("libc.so.6", { sched_setscheduler: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
      const SCHED_IDLE = 5;
      if (libc.symbols.sched_setscheduler(0, SCHED_IDLE, new Int32Array(1)) === 0) return;
    }
  } catch {
    // (no libc to call: the nice value below)
  }
  setPriority(0, 19);
}

function start(message: ProjectorStart): void {
  runWhenIdle();
  words = new Int32Array(message.control);
  seqs = new Float64Array(message.control);
  const sqlite = new Database(message.path);
  sqlite.exec(`PRAGMA synchronous = ${message.sync}`);
  // An upsert's statement journal in memory, not in a temporary file opened and closed each time.
  sqlite.exec("PRAGMA temp_store = MEMORY");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  projection = new Projection(sqlite, message);
  Atomics.store(words, Control.state, State.ready);
  progressed();
  run(projection).catch(fail);
}

function stop(): void {
  if (projection) {
    projection.drain();
    projection.writer.flush();
    projection.sqlite.close();
  }
  stopped = true;
  Atomics.store(words, Control.state, State.stopped);
  progressed();
}

self.onmessage = (event: MessageEvent<ProjectorMessage>) => {
  if (stopped) return; // (failed: the server stops, as the tables cannot follow a journal with a gap)
  try {
    const message = event.data;
    if (message.type === "start") start(message);
    else stop();
  } catch (error) {
    fail(error);
  }
};
