// Runs the WAL checkpoints of both files (the database file and its projection file) on its own
// thread and connections, so that their fsyncs never stall the sequencer (inline, a checkpoint
// every ~1,000 pages held batches up for 3-30 ms) nor the projector (inline, its checkpoints'
// fsyncs left it a third of the time blocked under the batch load, BENCHMARKS.md). PASSIVE
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

let dbs: Database[] = [];
let timer: ReturnType<typeof setInterval> | undefined;

const checkpoint = (db: Database, mode: "PASSIVE" | "RESTART") =>
  db.query(`PRAGMA wal_checkpoint(${mode})`).get() as { busy: number; log: number; checkpointed: number };

/** `paths`: the database file and its projection file, each checkpointed in turn; past
 *  `maxWalFrames`, the first is RESTARTed (the projection file's writer bounds its WAL itself:
 *  a RESTART's hold on it cost the projector, and through it the server, stalls of 0.2-0.7 s). */
export interface CheckpointStart { type: "start"; paths: string[]; intervalMs: number; maxWalFrames: number }

self.onmessage = (event: MessageEvent<CheckpointStart | { type: "stop" }>) => {
  const message = event.data;
  if (message.type === "start") {
    dbs = message.paths.map((path) => {
      const db = new Database(path);
      db.exec("PRAGMA busy_timeout = 1000");
      return db;
    });
    timer = setInterval(() => {
      try {
        for (const [i, db] of dbs.entries()) {
          let result = checkpoint(db, "PASSIVE");
          if (i === 0 && result.log > message.maxWalFrames) {
            // Each pass copies what was committed during the one before: the RESTART that follows
            // has little left to copy while it holds the writer back.
            for (let pass = 0; pass < PASSES_BEFORE_RESTART; pass++) checkpoint(db, "PASSIVE");
            result = { ...checkpoint(db, "RESTART"), restarted: 1 } as typeof result;
          }
          postMessage({ type: "checkpoint", ...result });
        }
      } catch (error) {
        postMessage({ type: "error", error: String(error) });
      }
    }, message.intervalMs);
    postMessage({ type: "started" });
  } else {
    clearInterval(timer);
    for (const db of dbs) db.close();
    postMessage({ type: "stopped" });
  }
};
