// Market data as Binance shows it, for REST and the streams alike: exchangeInfo's symbols and
// filters, depth, the 24-hour tickers, book tickers and klines with their intervals.
import { formatUnits } from "../decimal";
import type { Exchange } from "../exchange";
import { bookLevels } from "../market-data";
import { MAX_UNITS, SELF_TRADE_MODES, type Market } from "../markets";
import { MAX_TRAILING_DELTA } from "../orders/validate";
import type { TradeWindow } from "../market-stats";
import { monthStart, type Bucketing, type KlineRow } from "../store/queries";
import { ORDER_TYPES, stpName } from "./render";

/** Kline intervals and how trades group into them (weeks start on Monday, as on Binance). */
const MINUTE = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
const fixed = (ms: number, origin = 0): Bucketing => ({ ms, origin });
export const INTERVALS: Record<string, Bucketing> = {
  "1s": fixed(1000), "1m": fixed(MINUTE), "3m": fixed(3 * MINUTE), "5m": fixed(5 * MINUTE), "15m": fixed(15 * MINUTE),
  "30m": fixed(30 * MINUTE), "1h": fixed(HOUR), "2h": fixed(2 * HOUR), "4h": fixed(4 * HOUR), "6h": fixed(6 * HOUR),
  "8h": fixed(8 * HOUR), "12h": fixed(12 * HOUR), "1d": fixed(DAY), "3d": fixed(3 * DAY), "1w": fixed(7 * DAY, 4 * DAY), "1M": { month: true, utcOffset: 0 },
};

/** Binance's `timeZone`: hours, or hours and minutes, from -12:00 to +14:00; how far ahead of UTC
 *  it is (ms), or undefined if it is none of those. */
export function utcOffsetOf(zone: string): number | undefined {
  const parts = /^([+\- ]?)(\d{1,2})(?::([0-5]\d))?$/.exec(zone);
  if (!parts) return undefined;
  const minutes = (Number(parts[2]) * 60 + Number(parts[3] ?? 0)) * (parts[1] === "-" ? -1 : 1);
  return minutes >= -12 * 60 && minutes <= 14 * 60 ? minutes * MINUTE : undefined;
}

/** An interval's bucketing in a time zone `utcOffset` ms ahead of UTC: its intervals begin at
 *  that zone's times (a day at its midnight, a week on its Monday, a month on its first). */
export function inTimeZone(bucketing: Bucketing, utcOffset: number): Bucketing {
  return "month" in bucketing ? { month: true, utcOffset } : { ms: bucketing.ms, origin: bucketing.origin - utcOffset };
}

/** The open time of the interval holding `time`, and its close time (the next open, less 1 ms). */
export function intervalOf(bucketing: Bucketing, time: number): { open: number; close: number } {
  if ("month" in bucketing) {
    return { open: monthStart(time, bucketing.utcOffset), close: monthStart(time, bucketing.utcOffset, 1) - 1 };
  }
  const open = Math.floor((time - bucketing.origin) / bucketing.ms) * bucketing.ms + bucketing.origin;
  return { open, close: open + bucketing.ms - 1 };
}

export function symbolInfo(ex: Exchange, m: Market) {
  const maxPrice = formatUnits(MAX_UNITS, m.tick);
  const maxQty = formatUnits(MAX_UNITS, m.step);
  return {
    symbol: m.binanceSymbol, status: "TRADING",
    baseAsset: m.base.symbol, baseAssetPrecision: m.base.scale, quoteAsset: m.quote.symbol,
    quotePrecision: m.quote.scale, quoteAssetPrecision: m.quote.scale,
    baseCommissionPrecision: m.base.scale, quoteCommissionPrecision: m.quote.scale,
    orderTypes: [...ORDER_TYPES],
    icebergAllowed: true, ocoAllowed: true, otoAllowed: true, opoAllowed: true, quoteOrderQtyMarketAllowed: true, allowTrailingStop: true,
    cancelReplaceAllowed: true, amendAllowed: true, pegInstructionsAllowed: false,
    isSpotTradingAllowed: true, isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: m.spec.tickSize, maxPrice, tickSize: m.spec.tickSize },
      { filterType: "LOT_SIZE", minQty: m.spec.minQuantity, maxQty, stepSize: m.spec.stepSize },
      { filterType: "MARKET_LOT_SIZE", minQty: m.spec.minQuantity, maxQty, stepSize: m.spec.stepSize },
      // The smallest order is one tick times one lot: that is the least notional there can be.
      { filterType: "NOTIONAL", minNotional: m.quote.format(m.notional(1, m.minQuantityLots)), applyMinToMarket: false, maxNotional: m.quote.format(m.notional(Number(MAX_UNITS), 1)), applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: "TRAILING_DELTA", minTrailingAboveDelta: 1, maxTrailingAboveDelta: MAX_TRAILING_DELTA, minTrailingBelowDelta: 1, maxTrailingBelowDelta: MAX_TRAILING_DELTA },
      { filterType: "MAX_NUM_ORDERS", maxNumOrders: ex.sequencer.admission.limits.maxOpenOrdersPerAccount },
      { filterType: "MAX_NUM_ORDER_AMENDS", maxNumOrderAmends: ex.sequencer.admission.limits.maxAmendmentsPerOrder },
    ],
    permissions: [], permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: stpName(m.selfTradePrevention),
    allowedSelfTradePreventionModes: SELF_TRADE_MODES.map(stpName),
  };
}

