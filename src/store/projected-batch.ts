// A committed batch's rows as bytes: what the server's thread hands the projector's (projector.ts)
// through shared memory. Each changed order as the batch left it (encoded then, so that a later
// batch changing the same order cannot show through), each trade, each ledger entry, and the
// balances the engine changed (its own ex_balance structs). Little-endian; every record starts at a
// multiple of 8, so the reader views the numbers in place.
//
//   header   f64 time · f64 lastSeq · u32 orders · u32 trades · u32 ledger entries · u32 balance bytes ·
//            u32 prevented matches · u32 amendments
//   order    f64 id, price, quantity, filled, createdAt, updatedAt, prevented, decremented, stopPrice,
//            trailingDelta, icebergQuantity, listId · i64 quoteQuantity · u32 accountId ·
//            u8 market, side, type, timeInForce, status, selfTradePrevention, expireReason (0: none),
//            listType (0: none), flags (postOnly 1, triggered 2, has quoteQuantity 4, has
//            listClientOrderId 8), nulls (price 1, stopPrice 2, trailingDelta 4, icebergQuantity 8,
//            listId 16), rejectReason length, clientOrderId length (255: null) · their bytes ·
//            if it has one: u8 listClientOrderId length · its bytes · padding to 8
//   trade    f64 id, price, quantity, takerOrderId, makerOrderId, time · i64 takerFee, makerFee ·
//            u32 takerAccountId, makerAccountId · u8 market, takerSide · padding to 80
//   ledger   f64 time · i64 amount · u32 accountId · u8 asset, kind · padding to 24
//   prevented match  f64 id, takerOrderId, makerOrderId, price, quantity, takerQuantity,
//            makerQuantity, time · u32 accountId · u8 market, mode · padding to 72
//   amendment  f64 id, orderId, origQuantity, newQuantity, time · u32 accountId · u8 market,
//            origClientOrderId length, newClientOrderId length (255: null) · their bytes · padding to 8
//   balances ex_balance structs
import { decodeBalances } from "../../native/engine";
import { SELF_TRADE_MODES, type Markets } from "../markets";
import { EXPIRE_REASONS, ORDER_LIST_TYPES, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE, type OrderState } from "../orders/order";
import {
  AMENDMENT_COLUMNS, LEDGER_COLUMNS, MAKER_ACCOUNT, ORDER_COLUMNS, PREVENTED_MATCH_COLUMNS, TAKER_ACCOUNT, TRADE_COLUMNS, TRADE_ID,
  type AmendmentRecord, type LedgerRecord, type PreventedMatchRecord, type ProjectionWriter, type TradeRecord, type Value,
} from "./projection-writer";

const HEADER = 40, ORDER = 120, TRADE = 80, LEDGER = 24, PREVENTED = 72, AMENDMENT = 48;
const NONE = 255;

// Byte offsets, the layout above, for the writer and the reader alike (the writer stores each f64
// or i64 at its offset / 8 in a word view).
const H_TIME = 0, H_LAST_SEQ = 8, H_ORDERS = 16, H_TRADES = 20, H_LEDGER = 24, H_BALANCE_BYTES = 28, H_PREVENTED = 32,
  H_AMENDMENTS = 36;
const O_ID = 0, O_PRICE = 8, O_QUANTITY = 16, O_FILLED = 24, O_CREATED = 32, O_UPDATED = 40, O_PREVENTED = 48,
  O_DECREMENTED = 56, O_STOP_PRICE = 64, O_TRAILING = 72, O_ICEBERG = 80, O_LIST_ID = 88, O_QUOTE_QUANTITY = 96,
  O_ACCOUNT = 104, O_MARKET = 108, O_SIDE = 109, O_TYPE = 110, O_TIF = 111, O_STATUS = 112, O_STP = 113, O_EXPIRE = 114,
  O_LIST_TYPE = 115, O_FLAGS = 116, O_NULLS = 117, O_REJECT_LENGTH = 118, O_CLIENT_ID_LENGTH = 119;
