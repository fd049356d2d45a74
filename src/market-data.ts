// Market data as clients see it, in one place for the REST routes and the streams: book levels,
// ticker and trades, with prices and quantities as decimal strings.
import type { Exchange } from "./exchange";
import type { Market } from "./markets";
import type { TradeRecord } from "./store/projection-writer";

export type Level = [price: string, quantity: string];

export function bookLevels(ex: Exchange, m: Market, side: 0 | 1, depth: number): Level[] {
  return ex.engine.depth(m.index, side, depth).map(([p, q]) => [m.formatPrice(p), m.formatQuantity(q)]);
}

/** The levels at `prices` on one side, best first, each with its quantity now ("0" if gone): what
 *  a batch changed, as the book streams send it. */
export function levelsAt(ex: Exchange, m: Market, side: 0 | 1, prices: Iterable<number>): Level[] {
  return [...prices].sort((a, b) => (side === 0 ? b - a : a - b))
    .map((p) => [m.formatPrice(p), m.formatQuantity(ex.engine.levelQuantity(m.index, side, p))]);
}

export function bookSnapshot(ex: Exchange, m: Market, depth: number) {
  return { symbol: m.symbol, sequence: ex.engine.sequence(m.index), bids: bookLevels(ex, m, 0, depth), asks: bookLevels(ex, m, 1, depth) };
}

export function ticker(ex: Exchange, m: Market) {
  const [bid] = ex.engine.depth(m.index, 0, 1);
  const [ask] = ex.engine.depth(m.index, 1, 1);
  const last = ex.stats.lastPrice(m.index);
  return {
    symbol: m.symbol,
    bestBid: bid ? m.formatPrice(bid[0]) : null,
    bestAsk: ask ? m.formatPrice(ask[0]) : null,
    lastPrice: last === null ? null : m.formatPrice(last),
    volume24h: m.formatQuantity(ex.stats.volume24h(m.index, ex.clock.now())),
    sequence: ex.engine.sequence(m.index),
  };
}

export function renderTrade(m: Market, t: Pick<TradeRecord, "id" | "price" | "quantity" | "takerSide" | "time">) {
  return { tradeId: String(t.id), symbol: m.symbol, price: m.formatPrice(t.price), quantity: m.formatQuantity(t.quantity), takerSide: t.takerSide, time: t.time };
}
