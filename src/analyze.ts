// `exchange analyze`: the stylized facts of a market's stored history, against the published
// reference (Vyetrenko et al., "Get Real: Realism Metrics for Robust Limit Order Book Market
// Simulations", arXiv 1912.04941; ABIDES' realism metrics): heavy tails that thin out with the
// interval, returns without autocorrelation, volatility clustering (absolute returns
// autocorrelated, slowly decaying), volume that goes with volatility. Prices are the book's
// middle from book_samples (so the bid-ask bounce does not pass for mean reversion), else the
// last trade of each minute.
import type { Database } from "bun:sqlite";

export interface Facts {
  symbol: string;
  minutes: number;
  trades: number;
  source: "book middle" | "last trade";
  /** Excess kurtosis of log returns at 1, 5, 15, 30 and 60 minutes. */
  kurtosis: Record<string, number>;
  /** Autocorrelation of 1-minute log returns at lag 1. */
  returnAutocorrelation: number;
  /** Autocorrelation of absolute 1-minute log returns at lags 1 to 10. */
  absoluteReturnAutocorrelation: number[];
  /** Correlation of 1-minute volume and absolute return. */
  volumeVolatilityCorrelation: number;
  /** Spread in ticks over the book samples: percentiles, and the share of samples with a side empty. */
  spread: { samples: number; p10: number; p50: number; p90: number; p99: number; emptySide: number } | null;
  /** Trade sizes in lots: percentiles and the Hill estimate of the tail index over the largest 5%. */
  tradeSize: { p50: number; p90: number; p99: number; max: number; tailIndex: number };
  checks: { fact: string; holds: boolean; detail: string }[];
}

const SCALES = [1, 5, 15, 30, 60];
/** Fewer returns than this at a scale give no kurtosis worth comparing. */
const MIN_RETURNS = 12;

