// Replays of recorded markets on a real server: the readers of each format, a user's order queued
// behind recorded liquidity, and liquidity a user took coming back over the recovery time.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMarkets } from "../src/markets";
import { readRecording } from "../src/replay/formats";
import { REPLAY_DEFAULTS } from "../src/replay/replayer";
import { startTestExchange, tempDir, waitFor } from "./helpers";

const T0 = Date.parse("2026-01-05T10:00:00Z");
const btc = loadMarkets().get("BTC-USD")!;

function zipped(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  const zip = join(dir, `${name}.zip`);
  const r = Bun.spawnSync(["python3", "-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED); z.write(sys.argv[2], sys.argv[3]); z.close()", zip, join(dir, name), name]);
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return zip;
}

test("Binance trades and aggTrades, zipped or not, in milliseconds or microseconds", async () => {
  const dir = tempDir();
  const agg = zipped(dir, "BTCUSDT-aggTrades-2026-01-05.csv",
    `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match\n1,60000.10,0.01000000,1,2,${T0}000,true,true\n2,60000.20,0.50000000,3,3,${T0 + 5}000,false,true\n`);
  const { format, events } = readRecording([agg], btc);
  expect(format).toBe("binance");
  expect(events).toEqual([
    { time: T0, kind: "trade", takerSide: "sell", price: 6_000_010, quantity: 100 },
    { time: T0 + 5, kind: "trade", takerSide: "buy", price: 6_000_020, quantity: 5000 },
  ]);
  const trades = join(dir, "BTCUSDT-trades-2026-01-05.csv");
  writeFileSync(trades, `7,60000.10,0.00001,0.6,${T0},false,true\n8,60000.30,0.002,120.0,${T0 + 1},true,true\n`);
  // The first trade is below the market's step (0.0001): nothing to replay of it.
  expect(readRecording([trades], btc).events).toEqual([{ time: T0 + 1, kind: "trade", takerSide: "sell", price: 6_000_030, quantity: 20 }]);
  writeFileSync(trades, `7,60000.10,abc,0.6,${T0},false,true\n`);
  expect(() => readRecording([trades], btc)).toThrow(/trades-2026-01-05.csv:1: quantity "abc"/);

  // As fast as possible, the recording's timestamps are the venue's clock; the ladder around
  // the last trade is the book a user meets.
  const server = startTestExchange(undefined, undefined, { replay: { files: [agg], market: "BTC-USD", options: { ...REPLAY_DEFAULTS, pace: "max" } } });
  try {
    await waitFor(() => server.sim.current !== null);
    await server.sim.current!.done;
    const book = (await server.call("GET", "/api/v1/markets/BTC-USD/book?depth=20")).body;
    expect(book.asks.map((l: string[]) => l[0])).toEqual(Array.from({ length: 10 }, (_, i) => btc.formatPrice(6_000_021 + i)));
    expect(book.bids[0]).toEqual(["60000.19", "0.5000"]); // (the median of its sizes, 0.01 and 0.5)
    for (const t of (await server.call("GET", "/api/v1/markets/BTC-USD/trades")).body) expect([T0, T0 + 5]).toContain(t.time);
  } finally {
    await server.stop();
  }
});

test("LOBSTER: executions as trades (the taker opposite the resting side), the book file as level changes", () => {
  const dir = tempDir();
  const message = join(dir, "AMZN_2012-06-21_34200000_57600000_message_2.csv");
  const orderbook = join(dir, "AMZN_2012-06-21_34200000_57600000_orderbook_2.csv");
  writeFileSync(message, "34200.5,1,11,100,2239900,-1\n34201.25,4,11,40,2239900,-1\n");
  writeFileSync(orderbook, "2239900,100,2238100,21,2240000,5,2237500,9\n2239900,60,2238100,21,2240000,5,2237500,9\n");
  const market = loadMarkets().get("BTC-USD")!;
  const { format, events } = readRecording([message, orderbook], market);
  expect(format).toBe("lobster");
  const t = Date.parse("2012-06-21T00:00:00Z");
  expect(events[0]).toEqual({ time: t + 34_200_500, kind: "level", side: "sell", price: 22_399, quantity: 1_000_000 });
  expect(events.filter((e) => e.kind === "trade")).toEqual([{ time: t + 34_201_250, kind: "trade", takerSide: "buy", price: 22_399, quantity: 400_000 }]);
  expect(events.slice(-1)).toEqual([{ time: t + 34_201_250, kind: "level", side: "sell", price: 22_399, quantity: 600_000 }]);
});

