// The simulated market, end to end on a real server: determinism, conservation, a user's order
// against the simulated book, the stylized facts, kill -9 mid-run, and the control API's refusals.
import { expect, test } from "bun:test";
import { join } from "node:path";
import fc from "fast-check";
import { analyzeMarket } from "../src/analyze";
import { loadScenario } from "../src/sim/scenarios";
import { RandomStream } from "../src/sim/random";
import type { Simulation } from "../src/sim/simulation";
import type { Participant } from "../src/sim/participant";
import { WakeQueue } from "../src/sim/wake-queue";
import { Outstanding, SimClient } from "../src/sim/client";
import { createAccount } from "../src/accounts";
import type { OrderState } from "../src/orders/order";
import { EXCHANGE_FROM_SOURCE, spawnExchange, startTestExchange, tempDir, waitFor } from "./helpers";

const SCENARIO = join(import.meta.dir, "fixtures", "calm-btc.json");
const START = Date.parse("2026-01-05T09:30:00Z");

async function simulated(seed: number, minutes: number) {
  const server = startTestExchange(undefined, undefined, {
    simulate: { scenario: loadScenario(SCENARIO), options: { pace: "max", seed, startTime: START, durationMs: minutes * 60_000 } },
  });
  await waitFor(() => server.sim.current !== null);
  await server.sim.current!.done;
  expect(server.exchange.journal.heldBatches).toBe(0); // (and every batch committed at its end)
  return server;
}

type Row = Record<string, unknown>;
const tradesOf = (server: ReturnType<typeof startTestExchange>) => {
  server.exchange.writeTables();
  return server.exchange.storage.tables.query("SELECT * FROM trades ORDER BY id").all() as Row[];
};

/** For each asset: what all accounts hold (free + locked, the fee account's included) against deposits less withdrawals. */
function conservation(server: ReturnType<typeof startTestExchange>) {
  const { exchange: ex } = server;
  ex.writeTables();
  const accounts = ex.storage.sqlite.query("SELECT id FROM accounts").all() as { id: number }[];
  const out: Record<string, { held: bigint; funded: bigint; negative: number }> = {};
  for (const asset of ex.markets.assets.list) {
    let held = 0n, negative = 0;
    // The fee account is 0 (engine.h).
    for (const id of [0, ...accounts.map((a) => a.id)]) {
      const b = ex.engine.balance(id, asset.index);
      if (b.free < 0n || b.locked < 0n) negative++;
      held += b.free + b.locked;
    }
    let funded = 0n;
    for (const r of ex.storage.tables.query("SELECT amount FROM ledger WHERE asset = ?").all(asset.symbol) as { amount: string }[]) funded += BigInt(r.amount);
    out[asset.symbol] = { held, funded, negative };
  }
  return out;
}

test("a participant's random stream depends only on the seed and its name", () => {
  const draw = (seed: number, name: string) => { const r = new RandomStream(seed, name); return [r.next(), r.next(), r.normal()]; };
  expect(draw(7, "BTC-USD/noise-1")).toEqual(draw(7, "BTC-USD/noise-1"));
  expect(draw(7, "BTC-USD/noise-1")).not.toEqual(draw(7, "BTC-USD/noise-2"));
  expect(draw(7, "BTC-USD/noise-1")).not.toEqual(draw(8, "BTC-USD/noise-1"));
});

test("the wake queue hands out participants in (wake time, index) order, as a scan of them all would", () => {
  // Steps: wake, one at a time, everyone due at `now` (each woken one due again a little later),
  // then move `now` on; the model picks the earliest due (lowest index on a tie) by a scan.
  const step = fc.record({ advance: fc.integer({ min: 0, max: 50 }), later: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }) });
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 200 }), fc.array(step, { maxLength: 30 }), (starts, steps) => {
    const participants = starts.map((t) => ({ nextWake: t }) as Participant);
    const queue = new WakeQueue(participants);
    participants.forEach((_, i) => queue.push(i));
    const model = [...starts];
    let now = 0;
    for (const { advance, later } of steps) {
      now += advance;
      const woken: number[] = [], expected: number[] = [];
      for (let i = queue.popDue(now); i !== undefined; i = queue.popDue(now)) {
        participants[i]!.nextWake = now + later[woken.length % later.length]!;
        woken.push(i);
        queue.push(i);
      }
      for (;;) {
        let best = -1;
        for (let i = 0; i < model.length; i++) if (model[i]! <= now && (best < 0 || model[i]! < model[best]!)) best = i;
        if (best < 0) break;
        model[best] = now + later[expected.length % later.length]!;
        expected.push(best);
      }
      expect(woken).toEqual(expected);
      expect(queue.size).toBe(participants.length);
    }
  }));
});

