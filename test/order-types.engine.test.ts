// The order types' rules in the C++ engine, through the real FFI binding, on hand-written cases:
// Binance's documented trailing-stop scenarios (faqs/trailing-stop-faq.md), trigger directions,
// cascades, iceberg refreshes, OCO holds, OPO's paid pending orders, cancel-replace modes and
// cancel restrictions.
// Independent of the reference model, which the property tests compare against.
import { afterEach, describe, expect, test } from "bun:test";
import { Harness, PLENTY, trades, type Cmd, type Ev } from "./engine-harness";

const BUY = 0, SELL = 1, IOC = 1;
const STOP_LOSS = 1, TAKE_PROFIT = 2;
let h: Harness;
afterEach(() => h?.close());

let nextId = 1000;
/** One trade at `price` (account 1 with itself: no self-trade prevention here). */
function tradeAt(price: number, qty = 1): Ev[] {
  return h.run([
    { kind: "limit", id: nextId++, side: SELL, price, qty },
    { kind: "limit", id: nextId++, side: BUY, price, qty, tif: IOC },
  ]);
}
const triggered = (evs: Ev[]) => evs.filter((e) => e.type === "triggered").map((e) => Number(e.id));

describe("conditional orders trigger on the last trade price, as Binance's rules say", () => {
  test("a stop-loss sell waits (not in the book, its quantity held) and triggers when the price falls to its stop", () => {
    h = new Harness();
    tradeAt(100);
    const placed = h.run([{ kind: "limit", id: 1, side: SELL, price: 94, qty: 5, trigger: STOP_LOSS, stop: 95 }]);
    expect(placed).toMatchObject([{ type: "accepted", id: 1n, waiting: true }]);
    expect(h.book()).toEqual({ bids: [], asks: [] });
    expect(h.balance(1, 1).locked).toBe(5n);
    expect(triggered(tradeAt(96))).toEqual([]);
    const at95 = tradeAt(95);
    expect(triggered(at95)).toEqual([1]);
    expect(at95.at(-1)).toMatchObject({ type: "accepted", id: 1n, remaining: 5, price: 94 });
    expect(h.book().asks).toEqual([[94, 5]]);
  });

  test("each type's direction, and a stop already met is refused", () => {
    h = new Harness();
    tradeAt(100);
    const evs = h.run([
      { kind: "limit", id: 1, side: BUY, price: 120, qty: 1, trigger: STOP_LOSS, stop: 110 },   // rises to 110
      { kind: "limit", id: 2, side: SELL, price: 110, qty: 1, trigger: TAKE_PROFIT, stop: 110 }, // rises to 110
      { kind: "limit", id: 3, side: BUY, price: 95, qty: 1, trigger: TAKE_PROFIT, stop: 90 },    // falls to 90
      { kind: "limit", id: 4, side: SELL, price: 90, qty: 1, trigger: STOP_LOSS, stop: 100 },    // 100 already met
      { kind: "limit", id: 5, side: BUY, price: 120, qty: 1, trigger: STOP_LOSS, stop: 99 },     // 100 >= 99: met
    ]);
    expect(evs.map((e) => [Number(e.id), e.type, e.reason])).toEqual([
      [1, "accepted", "none"], [2, "accepted", "none"], [3, "accepted", "none"], [4, "rejected", "wouldTrigger"], [5, "rejected", "wouldTrigger"],
    ]);
    expect(triggered(tradeAt(110)).sort()).toEqual([1, 2]);
    expect(triggered(tradeAt(90))).toEqual([3]);
  });

  test("scenario B: a trailing stop-limit sell activates at its stop, then follows the highest price", () => {
    h = new Harness();
    tradeAt(40_000);
    h.run([{ kind: "limit", id: 1, side: SELL, price: 38_000, qty: 1, trigger: STOP_LOSS, stop: 39_000, trailing: 1000 }]);
    for (const p of [41_500, 39_000, 37_000, 41_000]) expect(triggered(tradeAt(p))).toEqual([]);
    expect(triggered(tradeAt(36_901))).toEqual([]);
    expect(triggered(tradeAt(36_900))).toEqual([1]); // 41,000 x 0.90
  });

  test("scenario D: a trailing take-profit-limit sell starts tracking when the price reaches its stop", () => {
    h = new Harness();
    tradeAt(40_000);
    h.run([{ kind: "limit", id: 1, side: SELL, price: 41_000, qty: 1, trigger: TAKE_PROFIT, stop: 42_000, trailing: 750 }]);
    for (const p of [41_500, 39_000, 42_000, 45_000, 44_000, 46_500, 43_013]) expect(triggered(tradeAt(p))).toEqual([]);
    expect(triggered(tradeAt(43_012))).toEqual([1]); // 46,500 x 0.925 = 43,012.5
  });

  test("scenario C: a trailing take-profit-limit buy follows the lowest price once its stop is reached", () => {
    h = new Harness();
    tradeAt(40_000);
    h.run([{ kind: "limit", id: 1, side: BUY, price: 38_500, qty: 1, trigger: TAKE_PROFIT, stop: 38_000, trailing: 850 }]);
    for (const p of [42_000, 38_000, 37_000, 39_000, 38_000, 40_144]) expect(triggered(tradeAt(p))).toEqual([]);
    expect(triggered(tradeAt(40_145))).toEqual([1]); // 37,000 x 1.085
  });

  test("scenario E: a trailing stop without a stop price tracks from the last price at placement", () => {
    h = new Harness();
    tradeAt(40_000);
    h.run([{ kind: "limit", id: 1, side: SELL, price: 39_000, qty: 1, trigger: STOP_LOSS, trailing: 700 }]);
    for (const p of [42_000, 39_500, 45_500, 42_316]) expect(triggered(tradeAt(p))).toEqual([]);
    expect(triggered(tradeAt(42_315))).toEqual([1]); // 45,500 x 0.93
  });

  test("a cascade: a triggered stop's fills trigger the next, in one command, lowest stop first", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 100, qty: 1 },
      { kind: "limit", id: 2, side: SELL, price: 101, qty: 1 },
      { kind: "limit", id: 3, side: SELL, price: 102, qty: 1 },
      { kind: "limit", id: 4, side: SELL, price: 103, qty: 1 },
      // Stop-market buys bounded at 110: the second's stop is met by the first's fill.
      { kind: "market", id: 11, side: BUY, qty: 1, trigger: STOP_LOSS, stop: 101, bound: 110 },
      { kind: "market", id: 10, side: BUY, qty: 1, trigger: STOP_LOSS, stop: 100, bound: 110 },
      { kind: "market", id: 12, side: BUY, qty: 1, trigger: STOP_LOSS, stop: 102, bound: 110 },
    ]);
    const evs = h.run([{ kind: "limit", id: 20, side: BUY, price: 100, qty: 1 }]);
    expect(evs.every((e) => e.cmd === 0)).toBe(true);
    expect(triggered(evs)).toEqual([10, 11, 12]);
    expect(trades(evs)).toEqual([
      { taker: 20, maker: 1, price: 100, qty: 1 },
      { taker: 10, maker: 2, price: 101, qty: 1 },
      { taker: 11, maker: 3, price: 102, qty: 1 },
      { taker: 12, maker: 4, price: 103, qty: 1 },
    ]);
    expect(h.balance(1, 0).locked).toBe(0n); // each bound's hold released or spent
  });
});

