// Memory under sustained load: starts a real exchange process on a fresh database, warms it up,
// then sends millions of orders through the batch endpoint (half resting, half IOC takers that
// consume them, so the books stay bounded) while sampling the server's RSS from /proc and the
// sizes of its SQLite WAL files (bounded by the checkpoint thread and the projector) and of its
// data directory. With --simulate PRESET, the simulated market runs beside the load.
//   bun bench/memory.ts [--seconds 40] [--simulate calm]
import { parseArgs } from "node:util";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { batchLoop, prepareExchange } from "../src/load/driver";
import { EXCHANGE_FROM_SOURCE, spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "40" }, simulate: { type: "string" } } });
const dir = tempDir("exchange-memory-");
const simulate = values.simulate ? ["--simulate", values.simulate] : [];
const { proc: server, url } = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, { EXCHANGE_DB: join(dir, "exchange.db") }, ["serve", "--port", "0", ...simulate]);
let largestWal = 0;
const MiB = 1 << 20;
const filesMiB = (keep: (name: string) => boolean) => readdirSync(dir).filter(keep).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) / MiB;
// The database file's WAL and the projection file's (database.ts names it beside the database).
const walMiB = () => filesMiB((f) => f.endsWith("-wal"));
const diskMiB = () => filesMiB(() => true);
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))![1]) / 1024;

const target = await prepareExchange(url);
let orders = 0;
const run = async (seconds: number) => { orders += (await batchLoop(target, 2, 1000, seconds)).ordersOk; };
await run(5);
const warm = { orders, rss: rss() };
console.log(`after warm-up: ${warm.orders.toLocaleString("en-US")} orders, RSS ${warm.rss.toFixed(1)} MiB`);
const samples: number[] = [];
for (let t = 0; t < Number(values.seconds); t += 5) {
  await run(5);
  samples.push(rss());
  const wal = walMiB();
  largestWal = Math.max(largestWal, wal);
  const book = await (await fetch(`${url}/api/v1/markets/BTC-USD/book?depth=1000`)).json() as { bids: unknown[]; asks: unknown[] };
  console.log(`+${t + 5}s: ${orders.toLocaleString("en-US")} orders, RSS ${samples.at(-1)!.toFixed(1)} MiB, WAL ${wal.toFixed(0)} MiB, book ${book.bids.length}+${book.asks.length} levels`);
}
const last = samples.at(-1)!;
const disk = diskMiB();
console.log(`\nRSS: ${warm.rss.toFixed(1)} MiB after warm-up, ${last.toFixed(1)} MiB after ${orders.toLocaleString("en-US")} orders (${(((last - warm.rss) / warm.rss) * 100).toFixed(1)}%), peak ${Math.max(...samples).toFixed(1)} MiB; WALs at most ${largestWal.toFixed(0)} MiB together; data directory ${disk.toFixed(0)} MiB (${((disk * MiB) / orders).toFixed(0)} bytes an order)`);
server.kill("SIGTERM");
await server.exited;
