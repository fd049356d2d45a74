// Recovery: replays the stored command journal through the (deterministic) engine, so the books
// come back exactly as they were, also after kill -9. The orders and trades tables follow the
// journal a little behind (store/writer.ts): the journal is replayed into the books up to where
// they are written, every open order stored is checked against those books (a mismatch stops the
// start rather than trade on a wrong book), and the rest of the journal goes through the
// sequencer, which writes the orders and trades it implies, as the first run would have.
import { CommandBatch, EventBuffer, type MatchingEngine } from "../native/engine";
import { packEntry } from "./journal";
import type { Markets } from "./markets";
import type { OrderState } from "./orders/order";
import type { Sequencer } from "./sequencer";
import type { Queries } from "./store/queries";

const PAGE = 8192;

/** Replays journal entries up to `upToSeq` into the books; returns how many. */
export function replayJournal(engine: MatchingEngine, queries: Queries, markets: Markets, upToSeq: number): number {
  const batch = new CommandBatch(PAGE);
  const events = new EventBuffer(PAGE);
  let after = 0;
  let replayed = 0;
  for (;;) {
    const page = queries.journalPage(after, PAGE, upToSeq);
    if (page.length === 0) return replayed;
    batch.clear();
    for (const entry of page) {
      const market = markets.get(entry.symbol);
      if (!market) throw new Error(`journal entry ${entry.seq} is for market ${entry.symbol}, which is not configured`);
      packEntry(batch, entry, market.index);
    }
    engine.process(batch, events, () => {});
    after = page[page.length - 1]!.seq;
    replayed += page.length;
  }
}

/** Replays the journal after `afterSeq` through the sequencer; returns how many entries. */
export function replayUnwritten(sequencer: Sequencer, queries: Queries, afterSeq: number): number {
  let replayed = 0;
  for (;;) {
    const page = queries.journalPage(afterSeq, PAGE);
    if (page.length === 0) return replayed;
    sequencer.replay(page);
    afterSeq = page[page.length - 1]!.seq;
    replayed += page.length;
  }
}

export function verifyBooks(engine: MatchingEngine, openOrders: OrderState[]): void {
  for (const o of openOrders) {
    const resting = engine.restingOrder(o.id);
    const remaining = o.quantity - o.filled;
    if (!resting || resting.remaining !== remaining || resting.price !== o.price) {
      throw new Error(
        `recovery mismatch: order ${o.id} is stored open with ${remaining} lots at ${o.price} ticks, ` +
          `the replayed book has ${resting ? `${resting.remaining} at ${resting.price}` : "nothing"}`,
      );
    }
  }
  if (engine.orderCount() !== openOrders.length) {
    throw new Error(`recovery mismatch: ${engine.orderCount()} orders rest in the replayed books, ${openOrders.length} are stored open`);
  }
}
