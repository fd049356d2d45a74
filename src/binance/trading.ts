// Trading in Binance's words, shared by REST and the WebSocket API: orders placed, found,
// cancelled and replaced through the core, and order lists. The core's refusals (outcomes) go on
// to the route, which gives them Binance's codes; only cancel-replace reads them here.
import type { KeyedAccount } from "../accounts";
import { Outcome } from "../core/outcomes";
import { orderListOf, type Exchange } from "../exchange";
import type { Market } from "../markets";
import { isOpen, LIST_SIZE, paysForward, type CancelRestriction, type OrderListType, type OrderState } from "../orders/order";
import type { CancelIds } from "./cancel-ids";
import { amendRefusal, BinanceError, errors, fromOutcome, MESSAGES } from "./errors";
import { Params, parseNewOrder, type NewOrder } from "./params";
import { amendedOrder, amendmentView, clientOrderIdOf, listClientOrderIdOf, listStatus, orderResponse, orderView, randomClientOrderId } from "./render";

/** What the surface shares between REST and the WebSocket API: the core's operations in Binance's words. */
export class BinanceTrading {
  constructor(readonly ex: Exchange, private readonly cancelIds: CancelIds) {}

  lastPrice = (m: Market) => this.ex.stats.lastPrice(m.index);

  /** How far the store must be written for the account's reads (OrderRegistry.accountStoredBy). */
  storedBy = (account: KeyedAccount) => this.ex.sequencer.registry.accountStoredBy(account.id);

  /** Awaits the batches a read needs: the account's, or (without one) every batch acknowledged. */
  readable = (account?: KeyedAccount) => this.ex.readable(account && this.storedBy(account));

  parseOrder(p: Params): NewOrder {
    return parseNewOrder(p, this.ex.markets, this.lastPrice);
  }

  async place(account: KeyedAccount, order: NewOrder) {
    const placed = await this.ex.sequencer.submit(account, order.request);
    // Binance refuses a LIMIT_MAKER that would take with an error, not a rejected order.
    if (placed.status === "rejected" && placed.postOnly) throw errors.rejected(MESSAGES.wouldTake);
    return orderResponse(placed, order.responseType);
  }

  /** The account's order named by orderId or origClientOrderId (a closed one too): -2013 if none. */
  findOrder(account: KeyedAccount, m: Market, p: Params): OrderState {
    const order = this.named(account, m, p, true);
    if (!order || order.status === null) throw errors.noSuchOrder();
    return order;
  }

  async cancel(account: KeyedAccount, m: Market, p: Params) {
    const cancelId = p.clientOrderId("newClientOrderId") ?? randomClientOrderId();
    const onlyIf = cancelRestriction(p);
    const target = this.openOrder(account, m, p);
    const cancelled = await this.cancelIds.holdingOne(target.id, cancelId, () => this.ex.sequencer.cancel(account, target.id, onlyIf));
    return cancelResponse(cancelled, cancelId);
  }

  /**
   * The open (or queued) order of the account named by orderId or origClientOrderId, or -2011.
   * Found in the sequencer's memory: an order that is not open is -2011 to a cancel anyway, so no
   * read of the store is needed (bots cancel orders that have just filled all the time).
   */
  openOrder(account: KeyedAccount, m: Market, p: Params): OrderState {
    const order = this.named(account, m, p, false);
    if (!order) throw errors.cancelRejected(MESSAGES.unknownOrder);
    return order;
  }

  /** The order the parameters name, if it is the account's and in market `m`; from the live
   *  orders, and from the store too if `stored`. */
  private named(account: KeyedAccount, m: Market, p: Params, stored: boolean): OrderState | undefined {
    const id = p.int("orderId", 0, Number.MAX_SAFE_INTEGER);
    const clientId = p.clientOrderId("origClientOrderId");
    if (id === undefined && clientId === undefined) throw errors.eitherOf("orderId", "origClientOrderId");
    const registry = this.ex.sequencer.registry;
    const byId = (n: number) => registry.get(n) ?? (stored ? this.ex.queries.order(n, registry.storedBy(n)) : undefined);
    let order: OrderState | undefined;
    if (id !== undefined) order = byId(id);
    else {
      order = registry.byClientOrderId(account.id, clientId!) ?? (stored ? this.ex.queries.orderByClientId(account.id, clientId!, this.storedBy(account)) : undefined);
      // An order placed without a client order id answers to the one it is shown with.
      const generated = order ? null : /^ex(\d{1,16})$/.exec(clientId!);
      const candidate = generated ? byId(Number(generated[1])) : undefined;
      if (candidate?.clientOrderId === null) order = candidate;
    }
    if (!order || order.accountId !== account.id || order.market !== m) return undefined;
    if (clientId !== undefined && clientOrderIdOf(order) !== clientId) return undefined;
    return order;
  }

