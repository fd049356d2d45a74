// Matching rules of the C++ engine, through the real FFI binding.
import { afterEach, describe, expect, test } from "bun:test";
import { Harness, trades, type Ev } from "./engine-harness";

const BUY = 0, SELL = 1, GTC = 0, IOC = 1, FOK = 2;
let h: Harness;
afterEach(() => h?.close());

const closing = (evs: Ev[]) => evs.filter((e) => e.type !== "trade");

describe("price-time priority", () => {
  test("better price first, then earlier order first, at the maker's price", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 101, qty: 5 },
      { kind: "limit", id: 2, side: SELL, price: 100, qty: 5 },
      { kind: "limit", id: 3, side: SELL, price: 100, qty: 5 },
    ]);
    const evs = h.run([{ kind: "limit", id: 4, side: BUY, price: 102, qty: 12 }]);
    expect(trades(evs)).toEqual([
      { taker: 4, maker: 2, price: 100, qty: 5 },
      { taker: 4, maker: 3, price: 100, qty: 5 },
      { taker: 4, maker: 1, price: 101, qty: 2 },
    ]);
    expect(h.book()).toEqual({ bids: [], asks: [[101, 3]] });
  });

  test("a partial fill leaves the maker at the head of its level with the rest", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: BUY, price: 50, qty: 10 },
      { kind: "limit", id: 2, side: BUY, price: 50, qty: 10 },
    ]);
    const first = h.run([{ kind: "limit", id: 3, side: SELL, price: 50, qty: 4 }]);
    expect(first[0]).toMatchObject({ type: "trade", other: 1n, qty: 4, remaining: 0, otherRemaining: 6 });
    expect(first[1]).toMatchObject({ type: "accepted", id: 3n, remaining: 0 });
    const second = h.run([{ kind: "market", id: 4, side: SELL, qty: 8 }]);
    expect(trades(second)).toEqual([
      { taker: 4, maker: 1, price: 50, qty: 6 },
      { taker: 4, maker: 2, price: 50, qty: 2 },
    ]);
    expect(h.book().bids).toEqual([[50, 8]]);
  });

  test("a limit order that does not cross rests, and the book is never crossed", () => {
    h = new Harness();
    const evs = h.run([
      { kind: "limit", id: 1, side: BUY, price: 99, qty: 1 },
      { kind: "limit", id: 2, side: SELL, price: 100, qty: 1 },
    ]);
    expect(trades(evs)).toEqual([]);
    expect(h.book()).toEqual({ bids: [[99, 1]], asks: [[100, 1]] });
  });

  test("an order filling exactly the book's remaining quantity empties it", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 10, qty: 3 },
      { kind: "limit", id: 2, side: SELL, price: 11, qty: 4 },
    ]);
    const evs = h.run([{ kind: "limit", id: 3, side: BUY, price: 11, qty: 7 }]);
    expect(evs.at(-1)).toMatchObject({ type: "accepted", remaining: 0 });
    expect(h.book()).toEqual({ bids: [], asks: [] });
    expect(h.engine.orderCount()).toBe(0);
  });
});

describe("time in force", () => {
  test("IOC fills what it can and expires the rest", () => {
    h = new Harness();
    h.run([{ kind: "limit", id: 1, side: SELL, price: 10, qty: 3 }]);
    const evs = h.run([{ kind: "limit", id: 2, side: BUY, price: 10, qty: 5, tif: IOC }]);
    expect(trades(evs)).toEqual([{ taker: 2, maker: 1, price: 10, qty: 3 }]);
    expect(evs.at(-1)).toMatchObject({ type: "expired", id: 2n, remaining: 2 });
    expect(h.book()).toEqual({ bids: [], asks: [] });
  });

  test("FOK fills completely or not at all", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 10, qty: 3 },
      { kind: "limit", id: 2, side: SELL, price: 12, qty: 3 },
    ]);
    const refused = h.run([{ kind: "limit", id: 3, side: BUY, price: 11, qty: 4, tif: FOK }]);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ type: "expired", remaining: 4 });
    expect(h.book().asks).toEqual([[10, 3], [12, 3]]);
    const filled = h.run([{ kind: "limit", id: 4, side: BUY, price: 12, qty: 6, tif: FOK }]);
    expect(trades(filled).map((t) => t.qty)).toEqual([3, 3]);
    expect(filled.at(-1)).toMatchObject({ type: "accepted", remaining: 0 });
  });

  test("a market order sweeps every level; on an empty side it expires", () => {
    h = new Harness();
    const cmds = [];
    for (let i = 0; i < 50; i++) cmds.push({ kind: "limit" as const, id: i + 1, side: SELL as 0 | 1, price: 100 + i, qty: 2 });
    h.run(cmds);
    const evs = h.run([{ kind: "market", id: 99, side: BUY, qty: 1000 }]);
    expect(trades(evs)).toHaveLength(50);
    expect(trades(evs).map((t) => t.price)).toEqual(cmds.map((c) => c.price));
    expect(evs.at(-1)).toMatchObject({ type: "expired", remaining: 900 });
    const empty = h.run([{ kind: "market", id: 100, side: BUY, qty: 5 }]);
    expect(empty).toEqual([expect.objectContaining({ type: "expired", remaining: 5 })]);
  });

  test("post-only rests when it would not take, and is rejected when it would", () => {
    h = new Harness();
    h.run([{ kind: "limit", id: 1, side: SELL, price: 10, qty: 1 }]);
    const rests = h.run([{ kind: "limit", id: 2, side: BUY, price: 9, qty: 1, postOnly: true }]);
    expect(rests).toEqual([expect.objectContaining({ type: "accepted", remaining: 1 })]);
    const takes = h.run([{ kind: "limit", id: 3, side: BUY, price: 10, qty: 1, postOnly: true }]);
    expect(takes).toEqual([expect.objectContaining({ type: "rejected", reason: "postOnly", id: 3n })]);
    expect(h.book()).toEqual({ bids: [[9, 1]], asks: [[10, 1]] });
  });
});