const T_ID = 0, T_PRICE = 8, T_QUANTITY = 16, T_TAKER_ORDER = 24, T_MAKER_ORDER = 32, T_TIME = 40, T_TAKER_FEE = 48,
  T_MAKER_FEE = 56, T_TAKER_ACCOUNT = 64, T_MAKER_ACCOUNT = 68, T_MARKET = 72, T_SIDE = 73;
const L_TIME = 0, L_AMOUNT = 8, L_ACCOUNT = 16, L_ASSET = 20, L_KIND = 21;
const P_ID = 0, P_TAKER_ORDER = 8, P_MAKER_ORDER = 16, P_PRICE = 24, P_QUANTITY = 32, P_TAKER_QUANTITY = 40,
  P_MAKER_QUANTITY = 48, P_TIME = 56, P_ACCOUNT = 64, P_MARKET = 68, P_MODE = 69;
const A_ID = 0, A_ORDER = 8, A_ORIG_QUANTITY = 16, A_NEW_QUANTITY = 24, A_TIME = 32, A_ACCOUNT = 40, A_MARKET = 44,
  A_ORIG_CLIENT_ID_LENGTH = 45, A_NEW_CLIENT_ID_LENGTH = 46;
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
  preventedMatches: PreventedMatchRecord[];
  amendments: AmendmentRecord[];
}

