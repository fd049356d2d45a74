// The binary order-entry gateway against a real server and database: login, every order type,
// cancel, amend, cancel-all, fills to both sides, answers only after commit and in order, over TCP
// and WebSocket binary frames; malformed, truncated, oversized and out-of-sequence messages each
// close the session with a reason and change nothing; a session that does not read is paused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BinaryClient } from "../src/gateway/client";
import { decodeServerMessage, encodeClientMessage, FrameReader, MessageWriter, type ServerMessage } from "../src/gateway/protocol";
import { startTestExchange, waitFor } from "./helpers";

let ex: ReturnType<typeof startTestExchange>;
let tcp: string;
let ws: string;
let alice: string;
let bob: string;

beforeAll(() => {
  ex = startTestExchange(undefined, undefined, { binaryPort: 0 });
  tcp = `tcp://127.0.0.1:${ex.binaryPort}`;
  ws = `${ex.url.replace("http", "ws")}/binary`;
  alice = ex.newAccount("alice");
  bob = ex.newAccount("bob");
});
afterAll(() => ex.stop());

/** BTC-USD: tick 0.01, step 0.0001 (the built-in market). */
const limit = (c: BinaryClient, side: "buy" | "sell", price: number, quantity: number, extra: Record<string, unknown> = {}) => ({
  type: "newOrder" as const, market: c.market("BTC-USD"), side, orderType: "limit" as const, timeInForce: "GTC" as const, postOnly: false,
  selfTradePrevention: null, price, quantity, quoteQuantity: 0n, stopPrice: 0, icebergQuantity: 0, trailingDelta: 0, clientOrderId: null, ...extra,
});

/** A raw TCP connection: the bytes we send, what comes back, and when it closed. */
async function raw() {
  const reader = new FrameReader();
  const received: ServerMessage[] = [];
  let closed = false;
  const socket = await Bun.connect({
    hostname: "127.0.0.1", port: ex.binaryPort!,
    socket: {
      data: (_, d) => reader.push(d, (view, at, n) => void received.push(decodeServerMessage(view, at, n))),
      close: () => void (closed = true), error: () => void (closed = true),
    },
  });
  return { socket, messages: () => received, closed: () => closed };
}

const bytesOf = (...messages: Parameters<typeof encodeClientMessage>[1][]) => {
  const w = new MessageWriter();
  for (const m of messages) encodeClientMessage(w, m);
  return w.take();
};

async function openOrdersOf(key: string): Promise<any[]> {
  return (await ex.call("GET", "/api/v1/orders?status=open", { key })).body;
}

