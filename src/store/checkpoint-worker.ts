// Runs WAL checkpoints on its own thread and connection, so that their fsyncs never stall the
// sequencer (inline, a checkpoint every ~1,000 pages held batches up for 3-30 ms). PASSIVE
// checkpoints never block the writer. Started by database.ts; listed as a build entrypoint so
// that the single binary carries it.
import { Database } from "bun:sqlite";

declare const self: Worker;

let db: Database | undefined;
let timer: ReturnType<typeof setInterval> | undefined;

self.onmessage = (event: MessageEvent<{ type: "start"; path: string; intervalMs: number } | { type: "stop" }>) => {
  const message = event.data;
  if (message.type === "start") {
    db = new Database(message.path);
    db.exec("PRAGMA busy_timeout = 1000");
    timer = setInterval(() => {
      try {
        const result = db!.query("PRAGMA wal_checkpoint(PASSIVE)").get() as { busy: number; log: number; checkpointed: number };
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
