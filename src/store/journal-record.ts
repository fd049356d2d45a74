// A batch's journal as one compact binary record: what the sequencer commits before it answers,
// one row per batch instead of one per command (a row per command cost more than the engine,
// bound 22 values each). Little-endian. Markets and assets are named in a small dictionary at the
// start of the record, so a record stays readable if the markets file changes order. Batches
// committed together (a simulation's held ones) go in one record of version 2, each with its time:
// a row per batch was 40% of the server's thread over a simulated day (BENCHMARKS.md).
//
//   header  u8 version (1, or 2: several batches) · u8 symbols · u8 assets · u8 0 · u32 entries
//           then each symbol, then each asset: u8 length · ASCII bytes
//           version 2: u32 batches, then each batch's f64 time · u32 entries
//   entry   f64 seq · f64 orderId · f64 price · f64 quantity · f64 stopPrice · f64 visible ·
//           f64 otherId · i64 amount · u32 accountId · u32 trailingBps ·
//           u8 kind · u8 side · u8 timeInForce · u8 flags · u8 stp · u8 trigger · u8 link · u8 mode ·
//           u8 symbol (dictionary index, 255: none) · u8 asset (255: none) · u8 has amount ·
//           u8 clientOrderId length (255: null) · clientOrderId bytes (UTF-8)
import type { JournalEntry, StoredEntry } from "../journal";

const ONE_BATCH = 1, BATCHES = 2;
const ENTRY_FIXED = 84;
const NONE = 255;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A batch's entries and its time, as committed together with others (version 2). */
export interface TimedEntries {
  time: number;
  entries: readonly JournalEntry[];
}

/** Encodes batches into one reused buffer: a record is copied out only by SQLite's bind. */
export class JournalRecordEncoder {
  private bytes = new Uint8Array(1 << 16);
  private view = new DataView(this.bytes.buffer);
  private readonly symbols = new Map<string, number>();
  private readonly assets = new Map<string, number>();

  /** The record of one batch's `entries` (a view of the encoder's buffer, valid until the next call). */
  encode(entries: readonly JournalEntry[]): Uint8Array {
    return this.write([{ time: 0, entries }], ONE_BATCH);
  }

  /** The record of several batches, each with its time (the same kind of view). */
  encodeBatches(batches: readonly TimedEntries[]): Uint8Array {
    return this.write(batches, BATCHES);
  }

  private write(batches: readonly TimedEntries[], version: number): Uint8Array {
    this.symbols.clear();
    this.assets.clear();
    let dictionaryBytes = 0, count = 0;
    for (const { entries } of batches) {
      count += entries.length;
      for (const e of entries) {
        if (e.symbol && !this.symbols.has(e.symbol)) {
          this.symbols.set(e.symbol, this.symbols.size);
          dictionaryBytes += 1 + e.symbol.length;
        }
        if (e.asset && !this.assets.has(e.asset)) {
          this.assets.set(e.asset, this.assets.size);
          dictionaryBytes += 1 + e.asset.length;
        }
      }
    }
    if (this.symbols.size >= NONE || this.assets.size >= NONE) throw new Error("a journal record names at most 254 markets and 254 assets");
    // Client order ids are at most 36 ASCII characters (both surfaces validate them).
    const table = version === BATCHES ? 4 + 12 * batches.length : 0;
    this.reserve(8 + dictionaryBytes + table + count * (ENTRY_FIXED + 64));
    const b = this.bytes, v = this.view;
    b[0] = version;
    b[1] = this.symbols.size;
    b[2] = this.assets.size;
    b[3] = 0;
    v.setUint32(4, count, true);
    let at = 8;
    for (const name of [...this.symbols.keys(), ...this.assets.keys()]) {
      const n = encoder.encodeInto(name, b.subarray(at + 1, at + 1 + 254)).written;
      b[at] = n;
      at += 1 + n;
    }
    if (version === BATCHES) {
      v.setUint32(at, batches.length, true);
      at += 4;
      for (const { time, entries } of batches) {
        v.setFloat64(at, time, true);
        v.setUint32(at + 8, entries.length, true);
        at += 12;
      }
    }
    for (const { entries } of batches) for (const e of entries) at = this.entry(e, at);
    return b.subarray(0, at);
  }