describe("over TCP", () => {
  test("login tells the account and every market; a limit order is accepted after commit and shows in the book and the REST API", async () => {
    const c = await BinaryClient.connect(tcp, alice);
    expect(c.accountId).toBeGreaterThan(0);
    expect([...c.markets.keys()]).toEqual(["BTC-USD", "ETH-USD", "SOL-USD"]);
    expect(c.markets.get("BTC-USD")).toMatchObject({ tickSize: "0.01", stepSize: "0.0001" });
    expect((await ex.call("GET", "/metrics")).body).toMatch(/\nexchange_binary_sessions [1-9]/);
    const a = await c.request(limit(c, "buy", 9_000_000, 5_000, { clientOrderId: "bin-1" }));
    expect(a).toMatchObject({ type: "accepted", status: "new", filled: 0, price: 9_000_000 });
    const id = (a as { orderId: number }).orderId;
    const order = (await ex.call("GET", `/api/v1/orders/${id}`, { key: alice })).body;
    expect(order).toMatchObject({ status: "new", price: "90000.00", quantity: "0.5000", clientOrderId: "bin-1", side: "buy" });
    const book = (await ex.call("GET", "/api/v1/markets/BTC-USD/book")).body;
    expect(book.bids[0]).toEqual(["90000.00", "0.5000"]);
    const cancelled = await c.request({ type: "cancel", orderId: id });
    expect(cancelled).toEqual({ type: "cancelled", seq: cancelled.seq, orderId: id, filled: 0 });
    expect((await ex.call("GET", `/api/v1/orders/${id}`, { key: alice })).body.status).toBe("canceled");
    c.close();
  });

  test("a trade sends each side its fill with its fee; an IOC remainder comes back expired; amend moves an order", async () => {
    const maker = await BinaryClient.connect(tcp, alice);
    const taker = await BinaryClient.connect(tcp, bob);
    const makerMessages: ServerMessage[] = [];
    maker.onMessage = (m) => void makerMessages.push(m);
    const resting = await maker.request(limit(maker, "sell", 9_100_000, 3_000)) as { orderId: number };
    const amended = await maker.request({ type: "amend", orderId: resting.orderId, price: 9_050_000, quantity: 2_000 });
    expect(amended).toMatchObject({ type: "amended", orderId: resting.orderId, price: 9_050_000, quantity: 2_000, filled: 0 });
    const takerMessages: ServerMessage[] = [];
    taker.onMessage = (m) => void takerMessages.push(m);
    const ioc = await taker.request(limit(taker, "buy", 9_060_000, 5_000, { timeInForce: "IOC" })) as { orderId: number; status: string; filled: number };
    expect(ioc).toMatchObject({ status: "expired", filled: 2_000 });
    await waitFor(() => makerMessages.some((m) => m.type === "fill"));
    const takerFill = takerMessages.find((m) => m.type === "fill")!;
    expect(takerFill).toMatchObject({ orderId: ioc.orderId, price: 9_050_000, quantity: 2_000, liquidity: "taker", side: "buy", seq: 0 });
    // The answer comes before the fills of its order.
    expect(takerMessages.findIndex((m) => m.type === "accepted")).toBeLessThan(takerMessages.findIndex((m) => m.type === "fill"));
    const makerFill = makerMessages.find((m) => m.type === "fill")!;
    expect(makerFill).toMatchObject({ orderId: resting.orderId, quantity: 2_000, liquidity: "maker", side: "sell" });
    const stored = (await ex.call("GET", `/api/v1/orders/${ioc.orderId}`, { key: bob })).body;
    // The fee in the asset's units is the fee the REST API shows as a decimal.
    expect(ex.exchange.markets.get("BTC-USD")!.base.format((takerFill as { fee: bigint }).fee)).toBe(stored.fills[0].fee);
    expect(stored.status).toBe("expired");
    maker.close();
    taker.close();
  });

  test("every order type goes through: market by quote, stop-limit, trailing take-profit, iceberg, post-only", async () => {
    const c = await BinaryClient.connect(tcp, alice);
    const m = c.market("BTC-USD");
    const base = limit(c, "buy", 0, 0);
    const answers = await Promise.all([
      c.request({ ...base, orderType: "market", timeInForce: "IOC", quoteQuantity: 1_000_000n }),
      c.request({ ...base, side: "sell", orderType: "stop_loss_limit", price: 8_000_000, quantity: 1_000, stopPrice: 8_100_000 }),
      c.request({ ...base, side: "sell", orderType: "take_profit", quantity: 1_000, trailingDelta: 100 }),
      c.request({ ...base, side: "buy", price: 8_500_000, quantity: 10_000, icebergQuantity: 1_000 }),
      c.request({ ...base, side: "buy", price: 8_400_000, quantity: 1_000, postOnly: true }),
    ]);
    expect(answers.map((a) => a.type)).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted"]);
    const open = await openOrdersOf(alice);
    const byId = new Map(open.map((o) => [Number(o.orderId), o]));
    expect(byId.get((answers[1] as any).orderId)).toMatchObject({ type: "stop_loss_limit", stopPrice: "81000.00" });
    expect(byId.get((answers[2] as any).orderId)).toMatchObject({ type: "take_profit", trailingDelta: 100 });
    expect(byId.get((answers[3] as any).orderId)).toMatchObject({ icebergQuantity: "0.1000", quantity: "1.0000" });
    expect(byId.get((answers[4] as any).orderId)).toMatchObject({ postOnly: true });
    const all = await c.request({ type: "cancelAll", market: m });
    expect(all).toMatchObject({ type: "cancelAllDone" });
    expect((all as { count: number }).count).toBeGreaterThanOrEqual(4);
    expect((await openOrdersOf(alice)).filter((o) => o.symbol === "BTC-USD")).toEqual([]);
    c.close();
  });

  test("an OCO list: both orders placed together; when the limit fills, the stop is cancelled in the same step", async () => {
    const c = await BinaryClient.connect(tcp, alice);
    const taker = await BinaryClient.connect(tcp, bob);
    const seen: ServerMessage[] = [];
    c.onMessage = (m) => void seen.push(m);
    const body = (extra: Record<string, unknown>) => {
      const { type: _, ...b } = limit(c, "sell", 0, 1_000, extra);
      return b;
    };
    const list = await c.request({ type: "newList", listType: "oco", orders: [
      body({ price: 9_900_000, postOnly: true }),
      body({ orderType: "stop_loss", timeInForce: "IOC", stopPrice: 8_000_000 }),
    ], listClientOrderId: null });
    expect(list).toMatchObject({ type: "listAccepted", statuses: ["new", "new"] });
    const [maker, stop] = (list as { orderIds: number[]; listId: number }).orderIds as [number, number];
    expect((list as { listId: number }).listId).toBe(maker);
    const stored = (await ex.call("GET", `/api/v1/orders/${stop}`, { key: alice })).body;
    expect(stored).toMatchObject({ type: "stop_loss", orderListId: String(maker) });
    expect(await taker.request(limit(taker, "buy", 9_900_000, 1_000, { timeInForce: "IOC" }))).toMatchObject({ type: "accepted", status: "filled" });
    await waitFor(() => seen.some((m) => m.type === "cancelled" && m.orderId === stop));
    expect(seen.find((m) => m.type === "fill")).toMatchObject({ orderId: maker, liquidity: "maker" });
    expect(seen.find((m) => m.type === "cancelled")).toMatchObject({ seq: 0, orderId: stop });
    // A list that breaks the rules is refused whole.
    const bad = await c.request({ type: "newList", listType: "oco", orders: [body({ price: 9_900_000 }), body({ price: 9_950_000 })], listClientOrderId: null });
    expect(bad).toMatchObject({ type: "rejected", code: "VALIDATION" });
    // An OTOCO: three orders, and three ids in its answer.
    const buy = (extra: Record<string, unknown>) => {
      const { type: _, ...b } = limit(c, "buy", 0, 1_000, extra);
      return b;
    };
    const otoco = await c.request({ type: "newList", listType: "otoco", orders: [
      body({ price: 9_990_000 }),
      buy({ price: 9_000_000, postOnly: true }),
      buy({ orderType: "stop_loss", timeInForce: "IOC", price: 11_000_000, stopPrice: 10_500_000 }),
    ], listClientOrderId: "bin-bracket" });
    expect(otoco).toMatchObject({ type: "listAccepted", statuses: ["new", "new", "new"] });
    const ids = (otoco as { orderIds: number[] }).orderIds;
    expect(ids).toHaveLength(3);
    const listed = (await ex.call("GET", `/api/v1/orderLists/${ids[0]}`, { key: alice })).body;
    expect(listed).toMatchObject({ type: "otoco", status: "executing", listClientOrderId: "bin-bracket" });
    // Its client id is taken while it is open, and must follow the client order id rule.
    const again = await c.request({ type: "newList", listType: "oco", orders: [body({ price: 9_900_000, postOnly: true }), body({ orderType: "stop_loss", timeInForce: "IOC", stopPrice: 8_000_000 })], listClientOrderId: "bin-bracket" });
    expect(again).toMatchObject({ type: "rejected", code: "DUPLICATE_CLIENT_ORDER_ID" });
    const badId = await c.request({ type: "newList", listType: "oco", orders: [body({ price: 9_900_000, postOnly: true }), body({ orderType: "stop_loss", timeInForce: "IOC", stopPrice: 8_000_000 })], listClientOrderId: "white space" });
    expect(badId).toMatchObject({ type: "rejected", code: "VALIDATION", message: expect.stringContaining("listClientOrderId") });
    expect(listed.orders.map((o: any) => Number(o.orderId))).toEqual(ids);
    expect(await c.request({ type: "cancel", orderId: ids[0]! })).toMatchObject({ type: "cancelled", orderId: ids[0] });
    expect((await ex.call("GET", `/api/v1/orderLists/${ids[0]}`, { key: alice })).body.status).toBe("all_done");
    c.close();
    taker.close();
  });

  test("refusals carry the domain outcome and stay in order behind earlier answers", async () => {
    const c = await BinaryClient.connect(tcp, bob);
    const seen: ServerMessage[] = [];
    c.onMessage = (m) => void seen.push(m);
    const first = c.request(limit(c, "buy", 8_000_000, 1_000));
    const unknown = c.request({ type: "cancel", orderId: 987_654_321 });
    const tooBig = c.request(limit(c, "buy", 8_000_000, 999_999_999_999));
    const offMarket = c.request({ ...limit(c, "buy", 8_000_000, 1_000), market: 99 });
    const badId = c.request(limit(c, "buy", 8_000_000, 1_000, { clientOrderId: "no spaces" }));
    expect(await unknown).toMatchObject({ type: "rejected", code: "UNKNOWN_ORDER" });
    expect(await tooBig).toMatchObject({ type: "rejected", code: "INSUFFICIENT_BALANCE" });
    expect(await offMarket).toMatchObject({ type: "rejected", code: "UNKNOWN_SYMBOL" });
    expect(await badId).toMatchObject({ type: "rejected", code: "VALIDATION", message: expect.stringContaining("clientOrderId") });
    expect(await first).toMatchObject({ type: "accepted" });
    const answers = seen.filter((m) => m.seq > 1).map((m) => m.seq);
    expect(answers).toEqual([...answers].sort((a, b) => a - b));
    await c.request({ type: "cancelAll", market: 0xffff });
    c.close();
  });
});

