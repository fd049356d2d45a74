// Binance's market streams beside the native /ws: raw streams at /ws/<stream> (or /ws/<anything>
// then SUBSCRIBE, as ccxt does), combined ones at /stream?streams=a/b wrapped as {stream, data}.
// Each stream is a Bun pub/sub topic per form. Streams go out when Binance sends them: trades and
// book tickers as they happen, depth on its 100 / 1000 ms timer, tickers and average prices each
// second, klines each second (1s) or two, trade or not. Diff depth events carry per-symbol update ids
// that never skip: U is the previous event's u + 1, and u is the book's sequence, the one
// GET /api/v3/depth gives as lastUpdateId, so a client stitches the two exactly.
import type { Server, ServerWebSocket } from "bun";
import { aggregate } from "../aggregate-trades";
import type { BatchReport } from "../core/sequencer";
import type { Exchange } from "../exchange";
import { pushTo } from "../collections";
import { log } from "../log";
import { levelsAt } from "../market-data";
import type { Market } from "../markets";
import type { Bucketing } from "../store/queries";
import { averagePrice, bookTicker, depth as depthSnapshot, inTimeZone, INTERVALS, intervalOf, miniTicker24h, rollingTicker, ticker24h, utcOffsetOf, windowSizeMs } from "./market-data";
import { aggregateTrade } from "./render";

/** The longest string a control message may give as its `id` (Binance's bound). */
const MAX_ID_LENGTH = 36;

export const SLOW_CONSUMER_CODE = 1008;
const MAX_STREAMS_PER_CONNECTION = 1024;

export interface StreamSocketState { kind: "binance-market"; combined: boolean; streams: Set<string> }
type Socket = ServerWebSocket<unknown>;

/** The rolling windows of the @ticker_<window> streams (sizes as GET /api/v3/ticker names them), and their events' names. */
const ROLLING_WINDOWS: Record<string, { ms: number; event: string }> = Object.fromEntries(
  ["1h", "4h", "1d"].map((w) => [w, { ms: windowSizeMs(w)!, event: `${w}Ticker` }]),
);
/** The streams of every market at once: the tickers that changed in the last second, as an array. */
const ALL_MARKET_STREAMS = new Set(["!ticker@arr", "!miniTicker@arr", ...Object.keys(ROLLING_WINDOWS).map((w) => `!ticker_${w}@arr`)]);
/** A kline stream's update period, as Binance's (ms). */
const klinePeriod = (interval: string) => (interval === "1s" ? 1000 : 2000);

/** Every kline stream of a market, by its name's tail: each interval in UTC, and in UTC+8 (the
 *  one time zone Binance streams, `@kline_1d@+08:00`). */
const KLINE_STREAMS = Object.entries(INTERVALS).flatMap(([interval, bucketing]) => [
  { tail: `@kline_${interval}`, interval, bucketing },
  { tail: `@kline_${interval}@+08:00`, interval, bucketing: inTimeZone(bucketing, utcOffsetOf("+08:00")!) },
]);
type KlineStream = (typeof KLINE_STREAMS)[number] & { name: string };

/** Whether `name` is a stream this venue has ("btcusd@depth@100ms", "ethusd@kline_1h", "!miniTicker@arr", …). */
function isStream(ex: Exchange, name: string): boolean {
  if (ALL_MARKET_STREAMS.has(name)) return true;
  const [symbol, channel, rate, ...rest] = name.split("@");
  if (!symbol || !channel || rest.length > 0 || symbol !== symbol.toLowerCase()) return false;
  if (!ex.markets.byBinance(symbol.toUpperCase())) return false;
  if (channel.startsWith("kline_")) return KLINE_STREAMS.some((k) => symbol + k.tail === name);
  // Depth streams take an update speed; the others none.
  if (channel === "depth" || /^depth(5|10|20)$/.test(channel)) return rate === undefined || rate === "100ms" || rate === "1000ms";
  if (rate !== undefined) return false;
  if (["trade", "aggTrade", "bookTicker", "ticker", "miniTicker", "avgPrice"].includes(channel)) return true;
  const window = /^ticker_(\w+)$/.exec(channel);
  return window !== null && Object.hasOwn(ROLLING_WINDOWS, window[1]!);
}

interface Candle { open: number; close: number; o: number; h: number; l: number; c: number; v: number; q: bigint; n: number; f: number; L: number; V: number; Q: bigint }