describe("icebergs", () => {
  test("only the slice shows; a filled slice's successor goes behind orders that came later", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 100, qty: 10, visible: 3 },
      { kind: "limit", id: 2, side: SELL, price: 100, qty: 2 },
    ]);
    expect(h.book().asks).toEqual([[100, 5]]);
    const evs = h.run([{ kind: "limit", id: 3, side: BUY, price: 100, qty: 6, tif: IOC }]);
    expect(trades(evs)).toEqual([
      { taker: 3, maker: 1, price: 100, qty: 3 },
      { taker: 3, maker: 2, price: 100, qty: 2 },
      { taker: 3, maker: 1, price: 100, qty: 1 },
    ]);
    expect(evs.filter((e) => e.type === "refreshed").map((e) => [e.qty, e.remaining])).toEqual([[3, 7]]);
    expect(h.book().asks).toEqual([[100, 2]]);
    expect(h.engine.liveOrder(1)).toMatchObject({ remaining: 6 });
    // Cancel takes the whole order, hidden part included.
    expect(h.run([{ kind: "cancel", id: 1 }])).toMatchObject([{ type: "cancelled", qty: 6 }]);
    expect(h.balance(1, 1).locked).toBe(0n);
  });
});

describe("order lists", () => {
  const oco: Cmd[] = [
    { kind: "limit", id: 1, side: SELL, price: 120, qty: 5, postOnly: true, listId: 1, link: 1 },
    { kind: "market", id: 2, side: SELL, qty: 5, trigger: STOP_LOSS, stop: 90, listId: 1 },
  ];

  test("an OCO holds its quantity once; a partial fill of the limit cancels the stop", () => {
    h = new Harness();
    tradeAt(100);
    expect(h.run(oco).map((e) => [e.cmd, e.type, e.waiting])).toEqual([[0, "accepted", false], [1, "accepted", true]]);
    expect(h.balance(1, 1).locked).toBe(5n);
    const evs = h.run([{ kind: "limit", id: 3, side: BUY, price: 120, qty: 2, tif: IOC }]);
    expect(evs.map((e) => [e.type, Number(e.id), e.reason])).toEqual([["trade", 3, "none"], ["cancelled", 2, "list"], ["accepted", 3, "none"]]);
    expect(h.balance(1, 1).locked).toBe(3n);
    expect(triggered(tradeAt(90))).toEqual([]);
  });

  test("an OCO's trigger cancels the limit; cancelling either member cancels both", () => {
    h = new Harness();
    tradeAt(100);
    h.run(oco);
    const evs = tradeAt(90);
    expect(evs.filter((e) => e.type === "cancelled").map((e) => [Number(e.id), e.reason])).toEqual([[1, "list"]]);
    expect(triggered(evs)).toEqual([2]);
    const again = h.run(oco.map((c) => ({ ...c, id: Number((c as { id: number }).id) + 10, listId: 11, ...(c.kind === "market" ? { stop: 80 } : {}) })) as Cmd[]);
    expect(again.map((e) => e.type)).toEqual(["accepted", "accepted"]);
    expect(h.run([{ kind: "cancel", id: 12 }]).map((e) => [Number(e.id), e.reason])).toEqual([[11, "list"], [12, "requested"]]);
    expect(h.engine.orderCount()).toBe(0);
  });

  test("an OTO places its pending order when the working order has filled completely", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: BUY, price: 100, qty: 4, listId: 1, link: 2 },
      { kind: "limit", id: 2, side: SELL, price: 110, qty: 4, listId: 1 },
    ]);
    expect(h.book()).toEqual({ bids: [[100, 4]], asks: [] });
    expect(triggered(h.run([{ kind: "limit", id: 3, side: SELL, price: 100, qty: 3 }]))).toEqual([]);
    const evs = h.run([{ kind: "limit", id: 4, side: SELL, price: 100, qty: 1 }]);
    expect(evs.filter((e) => e.type === "triggered").map((e) => [Number(e.id), e.reason])).toEqual([[2, "list"]]);
    expect(h.book()).toEqual({ bids: [], asks: [[110, 4]] });
  });

  test("an OTO's pending plain market order runs as one once released (bounded by the free balance, not a price)", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 105, qty: 1 },
      { kind: "limit", id: 2, side: SELL, price: 100, qty: 1, listId: 2, link: 2 },
      { kind: "market", id: 3, side: BUY, qty: 1, listId: 2 },
    ]);
    const evs = h.run([{ kind: "limit", id: 4, side: BUY, price: 100, qty: 1 }]);
    expect(trades(evs)).toEqual([{ taker: 4, maker: 2, price: 100, qty: 1 }, { taker: 3, maker: 1, price: 105, qty: 1 }]);
    expect(h.engine.orderCount()).toBe(0);
  });

  test("a list with a refused member is refused whole, and holds nothing", () => {
    h = new Harness();
    tradeAt(100);
    const evs = h.run([oco[0]!, { ...oco[1]!, stop: 100 } as Cmd]);
    expect(evs.map((e) => [e.cmd, e.type, e.reason])).toEqual([[0, "rejected", "list"], [1, "rejected", "wouldTrigger"]]);
    expect(h.balance(1, 1).locked).toBe(0n);
    expect(h.engine.orderCount()).toBe(0);
  });
});

