// A seeded trading scenario over HTTP (orders of every kind, cancels, amends, many in flight at
// once) and a snapshot of everything a client can see, to compare across restarts.
import { expect } from "bun:test";
import { random } from "../src/random";
import type { client } from "./helpers";

type Call = ReturnType<typeof client>;
const SYMBOLS = ["BTC-USD", "ETH-USD", "SOL-USD"];

export async function trade(call: Call, keys: string[], count: number, seed: number) {
  const r = random(seed); // seeded, so a failure can be replayed
  const placed: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = keys[Math.floor(r() * keys.length)]!;
    const roll = r();
    if (roll < 0.15 && placed.length > 0) {
      await call("DELETE", `/api/v1/orders/${placed[Math.floor(r() * placed.length)]}`, { key });
      continue;
    }
    if (roll < 0.25 && placed.length > 0) {
      await call("PATCH", `/api/v1/orders/${placed[Math.floor(r() * placed.length)]}`, { key, json: { quantity: String(1 + Math.floor(r() * 5)) } });
      continue;
    }
    const body = {
      symbol: SYMBOLS[Math.floor(r() * 3)], side: r() < 0.5 ? "buy" : "sell",
      ...(roll < 0.35 ? { type: "market" } : { type: "limit", price: String(95 + Math.floor(r() * 10)), timeInForce: roll < 0.4 ? "IOC" : "GTC" }),
      quantity: String(1 + Math.floor(r() * 5)),
    };
    // Many in flight at once, so batches hold several commands.
    const pending = [0, 1, 2].map(() => call("POST", "/api/v1/orders", { key, json: body }));
    for (const p of await Promise.all(pending)) {
      expect(p.status).toBe(201);
      placed.push(p.body.orderId);
    }
  }
}

export async function snapshot(call: Call, keys: string[]) {
  const books = await Promise.all(SYMBOLS.map(async (s) => (await call("GET", `/api/v1/markets/${s}/book?depth=1000`)).body));
  const tickers = await Promise.all(SYMBOLS.map(async (s) => (await call("GET", `/api/v1/markets/${s}/ticker`)).body));
  const trades = await Promise.all(SYMBOLS.map(async (s) => (await call("GET", `/api/v1/markets/${s}/trades?limit=1000`)).body));
  const orders = await Promise.all(keys.map(async (key) => (await call("GET", "/api/v1/orders?status=all&limit=1000", { key })).body));
  // Each account's legs of its trades, as its ledger reads them (account_trades).
  const ledgers = await Promise.all(keys.map(async (key) => (await call("GET", "/api/v1/account/ledger?limit=1000", { key })).body));
  return { books, tickers, trades, orders, ledgers };
}

