// Snapshots of the engine: restoring an image taken at any point between batches and replaying
// the rest of the stream gives exactly what replaying the whole stream gives: the same events,
// books, balances and live orders. A damaged image is refused.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { EventBuffer, MatchingEngine, PackedCommands } from "../native/engine";
import { COMMAND, EVENT } from "../native/layout";
import { BENCH_ASSETS, BENCH_MARKETS, SCENARIOS, generateScenario } from "../bench/scenarios";
import { Harness, plainMarkets, type Cmd } from "./engine-harness";
import { commandStream, funding } from "./command-stream";

const SYMBOLS = 2;

function state(h: Harness, accounts: number) {
  const balances = [];
  for (let a = 0; a <= accounts; a++) for (let asset = 0; asset <= SYMBOLS; asset++) balances.push(h.balance(a, asset));
  const books = Array.from({ length: SYMBOLS }, (_, s) => ({ ...h.book(s), sequence: h.engine.sequence(s) }));
  return { balances, books, orders: h.engine.orderCount() };
}

for (const [name, advanced] of [["plain orders", 0], ["conditional orders, trailing stops, icebergs, lists and replaces", 0.6]] as const) {
  test(`snapshot + tail equals a full replay at random snapshot points (${name})`, () => {
    const accounts = 3;
    fc.assert(
      fc.property(commandStream({ symbols: SYMBOLS, maxBatches: 10, maxBatchSize: 30, accounts, advanced }), fc.nat(), (batches, at) => {
        const all = [funding(accounts, SYMBOLS), ...batches];
        const cut = at % (all.length + 1);
        const full = new Harness(SYMBOLS, 64, { fund: false, makerFeeBps: 10, takerFeeBps: 20 });
        const head = new Harness(SYMBOLS, 64, { fund: false, makerFeeBps: 10, takerFeeBps: 20 });
        let restored: Harness | undefined;
        try {
          all.slice(0, cut).forEach((b) => { full.run(b); head.run(b); });
          const image = head.engine.snapshot();
          restored = new Harness(SYMBOLS, 64, { makerFeeBps: 10, takerFeeBps: 20, image });
          // The restored engine is the saved one, down to its free lists: its own image is the same.
          expect(Buffer.from(restored.engine.snapshot()).equals(Buffer.from(image))).toBe(true);
          for (const b of all.slice(cut)) expect(restored.run(b)).toEqual(full.run(b));
          expect(state(restored, accounts)).toEqual(state(full, accounts));
        } finally {
          full.close();
          head.close();
          restored?.close();
        }
      }),
      { numRuns: 150 },
    );
  });
}

/** Restores each image and checks it goes on as a full replay of the commands (head, then tail) does. */
async function goesOnAsFullReplay(images: Uint8Array[], commands: { head: Cmd[][]; tail: Cmd[][] }): Promise<void> {
  const accounts = 3;
  const options = { fund: false, makerFeeBps: 10, takerFeeBps: 20 };
  const full = new Harness(SYMBOLS, 64, options);
  const restored = images.map((image) => new Harness(SYMBOLS, 64, { ...options, image }));
  try {
    for (const b of commands.head) full.run(b);
    const listed = commands.head.flat().filter((c) => "listId" in c && c.listId && full.engine.liveOrder(c.id));
    expect(listed.length).toBeGreaterThan(2);
    for (const h of restored) expect(state(h, accounts)).toEqual(state(full, accounts));
    for (const b of commands.tail) {
      const expected = full.run(b);
      for (const h of restored) expect(h.run(b)).toEqual(expected);
    }
    for (const h of restored) expect(state(h, accounts)).toEqual(state(full, accounts));
  } finally {
    full.close();
    for (const h of restored) h.close();
  }
}

const fixture = async (name: string) => {
  const f = await Bun.file(`${import.meta.dir}/fixtures/${name}`).json();
  return { ...f, image: Bun.gunzipSync(Buffer.from(f.image, "base64")) };
};

// An image the engine wrote before order lists had a third member (version 2), with live OCO and
// OTO lists, icebergs and stops in it: restored by today's engine, it goes on as a full replay
// does. Read as version 1 (the header's second u32), whose orders' iceberg and list bits are
// derived again from their extras, it behaves the same.
test("an image of an older version (2, and 1) restores and goes on as a full replay", async () => {
  const v2 = await fixture("engine-image-v2.json");
  const v1 = v2.image.slice();
  const header = new DataView(v1.buffer, v1.byteOffset);
  expect(header.getUint32(4, true)).toBe(2);
  header.setUint32(4, 1, true);
  await goesOnAsFullReplay([v2.image, v1], v2);
});

// An image the version 4 engine wrote (49adccc), before lists carried what an OPO's working order
// received, with live OTO and OTOCO lists (three members) in it.
test("an image of version 4 restores and goes on as a full replay", async () => {
  const v4 = await fixture("engine-image-v4.json");
  expect(new DataView(v4.image.buffer, v4.image.byteOffset).getUint32(4, true)).toBe(4);
  await goesOnAsFullReplay([v4.image], v4);
});

