// The HTTP API of ../shared/api.md on Elysia. Routes validate and translate; the sequencer does
// the work. Errors always take the contract's shape.
import type { ServerWebSocket } from "bun";
import { Type } from "@sinclair/typebox";
import { Elysia, t, ValidationError } from "elysia";
import { createAccount, parsePublicKey, type Account } from "../accounts";
import { Outcome, resultOrOutcome } from "../core/outcomes";
import { orderListOf, type Exchange } from "../exchange";
import { ApiError, fromOutcome, invalid } from "./errors";
import { accountView, ledgerView } from "./account-view";
import { log } from "../log";
import { bookSnapshot, renderTrade, ticker } from "../market-data";
import { MAX_FEE_BPS, type Market } from "../markets";
import type { Metrics } from "../metrics";
import { isOpen, renderOrder, renderPreventedMatch, type OrderState } from "../orders/order";
import {
  AmendRequestBody, BatchRequestBody, OrderRequestBody, describeSchemaError, parseOrderRequest,
  toAmendRequest, toOrderRequest, OrderListRequestBody, ReplaceRequestBody, type OrderRequest,
} from "../orders/validate";
import type { MarketStreams } from "../streams";
import type { SimulationDesk } from "../sim/desk";
import { loadScenario, parseScenario, type ScenarioSpec } from "../sim/scenarios";
import { parsePace, type Pace } from "../sim/paced-driver";
import { apiDocs, describe, EXAMPLES, SCALAR_PATH, scalarScript } from "./docs";

export const MAX_BODY_BYTES = 1 << 20;

// Elysia types its socket's `raw` with an older, narrower interface than the Bun ServerWebSocket
// it is at run time (getBufferedAmount is missing, which the streams need for slow consumers).
const bunSocket = (ws: { raw: unknown }) => ws.raw as ServerWebSocket<unknown>;

const amount = t.Union([t.String(), t.Number()], { error: "amount must be a decimal string or a number", examples: ["1000.50"] });
// TypeBox's own Integer: Elysia's t.Integer also takes a numeric string, and a fee rate is a JSON number.
const feeRate = (name: string) => t.Optional(Type.Integer({ minimum: 0, maximum: MAX_FEE_BPS, error: `${name} must be an integer from 0 to ${MAX_FEE_BPS} (basis points)` }));
const AccountRequestBody = t.Object(
  {
    name: t.String({ minLength: 1, maxLength: 100, pattern: "^[^\\u0000-\\u001f]+$", error: "name must be 1 to 100 printable characters" }),
    deposits: t.Optional(t.Record(t.String({ maxLength: 12 }), amount, { error: 'deposits must be an object of asset to amount, such as {"USD":"100000"}', maxProperties: 64 })),
    makerFeeBps: feeRate("makerFeeBps"),
    takerFeeBps: feeRate("takerFeeBps"),
    publicKey: t.Optional(t.String({ maxLength: 4096, error: "publicKey must be a PEM public key (Ed25519 or RSA)" })),
  },
  { additionalProperties: false },
);
const FundingRequestBody = t.Object(
  { asset: t.String({ minLength: 1, maxLength: 32, error: "asset must be a string such as \"USD\"" }), amount },
  { additionalProperties: false },
);
const pace = t.Optional(t.String({ maxLength: 16, error: 'pace must be "realtime", "max" or a multiple such as "10x"' }));
const SimulationRequestBody = t.Object(
  {
    scenario: t.Union([t.String({ maxLength: 64 }), t.Record(t.String(), t.Unknown())], { error: "scenario must be a preset's name (calm, trending, volatile, flash-crash, news, abides) or a scenario object" }),
    pace,
    seed: t.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, error: "seed must be an integer from 0 to 4294967295" })),
    durationMinutes: t.Optional(t.Number({ exclusiveMinimum: 0, maximum: 1e7, error: "durationMinutes must be a positive number (venue minutes)" })),
  },
  { additionalProperties: false },
);
const SimulationChangeBody = t.Object(
  {
    pace,
    participants: t.Optional(t.Array(t.Object({
      kind: t.String({ maxLength: 32, error: "kind must be a string" }),
      market: t.Optional(t.String({ maxLength: 64 })),
      params: t.Record(t.String({ maxLength: 64 }), t.Number(), { error: "params must be an object of numbers", maxProperties: 32 }),
    }, { additionalProperties: false }), { maxItems: 32, error: "participants must be an array of {kind, market?, params}" })),
    fundamental: t.Optional(t.Object({
      market: t.Optional(t.String({ maxLength: 64 })),
      volatility: t.Optional(t.Number({ minimum: 0, maximum: 1 })), volOfVol: t.Optional(t.Number({ minimum: 0, maximum: 10 })),
      driftPerHour: t.Optional(t.Number({ minimum: -1, maximum: 1 })), jumpsPerHour: t.Optional(t.Number({ minimum: 0, maximum: 1000 })),
      jumpSize: t.Optional(t.Number({ minimum: 0, maximum: 1 })),
    }, { additionalProperties: false, error: "fundamental takes market, volatility (0-1), volOfVol (0-10), driftPerHour (-1-1), jumpsPerHour (0-1000), jumpSize (0-1)" })),
  },
  { additionalProperties: false },
);
const MAX_ORDER_ID = Number.MAX_SAFE_INTEGER;

