// The invariant checker itself must reject wrong event streams (else passing proves nothing).
import { expect, test } from "bun:test";
import type { Cmd, Ev } from "./engine-harness";
import { InvariantChecker } from "./event-invariants";

const ev = (e: Partial<Ev> & Pick<Ev, "type" | "cmd">): Ev => ({
  id: 0n, other: 0n, price: 0, qty: 0, remaining: 0, otherRemaining: 0, sequence: 0, reason: "none", side: 0, keptPriority: false,
  decremented: false, waiting: false, ended: false, amount: 0n, otherAmount: 0n, account: 0, asset: 0, ...e,
});
const rest: Cmd[] = [
  { kind: "limit", id: 1, side: 1, price: 10, qty: 5 },
  { kind: "limit", id: 2, side: 1, price: 10, qty: 5 },
  { kind: "limit", id: 3, side: 1, price: 11, qty: 5 },
];
const restEvents = rest.map((c, i) => ev({ type: "accepted", cmd: i, id: BigInt((c as { id: number }).id), side: 1, price: (c as { price: number }).price, qty: 5, remaining: 5 }));
const taker: Cmd[] = [{ kind: "limit", id: 9, side: 0, price: 11, qty: 1, tif: 1 }];

function checkerWithBook() {
  const c = new InvariantChecker();
  c.check(rest, restEvents);
  return c;
}

test("a correct fill passes", () => {
  expect(() => checkerWithBook().check(taker, [
    ev({ type: "trade", cmd: 0, id: 9n, other: 1n, price: 10, qty: 1, otherRemaining: 4 }),
    ev({ type: "accepted", cmd: 0, id: 9n, price: 11, qty: 1, remaining: 0 }),
  ])).not.toThrow();
});

test("a fill at the taker's price, a skipped older order, a skipped better price, a wrong remainder", () => {
  const cases: [Ev, RegExp][] = [
    [ev({ type: "trade", cmd: 0, id: 9n, other: 1n, price: 11, qty: 1, otherRemaining: 4 }), /maker's price/],
    [ev({ type: "trade", cmd: 0, id: 9n, other: 2n, price: 10, qty: 1, otherRemaining: 4 }), /time priority/],
    [ev({ type: "trade", cmd: 0, id: 9n, other: 3n, price: 11, qty: 1, otherRemaining: 4 }), /price priority/],
    [ev({ type: "trade", cmd: 0, id: 9n, other: 1n, price: 10, qty: 1, otherRemaining: 3 }), /does not add up/],
  ];
  for (const [bad, message] of cases) expect(() => checkerWithBook().check(taker, [bad])).toThrow(message);
});

test("a crossed book at rest is caught", () => {
  expect(() => checkerWithBook().check([{ kind: "limit", id: 9, side: 0, price: 12, qty: 1 }], [
    ev({ type: "accepted", cmd: 0, id: 9n, side: 0, price: 12, qty: 1, remaining: 1 }),
  ])).toThrow(/crossed/);
});