describe("cancel and amend", () => {
  test("cancel removes the order; a second cancel and an unknown id are rejected", () => {
    h = new Harness();
    h.run([{ kind: "limit", id: 1, side: BUY, price: 5, qty: 2 }]);
    const evs = h.run([{ kind: "cancel", id: 1 }, { kind: "cancel", id: 1 }, { kind: "cancel", id: 77 }]);
    expect(evs.map((e) => [e.type, e.reason, e.cmd])).toEqual([
      ["cancelled", "none", 0], ["rejected", "unknownOrder", 1], ["rejected", "unknownOrder", 2],
    ]);
    expect(evs[0]!.qty).toBe(2);
    expect(h.book().bids).toEqual([]);
  });

  test("lowering the quantity keeps time priority", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 10, qty: 5 },
      { kind: "limit", id: 2, side: SELL, price: 10, qty: 5 },
    ]);
    const amended = h.run([{ kind: "amend", id: 1, price: 10, qty: 3 }]);
    expect(amended).toEqual([expect.objectContaining({ type: "amended", remaining: 3, keptPriority: true })]);
    expect(trades(h.run([{ kind: "market", id: 3, side: BUY, qty: 1 }]))[0]!.maker).toBe(1);
  });

  test("a larger quantity or a new price sends the order to the back", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 10, qty: 5 },
      { kind: "limit", id: 2, side: SELL, price: 10, qty: 5 },
      { kind: "limit", id: 3, side: SELL, price: 11, qty: 5 },
    ]);
    expect(h.run([{ kind: "amend", id: 1, price: 10, qty: 6 }])[0]).toMatchObject({ keptPriority: false, remaining: 6 });
    expect(trades(h.run([{ kind: "market", id: 4, side: BUY, qty: 1 }]))[0]!.maker).toBe(2);
    h.run([{ kind: "amend", id: 3, price: 10, qty: 5 }]);
    const sweep = trades(h.run([{ kind: "market", id: 5, side: BUY, qty: 100 }]));
    expect(sweep.map((t) => t.maker)).toEqual([2, 1, 3]);
  });

  test("amending to a crossing price trades at once; amend of a partly filled order counts the filled part", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: BUY, price: 10, qty: 10 },
      { kind: "limit", id: 2, side: SELL, price: 12, qty: 3 },
      { kind: "market", id: 3, side: SELL, qty: 4 },
    ]);
    // order 1: 4 filled, 6 remaining. New total 8 => 4 remaining; at 12 it crosses order 2 (3 lots).
    const evs = h.run([{ kind: "amend", id: 1, price: 12, qty: 8 }]);
    expect(trades(evs)).toEqual([{ taker: 1, maker: 2, price: 12, qty: 3 }]);
    expect(evs.at(-1)).toMatchObject({ type: "amended", price: 12, qty: 8, remaining: 1 });
    expect(h.book().bids).toEqual([[12, 1]]);
    const tooLow = h.run([{ kind: "amend", id: 1, price: 12, qty: 7 }]);
    expect(tooLow).toEqual([expect.objectContaining({ type: "rejected", reason: "amendQuantity" })]);
  });

  test("a cancel racing a fill in the same batch is rejected", () => {
    h = new Harness();
    const evs = h.run([
      { kind: "limit", id: 1, side: SELL, price: 10, qty: 2 },
      { kind: "market", id: 2, side: BUY, qty: 2 },
      { kind: "cancel", id: 1 },
      { kind: "amend", id: 1, price: 10, qty: 1 },
    ]);
    expect(closing(evs).map((e) => [e.cmd, e.type, e.reason])).toEqual([
      [0, "accepted", "none"], [1, "accepted", "none"], [2, "rejected", "unknownOrder"], [3, "rejected", "unknownOrder"],
    ]);
  });
});

