// Recovery: replays the stored command journal through the (deterministic) engine, so the books
// come back exactly as they were, also after kill -9. Then checks every open order in the
// database against the rebuilt books: a mismatch stops the start rather than trade on a wrong book.
import { CommandBatch, EventBuffer, type MatchingEngine } from "../native/engine";
import { packEntry } from "./journal";
import type { Markets } from "./markets";
import type { OrderState } from "./orders/order";
import type { Queries } from "./store/queries";

const PAGE = 8192;

export function replayJournal(engine: MatchingEngine, queries: Queries, markets: Markets): number {
  const batch = new CommandBatch(PAGE);
  const events = new EventBuffer(PAGE);
  let after = 0;
  let replayed = 0;
  for (;;) {
    const page = queries.journalPage(after, PAGE);
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
