// Restart recovery with a real server process and a real database file: after a graceful stop
// and after kill -9, the books, open orders and trades are exactly what they were.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { runCli, EXCHANGE_FROM_SOURCE as SOURCE, spawnExchange, tempDir } from "./helpers";
import { snapshot, trade } from "./trading-scenario";

for (const how of ["SIGTERM", "SIGKILL"] as const) {
  test(`books, orders and trades survive a restart after ${how}`, async () => {
    const dir = tempDir();
    const env = { EXCHANGE_DB: join(dir, "exchange.db") };
    const keys = ["a", "b", "c"].map((n) => JSON.parse(runCli([...SOURCE, "accounts", "create", n], dir, env)).apiKey as string);

    const first = await spawnExchange(SOURCE, dir, env);
    await trade(first.call, keys, 120, how === "SIGKILL" ? 7 : 11);
    const before = await snapshot(first.call, keys);
    expect(before.books.some((b) => b.bids.length + b.asks.length > 0)).toBe(true);
    expect(before.trades.some((t) => t.length > 0)).toBe(true);
    first.proc.kill(how);
    expect(await first.proc.exited).toBe(how === "SIGTERM" ? 0 : 137);

    const second = await spawnExchange(SOURCE, dir, env);
    try {
      expect(second.startup).toMatch(/recovered \d+ journal entries/);
      expect(await snapshot(second.call, keys)).toEqual(before);
      // Still trading after recovery, against the recovered books.
      await trade(second.call, keys, 20, 3);
    } finally {
      second.proc.kill("SIGKILL");
      await second.proc.exited;
    }
  });
}
