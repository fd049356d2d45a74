// Snapshots of the engine, taken every so many journal entries so that a start restores the
// newest and replays only the journal after it (today's journal tail, not its whole history).
// Taking one first waits until the projector has written the orders, trades and balances tables
// up to the same point (a snapshot is never ahead of them), then stores the image and prunes the
// journal and the older snapshots behind it, in one transaction: a crash leaves either the old
// snapshot with its journal or the new.
import type { Database } from "bun:sqlite";
import type { MatchingEngine } from "../../native/engine";
import type { MarketStats } from "../market-stats";
import type { Markets } from "../markets";
import type { JournalWriter } from "./journal-writer";
import type { Projector } from "./projector";

/** Where the journal stands when a snapshot is taken. */
export interface SnapshotPoint {
  seq: number; // (the store takes the last committed entry's)
  time: number;
  lastOrderId: number;
  lastTradeId: number;
}

export interface SnapshotPolicy {
  /** Journal entries between snapshots (0: never). */
  everyEntries: number;
}

export const DEFAULT_SNAPSHOTS: SnapshotPolicy = { everyEntries: 1_000_000 };

export class SnapshotStore {
  private readonly save: (at: SnapshotPoint, image: Uint8Array, stats: string) => void;
  private readonly layout: string;
  private sinceLast = 0;
  /** The last snapshot taken by this process: its journal entry and how long it took (s). */
  last = { seq: 0, seconds: 0 };

  /** `behind`: journal entries already after the newest snapshot (replayed at start). */
  constructor(sqlite: Database, private readonly journal: JournalWriter, private readonly projection: Projector, private readonly stats: MarketStats, markets: Markets,
    private readonly policy: SnapshotPolicy = DEFAULT_SNAPSHOTS, behind = 0) {
    this.sinceLast = behind;
    this.layout = JSON.stringify(layoutOf(markets));
    const insert = sqlite.prepare("INSERT OR REPLACE INTO snapshots (seq, time, last_order_id, last_trade_id, image, stats, layout) VALUES (?, ?, ?, ?, ?, ?, ?)");
    const pruneOld = sqlite.prepare("DELETE FROM snapshots WHERE seq < ?");
    const pruneBatches = sqlite.prepare("DELETE FROM journal_batches WHERE last_seq <= ?");
    const pruneRows = sqlite.prepare("DELETE FROM journal WHERE seq <= ?");
    this.save = sqlite.transaction((at: SnapshotPoint, image: Uint8Array, stats: string) => {
      insert.run(at.seq, at.time, at.lastOrderId, at.lastTradeId, image, stats, this.layout);
      pruneOld.run(at.seq);
      pruneBatches.run(at.seq);
      pruneRows.run(at.seq);
    });
  }

  /** Counts a committed batch's entries; takes a snapshot once enough have gone by. */
  afterBatch(entries: number, engine: MatchingEngine, at: SnapshotPoint): void {
    if (this.policy.everyEntries <= 0) return;
    this.sinceLast += entries;
    if (this.sinceLast >= this.policy.everyEntries) this.take(engine, at);
  }

  /** Journal entries committed since the last snapshot (what a start after a crash replays). */
  get behind(): number {
    return this.sinceLast;
  }

  /** At a clean stop: takes one if the journal has gone on since the last (unless snapshots are off). */
  takeIfBehind(engine: MatchingEngine, at: SnapshotPoint): void {
    if (this.policy.everyEntries > 0 && this.sinceLast > 0) this.take(engine, at);
  }

  /** Takes one now (between batches). */
  take(engine: MatchingEngine, at: SnapshotPoint): void {
    const started = performance.now();
    // The image is of the engine now: a held batch would be in it and not in the journal.
    if (this.journal.heldBatches > 0) throw new Error("a snapshot was asked for while batches are held uncommitted");
    this.sinceLast = 0;
    this.projection.waitFor(this.journal.committedSeq);
    // As of the last entry committed (a refused command takes a seq but leaves no entry).
    const point = { ...at, seq: this.journal.committedSeq };
    const image = engine.snapshot();
    this.save(point, image, this.stats.image());
    this.last = { seq: point.seq, seconds: (performance.now() - started) / 1000 };
  }
}

interface Layout {
  markets: string[];
  assets: string[];
}

/** The markets and assets, in the engine's order, as a snapshot records them. */
function layoutOf(markets: Markets): Layout {
  return { markets: markets.list.map((m) => m.symbol), assets: markets.assets.list.map((a) => a.symbol) };
}

/** Throws unless the markets are the snapshot's, in its order, with any new ones after them. */
export function checkLayout(stored: string | null, markets: Markets, seq: number): void {
  if (stored === null) return;
  const then = JSON.parse(stored) as Layout;
  const now = layoutOf(markets);
  const prefix = (a: string[], b: string[]) => a.length <= b.length && a.every((x, i) => b[i] === x);
  if (!prefix(then.markets, now.markets) || !prefix(then.assets, now.assets)) {
    throw new Error(`the markets file no longer begins with the markets of the snapshot at journal entry ${seq} ` +
      `(${then.markets.join(", ")}; assets ${then.assets.join(", ")}): keep them in that order and add new ones after them`);
  }
}
