// The binary order-entry protocol (docs/binary-protocol.md): length-prefixed little-endian
// messages, the same over TCP and in WebSocket binary frames. Prices are the market's ticks,
// quantities its lots and amounts its asset's smallest units, as integers: nothing is parsed or
// formatted on the way in or out. Each message starts with
//   u16 length (of the whole message, this field included) · u8 type · u8 flags (0) · u32 seq
// where seq is the client's sequence number: 1, 2, 3 … on the client's messages, and on the
// server's the number of the message answered (0 for what no message asked for: fills, expiries).
// This module only encodes and decodes; it knows nothing of sessions or of the core.
import { Refusal } from "../refusal";
import { OUTCOME_CODES, type OutcomeCode } from "../core/outcomes";
import { SELF_TRADE_MODES, type SelfTradeMode } from "../markets";
import { EXPIRE_REASONS, LIST_SIZE, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE, type ExpireReason, type OrderListType, type OrderStatus, type OrderType, type TimeInForce } from "../orders/order";

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 8;
/** The longest message either side sends (a rejection's or a close's text is cut to fit). */
export const MAX_MESSAGE_BYTES = 512;
/** "Use the market's default" for a new order's self-trade prevention. */
export const STP_DEFAULT = 255;
/** "Every market" for cancel-all. */
export const ALL_MARKETS = 0xffff;

export const ClientType = { login: 1, newOrder: 2, cancel: 3, amend: 4, cancelAll: 5, newList: 6 } as const;
export const ServerType = {
  loginAccepted: 0x81, market: 0x82, accepted: 0x83, rejected: 0x84, fill: 0x85, cancelled: 0x86,
  expired: 0x87, amended: 0x88, cancelAllDone: 0x89, listAccepted: 0x8a, closing: 0x8f,
} as const;

/** Why the server closes a session (the closing message's code). */
export const CLOSE_REASONS = ["MALFORMED", "TRUNCATED", "OVERSIZED", "OUT_OF_SEQUENCE", "NOT_LOGGED_IN", "LOGIN_FAILED", "SLOW_CONSUMER", "SHUTTING_DOWN"] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** A new order's fields: a new order message's, and each of a new list's two. */
export interface OrderBody {
  market: number;
  side: "buy" | "sell";
  orderType: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  selfTradePrevention: SelfTradeMode | null; // null: the market's
  /** 0 where not given (price of a market order, stop of a plain one, …). */
  price: number;
  quantity: number;
  quoteQuantity: bigint;
  stopPrice: number;
  icebergQuantity: number;
  trailingDelta: number;
  clientOrderId: string | null;
}

export type NewOrder = { type: "newOrder"; seq: number } & OrderBody;
/** OCO (either fills, in part, or triggers: the other is cancelled), OTO (the second is placed
 *  when the first fills) or OTOCO (three: the pair after the first is placed as an OCO when it
 *  fills), as `POST /api/v1/orderLists` takes them. */
/** The list types this protocol carries (by code). An OPO's pending orders give no quantity, which
 *  an order body cannot say: OPO and OPOCO are the Binance surface's. */
export const LIST_TYPES = ["oco", "oto", "otoco"] as const satisfies readonly OrderListType[];
export type NewList = { type: "newList"; seq: number; listType: (typeof LIST_TYPES)[number]; orders: OrderBody[]; listClientOrderId: string | null };

export type ClientMessage =
  | { type: "login"; seq: number; apiKey: string }
  | NewOrder
  | NewList
  | { type: "cancel"; seq: number; orderId: number }
  | { type: "amend"; seq: number; orderId: number; price: number; quantity: number }
  | { type: "cancelAll"; seq: number; market: number };

export interface MarketInfo {
  market: number;
  symbol: string;
  tickSize: string;
  stepSize: string;
  minQuantity: string;
}

export type ServerMessage =
  | { type: "loginAccepted"; seq: number; accountId: number; markets: number }
  | ({ type: "market"; seq: number } & MarketInfo)
  | { type: "accepted"; seq: number; orderId: number; status: OrderStatus; filled: number; price: number }
  | { type: "rejected"; seq: number; code: OutcomeCode; message: string }
  | { type: "fill"; seq: number; orderId: number; tradeId: number; price: number; quantity: number; fee: bigint; liquidity: "maker" | "taker"; side: "buy" | "sell" }
  | { type: "cancelled"; seq: number; orderId: number; filled: number }
  | { type: "expired"; seq: number; orderId: number; filled: number; reason: ExpireReason | null }
  | { type: "amended"; seq: number; orderId: number; price: number; quantity: number; filled: number }
  | { type: "cancelAllDone"; seq: number; count: number }
  | { type: "listAccepted"; seq: number; listId: number; orderIds: number[]; statuses: OrderStatus[] }
  | { type: "closing"; seq: number; reason: CloseReason; message: string };

