// The single binary: built with `npm run build`'s command, copied alone into an empty directory,
// it creates its database, trades, and recovers after kill -9.
import { expect, test } from "bun:test";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { runCli, spawnExchange, tempDir } from "./helpers";
import { snapshot, trade } from "./trading-scenario";

const ROOT = join(import.meta.dir, "..");

test("dist/exchange runs alone from an empty directory, with a fresh database, and recovers", async () => {
  const build = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  expect(build.stderr.toString()).not.toContain("error");
  expect(build.exitCode).toBe(0);

  const dir = tempDir("exchange-binary-");
  const binary = join(dir, "exchange");
  copyFileSync(join(ROOT, "dist", "exchange"), binary);
  expect(runCli([binary, "--help"], dir)).toContain("accounts create NAME");
  const created = ["x", "y"].map((n) => JSON.parse(runCli([binary, "accounts", "create", n], dir)) as { apiKey: string; apiSecret: string });
  const keys = created.map((c) => c.apiKey);
  expect(existsSync(join(dir, "exchange.db"))).toBe(true);

  const first = await spawnExchange([binary], dir);
  expect(first.startup).toContain("recovered 0 journal entries");
  await trade(first.call, keys, 60, 5);
  const before = await snapshot(first.call, keys);
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  // The checkpoint thread, a second entrypoint of the binary, was found and ran.
  expect(await new Response(first.proc.stderr).text()).not.toContain("checkpointing inline");

  const second = await spawnExchange([binary], dir);
  try {
    expect(await snapshot(second.call, keys)).toEqual(before);
    // The signing library is embedded too: a Binance request signed with the secret is checked.
    const query = `timestamp=${Date.now()}`;
    const signed = async (signature: string) => (await fetch(`${second.url}/api/v3/account?${query}&signature=${signature}`, { headers: { "x-mbx-apikey": created[0]!.apiKey } })).json() as Promise<any>;
    expect((await signed(new Bun.CryptoHasher("sha256", created[0]!.apiSecret).update(query).digest("hex"))).balances).toBeArray();
    expect((await signed("0".repeat(64))).code).toBe(-1022);
    // The docs viewer is embedded too.
    expect((await (await fetch(`${second.url}/openapi/scalar.js`)).arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
  } finally {
    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);
  }
}, 120_000);
