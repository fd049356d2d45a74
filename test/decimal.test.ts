// Exact decimal <-> integer conversion, checked against BigInt arithmetic on random values.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { formatRatio, formatUnits, parseUnit, toUnits } from "../src/decimal";

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

test("average prices are truncated, never rounded up, and trimmed", () => {
  expect(formatRatio(300n, 3n, tick)).toBe("1.00");
  expect(formatRatio(20015n, 2n, tick)).toBe("100.075");
  expect(formatRatio(200n, 3n, tick)).toBe("0.6666666666");
});
