// The trading screen's own logic, outside the browser: the local book against a plain map of
// levels (fast-check), the gap rule, the candles grown from trades, the /metrics figures, and the
// field a validation message names. The browser test (screen.browser.test.ts) runs all of it live.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { LocalBook, MAX_LEVELS, type Level } from "../src/screen/page/book";
import { addDecimals, CandleSeries } from "../src/screen/page/candles";
import { figures, parseMetrics } from "../src/screen/page/metrics";
import { ApiFailure } from "../src/screen/page/api";
import { startTestExchange } from "./helpers";

const price = fc.integer({ min: 1, max: 300 }).map((t) => (t / 100).toFixed(2));
const quantity = fc.oneof(fc.constant("0"), fc.integer({ min: 1, max: 5000 }).map((l) => (l / 1000).toFixed(3)));
const changes = fc.array(fc.tuple(price, quantity), { maxLength: 12 });

/** The obviously right book: a map per side, sorted when read. */
function referenceTop(levels: Map<string, string>, descending: boolean, depth: number): Level[] {
  return [...levels].sort((a, b) => (descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]))).slice(0, depth);
}

describe("the screen's local book", () => {
  test("after a snapshot and any updates that follow it, it equals a map of the same levels", () => {
    fc.assert(fc.property(changes, changes, fc.array(fc.tuple(changes, changes), { maxLength: 30 }), (bids, asks, updates) => {
      const book = new LocalBook();
      const model = { bids: new Map<string, string>(), asks: new Map<string, string>() };
      const apply = (side: Map<string, string>, levels: [string, string][]) => {
        for (const [p, q] of levels) q === "0" ? side.delete(p) : side.set(p, q);
      };
      const live = (levels: [string, string][]) => levels.filter(([, q]) => q !== "0");
      book.snapshot({ sequence: 10, bids: live(bids), asks: live(asks) });
      apply(model.bids, live(bids));
      apply(model.asks, live(asks));
      let sequence = 10;
      for (const [b, a] of updates) {
        expect(book.update({ prevSequence: sequence, sequence: sequence + 3, bids: b, asks: a })).toBe("applied");
        sequence += 3;
        apply(model.bids, b);
        apply(model.asks, a);
      }
      expect(book.top("bids", 1000)).toEqual(referenceTop(model.bids, true, 1000));
      expect(book.top("asks", 1000)).toEqual(referenceTop(model.asks, false, 1000));
      expect(book.sequence).toBe(sequence);
    }));
  });

  test("an update that does not follow its sequence is a gap, and nothing is applied until a snapshot", () => {
    const book = new LocalBook();
    expect(book.update({ prevSequence: 0, sequence: 1, bids: [["1.00", "1"]], asks: [] })).toBe("gap"); // before any snapshot
    book.snapshot({ sequence: 5, bids: [["1.00", "2"]], asks: [["1.10", "1"]] });
    expect(book.update({ prevSequence: 4, sequence: 5, bids: [["1.00", "9"]], asks: [] })).toBe("stale");
    expect(book.update({ prevSequence: 6, sequence: 7, bids: [["1.00", "9"]], asks: [] })).toBe("gap");
    expect(book.sequence).toBeUndefined();
    expect(book.update({ prevSequence: 7, sequence: 8, bids: [["1.00", "9"]], asks: [] })).toBe("gap");
    expect(book.top("bids", 5)).toEqual([["1.00", "2"]]);
    book.snapshot({ sequence: 9, bids: [["1.01", "3"]], asks: [] });
    expect(book.update({ prevSequence: 9, sequence: 10, bids: [["1.02", "1"]], asks: [] })).toBe("applied");
    expect(book.top("bids", 5)).toEqual([["1.02", "1"], ["1.01", "3"]]);
  });

  test("keeps at most MAX_LEVELS a side, letting the worst go", () => {
    const book = new LocalBook();
    const levels: Level[] = Array.from({ length: MAX_LEVELS + 50 }, (_, i) => [(1000 + i).toFixed(2), "1"]);
    book.snapshot({ sequence: 1, bids: levels, asks: levels });
    expect(book.bids.rows.length).toBe(MAX_LEVELS);
    expect(book.bids.rows[0]!.price).toBe((1000 + MAX_LEVELS + 49).toFixed(2));
    expect(book.asks.rows.at(-1)!.price).toBe((1000 + MAX_LEVELS - 1).toFixed(2));
  });

  test("follows the exchange's real book stream through a run of orders", async () => {
    const server = startTestExchange();
    try {
      const key = server.newAccount("streamer");
      const ws = new WebSocket(server.url.replace("http", "ws") + "/ws");
      const book = new LocalBook();
      let gaps = 0;
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.type === "snapshot") book.snapshot(m);
        else if (m.type === "update" && book.update(m) === "gap") gaps++;
      };
      await new Promise((resolve) => (ws.onopen = resolve));
      ws.send(JSON.stringify({ op: "subscribe", channel: "book:BTC-USD" }));
      for (let i = 0; i < 60; i++) {
        const side = i % 2 ? "buy" : "sell";
        const p = side === "buy" ? 50000 - (i % 7) : 50010 + (i % 5);
        await server.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side, type: "limit", price: String(p), quantity: "0.0100" } });
        if (i % 9 === 0) await server.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "sell", type: "market", quantity: "0.0150" } });
      }
      const rest = (await server.call("GET", "/api/v1/markets/BTC-USD/book?depth=1000")).body;
      await Bun.sleep(100);
      expect(gaps).toBe(0);
      expect(book.sequence).toBe(rest.sequence);
      expect(book.top("bids", 1000)).toEqual(rest.bids);
      expect(book.top("asks", 1000)).toEqual(rest.asks);
      ws.close();
    } finally {
      await server.stop();
    }
  });
});