test("a participant's calls are outstanding until answered; refusals are counted; a bug in a callback fails the wait, not the venue", async () => {
  const server = startTestExchange();
  try {
    const ex = server.exchange;
    const account = createAccount(ex.storage.db, "sim:probe");
    await ex.funding.fundPending();
    const outstanding = new Outstanding();
    const counters = { commands: 0, refused: 0 };
    const client = new SimClient(ex, account, outstanding, counters);
    const m = ex.markets.get("BTC-USD")!;
    const placed: OrderState[] = [];
    client.limit(m, "buy", m.priceTicks("100"), m.quantityLots("1"), (o) => placed.push(o));
    client.cancel({ id: 987_654 } as OrderState); // refused before queueing: no such order
    const settled = outstanding.settled();
    expect(placed).toHaveLength(0); // answered only once its batch is committed
    await settled;
    expect(placed.map((o) => o.status)).toEqual(["new"]);
    expect(counters).toEqual({ commands: 2, refused: 1 });

    client.limit(m, "buy", m.priceTicks("99"), m.quantityLots("1"), () => {
      throw new Error("a participant's bug");
    });
    client.amend(placed[0]!, m.priceTicks("98"), m.quantityLots("1"));
    await expect(outstanding.settled()).rejects.toThrow("a participant's bug");
    // The venue went on: both commands were processed, and the next wait is clean.
    client.limit(m, "sell", m.priceTicks("200"), m.quantityLots("1"), (o) => placed.push(o));
    await outstanding.settled();
    expect(placed.at(-1)!.status).toBe("new");
    expect(ex.sequencer.registry.ofAccount(account.id, "BTC-USD").map((o) => o.price!).sort((a, b) => a - b)).toEqual([98, 99, 200].map((p) => m.priceTicks(String(p))));
  } finally {
    await server.stop();
  }
});

test("the same seed gives the same market, trade for trade; another seed another; every asset is conserved", async () => {
  const [a, b, c] = [await simulated(7, 3), await simulated(7, 3), await simulated(8, 3)];
  try {
    const [ta, tb, tc] = [tradesOf(a), tradesOf(b), tradesOf(c)];
    expect(ta.length).toBeGreaterThan(100);
    expect(tb).toEqual(ta);
    expect(tc).not.toEqual(ta);
    // The venue clock was the simulation's: every trade inside the three simulated minutes.
    for (const t of ta) expect(t.time as number).toBeGreaterThanOrEqual(START);
    expect(ta.at(-1)!.time as number).toBeLessThanOrEqual(START + 3 * 60_000 + 1000);
    for (const [asset, { held, funded, negative }] of Object.entries(conservation(a))) {
      expect({ asset, held, negative }).toEqual({ asset, held: funded, negative: 0 });
    }
    const status = a.sim.status() as Row;
    expect(status).toMatchObject({ state: "stopped", seed: 7, elapsedMs: 180_000 });
    // The top of the book, sampled once a venue second, every sample written by the end (they
    // are written several at a time).
    const samples = a.exchange.storage.sqlite.query("SELECT time FROM book_samples WHERE symbol = 'BTC-USD' ORDER BY time").all() as { time: number }[];
    expect(samples.map((r) => r.time)).toEqual(Array.from({ length: samples.length }, (_, i) => samples[0]!.time + i * 1000));
    expect(samples.length).toBeGreaterThanOrEqual(180);
  } finally {
    for (const s of [a, b, c]) await s.stop();
  }
}, 120_000);

