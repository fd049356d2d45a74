// Refusals (the core's outcomes, each surface's errors) are answers: they carry their code and
// words but no stack, and making one leaves every other error's stack as it was.
import { describe, expect, test } from "bun:test";
import { BinanceError } from "../src/binance/errors";
import { Outcome } from "../src/core/outcomes";
import { ProtocolError } from "../src/gateway/protocol";
import { ApiError } from "../src/http/errors";

describe("refusals", () => {
  test("keep their code and message, are Errors, and capture no stack frames", () => {
    const made = [new Outcome("UNKNOWN_ORDER", "no such order"), new ApiError(409, "ORDER_NOT_OPEN", "it is filled"),
      new BinanceError(-2011, "Unknown order sent."), new ProtocolError("MALFORMED", "cut short")];
    for (const e of made) {
      expect(e).toBeInstanceOf(Error);
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.stack ?? "").not.toContain("refusal.test.ts");
    }
    expect((made[0] as Outcome).code).toBe("UNKNOWN_ORDER");
  });

  test("leave the stack of other errors as it was", () => {
    const limit = Error.stackTraceLimit;
    new Outcome("VALIDATION", "bad");
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error("a fault").stack).toContain("refusal.test.ts");
  });
});
