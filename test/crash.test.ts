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
    // The load placed every kind of order that waits or hides: stops, icebergs, OCO lists.
    expect(Math.min(report.conditional, report.icebergs, report.listed)).toBeGreaterThan(0);
    expect(report.binary).toBeGreaterThan(0);
  }, 60_000);
}
