// Graceful shutdown: SIGTERM under load stops taking orders, commits and answers what was in
// flight, and exits 0; every order it acknowledged is there after a restart.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openSocket } from "./binance-client";
import { runCli, EXCHANGE_FROM_SOURCE as SOURCE, spawnExchange, tempDir } from "./helpers";


test("SIGTERM under load: in-flight orders are committed and answered, then exit 0", async () => {
  const dir = tempDir("exchange-shutdown-");
  const env = { EXCHANGE_DB: join(dir, "exchange.db") };
  const key = JSON.parse(runCli([...SOURCE, "accounts", "create", "t"], dir, env)).apiKey as string;
  const first = await spawnExchange(SOURCE, dir, env);
  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  let stop = false;
  const client = async (w: number) => {
    while (!stop) {
      const r = await first.call("POST", "/api/v1/orders", {
        key, json: { symbol: "BTC-USD", side: w % 2 ? "buy" : "sell", type: "limit", price: `${100 + (w % 3)}`, quantity: "0.01" },
      }).catch(() => null);
      if (!r) return; // the port is closed: the server has stopped listening
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 201) acknowledged.push(r.body.orderId);
      else if (r.status === 503) expect(r.body.error.code).toBe("SHUTTING_DOWN");
      else throw new Error(`unexpected ${r.status}: ${JSON.stringify(r.body)}`);
    }
  };
  const clients = Array.from({ length: 8 }, (_, w) => client(w));
  // Open WebSockets do not hold the stop up: each is closed as going away (1001), a Binance
  // WebSocket API connection told first that the server is shutting down.
  const ws = first.url.replace(/^http/, "ws");
  const sockets = await Promise.all([`${ws}/ws-api/v3`, `${ws}/ws`, `${ws}/ws/btcusd@trade`].map(openSocket));
  const closeCodes = sockets.map(({ ws }) => new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code))));
  await Bun.sleep(400);
  first.proc.kill("SIGTERM");
  expect(await sockets[0]!.next((m) => m.event?.e === "serverShutdown", 20_000)).toEqual({ event: { e: "serverShutdown", E: expect.any(Number) } });
  expect(await first.proc.exited).toBe(0);
  expect(await Promise.all(closeCodes)).toEqual([1001, 1001, 1001]);
  stop = true;
  await Promise.all(clients);
  expect(acknowledged.length).toBeGreaterThan(20);
  expect([...statuses.keys()].every((s) => s === 201 || s === 503)).toBe(true);

  const second = await spawnExchange(SOURCE, dir, env);
  try {
    for (const id of acknowledged) expect((await second.call("GET", `/api/v1/orders/${id}`, { key })).status).toBe(200);
  } finally {
    second.proc.kill("SIGKILL");
    await second.proc.exited;
  }
}, 60_000);