/** `sqlite`: the database file (book samples); `tables`: its projection file (trades). */
export function analyzeMarket({ sqlite, tables }: { sqlite: Database; tables: Database }, symbol: string): Facts {
  const trades = tables.query("SELECT time, price, quantity FROM trades WHERE symbol = ? ORDER BY id")
    .values(symbol) as [number, number, number][];
  if (trades.length < 2) throw new Error(`${symbol} has ${trades.length} trades: nothing to analyze`);
  const samples = sqlite.query("SELECT time, bid, ask FROM book_samples WHERE symbol = ? ORDER BY time")
    .values(symbol) as [number, number | null, number | null][];

  const start = Math.floor(trades[0]![0] / 60_000);
  const end = Math.floor(trades.at(-1)![0] / 60_000);
  const minutes = end - start + 1;
  const price = new Array<number>(minutes).fill(NaN);
  const volume = new Array<number>(minutes).fill(0);
  for (const [time, p, q] of trades) {
    const m = Math.floor(time / 60_000) - start;
    volume[m]! += q;
    price[m] = p;
  }
  const mids = samples.filter(([, bid, ask]) => bid !== null && ask !== null);
  const source = mids.length >= minutes / 2 ? "book middle" : "last trade";
  if (source === "book middle") {
    price.fill(NaN);
    for (const [time, bid, ask] of mids) {
      const m = Math.floor(time / 60_000) - start;
      if (m >= 0 && m < minutes) price[m] = (bid! + ask!) / 2;
    }
  }
  for (let m = 1; m < minutes; m++) if (Number.isNaN(price[m])) price[m] = price[m - 1]!;
  const first = price.findIndex((p) => !Number.isNaN(p));

  const returnsAt = (k: number) => {
    const r: number[] = [];
    for (let m = first + k; m < minutes; m += k) r.push(Math.log(price[m]! / price[m - k]!));
    return r;
  };
  const r1 = returnsAt(1);
  const kurtosis: Record<string, number> = {};
  for (const k of SCALES) kurtosis[`${k}m`] = round(excessKurtosis(returnsAt(k)));
  const abs = r1.map(Math.abs);
  const absAcf = Array.from({ length: 10 }, (_, i) => round(autocorrelation(abs, i + 1)));
  const vv = correlation(volume.slice(first + 1), abs);

  const spreads = samples.filter(([, b, a]) => b !== null && a !== null).map(([, b, a]) => a! - b!).sort((x, y) => x - y);
  const sizes = trades.map((t) => t[2]).sort((x, y) => x - y);

  const facts: Facts = {
    symbol, minutes, trades: trades.length, source, kurtosis,
    returnAutocorrelation: round(autocorrelation(r1, 1)),
    absoluteReturnAutocorrelation: absAcf,
    volumeVolatilityCorrelation: round(vv),
    spread: samples.length === 0 ? null : {
      samples: samples.length, p10: pct(spreads, 0.1), p50: pct(spreads, 0.5), p90: pct(spreads, 0.9), p99: pct(spreads, 0.99),
      emptySide: round(1 - spreads.length / samples.length),
    },
    tradeSize: { p50: pct(sizes, 0.5), p90: pct(sizes, 0.9), p99: pct(sizes, 0.99), max: sizes.at(-1)!, tailIndex: round(hill(sizes, 0.05)) },
    checks: [],
  };
  const k = SCALES.map((s) => kurtosis[`${s}m`]!);
  // The longest interval with enough returns to say anything.
  const widest = SCALES.length - 1 - [...k].reverse().findIndex((x) => Number.isFinite(x));
  facts.checks = [
    { fact: "heavy tails: 1-minute excess kurtosis > 0", holds: k[0]! > 0, detail: `${k[0]}` },
    { fact: `tails thin with the interval: kurtosis at ${SCALES[widest]} minutes below 1 minute's`, holds: widest > 0 && k[widest]! < k[0]!, detail: k.join(", ") },
    { fact: "no autocorrelation of returns: |lag-1| < 0.1", holds: Math.abs(facts.returnAutocorrelation) < 0.1, detail: `${facts.returnAutocorrelation}` },
    { fact: "volatility clustering: absolute returns autocorrelated at every lag 1-10", holds: absAcf.every((a) => a > 0), detail: absAcf.join(", ") },
    { fact: "volume goes with volatility: correlation > 0", holds: vv > 0, detail: `${facts.volumeVolatilityCorrelation}` },
  ];
  return facts;
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function excessKurtosis(xs: number[]): number {
  if (xs.length < MIN_RETURNS) return NaN;
  const m = mean(xs);
  let m2 = 0, m4 = 0;
  for (const x of xs) {
    const d = (x - m) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= xs.length;
  m4 /= xs.length;
  return m2 === 0 ? NaN : m4 / (m2 * m2) - 3;
}

function autocorrelation(xs: number[], lag: number): number {
  return correlation(xs.slice(lag), xs.slice(0, xs.length - lag));
}

function correlation(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  if (n < 3) return NaN;
  const ma = mean(a.slice(0, n)), mb = mean(b.slice(0, n));
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma, y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/** Hill's estimator of the tail index over the largest `share` of sorted values. */
function hill(sorted: number[], share: number): number {
  const k = Math.max(2, Math.floor(sorted.length * share));
  const threshold = sorted[sorted.length - k - 1] ?? sorted[0]!;
  if (threshold <= 0) return NaN;
  let s = 0;
  for (let i = sorted.length - k; i < sorted.length; i++) s += Math.log(sorted[i]! / threshold);
  return s === 0 ? NaN : k / s;
}

function pct(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The facts as a short report, one line each. */
export function formatFacts(f: Facts): string {
  const lines = [
    `${f.symbol}: ${f.trades} trades over ${f.minutes} minutes (prices: ${f.source})`,
    `excess kurtosis of log returns: ${Object.entries(f.kurtosis).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `lag-1 autocorrelation of 1-minute returns: ${f.returnAutocorrelation}`,
    `autocorrelation of absolute returns, lags 1-10: ${f.absoluteReturnAutocorrelation.join(", ")}`,
    `correlation of volume and absolute return: ${f.volumeVolatilityCorrelation}`,
    f.spread ? `spread (ticks): p10 ${f.spread.p10}, p50 ${f.spread.p50}, p90 ${f.spread.p90}, p99 ${f.spread.p99}; a side empty in ${(f.spread.emptySide * 100).toFixed(1)}% of ${f.spread.samples} samples` : "spread: no book samples",
    `trade size (lots): p50 ${f.tradeSize.p50}, p90 ${f.tradeSize.p90}, p99 ${f.tradeSize.p99}, max ${f.tradeSize.max}; tail index ${f.tradeSize.tailIndex}`,
    ...f.checks.map((c) => `${c.holds ? "holds " : "FAILS "} ${c.fact} (${c.detail})`),
  ];
  return lines.join("\n");
}
