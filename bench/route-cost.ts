// The cost of each surface's order route inside the server, without HTTP or a load client: the
// same order flow as `exchange load --api native|binance` (new limit orders, and cancels when a
// client has too many open), handed to the Elysia app as Request objects with 32 in flight, so the
// sequencer batches as it does under load. Prints CPU µs per request of each API, taking turns.
//   bun bench/route-cost.ts [--requests 40000] [--rounds 5]
import { parseArgs } from "node:util";
import { join } from "node:path";
import type { Elysia } from "elysia";
import { BinanceSurface } from "../src/binance/surface";
import { openExchange } from "../src/exchange";
import { createApp } from "../src/http/app";
import { loadMarkets } from "../src/markets";
import { Metrics } from "../src/metrics";
import { SimulationDesk } from "../src/sim/desk";
import { MarketStreams } from "../src/streams";
import { tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { requests: { type: "string", default: "40000" }, rounds: { type: "string", default: "5" } } });
const dir = tempDir("exchange-route-cost-");
const ex = openExchange({ dbPath: join(dir, "exchange.db"), markets: loadMarkets(undefined, undefined), funding: { selfServiceDeposits: true } });
const streams = new MarketStreams(ex);
const binance = new BinanceSurface(ex, { weightLimit: 0, maxBufferedBytes: 1 << 24 });
const app = createApp(ex, { streams, metrics: new Metrics(), sim: new SimulationDesk(ex), surfaces: [binance.plugin as unknown as Elysia] });
ex.sequencer.onCommitted((report) => streams.publish(report));
ex.sequencer.onCommitted((report) => binance.publish(report));
const base = "http://127.0.0.1";

const created = await (await app.handle(new Request(`${base}/api/v1/accounts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "route-cost" }) }))).json() as { apiKey: string; apiSecret: string };
const { apiKey, apiSecret: secret } = created;
const m = ex.markets.get("BTC-USD")!;
const mid = m.priceTicks("100");

let seed = 1;
const r = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
function order() {
  const taker = r() < 0.33, buy = r() < 0.5, offset = 1 + Math.floor(r() * 10);
  const ticks = taker ? (buy ? mid + 11 : mid - 11) : buy ? mid - offset : mid + offset;
  return { side: buy ? "buy" : "sell", price: m.formatPrice(ticks), quantity: m.formatQuantity(m.minQuantityLots * (1 + Math.floor(r() * 5))) };
}
const sign = (form: string) => `${form}&signature=${new Bun.CryptoHasher("sha256", secret).update(form).digest("hex")}`;

type Api = "native" | "binance";
const OPEN = new Set(["new", "partially_filled", "NEW", "PARTIALLY_FILLED"]);
function request(api: Api, open: string[]): Request {
  const cancel = open.length > 20 ? open.shift() : undefined;
  if (api === "native") {
    if (cancel) return new Request(`${base}/api/v1/orders/${cancel}`, { method: "DELETE", headers: { "x-api-key": apiKey } });
    const o = order();
    return new Request(`${base}/api/v1/orders`, { method: "POST", headers: { "x-api-key": apiKey, "content-type": "application/json" }, body: JSON.stringify({ symbol: m.symbol, type: "limit", ...o }) });
  }
  const headers = { "x-mbx-apikey": apiKey, "content-type": "application/x-www-form-urlencoded" };
  if (cancel) return new Request(`${base}/api/v3/order`, { method: "DELETE", headers, body: sign(`symbol=${m.binanceSymbol}&orderId=${cancel}&timestamp=${Date.now()}`) });
  const o = order();
  return new Request(`${base}/api/v3/order`, { method: "POST", headers, body: sign(`symbol=${m.binanceSymbol}&side=${o.side.toUpperCase()}&type=LIMIT&timeInForce=GTC&quantity=${o.quantity}&price=${o.price}&newOrderRespType=FULL&timestamp=${Date.now()}`) });
}

/** Runs `n` requests of one API, 32 at a time; returns CPU µs per request (this process: it is the server). */
async function run(api: Api, n: number): Promise<number> {
  let left = n;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: 32 }, async () => {
    const open: string[] = [];
    while (left-- > 0) {
      const res = await app.handle(request(api, open));
      const body = await res.json() as { orderId?: number | string; status?: string; code?: number };
      // A cancel of an order that has just filled is refused (409 / -2011), as under load.
      const cancelTooLate = res.status === 409 || body.code === -2011;
      if (res.status >= 400 && !cancelTooLate) throw new Error(`${api}: ${res.status} ${JSON.stringify(body)}`);
      if (OPEN.has(body.status ?? "")) open.push(String(body.orderId));
    }
  }));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const n = Number(values.requests);
await run("native", 2000);
await run("binance", 2000);
const per: Record<Api, number[]> = { native: [], binance: [] };
for (let round = 0; round < Number(values.rounds); round++) {
  for (const api of (round % 2 ? ["binance", "native"] : ["native", "binance"]) as Api[]) {
    const us = await run(api, n);
    per[api].push(us);
    console.log(`round ${round + 1} ${api}: ${us.toFixed(1)} µs/request`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratios = per.native.map((x, i) => per.binance[i]! / x);
console.log(`native ${median(per.native).toFixed(1)} µs, binance ${median(per.binance).toFixed(1)} µs per request; binance / native ${median(ratios).toFixed(3)} (median of per-round ratios)`);
await ex.sequencer.stop();
binance.close();
await ex.close();
