// The living market's figures, each against a real server with persistence on:
//   throughput: a simulated 6.5-hour day of ABIDES' reference population (the `abides` preset)
//     as fast as it goes: venue events (commands sent and trades) per wall second, and the day's
//     wall time;
//   cpu: the server's CPU share at real time with `--simulate calm` (from /proc, over a window);
//   latency: a user's sequential limit orders (resting, far from the market), round trip, with
//     and without the calm simulation at real time, the two taking turns each round.
//   bun bench/sim.ts --rounds 3 [--only throughput|cpu|latency]
// The throughput of other source trees too, taking turns with this one round by round (the first
// variant is the baseline of the ratios), and a shorter day:
//   bun bench/sim.ts --only throughput --rounds 4 --duration 2h --variant before=../before --variant new=.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXCHANGE_FROM_SOURCE, spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" }, only: { type: "string" }, orders: { type: "string", default: "2000" },
    duration: { type: "string", default: "6.5h" }, variant: { type: "string", multiple: true, default: [] },
  },
});
const rounds = Number(values.rounds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMicros = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) * 10_000;
};
const serve = (args: string[], command = EXCHANGE_FROM_SOURCE) => {
  const dir = tempDir("exchange-sim-bench-");
  return spawnExchange(command, dir, { EXCHANGE_LOG_LEVEL: "warn" }, ["serve", "--port", "0", "--db", join(dir, "x.db"), ...args]);
};

if (!values.only || values.only === "throughput") {
  const variants = values.variant.length === 0 ? [{ name: "", command: EXCHANGE_FROM_SOURCE }]
    : values.variant.map((spec) => ({ name: spec.slice(0, spec.indexOf("=")), command: [process.execPath, join(resolve(spec.slice(spec.indexOf("=") + 1)), "src", "main.ts")] }));
  const rates = variants.map(() => [] as number[]), days = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => i);
    for (const v of r % 2 ? order.toReversed() : order) {
      const s = await serve(["--simulate", "abides", "--sim-pace", "max", "--sim-duration", values.duration, "--sim-start", "2026-01-05T09:30:00Z"], variants[v]!.command);
      try {
        let st: any;
        do {
          await Bun.sleep(250);
          st = (await s.call("GET", "/api/v1/sim")).body;
        } while (st.state !== "stopped");
        rates[v]!.push(st.eventsPerSecond);
        days[v]!.push(st.wallMs / 1000);
        console.log(`throughput round ${r + 1}${variants[v]!.name ? ` ${variants[v]!.name}` : ""}: ${st.commands} commands + ${st.trades} trades in ${(st.wallMs / 1000).toFixed(2)} s = ${st.eventsPerSecond} events/s`);
      } finally {
        s.proc.kill("SIGKILL");
      }
    }
  }
  variants.forEach((v, i) => console.log(`throughput${v.name ? ` ${v.name}` : ""}: median ${median(rates[i]!)} events/s; the ${values.duration} day in a median ${median(days[i]!).toFixed(2)} s`));
  for (let i = 1; i < variants.length; i++) {
    const ratios = rates[i]!.map((x, r) => x / rates[0]![r]!);
    console.log(`${variants[i]!.name} / ${variants[0]!.name}: ${ratios.map((x) => x.toFixed(2)).join(", ")} (median ${median(ratios).toFixed(2)})`);
  }
}

if (!values.only || values.only === "cpu") {
  const shares: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = await serve(["--simulate", "calm"]);
    try {
      await Bun.sleep(3000); // (past the start: accounts, funding)
      const [c0, t0] = [cpuMicros(s.proc.pid), performance.now()];
      await Bun.sleep(10_000);
      const share = (cpuMicros(s.proc.pid) - c0) / ((performance.now() - t0) * 1000);
      const st = (await s.call("GET", "/api/v1/sim")).body;
      shares.push(share);
      console.log(`cpu round ${r + 1}: ${(share * 100).toFixed(1)}% of a core (${st.commands} commands, ${st.trades} trades so far)`);
    } finally {
      s.proc.kill("SIGKILL");
    }
  }
  console.log(`cpu: median ${(median(shares) * 100).toFixed(1)}% of a core at real time with --simulate calm`);
}

if (!values.only || values.only === "latency") {
  const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)]!;
  const result: Record<string, { p50: number[]; p99: number[] }> = { without: { p50: [], p99: [] }, with: { p50: [], p99: [] } };
  for (let r = 0; r < rounds; r++) {
    for (const variant of r % 2 === 0 ? ["without", "with"] : ["with", "without"]) {
      const s = await serve(variant === "with" ? ["--simulate", "calm"] : []);
      try {
        await Bun.sleep(3000);
        const key = (await s.call("POST", "/api/v1/accounts", { json: { name: "bench" } })).body.apiKey;
        const times: number[] = [];
        for (let i = 0; i < Number(values.orders); i++) {
          const t = performance.now();
          const res = await s.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "buy", type: "limit", price: "1000.00", quantity: "0.001" } });
          times.push(performance.now() - t);
          if (res.status !== 201) throw new Error(JSON.stringify(res.body));
        }
        result[variant]!.p50.push(p(times, 0.5));
        result[variant]!.p99.push(p(times, 0.99));
        console.log(`latency round ${r + 1} ${variant}: p50 ${p(times, 0.5).toFixed(3)} ms, p99 ${p(times, 0.99).toFixed(3)} ms`);
      } finally {
        s.proc.kill("SIGKILL");
      }
    }
  }
  const m = (v: string, k: "p50" | "p99") => median(result[v]![k]);
  console.log(`latency: without p50 ${m("without", "p50").toFixed(3)} p99 ${m("without", "p99").toFixed(3)} ms; with calm p50 ${m("with", "p50").toFixed(3)} p99 ${m("with", "p99").toFixed(3)} ms; ratio p50 ${(m("with", "p50") / m("without", "p50")).toFixed(2)}, p99 ${(m("with", "p99") / m("without", "p99")).toFixed(2)}`);
}