  private entry(e: JournalEntry, at: number): number {
    const b = this.bytes, v = this.view;
    v.setFloat64(at, e.seq, true);
    v.setFloat64(at + 8, e.orderId, true);
    v.setFloat64(at + 16, e.price, true);
    v.setFloat64(at + 24, e.quantity, true);
    v.setFloat64(at + 32, e.stopPrice, true);
    v.setFloat64(at + 40, e.visible, true);
    v.setFloat64(at + 48, e.otherId, true);
    v.setBigInt64(at + 56, e.amount ?? 0n, true);
    v.setUint32(at + 64, e.accountId, true);
    v.setUint32(at + 68, e.trailingBps, true);
    b[at + 72] = e.kind;
    b[at + 73] = e.side;
    b[at + 74] = e.timeInForce;
    b[at + 75] = e.flags;
    b[at + 76] = e.stp;
    b[at + 77] = e.trigger;
    b[at + 78] = e.link;
    b[at + 79] = e.mode;
    b[at + 80] = e.symbol ? this.symbols.get(e.symbol)! : NONE;
    b[at + 81] = e.asset ? this.assets.get(e.asset)! : NONE;
    b[at + 82] = e.amount === null ? 0 : 1;
    if (e.clientOrderId === null) {
      b[at + 83] = NONE;
      return at + ENTRY_FIXED;
    }
    const n = encoder.encodeInto(e.clientOrderId, b.subarray(at + ENTRY_FIXED, at + ENTRY_FIXED + 64)).written;
    b[at + 83] = n;
    return at + ENTRY_FIXED + n;
  }

  private reserve(n: number): void {
    if (n <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < n) size *= 2;
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
}

/** The entries of a record, each with its batch's time (`time`, the row's, for a record of one
 *  batch). Throws on a record that is not one. */
export function decodeJournalRecord(record: Uint8Array, time: number): StoredEntry[] {
  const fail = (why: string): never => {
    throw new Error(`a journal record is malformed (${why})`);
  };
  if (record.length < 8 || (record[0] !== ONE_BATCH && record[0] !== BATCHES)) fail(`version ${record[0]}`);
  const v = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const symbolCount = record[1]!, assetCount = record[2]!, count = v.getUint32(4, true);
  let at = 8;
  const names: string[] = [];
  for (let i = 0; i < symbolCount + assetCount; i++) {
    const n = record[at] ?? fail("dictionary");
    if (at + 1 + n > record.length) fail("dictionary");
    names.push(decoder.decode(record.subarray(at + 1, at + 1 + n)));
    at += 1 + n;
  }
  // Each entry's time: the row's for one batch; for several, each batch's from the table.
  const times: number[] = [];
  if (record[0] === BATCHES) {
    if (at + 4 > record.length) fail("batch table");
    const batches = v.getUint32(at, true);
    at += 4;
    if (at + 12 * batches > record.length) fail("batch table");
    for (let b = 0; b < batches; b++, at += 12) {
      const t = v.getFloat64(at, true), n = v.getUint32(at + 8, true);
      if (times.length + n > count) fail("the batch table does not add up to the entries");
      for (let k = 0; k < n; k++) times.push(t);
    }
    if (times.length !== count) fail("the batch table does not add up to the entries");
  }
  const entries: StoredEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_FIXED > record.length) fail(`entry ${i} is cut short`);
    const symbol = record[at + 80]!, asset = record[at + 81]!, idLength = record[at + 83]!;
    if ((symbol !== NONE && symbol >= symbolCount) || (asset !== NONE && asset >= assetCount)) fail(`entry ${i} names no market or asset`);
    const idEnd = at + ENTRY_FIXED + (idLength === NONE ? 0 : idLength);
    if (idEnd > record.length) fail(`entry ${i} is cut short`);
    entries[i] = {
      seq: v.getFloat64(at, true),
      orderId: v.getFloat64(at + 8, true),
      price: v.getFloat64(at + 16, true),
      quantity: v.getFloat64(at + 24, true),
      stopPrice: v.getFloat64(at + 32, true),
      visible: v.getFloat64(at + 40, true),
      otherId: v.getFloat64(at + 48, true),
      amount: record[at + 82] ? v.getBigInt64(at + 56, true) : null,
      accountId: v.getUint32(at + 64, true),
      trailingBps: v.getUint32(at + 68, true),
      kind: record[at + 72]!,
      side: record[at + 73]!,
      timeInForce: record[at + 74]!,
      flags: record[at + 75]!,
      stp: record[at + 76]!,
      trigger: record[at + 77]!,
      link: record[at + 78]!,
      mode: record[at + 79]!,
      symbol: symbol === NONE ? "" : names[symbol]!,
      asset: asset === NONE ? null : names[symbolCount + asset]!,
      clientOrderId: idLength === NONE ? null : decoder.decode(record.subarray(at + ENTRY_FIXED, idEnd)),
      time: record[0] === BATCHES ? times[i]! : time,
    };
    at = idEnd;
  }
  if (at !== record.length) fail("bytes after the last entry");
  return entries;
}
