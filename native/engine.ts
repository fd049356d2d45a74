// bun:ffi binding of the matching engine. Commands are packed into a preallocated struct array,
// one FFI call processes the whole batch, and events are read in place from a preallocated
// output array: nothing is allocated per order. 64-bit fields travel as two u32 halves, because
// BigInt packing is an order of magnitude slower; values below 2^53 come back as plain numbers.
import { dlopen, FFIType, ptr, type Pointer } from "bun:ffi";
import { COMMAND, EVENT, CommandKind, CommandFlag } from "./layout";
import { engineLibraryPath } from "./library";

const TWO_32 = 4294967296;

// ex_command in 32-bit words, for the packer.
const WORDS = COMMAND.size >>> 2;
const ORDER_ID_WORD = COMMAND.orderId >>> 2;
const PRICE_WORD = COMMAND.price >>> 2;
const QUANTITY_WORD = COMMAND.quantity >>> 2;
const SYMBOL_WORD = COMMAND.symbol >>> 2;
const CODES_WORD = COMMAND.kind >>> 2;

function openLibrary(path: string) {
  return dlopen(path, {
    ex_engine_create: { args: [FFIType.u32], returns: FFIType.ptr },
    ex_engine_destroy: { args: [FFIType.ptr], returns: FFIType.void },
    ex_engine_process: {
      args: [FFIType.ptr, FFIType.ptr, FFIType.u32, FFIType.ptr, FFIType.u32],
      returns: FFIType.u32,
    },
    ex_engine_drain: { args: [FFIType.ptr, FFIType.ptr, FFIType.u32], returns: FFIType.u32 },
    ex_engine_depth: {
      args: [FFIType.ptr, FFIType.u32, FFIType.u8, FFIType.u32, FFIType.ptr],
      returns: FFIType.u32,
    },
    ex_engine_level_quantity: { args: [FFIType.ptr, FFIType.u32, FFIType.u8, FFIType.i64], returns: FFIType.i64_fast },
    ex_engine_sequence: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.u64_fast },
    ex_engine_order_count: { args: [FFIType.ptr], returns: FFIType.u64_fast },
    ex_engine_order_remaining: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i64_fast },
    ex_max_value: { args: [], returns: FFIType.i64_fast },
    ex_layout: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.u32 },
  });
}

type Library = ReturnType<typeof openLibrary>["symbols"];
let library: Library | undefined;

export function engineLibrary(): Library {
  library ??= openLibrary(engineLibraryPath()).symbols;
  return library;
}

/** The layout facts the C side reports (see ex_layout in engine.h). */
export function nativeLayout(): number[] {
  const out = new Uint32Array(64);
  const n = engineLibrary().ex_layout(out, out.length);
  return Array.from(out.subarray(0, n));
}

/** Largest price (ticks) and quantity (lots) the engine accepts. */
export function maxEngineValue(): number {
  return Number(engineLibrary().ex_max_value());
}

function writeU64(u32: Uint32Array, index: number, value: number | bigint): void {
  if (typeof value === "bigint") {
    u32[index] = Number(value & 0xffffffffn);
    u32[index + 1] = Number((value >> 32n) & 0xffffffffn);
  } else {
    // For integers below 2^53, >>> 0 is the value modulo 2^32, and the rest divides exactly.
    const low = value >>> 0;
    u32[index] = low;
    u32[index + 1] = (value - low) / TWO_32;
  }
}

/**
 * A reusable array of C structs in one explicit ArrayBuffer, allocated once and kept: `bytes` is
 * passed to C as is, never a pointer cached from a short-lived view.
 */
class StructArray {
  count = 0;
  readonly bytes: Uint8Array;
  protected readonly u32: Uint32Array;

  constructor(readonly capacity: number, structSize: number) {
    const buffer = new ArrayBuffer(capacity * structSize);
    this.bytes = new Uint8Array(buffer);
    this.u32 = new Uint32Array(buffer);
  }
}

/** A reusable array of ex_command structs. */
export class CommandBatch extends StructArray {
  constructor(capacity: number) {
    super(capacity, COMMAND.size);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  clear(): void {
    this.count = 0;
  }

  private next(kind: number, orderId: number | bigint, price: number, quantity: number,
    symbol: number, side: number, tif: number, flags: number): void {
    if (this.count === this.capacity) throw new RangeError("command batch is full");
    const w = this.count * WORDS;
    const u32 = this.u32;
    writeU64(u32, w + ORDER_ID_WORD, orderId);
    writeU64(u32, w + PRICE_WORD, price);
    writeU64(u32, w + QUANTITY_WORD, quantity);
    u32[w + SYMBOL_WORD] = symbol;
    // kind, side, tif and flags are the four bytes of one little-endian word (layout.ts).
    u32[w + CODES_WORD] = kind | (side << 8) | (tif << 16) | (flags << 24);
    this.count++;
  }

  limit(orderId: number | bigint, symbol: number, side: number, price: number, quantity: number,
    tif: number, postOnly = false): void {
    this.next(CommandKind.limit, orderId, price, quantity, symbol, side, tif, postOnly ? CommandFlag.postOnly : 0);
  }

  market(orderId: number | bigint, symbol: number, side: number, quantity: number, tif: number): void {
    this.next(CommandKind.market, orderId, 0, quantity, symbol, side, tif, 0);
  }

  cancel(orderId: number | bigint): void {
    this.next(CommandKind.cancel, orderId, 0, 0, 0, 0, 0, 0);
  }

  /** `price` 0 keeps the current price; `quantity` is the new total, the filled part included. */
  amend(orderId: number | bigint, price: number, quantity: number): void {
    this.next(CommandKind.amend, orderId, price, quantity, 0, 0, 0, 0);
  }
}

/** A reusable array of ex_event structs, read in place. */
export class EventBuffer extends StructArray {
  constructor(capacity: number) {
    super(capacity, EVENT.size);
  }