describe("one pays the other (OPO, OPOCO)", () => {
  /** A second account that sells: what the working orders below buy from. */
  const seller = (h: Harness) => h.run([{ kind: "deposit", account: 2, asset: 1, amount: 1_000_000 }]);
  const sellFrom2 = (id: number, price: number, qty: number, tif: 0 | 1 = IOC): Cmd => ({ kind: "limit", id, account: 2, side: SELL, price, qty, tif });
  const opo = (pending: Partial<Cmd> = {}): Cmd[] => [
    { kind: "limit", id: 1, side: BUY, price: 100, qty: 1000, listId: 1, link: 2, opo: true },
    { kind: "limit", id: 2, side: SELL, price: 110, qty: 0, listId: 1, ...pending } as Cmd,
  ];

  test("the pending order sells what the working order received net of its fee, locked as each fill arrives", () => {
    h = new Harness(1, 4096, { makerFeeBps: 10, takerFeeBps: 20 });
    seller(h);
    const placed = h.run(opo());
    expect(placed.map((e) => [e.type, Number(e.id), e.qty, e.waiting])).toEqual([["accepted", 1, 1000, false], ["accepted", 2, 0, true]]);
    // Account 2 takes 400: the working order (maker) pays 10 bps, rounded up: it receives 399.
    h.run([sellFrom2(10, 100, 400)]);
    expect(h.balance(1, 1)).toEqual({ free: PLENTY, locked: 399n });
    expect(h.engine.liveOrder(2)).toMatchObject({ remaining: 0, pending: true });
    // The rest (599 received): the pending order enters with all 998, held by what was locked.
    const evs = h.run([sellFrom2(11, 100, 600)]);
    expect(evs.filter((e) => e.type === "triggered").map((e) => [Number(e.id), e.reason, e.remaining])).toEqual([[2, "list", 998]]);
    expect(h.book()).toEqual({ bids: [], asks: [[110, 998]] });
    expect(h.balance(1, 1)).toEqual({ free: PLENTY, locked: 998n });
  });

  test("a list that ends otherwise gives back what was received", () => {
    h = new Harness(1, 4096, { makerFeeBps: 10, takerFeeBps: 20 });
    seller(h);
    h.run(opo());
    h.run([sellFrom2(10, 100, 400)]);
    const evs = h.run([{ kind: "cancel", id: 2 }]);
    expect(evs.map((e) => [e.type, Number(e.id), e.reason])).toEqual([["cancelled", 1, "list"], ["cancelled", 2, "requested"]]);
    expect(h.balance(1, 1)).toEqual({ free: PLENTY + 399n, locked: 0n });
    expect(h.balance(1, 0).locked).toBe(0n);
  });

  test("whole lots only: the rest of a lot is unlocked, and less than a lot expires the pending order", () => {
    // 100 base units a lot; taking 5 lots at 20 bps costs 1 unit: 499 received, 4 lots to sell.
    h = new Harness(1, 4096, { takerFeeBps: 20, lotUnits: 100 });
    seller(h);
    h.run([sellFrom2(10, 100, 5, 0)]);
    const evs = h.run([
      { kind: "limit", id: 1, side: BUY, price: 100, qty: 5, listId: 1, link: 2, opo: true },
      { kind: "market", id: 2, side: SELL, qty: 0, tif: IOC, listId: 1, trigger: STOP_LOSS, stop: 90 },
    ]);
    expect(evs.filter((e) => e.type === "triggered").map((e) => [Number(e.id), e.remaining])).toEqual([[2, 4]]);
    expect(h.balance(1, 1)).toEqual({ free: PLENTY + 99n, locked: 400n });
    // One lot bought pays less than a lot (99 units): its pending order expires, the 99 free.
    h.run([sellFrom2(11, 100, 1, 0)]);
    const short = h.run([
      { kind: "limit", id: 3, side: BUY, price: 100, qty: 1, listId: 2, link: 2, opo: true },
      { kind: "limit", id: 4, side: SELL, price: 120, qty: 0, listId: 2 },
    ]);
    expect(short.filter((e) => e.id === 4n).map((e) => [e.type, e.reason, e.remaining])).toEqual([["accepted", "none", 0], ["triggered", "list", 0], ["expired", "insufficient", 0]]);
    expect(h.balance(1, 1)).toEqual({ free: PLENTY + 198n, locked: 400n });
  });

  test("an OPOCO's pair sells the same received quantity, held once", () => {
    h = new Harness(1, 4096, { makerFeeBps: 10 });
    seller(h);
    h.run([
      { kind: "limit", id: 1, side: BUY, price: 100, qty: 1000, listId: 1, link: 2, opo: true },
      { kind: "limit", id: 2, side: SELL, price: 120, qty: 0, postOnly: true, listId: 1, link: 1 },
      { kind: "limit", id: 3, side: SELL, price: 89, qty: 0, listId: 1, trigger: STOP_LOSS, stop: 90 },
    ]);
    const evs = h.run([sellFrom2(10, 100, 1000)]);
    expect(evs.filter((e) => e.type === "triggered").map((e) => [Number(e.id), e.remaining])).toEqual([[2, 999], [3, 999]]);
    expect(h.book()).toEqual({ bids: [], asks: [[120, 999]] });
    expect(h.balance(1, 1).locked).toBe(999n);
  });

  test("refused: a working sell, a pending order with a quantity, a pending buy, a pending iceberg; a waiting pending order is not amendable", () => {
    h = new Harness();
    const shapes: Cmd[][] = [
      [{ ...opo()[0]!, side: SELL } as Cmd, opo()[1]!],
      opo({ qty: 5 }),
      opo({ side: BUY, price: 90 }),
      opo({ visible: 1 }),
    ];
    for (const cmds of shapes) {
      expect(h.run(cmds).map((e) => [e.type, e.reason])).toContainEqual(["rejected", "invalid"]);
      expect(h.engine.orderCount()).toBe(0);
    }
    h.run(opo());
    expect(h.run([{ kind: "amend", id: 2, price: 0, qty: 1, keep: true }]).map((e) => [e.type, e.reason])).toEqual([["rejected", "notAmendable"]]);
  });
});

