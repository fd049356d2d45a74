// The journal's records (store/journal-record.ts): what a record holds comes back from it, entry
// for entry, with each entry's time, whether the record is of one batch or of several committed
// together; and a record cut short or padded is refused.
import { expect, test } from "bun:test";
import fc from "fast-check";
import type { JournalEntry } from "../src/journal";
import { decodeJournalRecord, JournalRecordEncoder } from "../src/store/journal-record";

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const u8 = fc.integer({ min: 0, max: 255 });
const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const entry: fc.Arbitrary<JournalEntry> = fc.record({
  seq: id, kind: u8, accountId: u32, clientOrderId: fc.option(fc.stringMatching(/^[A-Za-z0-9._:\/-]{1,36}$/), { nil: null }),
  orderId: id, symbol: fc.constantFrom("", "BTC-USD", "ETH-USD", "SOL-USD"), side: u8, timeInForce: u8, flags: u8,
  price: id, quantity: id, stp: u8, amount: fc.option(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { nil: null }),
  asset: fc.option(fc.constantFrom("USD", "BTC", "ETH"), { nil: null }), trigger: u8, stopPrice: id, trailingBps: u32, visible: id,
  otherId: id, link: u8, mode: u8, listClientOrderId: fc.option(fc.stringMatching(/^[A-Za-z0-9._:\/-]{1,36}$/), { nil: null }),
});
const time = fc.integer({ min: 0, max: 4e12 });

test("a record of one batch gives back its entries, each with the row's time", () => {
  const encoder = new JournalRecordEncoder();
  fc.assert(fc.property(fc.array(entry, { maxLength: 30 }), time, (entries, t) => {
    expect(decodeJournalRecord(encoder.encode(entries).slice(), t)).toEqual(entries.map((e) => ({ ...e, time: t })));
  }), { numRuns: 300 });
});

test("a record of several batches gives back every entry in order, each with its own batch's time", () => {
  const encoder = new JournalRecordEncoder();
  fc.assert(fc.property(fc.array(fc.record({ time, entries: fc.array(entry, { maxLength: 8 }) }), { minLength: 1, maxLength: 12 }), time, (batches, rowTime) => {
    const want = batches.flatMap((b) => b.entries.map((e) => ({ ...e, time: b.time })));
    expect(decodeJournalRecord(encoder.encodeBatches(batches).slice(), rowTime)).toEqual(want);
  }), { numRuns: 300 });
});

test("a record cut short, padded, or of another version is refused", () => {
  const encoder = new JournalRecordEncoder();
  const entries = fc.sample(entry, { numRuns: 5, seed: 3 });
  for (const record of [encoder.encode(entries).slice(), encoder.encodeBatches([{ time: 1, entries: entries.slice(0, 2) }, { time: 2, entries: entries.slice(2) }]).slice()]) {
    for (const cut of [1, 9, record.length - 1]) expect(() => decodeJournalRecord(record.subarray(0, cut), 0)).toThrow(/malformed/);
    const padded = new Uint8Array(record.length + 1);
    padded.set(record);
    expect(() => decodeJournalRecord(padded, 0)).toThrow(/malformed/);
    const other = record.slice();
    other[0] = 3;
    expect(() => decodeJournalRecord(other, 0)).toThrow(/malformed/);
  }
});
