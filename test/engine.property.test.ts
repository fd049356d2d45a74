// Differential property test: random command streams from several funded accounts give exactly
// the reference model's events and balances, and the books agree after every batch. After every
// batch the spot invariants hold: each asset's free + locked over all accounts (the fee account
// included) equals deposits minus withdrawals, nothing is negative, and each account's locked
// equals what its open orders hold. `npm run test:long` runs the long version.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { Harness } from "./engine-harness";
import { ReferenceModel } from "./reference-model";
import { checkBalances, commandStream, checkInvariants, funding } from "./command-stream";
import { InvariantChecker } from "./event-invariants";

const SYMBOLS = 2;

/** Runs the differential check; returns the most levels one side of a book reached. */
function differential(stream: ReturnType<typeof commandStream>, numRuns: number, accounts: number, fees: [number, number] = [0, 0]): number {
  let mostLevels = 0;
  fc.assert(
    fc.property(stream, (batches) => {
      const engine = new Harness(SYMBOLS, 64, { fund: false, makerFeeBps: fees[0], takerFeeBps: fees[1] });
      const model = new ReferenceModel(SYMBOLS, fees[0], fees[1]);
      const invariants = new InvariantChecker();
      try {
        for (const batch of [funding(accounts, SYMBOLS), ...batches]) {
          const events = engine.run(batch);
          invariants.check(batch, events);
          expect(events).toEqual(model.run(batch));
          for (let symbol = 0; symbol < SYMBOLS; symbol++) {
            const book = engine.book(symbol);
            expect(book).toEqual(model.book(symbol));
            mostLevels = Math.max(mostLevels, book.bids.length, book.asks.length);
            checkInvariants(model.book(symbol));
          }
          checkBalances(engine, model, SYMBOLS);
        }
        expect(engine.engine.orderCount()).toBe(model.liveOrders().length);
      } finally {
        engine.close();
      }
    }),
    { numRuns },
  );
  return mostLevels;
}

test("engine events and balances equal the reference model's on random streams from many accounts", () => {
  differential(commandStream({ symbols: SYMBOLS, maxBatches: 8, maxBatchSize: 40, accounts: 4 }), 300, 4);
});

test("with maker and taker fees, and one account trading with itself under every prevention mode", () => {
  differential(commandStream({ symbols: SYMBOLS, maxBatches: 6, maxBatchSize: 40, accounts: 2 }), 150, 2, [7, 23]);
});

test("with stops, take-profits, trailing stops, icebergs, OCO, OTO and OTOCO lists and cancel-replace mixed in (cascades included)", () => {
  differential(commandStream({ symbols: SYMBOLS, maxBatches: 8, maxBatchSize: 40, accounts: 3, advanced: 0.5 }), 300, 3);
});

test("with those and fees, one account trading with itself under every prevention mode", () => {
  differential(commandStream({ symbols: SYMBOLS, maxBatches: 6, maxBatchSize: 40, accounts: 2, advanced: 0.7 }), 150, 2, [7, 23]);
});

test("on wide books (hundreds of levels: chunks split and merge) too", () => {
  const wide = () => differential(commandStream({ symbols: 1, maxBatches: 8, maxBatchSize: 800, minPrice: 1, maxPrice: 600, sided: true, accounts: 3 }), 25, 3);
  // Random streams seldom stay within one chunk of the level index (64 levels); a few more runs
  // make sure that these checks did cover more than one.
  let mostLevels = wide();
  for (let i = 0; i < 3 && mostLevels <= 64; i++) mostLevels = Math.max(mostLevels, wide());
  expect(mostLevels).toBeGreaterThan(64);
});

test("the same commands replayed give identical events (determinism)", () => {
  fc.assert(
    fc.property(commandStream({ symbols: SYMBOLS, maxBatches: 4, maxBatchSize: 60, accounts: 3, advanced: 0.4 }), (batches) => {
      const a = new Harness(SYMBOLS, 4096, { fund: false }), b = new Harness(SYMBOLS, 16, { fund: false });
      try {
        const all = [...funding(3, SYMBOLS), ...batches.flat()];
        const split = [funding(3, SYMBOLS), ...batches];
        expect(a.run(all)).toEqual(split.flatMap((batch, k) => {
          const offset = split.slice(0, k).reduce((s, x) => s + x.length, 0);
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
