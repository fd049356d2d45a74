// The cost of each surface's order route inside the server, without HTTP or a load client's
// process: `exchange load`'s own order flow (OrderFlow: new limit orders, and cancels when a client
// has too many open), handed to the server's app as Request objects with 32 in flight (--inflight),
// so the sequencer batches as it does under load. Prints CPU µs per request of each API, taking
// turns: the server's thread's (it also builds the requests, and signs them for the Binance
// surface), and the whole process's (the projector's thread, the JIT's, the GC's too).
//   bun bench/route-cost.ts [--requests 40000] [--rounds 5] [--inflight 32]
// With --tree DIR the server is that source tree's (its startServer must return `handle`), and
// --api native times /api/v1 alone: the same order flow against another commit's server.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { closeConnections, OrderFlow, prepareExchange, type Api, type Target } from "../src/load/driver";
import type { RunningServer } from "../src/server";
import { tempDir } from "../test/helpers";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "40000" }, rounds: { type: "string", default: "5" },
    tree: { type: "string", default: "." }, api: { type: "string", default: "both" }, inflight: { type: "string", default: "32" },
  },
});
const apis: Api[] = values.api === "both" ? ["native", "binance"] : [values.api as Api];
const { startServer } = await import(join(resolve(values.tree!), "src", "server.ts")) as typeof import("../src/server");
const dir = tempDir("exchange-route-cost-");
const server: RunningServer = startServer({ host: "127.0.0.1", port: 0, dbPath: join(dir, "exchange.db"), binanceWeightLimit: 0, binanceOrderLimit: 0 });
// Accounts and a seeded book over HTTP, as `exchange load` makes them; then no more network.
const targets = {} as Record<Api, Target>;
for (const api of apis) targets[api] = await prepareExchange(server.url, { api });
closeConnections();

/** CPU seconds of this thread so far (Linux: /proc; elsewhere the whole process's). */
function threadSeconds(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}

/** Runs `n` requests of one API, `--inflight` at a time; returns CPU µs per request of this
 *  thread (the server's) and of the process. */
async function run(api: Api, n: number): Promise<{ thread: number; process: number }> {
  let left = n;
  const before = process.cpuUsage(), threadBefore = threadSeconds();
  await Promise.all(Array.from({ length: Number(values.inflight) }, async (_, i) => {
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
  return { thread: ((threadSeconds() - threadBefore) * 1e6) / n, process: (used.user + used.system) / n };
}

const n = Number(values.requests);
for (const api of apis) await run(api, 2000);
const per: Record<Api, { thread: number; process: number }[]> = { native: [], binance: [] };
for (let round = 0; round < Number(values.rounds); round++) {
  for (const api of round % 2 ? apis.toReversed() : apis) {
    const us = await run(api, n);
    per[api].push(us);
    console.log(`round ${round + 1} ${api}: server's thread ${us.thread.toFixed(1)}, process ${us.process.toFixed(1)} µs/request`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const of = (api: Api, k: "thread" | "process") => median(per[api].map((u) => u[k])).toFixed(1);
if (apis.length === 2) {
  const ratios = per.native.map((x, i) => per.binance[i]!.process / x.process);
  console.log(`native ${of("native", "process")} µs (thread ${of("native", "thread")}), binance ${of("binance", "process")} µs (thread ${of("binance", "thread")}) per request; binance / native ${median(ratios).toFixed(3)} (median of per-round ratios, process)`);
} else {
  console.log(`${apis[0]} (${values.tree}): ${of(apis[0]!, "process")} µs per request, ${of(apis[0]!, "thread")} on the server's thread (medians of ${values.rounds} rounds)`);
}
await server.stop();
