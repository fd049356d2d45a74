// Determinism: the same journal replayed twice gives byte-identical events, on every benchmark
// scenario (shortened), with the same balances in every account, and a different batching changes
// nothing but the batch-relative indices.
import { expect, test } from "bun:test";
import { EventBuffer, MatchingEngine, PackedCommands } from "../native/engine";
import { EVENT } from "../native/layout";
import { BENCH_ACCOUNTS, BENCH_ASSETS, BENCH_MARKETS, SCENARIOS, generateScenario } from "../bench/scenarios";

function replay(prefill: PackedCommands, stream: PackedCommands, batch: number, eventCapacity: number): Uint8Array {
  const engine = new MatchingEngine(BENCH_MARKETS, BENCH_ASSETS);
  const events = new EventBuffer(eventCapacity);
  const chunks: Uint8Array[] = [];
  const keep = (e: EventBuffer) => { chunks.push(e.bytes.slice(0, e.count * EVENT.size)); };
  for (const [commands, size] of [[prefill, 1024], [stream, batch]] as const) {
    // (An order list's two commands always go in one call.)
    for (let from = 0, n = 0; from < commands.count; from += n) {
      n = commands.sliceLength(from, size);
      engine.processPacked(commands, from, n, events, keep);
    }
  }
  // And the balances it left, every account's, so that a replay rebuilds them exactly too.
  const balances = new BigInt64Array(2 * BENCH_ASSETS * (BENCH_ACCOUNTS + 1));
  for (let a = 0, at = 0; a <= BENCH_ACCOUNTS; a++) {
    for (let asset = 0; asset < BENCH_ASSETS; asset++) {
      const b = engine.balance(a, asset);
      balances[at++] = b.free;
      balances[at++] = b.locked;
    }
  }
  engine.close();
  return Buffer.concat([...chunks, new Uint8Array(balances.buffer)]);
}

/** The events with their command_index field cleared (it is relative to the batch). */
function withoutCommandIndex(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  for (let at = 0; at < copy.length; at += EVENT.size) view.setUint32(at + EVENT.commandIndex, 0, true);
  return copy;
}

for (const spec of SCENARIOS) {
  test(`${spec.name}: a replay is byte-identical`, () => {
    const s = generateScenario({ ...spec, messages: 30_000, resting: Math.min(spec.resting, 5_000) });
    const prefill = new PackedCommands(s.prefill.slice());
    const stream = new PackedCommands(s.stream.slice());
    const first = replay(prefill, stream, 256, 4096);
    expect(s.counts.trades).toBeGreaterThan(1000);
    const second = replay(prefill, stream, 256, 100); // tiny output array: drained many times
    expect(first.length).toBeGreaterThan(30_000 * EVENT.size);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const oneByOne = replay(prefill, stream, 1, 4096);
    expect(Buffer.from(withoutCommandIndex(oneByOne)).equals(Buffer.from(withoutCommandIndex(first)))).toBe(true);
  });
}
