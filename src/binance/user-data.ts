// Binance's user data stream: after each committed batch, every subscribed account hears what it
// changed, as Binance words it: executionReport (one per new order, per fill and per close),
// outboundAccountPosition (the balances the batch changed), balanceUpdate (deposits and
// withdrawals) and listStatus (order lists). Subscribers are WebSocket API sessions and the
// listenKey shim's sockets; each gets the events through its own `deliver`.
import { randomBytes } from "node:crypto";
import type { ServerWebSocket } from "bun";
import type { Account } from "../accounts";
import type { BatchReport } from "../core/sequencer";
import type { PreventedMatchRecord } from "../store/projection-writer";
import type { Exchange } from "../exchange";
import type { CancelIds } from "./cancel-ids";
import { pushTo } from "../collections";
import { CommandKind } from "../../native/layout";
import { isOpen, isPendingMember, LIST_SIZE, type OrderState } from "../orders/order";
import { errors } from "./errors";
import { SLOW_CONSUMER_CODE } from "./market-streams";
import { clientOrderIdOf, listStatus, orderListIdOf, origQuantityOf, preventedQuantityOf, shownClientOrderId, statusName, stpName, typeName } from "./render";

export type Deliver = (event: Record<string, unknown>) => void;

/**
 * A Deliver that sends each event to `ws` (as `frame` wraps it) and, like the market streams,
 * closes a socket more than `maxBufferedBytes` behind rather than queueing without bound.
 */
export function socketDeliver(ws: ServerWebSocket<unknown>, maxBufferedBytes: number, frame: (event: Record<string, unknown>) => unknown = (e) => e): Deliver {
  return (event) => {
    if (ws.getBufferedAmount() > maxBufferedBytes) {
      ws.close(SLOW_CONSUMER_CODE, `slow consumer: more than ${maxBufferedBytes} bytes waiting`);
      return;
    }
    ws.send(JSON.stringify(frame(event)));
  };
}

const LISTEN_KEY_TTL_MS = 60 * 60_000;

type Execution = "NEW" | "TRADE" | "CANCELED" | "EXPIRED" | "TRADE_PREVENTION" | "REJECTED" | "REPLACED";

export class UserDataStreams {
  private readonly subscribers = new Map<number, Set<Deliver>>();
  private readonly listenKeys = new Map<string, { accountId: number; expires: number }>();

  constructor(private readonly ex: Exchange, private readonly cancelIds: CancelIds) {}

  subscribe(accountId: number, deliver: Deliver): void {
    let set = this.subscribers.get(accountId);
    if (!set) this.subscribers.set(accountId, (set = new Set()));
    set.add(deliver);
  }

  unsubscribe(accountId: number, deliver: Deliver): void {
    const set = this.subscribers.get(accountId);
    set?.delete(deliver);
    if (set?.size === 0) this.subscribers.delete(accountId);
  }

  // ---- listenKeys: valid for an hour after their last keep-alive ---------------------------
  createListenKey(account: Account): string {
    this.expireListenKeys();
    const key = randomBytes(32).toString("hex");
    this.listenKeys.set(key, { accountId: account.id, expires: Date.now() + LISTEN_KEY_TTL_MS });
    return key;
  }

  keepAlive(account: Account, key: string): void {
    const entry = this.listenKeys.get(key);
    if (!entry || entry.accountId !== account.id || entry.expires < Date.now()) throw errors.badListenKey();
    entry.expires = Date.now() + LISTEN_KEY_TTL_MS;
  }

  closeListenKey(account: Account, key: string): void {
    const entry = this.listenKeys.get(key);
    if (!entry || entry.accountId !== account.id) throw errors.badListenKey();
    this.listenKeys.delete(key);
  }

  /** The account a live listenKey belongs to. */
  accountOfListenKey(key: string): number | undefined {
    const entry = this.listenKeys.get(key);
    return entry && entry.expires >= Date.now() ? entry.accountId : undefined;
  }

  private expireListenKeys(): void {
    const now = Date.now();
    for (const [key, entry] of this.listenKeys) if (entry.expires < now) this.listenKeys.delete(key);
  }

