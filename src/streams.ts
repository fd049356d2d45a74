// Live streams over WebSocket, on Bun's pub/sub (one publish reaches every subscriber at little
// cost to the server). After each committed batch, each channel with subscribers gets at most one
// message, in engine order:
//   trades:SYMBOL  the batch's trades        book:SYMBOL  the levels it changed, with sequences
//   ticker:SYMBOL  the new ticker            orders       the account's orders it changed
//                                            balances     the account's balances it changed
// A book subscription starts with a snapshot; every update carries prevSequence and sequence,
// the same sequence as GET /book, so a client can rebuild the book and detect a gap. A client
// that falls too far behind is closed with code 4008 and a reason, never waited for.
import type { Server, ServerWebSocket } from "bun";
import type { Exchange } from "./exchange";
import { bookSnapshot, levelsAt, renderTrade, ticker } from "./market-data";
import type { Market } from "./markets";
import { log } from "./log";
import { pushTo } from "./collections";
import { closeGoingAway } from "./going-away";
import { renderOrder, type OrderState } from "./orders/order";
import { renderBalance } from "./assets";
import type { BatchReport } from "./core/sequencer";

/** Bytes a client may have waiting before it is dropped (by default). */
export const MAX_BUFFERED_BYTES = 8 << 20;
export const SLOW_CONSUMER_CODE = 4008;
const SNAPSHOT_DEPTH = 1000;

interface SocketState { accountId?: number }
type Socket = ServerWebSocket<unknown>;

export class MarketStreams {
  private server: Server<unknown> | null = null;
  private readonly sockets = new Map<Socket, SocketState>();
  /** Sockets authenticated as each account: only their accounts' orders and balances are sent. */
  private readonly accountSockets = new Map<number, number>();
  private readonly published: number[];

  constructor(private readonly ex: Exchange, private readonly maxBufferedBytes = MAX_BUFFERED_BYTES) {
    this.published = ex.markets.list.map((m) => ex.engine.sequence(m.index));
  }

  attach(server: Server<unknown>): void {
    this.server = server;
  }

  get clients(): number {
    return this.sockets.size;
  }

  opened(ws: Socket): void {
    this.sockets.set(ws, {});
  }

  closed(ws: Socket): void {
    this.forgetAccount(this.sockets.get(ws));
    this.sockets.delete(ws);
  }

  /** Closes every connection (going away): a server's graceful stop waits for its sockets. */
  close(): void {
    for (const ws of [...this.sockets.keys()]) closeGoingAway(ws);
  }

  private forgetAccount(state: SocketState | undefined): void {
    const id = state?.accountId;
    if (id === undefined) return;
    const n = this.accountSockets.get(id)! - 1;
    if (n === 0) this.accountSockets.delete(id);
    else this.accountSockets.set(id, n);
  }

