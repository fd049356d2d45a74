// Two scenarios of this tree's C++ engine alone, taking turns (so a shared machine's drift falls on
// both alike): the rate of each, per-message latency, and the median of the per-round ratios.
//   bun bench/scenario-ratio.ts --scenario types --against normal [--rounds 7] [--runs 3]
import { parseArgs } from "node:util";
import { runNativeReplay } from "./native-replay";
import { SCENARIOS, loadScenario } from "./scenarios";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "types" },
    against: { type: "string", default: "normal" },
    rounds: { type: "string", default: "7" },
    runs: { type: "string", default: "3" },
  },
});
const names = [values.scenario, values.against];
const file = (name: string) => {
  const spec = SCENARIOS.find((s) => s.name === name);
  if (!spec) throw new Error(`no scenario ${name}: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return loadScenario(spec).file;
};
const files = names.map(file);
const rates: number[][] = [[], []];
for (let round = 1; round <= Number(values.rounds); round++) {
  names.forEach((name, k) => {
    const r = runNativeReplay(files[k]!, Number(values.runs), 1024);
    rates[k]!.push(r.medianRate);
    console.log(`round ${round} ${name}: ${(r.medianRate / 1e6).toFixed(2)} M msg/s, latency p50 ${r.latencyNs.p50} ns, p99 ${r.latencyNs.p99} ns`);
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratio = median(rates[0]!.map((r, i) => r / rates[1]![i]!));
console.log(`median ${names[0]} ${(median(rates[0]!) / 1e6).toFixed(2)}, ${names[1]} ${(median(rates[1]!) / 1e6).toFixed(2)} M msg/s; ratio ${ratio.toFixed(2)}`);
