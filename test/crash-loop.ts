// Crash rounds by hand, as many as you like: npm run test:crash -- [--rounds 20] [--seed 1]
import { parseArgs } from "node:util";
import { crashRound } from "./crash-scenario";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "20" }, seed: { type: "string", default: "1" } } });
let failed = 0;
for (let i = 0; i < Number(values.rounds); i++) {
  const seed = Number(values.seed) * 1000 + i;
  const problems: string[] = [];
  const r = await crashRound(seed, problems);
  console.log(`round ${i + 1} (seed ${seed}): killed after ${r.killedAfterMs} ms, ${r.acknowledged} acknowledged orders, ${r.orders} stored (${r.conditional} conditional, ${r.icebergs} icebergs, ${r.listed} in lists), ${r.trades} trades, ${r.binary} over the binary protocol, checked from the snapshot at ${r.snapshotSeq}: ${problems.length ? "FAILED" : "ok"}`);
  for (const p of problems.slice(0, 10)) console.log(`  ${p}`);
  if (problems.length) failed++;
}
console.log(`${Number(values.rounds) - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