test("a user's market order fills at the simulated book's levels, and the makers quote again after it", async () => {
  const server = startTestExchange(undefined, undefined, {
    simulate: { scenario: loadScenario(SCENARIO), options: { pace: "max", seed: 3, startTime: START } },
  });
  try {
    await waitFor(() => (server.sim.status() as Row).steps as number > 600);
    // As fast as it goes, its batches are committed several at a time; paused, each batch is.
    await waitFor(() => server.exchange.journal.heldBatches > 0);
    await server.sim.pause(); // (once the step in flight is committed: the book stands still)
    expect(server.exchange.journal.heldBatches).toBe(0);
    const book = (await server.call("GET", "/api/v1/markets/BTC-USD/book?depth=20")).body;
    expect(book.asks.length).toBeGreaterThanOrEqual(5);
    expect(book.bids.length).toBeGreaterThanOrEqual(5);
    const m = server.exchange.markets.get("BTC-USD")!;
    // Take the best three ask levels whole, and half of the fourth.
    const lots = (q: string) => m.quantityLots(q);
    const levels = book.asks.slice(0, 4).map(([p, q]: [string, string]) => [p, lots(q)] as [string, number]);
    const half = Math.max(1, Math.floor(levels[3][1] / 2));
    const want = levels.slice(0, 3).reduce((s: number, [, q]: [string, number]) => s + q, 0) + half;
    const key = server.newAccount("user");
    const order = await server.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "buy", type: "market", quantity: m.formatQuantity(want) } });
    expect(order.status).toBe(201);
    expect(order.body.status).toBe("filled");
    const byPrice = new Map<string, number>();
    for (const f of order.body.fills) byPrice.set(f.price, (byPrice.get(f.price) ?? 0) + lots(f.quantity));
    expect([...byPrice]).toEqual([...levels.slice(0, 3), [levels[3][0], half]]);
    const after = (await server.call("GET", "/api/v1/markets/BTC-USD/book?depth=20")).body;
    // (A fourth level of one lot is taken whole: then the fifth is the best.)
    expect(after.asks[0][0]).toBe(levels[3][1] > half ? levels[3][0] : book.asks[4][0]);

    server.sim.resume();
    const resumedAt = (server.sim.status() as Row).steps as number;
    await waitFor(() => (server.sim.status() as Row).steps as number > resumedAt + 50);
    // The makers requoted: the ask side is a ladder again, its best back near where it was.
    const requoted = (await server.call("GET", "/api/v1/markets/BTC-USD/book?depth=20")).body;
    expect(requoted.asks.length).toBeGreaterThanOrEqual(5);
    const spread = m.priceTicks(requoted.asks[0][0]) - m.priceTicks(requoted.bids[0][0]);
    expect(spread).toBeGreaterThan(0);
    expect(Math.abs(m.priceTicks(requoted.asks[0][0]) - m.priceTicks(book.asks[0][0]))).toBeLessThan(m.priceTicks(book.asks[0][0]) * 0.002);
  } finally {
    await server.stop();
  }
}, 60_000);

test("six simulated hours of the calm scenario show the stylized facts of real markets", async () => {
  const server = await simulated(1, 6 * 60);
  try {
    server.exchange.writeTables();
    const facts = analyzeMarket(server.exchange.storage, "BTC-USD");
    expect(facts.source).toBe("book middle");
    for (const check of facts.checks) expect({ fact: check.fact, holds: check.holds, detail: check.detail }).toEqual({ fact: check.fact, holds: true, detail: check.detail });
    expect(facts.spread!.emptySide).toBeLessThan(0.01);
  } finally {
    await server.stop();
  }
}, 180_000);

// At max pace its batches are committed several at a time: a kill loses the held ones whole.
test.each(["20x", "max"])("kill -9 during a simulation at %s: the restart recovers the book and balances, and the simulation goes on from it", async (pace) => {
  const dir = tempDir();
  const args = ["serve", "--port", "0", "--db", join(dir, "x.db"), "--simulate", SCENARIO, "--sim-pace", pace];
  let run = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, {}, args);
  try {
    await waitFor(async () => (await run.call("GET", "/api/v1/sim")).body.trades > 50, 30_000);
    const accounts = async () => (await run.call("GET", "/api/v1/sim")).body.participants;
    const before = await accounts();
    run.proc.kill("SIGKILL");
    await run.proc.exited;
    run = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, {}, args);
    // (opening verified every stored order against the replayed book and every balance: a
    // mismatch would have stopped it.)
    expect(run.startup).toMatch(/recovered \d+ journal entries and [1-9]\d* open orders/);
    await waitFor(async () => (await run.call("GET", "/api/v1/sim")).body.trades > 20, 30_000);
    expect(await accounts()).toEqual(before);
    const book = (await run.call("GET", "/api/v1/markets/BTC-USD/book?depth=5")).body;
    expect(book.bids.length).toBeGreaterThan(0);
    expect(book.asks.length).toBeGreaterThan(0);
  } finally {
    run.proc.kill("SIGKILL");
  }
  // The same participants, not a second set: one account per name.
  const db = new (await import("bun:sqlite")).Database(join(dir, "x.db"), { readonly: true });
  const dup = db.query("SELECT name, count(*) AS n FROM accounts GROUP BY name HAVING n > 1").all();
  db.close();
  expect(dup).toEqual([]);
}, 90_000);

