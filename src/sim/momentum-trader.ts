// A momentum trader: it follows a fast and a slow moving average of the book's middle (both
// exponential, in venue time) and buys when the fast one is above the slow one by its threshold,
// sells when below, with market orders.
import { Participant, type SizeParams, referencePrice, type MarketView } from "./participant";

export interface MomentumTraderParams extends SizeParams {
  ratePerMinute: number;
  fastMinutes: number;
  slowMinutes: number;
  thresholdBps: number;
}

export class MomentumTrader extends Participant<MomentumTraderParams> {
  readonly kind = "momentum";
  private fast: number | null = null;
  private slow: number | null = null;
  private lastSeen = 0;

  wake(v: MarketView): void {
    const p = this.params;
    this.wakeAtRate(v.now, p.ratePerMinute);
    const mid = referencePrice(v);
    const minutes = this.lastSeen === 0 ? 0 : (v.now - this.lastSeen) / 60_000;
    this.lastSeen = v.now;
    this.fast = this.fast === null ? mid : this.fast + (1 - Math.exp(-minutes / p.fastMinutes)) * (mid - this.fast);
    this.slow = this.slow === null ? mid : this.slow + (1 - Math.exp(-minutes / p.slowMinutes)) * (mid - this.slow);
    const signal = (this.fast - this.slow) / this.slow * 10_000;
    if (Math.abs(signal) < p.thresholdBps) return;
    const lots = this.drawLots(p);
    this.client.market(v.market, signal > 0 ? "buy" : "sell", lots);
  }
}
