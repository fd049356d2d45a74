// Binance's WebSocket API (/ws-api/v3): requests {id, method, params} answered {id, status,
// result} or {id, status, error}. Signed requests carry apiKey, timestamp and signature in their
// params (signed over the other params sorted by name, k=v joined by &), unless session.logon
// has authenticated the connection. userDataStream.subscribe streams the account's events as
// {subscriptionId, event}; a subscription that ends hears eventStreamTerminated, and every
// connection hears serverShutdown when the venue stops.
import type { ServerWebSocket } from "bun";
import type { KeyedAccount } from "../accounts";
import { Outcome } from "../core/outcomes";
import type { Exchange } from "../exchange";
import { log } from "../log";
import { accountOf, checkTimestamp, verifySignature } from "./auth";
import { weightOf, type Endpoint, type Weight } from "./endpoints";
import { BinanceError, errors, fromOutcome } from "./errors";
import type { UnfilledOrderCounts } from "./order-counts";
import { Params } from "./params";
import { socketDeliver, type Deliver, type UserDataStreams } from "./user-data";
import type { RequestWeights } from "./weights";

type Socket = ServerWebSocket<unknown>;

const MAX_ACTIVE_SUBSCRIPTIONS = 1000;
const MAX_SUBSCRIPTION_ID = 65_534;

export interface ApiSocketState {
  kind: "binance-api";
  ip: string;
  connectedSince: number;
  session: { account: KeyedAccount; since: number } | null;
  /** By subscription id; `logon`: made by userDataStream.subscribe (session.logout ends it). */
  subscriptions: Map<number, { accountId: number; deliver: Deliver; logon: boolean }>;
  nextSubscriptionId: number;
}

type Security = "none" | "logon" | "signed";
/** `newOrders`: the new orders it places (the unfilled order count's, order-counts.ts). */
type Method = { weight: Weight; security: Security; newOrders?: number; run: (p: Params, account: KeyedAccount, state: ApiSocketState, ws: Socket) => unknown };

export class BinanceWebSocketApi {
  private readonly methods: Record<string, Method>;

