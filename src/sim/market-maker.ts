// A market maker quoting a ladder around its estimate of value, in the manner of Avellaneda and
// Stoikov: its reservation price is its value estimate moved against its inventory (long: lower,
// so that it sells more and buys less), and its half spread widens with the volatility it sees.
// The estimate blends a noisy look at the fundamental with the book's middle. At each wake it
// moves its existing quotes (amendments) rather than cancelling and placing anew, and stops
// quoting the side that would take it past its inventory limit.
import { remainingOf, type OrderState, type Side } from "../orders/order";
import { Participant, referencePrice, type MarketView } from "./participant";

export interface MarketMakerParams {
  /** Price levels per side. */
  levels: number;
  /** Base asset quoted at the touch; level i quotes size × (1 + sizeGrowth × i). */
  size: number;
  sizeGrowth: number;
  minHalfSpreadTicks: number;
  /** Distance between its levels beyond the touch, basis points of the price (at least a tick). */
  levelSpacingBps: number;
  /** Half spread added per tick of the middle's mean absolute move between its wakes. */
  volatilitySpread: number;
  /** Mean time between requotes, ms. */
  refreshMs: number;
  /** Weight of its look at the fundamental in its value estimate (the rest: the book's middle). */
  fundamentalWeight: number;
  /** Standard deviation of the log error of its look at the fundamental. */
  observationNoise: number;
  /** Base asset it may be long or short of its start, at most. */
  maxInventory: number;
  /** Ticks its reservation price moves at the inventory limit. */
  inventorySkewTicks: number;
}

export class MarketMaker extends Participant<MarketMakerParams> {
  readonly kind = "market-maker";
  private startInventory: number | null = null;
  private lastMid: number | null = null;
  private meanMove = 1;
  private lastQuote: number | null = null;

  wake(v: MarketView): void {
    const p = this.params;
    this.nextWake = v.now + Math.max(1, Math.round(p.refreshMs * (0.5 + this.random.next())));
    this.pruneOrders();
    const inventory = this.inventoryLots();
    this.startInventory ??= inventory;
    const mid = referencePrice(v);
    if (this.lastMid !== null) this.meanMove += 0.05 * (Math.abs(mid - this.lastMid) - this.meanMove);
    this.lastMid = mid;

    const look = v.fundamental.ticks * Math.exp(p.observationNoise * this.random.normal());
    const value = p.fundamentalWeight * look + (1 - p.fundamentalWeight) * mid;
    const maxLots = Math.max(1, this.lots(p.maxInventory));
    const position = (inventory - this.startInventory) / maxLots; // -1 .. 1 at the limits
    const reservation = value - p.inventorySkewTicks * position;
    const half = Math.max(p.minHalfSpreadTicks, p.minHalfSpreadTicks + p.volatilitySpread * this.meanMove);
    const bid = Math.max(1, Math.floor(reservation - half));
    const ask = Math.max(bid + 1, Math.ceil(reservation + half));

    const spacing = Math.max(1, Math.round(mid * p.levelSpacingBps / 10_000));
    const want = (side: Side) => {
      if ((side === "buy" && position >= 1) || (side === "sell" && position <= -1)) return [];
      const quotes: [price: number, lots: number][] = [];
      for (let i = 0; i < p.levels; i++) {
        const price = side === "buy" ? bid - i * spacing : ask + i * spacing;
        if (price >= 1) quotes.push([price, this.lots(p.size * (1 + p.sizeGrowth * i))]);
      }
      return quotes;
    };
    // Moving up, the asks move first; moving down, the bids: its new quotes never meet its old ones.
    const up = this.lastQuote !== null && bid > this.lastQuote;
    this.lastQuote = bid;
    for (const side of (up ? ["sell", "buy"] : ["buy", "sell"]) as Side[]) this.requote(v, side, want(side));
  }

  private requote(v: MarketView, side: Side, quotes: [number, number][]): void {
    const mine = this.orders.filter((o) => o.side === side);
    // Nearest first on both lists, so a level's order moves by the least.
    mine.sort((a, b) => side === "buy" ? b.price! - a.price! : a.price! - b.price!);
    quotes.forEach(([price, lots], i) => {
      const o: OrderState | undefined = mine[i];
      if (!o) return this.client.limit(v.market, side, price, lots, this.keep);
      if (o.price !== price || remainingOf(o) !== lots) this.client.amend(o, price, o.quantity - remainingOf(o) + lots);
    });
    for (const o of mine.slice(quotes.length)) this.client.cancel(o);
  }
}