  // ---- events ----------------------------------------------------------------------------
  publish(report: BatchReport): void {
    if (this.subscribers.size === 0) return;
    const E = this.ex.clock.now();
    const events = new Map<number, Record<string, unknown>[]>();
    const add = (accountId: number, event: Record<string, unknown>) => {
      if (this.subscribers.has(accountId)) pushTo(events, accountId, event);
    };
    const byId = new Map<number, OrderState>();
    for (const o of report.orders) byId.set(o.id, o);

    // New orders, in journal order.
    for (const entry of report.journal) {
      if (entry.kind !== CommandKind.limit && entry.kind !== CommandKind.market && entry.kind !== CommandKind.cancelReplace) continue;
      const o = byId.get(entry.orderId);
      if (o && o.status !== "rejected") add(o.accountId, executionReport(o, "NEW", E));
    }
    // An OTO's pending orders its working order released: placed now (they were PENDING_NEW).
    for (const { order, event } of report.orderEvents) {
      if (event === "placed") add(order.accountId, executionReport(order, "NEW", E, { released: true }));
    }
    // Each fill, for the taker and the maker.
    for (const t of report.trades) {
      for (const id of [t.takerOrderId, t.makerOrderId]) {
        const o = byId.get(id);
        if (o) add(o.accountId, executionReport(o, "TRADE", E, { tradeId: t.id }));
      }
    }
    // Orders lowered in place (amend keep priority), each with the client order id it had; a list
    // whose order took a new one is UPDATED.
    const renamedLists = new Set<number>();
    for (const a of report.amendments) {
      const o = byId.get(a.orderId);
      if (!o) continue;
      add(o.accountId, executionReport(o, "REPLACED", E, { origClientOrderId: shownClientOrderId(o.id, a.origClientOrderId) }));
      if (o.listId !== null && a.newClientOrderId !== a.origClientOrderId) renamedLists.add(o.listId);
    }
    // Orders that closed other than by filling (or by an amendment, told above); one that
    // self-trade prevention expired, with the prevented match that did it (its last in this batch).
    const prevented = new Map<number, PreventedMatchRecord>();
    for (const p of report.preventedMatches) prevented.set(p.takerOrderId, p).set(p.makerOrderId, p);
    const lists = new Map<number, number>();
    for (const o of report.orders) {
      if (!this.subscribers.has(o.accountId)) continue;
      if (o.listId !== null) lists.set(o.listId, o.accountId);
      if (o.status === "canceled") add(o.accountId, executionReport(o, "CANCELED", E, { cancelId: this.cancelIds.ofOrder(o.id) }));
      else if (o.status === "expired" && o.expireReason === "SELF_TRADE_PREVENTION") add(o.accountId, executionReport(o, "TRADE_PREVENTION", E, { prevented: prevented.get(o.id) }));
      else if (o.status === "expired" && o.expireReason !== "AMENDED") add(o.accountId, executionReport(o, "EXPIRED", E));
      else if (o.status === "rejected" && !o.postOnly) add(o.accountId, executionReport(o, "REJECTED", E));
    }
    // A list's orders are its id and the next ones (Sequencer.submitListTo): from this batch, or
    // live, or stored before it (a read of the store that waits for this batch would hold up the
    // server).
    const registry = this.ex.sequencer.registry;
    const orderOf = (id: number) => byId.get(id) ?? registry.get(id) ?? this.ex.queries.order(id, registry.storedBy(id));
    for (const [listId, accountId] of lists) {
      const first = orderOf(listId);
      if (first?.listId !== listId) continue;
      const orders = Array.from({ length: LIST_SIZE[first.listType!] }, (_, k) => orderOf(listId + k));
      if (orders.every((o) => o?.listId === listId)) add(accountId, { e: "listStatus", E, ...listStatusEvent(orders as OrderState[], renamedLists.has(listId), this.cancelIds.ofList(listId)) });
    }
    for (const l of report.ledger) {
      add(l.accountId, { e: "balanceUpdate", E, a: l.asset, d: this.ex.markets.assets.get(l.asset)!.format(l.amount), T: l.time });
    }
    const balances = new Map<number, BatchReport["balances"]>();
    for (const b of report.balances) if (this.subscribers.has(b.accountId)) pushTo(balances, b.accountId, b);
    for (const [accountId, list] of balances) {
      add(accountId, {
        e: "outboundAccountPosition", E, u: E,
        B: list.map((b) => {
          const asset = this.ex.markets.assets.get(b.asset)!;
          return { a: b.asset, f: asset.format(b.free), l: asset.format(b.locked) };
        }),
      });
    }
    for (const [accountId, list] of events) {
      for (const deliver of this.subscribers.get(accountId) ?? []) for (const event of list) deliver(event);
    }
  }
}

/** A list's status; `updated`: one of its orders took a new client order id; `cancelId`: the id
 *  of a cancel of the list in flight, shown as the list's once it is done. */