describe("the screen's candles", () => {
  test("trades grow the last candle or open the next; older ones are left out", () => {
    const series = new CandleSeries("1m");
    series.load([
      { time: 120_000, open: "10.00", high: "11.00", low: "9.50", close: "10.50", volume: "2.0000", trades: 3 },
      { time: 60_000, open: "9.00", high: "10.00", low: "9.00", close: "10.00", volume: "1.0000", trades: 1 },
    ]);
    expect(series.candles.map((c) => c.time)).toEqual([60, 120]);
    const t = (price: string, quantity: string, time: number) => ({ tradeId: "1", price, quantity, takerSide: "buy" as const, time });
    expect(series.add(t("12.00", "0.2500", 150_000))).toMatchObject({ time: 120, high: 12, low: 9.5, close: 12, volumeText: "2.2500", trades: 4 });
    expect(series.add(t("8.00", "1.0000", 185_000))).toMatchObject({ time: 180, open: 8, high: 8, low: 8, close: 8, volumeText: "1.0000", trades: 1 });
    expect(series.add(t("9.00", "1.0000", 100_000))).toBeUndefined();
    expect(series.candles.length).toBe(3);
  });

  test("volumes add exactly", () => {
    expect(addDecimals("0.1", "0.2")).toBe("0.3");
    expect(addDecimals("1.2500", "0.0005")).toBe("1.2505");
    expect(addDecimals("999", "1")).toBe("1000");
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (a, b) => {
      expect(addDecimals((a / 1e4).toFixed(4), (b / 1e4).toFixed(4))).toBe(((a + b) / 1e4).toFixed(4));
    }));
  });
});

describe("the operator panel's figures", () => {
  test("are rates and means between two samples of the exchange's real /metrics", async () => {
    const server = startTestExchange();
    try {
      const key = server.newAccount("metrics");
      const taker = server.newAccount("taker");
      const scrape = async () => parseMetrics((await server.call("GET", "/metrics")).body as string);
      const sell = () => server.call("POST", "/api/v1/orders", { key, json: { symbol: "BTC-USD", side: "sell", type: "limit", price: "50000", quantity: "0.0100" } });
      await sell(); // the new accounts' deposits are journaled with the first batch
      const before = await scrape();
      for (let i = 0; i < 10; i++) await sell();
      await server.call("POST", "/api/v1/orders", { key: taker, json: { symbol: "BTC-USD", side: "buy", type: "market", quantity: "0.0300" } });
      const after = await scrape();
      const f = figures(before, after, 2);
      expect(f.ordersPerSecond).toBe(11 / 2);
      expect(f.tradesPerSecond).toBe(3 / 2);
      // Each order came alone (a new account's deposits may ride along with one).
      expect(f.batchSize).toBeGreaterThanOrEqual(1);
      expect(f.batchSize).toBeLessThan(2);
      expect(f.commitMs).toBeGreaterThan(0);
      expect(f.commitP99Ms).toBeGreaterThanOrEqual(f.commitMs!);
      expect(f.openOrders).toBe(8);
      expect(f.queueDepth).toBe(0);
    } finally {
      await server.stop();
    }
  });
});

test("a validation message names its field, as the API writes them", () => {
  const fields = ["price", "quantity", "stopPrice"];
  expect(new ApiFailure(400, "VALIDATION", "price must be a multiple of tickSize 0.01 for BTC-USD").fieldIn(fields)).toBe("price");
  expect(new ApiFailure(400, "VALIDATION", "stopPrice (or trailingDelta) is required for stop_loss orders").fieldIn(fields)).toBe("stopPrice");
  expect(new ApiFailure(400, "VALIDATION", 'unknown field "quantity"').fieldIn(fields)).toBe("quantity");
  expect(new ApiFailure(400, "INSUFFICIENT_BALANCE", "not enough USD").fieldIn(fields)).toBeUndefined();
});
