// A committed batch's rows as bytes: what the server's thread hands the projector's (projector.ts)
// through shared memory. Each changed order as the batch left it (encoded then, so that a later
// batch changing the same order cannot show through), each trade, each ledger entry, and the
// balances the engine changed (its own ex_balance structs). Little-endian; every record starts at a
// multiple of 8, so the reader views the numbers in place.
//
//   header   f64 time · f64 lastSeq · u32 orders · u32 trades · u32 ledger entries · u32 balance bytes
//   order    f64 id, price, quantity, filled, createdAt, updatedAt, prevented, decremented, stopPrice,
//            trailingDelta, icebergQuantity, listId · i64 quoteQuantity · u32 accountId ·
//            u8 market, side, type, timeInForce, status, selfTradePrevention, expireReason (0: none),
//            listType (0: none), flags (postOnly 1, triggered 2, has quoteQuantity 4), nulls (price 1,
//            stopPrice 2, trailingDelta 4, icebergQuantity 8, listId 16), rejectReason length,
//            clientOrderId length (255: null) · their bytes · padding to 8
//   trade    f64 id, price, quantity, takerOrderId, makerOrderId, time · i64 takerFee, makerFee ·
//            u32 takerAccountId, makerAccountId · u8 market, takerSide · padding to 80
//   ledger   f64 time · i64 amount · u32 accountId · u8 asset, kind · padding to 24
//   balances ex_balance structs
import { decodeBalances } from "../../native/engine";
import { SELF_TRADE_MODES, type Markets } from "../markets";
import { EXPIRE_REASONS, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE, type OrderState } from "../orders/order";
import { LEDGER_COLUMNS, ORDER_COLUMNS, TRADE_COLUMNS, type LedgerRecord, type ProjectionWriter, type TradeRecord, type Value } from "./projection-writer";

const HEADER = 32, ORDER = 120, TRADE = 80, LEDGER = 24;
const NONE = 255;
const LIST_TYPES = [null, "oco", "oto"] as const;
const LEDGER_KINDS = ["deposit", "withdrawal"] as const;

const utf8 = new TextEncoder();
const text = new TextDecoder();
const padded = (n: number) => (n + 7) & ~7;

/** What the sequencer knows of a batch once the engine has processed it. */
export interface BatchRows {
  time: number;
  lastSeq: number;
  orders: ReadonlySet<OrderState>;
  trades: TradeRecord[];
  ledger: LedgerRecord[];
}

/** Each name's index in a list, by name (a lookup, not a search, per order). */
const codes = <T extends string>(names: readonly T[]) => Object.fromEntries(names.map((n, i) => [n, i])) as Record<T, number>;
const TYPE = codes(ORDER_TYPES), TIF = codes(TIMES_IN_FORCE), STATUS = codes(ORDER_STATUSES), STP = codes(SELF_TRADE_MODES);
const EXPIRE = codes(EXPIRE_REASONS), LEDGER_KIND = codes(LEDGER_KINDS);

export class ProjectedBatchEncoder {
  private bytes = new Uint8Array(1 << 16);
  private f64 = new Float64Array(this.bytes.buffer);
  private i64 = new BigInt64Array(this.bytes.buffer);
  private u32 = new Uint32Array(this.bytes.buffer);

