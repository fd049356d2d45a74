// A value trader: it looks at the fundamental (with noise) at random times and, when the book is
// mispriced by more than its threshold, takes liquidity toward its estimate with an IOC limit
// order (paying up to its estimate less the threshold); otherwise it waits.
import type { Side } from "../orders/order";
import { Participant, type SizeParams, type MarketView } from "./participant";

export interface ValueTraderParams extends SizeParams {
  ratePerMinute: number;
  /** Standard deviation of the log error of its look at the fundamental. */
  observationNoise: number;
  /** Mispricing it acts on, basis points of the price. */
  thresholdBps: number;
}

export class ValueTrader extends Participant<ValueTraderParams> {
  readonly kind = "value";

  wake(v: MarketView): void {
    const p = this.params;
    this.wakeAtRate(v.now, p.ratePerMinute);
    const estimate = v.fundamental.ticks * Math.exp(p.observationNoise * this.random.normal());
    const lots = this.drawLots(p);
    const margin = 1 + p.thresholdBps / 10_000;
    let side: Side | null = null;
    if (v.bestAsk !== null && estimate > v.bestAsk * margin) side = "buy";
    else if (v.bestBid !== null && estimate < v.bestBid / margin) side = "sell";
    if (side === null) return;
    // It pays up to its estimate less its margin, and no further.
    const limit = side === "buy" ? Math.floor(estimate / margin) : Math.ceil(estimate * margin);
    this.client.limit(v.market, side, Math.max(1, limit), lots, undefined, "IOC");
  }
}
