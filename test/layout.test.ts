// The TypeScript mirror of engine.h must match what the C compiler laid out.
import { expect, test } from "bun:test";
import { maxEngineValue, nativeLayout } from "../native/engine";
import { COMMAND, EVENT } from "../native/layout";
import { MAX_UNITS } from "../src/markets";

test("command and event layouts match sizeof/offsetof of the C header", () => {
  const mirror = [
    COMMAND.size, COMMAND.orderId, COMMAND.price, COMMAND.quantity, COMMAND.symbol, COMMAND.kind,
    COMMAND.side, COMMAND.tif, COMMAND.flags,
    EVENT.size, EVENT.orderId, EVENT.otherId, EVENT.price, EVENT.quantity, EVENT.remaining,
    EVENT.otherRemaining, EVENT.sequence, EVENT.commandIndex, EVENT.type, EVENT.reason, EVENT.side, EVENT.flags,
  ];
  expect(nativeLayout()).toEqual(mirror);
});

test("the server's value bound is the engine's", () => {
  expect(BigInt(maxEngineValue())).toBe(MAX_UNITS);
});