/** A message the protocol cannot take: the session closes with `reason`. */
export class ProtocolError extends Refusal {
  constructor(readonly reason: CloseReason, message: string) {
    super(message);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** A growable output buffer that messages are encoded into, back to back. */
export class MessageWriter {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);
  length = 0;

  /** Room for a message of at most `n` bytes at `length`; returns its offset. */
  begin(n: number): number {
    if (this.length + n > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.length + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    return this.length;
  }

  header(at: number, length: number, type: number, seq: number): void {
    this.view.setUint16(at, length, true);
    this.bytes[at + 2] = type;
    this.bytes[at + 3] = 0;
    this.view.setUint32(at + 4, seq, true);
    this.length = at + length;
  }

  /** Takes what is written (a copy) and starts over. */
  take(): Uint8Array {
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    return out;
  }

  /** Writes a UTF-8 string of at most `max` bytes at `at`, cut at a character; returns its bytes. */
  text(at: number, s: string, max: number): number {
    return encoder.encodeInto(s, this.bytes.subarray(at, at + max)).written;
  }
}

// i64 fields carry integers below 2^53 (the engine's bound is 10^15): read as two halves, which
// needs no BigInt. A value that is not a safe integer is malformed.
function setI64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n >>> 0, true);
  v.setInt32(at + 4, Math.floor(n / 4294967296), true);
}
function getI64(v: DataView, at: number, field: string): number {
  const n = v.getInt32(at + 4, true) * 4294967296 + v.getUint32(at, true);
  if (!Number.isSafeInteger(n)) throw new ProtocolError("MALFORMED", `${field} is not an integer below 2^53`);
  return n;
}

function code<T>(table: readonly T[], value: T, what: string): number {
  const i = table.indexOf(value);
  if (i < 0) throw new Error(`no wire code for ${what} ${String(value)}`);
  return i;
}
function named<T>(table: readonly T[], i: number, what: string): T {
  const value = table[i];
  if (value === undefined) throw new ProtocolError("MALFORMED", `${what} ${i} is not one of 0 to ${table.length - 1}`);
  return value;
}

// ---- client messages --------------------------------------------------------------------------

/** A new order's fields without the header (offsets 8-63 of a new order message), before its
 *  client order id. */
const ORDER_BODY_FIXED = 56;
const MAX_CLIENT_ORDER_ID = 36;
const MAX_API_KEY = 128;

export function encodeClientMessage(w: MessageWriter, m: ClientMessage): void {
  const at = w.begin(MAX_MESSAGE_BYTES);
  const v = w.view, b = w.bytes;
  switch (m.type) {
    case "login": {
      const n = w.text(at + HEADER_BYTES + 2, m.apiKey, MAX_API_KEY);
      b[at + 8] = PROTOCOL_VERSION;
      b[at + 9] = n;
      return w.header(at, HEADER_BYTES + 2 + n, ClientType.login, m.seq);
    }
    case "newOrder":
      return w.header(at, HEADER_BYTES + encodeOrderBody(w, at + HEADER_BYTES, m), ClientType.newOrder, m.seq);
    case "newList": {
      b[at + 8] = code(LIST_TYPES, m.listType, "list type");
      b.fill(0, at + 9, at + 16);
      let length = 16;
      for (const o of m.orders) length += encodeOrderBody(w, at + length, o);
      // The list's client id (if any) after its orders, its length at 9.
      if (m.listClientOrderId !== null) length += (b[at + 9] = w.text(at + length, m.listClientOrderId, MAX_CLIENT_ORDER_ID));
      return w.header(at, length, ClientType.newList, m.seq);
    }
    case "cancel":
      setI64(v, at + 8, m.orderId);
      return w.header(at, 16, ClientType.cancel, m.seq);
    case "amend":
      setI64(v, at + 8, m.orderId);
      setI64(v, at + 16, m.price);
      setI64(v, at + 24, m.quantity);
      return w.header(at, 32, ClientType.amend, m.seq);
    case "cancelAll":
      v.setUint16(at + 8, m.market, true);
      b.fill(0, at + 10, at + 16);
      return w.header(at, 16, ClientType.cancelAll, m.seq);
  }
}

