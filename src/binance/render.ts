// The exchange's orders, trades and accounts as Binance shows them: upper-case enums, decimal
// strings, millisecond times, and Binance's field names. Shared by REST, the WebSocket API and
// the user data stream.
import type { Account } from "../accounts";
import type { AggregateTrade } from "../aggregate-trades";
import { feeRatesOf, type Exchange } from "../exchange";
import type { Market } from "../markets";
import { filledNotional, isConditionalType, isOpen, paysForward, type Fill, type OrderState, type OrderType } from "../orders/order";
import type { SelfTradeMode } from "../markets";
import type { AccountTrade, AmendmentRow, PreventedMatchRow, TradeRow } from "../store/queries";
import type { AmendmentRecord } from "../store/projection-writer";

export type ResponseType = "ACK" | "RESULT" | "FULL";

export const ORDER_TYPES = ["LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER"] as const;
export type BinanceOrderType = (typeof ORDER_TYPES)[number];

export const STP_MODES: Record<string, SelfTradeMode> = {
  NONE: "none", EXPIRE_TAKER: "expireTaker", EXPIRE_MAKER: "expireMaker", EXPIRE_BOTH: "expireBoth", DECREMENT: "decrement",
};
const STP_NAMES = Object.fromEntries(Object.entries(STP_MODES).map(([k, v]) => [v, k])) as Record<SelfTradeMode, string>;
export const stpName = (mode: SelfTradeMode) => STP_NAMES[mode];

const TYPE_NAMES: Record<OrderType, BinanceOrderType> = {
  limit: "LIMIT", market: "MARKET", stop_loss: "STOP_LOSS", stop_loss_limit: "STOP_LOSS_LIMIT",
  take_profit: "TAKE_PROFIT", take_profit_limit: "TAKE_PROFIT_LIMIT",
};

export function typeName(o: Pick<OrderState, "type" | "postOnly">): BinanceOrderType {
  return o.postOnly ? "LIMIT_MAKER" : TYPE_NAMES[o.type];
}

export function statusName(o: OrderState): string {
  switch (o.status ?? "new") {
    case "new": return o.pending ? "PENDING_NEW" : "NEW";
    case "partially_filled": return "PARTIALLY_FILLED";
    case "filled": return "FILLED";
    case "canceled": return "CANCELED";
    case "rejected": return "REJECTED";
    case "expired": return o.expireReason === "SELF_TRADE_PREVENTION" ? "EXPIRED_IN_MATCH" : "EXPIRED";
  }
}

/** Binance shows GTC for the types that take no timeInForce. */
function tifName(o: OrderState): string {
  const type = typeName(o);
  return type === "MARKET" || type === "STOP_LOSS" || type === "TAKE_PROFIT" || type === "LIMIT_MAKER" ? "GTC" : o.timeInForce;
}

/** A fee rate in basis points as Binance's decimal fraction ("0.00100000"). */
export function rateOf(bps: number): string {
  const digits = String(bps).padStart(5, "0");
  return `${digits.slice(0, -4)}.${digits.slice(-4)}0000`;
}

/** A client order id as Binance shows it: an order placed without one is shown as "ex<its id>". */
export function shownClientOrderId(orderId: number, clientOrderId: string | null): string {
  return clientOrderId ?? `ex${orderId}`;
}

const ID_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Random bytes drawn a page at a time: a draw per id cost more than the rest of a cancel (BENCHMARKS.md). */
const randomPool = new Uint8Array(4096);
let randomAt = randomPool.length;

/** 22 letters and digits, as Binance's generated client order ids (each of the 62 equally likely:
 *  bytes past the last whole multiple of 62 are skipped). */
export function randomClientOrderId(): string {
  let id = "";
  while (id.length < 22) {
    if (randomAt === randomPool.length) {
      crypto.getRandomValues(randomPool);
      randomAt = 0;
    }
    const b = randomPool[randomAt++]!;
    if (b < 248) id += ID_LETTERS[b % 62];
  }
  return id;
}

export function clientOrderIdOf(o: OrderState): string {
  return shownClientOrderId(o.id, o.clientOrderId);
}

export const orderListIdOf = (o: OrderState) => o.listId ?? -1;

/** Whether the order is in the book (not waiting for its trigger or its list's working order). */
const isWorking = (o: OrderState) => !o.waiting && !(isConditionalType(o.type) && !o.triggered);

function fillsOf(o: OrderState) {
  const m = o.market;
  const feeAsset = o.side === "buy" ? m.base : m.quote;
  return o.fills.map((f: Fill) => ({
    price: m.formatPrice(f.price), qty: m.formatQuantity(f.quantity), commission: feeAsset.format(f.fee),
    commissionAsset: feeAsset.symbol, tradeId: f.tradeId,
  }));
}

/** The answer to a new order: ACK, RESULT or FULL. (Built field by field, without spreads: it
 *  is on every order's path.) */
