// Runs WAL checkpoints on its own thread and connection, so that their fsyncs never stall the
// sequencer (inline, a checkpoint every ~1,000 pages held batches up for 3-30 ms). PASSIVE
// checkpoints never block the writer, but under continuous writes they never catch up with it
// either, and SQLite only starts the WAL over once everything in it is checkpointed: the WAL grew
// by ~38 MB/s under the batch load, without end. So when it holds more than maxWalFrames, a
// RESTART checkpoint waits for the writer's transaction in flight, holds the next one back while
// it copies what PASSIVE has not, and lets the next writer start the WAL from its beginning (it
// needs a moment between two of the writer's transactions; the server's thread always leaves
// some). A few PASSIVE passes first, each copying what was committed during the one before, leave
// it little to copy while it holds the writer back: under the batch load that halved the p99.9
// (BENCHMARKS.md). Started by database.ts; listed as a build entrypoint so that the single binary
// carries it.
import { Database } from "bun:sqlite";

declare const self: Worker;

const PASSES_BEFORE_RESTART = 3;

let db: Database | undefined;
let timer: ReturnType<typeof setInterval> | undefined;

const checkpoint = (mode: "PASSIVE" | "RESTART") =>
  db!.query(`PRAGMA wal_checkpoint(${mode})`).get() as { busy: number; log: number; checkpointed: number };

export interface CheckpointStart { type: "start"; path: string; intervalMs: number; maxWalFrames: number }

self.onmessage = (event: MessageEvent<CheckpointStart | { type: "stop" }>) => {
  const message = event.data;
  if (message.type === "start") {
    db = new Database(message.path);
    db.exec("PRAGMA busy_timeout = 1000");
    timer = setInterval(() => {
      try {
        let result = checkpoint("PASSIVE");
        if (result.log > message.maxWalFrames) {
          // Each pass copies what was committed during the one before: the RESTART that follows
          // has little left to copy while it holds the writer back.
          for (let pass = 0; pass < PASSES_BEFORE_RESTART; pass++) checkpoint("PASSIVE");
          result = { ...checkpoint("RESTART"), restarted: 1 } as typeof result;
        }
        postMessage({ type: "checkpoint", ...result });
      } catch (error) {
        postMessage({ type: "error", error: String(error) });
      }
    }, message.intervalMs);
    postMessage({ type: "started" });
  } else {
    clearInterval(timer);
    db?.close();
    postMessage({ type: "stopped" });
  }
};
