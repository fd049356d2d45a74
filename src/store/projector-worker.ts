// The projector's thread (projector.ts): writes the projection file's tables (orders, trades,
// balances, the ledger) behind the journal. It takes the batches' rows off the ring every few
// milliseconds, or at once when a read rings, and writes them in larger transactions
// (projection-writer.ts). Started by projector.ts; listed as a build entrypoint so that the
// single binary carries it.
import { Database } from "bun:sqlite";
import { MessageRing } from "./message-ring";
import { projectBatch } from "./projected-batch";
import { ProjectionWriter } from "./projection-writer";
import { Control, POLL_MS, State, type ProjectorMessage, type ProjectorStart } from "./projector";
import { mayRaise, runWhenIdle, threadId } from "../scheduling";
import { Markets } from "../markets";

declare const self: Worker;

let words: Int32Array;
let seqs: Float64Array;
let projection: Projection | undefined;
let stopped = false;
/** Whether this thread runs at idle priority while it keeps up (scheduling.ts). */
let lowers = false;

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
    // Each batch is read where it lies in the ring, and its room given back before the rows are
    // written (endBatch may write them all): the server's thread never waits through a flush.
    for (let rows = this.ring.read(); rows; rows = this.ring.read()) {
      const lastSeq = projectBatch(rows, this.markets, this.writer);
      this.ring.release();
      this.writer.endBatch(lastSeq);
    }
    if (Atomics.exchange(words, Control.flush, 0) !== 0) {
      this.writer.flush();
      progressed();
    }
    // Caught up: back to idle priority (raised by the server's thread when it waited).
    if (lowers && Atomics.load(words, Control.raised) === 1 && this.ring.fill() < 1 / 8 && runWhenIdle(0, true)) Atomics.store(words, Control.raised, 0);
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

function start(message: ProjectorStart): void {
  words = new Int32Array(message.control);
  seqs = new Float64Array(message.control);
  // At idle priority while it keeps up; the server's thread raises it when it waits (projector.ts).
  // (Where it could not be raised again it stays as it is: marked raised, for good.)
  Atomics.store(words, Control.tid, threadId());
  lowers = mayRaise() && runWhenIdle(0, true);
  Atomics.store(words, Control.raised, lowers ? 0 : 1);
  const sqlite = new Database(message.path);
  sqlite.exec(`PRAGMA synchronous = ${message.sync}`);
  // An upsert's statement journal in memory, not in a temporary file opened and closed each time.
  sqlite.exec("PRAGMA temp_store = MEMORY");
  // The checkpoint thread checkpoints this file (database.ts); this connection, its only writer,
  // bounds its WAL once it passes 16,384 pages (64 MiB), as that thread does the database file's.
  sqlite.exec("PRAGMA wal_autocheckpoint = 16384");
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