  async cancelAll(account: KeyedAccount, m: Market) {
    // (The orders the sequencer will cancel are the registry's now: it takes them when called.)
    const ids = new Map(this.ex.sequencer.registry.ofAccount(account.id, m.symbol).map((o) => [o.id, randomClientOrderId()]));
    const cancelled = await this.cancelIds.holding(ids, null, () => this.ex.sequencer.cancelAll(account, m.symbol));
    return cancelled.map((o) => cancelResponse(o, ids.get(o.id) ?? randomClientOrderId()));
  }

  openOrders(account: KeyedAccount, m: Market | undefined) {
    return this.ex.sequencer.registry.ofAccount(account.id, m?.symbol)
      .filter((o) => o.status !== null).sort((a, b) => a.id - b.id).map(orderView);
  }

  /** POST /api/v3/order/cancelReplace and order.cancelReplace. */
  async cancelReplace(account: KeyedAccount, p: Params) {
    const m = p.market(this.ex.markets);
    const mode = p.oneOf("cancelReplaceMode", ["STOP_ON_FAILURE", "ALLOW_FAILURE"] as const, () => errors.invalidValue("cancelReplaceMode"));
    if (mode === undefined) throw errors.missing("cancelReplaceMode");
    const cancelParams = Params.fromEntries(p.entries().filter(([k]) => k !== "orderId" && k !== "origClientOrderId"));
    const cancelOrderId = p.int("cancelOrderId", 0, Number.MAX_SAFE_INTEGER);
    const cancelClientId = p.clientOrderId("cancelOrigClientOrderId");
    if (cancelOrderId !== undefined) cancelParams.set("orderId", String(cancelOrderId));
    if (cancelClientId !== undefined) cancelParams.set("origClientOrderId", cancelClientId);
    // The cancel's own client id (CancelIds).
    const cancelId = p.clientOrderId("cancelNewClientOrderId") ?? randomClientOrderId();
    const onlyIf = cancelRestriction(p);
    const order = this.parseOrder(p);
    const allowFailure = mode === "ALLOW_FAILURE";
    let oldId: number;
    try {
      oldId = this.openOrder(account, m, cancelParams).id;
    } catch (error) {
      if (!(error instanceof BinanceError) || !allowFailure) throw replaceFailure(error);
      oldId = 0; // nothing to cancel: the new order is placed all the same
    }
    try {
      const replace = () => this.ex.sequencer.replace(account, oldId, order.request, allowFailure, onlyIf);
      const { cancelled, order: placed } = await (oldId ? this.cancelIds.holdingOne(oldId, cancelId, replace) : replace());
      const newOrderResponse = orderResponse(placed, order.responseType);
      if (!cancelled) {
        // An order still open was kept by the cancel's restriction; else it had closed.
        const restricted = onlyIf !== null && oldId !== 0 && isOpen(this.ex.sequencer.registry.get(oldId)?.status ?? null);
        throw new BinanceError(-2021, "Order cancel-replace partially failed.", 409, {}, {
          cancelResult: "FAILURE", newOrderResult: "SUCCESS", newOrderResponse,
          cancelResponse: errors.cancelRejected(restricted ? MESSAGES.cancelRestricted : MESSAGES.unknownOrder).body(),
        });
      }
      return { cancelResult: "SUCCESS", newOrderResult: "SUCCESS", cancelResponse: cancelResponse(cancelled, cancelId), newOrderResponse };
    } catch (error) {
      if (error instanceof Outcome && error.details.cancelled !== undefined) {
        const cancelled = this.ex.queries.order(Number(error.details.cancelled));
        throw new BinanceError(-2021, "Order cancel-replace partially failed.", 409, {}, {
          cancelResult: "SUCCESS", newOrderResult: "FAILURE",
          cancelResponse: cancelled ? cancelResponse(cancelled, cancelId) : null, newOrderResponse: fromOutcome(error).body(),
        });
      }
      if (error instanceof Outcome) throw replaceFailure(fromOutcome(error));
      throw error;
    }
  }

  /** PUT /api/v3/order/amend/keepPriority and order.amend.keepPriority: an open order's quantity
   *  lowered in place, keeping its priority (an OCO's other order with it). */
  async amendKeepPriority(account: KeyedAccount, p: Params) {
    const m = p.market(this.ex.markets);
    const newQty = p.decimal("newQty");
    if (newQty === undefined) throw errors.missing("newQty");
    // Binance gives the amended order a new client order id unless one is sent (the same one keeps it).
    const clientOrderId = p.clientOrderId("newClientOrderId") ?? randomClientOrderId();
    const target = this.named(account, m, p, false);
    if (!target) throw errors.amendRejected(MESSAGES.noSuchOrder);
    const lots = m.quantityLots(newQty);
    if (lots === target.quantity) throw errors.amendRejected(MESSAGES.noChange);
    try {
      const { order, amendment } = await this.ex.sequencer.reduce(account, target.id, lots, clientOrderId);
      const r: Record<string, unknown> = { transactTime: amendment.time, executionId: amendment.id, amendedOrder: amendedOrder(order, amendment) };
      if (order.listId !== null) {
        const list = listStatus(this.listOrders(account, order.listId), "ACK");
        r.listStatus = {
          orderListId: list.orderListId, contingencyType: list.contingencyType, listOrderStatus: list.listOrderStatus,
          listClientOrderId: list.listClientOrderId, symbol: list.symbol, orders: list.orders,
        };
      }
      return r;
    } catch (error) {
      throw error instanceof Outcome ? amendRefusal(error) : error;
    }
  }

