// Aggregate trades, as Binance defines them: the trades one taker order made at one price in one
// step, told as one (its quantity summed). A taker's trades at one price are made together, so an
// aggregate is a run of consecutive trade ids with one taker order and one price: found by
// comparing each trade with the one before it. An aggregate's id is its first trade's (Binance
// numbers aggregates apart from trades, per market; here both come from the trades' ids, so they
// are unique and ascending, with gaps).
import type { TradeRecord } from "./store/projection-writer";

/** What grouping needs of a trade, beside what a public trade shows. */
export type GroupableTrade = Pick<TradeRecord, "id" | "price" | "quantity" | "takerSide" | "time" | "takerOrderId">;

export interface AggregateTrade {
  /** The first trade's id: the aggregate's id. */
  id: number;
  lastId: number;
  price: number;
  /** Lots, summed. */
  quantity: number;
  time: number;
  takerSide: "buy" | "sell";
}

const continues = (t: GroupableTrade, last: AggregateTrade, lastTaker: number) =>
  t.id === last.lastId + 1 && t.takerOrderId === lastTaker && t.price === last.price;

/** The aggregates of trades given in id order (the first and last may be parts of larger ones,
 *  if the trades were cut from a longer run). */
export function aggregate(trades: readonly GroupableTrade[]): AggregateTrade[] {
  const out: AggregateTrade[] = [];
  let lastTaker = -1;
  for (const t of trades) {
    const last = out[out.length - 1];
    if (last && continues(t, last, lastTaker)) {
      last.lastId = t.id;
      last.quantity += t.quantity;
      continue;
    }
    out.push({ id: t.id, lastId: t.id, price: t.price, quantity: t.quantity, time: t.time, takerSide: t.takerSide });
    lastTaker = t.takerOrderId;
  }
  return out;
}

/** The newest `limit` aggregates of trades given newest first, oldest first; `whole` when the
 *  oldest of them is known to be whole (a trade older than it, of another, was seen). */
export function newestAggregates(newestFirst: Iterable<GroupableTrade>, limit: number): { aggregates: AggregateTrade[]; whole: boolean } {
  const found: AggregateTrade[] = [];
  let taker = -1;
  for (const t of newestFirst) {
    const oldest = found[found.length - 1];
    if (oldest && t.id === oldest.id - 1 && t.takerOrderId === taker && t.price === oldest.price) {
      oldest.id = t.id;
      oldest.quantity += t.quantity;
      continue;
    }
    if (found.length === limit) return { aggregates: found.reverse(), whole: true };
    found.push({ id: t.id, lastId: t.id, price: t.price, quantity: t.quantity, time: t.time, takerSide: t.takerSide });
    taker = t.takerOrderId;
  }
  return { aggregates: found.reverse(), whole: false };
}

/** A read of one market's trades, in id order: from `fromId` (and `startTime`) on, the first
 *  `limit`; otherwise the last `limit` up to `toId` (and `endTime`). */
export type TradePage = (filter: { fromId?: number; toId?: number; startTime?: number; endTime?: number; limit: number }) => GroupableTrade[];

const MAX_PAGE = 5000;

/**
 * `limit` whole aggregates off a store of trades, read in pages until one more aggregate than
 * asked shows where the last asked one ends: from the aggregate `fromId` (or the first at or
 * after `startTime`) on, else the newest up to `endTime`. A time window never cuts an aggregate
 * (its trades share a time); an id can, so a read from an id starts a trade early, to see whether
 * the trade at the id begins one.
 */
export function readAggregates(read: TradePage, filter: { fromId?: number; startTime?: number; endTime?: number; limit: number }): AggregateTrade[] {
  const { limit } = filter;
  let trades: GroupableTrade[] = [];
  let page = limit + 1;
  if (filter.fromId !== undefined || filter.startTime !== undefined) {
    const fromId = filter.fromId;
    let next = fromId === undefined ? undefined : Math.max(0, fromId - 1);
    for (;;) {
      const got = read({ fromId: next, startTime: filter.startTime, endTime: filter.endTime, limit: page });
      trades = trades.concat(got);
      let found = aggregate(trades);
      if (fromId !== undefined) found = found.filter((a) => a.id >= fromId);
      if (found.length > limit || got.length < page) return found.slice(0, limit);
      next = got[got.length - 1]!.id + 1;
      page = Math.min(2 * page, MAX_PAGE);
    }
  }
  let toId: number | undefined;
  let endTime = filter.endTime;
  for (;;) {
    const got = read({ toId, endTime, limit: page });
    trades = got.concat(trades);
    const found = aggregate(trades);
    if (found.length > limit || got.length < page) return found.slice(-limit);
    // (Older trades are no later: the time bounds the read where the id alone would not.)
    toId = got[0]!.id - 1;
    endTime = got[0]!.time;
    page = Math.min(2 * page, MAX_PAGE);
  }
}
