// Fan-out: 100 WebSocket subscribers (book, trades and ticker of one market) while orders flow.
// In the same run, the order flow alone (no subscribers) for comparison.
//   bun bench/fanout.ts [--seconds 10] [--subscribers 100]
import { parseArgs } from "node:util";
import { join } from "node:path";
import { closedLoop, prepareExchange } from "../src/load/driver";
import { EXCHANGE_FROM_SOURCE, spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, subscribers: { type: "string", default: "100" } } });
const seconds = Number(values.seconds);
const dir = tempDir("exchange-fanout-");
const server = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, { EXCHANGE_DB: join(dir, "exchange.db") });
const target = await prepareExchange(server.url);

const alone = await closedLoop(target, 16, { seconds });
const aloneRate = alone.rec.ok / alone.seconds;

let received = 0, bytes = 0, gaps = 0;
const sockets = await Promise.all(Array.from({ length: Number(values.subscribers) }, async () => {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
  await new Promise((resolve) => (ws.onopen = resolve));
  let sequence = -1;
  ws.onmessage = (e) => {
    received++;
    bytes += String(e.data).length;
    const m = JSON.parse(String(e.data));
    if (m.type === "snapshot") sequence = m.sequence;
    if (m.type === "update") { if (m.prevSequence !== sequence) gaps++; sequence = m.sequence; }
  };
  for (const channel of ["book:BTC-USD", "trades:BTC-USD", "ticker:BTC-USD"]) ws.send(JSON.stringify({ op: "subscribe", channel }));
  return ws;
}));
await Bun.sleep(200);
received = 0;
bytes = 0;
const flowing = await closedLoop(target, 16, { seconds });
await Bun.sleep(200);
const withRate = flowing.rec.ok / flowing.seconds;
console.log(`orders alone: ${Math.round(aloneRate).toLocaleString("en-US")}/s; with ${sockets.length} subscribers: ${Math.round(withRate).toLocaleString("en-US")}/s (${((withRate / aloneRate) * 100).toFixed(0)}%)`);
console.log(`delivered: ${Math.round(received / flowing.seconds).toLocaleString("en-US")} messages/s to ${sockets.length} subscribers (${(bytes / flowing.seconds / 1e6).toFixed(1)} MB/s), sequence gaps: ${gaps}`);
for (const ws of sockets) ws.close();
server.proc.kill("SIGTERM");
await server.proc.exited;
