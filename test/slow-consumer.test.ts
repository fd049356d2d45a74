// A WebSocket client that stops reading is dropped with a clear close reason once it is too far
// behind; the exchange and its other clients carry on.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { startTestExchange } from "./helpers";

const LIMIT = 256 * 1024;
let ex: ReturnType<typeof startTestExchange>;
beforeAll(() => { ex = startTestExchange(undefined, LIMIT); });
afterAll(() => ex.stop());

/** A client frame: text, masked, as RFC 6455 requires of clients. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([header, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

/** The close frame's code and reason in what the server sent, if any. */
function closeFrame(data: Buffer): { code: number; reason: string } | undefined {
  let at = data.indexOf("\r\n\r\n") + 4;
  while (at + 2 <= data.length) {
    const opcode = data[at]! & 0x0f;
    let length = data[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126) { length = data.readUInt16BE(at + 2); start = at + 4; }
    else if (length === 127) { length = Number(data.readBigUInt64BE(at + 2)); start = at + 10; }
    if (start + length > data.length) return undefined;
    if (opcode === 0x8) return { code: data.readUInt16BE(start), reason: data.subarray(start + 2, start + length).toString() };
    at = start + length;
  }
  return undefined;
}

/** A WebSocket client on a raw socket: it upgrades at `path`, then stops reading, so the kernel's
 *  buffers fill, then the server's. `closed()` is the server's close frame among what came. */
async function stalledClient(path: string) {
  const { port } = new URL(ex.url);
  const received: Buffer[] = [];
  const socket: Socket = connect(Number(port), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.on("data", (chunk) => received.push(Buffer.from(chunk)));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  while (!Buffer.concat(received).includes("\r\n\r\n")) await Bun.sleep(5);
  socket.pause();
  const closed = () => closeFrame(Buffer.concat(received));
  return {
    socket,
    closed,
    /** Reads again, until the close frame has come (at most 2 s); then it is what came. */
    async readClose() {
      socket.resume();
      for (let i = 0; i < 200 && !closed(); i++) await Bun.sleep(10);
      return closed();
    },
  };
}

test("a client that stops reading is closed with code 4008 and a reason; others carry on", async () => {
  const key = ex.newAccount("deep");
  const orders = Array.from({ length: 1000 }, (_, i) => ({ symbol: "BTC-USD", side: "buy", type: "limit", price: (1 + i / 100).toFixed(2), quantity: "0.0001" }));
  expect((await ex.call("POST", "/api/v1/orders/batch", { key, json: { orders } })).status).toBe(200);

  const slow = await stalledClient("/ws");

  const healthy = new WebSocket(ex.url.replace("http", "ws") + "/ws");
  const healthyGot: string[] = [];
  healthy.onmessage = (e) => healthyGot.push(String(e.data));
  await new Promise((resolve) => (healthy.onopen = resolve));
  healthy.send(JSON.stringify({ op: "subscribe", channel: "trades:BTC-USD" }));

  const clientsBefore = ex.streams.clients;
  for (let i = 0; i < 400 && ex.streams.clients === clientsBefore; i++) {
    slow.socket.write(frame(JSON.stringify({ op: "subscribe", channel: "book:BTC-USD" }))); // a ~40 KB snapshot each
    // Each committed batch checks every client's backlog.
    await ex.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "sell", type: "limit", price: "500.00", quantity: "0.0001" } });
  }
  expect(ex.streams.clients).toBe(clientsBefore - 1);

  // The exchange and the healthy client carry on.
  await ex.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "sell", type: "market", quantity: "0.0001" } });
  await Bun.sleep(50);
  expect(healthyGot.some((m) => m.includes('"type":"trades"'))).toBe(true);

  // Reading again, the dropped client finds the server's close frame and its reason.
  expect(await slow.readClose()).toEqual({ code: 4008, reason: `slow consumer: more than ${LIMIT} bytes waiting` });
  slow.socket.destroy();
  healthy.close();
}, 30_000);

test("the Binance streams drop a client that stops reading too (code 1008), and carry on", async () => {
  const maker = ex.newAccount("binance-maker"), taker = ex.newAccount("binance-taker");
  const slow = await stalledClient("/ws/ethusd@trade");
  const healthy = new WebSocket(ex.url.replace("http", "ws") + "/ws/ethusd@aggTrade");
  const healthyGot: string[] = [];
  healthy.onmessage = (e) => healthyGot.push(String(e.data));
  await new Promise((resolve) => (healthy.onopen = resolve));

  const before = ex.binance.streams.clients;
  const sells = Array.from({ length: 1000 }, () => ({ symbol: "ETH-USD", side: "sell", type: "limit", price: "1.00", quantity: "0.001" }));
  const buys = Array.from({ length: 1000 }, () => ({ symbol: "ETH-USD", side: "buy", type: "market", quantity: "0.001" }));
  // A thousand trade events (~150 bytes each) a round, until the backlog passes the limit.
  for (let i = 0; i < 200 && ex.binance.streams.clients === before; i++) {
    await ex.call("POST", "/api/v1/orders/batch", { key: maker, json: { orders: sells } });
    await ex.call("POST", "/api/v1/orders/batch", { key: taker, json: { orders: buys } });
  }
  expect(ex.binance.streams.clients).toBe(before - 1);
  expect(healthyGot.some((m) => m.includes('"e":"aggTrade"'))).toBe(true);
  expect(await slow.readClose()).toEqual({ code: 1008, reason: `slow consumer: more than ${LIMIT} bytes waiting` });
  slow.socket.destroy();
  healthy.close();
}, 60_000);

test("a user data stream (/ws/<listenKey>) that stops reading is closed too (code 1008)", async () => {
  const key = ex.newAccount("listener");
  const { listenKey } = await (await fetch(`${ex.url}/api/v3/userDataStream`, { method: "POST", headers: { "x-mbx-apikey": key } })).json() as { listenKey: string };
  const slow = await stalledClient(`/ws/${listenKey}`);
  // A thousand executionReports (and the balances) a round: orders placed, then cancelled.
  const orders = Array.from({ length: 1000 }, (_, i) => ({ symbol: "SOL-USD", side: "buy", type: "limit", price: (1 + i / 1000).toFixed(3), quantity: "0.01" }));
  for (let i = 0; i < 100 && !slow.closed(); i++) {
    await ex.call("POST", "/api/v1/orders/batch", { key, json: { orders } });
    await ex.call("DELETE", "/api/v1/orders", { key });
    if (i % 10 === 9) {
      slow.socket.resume(); // a look at what has come: the close frame, once the server gave up
      await Bun.sleep(20);
      slow.socket.pause();
    }
  }
  expect(await slow.readClose()).toEqual({ code: 1008, reason: `slow consumer: more than ${LIMIT} bytes waiting` });
  slow.socket.destroy();
}, 60_000);