  /** Handles one client message; returns the answer to send back. */
  message(ws: Socket, raw: unknown): Record<string, unknown> {
    const state = this.sockets.get(ws) ?? {};
    let msg: unknown = raw;
    if (typeof raw === "string") {
      try { msg = JSON.parse(raw); } catch { return { type: "error", message: "messages must be JSON objects" }; }
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return { type: "error", message: "messages must be JSON objects" };
    const { op, channel, apiKey } = msg as Record<string, unknown>;
    if (op === "ping") return { type: "pong" };
    if (op === "auth") {
      const account = typeof apiKey === "string" && apiKey.length <= 128 ? this.ex.accounts.byApiKey(apiKey) : undefined;
      if (!account) return { type: "error", message: "unknown API key" };
      if (state.accountId !== account.id) {
        if (state.accountId !== undefined) {
          ws.unsubscribe(`orders:${state.accountId}`);
          ws.unsubscribe(`balances:${state.accountId}`);
        }
        this.forgetAccount(state);
        state.accountId = account.id;
        this.accountSockets.set(account.id, (this.accountSockets.get(account.id) ?? 0) + 1);
      }
      return { type: "authenticated", accountId: String(account.id) };
    }
    if (op !== "subscribe" && op !== "unsubscribe") return { type: "error", message: 'op must be one of "subscribe", "unsubscribe", "auth", "ping"' };
    if (typeof channel !== "string") return { type: "error", message: "channel must be a string such as \"book:BTC-USD\"" };
    const topic = this.topic(channel, state);
    if (typeof topic !== "string") return topic;
    if (op === "unsubscribe") {
      ws.unsubscribe(topic);
      return { type: "unsubscribed", channel };
    }
    ws.subscribe(topic);
    if (channel.startsWith("book:")) {
      // Sent between batches: the next update's prevSequence is this snapshot's sequence.
      const m = this.ex.markets.get(channel.slice(5))!;
      ws.send(JSON.stringify({ channel, type: "snapshot", ...bookSnapshot(this.ex, m, SNAPSHOT_DEPTH) }));
    }
    return { type: "subscribed", channel };
  }

  private topic(channel: string, state: SocketState): string | Record<string, unknown> {
    if (channel === "orders" || channel === "balances") {
      if (state.accountId === undefined) return { type: "error", message: 'authenticate first: {"op":"auth","apiKey":"…"}' };
      return `${channel}:${state.accountId}`;
    }
    const parts = channel.split(":");
    const [kind, symbol] = parts;
    if ((kind !== "trades" && kind !== "book" && kind !== "ticker") || parts.length > 2) {
      return { type: "error", message: `unknown channel "${channel.slice(0, 64)}": trades:SYMBOL, book:SYMBOL, ticker:SYMBOL, orders or balances` };
    }
    if (!symbol || !this.ex.markets.get(symbol)) return { type: "error", message: `symbol "${(symbol ?? "").slice(0, 64)}" is not a market here` };
    return channel;
  }

  /** Publishes what a committed batch changed. */
  publish(report: BatchReport): void {
    const server = this.server;
    if (!server) return;
    if (this.sockets.size === 0) {
      // No one to send to; the books' sequences still move on, for the next subscriber's updates.
      for (let index = 0; index < this.published.length; index++) this.published[index] = this.ex.engine.sequence(index);
      return;
    }
    const send = (topic: string, build: () => unknown) => {
      if (server.subscriberCount(topic) > 0) server.publish(topic, JSON.stringify(build()));
    };
    const markets = new Set<Market>();
    for (const [index, [bids, asks]] of report.levels) {
      const m = this.ex.markets.list[index]!;
      markets.add(m);
      const prevSequence = this.published[index]!;
      const sequence = (this.published[index] = this.ex.engine.sequence(index));
      send(`book:${m.symbol}`, () => ({
        channel: `book:${m.symbol}`, type: "update", prevSequence, sequence, bids: levelsAt(this.ex, m, 0, bids), asks: levelsAt(this.ex, m, 1, asks),
      }));
    }
    const tradesBySymbol = new Map<string, BatchReport["trades"]>();
    for (const t of report.trades) pushTo(tradesBySymbol, t.symbol, t);
    for (const [symbol, trades] of tradesBySymbol) {
      const m = this.ex.markets.get(symbol)!;
      markets.add(m);
      send(`trades:${symbol}`, () => ({ channel: `trades:${symbol}`, type: "trades", trades: trades.map((t) => renderTrade(m, t)) }));
    }
    for (const m of markets) send(`ticker:${m.symbol}`, () => ({ channel: `ticker:${m.symbol}`, type: "ticker", ...ticker(this.ex, m) }));
    if (this.accountSockets.size === 0) return this.dropSlowConsumers();
    const listening = (accountId: number) => this.accountSockets.has(accountId);
    const byAccount = new Map<number, OrderState[]>();
    for (const o of report.orders) if (listening(o.accountId)) pushTo(byAccount, o.accountId, o);
    const eventsByAccount = new Map<number, { orderId: string; event: string }[]>();
    for (const e of report.orderEvents) {
      if (listening(e.order.accountId)) pushTo(eventsByAccount, e.order.accountId, { orderId: String(e.order.id), event: e.event });
    }
    for (const [accountId, orders] of byAccount) {
      // events: what the orders' states alone do not tell (a trigger, an iceberg's next slice, a
      // list member cancelled by the other), in the order they happened.
      send(`orders:${accountId}`, () => ({ channel: "orders", type: "orders", orders: orders.map(renderOrder), events: eventsByAccount.get(accountId) ?? [] }));
    }
    const balancesByAccount = new Map<number, BatchReport["balances"]>();
    for (const b of report.balances) if (listening(b.accountId)) pushTo(balancesByAccount, b.accountId, b);
    for (const [accountId, balances] of balancesByAccount) {
      send(`balances:${accountId}`, () => ({
        channel: "balances", type: "balances",
        balances: balances.map((b) => renderBalance(this.ex.markets.assets.get(b.asset)!, b)),
      }));
    }
    this.dropSlowConsumers();
  }

  private dropSlowConsumers(): void {
    for (const ws of this.sockets.keys()) {
      if (ws.getBufferedAmount() > this.maxBufferedBytes) {
        ws.close(SLOW_CONSUMER_CODE, `slow consumer: more than ${this.maxBufferedBytes} bytes waiting`);
        log("info", "dropped a slow WebSocket client", { bufferedBytes: ws.getBufferedAmount() });
        // Forgotten now, its account's count too (its close handler then finds nothing to forget).
        this.closed(ws);
      }
    }
  }
}
