// Compiles C++ with g++ when a source is newer than its output. The engine library is built this
// way by start, test (bunfig.toml's preload) and build, so there is no manual step; the benchmarks
// build their C++ replay program with it too.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(import.meta.dir, "..");
const engineDir = join(root, "engine");
export const libraryFile = join(import.meta.dir, "build", "libengine.so");

const FLAGS = ["-std=c++20", "-O3", "-Wall", "-Wextra", "-Werror", "-fno-exceptions", "-fno-rtti"];

/** The engine's sources: every .cpp, and the headers they depend on. */
export function engineSources(): { compiled: string[]; all: string[] } {
  const all = readdirSync(engineDir).filter((f) => /\.(cpp|hpp|h)$/.test(f)).map((f) => join(engineDir, f));
  return { compiled: all.filter((f) => f.endsWith(".cpp")), all };
}

/**
 * Runs g++ on `compiled` into `output` unless `output` is newer than every file of `dependsOn`.
 * The result is renamed into place, so a concurrent reader never loads half a file.
 */
export function compileIfStale(output: string, compiled: string[], dependsOn: string[], extraFlags: string[] = []): string {
  const newest = Math.max(...dependsOn.map((f) => statSync(f).mtimeMs));
  if (existsSync(output) && statSync(output).mtimeMs >= newest) return output;
  mkdirSync(dirname(output), { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  const args = ["g++", ...FLAGS, ...extraFlags, "-o", tmp, ...compiled];
  const result = Bun.spawnSync(args, { stderr: "pipe", stdout: "pipe" });
  if (result.exitCode !== 0) throw new Error(`build failed (${args.join(" ")}):\n${result.stderr.toString()}`);
  renameSync(tmp, output);
  return output;
}

export function ensureEngineLibrary(): string {
  const { compiled, all } = engineSources();
  return compileIfStale(libraryFile, compiled, all, ["-fPIC", "-shared"]);
}

if (import.meta.main) console.log(ensureEngineLibrary());
