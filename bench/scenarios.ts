// Benchmark scenarios: seeded, pre-generated message streams in the engine's own ex_command layout,
// so the C++ replay, the FFI benchmark and the TypeScript baseline all replay the very same stream.
//
// A generator drives the real engine one message at a time and reads its events, so that cancels
// and moves always name orders that are resting at that moment (as exchange-core's generator does
// with its own book). Streams are cached in bench/.data/, keyed by name, seed and length.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommandBatch, EventBuffer, MatchingEngine, type EngineMarket } from "../native/engine";
import { COMMAND, EventFlag, EventType, ListLink, MARKET, Trigger } from "../native/layout";
import { random } from "../src/random";

export interface ScenarioSpec {
  name: string;
  title: string;
  seed: number;
  /** Resting orders placed before the stream (after the accounts' deposits); the generator keeps
   *  the book near this size. */
  resting: number;
  messages: number;
  /** Makers rest within mid ± halfWidth ticks. */
  halfWidth: number;
  /** Fractions of the stream: new GTC limit, takers (IOC limit or market), cancel, move (price change). */
  mix: { gtc: number; ioc: number; cancel: number; move: number };
  /** The mid as a multiple of BASE_PRICE at progress t in [0, 1); null: it follows the last trade. */
  midPath: ((t: number) => number) | null;
  /** Shares of the stream (taken before the mix above) of conditional orders (stop-loss and
   *  take-profit, limit and market, a fifth trailing), icebergs, and OCO lists (two commands). */
  types?: { conditional: number; iceberg: number; oco: number };
}

export const BASE_PRICE = 1_000_000; // ticks

/** The benchmarks' one market: base asset 1 against quote asset 0, with maker and taker fees, so
 *  that every trade settles and charges both sides. */
export const BENCH_MARKETS: EngineMarket[] = [{ baseAsset: 1, quoteAsset: 0, lotUnits: 1, notionalUnits: 1, makerFeeBps: 10, takerFeeBps: 20 }];
export const BENCH_ASSETS = 2;
/** Orders come from this many accounts, each funded in the prefill with plenty of both assets. */
export const BENCH_ACCOUNTS = 1_000;
const FUNDING = 1n << 50n;
const EXCHANGE_CORE_MIX = { gtc: 0.09, ioc: 0.03, cancel: 0.06, move: 0.82 };

export const SCENARIOS: ScenarioSpec[] = [
  {
    name: "normal", title: "exchange-core mix: ~1,000 orders over ~750 levels around the last trade",
    seed: 1001, resting: 1_000, messages: 1_000_000, halfWidth: 375, mix: EXCHANGE_CORE_MIX, midPath: null,
  },
  {
    name: "deep", title: "static deep book: ~20,000 orders on ~60 levels, most of them cancelled",
    seed: 1002, resting: 20_000, messages: 1_000_000, halfWidth: 30,
    mix: { gtc: 0.45, ioc: 0.04, cancel: 0.46, move: 0.05 }, midPath: () => 1,
  },
  {
    name: "swinging", title: "exchange-core mix, the mid swinging ±35% twice over the run",
    seed: 1003, resting: 1_000, messages: 1_000_000, halfWidth: 375, mix: EXCHANGE_CORE_MIX,
    midPath: (t) => 1 + 0.35 * Math.sin(2 * Math.PI * 2 * t),
  },
  {
    name: "crash", title: "exchange-core mix, the mid falling 60% through the run (flash crash)",
    seed: 1004, resting: 1_000, messages: 1_000_000, halfWidth: 375, mix: EXCHANGE_CORE_MIX,
    midPath: (t) => 1 - 0.6 * t * t,
  },
  {
    name: "types", title: "normal, with 10% stop and take-profit orders, 5% icebergs and 2% OCO lists",
    seed: 1005, resting: 1_000, messages: 1_000_000, halfWidth: 375, mix: EXCHANGE_CORE_MIX, midPath: null,
    types: { conditional: 0.10, iceberg: 0.05, oco: 0.02 },
  },
];

