// Opens the SQLite file: WAL, an explicit synchronous mode, and the schema migrated.
import { Database } from "bun:sqlite";
import { resolve } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { log } from "../log";
import * as schema from "./schema";
import { migrate } from "./migrations";
import type { CheckpointStart } from "./checkpoint-worker";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/**
 * NORMAL: a committed transaction survives a crash of the process (kill -9), the case this
 * exchange promises; FULL also survives power loss, at an fsync per commit.
 */
export type SyncMode = "NORMAL" | "FULL";

export interface Storage {
  sqlite: Database;
  db: Db;
  /** Checkpoints done by the background thread so far (0 when checkpoints run inline). */
  checkpoints(): number;
  close(): Promise<void>;
}

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

// From source the worker sits beside this file; in the single binary it is its own entrypoint,
// bundled as store/checkpoint-worker.js under the binary's root (package.json, "build").
const CHECKPOINT_WORKER = import.meta.url.includes("$bunfs")
  ? new URL("./store/checkpoint-worker.js", import.meta.url)
  : new URL("./checkpoint-worker.ts", import.meta.url);

/**
 * Opens the database. With `backgroundCheckpoints` (the server), WAL checkpoints run on a worker
 * thread and never stall a commit; should the worker fail, SQLite's own inline checkpoints take
 * over, so durability never depends on it.
 */
export function openStorage(path: string, sync: SyncMode = "NORMAL",
  options: { backgroundCheckpoints?: boolean; maxWalFrames?: number } = {}): Storage {
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec(`PRAGMA synchronous = ${sync}`);
  sqlite.exec("PRAGMA busy_timeout = 5000");
  const db = drizzle({ client: sqlite, schema });
  migrate(db);

  let checkpoints = 0;
  let worker: Worker | undefined;
  const inline = () => sqlite.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  if (options.backgroundCheckpoints) {
    sqlite.exec("PRAGMA wal_autocheckpoint = 0");
    try {
      worker = new Worker(CHECKPOINT_WORKER);
      worker.onmessage = (event: MessageEvent<{ type: string; error?: string }>) => {
        if (event.data.type === "checkpoint") checkpoints++;
        if (event.data.type === "error") {
          log("warn", "background checkpoint failed; checkpointing inline", { error: event.data.error });
          inline();
        }
      };
      worker.onerror = (event) => {
        log("warn", "checkpoint thread failed; checkpointing inline", { error: String(event.message) });
        inline();
        worker?.terminate();
        worker = undefined;
      };
      // 16,384 pages of 4 KiB: the WAL starts over beyond 64 MiB (checkpoint-worker.ts).
      const start: CheckpointStart = { type: "start", path: resolve(path), intervalMs: 100, maxWalFrames: options.maxWalFrames ?? 16_384 };
      worker.postMessage(start);
    } catch (error) {
      log("warn", "no checkpoint thread; checkpointing inline", { error: String(error) });
      inline();
      worker = undefined;
    }
  }

  return {
    sqlite, db,
    checkpoints: () => checkpoints,
    async close() {
      if (worker) {
        const stopped = new Promise<void>((done) => {
          worker!.addEventListener("message", (e: MessageEvent<{ type: string }>) => e.data.type === "stopped" && done());
          setTimeout(done, 2000);
        });
        worker.postMessage({ type: "stop" });
        await stopped;
        worker.terminate();
      }
      // Fold the WAL into the database file, so a cleanly stopped exchange leaves one file.
      sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite.close();
    },
  };
}
