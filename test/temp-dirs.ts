// Temporary directories for tests and benchmarks, removed at the end: their databases reach
// gigabytes (the restart benchmark's 10 million orders: 1.2 GB) and, left behind, fill the disk
// within a few runs. `bun test` removes them after the last file (test/cleanup.ts, preloaded);
// a script, when it exits. EXCHANGE_KEEP_TEMP=1 keeps them to look at.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

export function tempDir(prefix = "exchange-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  if (process.env.EXCHANGE_KEEP_TEMP) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

process.on("exit", removeTempDirs);
