// The application of engine events: what each event of a batch does to the orders (fills,
// statuses, prevented quantities), which trades, funding rows and book levels it makes,
// and the outcome of each command the engine refused. The engine settles balances itself; this
// only records what changed.
import { decodeBalances, type EventBuffer } from "../../native/engine";
import { CancelReason, CommandFlag, CommandKind, EventFlag, EventType, ExpireReason, RejectReason, TriggerReason } from "../../native/layout";
import { MAX_TOTAL_UNITS, type Asset } from "../assets";
import type { JournalEntry } from "../journal";
import type { Markets } from "../markets";
import { isConditionalType, isPendingMember, paysForward, type OrderState, type OrderStatus } from "../orders/order";
import type { AmendmentRecord, BalanceRecord, LedgerRecord, PreventedMatchRecord, TradeRecord } from "../store/projection-writer";
import type { Counters } from "../store/queries";
import type { OrderRegistry } from "./order-registry";
import { Outcome } from "./outcomes";

/** The price levels a batch changed, per market index: [bid prices, ask prices] (ticks). */
export type TouchedLevels = Map<number, [Set<number>, Set<number>]>;

/** What happened to an order that its state alone does not tell, for the orders stream. */
export interface OrderEvent {
  order: OrderState;
  event: "triggered" | "placed" | "refreshed" | "listCancelled";
}

/** Everything one batch changed, gathered while its events are applied. */
export class BatchChanges {
  readonly trades: TradeRecord[] = [];
  readonly orders = new Set<OrderState>();
  /** Each touch of a level as three numbers (market index, side: 0 bid or 1 ask, price), made
   *  into sets only if someone asks (book streams): a Set per touch cost more than the rest. */
  private readonly touches: number[] = [];
  private touchedLevels: TouchedLevels | null = null;
  readonly ledger: LedgerRecord[] = [];
  readonly preventedMatches: PreventedMatchRecord[] = [];
  /** Orders lowered in place (amend keep priority), an OCO's sibling included. */
  readonly amendments: AmendmentRecord[] = [];
  /** The amendment each keep-priority command made of its own order, by the command's index. */
  readonly amendedBy = new Map<number, AmendmentRecord>();
  /** The balances the engine changed (ex_balance structs), read as records only if someone asks:
   *  most batches are heard by no balance stream. */
  private changedBalances: { bytes: Uint8Array; assets: readonly Asset[] } | null = null;
  private balanceRecords: BalanceRecord[] | null = null;
  /** The outcome of each command the engine refused, by its index in the batch. */
  readonly refusals = new Map<number, Outcome>();
  /** Cancel-replaces whose new order was refused after their cancel: journaled all the same. */
  readonly partial = new Map<number, Outcome>();
  /** Commands that cancelled an order. */
  readonly cancelling = new Set<number>();
  readonly orderEvents: OrderEvent[] = [];

  constructor(readonly time: number, readonly journal: JournalEntry[]) {}

  touch(marketIndex: number, side: number, price: number): void {
    this.touches.push(marketIndex, side, price);
  }

  get levels(): TouchedLevels {
    if (this.touchedLevels) return this.touchedLevels;
    const levels: TouchedLevels = new Map(), t = this.touches;
    for (let i = 0; i < t.length; i += 3) {
      let sides = levels.get(t[i]!);
      if (!sides) levels.set(t[i]!, (sides = [new Set(), new Set()]));
      sides[t[i + 1]!]!.add(t[i + 2]!);
    }
    return (this.touchedLevels = levels);
  }

  get balances(): BalanceRecord[] {
    if (this.balanceRecords) return this.balanceRecords;
    const changed = this.changedBalances;
    return (this.balanceRecords = changed === null ? [] : decodeBalances(changed.bytes)
      .map((b) => ({ accountId: b.account, asset: changed.assets[b.asset]!.symbol, free: b.free, locked: b.locked })));
  }

  /** After the engine call: the balances it changed (MatchingEngine.changedBalanceBytes). */
  setChangedBalances(bytes: Uint8Array, assets: readonly Asset[]): void {
    this.changedBalances = { bytes, assets };
    this.balanceRecords = null;
  }
}

