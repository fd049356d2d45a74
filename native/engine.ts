// bun:ffi binding of the matching engine. Commands are packed into a preallocated struct array,
// one FFI call processes the whole batch, and events are read in place from a preallocated
// output array: nothing is allocated per order. 64-bit fields travel as two u32 halves, because
// BigInt packing is an order of magnitude slower; values below 2^53 come back as plain numbers.
import { dlopen, FFIType, ptr, type Pointer } from "bun:ffi";
import { BALANCE, COMMAND, EVENT, MARKET, CommandKind, CommandFlag } from "./layout";
import { engineLibraryPath } from "./library";

const TWO_32 = 4294967296;

// ex_command in 32-bit words, for the packer.
const WORDS = COMMAND.size >>> 2;
const ORDER_ID_WORD = COMMAND.orderId >>> 2;
const PRICE_WORD = COMMAND.price >>> 2;
const QUANTITY_WORD = COMMAND.quantity >>> 2;
const AMOUNT_WORD = COMMAND.amount >>> 2;
const STOP_PRICE_WORD = COMMAND.stopPrice >>> 2;
const VISIBLE_WORD = COMMAND.visible >>> 2;
const OTHER_ID_WORD = COMMAND.otherId >>> 2;
const ACCOUNT_WORD = COMMAND.account >>> 2;
// symbol (or asset) in the low half, trailingBps in the high.
const SYMBOL_WORD = COMMAND.symbol >>> 2;
const CODES_WORD = COMMAND.kind >>> 2;
const STP_WORD = COMMAND.stp >>> 2;

function openLibrary(path: string) {
  return dlopen(path, {
    ex_engine_create: { args: [FFIType.u32, FFIType.u32, FFIType.ptr], returns: FFIType.ptr },
    ex_engine_destroy: { args: [FFIType.ptr], returns: FFIType.void },
    ex_engine_process: {
      args: [FFIType.ptr, FFIType.ptr, FFIType.u32, FFIType.ptr, FFIType.u32],
      returns: FFIType.u32,
    },
    ex_engine_drain: { args: [FFIType.ptr, FFIType.ptr, FFIType.u32], returns: FFIType.u32 },
    ex_engine_changed_count: { args: [FFIType.ptr], returns: FFIType.u32 },
    ex_engine_changed_balances: { args: [FFIType.ptr, FFIType.u32, FFIType.ptr, FFIType.u32], returns: FFIType.u32 },
    ex_engine_balance: { args: [FFIType.ptr, FFIType.u32, FFIType.u32, FFIType.ptr], returns: FFIType.void },
    ex_engine_fee_rates: { args: [FFIType.ptr, FFIType.u32, FFIType.ptr], returns: FFIType.void },
    ex_engine_depth: {
      args: [FFIType.ptr, FFIType.u32, FFIType.u8, FFIType.u32, FFIType.ptr],
      returns: FFIType.u32,
    },
    ex_engine_level_quantity: { args: [FFIType.ptr, FFIType.u32, FFIType.u8, FFIType.i64], returns: FFIType.i64_fast },
    ex_engine_sequence: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.u64_fast },
    ex_engine_order_count: { args: [FFIType.ptr], returns: FFIType.u64_fast },
    ex_engine_order_remaining: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i64_fast },
    ex_engine_snapshot: { args: [FFIType.ptr], returns: FFIType.u64_fast },
    ex_engine_snapshot_copy: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.void },
    ex_engine_restore: { args: [FFIType.u32, FFIType.u32, FFIType.ptr, FFIType.ptr, FFIType.u64], returns: FFIType.ptr },
    ex_max_value: { args: [], returns: FFIType.i64_fast },
    ex_max_total: { args: [], returns: FFIType.i64 },
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