  private u64(i: number, offset: number): number {
    const w = (i * EVENT.size + offset) >>> 2;
    return this.u32[w]! + this.u32[w + 1]! * TWO_32;
  }

  private u64big(i: number, offset: number): bigint {
    const w = (i * EVENT.size + offset) >>> 2;
    return BigInt(this.u32[w]!) | (BigInt(this.u32[w + 1]!) << 32n);
  }

  type(i: number): number { return this.bytes[i * EVENT.size + EVENT.type]!; }
  reason(i: number): number { return this.bytes[i * EVENT.size + EVENT.reason]!; }
  side(i: number): number { return this.bytes[i * EVENT.size + EVENT.side]!; }
  flags(i: number): number { return this.bytes[i * EVENT.size + EVENT.flags]!; }
  commandIndex(i: number): number { return this.u32[(i * EVENT.size + EVENT.commandIndex) >>> 2]!; }
  orderId(i: number): number { return this.u64(i, EVENT.orderId); }
  otherId(i: number): number { return this.u64(i, EVENT.otherId); }
  orderIdBig(i: number): bigint { return this.u64big(i, EVENT.orderId); }
  otherIdBig(i: number): bigint { return this.u64big(i, EVENT.otherId); }
  price(i: number): number { return this.u64(i, EVENT.price); }
  quantity(i: number): number { return this.u64(i, EVENT.quantity); }
  remaining(i: number): number { return this.u64(i, EVENT.remaining); }
  otherRemaining(i: number): number { return this.u64(i, EVENT.otherRemaining); }
  sequence(i: number): number { return this.u64(i, EVENT.sequence); }
}

/**
 * Commands already laid out as ex_command structs in one long-lived buffer (a recorded stream,
 * a journal read in bulk). Its address is taken once; slices of it go to the engine with no
 * packing and no allocation. The buffer must stay referenced (this object holds it).
 */
export class PackedCommands {
  readonly count: number;
  private readonly address: number;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.byteLength % COMMAND.size !== 0) throw new RangeError("not a whole number of ex_command structs");
    this.count = bytes.byteLength / COMMAND.size;
    this.address = ptr(bytes);
  }

  /** Address of command `index`. */
  at(index: number): number {
    return this.address + index * COMMAND.size;
  }
}

export type PriceLevel = [priceTicks: number, quantityLots: number];

export class MatchingEngine {
  private readonly lib = engineLibrary();
  private handle: Pointer | null;
  private readonly depthBuffer = new BigInt64Array(2 * 1000);

  constructor(readonly symbols: number) {
    this.handle = this.lib.ex_engine_create(symbols) as Pointer | null;
    if (!this.handle) throw new Error("engine: out of memory");
  }

  /**
   * Runs one batch. `onEvents` sees the events in order, in one or more chunks (more only when
   * they overflow `events`); each chunk is valid only during the call.
   */
  process(batch: CommandBatch, events: EventBuffer, onEvents: (events: EventBuffer) => void): void {
    const h = this.live();
    events.count = this.lib.ex_engine_process(h, batch.bytes, batch.count, events.bytes, events.capacity);
    this.deliver(h, events, onEvents);
  }

  /** Runs `count` commands of a packed stream from `from` on, as one batch. */
  processPacked(commands: PackedCommands, from: number, count: number, events: EventBuffer,
    onEvents: (events: EventBuffer) => void): void {
    if (from < 0 || count < 0 || from + count > commands.count) throw new RangeError("slice outside the packed commands");
    const h = this.live();
    events.count = this.lib.ex_engine_process(h, commands.at(from) as Pointer, count, events.bytes, events.capacity);
    this.deliver(h, events, onEvents);
  }

  private deliver(h: Pointer, events: EventBuffer, onEvents: (events: EventBuffer) => void): void {
    onEvents(events);
    while (events.count === events.capacity) {
      events.count = this.lib.ex_engine_drain(h, events.bytes, events.capacity);
      if (events.count > 0) onEvents(events);
    }
  }

  /** Aggregated levels of one side (0 bids, 1 asks), best first. */
  depth(symbol: number, side: number, depth: number): PriceLevel[] {
    const n = this.lib.ex_engine_depth(this.live(), symbol, side, Math.min(depth, 1000), this.depthBuffer);
    const levels: PriceLevel[] = new Array(n);
    for (let i = 0; i < n; i++) levels[i] = [Number(this.depthBuffer[2 * i]), Number(this.depthBuffer[2 * i + 1])];
    return levels;
  }

  /** Total resting quantity at `price` on one side (0 when no order rests there). */
  levelQuantity(symbol: number, side: number, price: number): number {
    return Number(this.lib.ex_engine_level_quantity(this.live(), symbol, side, price));
  }

  sequence(symbol: number): number {
    return Number(this.lib.ex_engine_sequence(this.live(), symbol));
  }

  orderCount(): number {
    return Number(this.lib.ex_engine_order_count(this.live()));
  }

  /** Remaining quantity and price of a resting order, or null when it does not rest. */
  restingOrder(orderId: number | bigint): { remaining: number; price: number } | null {
    const price = new BigInt64Array(1);
    const remaining = Number(this.lib.ex_engine_order_remaining(this.live(), BigInt(orderId), price));
    return remaining > 0 ? { remaining, price: Number(price[0]) } : null;
  }

  close(): void {
    if (this.handle) this.lib.ex_engine_destroy(this.handle);
    this.handle = null;
  }

  private live(): Pointer {
    if (!this.handle) throw new Error("engine is closed");
    return this.handle;
  }
}
