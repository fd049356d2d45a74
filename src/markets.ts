// Markets: their specification (as served by GET /api/v1/markets) and the exact conversions
// between the decimal strings of the API and the integer ticks and lots of the engine.
import { readFileSync } from "node:fs";
import { Asset, Assets, decimalsOf, parseAmounts } from "./assets";
import { formatRatio, formatUnits, parseUnit, toUnits, type DecimalUnit } from "./decimal";
import { Outcome } from "./core/outcomes";
import { SelfTradePrevention } from "../native/layout";

export type SelfTradeMode = keyof typeof SelfTradePrevention;
/** The modes, indexed by the engine's code (a journal entry's stp). */
export const SELF_TRADE_MODES = (Object.keys(SelfTradePrevention) as SelfTradeMode[])
  .sort((x, y) => SelfTradePrevention[x] - SelfTradePrevention[y]);

export interface MarketSpec {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  minQuantity: string;
  /** The smallest unit of each asset's balances (a power of ten); by default as fine as the market needs. */
  basePrecision?: string;
  quotePrecision?: string;
  /** Fee rates in basis points, charged in the asset received (default 10 and 20). */
  makerFeeBps?: number;
  takerFeeBps?: number;
  /** Self-trade prevention of orders that do not choose one (default none). */
  selfTradePrevention?: SelfTradeMode;
  /** Its name on the Binance surface (default: base and quote joined, "BTCUSD"). */
  binanceSymbol?: string;
  /** A simulation preset (calm, trending, …) this market runs when the venue starts. */
  simulate?: string;
}

const DEFAULT_MAKER_FEE_BPS = 10;
/** The highest fee rate a market or an account may have, in basis points (10%). */
export const MAX_FEE_BPS = 1000;
const DEFAULT_TAKER_FEE_BPS = 20;

export const BUILT_IN_MARKETS: MarketSpec[] = [
  { symbol: "BTC-USD", baseAsset: "BTC", quoteAsset: "USD", tickSize: "0.01", stepSize: "0.0001", minQuantity: "0.0001", basePrecision: "0.00000001", quotePrecision: "0.000001" },
  { symbol: "ETH-USD", baseAsset: "ETH", quoteAsset: "USD", tickSize: "0.01", stepSize: "0.001", minQuantity: "0.001", basePrecision: "0.00000001", quotePrecision: "0.000001" },
  { symbol: "SOL-USD", baseAsset: "SOL", quoteAsset: "USD", tickSize: "0.001", stepSize: "0.01", minQuantity: "0.01", basePrecision: "0.00000001", quotePrecision: "0.000001" },
];

/** What an account created without deposits starts with, per asset (a testnet's faucet); assets
 *  not named here start with 1,000,000. `serve --default-balances` replaces them. */
export const BUILT_IN_DEFAULT_BALANCES = "USD=1000000,BTC=100,ETH=1000,SOL=10000";
const FALLBACK_DEFAULT_BALANCE = "1000000";

/** Largest price in ticks and quantity in lots: the engine's own bound (engine.h, ex_max_value). */
export const MAX_UNITS = 1_000_000_000_000_000n;

const invalid = (field: string, message: string) => Outcome.invalid(field, message);

/** A map that holds at most `capacity` entries (then starts afresh), so memory stays flat. */
class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity = 4096) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Stores the value and returns it. */
  set(key: K, value: V): V {
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}

export class Market {
  readonly tick: DecimalUnit;
  readonly step: DecimalUnit;
  readonly minQuantityLots: number;
  /** Set by Markets once the assets are known: base units per lot, quote units per tick x lot. */
  base!: Asset;
  quote!: Asset;
  lotUnits = 1;
  notionalUnits = 1;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  readonly selfTradePrevention: SelfTradeMode;

  constructor(readonly index: number, readonly spec: MarketSpec) {
    const bps = (v: number | undefined, fallback: number, name: string) => {
      const n = v ?? fallback;
      if (!Number.isInteger(n) || n < 0 || n > MAX_FEE_BPS) throw new Error(`market ${spec.symbol}: ${name} must be an integer from 0 to ${MAX_FEE_BPS}`);
      return n;
    };
    this.makerFeeBps = bps(spec.makerFeeBps, DEFAULT_MAKER_FEE_BPS, "makerFeeBps");
    this.takerFeeBps = bps(spec.takerFeeBps, DEFAULT_TAKER_FEE_BPS, "takerFeeBps");
    this.selfTradePrevention = spec.selfTradePrevention ?? "none";
    if (!SELF_TRADE_MODES.includes(this.selfTradePrevention)) {
      throw new Error(`market ${spec.symbol}: selfTradePrevention must be one of ${SELF_TRADE_MODES.join(", ")}`);
    }
    this.tick = parseUnit(spec.tickSize);
    this.step = parseUnit(spec.stepSize);
    const min = toUnits(spec.minQuantity, this.step);
    if (!min.ok || min.units <= 0n) {
      throw new Error(`market ${spec.symbol}: minQuantity must be a positive multiple of stepSize`);
    }
    this.minQuantityLots = Number(min.units);
  }