describe("boundaries", () => {
  test("bad values are rejected and change nothing", () => {
    h = new Harness(2);
    const max = 1e15;
    const evs = h.run([
      { kind: "limit", id: 1, side: BUY, price: 0, qty: 1 },
      { kind: "limit", id: 2, side: BUY, price: 1, qty: 0 },
      { kind: "limit", id: 3, symbol: 2, side: BUY, price: 1, qty: 1 },
      { kind: "limit", id: 4, side: BUY, price: max + 1, qty: 1 },
      { kind: "limit", id: 5, side: BUY, price: max, qty: max },
      { kind: "limit", id: 5, side: BUY, price: 1, qty: 1 },
    ]);
    expect(evs.map((e) => e.reason)).toEqual(["invalid", "invalid", "invalid", "invalid", "none", "duplicateId"]);
    expect(h.book().bids).toEqual([[max, max]]);
  });

  test("the largest and smallest prices and quantities trade exactly", () => {
    h = new Harness();
    const max = 1e15;
    h.run([
      { kind: "limit", id: 1, side: SELL, price: max, qty: max },
      { kind: "limit", id: 2, side: BUY, price: 1, qty: 1 },
    ]);
    const top = h.run([{ kind: "limit", id: 3, side: BUY, price: max, qty: max, tif: IOC }]);
    expect(trades(top)).toEqual([{ taker: 3, maker: 1, price: max, qty: max }]);
    const bottom = h.run([{ kind: "market", id: 4, side: SELL, qty: max }]);
    expect(trades(bottom)).toEqual([{ taker: 4, maker: 2, price: 1, qty: 1 }]);
    expect(bottom.at(-1)).toMatchObject({ type: "expired", remaining: max - 1 });
    expect(h.book()).toEqual({ bids: [], asks: [] });
  });

  test("an IOC sweeps many levels, in price then time order, and stops at its limit", () => {
    h = new Harness();
    const cmds = [];
    for (let i = 0; i < 400; i++) cmds.push({ kind: "limit" as const, id: i + 1, side: BUY as 0 | 1, price: 1000 - (i % 200), qty: 1 });
    h.run(cmds);
    const evs = h.run([{ kind: "limit", id: 999, side: SELL, price: 851, qty: 1000, tif: IOC }]);
    const fills = trades(evs);
    expect(fills).toHaveLength(300); // levels 1000..851, two orders each
    expect(fills.map((t) => t.price)).toEqual(fills.map((t) => t.price).sort((a, b) => b - a));
    expect(fills.slice(0, 2).map((t) => t.maker)).toEqual([1, 201]);
    expect(evs.at(-1)).toMatchObject({ type: "expired", remaining: 700 });
    expect(h.book().bids[0]).toEqual([850, 2]);
  });

  test("ids beyond 2^53 keep all 64 bits", () => {
    h = new Harness();
    const a = (1n << 64n) - 1n, b = (1n << 53n) + 1n;
    h.run([{ kind: "limit", id: a, side: SELL, price: 1, qty: 1 }]);
    const evs = h.run([{ kind: "limit", id: b, side: BUY, price: 1, qty: 1 }]);
    expect(evs[0]).toMatchObject({ type: "trade", id: b, other: a });
  });

  test("events beyond the output array are drained in order", () => {
    const cmds = [];
    for (let i = 0; i < 300; i++) cmds.push({ kind: "limit" as const, id: i + 1, side: SELL as 0 | 1, price: 1 + (i % 7), qty: 1 });
    cmds.push({ kind: "market" as const, id: 1000, side: BUY as 0 | 1, qty: 300, tif: IOC as 1 });
    h = new Harness(1, 7);
    const small = h.run(cmds);
    h.close();
    h = new Harness(1, 10_000);
    expect(small).toEqual(h.run(cmds));
    expect(small).toHaveLength(601);
  });

  test("each command ends with exactly one closing event; sequences only grow", () => {
    h = new Harness();
    const evs = h.run([
      { kind: "limit", id: 1, side: SELL, price: 10, qty: 2 },
      { kind: "limit", id: 2, side: BUY, price: 10, qty: 5, tif: GTC },
      { kind: "cancel", id: 2 },
    ]);
    expect(closing(evs).map((e) => e.cmd)).toEqual([0, 1, 2]);
    const seq = evs.map((e) => e.sequence);
    expect(seq).toEqual([...seq].sort((x, y) => x - y));
    expect(h.engine.sequence(0)).toBe(seq.at(-1)!);
  });
});

test("the quantity at one level, read alone", () => {
  const h = new Harness();
  h.run([
    { kind: "limit", id: 1, side: 0, price: 50, qty: 3 },
    { kind: "limit", id: 2, side: 0, price: 50, qty: 4 },
    { kind: "limit", id: 3, side: 1, price: 60, qty: 5 },
  ]);
  expect([h.engine.levelQuantity(0, 0, 50), h.engine.levelQuantity(0, 1, 60), h.engine.levelQuantity(0, 0, 60), h.engine.levelQuantity(0, 1, 50)]).toEqual([7, 5, 0, 0]);
  h.run([{ kind: "cancel", id: 1 }]);
  expect(h.engine.levelQuantity(0, 0, 50)).toBe(4);
  h.close();
});
