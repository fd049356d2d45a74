// HTTP figures in one run, same client settings for both targets: a bare Bun.serve JSON echo
// (the ceiling for one order per request) and the exchange (every order persisted before its
// answer), through the lean client and through fetch(). Then the old system's three scenarios, a
// fixed offered rate, and the batch endpoint (lean client).
//   bun bench/http.ts [--seconds 10] [--json FILE]
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { closeConnections, connect, prepareExchange } from "../src/load/driver";
import { defaultConnections, runScenario } from "../src/load/main";
import { table, type ScenarioResult } from "../src/load/report";
import { EXCHANGE_FROM_SOURCE, spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, json: { type: "string" } } });
const seconds = Number(values.seconds);
const dir = tempDir("exchange-http-");
const echo = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, {}, ["echo-server", "--port", "0"]);
const exchange = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, { EXCHANGE_DB: join(dir, "exchange.db") });
const echoTarget = await connect(echo.url, "BTC-USD", true, []);
const target = await prepareExchange(exchange.url);

// The ratio depends on the client's own CPU, since client and server share the machine's cores:
// sustained is measured through both clients, each against both targets.
const options = { connections: 32, duration: seconds, rate: 5000, batchSize: 1000 };
const results: ScenarioResult[] = [];
const ratios: Record<string, number> = {};
for (const client of ["raw", "fetch"] as const) {
  const viaEcho = await runScenario({ ...echoTarget, client }, "sustained", options);
  const viaExchange = await runScenario({ ...target, client }, "sustained", options);
  results.push({ ...viaEcho, scenario: `sustained (${client})` }, { ...viaExchange, scenario: `sustained (${client})` });
  ratios[client] = viaExchange.requestsPerSecond / viaEcho.requestsPerSecond;
}
results.push(await runScenario(echoTarget, "open-loop", options));
results.push(await runScenario(target, "open-loop", options));
for (const name of ["sequential", "concurrent"]) results.push(await runScenario(target, name, options));
results.push(await runScenario(target, "batch", { ...options, connections: defaultConnections("batch") }));

console.log(`\n${table(results.map((r) => ({ ...r, scenario: `${r.target} ${r.scenario}` })))}`);
for (const [client, ratio] of Object.entries(ratios)) {
  console.log(`exchange / bare echo, sustained through the ${client} client (32 connections, same run): ${(ratio * 100).toFixed(0)}%`);
}
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), results, ratios }, null, 2));
closeConnections();
echo.proc.kill();
exchange.proc.kill("SIGTERM");
await exchange.proc.exited;
