// Opens the SQLite file: WAL, an explicit synchronous mode, and the schema migrated.
import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema";
import { migrate } from "./migrations";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/**
 * NORMAL: a committed transaction survives a crash of the process (kill -9), the case this
 * exchange promises; FULL also survives power loss, at an fsync per commit.
 */
export type SyncMode = "NORMAL" | "FULL";

export interface Storage {
  sqlite: Database;
  db: Db;
  close(): void;
}

export function openStorage(path: string, sync: SyncMode = "NORMAL"): Storage {
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec(`PRAGMA synchronous = ${sync}`);
  sqlite.exec("PRAGMA busy_timeout = 5000");
  const db = drizzle({ client: sqlite, schema });
  migrate(db);
  return { sqlite, db, close: () => sqlite.close() };
}
