// One crash round: a real server process on a real database file, concurrent clients recording
// every acknowledged order and fill, kill -9 at a random moment, a restart, and the checks:
//  - every acknowledged order is there, in the acknowledged state or one that follows from it,
//    with every acknowledged fill;
//  - nothing half-exists: each order row matches its journal entry and its trades, every trade
//    joins two orders, statuses agree with quantities;
//  - the books served after the restart equal the journal replayed through a fresh engine, and
//    every open order stored (untriggered stops, icebergs, list members too) is live there;
//  - the journal replayed through a fresh engine gives exactly the balances the restarted exchange
//    serves and stores (every account's, the fee account's too), and every asset adds up to its
//    deposits less withdrawals.
// Besides the HTTP clients, a binary-protocol session pipelines orders and cancels, and the server
// takes a snapshot every few hundred journal entries, so kill -9 also lands around snapshots; the
// replay then starts from the newest snapshot, as recovery does.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { CommandBatch, EventBuffer } from "../native/engine";
import { CommandKind, EventType } from "../native/layout";
import { engineFor } from "../src/exchange";
import { packEntry } from "../src/journal";
import { wholeLists } from "../src/recovery";
import { loadMarkets } from "../src/markets";
import * as schema from "../src/store/schema";
import * as projectionSchema from "../src/store/projection-schema";
import { projectionPath } from "../src/store/database";
import { Queries } from "../src/store/queries";
import { random } from "../src/random";
import { runCli, EXCHANGE_FROM_SOURCE as SOURCE, spawnExchange, tempDir } from "./helpers";
import { BinaryClient } from "../src/gateway/client";

const SYMBOLS = ["BTC-USD", "ETH-USD"];
const TERMINAL = new Set(["filled", "canceled", "expired", "rejected"]);

interface Acked { key: string; status: string; filled: string; fills: { tradeId: string; price: string; quantity: string }[] }

export interface CrashReport {
  acknowledged: number; trades: number; orders: number; killedAfterMs: number;
  /** Stored: conditional orders, icebergs and order-list members. */
  conditional: number; icebergs: number; listed: number;
  /** Orders acknowledged over the binary protocol; the seq of the snapshot the check started from. */
  binary: number; snapshotSeq: number;
}