/** A Tardis pair: a snapshot of one ask and one bid, then the recorded buys at the ask. */
function tardis(dir: string, ask: string, seconds: [number, string, string][]) {
  const us = (ms: number) => `${ms * 1000}`;
  const book = join(dir, "binance_incremental_book_L2_2026-01-05_BTCUSDT.csv");
  const trades = join(dir, "binance_trades_2026-01-05_BTCUSDT.csv");
  writeFileSync(book, ["exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount",
    `binance,BTCUSDT,${us(T0)},${us(T0)},true,ask,60001.00,${ask}`, `binance,BTCUSDT,${us(T0)},${us(T0)},true,bid,60000.00,2`,
    ...seconds.map(([s, , left]) => `binance,BTCUSDT,${us(T0 + s * 1000)},${us(T0 + s * 1000)},false,ask,60001.00,${left}`)].join("\n"));
  writeFileSync(trades, ["exchange,symbol,timestamp,local_timestamp,id,side,price,amount",
    ...seconds.map(([s, size], i) => `binance,BTCUSDT,${us(T0 + s * 1000)},${us(T0 + s * 1000)},${i},buy,60001.00,${size}`)].join("\n"));
  return [book, trades];
}

test("a user's resting order in a replayed book fills only after the recorded volume ahead of it has traded", async () => {
  const dir = tempDir();
  // 2 BTC rest at 60001; 1.5 trade at +4 s, 1.0 at +8 s (the recording's own level goes 2 → 0.5 → 0).
  const files = tardis(dir, "2", [[4, "1.5", "0.5"], [8, "1.0", "0"]]);
  const server = startTestExchange(undefined, undefined, { replay: { files, market: "BTC-USD", options: { ...REPLAY_DEFAULTS, pace: 2 } } });
  const { call } = server;
  try {
    const askAt = async () => (await call("GET", "/api/v1/markets/BTC-USD/book?depth=1")).body.asks[0];
    await waitFor(async () => (await askAt())?.[1] === "2.0000");
    const key = server.newAccount("user");
    const sell = await call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "sell", type: "limit", price: "60001.00", quantity: "1" } });
    expect(sell.status).toBe(201);
    expect(server.exchange.clock.now()).toBeLessThan(T0 + 4000); // it joined before the first recorded trade
    const order = async () => (await call("GET", `/api/v1/orders/${sell.body.orderId}`, { key })).body;

    await waitFor(() => (server.sim.status().replayed as number) >= 4);
    await waitFor(async () => (await askAt())?.[1] === "1.5000"); // 0.5 recorded ahead, then the user's 1
    expect((await order()).filledQuantity).toBe("0.0000");

    await server.sim.current!.done;
    const done = await order();
    // 2.5 traded at 60001: the 2 ahead first, then 0.5 of the user's.
    expect(done).toMatchObject({ filledQuantity: "0.5000", status: "partially_filled" });
    expect(await askAt()).toEqual(["60001.00", "0.5000"]);
    // The venue clock ran from the recording's start at its pace: each trade within a step of its recorded time.
    const times = (await call("GET", "/api/v1/markets/BTC-USD/trades?limit=10")).body.map((t: { time: number }) => t.time).sort();
    [T0 + 4000, T0 + 8000, T0 + 8000].forEach((recorded, i) => expect(times[i] - recorded).toBeWithin(0, 200));
  } finally {
    await server.stop();
  }
}, 30_000);

test("liquidity a user's order took from the replayed book comes back over the recovery time", async () => {
  const dir = tempDir();
  // A book that stands still for 6 s (a last, tiny trade far below ends the recording).
  const files = tardis(dir, "2", [[6, "0.0001", "2"]]);
  const server = startTestExchange(undefined, undefined, { replay: { files, market: "BTC-USD", options: { ...REPLAY_DEFAULTS, pace: "realtime", recoveryMs: 1500 } } });
  const { call } = server;
  try {
    const askAt = async () => (await call("GET", "/api/v1/markets/BTC-USD/book?depth=1")).body.asks[0]?.[1] ?? "0";
    await waitFor(async () => (await askAt()) === "2.0000");
    const key = server.newAccount("user");
    const buy = await call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "buy", type: "market", quantity: "1.5" } });
    expect(buy.body).toMatchObject({ status: "filled", filledQuantity: "1.5000" });
    const took = Date.now();
    const seen: [number, number][] = [];
    await waitFor(async () => {
      const q = Number(await askAt());
      seen.push([Date.now() - took, q]);
      return q === 2;
    }, 5000);
    // Not back at once: in between, less than the recording, growing.
    const between = seen.filter(([, q]) => q > 0.5 && q < 2);
    expect(between.length).toBeGreaterThan(0);
    expect(seen.at(-1)![0]).toBeGreaterThan(1000);
    const qs = seen.map(([, q]) => q);
    expect(qs).toEqual([...qs].sort((a, b) => a - b));
  } finally {
    await server.stop();
  }
}, 30_000);