export function orderResponse(o: OrderState, type: ResponseType): Record<string, unknown> {
  const m = o.market;
  const r: Record<string, unknown> = { symbol: m.binanceSymbol, orderId: o.id, orderListId: orderListIdOf(o), clientOrderId: clientOrderIdOf(o), transactTime: o.updatedAt };
  if (type === "ACK") return r;
  setOrderFields(r, o);
  if (o.stopPrice !== null || o.trailingDelta !== null) r.stopPrice = m.formatPrice(o.stopPrice ?? 0);
  if (o.icebergQuantity !== null) r.icebergQty = m.formatQuantity(o.icebergQuantity);
  if (type === "FULL") r.fills = fillsOf(o);
  return r;
}

/** An order as GET /api/v3/order shows it. */
export function orderView(o: OrderState): Record<string, unknown> {
  const m = o.market;
  const r: Record<string, unknown> = { symbol: m.binanceSymbol, orderId: o.id, orderListId: orderListIdOf(o), clientOrderId: clientOrderIdOf(o) };
  setOrderFields(r, o);
  r.stopPrice = m.formatPrice(o.stopPrice ?? 0);
  r.icebergQty = m.formatQuantity(o.icebergQuantity ?? 0);
  r.time = o.createdAt;
  r.updateTime = o.updatedAt;
  r.isWorking = isWorking(o);
  return r;
}

/** An order just lowered in place (amend keep priority): Binance's `amendedOrder`. */
export function amendedOrder(o: OrderState, amendment: AmendmentRecord): Record<string, unknown> {
  const m = o.market;
  const r: Record<string, unknown> = {
    symbol: m.binanceSymbol, orderId: o.id, orderListId: orderListIdOf(o),
    origClientOrderId: shownClientOrderId(o.id, amendment.origClientOrderId), clientOrderId: clientOrderIdOf(o),
    price: m.formatPrice(o.price ?? 0), qty: m.formatQuantity(o.quantity), executedQty: m.formatQuantity(o.filled),
    preventedQty: m.formatQuantity(preventedQuantityOf(o)), quoteOrderQty: o.quoteQuantity === null ? m.quote.zero : m.quote.format(o.quoteQuantity),
    cumulativeQuoteQty: o.fills.length === 0 ? m.quote.zero : m.quote.format(filledNotional(o)),
    status: statusName(o), timeInForce: tifName(o), type: typeName(o), side: o.side === "buy" ? "BUY" : "SELL",
  };
  if (isWorking(o)) r.workingTime = o.createdAt;
  if (o.stopPrice !== null || o.trailingDelta !== null) r.stopPrice = m.formatPrice(o.stopPrice ?? 0);
  if (o.trailingDelta !== null) r.trailingDelta = o.trailingDelta;
  if (o.icebergQuantity !== null) r.icebergQty = m.formatQuantity(o.icebergQuantity);
  r.selfTradePreventionMode = stpName(o.selfTradePrevention);
  return r;
}

/** An amendment as GET /api/v3/order/amendments lists it. */
export function amendmentView(m: Market, a: AmendmentRow) {
  return {
    symbol: m.binanceSymbol, orderId: a.orderId, executionId: a.id,
    origClientOrderId: shownClientOrderId(a.orderId, a.origClientOrderId), newClientOrderId: shownClientOrderId(a.orderId, a.newClientOrderId),
    origQty: m.formatQuantity(a.origQuantity), newQty: m.formatQuantity(a.newQuantity), time: a.time,
  };
}

/** A market order by quote amount has no quantity of its own (only the engine's cap): Binance
 *  shows what it filled. */
export function origQuantityOf(o: OrderState): string {
  return o.market.formatQuantity(o.quoteQuantity !== null ? o.filled : o.quantity);
}

/** The fields an order's answers and its view share. */
function setOrderFields(r: Record<string, unknown>, o: OrderState): void {
  const m = o.market;
  r.price = m.formatPrice(o.price ?? 0);
  // An OPO's pending order has no quantity until its working order has filled (Binance omits it).
  if (o.quantity !== 0 || !paysForward(o.listType)) r.origQty = origQuantityOf(o);
  r.executedQty = m.formatQuantity(o.filled);
  r.origQuoteOrderQty = o.quoteQuantity === null ? m.quote.zero : m.quote.format(o.quoteQuantity);
  r.cummulativeQuoteQty = o.fills.length === 0 ? m.quote.zero : m.quote.format(filledNotional(o));
  r.status = statusName(o);
  r.timeInForce = tifName(o);
  r.type = typeName(o);
  r.side = o.side === "buy" ? "BUY" : "SELL";
  if (o.trailingDelta !== null) r.trailingDelta = o.trailingDelta;
  r.workingTime = isWorking(o) ? o.createdAt : -1;
  r.selfTradePreventionMode = stpName(o.selfTradePrevention);
  if (o.prevented > 0) {
    if (o.preventedMatchId !== null) r.preventedMatchId = o.preventedMatchId;
    r.preventedQuantity = m.formatQuantity(preventedQuantityOf(o));
  }
}

export function publicTrade(m: Market, t: Pick<TradeRow, "id" | "price" | "quantity" | "time" | "takerSide">) {
  return {
    id: t.id, price: m.formatPrice(t.price), qty: m.formatQuantity(t.quantity), quoteQty: m.quote.format(m.notional(t.price, t.quantity)),
    time: t.time, isBuyerMaker: t.takerSide === "sell", isBestMatch: true,
  };
}