  get symbol(): string {
    return this.spec.symbol;
  }

  /** Its name on the Binance surface. */
  get binanceSymbol(): string {
    return this.spec.binanceSymbol ?? `${this.spec.baseAsset}${this.spec.quoteAsset}`;
  }

  /** What GET /api/v1/markets shows. */
  view() {
    const { symbol, baseAsset, quoteAsset, tickSize, stepSize, minQuantity } = this.spec;
    return {
      symbol, baseAsset, quoteAsset, tickSize, stepSize, minQuantity,
      basePrecision: this.base.precision, quotePrecision: this.quote.precision,
      makerFeeBps: this.makerFeeBps, takerFeeBps: this.takerFeeBps, selfTradePrevention: this.selfTradePrevention,
      binanceSymbol: this.binanceSymbol,
    };
  }

  /** Units of the quote asset that `lots` at `ticks` cost. */
  notional(ticks: number, lots: number): bigint {
    return BigInt(ticks) * BigInt(lots) * BigInt(this.notionalUnits);
  }

  /** Units of the base asset in `lots`. */
  baseUnits(lots: number): bigint {
    return BigInt(lots) * BigInt(this.lotUnits);
  }

  /** Price field to ticks; throws VALIDATION naming `field`. */
  priceTicks(input: string | number, field = "price"): number {
    return this.parsedPrices.get(input)
      ?? this.parsedPrices.set(input, this.units(input, this.tick, field, "tickSize"));
  }

  /** Quantity field to lots; throws VALIDATION naming `field`. */
  quantityLots(input: string | number, field = "quantity"): number {
    const lots = this.parsedQuantities.get(input)
      ?? this.parsedQuantities.set(input, this.units(input, this.step, field, "stepSize"));
    if (lots < this.minQuantityLots) {
      throw invalid(field, `${field} must be at least minQuantity ${this.spec.minQuantity} for ${this.symbol}`);
    }
    return lots;
  }

  formatPrice(ticks: number | bigint): string {
    if (typeof ticks !== "number") return formatUnits(ticks, this.tick);
    return this.formattedPrices.get(ticks) ?? this.formattedPrices.set(ticks, formatUnits(ticks, this.tick));
  }

  formatQuantity(lots: number | bigint): string {
    if (typeof lots !== "number") return formatUnits(lots, this.step);
    return this.formattedQuantities.get(lots) ?? this.formattedQuantities.set(lots, formatUnits(lots, this.step));
  }

  // Bots send, and answers and streams show, the same few prices (near the mid) and sizes over
  // and over. Only what parsed is remembered: a refusal is worked out (and its message written)
  // every time.
  private readonly parsedPrices = new BoundedMap<string | number, number>();
  private readonly parsedQuantities = new BoundedMap<string | number, number>();
  private readonly formattedPrices = new BoundedMap<number, string>();
  private readonly formattedQuantities = new BoundedMap<number, string>();

  /** Average price of fills, given Σ price·quantity (ticks·lots) and Σ quantity (lots). */
  formatAveragePrice(notional: bigint, lots: bigint): string {
    return formatRatio(notional, lots, this.tick);
  }

  private units(input: string | number, unit: DecimalUnit, field: string, unitName: string): number {
    const result = toUnits(input, unit);
    if (!result.ok) {
      throw invalid(field,
        result.problem === "format"
          ? `${field} must be a plain positive decimal such as "1.25" (no sign, exponent or more than 40 characters)`
          : `${field} must be a multiple of ${unitName} ${unit.text} for ${this.symbol}`,
      );
    }
    if (result.units <= 0n) throw invalid(field, `${field} must be greater than zero`);
    if (result.units > MAX_UNITS) {
      throw invalid(field, `${field} is too large: at most ${formatUnits(MAX_UNITS, unit)} for ${this.symbol}`);
    }
    return Number(result.units);
  }
}

export class Markets {
  readonly list: Market[];
  readonly assets: Assets;
  private readonly bySymbol: Map<string, Market>;
  private readonly byBinanceSymbol: Map<string, Market>;

  /** `defaultBalances`: "USD=1000000,BTC=2" style; assets it does not name start with 1,000,000. */
  constructor(readonly specs: MarketSpec[], readonly defaultBalances = BUILT_IN_DEFAULT_BALANCES) {
    this.list = specs.map((spec, i) => new Market(i, spec));
    this.bySymbol = new Map(this.list.map((m) => [m.symbol, m]));
    if (this.bySymbol.size !== this.list.length) throw new Error("market symbols must be unique");
    this.byBinanceSymbol = new Map(this.list.map((m) => [m.binanceSymbol, m]));
    if (this.byBinanceSymbol.size !== this.list.length) throw new Error("markets' Binance symbols must be unique (set binanceSymbol)");
    for (const m of this.list) if (!BINANCE_SYMBOL.test(m.binanceSymbol)) throw new Error(`market ${m.symbol}: binanceSymbol "${m.binanceSymbol}" must be 1 to 20 of A-Z 0-9`);
    this.assets = assetsOf(this.list, defaultBalances);
  }