/** A new order's fields at `at` (a new order's offset 8): returns their length. */
function encodeOrderBody(w: MessageWriter, at: number, m: OrderBody): number {
  const v = w.view, b = w.bytes;
  v.setUint16(at, m.market, true);
  b[at + 2] = m.side === "buy" ? 0 : 1;
  b[at + 3] = code(ORDER_TYPES, m.orderType, "order type");
  b[at + 4] = code(TIMES_IN_FORCE, m.timeInForce, "time in force");
  b[at + 5] = m.postOnly ? 1 : 0;
  b[at + 6] = m.selfTradePrevention === null ? STP_DEFAULT : code(SELF_TRADE_MODES, m.selfTradePrevention, "self-trade prevention");
  const n = m.clientOrderId === null ? 0 : w.text(at + ORDER_BODY_FIXED, m.clientOrderId, MAX_CLIENT_ORDER_ID);
  b[at + 7] = n;
  setI64(v, at + 8, m.price);
  setI64(v, at + 16, m.quantity);
  v.setBigInt64(at + 24, m.quoteQuantity, true);
  setI64(v, at + 32, m.stopPrice);
  setI64(v, at + 40, m.icebergQuantity);
  v.setUint32(at + 48, m.trailingDelta, true);
  v.setUint32(at + 52, 0, true);
  return ORDER_BODY_FIXED + n;
}

/** Reads the new order's fields at `at`, within a message that ends at `end`, into `into`; returns
 *  their length. (Into the message itself: spreading a body object into it was 6% of the server's
 *  thread under binary load, BENCHMARKS.md.) */
function readOrderBody(v: DataView, at: number, end: number, into: OrderBody): number {
  if (at + ORDER_BODY_FIXED > end) throw new ProtocolError("MALFORMED", "an order's fields are cut short");
  const n = v.getUint8(at + 7);
  if (n > MAX_CLIENT_ORDER_ID) throw new ProtocolError("MALFORMED", `a client order id is at most ${MAX_CLIENT_ORDER_ID} bytes, not ${n}`);
  if (at + ORDER_BODY_FIXED + n > end) throw new ProtocolError("MALFORMED", "an order's client order id is cut short");
  const side = v.getUint8(at + 2), flags = v.getUint8(at + 5), stp = v.getUint8(at + 6);
  if (side > 1) throw new ProtocolError("MALFORMED", `side ${side} is not 0 (buy) or 1 (sell)`);
  if (flags > 1) throw new ProtocolError("MALFORMED", `order flags ${flags}: only bit 0 (post-only) is defined`);
  if (v.getUint32(at + 52, true) !== 0) throw new ProtocolError("MALFORMED", "an order's reserved bytes (offset 60-63 of a new order) must be 0");
  into.market = v.getUint16(at, true);
  into.side = side === 0 ? "buy" : "sell";
  into.orderType = named(ORDER_TYPES, v.getUint8(at + 3), "order type");
  into.timeInForce = named(TIMES_IN_FORCE, v.getUint8(at + 4), "time in force");
  into.postOnly = flags === 1;
  into.selfTradePrevention = stp === STP_DEFAULT ? null : named(SELF_TRADE_MODES, stp, "self-trade prevention");
  into.price = getI64(v, at + 8, "price");
  into.quantity = getI64(v, at + 16, "quantity");
  into.quoteQuantity = v.getBigInt64(at + 24, true);
  into.stopPrice = getI64(v, at + 32, "stopPrice");
  into.icebergQuantity = getI64(v, at + 40, "icebergQuantity");
  into.trailingDelta = v.getUint32(at + 48, true);
  into.clientOrderId = n === 0 ? null : utf8(v, at + ORDER_BODY_FIXED, n, "the client order id");
  return ORDER_BODY_FIXED + n;
}

function expectLength(length: number, want: number, what: string): void {
  if (length !== want) throw new ProtocolError("MALFORMED", `a ${what} message is ${want} bytes, not ${length}`);
}