// An image the version 3 engine wrote, before orders carried ORDER_TRADED, with orders that have
// traded and orders that have not: restored, each order's restricted cancel does what it does on
// an engine that ran the same commands (whether it traded is derived from its fills).
test("an image of version 3 restores whether each order has traded", async () => {
  const v3 = await fixture("engine-image-v3.json");
  const full = new Harness(SYMBOLS, 64);
  const restored = new Harness(SYMBOLS, 64, { image: v3.image });
  try {
    for (const b of v3.head) full.run(b);
    const ids = [1, 2, 3, 4, 5, 7, 8];
    for (const only of [16, 8] as const) {
      const cancels = ids.map((id) => ({ kind: "cancel" as const, id, only }));
      const expected = full.run(cancels);
      expect(expected.filter((e) => e.type === "cancelled").map((e) => Number(e.id))).toEqual(only === 16 ? [1, 3, 8] : [2, 4, 7]);
      expect(restored.run(cancels)).toEqual(expected);
    }
    expect(state(restored, 1)).toEqual(state(full, 1));
  } finally {
    full.close();
    restored.close();
  }
});

test("a benchmark scenario restored mid-stream emits byte-identical events for the rest", () => {
  const spec = SCENARIOS.find((s) => s.name === "types") ?? SCENARIOS[0]!;
  const s = generateScenario({ ...spec, messages: 20_000, resting: Math.min(spec.resting, 3_000) });
  const stream = new PackedCommands(s.stream.slice());
  const events = new EventBuffer(4096);
  const run = (engine: MatchingEngine, commands: PackedCommands, from: number, to: number) => {
    const chunks: Uint8Array[] = [];
    for (let i = from, n = 0; i < to; i += n) {
      n = Math.min(commands.sliceLength(i, 256), to - i);
      engine.processPacked(commands, i, n, events, (e) => void chunks.push(e.bytes.slice(0, e.count * EVENT.size)));
    }
    return Buffer.concat(chunks);
  };
  const prefill = new PackedCommands(s.prefill.slice());
  const full = new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS);
  const half = new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS);
  run(full, prefill, 0, prefill.count);
  run(half, prefill, 0, prefill.count);
  // A cut that does not split an order list's two commands.
  let cut = Math.floor(stream.count / 2);
  while (stream.bytes[(cut - 1) * COMMAND.size + COMMAND.link] !== 0) cut++;
  run(full, stream, 0, cut);
  run(half, stream, 0, cut);
  const restored = new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS, half.snapshot());
  expect(run(restored, stream, cut, stream.count).equals(run(full, stream, cut, stream.count))).toBe(true);
  for (const e of [full, half, restored]) e.close();
});

test("a damaged image, or one of more markets than the venue has, is refused", () => {
  const h = new Harness(SYMBOLS);
  h.run([{ kind: "limit", id: 1, side: 0, price: 100, qty: 5 }]);
  const image = h.engine.snapshot();
  h.close();
  const markets = plainMarkets(SYMBOLS);
  const flipped = image.slice();
  flipped[flipped.length - 3]! ^= 1;
  expect(() => new MatchingEngine(markets, SYMBOLS + 1, flipped)).toThrow(/damaged/);
  expect(() => new MatchingEngine(markets, SYMBOLS + 1, image.slice(0, image.length - 1))).toThrow(/damaged/);
  expect(() => new MatchingEngine(plainMarkets(SYMBOLS - 1), SYMBOLS, image)).toThrow(/other markets/);
  const ok = new MatchingEngine(markets, SYMBOLS + 1, image);
  expect(ok.depth(0, 0, 10)).toEqual([[100, 5]]);
  ok.close();
});

test("an image restores into a venue that has added markets and assets after its own", () => {
  const h = new Harness(SYMBOLS);
  h.run([{ kind: "limit", id: 1, side: 0, price: 100, qty: 5 }, { kind: "deposit", account: 2, asset: 1, amount: 70n }]);
  const image = h.engine.snapshot();
  const before = [h.balance(1, 0), h.balance(2, 1)];
  h.close();
  // One more market, trading a new asset (index SYMBOLS + 1).
  const wider = new Harness(SYMBOLS + 1, 64, { image });
  expect(wider.book(0).bids).toEqual([[100, 5]]);
  expect([wider.balance(1, 0), wider.balance(2, 1)]).toEqual(before);
  const added = SYMBOLS;
  wider.run([{ kind: "deposit", account: 1, asset: SYMBOLS + 1, amount: 50n }, { kind: "limit", id: 2, symbol: added, side: 1, price: 10, qty: 3 }]);
  expect(wider.book(added).asks).toEqual([[10, 3]]);
  expect(wider.balance(1, SYMBOLS + 1)).toEqual({ free: 47n, locked: 3n });
  wider.close();
  // Fewer markets than the image's: refused.
  const three = new Harness(SYMBOLS + 1);
  const bigger = three.engine.snapshot();
  three.close();
  expect(() => new MatchingEngine(plainMarkets(SYMBOLS), SYMBOLS + 1, bigger)).toThrow(/other markets/);
});
