// The journal: what makes a batch durable. Each batch's commands go in as one compact binary record
// (journal-record.ts), one small transaction appending one row, and only then is the batch
// answered. Everything else a batch changed (orders, trades, balances, the ledger) is a projection
// of the journal, written behind it by the projector's thread (projector.ts): once committed, each
// batch is handed to it with what the engine made of it.
import type { Database } from "bun:sqlite";
import type { JournalEntry } from "../journal";
import { JournalRecordEncoder } from "./journal-record";

/** A batch as the sequencer leaves it: its commands, and what the engine made of them. */
export interface JournalBatch {
  time: number;
  /** What is journaled: the batch's commands less those the engine refused (they changed nothing). */
  journal: JournalEntry[];
  /** The highest order id given out so far (kept with the journal: ids are never reused). */
  lastOrderId: number;
  /** Rows of account_requests this batch journaled: deleted with its journal. */
  requests?: number[];
  /** The rows it changed, as the batch left them (projected-batch.ts). */
  rows: Uint8Array;
}

/** What follows the journal: hears of each batch once its journal is stored, in order. */
export type JournalFollower = (batch: JournalBatch) => void;

export class JournalWriter {
  private readonly writeRecords: (batches: JournalBatch[]) => void;
  /** Batches whose journal waits for the next commit (see hold). */
  private held: JournalBatch[] = [];
  private lastSeq: number;

  constructor(sqlite: Database, lastCommittedSeq: number, private readonly follower: JournalFollower) {
    this.lastSeq = lastCommittedSeq;
    const deleteRequest = sqlite.prepare("DELETE FROM account_requests WHERE id = ?");
    const insertRecord = sqlite.prepare("INSERT INTO journal_batches (last_seq, first_seq, time, last_order_id, entries) VALUES (?, ?, ?, ?, ?)");
    const record = new JournalRecordEncoder();
    this.writeRecords = sqlite.transaction((batches: JournalBatch[]) => {
      // One row: a batch's record, or one record of every batch committed together (each batch
      // with its time), its seqs and last order id those of the whole. (The record is a view of
      // the encoder's buffer: SQLite copies it as it binds it.)
      const journaled = batches.filter((b) => b.journal.length > 0);
      const first = journaled[0], last = journaled.at(-1);
      if (first && last) {
        const bytes = journaled.length === 1 ? record.encode(first.journal) : record.encodeBatches(journaled.map((b) => ({ time: b.time, entries: b.journal })));
        insertRecord.run(last.journal.at(-1)!.seq, first.journal[0]!.seq, last.time, batches.at(-1)!.lastOrderId, bytes);
      }
      for (const batch of batches) for (const id of batch.requests ?? []) deleteRequest.run(id);
    });
  }

  /** The last journal entry committed. */
  get committedSeq(): number {
    return this.lastSeq;
  }

  /** Commits the batch's journal (and those held before it, in the same transaction): when this
   *  returns, they are durable. */
  commit(batch: JournalBatch): void {
    this.held.push(batch);
    this.commitHeld();
  }

  /** Keeps the batch's journal for the next commit, which writes it with the batches after it in
   *  one transaction (a simulation at full speed: Sequencer.holdCommitsOf). Nothing of it is
   *  written before that, its rows included, so the tables never run ahead of the journal. */
  hold(batch: JournalBatch): void {
    this.held.push(batch);
  }

  /** Batches held for the next commit. */
  get heldBatches(): number {
    return this.held.length;
  }

  /** Commits the held batches' journal, if any, then hands them on. */
  commitHeld(): void {
    if (this.held.length === 0) return;
    const batches = this.held;
    this.writeRecords(batches);
    this.held = [];
    for (const batch of batches) {
      const last = batch.journal.at(-1);
      if (last) this.lastSeq = last.seq;
      this.follower(batch);
    }
  }

  /** Hands on a batch whose journal is stored already (recovery replays it). */
  followStored(batch: JournalBatch): void {
    const last = batch.journal.at(-1);
    if (last && last.seq > this.lastSeq) this.lastSeq = last.seq;
    this.follower(batch);
  }
}
