// The binary protocol's encoder and decoder round-trip every message of both sides; a stream of
// messages cut into chunks anywhere reads back as the same messages; random bytes are refused
// with a ProtocolError, never anything else.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { OUTCOME_CODES } from "../src/core/outcomes";
import { SELF_TRADE_MODES } from "../src/markets";
import { EXPIRE_REASONS, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE } from "../src/orders/order";
import {
  CLOSE_REASONS, decodeClientMessage, decodeServerMessage, encodeClientMessage, encodeServerMessage, FrameReader,
  MessageWriter, ProtocolError, type ClientMessage, type ServerMessage,
} from "../src/gateway/protocol";

const seq = fc.integer({ min: 0, max: 0xffffffff });
const int = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const signed = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,36}$/);
const text = fc.string({ maxLength: 120 });
const short = fc.stringMatching(/^[A-Z0-9.-]{1,16}$/);

const orderBody = {
  market: fc.integer({ min: 0, max: 0xffff }),
  side: fc.constantFrom("buy" as const, "sell" as const), orderType: fc.constantFrom(...ORDER_TYPES),
    timeInForce: fc.constantFrom(...TIMES_IN_FORCE), postOnly: fc.boolean(),
    selfTradePrevention: fc.option(fc.constantFrom(...SELF_TRADE_MODES), { nil: null }),
    price: int, quantity: int, quoteQuantity: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), stopPrice: int,
    icebergQuantity: int, trailingDelta: fc.integer({ min: 0, max: 0xffffffff }), clientOrderId: fc.option(id, { nil: null }),
};

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ type: fc.constant("login" as const), seq, apiKey: fc.stringMatching(/^[A-Za-z0-9_-]{0,64}$/) }),
  fc.record({ type: fc.constant("newOrder" as const), seq, ...orderBody }),
  fc.record({ type: fc.constant("newList" as const), seq, listType: fc.constantFrom("oco" as const, "oto" as const), orders: fc.tuple(fc.record(orderBody), fc.record(orderBody)), listClientOrderId: fc.option(id, { nil: null }) }),
  fc.record({ type: fc.constant("newList" as const), seq, listType: fc.constant("otoco" as const), orders: fc.tuple(fc.record(orderBody), fc.record(orderBody), fc.record(orderBody)), listClientOrderId: fc.option(id, { nil: null }) }),
  fc.record({ type: fc.constant("cancel" as const), seq, orderId: int }),
  fc.record({ type: fc.constant("amend" as const), seq, orderId: int, price: int, quantity: int }),
  fc.record({ type: fc.constant("cancelAll" as const), seq, market: fc.integer({ min: 0, max: 0xffff }) }),
);

const serverMessage: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.record({ type: fc.constant("loginAccepted" as const), seq, accountId: fc.integer({ min: 0, max: 0xffffffff }), markets: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ type: fc.constant("market" as const), seq, market: fc.integer({ min: 0, max: 0xffff }), symbol: short, tickSize: short, stepSize: short, minQuantity: short }),
  fc.record({ type: fc.constant("accepted" as const), seq, orderId: int, status: fc.constantFrom(...ORDER_STATUSES), filled: int, price: int }),
  fc.record({ type: fc.constant("rejected" as const), seq, code: fc.constantFrom(...OUTCOME_CODES), message: text }),
  fc.record({
    type: fc.constant("fill" as const), seq, orderId: int, tradeId: int, price: int, quantity: int,
    fee: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), liquidity: fc.constantFrom("maker" as const, "taker" as const), side: fc.constantFrom("buy" as const, "sell" as const),
  }),
  fc.record({ type: fc.constant("cancelled" as const), seq, orderId: int, filled: int }),
  fc.record({ type: fc.constant("expired" as const), seq, orderId: int, filled: int, reason: fc.option(fc.constantFrom(...EXPIRE_REASONS), { nil: null }) }),
  fc.record({ type: fc.constant("amended" as const), seq, orderId: int, price: signed, quantity: int, filled: int }),
  fc.record({ type: fc.constant("cancelAllDone" as const), seq, count: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.integer({ min: 2, max: 3 }).chain((n) => fc.record({
    type: fc.constant("listAccepted" as const), seq, listId: int,
    orderIds: fc.array(int, { minLength: n, maxLength: n }), statuses: fc.array(fc.constantFrom(...ORDER_STATUSES), { minLength: n, maxLength: n }),
  })),
  fc.record({ type: fc.constant("closing" as const), seq, reason: fc.constantFrom(...CLOSE_REASONS), message: text }),
);

function decodeAll<T>(bytes: Uint8Array, decode: (v: DataView, at: number, n: number) => T, chunks: number[] = []): T[] {
  const reader = new FrameReader();
  const out: T[] = [];
  let from = 0;
  for (const cut of [...chunks.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    reader.push(bytes.slice(from, cut), (v, at, n) => void out.push(decode(v, at, n)));
    from = cut;
  }
  expect(reader.partial).toBe(0);
  return out;
}

test("every client message round-trips, however the stream is cut into chunks", () => {
  fc.assert(fc.property(fc.array(clientMessage, { minLength: 1, maxLength: 20 }), fc.array(fc.nat({ max: 2000 })), (messages, cuts) => {
    const w = new MessageWriter();
    for (const m of messages) encodeClientMessage(w, m);
    const bytes = w.take();
    expect(decodeAll(bytes, decodeClientMessage, cuts)).toEqual(messages);
  }), { numRuns: 500 });
});

test("every server message round-trips, however the stream is cut into chunks", () => {
  fc.assert(fc.property(fc.array(serverMessage, { minLength: 1, maxLength: 20 }), fc.array(fc.nat({ max: 2000 })), (messages, cuts) => {
    const w = new MessageWriter();
    for (const m of messages) encodeServerMessage(w, m);
    expect(decodeAll(w.take(), decodeServerMessage, cuts)).toEqual(messages);
  }), { numRuns: 500 });
});

test("random bytes are refused with a ProtocolError and nothing else", () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
    try {
      new FrameReader().push(bytes, (v, at, n) => void decodeClientMessage(v, at, n)); // (a cut-off end just waits)
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
    }
  }), { numRuns: 2000 });
});

test("a message whose fields are cut or padded is malformed", () => {
  const w = new MessageWriter();
  encodeClientMessage(w, { type: "cancel", seq: 1, orderId: 5 });
  const bytes = w.take();
  const padded = new Uint8Array(20);
  padded.set(bytes);
  padded[0] = 20;
  expect(() => decodeAll(padded, decodeClientMessage)).toThrow(/cancel message is 16 bytes/);
  const tooShort = bytes.slice(0, 12);
  tooShort[0] = 12;
  expect(() => decodeAll(tooShort, decodeClientMessage)).toThrow(/16 bytes, not 12/);
  const tiny = new Uint8Array([4, 0, 3, 0]);
  expect(() => decodeAll(tiny, decodeClientMessage)).toThrow(/at least 8/);
});