describe("over WebSocket binary frames", () => {
  test("the same protocol: login, order, cancel", async () => {
    const c = await BinaryClient.connect(ws, alice);
    expect(c.markets.size).toBe(3);
    const a = await c.request(limit(c, "buy", 7_000_000, 1_000));
    expect(a).toMatchObject({ type: "accepted", status: "new" });
    expect(await c.request({ type: "cancel", orderId: (a as { orderId: number }).orderId })).toMatchObject({ type: "cancelled" });
    c.close();
  });

  test("a text frame closes the session with a reason", async () => {
    const socket = new WebSocket(ws);
    await new Promise((r) => (socket.onopen = r));
    const closed = new Promise<{ code: number; reason: string }>((r) => (socket.onclose = (e) => r({ code: e.code, reason: e.reason })));
    socket.send("hello");
    expect(await closed).toMatchObject({ code: 1008, reason: expect.stringContaining("MALFORMED") });
  });
});

/** A BTC-USD (market 0) limit buy, as raw bytes send it. */
const order = (seq: number) => ({ ...limit({ market: () => 0 } as unknown as BinaryClient, "buy", 8_000_000, 1_000), seq });

describe("bad sessions close with a reason and change nothing", () => {
  const before = async () => JSON.stringify([await openOrdersOf(alice), (await ex.call("GET", "/api/v1/account", { key: alice })).body.balances]);

  async function closesWith(bytes: Uint8Array, reason: string, afterLogin = true) {
    const state = await before();
    const r = await raw();
    if (afterLogin) r.socket.write(bytesOf({ type: "login", seq: 1, apiKey: alice }));
    r.socket.write(bytes);
    await waitFor(() => r.closed(), 5_000);
    const closing = r.messages().find((m) => m.type === "closing");
    expect(closing).toMatchObject({ type: "closing", reason });
    expect(await before()).toBe(state);
    return closing as { message: string };
  }

  test("an order before login", async () => {
    await closesWith(bytesOf(order(1)), "NOT_LOGGED_IN", false);
  });
  test("a wrong API key", async () => {
    await closesWith(bytesOf({ type: "login", seq: 1, apiKey: "nope" }), "LOGIN_FAILED", false);
  });
  test("out of sequence: a good order, then a gap; neither the gap nor what follows is done", async () => {
    const m = await closesWith(bytesOf(order(3), order(4)), "OUT_OF_SEQUENCE");
    expect(m.message).toContain("3");
  });
  test("an unknown message type", async () => {
    const bytes = bytesOf(order(2));
    bytes[2] = 0x42;
    await closesWith(bytes, "MALFORMED");
  });
  test("a length that does not fit its type", async () => {
    const bytes = bytesOf({ type: "cancel", seq: 2, orderId: 1 });
    const longer = new Uint8Array(24);
    longer.set(bytes);
    longer[0] = 24;
    await closesWith(longer, "MALFORMED");
  });
  test("an oversized length", async () => {
    await closesWith(new Uint8Array([0xff, 0xff, 2, 0, 2, 0, 0, 0]), "OVERSIZED");
  });
  test("a side that is neither buy nor sell", async () => {
    const bytes = bytesOf(order(2));
    bytes[10] = 7;
    await closesWith(bytes, "MALFORMED");
  });
  test("a message cut short by the end of the client's side: TRUNCATED, and nothing of it is done", async () => {
    const state = await before();
    const r = await raw();
    r.socket.write(bytesOf({ type: "login", seq: 1, apiKey: alice }));
    r.socket.write(bytesOf(order(2)).subarray(0, 40));
    await Bun.sleep(50);
    r.socket.shutdown(); // half-close: it can still read the reason
    await waitFor(() => r.closed(), 5_000);
    expect(r.messages().find((m) => m.type === "closing")).toMatchObject({ reason: "TRUNCATED" });
    expect(await before()).toBe(state);
  });
  test("a WebSocket frame that ends inside a message: TRUNCATED", async () => {
    const state = await before();
    const socket = new WebSocket(ws);
    socket.binaryType = "arraybuffer";
    await new Promise((r) => (socket.onopen = r));
    const closed = new Promise<{ code: number; reason: string }>((r) => (socket.onclose = (e) => r({ code: e.code, reason: e.reason })));
    socket.send(bytesOf({ type: "login", seq: 1, apiKey: alice }));
    socket.send(bytesOf(order(2)).subarray(0, 30));
    expect(await closed).toMatchObject({ code: 1008, reason: expect.stringContaining("TRUNCATED") });
    expect(await before()).toBe(state);
  });
  test("the server keeps serving", async () => {
    const c = await BinaryClient.connect(tcp, alice);
    expect(await c.request({ type: "cancelAll", market: 0xffff })).toMatchObject({ type: "cancelAllDone" });
    c.close();
  });
});

