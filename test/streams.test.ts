// Live streams over a real WebSocket on loopback.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { random } from "../src/random";
import { startTestExchange } from "./helpers";

let ex: ReturnType<typeof startTestExchange>;
let keys: string[];
beforeAll(() => {
  ex = startTestExchange();
  keys = ["s1", "s2", "s3"].map((n) => ex.newAccount(n));
});
afterAll(() => ex.stop());

class Client {
  readonly messages: any[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      this.messages.push(JSON.parse(String(e.data)));
      for (const w of this.waiters.splice(0)) w();
    };
  }
  static async open(url: string) {
    const ws = new WebSocket(url.replace("http", "ws") + "/ws");
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    return new Client(ws);
  }
  send(msg: unknown) { this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg)); }
  /** Sends a message and waits for its answer (anything but stream data). */
  async reply(msg: unknown) {
    const before = this.messages.length;
    const isReply = (m: any) => !["snapshot", "update", "trades", "ticker", "orders"].includes(m.type);
    this.send(msg);
    while (!this.messages.slice(before).some(isReply)) await new Promise<void>((r) => this.waiters.push(r));
    return this.messages.slice(before).find(isReply);
  }
  close() { this.ws.close(); }
}


test("a client rebuilds the book from snapshot and updates, exactly the REST book, with no gap", async () => {
  const c = await Client.open(ex.url);
  await c.reply({ op: "subscribe", channel: "book:ETH-USD" });
  const snapshot = c.messages.find((m) => m.type === "snapshot");
  const book = { bids: new Map<string, string>(snapshot.bids), asks: new Map<string, string>(snapshot.asks) };
  let sequence = snapshot.sequence as number;
  const r = random(5);
  const open: [string, string][] = [];
  for (let i = 0; i < 300; i++) {
    const key = keys[Math.floor(r() * keys.length)]!;
    const roll = r();
    const pending: Promise<unknown>[] = [];
    if (roll < 0.2 && open.length) {
      const [k, id] = open.splice(Math.floor(r() * open.length), 1)[0]!;
      pending.push(ex.call("DELETE", `/api/v1/orders/${id}`, { key: k }));
    } else if (roll < 0.3 && open.length) {
      const [k, id] = open[Math.floor(r() * open.length)]!;
      pending.push(ex.call("PATCH", `/api/v1/orders/${id}`, { key: k, json: { price: `${1990 + Math.floor(r() * 20)}` } }));
    } else {
      for (let j = 0; j < 3; j++) {
        pending.push(ex.call("POST", "/api/v1/orders", { key, json: { symbol: "ETH-USD", side: r() < 0.5 ? "buy" : "sell", type: "limit", price: `${1990 + Math.floor(r() * 20)}`, quantity: `${1 + Math.floor(r() * 3)}` } })
          .then((res) => { if (res.status === 201 && (res.body.status === "new" || res.body.status === "partially_filled")) open.push([key, res.body.orderId]); }));
      }
    }
    await Promise.all(pending);
  }
  await Bun.sleep(100);
  for (const m of c.messages.filter((x) => x.type === "update")) {
    expect(m.prevSequence).toBe(sequence); // no gap
    expect(m.sequence).toBeGreaterThan(m.prevSequence);
    sequence = m.sequence;
    for (const [side, levels] of [["bids", m.bids], ["asks", m.asks]] as const) {
      for (const [p, q] of levels) Number(q) === 0 ? book[side].delete(p) : book[side].set(p, q);
    }
  }
  const rest = (await ex.call("GET", "/api/v1/markets/ETH-USD/book?depth=1000")).body;
  expect(sequence).toBe(rest.sequence);
  expect([...book.bids].sort((a, b) => Number(b[0]) - Number(a[0]))).toEqual(rest.bids);
  expect([...book.asks].sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(rest.asks);
  expect(c.messages.filter((x) => x.type === "update").length).toBeGreaterThan(50);
  c.close();
});

test("every trade reaches the trades channel, every fill of one's own orders the orders channel", async () => {
  const c = await Client.open(ex.url);
  expect(await c.reply({ op: "auth", apiKey: keys[0] })).toMatchObject({ type: "authenticated" });
  await c.reply({ op: "subscribe", channel: "trades:SOL-USD" });
  await c.reply({ op: "subscribe", channel: "orders" });
  await c.reply({ op: "subscribe", channel: "ticker:SOL-USD" });
  const mine: string[] = [];
  for (let i = 0; i < 40; i++) {
    const key = keys[i % 3]!;
    const res = await ex.call("POST", "/api/v1/orders", { key, json: { symbol: "SOL-USD", side: i % 2 ? "buy" : "sell", type: "limit", price: "20.000", quantity: "1" } });
    if (key === keys[0]) mine.push(res.body.orderId);
  }
  await Bun.sleep(100);
  const streamed = c.messages.filter((m) => m.type === "trades").flatMap((m) => m.trades.map((t: any) => t.tradeId));
  const rest = (await ex.call("GET", "/api/v1/markets/SOL-USD/trades?limit=1000")).body.map((t: any) => t.tradeId).reverse();
  expect(streamed).toEqual(rest);
  expect(streamed.length).toBeGreaterThan(10);
  const updates = c.messages.filter((m) => m.type === "orders").flatMap((m) => m.orders);
  expect(updates.every((o: any) => mine.includes(o.orderId))).toBe(true); // only one's own orders
  for (const id of mine) {
    const now = (await ex.call("GET", `/api/v1/orders/${id}`, { key: keys[0] })).body;
    const last = updates.filter((o: any) => o.orderId === id).at(-1);
    expect(last).toEqual(now); // the latest update is the order as it stands
  }
  const tickers = c.messages.filter((m) => m.type === "ticker");
  expect(tickers.at(-1)).toMatchObject({ symbol: "SOL-USD", lastPrice: "20.000" });
  c.close();
});

test("an unauthenticated socket cannot subscribe to orders; bad messages get an error and the socket stays usable", async () => {
  const c = await Client.open(ex.url);
  expect(await c.reply({ op: "subscribe", channel: "orders" })).toMatchObject({ type: "error", message: expect.stringContaining("authenticate") });
  expect(await c.reply({ op: "auth", apiKey: "ex_forged" })).toMatchObject({ type: "error", message: "unknown API key" });
  for (const bad of ["not json", "[]", "42", { op: "dance" }, { op: "subscribe" }, { op: "subscribe", channel: "book:DOGE-USD" }, { op: "subscribe", channel: "weather:BTC-USD" }]) {
    expect(await c.reply(bad)).toMatchObject({ type: "error" });
  }
  expect(await c.reply({ op: "ping" })).toEqual({ type: "pong" });
  expect(await c.reply({ op: "subscribe", channel: "ticker:BTC-USD" })).toEqual({ type: "subscribed", channel: "ticker:BTC-USD" });
  expect(await c.reply({ op: "unsubscribe", channel: "ticker:BTC-USD" })).toEqual({ type: "unsubscribed", channel: "ticker:BTC-USD" });
  c.close();
});

test("the orders channel tells of a stop's trigger, an iceberg's next slice and an OCO sibling's cancel", async () => {
  const [a, b] = [keys[1]!, keys[2]!];
  const c = await Client.open(ex.url);
  await c.reply({ op: "auth", apiKey: a });
  await c.reply({ op: "subscribe", channel: "orders" });
  const order = (key: string, json: Record<string, unknown>) => ex.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", ...json } });
  const iceberg = (await order(a, { side: "sell", type: "limit", price: "3000.00", quantity: "3", icebergQuantity: "1" })).body;
  const list = (await ex.call("POST", "/api/v1/orderLists", { key: a, json: { type: "oco", orders: [
    { symbol: "BTC-USD", side: "buy", type: "limit", price: "2000.00", quantity: "1", postOnly: true },
    { symbol: "BTC-USD", side: "buy", type: "stop_loss_limit", stopPrice: "3000.00", price: "3100.00", quantity: "1" },
  ] } })).body;
  expect((await order(b, { side: "buy", type: "limit", price: "3000.00", quantity: "1.5", timeInForce: "IOC" })).body.status).toBe("filled");
  const events = async () => {
    for (let i = 0; i < 100 && !c.messages.some((m) => m.events?.some((e: any) => e.event === "listCancelled")); i++) await Bun.sleep(10);
    return c.messages.filter((m) => m.type === "orders").flatMap((m) => m.events);
  };
  const [limitLeg, stopLeg] = list.orders.map((o: any) => o.orderId);
  const seen = await events();
  c.close();
  expect(seen).toEqual([
    { orderId: iceberg.orderId, event: "refreshed" },
    // The trigger cancels the other leg at once; then the stop enters the book.
    { orderId: limitLeg, event: "listCancelled" },
    { orderId: stopLeg, event: "triggered" },
    // The triggered buy takes the rest of that slice, and the next one appears.
    { orderId: iceberg.orderId, event: "refreshed" },
  ]);
});

test("orders reach every socket of their account, through another socket's close and a socket's new authentication", async () => {
  const [a, b, c] = await Promise.all([Client.open(ex.url), Client.open(ex.url), Client.open(ex.url)]);
  for (const s of [a, b]) await s.reply({ op: "auth", apiKey: keys[1] });
  await c.reply({ op: "auth", apiKey: keys[2] });
  for (const s of [a, b, c]) await s.reply({ op: "subscribe", channel: "orders" });
  const place = async (key: string) => (await ex.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "buy", type: "limit", price: "1000.00", quantity: "0.01" } })).body.orderId as string;
  const seen = async (s: Client, id: string) => {
    for (let i = 0; i < 50 && !s.messages.some((m) => m.type === "orders" && m.orders.some((o: any) => o.orderId === id)); i++) await Bun.sleep(20);
    return s.messages.some((m) => m.type === "orders" && m.orders.some((o: any) => o.orderId === id));
  };
  const first = await place(keys[1]!);
  expect([await seen(a, first), await seen(b, first), await seen(c, first)]).toEqual([true, true, false]);
  a.close();
  await Bun.sleep(50);
  const second = await place(keys[1]!);
  expect(await seen(b, second)).toBe(true);
  // b now speaks for the other account: its orders, not the first account's.
  await b.reply({ op: "auth", apiKey: keys[2] });
  await b.reply({ op: "subscribe", channel: "orders" });
  const third = await place(keys[1]!), fourth = await place(keys[2]!);
  expect([await seen(b, fourth), await seen(c, fourth)]).toEqual([true, true]);
  expect(await seen(b, third)).toBe(false);
  b.close();
  c.close();
});
