// Random command streams for differential tests: new limit and market orders of every time in
// force, post-only, by quantity or (market) by quote amount, with every self-trade prevention
// mode, from several accounts with small balances (so holds are refused now and then); cancels
// and amends (up and down, in place keeping priority, stale, duplicate, unknown); deposits,
// withdrawals and fee rates.
import fc from "fast-check";
import { expect } from "bun:test";
import type { Cmd, Harness, Only } from "./engine-harness";
import type { ReferenceModel } from "./reference-model";

export interface StreamOptions {
  symbols: number;
  maxBatches: number;
  maxBatchSize: number;
  minPrice?: number;
  maxPrice?: number;
  /** Buys mostly below the middle of the range and sells above it, so books grow wide. */
  sided?: boolean;
  /** Accounts 1..accounts place orders (default 1: the harness's funded account only). */
  accounts?: number;
  /** Also conditional orders (stop-loss, take-profit, limit and market, trailing), icebergs,
   *  OCO, OTO, OTOCO, OPO and OPOCO lists and cancel-replace: this share of new orders (0..1,
   *  default 0). */
  advanced?: number;
}

/** Deposits that start each account of a stream with a modest balance of every asset. */
export function funding(accounts: number, symbols: number, units = 40): Cmd[] {
  const out: Cmd[] = [];
  for (let account = 1; account <= accounts; account++) {
    for (let asset = 0; asset <= symbols; asset++) out.push({ kind: "deposit", account, asset, amount: asset === 0 ? units * 100 : units });
  }
  return out;
}

