// Compiles C++ with g++ when a source is newer than its output. The engine library, and the small
// signing library beside it, are built this way by start, test (bunfig.toml's preload) and build,
// so there is no manual step; the benchmarks build their C++ replay program with it too.
//
// The engine is compiled with profile-guided optimization: an instrumented build first runs a
// training workload (native/pgo-train.ts: the benchmark scenarios' order flow, with other seeds
// than the measured streams), then g++ compiles it again knowing which branches and calls are hot
// (3-15% faster on the benchmark streams, BENCHMARKS.md). The optimized object files are kept, so
// that bench/replay.cpp ("C++ alone") links the very code the library holds. Should any step of it
// fail, the engine is compiled plainly; EXCHANGE_ENGINE_PGO=0 asks for that.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const root = join(import.meta.dir, "..");
const engineDir = join(root, "engine");
const buildDir = join(import.meta.dir, "build");
export const libraryFile = join(buildDir, "libengine.so");
export const signingLibraryFile = join(buildDir, "libsigning.so");
const signingDir = join(import.meta.dir, "signing");

const FLAGS = ["-std=c++20", "-O3", "-Wall", "-Wextra", "-Werror", "-fno-exceptions", "-fno-rtti"];

/** The engine's sources: every .cpp, and the headers they depend on. */
export function engineSources(): { compiled: string[]; all: string[] } {
  const all = readdirSync(engineDir).filter((f) => /\.(cpp|hpp|h)$/.test(f)).map((f) => join(engineDir, f));
  return { compiled: all.filter((f) => f.endsWith(".cpp")), all };
}

const isFresh = (output: string, dependsOn: string[]) =>
  existsSync(output) && statSync(output).mtimeMs >= Math.max(...dependsOn.map((f) => statSync(f).mtimeMs));

function gpp(args: string[]): void {
  const command = ["g++", ...args];
  const result = Bun.spawnSync(command, { stderr: "pipe", stdout: "pipe" });
  if (result.exitCode !== 0) throw new Error(`build failed (${command.join(" ")}):\n${result.stderr.toString()}`);
}

/**
 * Runs g++ on `compiled` (sources or objects) into `output` unless `output` is newer than every
 * file of `dependsOn`. The result is renamed into place, so a concurrent reader never loads half a
 * file.
 */
export function compileIfStale(output: string, compiled: string[], dependsOn: string[], extraFlags: string[] = []): string {
  if (isFresh(output, dependsOn)) return output;
  mkdirSync(dirname(output), { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  gpp([...FLAGS, ...extraFlags, "-o", tmp, ...compiled]);
  renameSync(tmp, output);
  return output;
}

/** The engine's optimized object files (position-independent), in build/: the library's contents. */
export function engineObjects(): string[] {
  ensureEngineLibrary();
  return engineSources().compiled.map(objectOf);
}

const objectOf = (source: string) => join(buildDir, `${basename(source, ".cpp")}.o`);

export function ensureEngineLibrary(): string {
  const { compiled, all } = engineSources();
  if (isFresh(libraryFile, all) && compiled.every((f) => isFresh(objectOf(f), all))) return libraryFile;
  mkdirSync(buildDir, { recursive: true });
  // Each build in a directory of its own: g++ names a profile after the object file it is for.
  const work = join(buildDir, `work-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    let objects: string[] | undefined;
    if (process.env.EXCHANGE_ENGINE_PGO !== "0") {
      try {
        objects = profileGuidedObjects(compiled, work);
      } catch (error) {
        console.error(`engine: profile-guided build failed, building it plainly: ${String(error).slice(0, 2000)}`);
      }
    }
    objects ??= compiled.map((source) => {
      const object = join(work, basename(objectOf(source)));
      gpp([...FLAGS, "-fPIC", "-c", "-o", object, source]);
      return object;
    });
    const library = join(work, "libengine.so");
    gpp([...FLAGS, "-shared", "-o", library, ...objects]);
    for (const object of objects) renameSync(object, join(buildDir, basename(object)));
    renameSync(library, libraryFile);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return libraryFile;
}

/** Instrumented objects, a training run of a library linked from them, then objects compiled
 *  with that profile (same paths, so that g++ finds it). */
function profileGuidedObjects(compiled: string[], work: string): string[] {
  const profile = join(work, "profile");
  const objects = compiled.map((source) => join(work, basename(objectOf(source))));
  const instrument = ["-fprofile-generate", "-fprofile-update=single", `-fprofile-dir=${profile}`];
  compiled.forEach((source, i) => gpp([...FLAGS, "-fPIC", ...instrument, "-c", "-o", objects[i]!, source]));
  const instrumented = join(work, "libengine-instrumented.so");
  gpp([...FLAGS, "-fPIC", "-shared", ...instrument, "-o", instrumented, ...objects, join(import.meta.dir, "pgo-dump.cpp")]);
  const training = Bun.spawnSync([process.execPath, join(import.meta.dir, "pgo-train.ts"), instrumented], { stdout: "pipe", stderr: "pipe" });
  if (training.exitCode !== 0) throw new Error(`training run failed: ${training.stderr.toString()}`);
  compiled.forEach((source, i) => gpp([...FLAGS, "-fPIC", "-fprofile-use", `-fprofile-dir=${profile}`, "-c", "-o", objects[i]!, source]));
  return objects;
}

/** The signing library (HMAC-SHA256 for the Binance surface's signatures): one source, no profile. */
export function ensureSigningLibrary(): string {
  const sources = readdirSync(signingDir).filter((f) => /\.(cpp|h)$/.test(f)).map((f) => join(signingDir, f));
  return compileIfStale(signingLibraryFile, sources.filter((f) => f.endsWith(".cpp")), sources, ["-fPIC", "-shared"]);
}

if (import.meta.main) {
  console.log(ensureEngineLibrary());
  console.log(ensureSigningLibrary());
}
