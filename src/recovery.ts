// Recovery: restores the newest snapshot of the engine (store/snapshot-store.ts) and replays the
// stored command journal after it through the (deterministic) engine, so the books come back
// exactly as they were, also after kill -9. The orders and trades tables follow the
// journal a little behind (store/writer.ts): the journal is replayed into the books up to where
// they are written, every open order stored is checked against those books (a mismatch stops the
// start rather than trade on a wrong book), and the rest of the journal goes through the
// sequencer, which writes the orders and trades it implies, as the first run would have.
import { CommandBatch, EventBuffer, type MatchingEngine } from "../native/engine";
import { packEntry } from "./journal";
import type { Markets } from "./markets";
import { remainingOf, type OrderState } from "./orders/order";
import type { Sequencer } from "./core/sequencer";
import type { Queries } from "./store/queries";

const PAGE = 8192;

/** Replays journal entries after `afterSeq` (the snapshot the engine was restored from) up to
 *  `upToSeq` into the books; returns how many. */
export function replayJournal(engine: MatchingEngine, queries: Queries, markets: Markets, upToSeq: number, afterSeq = 0): number {
  const batch = new CommandBatch(PAGE);
  const events = new EventBuffer(PAGE);
  let after = afterSeq;
  let replayed = 0;
  for (;;) {
    const page = wholeLists(queries.journalPage(after, PAGE, upToSeq));
    if (page.length === 0) return replayed;
    batch.clear();
    for (const entry of page) packEntry(batch, entry, markets);
    engine.process(batch, events, () => {});
    after = page[page.length - 1]!.seq;
    replayed += page.length;
  }
}

/** Replays the journal after `afterSeq` through the sequencer; returns how many entries. */
export function replayUnwritten(sequencer: Sequencer, queries: Queries, afterSeq: number): number {
  let replayed = 0;
  for (;;) {
    const page = wholeLists(queries.journalPage(afterSeq, PAGE));
    if (page.length === 0) return replayed;
    sequencer.replay(page);
    afterSeq = page[page.length - 1]!.seq;
    replayed += page.length;
  }
}

/** A page without a trailing first half of an order list: the engine takes a list's two commands
 *  in one batch only (its pair starts the next page). */
export function wholeLists<T extends { link: number }>(page: T[]): T[] {
  return page.length > 1 && page[page.length - 1]!.link !== 0 ? page.slice(0, -1) : page;
}

/** Every stored balance must be the engine's (the projection agrees with the replayed journal). */
export function verifyBalances(engine: MatchingEngine, queries: Queries, markets: Markets): void {
  for (const b of queries.storedBalances()) {
    const asset = markets.assets.get(b.asset);
    if (!asset) throw new Error(`recovery mismatch: a balance of ${b.asset}, which no configured market trades`);
    const now = engine.balance(b.accountId, asset.index);
    if (now.free !== b.free || now.locked !== b.locked) {
      throw new Error(`recovery mismatch: account ${b.accountId} has ${b.free} free and ${b.locked} locked ${b.asset} stored, ` +
        `the replayed engine ${now.free} and ${now.locked}`);
    }
  }
}

/** Every open order stored must be live in the replayed engine, as stored; each learns there
 *  whether it waits (untriggered, or an OTO's pending order), and whether it is pending. */
export function verifyBooks(engine: MatchingEngine, openOrders: OrderState[]): void {
  for (const o of openOrders) {
    const resting = engine.liveOrder(o.id);
    const remaining = remainingOf(o);
    if (resting) {
      o.waiting = resting.waiting;
      o.pending = resting.pending;
    }
    if (!resting || resting.remaining !== remaining || resting.price !== (o.price ?? 0)) {
      throw new Error(
        `recovery mismatch: order ${o.id} is stored open with ${remaining} lots at ${o.price} ticks, ` +
          `the replayed book has ${resting ? `${resting.remaining} at ${resting.price}` : "nothing"}`,
      );
    }
  }
  if (engine.orderCount() !== openOrders.length) {
    throw new Error(`recovery mismatch: ${engine.orderCount()} orders are live in the replayed engine, ${openOrders.length} are stored open`);
  }
}