export class EventApplier {
  constructor(
    private readonly registry: OrderRegistry,
    private readonly markets: Markets,
    private readonly counters: Pick<Counters, "lastTradeId" | "lastPreventedMatchId" | "lastAmendmentId">,
  ) {}

  apply(ev: EventBuffer, batch: BatchChanges): void {
    const now = batch.time;
    for (let i = 0; i < ev.count; i++) {
      const type = ev.type(i);
      switch (type) {
        case EventType.trade:
          this.trade(ev, i, batch);
          continue;
        case EventType.rejected:
          this.rejected(ev, i, batch);
          continue;
        case EventType.deposited:
        case EventType.withdrawn: {
          const asset = this.markets.assets.list[ev.asset(i)]!.symbol;
          const amount = ev.amount(i);
          batch.ledger.push({
            accountId: ev.account(i), asset, kind: type === EventType.deposited ? "deposit" : "withdrawal",
            amount: type === EventType.deposited ? amount : -amount, time: now,
          });
          continue;
        }
        case EventType.feesSet:
          continue;
      }
      const order = this.registry.get(ev.orderId(i))!;
      switch (type) {
        case EventType.accepted:
          if (ev.flags(i) & EventFlag.waiting) {
            order.waiting = true;
            order.pending = isPendingMember(order);
            this.setStatus(batch, order, "new", now);
            break;
          }
          order.waiting = false;
          if (ev.remaining(i) > 0) this.touchLevel(batch, order, order.price!);
          if (order.quoteQuantity !== null) order.quantity = ev.quantity(i);
          this.setStatus(batch, order, restingStatus(order, ev.remaining(i)), now);
          break;
        case EventType.triggered:
          // By price: it enters the book now. Released by its OTO working order: it is placed,
          // and a conditional one waits on for its own trigger.
          if (ev.reason(i) === TriggerReason.price || !isConditionalType(order.type)) {
            order.triggered = true;
            order.waiting = false;
          }
          order.pending = false;
          // An OPO's pending order learns its quantity: what its working order received, in lots.
          if (ev.reason(i) === TriggerReason.list && paysForward(order.listType)) order.quantity = ev.remaining(i);
          order.updatedAt = now;
          batch.orders.add(order);
          batch.orderEvents.push({ order, event: ev.reason(i) === TriggerReason.price ? "triggered" : "placed" });
          break;
        case EventType.refreshed:
          this.touchLevel(batch, order, order.price!);
          order.updatedAt = now;
          batch.orders.add(order);
          batch.orderEvents.push({ order, event: "refreshed" });
          break;
        case EventType.expired: {
          const reason = ev.reason(i);
          order.expireReason = reason === ExpireReason.selfTrade ? "SELF_TRADE_PREVENTION"
            : reason === ExpireReason.insufficient ? "INSUFFICIENT_BALANCE"
            : reason === ExpireReason.postOnly ? "POST_ONLY_WOULD_TAKE" : null;
          // A resting order expired by another's self-trade prevention leaves its level.
          if (!order.waiting && order.price !== null && (batch.journal[ev.commandIndex(i)]!.orderId !== order.id || order.status !== null)) this.touchLevel(batch, order, order.price!);
          if (order.quoteQuantity !== null) order.quantity = order.filled;
          this.setStatus(batch, order, "expired", now);
          break;
        }
        case EventType.cancelled:
          if (!order.waiting && order.status !== null) this.touchLevel(batch, order, order.price!);
          if (ev.reason(i) === CancelReason.requested) batch.cancelling.add(ev.commandIndex(i));
          else batch.orderEvents.push({ order, event: "listCancelled" });
          this.setStatus(batch, order, "canceled", now);
          break;
        case EventType.amended:
          if (batch.journal[ev.commandIndex(i)]!.flags & CommandFlag.keepPriority) {
            this.amendedInPlace(ev, i, batch, order);
            break;
          }
          this.touchLevel(batch, order, order.price!);
          this.touchLevel(batch, order, ev.price(i));
          order.price = ev.price(i);
          order.quantity = ev.quantity(i);
          this.setStatus(batch, order, restingStatus(order, ev.remaining(i)), now);
          break;
        case EventType.prevented: {
          const maker = this.registry.get(ev.otherId(i))!;
          const lots = ev.quantity(i);
          const id = ++this.counters.lastPreventedMatchId;
          // What it took off each: the overlap (decrement), else the remainder of each side it expires.
          const mode = order.selfTradePrevention, decrement = mode === "decrement";
          batch.preventedMatches.push({
            id, accountId: order.accountId, symbol: order.market.symbol, takerOrderId: order.id, makerOrderId: maker.id,
            mode, price: ev.price(i), quantity: lots,
            takerQuantity: decrement ? lots : mode === "expireTaker" || mode === "expireBoth" ? ev.remaining(i) : 0,
            makerQuantity: decrement ? lots : mode === "expireMaker" || mode === "expireBoth" ? ev.otherRemaining(i) : 0,
            time: batch.time,
          });
          order.preventedMatchId = maker.preventedMatchId = id;
          order.prevented += lots;
          maker.prevented += lots;
          if (ev.flags(i) & EventFlag.decremented) {
            order.decremented += lots;
            maker.decremented += lots;
          }
          this.touchLevel(batch, maker, maker.price!);
          batch.orders.add(order);
          batch.orders.add(maker);
          break;
        }
      }
    }
  }