/** The most units of one asset the whole venue may hold. */
export function maxEngineTotal(): bigint {
  return BigInt(engineLibrary().ex_max_total());
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

/** Signed: -1 (a fee rate that takes the market's) is written as its two's complement. */
function writeI64(u32: Uint32Array, index: number, value: number): void {
  if (value >= 0) return writeU64(u32, index, value);
  writeU64(u32, index, (1n << 64n) + BigInt(value));
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

  private next(kind: number, orderId: number | bigint, price: number, quantity: number, symbol: number,
    side: number, tif: number, flags: number, account: number, stp = 0, amount: number | bigint = 0, asset = 0): void {
    if (this.count === this.capacity) throw new RangeError("command batch is full");
    const w = this.count * WORDS;
    const u32 = this.u32;
    writeU64(u32, w + ORDER_ID_WORD, orderId);
    writeI64(u32, w + PRICE_WORD, price);
    writeI64(u32, w + QUANTITY_WORD, quantity);
    // A limit order's visible part, set by withVisible, shares amount's bytes.
    writeU64(u32, w + AMOUNT_WORD, amount);
    // The fields of conditional orders and lists are zero unless set by the with* methods on the
    // command just added (the buffer is reused).
    u32[w + STOP_PRICE_WORD] = 0;
    u32[w + STOP_PRICE_WORD + 1] = 0;
    u32[w + OTHER_ID_WORD] = 0;
    u32[w + OTHER_ID_WORD + 1] = 0;
    u32[w + ACCOUNT_WORD] = account;
    // symbol and asset share their bytes: a deposit or withdrawal has an asset, an order a symbol.
    u32[w + SYMBOL_WORD] = symbol | asset;
    // kind, side, tif and flags are the four bytes of one little-endian word (layout.ts), and stp,
    // trigger, link and mode those of the next.
    u32[w + CODES_WORD] = kind | (side << 8) | (tif << 16) | (flags << 24);
    u32[w + STP_WORD] = stp;
    this.count++;
  }

  private lastWord(): number {
    if (this.count === 0) throw new RangeError("no command to extend");
    return (this.count - 1) * WORDS;
  }

  /** Makes the command just added conditional: stop-loss or take-profit (Trigger), at
   *  `stopPrice` ticks (0: none, trailing only), trailing by `trailingBps` (0: not trailing). */
  withTrigger(trigger: number, stopPrice: number, trailingBps = 0): void {
    const w = this.lastWord();
    writeU64(this.u32, w + STOP_PRICE_WORD, stopPrice);
    // 16 bits: a larger value stays one the engine refuses (it takes at most 9,999).
    this.u32[w + SYMBOL_WORD] = (this.u32[w + SYMBOL_WORD]! & 0xffff) | (Math.min(trailingBps, 0xffff) << 16);
    this.bytes[w * 4 + COMMAND.trigger] = trigger;
  }

  /** Makes the command just added (a limit order) an iceberg showing `visible` lots at a time. */
  withVisible(visible: number): void {
    const w = this.lastWord();
    // visible shares its bytes with a market order's amount.
    const kind = this.bytes[w * 4 + COMMAND.kind], flags = this.bytes[w * 4 + COMMAND.flags]!;
    if (kind === CommandKind.market || (kind === CommandKind.cancelReplace && (flags & CommandFlag.market) !== 0))
      throw new RangeError("a market order has no visible part");
    writeU64(this.u32, w + VISIBLE_WORD, visible);
  }

  /** Makes the command just added a member of order list `listId`; `link` (ListLink) on the first
   *  of its two commands, 0 on the second; `opo` on an OTO's working order: one pays the other. */
  withList(listId: number | bigint, link: number, opo = false): void {
    const w = this.lastWord();
    writeU64(this.u32, w + OTHER_ID_WORD, listId);
    this.bytes[w * 4 + COMMAND.link] = link;
    if (opo) this.bytes[w * 4 + COMMAND.flags]! |= CommandFlag.opo;
  }

  /** Cancels `cancelId` and places a new order in one step: the new order as `limit` or `market`
   *  would take it (then extendable with the with* methods). `mode`: CancelReplaceMode. */
  cancelReplace(cancelId: number | bigint, orderId: number | bigint, symbol: number, side: number, price: number,
    quantity: number, tif: number, market: boolean, postOnly: boolean, account: number, stp: number, mode: number,
    quoteAmount: number | bigint = 0, restriction = 0): void {
    const flags = (postOnly ? CommandFlag.postOnly : 0) | (market ? CommandFlag.market : 0) | restriction;
    this.next(CommandKind.cancelReplace, orderId, price, quantity, symbol, side, tif, flags, account, stp, quoteAmount);
    const w = this.lastWord();
    writeU64(this.u32, w + OTHER_ID_WORD, cancelId);
    this.bytes[w * 4 + COMMAND.mode] = mode;
  }

  limit(orderId: number | bigint, symbol: number, side: number, price: number, quantity: number,
    tif: number, postOnly = false, account = 1, stp = 0): void {
    this.next(CommandKind.limit, orderId, price, quantity, symbol, side, tif, postOnly ? CommandFlag.postOnly : 0, account, stp);
  }

  /** By quantity, or with `quoteAmount` > 0 by the quote units to spend (buy) or receive (sell),
   *  `quantity` then being only a cap. `bound`: a stop-market buy by quantity's highest price. */
  market(orderId: number | bigint, symbol: number, side: number, quantity: number, tif: number, account = 1,
    stp = 0, quoteAmount: number | bigint = 0, bound = 0): void {
    this.next(CommandKind.market, orderId, bound, quantity, symbol, side, tif, 0, account, stp, quoteAmount);
  }

  /** `restriction`: CommandFlag.onlyNew or onlyPartiallyFilled (engine.h EX_FLAG_ONLY_*), or 0. */
  cancel(orderId: number | bigint, restriction = 0): void {
    this.next(CommandKind.cancel, orderId, 0, 0, 0, 0, 0, restriction, 0);
  }

  /** `price` 0 keeps the current price; `quantity` is the new total, the filled part included.
   *  `keepPriority`: only lower the total, in place (engine.h EX_FLAG_KEEP_PRIORITY). */
  amend(orderId: number | bigint, price: number, quantity: number, keepPriority = false): void {
    this.next(CommandKind.amend, orderId, price, quantity, 0, 0, 0, keepPriority ? CommandFlag.keepPriority : 0, 0);
  }

  deposit(account: number, asset: number, units: number | bigint): void {
    this.next(CommandKind.deposit, 0, 0, 0, 0, 0, 0, 0, account, 0, units, asset);
  }

  withdraw(account: number, asset: number, units: number | bigint): void {
    this.next(CommandKind.withdraw, 0, 0, 0, 0, 0, 0, 0, account, 0, units, asset);
  }

  /** The account's own rates in basis points; -1 takes the market's. */
  setFees(account: number, makerBps: number, takerBps: number): void {
    this.next(CommandKind.setFees, 0, makerBps, takerBps, 0, 0, 0, 0, account);
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

  /** int64 fields below 2^53 in magnitude (prices, quantities; -1 for a fee rate that takes the market's). */
  private i64(i: number, offset: number): number {
    const w = (i * EVENT.size + offset) >>> 2;
    return this.u32[w]! + (this.u32[w + 1]! | 0) * TWO_32;
  }

  private u64big(i: number, offset: number): bigint {
    const w = (i * EVENT.size + offset) >>> 2;
    return BigInt(this.u32[w]!) | (BigInt(this.u32[w + 1]!) << 32n);
  }

  /** Money fields (non-negative, below 2^62): exact as bigint, built from one number when small. */
  private units(i: number, offset: number): bigint {
    const w = (i * EVENT.size + offset) >>> 2;
    const hi = this.u32[w + 1]!;
    return hi < 0x200000 ? BigInt(this.u32[w]! + hi * TWO_32) : BigInt(this.u32[w]!) | (BigInt(hi) << 32n);
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
  price(i: number): number { return this.i64(i, EVENT.price); }
  quantity(i: number): number { return this.i64(i, EVENT.quantity); }
  remaining(i: number): number { return this.u64(i, EVENT.remaining); }
  otherRemaining(i: number): number { return this.u64(i, EVENT.otherRemaining); }
  sequence(i: number): number { return this.u64(i, EVENT.sequence); }
  amount(i: number): bigint { return this.units(i, EVENT.amount); }
  otherAmount(i: number): bigint { return this.units(i, EVENT.otherAmount); }
  account(i: number): number { return this.u32[(i * EVENT.size + EVENT.account) >>> 2]!; }
  asset(i: number): number { return this.u32[(i * EVENT.size + EVENT.asset) >>> 2]!; }
}

/** A market's place among the assets, as the engine takes it (ex_market). */
export interface EngineMarket {
  baseAsset: number;
  quoteAsset: number;
  /** Base units in one lot, and quote units in one tick x one lot. */
  lotUnits: number;
  notionalUnits: number;
  makerFeeBps: number;
  takerFeeBps: number;
}

/** A balance the last batch changed, as it is now. */
export interface ChangedBalance {
  account: number;
  asset: number;
  free: bigint;
  locked: bigint;
}

/** The balances in ex_balance structs (MatchingEngine.changedBalanceBytes). */
export function decodeBalances(bytes: Uint8Array): ChangedBalance[] {
  const n = bytes.byteLength / BALANCE.size;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n * (BALANCE.size >>> 2));
  const units = new BigInt64Array(bytes.buffer, bytes.byteOffset, n * (BALANCE.size >>> 3));
  const out: ChangedBalance[] = new Array(n);
  const per = BALANCE.size / 8;
  for (let i = 0; i < n; i++) {
    out[i] = {
      account: words[(i * BALANCE.size + BALANCE.account) >>> 2]!,
      asset: words[(i * BALANCE.size + BALANCE.asset) >>> 2]!,
      free: units[i * per + BALANCE.free / 8]!,
      locked: units[i * per + BALANCE.locked / 8]!,
    };
  }
  return out;
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

  /** How many commands from `from` make a slice of about `want`: an order list's two commands are
   *  never split (the engine takes them in one call). */
  sliceLength(from: number, want: number): number {
    const n = Math.min(want, this.count - from);
    const lastLinked = this.bytes[(from + n - 1) * COMMAND.size + COMMAND.link] !== 0;
    return lastLinked && from + n < this.count ? n + 1 : n;
  }
}

export type PriceLevel = [priceTicks: number, quantityLots: number];

const CHANGED_PAGE = 4096;

export class MatchingEngine {
  private readonly lib = engineLibrary();
  private handle: Pointer | null;
  private readonly depthBuffer = new BigInt64Array(2 * 1000);
  private readonly balanceBuffer = new BigInt64Array(2);
  private readonly feeBuffer = new Int32Array(2);
  private readonly changedBuffer = new BigInt64Array((CHANGED_PAGE * BALANCE.size) / 8);
  private readonly changedBytes = new Uint8Array(this.changedBuffer.buffer);
  readonly symbols: number;

  /** A new engine, or (with `image`) the engine a snapshot was taken of, over the same markets. */
  constructor(markets: EngineMarket[], readonly assets: number, image?: Uint8Array) {
    this.symbols = markets.length;
    const config = new ArrayBuffer(Math.max(1, markets.length) * MARKET.size);
    const view = new DataView(config);
    markets.forEach((m, i) => {
      const at = i * MARKET.size;
      view.setUint32(at + MARKET.baseAsset, m.baseAsset, true);
      view.setUint32(at + MARKET.quoteAsset, m.quoteAsset, true);
      view.setBigInt64(at + MARKET.lotUnits, BigInt(m.lotUnits), true);
      view.setBigInt64(at + MARKET.notionalUnits, BigInt(m.notionalUnits), true);
      view.setInt32(at + MARKET.makerFeeBps, m.makerFeeBps, true);
      view.setInt32(at + MARKET.takerFeeBps, m.takerFeeBps, true);
    });
    if (image) {
      this.handle = this.lib.ex_engine_restore(markets.length, assets, new Uint8Array(config), image, image.byteLength) as Pointer | null;
      if (!this.handle) throw new Error("engine: the snapshot is damaged, of another version, or of other markets");
      return;
    }
    this.handle = this.lib.ex_engine_create(markets.length, assets, new Uint8Array(config)) as Pointer | null;
    if (!this.handle) throw new Error("engine: a market is out of range (assets, units or fee rates), more than 65,536 markets or assets, or out of memory");
  }

  /** An image of the whole state, to restore with `new MatchingEngine(markets, assets, image)`.
   *  Only between batches (after every event is drained). */
  snapshot(): Uint8Array {
    const h = this.live();
    const size = Number(this.lib.ex_engine_snapshot(h));
    if (size === 0) throw new Error("engine: a snapshot is taken between batches, with every event drained");
    const image = new Uint8Array(size);
    this.lib.ex_engine_snapshot_copy(h, image);
    return image;
  }

  /** Free and locked units of one asset of one account (zeros for an account never seen). */
  balance(account: number, asset: number): { free: bigint; locked: bigint } {
    this.lib.ex_engine_balance(this.live(), account, asset, this.balanceBuffer);
    return { free: this.balanceBuffer[0]!, locked: this.balanceBuffer[1]! };
  }

  /** An account's own fee rates in bps (-1: the market's). */
  feeRates(account: number): { maker: number; taker: number } {
    this.lib.ex_engine_fee_rates(this.live(), account, this.feeBuffer);
    return { maker: this.feeBuffer[0]!, taker: this.feeBuffer[1]! };
  }

  /** Every balance the last batch changed, as it is now, in the order first changed. */
  changedBalances(): ChangedBalance[] {
    return decodeBalances(this.changedBalanceBytes());
  }

  /** The same as ex_balance structs (decodeBalances reads them, here or on another thread). */
  changedBalanceBytes(): Uint8Array {
    const h = this.live();
    const total = this.lib.ex_engine_changed_count(h);
    const out = new Uint8Array(total * BALANCE.size);
    const page = this.changedBytes;
    for (let from = 0; from < total;) {
      const n = this.lib.ex_engine_changed_balances(h, from, this.changedBuffer, CHANGED_PAGE);
      out.set(page.subarray(0, n * BALANCE.size), from * BALANCE.size);
      from += n;
    }
    return out;
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

  /** Remaining quantity and price of a live order, or null when it is not live; `waiting`: not in
   *  the book (untriggered, or an OTO's pending order), `pending`: an OTO's (or OTOCO's) pending
   *  order whose working order has not filled yet. */
  liveOrder(orderId: number | bigint): { remaining: number; price: number; waiting: boolean; pending: boolean } | null {
    const out = new BigInt64Array(2);
    const remaining = Number(this.lib.ex_engine_order_remaining(this.live(), BigInt(orderId), out));
    return remaining >= 0 ? { remaining, price: Number(out[0]), waiting: out[1] !== 0n, pending: out[1] === 2n } : null;
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
