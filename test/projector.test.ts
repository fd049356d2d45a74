// The projector's parts: the ring that hands batches from the server's thread to the projector's
// (messages of any size arrive whole and in order, on one thread and across two), and the bytes a
// batch's rows travel in (the rows read off them are the rows of the orders, trades, ledger
// entries and balances they were made from). The projector as a whole is exercised by every test
// that reads orders, trades or balances back (http, recovery, crash, sequencer).
import { expect, test } from "bun:test";
import fc from "fast-check";
import { BALANCE } from "../native/layout";
import { loadMarkets, SELF_TRADE_MODES } from "../src/markets";
import { EXPIRE_REASONS, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE, type OrderState } from "../src/orders/order";
import { MessageRing } from "../src/store/message-ring";
import { ProjectedBatchEncoder, projectBatch, type RowSink } from "../src/store/projected-batch";
import type { AmendmentRecord, LedgerRecord, PreventedMatchRecord, TradeRecord, Value } from "../src/store/projection-writer";

const RING = 1 << 16;

/** A message whose bytes tell its number and length, so a torn, mixed or reordered one shows. */
function message(n: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (n * 31 + i) & 0xff;
  return bytes;
}

test("messages arrive whole and in order, in one to three parts, segmented past a quarter of the ring, wrapping round its end (one thread)", () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: RING / 2 - 64 }), fc.integer({ min: 1, max: 3 }), fc.boolean()), { minLength: 1, maxLength: 60 }), (plan) => {
    const ring = new MessageRing(MessageRing.create(RING));
    let sent = 0, received = 0, pending = 0;
    const drain = () => {
      for (let m = ring.read(); m; m = ring.read()) expect(m).toEqual(message(received++, m.byteLength));
      pending = 0;
    };
    for (const [length, parts, readNow] of plan) {
      // (One thread cannot wait for itself to read: drain before the ring could be full.)
      if (pending + length + 64 > RING / 2) drain();
      const whole = message(sent++, length);
      const cut = [0, Math.floor(length / 3), Math.floor((2 * length) / 3), length].slice(0, parts + 1);
      ring.write(cut.slice(0, -1).map((from, i) => whole.subarray(from, cut[i + 1])));
      pending += length + 64;
      if (readNow) drain();
    }
    drain();
    expect(received).toBe(sent);
    expect(ring.read()).toBeNull();
  }), { numRuns: 200 });
});

test("across two threads, with messages larger than the ring, nothing is lost, torn or reordered", async () => {
  const shared = MessageRing.create(RING);
  const lengths = fc.sample(fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 3 * RING })), { numRuns: 600, seed: 7 });
  const reader = new Worker(URL.createObjectURL(new Blob([`
    import { MessageRing } from ${JSON.stringify(new URL("../src/store/message-ring.ts", import.meta.url).pathname)};
    self.onmessage = async (e) => {
      const ring = new MessageRing(e.data.shared);
      const bad = [];
      for (let n = 0; n < e.data.count;) {
        const m = ring.read();
        if (!m) { await new Promise((r) => setTimeout(r, 0)); continue; }
        for (let i = 0; i < m.byteLength; i++) if (m[i] !== ((n * 31 + i) & 0xff)) { bad.push(n); break; }
        if (m.byteLength !== e.data.lengths[n]) bad.push(n);
        n++;
      }
      postMessage({ bad });
    };
  `], { type: "application/typescript" })));
  const done = new Promise<{ bad: number[] }>((resolve) => (reader.onmessage = (e) => resolve(e.data)));
  reader.postMessage({ shared, count: lengths.length, lengths });
  const ring = new MessageRing(shared);
  lengths.forEach((length, n) => ring.write([message(n, length)]));
  expect((await done).bad).toEqual([]);
  reader.terminate();
});

// ---- a batch's rows -------------------------------------------------------------------------