export interface Scenario {
  spec: ScenarioSpec;
  file: string;
  /** ex_command structs: the prefill (deposits, then resting orders), then the stream. */
  prefill: Uint8Array;
  stream: Uint8Array;
  prefillCount: number;
  messageCount: number;
  /** What the stream holds, by kind of message. */
  counts: Record<string, number>;
}

interface Live { id: number; side: number; price: number; total: number; slot: number }

class LiveOrders {
  private readonly byId = new Map<number, Live>();
  private readonly list: Live[] = [];
  get size() { return this.list.length; }
  add(o: Omit<Live, "slot">) {
    const live = { ...o, slot: this.list.length };
    this.list.push(live);
    this.byId.set(o.id, live);
  }
  get(id: number) { return this.byId.get(id); }
  remove(id: number) {
    const o = this.byId.get(id);
    if (!o) return;
    const last = this.list.pop()!;
    if (last !== o) { this.list[o.slot] = last; last.slot = o.slot; }
    this.byId.delete(id);
  }
  pick(r: () => number) { return this.list[Math.floor(r() * this.list.length)]!; }
}

// The file: 4 u32 (magic, sizeof(ex_command), prefill and message counts), the market as an
// ex_market struct (so the C++ replay creates the same engine), then the commands.
const HEADER_BYTES = 16 + MARKET.size;
const MAGIC = 0x53435845; // "EXCS"

