// Crash safety: kill -9 at random moments under concurrent load; everything acknowledged survives
// and nothing half-exists (test/crash-scenario.ts). More rounds by hand: npm run test:crash
import { expect, test } from "bun:test";
import { crashRound } from "./crash-scenario";

for (const seed of [11, 23, 37]) {
  test(`kill -9 under load (seed ${seed}): acknowledged work survives, nothing half-exists`, async () => {
    const problems: string[] = [];
    const report = await crashRound(seed, problems);
    expect(problems).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(10);
    expect(report.orders).toBeGreaterThanOrEqual(report.acknowledged);
  }, 60_000);
}
