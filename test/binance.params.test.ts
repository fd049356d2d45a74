// The Binance surface's parameter reader (query string and form body) against URLSearchParams on
// random forms, and its refusals: a name twice, too many parameters, a malformed escape.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { BinanceError } from "../src/binance/errors";
import { Params } from "../src/binance/params";

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof BinanceError ? e.code : String(e);
  }
  return "no error";
};

describe("Binance parameters", () => {
  test("read as URLSearchParams reads them, escapes and '+' included, whichever of query and body holds them", () => {
    const piece = fc.stringMatching(/^[A-Za-z0-9 +%&=._~-]{0,12}$/);
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,8}$/), piece), { selector: ([k]) => k, maxLength: 20 }), fc.nat(20), (pairs, cut) => {
      const encoded = pairs.map(([k, v]) => `${encodeURIComponent(k).replaceAll("%20", "+")}=${encodeURIComponent(v)}`);
      const at = Math.min(cut, encoded.length);
      const p = Params.fromText(encoded.slice(0, at).join("&"), encoded.slice(at).join("&"));
      const reference = [...new URLSearchParams(encoded.join("&"))];
      expect(p.entries()).toEqual(reference);
      for (const [k, v] of reference) expect(p.optional(k)).toBe(v === "" ? undefined : v);
    }), { numRuns: 300 });
  });

  test("a name given twice is -1101, in one text or across query and body, escaped or not", () => {
    expect(codeOf(() => Params.fromText("symbol=A&symbol=B", ""))).toBe(-1101);
    expect(codeOf(() => Params.fromText("symbol=A", "symbol=B"))).toBe(-1101);
    expect(codeOf(() => Params.fromText("symbol=A&sym%62ol=B", ""))).toBe(-1101);
    expect(Params.fromText("symbol=A&sym%62ols=B", "").optional("symbols")).toBe("B");
  });

  test("64 parameters are taken and the 65th is -1101; a malformed escape is -1100", () => {
    const form = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join("&");
    expect(Params.fromText(form(40), form(64).split("&").slice(40).join("&")).entries().length).toBe(64);
    expect(codeOf(() => Params.fromText(form(65), ""))).toBe(-1101);
    expect(codeOf(() => Params.fromText(form(40), form(65).split("&").slice(40).join("&")))).toBe(-1101);
    expect(codeOf(() => Params.fromText("symbol=%E0%A4%A", ""))).toBe(-1100);
    expect(codeOf(() => Params.fromObject(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, "1"]))))).toBe(-1101);
  });

  test("set replaces a value or adds one, and entries keep the order given", () => {
    const p = Params.fromEntries([["a", "1"], ["b", "2"]]);
    p.set("a", "3");
    p.set("c", "4");
    expect(p.entries()).toEqual([["a", "3"], ["b", "2"], ["c", "4"]]);
    expect([p.has("b"), p.has("z"), p.required("c")]).toEqual([true, false, "4"]);
    expect(codeOf(() => p.required("z"))).toBe(-1102);
  });
});
