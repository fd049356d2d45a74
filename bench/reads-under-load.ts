// What a bot's reads cost the venue while others trade: sustained load (`exchange load`, 32
// connections, in a process of its own) against a fresh server of each tree, and meanwhile one
// account reading every 5 ms, from the second second to the eighth, a closed order of its own
// (filled by one trade), its closed orders, the market's recent trades, or /health (the baseline).
// Prints the reads' latency
// and the load's orders/s, per round and tree, taking turns.
//   bun bench/reads-under-load.ts --variant before=../base --variant after=. [--read order|closed|trades|health] [--rounds 2]
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { variant: { type: "string", multiple: true, default: [] }, read: { type: "string", default: "order" }, rounds: { type: "string", default: "2" } } });
const variants = values.variant.map((spec) => ({ name: spec.slice(0, spec.indexOf("=")), main: join(resolve(spec.slice(spec.indexOf("=") + 1)), "src", "main.ts") }));

async function round(main: string): Promise<string> {
  const dir = tempDir("exchange-reads-");
  const server = await spawnExchange([process.execPath, main], dir, { EXCHANGE_DB: join(dir, "exchange.db"), EXCHANGE_LOG_LEVEL: "warn" });
  try {
    const url = server.url;
    const post = (path: string, body: unknown, key?: string) => fetch(url + path, {
      method: "POST", headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) }, body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, string>>);
    const reader = await post("/api/v1/accounts", { name: "reader" });
    // The only order in the book: the load's first takers fill it.
    const order = await post("/api/v1/orders", { symbol: "BTC-USD", side: "buy", type: "limit", price: "1.00", quantity: "0.0001" }, reader.apiKey);
    const path = {
      order: `/api/v1/orders/${order.orderId}`, closed: "/api/v1/orders?status=closed&limit=10",
      trades: "/api/v1/markets/BTC-USD/trades?limit=100", health: "/health",
    }[values.read]!;
    const load = Bun.spawn([process.execPath, join(import.meta.dir, "..", "src", "main.ts"), "load", "--url", url, "--scenario", "sustained", "--duration", "10", "--json"], { stdout: "pipe", stderr: "ignore" });
    await Bun.sleep(2000);
    const latency: number[] = [];
    for (const end = performance.now() + 6000; performance.now() < end; await Bun.sleep(5)) {
      const t = performance.now();
      await (await fetch(url + path, { headers: { "x-api-key": reader.apiKey! } })).text();
      latency.push(performance.now() - t);
    }
    const ordersPerSecond = (JSON.parse(await new Response(load.stdout).text()) as { results: { ordersPerSecond: number }[] }).results[0]!.ordersPerSecond;
    latency.sort((a, b) => a - b);
    const q = (p: number) => latency[Math.min(latency.length - 1, Math.floor(p * latency.length))]!.toFixed(2);
    return `${latency.length} reads, p50 ${q(0.5)} ms, p90 ${q(0.9)}, p99 ${q(0.99)}; the load ${Math.round(ordersPerSecond).toLocaleString("en-US")} orders/s`;
  } finally {
    server.proc.kill("SIGTERM");
    await server.proc.exited;
  }
}

for (let r = 1; r <= Number(values.rounds); r++) {
  for (const v of variants) console.log(`round ${r} ${v.name} (${values.read}): ${await round(v.main)}`);
}
