// What the Binance surface costs over /api/v1 for the same orders: the same load tool and
// settings (`exchange load`'s flow, --api native against --api binance: signed form-body POST
// /api/v3/order with newOrderRespType FULL), against one server per round, the two taking turns
// (the order swapped each round) so that the drift of a shared machine falls on both. Prints each
// run, then the medians and the ratio binance / native.
//   bun bench/surface-overhead.ts --scenario sustained --rounds 5 --seconds 8 [--warmup 2]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { closeConnections, prepareExchange, type Api } from "../src/load/driver";
import { defaultConnections, runScenario } from "../src/load/main";
import { table, type ScenarioResult } from "../src/load/report";
import { EXCHANGE_FROM_SOURCE, spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "sustained" },
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "8" },
    orders: { type: "string", default: "3000" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string" },
  },
});
const scenario = values.scenario;
const connections = values.connections === undefined ? defaultConnections(scenario) : Number(values.connections);
const runs: Record<Api, ScenarioResult[]> = { native: [], binance: [] };
/** The server's CPU time per request of each run, µs (user + system, from /proc). */
const cpuPerRequest: Record<Api, number[]> = { native: [], binance: [] };
/** The load client's (this process's) CPU time per request: it shares the machine's cores. */
const clientCpuPerRequest: Record<Api, number[]> = { native: [], binance: [] };
const cpuMicros = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100); // clock ticks of 1/100 s
};

for (let round = 0; round < Number(values.rounds); round++) {
  const dir = tempDir("exchange-surface-");
  const server = await spawnExchange(EXCHANGE_FROM_SOURCE, dir,
    { EXCHANGE_DB: join(dir, "exchange.db"), EXCHANGE_BINANCE_WEIGHT_LIMIT: "0", EXCHANGE_BINANCE_ORDER_LIMIT: "0", EXCHANGE_LOG_LEVEL: "warn" });
  try {
    const order: Api[] = round % 2 === 0 ? ["native", "binance"] : ["binance", "native"];
    const targets = { native: await prepareExchange(server.url, { api: "native" }), binance: await prepareExchange(server.url, { api: "binance" }) };
    // Both routes run untimed first, so that neither is timed on a server still compiling its code
    // (without it, whichever ran first in a round lost 5-15%).
    if (Number(values.warmup) > 0) {
      for (const api of order) await runScenario(targets[api], scenario, { connections, duration: Number(values.warmup), rate: 5000, batchSize: 1000, orders: Number(values.orders) });
    }
    for (const api of order) {
      const target = targets[api];
      const cpuBefore = cpuMicros(server.proc.pid);
      const clientBefore = process.cpuUsage();
      const result = await runScenario(target, scenario, {
        connections, duration: Number(values.seconds), rate: 5000, batchSize: 1000, orders: Number(values.orders),
      });
      cpuPerRequest[api].push((cpuMicros(server.proc.pid) - cpuBefore) / result.requests);
      const client = process.cpuUsage(clientBefore);
      clientCpuPerRequest[api].push((client.user + client.system) / result.requests);
      runs[api].push({ ...result, scenario: `${api}: ${result.scenario}` });
      console.log(`${table([runs[api].at(-1)!]).split("\n").slice(1).join("\n")}  server ${cpuPerRequest[api].at(-1)!.toFixed(1)} µs, client ${clientCpuPerRequest[api].at(-1)!.toFixed(1)} µs a request`);
    }
  } finally {
    closeConnections();
    server.proc.kill("SIGTERM");
    await server.proc.exited;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const figures = (api: Api) => ({
  ordersPerSecond: median(runs[api].map((r) => r.requestsPerSecond)),
  p50: median(runs[api].map((r) => r.latencyMs.p50)),
  p99: median(runs[api].map((r) => r.latencyMs.p99)),
  cpu: median(cpuPerRequest[api]),
  clientCpu: median(clientCpuPerRequest[api]),
});
const native = figures("native"), binance = figures("binance");
console.log(`\nmedians of ${values.rounds} rounds, ${scenario}:`);
for (const [name, f] of [["native ", native], ["binance", binance]] as const) {
  console.log(`  ${name}  ${f.ordersPerSecond.toFixed(0)} req/s, p50 ${f.p50.toFixed(3)} ms, p99 ${f.p99.toFixed(3)} ms, server CPU ${f.cpu.toFixed(1)} µs/request, load client CPU ${f.clientCpu.toFixed(1)} µs/request`);
}
console.log(`  binance / native: throughput ${(binance.ordersPerSecond / native.ordersPerSecond).toFixed(3)}, p50 ${(binance.p50 / native.p50).toFixed(3)}, p99 ${(binance.p99 / native.p99).toFixed(3)}, server CPU per request ${(binance.cpu / native.cpu).toFixed(3)}`);
// Per-round ratios: each pair ran on one server within a minute of each other.
const ratios = runs.native.map((n, i) => runs.binance[i]!.requestsPerSecond / n.requestsPerSecond);
console.log(`  per-round throughput ratios: ${ratios.map((r) => r.toFixed(3)).join(", ")} (median ${median(ratios).toFixed(3)})`);