  /** After the engine call: the balances it changed (MatchingEngine.changedBalanceBytes). */
  finish(changedBalances: Uint8Array, batch: BatchChanges): void {
    batch.setChangedBalances(changedBalances, this.markets.assets.list);
  }

  private trade(ev: EventBuffer, i: number, batch: BatchChanges): void {
    const taker = this.registry.get(ev.orderId(i))!;
    const maker = this.registry.get(ev.otherId(i))!;
    const now = batch.time;
    const m = taker.market;
    const price = ev.price(i);
    const quantity = ev.quantity(i);
    const takerFee = ev.amount(i), makerFee = ev.otherAmount(i);
    const id = ++this.counters.lastTradeId;
    batch.trades.push({
      id, symbol: m.symbol, price, quantity, takerOrderId: taker.id, makerOrderId: maker.id,
      takerSide: taker.side, time: now, takerFee, makerFee, takerAccountId: taker.accountId, makerAccountId: maker.accountId,
    });

    taker.filled += quantity;
    taker.fills.push({ tradeId: id, price, quantity, liquidity: "taker", time: now, fee: takerFee });
    taker.updatedAt = now;
    batch.orders.add(taker);
    this.touchLevel(batch, maker, price);
    maker.filled += quantity;
    maker.fills.push({ tradeId: id, price, quantity, liquidity: "maker", time: now, fee: makerFee });
    this.setStatus(batch, maker, ev.otherRemaining(i) === 0 ? "filled" : "partially_filled", now);
  }

  /** An order lowered in place: its amendment recorded, its new client order id taken (the
   *  command's own order; an OCO's sibling keeps its own). Lowered to its filled part, it expired. */
  private amendedInPlace(ev: EventBuffer, i: number, batch: BatchChanges, order: OrderState): void {
    const index = ev.commandIndex(i);
    const entry = batch.journal[index]!;
    const own = entry.orderId === order.id;
    const amendment: AmendmentRecord = {
      id: ++this.counters.lastAmendmentId, orderId: order.id, accountId: order.accountId, symbol: order.market.symbol,
      origClientOrderId: order.clientOrderId, newClientOrderId: own && entry.clientOrderId !== null ? entry.clientOrderId : order.clientOrderId,
      origQuantity: order.quantity, newQuantity: own ? entry.quantity : ev.quantity(i), time: batch.time,
    };
    batch.amendments.push(amendment);
    order.amendments++;
    if (own) batch.amendedBy.set(index, amendment);
    this.registry.renameClientOrderId(order, amendment.newClientOrderId);
    if (!order.waiting) this.touchLevel(batch, order, order.price!);
    order.quantity = ev.quantity(i);
    if (ev.flags(i) & EventFlag.ended) {
      order.expireReason = "AMENDED";
      this.setStatus(batch, order, "expired", batch.time);
    } else {
      this.setStatus(batch, order, restingStatus(order, ev.remaining(i)), batch.time);
    }
  }