describe("cancel-replace", () => {
  test("one step: the old order goes and the new one comes at the back of its level", () => {
    h = new Harness();
    h.run([{ kind: "limit", id: 1, side: BUY, price: 99, qty: 5 }, { kind: "limit", id: 2, side: BUY, price: 100, qty: 1 }]);
    const evs = h.run([{ kind: "replace", cancelId: 1, mode: 0, id: 3, side: BUY, price: 100, qty: 5 }]);
    expect(evs.map((e) => [e.type, Number(e.id)])).toEqual([["cancelled", 1], ["accepted", 3]]);
    expect(h.book().bids).toEqual([[100, 6]]);
    expect(h.balance(1, 0).locked).toBe(600n);
  });

  test("stop on failure places nothing if the cancel fails; allow failure places it anyway", () => {
    h = new Harness();
    expect(h.run([{ kind: "replace", cancelId: 77, mode: 0, id: 3, side: BUY, price: 100, qty: 5 }]))
      .toMatchObject([{ type: "rejected", reason: "cancelFailed", other: 77n }]);
    expect(h.engine.orderCount()).toBe(0);
    expect(h.run([{ kind: "replace", cancelId: 77, mode: 1, id: 3, side: BUY, price: 100, qty: 5 }]).map((e) => e.type)).toEqual(["accepted"]);
    // Another account's order cannot be cancelled this way.
    h.run([{ kind: "deposit", account: 2, asset: 0, amount: 1000 }, { kind: "replace", cancelId: 3, mode: 0, id: 4, account: 2, side: BUY, price: 1, qty: 1 }]);
    expect(h.engine.liveOrder(3)).toMatchObject({ remaining: 5 });
  });
});

