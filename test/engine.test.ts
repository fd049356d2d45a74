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
      ["cancelled", "requested", 0], ["rejected", "unknownOrder", 1], ["rejected", "unknownOrder", 2],
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
  test("the order index finds every live order as it grows past its load limit and as orders go in any order", () => {
    h = new Harness(1, 65_536);
    // Sparse ids (as the exchange's are not) land all over the index; 30,000 orders make it
    // grow six times from its first 1,024 slots, the last at three-quarters load.
    const ids = Array.from({ length: 30_000 }, (_, i) => 1 + ((i * 2_654_435_761) % 2 ** 40));
    for (let i = 0; i < ids.length; i += 5_000) {
      h.run(ids.slice(i, i + 5_000).map((id, k) => ({ kind: "limit" as const, id, side: ((i + k) % 2) as 0 | 1, price: (i + k) % 2 === 0 ? 100 : 200, qty: 1 + (k % 7) })));
    }
    expect(h.engine.orderCount()).toBe(30_000);
    expect(h.run([{ kind: "limit", id: ids[12_345]!, side: BUY, price: 1, qty: 1 }])[0]!.reason).toBe("duplicateId");
    // Cancel every third one, scattered; the rest are all still found with their quantities.
    const gone = new Set(ids.filter((_, i) => i % 3 === 1));
    const cancelled = h.run([...gone].reverse().map((id) => ({ kind: "cancel" as const, id })));
    expect(cancelled.every((e) => e.type === "cancelled")).toBe(true);
    ids.forEach((id, i) => expect(h.engine.liveOrder(id)?.remaining ?? 0).toBe(gone.has(id) ? 0 : 1 + ((i % 5_000) % 7)));
    expect(h.engine.orderCount()).toBe(30_000 - gone.size);
  });

  test("bad values are rejected and change nothing", () => {
    h = new Harness(2);
    const max = 1e15;
    const evs = h.run([
      { kind: "limit", id: 1, side: BUY, price: 0, qty: 1 },
      { kind: "limit", id: 2, side: BUY, price: 1, qty: 0 },
      { kind: "limit", id: 3, symbol: 2, side: BUY, price: 1, qty: 1 },
      { kind: "limit", id: 4, side: BUY, price: max + 1, qty: 1 },
      { kind: "limit", id: 5, side: BUY, price: max, qty: 1 },
      { kind: "limit", id: 5, side: BUY, price: 1, qty: 1 },
      { kind: "limit", id: 6, side: BUY, price: max, qty: max }, // 10^30 units: more than any balance
      { kind: "limit", id: 7, side: BUY, price: 1, qty: 1, stp: 5 },
      { kind: "limit", id: 8, side: BUY, price: 1, qty: 1, account: 1 << 24 },
    ]);
    expect(evs.map((e) => e.reason)).toEqual(["invalid", "invalid", "invalid", "invalid", "none", "duplicateId", "insufficient", "invalid", "invalid"]);
    expect(evs[6]).toMatchObject({ amount: (1n << 63n) - 1n, asset: 0, account: 1 });
    expect(h.book().bids).toEqual([[max, 1]]);
  });

  test("the largest and smallest prices and quantities trade exactly", () => {
    h = new Harness();
    const max = 1e15;
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 1, qty: max },
      { kind: "limit", id: 2, side: SELL, price: max, qty: 1 },
    ]);
    const top = h.run([{ kind: "limit", id: 3, side: BUY, price: 1, qty: max, tif: IOC }]);
    expect(trades(top)).toEqual([{ taker: 3, maker: 1, price: 1, qty: max }]);
    const bottom = h.run([{ kind: "market", id: 4, side: BUY, qty: max }]);
    expect(trades(bottom)).toEqual([{ taker: 4, maker: 2, price: max, qty: 1 }]);
    expect(bottom.at(-1)).toMatchObject({ type: "expired", reason: "timeInForce", remaining: max - 1 });
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