  private rejected(ev: EventBuffer, i: number, batch: BatchChanges): void {
    const index = ev.commandIndex(i);
    const entry = batch.journal[index]!;
    const reason = ev.reason(i);
    // A cancel-replace whose cancel went through changed something: it is journaled.
    if (entry.kind === CommandKind.cancelReplace && batch.cancelling.has(index)) {
      const order = this.registry.get(entry.orderId);
      if (order) this.registry.forget(order);
      batch.partial.set(index, rejectionOutcome(reason, ev, i, this.markets, entry));
      return;
    }
    if (reason === RejectReason.insufficient) {
      batch.refusals.set(index, rejectionOutcome(reason, ev, i, this.markets, entry));
      const order = entry.kind !== CommandKind.amend ? this.registry.get(entry.orderId) : undefined;
      if (order) this.registry.forget(order); // refused: no order exists
      return;
    }
    switch (entry.kind) {
      case CommandKind.limit:
      case CommandKind.market:
      case CommandKind.cancelReplace: {
        const order = this.registry.get(entry.orderId)!;
        // A refusal the client can act on is an outcome, as is any refusal of a list member (a
        // list is placed whole or not at all); the rest are kept as rejected orders.
        if (reason === RejectReason.wouldTrigger || reason === RejectReason.list || reason === RejectReason.cancelFailed
          || reason === RejectReason.cancelRestricted || entry.otherId !== 0) {
          this.registry.forget(order);
          batch.refusals.set(index, rejectionOutcome(reason, ev, i, this.markets, entry));
          return;
        }
        order.rejectReason = reason === RejectReason.postOnly ? "POST_ONLY_WOULD_TAKE" : `ENGINE_REJECTED_${reason}`;
        this.setStatus(batch, order, "rejected", batch.time);
        return;
      }
      case CommandKind.cancel:
        batch.refusals.set(index, reason === RejectReason.cancelRestricted
          ? cancelRestricted(entry.orderId, entry.flags, this.registry.get(entry.orderId)) : notOpen(entry.orderId));
        return;
      case CommandKind.amend:
        if (entry.flags & CommandFlag.keepPriority) {
          batch.refusals.set(index, reductionRefusal(entry, reason, this.registry.get(entry.orderId)));
          return;
        }
        batch.refusals.set(index, reason === RejectReason.notAmendable
          ? new Outcome("ORDER_NOT_AMENDABLE", `order ${entry.orderId} waits untriggered or belongs to an order list: cancel and place it again instead`)
          : amendRefusal(entry, reason, this.registry.get(entry.orderId)));
        return;
      default:
        batch.refusals.set(index, reason === RejectReason.limit
          ? new Outcome("VENUE_LIMIT", `the venue holds at most ${MAX_TOTAL_UNITS} units of ${entry.asset}; this deposit would pass it`)
          : Outcome.invalid("amount", "the engine refused the amount"));
    }
  }

  private touchLevel(batch: BatchChanges, order: OrderState, price: number): void {
    batch.touch(order.market.index, order.side === "buy" ? 0 : 1, price);
  }

  private setStatus(batch: BatchChanges, order: OrderState, status: OrderStatus, now: number): void {
    this.registry.setStatus(order, status, now);
    batch.orders.add(order);
  }
}