/** An aggregate trade: its id is its first trade's (aggregate-trades.ts). */
export function aggregateTrade(m: Market, a: AggregateTrade) {
  return { a: a.id, p: m.formatPrice(a.price), q: m.formatQuantity(a.quantity), f: a.id, l: a.lastId, T: a.time, m: a.takerSide === "sell", M: true };
}

/** One leg of a trade as the account that made it sees it (GET /api/v3/myTrades). */
export function accountTrade(m: Market, { trade: t, asTaker, listId }: AccountTrade) {
  const buyer = (t.takerSide === "buy") === asTaker;
  const feeAsset = buyer ? m.base : m.quote;
  return {
    symbol: m.binanceSymbol, id: t.id, orderId: asTaker ? t.takerOrderId : t.makerOrderId, orderListId: listId ?? -1,
    price: m.formatPrice(t.price), qty: m.formatQuantity(t.quantity), quoteQty: m.quote.format(m.notional(t.price, t.quantity)),
    commission: feeAsset.format(BigInt(asTaker ? t.takerFee : t.makerFee)), commissionAsset: feeAsset.symbol,
    time: t.time, isBuyer: buyer, isMaker: !asTaker, isBestMatch: true,
  };
}

/** Binance's preventedQuantity: what self-trade prevention took off the order (all it had left if
 *  it expired the order, else what decrements took), so that quantity - executed - prevented is
 *  what the order can still trade. (/api/v1's counts the matches stopped instead.) */
export const preventedQuantityOf = (o: OrderState) => (o.expireReason === "SELF_TRADE_PREVENTION" ? o.quantity - o.filled : o.decremented);

/** A match self-trade prevention stopped (GET /api/v3/myPreventedMatches): each side's prevented
 *  quantity only if the match took something off it, as Binance shows them. */
export function preventedMatch(m: Market, r: PreventedMatchRow) {
  return {
    symbol: m.binanceSymbol, preventedMatchId: r.id, takerOrderId: r.takerOrderId, makerSymbol: m.binanceSymbol,
    makerOrderId: r.makerOrderId, tradeGroupId: -1, selfTradePreventionMode: stpName(r.mode), price: m.formatPrice(r.price),
    ...(r.takerQuantity > 0 ? { takerPreventedQuantity: m.formatQuantity(r.takerQuantity) } : {}),
    ...(r.makerQuantity > 0 ? { makerPreventedQuantity: m.formatQuantity(r.makerQuantity) } : {}),
    transactTime: r.time,
  };
}

export function accountInfo(ex: Exchange, account: Account, omitZeroBalances: boolean) {
  // Binance has one rate per account; here rates are per market: the first market's stand for all.
  const rates = feeRatesOf(ex, account.id, ex.markets.list[0]!);
  const balances = ex.markets.assets.list.map((a) => {
    const b = ex.engine.balance(account.id, a.index);
    return { asset: a.symbol, free: a.format(b.free), locked: a.format(b.locked), zero: b.free === 0n && b.locked === 0n };
  }).filter((b) => !(omitZeroBalances && b.zero)).map(({ zero: _, ...b }) => b);
  return {
    makerCommission: rates.maker, takerCommission: rates.taker, buyerCommission: 0, sellerCommission: 0,
    commissionRates: { maker: rateOf(rates.maker), taker: rateOf(rates.taker), buyer: rateOf(0), seller: rateOf(0) },
    canTrade: true, canWithdraw: true, canDeposit: true, brokered: false, requireSelfTradePrevention: false, preventSor: false,
    updateTime: Date.now(), accountType: "SPOT", balances, permissions: ["SPOT"], uid: account.id,
  };
}

/** A list's client id as Binance shows it: a list placed without one is shown as "exlist<its id>". */
export const listClientOrderIdOf = (o: OrderState) => o.listClientOrderId ?? `exlist${o.listId ?? o.id}`;

/** An order list as Binance answers for it (listStatus). */
export function listStatus(orders: OrderState[], type: ResponseType) {
  const a = orders[0]!;
  const open = orders.some((o) => o.status === null || isOpen(o.status));
  return {
    // (An OTOCO is an OTO on Binance too: its pending order is a pair.)
    orderListId: a.listId ?? a.id, contingencyType: a.listType === "oco" ? "OCO" : "OTO",
    listStatusType: open ? "EXEC_STARTED" : "ALL_DONE", listOrderStatus: open ? "EXECUTING" : "ALL_DONE",
    listClientOrderId: listClientOrderIdOf(a), transactionTime: Math.max(...orders.map((o) => o.updatedAt)),
    symbol: a.market.binanceSymbol,
    orders: orders.map((o) => ({ symbol: o.market.binanceSymbol, orderId: o.id, clientOrderId: clientOrderIdOf(o) })),
    ...(type === "ACK" ? {} : { orderReports: orders.map((o) => orderResponse(o, type)) }),
  };
}