test("at max pace, a user's acknowledged orders survive kill -9 among the simulation's held batches", async () => {
  const dir = tempDir();
  const args = ["serve", "--port", "0", "--db", join(dir, "x.db"), "--simulate", SCENARIO, "--sim-pace", "max"];
  let run = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, {}, args);
  try {
    await waitFor(async () => (await run.call("GET", "/api/v1/sim")).body.trades > 50, 30_000);
    const key = (await run.call("POST", "/api/v1/accounts", { json: { name: "user" } })).body.apiKey;
    const acknowledged: string[] = [];
    for (let round = 0; round < 20; round++) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => run.call("POST", "/api/v1/orders",
        { key, json: { symbol: "BTC-USD", side: "buy", type: "limit", price: "1000.00", quantity: "0.001" } })));
      for (const r of replies) {
        expect(r.status).toBe(201);
        acknowledged.push(r.body.orderId);
      }
    }
    // At once after the last answers: a batch still held (a user's, were it held) would be lost.
    run.proc.kill("SIGKILL");
    await run.proc.exited;
    run = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, {}, args);
    const open = (await run.call("GET", "/api/v1/orders?status=open&symbol=BTC-USD&limit=1000", { key })).body as { orderId: string }[];
    expect(open.map((o) => o.orderId).sort()).toEqual(acknowledged.toSorted());
  } finally {
    run.proc.kill("SIGKILL");
  }
}, 90_000);

test("the control API refuses what it cannot do, with a clear error, and changes nothing", async () => {
  const server = startTestExchange();
  const { call } = server;
  try {
    expect((await call("GET", "/api/v1/sim")).body).toEqual({ state: "none" });
    const cases: [string, string, unknown, number, string][] = [
      ["POST", "/api/v1/sim", { scenario: "stormy" }, 400, "unknown scenario"],
      ["POST", "/api/v1/sim", { scenario: "/etc/passwd.json" }, 400, "preset's name"],
      ["POST", "/api/v1/sim", { scenario: "calm", pace: "fast" }, 400, "pace must be"],
      ["POST", "/api/v1/sim", { scenario: "calm", seed: -1 }, 400, "seed"],
      ["POST", "/api/v1/sim", { scenario: { market: { participants: [{ kind: "whale", count: 1 }] } } }, 400, "kind must be one of"],
      ["POST", "/api/v1/sim", { scenario: { market: { participants: [{ kind: "noise", count: 1, params: { rate: 1 } }] } } }, 400, 'no parameter "rate"'],
      ["POST", "/api/v1/sim", { scenario: "calm", extra: 1 }, 400, "unknown field"],
      ["POST", "/api/v1/sim/pause", undefined, 409, "no simulation"],
      ["PATCH", "/api/v1/sim", { pace: "10x" }, 409, "no simulation"],
    ];
    for (const [method, path, json, status, message] of cases) {
      const r = await call(method, path, json === undefined ? {} : { json });
      expect({ path, json, status: r.status }).toEqual({ path, json, status });
      expect(r.body.error.message).toContain(message);
    }
    const plain = await call("POST", "/api/v1/sim", { raw: '{"scenario":"calm"}', headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(415);
    expect((await call("GET", "/api/v1/sim")).body).toEqual({ state: "none" });
    expect(server.exchange.queries.lastJournalTime()).toBe(0); // nothing journaled

    // Started: a second start is refused; changes are checked before any applies.
    const started = await call("POST", "/api/v1/sim", { json: { scenario: { markets: { "BTC-USD": { participants: [{ kind: "noise", count: 2 }] } } }, pace: "realtime" } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ state: "running", participants: { noise: 2 } });
    expect((await call("POST", "/api/v1/sim", { json: { scenario: "calm" } })).status).toBe(409);
    const bad = await call("PATCH", "/api/v1/sim", { json: { pace: "2x", participants: [{ kind: "noise", params: { ratePerMinute: -1 } }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("ratePerMinute must be a finite number");
    expect((await call("GET", "/api/v1/sim")).body.pace).toBe("realtime"); // the pace in the same change did not apply
    const changed = await call("PATCH", "/api/v1/sim", { json: { pace: "2x", participants: [{ kind: "noise", market: "BTC-USD", params: { ratePerMinute: 30 } }] } });
    expect(changed.status).toBe(200);
    expect(changed.body.pace).toBe("2x");
    expect((await call("POST", "/api/v1/sim/pause")).body.state).toBe("paused");
    expect((await call("POST", "/api/v1/sim/resume")).body.state).toBe("running");
    expect((await call("DELETE", "/api/v1/sim")).body.state).toBe("stopped");
    const sim = server.sim.current as Simulation;
    expect(sim.state).toBe("stopped");
  } finally {
    await server.stop();
  }
}, 30_000);