describe("cancel restrictions (Binance's cancelRestrictions)", () => {
  const ONLY_NEW = 8, ONLY_PARTIALLY_FILLED = 16, BOTH = 24;
  const outcome = (evs: Ev[]) => evs.map((e) => [e.type, Number(e.id), e.reason]);

  test("only new cancels an order that has not traded, only partially filled one that has; else nothing changes", () => {
    h = new Harness();
    h.run([{ kind: "limit", id: 1, side: SELL, price: 100, qty: 5 }, { kind: "limit", id: 2, side: SELL, price: 101, qty: 5 }]);
    h.run([{ kind: "limit", id: 3, side: BUY, price: 100, qty: 2, tif: IOC }]);
    expect(outcome(h.run([{ kind: "cancel", id: 1, only: ONLY_NEW }]))).toEqual([["rejected", 1, "cancelRestricted"]]);
    expect(outcome(h.run([{ kind: "cancel", id: 2, only: ONLY_PARTIALLY_FILLED }]))).toEqual([["rejected", 2, "cancelRestricted"]]);
    expect(h.book().asks).toEqual([[100, 3], [101, 5]]);
    expect(h.balance(1, 1).locked).toBe(8n);
    expect(outcome(h.run([{ kind: "cancel", id: 1, only: ONLY_PARTIALLY_FILLED }, { kind: "cancel", id: 2, only: ONLY_NEW }])))
      .toEqual([["cancelled", 1, "requested"], ["cancelled", 2, "requested"]]);
    expect(h.engine.orderCount()).toBe(0);
    h.run([{ kind: "limit", id: 4, side: SELL, price: 100, qty: 5 }]);
    expect(outcome(h.run([{ kind: "cancel", id: 4, only: BOTH }]))).toEqual([["rejected", 4, "invalid"]]);
  });

  test("decided where the cancel stands in the batch: a fill just before it counts", () => {
    h = new Harness();
    const evs = h.run([
      { kind: "limit", id: 1, side: SELL, price: 100, qty: 5 },
      { kind: "limit", id: 2, side: BUY, price: 100, qty: 1, tif: IOC },
      { kind: "cancel", id: 1, only: ONLY_NEW },
    ]);
    expect(evs.at(-1)).toMatchObject({ type: "rejected", reason: "cancelRestricted", id: 1n });
    expect(h.engine.liveOrder(1)).toMatchObject({ remaining: 4 });
  });

  test("a self-trade decrement is no trade; an untriggered stop is new; an OTO's waiting pending order is neither", () => {
    h = new Harness(1, 4096, { fund: false });
    h.run([{ kind: "deposit", account: 1, asset: 0, amount: 10_000 }, { kind: "deposit", account: 1, asset: 1, amount: 100 }]);
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 100, qty: 5 },
      { kind: "limit", id: 2, side: BUY, price: 100, qty: 2, tif: IOC, stp: 4 },
    ]);
    expect(h.engine.liveOrder(1)).toMatchObject({ remaining: 3 });
    expect(outcome(h.run([{ kind: "cancel", id: 1, only: ONLY_PARTIALLY_FILLED }]))).toEqual([["rejected", 1, "cancelRestricted"]]);
    h.run([
      { kind: "limit", id: 3, side: SELL, price: 90, qty: 1, trigger: STOP_LOSS, stop: 91 },
      { kind: "limit", id: 4, side: BUY, price: 50, qty: 1, listId: 4, link: 2 },
      { kind: "limit", id: 5, side: SELL, price: 120, qty: 1, listId: 4 },
    ]);
    expect(outcome(h.run([{ kind: "cancel", id: 5, only: ONLY_NEW }, { kind: "cancel", id: 5, only: ONLY_PARTIALLY_FILLED }])))
      .toEqual([["rejected", 5, "cancelRestricted"], ["rejected", 5, "cancelRestricted"]]);
    expect(outcome(h.run([{ kind: "cancel", id: 3, only: ONLY_NEW }, { kind: "cancel", id: 1, only: ONLY_NEW }])))
      .toEqual([["cancelled", 3, "requested"], ["cancelled", 1, "requested"]]);
  });

  test("cancel-replace: a restricted cancel is a failed one (stop: nothing placed; allow: placed, the old order kept)", () => {
    h = new Harness();
    h.run([{ kind: "limit", id: 1, side: BUY, price: 99, qty: 5 }]);
    expect(h.run([{ kind: "replace", cancelId: 1, mode: 0, only: ONLY_PARTIALLY_FILLED, id: 2, side: BUY, price: 98, qty: 5 }]))
      .toMatchObject([{ type: "rejected", reason: "cancelRestricted", other: 1n }]);
    expect(h.book().bids).toEqual([[99, 5]]);
    expect(outcome(h.run([{ kind: "replace", cancelId: 1, mode: 1, only: ONLY_PARTIALLY_FILLED, id: 3, side: BUY, price: 98, qty: 5 }])))
      .toEqual([["accepted", 3, "none"]]);
    expect(h.book().bids).toEqual([[99, 5], [98, 5]]);
    expect(outcome(h.run([{ kind: "replace", cancelId: 1, mode: 0, only: ONLY_NEW, id: 4, side: BUY, price: 97, qty: 5 }])))
      .toEqual([["cancelled", 1, "requested"], ["accepted", 4, "none"]]);
  });
});

