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
//           u8 symbol (dictionary index, 255: none) · u8 asset (255: none) ·
//           u8 has (amount 1, listClientOrderId 2) ·
//           u8 clientOrderId length (255: null) · clientOrderId bytes (UTF-8) ·
//           if it has a listClientOrderId: u8 its length · its bytes (UTF-8)
import type { JournalEntry, StoredEntry } from "../journal";

const ONE_BATCH = 1, BATCHES = 2;
const ENTRY_FIXED = 84;
const NONE = 255;
// An entry's byte offsets (the layout above), for the encoder and the decoder alike.
const E_SEQ = 0, E_ORDER_ID = 8, E_PRICE = 16, E_QUANTITY = 24, E_STOP_PRICE = 32, E_VISIBLE = 40, E_OTHER_ID = 48,
  E_AMOUNT = 56, E_ACCOUNT = 64, E_TRAILING = 68, E_KIND = 72, E_SIDE = 73, E_TIF = 74, E_FLAGS = 75, E_STP = 76,
  E_TRIGGER = 77, E_LINK = 78, E_MODE = 79, E_SYMBOL = 80, E_ASSET = 81, E_HAS = 82, E_ID_LENGTH = 83;
/** E_HAS bits: what an entry has beyond its fixed part (records written before the list's client
 *  id have 0 or 1 there). */
const HAS_AMOUNT = 1, HAS_LIST_CLIENT_ID = 2;

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
    // Client order ids, an order's and a list's, are at most 36 ASCII characters (both surfaces
    // validate them).
    const table = version === BATCHES ? 4 + 12 * batches.length : 0;
    this.reserve(8 + dictionaryBytes + table + count * (ENTRY_FIXED + 128));
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
    v.setFloat64(at + E_SEQ, e.seq, true);
    v.setFloat64(at + E_ORDER_ID, e.orderId, true);
    v.setFloat64(at + E_PRICE, e.price, true);
    v.setFloat64(at + E_QUANTITY, e.quantity, true);
    v.setFloat64(at + E_STOP_PRICE, e.stopPrice, true);
    v.setFloat64(at + E_VISIBLE, e.visible, true);
    v.setFloat64(at + E_OTHER_ID, e.otherId, true);
    v.setBigInt64(at + E_AMOUNT, e.amount ?? 0n, true);
    v.setUint32(at + E_ACCOUNT, e.accountId, true);
    v.setUint32(at + E_TRAILING, e.trailingBps, true);
    b[at + E_KIND] = e.kind;
    b[at + E_SIDE] = e.side;
    b[at + E_TIF] = e.timeInForce;
    b[at + E_FLAGS] = e.flags;
    b[at + E_STP] = e.stp;
    b[at + E_TRIGGER] = e.trigger;
    b[at + E_LINK] = e.link;
    b[at + E_MODE] = e.mode;
    b[at + E_SYMBOL] = e.symbol ? this.symbols.get(e.symbol)! : NONE;
    b[at + E_ASSET] = e.asset ? this.assets.get(e.asset)! : NONE;
    b[at + E_HAS] = (e.amount === null ? 0 : HAS_AMOUNT) | (e.listClientOrderId === null ? 0 : HAS_LIST_CLIENT_ID);
    let end = at + ENTRY_FIXED;
    if (e.clientOrderId === null) b[at + E_ID_LENGTH] = NONE;
    else end += b[at + E_ID_LENGTH] = encoder.encodeInto(e.clientOrderId, b.subarray(end, end + 64)).written;
    if (e.listClientOrderId !== null) end += 1 + (b[end] = encoder.encodeInto(e.listClientOrderId, b.subarray(end + 1, end + 65)).written);
    return end;
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
    const symbol = record[at + E_SYMBOL]!, asset = record[at + E_ASSET]!, idLength = record[at + E_ID_LENGTH]!;
    if ((symbol !== NONE && symbol >= symbolCount) || (asset !== NONE && asset >= assetCount)) fail(`entry ${i} names no market or asset`);
    const idEnd = at + ENTRY_FIXED + (idLength === NONE ? 0 : idLength);
    if (idEnd > record.length) fail(`entry ${i} is cut short`);
    const has = record[at + E_HAS]!;
    let listIdEnd = idEnd;
    if (has & HAS_LIST_CLIENT_ID) {
      if (idEnd >= record.length) fail(`entry ${i} is cut short`);
      listIdEnd = idEnd + 1 + record[idEnd]!;
      if (listIdEnd > record.length) fail(`entry ${i} is cut short`);
    }
    entries[i] = {
      seq: v.getFloat64(at + E_SEQ, true),
      orderId: v.getFloat64(at + E_ORDER_ID, true),
      price: v.getFloat64(at + E_PRICE, true),
      quantity: v.getFloat64(at + E_QUANTITY, true),
      stopPrice: v.getFloat64(at + E_STOP_PRICE, true),
      visible: v.getFloat64(at + E_VISIBLE, true),
      otherId: v.getFloat64(at + E_OTHER_ID, true),
      amount: has & HAS_AMOUNT ? v.getBigInt64(at + E_AMOUNT, true) : null,
      accountId: v.getUint32(at + E_ACCOUNT, true),
      trailingBps: v.getUint32(at + E_TRAILING, true),
      kind: record[at + E_KIND]!,
      side: record[at + E_SIDE]!,
      timeInForce: record[at + E_TIF]!,
      flags: record[at + E_FLAGS]!,
      stp: record[at + E_STP]!,
      trigger: record[at + E_TRIGGER]!,
      link: record[at + E_LINK]!,
      mode: record[at + E_MODE]!,
      symbol: symbol === NONE ? "" : names[symbol]!,
      asset: asset === NONE ? null : names[symbolCount + asset]!,
      clientOrderId: idLength === NONE ? null : decoder.decode(record.subarray(at + ENTRY_FIXED, idEnd)),
      listClientOrderId: has & HAS_LIST_CLIENT_ID ? decoder.decode(record.subarray(idEnd + 1, listIdEnd)) : null,
      time: record[0] === BATCHES ? times[i]! : time,
    };
    at = listIdEnd;
  }
  if (at !== record.length) fail("bytes after the last entry");
  return entries;
}
