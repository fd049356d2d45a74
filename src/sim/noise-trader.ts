// Zero-intelligence flow: at random times (a Poisson process whose rate rises with the market's
// activity, so volume goes with volatility) it sends a market order, a limit order some ticks
// from the touch, or cancels one of its own, with sizes from a Pareto (heavy-tailed) distribution.
import type { Side } from "../orders/order";
import { Participant, type SizeParams, referencePrice, type MarketView } from "./participant";

export interface NoiseTraderParams extends SizeParams {
  /** Mean actions per minute at the market's calm activity. */
  ratePerMinute: number;
  /** How the rate follows activity: rate × activity^activityExponent. */
  activityExponent: number;
  /** Shares of actions: market orders and cancels; the rest are limit orders. */
  marketShare: number;
  cancelShare: number;
  /** Mean distance of a limit order from the touch on its own side, ticks (exponential). */
  meanOffsetTicks: number;
  /** Open orders at most; past it, the oldest is cancelled. */
  maxOpenOrders: number;
}

export class NoiseTrader extends Participant<NoiseTraderParams> {
  readonly kind = "noise";

  wake(v: MarketView): void {
    const p = this.params;
    const rate = p.ratePerMinute * Math.pow(v.fundamental.activity, p.activityExponent);
    this.wakeAtRate(v.now, Math.max(rate, 1e-6));
    this.pruneOrders();
    const side: Side = this.random.chance(0.5) ? "buy" : "sell";
    const lots = this.drawLots(p);
    const action = this.random.next();
    if (action < p.cancelShare) {
      if (this.orders.length > 0) this.client.cancel(this.orders[this.random.below(this.orders.length)]!);
      return;
    }
    if (action < p.cancelShare + p.marketShare) return this.client.market(v.market, side, lots);
    const touch = side === "buy" ? v.bestBid : v.bestAsk;
    const reference = touch ?? referencePrice(v);
    const offset = Math.floor(this.random.exponential(p.meanOffsetTicks));
    let price = Math.round(side === "buy" ? reference - offset : reference + offset);
    // A limit order rests: never across the other side.
    if (side === "buy" && v.bestAsk !== null) price = Math.min(price, v.bestAsk - 1);
    if (side === "sell" && v.bestBid !== null) price = Math.max(price, v.bestBid + 1);
    if (price < 1) return;
    if (this.orders.length >= p.maxOpenOrders) this.client.cancel(this.orders.shift()!);
    this.client.limit(v.market, side, price, lots, this.keep);
  }
}
