// The engine's benchmarks, all on the same pre-generated streams (bench/scenarios.ts):
//   1. C++ alone (bench/replay.cpp): throughput, median of 5 runs, and a per-message latency pass;
//   2. through bun:ffi with mitata, at batch sizes 1, 64, 256 and 1024 (commands already packed),
//      and at 256 with every command packed from JS arrays by the binding;
//   3. against nodejs-order-book in the same mitata run, on the first messages of the same stream;
//   4. a per-message latency pass through bun:ffi.
// Run: npm run bench   (optionally: npm run bench -- normal deep   to pick scenarios)
import { bench, do_not_optimize, run, summary } from "mitata";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommandBatch, EventBuffer, MatchingEngine, PackedCommands } from "../native/engine";
import { COMMAND } from "../native/layout";
import { packSlice, unpack } from "./js-commands";
import { runNativeReplay, type NativeResult } from "./native-replay";
import { BENCH_ASSETS, BENCH_MARKETS, SCENARIOS, loadScenario, type Scenario } from "./scenarios";
import { baselineStream, prefilledBaseline, replayBaseline } from "./ts-baseline";

const FFI_BATCHES = [1, 64, 256, 1024];
const JS_PACKED_BATCH = 256;
/** nodejs-order-book is slow on deep books: it replays the first N messages of the stream. */
const BASELINE_PREFIX: Record<string, number> = { normal: 50_000, deep: 5_000 };

const wanted = process.argv.slice(2);
const scenarios = SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.name)).map(loadScenario);

// ---- 1. C++ alone --------------------------------------------------------------------------
const native = new Map<string, NativeResult>();
for (const s of scenarios) {
  process.stderr.write(`C++ replay: ${s.spec.name}…\n`);
  native.set(s.spec.name, runNativeReplay(s.file));
}

// ---- 2 and 3. mitata -----------------------------------------------------------------------
const events = new EventBuffer(65_536);
const batch = new CommandBatch(1024);
let eventsSeen = 0;
const count = (e: EventBuffer) => { eventsSeen += e.count; };

interface Loaded { s: Scenario; prefill: PackedCommands; stream: PackedCommands }
const loaded: Loaded[] = scenarios.map((s) => ({ s, prefill: new PackedCommands(s.prefill), stream: new PackedCommands(s.stream) }));

function prefilledEngine(l: Loaded): MatchingEngine {
  const engine = new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS);
  for (let from = 0; from < l.prefill.count; from += 1024) {
    engine.processPacked(l.prefill, from, Math.min(1024, l.prefill.count - from), events, () => {});
  }
  return engine;
}

function replayPacked(engine: MatchingEngine, stream: PackedCommands, size: number, messages: number): void {
  for (let from = 0; from < messages;) {
    const n = stream.sliceLength(from, Math.min(size, messages - from));
    engine.processPacked(stream, from, n, events, count);
    from += n;
  }
}

const name = (scenario: string, what: string) => `${scenario}: ${what}`;

for (const l of loaded) {
  const id = l.s.spec.name;
  const js = unpack(l.s.stream);
  summary(() => {
    for (const size of FFI_BATCHES) {
      bench(name(id, `ffi batch ${size}`), function* () {
        yield {
          [0]: () => prefilledEngine(l),
          bench(engine: MatchingEngine) {
            replayPacked(engine, l.stream, size, l.stream.count);
            engine.close();
            do_not_optimize(eventsSeen);
          },
        };
      });
    }
    bench(name(id, `ffi batch ${JS_PACKED_BATCH}, packed in JS`), function* () {
      yield {
        [0]: () => prefilledEngine(l),
        bench(engine: MatchingEngine) {
          for (let from = 0; from < js.length;) {
            from = packSlice(batch, js, from, Math.min(from + JS_PACKED_BATCH, js.length));
            engine.process(batch, events, count);
          }
          engine.close();
          do_not_optimize(eventsSeen);
        },
      };
    });
  });

  const prefix = BASELINE_PREFIX[id];
  if (prefix) {
    const basePrefill = baselineStream(unpack(l.s.prefill));
    const baseStream = baselineStream(unpack(l.s.stream.subarray(0, prefix * COMMAND.size)));
    summary(() => {
      bench(name(id, `first ${prefix}: engine, ffi batch 256`), function* () {
        yield {
          [0]: () => prefilledEngine(l),
          bench(engine: MatchingEngine) {
            replayPacked(engine, l.stream, 256, prefix);
            engine.close();
          },
        };
      });
      bench(name(id, `first ${prefix}: nodejs-order-book`), function* () {
        yield {
          [0]: () => prefilledBaseline(basePrefill),
          bench(book: ReturnType<typeof prefilledBaseline>) {
            replayBaseline(book, baseStream, 0, prefix);
            do_not_optimize(book);
          },
        };
      });
    });
  }
}

