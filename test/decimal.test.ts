// Exact decimal <-> integer conversion, checked against BigInt arithmetic on random values.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { formatRatio, formatScaled, formatUnits, parseUnit, toUnits } from "../src/decimal";
import { loadMarkets } from "../src/markets";
import { renderOrder } from "../src/orders/order";

const tick = parseUnit("0.01");
const step = parseUnit("0.0001");

test("plain decimals convert exactly; other spellings are refused", () => {
  expect(toUnits("101.25", tick)).toEqual({ ok: true, units: 10125n });
  expect(toUnits(101.25, tick)).toEqual({ ok: true, units: 10125n });
  expect(toUnits("0.1", tick)).toEqual({ ok: true, units: 10n });
  expect(toUnits(0.3, step)).toEqual({ ok: true, units: 3000n }); // 0.1 + 0.2 trouble never arises
  expect(toUnits("101.255", tick)).toEqual({ ok: false, problem: "multiple" });
  for (const bad of ["", " 1", "1 ", "+1", "-1", "1e2", "1E2", ".5", "5.", "0x10", "1_000", "NaN", "Infinity", "1,5", "1".repeat(41)]) {
    expect(toUnits(bad, tick)).toEqual({ ok: false, problem: "format" });
  }
  for (const bad of [NaN, Infinity, -Infinity, -1, 1e21, 1e-7]) expect(toUnits(bad, tick).ok).toBe(false);
  expect(toUnits("5", parseUnit("2.5"))).toEqual({ ok: true, units: 2n });
});

test("format(parse(x)) is the identity on units, at any precision", () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 }), (units, scale, digit) => {
    const unit = parseUnit(scale === 0 ? String(digit) : `0.${"0".repeat(scale - 1)}${digit}`);
    const text = formatUnits(units, unit);
    expect(toUnits(text, unit)).toEqual({ ok: true, units });
  }));
});

test("one unit formats the same number the same however often, and numbers that share a cache slot apart", () => {
  const unit = parseUnit("0.01");
  // Values 1,024 apart fall in one slot of the unit's recent texts: taking turns, each must still
  // come back as its own text, and a value seen before as the same text.
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 200 }), (picks) => {
    for (const [base, k] of picks) {
      const units = base + 1024 * k;
      expect(formatUnits(units, unit)).toBe(formatScaled(BigInt(units) * unit.digits, unit.scale));
    }
  }));
});

test("average prices are truncated, never rounded up, and trimmed", () => {
  expect(formatRatio(300n, 3n, tick)).toBe("1.00");
  expect(formatRatio(20015n, 2n, tick)).toBe("100.075");
  expect(formatRatio(200n, 3n, tick)).toBe("0.6666666666");
});

test("an average price in number arithmetic is the BigInt one, truncated and trimmed alike", () => {
  // The definition, in BigInt alone: numerator/denominator units, to the unit's decimals plus 8,
  // truncated, trailing zeros past the unit's decimals dropped.
  const reference = (n: bigint, d: bigint, unit: ReturnType<typeof parseUnit>) => {
    let text = formatScaled((n * unit.digits * 10n ** 8n) / d, unit.scale + 8);
    const min = text.length - 8;
    while (text.length > min && text.endsWith("0")) text = text.slice(0, -1);
    return text.endsWith(".") ? text.slice(0, -1) : text;
  };
  const units = fc.constantFrom("1", "5", "0.01", "0.05", "0.0001", "0.25", "10");
  // Small values (the number path) and values past 2^53 (the BigInt path), with quotients near integers.
  const amount = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 6n }), fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 0n, max: 10n ** 20n }));
  fc.assert(fc.property(amount, fc.bigInt({ min: 1n, max: 10n ** 9n }), units, fc.boolean(), (n, d, u, nearWhole) => {
    const unit = parseUnit(u);
    // Near a whole multiple of the denominator (one below, at, or one above): where a quotient in
    // floating point rounds across the integer.
    const near = n * d + (n % 3n) - 1n;
    const numerator = !nearWhole ? n : near < 0n ? 0n : near;
    expect(formatRatio(numerator, d, unit)).toBe(reference(numerator, d, unit));
  }), { numRuns: 5000 });
});

