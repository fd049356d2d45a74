// The in-process client of a simulated participant: the same sequencer calls the HTTP surfaces
// make (admission, journal, engine), for one funded account. Nothing here is special to the
// engine: a participant's orders are shed like anyone's when the queue is full. Each call's
// promise joins the step's list, which the simulation waits for before the next step, so a
// participant always acts on what its previous step did.
import type { Account } from "../accounts";
import type { Exchange } from "../exchange";
import type { Market } from "../markets";
import type { OrderState, Side } from "../orders/order";
import type { OrderRequest } from "../orders/validate";
import { Outcome } from "../core/outcomes";

export interface ClientCounters {
  commands: number;
  refused: number;
}

export class SimClient {
  constructor(
    private readonly ex: Exchange,
    readonly account: Account,
    private readonly pending: Promise<unknown>[],
    private readonly counters: ClientCounters,
  ) {}

  /** A limit order (GTC unless told); `onPlaced` hears of it once committed. */
  limit(market: Market, side: Side, price: number, quantity: number, onPlaced?: (o: OrderState) => void, timeInForce: OrderRequest["timeInForce"] = "GTC"): void {
    this.order({ ...base(market, side), type: "limit", timeInForce, price, quantity }, onPlaced);
  }

  market(market: Market, side: Side, quantity: number, onPlaced?: (o: OrderState) => void): void {
    this.order({ ...base(market, side), type: "market", timeInForce: "IOC", price: null, quantity }, onPlaced);
  }

  cancel(order: OrderState): void {
    this.track(() => this.ex.sequencer.cancel(this.account, order.id));
  }

  /** A new price and total quantity for an open order (its filled part included). */
  amend(order: OrderState, price: number, quantity: number): void {
    this.track(() => this.ex.sequencer.amend(this.account, order.id, { price, quantity }));
  }

  /** Units of the asset the account holds, free and locked together. */
  holding(assetIndex: number): bigint {
    const b = this.ex.engine.balance(this.account.id, assetIndex);
    return b.free + b.locked;
  }

  private order(request: OrderRequest, onPlaced?: (o: OrderState) => void): void {
    this.track(() => this.ex.sequencer.submit(this.account, request), onPlaced);
  }

  private track<T>(send: () => Promise<T>, then?: (value: T) => void): void {
    this.counters.commands++;
    let sent: Promise<T>;
    try {
      sent = send();
    } catch (error) {
      return this.refused(error);
    }
    this.pending.push(sent.then(then, (error) => this.refused(error)));
  }

  private refused(error: unknown): void {
    // Refusals are a participant's normal life (a cancel that lost the race to a fill, a full
    // queue); anything else is a bug.
    if (!(error instanceof Outcome)) throw error;
    this.counters.refused++;
  }
}

function base(market: Market, side: Side): Omit<OrderRequest, "type" | "price" | "quantity"> {
  return {
    market, side, timeInForce: "GTC", postOnly: false, quoteQuantity: null, clientOrderId: null,
    // A participant's new quote may meet one of its own not yet moved: the newer one goes.
    selfTradePrevention: "expireTaker", stopPrice: null, trailingDelta: null, icebergQuantity: null,
  };
}
