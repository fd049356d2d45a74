// Differential property test: random command streams give exactly the reference model's events,
// and the books agree after every batch. `bun bench/differential.ts` runs the long version.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { Harness } from "./engine-harness";
import { ReferenceModel } from "./reference-model";
import { commandStream, checkInvariants } from "./command-stream";
import { InvariantChecker } from "./event-invariants";

/** Runs the differential check; returns the most levels one side of a book reached. */
function differential(stream: ReturnType<typeof commandStream>, numRuns: number): number {
  let mostLevels = 0;
  fc.assert(
    fc.property(stream, (batches) => {
      const engine = new Harness(2, 64);
      const model = new ReferenceModel(2);
      const invariants = new InvariantChecker();
      try {
        for (const batch of batches) {
          const events = engine.run(batch);
          invariants.check(batch, events);
          expect(events).toEqual(model.run(batch));
          for (const symbol of [0, 1]) {
            const book = engine.book(symbol);
            expect(book).toEqual(model.book(symbol));
            mostLevels = Math.max(mostLevels, book.bids.length, book.asks.length);
            checkInvariants(model.book(symbol));
          }
        }
        expect(engine.engine.orderCount()).toBe(model.restingOrders().length);
      } finally {
        engine.close();
      }
    }),
    { numRuns },
  );
  return mostLevels;
}

test("engine events equal the reference model's on random streams", () => {
  differential(commandStream({ symbols: 2, maxBatches: 8, maxBatchSize: 40 }), 300);
});

test("on wide books (hundreds of levels: chunks split and merge) too", () => {
  const mostLevels = differential(commandStream({ symbols: 1, maxBatches: 8, maxBatchSize: 800, minPrice: 1, maxPrice: 600, sided: true }), 25);
  expect(mostLevels).toBeGreaterThan(64); // more than one chunk of the level index
});

test("the same commands replayed give identical events (determinism)", () => {
  fc.assert(
    fc.property(commandStream({ symbols: 2, maxBatches: 4, maxBatchSize: 60 }), (batches) => {
      const a = new Harness(2), b = new Harness(2, 16);
      try {
        const all = batches.flat();
        expect(a.run(all)).toEqual(batches.flatMap((batch, k) => {
          const offset = batches.slice(0, k).reduce((s, x) => s + x.length, 0);
          return b.run(batch).map((e) => ({ ...e, cmd: e.cmd + offset }));
        }));
      } finally {
        a.close();
        b.close();
      }
    }),
    { numRuns: 100 },
  );
});
