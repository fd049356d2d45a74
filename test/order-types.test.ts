// Conditional orders, icebergs, order lists and cancel-replace over the real HTTP API, and their
// survival of kill -9: an untriggered stop, a half-filled iceberg and a live OCO come back as
// they were, holds included, and go on working.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { runCli, EXCHANGE_FROM_SOURCE as SOURCE, spawnExchange, tempDir } from "./helpers";

type Call = Awaited<ReturnType<typeof spawnExchange>>["call"];

async function start() {
  const dir = tempDir();
  const env = { EXCHANGE_DB: join(dir, "exchange.db") };
  const keys = ["a", "b"].map((n) => JSON.parse(runCli([...SOURCE, "accounts", "create", n, "--deposit", "USD=100000,BTC=100"], dir, env)).apiKey as string);
  let ex = await spawnExchange(SOURCE, dir, env);
  return {
    keys,
    /** The running server's API (the one started again after a crash, too). */
    call: ((...args) => ex.call(...args)) as Call,
    /** kill -9, then a new server on the same data. */
    async crash() {
      ex.proc.kill("SIGKILL");
      await ex.proc.exited;
      ex = await spawnExchange(SOURCE, dir, env);
    },
    stop: () => ex.proc.kill("SIGKILL"),
  };
}

const order = (call: Call, key: string, json: Record<string, unknown>) => call("POST", "/api/v1/orders", { key, json });
const balance = async (call: Call, key: string, asset: string) =>
  (await call("GET", "/api/v1/account", { key })).body.balances.find((b: any) => b.asset === asset);
const book = async (call: Call) => (await call("GET", "/api/v1/markets/BTC-USD/book")).body;
const get = async (call: Call, key: string, id: string) => (await call("GET", `/api/v1/orders/${id}`, { key })).body;
/** A trade at `price` between the two accounts (b rests, a takes). */
async function tradeAt(call: Call, [a, b]: string[], price: string, side: "buy" | "sell" = "buy") {
  expect((await order(call, b!, { symbol: "BTC-USD", side: side === "buy" ? "sell" : "buy", type: "limit", price, quantity: "0.1" })).status).toBe(201);
  const r = await order(call, a!, { symbol: "BTC-USD", side, type: "limit", price, quantity: "0.1", timeInForce: "IOC" });
  expect(r.body.status).toBe("filled");
}