/** A pace or scenario the simulation cannot take: the message says why. */
function simInput<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
}
const CANDLE_INTERVALS: Record<string, number> = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000 };

// Requests are at most 3 levels deep (batch, its array, an order); deeper bodies would only feed
// recursive validation, so they are refused before parsing.
const MAX_JSON_DEPTH = 16;

/** The deepest nesting of [ and { in JSON text, not counting those inside strings. */
function nestingDepth(text: string): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123 /* [ { */) deepest = Math.max(deepest, ++depth);
    else if (c === 93 || c === 125 /* ] } */) depth--;
  }
  return deepest;
}

function intParam(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

function orderIdParam(value: string): number {
  if (!/^\d{1,16}$/.test(value) || Number(value) < 1 || Number(value) > MAX_ORDER_ID) {
    throw invalid(`orderId must be a positive integer, at most ${MAX_ORDER_ID}`);
  }
  return Number(value);
}

const isJson = (contentType: string) => /^application\/json\b/i.test(contentType);
const bodyTooLarge = () => new ApiError(413, "BODY_TOO_LARGE", `the body is larger than ${MAX_BODY_BYTES} bytes`);

function requireJson(request: Request): void {
  const type = request.headers.get("content-type") ?? "";
  if (!isJson(type)) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as JSON with Content-Type: application/json");
  }
}

/** The ApiError for whatever a request failed with. */
function apiError(code: unknown, error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof Outcome) return fromOutcome(error);
  // Elysia wraps what onParse throws in its ParseError: answer with our error inside.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof ApiError) return cause;
  switch (code) {
    case "PARSE":
      return new ApiError(400, "INVALID_JSON", "the body is not valid JSON");
    case "NOT_FOUND":
      return new ApiError(404, "NOT_FOUND", "no such endpoint");
    case "VALIDATION":
      return invalid(describeSchemaError((error as ValidationError).valueError));
    default:
      log("error", "unhandled error", { error: String(error) });
      return new ApiError(500, "INTERNAL", "internal error");
  }
}