export function generateScenario(spec: ScenarioSpec): Omit<Scenario, "file"> {
  const r = random(spec.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const engine = new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS);
  const one = new CommandBatch(2); // two: an order list is sent whole
  const account = () => int(1, BENCH_ACCOUNTS);
  const events = new EventBuffer(4096);
  const live = new LiveOrders();
  const waiting = new LiveOrders(); // untriggered conditional orders (cancelled, never moved)
  const funding = 2 * BENCH_ACCOUNTS;
  const total = funding + spec.resting + spec.messages;
  // An order list is two commands (messages) for one roll of the generator.
  const out = new Uint8Array((total + (spec.types ? Math.ceil(spec.types.oco * spec.messages * 2) + 1000 : 0)) * COMMAND.size);
  const counts = { gtc: 0, ioc: 0, market: 0, cancel: 0, move: 0, trades: 0, conditional: 0, iceberg: 0, oco: 0, triggered: 0, refreshed: 0 };
  let written = 0;
  let nextId = 1;
  let last = BASE_PRICE;

  const send = () => {
    out.set(one.bytes.subarray(0, one.count * COMMAND.size), written * COMMAND.size);
    written += one.count;
    engine.process(one, events, (e) => {
      for (let i = 0; i < e.count; i++) {
        switch (e.type(i)) {
          case EventType.trade:
            counts.trades++;
            last = e.price(i);
            if (e.otherRemaining(i) === 0) live.remove(e.otherId(i));
            break;
          case EventType.accepted:
            if (e.flags(i) & EventFlag.waiting) waiting.add({ id: e.orderId(i), side: e.side(i), price: e.price(i), total: e.quantity(i) });
            else if (e.remaining(i) > 0) live.add({ id: e.orderId(i), side: e.side(i), price: e.price(i), total: e.quantity(i) });
            break;
          case EventType.triggered:
            counts.triggered++;
            waiting.remove(e.orderId(i));
            break;
          case EventType.refreshed:
            counts.refreshed++;
            break;
          case EventType.cancelled:
          case EventType.expired:
            live.remove(e.orderId(i));
            waiting.remove(e.orderId(i));
            break;
          case EventType.amended: {
            if (e.remaining(i) === 0) live.remove(e.orderId(i));
            else live.get(e.orderId(i))!.price = e.price(i);
            break;
          }
        }
      }
    });
    one.clear();
  };
  const makerPrice = (side: number, mid: number) => Math.max(1, side === 0 ? mid - int(1, spec.halfWidth) : mid + int(1, spec.halfWidth));

  for (let a = 1; a <= BENCH_ACCOUNTS; a++) {
    for (let asset = 0; asset < BENCH_ASSETS; asset++) {
      one.deposit(a, asset, FUNDING);
      send();
    }
  }
  for (let i = 0; i < spec.resting; i++) {
    one.limit(nextId++, 0, i & 1, makerPrice(i & 1, BASE_PRICE), int(1, 100), 0, false, account());
    send();
  }
  const { gtc, ioc, cancel } = spec.mix;
  const types = spec.types ?? { conditional: 0, iceberg: 0, oco: 0 };
  const typed = types.conditional + types.iceberg + types.oco;
  // A conditional order of `side` stopping near the mid, on the side of it where it waits.
  const conditional = (side: number, mid: number, trigger: number, forList = false) => {
    const rise = (trigger === Trigger.stopLoss) === (side === 0);
    const stop = Math.max(1, rise ? mid + int(1, spec.halfWidth) : mid - int(1, spec.halfWidth));
    const trailing = !forList && r() < 0.2 ? int(1, 5) : 0; // 1 bp is 100 ticks here
    const id = nextId++, qty = int(1, 100), acct = account();
    if (r() < 0.5) one.limit(id, 0, side, side === 0 ? stop + int(0, 20) : Math.max(1, stop - int(0, 20)), qty, 0, false, acct);
    else one.market(id, 0, side, qty, 1, acct, 0, 0, side === 0 ? stop + spec.halfWidth : 0);
    one.withTrigger(trigger, trailing && r() < 0.5 ? 0 : stop, trailing);
    return acct;
  };
  for (let n = 0; n < spec.messages; n++) {
    const mid = spec.midPath ? Math.round(BASE_PRICE * spec.midPath(n / spec.messages)) : last;
    const kind = spec.types ? r() : 1; // (the four older streams draw exactly as before)
    if (kind < typed) {
      const side = r() < 0.5 ? 0 : 1;
      if (kind < types.conditional) {
        conditional(side, mid, r() < 0.5 ? Trigger.stopLoss : Trigger.takeProfit);
        counts.conditional++;
      } else if (kind < types.conditional + types.iceberg) {
        // At most 10 slices, as Binance's ICEBERG_PARTS filter allows on most markets.
        const qty = int(20, 200);
        one.limit(nextId++, 0, side, makerPrice(side, mid), qty, 0, false, account());
        one.withVisible(Math.ceil(qty / int(2, 10)));
        counts.iceberg++;
      } else {
        // OCO: a post-only limit on the far side of the mid and a stop-loss on the near side.
        const listId = nextId;
        const acct = account();
        one.limit(nextId++, 0, side, side === 0 ? mid - int(1, spec.halfWidth) : mid + int(1, spec.halfWidth), int(1, 100), 0, true, acct);
        one.withList(listId, ListLink.oco);
        one.limit(nextId++, 0, side, side === 0 ? mid + spec.halfWidth : Math.max(1, mid - spec.halfWidth), int(1, 100), 0, false, acct);
        one.withTrigger(Trigger.stopLoss, Math.max(1, side === 0 ? mid + int(1, spec.halfWidth) : mid - int(1, spec.halfWidth)));
        one.withList(listId, 0);
        counts.oco++;
      }
      send();
      continue;
    }
    let roll = r();
    // A cancel now and then takes an untriggered order, so that they do not pile up.
    if (roll >= gtc + ioc && roll < gtc + ioc + cancel && waiting.size > 0 && r() < waiting.size / (waiting.size + live.size)) {
      one.cancel(waiting.pick(r).id);
      counts.cancel++;
      send();
      continue;
    }
    // Keep the book near its size: too small, cancels become new orders; too large, the reverse.
    if (live.size < 0.8 * spec.resting && roll >= gtc + ioc && roll < gtc + ioc + cancel) roll = 0;
    else if (live.size > 1.25 * spec.resting && roll < gtc) roll = gtc + ioc;
    if (live.size === 0 && roll >= gtc + ioc) roll = 0;
    const side = r() < 0.5 ? 0 : 1;
    if (roll < gtc) {
      one.limit(nextId++, 0, side, makerPrice(side, mid), int(1, 100), 0, false, account());
      counts.gtc++;
    } else if (roll < gtc + ioc) {
      // Takers: two thirds IOC limit orders reaching a little past the mid, one third market orders.
      if (r() < 1 / 3) {
        one.market(nextId++, 0, side, int(1, 200), 1, account());
        counts.market++;
      } else {
        const reach = int(0, Math.max(1, spec.halfWidth >> 3));
        one.limit(nextId++, 0, side, side === 0 ? mid + reach : Math.max(1, mid - reach), int(1, 200), 1, false, account());
        counts.ioc++;
      }
    } else if (roll < gtc + ioc + cancel) {
      one.cancel(live.pick(r).id);
      counts.cancel++;
    } else {
      const o = live.pick(r);
      one.amend(o.id, makerPrice(o.side, mid), o.total);
      counts.move++;
    }
    send();
  }
  engine.close();
  return {
    spec, prefillCount: funding + spec.resting, messageCount: written - funding - spec.resting, counts,
    prefill: out.subarray(0, (funding + spec.resting) * COMMAND.size),
    stream: out.subarray((funding + spec.resting) * COMMAND.size, written * COMMAND.size),
  };
}

