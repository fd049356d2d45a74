// The in-process client of a simulated participant: the same sequencer calls the HTTP surfaces
// make (admission, journal, engine), for one funded account. Nothing here is special to the
// engine: a participant's orders are shed like anyone's when the queue is full. Each call is
// counted as outstanding until its answer comes; the simulation waits for none to be left before
// the next step, so a participant always acts on what its previous step did. Answers come as
// plain callbacks (the sequencer's Reply), not promises: three promises a command were a tenth of
// a simulated day's time (BENCHMARKS.md).
import type { Account } from "../accounts";
import type { Reply } from "../core/sequencer";
import type { Exchange } from "../exchange";
import type { Market } from "../markets";
import type { OrderState, Side } from "../orders/order";
import type { OrderRequest } from "../orders/validate";
import { Outcome } from "../core/outcomes";

/** The answers a driver's clients wait for: a count, and a promise for the moment it is zero. */
export class Outstanding {
  private count = 0;
  private failure: { error: unknown } | null = null;
  private waiter: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  add(): void {
    this.count++;
  }

  /** An answer came; `error`, a bug it met (not a refusal), is what the wait then throws. */
  done(error?: { error: unknown }): void {
    if (error) this.failure ??= error;
    if (--this.count > 0 || !this.waiter) return;
    const waiter = this.waiter;
    this.waiter = null;
    this.settle(waiter);
  }

  /** Resolves once every call made so far is answered; rejects with the first bug met. */
  settled(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.count === 0) this.settle({ resolve, reject });
      else this.waiter = { resolve, reject };
    });
  }

  private settle(waiter: { resolve: () => void; reject: (error: unknown) => void }): void {
    const failure = this.failure;
    this.failure = null;
    if (failure) waiter.reject(failure.error);
    else waiter.resolve();
  }
}

export interface ClientCounters {
  commands: number;
  refused: number;
}

export class SimClient {
  constructor(
    private readonly ex: Exchange,
    readonly account: Account,
    private readonly outstanding: Outstanding,
    private readonly counters: ClientCounters,
  ) {}

  /** A limit order (GTC unless told); `onPlaced` hears of it once committed. */
  limit(market: Market, side: Side, price: number, quantity: number, onPlaced?: (o: OrderState) => void, timeInForce: OrderRequest["timeInForce"] = "GTC"): void {
    this.order(request(market, side, "limit", timeInForce, price, quantity), onPlaced);
  }

  market(market: Market, side: Side, quantity: number, onPlaced?: (o: OrderState) => void): void {
    this.order(request(market, side, "market", "IOC", null, quantity), onPlaced);
  }

  cancel(order: OrderState): void {
    this.send((reply) => this.ex.sequencer.cancelTo(this.account, order.id, reply));
  }

  /** A new price and total quantity for an open order (its filled part included). */
  amend(order: OrderState, price: number, quantity: number): void {
    this.send((reply) => this.ex.sequencer.amendTo(this.account, order.id, { price, quantity }, reply));
  }

  /** Units of the asset the account holds, free and locked together. */
  holding(assetIndex: number): bigint {
    const b = this.ex.engine.balance(this.account.id, assetIndex);
    return b.free + b.locked;
  }

  private order(request: OrderRequest, onPlaced?: (o: OrderState) => void): void {
    this.send((reply) => this.ex.sequencer.submitTo(this.account, request, reply), onPlaced);
  }

  /** Sends a command, counted outstanding until its reply hears the answer (a refusal found
   *  before queueing too). */
  private send<T>(start: (reply: Reply<T>) => void, answered?: (value: T) => void): void {
    this.counters.commands++;
    this.outstanding.add();
    const reply = new ClientReply(this.outstanding, this.counters, answered);
    try {
      start(reply);
    } catch (error) {
      reply.reject(error);
    }
  }
}

/** One command's answer. The sequencer calls it in its own loop: nothing may throw out of it. (A
 *  class, so that a command costs one small object, not an object and two closures.) */
class ClientReply<T> implements Reply<T> {
  // (`answered`, not `then`: an object with a `then` is taken for a promise wherever it is awaited.)
  constructor(private readonly outstanding: Outstanding, private readonly counters: ClientCounters, private readonly answered?: (value: T) => void) {}

  resolve(value: T): void {
    try {
      this.answered?.(value);
    } catch (error) {
      return this.outstanding.done({ error });
    }
    this.outstanding.done();
  }

  // Refusals are a participant's normal life (a cancel that lost the race to a fill, a full
  // queue); anything else is a bug.
  reject(error: unknown): void {
    if (!(error instanceof Outcome)) return this.outstanding.done({ error });
    this.counters.refused++;
    this.outstanding.done();
  }
}

// One literal (a spread of shared fields cost a copy per order).
function request(market: Market, side: Side, type: "limit" | "market", timeInForce: OrderRequest["timeInForce"], price: number | null, quantity: number): OrderRequest {
  return {
    market, side, type, timeInForce, price, quantity, postOnly: false, quoteQuantity: null, clientOrderId: null,
    // A participant's new quote may meet one of its own not yet moved: the newer one goes.
    selfTradePrevention: "expireTaker", stopPrice: null, trailingDelta: null, icebergQuantity: null,
  };
}