const markets = loadMarkets();

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const lots = fc.integer({ min: 0, max: 1e15 });
const units = fc.bigInt({ min: 0n, max: (1n << 62n) - 1n });
const order: fc.Arbitrary<OrderState> = fc.record({
  id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), accountId: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
  market: fc.constantFrom(...markets.list), side: fc.constantFrom("buy" as const, "sell" as const),
  type: fc.constantFrom(...ORDER_TYPES), timeInForce: fc.constantFrom(...TIMES_IN_FORCE), postOnly: fc.boolean(),
  price: nullable(lots), quantity: lots, filled: lots, status: fc.constantFrom(...ORDER_STATUSES),
  rejectReason: nullable(fc.constantFrom("POST_ONLY_WOULD_TAKE", "ENGINE_REJECTED_7")),
  clientOrderId: nullable(fc.stringMatching(/^[A-Za-z0-9._:\/-]{1,36}$/)),
  createdAt: fc.integer({ min: 0, max: 4e12 }), updatedAt: fc.integer({ min: 0, max: 4e12 }), fills: fc.constant([]),
  selfTradePrevention: fc.constantFrom(...SELF_TRADE_MODES), quoteQuantity: nullable(units), prevented: lots, decremented: lots,
  preventedMatchId: fc.constant(null),
  expireReason: nullable(fc.constantFrom(...EXPIRE_REASONS)), stopPrice: nullable(lots), trailingDelta: nullable(fc.integer({ min: 1, max: 9999 })),
  icebergQuantity: nullable(lots), listId: nullable(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
  listType: fc.constantFrom(null, "oco" as const, "oto" as const), listClientOrderId: fc.option(fc.string({ minLength: 1, maxLength: 36 }), { nil: null }), triggered: fc.boolean(), waiting: fc.boolean(), pending: fc.constant(false), amendments: fc.constant(0), accountSlot: fc.constant(-1),
});
const trade: fc.Arbitrary<TradeRecord> = fc.record({
  id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), symbol: fc.constantFrom(...markets.list.map((m) => m.symbol)), price: lots, quantity: lots,
  takerOrderId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), makerOrderId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  takerSide: fc.constantFrom("buy" as const, "sell" as const), time: fc.integer({ min: 0, max: 4e12 }), takerFee: units, makerFee: units,
  takerAccountId: fc.integer({ min: 0, max: 2 ** 24 - 1 }), makerAccountId: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
});
const ledgerEntry: fc.Arbitrary<LedgerRecord> = fc.record({
  accountId: fc.integer({ min: 0, max: 2 ** 24 - 1 }), asset: fc.constantFrom(...markets.assets.list.map((a) => a.symbol)),
  kind: fc.constantFrom("deposit" as const, "withdrawal" as const), amount: fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), time: fc.integer({ min: 0, max: 4e12 }),
});
const preventedMatch: fc.Arbitrary<PreventedMatchRecord> = fc.record({
  id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), accountId: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
  symbol: fc.constantFrom(...markets.list.map((m) => m.symbol)), takerOrderId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  makerOrderId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), mode: fc.constantFrom(...SELF_TRADE_MODES), price: lots, quantity: lots,
  takerQuantity: lots, makerQuantity: lots, time: fc.integer({ min: 0, max: 4e12 }),
});
const clientId = fc.option(fc.stringMatching(/^[A-Za-z0-9_:./-]{1,36}$/), { nil: null });
const amendment: fc.Arbitrary<AmendmentRecord> = fc.record({
  id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), orderId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  accountId: fc.integer({ min: 0, max: 2 ** 24 - 1 }), symbol: fc.constantFrom(...markets.list.map((m) => m.symbol)),
  origClientOrderId: clientId, newClientOrderId: clientId, origQuantity: lots, newQuantity: lots, time: fc.integer({ min: 0, max: 4e12 }),
});
const balance = fc.record({ account: fc.integer({ min: 0, max: 2 ** 24 - 1 }), asset: fc.integer({ min: 0, max: markets.assets.list.length - 1 }), free: units, locked: units });

