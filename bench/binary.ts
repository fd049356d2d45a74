// Binary order entry, measured as the issue asks: a fresh server (--binary-port) per run and
// `exchange load --api binary` from a second process: sustained (4 sessions, --window requests
// outstanding each) and open loop at each --rates, in rounds. Each run is followed by the same
// load against the bare binary echo (`exchange echo-server --binary-port`, which answers at once):
// the floor of this machine's client, loopback and framing, in the same round. Prints every run,
// then medians.
// With --warmup S, each server (and echo) first takes the same load, untimed, for S seconds: a
// fresh server compiles its code in its first second under load, with stalls of 10-40 ms that set
// an open-loop run's p99 (BENCHMARKS.md); a venue that has run a while has no such second.
//   bun bench/binary.ts [--rounds 3] [--seconds 10] [--rates 100000,50000,20000,10000] [--window 256] [--warmup 0]
import { parseArgs } from "node:util";
import { join } from "node:path";
import { EXCHANGE_FROM_SOURCE as SOURCE, spawnExchange, tempDir } from "../test/helpers";
import type { ScenarioResult } from "../src/load/report";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    rates: { type: "string", default: "100000,50000,20000,10000" },
    window: { type: "string", default: "256" },
    connections: { type: "string", default: "4" },
    warmup: { type: "string", default: "0" },
  },
});
const runs = new Map<string, ScenarioResult[]>();

async function run(scenario: string, extra: string[], echo = false): Promise<ScenarioResult> {
  const dir = tempDir("exchange-binary-bench-");
  // (Against the echo too: the exchange's HTTP API makes the load's accounts.)
  const server = await spawnExchange(SOURCE, dir, { EXCHANGE_DB: join(dir, "exchange.db") }, ["serve", "--port", "0", "--binary-port", "0"]);
  const baseline = echo ? await spawnExchange(SOURCE, dir, {}, ["echo-server", "--port", "0", "--binary-port", "0"]) : null;
  try {
    const listening = (baseline ?? server).startup;
    const port = /binary tcp:\/\/[\d.]+:(\d+)/.exec(listening)![1];
    const load = (seconds: string) => Bun.spawnSync([...SOURCE, "load", "--url", server.url, "--api", "binary", "--binary-url", `tcp://127.0.0.1:${port}`,
      "--scenario", scenario, "--duration", seconds, "--connections", values.connections!, "--json", ...extra], { stderr: "ignore" });
    if (Number(values.warmup) > 0) load(values.warmup!);
    return JSON.parse(load(values.seconds!).stdout.toString()).results[0];
  } finally {
    server.proc.kill("SIGKILL");
    baseline?.proc.kill("SIGKILL");
    await server.proc.exited;
  }
}

const record = (name: string, r: ScenarioResult) => {
  runs.set(name, [...(runs.get(name) ?? []), r]);
  console.log(`${name}: ${Math.round(r.ordersPerSecond).toLocaleString("en-US")} acknowledged/s, p50 ${r.latencyMs.p50.toFixed(3)} ms, p99 ${r.latencyMs.p99.toFixed(3)} ms, p99.9 ${r.latencyMs.p999.toFixed(3)} ms, errors ${r.errors}`);
};

for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, scenario, extra] of [["sustained", "sustained", ["--window", values.window!]],
    ...values.rates!.split(",").map((rate) => [`open-loop ${rate}/s`, "open-loop", ["--rate", rate]])] as [string, string, string[]][]) {
    record(name, await run(scenario, extra));
    record(`${name} (echo)`, await run(scenario, extra, true));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\nmedians of ${values.rounds} runs:`);
for (const [name, rs] of runs) {
  console.log(`${name}: ${Math.round(median(rs.map((r) => r.ordersPerSecond))).toLocaleString("en-US")} acknowledged/s, ` +
    `p50 ${median(rs.map((r) => r.latencyMs.p50)).toFixed(3)} ms, p99 ${median(rs.map((r) => r.latencyMs.p99)).toFixed(3)} ms, p99.9 ${median(rs.map((r) => r.latencyMs.p999)).toFixed(3)} ms`);
}