test("conditional orders, icebergs, OCO and cancel-replace work over HTTP and survive kill -9", async () => {
  const { keys, call, crash, stop } = await start();
  const [a, b] = keys as [string, string];
  try {
    await tradeAt(call, keys, "100.00");

    // A stop-limit sell waits, holding its quantity, and is not in the book.
    const stop = await order(call, a, { symbol: "BTC-USD", side: "sell", type: "stop_loss_limit", stopPrice: "95.00", price: "94.00", quantity: "1" });
    expect(stop.status).toBe(201);
    expect(stop.body).toMatchObject({ type: "stop_loss_limit", status: "new", stopPrice: "95.00", triggered: false });
    expect((await balance(call, a, "BTC")).locked).toBe("1.00000000");
    expect((await book(call)).asks).toEqual([]);
    // Its condition already met: refused, nothing changes.
    const now = await order(call, a, { symbol: "BTC-USD", side: "sell", type: "stop_loss", stopPrice: "101.00", quantity: "1" });
    expect(now.status).toBe(409);
    expect(now.body.error.code).toBe("WOULD_TRIGGER_IMMEDIATELY");
    // A stop-market buy states the most it pays.
    const unbounded = await order(call, a, { symbol: "BTC-USD", side: "buy", type: "stop_loss", stopPrice: "110.00", quantity: "1" });
    expect(unbounded.status).toBe(400);
    expect(unbounded.body.error.message).toMatch(/price/);

    // An iceberg shows one slice; filling it shows the next; the hidden part is never in the book.
    const iceberg = await order(call, b, { symbol: "BTC-USD", side: "sell", type: "limit", price: "102.00", quantity: "1", icebergQuantity: "0.2" });
    expect(iceberg.status).toBe(201);
    expect((await book(call)).asks).toEqual([["102.00", "0.2000"]]);
    const take = await order(call, a, { symbol: "BTC-USD", side: "buy", type: "limit", price: "102.00", quantity: "0.5", timeInForce: "IOC" });
    expect(take.body).toMatchObject({ status: "filled", filledQuantity: "0.5000" });
    expect(take.body.fills.map((f: any) => f.quantity)).toEqual(["0.2000", "0.2000", "0.1000"]);
    expect((await book(call)).asks).toEqual([["102.00", "0.1000"]]);
    expect((await get(call, b, iceberg.body.orderId))).toMatchObject({ status: "partially_filled", remainingQuantity: "0.5000" });

    // An OCO: a post-only limit above and a stop below, on one side, holding its quantity once.
    const before = (await balance(call, a, "BTC")).locked;
    const oco = await call("POST", "/api/v1/orderLists", { key: a, json: { type: "oco", orders: [
      { symbol: "BTC-USD", side: "sell", type: "limit", price: "120.00", quantity: "0.5", postOnly: true },
      { symbol: "BTC-USD", side: "sell", type: "stop_loss", stopPrice: "90.00", quantity: "0.5" },
    ] } });
    expect(oco.status).toBe(201);
    expect(oco.body.status).toBe("executing");
    expect(Number((await balance(call, a, "BTC")).locked) - Number(before)).toBeCloseTo(0.5, 8);
    // Untriggered orders and list members are not amended (cancel-replace them); nothing changes.
    for (const id of [stop.body.orderId, oco.body.orders[0].orderId]) {
      const amended = await call("PATCH", `/api/v1/orders/${id}`, { key: a, json: { quantity: "0.1" } });
      expect(amended.status).toBe(409);
      expect(amended.body.error.code).toBe("ORDER_NOT_AMENDABLE");
    }
    expect((await get(call, a, stop.body.orderId)).quantity).toBe("1.0000");

    // Cancel-replace: the iceberg's rest moves to a new price in one step.
    const replaced = await call("POST", `/api/v1/orders/${iceberg.body.orderId}/replace`, { key: b, json: { order: { symbol: "BTC-USD", side: "sell", type: "limit", price: "103.00", quantity: "0.5", icebergQuantity: "0.1" } } });
    expect(replaced.status).toBe(201);
    expect(replaced.body.cancelled).toMatchObject({ orderId: iceberg.body.orderId, status: "canceled" });
    expect((await book(call)).asks).toEqual([["103.00", "0.1000"], ["120.00", "0.5000"]]);
    const gone = await call("POST", `/api/v1/orders/${iceberg.body.orderId}/replace`, { key: b, json: { order: { symbol: "BTC-USD", side: "sell", type: "limit", price: "104.00", quantity: "0.5" } } });
    expect(gone.status).toBe(409);
    expect((await book(call)).asks).toEqual([["103.00", "0.1000"], ["120.00", "0.5000"]]);
    // A new order refused after its cancel went through: the error says so, and the cancel stands.
    const doomed = await order(call, b, { symbol: "BTC-USD", side: "buy", type: "limit", price: "50.00", quantity: "1" });
    const tooBig = await call("POST", `/api/v1/orders/${doomed.body.orderId}/replace`, { key: b, json: { order: { symbol: "BTC-USD", side: "buy", type: "limit", price: "100000.00", quantity: "10" } } });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.code).toBe("INSUFFICIENT_BALANCE");
    expect(tooBig.body.error.message).toMatch(/was cancelled/);
    expect((await get(call, b, doomed.body.orderId)).status).toBe("canceled");

    // kill -9, restart: the untriggered stop, the iceberg and the OCO are as they were.
    const snapshot = async () => ({
      stop: await get(call, a, stop.body.orderId),
      iceberg: await get(call, b, replaced.body.order.orderId),
      doomed: await get(call, b, doomed.body.orderId),
      list: (await call("GET", `/api/v1/orderLists/${oco.body.orderListId}`, { key: a })).body,
      book: await book(call),
      balances: [await balance(call, a, "BTC"), await balance(call, b, "BTC"), await balance(call, a, "USD")],
    });
    const was = await snapshot();
    await crash();
    expect(await snapshot()).toEqual(was);

    // And they go on working. A trade at 95 triggers the stop-limit (it rests at 94, above no
    // bid) and, lower, the OCO's stop, which cancels its limit.
    await tradeAt(call, keys, "95.00", "sell");
    const triggered = await get(call, a, stop.body.orderId);
    expect(triggered).toMatchObject({ triggered: true, status: "new" });
    expect((await book(call)).asks[0]).toEqual(["94.00", "1.0000"]);
    await tradeAt(call, keys, "90.00", "sell");
    const list = (await call("GET", `/api/v1/orderLists/${oco.body.orderListId}`, { key: a })).body;
    expect(list).toMatchObject({ type: "oco", status: "all_done" });
    expect(list.orders.map((o: any) => o.status)).toEqual(["canceled", "expired"]); // the stop-market found no bids at all
  } finally {
    stop();
  }
}, 60_000);

