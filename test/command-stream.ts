// Random command streams for differential tests: new limit and market orders of every time in
// force, post-only, cancels and amends (up and down, stale, duplicate, unknown), across symbols.
import fc from "fast-check";
import { expect } from "bun:test";
import type { Cmd } from "./engine-harness";

export interface StreamOptions {
  symbols: number;
  maxBatches: number;
  maxBatchSize: number;
  minPrice?: number;
  maxPrice?: number;
  /** Buys mostly below the middle of the range and sells above it, so books grow wide. */
  sided?: boolean;
}

export function commandStream(opts: StreamOptions) {
  const lo = opts.minPrice ?? 95, hi = opts.maxPrice ?? 105, middle = Math.floor((lo + hi) / 2);
  const priceFor = (side: 0 | 1, price: number, pick: number) =>
    !opts.sided || pick % 7 === 0 ? price : side === 0 ? lo + (price - lo) % (middle - lo + 1) : middle + 1 + (price - lo) % (hi - middle);
  const op = fc.record({
    pick: fc.integer({ min: 0, max: 99 }),
    symbol: fc.integer({ min: 0, max: opts.symbols }), // == symbols now and then: invalid
    side: fc.constantFrom(0 as const, 1 as const),
    price: fc.integer({ min: lo, max: hi }),
    qty: fc.integer({ min: 1, max: 12 }),
    tif: fc.constantFrom(0 as const, 0 as const, 1 as const, 2 as const),
    postOnly: fc.boolean(),
    ref: fc.integer({ min: 0, max: 1_000 }),
  });
  // size "max": lengths range up to the bounds given (fast-check's default keeps arrays short).
  return fc.array(fc.array(op, { minLength: 1, maxLength: opts.maxBatchSize, size: "max" }), { minLength: 1, maxLength: opts.maxBatches, size: "max" })
    .map((batches) => {
      let nextId = 1;
      return batches.map((ops) => ops.map((o): Cmd => {
        const existing = nextId > 1 ? 1 + (o.ref % (nextId + 2)) : 1; // sometimes beyond: unknown
        const symbol = o.symbol === opts.symbols && o.pick % 5 !== 0 ? 0 : o.symbol;
        const price = priceFor(o.side, o.price, o.pick);
        if (o.pick < 45) return { kind: "limit", id: o.pick === 44 ? existing : nextId++, symbol, side: o.side, price, qty: o.qty, tif: o.tif, postOnly: o.postOnly && o.tif === 0 && o.pick % 3 === 0 };
        if (o.pick < 55) return { kind: "market", id: nextId++, symbol, side: o.side, qty: o.qty, tif: o.tif === 2 ? 2 : 1 };
        if (o.pick < 75) return { kind: "cancel", id: existing };
        return { kind: "amend", id: existing, price: o.pick < 85 ? 0 : price, qty: o.qty };
      }));
    });
}

/** A book at rest is never crossed, and every level holds a positive quantity. */
export function checkInvariants(book: { bids: [number, number][]; asks: [number, number][] }): void {
  if (book.bids.length && book.asks.length) expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
  for (const [, q] of [...book.bids, ...book.asks]) expect(q).toBeGreaterThan(0);
}