  /** The batch's rows, and the engine's changed balances: a view of the encoder's buffer, valid
   *  until the next call (copy it to keep it). */
  encode(batch: BatchRows, balances: Uint8Array, markets: Markets): Uint8Array {
    const orders = batch.orders.size;
    // Client order ids and reject reasons are at most 64 bytes each (both surfaces check them).
    this.reserve(HEADER + orders * (ORDER + 128) + batch.trades.length * TRADE + batch.ledger.length * LEDGER + balances.byteLength);
    const b = this.bytes, f = this.f64, q = this.i64, u = this.u32;
    f[0] = batch.time;
    f[1] = batch.lastSeq;
    u[4] = orders;
    u[5] = batch.trades.length;
    u[6] = batch.ledger.length;
    u[7] = balances.byteLength;
    let at = HEADER;
    for (const o of batch.orders) {
      const w = at >>> 3;
      f[w] = o.id;
      f[w + 1] = o.price ?? 0;
      f[w + 2] = o.quantity;
      f[w + 3] = o.filled;
      f[w + 4] = o.createdAt;
      f[w + 5] = o.updatedAt;
      f[w + 6] = o.prevented;
      f[w + 7] = o.decremented;
      f[w + 8] = o.stopPrice ?? 0;
      f[w + 9] = o.trailingDelta ?? 0;
      f[w + 10] = o.icebergQuantity ?? 0;
      f[w + 11] = o.listId ?? 0;
      q[w + 12] = o.quoteQuantity ?? 0n;
      u[(at + 104) >>> 2] = o.accountId;
      b[at + 108] = o.market.index;
      b[at + 109] = o.side === "buy" ? 0 : 1;
      b[at + 110] = TYPE[o.type];
      b[at + 111] = TIF[o.timeInForce];
      b[at + 112] = STATUS[o.status!];
      b[at + 113] = STP[o.selfTradePrevention];
      b[at + 114] = o.expireReason === null ? 0 : 1 + EXPIRE[o.expireReason];
      b[at + 115] = o.listType === null ? 0 : o.listType === "oco" ? 1 : 2;
      b[at + 116] = (o.postOnly ? 1 : 0) | (o.triggered ? 2 : 0) | (o.quoteQuantity !== null ? 4 : 0);
      b[at + 117] = (o.price === null ? 1 : 0) | (o.stopPrice === null ? 2 : 0) | (o.trailingDelta === null ? 4 : 0) |
        (o.icebergQuantity === null ? 8 : 0) | (o.listId === null ? 16 : 0);
      let end = at + ORDER;
      end = this.text(o.rejectReason, at + 118, end, o.id);
      end = this.text(o.clientOrderId, at + 119, end, o.id);
      at = padded(end);
    }
    for (const t of batch.trades) {
      const w = at >>> 3;
      f[w] = t.id;
      f[w + 1] = t.price;
      f[w + 2] = t.quantity;
      f[w + 3] = t.takerOrderId;
      f[w + 4] = t.makerOrderId;
      f[w + 5] = t.time;
      q[w + 6] = t.takerFee;
      q[w + 7] = t.makerFee;
      u[(at + 64) >>> 2] = t.takerAccountId;
      u[(at + 68) >>> 2] = t.makerAccountId;
      b[at + 72] = markets.get(t.symbol)!.index;
      b[at + 73] = t.takerSide === "buy" ? 0 : 1;
      at += TRADE;
    }
    for (const l of batch.ledger) {
      const w = at >>> 3;
      f[w] = l.time;
      q[w + 1] = l.amount;
      u[(at + 16) >>> 2] = l.accountId;
      b[at + 20] = markets.assets.get(l.asset)!.index;
      b[at + 21] = LEDGER_KIND[l.kind];
      at += LEDGER;
    }
    b.set(balances, at);
    return b.subarray(0, at + balances.byteLength);
  }

  /** Writes a text field at `end` (its length at `lengthAt`, 255 for null); returns the new end. */
  private text(s: string | null, lengthAt: number, end: number, orderId: number): number {
    if (s === null) {
      this.bytes[lengthAt] = NONE;
      return end;
    }
    const { read, written } = utf8.encodeInto(s, this.bytes.subarray(end, end + 64));
    if (read !== s.length) throw new Error(`order ${orderId}: a text field is longer than 64 bytes`);
    this.bytes[lengthAt] = written;
    return end + written;
  }

  private reserve(n: number): void {
    if (n <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < n) size *= 2;
    this.bytes = new Uint8Array(size);
    this.f64 = new Float64Array(this.bytes.buffer);
    this.i64 = new BigInt64Array(this.bytes.buffer);
    this.u32 = new Uint32Array(this.bytes.buffer);
  }
}

/** Where a batch's rows go (a ProjectionWriter). */
export type RowSink = Pick<ProjectionWriter, "order" | "trade" | "balance" | "ledgerEntry">;

const orderRow: Value[] = new Array(ORDER_COLUMNS).fill(null);
const tradeRow: Value[] = new Array(TRADE_COLUMNS).fill(null);
const ledgerRow: Value[] = new Array(LEDGER_COLUMNS).fill(null);

/** Hands the rows of an encoded batch (`bytes` starting at a multiple of 8) to `sink`, in each
 *  table's column order, through rows reused from one to the next: nothing per row is kept.
 *  Returns the batch's last journaled entry, for the sink's endBatch (which the caller calls, once
 *  it no longer needs `bytes`). */