test("an OTOCO bracket over HTTP: only its entry works and holds, across kill -9; filled, its pair is placed as an OCO", async () => {
  const { keys, call, crash, stop } = await start();
  const [a, b] = keys as [string, string];
  try {
    await tradeAt(call, keys, "100.00");
    const lockedUsd = Number((await balance(call, a, "USD")).locked);
    const placed = await call("POST", "/api/v1/orderLists", { key: a, json: { type: "otoco", listClientOrderId: "bracket-1", orders: [
      { symbol: "BTC-USD", side: "buy", type: "limit", price: "99.00", quantity: "0.5" },
      { symbol: "BTC-USD", side: "sell", type: "limit", price: "110.00", quantity: "0.5", postOnly: true },
      { symbol: "BTC-USD", side: "sell", type: "stop_loss", stopPrice: "90.00", quantity: "0.5" },
    ] } });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ type: "otoco", status: "executing", listClientOrderId: "bracket-1" });
    const ids = placed.body.orders.map((o: any) => o.orderId);
    expect(ids).toHaveLength(3);
    expect(placed.body.orders.map((o: any) => o.orderListId)).toEqual([ids[0], ids[0], ids[0]]);
    expect(await book(call)).toMatchObject({ bids: [["99.00", "0.5000"]], asks: [] });
    expect(Number((await balance(call, a, "USD")).locked) - lockedUsd).toBeCloseTo(49.5, 8);
    expect((await balance(call, a, "BTC")).locked).toBe("0.00000000");
    // A list of the wrong size, or whose pair is not a pair, is refused whole.
    const two = await call("POST", "/api/v1/orderLists", { key: a, json: { type: "otoco", orders: placed.body.orders.slice(0, 2).map(() => ({ symbol: "BTC-USD", side: "buy", type: "limit", price: "98.00", quantity: "0.1" })) } });
    expect(two.status).toBe(400);
    const unpaired = await call("POST", "/api/v1/orderLists", { key: a, json: { type: "otoco", orders: [
      { symbol: "BTC-USD", side: "buy", type: "limit", price: "98.00", quantity: "0.1" },
      { symbol: "BTC-USD", side: "sell", type: "limit", price: "110.00", quantity: "0.1" },
      { symbol: "BTC-USD", side: "sell", type: "stop_loss", stopPrice: "90.00", quantity: "0.1" },
    ] } });
    expect(unpaired.status).toBe(400);
    expect(unpaired.body.error.message).toMatch(/pending pair/);

    // kill -9, restart: the list waits as it was.
    const list = async () => (await call("GET", `/api/v1/orderLists/${ids[0]}`, { key: a })).body;
    const was = { list: await list(), book: await book(call), balances: [await balance(call, a, "USD"), await balance(call, a, "BTC")] };
    expect(was.list.orders.map((o: any) => o.pending)).toEqual([false, true, true]); // (the pair waits: also after the restart)
    expect(was.list.listClientOrderId).toBe("bracket-1");
    await crash();
    expect({ list: await list(), book: await book(call), balances: [await balance(call, a, "USD"), await balance(call, a, "BTC")] }).toEqual(was);
    expect((await call("GET", "/api/v1/orderLists", { key: a })).body).toEqual([was.list]); // (the refused lists are not there)

    // The entry fills: the take-profit rests, the stop-loss waits, and the pair holds 0.5 BTC once.
    expect((await order(call, b, { symbol: "BTC-USD", side: "sell", type: "limit", price: "99.00", quantity: "0.5" })).body.status).toBe("filled");
    expect(await book(call)).toMatchObject({ bids: [], asks: [["110.00", "0.5000"]] });
    expect((await balance(call, a, "BTC")).locked).toBe("0.50000000");
    expect((await list()).orders.map((o: any) => [o.status, o.pending])).toEqual([["filled", false], ["new", false], ["new", false]]);
    // A trade at 90 triggers the stop-loss, which cancels the take-profit (and, finding no bids, expires).
    await tradeAt(call, keys, "90.00", "sell");
    const done = await list();
    expect(done).toMatchObject({ type: "otoco", status: "all_done" });
    expect(done.orders.map((o: any) => o.status)).toEqual(["filled", "canceled", "expired"]);
    expect((await balance(call, a, "BTC")).locked).toBe("0.00000000");
    expect((await book(call)).asks).toEqual([]);
  } finally {
    stop();
  }
}, 60_000);
