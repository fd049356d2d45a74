// An order as the exchange tracks it (integers inside), and its API rendering (decimal strings).
import type { Market, SelfTradeMode } from "../markets";
import type { PreventedMatchRecord } from "../store/projection-writer";

/** Order lists: OCO (two orders on one side: either's fill, or trigger, cancels the other), OTO
 *  (a working limit order; the pending order is placed when it has filled completely), OTOCO
 *  (an OTO whose pending order is an OCO pair), and OPO and OPOCO (an OTO and OTOCO in which one
 *  pays the other: the working order buys, and its pending orders sell what it received, net of
 *  fees, locked for them as it arrives; they are given no quantity). */
export const ORDER_LIST_TYPES = ["oco", "oto", "otoco", "opo", "opoco"] as const;
export type OrderListType = (typeof ORDER_LIST_TYPES)[number];
/** Orders in a list of each type. */
export const LIST_SIZE: Record<OrderListType, number> = { oco: 2, oto: 2, otoco: 3, opo: 2, opoco: 3 };
/** Lists whose pending orders sell what their working order receives. */
export function paysForward(listType: OrderListType | null): boolean {
  return listType === "opo" || listType === "opoco";
}

export type Side = "buy" | "sell";
export const ORDER_TYPES = ["limit", "market", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"] as const;
export type OrderType = (typeof ORDER_TYPES)[number];
/** Whether orders of the type match as market orders (once triggered, for the conditional ones). */
export function isMarketType(type: OrderType): boolean {
  return type === "market" || type === "stop_loss" || type === "take_profit";
}
/** Whether orders of the type are conditional: they wait for the last trade price to meet their stop. */
export function isConditionalType(type: OrderType): boolean {
  return type !== "limit" && type !== "market";
}
export const TIMES_IN_FORCE = ["GTC", "IOC", "FOK"] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];
export const ORDER_STATUSES = ["new", "partially_filled", "filled", "canceled", "expired", "rejected"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const OPEN_STATUSES: readonly OrderStatus[] = ["new", "partially_filled"];
export const CLOSED_STATUSES: readonly OrderStatus[] = ["filled", "canceled", "expired", "rejected"];

export interface Fill {
  tradeId: number;
  price: number; // ticks
  quantity: number; // lots
  liquidity: "maker" | "taker";
  time: number;
  /** Units of the asset this side received (base for a buy, quote for a sell). */
  fee: bigint;
}

/** Why an order expired other than by its time in force. */
export const EXPIRE_REASONS = ["SELF_TRADE_PREVENTION", "INSUFFICIENT_BALANCE", "POST_ONLY_WOULD_TAKE", "AMENDED"] as const;
export type ExpireReason = (typeof EXPIRE_REASONS)[number];

export interface OrderState {
  id: number;
  accountId: number;
  market: Market;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  price: number | null; // ticks; null for market orders
  quantity: number; // lots, total including the filled part
  filled: number; // lots
  /** null while the order waits in the sequencer's queue, before the engine has seen it. */
  status: OrderStatus | null;
  rejectReason: string | null;
  clientOrderId: string | null;
  createdAt: number;
  updatedAt: number;
  fills: Fill[];
  selfTradePrevention: SelfTradeMode;
  /** Market orders by quote amount: the units of the quote asset to spend or receive. */
  quoteQuantity: bigint | null;
  /** Lots of matches self-trade prevention stopped (shown as preventedQuantity). */
  prevented: number;
  /** Lots taken off the order by self-trade prevention's decrement. */
  decremented: number;
  /** The last of its prevented matches (PreventedMatchRecord.id); null if none. */
  preventedMatchId: number | null;
  expireReason: ExpireReason | null;
  /** Conditional orders: the trigger (or trailing activation) price in ticks; null if none. */
  stopPrice: number | null;
  /** Trailing stops: basis points. */
  trailingDelta: number | null;
  /** Icebergs: lots shown at a time. */
  icebergQuantity: number | null;
  /** Its order list. */
  listId: number | null;
  listType: OrderListType | null;
  /** Its list's client id, if one was given (every member carries it). */
  listClientOrderId: string | null;
  /** A conditional order that has triggered (or an OTO's pending order that was placed). */
  triggered: boolean;
  /** It waits outside the book: untriggered, or an OTO's (or OTOCO's) pending order. */
  waiting: boolean;
  /** An OTO's (or OTOCO's) pending order whose working order has not filled yet (Binance's
   *  PENDING_NEW): it is not placed, and holds nothing. */
  pending: boolean;
  /** Times it was lowered in place, keeping its priority (with its OCO sibling, or on its own). */
  amendments: number;
  /** The order registry's: where it stands in its account's list of open orders (-1: not there). */
  accountSlot: number;
}

/** Whether the order is an OTO's (or OTOCO's) pending order: a member of such a list other than its
 *  working order, whose id is the list's. */
export function isPendingMember(o: Pick<OrderState, "id" | "listId" | "listType">): boolean {
  return o.listType !== null && o.listType !== "oco" && o.id !== o.listId;
}

/** Lots still to fill while the order is open. */
export function remainingOf(o: OrderState): number {
  return o.quantity - o.filled - o.decremented;
}

/** A cancel's restriction (Binance's cancelRestrictions): cancel only while the order has this
 *  status; an OTO's pending order whose working order has not filled has neither. The engine
 *  decides, at the point of the command stream where the cancel is. */
export type CancelRestriction = "new" | "partially_filled";

export function isOpen(status: OrderStatus | null): boolean {
  return status === "new" || status === "partially_filled";
}

export interface OrderView {
  orderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  price: string | null;
  quantity: string;
  filledQuantity: string;
  remainingQuantity: string;
  averagePrice: string | null;
  status: OrderStatus;
  rejectReason: string | null;
  fills: { tradeId: string; price: string; quantity: string; liquidity: "maker" | "taker"; time: number; fee: string; feeAsset: string }[];
  createdAt: number;
  updatedAt: number;
  selfTradePrevention: SelfTradeMode;
  quoteQuantity: string | null;
  /** Quote units spent (buys) or received (sells) so far. */
  filledQuoteQuantity: string;
  preventedQuantity: string;
  /** The last of its prevented matches (GET /api/v1/orders/:orderId/prevented-matches). */
  preventedMatchId: string | null;
  expireReason: ExpireReason | null;
  /** Total fees of its fills, in feeAsset (what it receives). */
  fee: string;
  feeAsset: string;
  stopPrice: string | null;
  trailingDelta: number | null;
  icebergQuantity: string | null;
  orderListId: string | null;
  /** Conditional orders: whether the stop has triggered; null for other orders. */
  triggered: boolean | null;
  /** An OTO's (or OTOCO's) pending order waiting for its working order to fill: not placed yet. */
  pending: boolean;
}

/** A prevented match in /api/v1: `quantity` would have traded; each side's quantity is what it took
 *  off that order (what expired, or the overlap both lost under decrement). */
export function renderPreventedMatch(m: Market, p: PreventedMatchRecord) {
  return {
    preventedMatchId: String(p.id), symbol: m.symbol, takerOrderId: String(p.takerOrderId), makerOrderId: String(p.makerOrderId),
    selfTradePrevention: p.mode, price: m.formatPrice(p.price), quantity: m.formatQuantity(p.quantity),
    takerQuantity: m.formatQuantity(p.takerQuantity), makerQuantity: m.formatQuantity(p.makerQuantity), time: p.time,
  };
}

export function renderOrder(o: OrderState): OrderView {
  const m = o.market;
  const feeAsset = o.side === "buy" ? m.base : m.quote;
  return {
    orderId: String(o.id),
    clientOrderId: o.clientOrderId,
    symbol: m.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    postOnly: o.postOnly,
    price: o.price === null ? null : m.formatPrice(o.price),
    quantity: m.formatQuantity(o.quantity),
    filledQuantity: m.formatQuantity(o.filled),
    // A closed order has nothing left to fill.
    remainingQuantity: m.formatQuantity(o.status !== null && !isOpen(o.status) ? 0 : remainingOf(o)),
    averagePrice: averagePrice(o),
    status: o.status ?? "new",
    rejectReason: o.rejectReason,
    fills: o.fills.map((f) => ({
      tradeId: String(f.tradeId),
      price: m.formatPrice(f.price),
      quantity: m.formatQuantity(f.quantity),
      liquidity: f.liquidity,
      time: f.time,
      fee: feeAsset.format(f.fee),
      feeAsset: feeAsset.symbol,
    })),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    selfTradePrevention: o.selfTradePrevention,
    quoteQuantity: o.quoteQuantity === null ? null : m.quote.format(o.quoteQuantity),
    filledQuoteQuantity: o.fills.length === 0 ? m.quote.zero : m.quote.format(filledNotional(o)),
    preventedQuantity: m.formatQuantity(o.prevented),
    preventedMatchId: o.preventedMatchId === null ? null : String(o.preventedMatchId),
    expireReason: o.expireReason,
    fee: o.fills.length === 0 ? feeAsset.zero : feeAsset.format(o.fills.reduce((sum, f) => sum + f.fee, 0n)),
    feeAsset: feeAsset.symbol,
    stopPrice: o.stopPrice === null ? null : m.formatPrice(o.stopPrice),
    trailingDelta: o.trailingDelta,
    icebergQuantity: o.icebergQuantity === null ? null : m.formatQuantity(o.icebergQuantity),
    orderListId: o.listId === null ? null : String(o.listId),
    triggered: isConditionalType(o.type) ? o.triggered : null,
    pending: o.pending && o.status === "new",
  };
}

/** Quote units of the order's fills: in exact number arithmetic while every term and the sum stay
 *  below 2^53 (a product of integers below it is exact), in BigInt beyond. */
export function filledNotional(o: OrderState): bigint {
  const m = o.market;
  let small = 0, big = 0n;
  for (const f of o.fills) {
    const units = f.price * f.quantity * m.notionalUnits;
    if (units <= Number.MAX_SAFE_INTEGER && small + units <= Number.MAX_SAFE_INTEGER) small += units;
    else big += m.notional(f.price, f.quantity);
  }
  return big + BigInt(small);
}

/** Σ price·quantity / Σ quantity over the fills (BigInt), or the price itself when all fills share it. */
function averagePrice(o: OrderState): string | null {
  const fills = o.fills;
  if (fills.length === 0) return null;
  const first = fills[0]!.price;
  if (fills.every((f) => f.price === first)) return o.market.formatPrice(first);
  let notional = 0n;
  let lots = 0n;
  for (const f of fills) {
    notional += BigInt(f.price) * BigInt(f.quantity);
    lots += BigInt(f.quantity);
  }
  return o.market.formatAveragePrice(notional, lots);
}