export async function crashRound(seed: number, problems: string[]): Promise<CrashReport> {
  const r = random(seed);
  const rand = (n: number) => Math.floor(r() * n);
  const dir = tempDir("exchange-crash-");
  const env = { EXCHANGE_DB: join(dir, "exchange.db") };
  const keys = ["a", "b", "c"].map((n) => JSON.parse(runCli([...SOURCE, "accounts", "create", n], dir, env)).apiKey as string);
  const serveArgs = ["serve", "--port", "0", "--binary-port", "0", "--snapshot-every", "300"];
  const first = await spawnExchange(SOURCE, dir, env, serveArgs);
  const binaryPort = /binary tcp:\/\/[\d.]+:(\d+)/.exec(first.startup)![1];
  const binaryMarket = loadMarkets().get(SYMBOLS[0]!)!;

  const acked = new Map<string, Acked>();
  const note = (key: string, o: any) => {
    if (o?.orderId) acked.set(o.orderId, { key, status: o.status, filled: o.filledQuantity, fills: o.fills });
  };
  let stop = false;
  const client = async (w: number) => {
    const key = keys[w % keys.length]!;
    const mine: string[] = [];
    while (!stop) {
      const roll = rand(100);
      const symbol = SYMBOLS[rand(SYMBOLS.length)]!;
      let r;
      if (roll < 15 && mine.length) r = await first.call("DELETE", `/api/v1/orders/${mine.splice(rand(mine.length), 1)[0]}`, { key }).catch(() => null);
      else if (roll < 25 && mine.length) r = await first.call("PATCH", `/api/v1/orders/${mine[rand(mine.length)]}`, { key, json: { price: `${95 + rand(10)}`, quantity: `${1 + rand(5)}` } }).catch(() => null);
      else if (roll < 30) r = await first.call("POST", "/api/v1/orders/batch", { key, json: { orders: [0, 1, 2].map(() => ({ symbol, side: rand(2) ? "buy" : "sell", type: "limit", price: `${95 + rand(10)}`, quantity: `${1 + rand(5)}` })) } }).catch(() => null);
      else if (roll < 34) {
        // A stop or take-profit (limit or market, some trailing) near the middle of the range.
        const side = rand(2) ? "buy" : "sell", type = ["stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"][rand(4)]!;
        const limit = type.endsWith("_limit") || side === "buy";
        r = await first.call("POST", "/api/v1/orders", { key, json: { symbol, side, type, stopPrice: `${97 + rand(6)}`, quantity: `${1 + rand(5)}`,
          ...(limit ? { price: `${95 + rand(10)}` } : {}), ...(rand(4) === 0 ? { trailingDelta: 100 + rand(300) } : {}) } }).catch(() => null);
      } else if (roll < 37) {
        r = await first.call("POST", "/api/v1/orders", { key, json: { symbol, side: rand(2) ? "buy" : "sell", type: "limit", price: `${95 + rand(10)}`, quantity: `${4 + rand(6)}`, icebergQuantity: "1" } }).catch(() => null);
      } else if (roll < 40) {
        // An OCO bracket: a post-only limit away from the middle and a stop on the other side;
        // half of them the pending pair of an OTOCO, whose working order is on the other side.
        const buy = rand(2) === 0, otoco = rand(2) === 0;
        const pair = [
          { symbol, side: buy ? "buy" : "sell", type: "limit", postOnly: true, price: `${buy ? 90 + rand(4) : 106 + rand(4)}`, quantity: `${1 + rand(3)}` },
          { symbol, side: buy ? "buy" : "sell", type: "stop_loss", stopPrice: `${buy ? 103 + rand(3) : 95 + rand(3)}`, quantity: `${1 + rand(3)}`, ...(buy ? { price: "110" } : {}) },
        ];
        const working = { symbol, side: buy ? "sell" : "buy", type: "limit", price: `${95 + rand(10)}`, quantity: `${1 + rand(3)}` };
        r = await first.call("POST", "/api/v1/orderLists", { key, json: otoco ? { type: "otoco", orders: [working, ...pair] } : { type: "oco", orders: pair } }).catch(() => null);
      } else if (roll < 42 && mine.length) {
        const old = mine.splice(rand(mine.length), 1)[0];
        r = await first.call("POST", `/api/v1/orders/${old}/replace`, { key, json: { order: { symbol, side: rand(2) ? "buy" : "sell", type: "limit", price: `${95 + rand(10)}`, quantity: `${1 + rand(5)}` } } }).catch(() => null);
      } else {
        const market = roll < 38;
        r = await first.call("POST", "/api/v1/orders", { key, json: { symbol, side: rand(2) ? "buy" : "sell", type: market ? "market" : "limit", ...(market ? {} : { price: `${95 + rand(10)}` }), quantity: `${1 + rand(5)}`, ...(roll > 90 ? { timeInForce: "IOC" } : {}) } }).catch(() => null);
      }
      if (!r) return; // the server is gone
      if (r.status >= 200 && r.status < 300) {
        const body = r.body;
        const placed = Array.isArray(body?.results) ? body.results : Array.isArray(body?.orders) ? body.orders : body?.order ? [body.order, body.cancelled] : [body];
        for (const o of placed) {
          note(key, o);
          if (o?.orderId && (o.status === "new" || o.status === "partially_filled")) mine.push(o.orderId);
        }
      }
    }
  };
  // Orders and cancels in the binary protocol, up to 8 outstanding: an accepted order counts as
  // acknowledged with the state its answer gave.
  let binaryAcked = 0;
  const binaryClient = async () => {
    const key = keys[0]!;
    const session = await BinaryClient.connect(`tcp://127.0.0.1:${binaryPort}`, key).catch(() => null);
    if (!session) return;
    const mine: number[] = [];
    const market = session.market(binaryMarket.symbol);
    const unit = binaryMarket.quantityLots("1"), tick = binaryMarket.priceTicks("1");
    const one = async () => {
      while (!stop) {
        const answer = mine.length > 5 && rand(3) === 0
          ? await session.request({ type: "cancel", orderId: mine.splice(rand(mine.length), 1)[0]! })
          : await session.request({ type: "newOrder", market, side: rand(2) ? "buy" : "sell", orderType: "limit", timeInForce: rand(5) ? "GTC" : "IOC", postOnly: false,
            selfTradePrevention: null, price: (95 + rand(10)) * tick, quantity: (1 + rand(5)) * unit, quoteQuantity: 0n, stopPrice: 0, icebergQuantity: 0, trailingDelta: 0, clientOrderId: null });
        if (answer.type === "rejected" && answer.code === "SHUTTING_DOWN") return; // the server is gone
        if (answer.type === "accepted") {
          acked.set(String(answer.orderId), { key, status: answer.status, filled: binaryMarket.formatQuantity(answer.filled), fills: [] });
          binaryAcked++;
          if (answer.status === "new" || answer.status === "partially_filled") mine.push(answer.orderId);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, one));
  };
  const clients = [...Array.from({ length: 8 }, (_, w) => client(w)), binaryClient()];
  const killAfter = 300 + rand(600);
  await Bun.sleep(killAfter);
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  stop = true;
  await Promise.all(clients);

  const second = await spawnExchange(SOURCE, dir, env, serveArgs);
  let snapshotSeq = 0;
  let trades = 0, orders = 0, conditional = 0, icebergs = 0, listed = 0;
  try {
    // 1. Every acknowledged order and fill survived, in the same state or a later one.
    for (const [id, a] of acked) {
      const now = await second.call("GET", `/api/v1/orders/${id}`, { key: a.key });
      if (now.status !== 200) { problems.push(`acknowledged order ${id} is missing (${now.status})`); continue; }
      const o = now.body;
      if (TERMINAL.has(a.status) && (o.status !== a.status || o.filledQuantity !== a.filled)) {
        problems.push(`order ${id} was acknowledged ${a.status} with ${a.filled} filled, is now ${o.status} with ${o.filledQuantity}`);
      }
      if (Number(o.filledQuantity) < Number(a.filled)) problems.push(`order ${id} lost fills: ${a.filled} -> ${o.filledQuantity}`);
      const fills = new Set(o.fills.map((f: any) => `${f.tradeId}:${f.price}:${f.quantity}`));
      for (const f of a.fills) if (!fills.has(`${f.tradeId}:${f.price}:${f.quantity}`)) problems.push(`order ${id} lost fill ${f.tradeId}`);
    }
    // 2. Nothing half-exists.
    // The database file with its projection file attached: the queries below read both.
    const db = new Database(env.EXCHANGE_DB, { readonly: true });
    db.exec(`ATTACH DATABASE '${projectionPath(env.EXCHANGE_DB)}' AS projected`);
    // The reads above waited only for the batches they needed: the rows of journaled orders that
    // were never answered (rebuilt by the recovery) may still be on their way to the tables.
    const written = () => (db.query("SELECT (SELECT seq FROM projected.projection) >= coalesce((SELECT max(last_seq) FROM journal_batches), 0) AS ok").get() as { ok: number }).ok;
    for (const deadline = Date.now() + 10_000; !written() && Date.now() < deadline;) await Bun.sleep(10);
    const replay = replayJournal(db);
    snapshotSeq = replay.snapshotSeq;
    const rows = db.query("SELECT o.*, (SELECT coalesce(sum(quantity), 0) FROM trades t WHERE t.taker_order_id = o.id OR t.maker_order_id = o.id) AS traded FROM orders o").all() as any[];
    orders = rows.length;
    for (const r of rows) {
      const created = replay.created.get(r.id) ?? 0;
      // (The entries of orders from before the newest snapshot are pruned with the journal.)
      if (created !== 1 && r.id > replay.snapshotOrderId) problems.push(`order ${r.id} has ${created} creating journal entries`);
      replay.created.delete(r.id);
      if (r.traded !== r.filled_quantity) problems.push(`order ${r.id}: filled ${r.filled_quantity} but its trades add up to ${r.traded}`);
      const ok = { new: r.filled_quantity === 0, partially_filled: r.filled_quantity > 0 && r.filled_quantity < r.quantity, filled: r.filled_quantity === r.quantity,
        canceled: r.filled_quantity < r.quantity, expired: r.filled_quantity < r.quantity, rejected: r.filled_quantity === 0 }[r.status as string];
      if (!ok) problems.push(`order ${r.id}: status ${r.status} with ${r.filled_quantity} of ${r.quantity} filled`);
    }
    if (replay.created.size) {
      // (Which, and whether the tables had followed the journal: what a failure needs to be read.)
      const ids = [...replay.created.keys()].slice(0, 5);
      const late = ids.filter((id) => db.query("SELECT 1 FROM orders WHERE id = ?").get(id) !== null);
      problems.push(`${replay.created.size} journal entries create orders that do not exist (ids ${ids.join(", ")}; ` +
        `tables followed the journal: ${written() === 1}; rows there now: ${late.join(", ") || "none"})`);
    }
    // 3. Balances: what the exchange serves and stores is the replay of its journal, and adds up.
    const markets = loadMarkets();
    for (const key of keys) {
      const served = (await second.call("GET", "/api/v1/account", { key })).body;
      for (const b of served.balances) {
        const asset = markets.assets.get(b.asset)!;
        const want = replay.engine.balance(Number(served.accountId), asset.index);
        if (b.free !== asset.format(want.free) || b.locked !== asset.format(want.locked)) {
          problems.push(`account ${served.accountId} is served ${b.free}/${b.locked} ${b.asset}, the journal's replay gives ${asset.format(want.free)}/${asset.format(want.locked)}`);
        }
      }
    }
    const stored = db.query("SELECT account_id AS accountId, asset, free, locked FROM balances").all() as { accountId: number; asset: string; free: string; locked: string }[];
    if (stored.length === 0) problems.push("no balances are stored");
    const totals = new Map<string, bigint>();
    for (const b of stored) {
      const want = replay.engine.balance(b.accountId, markets.assets.get(b.asset)!.index);
      if (BigInt(b.free) !== want.free || BigInt(b.locked) !== want.locked) problems.push(`account ${b.accountId}'s stored ${b.asset} balance differs from the journal's replay`);
      totals.set(b.asset, (totals.get(b.asset) ?? 0n) + BigInt(b.free) + BigInt(b.locked));
    }
    for (const [asset, total] of totals) {
      if (total !== (replay.deposited.get(asset) ?? 0n)) problems.push(`${asset}: the accounts hold ${total} units, deposits less withdrawals are ${replay.deposited.get(asset) ?? 0n}`);
    }
    // 4. The books served are the replay's, and every open order stored is live in it as stored
    // (untriggered stops and OTO pending orders waiting, icebergs showing a slice).
    for (const symbol of SYMBOLS) {
      const m = markets.get(symbol)!;
      const book = (await second.call("GET", `/api/v1/markets/${symbol}/book?depth=1000`)).body;
      for (const side of [0, 1] as const) {
        const want = replay.engine.depth(m.index, side, 1000).map(([p, q]) => [m.formatPrice(p), m.formatQuantity(q)]);
        if (JSON.stringify(side === 0 ? book.bids : book.asks) !== JSON.stringify(want)) problems.push(`${symbol} ${side === 0 ? "bids" : "asks"} differ from the journal's replay`);
      }
    }
    for (const o of db.query("SELECT id, quantity - filled_quantity AS remaining FROM orders WHERE status IN ('new', 'partially_filled')").all() as { id: number; remaining: number }[]) {
      const live = replay.engine.liveOrder(o.id);
      if (!live || live.remaining !== o.remaining) problems.push(`open order ${o.id} (${o.remaining} lots) is ${live ? `${live.remaining} lots` : "not live"} in the journal's replay`);
    }
    if (replay.engine.orderCount() !== (db.query("SELECT count(*) AS n FROM orders WHERE status IN ('new', 'partially_filled')").get() as any).n) {
      problems.push("the journal's replay has a different number of live orders than are stored open");
    }
    replay.engine.close();
    const orphanTrades = db.query("SELECT count(*) AS n FROM trades t WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = t.taker_order_id) OR NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = t.maker_order_id)").get() as any;
    if (orphanTrades.n) problems.push(`${orphanTrades.n} trades name an order that does not exist`);
    trades = (db.query("SELECT count(*) AS n FROM trades").get() as any).n;
    const count = (where: string) => (db.query(`SELECT count(*) AS n FROM orders WHERE ${where}`).get() as any).n as number;
    conditional = count("stop_price IS NOT NULL OR trailing_delta IS NOT NULL");
    icebergs = count("iceberg_quantity IS NOT NULL");
    listed = count("list_id IS NOT NULL");
    db.close();
  } finally {
    second.proc.kill("SIGKILL");
    await second.proc.exited;
  }
  return { acknowledged: acked.size, trades, orders, killedAfterMs: killAfter, conditional, icebergs, listed, binary: binaryAcked, snapshotSeq };
}

/** The newest snapshot and the journal after it through an engine: its balances; and each
 *  asset's deposits less withdrawals, from the ledger (the journal before the snapshot is pruned). */
function replayJournal(db: Database) {
  const markets = loadMarkets();
  const queries = new Queries(drizzle({ client: db, schema }), drizzle({ client: db, schema: projectionSchema }), markets);
  const snapshot = queries.latestSnapshot();
  const engine = engineFor(markets, snapshot?.image);
  const batch = new CommandBatch(4096), events = new EventBuffer(4096);
  const deposited = new Map<string, bigint>();
  for (const l of db.query("SELECT asset, amount FROM ledger").all() as { asset: string; amount: string }[]) {
    deposited.set(l.asset, (deposited.get(l.asset) ?? 0n) + BigInt(l.amount));
  }
  // How many journal entries create each order (limit, market, cancel-replace): one each. (A
  // cancel-replace whose cancel went through and whose new order the engine refused is journaled
  // for its cancel: it creates none.)
  const created = new Map<number, number>();
  for (let after = snapshot?.seq ?? 0; ;) {
    const page = wholeLists(queries.journalPage(after, 4096));
    if (page.length === 0) break;
    batch.clear();
    for (const e of page) packEntry(batch, e, markets);
    const refused = new Set<number>();
    engine.process(batch, events, (ev) => {
      for (let i = 0; i < ev.count; i++) if (ev.type(i) === EventType.rejected && page[ev.commandIndex(i)]!.kind === CommandKind.cancelReplace) refused.add(ev.commandIndex(i));
    });
    page.forEach((e, i) => {
      if ((e.kind === CommandKind.limit || e.kind === CommandKind.market || e.kind === CommandKind.cancelReplace) && !refused.has(i)) created.set(e.orderId, (created.get(e.orderId) ?? 0) + 1);
    });
    after = page[page.length - 1]!.seq;
  }
  return { engine, deposited, created, snapshotOrderId: snapshot?.lastOrderId ?? 0, snapshotSeq: snapshot?.seq ?? 0 };
}