export function commandStream(opts: StreamOptions) {
  const lo = opts.minPrice ?? 95, hi = opts.maxPrice ?? 105, middle = Math.floor((lo + hi) / 2);
  const accounts = opts.accounts ?? 1;
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
    account: fc.integer({ min: 1, max: accounts }),
    stp: fc.constantFrom(0, 0, 1, 2, 3, 4),
    extra: fc.integer({ min: 0, max: 99 }),
    kind: fc.integer({ min: 0, max: 99 }),
    stop: fc.integer({ min: -4, max: 4 }),
  });
  // size "max": lengths range up to the bounds given (fast-check's default keeps arrays short).
  return fc.array(fc.array(op, { minLength: 1, maxLength: opts.maxBatchSize, size: "max" }), { minLength: 1, maxLength: opts.maxBatches, size: "max" })
    .map((batches) => {
      let nextId = 1;
      let nextList = 1;
      const advanced = Math.round((opts.advanced ?? 0) * 100);
      return batches.map((ops) => ops.flatMap((o): Cmd[] => {
        if (o.pick < 52 && o.kind < advanced) return advancedOrder(o);
        return [plain(o)];
      }));
      // Conditional orders stop near the middle of the range (or trail by 1 to 4%), icebergs show
      // a slice of 1 to 3 lots, lists pair a post-only limit with a stop (OCO), a limit with any
      // order (OTO) or with such a pair (OTOCO), and replaces move an existing order.
      function advancedOrder(o: typeof op extends fc.Arbitrary<infer T> ? T : never): Cmd[] {
        const symbol = o.symbol === opts.symbols ? 0 : o.symbol;
        const base = { account: o.account, symbol, side: o.side, stp: accounts > 1 ? o.stp : 0 };
        const stopPrice = middle + o.stop;
        const trailing = o.extra % 3 === 0 ? 100 + (o.extra % 4) * 100 : 0;
        const trigger = (1 + (o.extra % 2)) as 1 | 2;
        const conditional = (id: number): Cmd => {
          const stop = trailing && o.extra % 2 === 0 ? 0 : stopPrice;
          if (o.pick % 2 === 0) return { kind: "limit", id, ...base, price: o.price, qty: o.qty, tif: o.tif, trigger, stop, trailing };
          const amount = o.side === 0 && o.extra > 80 ? o.qty * 60 : 0;
          return { kind: "market", id, ...base, qty: amount ? 1e15 : o.qty, tif: o.tif === 2 && !amount ? 2 : 1, trigger, stop, trailing, amount, bound: o.side === 0 && !amount ? o.price + 3 : 0 };
        };
        const k = o.kind % 6;
        if (k === 0) return [conditional(nextId++)];
        if (k === 1) return [{ kind: "limit", id: nextId++, ...base, price: o.price, qty: o.qty + 3, tif: 0, visible: 1 + (o.extra % 3) }];
        if (k === 2) {
          const listId = nextList++;
          const limit: Cmd = { kind: "limit", id: nextId++, ...base, price: o.side === 0 ? lo + (o.price - lo) % 4 : hi - (o.price - lo) % 4, qty: o.qty, tif: 0, postOnly: true, listId };
          return [{ ...limit, link: 1 } as Cmd, { ...conditional(nextId++), listId } as Cmd];
        }
        // A third of the OTOs and OTOCOs that buy are OPOs (OPOCOs): their pending orders sell
        // what the working order receives, so they give no quantity (now and then one does: invalid).
        const opo = o.side === 0 && o.ref % 3 === 1;
        const paid = (c: Cmd): Cmd => (opo && o.extra !== 97 ? { ...c, qty: 0 } as Cmd : c);
        if (k === 3) {
          const listId = nextList++;
          const working: Cmd = { kind: "limit", id: nextId++, ...base, price: o.price, qty: o.qty, tif: o.tif === 2 ? 0 : o.tif, listId, link: 2, opo };
          const other = (1 - o.side) as 0 | 1;
          const pending: Cmd = o.extra % 3 === 0
            ? o.ref % 2 === 0
              // A post-only pending order near the working order's price: it may find it would take.
              ? { kind: "limit", id: nextId++, ...base, side: other, price: o.side === 0 ? o.price - 1 : o.price + 1, qty: o.qty, tif: 0, postOnly: true, listId }
              : { kind: "limit", id: nextId++, ...base, side: other, price: o.side === 0 ? o.price + 2 : o.price - 2, qty: o.qty, tif: 0, listId }
            : o.extra % 3 === 1
              ? { kind: "market", id: nextId++, ...base, side: other, qty: o.qty, tif: 1, listId } // a plain market order
              : { ...conditional(nextId++), side: other, bound: o.side === 1 ? o.price + 3 : 0, amount: 0, listId } as Cmd;
          return [working, paid(pending)];
        }
        if (k === 5) {
          // OTOCO: a working limit, then a pair on the other side: a post-only limit near its
          // price (released, it may find it would take) and a stop (it may trigger at once), in
          // either order, of one quantity or two.
          const listId = nextList++;
          const other = (1 - o.side) as 0 | 1;
          const working: Cmd = { kind: "limit", id: nextId++, ...base, price: o.price, qty: o.qty, tif: o.tif === 2 ? 0 : o.tif, listId, link: 2, opo };
          const near = o.side === 0 ? o.price + 1 + (o.ref % 3) : o.price - 1 - (o.ref % 3);
          const limit = { kind: "limit", id: nextId++, ...base, side: other, price: near, qty: o.qty + (o.extra % 3), tif: 0, postOnly: true, listId } as Cmd;
          const stop = { ...conditional(nextId++), side: other, bound: other === 0 ? o.price + 3 : 0, amount: 0, listId } as Cmd;
          const [first, second] = o.ref % 2 === 0 ? [limit, stop] : [stop, limit];
          return [working, paid({ ...first, link: 1 } as Cmd), paid(second)];
        }
        const cancelId = nextId > 1 ? 1 + (o.ref % (nextId + 2)) : 1;
        const only: Only = o.stop === 1 ? 8 : o.stop === 2 ? 16 : o.stop === -4 && o.extra < 10 ? 24 : 0;
        return [{ kind: "replace", cancelId, mode: (o.extra % 2) as 0 | 1, only, id: nextId++, ...base, price: o.price, qty: o.qty, tif: o.tif, market: false }];
      }
      function plain(o: typeof op extends fc.Arbitrary<infer T> ? T : never): Cmd {
        const existing = nextId > 1 ? 1 + (o.ref % (nextId + 2)) : 1; // sometimes beyond: unknown
        const symbol = o.symbol === opts.symbols && o.pick % 5 !== 0 ? 0 : o.symbol;
        const price = priceFor(o.side, o.price, o.pick);
        const stp = accounts > 1 ? o.stp : 0;
        if (o.pick < 42) return { kind: "limit", id: o.pick === 41 ? existing : nextId++, account: o.account, symbol, side: o.side, price, qty: o.qty, tif: o.tif, postOnly: o.postOnly && o.tif === 0 && o.pick % 3 === 0, stp };
        if (o.pick < 52) {
          // A fifth of market orders by quote amount (IOC only).
          const amount = o.extra < 20 ? o.qty * 60 : 0;
          return { kind: "market", id: nextId++, account: o.account, symbol, side: o.side, qty: amount ? 1e15 : o.qty, tif: amount ? 1 : o.tif === 2 ? 2 : 1, stp, amount };
        }
        if (o.pick < 70) {
          // With the order types, a third of cancels carry a restriction (now and then both: invalid).
          const only: Only = !advanced ? 0 : o.kind % 6 === 0 ? 8 : o.kind % 6 === 1 ? 16 : o.kind === 99 ? 24 : 0;
          return { kind: "cancel", id: existing, only };
        }
        // A quarter of amendments keep priority: a smaller total (or not: refused), in place.
        if (o.pick < 90 && o.extra % 4 === 0) return { kind: "amend", id: existing, price: 0, qty: 1 + (o.qty % 8), keep: true };
        if (o.pick < 90) return { kind: "amend", id: existing, price: o.pick < 80 ? 0 : price, qty: o.pick % 4 === 0 ? 0 : o.qty };
        const asset = o.extra % (opts.symbols + 1);
        if (o.pick < 94) return { kind: "deposit", account: o.account, asset, amount: o.qty * (asset === 0 ? 300 : 3) };
        if (o.pick < 98) return { kind: "withdraw", account: o.account, asset, amount: o.qty * (asset === 0 ? 400 : 4) };
        return { kind: "fees", account: o.account, maker: o.extra < 50 ? -1 : o.extra * 10, taker: o.extra < 30 ? -1 : o.extra * 20 };
      }
    });
}

