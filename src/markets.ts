// Markets: their specification (as served by GET /api/v1/markets) and the exact conversions
// between the decimal strings of the API and the integer ticks and lots of the engine.
import { readFileSync } from "node:fs";
import { formatRatio, formatUnits, parseUnit, toUnits, type DecimalUnit } from "./decimal";
import { invalid } from "./errors";

export interface MarketSpec {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  minQuantity: string;
}

export const BUILT_IN_MARKETS: MarketSpec[] = [
  { symbol: "BTC-USD", baseAsset: "BTC", quoteAsset: "USD", tickSize: "0.01", stepSize: "0.0001", minQuantity: "0.0001" },
  { symbol: "ETH-USD", baseAsset: "ETH", quoteAsset: "USD", tickSize: "0.01", stepSize: "0.001", minQuantity: "0.001" },
  { symbol: "SOL-USD", baseAsset: "SOL", quoteAsset: "USD", tickSize: "0.001", stepSize: "0.01", minQuantity: "0.01" },
];

/** Largest price in ticks and quantity in lots: the engine's own bound (engine.h, ex_max_value). */
export const MAX_UNITS = 1_000_000_000_000_000n;

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

  constructor(readonly index: number, readonly spec: MarketSpec) {
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

  /** Price field to ticks; throws a 400 naming `field`. */
  priceTicks(input: string | number, field = "price"): number {
    return this.parsedPrices.get(input)
      ?? this.parsedPrices.set(input, this.units(input, this.tick, field, "tickSize"));
  }

  /** Quantity field to lots; throws a 400 naming `field`. */
  quantityLots(input: string | number, field = "quantity"): number {
    const lots = this.parsedQuantities.get(input)
      ?? this.parsedQuantities.set(input, this.units(input, this.step, field, "stepSize"));
    if (lots < this.minQuantityLots) {
      throw invalid(`${field} must be at least minQuantity ${this.spec.minQuantity} for ${this.symbol}`);
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
      throw invalid(
        result.problem === "format"
          ? `${field} must be a plain positive decimal such as "1.25" (no sign, exponent or more than 40 characters)`
          : `${field} must be a multiple of ${unitName} ${unit.text} for ${this.symbol}`,
      );
    }
    if (result.units <= 0n) throw invalid(`${field} must be greater than zero`);
    if (result.units > MAX_UNITS) {
      throw invalid(`${field} is too large: at most ${formatUnits(MAX_UNITS, unit)} for ${this.symbol}`);
    }
    return Number(result.units);
  }
}

export class Markets {
  readonly list: Market[];
  private readonly bySymbol: Map<string, Market>;

  constructor(specs: MarketSpec[]) {
    this.list = specs.map((spec, i) => new Market(i, spec));
    this.bySymbol = new Map(this.list.map((m) => [m.symbol, m]));
    if (this.bySymbol.size !== this.list.length) throw new Error("market symbols must be unique");
  }

  get(symbol: string): Market | undefined {
    return this.bySymbol.get(symbol);
  }
}

const SYMBOL = /^[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$/;

/** Reads a market list file (the shape of GET /api/v1/markets; extra fields are ignored). */
export function loadMarkets(file?: string): Markets {
  if (!file) return new Markets(BUILT_IN_MARKETS);
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
    return {
      symbol, baseAsset: field("baseAsset"), quoteAsset: field("quoteAsset"),
      tickSize: field("tickSize"), stepSize: field("stepSize"), minQuantity: field("minQuantity"),
    };
  });
  return new Markets(specs);
}
