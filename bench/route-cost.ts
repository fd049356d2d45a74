// The cost of each surface's order route inside the server, without HTTP or a load client's
// process: `exchange load`'s own order flow (OrderFlow: new limit orders, and cancels when a client
// has too many open), handed to the server's app as Request objects with 32 in flight, so the
// sequencer batches as it does under load. Prints CPU µs per request of each API, taking turns
// (the CPU includes building the requests, and signing them for the Binance surface).
//   bun bench/route-cost.ts [--requests 40000] [--rounds 5]
// With --tree DIR the server is that source tree's (its startServer must return `handle`), and
// --api native times /api/v1 alone: the same order flow against another commit's server.
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { closeConnections, OrderFlow, prepareExchange, type Api, type Target } from "../src/load/driver";
import type { RunningServer } from "../src/server";
import { tempDir } from "../test/helpers";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "40000" }, rounds: { type: "string", default: "5" },
    tree: { type: "string", default: "." }, api: { type: "string", default: "both" },
  },
});
const apis: Api[] = values.api === "both" ? ["native", "binance"] : [values.api as Api];
const { startServer } = await import(join(resolve(values.tree!), "src", "server.ts")) as typeof import("../src/server");
const dir = tempDir("exchange-route-cost-");
const server: RunningServer = startServer({ host: "127.0.0.1", port: 0, dbPath: join(dir, "exchange.db"), binanceWeightLimit: 0 });
// Accounts and a seeded book over HTTP, as `exchange load` makes them; then no more network.
const targets = {} as Record<Api, Target>;
for (const api of apis) targets[api] = await prepareExchange(server.url, { api });
closeConnections();

/** Runs `n` requests of one API, 32 at a time; returns CPU µs per request (this process: it is the server). */
async function run(api: Api, n: number): Promise<number> {
  let left = n;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: 32 }, async (_, i) => {
    const flow = new OrderFlow(targets[api], i);
    while (left-- > 0) {
      const req = flow.next();
      const { headers, text } = flow.parts(req);
      const res = await server.handle(new Request(server.url + req.path, { method: req.method, headers, body: text }));
      const answer = await res.text();
      // A cancel of an order that has just filled is refused (409 / -2011), as under load.
      if (res.status >= 400 && res.status !== 409 && !answer.includes('"code":-2011')) throw new Error(`${api}: ${res.status} ${answer}`);
      flow.observe(res.status, answer);
    }
  }));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const n = Number(values.requests);
for (const api of apis) await run(api, 2000);
const per: Record<Api, number[]> = { native: [], binance: [] };
for (let round = 0; round < Number(values.rounds); round++) {
  for (const api of round % 2 ? apis.toReversed() : apis) {
    const us = await run(api, n);
    per[api].push(us);
    console.log(`round ${round + 1} ${api}: ${us.toFixed(1)} µs/request`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
if (apis.length === 2) {
  const ratios = per.native.map((x, i) => per.binance[i]! / x);
  console.log(`native ${median(per.native).toFixed(1)} µs, binance ${median(per.binance).toFixed(1)} µs per request; binance / native ${median(ratios).toFixed(3)} (median of per-round ratios)`);
} else {
  console.log(`${apis[0]} (${values.tree}): ${median(per[apis[0]!]).toFixed(1)} µs per request (median of ${values.rounds} rounds)`);
}
await server.stop();
