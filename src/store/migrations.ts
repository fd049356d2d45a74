// The migrations of both files (the database file and its projection file), embedded as text so
// the compiled binary carries them (drizzle's own migrate() reads a folder from disk). Bookkeeping
// stays drizzle's: its dialect applies them and records each one's hash in __drizzle_migrations.
// A new migration from `npm run db:generate` is added to EMBEDDED or EMBEDDED_PROJECTION below;
// test/store.test.ts fails if one in a journal is missing.
import { createHash } from "node:crypto";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import journal from "./migrations/meta/_journal.json";
import projectionJournal from "./projection-migrations/meta/_journal.json";
import init from "./migrations/0000_init.sql" with { type: "text" };
import openOrdersIndex from "./migrations/0001_open_orders_index.sql" with { type: "text" };
import tradesTimeIndex from "./migrations/0002_trades_time_index.sql" with { type: "text" };
import tradesOneSymbolIndex from "./migrations/0003_trades_one_symbol_index.sql" with { type: "text" };
import journalProjection from "./migrations/0004_journal_projection.sql" with { type: "text" };
import spotAccounts from "./migrations/0005_spot_accounts.sql" with { type: "text" };
import orderTypes from "./migrations/0006_order_types.sql" with { type: "text" };
import binanceKeys from "./migrations/0007_binance_keys.sql" with { type: "text" };
import bookSamples from "./migrations/0008_book_samples.sql" with { type: "text" };
import binaryJournal from "./migrations/0009_binary_journal.sql" with { type: "text" };
import snapshotMarketStats from "./migrations/0010_snapshot_market_stats.sql" with { type: "text" };
import projectionFile from "./migrations/0011_projection_file.sql" with { type: "text" };
import projectionInit from "./projection-migrations/0000_init.sql" with { type: "text" };
import accountTrades from "./projection-migrations/0001_account_trades.sql" with { type: "text" };
import orderLookups from "./projection-migrations/0002_order_lookups.sql" with { type: "text" };
import orderClientIndexDropped from "./projection-migrations/0003_order_client_index_dropped.sql" with { type: "text" };
import preventedMatches from "./projection-migrations/0004_prevented_matches.sql" with { type: "text" };
import orderAmendments from "./projection-migrations/0005_order_amendments.sql" with { type: "text" };
import accountLists from "./projection-migrations/0006_account_lists.sql" with { type: "text" };
import listClientOrderId from "./projection-migrations/0007_list_client_order_id.sql" with { type: "text" };
import accountListMembers from "./projection-migrations/0008_account_list_members.sql" with { type: "text" };

export const EMBEDDED: Record<string, string> = {
  "0000_init": init,
  "0001_open_orders_index": openOrdersIndex,
  "0002_trades_time_index": tradesTimeIndex,
  "0003_trades_one_symbol_index": tradesOneSymbolIndex,
  "0004_journal_projection": journalProjection,
  "0005_spot_accounts": spotAccounts,
  "0006_order_types": orderTypes,
  "0007_binance_keys": binanceKeys,
  "0008_book_samples": bookSamples,
  "0009_binary_journal": binaryJournal,
  "0010_snapshot_market_stats": snapshotMarketStats,
  "0011_projection_file": projectionFile,
};

export const EMBEDDED_PROJECTION: Record<string, string> = {
  "0000_init": projectionInit,
  "0001_account_trades": accountTrades,
  "0002_order_lookups": orderLookups,
  "0003_order_client_index_dropped": orderClientIndexDropped,
  "0004_prevented_matches": preventedMatches,
  "0005_order_amendments": orderAmendments,
  "0006_account_lists": accountLists,
  "0007_list_client_order_id": listClientOrderId,
  "0008_account_list_members": accountListMembers,
};

type Journal = { entries: { tag: string; breakpoints: boolean; when: number }[] };
const SETS = {
  database: { journal: journal as Journal, sql: EMBEDDED, folder: "src/store/migrations" },
  projection: { journal: projectionJournal as Journal, sql: EMBEDDED_PROJECTION, folder: "src/store/projection-migrations" },
};
export type MigrationSet = keyof typeof SETS;

/** The migrations of a set; `before`: only those before that one. */
export function embeddedMigrations(set: MigrationSet, before?: string): MigrationMeta[] {
  const { journal, sql: embedded, folder } = SETS[set];
  const entries = before === undefined ? journal.entries : journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === before));
  return entries.map((entry) => {
    const sql = embedded[entry.tag];
    if (sql === undefined) throw new Error(`migration ${folder}/${entry.tag} is not embedded in src/store/migrations.ts`);
    return {
      sql: sql.split("--> statement-breakpoint"),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash("sha256").update(sql).digest("hex"),
    };
  });
}

interface SyncMigrator {
  migrate(migrations: MigrationMeta[], session: unknown, config: { migrationsFolder: string }): void;
}

export function migrate(db: BunSQLiteDatabase<Record<string, unknown>>, set: MigrationSet, options: { before?: string } = {}): void {
  const internals = db as unknown as { dialect: SyncMigrator; session: unknown };
  internals.dialect.migrate(embeddedMigrations(set, options.before), internals.session, { migrationsFolder: "(embedded)" });
}
