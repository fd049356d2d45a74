// What every simulated participant shares: its account's client, its own random stream, the
// orders it keeps open, and when it next wakes. The simulation wakes participants in time order;
// at its wake a participant looks at the market (MarketView) and sends commands.
import type { Market } from "../markets";
import { isOpen, type OrderState } from "../orders/order";
import type { SimClient } from "./client";
import type { Fundamental } from "./fundamental";
import type { RandomStream } from "./random";

export interface MarketView {
  market: Market;
  /** Venue time, ms. */
  now: number;
  /** Best prices in ticks; null for an empty side. */
  bestBid: number | null;
  bestAsk: number | null;
  lastPrice: number | null;
  fundamental: Fundamental;
}

/** The book's middle, or the side there is, or the last trade, or the fundamental. */
export function referencePrice(v: MarketView): number {
  if (v.bestBid !== null && v.bestAsk !== null) return (v.bestBid + v.bestAsk) / 2;
  return v.bestBid ?? v.bestAsk ?? v.lastPrice ?? v.fundamental.ticks;
}

/** Pareto sizes in the base asset: minimum, tail index (smaller: heavier), cap. */
export interface SizeParams {
  minSize: number;
  sizeTail: number;
  maxSize: number;
}

export abstract class Participant<P = unknown> {
  /** Venue time of its next wake, ms. */
  nextWake = 0;
  /** Its open orders (pruned at each wake: the engine's events close them). */
  protected orders: OrderState[] = [];

  constructor(
    readonly name: string,
    readonly market: Market,
    protected readonly client: SimClient,
    protected readonly random: RandomStream,
    /** Its parameters: a running simulation may change them. */
    public params: P,
  ) {
    this.lotSize = Number(market.spec.stepSize);
  }

  /** The market's lot in the base asset, as a number (sizes are drawn as numbers, then rounded). */
  private readonly lotSize: number;

  abstract readonly kind: string;

  /** Looks at the market and acts; sets nextWake. */
  abstract wake(view: MarketView): void;

  /** Its first wake: within the first second, from its own stream. */
  firstWake(now: number): void {
    this.nextWake = now + Math.floor(this.random.next() * 1000);
  }

  /** Takes on orders the account already has open (after a restart). */
  adopt(orders: OrderState[]): void {
    this.orders.push(...orders);
  }

  protected pruneOrders(): void {
    // In place: a participant prunes at every wake.
    let kept = 0;
    for (const o of this.orders) if (isOpen(o.status)) this.orders[kept++] = o;
    this.orders.length = kept;
  }

  protected keep = (o: OrderState): void => {
    if (isOpen(o.status)) this.orders.push(o);
  };

  /** Lots from a size in the base asset (a participant's parameters are in the base asset). */
  protected lots(size: number): number {
    return Math.max(this.market.minQuantityLots, Math.round(size / this.lotSize));
  }

  /** The next wake of a Poisson process of `perMinute` actions a minute, from `now` (at least 1 ms on). */
  protected wakeAtRate(now: number, perMinute: number): void {
    this.nextWake = now + Math.max(1, Math.round(this.random.exponential(60_000 / perMinute)));
  }

  /** A heavy-tailed size, in lots. */
  protected drawLots(p: SizeParams): number {
    return this.lots(this.random.pareto(p.minSize, p.sizeTail, p.maxSize));
  }

  /** Its holding of the base asset in lots, free and locked. */
  protected inventoryLots(): number {
    return Number(this.client.holding(this.market.base.index) / BigInt(this.market.lotUnits));
  }
}
