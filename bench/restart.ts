// How long a start takes after many acknowledged orders: a real server fed over the binary
// protocol (`exchange load --api binary`, a second process) until --orders requests are
// acknowledged, then kill -9 (no clean stop, so no last snapshot: the newest periodic one and the
// journal after it) and restarts, each timed from spawn to "listening"; then a clean stop and a
// start after it.
//   bun bench/restart.ts [--orders 10000000] [--rounds 3] [--dir DIR] [--snapshot-every N]
// With --dir of an earlier run, its database is reused and the load phase skipped.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EXCHANGE_FROM_SOURCE as SOURCE, spawnExchange } from "../test/helpers";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "10000000" },
    rounds: { type: "string", default: "3" },
    dir: { type: "string" },
    "snapshot-every": { type: "string", default: "1000000" },
  },
});
const target = Number(values.orders);
const dir = values.dir ?? join("/tmp", `exchange-restart-${Date.now()}`);
mkdirSync(dir, { recursive: true });
const env = { EXCHANGE_DB: join(dir, "exchange.db") };
const args = ["serve", "--port", "0", "--binary-port", "0", "--snapshot-every", values["snapshot-every"]!];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timedStart() {
  const t0 = performance.now();
  const server = await spawnExchange(SOURCE, dir, env, args);
  return { server, ms: performance.now() - t0, replayed: Number(/recovered (\d+) journal entries/.exec(server.startup)?.[1]) };
}

let acknowledged = 0;
if (!existsSync(env.EXCHANGE_DB)) {
  const { server } = await timedStart();
  const binaryPort = /binary tcp:\/\/[\d.]+:(\d+)/.exec(server.startup)![1];
  while (acknowledged < target) {
    const left = target - acknowledged;
    const seconds = Math.max(5, Math.min(60, Math.ceil(left / 60_000)));
    const run = Bun.spawnSync([...SOURCE, "load", "--url", server.url, "--api", "binary", "--binary-url", `tcp://127.0.0.1:${binaryPort}`,
      "--scenario", "sustained", "--duration", String(seconds), "--json"], { stderr: "ignore" });
    const result = JSON.parse(run.stdout.toString()).results[0];
    acknowledged += result.ok;
    console.error(`load: ${acknowledged.toLocaleString("en-US")} acknowledged (${Math.round(result.ordersPerSecond).toLocaleString("en-US")}/s)`);
  }
  server.proc.kill("SIGKILL");
  await server.proc.exited;
}

const bytes = statSync(env.EXCHANGE_DB).size;
const afterKill: { ms: number; replayed: number }[] = [];
for (let i = 0; i < Number(values.rounds); i++) {
  const { server, ms, replayed } = await timedStart();
  afterKill.push({ ms, replayed });
  server.proc.kill("SIGKILL");
  await server.proc.exited;
}
const clean = await timedStart();
clean.server.proc.kill("SIGTERM");
await clean.server.proc.exited;
const afterStop: number[] = [];
for (let i = 0; i < Number(values.rounds); i++) {
  const { server, ms } = await timedStart();
  afterStop.push(ms);
  server.proc.kill("SIGTERM");
  await server.proc.exited;
}
console.log(JSON.stringify({
  dir, acknowledged: acknowledged || undefined, databaseBytes: bytes,
  afterKill9: { ms: afterKill.map((r) => Math.round(r.ms)), medianMs: Math.round(median(afterKill.map((r) => r.ms))), journalEntriesReplayed: afterKill[0]?.replayed },
  afterCleanStop: { ms: afterStop.map(Math.round), medianMs: Math.round(median(afterStop)) },
}, null, 2));
