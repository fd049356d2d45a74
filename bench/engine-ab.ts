// Alternating A/B runs of the C++ engine alone (bench/replay.cpp) for two or more source trees,
// each on its own tree's scenario streams: per round, per scenario, every variant in turn, so the
// drift of a shared machine falls on all alike. Prints each run, then per scenario the median
// rate of each variant and the median of the per-round ratios to the first variant.
//   git worktree add ../base 9c33559 && ln -s "$PWD/node_modules" ../base/node_modules
//   bun bench/engine-ab.ts --variant base=../base --variant new=. [--rounds 5] [--runs 5]
// With --together, every tree's engine library runs in one process on this tree's streams
// (bench/replay-ab.cpp), taking turns run by run: far steadier on a shared machine, for trees
// whose ex_command layout is this tree's.
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { compileIfStale } from "../native/build";

const { values } = parseArgs({
  options: {
    variant: { type: "string", multiple: true, default: [] },
    rounds: { type: "string", default: "5" },
    runs: { type: "string", default: "5" },
    scenario: { type: "string", multiple: true, default: ["normal", "deep", "swinging", "crash"] },
    together: { type: "boolean", default: false },
  },
});
if (values.variant.length < 2) throw new Error("give at least two --variant NAME=DIR");
const variants = values.variant.map((spec) => ({ name: spec.slice(0, spec.indexOf("=")), dir: resolve(spec.slice(spec.indexOf("=") + 1)) }));

/** Runs `code` with bun in a variant's tree, so that its own modules (and engine) are used. */
function inTree(dir: string, code: string): string {
  const r = Bun.spawnSync([process.execPath, "-e", code], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${dir}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

if (values.together) {
  const libraries = variants.map((v) => inTree(v.dir, `import { ensureEngineLibrary } from "./native/build"; console.log(ensureEngineLibrary())`));
  const { SCENARIOS, loadScenario } = await import("./scenarios");
  const source = join(import.meta.dir, "replay-ab.cpp");
  const binary = compileIfStale(join(import.meta.dir, "..", "native", "build", "replay-ab"), [source], [source, join(import.meta.dir, "chunk-floor.hpp"), join(import.meta.dir, "scenario-file.hpp"), join(import.meta.dir, "..", "engine", "engine.h")]);
  console.log(`M msg/s: floor (each chunk at its fastest) and median of ${values.rounds} runs each; ratios to ${variants[0]!.name}`);
  console.log("scenario   " + variants.map((v) => v.name.padEnd(18)).join("") + "floor ratios   median ratios");
  for (const scenario of values.scenario) {
    const file = loadScenario(SCENARIOS.find((x) => x.name === scenario)!).file;
    const r = Bun.spawnSync([binary, file, values.rounds, ...libraries], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`replay-ab: ${r.stderr.toString()}`);
    const out = (JSON.parse(r.stdout.toString()) as { libraries: { floorRate: number; medianRate: number }[] }).libraries;
    const cells = out.map((l) => `${(l.floorRate / 1e6).toFixed(2)} / ${(l.medianRate / 1e6).toFixed(2)}`.padEnd(18)).join("");
    const ratios = (key: "floorRate" | "medianRate") => out.slice(1).map((l) => (l[key] / out[0]![key]).toFixed(2)).join(" ");
    console.log(`${scenario.padEnd(10)} ${cells}${ratios("floorRate").padEnd(15)}${ratios("medianRate")}`);
  }
  process.exit(0);
}

// Each tree's stream files (generated when missing), by scenario.
const files = new Map(variants.map((v) => [v.name, JSON.parse(inTree(v.dir,
  `import { SCENARIOS, loadScenario } from "./bench/scenarios"; console.log(JSON.stringify(Object.fromEntries(SCENARIOS.map((s) => [s.name, loadScenario(s).file]))))`,
)) as Record<string, string>]));

// Per round, scenario and variant: the median run's rate and the floor rate (bench/replay.cpp:
// each chunk of the stream at its fastest over the runs, which a shared machine's slow spells
// disturb far less; a tree whose replay.cpp predates it reports only the median).
const rates = new Map<string, { median: number[]; floor: number[] }>();
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const scenario of values.scenario) {
    for (const v of variants) {
      const file = files.get(v.name)![scenario]!;
      const r = JSON.parse(inTree(v.dir, `import { runNativeReplay } from "./bench/native-replay"; console.log(JSON.stringify(runNativeReplay(${JSON.stringify(file)}, ${Number(values.runs)}, 1024)))`));
      const floor: number = r.floorRate ?? r.medianRate;
      console.log(`round ${round} ${scenario} ${v.name}: median ${(r.medianRate / 1e6).toFixed(2)}, floor ${(floor / 1e6).toFixed(2)} M msg/s`);
      const key = `${scenario}/${v.name}`;
      const seen = rates.get(key) ?? { median: [], floor: [] };
      seen.median.push(r.medianRate);
      seen.floor.push(floor);
      rates.set(key, seen);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const measure of ["median", "floor"] as const) {
  console.log(`\n${measure} rates, M msg/s (median of rounds); ratios to ${variants[0]!.name} (median of per-round ratios)`);
  console.log("scenario   " + variants.map((v) => v.name.padEnd(12)).join(""));
  for (const scenario of values.scenario) {
    const of = (v: { name: string }) => rates.get(`${scenario}/${v.name}`)![measure];
    const cells = variants.map((v) => `${(median(of(v)) / 1e6).toFixed(2)}`.padEnd(12)).join("");
    const ratios = variants.slice(1).map((v) => median(of(v).map((r, i) => r / of(variants[0]!)[i]!)).toFixed(2)).join(" ");
    console.log(`${scenario.padEnd(10)} ${cells}${ratios}`);
  }
}