export function depth(ex: Exchange, m: Market, limit: number) {
  return { lastUpdateId: ex.engine.sequence(m.index), bids: bookLevels(ex, m, 0, limit), asks: bookLevels(ex, m, 1, limit) };
}

export function bookTicker(ex: Exchange, m: Market) {
  const [bid] = ex.engine.depth(m.index, 0, 1);
  const [ask] = ex.engine.depth(m.index, 1, 1);
  return {
    symbol: m.binanceSymbol,
    bidPrice: m.formatPrice(bid?.[0] ?? 0), bidQty: m.formatQuantity(bid?.[1] ?? 0),
    askPrice: m.formatPrice(ask?.[0] ?? 0), askQty: m.formatQuantity(ask?.[1] ?? 0),
  };
}

/** Percent with three decimals, truncated toward zero, from exact integers. */
function percent(change: bigint, of: bigint): string {
  if (of === 0n) return "0.000";
  const thousandths = (change * 100_000n) / of;
  const sign = thousandths < 0n ? "-" : "";
  const abs = thousandths < 0n ? -thousandths : thousandths;
  return `${sign}${abs / 1000n}.${String(abs % 1000n).padStart(3, "0")}`;
}

/** A window's figures as Binance's tickers show them (priceChange … count); the window's open is
 *  the last price when nothing traded in it. */
function windowFigures(ex: Exchange, m: Market, w: TradeWindow, now: number) {
  const last = ex.stats.lastPrice(m.index) ?? 0;
  const open = w.open ?? last;
  return {
    symbol: m.binanceSymbol,
    priceChange: m.formatPrice(BigInt(last - open)), priceChangePercent: percent(BigInt(last - open), BigInt(open)),
    weightedAvgPrice: w.lots > 0n ? m.formatAveragePrice(w.notional, w.lots) : m.formatPrice(0),
    openPrice: m.formatPrice(open), highPrice: m.formatPrice(w.high ?? 0), lowPrice: m.formatPrice(w.low ?? 0),
    lastPrice: m.formatPrice(last), volume: m.formatQuantity(w.lots), quoteVolume: m.quote.format(w.notional * BigInt(m.notionalUnits)),
    openTime: w.openTime, closeTime: now, firstId: w.firstId, lastId: w.lastId, count: w.count,
  };
}

/** The rolling 24-hour ticker (GET /api/v3/ticker/24hr, the @ticker stream). */
export function ticker24h(ex: Exchange, m: Market, now = ex.clock.now()) {
  const f = windowFigures(ex, m, ex.stats.window24h(m.index, now), now);
  const book = bookTicker(ex, m);
  return {
    symbol: f.symbol, priceChange: f.priceChange, priceChangePercent: f.priceChangePercent, weightedAvgPrice: f.weightedAvgPrice,
    prevClosePrice: f.openPrice, lastPrice: f.lastPrice, lastQty: m.formatQuantity(ex.stats.lastQuantity(m.index)),
    bidPrice: book.bidPrice, bidQty: book.bidQty, askPrice: book.askPrice, askQty: book.askQty,
    openPrice: f.openPrice, highPrice: f.highPrice, lowPrice: f.lowPrice, volume: f.volume, quoteVolume: f.quoteVolume,
    openTime: f.openTime, closeTime: f.closeTime, firstId: f.firstId, lastId: f.lastId, count: f.count,
  };
}

/** The figures without the change and the average (type MINI, the @miniTicker stream). */
export function mini(f: ReturnType<typeof windowFigures>) {
  return {
    symbol: f.symbol, openPrice: f.openPrice, highPrice: f.highPrice, lowPrice: f.lowPrice, lastPrice: f.lastPrice,
    volume: f.volume, quoteVolume: f.quoteVolume, openTime: f.openTime, closeTime: f.closeTime,
    firstId: f.firstId, lastId: f.lastId, count: f.count,
  };
}

export function miniTicker24h(ex: Exchange, m: Market, now = ex.clock.now()) {
  return mini(windowFigures(ex, m, ex.stats.window24h(m.index, now), now));
}

/** GET /api/v3/ticker's rolling window of `ms`: from the start of the minute `ms` ago to now. */
export function rollingTicker(ex: Exchange, m: Market, ms: number, now = ex.clock.now()) {
  return windowFigures(ex, m, ex.stats.rolling(m.index, now, ms), now);
}

