// Builds engine/ into native/build/libengine.so with g++ when a source is newer than the library.
// start, test (through bunfig.toml's preload) and build all call it, so there is no manual step.
import { existsSync, mkdirSync, readdirSync, statSync, renameSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const engineDir = join(root, "engine");
export const libraryFile = join(import.meta.dir, "build", "libengine.so");

export function ensureEngineLibrary(): string {
  const sources = readdirSync(engineDir).filter((f) => /\.(cpp|hpp|h)$/.test(f));
  const newest = Math.max(...sources.map((f) => statSync(join(engineDir, f)).mtimeMs));
  if (existsSync(libraryFile) && statSync(libraryFile).mtimeMs >= newest) return libraryFile;

  mkdirSync(join(import.meta.dir, "build"), { recursive: true });
  const tmp = `${libraryFile}.${process.pid}.tmp`;
  const args = [
    "g++", "-std=c++20", "-O3", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror",
    "-fno-exceptions", "-fno-rtti", "-o", tmp,
    ...sources.filter((f) => f.endsWith(".cpp")).map((f) => join(engineDir, f)),
  ];
  const result = Bun.spawnSync(args, { stderr: "pipe", stdout: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`engine build failed (${args.join(" ")}):\n${result.stderr.toString()}`);
  }
  renameSync(tmp, libraryFile); // atomic, so a concurrent reader never loads half a file
  return libraryFile;
}

if (import.meta.main) console.log(ensureEngineLibrary());