test("the number fast paths agree with BigInt arithmetic, on both sides of 2^53", () => {
  const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
  fc.assert(fc.property(digits(1, 20), fc.option(digits(1, 12), { nil: undefined }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 25 }), (whole, fraction, scale, unitDigits) => {
    const unit = parseUnit(scale === 0 ? String(unitDigits) : `${Math.floor(unitDigits / 10)}.${String(unitDigits % 10).padStart(scale, "0")}`);
    const text = fraction === undefined ? whole : `${whole}.${fraction}`;
    const f = fraction ?? "";
    const numerator = BigInt(whole + f) * 10n ** BigInt(unit.scale);
    const denominator = unit.digits * 10n ** BigInt(f.length);
    const expected = numerator % denominator === 0n ? { ok: true, units: numerator / denominator } : { ok: false, problem: "multiple" };
    expect(toUnits(text, unit)).toEqual(expected as never);
    if (expected.ok) {
      const units = (expected as { units: bigint }).units;
      // Both fast paths (a bigint below 2^53 and a number) must agree with BigInt arithmetic alone.
      const viaBigInt = formatScaled(units * unit.digits, unit.scale);
      expect(formatUnits(units, unit)).toBe(viaBigInt);
      if (units <= BigInt(Number.MAX_SAFE_INTEGER)) expect(formatUnits(Number(units), unit)).toBe(viaBigInt);
    }
  }), { numRuns: 2000 });
});

test("a market answers a repeated price or quantity as the first time, and refuses a bad one every time", () => {
  // Markets remember what they parsed (a bounded cache): answers must not depend on it.
  const market = loadMarkets().get("BTC-USD")!;
  const inputs = fc.sample(fc.oneof(
    fc.integer({ min: 1, max: 5_000_000 }).map((cents) => (cents / 100).toFixed(2)),
    fc.integer({ min: 1, max: 5_000_000 }).map((n) => n / 1000), // some off the tick, as JSON numbers
    fc.constantFrom("0", "-1", "1e3", "0.001", "abc"),
  ), 12_000); // more than the cache holds: it starts afresh on the way
  const answer = (f: () => number) => {
    try {
      return f();
    } catch (error) {
      return (error as Error).message;
    }
  };
  for (const round of [0, 1]) {
    for (const input of round === 0 ? inputs : inputs.toReversed()) {
      const direct = toUnits(input, market.tick);
      const expected = direct.ok && direct.units > 0n ? Number(direct.units) : undefined;
      const price = answer(() => market.priceTicks(input));
      if (expected === undefined) expect(typeof price).toBe("string");
      else expect(price).toBe(expected);
      const lots = toUnits(input, market.step);
      const quantity = answer(() => market.quantityLots(input));
      if (lots.ok && lots.units >= BigInt(market.minQuantityLots)) expect(quantity).toBe(Number(lots.units));
      else expect(typeof quantity).toBe("string");
    }
  }
});

test("an order's filled quote amount is exact on both sides of 2^53", () => {
  const market = loadMarkets().get("BTC-USD")!;
  const order = (fills: [price: number, quantity: number][]) => renderOrder({
    id: 1, accountId: 1, market, side: "buy", type: "limit", timeInForce: "GTC", postOnly: false, price: 1, quantity: 1,
    filled: 0, status: "filled", rejectReason: null, clientOrderId: null, createdAt: 0, updatedAt: 0,
    fills: fills.map(([price, quantity], i) => ({ tradeId: i, price, quantity, liquidity: "taker" as const, time: 0, fee: 0n })),
    selfTradePrevention: "none", quoteQuantity: null, prevented: 0, decremented: 0, preventedMatchId: null, expireReason: null, stopPrice: null, trailingDelta: null, icebergQuantity: null, listId: null, listType: null, listClientOrderId: null, triggered: false, waiting: false, pending: false, amendments: 0, accountSlot: -1,
  }).filledQuoteQuantity;
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 1e15 }), fc.integer({ min: 1, max: 1e15 })), { maxLength: 6 }), (fills) => {
    const exact = fills.reduce((sum, [p, q]) => sum + BigInt(p) * BigInt(q) * BigInt(market.notionalUnits), 0n);
    expect(order(fills)).toBe(market.quote.format(exact));
  }));
  // Terms that each fit but whose sum does not, and one that does not fit alone.
  const half = 2 ** 52;
  expect(order([[half, 1], [half, 1], [1, 1]])).toBe(market.quote.format(2n ** 53n + 1n));
  expect(order([[1e15, 1e15]])).toBe(market.quote.format(10n ** 30n));
});