/** GET /api/v3/ticker/tradingDay: the day holding `now`, from midnight to midnight in the time
 *  zone `utcOffset` ms ahead of UTC (its trades so far; closeTime is the day's end). */
export function tradingDayTicker(ex: Exchange, m: Market, utcOffset: number, now = ex.clock.now()) {
  const day = intervalOf(inTimeZone(INTERVALS["1d"]!, utcOffset), now);
  return { ...windowFigures(ex, m, ex.stats.since(m.index, day.open, now), now), closeTime: day.close };
}

const WINDOW_UNITS: Record<string, { ms: number; max: number }> = { m: { ms: MINUTE, max: 59 }, h: { ms: HOUR, max: 23 }, d: { ms: DAY, max: 7 } };

/** A rolling window's size as Binance names it ("1m" … "59m", "1h" … "23h", "1d" … "7d") in ms; undefined if it is none. */
export function windowSizeMs(name: string): number | undefined {
  const match = /^([1-9][0-9]?)([mhd])$/.exec(name);
  if (!match) return undefined;
  const unit = WINDOW_UNITS[match[2]!]!, count = Number(match[1]);
  return count <= unit.max ? count * unit.ms : undefined;
}

const AVERAGE_PRICE_MINUTES = 5;

/** GET /api/v3/avgPrice's figures: the average price of the last 5 minutes' trades (the last
 *  price if none), and the last trade's time (now if none since start). */
export function averagePrice(ex: Exchange, m: Market, now = ex.clock.now()) {
  const w = ex.stats.lastMinutes(m.index, now, AVERAGE_PRICE_MINUTES);
  const last = ex.stats.lastPrice(m.index) ?? 0;
  const price = w.lots > 0n ? m.formatAveragePrice(w.notional, w.lots) : m.formatPrice(last);
  return { mins: AVERAGE_PRICE_MINUTES, price, closeTime: ex.stats.lastTime(m.index) || now };
}

/** The open of the first interval that opens at or after `time`. */
function openAtOrAfter(bucketing: Bucketing, time: number): number {
  const { open, close } = intervalOf(bucketing, time);
  return open === time ? open : close + 1;
}

/**
 * GET /api/v3/klines's candles as Binance lists them: every interval from the market's first trade
 * on, one without trades at the close before it with no volume. With startTime, the first `limit`
 * intervals that open at or after it; otherwise the last `limit` that open at or before endTime
 * (or now). `upToSeq`: how far the store must be written (Exchange.readable).
 */
export function klineSeries(ex: Exchange, m: Market, bucketing: Bucketing, window: { startTime?: number; endTime?: number }, limit: number, upToSeq: number): KlineRow[] {
  const first = ex.queries.firstTradeTime(m.symbol, upToSeq);
  if (first === undefined) return [];
  const firstOpen = intervalOf(bucketing, first).open;
  const now = ex.clock.now();
  const lastOpen = intervalOf(bucketing, Math.min(window.endTime ?? now, now)).open;
  const opens: number[] = [];
  if (window.startTime !== undefined) {
    for (let t = Math.max(openAtOrAfter(bucketing, window.startTime), firstOpen); opens.length < limit && t <= lastOpen; t = intervalOf(bucketing, t).close + 1) opens.push(t);
  } else {
    for (let t = lastOpen; opens.length < limit && t >= firstOpen; t = intervalOf(bucketing, t - 1).open) opens.push(t);
    opens.reverse();
  }
  if (opens.length === 0) return [];
  const from = opens[0]!;
  const traded = new Map(ex.queries.klines(m.symbol, bucketing, { startTime: from, endTime: intervalOf(bucketing, opens.at(-1)!).close, limit }, upToSeq)
    .map((k) => [k.time, k]));
  let close = ex.queries.lastTradePriceBefore(m.symbol, from, upToSeq) ?? 0;
  return opens.map((time) => {
    const k = traded.get(time);
    if (k) {
      close = k.close;
      return k;
    }
    return { time, open: close, high: close, low: close, close, volume: 0, trades: 0, notional: 0, takerBuyVolume: 0, takerBuyNotional: 0, firstId: -1, lastId: -1 };
  });
}

/** A kline as GET /api/v3/klines's 12-field array. */
export function klineArray(m: Market, bucketing: Bucketing, k: KlineRow) {
  const { close } = intervalOf(bucketing, k.time);
  return [
    k.time, m.formatPrice(k.open), m.formatPrice(k.high), m.formatPrice(k.low), m.formatPrice(k.close),
    m.formatQuantity(k.volume), close, m.quote.format(BigInt(k.notional) * BigInt(m.notionalUnits)), k.trades,
    m.formatQuantity(k.takerBuyVolume), m.quote.format(BigInt(k.takerBuyNotional) * BigInt(m.notionalUnits)), "0",
  ];
}
