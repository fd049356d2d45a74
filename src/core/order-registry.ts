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
 * last 65,536 orders, and a lookup or a store is an array access, with nothing allocated. Each
 * keeps the journal entry of the batch that closed it, so that a read of its stored row waits for
 * that batch only, not for every batch acknowledged since.
 */
class RecentlyClosed {
  private static readonly SLOTS = 65_536;
  private readonly ids = new Float64Array(RecentlyClosed.SLOTS);
  private readonly accounts = new Float64Array(RecentlyClosed.SLOTS);
  private readonly statuses = new Uint8Array(RecentlyClosed.SLOTS);
  private readonly seqs = new Float64Array(RecentlyClosed.SLOTS);
  /** The newest closing entry of the orders whose slots newer ones took: every order closed
   *  since the start and no longer here closed at or before it. */
  private evictedSeq = 0;

  remember(o: OrderState, seq: number): void {
    const slot = o.id % RecentlyClosed.SLOTS;
    if (this.ids[slot] !== 0 && this.ids[slot] !== o.id) this.evictedSeq = Math.max(this.evictedSeq, this.seqs[slot]!);
    this.ids[slot] = o.id;
    this.accounts[slot] = o.accountId;
    this.statuses[slot] = CLOSED_STATUSES.indexOf(o.status!);
    this.seqs[slot] = seq;
  }

  /** The journal entry by which an order that is not live was closed (or an older one's). */
  closedBy(orderId: number): number {
    const slot = orderId % RecentlyClosed.SLOTS;
    return this.ids[slot] === orderId ? this.seqs[slot]! : this.evictedSeq;
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
  /** By account id: the last journal entry given out when a batch changed its orders, trades or
   *  funding (what its reads of the store must wait for). */
  private readonly accountSeqs: number[] = [];

  /**
   * `stored`: the owner and status of an order no longer in memory (a database read, which need
   * only see the journal up to `upToSeq`); `currentSeq`: the last journal entry given out, that of
   * the batch being applied.
   */
  constructor(
    private readonly stored: (orderId: number, upToSeq: number) => { accountId: number; status: OrderStatus } | undefined,
    private readonly currentSeq: () => number = () => 0,
  ) {}

  get(orderId: number): OrderState | undefined {
    return this.live.get(orderId);
  }

  /** An open order of the account's list with this client id (a scan of its open orders: lists
   *  are placed and looked up by their client id seldom). */
  openListByClientId(accountId: number, listClientOrderId: string): OrderState | undefined {
    return this.byAccount[accountId]?.find((o) => o.listClientOrderId === listClientOrderId);
  }

  /** DUPLICATE_CLIENT_ORDER_ID if an open list of the account has this client id. */
  checkListClientOrderIdFree(accountId: number, listClientOrderId: string): void {
    if (this.openListByClientId(accountId, listClientOrderId)) {
      throw new Outcome("DUPLICATE_CLIENT_ORDER_ID", `listClientOrderId "${listClientOrderId}" is already used by an open order list of this account`);
    }
  }

  /** Orders read from the store, each one still open as it is in memory: a row does not tell
   *  whether its order waits outside the book or is pending (an OTO's pending order). */
  current(orders: OrderState[]): OrderState[] {
    return orders.map((o) => this.live.get(o.id) ?? o);
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

  /** DUPLICATE_CLIENT_ORDER_ID if an open order of the account other than `orderId` has it. */
  checkClientOrderIdFree(accountId: number, clientOrderId: string, orderId = -1): void {
    const holder = this.clientOrderIds.get(clientKey(accountId, clientOrderId));
    if (holder !== undefined && holder !== orderId) {
      throw new Outcome("DUPLICATE_CLIENT_ORDER_ID", `clientOrderId "${clientOrderId}" is already used by an open order of this account`);
    }
  }

  /** Holds `clientOrderId` for the order while an amendment that gives it queues (null: none):
   *  DUPLICATE_CLIENT_ORDER_ID if another open order of the account has it. */
  reserveClientOrderId(order: OrderState, clientOrderId: string | null): void {
    if (clientOrderId === null || clientOrderId === order.clientOrderId) return;
    this.checkClientOrderIdFree(order.accountId, clientOrderId, order.id);
    this.clientOrderIds.set(clientKey(order.accountId, clientOrderId), order.id);
  }

  /** The order's client order id is now `clientOrderId` (reserved, or replayed). */
  renameClientOrderId(order: OrderState, clientOrderId: string | null): void {
    if (clientOrderId === order.clientOrderId) return;
    if (order.clientOrderId !== null) this.clientOrderIds.delete(clientKey(order.accountId, order.clientOrderId));
    order.clientOrderId = clientOrderId;
    if (clientOrderId !== null && order.accountSlot >= 0) this.clientOrderIds.set(clientKey(order.accountId, clientOrderId), order.id);
  }

  /** A reservation given up: its amendment was refused. */
  releaseClientOrderId(order: OrderState, clientOrderId: string | null): void {
    if (clientOrderId === null || clientOrderId === order.clientOrderId) return;
    const key = clientKey(order.accountId, clientOrderId);
    if (this.clientOrderIds.get(key) === order.id) this.clientOrderIds.delete(key);
  }

  /** An open order of the account; UNKNOWN_ORDER or ORDER_NOT_OPEN otherwise. */
  liveOrderOf(account: Account, orderId: number): OrderState {
    const order = this.live.get(orderId);
    if (order && order.accountId === account.id) return order;
    const closed = order ? undefined : this.recentlyClosed.get(orderId) ?? this.stored(orderId, this.storedBy(orderId));
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
      this.recentlyClosed.remember(order, this.currentSeq());
    }
  }

  /** For an order that is not live: the journal entry up to which the store must be written for
   *  its row to be final (the batch that closed it, or, for one closed long ago, an older one). */
  storedBy(orderId: number): number {
    return this.recentlyClosed.closedBy(orderId);
  }

  /** A batch changed the account's orders, trades or funding (called once it is applied). */
  accountChanged(accountId: number): void {
    this.accountSeqs[accountId] = this.currentSeq();
  }

  /** The journal entry up to which the store must be written for every row of the account to be
   *  as acknowledged (0: none changed since the start, when the store was complete). */
  accountStoredBy(accountId: number): number {
    return this.accountSeqs[accountId] ?? 0;
  }
}

function clientKey(accountId: number, clientOrderId: string): string {
  return `${accountId}:${clientOrderId}`;
}