const results = await run();
const p50 = (alias: string) => results.benchmarks.find((b) => b.alias === alias)!.runs[0]!.stats!.p50;

// ---- 4. per-message latency through bun:ffi ---------------------------------------------------
function ffiLatency(l: Loaded) {
  const overhead = new Float64Array(1_000_000);
  for (let i = 0; i < overhead.length; i++) {
    const a = Bun.nanoseconds();
    overhead[i] = Bun.nanoseconds() - a;
  }
  overhead.sort();
  const engine = prefilledEngine(l);
  const all = new Float64Array(l.stream.count);
  let calls = 0;
  for (let i = 0; i < l.stream.count;) {
    const n = l.stream.sliceLength(i, 1);
    const a = Bun.nanoseconds();
    engine.processPacked(l.stream, i, n, events, count);
    all[calls++] = Bun.nanoseconds() - a;
    i += n;
  }
  engine.close();
  const lat = all.subarray(0, calls).sort();
  const q = (a: Float64Array, p: number) => a[Math.min(a.length - 1, Math.round(p * (a.length - 1)))]!;
  return { p50: q(lat, 0.5), p99: q(lat, 0.99), p999: q(lat, 0.999), max: lat[lat.length - 1]!, timerOverhead: q(overhead, 0.5) };
}

// ---- report ---------------------------------------------------------------------------------
const M = (rate: number) => `${(rate / 1e6).toFixed(2)} M/s`;
const report: Record<string, unknown> = { date: new Date().toISOString(), scenarios: {} };
console.log("\nthroughput, messages per second (C++: median of 5 runs at batch 1024; ffi: mitata median)");
console.log("scenario   C++ alone    ffi b1      ffi b64     ffi b256    ffi b1024   b256 JS-packed  b256/C++  b256 JS/C++");
for (const l of loaded) {
  const id = l.s.spec.name;
  const n = native.get(id)!;
  const ffi = Object.fromEntries(FFI_BATCHES.map((b) => [b, l.stream.count / (p50(name(id, `ffi batch ${b}`)) / 1e9)]));
  const jsPacked = l.stream.count / (p50(name(id, `ffi batch ${JS_PACKED_BATCH}, packed in JS`)) / 1e9);
  console.log(
    `${id.padEnd(10)} ${M(n.medianRate).padEnd(12)} ${FFI_BATCHES.map((b) => M(ffi[b]!).padEnd(11)).join(" ")} ${M(jsPacked).padEnd(15)} ` +
      `${((ffi[256]! / n.medianRate) * 100).toFixed(0).padStart(6)}%   ${((jsPacked / n.medianRate) * 100).toFixed(0).padStart(6)}%`,
  );
  (report.scenarios as Record<string, unknown>)[id] = { spec: { ...l.s.spec, midPath: undefined }, counts: l.s.counts, native: n, ffi, jsPacked };
}

console.log("\nagainst nodejs-order-book (same mitata run, first messages of the same stream)");
for (const l of loaded) {
  const id = l.s.spec.name;
  const prefix = BASELINE_PREFIX[id];
  if (!prefix) continue;
  const ours = prefix / (p50(name(id, `first ${prefix}: engine, ffi batch 256`)) / 1e9);
  const theirs = prefix / (p50(name(id, `first ${prefix}: nodejs-order-book`)) / 1e9);
  console.log(`${id.padEnd(10)} first ${prefix}: engine ${M(ours)}, nodejs-order-book ${(theirs / 1e3).toFixed(1)} k/s: ${(ours / theirs).toFixed(0)}x`);
  (report.scenarios as Record<string, Record<string, unknown>>)[id]!.baseline = { prefix, ours, theirs, ratio: ours / theirs };
}

console.log("\nper-message latency, one message per call (separate pass; timer overhead = back-to-back reads, median)");
console.log("scenario   C++: p50   p99    p99.9  max       (timer)   ffi: p50   p99    p99.9  max       (timer)");
for (const l of loaded) {
  const id = l.s.spec.name;
  const c = native.get(id)!.latencyNs;
  const f = ffiLatency(l);
  const ns = (x: number) => `${Math.round(x)}`.padStart(6);
  console.log(`${id.padEnd(10)} ${ns(c.p50)} ${ns(c.p99)} ${ns(c.p999)} ${ns(c.max).padStart(9)}  (${native.get(id)!.timerOverheadNs.p50} ns)   ${ns(f.p50)} ${ns(f.p99)} ${ns(f.p999)} ${ns(f.max).padStart(9)}  (${Math.round(f.timerOverhead)} ns)`);
  (report.scenarios as Record<string, Record<string, unknown>>)[id]!.ffiLatency = f;
}

const out = join(import.meta.dir, ".data", "last-run.json");
mkdirSync(join(import.meta.dir, ".data"), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2));
console.log(`\nfull results: ${out}`);