/** Each name's index in a list, by name (a lookup, not a search, per order). */
const codes = <T extends string>(names: readonly T[]) => Object.fromEntries(names.map((n, i) => [n, i])) as Record<T, number>;
const TYPE = codes(ORDER_TYPES), TIF = codes(TIMES_IN_FORCE), STATUS = codes(ORDER_STATUSES), STP = codes(SELF_TRADE_MODES);
const EXPIRE = codes(EXPIRE_REASONS), LEDGER_KIND = codes(LEDGER_KINDS), LIST_TYPE = codes(ORDER_LIST_TYPES);

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
    this.reserve(HEADER + orders * (ORDER + 200) + batch.trades.length * TRADE + batch.ledger.length * LEDGER +
      batch.preventedMatches.length * PREVENTED + batch.amendments.length * (AMENDMENT + 136) + balances.byteLength);
    const b = this.bytes, f = this.f64, q = this.i64, u = this.u32;
    f[H_TIME / 8] = batch.time;
    f[H_LAST_SEQ / 8] = batch.lastSeq;
    u[H_ORDERS / 4] = orders;
    u[H_TRADES / 4] = batch.trades.length;
    u[H_LEDGER / 4] = batch.ledger.length;
    u[H_BALANCE_BYTES / 4] = balances.byteLength;
    u[H_PREVENTED / 4] = batch.preventedMatches.length;
    u[H_AMENDMENTS / 4] = batch.amendments.length;
    let at = HEADER;
    for (const o of batch.orders) {
      const w = at >>> 3;
      f[w + O_ID / 8] = o.id;
      f[w + O_PRICE / 8] = o.price ?? 0;
      f[w + O_QUANTITY / 8] = o.quantity;
      f[w + O_FILLED / 8] = o.filled;
      f[w + O_CREATED / 8] = o.createdAt;
      f[w + O_UPDATED / 8] = o.updatedAt;
      f[w + O_PREVENTED / 8] = o.prevented;
      f[w + O_DECREMENTED / 8] = o.decremented;
      f[w + O_STOP_PRICE / 8] = o.stopPrice ?? 0;
      f[w + O_TRAILING / 8] = o.trailingDelta ?? 0;
      f[w + O_ICEBERG / 8] = o.icebergQuantity ?? 0;
      f[w + O_LIST_ID / 8] = o.listId ?? 0;
      q[w + O_QUOTE_QUANTITY / 8] = o.quoteQuantity ?? 0n;
      u[(at + O_ACCOUNT) >>> 2] = o.accountId;
      b[at + O_MARKET] = o.market.index;
      b[at + O_SIDE] = o.side === "buy" ? 0 : 1;
      b[at + O_TYPE] = TYPE[o.type];
      b[at + O_TIF] = TIF[o.timeInForce];
      b[at + O_STATUS] = STATUS[o.status!];
      b[at + O_STP] = STP[o.selfTradePrevention];
      b[at + O_EXPIRE] = o.expireReason === null ? 0 : 1 + EXPIRE[o.expireReason];
      b[at + O_LIST_TYPE] = o.listType === null ? 0 : 1 + LIST_TYPE[o.listType];
      b[at + O_FLAGS] = (o.postOnly ? 1 : 0) | (o.triggered ? 2 : 0) | (o.quoteQuantity !== null ? 4 : 0) | (o.listClientOrderId !== null ? 8 : 0);
      b[at + O_NULLS] = (o.price === null ? 1 : 0) | (o.stopPrice === null ? 2 : 0) | (o.trailingDelta === null ? 4 : 0) |
        (o.icebergQuantity === null ? 8 : 0) | (o.listId === null ? 16 : 0);
      let end = at + ORDER;
      end = this.text(o.rejectReason, at + O_REJECT_LENGTH, end, o.id);
      end = this.text(o.clientOrderId, at + O_CLIENT_ID_LENGTH, end, o.id);
      if (o.listClientOrderId !== null) end = this.text(o.listClientOrderId, end, end + 1, o.id);
      at = padded(end);
    }
    for (const t of batch.trades) {
      const w = at >>> 3;
      f[w + T_ID / 8] = t.id;
      f[w + T_PRICE / 8] = t.price;
      f[w + T_QUANTITY / 8] = t.quantity;
      f[w + T_TAKER_ORDER / 8] = t.takerOrderId;
      f[w + T_MAKER_ORDER / 8] = t.makerOrderId;
      f[w + T_TIME / 8] = t.time;
      q[w + T_TAKER_FEE / 8] = t.takerFee;
      q[w + T_MAKER_FEE / 8] = t.makerFee;
      u[(at + T_TAKER_ACCOUNT) >>> 2] = t.takerAccountId;
      u[(at + T_MAKER_ACCOUNT) >>> 2] = t.makerAccountId;
      b[at + T_MARKET] = markets.get(t.symbol)!.index;
      b[at + T_SIDE] = t.takerSide === "buy" ? 0 : 1;
      at += TRADE;
    }
    for (const l of batch.ledger) {
      const w = at >>> 3;
      f[w + L_TIME / 8] = l.time;
      q[w + L_AMOUNT / 8] = l.amount;
      u[(at + L_ACCOUNT) >>> 2] = l.accountId;
      b[at + L_ASSET] = markets.assets.get(l.asset)!.index;
      b[at + L_KIND] = LEDGER_KIND[l.kind];
      at += LEDGER;
    }
    for (const p of batch.preventedMatches) {
      const w = at >>> 3;
      f[w + P_ID / 8] = p.id;
      f[w + P_TAKER_ORDER / 8] = p.takerOrderId;
      f[w + P_MAKER_ORDER / 8] = p.makerOrderId;
      f[w + P_PRICE / 8] = p.price;
      f[w + P_QUANTITY / 8] = p.quantity;
      f[w + P_TAKER_QUANTITY / 8] = p.takerQuantity;
      f[w + P_MAKER_QUANTITY / 8] = p.makerQuantity;
      f[w + P_TIME / 8] = p.time;
      u[(at + P_ACCOUNT) >>> 2] = p.accountId;
      b[at + P_MARKET] = markets.get(p.symbol)!.index;
      b[at + P_MODE] = STP[p.mode];
      at += PREVENTED;
    }
    for (const a of batch.amendments) {
      const w = at >>> 3;
      f[w + A_ID / 8] = a.id;
      f[w + A_ORDER / 8] = a.orderId;
      f[w + A_ORIG_QUANTITY / 8] = a.origQuantity;
      f[w + A_NEW_QUANTITY / 8] = a.newQuantity;
      f[w + A_TIME / 8] = a.time;
      u[(at + A_ACCOUNT) >>> 2] = a.accountId;
      b[at + A_MARKET] = markets.get(a.symbol)!.index;
      let end = at + AMENDMENT;
      end = this.text(a.origClientOrderId, at + A_ORIG_CLIENT_ID_LENGTH, end, a.orderId);
      end = this.text(a.newClientOrderId, at + A_NEW_CLIENT_ID_LENGTH, end, a.orderId);
      at = padded(end);
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
export type RowSink = Pick<ProjectionWriter, "order" | "trade" | "balance" | "ledgerEntry" | "preventedMatch" | "amendment">;

const orderRow: Value[] = new Array(ORDER_COLUMNS).fill(null);
const tradeRow: Value[] = new Array(TRADE_COLUMNS).fill(null);
const ledgerRow: Value[] = new Array(LEDGER_COLUMNS).fill(null);
const preventedRow: Value[] = new Array(PREVENTED_MATCH_COLUMNS).fill(null);
const amendmentRow: Value[] = new Array(AMENDMENT_COLUMNS).fill(null);

/** Hands the rows of an encoded batch (`bytes` starting at a multiple of 8) to `sink`, in each
 *  table's column order, through rows reused from one to the next: nothing per row is kept.
 *  Returns the batch's last journaled entry, for the sink's endBatch (which the caller calls, once
 *  it no longer needs `bytes`). */
export function projectBatch(bytes: Uint8Array, markets: Markets, sink: RowSink): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const time = v.getFloat64(H_TIME, true);
  const orderCount = v.getUint32(H_ORDERS, true), tradeCount = v.getUint32(H_TRADES, true), ledgerCount = v.getUint32(H_LEDGER, true);
  const balanceBytes = v.getUint32(H_BALANCE_BYTES, true), preventedCount = v.getUint32(H_PREVENTED, true);
  const amendmentCount = v.getUint32(H_AMENDMENTS, true);
  const r = orderRow;
  let at = HEADER;
  for (let i = 0; i < orderCount; i++) {
    const flags = bytes[at + O_FLAGS]!, nulls = bytes[at + O_NULLS]!;
    const rejectLength = bytes[at + O_REJECT_LENGTH]!, idLength = bytes[at + O_CLIENT_ID_LENGTH]!;
    const expire = bytes[at + O_EXPIRE]!;
    let end = at + ORDER;
    r[0] = v.getFloat64(at + O_ID, true);
    r[1] = v.getUint32(at + O_ACCOUNT, true);
    r[2] = markets.list[bytes[at + O_MARKET]!]!.symbol;
    r[3] = bytes[at + O_SIDE] === 0 ? "buy" : "sell";
    r[4] = ORDER_TYPES[bytes[at + O_TYPE]!]!;
    r[5] = TIMES_IN_FORCE[bytes[at + O_TIF]!]!;
    r[6] = flags & 1;
    r[7] = nulls & 1 ? null : v.getFloat64(at + O_PRICE, true);
    r[8] = v.getFloat64(at + O_QUANTITY, true);
    r[9] = v.getFloat64(at + O_FILLED, true);
    r[10] = ORDER_STATUSES[bytes[at + O_STATUS]!]!;
    r[11] = rejectLength === NONE ? null : text.decode(bytes.subarray(end, (end += rejectLength)));
    r[12] = idLength === NONE ? null : text.decode(bytes.subarray(end, (end += idLength)));
    r[13] = v.getFloat64(at + O_CREATED, true);
    r[14] = v.getFloat64(at + O_UPDATED, true);
    r[15] = SELF_TRADE_MODES[bytes[at + O_STP]!]!;
    r[16] = flags & 4 ? String(v.getBigInt64(at + O_QUOTE_QUANTITY, true)) : null;
    r[17] = v.getFloat64(at + O_PREVENTED, true);
    r[18] = v.getFloat64(at + O_DECREMENTED, true);
    r[19] = expire === 0 ? null : EXPIRE_REASONS[expire - 1]!;
    r[20] = nulls & 2 ? null : v.getFloat64(at + O_STOP_PRICE, true);
    r[21] = nulls & 4 ? null : v.getFloat64(at + O_TRAILING, true);
    r[22] = nulls & 8 ? null : v.getFloat64(at + O_ICEBERG, true);
    r[23] = nulls & 16 ? null : v.getFloat64(at + O_LIST_ID, true);
    r[24] = bytes[at + O_LIST_TYPE] === 0 ? null : ORDER_LIST_TYPES[bytes[at + O_LIST_TYPE]! - 1]!;
    r[25] = flags & 2 ? 1 : 0;
    if (flags & 8) {
      const n = bytes[end]!;
      r[26] = text.decode(bytes.subarray(end + 1, (end += 1 + n)));
    } else r[26] = null;
    sink.order(r);
    at = padded(end);
  }
  const t = tradeRow;
  for (let i = 0; i < tradeCount; i++, at += TRADE) {
    t[TRADE_ID] = v.getFloat64(at + T_ID, true);
    t[1] = markets.list[bytes[at + T_MARKET]!]!.symbol;
    t[2] = v.getFloat64(at + T_PRICE, true);
    t[3] = v.getFloat64(at + T_QUANTITY, true);
    t[4] = v.getFloat64(at + T_TAKER_ORDER, true);
    t[5] = v.getFloat64(at + T_MAKER_ORDER, true);
    t[6] = bytes[at + T_SIDE] === 0 ? "buy" : "sell";
    t[7] = v.getFloat64(at + T_TIME, true);
    t[8] = String(v.getBigInt64(at + T_TAKER_FEE, true));
    t[9] = String(v.getBigInt64(at + T_MAKER_FEE, true));
    t[TAKER_ACCOUNT] = v.getUint32(at + T_TAKER_ACCOUNT, true);
    t[MAKER_ACCOUNT] = v.getUint32(at + T_MAKER_ACCOUNT, true);
    sink.trade(t);
  }
  const l = ledgerRow;
  for (let i = 0; i < ledgerCount; i++, at += LEDGER) {
    l[0] = v.getUint32(at + L_ACCOUNT, true);
    l[1] = markets.assets.list[bytes[at + L_ASSET]!]!.symbol;
    l[2] = LEDGER_KINDS[bytes[at + L_KIND]!]!;
    l[3] = String(v.getBigInt64(at + L_AMOUNT, true));
    l[4] = v.getFloat64(at + L_TIME, true);
    sink.ledgerEntry(l);
  }
  const p = preventedRow;
  for (let i = 0; i < preventedCount; i++, at += PREVENTED) {
    p[0] = v.getFloat64(at + P_ID, true);
    p[1] = v.getUint32(at + P_ACCOUNT, true);
    p[2] = markets.list[bytes[at + P_MARKET]!]!.symbol;
    p[3] = v.getFloat64(at + P_TAKER_ORDER, true);
    p[4] = v.getFloat64(at + P_MAKER_ORDER, true);
    p[5] = SELF_TRADE_MODES[bytes[at + P_MODE]!]!;
    p[6] = v.getFloat64(at + P_PRICE, true);
    p[7] = v.getFloat64(at + P_QUANTITY, true);
    p[8] = v.getFloat64(at + P_TAKER_QUANTITY, true);
    p[9] = v.getFloat64(at + P_MAKER_QUANTITY, true);
    p[10] = v.getFloat64(at + P_TIME, true);
    sink.preventedMatch(p);
  }
  const a = amendmentRow;
  for (let i = 0; i < amendmentCount; i++) {
    const origLength = bytes[at + A_ORIG_CLIENT_ID_LENGTH]!, newLength = bytes[at + A_NEW_CLIENT_ID_LENGTH]!;
    let end = at + AMENDMENT;
    a[0] = v.getFloat64(at + A_ID, true);
    a[1] = v.getFloat64(at + A_ORDER, true);
    a[2] = v.getUint32(at + A_ACCOUNT, true);
    a[3] = markets.list[bytes[at + A_MARKET]!]!.symbol;
    a[4] = origLength === NONE ? null : text.decode(bytes.subarray(end, (end += origLength)));
    a[5] = newLength === NONE ? null : text.decode(bytes.subarray(end, (end += newLength)));
    a[6] = v.getFloat64(at + A_ORIG_QUANTITY, true);
    a[7] = v.getFloat64(at + A_NEW_QUANTITY, true);
    a[8] = v.getFloat64(at + A_TIME, true);
    sink.amendment(a);
    at = padded(end);
  }
  const assets = markets.assets.list;
  for (const b of decodeBalances(bytes.subarray(at, at + balanceBytes))) sink.balance(b.account, assets[b.asset]!.symbol, b.free, b.locked, time);
  return v.getFloat64(H_LAST_SEQ, true);
}
