// The order registry: every order the engine may hold (queued new orders and open ones), by id,
// by account and by client order id, and the orders' state machine (new -> partially_filled ->
// filled | canceled | expired; or rejected). Closed orders leave it, remembered briefly for the
// answer to a late cancel.
import type { Account } from "../accounts";
import { CLOSED_STATUSES, isOpen, type OrderState, type OrderStatus } from "../orders/order";
import { Outcome } from "./outcomes";

/**
 * Recently closed orders, remembered for the answer to a late cancel (ORDER_NOT_OPEN without a
 * database read), in slots by order id: ids are given out in order, so the slots hold about the
 * last 65,536 orders, and a lookup or a store is an array access, with nothing allocated.
 */
class RecentlyClosed {
  private static readonly SLOTS = 65_536;
  private readonly ids = new Float64Array(RecentlyClosed.SLOTS);
  private readonly accounts = new Float64Array(RecentlyClosed.SLOTS);
  private readonly statuses = new Uint8Array(RecentlyClosed.SLOTS);

  remember(o: OrderState): void {
    const slot = o.id % RecentlyClosed.SLOTS;
    this.ids[slot] = o.id;
    this.accounts[slot] = o.accountId;
    this.statuses[slot] = CLOSED_STATUSES.indexOf(o.status!);
  }

  get(orderId: number): { accountId: number; status: OrderStatus } | undefined {
    const slot = orderId % RecentlyClosed.SLOTS;
    if (this.ids[slot] !== orderId) return undefined;
    return { accountId: this.accounts[slot]!, status: CLOSED_STATUSES[this.statuses[slot]!]! };
  }
}

/**
 * The live orders by id. Ids are given out in order and most orders close soon after, so each
 * goes in the slot of its id modulo SLOTS, found by an array access with nothing hashed; an order
 * whose slot an older one still holds goes in a map beside them (looked in only when not empty).
 */
class LiveOrders {
  private static readonly SLOTS = 1 << 16;
  private readonly slots: (OrderState | undefined)[] = new Array(LiveOrders.SLOTS).fill(undefined);
  private readonly overflow = new Map<number, OrderState>();

  get(id: number): OrderState | undefined {
    const o = this.slots[id & (LiveOrders.SLOTS - 1)];
    if (o !== undefined && o.id === id) return o;
    return this.overflow.size === 0 ? undefined : this.overflow.get(id);
  }

  /** Adds an order not yet here. */
  add(o: OrderState): void {
    const i = o.id & (LiveOrders.SLOTS - 1);
    if (this.slots[i] === undefined) this.slots[i] = o;
    else this.overflow.set(o.id, o);
  }

  /** Removes an order that is here. */
  remove(o: OrderState): void {
    const i = o.id & (LiveOrders.SLOTS - 1);
    if (this.slots[i] === o) this.slots[i] = undefined;
    else this.overflow.delete(o.id);
  }

  /** Every order, by id. */
  all(): OrderState[] {
    const all = [...this.overflow.values()];
    for (const o of this.slots) if (o !== undefined) all.push(o);
    return all.sort((a, b) => a.id - b.id);
  }
}

export class OrderRegistry {
  private readonly live = new LiveOrders();
  /** Each account's orders, by account id (small and dense): an array, in which each order knows
   *  its slot, so that it leaves by a swap with the last. (A map per account, and a map of the live
   *  orders, were a tenth of a simulated day's time: BENCHMARKS.md.) */
  private readonly byAccount: (OrderState[] | undefined)[] = [];
  private readonly clientOrderIds = new Map<string, number>();
  private readonly recentlyClosed = new RecentlyClosed();

  /** `stored`: the owner and status of an order no longer in memory (a database read). */
  constructor(private readonly stored: (orderId: number) => { accountId: number; status: OrderStatus } | undefined) {}

  get(orderId: number): OrderState | undefined {
    return this.live.get(orderId);
  }

  /** Every order it holds, oldest first. */
  all(): OrderState[] {
    return this.live.all();
  }

  openCount(accountId: number): number {
    return this.byAccount[accountId]?.length ?? 0;
  }

  /** The account's orders (in `symbol`), oldest first. */
  ofAccount(accountId: number, symbol?: string): OrderState[] {
    const mine = this.byAccount[accountId];
    return mine ? mine.filter((o) => !symbol || o.market.symbol === symbol).sort((a, b) => a.id - b.id) : [];
  }

  /** The open (or queued) order of the account with this client order id. */
  byClientOrderId(accountId: number, clientOrderId: string): OrderState | undefined {
    const id = this.clientOrderIds.get(clientKey(accountId, clientOrderId));
    return id === undefined ? undefined : this.live.get(id);
  }

  hasClientOrderId(accountId: number, clientOrderId: string): boolean {
    return this.clientOrderIds.has(clientKey(accountId, clientOrderId));
  }

  /** An open order of the account; UNKNOWN_ORDER or ORDER_NOT_OPEN otherwise. */
  liveOrderOf(account: Account, orderId: number): OrderState {
    const order = this.live.get(orderId);
    if (order && order.accountId === account.id) return order;
    const closed = order ? undefined : this.recentlyClosed.get(orderId) ?? this.stored(orderId);
    if (closed && closed.accountId === account.id) {
      throw new Outcome("ORDER_NOT_OPEN", `order ${orderId} is ${closed.status}, not open`);
    }
    throw new Outcome("UNKNOWN_ORDER", `order ${orderId} was not found`);
  }

  track(o: OrderState): void {
    if (o.accountSlot >= 0) return; // (tracked already)
    this.live.add(o);
    const mine = this.byAccount[o.accountId] ??= [];
    o.accountSlot = mine.length;
    mine.push(o);
    if (o.clientOrderId !== null) this.clientOrderIds.set(clientKey(o.accountId, o.clientOrderId), o.id);
  }

  /** Forgets an order that never reached the book (refused by the engine: no order exists). */
  forget(o: OrderState): void {
    if (o.accountSlot < 0) return;
    this.live.remove(o);
    const mine = this.byAccount[o.accountId]!;
    const last = mine.pop()!;
    if (last !== o) {
      mine[o.accountSlot] = last;
      last.accountSlot = o.accountSlot;
    }
    o.accountSlot = -1;
    if (o.clientOrderId !== null) this.clientOrderIds.delete(clientKey(o.accountId, o.clientOrderId));
  }

  /** The state machine's one transition; a closed order leaves the registry. */
  setStatus(order: OrderState, status: OrderStatus, now: number): void {
    order.status = status;
    order.updatedAt = now;
    if (!isOpen(status)) {
      this.forget(order);
      this.recentlyClosed.remember(order);
    }
  }
}

function clientKey(accountId: number, clientOrderId: string): string {
  return `${accountId}:${clientOrderId}`;
}
