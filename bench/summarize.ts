// Turns several runs of `npm run bench` (their bench/.data/last-run.json, saved under other names)
// into the markdown tables of BENCHMARKS.md: the median of each figure over the runs, and ratios
// computed within each run before taking their median.
//   bun bench/summarize.ts run1.json run2.json run3.json
import { readFileSync } from "node:fs";

type Run = { scenarios: Record<string, any> };
const runs: Run[] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8")));
if (runs.length === 0) throw new Error("usage: bun bench/summarize.ts RUN.json…");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const M = (x: number) => (x / 1e6).toFixed(1);
const names = Object.keys(runs[0]!.scenarios);
const each = (name: string, pick: (s: any) => number) => runs.map((r) => pick(r.scenarios[name]));

console.log(`Throughput, million messages per second (median of ${runs.length} runs; ratios taken within each run):\n`);
console.log("| scenario | C++ alone | ffi batch 1 | ffi 64 | ffi 256 | ffi 1024 | ffi 256, packed in JS | ffi 256 / C++ | packed in JS / C++ |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const n of names) {
  const cpp = each(n, (s) => s.native.medianRate);
  const ffi = (b: number) => each(n, (s) => s.ffi[b]);
  const js = each(n, (s) => s.jsPacked);
  const ratio = (xs: number[]) => `${(median(xs.map((x, i) => x / cpp[i]!)) * 100).toFixed(0)}%`;
  console.log(`| ${n} | **${M(median(cpp))}** | ${M(median(ffi(1)))} | ${M(median(ffi(64)))} | **${M(median(ffi(256)))}** | ${M(median(ffi(1024)))} | ${M(median(js))} | ${ratio(ffi(256))} | ${ratio(js)} |`);
}

console.log(`\nAgainst nodejs-order-book, same mitata run, first messages of the same stream (median of ${runs.length} runs):\n`);
console.log("| scenario | messages | engine via ffi, batch 256 | nodejs-order-book | ratio (within each run) |");
console.log("| --- | --- | --- | --- | --- |");
for (const n of names) {
  if (!runs[0]!.scenarios[n].baseline) continue;
  const b = (k: string) => each(n, (s) => s.baseline[k]);
  console.log(`| ${n} | ${runs[0]!.scenarios[n].baseline.prefix.toLocaleString("en-US")} | ${M(median(b("ours")))} M/s | ${(median(b("theirs")) / 1e3).toFixed(1)} k/s | **${median(b("ratio")).toFixed(0)}x** |`);
}

console.log(`\nPer-message latency in ns, one message per call, separate pass (median of ${runs.length} runs):\n`);
console.log("| scenario | C++ p50 | p99 | p99.9 | max | ffi p50 | p99 | p99.9 | max |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const n of names) {
  const c = (k: string) => median(each(n, (s) => s.native.latencyNs[k]));
  const f = (k: string) => median(each(n, (s) => s.ffiLatency[k]));
  console.log(`| ${n} | ${c("p50")} | ${c("p99")} | ${c("p999")} | ${Math.round(c("max"))} | ${Math.round(f("p50"))} | ${Math.round(f("p99"))} | ${Math.round(f("p999"))} | ${Math.round(f("max"))} |`);
}
const t = median(runs.map((r) => r.scenarios[names[0]!].native.timerOverheadNs.p50));
const ft = median(runs.map((r) => r.scenarios[names[0]!].ffiLatency.timerOverhead));
console.log(`\nTimer overhead (back-to-back reads, median): C++ steady_clock ${t} ns, Bun.nanoseconds() ${Math.round(ft)} ns; included in the figures above.`);