/** The rows the orders table takes for an order, column by column (the schema's order). */
const orderRow = (o: OrderState): Value[] => [o.id, o.accountId, o.market.symbol, o.side, o.type, o.timeInForce, o.postOnly ? 1 : 0, o.price,
  o.quantity, o.filled, o.status, o.rejectReason, o.clientOrderId, o.createdAt, o.updatedAt, o.selfTradePrevention,
  o.quoteQuantity === null ? null : String(o.quoteQuantity), o.prevented, o.decremented, o.expireReason, o.stopPrice,
  o.trailingDelta, o.icebergQuantity, o.listId, o.listType, o.triggered ? 1 : 0, o.listClientOrderId];
const tradeRow = (t: TradeRecord): Value[] => [t.id, t.symbol, t.price, t.quantity, t.takerOrderId, t.makerOrderId, t.takerSide, t.time,
  String(t.takerFee), String(t.makerFee), t.takerAccountId, t.makerAccountId];
const ledgerRow = (l: LedgerRecord): Value[] => [l.accountId, l.asset, l.kind, String(l.amount), l.time];
const amendmentRow = (a: AmendmentRecord): Value[] => [a.id, a.orderId, a.accountId, a.symbol, a.origClientOrderId, a.newClientOrderId, a.origQuantity, a.newQuantity, a.time];
const preventedRow = (p: PreventedMatchRecord): Value[] => [p.id, p.accountId, p.symbol, p.takerOrderId, p.makerOrderId, p.mode, p.price, p.quantity, p.takerQuantity, p.makerQuantity, p.time];

test("a batch's rows read off its bytes are the rows of what it changed, column by column", () => {
  const encoder = new ProjectedBatchEncoder();
  fc.assert(fc.property(
    fc.array(order, { maxLength: 20 }), fc.array(trade, { maxLength: 20 }), fc.array(ledgerEntry, { maxLength: 5 }), fc.array(balance, { maxLength: 10 }),
    fc.array(preventedMatch, { maxLength: 5 }), fc.array(amendment, { maxLength: 5 }), fc.integer({ min: 0, max: 4e12 }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    (orders, trades, ledger, balances, preventedMatches, amendments, time, lastSeq) => {
      const structs = new Uint8Array(balances.length * BALANCE.size);
      const view = new DataView(structs.buffer);
      balances.forEach((b, i) => {
        view.setUint32(i * BALANCE.size + BALANCE.account, b.account, true);
        view.setUint32(i * BALANCE.size + BALANCE.asset, b.asset, true);
        view.setBigInt64(i * BALANCE.size + BALANCE.free, b.free, true);
        view.setBigInt64(i * BALANCE.size + BALANCE.locked, b.locked, true);
      });
      const seen = { orders: [] as Value[][], trades: [] as Value[][], ledger: [] as Value[][], prevented: [] as Value[][], amendments: [] as Value[][], balances: [] as unknown[], end: [] as number[] };
      const sink: RowSink = {
        order: (r) => seen.orders.push([...r]), trade: (r) => seen.trades.push([...r]), ledgerEntry: (r) => seen.ledger.push([...r]),
        preventedMatch: (r) => seen.prevented.push([...r]), amendment: (r) => seen.amendments.push([...r]), balance: (...b) => seen.balances.push(b),
      };
      seen.end.push(projectBatch(encoder.encode({ time, lastSeq, orders: new Set(orders), trades, ledger, preventedMatches, amendments }, structs, markets), markets, sink));
      expect(seen).toEqual({
        orders: orders.map(orderRow), trades: trades.map(tradeRow), ledger: ledger.map(ledgerRow), prevented: preventedMatches.map(preventedRow),
        amendments: amendments.map(amendmentRow),
        balances: balances.map((b) => [b.account, markets.assets.list[b.asset]!.symbol, b.free, b.locked, time]), end: [lastSeq],
      });
    },
  ), { numRuns: 300 });
});
