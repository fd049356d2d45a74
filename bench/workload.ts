// Seeded, pre-generated command streams for engine benchmarks. A book is prefilled with resting
// orders, then the stream mixes new limit orders (GTC, some crossing), IOC and market orders that
// take liquidity, cancels (some stale) and amends (quantity down, price moves) around a slowly
// wandering mid price. Commands live in flat typed arrays, so replaying costs only packing.
import { CommandKind } from "../native/layout";

export interface WorkloadShape {
  name: string;
  seed: number;
  /** Resting orders the prefill places, and roughly keeps. */
  resting: number;
  /** Half-width of the band of price levels around the mid where makers rest. */
  levels: number;
  commands: number;
}

export interface Commands {
  length: number;
  kind: Uint8Array;
  side: Uint8Array;
  tif: Uint8Array;
  id: Float64Array;
  price: Float64Array;
  quantity: Float64Array;
}

export interface Workload {
  shape: WorkloadShape;
  prefill: Commands;
  stream: Commands;
  /** Counts of each kind in the stream, for the record. */
  mix: Record<string, number>;
}

export const SHALLOW: WorkloadShape = { name: "shallow", seed: 20261123, resting: 1_000, levels: 750, commands: 100_000 };
export const DEEP: WorkloadShape = { name: "deep", seed: 20261124, resting: 20_000, levels: 60, commands: 100_000 };

function commands(n: number): Commands {
  return {
    length: 0, kind: new Uint8Array(n), side: new Uint8Array(n), tif: new Uint8Array(n),
    id: new Float64Array(n), price: new Float64Array(n), quantity: new Float64Array(n),
  };
}

function push(c: Commands, kind: number, id: number, side: number, price: number, quantity: number, tif: number): void {
  const i = c.length++;
  c.kind[i] = kind; c.id[i] = id; c.side[i] = side; c.price[i] = price; c.quantity[i] = quantity; c.tif[i] = tif;
}

/** xorshift32: small, fast, reproducible. */
function random(seed: number) {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export function generateWorkload(shape: WorkloadShape): Workload {
  const r = random(shape.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  let mid = 1_000_000;
  let nextId = 1;
  const live: number[] = [];
  const makerPrice = (side: number) => (side === 0 ? mid - int(1, shape.levels) : mid + int(1, shape.levels));

  const prefill = commands(shape.resting);
  for (let i = 0; i < shape.resting; i++) {
    const side = i & 1;
    push(prefill, CommandKind.limit, nextId, side, makerPrice(side), int(1, 100), 0);
    live.push(nextId++);
  }

  const stream = commands(shape.commands);
  const mix = { gtc: 0, ioc: 0, market: 0, cancel: 0, amend: 0 };
  for (let i = 0; i < shape.commands; i++) {
    if ((i & 1023) === 0) mid += int(-3, 3); // the market wanders
    const roll = r();
    const side = r() < 0.5 ? 0 : 1;
    const crowded = live.length > 2 * shape.resting;
    if (roll < 0.4 && !crowded) {
      // A maker, now and then priced to cross.
      const price = r() < 0.1 ? (side === 0 ? mid + int(0, 3) : mid - int(0, 3)) : makerPrice(side);
      push(stream, CommandKind.limit, nextId, side, price, int(1, 100), 0);
      live.push(nextId++);
      mix.gtc++;
    } else if (roll < 0.5) {
      push(stream, CommandKind.limit, nextId++, side, side === 0 ? mid + int(0, 10) : mid - int(0, 10), int(1, 300), 1);
      mix.ioc++;
    } else if (roll < 0.55) {
      push(stream, CommandKind.market, nextId++, side, 0, int(1, 300), 1);
      mix.market++;
    } else if (roll < 0.85 || crowded) {
      if (live.length === 0) { i--; continue; }
      const k = int(0, live.length - 1);
      push(stream, CommandKind.cancel, live[k]!, 0, 0, 0, 0); // may be stale: filled already
      live[k] = live[live.length - 1]!;
      live.pop();
      mix.cancel++;
    } else {
      if (live.length === 0) { i--; continue; }
      const id = live[int(0, live.length - 1)]!;
      // Half lower the quantity (keeping priority), half move the price.
      push(stream, CommandKind.amend, id, 0, r() < 0.5 ? 0 : makerPrice(side), int(1, 100), 0);
      mix.amend++;
    }
  }
  return { shape, prefill, stream, mix };
}
