// Where an order's state begins: a new order from its request, or, replayed, from its journal
// entry (recovery, and the projector that writes the tables behind the journal). Both give the
// same order, so what a replay writes is what the first run did.
import type { JournalEntry } from "../journal";
import { SELF_TRADE_MODES, type Markets } from "../markets";
import { CommandFlag, CommandKind, ListLink, Side, TimeInForce, Trigger } from "../../native/layout";
import type { OrderState, OrderType } from "../orders/order";
import type { OrderRequest } from "../orders/validate";

/** A new order, before the engine has seen it. */
export function newOrderState(id: number, accountId: number, r: OrderRequest, time: number): OrderState {
  return {
    id, accountId, market: r.market, side: r.side, type: r.type, timeInForce: r.timeInForce,
    postOnly: r.postOnly, price: r.price, quantity: r.quantity, filled: 0, status: null,
    rejectReason: null, clientOrderId: r.clientOrderId, createdAt: time, updatedAt: time, fills: [],
    selfTradePrevention: r.selfTradePrevention, quoteQuantity: r.quoteQuantity, prevented: 0, decremented: 0, preventedMatchId: null,
    expireReason: null, stopPrice: r.stopPrice, trailingDelta: r.trailingDelta, icebergQuantity: r.icebergQuantity,
    listId: null, listType: null, listClientOrderId: null, triggered: false, waiting: false, pending: false, amendments: 0, accountSlot: -1,
  };
}

/** Whether a journal entry places an order (a new order, or a cancel-replace's new one). */
export function placesOrder(e: JournalEntry): boolean {
  return e.kind === CommandKind.limit || e.kind === CommandKind.market || e.kind === CommandKind.cancelReplace;
}

/** The order a journal entry placed, as it was before the engine saw it. `placed`: an order placed
 *  before it (an order list's later entries name its first, whose id is the list's). */
export function orderOfEntry(e: JournalEntry, time: number, markets: Markets, placed: (orderId: number) => OrderState | undefined): OrderState {
  const market = markets.get(e.symbol);
  if (!market) throw new Error(`journal entry ${e.seq} is for market ${e.symbol}, which is not configured`);
  const marketKind = e.kind === CommandKind.market || (e.kind === CommandKind.cancelReplace && (e.flags & CommandFlag.market) !== 0);
  const order = newOrderState(e.orderId, e.accountId, {
    market,
    side: e.side === Side.buy ? "buy" : "sell",
    type: orderType(marketKind, e.trigger),
    timeInForce: e.timeInForce === TimeInForce.IOC ? "IOC" : e.timeInForce === TimeInForce.FOK ? "FOK" : "GTC",
    postOnly: (e.flags & CommandFlag.postOnly) !== 0,
    price: e.price === 0 ? null : e.price,
    quantity: e.quantity,
    quoteQuantity: marketKind && e.amount !== null && e.amount > 0n ? e.amount : null,
    clientOrderId: e.clientOrderId,
    selfTradePrevention: SELF_TRADE_MODES[e.stp]!,
    stopPrice: e.stopPrice === 0 ? null : e.stopPrice,
    trailingDelta: e.trailingBps === 0 ? null : e.trailingBps,
    icebergQuantity: e.visible === 0 ? null : e.visible,
  }, time);
  order.listId = e.otherId !== 0 && e.kind !== CommandKind.cancelReplace ? e.otherId : null;
  // Every entry of a list carries its id, and each but the last its link (engine.h EX_LINK_*): an
  // OTO's first (with EX_FLAG_OPO: an OPO's), then for an OTOCO an OCO link from its second, which
  // makes the first's type otoco (opoco) (a replay meets them all in one batch).
  if (order.listId !== null) {
    const first = order.id === order.listId ? undefined : placed(order.listId);
    if (first && e.link === ListLink.oco && (first.listType === "oto" || first.listType === "opo")) first.listType = `${first.listType}co`;
    order.listType = first?.listType ?? (e.link === ListLink.oto ? (e.flags & CommandFlag.opo ? "opo" : "oto") : "oco");
    // The list's client id is on its first entry.
    order.listClientOrderId = first ? first.listClientOrderId : e.listClientOrderId;
  }
  return order;
}

/** An order's type from its engine command: market or limit, conditional or not. */
function orderType(market: boolean, trigger: number): OrderType {
  const stem = trigger === Trigger.stopLoss ? "stop_loss" : trigger === Trigger.takeProfit ? "take_profit" : null;
  if (!stem) return market ? "market" : "limit";
  return (market ? stem : `${stem}_limit`) as OrderType;
}