/** The client message of `length` bytes at `at` (its length already read and checked). */
export function decodeClientMessage(v: DataView, at: number, length: number): ClientMessage {
  const type = v.getUint8(at + 2);
  if (v.getUint8(at + 3) !== 0) throw new ProtocolError("MALFORMED", "the flags byte must be 0");
  const seq = v.getUint32(at + 4, true);
  switch (type) {
    case ClientType.login: {
      if (length < HEADER_BYTES + 2) throw new ProtocolError("MALFORMED", "a login message carries a version and an API key");
      const version = v.getUint8(at + 8), n = v.getUint8(at + 9);
      if (version !== PROTOCOL_VERSION) throw new ProtocolError("MALFORMED", `protocol version ${version} is not spoken here (${PROTOCOL_VERSION} is)`);
      expectLength(length, HEADER_BYTES + 2 + n, "login");
      return { type: "login", seq, apiKey: utf8(v, at + 10, n, "the API key") };
    }
    case ClientType.newOrder: {
      const m = { type: "newOrder", seq } as NewOrder;
      expectLength(length, HEADER_BYTES + readOrderBody(v, at + HEADER_BYTES, at + length, m), "new order");
      return m;
    }
    case ClientType.newList: {
      if (length < 16) throw new ProtocolError("MALFORMED", "a new list message carries its type and its orders");
      const typeCode = v.getUint8(at + 8);
      if (typeCode >= LIST_TYPES.length) throw new ProtocolError("MALFORMED", `list type ${typeCode} is not 0 (oco), 1 (oto) or 2 (otoco)`);
      const n = v.getUint8(at + 9);
      if (n > MAX_CLIENT_ORDER_ID) throw new ProtocolError("MALFORMED", `a list client order id is at most ${MAX_CLIENT_ORDER_ID} bytes, not ${n}`);
      for (let i = 10; i < 16; i++) if (v.getUint8(at + i) !== 0) throw new ProtocolError("MALFORMED", "bytes 10-15 of a new list must be 0");
      const listType = LIST_TYPES[typeCode]!;
      const orders: OrderBody[] = [];
      let read = 16;
      for (let k = 0; k < LIST_SIZE[listType]; k++) {
        const o = {} as OrderBody;
        read += readOrderBody(v, at + read, at + length, o);
        orders.push(o);
      }
      expectLength(length, read + n, "new list");
      const listClientOrderId = n === 0 ? null : utf8(v, at + read, n, "the list client order id");
      return { type: "newList", seq, listType, orders, listClientOrderId };
    }
    case ClientType.cancel:
      expectLength(length, 16, "cancel");
      return { type: "cancel", seq, orderId: getI64(v, at + 8, "orderId") };
    case ClientType.amend:
      expectLength(length, 32, "amend");
      return { type: "amend", seq, orderId: getI64(v, at + 8, "orderId"), price: getI64(v, at + 16, "price"), quantity: getI64(v, at + 24, "quantity") };
    case ClientType.cancelAll:
      expectLength(length, 16, "cancel-all");
      return { type: "cancelAll", seq, market: v.getUint16(at + 8, true) };
    default:
      throw new ProtocolError("MALFORMED", `message type ${type} is not a client message`);
  }
}

function utf8(v: DataView, at: number, n: number, what: string): string {
  try {
    return decoder.decode(new Uint8Array(v.buffer, v.byteOffset + at, n));
  } catch {
    throw new ProtocolError("MALFORMED", `${what} is not UTF-8`);
  }
}

// ---- server messages --------------------------------------------------------------------------

const TEXT_MAX = MAX_MESSAGE_BYTES - 16;

