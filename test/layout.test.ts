// The TypeScript mirror of engine.h must match what the C compiler laid out.
import { expect, test } from "bun:test";
import { maxEngineTotal, maxEngineValue, nativeLayout } from "../native/engine";
import { MAX_TOTAL_UNITS } from "../src/assets";
import { BALANCE, COMMAND, EVENT, MARKET } from "../native/layout";
import { MAX_UNITS } from "../src/markets";

test("command, event, market and balance layouts match sizeof/offsetof of the C header", () => {
  const mirror = [
    COMMAND.size, COMMAND.orderId, COMMAND.price, COMMAND.quantity, COMMAND.amount, COMMAND.symbol,
    COMMAND.account, COMMAND.asset, COMMAND.kind, COMMAND.side, COMMAND.tif, COMMAND.flags, COMMAND.stp,
    COMMAND.stopPrice, COMMAND.visible, COMMAND.otherId, COMMAND.trailingBps, COMMAND.trigger, COMMAND.link,
    COMMAND.mode,
    EVENT.size, EVENT.orderId, EVENT.otherId, EVENT.price, EVENT.quantity, EVENT.remaining,
    EVENT.otherRemaining, EVENT.sequence, EVENT.amount, EVENT.otherAmount, EVENT.commandIndex, EVENT.account,
    EVENT.asset, EVENT.type, EVENT.reason, EVENT.side, EVENT.flags,
    MARKET.size, MARKET.baseAsset, MARKET.quoteAsset, MARKET.lotUnits, MARKET.notionalUnits,
    MARKET.makerFeeBps, MARKET.takerFeeBps,
    BALANCE.size, BALANCE.account, BALANCE.asset, BALANCE.free, BALANCE.locked,
  ];
  expect(nativeLayout()).toEqual(mirror);
});

test("the server's value bound and its bound on an asset's total are the engine's", () => {
  expect(BigInt(maxEngineValue())).toBe(MAX_UNITS);
  expect(maxEngineTotal()).toBe(MAX_TOTAL_UNITS);
});

test("the packer's one-word write of kind, side, tif and flags lands on the right bytes", () => {
  const { CommandBatch } = require("../native/engine") as typeof import("../native/engine");
  const b = new CommandBatch(2);
  b.limit(7, 3, 1, 100, 5, 2, false);
  b.limit(8, 0, 0, 1, 1, 0, true);
  const at = (i: number, field: number) => b.bytes[i * COMMAND.size + field];
  expect([at(0, COMMAND.kind), at(0, COMMAND.side), at(0, COMMAND.tif), at(0, COMMAND.flags)]).toEqual([1, 1, 2, 0]);
  expect([at(1, COMMAND.kind), at(1, COMMAND.side), at(1, COMMAND.tif), at(1, COMMAND.flags)]).toEqual([1, 0, 0, 1]);
  expect(new DataView(b.bytes.buffer).getUint32(COMMAND.symbol, true)).toBe(3);
});
