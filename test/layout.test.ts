// The TypeScript mirror of engine.h must match what the C compiler laid out.
import { expect, test } from "bun:test";
import { maxEngineTotal, maxEngineValue, nativeLayout } from "../native/engine";
import { MAX_TOTAL_UNITS } from "../src/assets";
import { readFileSync } from "node:fs";
import {
  BALANCE, CancelReason, CancelReplaceMode, COMMAND, CommandFlag, CommandKind, EVENT, EventFlag, EventType, ExpireReason, ListLink, MARKET,
  RejectReason, SelfTradePrevention, Trigger, TriggerReason,
} from "../native/layout";
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

test("every enum of the mirror has the header's names and values, no more and no fewer", () => {
  const header = readFileSync(`${import.meta.dir}/../engine/engine.h`, "utf8");
  const camel = (name: string) => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const enumOf = (prefix: string) => Object.fromEntries([...header.matchAll(new RegExp(`\\bEX_${prefix}_([A-Z_]+) = (\\d+)`, "g"))]
    .map(([, name, value]) => [camel(name!), Number(value)]));
  const mirrors: [string, Record<string, number>][] = [
    ["CMD", CommandKind], ["FLAG", CommandFlag], ["TRIG", Trigger], ["LINK", ListLink], ["CR", CancelReplaceMode],
    ["STP", SelfTradePrevention], ["EV", EventType], ["TRG", TriggerReason], ["CXL", CancelReason], ["REJ", RejectReason],
    ["EXP", ExpireReason], ["EVF", EventFlag],
  ];
  for (const [prefix, mirror] of mirrors) expect({ prefix, ...enumOf(prefix) }).toEqual({ prefix, ...mirror });
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
  expect(new DataView(b.bytes.buffer).getUint16(COMMAND.symbol, true)).toBe(3);
});

test("the packer's shared words: symbol or asset beside trailingBps, amount or visible", () => {
  const { CommandBatch } = require("../native/engine") as typeof import("../native/engine");
  const b = new CommandBatch(4);
  const view = new DataView(b.bytes.buffer);
  const u16 = (i: number, field: number) => view.getUint16(i * COMMAND.size + field, true);
  const u64 = (i: number, field: number) => view.getBigUint64(i * COMMAND.size + field, true);
  b.limit(7, 3, 1, 100, 50, 0);
  b.withTrigger(Trigger.stopLoss, 90, 250);
  b.withVisible(5);
  expect([u16(0, COMMAND.symbol), u16(0, COMMAND.trailingBps), u64(0, COMMAND.visible)]).toEqual([3, 250, 5n]);
  b.market(8, 2, 0, 10, 1, 1, 0, 123_456);
  expect([u16(1, COMMAND.symbol), u16(1, COMMAND.trailingBps), u64(1, COMMAND.amount)]).toEqual([2, 0, 123_456n]);
  expect(() => b.withVisible(1)).toThrow("a market order has no visible part");
  expect(u64(1, COMMAND.amount)).toBe(123_456n);
  b.deposit(9, 4, 1000);
  expect([u16(2, COMMAND.asset), u64(2, COMMAND.amount)]).toEqual([4, 1000n]);
  // A trailing delta too large for 16 bits stays one the engine refuses.
  b.limit(10, 1, 1, 100, 50, 0);
  b.withTrigger(Trigger.takeProfit, 0, 70_000);
  expect([u16(3, COMMAND.symbol), u16(3, COMMAND.trailingBps)]).toEqual([1, 0xffff]);
});

test("an engine whose markets or assets a command could not name in 16 bits is refused", () => {
  const { MatchingEngine } = require("../native/engine") as typeof import("../native/engine");
  const market = { baseAsset: 1, quoteAsset: 0, lotUnits: 1, notionalUnits: 1, makerFeeBps: 0, takerFeeBps: 0 };
  expect(() => new MatchingEngine([market], 65_537)).toThrow("more than 65,536 markets or assets");
  expect(() => new MatchingEngine(Array.from({ length: 65_537 }, () => market), 2)).toThrow("more than 65,536 markets or assets");
  new MatchingEngine([market], 65_536).close();
});