/** The outcome of an engine refusal that is not about the order's own fields. */
function rejectionOutcome(reason: number, ev: EventBuffer, i: number, markets: Markets, entry: JournalEntry): Outcome {
  switch (reason) {
    case RejectReason.wouldTrigger:
      return new Outcome("WOULD_TRIGGER_IMMEDIATELY", "the stop price is already met by the last trade price: the order would trigger immediately");
    case RejectReason.list:
      return LIST_PARTNER_REFUSED;
    case RejectReason.cancelFailed:
      return new Outcome("ORDER_NOT_OPEN", `order ${entry.otherId} is not open, so nothing was replaced`);
    case RejectReason.cancelRestricted:
      return cancelRestricted(entry.otherId, entry.flags, undefined, ", so nothing was replaced");
    case RejectReason.insufficient: {
      const asset = markets.assets.list[ev.asset(i)]!;
      const needed = asset.format(ev.amount(i)), available = asset.format(ev.otherAmount(i));
      return new Outcome("INSUFFICIENT_BALANCE", `insufficient ${asset.symbol}: needs ${needed} free, ${available} available`, { asset: asset.symbol, needed, available });
    }
    case RejectReason.postOnly:
      return new Outcome("POST_ONLY_WOULD_TAKE", "a post-only order only adds liquidity; this one would take it");
    case RejectReason.duplicateId:
      return Outcome.invalid("orders", "an order of the list has the id of a live order");
    default:
      return Outcome.invalid("order", `the engine refused the order (reason ${reason})`);
  }
}

/** The outcome given to an order list member refused because its partner was: the partner's
 *  own outcome is the list's (see Sequencer.settleAll). */
export const LIST_PARTNER_REFUSED = new Outcome("VALIDATION", "the other order of its list was refused", { field: "orders" });

/** The status of an order that rests with `remaining` lots (0: it is done). */
function restingStatus(order: OrderState, remaining: number): OrderStatus {
  return remaining === 0 ? "filled" : order.filled > 0 ? "partially_filled" : "new";
}

/** A cancel its restriction refused: the order (`order`, when known) is not in the status asked for. */
function cancelRestricted(orderId: number, flags: number, order: OrderState | undefined, consequence = ""): Outcome {
  const wanted = flags & CommandFlag.onlyNew ? "new" : "partially filled";
  const status = !order ? "" : order.pending ? " (it waits for its working order)" : ` (it is ${order.status?.replace("_", " ")})`;
  return new Outcome("CANCEL_RESTRICTED", `order ${orderId} was not cancelled: it may be cancelled only while ${wanted}${status}${consequence}`);
}

/** A command named an order the engine no longer holds (filled, cancelled or expired). */
const notOpen = (orderId: number) => new Outcome("ORDER_NOT_OPEN", `order ${orderId} is not open`);

/** An amendment keeping priority that would not lower the order's quantity. */
export function quantityNotLower(order: OrderState | undefined): Outcome {
  const now = order ? ` ${order.market.formatQuantity(order.quantity)}` : "";
  return new Outcome("QUANTITY_NOT_LOWER", `quantity must be lower than the order's${now}: an amendment that keeps priority only lowers it`);
}

/** Why an amendment keeping priority was refused. */
function reductionRefusal(entry: JournalEntry, reason: number, order: OrderState | undefined): Outcome {
  switch (reason) {
    case RejectReason.amendQuantity:
      return quantityNotLower(order);
    case RejectReason.notAmendable:
      return new Outcome("ORDER_NOT_AMENDABLE", `order ${entry.orderId} spends a quote amount: its quantity cannot be lowered`);
    case RejectReason.unknownOrder:
      return notOpen(entry.orderId);
    default:
      return Outcome.invalid("quantity", "the amendment was refused by the engine");
  }
}

function amendRefusal(entry: JournalEntry, reason: number, order: OrderState | undefined): Outcome {
  switch (reason) {
    case RejectReason.amendQuantity:
      return Outcome.invalid("quantity",
        `quantity must be greater than the filled quantity ${order ? order.market.formatQuantity(order.filled + order.decremented) : ""}`.trim());
    case RejectReason.postOnly:
      return new Outcome("POST_ONLY_WOULD_TAKE", "the new price would take liquidity; a post-only order only adds it");
    case RejectReason.unknownOrder:
      return notOpen(entry.orderId);
    default:
      return Outcome.invalid("quantity", "the amendment was refused by the engine");
  }
}