  constructor(
    private readonly ex: Exchange, endpoints: Endpoint[], private readonly weights: RequestWeights,
    private readonly orderCounts: UnfilledOrderCounts, private readonly userData: UserDataStreams, private readonly maxBufferedBytes: number,
  ) {
    const signed = (weight: number, run: Method["run"]): Method => ({ weight, security: "signed", run });
    this.methods = {
      "session.logon": signed(2, (_p, account, state) => {
        state.session = { account, since: Date.now() };
        return this.sessionStatus(state);
      }),
      "session.status": { weight: 2, security: "none", run: (_p, _a, state) => this.sessionStatus(state) },
      "session.logout": { weight: 2, security: "none", run: (_p, _a, state) => {
        state.session = null;
        this.unsubscribe(state, (sub) => sub.logon);
        return this.sessionStatus(state);
      } },
      "session.subscriptions": { weight: 2, security: "none", run: (_p, _a, state) => [...state.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId })) },
      "userDataStream.subscribe": { weight: 2, security: "logon", run: (_p, account, state, ws) => this.subscribe(account, state, ws, true) },
      "userDataStream.subscribe.signature": signed(2, (_p, account, state, ws) => this.subscribe(account, state, ws, false)),
      "userDataStream.unsubscribe": { weight: 2, security: "none", run: (p, _a, state) => {
        const id = p.int("subscriptionId", 0, Number.MAX_SAFE_INTEGER);
        this.unsubscribe(state, (_sub, sid) => id === undefined || sid === id);
        return {};
      } },
    };
    // The rest are REST's endpoints under their WebSocket API names (order.place, allOrders, klines, …).
    for (const e of endpoints) {
      if (e.wsMethod === null) continue;
      this.methods[e.wsMethod] = { weight: e.weight, security: e.security === "signed" ? "signed" : "none", newOrders: e.newOrders, run: (p, account) => e.run({ p, account }) };
    }
  }

  newState(ip: string): ApiSocketState {
    return { kind: "binance-api", ip, connectedSince: Date.now(), session: null, subscriptions: new Map(), nextSubscriptionId: 0 };
  }

  closed(state: ApiSocketState): void {
    for (const sub of state.subscriptions.values()) this.userData.unsubscribe(sub.accountId, sub.deliver);
    state.subscriptions.clear();
  }

  /** Tells a connection the venue is about to stop (Binance's serverShutdown). */
  shuttingDown(ws: Socket): void {
    ws.send(JSON.stringify({ event: { e: "serverShutdown", E: Date.now() } }));
  }

  /** One request; resolves to the answer to send. */
  async message(ws: Socket, state: ApiSocketState, raw: unknown): Promise<Record<string, unknown>> {
    let msg: unknown = raw;
    if (typeof raw === "string") {
      try { msg = JSON.parse(raw); } catch { return failure(null, errors.badJson()); }
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return failure(null, errors.badJson());
    const { id, method, params } = msg as Record<string, unknown>;
    const answerId = typeof id === "string" || typeof id === "number" ? id : null;
    let used = 0;
    // The account whose unfilled order count the request moves (its answer shows the count).
    let placer: number | undefined;
    try {
      if (typeof method !== "string") throw errors.missing("method");
      const m = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
      if (!m) throw new BinanceError(-1020, `Unknown method '${method.slice(0, 64)}'.`);
      const p = Params.fromObject(params);
      used = this.weights.spend(state.ip, weightOf(m.weight, p));
      const account = this.authenticate(p, m.security, state);
      // As on REST: an account the CLI created waits for its funding on its first request.
      const arriving = account && this.ex.funding.arrival(account.id);
      if (arriving) await arriving;
      if (!m.newOrders) return { id: answerId, status: 200, result: await m.run(p, account, state, ws), rateLimits: this.rateLimits(used) };
      placer = account.id;
      const result = await this.orderCounts.placing(account.id, m.newOrders, () => m.run(p, account, state, ws));
      return { id: answerId, status: 200, result, rateLimits: this.rateLimits(used, placer) };
    } catch (error) {
      const e = error instanceof BinanceError ? error : error instanceof Outcome ? fromOutcome(error) : undefined;
      if (e) return failure(answerId, e, this.rateLimits(used || this.weights.current(state.ip), placer));
      log("error", "binance WebSocket API: unhandled error", { error: String(error) });
      return failure(answerId, errors.internal());
    }
  }

  private authenticate(p: Params, security: Security, state: ApiSocketState): KeyedAccount {
    if (security === "none") return undefined as unknown as KeyedAccount;
    if (security === "logon") {
      if (!state.session) throw errors.unauthorized();
      return state.session.account;
    }
    // Within a logged-on session a request may leave out apiKey and signature (not timestamp).
    if (state.session && !p.has("apiKey") && !p.has("signature")) {
      checkTimestamp(p.optional("timestamp"), p.optional("recvWindow"));
      return state.session.account;
    }
    const account = accountOf(this.ex.accounts, p.optional("apiKey"));
    checkTimestamp(p.optional("timestamp"), p.optional("recvWindow"));
    const payload = p.entries().filter(([k]) => k !== "signature").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`).join("&");
    verifySignature(account, payload, p.optional("signature"));
    return account;
  }

  /** One account's events on this connection: one subscription an account, at most
   *  MAX_ACTIVE_SUBSCRIPTIONS at a time and MAX_SUBSCRIPTION_ID over its life, as Binance has it. */
  private subscribe(account: KeyedAccount, state: ApiSocketState, ws: Socket, logon: boolean) {
    if ([...state.subscriptions.values()].some((sub) => sub.accountId === account.id)) throw errors.subscriptionActive();
    if (state.subscriptions.size >= MAX_ACTIVE_SUBSCRIPTIONS) throw errors.tooManySubscriptions(MAX_ACTIVE_SUBSCRIPTIONS);
    if (state.nextSubscriptionId > MAX_SUBSCRIPTION_ID) throw errors.subscriptionIdsUsedUp();
    const subscriptionId = state.nextSubscriptionId++;
    const deliver = socketDeliver(ws, this.maxBufferedBytes, (event) => ({ subscriptionId, event }));
    state.subscriptions.set(subscriptionId, { accountId: account.id, deliver, logon });
    this.userData.subscribe(account.id, deliver);
    return { subscriptionId };
  }

  /** Ends the subscriptions `which` picks, each with its last event, eventStreamTerminated. */
  private unsubscribe(state: ApiSocketState, which: (sub: { logon: boolean }, subscriptionId: number) => boolean): void {
    for (const [subscriptionId, sub] of state.subscriptions) {
      if (!which(sub, subscriptionId)) continue;
      this.userData.unsubscribe(sub.accountId, sub.deliver);
      state.subscriptions.delete(subscriptionId);
      sub.deliver({ e: "eventStreamTerminated", E: Date.now() });
    }
  }

  private sessionStatus(state: ApiSocketState) {
    return {
      apiKey: null, authorizedSince: state.session?.since ?? null, connectedSince: state.connectedSince,
      returnRateLimits: true, serverTime: Date.now(), userDataStream: state.subscriptions.size > 0,
    };
  }

  /** The request weight used, and the unfilled order counts of `placer` (an order placement's). */
  private rateLimits(used: number, placer?: number) {
    const weight = { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: this.weights.limit, count: used };
    return placer === undefined ? [weight] : [weight, ...this.orderCounts.view(placer)];
  }
}

function failure(id: unknown, e: BinanceError, rateLimits?: unknown): Record<string, unknown> {
  return { id, status: e.status, error: e.body(), ...(rateLimits ? { rateLimits } : {}) };
}
