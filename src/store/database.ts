// Opens the database: the file itself (the journal, snapshots, accounts; schema.ts) and the
// projection file beside it (orders, trades, balances, the ledger; projection-schema.ts), which
// the projector's thread writes behind the journal. Two files, so that the two writers never wait
// for each other: SQLite lets one connection write a file at a time. Each in WAL mode, with an
// explicit synchronous mode, its schema migrated.
import { Database } from "bun:sqlite";
import { resolve } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { log } from "../log";
import * as schema from "./schema";
import * as projectionSchema from "./projection-schema";
import { migrate } from "./migrations";
import type { CheckpointStart } from "./checkpoint-worker";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };
export type TablesDb = BunSQLiteDatabase<typeof projectionSchema> & { $client: Database };

/** The projection file of a database file. */
export const projectionPath = (path: string) => `${path}-projection`;

/**
 * NORMAL: a committed transaction survives a crash of the process (kill -9), the case this
 * exchange promises; FULL also survives power loss, at an fsync per commit.
 */
export type SyncMode = "NORMAL" | "FULL";

export interface Storage {
  /** The database file. */
  sqlite: Database;
  db: Db;
  /** The projection file (this connection reads it; the projector's thread writes it). */
  tables: Database;
  tablesDb: TablesDb;
  tablesPath: string;
  /** Checkpoints done by the background thread so far (0 when checkpoints run inline). */
  checkpoints(): number;
  close(): Promise<void>;
  /** Lets go of both files at once, checkpointing nothing: for a start that failed. */
  abandon(): void;
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
  const tablesPath = projectionPath(path);
  const tables = open(tablesPath, sync);
  const tablesDb = drizzle({ client: tables, schema: projectionSchema });
  migrate(tablesDb, "projection");
  const sqlite = open(path, sync);
  const db = drizzle({ client: sqlite, schema });
  // A database from before the projection file keeps those tables itself: they move, once.
  migrate(db, "database", { before: MOVED_OUT });
  moveDerivedTables(sqlite, tables, tablesPath);
  migrate(db, "database");

  let checkpoints = 0;
  let worker: Worker | undefined;
  // (The projector's own connection to the projection file bounds its WAL: projector-worker.ts.)
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
      const start: CheckpointStart = { type: "start", paths: [resolve(path), resolve(tablesPath)], intervalMs: 100, maxWalFrames: options.maxWalFrames ?? 16_384 };
      worker.postMessage(start);
    } catch (error) {
      log("warn", "no checkpoint thread; checkpointing inline", { error: String(error) });
      inline();
      worker = undefined;
    }
  }

  return {
    sqlite, db, tables, tablesDb, tablesPath,
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
      // Fold each WAL into its file, so a cleanly stopped exchange leaves no WAL behind.
      for (const connection of [sqlite, tables]) {
        connection.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        connection.close();
      }
    },
    abandon() {
      worker?.terminate();
      sqlite.close();
      tables.close();
    },
  };
}

function open(path: string, sync: SyncMode): Database {
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec(`PRAGMA synchronous = ${sync}`);
  sqlite.exec("PRAGMA busy_timeout = 5000");
  return sqlite;
}

/** The database migration that drops the tables the projection file took over. */
const MOVED_OUT = "0011_projection_file";
const DERIVED_TABLES = ["orders", "trades", "balances", "ledger"];

/**
 * Copies the derived tables of a database written before the projection file into it, in one
 * transaction of the projection file; the database's own migration then drops them. Done only
 * while the projection file is empty: a crash between the two finds it full and only drops them.
 */
function moveDerivedTables(sqlite: Database, tables: Database, tablesPath: string): void {
  const has = (name: string) => sqlite.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== null;
  if (!has("orders")) return;
  const mark = (tables.query("SELECT seq FROM projection WHERE id = 1").get() as { seq: number } | null)?.seq ?? 0;
  const empty = DERIVED_TABLES.every((t) => tables.query(`SELECT 1 FROM ${t} LIMIT 1`).get() === null);
  if (mark !== 0 || !empty) return;
  sqlite.exec(`ATTACH DATABASE '${tablesPath.replaceAll("'", "''")}' AS projected`);
  try {
    sqlite.transaction(() => {
      const columnsOf = (db: Database, t: string) => (db.query(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
      for (const t of DERIVED_TABLES) {
        // Those both layouts have (columns added since take their defaults).
        const old = new Set(columnsOf(sqlite, t));
        const columns = columnsOf(tables, t).filter((c) => old.has(c)).map((c) => `"${c}"`).join(", ");
        sqlite.exec(`INSERT INTO projected.${t} (${columns}) SELECT ${columns} FROM main.${t}`);
      }
      // Each trade's legs by account, as the projection file's migration made them of its trades.
      for (const [account, asTaker] of [["taker_account_id", 1], ["maker_account_id", 0]] as const) {
        sqlite.exec(`INSERT INTO projected.account_trades (account_id, trade_id, as_taker) SELECT ${account}, id, ${asTaker} FROM projected.trades ORDER BY ${account}, id`);
      }
      if (has("projection")) sqlite.exec("UPDATE projected.projection SET seq = (SELECT seq FROM main.projection WHERE id = 1) WHERE id = 1");
    })();
  } finally {
    sqlite.exec("DETACH DATABASE projected");
  }
}