describe("spot accounts", () => {
  const QUOTE = 0, BASE = 1;
  const funded = (fees: { makerFeeBps?: number; takerFeeBps?: number } = {}) => {
    h = new Harness(1, 4096, { fund: false, ...fees });
    h.run([
      { kind: "deposit", account: 1, asset: QUOTE, amount: 10_000 }, { kind: "deposit", account: 1, asset: BASE, amount: 100 },
      { kind: "deposit", account: 2, asset: QUOTE, amount: 10_000 }, { kind: "deposit", account: 2, asset: BASE, amount: 100 },
    ]);
  };

  test("a limit buy locks price x quantity, a sell its quantity; cancel releases them", () => {
    funded();
    h.run([
      { kind: "limit", id: 1, account: 1, side: BUY, price: 90, qty: 10 },
      { kind: "limit", id: 2, account: 1, side: SELL, price: 110, qty: 7 },
    ]);
    expect(h.balance(1, QUOTE)).toEqual({ free: 9_100n, locked: 900n });
    expect(h.balance(1, BASE)).toEqual({ free: 93n, locked: 7n });
    h.run([{ kind: "cancel", id: 1 }, { kind: "cancel", id: 2 }]);
    expect(h.balance(1, QUOTE)).toEqual({ free: 10_000n, locked: 0n });
    expect(h.balance(1, BASE)).toEqual({ free: 100n, locked: 0n });
  });

  test("an order its free balance does not cover is refused, naming the asset, needed and available", () => {
    funded();
    const evs = h.run([
      { kind: "limit", id: 1, account: 1, side: BUY, price: 100, qty: 100 }, // 10,000: exactly covered
      { kind: "limit", id: 2, account: 1, side: SELL, price: 100, qty: 101 },
      { kind: "limit", id: 3, account: 1, side: BUY, price: 1, qty: 1 },
      { kind: "withdraw", account: 1, asset: QUOTE, amount: 1 },
    ]);
    expect(evs.map((e) => [e.type, e.reason, e.asset, e.amount, e.otherAmount])).toEqual([
      ["accepted", "none", 0, 0n, 0n],
      ["rejected", "insufficient", BASE, 101n, 100n],
      ["rejected", "insufficient", QUOTE, 1n, 0n],
      ["rejected", "insufficient", QUOTE, 1n, 0n],
    ]);
    expect(h.balance(1, QUOTE)).toEqual({ free: 0n, locked: 10_000n });
    expect(h.book().bids).toEqual([[100, 100]]);
  });

  test("trades settle both sides at the maker's price, fees in the asset received, rounded up, to account 0", () => {
    funded({ makerFeeBps: 10, takerFeeBps: 25 });
    h.run([{ kind: "limit", id: 1, account: 1, side: SELL, price: 95, qty: 10 }]);
    const evs = h.run([{ kind: "limit", id: 2, account: 2, side: BUY, price: 100, qty: 4 }]);
    // Taker buys 4 base at 95: pays 380 quote (its hold at 100 releases the 20 difference);
    // its fee is 25 bps of 4 base = 0.01, rounded up to 1. The maker gets 380 quote less 10 bps
    // (0.38, rounded up to 1).
    expect(evs[0]).toMatchObject({ type: "trade", price: 95, qty: 4, amount: 1n, otherAmount: 1n });
    expect(h.balance(2, QUOTE)).toEqual({ free: 10_000n - 380n, locked: 0n });
    expect(h.balance(2, BASE)).toEqual({ free: 100n + 4n - 1n, locked: 0n });
    expect(h.balance(1, QUOTE)).toEqual({ free: 10_000n + 380n - 1n, locked: 0n });
    expect(h.balance(1, BASE)).toEqual({ free: 90n, locked: 6n });
    expect(h.balance(0, QUOTE)).toEqual({ free: 1n, locked: 0n });
    expect(h.balance(0, BASE)).toEqual({ free: 1n, locked: 0n });
    // An account's own rates replace the market's.
    h.run([{ kind: "fees", account: 2, maker: 0, taker: 0 }]);
    const free = h.run([{ kind: "limit", id: 3, account: 2, side: BUY, price: 95, qty: 6 }]);
    expect(free[0]).toMatchObject({ type: "trade", qty: 6, amount: 0n, otherAmount: 1n });
  });

  test("a market buy fills only as far as the free quote allows; the rest expires", () => {
    h = new Harness(1, 4096, { fund: false });
    h.run([
      { kind: "deposit", account: 1, asset: BASE, amount: 10 }, { kind: "deposit", account: 2, asset: QUOTE, amount: 250 },
      { kind: "limit", id: 1, account: 1, side: SELL, price: 100, qty: 10 },
    ]);
    const evs = h.run([{ kind: "market", id: 2, account: 2, side: BUY, qty: 5 }]);
    expect(trades(evs)).toEqual([{ taker: 2, maker: 1, price: 100, qty: 2 }]);
    expect(evs.at(-1)).toMatchObject({ type: "expired", reason: "insufficient", remaining: 3 });
    expect(h.balance(2, QUOTE)).toEqual({ free: 50n, locked: 0n });
  });

  test("a market order by quote amount spends up to it, in whole lots", () => {
    funded();
    h.run([{ kind: "limit", id: 1, account: 1, side: SELL, price: 30, qty: 5 }, { kind: "limit", id: 2, account: 1, side: SELL, price: 40, qty: 5 }]);
    const evs = h.run([{ kind: "market", id: 3, account: 2, side: BUY, qty: 1e15, amount: 200 }]);
    // 5 lots at 30 (150), then 1 at 40 (190 in all): 10 units cannot buy another lot.
    expect(trades(evs)).toEqual([{ taker: 3, maker: 1, price: 30, qty: 5 }, { taker: 3, maker: 2, price: 40, qty: 1 }]);
    expect(evs.at(-1)).toMatchObject({ type: "accepted", qty: 6, remaining: 0 });
    expect(h.balance(2, QUOTE).free).toBe(10_000n - 190n);
    const broke = h.run([{ kind: "market", id: 4, account: 2, side: BUY, qty: 1e15, amount: 10_000 }]);
    expect(broke[0]).toMatchObject({ type: "rejected", reason: "insufficient", amount: 10_000n, otherAmount: 9_810n });
  });

  test("amending up locks more (refused with nothing changed if not covered); down releases", () => {
    funded();
    h.run([{ kind: "limit", id: 1, account: 1, side: BUY, price: 50, qty: 100 }]);
    expect(h.balance(1, QUOTE)).toEqual({ free: 5_000n, locked: 5_000n });
    const refused = h.run([{ kind: "amend", id: 1, price: 101, qty: 100 }]);
    expect(refused[0]).toMatchObject({ type: "rejected", reason: "insufficient", amount: 5_100n, otherAmount: 5_000n });
    expect(h.book().bids).toEqual([[50, 100]]);
    h.run([{ kind: "amend", id: 1, price: 0, qty: 40 }]);
    expect(h.balance(1, QUOTE)).toEqual({ free: 8_000n, locked: 2_000n });
    h.run([{ kind: "amend", id: 1, price: 80, qty: 40 }]);
    expect(h.balance(1, QUOTE)).toEqual({ free: 6_800n, locked: 3_200n });
  });

  describe("self-trade prevention (the taker's mode)", () => {
    const setUp = () => {
      funded();
      h.run([
        { kind: "limit", id: 1, account: 1, side: SELL, price: 100, qty: 3 },
        { kind: "limit", id: 2, account: 2, side: SELL, price: 100, qty: 5 },
      ]);
    };
    const buy = (stp: number, qty = 6) => h.run([{ kind: "limit", id: 9, account: 1, side: BUY, price: 100, qty, stp }]);

    test("none: it trades with itself", () => {
      setUp();
      expect(trades(buy(0))).toEqual([{ taker: 9, maker: 1, price: 100, qty: 3 }, { taker: 9, maker: 2, price: 100, qty: 3 }]);
    });

    test("expire taker: the taker's rest expires, the resting order stays", () => {
      setUp();
      const evs = buy(1);
      expect(evs.map((e) => [e.type, e.reason, Number(e.id), Number(e.other), e.qty])).toEqual([
        ["prevented", "none", 9, 1, 3], ["expired", "selfTrade", 9, 0, 6],
      ]);
      expect(h.book().asks).toEqual([[100, 8]]);
      expect(h.balance(1, QUOTE)).toEqual({ free: 10_000n, locked: 0n });
    });

    test("expire maker: the resting order expires and the taker goes on", () => {
      setUp();
      const evs = buy(2);
      expect(evs.map((e) => [e.type, e.reason, Number(e.id), e.qty])).toEqual([
        ["prevented", "none", 9, 3], ["expired", "selfTrade", 1, 3], ["trade", "none", 9, 5], ["accepted", "none", 9, 6],
      ]);
      expect(h.book()).toEqual({ bids: [[100, 1]], asks: [] });
      expect(h.balance(1, BASE)).toEqual({ free: 105n, locked: 0n });
    });

    test("expire both", () => {
      setUp();
      expect(buy(3).map((e) => [e.type, Number(e.id)])).toEqual([["prevented", 9], ["expired", 1], ["expired", 9]]);
      expect(h.book().asks).toEqual([[100, 5]]);
    });

    test("decrement: both lose the overlap, the smaller expires", () => {
      setUp();
      const evs = buy(4, 6);
      expect(evs.map((e) => [e.type, Number(e.id), e.qty, e.remaining, e.otherRemaining, e.decremented])).toEqual([
        ["prevented", 9, 3, 3, 0, true], ["expired", 1, 0, 0, 0, false], ["trade", 9, 3, 0, 2, false], ["accepted", 9, 6, 0, 0, false],
      ]);
      expect(h.book().asks).toEqual([[100, 2]]);
      expect(h.balance(1, QUOTE)).toEqual({ free: 10_000n - 300n, locked: 0n });
    });
  });

  test("deposits past the venue's total bound are refused; withdrawals only from free", () => {
    h = new Harness(1, 4096, { fund: false });
    const evs = h.run([
      { kind: "deposit", account: 5, asset: QUOTE, amount: 1n << 62n },
      { kind: "deposit", account: 6, asset: QUOTE, amount: 1 },
      { kind: "deposit", account: 6, asset: 2, amount: 1 },
      { kind: "deposit", account: 6, asset: QUOTE, amount: 0 },
    ]);
    expect(evs.map((e) => [e.type, e.reason])).toEqual([["deposited", "none"], ["rejected", "limit"], ["rejected", "invalid"], ["rejected", "invalid"]]);
    h.run([{ kind: "limit", id: 1, account: 5, side: BUY, price: 10, qty: 10 }]);
    expect(h.run([{ kind: "withdraw", account: 5, asset: QUOTE, amount: (1n << 62n) - 99n }])[0]).toMatchObject({ type: "rejected", reason: "insufficient" });
    expect(h.run([{ kind: "withdraw", account: 5, asset: QUOTE, amount: (1n << 62n) - 100n }])[0]).toMatchObject({ type: "withdrawn" });
    expect(h.balance(5, QUOTE)).toEqual({ free: 0n, locked: 100n });
  });

  test("the engine reports each balance a batch changed once, as it is after the batch", () => {
    funded();
    h.run([
      { kind: "limit", id: 1, account: 1, side: SELL, price: 100, qty: 3 },
      { kind: "limit", id: 2, account: 2, side: BUY, price: 100, qty: 2 },
    ]);
    const changed = h.engine.changedBalances().map((b) => `${b.account}:${b.asset}=${b.free}/${b.locked}`).sort();
    expect(changed).toEqual(["0:0=0/0", "0:1=0/0", "1:0=10200/0", "1:1=97/1", "2:0=9800/0", "2:1=102/0"]);
  });
});