/** `surfaces`: other surfaces' plugins served beside this one (each keeps its own hooks and errors). */
export function createApp(ex: Exchange, { streams, metrics, sim, surfaces = [] }: { streams: MarketStreams; metrics: Metrics; sim: SimulationDesk; surfaces?: Elysia[] }) {
  const market = (symbol: string): Market => {
    const m = ex.markets.get(symbol);
    if (!m) throw new ApiError(404, "UNKNOWN_SYMBOL", `symbol "${symbol.slice(0, 64)}" is not a market here`);
    return m;
  };
  const account = (request: Request): Account => {
    const key = request.headers.get("x-api-key");
    if (!key) throw new ApiError(401, "UNAUTHORIZED", "missing X-API-Key header");
    const found = key.length <= 128 ? ex.accounts.byApiKey(key) : undefined;
    if (!found) throw new ApiError(401, "UNAUTHORIZED", "unknown API key");
    return found;
  };
  const symbolFilter = (symbol: string | undefined): string | undefined => {
    if (symbol === undefined || symbol === "") return undefined;
    return market(symbol).symbol;
  };
  /** How far the store must be written for the account's reads (OrderRegistry.accountStoredBy). */
  const storedBy = (account: Account) => ex.sequencer.registry.accountStoredBy(account.id);
  /** How far the store must be written for an order's rows (OrderRegistry.storedBy). */
  const orderStored = (id: number) => ex.readable(ex.sequencer.registry.storedBy(id));
  /** The account's order `id`: an open order from memory, a closed one from the store once the
   *  batch that closed it is written (not every batch acknowledged since). */
  const ownOrder = async (account: Account, id: number): Promise<OrderState> => {
    const live = ex.sequencer.registry.get(id);
    const order = live && live.status !== null ? live : ex.queries.order(id, await orderStored(id));
    if (!order || order.accountId !== account.id) throw new ApiError(404, "ORDER_NOT_FOUND", `order ${id} was not found`);
    return order;
  };

  // normalize: false, so an unknown field (a typo such as "timeinforce") is refused, not dropped.
  // Other surfaces come first, so that none of the hooks below apply to their routes.
  const app = new Elysia({ normalize: false });
  for (const surface of surfaces) app.use(surface);
  return app
    .onRequest(({ request }) => {
      const length = Number(request.headers.get("content-length") ?? 0);
      // Thrown, not returned: a returned Response would widen every route's type for clients.
      if (length > MAX_BODY_BYTES) throw bodyTooLarge();
    })
    // Bodies are parsed here, not by Elysia: every failure (syntax, absurd nesting, a body over the
    // limit even without Content-Length) is a 4xx in our shape, and a body that is not JSON stays
    // unparsed, so that the route answers 415 rather than a parser error.
    .onParse(async ({ request, contentType }) => {
      if (!isJson(contentType ?? "")) return "";
      const text = await request.text();
      if (text.length > MAX_BODY_BYTES) throw bodyTooLarge();
      if (nestingDepth(text) > MAX_JSON_DEPTH) {
        throw new ApiError(400, "INVALID_JSON", `the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new ApiError(400, "INVALID_JSON", "the body is not valid JSON");
      }
    })
    // Errors answer with the contract's shape, through status() rather than a Response, so that
    // typed clients (Eden) see them as errors and each route's data as its own answer type.
    .onError(({ code, error, set, status }) => {
      const e = apiError(code, error);
      metrics.rejects.inc(e.code);
      Object.assign(set.headers, e.headers);
      // The cast only names a status for the types; the answer carries the error's own status.
      return status(e.status as 400, e.body());
    })
    .use(apiDocs())
    .get(SCALAR_PATH, () => scalarScript())
    .get("/health", () => ({ status: "ok" }), describe("operations", "Health", "200 once the books are recovered and the exchange takes orders.", { status: "ok" }))
    .get("/metrics", () => new Response(metrics.text({
      queueDepth: ex.sequencer.queueDepth, openOrders: ex.engine.orderCount(), websocketClients: streams.clients,
    }), { headers: { "content-type": "text/plain; version=0.0.4" } }),
      describe("operations", "Metrics", "Prometheus text: orders, trades, rejects by reason, batch size and latency, commit time, queue depth, WebSocket clients.", "exchange_orders_total{symbol=\"BTC-USD\"} 42"))

    // ---- public market data ---------------------------------------------------------------
    .get("/api/v1/markets", () => ex.markets.list.map((m) => ({ ...m.view(), status: "trading" })),
      describe("markets", "Markets", "Every market with its tick size (price step), step size (quantity step) and minimum quantity.", [EXAMPLES.market]))
    .get("/api/v1/markets/:symbol/book", ({ params, query }) =>
      bookSnapshot(ex, market(params.symbol), intParam(query.depth, "depth", 50, 1, 1000)),
      describe("markets", "Order book", "Aggregated levels, best first; ?depth=N (default 50, at most 1000). `sequence` grows with every change and matches the book stream's.", EXAMPLES.book))
    // The newest trades from memory (RecentTrades); reads of the store below first await the
    // batches they need (Exchange.readable), and the server goes on with other requests meanwhile.
    .get("/api/v1/markets/:symbol/trades", ({ params, query }) => {
      const m = market(params.symbol);
      const limit = intParam(query.limit, "limit", 100, 1, 1000);
      return ex.recentTrades.newest(m.index, limit).map((t) => renderTrade(m, t));
    }, describe("markets", "Recent trades", "Newest first; ?limit=N (default 100, at most 1000).", [EXAMPLES.trade]))
    .get("/api/v1/markets/:symbol/ticker", ({ params }) => ticker(ex, market(params.symbol)),
      describe("markets", "Ticker", "Best bid and ask, last price and 24-hour volume (null where there is none).", EXAMPLES.ticker))
    .get("/api/v1/markets/:symbol/candles", async ({ params, query }) => {
      const m = market(params.symbol);
      const interval = query.interval ?? "1m";
      const ms = CANDLE_INTERVALS[interval];
      if (ms === undefined) throw invalid(`interval must be one of ${Object.keys(CANDLE_INTERVALS).map((k) => `"${k}"`).join(", ")}`);
      const limit = intParam(query.limit, "limit", 100, 1, 1000);
      const upToSeq = await ex.readable();
      return ex.queries.candles(m.symbol, ms, limit, ex.clock.now(), upToSeq).map((c) => ({
        time: c.time, open: m.formatPrice(c.open), high: m.formatPrice(c.high), low: m.formatPrice(c.low),
        close: m.formatPrice(c.close), volume: m.formatQuantity(c.volume), trades: c.trades,
      }));
    }, describe("markets", "Candles", "OHLCV from stored trades, newest first; ?interval=1m|5m|1h (default 1m), ?limit=N (default 100, at most 1000). Intervals without trades are absent.", [EXAMPLES.candle]))

    // ---- live streams (src/streams.ts) ------------------------------------------------------
    .ws("/ws", {
      open: (ws) => streams.opened(bunSocket(ws)),
      // A block, not an expression: Elysia would also send whatever the handler returns.
      message: (ws, message) => {
        bunSocket(ws).send(JSON.stringify(streams.message(bunSocket(ws), message)));
      },
      close: (ws) => streams.closed(bunSocket(ws)),
    })

    // ---- accounts: a local venue, so anyone who reaches it may open one (like a testnet) ------
    .post("/api/v1/accounts", async ({ body, set }) => {
      // Checked before the account exists, so that a refused request creates nothing.
      const deposits = body.deposits === undefined ? undefined : new Map(Object.entries(body.deposits).map(([asset, amount]) => {
        ex.markets.assets.amount(asset, amount as string | number, `deposits.${asset.slice(0, 12)}`);
        return [asset, String(amount)];
      }));
      if (deposits && deposits.size > 0 && !ex.funding.options.selfServiceDeposits) {
        throw new Outcome("DEPOSITS_DISABLED", "this venue does not take deposits through the API");
      }
      if (body.publicKey !== undefined) {
        try { parsePublicKey(body.publicKey); } catch (error) { throw invalid((error as Error).message); }
      }
      ex.sequencer.admission.check(1 + (deposits?.size ?? ex.markets.assets.list.length));
      const created = createAccount(ex.storage.db, body.name, { deposits, makerFeeBps: body.makerFeeBps, takerFeeBps: body.takerFeeBps }, body.publicKey);
      await ex.funding.fundPending(created.id);
      set.status = 201;
      return { accountId: String(created.id), name: created.name, apiKey: created.apiKey, apiSecret: created.apiSecret, ...accountView(ex, created) };
    }, {
      // 415 for a body that is not JSON, before the schema would call it invalid.
      transform: ({ request }) => requireJson(request),
      body: AccountRequestBody,
      ...describe("accounts", "Create an account", "A local venue: anyone who reaches it may open an account, with starting balances (`deposits`; otherwise the venue's defaults) and its own fee rates. The API key, and the HMAC secret that signs requests to the Binance surface (/api/v3), are shown only here; with `publicKey` (PEM, Ed25519 or RSA) the account signs with that key pair instead and gets no secret.", EXAMPLES.account, 201),
    })

    // ---- the simulated market: a local venue's own, open to whoever reaches it ----------
    .get("/api/v1/sim", () => sim.status(),
      describe("simulation", "Simulation status", "What drives the market now: state (none, running, paused, stopped), scenario, seed, pace, venue time, participants by kind, commands sent, trades; or a replay's progress.", EXAMPLES.simulation))
    .post("/api/v1/sim", async ({ body, set }) => {
      const scenario: ScenarioSpec = simInput(() => typeof body.scenario === "string" ? loadPreset(body.scenario) : parseScenario(body.scenario));
      const chosen: Pace = simInput(() => parsePace(body.pace ?? "realtime"));
      await sim.simulate(scenario, { pace: chosen, seed: body.seed, durationMs: body.durationMinutes === undefined ? undefined : body.durationMinutes * 60_000 });
      set.status = 201;
      return sim.status();
    }, {
      transform: ({ request }) => requireJson(request),
      body: SimulationRequestBody,
      ...describe("simulation", "Start a simulation", "A preset (calm, trending, volatile, flash-crash, news, abides) or a scenario object, at a pace (realtime, max, or a multiple such as \"10x\"), with an optional seed and a duration in venue minutes. 409 SIMULATION_STATE if one (or a replay) already runs.", EXAMPLES.simulation, 201),
    })
    .patch("/api/v1/sim", ({ body }) => {
      sim.change({ ...body, pace: body.pace === undefined ? undefined : simInput(() => parsePace(body.pace!)) });
      return sim.status();
    }, {
      transform: ({ request }) => requireJson(request),
      body: SimulationChangeBody,
      ...describe("simulation", "Change a simulation", "A new pace; new parameters for every participant of a kind (in one market or all); new fundamental parameters. Each takes effect at the participants' next wake.", EXAMPLES.simulation),
    })
    .post("/api/v1/sim/pause", async () => (await sim.pause(), sim.status()), describe("simulation", "Pause", "Participants stop acting; the venue clock goes on at real time.", EXAMPLES.simulation))
    .post("/api/v1/sim/resume", () => (sim.resume(), sim.status()), describe("simulation", "Resume", "At the pace it had.", EXAMPLES.simulation))
    .delete("/api/v1/sim", async () => (await sim.stop(), sim.status()), describe("simulation", "Stop", "Stops the simulation or replay once its step in flight is committed; participants' orders stay in the book.", EXAMPLES.simulation))

    // ---- private orders: the key is checked (and a JSON body required) before validation ----
    .derive(({ request }) => {
      const who = account(request);
      if (request.method === "POST" || request.method === "PATCH") requireJson(request);
      return { account: who };
    })
    .get("/api/v1/account", async ({ account }) => {
      await ex.funding.arrival(account.id);
      return { accountId: String(account.id), name: account.name, ...accountView(ex, account) };
    },
      describe("account", "Balances and fee rates", "Per asset `free` and `locked` (held by open orders), exact decimal strings; the fee rates in force in each market.", EXAMPLES.accountView, 200, true))
    .get("/api/v1/account/ledger", async ({ account, query }) => {
      const asset = query.asset === undefined || query.asset === "" ? undefined : ex.markets.assets.require(query.asset).symbol;
      const limit = intParam(query.limit, "limit", 100, 1, 1000);
      await ex.funding.arrival(account.id);
      return ex.queries.ledger(account.id, { asset, limit }, await ex.readable(storedBy(account))).map((row) => ledgerView(ex, row));
    }, describe("account", "Ledger", "Every change of the account's balances, newest first: deposits, withdrawals, and both legs of each trade (the received leg net of its fee). ?asset=, ?limit= (default 100, at most 1000).", [EXAMPLES.ledger], 200, true))
    .post("/api/v1/account/deposits", async ({ account, body }) => {
      await ex.funding.deposit(account, body.asset, body.amount);
      return accountView(ex, account);
    }, { body: FundingRequestBody, ...describe("account", "Deposit", "Credits the account (a local venue prints money; `serve --no-self-deposits` turns this off: 403 DEPOSITS_DISABLED). Journaled like an order.", EXAMPLES.accountView, 200, true) })
    .post("/api/v1/account/withdrawals", async ({ account, body }) => {
      await ex.funding.withdraw(account, body.asset, body.amount);
      return accountView(ex, account);
    }, { body: FundingRequestBody, ...describe("account", "Withdraw", "Debits the account's free balance; more than is free is 400 INSUFFICIENT_BALANCE.", EXAMPLES.accountView, 200, true) })
    .post("/api/v1/orders", async ({ account, body, set }) => {
      const order = await ex.sequencer.submit(account, toOrderRequest(body, ex.markets));
      set.status = 201;
      return renderOrder(order);
    }, { body: OrderRequestBody, ...describe("orders", "Place an order", "Answered (201) once the order is matched and its journal entry (from which everything it caused is rebuilt after a crash) is committed. A post-only order that would take comes back with status rejected. Conditional types (stop_loss, stop_loss_limit, take_profit, take_profit_limit) take stopPrice and/or trailingDelta (bps) and wait, holding what they may spend, until the last trade price meets the stop (409 WOULD_TRIGGER_IMMEDIATELY if it already does); icebergQuantity shows only that much in the book at a time.", EXAMPLES.order, 201, true) })
    .post("/api/v1/orders/batch", async ({ account, body }) => {
      ex.sequencer.admission.check(body.orders.length); // shed load before the work of reading every order
      const requests = body.orders.map((item) => resultOrOutcome(() => parseOrderRequest(item, ex.markets)));
      const results = await ex.sequencer.submitMany(account, requests);
      return { results: results.map((r) => (r instanceof Outcome ? fromOutcome(r).body() : renderOrder(r))) };
    }, { body: BatchRequestBody, ...describe("orders", "Place up to 1,000 orders", "Each order stands on its own: results in request order, each an Order or {error}.", { results: [EXAMPLES.order, EXAMPLES.error] }, 200, true) })
    .get("/api/v1/orders", async ({ account, query }) => {
      const status = query.status ?? "open";
      if (status !== "open" && status !== "closed" && status !== "all") {
        throw invalid('status must be one of "open", "closed", "all"');
      }
      const limit = intParam(query.limit, "limit", 100, 1, 1000);
      const symbol = symbolFilter(query.symbol);
      // Open orders are in memory (however many the account has closed); those queued for the
      // next batch are not open yet.
      if (status === "open") {
        const open = ex.sequencer.registry.ofAccount(account.id, symbol).filter((o) => o.status !== null);
        return open.slice(-limit).reverse().map(renderOrder);
      }
      return ex.sequencer.registry.current(ex.queries.listOrders(account.id, { symbol, status, limit }, await ex.readable(storedBy(account)))).map(renderOrder);
    }, describe("orders", "List orders", "The account's orders, newest first; ?status=open|closed|all (default open), ?symbol=, ?limit= (default 100).", [EXAMPLES.order], 200, true))
    .delete("/api/v1/orders", async ({ account, query }) => {
      const cancelled = await ex.sequencer.cancelAll(account, symbolFilter(query.symbol));
      return cancelled.map(renderOrder);
    }, describe("orders", "Cancel all", "Cancels every open order of the account (?symbol= for one market); returns them.", [{ ...EXAMPLES.order, status: "canceled" }], 200, true))
    .get("/api/v1/orders/:orderId", async ({ account, params }) => renderOrder(await ownOrder(account, orderIdParam(params.orderId))),
      describe("orders", "Get an order", "With all its fills. Another account's order is 404.", EXAMPLES.order, 200, true))
    .get("/api/v1/orders/:orderId/prevented-matches", async ({ account, params, query }) => {
      const order = await ownOrder(account, orderIdParam(params.orderId));
      const fromId = intParam(query.fromId, "fromId", 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(query.limit, "limit", 100, 1, 1000);
      // Its matches are written with the batches that changed it.
      return ex.queries.preventedMatches(account.id, order.market.symbol, { orderId: order.id, fromId, limit }, await orderStored(order.id))
        .map((p) => renderPreventedMatch(order.market, p));
    }, describe("orders", "An order's prevented matches", "Each time self-trade prevention stopped this order meeting another of the account's, oldest first: the taker's mode, the price, the quantity that would have traded, and what it took off each order. ?fromId=, ?limit= (default 100, at most 1000).", [EXAMPLES.preventedMatch], 200, true))
    .delete("/api/v1/orders/:orderId", async ({ account, params }) => {
      return renderOrder(await ex.sequencer.cancel(account, orderIdParam(params.orderId)));
    }, describe("orders", "Cancel an order", "200 with status canceled; 409 ORDER_NOT_OPEN if it is already filled, cancelled or expired.", { ...EXAMPLES.order, status: "canceled" }, 200, true))
    .patch("/api/v1/orders/:orderId", async ({ account, params, body }) => {
      const id = orderIdParam(params.orderId);
      const change = toAmendRequest(body, ex.sequencer.marketOf(account, id));
      return renderOrder(await ex.sequencer.amend(account, id, change));
    }, { body: AmendRequestBody, ...describe("orders", "Amend an order", "quantity is the new total, the filled part included. Lowering it keeps time priority; a new price or a larger quantity sends the order to the back of its level (and it trades at once if the new price crosses).", EXAMPLES.order, 200, true) })
    .post("/api/v1/orders/:orderId/replace", async ({ account, params, body, set }) => {
      const id = orderIdParam(params.orderId);
      const request = parseOrderRequest(body.order, ex.markets);
      const { cancelled, order } = await ex.sequencer.replace(account, id, request, body.mode === "allowFailure");
      set.status = 201;
      return { cancelled: cancelled ? renderOrder(cancelled) : null, order: renderOrder(order) };
    }, { body: ReplaceRequestBody, ...describe("orders", "Cancel-replace", "Cancels the order and places `order` (any order request) in one engine step: never both, never neither. mode stopOnFailure (default): if the cancel fails (409 ORDER_NOT_OPEN), nothing is placed; allowFailure: the new order is placed anyway. If the new order is refused after the cancel, the error says so and the cancel stands.", { cancelled: { ...EXAMPLES.order, status: "canceled" }, order: EXAMPLES.order }, 201, true) })
    .post("/api/v1/orderLists", async ({ account, body, set }) => {
      const requests = body.orders.map((item) => parseOrderRequest(item, ex.markets));
      const orders = await ex.sequencer.submitList(account, body.type, requests, body.listClientOrderId ?? null);
      set.status = 201;
      return renderOrderList(orders);
    }, { body: OrderListRequestBody, ...describe("orders", "Place an order list", "oco: two orders on one side, each a post-only limit or a conditional order (stop_loss, take_profit, their _limit forms, trailing); the first fill of either, or a trigger, cancels the other in the same engine step, and the list holds what its larger order needs, once. oto: a limit order works; the second order (any type) is placed when it has filled completely. otoco: three orders, a working limit order and a pending pair placed as an oco when it has filled completely (a bracket: take-profit and stop-loss). Cancelling any order cancels the list. All orders are placed, or none.", { orderListId: "43", listClientOrderId: "my-bracket", type: "oco", status: "executing", orders: [{ ...EXAMPLES.order, orderId: "42", orderListId: "43" }, EXAMPLES.stopOrder] }, 201, true) })
    .get("/api/v1/orderLists", async ({ account, query }) => {
      const limit = intParam(query.limit, "limit", 100, 1, 1000);
      const upTo = await ex.readable(storedBy(account));
      return ex.queries.accountLists(account.id, { limit }, upTo).reverse()
        .map((id) => renderOrderList(orderListOf(ex, id, upTo)));
    }, describe("orders", "List order lists", "The account's order lists, newest first; ?limit= (default 100, at most 1,000).", [{ orderListId: "43", listClientOrderId: "my-bracket", type: "oco", status: "executing", orders: [{ ...EXAMPLES.order, orderId: "42", orderListId: "43" }, EXAMPLES.stopOrder] }], 200, true))
    .get("/api/v1/orderLists/:listId", async ({ account, params }) => {
      const id = orderIdParam(params.listId);
      const orders = orderListOf(ex, id, await ex.readable(storedBy(account)));
      if (orders.length === 0 || orders[0]!.accountId !== account.id) throw new ApiError(404, "ORDER_LIST_NOT_FOUND", `order list ${id} was not found`);
      return renderOrderList(orders);
    }, describe("orders", "Get an order list", "Its orders and its status: executing while any is open, all_done after.", { orderListId: "43", listClientOrderId: "my-bracket", type: "oco", status: "executing", orders: [{ ...EXAMPLES.order, orderId: "42", orderListId: "43" }, EXAMPLES.stopOrder] }, 200, true));
}

/** An order list as /api/v1 shows it: its id, status and orders. */
function renderOrderList(orders: OrderState[]) {
  const open = orders.some((o) => o.status === null || isOpen(o.status));
  const first = orders[0]!;
  return { orderListId: String(first.listId ?? first.id), listClientOrderId: first.listClientOrderId, type: first.listType, status: open ? "executing" : "all_done", orders: orders.map(renderOrder) };
}

export type ExchangeApp = ReturnType<typeof createApp>;

/** A preset by name (a path would read the server's files: not over the API). */
function loadPreset(name: string): ScenarioSpec {
  if (name.includes("/") || name.endsWith(".json")) throw new Error("over the API, scenario is a preset's name or a scenario object, not a file");
  return loadScenario(name);
}