describe("amend keep priority (a total lowered in place)", () => {
  test("a resting order keeps its place at its level; its hold and an iceberg's slice follow", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: BUY, price: 100, qty: 6, visible: 4 },
      { kind: "limit", id: 2, side: BUY, price: 100, qty: 5 },
    ]);
    expect(h.book().bids).toEqual([[100, 9]]);
    const evs = h.run([{ kind: "amend", id: 1, price: 0, qty: 3, keep: true }]);
    expect(evs).toMatchObject([{ type: "amended", id: 1n, price: 100, qty: 3, remaining: 3, keptPriority: true, ended: false }]);
    expect(h.book().bids).toEqual([[100, 8]]);
    expect(h.balance(1, 0).locked).toBe(800n);
    // Still first at its level.
    expect(trades(h.run([{ kind: "limit", id: 3, side: SELL, price: 100, qty: 2, tif: IOC }]))).toEqual([{ taker: 3, maker: 1, price: 100, qty: 2 }]);
  });

  test("not below its total, a price, or a market order by quote amount: refused, nothing changed", () => {
    h = new Harness();
    tradeAt(100);
    h.run([
      { kind: "limit", id: 1, side: BUY, price: 100, qty: 5 },
      { kind: "market", id: 2, side: BUY, qty: 1e15, amount: 500, trigger: STOP_LOSS, stop: 110 },
    ]);
    const evs = h.run([
      { kind: "amend", id: 1, price: 0, qty: 5, keep: true },
      { kind: "amend", id: 1, price: 99, qty: 4, keep: true },
      { kind: "amend", id: 2, price: 0, qty: 4, keep: true },
      { kind: "amend", id: 9, price: 0, qty: 4, keep: true },
    ]);
    expect(evs.map((e) => e.reason)).toEqual(["amendQuantity", "invalid", "notAmendable", "unknownOrder"]);
    expect(h.engine.liveOrder(1)).toMatchObject({ remaining: 5 });
    expect(h.balance(1, 0).locked).toBe(1000n);
  });

  test("an untriggered stop and an OTO's pending order are lowered where they wait", () => {
    h = new Harness();
    tradeAt(100);
    h.run([{ kind: "limit", id: 1, side: SELL, price: 94, qty: 5, trigger: STOP_LOSS, stop: 95 }]);
    expect(h.run([{ kind: "amend", id: 1, price: 0, qty: 2, keep: true }])).toMatchObject([{ type: "amended", remaining: 2 }]);
    expect(h.balance(1, 1).locked).toBe(2n);
    h.run([{ kind: "limit", id: 5, side: BUY, price: 94, qty: 10 }]);
    const at95 = tradeAt(95);
    expect(triggered(at95)).toEqual([1]);
    expect(trades(at95).filter((t) => t.taker === 1)).toEqual([{ taker: 1, maker: 5, price: 94, qty: 2 }]);
    h.run([
      { kind: "limit", id: 10, side: BUY, price: 90, qty: 3, listId: 3, link: 2 },
      { kind: "limit", id: 11, side: SELL, price: 130, qty: 3, listId: 3 },
    ]);
    expect(h.run([{ kind: "amend", id: 11, price: 0, qty: 1, keep: true }])).toMatchObject([{ type: "amended", id: 11n, remaining: 1 }]);
  });

  test("an OCO's members are lowered together, and the list holds its larger need once", () => {
    h = new Harness();
    tradeAt(100);
    h.run([
      { kind: "limit", id: 1, side: SELL, price: 120, qty: 5, postOnly: true, listId: 1, link: 1 },
      { kind: "market", id: 2, side: SELL, qty: 5, trigger: STOP_LOSS, stop: 90, listId: 1 },
    ]);
    const evs = h.run([{ kind: "amend", id: 2, price: 0, qty: 3, keep: true }]);
    expect(evs.map((e) => [e.type, Number(e.id), e.qty, e.remaining])).toEqual([["amended", 1, 3, 3], ["amended", 2, 3, 3]]);
    expect(h.balance(1, 1).locked).toBe(3n);
    expect(h.book().asks).toEqual([[120, 3]]);
  });

  test("lowered to its filled part, an order ends: its hold is released and an OTO's pending order cancelled", () => {
    h = new Harness();
    h.run([
      { kind: "limit", id: 1, side: BUY, price: 100, qty: 5, listId: 1, link: 2 },
      { kind: "limit", id: 2, side: SELL, price: 130, qty: 5, listId: 1 },
      { kind: "limit", id: 3, side: SELL, price: 100, qty: 2, tif: IOC },
    ]);
    expect(h.balance(1, 0).locked).toBe(300n);
    const evs = h.run([{ kind: "amend", id: 1, price: 0, qty: 1, keep: true }]);
    expect(evs.map((e) => [e.type, Number(e.id), e.qty, e.remaining, e.ended, e.reason])).toEqual([
      ["cancelled", 2, 5, 0, false, "list"], ["amended", 1, 2, 0, true, "none"],
    ]);
    expect(h.balance(1, 0).locked).toBe(0n);
    expect(h.book().bids).toEqual([]);
    expect(h.engine.orderCount()).toBe(0);
  });
});