/** A book at rest is never crossed, and every level holds a positive quantity. */
export function checkInvariants(book: { bids: [number, number][]; asks: [number, number][] }): void {
  if (book.bids.length && book.asks.length) expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
  for (const [, q] of [...book.bids, ...book.asks]) expect(q).toBeGreaterThan(0);
}

/** Checks the engine's balances against the model's and the spot invariants. */
export function checkBalances(engine: Harness, model: ReferenceModel, symbols: number): void {
  const seen = model.accounts();
  for (const { account, asset } of seen) expect(engine.balance(account, asset)).toEqual(model.balance(account, asset));
  for (let asset = 0; asset <= symbols; asset++) {
    let sum = 0n;
    for (const s of seen) {
      if (s.asset !== asset) continue;
      const b = model.balance(s.account, asset);
      expect(b.free).toBeGreaterThanOrEqual(0n);
      expect(b.locked).toBeGreaterThanOrEqual(0n);
      sum += b.free + b.locked;
    }
    expect(sum).toBe(model.total(asset));
  }
  // What open and untriggered orders hold: a buy its price x remaining of the quote (asset 0), a
  // sell its remaining base, a market buy by amount that amount; an OCO its larger leg's need once.
  const held = model.holds();
  for (const { account, asset } of seen) expect(engine.balance(account, asset).locked).toBe(held.get(`${account}:${asset}`) ?? 0n);
}