export function encodeServerMessage(w: MessageWriter, m: ServerMessage): void {
  const at = w.begin(MAX_MESSAGE_BYTES);
  const v = w.view, b = w.bytes;
  switch (m.type) {
    case "loginAccepted":
      v.setUint32(at + 8, m.accountId, true);
      v.setUint16(at + 12, m.markets, true);
      v.setUint16(at + 14, 0, true);
      return w.header(at, 16, ServerType.loginAccepted, m.seq);
    case "market": {
      v.setUint16(at + 8, m.market, true);
      let to = at + 16;
      const lengths = [m.symbol, m.tickSize, m.stepSize, m.minQuantity].map((s) => {
        const n = w.text(to, s, 64);
        to += n;
        return n;
      });
      lengths.forEach((n, i) => (b[at + 10 + i] = n));
      b[at + 14] = b[at + 15] = 0;
      return w.header(at, to - at, ServerType.market, m.seq);
    }
    case "accepted":
      setI64(v, at + 8, m.orderId);
      b[at + 16] = code(ORDER_STATUSES, m.status, "status");
      b.fill(0, at + 17, at + 24);
      setI64(v, at + 24, m.filled);
      setI64(v, at + 32, m.price);
      return w.header(at, 40, ServerType.accepted, m.seq);
    case "rejected": {
      v.setUint16(at + 8, code(OUTCOME_CODES, m.code, "outcome") + 1, true);
      const n = w.text(at + 16, m.message, TEXT_MAX);
      v.setUint16(at + 10, n, true);
      v.setUint32(at + 12, 0, true);
      return w.header(at, 16 + n, ServerType.rejected, m.seq);
    }
    case "fill":
      setI64(v, at + 8, m.orderId);
      setI64(v, at + 16, m.tradeId);
      setI64(v, at + 24, m.price);
      setI64(v, at + 32, m.quantity);
      v.setBigInt64(at + 40, m.fee, true);
      b[at + 48] = m.liquidity === "maker" ? 0 : 1;
      b[at + 49] = m.side === "buy" ? 0 : 1;
      b.fill(0, at + 50, at + 56);
      return w.header(at, 56, ServerType.fill, m.seq);
    case "cancelled":
      setI64(v, at + 8, m.orderId);
      setI64(v, at + 16, m.filled);
      return w.header(at, 24, ServerType.cancelled, m.seq);
    case "expired":
      setI64(v, at + 8, m.orderId);
      setI64(v, at + 16, m.filled);
      b[at + 24] = m.reason === null ? 0 : code(EXPIRE_REASONS, m.reason, "expire reason") + 1;
      b.fill(0, at + 25, at + 32);
      return w.header(at, 32, ServerType.expired, m.seq);
    case "amended":
      setI64(v, at + 8, m.orderId);
      setI64(v, at + 16, m.price);
      setI64(v, at + 24, m.quantity);
      setI64(v, at + 32, m.filled);
      return w.header(at, 40, ServerType.amended, m.seq);
    case "cancelAllDone":
      v.setUint32(at + 8, m.count, true);
      v.setUint32(at + 12, 0, true);
      return w.header(at, 16, ServerType.cancelAllDone, m.seq);
    case "listAccepted": {
      // Two orders: ids at 16 and 24, statuses at 32 and 33. A third (OTOCO): its id at 40, its
      // status at 48.
      const three = m.orderIds.length === 3;
      setI64(v, at + 8, m.listId);
      setI64(v, at + 16, m.orderIds[0]!);
      setI64(v, at + 24, m.orderIds[1]!);
      b[at + 32] = code(ORDER_STATUSES, m.statuses[0]!, "status");
      b[at + 33] = code(ORDER_STATUSES, m.statuses[1]!, "status");
      b.fill(0, at + 34, at + 40);
      if (three) {
        setI64(v, at + 40, m.orderIds[2]!);
        b[at + 48] = code(ORDER_STATUSES, m.statuses[2]!, "status");
        b.fill(0, at + 49, at + 56);
      }
      return w.header(at, three ? 56 : 40, ServerType.listAccepted, m.seq);
    }
    case "closing": {
      v.setUint16(at + 8, code(CLOSE_REASONS, m.reason, "close reason"), true);
      const n = w.text(at + 16, m.message, TEXT_MAX);
      v.setUint16(at + 10, n, true);
      v.setUint32(at + 12, 0, true);
      return w.header(at, 16 + n, ServerType.closing, m.seq);
    }
  }
}

