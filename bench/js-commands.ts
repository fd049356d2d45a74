// A stream held as plain typed arrays, as a TypeScript producer would have it, and packing slices
// of it into a CommandBatch through the binding (to measure what packing in JS costs).
import type { CommandBatch } from "../native/engine";
import { COMMAND, CommandKind } from "../native/layout";

export interface Commands {
  length: number;
  kind: Uint8Array;
  side: Uint8Array;
  tif: Uint8Array;
  flags: Uint8Array;
  id: Float64Array;
  price: Float64Array;
  quantity: Float64Array;
  amount: Float64Array;
  account: Uint32Array;
  asset: Uint32Array;
  stopPrice: Float64Array;
  visible: Float64Array;
  otherId: Float64Array;
  trailing: Uint32Array;
  trigger: Uint8Array;
  link: Uint8Array;
}

/** Reads ex_command structs (ids, prices and quantities below 2^53). */
export function unpack(bytes: Uint8Array): Commands {
  const n = bytes.byteLength / COMMAND.size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c: Commands = {
    length: n, kind: new Uint8Array(n), side: new Uint8Array(n), tif: new Uint8Array(n), flags: new Uint8Array(n),
    id: new Float64Array(n), price: new Float64Array(n), quantity: new Float64Array(n),
    amount: new Float64Array(n), account: new Uint32Array(n), asset: new Uint32Array(n),
    stopPrice: new Float64Array(n), visible: new Float64Array(n), otherId: new Float64Array(n),
    trailing: new Uint32Array(n), trigger: new Uint8Array(n), link: new Uint8Array(n),
  };
  const u64 = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
  for (let i = 0; i < n; i++) {
    const b = i * COMMAND.size;
    c.id[i] = u64(b + COMMAND.orderId);
    c.price[i] = u64(b + COMMAND.price);
    c.quantity[i] = u64(b + COMMAND.quantity);
    c.kind[i] = view.getUint8(b + COMMAND.kind);
    // amount and visible share their bytes: visible for a limit order, amount for the rest.
    const shared = u64(b + COMMAND.amount);
    const limit = c.kind[i] === CommandKind.limit;
    c.amount[i] = limit ? 0 : shared;
    c.visible[i] = limit ? shared : 0;
    c.account[i] = view.getUint32(b + COMMAND.account, true);
    c.asset[i] = view.getUint16(b + COMMAND.asset, true);
    c.side[i] = view.getUint8(b + COMMAND.side);
    c.tif[i] = view.getUint8(b + COMMAND.tif);
    c.flags[i] = view.getUint8(b + COMMAND.flags);
    c.stopPrice[i] = u64(b + COMMAND.stopPrice);
    c.otherId[i] = u64(b + COMMAND.otherId);
    c.trailing[i] = view.getUint16(b + COMMAND.trailingBps, true);
    c.trigger[i] = view.getUint8(b + COMMAND.trigger);
    c.link[i] = view.getUint8(b + COMMAND.link);
  }
  return c;
}

function extras(batch: CommandBatch, c: Commands, i: number): void {
  if (c.trigger[i]) batch.withTrigger(c.trigger[i]!, c.stopPrice[i]!, c.trailing[i]!);
  if (c.visible[i]) batch.withVisible(c.visible[i]!);
  if (c.otherId[i]) batch.withList(c.otherId[i]!, c.link[i]!);
}

/** Packs commands [from, to) (to moved on by one rather than split an order list). */
export function packSlice(batch: CommandBatch, c: Commands, from: number, to: number): number {
  batch.clear();
  if (to < c.length && c.link[to - 1]) to++;
  for (let i = from; i < to; i++) {
    switch (c.kind[i]) {
      case CommandKind.limit: batch.limit(c.id[i]!, 0, c.side[i]!, c.price[i]!, c.quantity[i]!, c.tif[i]!, c.flags[i] !== 0, c.account[i]!); extras(batch, c, i); break;
      case CommandKind.market: batch.market(c.id[i]!, 0, c.side[i]!, c.quantity[i]!, c.tif[i]!, c.account[i]!, 0, c.amount[i]!, c.price[i]!); extras(batch, c, i); break;
      case CommandKind.deposit: batch.deposit(c.account[i]!, c.asset[i]!, c.amount[i]!); break;
      case CommandKind.cancel: batch.cancel(c.id[i]!); break;
      case CommandKind.amend: batch.amend(c.id[i]!, c.price[i]!, c.quantity[i]!); break;
    }
  }
  return to;
}