const DATA_DIR = join(import.meta.dir, ".data");

/** Bumped whenever the generator changes, so that no stale cached stream is replayed. */
const GENERATOR_VERSION = 5;

export function scenarioFile(spec: ScenarioSpec): string {
  return join(DATA_DIR, `${spec.name}-${spec.seed}-${spec.resting}-${spec.messages}-v${GENERATOR_VERSION}-c${COMMAND.size}.bin`);
}

/** Loads a scenario from its cached file, generating it first when missing. */
export function loadScenario(spec: ScenarioSpec): Scenario {
  const file = scenarioFile(spec);
  const countsFile = `${file}.json`;
  if (!existsSync(file) || !existsSync(countsFile)) {
    const generated = generateScenario(spec);
    mkdirSync(DATA_DIR, { recursive: true });
    const header = new Uint32Array([MAGIC, COMMAND.size, generated.prefillCount, generated.messageCount]);
    const bytes = new Uint8Array(HEADER_BYTES + generated.prefill.length + generated.stream.length);
    bytes.set(new Uint8Array(header.buffer), 0);
    const market = new DataView(bytes.buffer, 16, MARKET.size);
    const m = BENCH_MARKETS[0]!;
    market.setUint32(MARKET.baseAsset, m.baseAsset, true);
    market.setUint32(MARKET.quoteAsset, m.quoteAsset, true);
    market.setBigInt64(MARKET.lotUnits, BigInt(m.lotUnits), true);
    market.setBigInt64(MARKET.notionalUnits, BigInt(m.notionalUnits), true);
    market.setInt32(MARKET.makerFeeBps, m.makerFeeBps, true);
    market.setInt32(MARKET.takerFeeBps, m.takerFeeBps, true);
    bytes.set(generated.prefill, HEADER_BYTES);
    bytes.set(generated.stream, HEADER_BYTES + generated.prefill.length);
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
    writeFileSync(countsFile, JSON.stringify(generated.counts));
  }
  const raw = readFileSync(file);
  // Copy into a fresh ArrayBuffer we own: these bytes go to C as command arrays.
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  bytes.set(raw);
  const header = new Uint32Array(bytes.buffer, 0, 4);
  if (header[0] !== MAGIC || header[1] !== COMMAND.size) throw new Error(`${file}: not a scenario file of this layout`);
  const prefillCount = header[2]!, messageCount = header[3]!;
  const prefillEnd = HEADER_BYTES + prefillCount * COMMAND.size;
  return {
    spec, file, prefillCount, messageCount,
    counts: JSON.parse(readFileSync(countsFile, "utf8")),
    prefill: bytes.subarray(HEADER_BYTES, prefillEnd),
    stream: bytes.subarray(prefillEnd, prefillEnd + messageCount * COMMAND.size),
  };
}

if (import.meta.main) {
  for (const spec of SCENARIOS) {
    const t0 = performance.now();
    const s = loadScenario(spec);
    console.log(`${spec.name}: ${s.messageCount} messages after ${s.prefillCount} resting, ${JSON.stringify(s.counts)} (${((performance.now() - t0) / 1000).toFixed(1)} s) -> ${s.file}`);
  }
}
