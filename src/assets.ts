// Assets: each market's base and quote, with a precision (the smallest unit a balance counts in).
// Balances are integer units inside and decimal strings at the edge, like prices and quantities.
import { formatUnits, parseUnit, toUnits, type DecimalUnit } from "./decimal";
import { Outcome } from "./core/outcomes";

/** The most units of one asset the whole venue may hold: the engine's bound (engine.h, ex_max_total). */
export const MAX_TOTAL_UNITS = 1n << 62n;

export class Asset {
  readonly unit: DecimalUnit;
  /** Zero in this asset's decimals ("0.000000"). */
  readonly zero: string;

  constructor(readonly index: number, readonly symbol: string, readonly scale: number, readonly defaultBalance: bigint) {
    this.unit = parseUnit(scale === 0 ? "1" : `0.${"0".repeat(scale - 1)}1`);
    this.zero = formatUnits(0, this.unit);
  }

  get precision(): string {
    return this.unit.text;
  }

  format(units: bigint | number): string {
    // (Zero, the fee and the filled amount of every order not yet filled, without BigInt arithmetic.)
    return units === 0 || units === 0n ? this.zero : formatUnits(units, this.unit);
  }

  /** A positive amount in this asset's units; refuses (VALIDATION naming `field`) anything else. */
  units(input: string | number, field: string, max = MAX_TOTAL_UNITS): bigint {
    const r = toUnits(input, this.unit);
    if (!r.ok) {
      throw Outcome.invalid(field, r.problem === "format"
        ? `${field} must be a plain positive decimal such as "1.25"`
        : `${field} must be a multiple of ${this.symbol}'s precision ${this.precision}`);
    }
    if (r.units <= 0n) throw Outcome.invalid(field, `${field} must be greater than zero`);
    if (r.units > max) throw Outcome.invalid(field, `${field} is too large: at most ${this.format(max)} ${this.symbol}`);
    return r.units;
  }
}

export class Assets {
  readonly list: Asset[];
  private readonly bySymbol: Map<string, Asset>;

  constructor(list: Asset[]) {
    this.list = list;
    this.bySymbol = new Map(list.map((a) => [a.symbol, a]));
  }

  get(symbol: string): Asset | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The asset, or UNKNOWN_ASSET. */
  require(symbol: string): Asset {
    const asset = this.bySymbol.get(symbol);
    if (!asset) throw new Outcome("UNKNOWN_ASSET", `asset "${symbol.slice(0, 32)}" is not traded here`);
    return asset;
  }

  /** An asset and a positive amount of it in units: UNKNOWN_ASSET, or VALIDATION naming `field`. */
  amount(symbol: string, amount: string | number, field: string): { asset: Asset; units: bigint } {
    const asset = this.require(symbol);
    return { asset, units: asset.units(amount, field) };
  }
}

/** A balance as the API and the streams show it: exact decimal strings in the asset's precision. */
export function renderBalance(asset: Asset, b: { free: bigint; locked: bigint }) {
  return { asset: asset.symbol, free: asset.format(b.free), locked: asset.format(b.locked) };
}

/** Decimals of a unit such as "0.0001" (4); a unit must be a power of ten to be an asset's precision. */
export function decimalsOf(text: string): number {
  const unit = parseUnit(text);
  if (unit.digits !== 1n) throw new Error(`precision "${text}" must be a power of ten such as 0.00000001`);
  return unit.scale;
}

/** "USD=100000,BTC=2" to amounts by asset symbol (decimal strings, checked against each asset later). */
export function parseAmounts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text.trim() === "") return out;
  for (const part of text.split(",")) {
    const m = /^\s*([A-Za-z0-9]{1,12})=([0-9.]+)\s*$/.exec(part);
    if (!m) throw new Error(`"${part}" is not ASSET=AMOUNT (such as USD=100000)`);
    out.set(m[1]!.toUpperCase(), m[2]!);
  }
  return out;
}