test("a session that sends faster than its requests are answered is paused, then resumed; nothing is lost", async () => {
  const limits = ex.gateway.limits as { maxInFlight: number };
  const saved = limits.maxInFlight;
  limits.maxInFlight = 64;
  try {
    const r = await raw();
    r.socket.write(bytesOf({ type: "login", seq: 1, apiKey: bob }));
    await waitFor(() => r.messages().some((m) => m.type === "loginAccepted"));
    const accountId = (r.messages()[0] as { accountId: number }).accountId;
    // 3,000 resting orders far below the market in one write (192 KB): the gateway reads a part,
    // finds too many waiting, stops reading until they are answered, and so on.
    const orders = Array.from({ length: 3_000 }, (_, i) => ({ ...order(i + 2), price: 100_000 }));
    const bytes = bytesOf(...orders);
    let sent = 0;
    while (sent < bytes.length) {
      const n = r.socket.write(bytes.subarray(sent));
      sent += Math.max(0, n);
      if (n <= 0) await Bun.sleep(5);
    }
    await waitFor(() => r.messages().filter((m) => m.type === "accepted").length >= 3_000, 20_000);
    const session = ex.gateway.sessionsOf(accountId)[0]!;
    expect(session.pauses).toBeGreaterThan(0);
    expect(session.peakInFlight).toBeLessThan(3_000);
    const accepted = r.messages().filter((m) => m.type === "accepted");
    expect(accepted.map((m) => m.seq)).toEqual(orders.map((o) => o.seq));
    expect(ex.exchange.sequencer.registry.openCount(accountId)).toBe(3_000);
    r.socket.write(bytesOf({ type: "cancelAll", seq: 3_002, market: 0xffff }));
    await waitFor(() => r.messages().some((m) => m.type === "cancelAllDone"), 10_000);
    r.socket.end();
  } finally {
    limits.maxInFlight = saved;
  }
});