  /** GET /api/v3/order/amendments and order.amendments: an order's amendments, oldest first. */
  async amendments(account: KeyedAccount, p: Params) {
    const m = p.market(this.ex.markets);
    const orderId = p.int("orderId", 0, Number.MAX_SAFE_INTEGER);
    if (orderId === undefined) throw errors.missing("orderId");
    const filter = { fromId: p.int("fromExecutionId", 0, Number.MAX_SAFE_INTEGER), limit: p.limit(500, 1000) };
    const upTo = await this.readable(account);
    const order = this.findOrder(account, m, Params.fromEntries([["orderId", String(orderId)]]));
    return this.ex.queries.amendments(account.id, order.id, filter, upTo).map((a) => amendmentView(m, a));
  }

  /** An OCO (orderList/oco: above and below legs), OTO (orderList/oto: working and pending) or
   *  OTOCO (orderList/otoco: working, then pending above and below, which share pendingSide and
   *  pendingQuantity); an OPO or OPOCO (orderList/opo, /opoco) as an OTO or OTOCO whose pending
   *  orders take no quantity: they sell what the working order buys. */
  async placeList(account: KeyedAccount, p: Params, kind: OrderListType) {
    const pays = paysForward(kind);
    if (pays && p.has("pendingQuantity")) throw errors.notRequired("pendingQuantity");
    // An OPO's pending orders are parsed with the working order's quantity standing in for theirs
    // (the filters check theirs once it is known), then given none.
    const standIn: Record<string, string> = pays ? { quantity: "workingQuantity" } : {};
    const pair = pays ? { side: "pendingSide", ...standIn } : SHARED_BY_PENDING;
    const legs = kind === "oco" ? [legParams(p, "above", SHARED_BY_OCO), legParams(p, "below", SHARED_BY_OCO)]
      : LIST_SIZE[kind] === 2 ? [legParams(p, "working"), legParams(p, "pending", standIn)]
      : [legParams(p, "working"), legParams(p, "pendingAbove", pair), legParams(p, "pendingBelow", pair)];
    const requests = legs.map((leg, k) => {
      const { request } = this.parseOrder(leg);
      return pays && k > 0 ? { ...request, quantity: 0 } : request;
    });
    const responseType = p.oneOf("newOrderRespType", ["ACK", "RESULT", "FULL"] as const, () => errors.invalidValue("newOrderRespType")) ?? "ACK";
    const orders = await this.ex.sequencer.submitList(account, kind, requests, p.clientOrderId("listClientOrderId") ?? null);
    return listStatus(orders, responseType);
  }

  private listOrders(account: KeyedAccount, listId: number): OrderState[] {
    return orderListOf(this.ex, listId, this.storedBy(account));
  }

  /** The account's list the parameters name: by `orderListId`, or by its client id (`clientIdName`:
   *  the status's origClientOrderId, the cancel's listClientOrderId), the newest with it. */
  findList(account: KeyedAccount, p: Params, clientIdName = "origClientOrderId"): OrderState[] {
    const id = p.int("orderListId", 0, Number.MAX_SAFE_INTEGER);
    const clientId = p.clientOrderId(clientIdName);
    if (id === undefined && clientId === undefined) throw errors.eitherOf("orderListId", clientIdName);
    let listId = id;
    if (listId === undefined) {
      listId = this.ex.sequencer.registry.openListByClientId(account.id, clientId!)?.listId ?? this.ex.queries.listByClientId(account.id, clientId!, this.storedBy(account));
      // A list placed without a client id answers to the one it is shown with.
      listId ??= Number(/^exlist(\d{1,16})$/.exec(clientId!)?.[1] ?? 0);
    }
    const orders = this.listOrders(account, listId);
    if (orders.length === 0 || orders[0]!.accountId !== account.id) throw errors.noSuchOrder();
    if (clientId !== undefined && listClientOrderIdOf(orders[0]!) !== clientId) throw errors.noSuchOrder();
    return orders;
  }