export class BinanceMarketStreams {
  private server: Server<unknown> | null = null;
  private readonly sockets = new Set<Socket>();
  /** Per rate (100, 1000 ms), per market: the prices changed since the last diff event, and its u. */
  private readonly changed = new Map<number, Set<number>[][]>();
  private readonly lastU = new Map<number, number[]>();
  /** Markets that traded since the last ticker event. */
  private readonly traded = new Set<number>();
  /** Each subscribed kline stream's current candle, by stream name. */
  private readonly candles = new Map<string, Candle>();
  private ticks = 0;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  /** Each market's symbol as stream names spell it ("btcusd"), by market index. */
  private readonly names: string[];
  /** Per market, its kline streams with their names. */
  private readonly klineStreams: KlineStream[][];

  constructor(private readonly ex: Exchange, private readonly maxBufferedBytes: number) {
    this.names = ex.markets.list.map((m) => m.binanceSymbol.toLowerCase());
    this.klineStreams = this.names.map((s) => KLINE_STREAMS.map((k) => ({ ...k, name: s + k.tail })));
    for (const rate of [100, 1000]) {
      this.changed.set(rate, ex.markets.list.map(() => [new Set<number>(), new Set<number>()]));
      this.lastU.set(rate, ex.markets.list.map((m) => ex.engine.sequence(m.index)));
      this.timers.push(setInterval(() => this.flushDepth(rate), rate));
    }
    this.timers.push(setInterval(() => this.everySecond(), 1000));
  }

  attach(server: Server<unknown>): void {
    this.server = server;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
  }

  /** Connections to the market streams. */
  get clients(): number {
    return this.sockets.size;
  }

  // ---- connections --------------------------------------------------------------------------
  /** A connection to /ws/<path> or /stream?streams=…; `names`: the streams it asks for in its URL. */
  opened(ws: Socket, state: StreamSocketState, names: string[]): void {
    this.sockets.add(ws);
    for (const name of names) if (isStream(this.ex, name)) this.subscribe(ws, state, name);
  }

  closed(ws: Socket): void {
    this.sockets.delete(ws);
  }