export function decodeServerMessage(v: DataView, at: number, length: number): ServerMessage {
  const type = v.getUint8(at + 2);
  const seq = v.getUint32(at + 4, true);
  const text = (n: number) => utf8(v, at + 16, n, "the text");
  switch (type) {
    case ServerType.loginAccepted:
      return { type: "loginAccepted", seq, accountId: v.getUint32(at + 8, true), markets: v.getUint16(at + 12, true) };
    case ServerType.market: {
      let from = at + 16;
      const [symbol, tickSize, stepSize, minQuantity] = [0, 1, 2, 3].map((i) => {
        const n = v.getUint8(at + 10 + i);
        const s = utf8(v, from, n, "a market field");
        from += n;
        return s;
      }) as [string, string, string, string];
      return { type: "market", seq, market: v.getUint16(at + 8, true), symbol, tickSize, stepSize, minQuantity };
    }
    case ServerType.accepted:
      return { type: "accepted", seq, orderId: getI64(v, at + 8, "orderId"), status: named(ORDER_STATUSES, v.getUint8(at + 16), "status"), filled: getI64(v, at + 24, "filled"), price: getI64(v, at + 32, "price") };
    case ServerType.rejected:
      return { type: "rejected", seq, code: named(OUTCOME_CODES, v.getUint16(at + 8, true) - 1, "outcome"), message: text(v.getUint16(at + 10, true)) };
    case ServerType.fill:
      return {
        type: "fill", seq, orderId: getI64(v, at + 8, "orderId"), tradeId: getI64(v, at + 16, "tradeId"), price: getI64(v, at + 24, "price"),
        quantity: getI64(v, at + 32, "quantity"), fee: v.getBigInt64(at + 40, true), liquidity: v.getUint8(at + 48) === 0 ? "maker" : "taker",
        side: v.getUint8(at + 49) === 0 ? "buy" : "sell",
      };
    case ServerType.cancelled:
      return { type: "cancelled", seq, orderId: getI64(v, at + 8, "orderId"), filled: getI64(v, at + 16, "filled") };
    case ServerType.expired: {
      const reason = v.getUint8(at + 24);
      return { type: "expired", seq, orderId: getI64(v, at + 8, "orderId"), filled: getI64(v, at + 16, "filled"), reason: reason === 0 ? null : named(EXPIRE_REASONS, reason - 1, "expire reason") };
    }
    case ServerType.amended:
      return { type: "amended", seq, orderId: getI64(v, at + 8, "orderId"), price: getI64(v, at + 16, "price"), quantity: getI64(v, at + 24, "quantity"), filled: getI64(v, at + 32, "filled") };
    case ServerType.cancelAllDone:
      return { type: "cancelAllDone", seq, count: v.getUint32(at + 8, true) };
    case ServerType.listAccepted: {
      const m: Extract<ServerMessage, { type: "listAccepted" }> = {
        type: "listAccepted", seq, listId: getI64(v, at + 8, "listId"), orderIds: [getI64(v, at + 16, "orderId"), getI64(v, at + 24, "orderId")],
        statuses: [named(ORDER_STATUSES, v.getUint8(at + 32), "status"), named(ORDER_STATUSES, v.getUint8(at + 33), "status")],
      };
      if (length === 56) {
        m.orderIds.push(getI64(v, at + 40, "orderId"));
        m.statuses.push(named(ORDER_STATUSES, v.getUint8(at + 48), "status"));
      }
      return m;
    }
    case ServerType.closing:
      return { type: "closing", seq, reason: named(CLOSE_REASONS, v.getUint16(at + 8, true), "close reason"), message: text(v.getUint16(at + 10, true)) };
    default:
      throw new ProtocolError("MALFORMED", `message type ${type} is not a server message`);
  }
}

/**
 * Splits a byte stream into messages: bytes arrive in chunks (TCP segments, WebSocket frames) that
 * need not end at a message's end; the rest of a message is kept until its next chunk. Memory is
 * bounded: at most one message's bytes wait.
 */
export class FrameReader {
  private readonly pending = new Uint8Array(MAX_MESSAGE_BYTES);
  private readonly pendingView = new DataView(this.pending.buffer);
  private pendingLength = 0;

  /** Calls `each` for every whole message in `chunk` (with what was left of the last one). */
  push(chunk: Uint8Array, each: (view: DataView, at: number, length: number) => void): void {
    let from = 0;
    // First the message begun in an earlier chunk: its length, then the rest of its bytes.
    while (this.pendingLength > 0 && from < chunk.length) {
      const want = this.pendingLength < 2 ? 2 : messageLength(this.pending, 0);
      const take = Math.min(want - this.pendingLength, chunk.length - from);
      this.pending.set(chunk.subarray(from, from + take), this.pendingLength);
      this.pendingLength += take;
      from += take;
      if (this.pendingLength >= 2 && this.pendingLength === messageLength(this.pending, 0)) {
        this.pendingLength = 0;
        each(this.pendingView, 0, messageLength(this.pending, 0));
      }
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (from + 2 <= chunk.length) {
      const length = messageLength(chunk, from);
      if (from + length > chunk.length) break;
      each(view, from, length);
      from += length;
    }
    if (from < chunk.length) {
      this.pending.set(chunk.subarray(from), 0);
      this.pendingLength = chunk.length - from;
    }
  }

  /** Bytes of a message begun but not finished: a session that ends with some was cut short. */
  get partial(): number {
    return this.pendingLength;
  }
}

function messageLength(bytes: Uint8Array, at: number): number {
  const length = bytes[at]! | (bytes[at + 1]! << 8);
  if (length < HEADER_BYTES) throw new ProtocolError("MALFORMED", `a message's length must be at least ${HEADER_BYTES}, not ${length}`);
  if (length > MAX_MESSAGE_BYTES) throw new ProtocolError("OVERSIZED", `a message is at most ${MAX_MESSAGE_BYTES} bytes, not ${length}`);
  return length;
}
