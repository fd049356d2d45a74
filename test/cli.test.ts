// The command line: a custom market list, help for every command, accounts over the API.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXCHANGE_FROM_SOURCE, runCli, spawnExchange, tempDir } from "./helpers";

test("--markets serves a custom market list, with its own tick and step sizes", async () => {
  const dir = tempDir("exchange-markets-");
  const file = join(dir, "markets.json");
  writeFileSync(file, JSON.stringify([{ symbol: "XAU-EUR", baseAsset: "XAU", quoteAsset: "EUR", tickSize: "0.05", stepSize: "0.5", minQuantity: "1", status: "trading", binanceSymbol: "XAUTEUR" }]));
  const ex = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, { EXCHANGE_DB: join(dir, "x.db") }, ["serve", "--port", "0", "--markets", file]);
  try {
    expect((await ex.call("GET", "/api/v1/markets")).body).toEqual([{
      symbol: "XAU-EUR", baseAsset: "XAU", quoteAsset: "EUR", tickSize: "0.05", stepSize: "0.5", minQuantity: "1", status: "trading",
      basePrecision: "0.1", quotePrecision: "0.001", makerFeeBps: 10, takerFeeBps: 20, selfTradePrevention: "none", binanceSymbol: "XAUTEUR",
    }]);
    // Its Binance name is the file's; the Binance surface knows it by that name only.
    const info = await (await fetch(`${ex.url}/api/v3/exchangeInfo`)).json() as any;
    expect(info.symbols.map((s: any) => [s.symbol, s.baseAsset, s.quoteAsset])).toEqual([["XAUTEUR", "XAU", "EUR"]]);
    const account = await ex.call("POST", "/api/v1/accounts", { json: { name: "gold" } });
    expect(account.status).toBe(201);
    const key = account.body.apiKey;
    const ok = await ex.call("POST", "/api/v1/orders", { key, json: { symbol: "XAU-EUR", side: "buy", type: "limit", price: "1900.15", quantity: "2.5" } });
    expect(ok.body).toMatchObject({ status: "new", price: "1900.15", quantity: "2.5" });
    const offTick = await ex.call("POST", "/api/v1/orders", { key, json: { symbol: "XAU-EUR", side: "buy", type: "limit", price: "1900.12", quantity: "2.5" } });
    expect(offTick.body.error.message).toContain("tickSize 0.05");
    const belowMin = await ex.call("POST", "/api/v1/orders", { key, json: { symbol: "XAU-EUR", side: "buy", type: "limit", price: "1900.10", quantity: "0.5" } });
    expect(belowMin.body.error.message).toContain("minQuantity 1");
    expect((await ex.call("GET", "/api/v1/markets/BTC-USD/book")).status).toBe(404);
  } finally {
    ex.proc.kill("SIGKILL");
    await ex.proc.exited;
  }
});

test("every command has --help with its flags and defaults; a bad flag is refused", () => {
  const dir = tempDir();
  expect(runCli([...EXCHANGE_FROM_SOURCE, "--help"], dir)).toContain("accounts create NAME");
  const serve = runCli([...EXCHANGE_FROM_SOURCE, "serve", "--help"], dir);
  for (const flag of ["--host", "--port", "--db", "--markets", "--sync", "--log-level", "--max-queued", "127.0.0.1", "8080", "./exchange.db"]) expect(serve).toContain(flag);
  expect(runCli([...EXCHANGE_FROM_SOURCE, "accounts", "--help"], dir)).toContain("--db");
  expect(runCli([...EXCHANGE_FROM_SOURCE, "load", "--help"], dir)).toContain("--scenario");
  const bad = Bun.spawnSync([...EXCHANGE_FROM_SOURCE, "serve", "--port", "99999"], { cwd: dir, stderr: "pipe" });
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr.toString()).toContain("--port");
  const tooSmall = Bun.spawnSync([...EXCHANGE_FROM_SOURCE, "serve", "--max-queued", "10"], { cwd: dir, stderr: "pipe" });
  expect(tooSmall.exitCode).toBe(2);
  expect(tooSmall.stderr.toString()).toContain("--max-queued must be an integer from 1000 to 1000000");
});