  /** A control message: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS (answered as Binance does). */
  message(ws: Socket, state: StreamSocketState, raw: unknown): Record<string, unknown> {
    let msg: unknown = raw;
    if (typeof raw === "string") {
      try { msg = JSON.parse(raw); } catch { return { error: { code: 3, msg: "Invalid JSON: expected value at line 1 column 1" } }; }
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return { error: { code: 2, msg: "Invalid request: request must be an object" } };
    const { method, params, id } = msg as Record<string, unknown>;
    // Binance's rule: a 64-bit signed integer, a string of at most 36 characters, or null.
    const validId = id === null || id === undefined || (typeof id === "string" && id.length <= MAX_ID_LENGTH) ||
      (typeof id === "number" && Number.isInteger(id) && Math.abs(id) <= 2 ** 63);
    if (!validId) return { error: { code: 2, msg: "Invalid request: 'id' must be a 64-bit integer, a string of at most 36 characters, or null" }, id: null };
    const answerId = id ?? null;
    if (method === "LIST_SUBSCRIPTIONS") return { result: [...state.streams], id: answerId };
    if (method !== "SUBSCRIBE" && method !== "UNSUBSCRIBE") {
      return { error: { code: 2, msg: "Invalid request: method must be SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS" }, id: answerId };
    }
    if (!Array.isArray(params) || !params.every((p) => typeof p === "string")) {
      return { error: { code: 2, msg: "Invalid request: params must be an array of stream names" }, id: answerId };
    }
    for (const name of params as string[]) {
      if (!isStream(this.ex, name)) return { error: { code: 2, msg: `Invalid request: unknown stream '${name.slice(0, 64)}'` }, id: answerId };
    }
    if (method === "SUBSCRIBE" && state.streams.size + params.length > MAX_STREAMS_PER_CONNECTION) {
      return { error: { code: 2, msg: `Invalid request: at most ${MAX_STREAMS_PER_CONNECTION} streams per connection` }, id: answerId };
    }
    for (const name of params as string[]) {
      if (method === "SUBSCRIBE") this.subscribe(ws, state, name);
      else {
        state.streams.delete(name);
        ws.unsubscribe(topic(name, state.combined));
      }
    }
    return { result: null, id: answerId };
  }

  private subscribe(ws: Socket, state: StreamSocketState, name: string): void {
    state.streams.add(name);
    ws.subscribe(topic(name, state.combined));
  }

  // ---- events ------------------------------------------------------------------------------
  private subscribed(name: string): boolean {
    const server = this.server!;
    return server.subscriberCount(topic(name, false)) + server.subscriberCount(topic(name, true)) > 0;
  }

  private send(name: string, build: () => unknown): void {
    const server = this.server!;
    const raw = topic(name, false), combined = topic(name, true);
    const rawCount = server.subscriberCount(raw), combinedCount = server.subscriberCount(combined);
    if (rawCount + combinedCount === 0) return;
    const data = build();
    if (rawCount > 0) server.publish(raw, JSON.stringify(data));
    if (combinedCount > 0) server.publish(combined, JSON.stringify({ stream: name, data }));
  }

  /** What a committed batch changed: trades and book tickers now, the rest on their timers. */
  publish(report: BatchReport): void {
    // With no one connected there is nothing to send or keep: a diff stream's changes are
    // gathered from its client's connection on (its REST snapshot comes after that), and a
    // kline stream's candle is read from the store again when it is next sent.
    if (!this.server || this.sockets.size === 0) {
      this.candles.clear();
      return;
    }
    const E = this.ex.clock.now();
    for (const [index, sides] of report.levels) {
      for (const rate of [100, 1000]) {
        const pending = this.changed.get(rate)![index]!;
        for (const p of sides[0]) pending[0]!.add(p);
        for (const p of sides[1]) pending[1]!.add(p);
      }
      const m = this.ex.markets.list[index]!;
      const s = this.names[index]!;
      this.send(`${s}@bookTicker`, () => {
        const t = bookTicker(this.ex, m);
        return { u: this.ex.engine.sequence(index), s: t.symbol, b: t.bidPrice, B: t.bidQty, a: t.askPrice, A: t.askQty };
      });
    }
    if (report.trades.length > 0) {
      const bySymbol = new Map<string, BatchReport["trades"]>();
      for (const t of report.trades) pushTo(bySymbol, t.symbol, t);
      for (const [symbol, trades] of bySymbol) {
        const m = this.ex.markets.get(symbol)!;
        const s = this.names[m.index]!;
        this.traded.add(m.index);
        for (const t of trades) {
          this.send(`${s}@trade`, () => ({
            e: "trade", E, s: m.binanceSymbol, t: t.id, p: m.formatPrice(t.price), q: m.formatQuantity(t.quantity), T: t.time,
            m: t.takerSide === "sell", M: true,
          }));
        }
        // (An aggregate never spans batches: a taker's trades are made in one step.)
        if (this.subscribed(`${s}@aggTrade`)) {
          for (const a of aggregate(trades)) this.send(`${s}@aggTrade`, () => ({ e: "aggTrade", E, s: m.binanceSymbol, ...aggregateTrade(m, a) }));
        }
      }
      this.addToCandles(bySymbol, E);
    }
    this.dropSlowConsumers();
  }

  private flushDepth(rate: number): void {
    if (!this.server) return;
    const E = this.ex.clock.now();
    const suffixes = rate === 100 ? ["@100ms"] : ["", "@1000ms"];
    const lastU = this.lastU.get(rate)!;
    for (const m of this.ex.markets.list) {
      const pending = this.changed.get(rate)![m.index]!;
      if (pending[0]!.size === 0 && pending[1]!.size === 0) continue;
      const u = this.ex.engine.sequence(m.index);
      const U = lastU[m.index]! + 1;
      lastU[m.index] = u;
      const s = this.names[m.index]!;
      let update: unknown;
      const diff = () => (update ??= { e: "depthUpdate", E, s: m.binanceSymbol, U, u, b: levelsAt(this.ex, m, 0, pending[0]!), a: levelsAt(this.ex, m, 1, pending[1]!) });
      // Each 1000 ms stream has two names: with and without "@1000ms".
      for (const suffix of suffixes) {
        this.send(`${s}@depth${suffix}`, diff);
        for (const n of [5, 10, 20]) this.send(`${s}@depth${n}${suffix}`, () => depthSnapshot(this.ex, m, n));
      }
      pending[0]!.clear();
      pending[1]!.clear();
    }
    this.dropSlowConsumers();
  }

  private everySecond(): void {
    // (With no one connected, publish keeps no candles either.)
    if (!this.server || this.sockets.size === 0) return;
    const E = this.ex.clock.now();
    this.flushTickers(E);
    this.flushAverages(E);
    this.flushKlines(E, this.ticks++ % 2 === 0 ? 2000 : 1000);
    this.dropSlowConsumers();
  }

  /** The tickers of the markets that traded in the last second: each market's streams, and the all-market arrays. */
  private flushTickers(E: number): void {
    const all = { ticker: [] as unknown[], mini: [] as unknown[], rolling: new Map<string, unknown[]>() };
    const allTicker = this.subscribed("!ticker@arr"), allMini = this.subscribed("!miniTicker@arr");
    const allRolling = new Set(Object.keys(ROLLING_WINDOWS).filter((w) => this.subscribed(`!ticker_${w}@arr`)));
    for (const index of this.traded) {
      const m = this.ex.markets.list[index]!;
      const s = this.names[index]!;
      let ticker: unknown, mini: unknown;
      const tickerEvent = () => (ticker ??= tickerEventOf(this.ex, m, E));
      const miniEvent = () => (mini ??= miniTickerEventOf(this.ex, m, E));
      this.send(`${s}@ticker`, tickerEvent);
      this.send(`${s}@miniTicker`, miniEvent);
      if (allTicker) all.ticker.push(tickerEvent());
      if (allMini) all.mini.push(miniEvent());
      for (const [window, { ms, event }] of Object.entries(ROLLING_WINDOWS)) {
        let rolling: unknown;
        const build = () => (rolling ??= rollingEventOf(this.ex, m, ms, event, E));
        this.send(`${s}@ticker_${window}`, build);
        if (allRolling.has(window)) pushTo(all.rolling, window, build());
      }
    }
    this.traded.clear();
    if (all.ticker.length) this.send("!ticker@arr", () => all.ticker);
    if (all.mini.length) this.send("!miniTicker@arr", () => all.mini);
    for (const [window, events] of all.rolling) this.send(`!ticker_${window}@arr`, () => events);
  }

  /** Each @avgPrice stream of a market that has traded: every second, so that a new subscriber hears it at once. */
  private flushAverages(E: number): void {
    for (const m of this.ex.markets.list) {
      if (this.ex.stats.lastPrice(m.index) === null) continue;
      this.send(`${this.names[m.index]!}@avgPrice`, () => {
        const a = averagePrice(this.ex, m, E);
        return { e: "avgPrice", E, s: m.binanceSymbol, i: `${a.mins}m`, w: a.price, T: a.closeTime };
      });
    }
  }

  /** Each subscribed kline stream of period `period` or less: its candle, whether or not it traded;
   *  a candle that ended without a trade to close it is sent closed (x true) first. */
  private flushKlines(E: number, period: number): void {
    for (const m of this.ex.markets.list) {
      // A market that has never traded has no price to show.
      if (this.ex.stats.lastPrice(m.index) === null) continue;
      for (const { name, interval, bucketing } of this.klineStreams[m.index]!) {
        if (klinePeriod(interval) > period) continue;
        if (!this.subscribed(name)) {
          this.candles.delete(name);
          continue;
        }
        const candle = this.rollOver(name, m, interval, bucketing, this.candles.get(name) ?? this.loadCandle(m, bucketing, E), E, E);
        this.candles.set(name, candle);
        this.send(name, () => klineEvent(m, interval, candle, false, E));
      }
    }
  }

  /** A batch's trades into the candles of the kline streams being sent; a candle they end goes out closed (x true) at once. */
  private addToCandles(bySymbol: Map<string, BatchReport["trades"]>, E: number): void {
    for (const [symbol, trades] of bySymbol) {
      const m = this.ex.markets.get(symbol)!;
      for (const { name, interval, bucketing } of this.klineStreams[m.index]!) {
        let candle = this.candles.get(name);
        if (candle === undefined) {
          // A stream's first candle is read from the store, which holds this batch's trades already.
          if (this.subscribed(name)) this.candles.set(name, this.loadCandle(m, bucketing, trades.at(-1)!.time));
          continue;
        }
        for (const t of trades) {
          // (A batch held back for an account's funding may commit after its interval was sent
          // closed: the store's klines have its trades.)
          if (t.time < candle.open) continue;
          candle = this.rollOver(name, m, interval, bucketing, candle, t.time, E);
          if (candle.n === 0) {
            candle.o = candle.h = candle.l = t.price;
            candle.f = t.id;
          }
          candle.c = t.price;
          candle.h = Math.max(candle.h, t.price);
          candle.l = Math.min(candle.l, t.price);
          candle.v += t.quantity;
          candle.q += m.notional(t.price, t.quantity);
          if (t.takerSide === "buy") {
            candle.V += t.quantity;
            candle.Q += m.notional(t.price, t.quantity);
          }
          candle.n++;
          candle.L = t.id;
        }
        this.candles.set(name, candle);
      }
    }
  }

  /** `candle`, or, once `time` is past its interval, the next one at its close price, after `candle`
   *  goes out closed (x true). */
  private rollOver(name: string, m: Market, interval: string, bucketing: Bucketing, candle: Candle, time: number, E: number): Candle {
    if (time <= candle.close) return candle;
    this.send(name, () => klineEvent(m, interval, candle, true, E));
    return emptyCandle(bucketing, time, candle.c);
  }

  /** The candle of the interval holding `time` as stored (without trades: at the last price). */
  private loadCandle(m: Market, bucketing: Bucketing, time: number): Candle {
    const candle = emptyCandle(bucketing, time, this.ex.stats.lastPrice(m.index) ?? 0);
    const [row] = this.ex.queries.klines(m.symbol, bucketing, { startTime: candle.open, endTime: candle.close, limit: 1 });
    if (row) {
      Object.assign(candle, { o: row.open, h: row.high, l: row.low, c: row.close, v: row.volume, n: row.trades, V: row.takerBuyVolume, f: row.firstId, L: row.lastId });
      candle.q = BigInt(row.notional) * BigInt(m.notionalUnits);
      candle.Q = BigInt(row.takerBuyNotional) * BigInt(m.notionalUnits);
    }
    return candle;
  }

  private dropSlowConsumers(): void {
    for (const ws of this.sockets) {
      if (ws.getBufferedAmount() > this.maxBufferedBytes) {
        ws.close(SLOW_CONSUMER_CODE, `slow consumer: more than ${this.maxBufferedBytes} bytes waiting`);
        log("info", "dropped a slow Binance stream client", { bufferedBytes: ws.getBufferedAmount() });
        this.sockets.delete(ws);
      }
    }
  }
}

function topic(name: string, combined: boolean): string {
  return `${combined ? "bnc" : "bn"}:${name}`;
}

/** The candle of the interval holding `time` before any trade: every price the last one, as Binance shows it. */
function emptyCandle(bucketing: Bucketing, time: number, price: number): Candle {
  const { open, close } = intervalOf(bucketing, time);
  return { open, close, o: price, h: price, l: price, c: price, v: 0, q: 0n, n: 0, f: -1, L: -1, V: 0, Q: 0n };
}

function tickerEventOf(ex: Exchange, m: Market, E: number) {
  const t = ticker24h(ex, m, E);
  return {
    e: "24hrTicker", E, s: t.symbol, p: t.priceChange, P: t.priceChangePercent, w: t.weightedAvgPrice, x: t.prevClosePrice,
    c: t.lastPrice, Q: t.lastQty, b: t.bidPrice, B: t.bidQty, a: t.askPrice, A: t.askQty, o: t.openPrice, h: t.highPrice,
    l: t.lowPrice, v: t.volume, q: t.quoteVolume, O: t.openTime, C: t.closeTime, F: t.firstId, L: t.lastId, n: t.count,
  };
}

function miniTickerEventOf(ex: Exchange, m: Market, E: number) {
  const t = miniTicker24h(ex, m, E);
  return { e: "24hrMiniTicker", E, s: t.symbol, c: t.lastPrice, o: t.openPrice, h: t.highPrice, l: t.lowPrice, v: t.volume, q: t.quoteVolume };
}

function rollingEventOf(ex: Exchange, m: Market, ms: number, event: string, E: number) {
  const t = rollingTicker(ex, m, ms, E);
  return {
    e: event, E, s: t.symbol, p: t.priceChange, P: t.priceChangePercent, o: t.openPrice, h: t.highPrice, l: t.lowPrice,
    c: t.lastPrice, w: t.weightedAvgPrice, v: t.volume, q: t.quoteVolume, O: t.openTime, C: t.closeTime, F: t.firstId, L: t.lastId, n: t.count,
  };
}

function klineEvent(m: Market, interval: string, k: Candle, closed: boolean, E: number) {
  return {
    e: "kline", E, s: m.binanceSymbol,
    k: {
      t: k.open, T: k.close, s: m.binanceSymbol, i: interval, f: k.f, L: k.L, o: m.formatPrice(k.o), c: m.formatPrice(k.c),
      h: m.formatPrice(k.h), l: m.formatPrice(k.l), v: m.formatQuantity(k.v), n: k.n, x: closed, q: m.quote.format(k.q),
      V: m.formatQuantity(k.V), Q: m.quote.format(k.Q), B: "0",
    },
  };
}