export function projectBatch(bytes: Uint8Array, markets: Markets, sink: RowSink): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const time = v.getFloat64(0, true);
  const orderCount = v.getUint32(16, true), tradeCount = v.getUint32(20, true), ledgerCount = v.getUint32(24, true);
  const balanceBytes = v.getUint32(28, true);
  const r = orderRow;
  let at = HEADER;
  for (let i = 0; i < orderCount; i++) {
    const flags = bytes[at + 116]!, nulls = bytes[at + 117]!, rejectLength = bytes[at + 118]!, idLength = bytes[at + 119]!;
    const expire = bytes[at + 114]!;
    let end = at + ORDER;
    r[0] = v.getFloat64(at, true);
    r[1] = v.getUint32(at + 104, true);
    r[2] = markets.list[bytes[at + 108]!]!.symbol;
    r[3] = bytes[at + 109] === 0 ? "buy" : "sell";
    r[4] = ORDER_TYPES[bytes[at + 110]!]!;
    r[5] = TIMES_IN_FORCE[bytes[at + 111]!]!;
    r[6] = flags & 1;
    r[7] = nulls & 1 ? null : v.getFloat64(at + 8, true);
    r[8] = v.getFloat64(at + 16, true);
    r[9] = v.getFloat64(at + 24, true);
    r[10] = ORDER_STATUSES[bytes[at + 112]!]!;
    r[11] = rejectLength === NONE ? null : text.decode(bytes.subarray(end, (end += rejectLength)));
    r[12] = idLength === NONE ? null : text.decode(bytes.subarray(end, (end += idLength)));
    r[13] = v.getFloat64(at + 32, true);
    r[14] = v.getFloat64(at + 40, true);
    r[15] = SELF_TRADE_MODES[bytes[at + 113]!]!;
    r[16] = flags & 4 ? String(v.getBigInt64(at + 96, true)) : null;
    r[17] = v.getFloat64(at + 48, true);
    r[18] = v.getFloat64(at + 56, true);
    r[19] = expire === 0 ? null : EXPIRE_REASONS[expire - 1]!;
    r[20] = nulls & 2 ? null : v.getFloat64(at + 64, true);
    r[21] = nulls & 4 ? null : v.getFloat64(at + 72, true);
    r[22] = nulls & 8 ? null : v.getFloat64(at + 80, true);
    r[23] = nulls & 16 ? null : v.getFloat64(at + 88, true);
    r[24] = LIST_TYPES[bytes[at + 115]!]!;
    r[25] = flags & 2 ? 1 : 0;
    sink.order(r);
    at = padded(end);
  }
  const t = tradeRow;
  for (let i = 0; i < tradeCount; i++, at += TRADE) {
    t[0] = v.getFloat64(at, true);
    t[1] = markets.list[bytes[at + 72]!]!.symbol;
    t[2] = v.getFloat64(at + 8, true);
    t[3] = v.getFloat64(at + 16, true);
    t[4] = v.getFloat64(at + 24, true);
    t[5] = v.getFloat64(at + 32, true);
    t[6] = bytes[at + 73] === 0 ? "buy" : "sell";
    t[7] = v.getFloat64(at + 40, true);
    t[8] = String(v.getBigInt64(at + 48, true));
    t[9] = String(v.getBigInt64(at + 56, true));
    t[10] = v.getUint32(at + 64, true);
    t[11] = v.getUint32(at + 68, true);
    sink.trade(t);
  }
  const l = ledgerRow;
  for (let i = 0; i < ledgerCount; i++, at += LEDGER) {
    l[0] = v.getUint32(at + 16, true);
    l[1] = markets.assets.list[bytes[at + 20]!]!.symbol;
    l[2] = LEDGER_KINDS[bytes[at + 21]!]!;
    l[3] = String(v.getBigInt64(at + 8, true));
    l[4] = v.getFloat64(at, true);
    sink.ledgerEntry(l);
  }
  const assets = markets.assets.list;
  for (const b of decodeBalances(bytes.subarray(at, at + balanceBytes))) sink.balance(b.account, assets[b.asset]!.symbol, b.free, b.locked, time);
  return v.getFloat64(8, true);
}
