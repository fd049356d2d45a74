// The types hold across the project: the server, engine binding, tests and benches, and the
// screen's page (its own settings). A type error fails here with tsc's own messages.
import { expect, test } from "bun:test";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const tsc = join(root, "node_modules", ".bin", "tsc");

for (const project of ["tsconfig.json", "src/screen/page/tsconfig.json"]) {
  test(`tsc -p ${project} reports no errors`, () => {
    const r = Bun.spawnSync([tsc, "-p", project], { cwd: root, stdout: "pipe", stderr: "pipe" });
    expect(r.stdout.toString() + r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });
}
