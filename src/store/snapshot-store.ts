// Snapshots of the engine, taken every so many journal entries so that a start restores the
// newest and replays only the journal after it (today's journal tail, not its whole history).
// A snapshot is taken at once, whether or not the projector has written the orders, trades and
// balances tables up to it (waiting for it cost a simulated day 8% of its server's thread): the
// journal behind it and the snapshots before it are pruned only once the tables are past it,
// checked after each batch and each read. Until then a start after a crash uses the snapshot
// before it, whose journal is still there. The journal behind a snapshot goes a slice at a time,
// oldest first (a crash between two leaves a shorter prefix behind the newest snapshot, which a
// start does not read): deleting a whole interval's at once held the server's thread 27-38 ms.
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
  /** Journal entries deleted at a time behind a snapshot, at most one slice every `pruneEveryMs`
   *  (while less than an interval's worth is left): under 1 ms of the server's thread a slice,
   *  spread out, where a slice after every batch kept it busy 1-2 ms a batch for 0.1 s. */
  pruneSlice?: number;
  pruneEveryMs?: number;
}

export const DEFAULT_SNAPSHOTS: SnapshotPolicy = { everyEntries: 1_000_000 };
const PRUNE_SLICE = 8_192, PRUNE_EVERY_MS = 10;

export class SnapshotStore {
  private readonly save: (at: SnapshotPoint, image: Uint8Array, stats: string) => void;
  private readonly pruneSnapshots: (seq: number) => void;
  private readonly pruneJournal: (seq: number) => void;
  private readonly layout: string;
  private sinceLast = 0;
  /** The newest snapshot whose journal behind it is not being pruned yet (0: none). */
  private unpruned = 0;
  /** The journal is deleted up to `prunedTo`, and goes on being deleted up to `pruneTo`. */
  private prunedTo: number;
  private pruneTo = 0;
  private prunedAt = 0;
  /** The last snapshot taken by this process: its journal entry and how long it took (s). */
  last = { seq: 0, seconds: 0 };

  /** `behind`: journal entries already after the newest snapshot (replayed at start). (A newer
   *  snapshot than the one a start used goes with the journal behind the next one taken.) */
  constructor(sqlite: Database, private readonly journal: JournalWriter, private readonly projection: Projector, private readonly stats: MarketStats, markets: Markets,
    private readonly policy: SnapshotPolicy = DEFAULT_SNAPSHOTS, behind = 0) {
    this.sinceLast = behind;
    this.layout = JSON.stringify(layoutOf(markets));
    const insert = sqlite.prepare("INSERT OR REPLACE INTO snapshots (seq, time, last_order_id, last_trade_id, image, stats, layout) VALUES (?, ?, ?, ?, ?, ?, ?)");
    const pruneOld = sqlite.prepare("DELETE FROM snapshots WHERE seq < ?");
    const pruneBatches = sqlite.prepare("DELETE FROM journal_batches WHERE last_seq <= ?");
    const pruneRows = sqlite.prepare("DELETE FROM journal WHERE seq <= ?");
    this.save = (at, image, stats) => void insert.run(at.seq, at.time, at.lastOrderId, at.lastTradeId, image, stats, this.layout);
    this.pruneSnapshots = (seq) => void pruneOld.run(seq);
    this.pruneJournal = sqlite.transaction((seq: number) => {
      pruneBatches.run(seq);
      pruneRows.run(seq);
    });
    // (What a crash left behind the newest snapshot goes with the journal behind the next.)
    const first = sqlite.query("SELECT min(seq) AS seq FROM (SELECT (SELECT first_seq FROM journal_batches ORDER BY last_seq LIMIT 1) AS seq UNION ALL SELECT min(seq) FROM journal)").get() as { seq: number | null };
    this.prunedTo = first.seq === null ? journal.committedSeq : first.seq - 1;
  }

  /** Counts a committed batch's entries; takes a snapshot once enough have gone by. */
  afterBatch(entries: number, engine: MatchingEngine, at: SnapshotPoint): void {
    if (this.policy.everyEntries <= 0) return;
    this.prunePassed();
    this.sinceLast += entries;
    if (this.sinceLast >= this.policy.everyEntries) this.take(engine, at);
  }

  /** Prunes behind the newest snapshot once the tables are written past it: the snapshots before
   *  it at once, its journal a slice at a time (`all`: to the end). */
  prunePassed(all = false): void {
    if (this.unpruned !== 0 && this.projection.written >= this.unpruned) {
      this.pruneTo = this.unpruned;
      this.unpruned = 0;
      this.pruneSnapshots(this.pruneTo);
    }
    if (this.prunedTo >= this.pruneTo) return;
    const now = performance.now();
    const gap = this.policy.pruneEveryMs ?? PRUNE_EVERY_MS;
    if (!all && now - this.prunedAt < gap && this.pruneTo - this.prunedTo < this.policy.everyEntries) return;
    this.prunedAt = now;
    do {
      this.prunedTo = Math.min(this.pruneTo, this.prunedTo + (this.policy.pruneSlice ?? PRUNE_SLICE));
      this.pruneJournal(this.prunedTo);
    } while (all && this.prunedTo < this.pruneTo);
  }

  /** Journal entries committed since the last snapshot (what a start after a crash replays). */
  get behind(): number {
    return this.sinceLast;
  }

  /** At a clean stop: takes one if the journal has gone on since the last (unless snapshots are
   *  off), and prunes the journal behind it. */
  takeIfBehind(engine: MatchingEngine, at: SnapshotPoint): void {
    if (this.policy.everyEntries > 0 && this.sinceLast > 0) this.take(engine, at);
    this.prunePassed(true);
  }

  /** Takes one now (between batches). */
  take(engine: MatchingEngine, at: SnapshotPoint): void {
    const started = performance.now();
    // The image is of the engine now: a held batch would be in it and not in the journal.
    if (this.journal.heldBatches > 0) throw new Error("a snapshot was asked for while batches are held uncommitted");
    this.sinceLast = 0;
    // As of the last entry committed (a refused command takes a seq but leaves no entry).
    const point = { ...at, seq: this.journal.committedSeq };
    this.save(point, engine.snapshot(), this.stats.image());
    // The tables are not waited for (that held the server's thread): while they are behind, the
    // snapshots before this one stay, and a start uses the newest they have passed.
    this.unpruned = point.seq;
    this.prunePassed();
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
