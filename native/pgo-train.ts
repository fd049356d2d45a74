// The training run of the engine's profile-guided build (native/build.ts): loads the instrumented
// library given as the argument and drives it as the exchange does, so that g++ learns which
// paths are hot. Each benchmark scenario's order flow (bench/scenarios.ts) with seeds other than
// those of the measured streams: generated one command at a time (as a quiet venue sends them),
// replayed in batches of 256 (as under load) with a look at the top of the book after each (as
// the simulation does every step), then a snapshot and a restore of the final state; then the
// profile is written (native/pgo-dump.cpp).
//   bun native/pgo-train.ts LIBRARY.so
import { dlopen } from "bun:ffi";
import { useEmbeddedLibraries } from "./library";

const TRAINING_SEED_OFFSET = 7777;
const MESSAGES = 200_000;
const BATCH = 256;

useEmbeddedLibraries({ engine: process.argv[2]! });
const { BENCH_ASSETS, BENCH_MARKETS, SCENARIOS, generateScenario } = await import("../bench/scenarios");
const { EventBuffer, MatchingEngine, PackedCommands } = await import("./engine");

const events = new EventBuffer(65_536);
const ignore = () => {};
for (const spec of SCENARIOS) {
  const scenario = generateScenario({ ...spec, seed: spec.seed + TRAINING_SEED_OFFSET, messages: MESSAGES });
  const engine = new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS);
  for (const bytes of [scenario.prefill, scenario.stream]) {
    const commands = new PackedCommands(bytes);
    for (let from = 0; from < commands.count;) {
      const n = commands.sliceLength(from, Math.min(BATCH, commands.count - from));
      engine.processPacked(commands, from, n, events, ignore);
      engine.depth(0, 0, 1);
      engine.depth(0, 1, 1);
      from += n;
    }
  }
  engine.depth(0, 0, 1000);
  new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS, engine.snapshot()).close();
  engine.close();
}

dlopen(process.argv[2]!, { ex_pgo_dump: { args: [], returns: "void" } }).symbols.ex_pgo_dump();
