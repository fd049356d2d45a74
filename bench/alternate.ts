// Alternating A/B runs of one load scenario against fresh servers. A variant is a source tree (a
// `git worktree` of the commit to compare with, or this one) and environment variables for its
// server; the load client is always this tree's. Taking turns, each on a new database, keeps the
// drift of a shared machine out of the comparison. Prints each run, then the medians per variant.
//   git worktree add ../base HEAD~1 && (cd ../base && npm install)
//   bun bench/alternate.ts --scenario batch --rounds 3 --variant base=../base --variant new=.
//   bun bench/alternate.ts --scenario open-loop --variant gc=.:BUN_JSC_numberOfGCMarkers=1 --variant plain=.
// --rate N: the offered orders per second of the open-loop scenarios (default 5000), e.g.
//   bun bench/alternate.ts --scenario batch-open-loop --rate 120000 --variant base=../base --variant new=.
// With --warmup S, each server first runs the scenario untimed for S seconds (HTTP scenarios): a
// fresh server spends its first seconds compiling its code on the same two cores, which the timed
// run's tail would otherwise measure (BENCHMARKS.md).
// With --api binary, the sustained scenario over the binary protocol (4 sessions, 256 outstanding each).
// With --api binance, the HTTP scenarios as a Binance bot sends them (signed /api/v3 orders and
// cancels), against servers whose Binance request weights and order counts refuse nothing.
// With --load process, the load runs as `exchange load` (this tree's) in a process of its own, as a
// bot would, instead of in this one: one order at a time, the two harnesses have disagreed by more
// than the trees did (BENCHMARKS.md).
//   bun bench/alternate.ts --scenario sequential --orders 20000 --rounds 6 --load process --variant base=../base --variant new=.
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { binarySustained } from "../src/load/binary-load";
import { closeConnections, prepareExchange } from "../src/load/driver";
import { defaultConnections, runScenario } from "../src/load/main";
import { summarize, table, type ScenarioResult } from "../src/load/report";
import { spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "sustained" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "8" },
    connections: { type: "string" },
    orders: { type: "string" },
    variant: { type: "string", multiple: true, default: [] },
    api: { type: "string", default: "native" },
    load: { type: "string", default: "here" },
    warmup: { type: "string", default: "0" },
    rate: { type: "string", default: "5000" },
  },
});
if (values.variant.length < 2) throw new Error("give at least two --variant NAME=DIR[:ENV=VALUE,...]");

const variants = values.variant.map((spec) => {
  const [name, rest] = [spec.slice(0, spec.indexOf("=")), spec.slice(spec.indexOf("=") + 1)];
  const [dir, env = ""] = rest.split(/:(.*)/s);
  return {
    name, main: join(resolve(dir!), "src", "main.ts"),
    env: Object.fromEntries(env.split(",").filter(Boolean)
      .map((kv) => kv.split(/=(.*)/s).slice(0, 2) as [string, string])),
    runs: [] as ScenarioResult[],
  };
});
const scenario = values.scenario;
if (!["native", "binance", "binary"].includes(values.api)) throw new Error(`--api must be native, binance or binary, not "${values.api}"`);
const binary = values.api === "binary";
const api = values.api === "binance" ? "binance" : "native";
// (Older trees ignore the variable they do not know.)
const unlimited: Record<string, string> = api === "binance" ? { EXCHANGE_BINANCE_WEIGHT_LIMIT: "0", EXCHANGE_BINANCE_ORDER_LIMIT: "0" } : {};
if (binary && scenario !== "sustained") throw new Error("--api binary runs the sustained scenario");
const connections = values.connections !== undefined ? Number(values.connections) : binary ? 4 : defaultConnections(scenario);
if (values.load !== "here" && values.load !== "process") throw new Error(`--load must be here or process, not "${values.load}"`);
if (values.load === "process" && binary) throw new Error("--load process runs HTTP scenarios");

/** The scenario run by `exchange load --json` in a process of its own (which prepares its accounts and book alike). */
function loadInProcess(url: string): ScenarioResult {
  const args = ["load", "--url", url, "--api", api, "--scenario", scenario, "--connections", String(connections), "--duration", values.seconds, "--rate", values.rate, "--json"];
  if (values.orders !== undefined) args.push("--orders", values.orders);
  const r = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "src", "main.ts"), ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`exchange load failed: ${r.stderr.toString()}`);
  return (JSON.parse(r.stdout.toString()) as { results: ScenarioResult[] }).results[0]!;
}

for (let round = 0; round < Number(values.rounds); round++) {
  for (const v of variants) {
    const dir = tempDir("exchange-alternate-");
    const server = await spawnExchange([process.execPath, v.main], dir,
      { EXCHANGE_DB: join(dir, "exchange.db"), ...unlimited, ...v.env }, ["serve", "--port", "0", ...(binary ? ["--binary-port", "0"] : [])]);
    try {
      if (values.load === "process") {
        const result = loadInProcess(server.url);
        v.runs.push({ ...result, scenario: `${v.name}: ${result.scenario}` });
        console.log(table([v.runs.at(-1)!]).split("\n").slice(1).join("\n"));
        continue;
      }
      const target = await prepareExchange(server.url, { api });
      const settings = {
        connections, duration: Number(values.seconds), rate: Number(values.rate), batchSize: 1000,
        orders: values.orders === undefined ? undefined : Number(values.orders),
      };
      // (Scenarios of a number of orders run again until the warm-up's time is up.)
      const warmEnd = performance.now() + Number(values.warmup) * 1000;
      while (!binary && performance.now() < warmEnd) await runScenario(target, scenario, { ...settings, duration: Number(values.warmup) });
      const result = binary
        ? await binarySustained(target, `tcp://127.0.0.1:${/binary tcp:\/\/[\d.]+:(\d+)/.exec(server.startup)![1]}`, connections, 256, Number(values.seconds))
          .then((r) => summarize("binary sustained", "exchange", r.rec, r.seconds))
        : await runScenario(target, scenario, settings);
      v.runs.push({ ...result, scenario: `${v.name}: ${result.scenario}` });
      console.log(table([v.runs.at(-1)!]).split("\n").slice(1).join("\n"));
    } finally {
      closeConnections();
      server.proc.kill("SIGTERM");
      await server.proc.exited;
    }
  }
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\nmedians of ${values.rounds} runs:`);
console.log(table(variants.map((v) => {
  const first = v.runs[0]!;
  const latency = Object.fromEntries(Object.keys(first.latencyMs).map((q) =>
    [q, median(v.runs.map((r) => r.latencyMs[q as keyof typeof r.latencyMs]))])) as typeof first.latencyMs;
  const of = (key: "requests" | "ok" | "errors" | "requestsPerSecond" | "ordersPerSecond") => median(v.runs.map((r) => r[key]));
  return {
    ...first, requests: of("requests"), ok: of("ok"), errors: of("errors"),
    requestsPerSecond: of("requestsPerSecond"), ordersPerSecond: of("ordersPerSecond"), latencyMs: latency,
  };
})));
