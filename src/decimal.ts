// Exact conversion between decimal strings at the edge and integer units (ticks, lots) inside.
// Everything goes through BigInt; binary floating point never touches a price or a quantity.

/** A unit such as a tick size: value = digits / 10^scale. */
export interface DecimalUnit {
  readonly text: string;
  readonly digits: bigint;
  /** `digits` as a number, for the fast paths (exact: a unit has few digits). */
  readonly digitsNumber: number;
  readonly scale: number;
  /** The text last formatted in each slot (units mod RECENT): see formatUnits. */
  readonly recentUnits: Float64Array;
  readonly recentTexts: string[];
}

const RECENT = 1024;

// Number arithmetic is exact on integers below 2^53: the fast paths stay there, BigInt does the rest.
const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const MAX_INPUT_LENGTH = 40;

export function parseUnit(text: string): DecimalUnit {
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) throw new Error(`"${text}" is not a plain decimal`);
  const fraction = m[2] ?? "";
  const digits = BigInt(m[1]! + fraction);
  if (digits <= 0n) throw new Error(`"${text}" must be positive`);
  if (digits > BigInt(SAFE)) throw new Error(`"${text}" has too many digits`);
  return {
    text, digits, digitsNumber: Number(digits), scale: fraction.length,
    recentUnits: new Float64Array(RECENT).fill(-1), recentTexts: new Array<string>(RECENT).fill(""),
  };
}

export type UnitsResult =
  | { ok: true; units: bigint }
  | { ok: false; problem: "format" | "multiple" };

/**
 * Converts a decimal string (or a JSON number, read by its shortest decimal form) to a whole
 * number of `unit`. Signs, exponents, blanks and other spellings are refused as "format".
 */
export function toUnits(input: string | number, unit: DecimalUnit): UnitsResult {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return { ok: false, problem: "format" };
    text = String(input);
  } else {
    text = input;
  }
  if (text.length > MAX_INPUT_LENGTH) return { ok: false, problem: "format" };
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) return { ok: false, problem: "format" };
  const fraction = m[2] ?? "";
  // value / unit = (digits / 10^s) / (unitDigits / 10^us) = digits * 10^us / (unitDigits * 10^s)
  if (m[1]!.length + fraction.length + unit.scale <= 15 && fraction.length <= 15) {
    const n = Number(m[1]! + fraction) * 10 ** unit.scale;
    const d = unit.digitsNumber * 10 ** fraction.length;
    if (d <= SAFE) {
      if (n % d !== 0) return { ok: false, problem: "multiple" };
      return { ok: true, units: BigInt(n / d) };
    }
  }
  const numerator = BigInt(m[1]! + fraction) * 10n ** BigInt(unit.scale);
  const denominator = unit.digits * 10n ** BigInt(fraction.length);
  if (numerator % denominator !== 0n) return { ok: false, problem: "multiple" };
  return { ok: true, units: numerator / denominator };
}

/** Formats a whole number of `unit` as a decimal string with the unit's number of decimals. */
export function formatUnits(units: number | bigint, unit: DecimalUnit): string {
  // Amounts of money come as bigint but are nearly always small: they take the number path too.
  if (typeof units === "bigint" && units >= 0n && units <= SAFE_BIG) units = Number(units);
  if (typeof units === "number" && units >= 0 && units * unit.digitsNumber <= SAFE) {
    // The same prices near the market and the same quantities come back order after order: each
    // slot keeps the last text made for it (a text that the JSON writer has also already joined
    // into one piece; made anew, each was a concatenation to copy again, BENCHMARKS.md).
    const slot = units % RECENT;
    if (unit.recentUnits[slot] === units) return unit.recentTexts[slot]!;
    const text = formatPlain(String(units * unit.digitsNumber), unit.scale);
    unit.recentUnits[slot] = units;
    unit.recentTexts[slot] = text;
    return text;
  }
  return formatScaled(BigInt(units) * unit.digits, unit.scale);
}

/** Inserts the decimal point into the digits of a non-negative integer. */
function formatPlain(digits: string, scale: number): string {
  if (scale === 0) return digits;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, "0");
  return `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

/** Formats value = scaled / 10^scale. */
export function formatScaled(scaled: bigint, scale: number): string {
  return scaled < 0n ? `-${formatPlain((-scaled).toString(), scale)}` : formatPlain(scaled.toString(), scale);
}

/**
 * The quotient numerator/denominator of ticks as a decimal, truncated to the unit's decimals
 * plus `extra` more, trailing zeros beyond the unit's decimals removed (an average price).
 */
export function formatRatio(numerator: bigint, denominator: bigint, unit: DecimalUnit, extra = 8): string {
  const small = formatSmallRatio(numerator, denominator, unit, extra);
  if (small !== null) return small;
  const scale = unit.scale + extra;
  const scaled = (numerator * unit.digits * 10n ** BigInt(extra)) / denominator;
  let text = formatScaled(scaled, scale);
  const minLength = text.length - extra;
  while (text.length > minLength && text.endsWith("0")) text = text.slice(0, -1);
  return text.endsWith(".") ? text.slice(0, -1) : text;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** formatRatio in number arithmetic, exact while every product stays below 2^53 (an average
 *  price's usual case); null beyond. */
function formatSmallRatio(numerator: bigint, denominator: bigint, unit: DecimalUnit, extra: number): string | null {
  if (numerator < 0n || numerator > SAFE_BIG || denominator <= 0n || denominator > SAFE_BIG || extra >= POWERS_OF_TEN.length) return null;
  const d = Number(denominator), up = POWERS_OF_TEN[extra]!;
  const n = Number(numerator) * unit.digitsNumber;
  if (n > SAFE || d * up > SAFE) return null;
  // Integers only: a remainder, then a division that leaves none, each exact below 2^53.
  const rest = n % d;
  const whole = (n - rest) / d;
  const x = rest * up;
  // The extra digits, truncated; then their trailing zeros dropped.
  let digits = (x - (x % d)) / d;
  let kept = extra;
  while (kept > 0 && digits % 10 === 0) digits /= 10, kept--;
  const text = formatPlain(String(whole), unit.scale);
  if (kept === 0) return text;
  return `${text}${unit.scale === 0 ? "." : ""}${String(digits).padStart(kept, "0")}`;
}