  /** A list's open orders cancelled: the answer shows the cancel's id (newClientOrderId, or a
   *  generated one) as the list's, and a generated one as each order's (CancelIds). */
  async cancelList(account: KeyedAccount, p: Params) {
    const listCancelId = p.clientOrderId("newClientOrderId") ?? randomClientOrderId();
    const members = this.findList(account, p, "listClientOrderId");
    const open = members.filter((o) => isOpen(o.status));
    if (open.length === 0) throw errors.cancelRejected(MESSAGES.unknownOrder);
    const ids = new Map(open.map((o) => [o.id, randomClientOrderId()]));
    const listId = open[0]!.listId!;
    await this.cancelIds.holding(ids, [listId, listCancelId], () => this.ex.sequencer.cancel(account, open[0]!.id));
    const list = listStatus(this.listOrders(account, listId), "RESULT");
    for (const r of list.orderReports!) {
      const cancelId = ids.get(r.orderId as number);
      if (cancelId !== undefined) namedByCancel(r, cancelId);
    }
    return { ...list, listClientOrderId: listCancelId };
  }

  openLists(account: KeyedAccount) {
    const ids = new Set(this.ex.sequencer.registry.ofAccount(account.id).filter((o) => o.listId !== null).map((o) => o.listId!));
    return [...ids].sort((x, y) => x - y).map((id) => listStatus(this.listOrders(account, id), "ACK"));
  }

  /** The account's order lists, newest first (as Binance shows them): from list id `fromId` on,
   *  or placed between startTime and endTime, or the newest. */
  async allLists(account: KeyedAccount, p: Params) {
    const fromId = p.int("fromId", 0, Number.MAX_SAFE_INTEGER);
    const window = p.window(24);
    if (fromId !== undefined) {
      const timed = window.startTime !== undefined ? "startTime" : window.endTime !== undefined ? "endTime" : undefined;
      if (timed) throw errors.combination("fromId", timed);
    }
    const ids = this.ex.queries.accountLists(account.id, { fromId, ...window, limit: p.limit(500, 1000) }, await this.readable(account));
    return ids.reverse().map((id) => listStatus(this.listOrders(account, id), "ACK"));
  }
}

/** `cancelRestrictions`: cancel only while the order is NEW, or only while PARTIALLY_FILLED. */
function cancelRestriction(p: Params): CancelRestriction | null {
  const r = p.oneOf("cancelRestrictions", ["ONLY_NEW", "ONLY_PARTIALLY_FILLED"] as const, errors.badCancelRestrictions);
  return r === "ONLY_NEW" ? "new" : r === "ONLY_PARTIALLY_FILLED" ? "partially_filled" : null;
}

/** A failed cancel-replace with nothing done: -2022 and what was attempted. */
function replaceFailure(error: unknown): unknown {
  if (!(error instanceof BinanceError)) return error;
  const cancelFailed = error.code === -2011 || error.code === -2013;
  if (!cancelFailed) return error;
  return new BinanceError(-2022, "Order cancel-replace failed.", 400, {}, {
    cancelResult: "FAILURE", newOrderResult: "NOT_ATTEMPTED", cancelResponse: error.body(), newOrderResponse: null,
  });
}

/** The parameters two legs share, by the name each leg's own takes: an OCO's `side` and
 *  `quantity`, an OTOCO pair's `pendingSide` and `pendingQuantity`. */
const SHARED_BY_OCO = { side: "side", quantity: "quantity" };
const SHARED_BY_PENDING = { side: "pendingSide", quantity: "pendingQuantity" };

/** One leg of an order list as an order's own parameters: `abovePrice` as `price`, and so on. */
function legParams(p: Params, prefix: string, shared: Record<string, string> = {}): Params {
  const leg = new Map<string, string>();
  for (const name of ["symbol", "selfTradePreventionMode"]) if (p.has(name)) leg.set(name, p.required(name));
  for (const [name, from] of Object.entries(shared)) if (p.has(from)) leg.set(name, p.required(from));
  for (const [key, value] of p.entries()) {
    if (!key.startsWith(prefix) || key.length === prefix.length) continue;
    const name = key[prefix.length]!.toLowerCase() + key.slice(prefix.length + 1);
    leg.set(name === "clientOrderId" ? "newClientOrderId" : name, value);
  }
  leg.set("newOrderRespType", "RESULT");
  return Params.fromEntries(leg);
}

/** A cancelled order as its cancel (`cancelId`) answers. */
export function cancelResponse(o: OrderState, cancelId: string) {
  return namedByCancel(orderResponse(o, "RESULT"), cancelId);
}

/** An order's answer as its cancel gives it: the order's client id as origClientOrderId, the
 *  cancel's own as clientOrderId. */
function namedByCancel(r: Record<string, unknown>, cancelId: string) {
  r.origClientOrderId = r.clientOrderId;
  r.clientOrderId = cancelId;
  return r;
}