test("a session whose answers are never read is paused, then closed past its bound (SLOW_CONSUMER), and the exchange goes on", async () => {
  // The transport as a client that stopped reading leaves it: it takes no more bytes.
  const events: string[] = [];
  const transport = { write: () => 0, buffered: () => 0, pause: () => void events.push("pause"), resume: () => void events.push("resume"), close: (why: string) => void events.push(`close ${why}`) };
  const limits = ex.gateway.limits as { pauseBytes: number; closeBytes: number };
  const saved = { ...limits };
  Object.assign(limits, { pauseBytes: 2_000, closeBytes: 8_000 });
  try {
    const session = ex.gateway.open(transport);
    session.receive(bytesOf({ type: "login", seq: 1, apiKey: bob }));
    expect(events).toEqual([]); // the login's answers: a few hundred bytes
    for (let seq = 2; seq < 400 && !session.closed; seq++) {
      session.receive(bytesOf({ ...order(seq), price: 100_000 }));
      await Bun.sleep(0);
    }
    await waitFor(() => session.closed, 5_000);
    expect(events[0]).toBe("pause"); // first past 2,000 unsent bytes
    expect(events.at(-1)).toMatch(/^close SLOW_CONSUMER/);
    expect(ex.gateway.sessionsOf(session.account!.id)).not.toContain(session);
  } finally {
    Object.assign(limits, saved);
  }
  const c = await BinaryClient.connect(tcp, bob);
  expect(await c.request({ type: "cancelAll", market: 0xffff })).toMatchObject({ type: "cancelAllDone" });
  c.close();
});

test("a client in another language, written from docs/binary-protocol.md alone (Python, standard library), trades", async () => {
  const own = startTestExchange(undefined, undefined, { binaryPort: 0 });
  try {
    const bot = Bun.spawn(["python3", `${import.meta.dir}/python/binary_client.py`, "127.0.0.1", String(own.binaryPort), own.newAccount("py-a"), own.newAccount("py-b")],
      { stdout: "pipe", stderr: "pipe" });
    const [code, out, err] = [await bot.exited, await new Response(bot.stdout).text(), await new Response(bot.stderr).text()];
    expect({ code, out, err: err.slice(-2000) }).toEqual({ code: 0, out: "OK\n", err: "" });
  } finally {
    await own.stop();
  }
});