function listStatusEvent(orders: OrderState[], updated: boolean, cancelId: string | undefined) {
  const s = listStatus(orders, "ACK");
  return {
    s: s.symbol, g: s.orderListId, c: s.contingencyType, l: updated ? "UPDATED" : s.listStatusType, L: s.listOrderStatus, r: "NONE",
    C: cancelId !== undefined && s.listStatusType === "ALL_DONE" ? cancelId : s.listClientOrderId, T: s.transactionTime, O: s.orders.map((o) => ({ s: o.symbol, i: o.orderId, c: o.clientOrderId })),
  };
}

/** What an executionReport tells besides the order: the fill (`tradeId`); the prevented match that
 *  expired it; the client order id it had before an amendment; that its OTO working order has just
 *  released it (`released`: NEW, where its placement was PENDING_NEW); the id of the cancel that
 *  cancelled it (`cancelId`, shown as `c`, the order's own as `C`). */
interface ReportDetails { tradeId?: number; prevented?: PreventedMatchRecord; origClientOrderId?: string; released?: boolean; cancelId?: string }

/** One executionReport: the order as it is, or, for a fill, as that fill left it. */
function executionReport(o: OrderState, x: Execution, E: number, { tradeId = -1, prevented, origClientOrderId, released = false, cancelId }: ReportDetails = {}): Record<string, unknown> {
  const m = o.market;
  const feeAsset = o.side === "buy" ? m.base : m.quote;
  let filled = 0, notional = 0n, last = null as OrderState["fills"][number] | null;
  // An OTO's pending order is placed PENDING_NEW (even if its working order released it at once).
  const pendingNew = x === "NEW" && isPendingMember(o) && !released;
  let status = statusName(o);
  if (x === "NEW") status = pendingNew ? "PENDING_NEW" : "NEW";
  else {
    for (const f of o.fills) {
      if (tradeId >= 0 && f.tradeId > tradeId) break;
      filled += f.quantity;
      notional += m.notional(f.price, f.quantity);
      last = f;
    }
    // The last fill leaves the order as it is now; an earlier one left it partially filled.
    if (x === "TRADE") status = last !== null && last === o.fills[o.fills.length - 1] && o.status === "filled" ? "FILLED" : "PARTIALLY_FILLED";
  }
  const isFill = x === "TRADE" && last !== null;
  return {
    e: "executionReport", E, s: m.binanceSymbol, c: cancelId ?? clientOrderIdOf(o), S: o.side === "buy" ? "BUY" : "SELL", o: typeName(o),
    f: o.timeInForce, q: origQuantityOf(o), p: m.formatPrice(o.price ?? 0),
    P: m.formatPrice(o.stopPrice ?? 0), F: m.formatQuantity(o.icebergQuantity ?? 0), g: orderListIdOf(o),
    C: x === "CANCELED" ? clientOrderIdOf(o) : origClientOrderId ?? "", x, X: status, r: "NONE", i: o.id,
    l: m.formatQuantity(isFill ? last!.quantity : 0), z: m.formatQuantity(filled), L: m.formatPrice(isFill ? last!.price : 0),
    n: feeAsset.format(isFill ? last!.fee : 0n), N: isFill ? feeAsset.symbol : null, T: isFill ? last!.time : o.updatedAt,
    t: isFill ? last!.tradeId : -1, I: 0, w: !pendingNew && isOpen(o.status) && !o.waiting, m: isFill ? last!.liquidity === "maker" : false, M: false,
    O: o.createdAt, Z: m.quote.format(notional), Y: m.quote.format(isFill ? m.notional(last!.price, last!.quantity) : 0n),
    Q: m.quote.format(o.quoteQuantity ?? 0n), W: o.createdAt, V: stpName(o.selfTradePrevention),
    ...(o.trailingDelta !== null ? { d: o.trailingDelta } : {}),
    ...(prevented ? preventionFields(o, prevented) : {}),
  };
}

/** What Binance adds to the report of an order self-trade prevention expired. */
function preventionFields(o: OrderState, p: PreventedMatchRecord): Record<string, unknown> {
  const m = o.market;
  const asTaker = p.takerOrderId === o.id;
  return {
    v: p.id, A: m.formatQuantity(preventedQuantityOf(o)), B: m.formatQuantity(asTaker ? p.takerQuantity : p.makerQuantity), u: -1,
    U: asTaker ? p.makerOrderId : p.takerOrderId, Cs: m.binanceSymbol,
    pl: m.formatQuantity(p.quantity), pL: m.formatPrice(p.price), pY: m.quote.format(m.notional(p.price, p.quantity)),
  };
}
