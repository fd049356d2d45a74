// Engine throughput through bun:ffi at batch sizes 1, 64 and 1024, on a shallow and a deep book.
// Each iteration replays the whole pre-generated stream on a fresh engine prefilled with the same
// book (the prefill is a computed parameter: not timed). Run: npm run bench
import { bench, do_not_optimize, run, summary } from "mitata";
import { CommandBatch, EventBuffer, MatchingEngine } from "../native/engine";
import { packSlice } from "./replay";
import { DEEP, SHALLOW, generateWorkload, type Workload } from "./workload";

const BATCH_SIZES = [1, 64, 1024];
const workloads = [generateWorkload(SHALLOW), generateWorkload(DEEP)];
const batch = new CommandBatch(1024);
const events = new EventBuffer(65_536);

function prefilled(w: Workload): MatchingEngine {
  const engine = new MatchingEngine(1);
  for (let from = 0; from < w.prefill.length; from += 1024) {
    packSlice(batch, w.prefill, from, Math.min(from + 1024, w.prefill.length));
    engine.process(batch, events, () => {});
  }
  return engine;
}

let eventsSeen = 0;
const countEvents = (e: EventBuffer) => { eventsSeen += e.count; };

for (const w of workloads) {
  summary(() => {
    for (const size of BATCH_SIZES) {
      bench(`${w.shape.name} book, batch ${size}`, function* () {
        yield {
          [0]: () => prefilled(w),
          bench(engine: MatchingEngine) {
            const s = w.stream;
            for (let from = 0; from < s.length; from += size) {
              packSlice(batch, s, from, Math.min(from + size, s.length));
              engine.process(batch, events, countEvents);
            }
            engine.close();
            do_not_optimize(eventsSeen);
          },
        };
      });
    }
  });
}

const results = await run();

// Commands per second from each benchmark's median time per iteration (one whole stream).
console.log("\nworkload  batch  median ms/stream  commands/s  vs batch 1");
for (const w of workloads) {
  let base = 0;
  for (const size of BATCH_SIZES) {
    const trial = results.benchmarks.find((b) => b.alias === `${w.shape.name} book, batch ${size}`)!;
    const ns = trial.runs[0]!.stats!.p50;
    const rate = w.stream.length / (ns / 1e9);
    if (size === 1) base = rate;
    console.log(`${w.shape.name.padEnd(9)} ${String(size).padStart(5)}  ${(ns / 1e6).toFixed(2).padStart(16)}  ${Math.round(rate).toLocaleString("en-US").padStart(10)}  ${(rate / base).toFixed(2).padStart(9)}x`);
  }
  console.log(`          (${w.shape.resting} resting, ±${w.shape.levels} levels, ${w.stream.length} commands: ${JSON.stringify(w.mix)}, seed ${w.shape.seed})`);
}
