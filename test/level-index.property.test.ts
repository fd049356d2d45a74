// The level index under heavy churn: one-sided books (nothing trades) over thousands of price
// levels, so chunks of the index split and merge constantly. After every batch the engine's full
// depth must equal a plain map of price -> quantity.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { random } from "../src/random";
import { Harness, type Cmd } from "./engine-harness";

test("thousands of levels coming and going: depth equals a plain map", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 50, max: 5000 }),
      fc.constantFrom(0 as const, 1 as const),
      (seed, priceRange, side) => {
        const r = random(seed);
        const next = (n: number) => Math.floor(r() * n);
        const h = new Harness(1);
        const live = new Map<number, { price: number; qty: number }>();
        let nextId = 1;
        try {
          for (let batch = 0; batch < 12; batch++) {
            const cmds: Cmd[] = [];
            for (let i = 0; i < 500; i++) {
              const roll = next(100);
              const ids = [...live.keys()];
              if (roll < 50 || ids.length === 0) {
                const o = { price: 1 + next(priceRange), qty: 1 + next(9) };
                cmds.push({ kind: "limit", id: nextId, side, price: o.price, qty: o.qty });
                live.set(nextId++, o);
              } else if (roll < 75) {
                const id = ids[next(ids.length)]!;
                cmds.push({ kind: "cancel", id });
                live.delete(id);
              } else {
                const id = ids[next(ids.length)]!;
                const o = live.get(id)!;
                o.price = 1 + next(priceRange);
                cmds.push({ kind: "amend", id, price: o.price, qty: o.qty });
              }
            }
            h.run(cmds);
            const expected = new Map<number, number>();
            for (const o of live.values()) expected.set(o.price, (expected.get(o.price) ?? 0) + o.qty);
            const levels = [...expected.entries()].sort((a, b) => (side === 0 ? b[0] - a[0] : a[0] - b[0]));
            expect(h.engine.depth(0, side, 1000)).toEqual(levels.slice(0, 1000));
            // Deeper than one query returns: every level's total must agree (read one price at a
            // time), no other price may hold anything, and so the level count and the total agree.
            let engineLevels = 0, engineTotal = 0, modelTotal = 0;
            for (let price = 1; price <= priceRange; price++) {
              const q = h.engine.levelQuantity(0, side, price);
              expect(q).toBe(expected.get(price) ?? 0);
              if (q > 0) engineLevels++;
              engineTotal += q;
            }
            for (const q of expected.values()) modelTotal += q;
            expect(engineLevels).toBe(expected.size);
            expect(engineTotal).toBe(modelTotal);
            expect(h.engine.orderCount()).toBe(live.size);
          }
        } finally {
          h.close();
        }
      },
    ),
    { numRuns: 30 },
  );
});
