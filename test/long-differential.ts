// The long differential run, started by hand: millions of random commands through the engine and
// the reference model, from several funded accounts with every self-trade prevention mode, in
// random batch sizes, over narrow and wide price ranges, with stops, take-profits and trailing
// stops, icebergs, OCO, OTO and OTOCO lists and cancel-replaces mixed in, comparing every event, both
// books and every balance after every batch, and checking the event and spot invariants.
//   npm run test:long -- [--commands 1000000] [--seed 1]
import { parseArgs } from "node:util";
import { isDeepStrictEqual } from "node:util";
import { checkBalances, funding } from "./command-stream";
import { Harness, type Cmd } from "./engine-harness";
import { InvariantChecker } from "./event-invariants";
import { ReferenceModel } from "./reference-model";

const { values } = parseArgs({
  options: { commands: { type: "string", default: "1000000" }, seed: { type: "string", default: "1" } },
});
const total = Number(values.commands);
let x = Number(values.seed) || 1;
const rand = (n: number) => {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  return (x >>> 0) % n;
};

const SYMBOLS = 2;
const ACCOUNTS = 4;
const started = performance.now();
let done = 0, segment = 0, trades = 0;
while (done < total) {
  // Each segment: fresh books, its own price range (narrow: deep levels; wide: many levels).
  const range = [10, 40, 400][segment++ % 3]!;
  const fees = [rand(30), rand(30)] as const;
  const engine = new Harness(SYMBOLS, 1 + rand(512), { fund: false, makerFeeBps: fees[0], takerFeeBps: fees[1] });
  const model = new ReferenceModel(SYMBOLS, fees[0], fees[1]);
  // Balances enough for a while, small enough that holds are refused now and then.
  const deposits = funding(ACCOUNTS, SYMBOLS, 400);
  engine.run(deposits);
  model.run(deposits);
  const invariants = new InvariantChecker();
  let nextId = 1;
  const segmentEnd = Math.min(total, done + 200_000);
  while (done < segmentEnd) {
    const cmds: Cmd[] = [];
    const size = 1 + rand(rand(10) === 0 ? 2000 : 64);
    while (cmds.length < size) {
      const pick = rand(100);
      const side = rand(2) as 0 | 1;
      const symbol = rand(SYMBOLS);
      const mid = 1000;
      const price = side === 0 ? mid - rand(range) + (rand(8) === 0 ? rand(range / 2 + 1) : 0) : mid + 1 + rand(range) - (rand(8) === 0 ? rand(range / 2 + 1) : 0);
      const existing = 1 + rand(nextId + 2);
      const tif = [0, 0, 0, 1, 2][rand(5)] as 0 | 1 | 2;
      const account = 1 + rand(ACCOUNTS), stp = [0, 0, 1, 2, 3, 4][rand(6)]!;
      if (pick >= 90 && rand(2) === 0) {
        // One of the order types beyond limit and market (two commands for a list).
        const kind = rand(5), trigger = (1 + rand(2)) as 1 | 2, qty = 1 + rand(20);
        const stop = side === 0 ? mid - range + rand(2 * range) : mid - range + rand(2 * range);
        const trailing = rand(4) === 0 ? 50 + rand(400) : 0;
        const conditional = (id: number, s: 0 | 1): Cmd => rand(2) === 0
          ? { kind: "limit", id, account, symbol, side: s, price, qty, tif, stp, trigger, stop: trailing && rand(2) ? 0 : stop, trailing }
          : { kind: "market", id, account, symbol, side: s, qty, tif: 1, stp, trigger, stop: trailing && rand(2) ? 0 : stop, trailing, bound: s === 0 ? price + range : 0 };
        if (kind === 0) cmds.push(conditional(nextId++, side));
        else if (kind === 1) cmds.push({ kind: "limit", id: nextId++, account, symbol, side, price, qty: qty + 5, tif: 0, stp, visible: 1 + rand(4) });
        else if (kind === 2) {
          const listId = nextId;
          cmds.push({ kind: "limit", id: nextId++, account, symbol, side, price: side === 0 ? mid - range : mid + range, qty, tif: 0, postOnly: true, stp, listId, link: 1 });
          cmds.push({ ...conditional(nextId++, side), listId } as Cmd);
        } else if (kind === 3) {
          const listId = nextId;
          cmds.push({ kind: "limit", id: nextId++, account, symbol, side, price, qty, tif: tif === 2 ? 0 : tif, stp, listId, link: 2 });
          cmds.push({ ...conditional(nextId++, (1 - side) as 0 | 1), listId } as Cmd);
        } else {
          cmds.push({ kind: "replace", cancelId: existing, mode: rand(2) as 0 | 1, id: nextId++, account, symbol, side, price, qty, tif, stp });
        }
        continue;
      }
      if (pick < 45) cmds.push({ kind: "limit", id: pick === 0 ? existing : nextId++, account, symbol, side, price, qty: 1 + rand(20), tif, postOnly: tif === 0 && rand(6) === 0, stp });
      else if (pick < 49) cmds.push({ kind: "market", id: nextId++, account, symbol, side, qty: 1 + rand(60), tif: rand(4) === 0 ? 2 : 1, stp });
      else if (pick < 52) cmds.push({ kind: "market", id: nextId++, account, symbol, side, qty: 1e15, tif: 1, stp, amount: 1 + rand(20_000) });
      else if (pick < 76) cmds.push({ kind: "cancel", id: existing });
      else if (pick < 96) cmds.push({ kind: "amend", id: existing, price: rand(3) === 0 ? 0 : price, qty: rand(5) === 0 ? 0 : 1 + rand(25) });
      else if (pick < 98) cmds.push({ kind: "deposit", account, asset: rand(SYMBOLS + 1), amount: 1 + rand(rand(2) ? 200_000 : 200) });
      else cmds.push({ kind: "withdraw", account, asset: rand(SYMBOLS + 1), amount: 1 + rand(rand(2) ? 200_000 : 200) });
    }
    const events = engine.run(cmds);
    invariants.check(cmds, events);
    const expected = model.run(cmds);
    if (!isDeepStrictEqual(events, expected)) {
      const i = events.findIndex((e, k) => !isDeepStrictEqual(e, expected[k]));
      console.error(`MISMATCH after ${done} commands (segment ${segment}, seed ${values.seed}) at event ${i}:`);
      console.error("engine:", events[i], "\nmodel: ", expected[i]);
      process.exit(1);
    }
    for (let s = 0; s < SYMBOLS; s++) {
      if (!isDeepStrictEqual(engine.book(s), model.book(s))) {
        console.error(`BOOK MISMATCH after ${done} commands (seed ${values.seed}), symbol ${s}`);
        process.exit(1);
      }
    }
    checkBalances(engine, model, SYMBOLS); // throws on the first difference
    trades += events.filter((e) => e.type === "trade").length;
    done += cmds.length;
  }
  engine.close();
  process.stdout.write(`\r${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} commands, ${trades.toLocaleString("en-US")} trades, all equal`);
}
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s: ${done} commands, ${trades} trades; events, books, balances and invariants agree (seed ${values.seed})`);
