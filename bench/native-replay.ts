// Builds bench/replay.cpp (the C++-only replay, linked with the engine's object files: the code the
// library holds, profile-guided as native/build.ts compiles it) and runs it on a
// scenario file: throughput (median of runs) and the separate per-message latency pass.
import { join } from "node:path";
import { compileIfStale, engineObjects } from "../native/build";

export interface NativeResult {
  messages: number;
  batch: number;
  events: number;
  restingAtEnd: number;
  levelsAtEnd: number;
  rates: number[];
  /** Each chunk of the stream at its fastest over the runs (bench/replay.cpp). */
  floorRate: number;
  medianRate: number;
  latencyNs: { p50: number; p99: number; p999: number; max: number };
  timerOverheadNs: { p50: number; p99: number };
}

const source = join(import.meta.dir, "replay.cpp");
const binary = join(import.meta.dir, "..", "native", "build", "replay");

export function runNativeReplay(scenarioFile: string, runs = 5, batch = 1024): NativeResult {
  const objects = engineObjects();
  compileIfStale(binary, [source, ...objects], [source, join(import.meta.dir, "chunk-floor.hpp"), join(import.meta.dir, "scenario-file.hpp"), join(import.meta.dir, "..", "engine", "engine.h"), ...objects]);
  const r = Bun.spawnSync([binary, scenarioFile, String(runs), String(batch)], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`replay failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString());
}