  get(symbol: string): Market | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The market of a Binance-style name ("BTCUSD"). */
  byBinance(symbol: string): Market | undefined {
    return this.byBinanceSymbol.get(symbol);
  }
}

const SYMBOL = /^[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$/;
const BINANCE_SYMBOL = /^[A-Z0-9]{1,20}$/;

/** Reads a market list file (the shape of GET /api/v1/markets; extra fields are ignored). */
export function loadMarkets(file?: string, defaultBalances?: string): Markets {
  if (!file) return new Markets(BUILT_IN_MARKETS, defaultBalances);
  const raw: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${file}: expected a non-empty JSON array of markets`);
  const specs = raw.map((m: Record<string, unknown>, i): MarketSpec => {
    const field = (name: string): string => {
      const v = m?.[name];
      if (typeof v !== "string" || v.length === 0) throw new Error(`${file}: market ${i}: "${name}" must be a string`);
      return v;
    };
    const symbol = field("symbol");
    if (!SYMBOL.test(symbol)) throw new Error(`${file}: market ${i}: symbol "${symbol}" must look like BASE-QUOTE`);
    const optional = <T>(name: string, type: "string" | "number"): T | undefined => {
      const v = m?.[name];
      if (v === undefined) return undefined;
      if (typeof v !== type) throw new Error(`${file}: market ${i}: "${name}" must be a ${type}`);
      return v as T;
    };
    return {
      symbol, baseAsset: field("baseAsset"), quoteAsset: field("quoteAsset"),
      tickSize: field("tickSize"), stepSize: field("stepSize"), minQuantity: field("minQuantity"),
      basePrecision: optional("basePrecision", "string"), quotePrecision: optional("quotePrecision", "string"),
      makerFeeBps: optional("makerFeeBps", "number"), takerFeeBps: optional("takerFeeBps", "number"),
      selfTradePrevention: optional("selfTradePrevention", "string"),
      binanceSymbol: optional("binanceSymbol", "string"),
      simulate: optional("simulate", "string"),
    };
  });
  return new Markets(specs, defaultBalances);
}

/**
 * The assets of the markets, in order of first appearance. Each asset's precision is the finest
 * any of its markets declares or needs: a lot must be a whole number of base units and a tick x
 * lot a whole number of quote units, so that every trade moves whole units.
 */
function assetsOf(markets: Market[], defaultBalances: string): Assets {
  const scales = new Map<string, { scale: number; declared: number | null }>();
  const need = (symbol: string, declared: string | undefined, needed: number, market: string) => {
    const d = declared === undefined ? null : decimalsOf(declared);
    const seen = scales.get(symbol) ?? { scale: 0, declared: null };
    if (d !== null && seen.declared !== null && d !== seen.declared) throw new Error(`asset ${symbol}: markets declare different precisions`);
    const declaredScale = d ?? seen.declared;
    if (declaredScale !== null && declaredScale < needed) {
      throw new Error(`market ${market}: ${symbol}'s precision must be at least 1e-${needed} for its tick and step sizes`);
    }
    scales.set(symbol, { scale: Math.max(seen.scale, needed, declaredScale ?? 0), declared: declaredScale });
  };
  for (const m of markets) {
    need(m.spec.baseAsset, m.spec.basePrecision, m.step.scale, m.symbol);
    need(m.spec.quoteAsset, m.spec.quotePrecision, m.step.scale + m.tick.scale, m.symbol);
  }
  const defaults = parseAmounts(defaultBalances);
  const list = [...scales.entries()].map(([symbol, { scale }], index) => {
    const asset = new Asset(index, symbol, scale, 0n);
    const amount = defaults.get(symbol) ?? FALLBACK_DEFAULT_BALANCE;
    const units = toUnits(amount, asset.unit);
    if (!units.ok) throw new Error(`default balance ${symbol}=${amount} is not a multiple of its precision ${asset.precision}`);
    return new Asset(index, symbol, scale, units.units);
  });
  // The built-in defaults name the built-in assets; a list given by the venue must name its own.
  if (defaultBalances !== BUILT_IN_DEFAULT_BALANCES) {
    for (const symbol of defaults.keys()) if (!scales.has(symbol)) throw new Error(`default balance for ${symbol}: no market trades it`);
  }
  const assets = new Assets(list);
  for (const m of markets) {
    m.base = assets.get(m.spec.baseAsset)!;
    m.quote = assets.get(m.spec.quoteAsset)!;
    m.lotUnits = m.step.digitsNumber * 10 ** (m.base.scale - m.step.scale);
    m.notionalUnits = m.tick.digitsNumber * m.step.digitsNumber * 10 ** (m.quote.scale - m.tick.scale - m.step.scale);
    if (m.lotUnits > 1e8 || m.notionalUnits > 1e8) throw new Error(`market ${m.symbol}: its assets' precisions are too fine for its tick and step sizes (at most 10^8 units per lot and per tick x lot)`);
  }
  return assets;
}
