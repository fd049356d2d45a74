// Candles for the chart: loaded from GET …/candles, then grown from the trades stream. The chart
// draws numbers, so prices and volumes become numbers here, for drawing only; what the screen
// shows as text (the legend) keeps the API's strings.

export const INTERVALS = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000 } as const;
export type Interval = keyof typeof INTERVALS;

/** A candle as GET /api/v1/markets/{symbol}/candles answers it. */
export interface ApiCandle {
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  trades: number;
}

export interface StreamTrade {
  tradeId: string;
  price: string;
  quantity: string;
  takerSide: "buy" | "sell";
  time: number;
}

export interface Candle {
  /** Start of the interval, in seconds (the chart's time unit). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  /** The last trade's price and the volume, as the API wrote them. */
  closeText: string;
  volumeText: string;
}

/** Bars kept: the chart's memory stays bounded however long the page is open. */
const MAX_CANDLES = 2_000;

export class CandleSeries {
  readonly candles: Candle[] = [];

  constructor(readonly interval: Interval) {}

  load(rows: ApiCandle[]): void {
    this.candles.length = 0;
    // The API answers newest first; the chart wants oldest first.
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      this.candles.push({
        time: r.time / 1000, open: Number(r.open), high: Number(r.high), low: Number(r.low), close: Number(r.close),
        volume: Number(r.volume), trades: r.trades, closeText: r.close, volumeText: r.volume,
      });
    }
  }

  /** Adds a trade; returns the candle it changed, or undefined for a trade older than the newest
   *  candle (the chart only ever updates its last bar). */
  add(t: StreamTrade): Candle | undefined {
    const ms = INTERVALS[this.interval];
    const time = Math.floor(t.time / ms) * ms / 1000;
    const price = Number(t.price);
    const last = this.candles[this.candles.length - 1];
    if (last && time < last.time) return undefined;
    if (last && time === last.time) {
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
      last.close = price;
      last.closeText = t.price;
      last.volumeText = addDecimals(last.volumeText, t.quantity);
      last.volume = Number(last.volumeText);
      last.trades++;
      return last;
    }
    const candle: Candle = {
      time, open: price, high: price, low: price, close: price, volume: Number(t.quantity), trades: 1,
      closeText: t.price, volumeText: t.quantity,
    };
    this.candles.push(candle);
    if (this.candles.length > MAX_CANDLES) this.candles.splice(0, this.candles.length - MAX_CANDLES);
    return candle;
  }

  last(): Candle | undefined {
    return this.candles[this.candles.length - 1];
  }
}

/** Exact sum of two non-negative decimal strings ("1.25" + "0.5" = "1.75"), for the volume shown. */
export function addDecimals(a: string, b: string): string {
  const scale = Math.max(decimals(a), decimals(b));
  const sum = toScaled(a, scale) + toScaled(b, scale);
  if (scale === 0) return sum.toString();
  const digits = sum.toString().padStart(scale + 1, "0");
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const decimals = (s: string) => (s.includes(".") ? s.length - s.indexOf(".") - 1 : 0);

function toScaled(s: string, scale: number): bigint {
  const [whole = "0", fraction = ""] = s.split(".");
  return BigInt(whole + fraction.padEnd(scale, "0"));
}
