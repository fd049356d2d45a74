// Reads (Drizzle): orders with their fills, trades, balances and the ledger from the projection
// file; the journal, snapshots and funding requests from the database file; the counters to
// resume from. The projection follows the journal a little behind (projector.ts): every read of
// it first calls `beforeRead`, which waits until every acknowledged batch is written.
import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, lt, lte, max, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { pushTo } from "../collections";
import type { Markets } from "../markets";
import {
  CLOSED_STATUSES, type Fill, type OrderState, type OrderStatus,
} from "../orders/order";
import type { Db, TablesDb } from "./database";
import { accountRequests, journal, journalBatches, snapshots } from "./schema";
import { accountTrades, balances, ledger, orderAmendments, orders, preventedMatches, projection, trades } from "./projection-schema";
import { decodeJournalRecord } from "./journal-record";
import type { StoredEntry } from "../journal";
import { FEE_ACCOUNT } from "../../native/layout";

type OrderRow = typeof orders.$inferSelect;
export type TradeRow = typeof trades.$inferSelect;
/** One leg of a trade, as the account that made it reads it: with its order's list (null outside lists). */
export interface AccountTrade { trade: TradeRow; asTaker: boolean; listId: number | null }
type Leg = Omit<AccountTrade, "listId">;
export type PreventedMatchRow = typeof preventedMatches.$inferSelect;
export type AmendmentRow = typeof orderAmendments.$inferSelect;
/** The last ids given out and the last journal entry: where a start resumes counting. */
export interface Counters {
  lastOrderId: number;
  lastTradeId: number;
  lastPreventedMatchId: number;
  lastAmendmentId: number;
  lastSeq: number;
}
/** One change of an account's total: a deposit or withdrawal, one leg of a trade (the received leg
 *  net of its fee, shown beside it), or, for the fee account, a trade's fee. Units of `asset`, signed. */
export interface LedgerEntry {
  kind: "deposit" | "withdrawal" | "fee" | "trade";
  asset: string;
  amount: bigint;
  fee: bigint;
  tradeId: number | null;
  time: number;
}
export type AccountRequestRow = typeof accountRequests.$inferSelect;
export interface CandleRow { time: number; open: number; high: number; low: number; close: number; volume: number; trades: number }
/** A candle with what Binance's klines also show: Σ price x quantity (ticks x lots), the part
 *  bought by takers, and its first and last trades' ids. */
export interface KlineRow extends CandleRow { notional: number; takerBuyVolume: number; takerBuyNotional: number; firstId: number; lastId: number }
/** How trades group into candles: a fixed length from an origin (ms), or calendar months in a
 *  time zone `utcOffset` ms ahead of UTC. */
export type Bucketing = { ms: number; origin: number } | { month: true; utcOffset: number };

/** The start of the month holding `time` in a time zone `utcOffset` ms ahead of UTC, or of the
 *  month `months` after it. */
export function monthStart(time: number, utcOffset: number, months = 0): number {
  const d = new Date(time + utcOffset);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1) - utcOffset;
}
/** A time window and a count, as Binance's history endpoints take them. */
export interface HistoryFilter { startTime?: number; endTime?: number; fromId?: number; limit: number }

/** How Binance's history endpoints read their parameters: from an id or a start time, oldest
 *  first; otherwise the newest (the caller puts them oldest first). */
const readsOldestFirst = (filter: HistoryFilter) => filter.fromId !== undefined || filter.startTime !== undefined;

/** The conditions on order ids that take Queries.orderIdWindow's values, by the filter's shape. */
function orderIdWindowConditions(filter: HistoryFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.startTime !== undefined) conditions.push(gte(orders.id, $("firstId")));
  if (filter.endTime !== undefined) conditions.push(lt(orders.id, $("endId")));
  return conditions;
}

/** A history query's condition and order (readsOldestFirst). */
function history(filter: HistoryFilter, id: SQLiteColumn, time: SQLiteColumn, conditions: SQL[]) {
  if (filter.fromId !== undefined) conditions.push(gte(id, $("fromId")));
  if (filter.startTime !== undefined) conditions.push(gte(time, $("startTime")));
  if (filter.endTime !== undefined) conditions.push(lte(time, $("endTime")));
  const oldestFirst = readsOldestFirst(filter);
  return { where: and(...conditions), orderBy: oldestFirst ? asc(id) : desc(id), oldestFirst };
}

/** The start of the interval `count - 1` intervals before the one holding `time`: so that a
 *  window from there holds `count` whole intervals (the last up to `time`). */
function intervalsBefore(bucketing: Bucketing, time: number, count: number): number {
  if ("month" in bucketing) return monthStart(time, bucketing.utcOffset, -(count - 1));
  const { ms, origin } = bucketing;
  return Math.floor((time - origin) / ms) * ms + origin - (count - 1) * ms;
}

/** Which of a history read's optional values it has: its statement's shape. */
const shapeOf = (filter: HistoryFilter & { orderId?: number; toId?: number }) =>
  `${filter.fromId === undefined ? "" : "f"}${filter.startTime === undefined ? "" : "s"}${filter.endTime === undefined ? "" : "e"}${filter.orderId === undefined ? "" : "o"}${filter.toId === undefined ? "" : "t"}`;

/** A value given when a prepared statement runs. */
const $ = sql.placeholder;

/** The condition of the partial index orders_open_idx, word for word, so that SQLite uses it. */
const OPEN_ORDER = sql`${orders.status} IN ('new', 'partially_filled')`;
/** The condition of the partial index orders_account_lists_idx: an order list's first order. */
const LIST_HEAD = sql`${orders.listId} = ${orders.id}`;

export class Queries {
  // On the hot path (a cancel of an order that just closed asks who owns it): prepared once,
  // raw, because Drizzle's query builder rebuilds and re-prepares SQL on every call.
  private readonly ownerStatement;
  /** The statements of the API's reads, prepared once per shape (which optional conditions a read
   *  has), with placeholders for its values: Drizzle's builder makes and prepares SQL anew on every
   *  call, ~100 µs of an order read by id that takes ~4 prepared (BENCHMARKS.md). (Candles are
   *  built each time: their cost is the trades they group.) */
  private readonly statements = new Map<string, unknown>();
  /** Set by the exchange: writes buffered orders and trades (those of every acknowledged batch,
   *  or of the batches up to journal entry `upToSeq`). */
  beforeRead: (upToSeq?: number) => void = () => {};

  /** `db`: the database file; `tables`: its projection file. */
  constructor(private readonly db: Db, private readonly tables: TablesDb, private readonly markets: Markets) {
    this.ownerStatement = tables.$client.prepare<{ accountId: number; status: OrderStatus }, [number]>(
      "SELECT account_id AS accountId, status FROM orders WHERE id = ?",
    );
  }

  private statement<T>(shape: string, prepare: () => T): T {
    let s = this.statements.get(shape) as T | undefined;
    if (s === undefined) this.statements.set(shape, (s = prepare()));
    return s;
  }

  /** Orders with their fills: the trades of all of them in one statement (their ids as a JSON
   *  array, so that any number of orders takes the same one); and the last prevented match of the
   *  few that self-trade prevention touched. */
  private withFills(rows: OrderRow[]): OrderState[] {
    return ordersWithFills(this.markets, rows, (ids) => this.statement("fills", () => this.tables.select().from(trades)
      .where(or(sql`${trades.takerOrderId} IN (SELECT value FROM json_each(${$("ids")}))`,
        sql`${trades.makerOrderId} IN (SELECT value FROM json_each(${$("ids")}))`))
      .orderBy(asc(trades.id)).prepare()).all({ ids: JSON.stringify(ids) }),
    (id) => this.statement("last prevented match", () => this.tables.select({ id: max(preventedMatches.id) }).from(preventedMatches)
      .where(or(eq(preventedMatches.takerOrderId, $("id")), eq(preventedMatches.makerOrderId, $("id")))).prepare()).get({ id })?.id ?? null);
  }

  /** An order with its fills; `upToSeq`: its row is final once the journal up to there is written
   *  (OrderRegistry.storedBy), else every acknowledged batch is waited for. */
  order(id: number, upToSeq?: number): OrderState | undefined {
    this.beforeRead(upToSeq);
    const row = this.statement("order", () => this.tables.select().from(orders).where(eq(orders.id, $("id"))).prepare()).get({ id });
    return row && this.withFills([row])[0];
  }

  /** Account and status of an order, without its fills. */
  orderOwner(id: number, upToSeq?: number): { accountId: number; status: OrderStatus } | undefined {
    this.beforeRead(upToSeq);
    return this.ownerStatement.get(id) ?? undefined;
  }

  /** The account's orders, newest first (its open orders are read from memory: OrderRegistry). */
  listOrders(accountId: number, filter: { symbol?: string; status: "closed" | "all"; limit: number }, upToSeq?: number): OrderState[] {
    this.beforeRead(upToSeq);
    const rows = this.statement(`orders ${filter.status} ${filter.symbol ? "in" : "all"}`, () => {
      const conditions = [eq(orders.accountId, $("accountId"))];
      if (filter.symbol) conditions.push(eq(orders.symbol, $("symbol")));
      if (filter.status === "closed") conditions.push(inArray(orders.status, [...CLOSED_STATUSES]));
      return this.tables.select().from(orders).where(and(...conditions)).orderBy(desc(orders.id)).limit($("limit")).prepare();
    }).all({ accountId, symbol: filter.symbol, limit: filter.limit });
    return this.withFills(rows);
  }

  /** The two orders of an order list (its id is its first order's). */
  orderList(listId: number, upToSeq?: number): OrderState[] {
    this.beforeRead(upToSeq);
    return this.withFills(this.statement("list", () => this.tables.select().from(orders).where(eq(orders.listId, $("listId"))).orderBy(asc(orders.id)).prepare()).all({ listId }));
  }

  /** Every open order with its fills: the in-memory state the sequencer resumes from. */
  openOrders(): OrderState[] {
    const open = this.withFills(this.tables.select().from(orders).where(OPEN_ORDER).orderBy(asc(orders.id)).all());
    // How often each was lowered in place: the venue limits it (Limits.maxAmendmentsPerOrder).
    const counts = this.tables.select({ orderId: orderAmendments.orderId, n: count() }).from(orderAmendments)
      .where(sql`${orderAmendments.orderId} IN (SELECT value FROM json_each(${JSON.stringify(open.map((o) => o.id))}))`)
      .groupBy(orderAmendments.orderId).all();
    const byId = new Map(open.map((o) => [o.id, o]));
    for (const { orderId, n } of counts) byId.get(orderId)!.amendments = n;
    return open;
  }

  trades(symbol: string, limit: number, upToSeq?: number): TradeRow[] {
    this.beforeRead(upToSeq);
    return this.statement("recent trades", () => this.tables.select().from(trades).where(eq(trades.symbol, $("symbol")))
      .orderBy(desc(trades.time), desc(trades.id)).limit($("limit")).prepare()).all({ symbol, limit });
  }

  /** OHLCV buckets of `intervalMs` for one market, newest first, over the last `limit` intervals
   *  up to `now`: open and close are the first and last trade of the bucket by trade id. */
  candles(symbol: string, intervalMs: number, limit: number, now: number, upToSeq?: number): CandleRow[] {
    const since = (Math.floor(now / intervalMs) - limit + 1) * intervalMs;
    return this.klines(symbol, { ms: intervalMs, origin: 0 }, { startTime: since, limit }, upToSeq).reverse();
  }

  /**
   * Candles of one market, oldest first, over [startTime, endTime]: the first `limit` from
   * startTime, or else the last `limit` up to endTime (or now). Intervals without trades are absent.
   * The last `limit` are looked for in the `limit` intervals that end with the newest trade, then
   * in four times as many, and so on while older trades remain: never in the market's whole history.
   */
  klines(symbol: string, bucketing: Bucketing, filter: HistoryFilter, upToSeq?: number): KlineRow[] {
    this.beforeRead(upToSeq);
    const to = filter.endTime ?? Number.MAX_SAFE_INTEGER;
    if (filter.startTime !== undefined) return this.bucketed(symbol, bucketing, filter.startTime, to, filter.limit, false);
    const newest = this.statement("newest trade up to", () => this.tables.select({ time: trades.time }).from(trades)
      .where(and(eq(trades.symbol, $("symbol")), lte(trades.time, $("to")))).orderBy(desc(trades.time), desc(trades.id)).limit(1).prepare())
      .get({ symbol, to });
    if (!newest) return [];
    for (let intervals = filter.limit; ; intervals *= 4) {
      const from = intervalsBefore(bucketing, newest.time, intervals);
      const rows = this.bucketed(symbol, bucketing, from, to, filter.limit, true);
      if (rows.length === filter.limit || !this.tradeBefore(symbol, from)) return rows.reverse();
    }
  }

  /** Whether the market has a trade before `time`. */
  private tradeBefore(symbol: string, time: number): boolean {
    return this.statement("trade before", () => this.tables.select({ id: trades.id }).from(trades)
      .where(and(eq(trades.symbol, $("symbol")), lt(trades.time, $("time")))).limit(1).prepare()).get({ symbol, time }) !== undefined;
  }

  /** The candles of [from, to], the first `limit` (or with `newestFirst` the last, newest first). */
  private bucketed(symbol: string, bucketing: Bucketing, from: number, to: number, limit: number, newestFirst: boolean): KlineRow[] {
    const bucket = "month" in bucketing
      ? sql`(CAST(strftime('%s', (${trades.time} + ${bucketing.utcOffset}) / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000 - ${bucketing.utcOffset})`
      : sql`((${trades.time} - ${bucketing.origin}) / ${bucketing.ms} * ${bucketing.ms} + ${bucketing.origin})`;
    return this.tables.all<KlineRow>(sql`
      SELECT b.bucket AS time, b.low, b.high, b.volume, b.trades, b.notional,
             b.taker_buy_volume AS takerBuyVolume, b.taker_buy_notional AS takerBuyNotional, b.first_id AS firstId, b.last_id AS lastId,
             (SELECT price FROM ${trades} WHERE id = b.first_id) AS open,
             (SELECT price FROM ${trades} WHERE id = b.last_id) AS close
      FROM (SELECT ${bucket} AS bucket, min(${trades.price}) AS low, max(${trades.price}) AS high,
                   sum(${trades.quantity}) AS volume, count(*) AS trades, sum(${trades.price} * ${trades.quantity}) AS notional,
                   coalesce(sum(CASE WHEN ${trades.takerSide} = 'buy' THEN ${trades.quantity} END), 0) AS taker_buy_volume,
                   coalesce(sum(CASE WHEN ${trades.takerSide} = 'buy' THEN ${trades.price} * ${trades.quantity} END), 0) AS taker_buy_notional,
                   min(${trades.id}) AS first_id, max(${trades.id}) AS last_id
            FROM ${trades} WHERE ${trades.symbol} = ${symbol} AND ${trades.time} >= ${from} AND ${trades.time} <= ${to}
            GROUP BY bucket) b
      ORDER BY b.bucket ${newestFirst ? sql`DESC` : sql`ASC`} LIMIT ${limit}`);
  }

  /** One market's trades, oldest first: from `fromId`, or in a time window, or the newest `limit`
   *  (up to `toId`, if given). */
  tradeHistory(symbol: string, filter: HistoryFilter & { toId?: number }, upToSeq?: number): TradeRow[] {
    this.beforeRead(upToSeq);
    // A trade's time never decreases with its id (the venue's clock never runs back: clock.ts), so
    // the market's (symbol, time) index, whose entries end with the id, holds its trades in id
    // order: read from a start, or back from the newest, it stops at the limit without sorting
    // every trade of the market. From an id: from that trade's time on.
    let startTime = filter.startTime;
    if (filter.fromId !== undefined) {
      const first = this.statement("trade from", () => this.tables.select({ time: trades.time }).from(trades)
        .where(gte(trades.id, $("fromId"))).orderBy(asc(trades.id)).limit(1).prepare()).get({ fromId: filter.fromId });
      if (!first) return [];
      startTime = Math.max(startTime ?? first.time, first.time);
    }
    const oldestFirst = readsOldestFirst(filter);
    const rows = this.statement(`trades ${shapeOf(filter)}`, () => {
      const conditions = [eq(trades.symbol, $("symbol"))];
      if (filter.fromId !== undefined) conditions.push(gte(trades.id, $("fromId")));
      if (filter.toId !== undefined) conditions.push(lte(trades.id, $("toId")));
      if (startTime !== undefined) conditions.push(gte(trades.time, $("startTime")));
      if (filter.endTime !== undefined) conditions.push(lte(trades.time, $("endTime")));
      const order = oldestFirst ? asc : desc;
      return this.tables.select().from(trades).where(and(...conditions)).orderBy(order(trades.time), order(trades.id)).limit($("limit")).prepare();
    }).all({ symbol, fromId: filter.fromId, toId: filter.toId, startTime, endTime: filter.endTime, limit: filter.limit });
    return oldestFirst ? rows : rows.reverse();
  }

  /** The ids of the first and last trades of a market within [startTime, endTime] (either end
   *  open), off the (symbol, time) index; undefined when none is. */
  private tradeIdsWithin(symbol: string, startTime: number | undefined, endTime: number | undefined): { first: number; last: number } | undefined {
    const values = { symbol, startTime, endTime };
    const end = (order: typeof asc) => this.statement(`trade within ${shapeOf({ startTime, endTime, limit: 1 })} ${order === asc ? "first" : "last"}`, () =>
      this.tables.select({ id: trades.id }).from(trades)
        .where(and(eq(trades.symbol, $("symbol")), startTime === undefined ? undefined : gte(trades.time, $("startTime")),
          endTime === undefined ? undefined : lte(trades.time, $("endTime"))))
        .orderBy(order(trades.time), order(trades.id)).limit(1).prepare()).get(values);
    const first = end(asc), last = end(desc);
    return first && last ? { first: first.id, last: last.id } : undefined;
  }

  /** An account's trades in one market (as taker and as maker), oldest first, like tradeHistory;
   *  `orderId`: only that order's. */
  accountTrades(accountId: number, symbol: string, filter: HistoryFilter & { orderId?: number }, upToSeq?: number): AccountTrade[] {
    this.beforeRead(upToSeq);
    let found: Leg[];
    if (filter.orderId !== undefined) {
      // One order's: off the trades' order indexes (an order is on one side of each of its trades).
      found = [];
      const oldestFirst = readsOldestFirst(filter);
      for (const [account, order, asTaker] of [[trades.takerAccountId, trades.takerOrderId, true], [trades.makerAccountId, trades.makerOrderId, false]] as const) {
        const rows = this.statement(`order's trades ${shapeOf(filter)} ${asTaker}`, () => {
          const h = history(filter, trades.id, trades.time, [eq(order, $("orderId")), eq(account, $("accountId")), eq(trades.symbol, $("symbol"))]);
          return this.tables.select().from(trades).where(h.where).orderBy(h.orderBy).limit($("limit")).prepare();
        }).all({ ...filter, accountId, symbol });
        for (const trade of rows) found.push({ trade, asTaker });
      }
      found.sort((a, b) => a.trade.id - b.trade.id);
      found = oldestFirst ? found.slice(0, filter.limit) : found.slice(-filter.limit);
    } else {
      // The account's legs in account_trades' key order (one direction for every column, so that
      // SQLite reads them off the key rather than sorting them all).
      // A window of times is a range of the market's trade ids: the account's legs are read within
      // it, not from its first trade ever (or back from its newest).
      const windowed = filter.startTime !== undefined || filter.endTime !== undefined;
      const ids = windowed ? this.tradeIdsWithin(symbol, filter.startTime, filter.endTime) : undefined;
      if (windowed && !ids) return [];
      found = this.statement(`account's trades ${shapeOf(filter)}`, () => {
        const conditions = [eq(accountTrades.accountId, $("accountId")), eq(trades.symbol, $("symbol"))];
        if (windowed) conditions.push(gte(accountTrades.tradeId, $("firstId")), lte(accountTrades.tradeId, $("lastId")));
        const { where, oldestFirst } = history(filter, accountTrades.tradeId, trades.time, conditions);
        const key = oldestFirst ? asc : desc;
        return this.tables.select({ trade: trades, asTaker: accountTrades.asTaker }).from(accountTrades)
          .innerJoin(trades, eq(trades.id, accountTrades.tradeId)).where(where)
          .orderBy(key(accountTrades.tradeId), key(accountTrades.asTaker)).limit($("limit")).prepare();
      }).all({ ...filter, accountId, symbol, firstId: ids?.first, lastId: ids?.last });
    }
    // Oldest first; a self-trade is both legs of one trade: the taker's first.
    return this.withListIds(accountId, found).sort((a, b) => a.trade.id - b.trade.id || (a.asTaker ? -1 : 1));
  }

  /** The legs with the list of each one's order: the account's orders in lists within the legs'
   *  order ids, off an index of those alone (looking up each leg's order cost 3x the read,
   *  BENCHMARKS.md). */
  private withListIds(accountId: number, legs: Leg[]): AccountTrade[] {
    const orderOf = (leg: Leg) => (leg.asTaker ? leg.trade.takerOrderId : leg.trade.makerOrderId);
    let first = Infinity, last = 0;
    for (const leg of legs) {
      first = Math.min(first, orderOf(leg));
      last = Math.max(last, orderOf(leg));
    }
    const members = legs.length === 0 ? [] : this.statement("account's orders in lists", () => this.tables.select({ id: orders.id, listId: orders.listId }).from(orders)
      .where(and(eq(orders.accountId, $("accountId")), isNotNull(orders.listId), gte(orders.id, $("first")), lte(orders.id, $("last")))).prepare())
      .all({ accountId, first, last });
    const listOf = new Map(members.map((m) => [m.id, m.listId]));
    return legs.map((leg) => ({ ...leg, listId: listOf.get(orderOf(leg)) ?? null }));
  }

  /** An account's prevented matches in one market, oldest first: the one with id `id`, or those of
   *  order `orderId` (as taker or maker) from id `fromId` on. */
  preventedMatches(accountId: number, symbol: string, filter: { id: number } | { orderId: number; fromId?: number; limit: number }, upToSeq?: number): PreventedMatchRow[] {
    this.beforeRead(upToSeq);
    const mine = [eq(preventedMatches.accountId, $("accountId")), eq(preventedMatches.symbol, $("symbol"))];
    if ("id" in filter) {
      return this.statement("prevented match", () => this.tables.select().from(preventedMatches)
        .where(and(eq(preventedMatches.id, $("id")), ...mine)).prepare()).all({ id: filter.id, accountId, symbol });
    }
    return this.statement("order's prevented matches", () => this.tables.select().from(preventedMatches)
      .where(and(or(eq(preventedMatches.takerOrderId, $("orderId")), eq(preventedMatches.makerOrderId, $("orderId"))),
        gte(preventedMatches.id, $("fromId")), ...mine))
      .orderBy(asc(preventedMatches.id)).limit($("limit")).prepare()).all({ ...filter, fromId: filter.fromId ?? 0, accountId, symbol });
  }

  /** The amendments of an account's order, oldest first, from id `fromId` on. */
  amendments(accountId: number, orderId: number, filter: { fromId?: number; limit: number }, upToSeq?: number): AmendmentRow[] {
    this.beforeRead(upToSeq);
    return this.statement("order's amendments", () => this.tables.select().from(orderAmendments)
      .where(and(eq(orderAmendments.orderId, $("orderId")), eq(orderAmendments.accountId, $("accountId")), gte(orderAmendments.id, $("fromId"))))
      .orderBy(asc(orderAmendments.id)).limit($("limit")).prepare()).all({ orderId, accountId, fromId: filter.fromId ?? 0, limit: filter.limit });
  }

  /** An account's orders in one market, oldest first: from order id `fromId`, or in a window of
   *  creation times, or the newest `limit`. */
  accountOrders(accountId: number, symbol: string, filter: HistoryFilter, upToSeq?: number): OrderState[] {
    this.beforeRead(upToSeq);
    const oldestFirst = readsOldestFirst(filter);
    const rows = this.statement(`account's orders ${shapeOf(filter)}`, () => {
      const conditions = [eq(orders.accountId, $("accountId")), eq(orders.symbol, $("symbol")), ...orderIdWindowConditions(filter)];
      const { where, orderBy } = history(filter, orders.id, orders.createdAt, conditions);
      return this.tables.select().from(orders).where(where).orderBy(orderBy).limit($("limit")).prepare();
    }).all({ ...filter, accountId, symbol, ...this.orderIdWindow(filter) });
    return this.withFills(oldestFirst ? rows : rows.reverse());
  }

  /** The ids of an account's order lists (each its first order's), oldest first: from list id
   *  `fromId`, or placed in a window of times, or the newest `limit`. */
  accountLists(accountId: number, filter: HistoryFilter, upToSeq?: number): number[] {
    this.beforeRead(upToSeq);
    const rows = this.statement(`account's lists ${shapeOf(filter)}`, () => {
      const conditions = [eq(orders.accountId, $("accountId")), LIST_HEAD, ...orderIdWindowConditions(filter)];
      const { where, orderBy } = history(filter, orders.id, orders.createdAt, conditions);
      return this.tables.select({ id: orders.id }).from(orders).where(where).orderBy(orderBy).limit($("limit")).prepare();
    }).all({ ...filter, accountId, ...this.orderIdWindow(filter) });
    const ids = rows.map((r) => r.id);
    return readsOldestFirst(filter) ? ids : ids.reverse();
  }

  /** The id of the account's newest order list with this client id (off its lists, newest first). */
  listByClientId(accountId: number, listClientOrderId: string, upToSeq?: number): number | undefined {
    this.beforeRead(upToSeq);
    return this.statement("list by client id", () => this.tables.select({ id: orders.id }).from(orders)
      .where(and(eq(orders.accountId, $("accountId")), LIST_HEAD, eq(orders.listClientOrderId, $("listClientOrderId"))))
      .orderBy(desc(orders.id)).limit(1).prepare()).get({ accountId, listClientOrderId })?.id;
  }

  /** A window of creation times as the range of order ids it is (orderIdWindowConditions): an
   *  account's orders are read within it, not from its first order ever (or back from its newest). */
  private orderIdWindow(filter: HistoryFilter): { firstId?: number; endId?: number } {
    return {
      firstId: filter.startTime === undefined ? undefined : this.firstOrderIdFrom(filter.startTime),
      endId: filter.endTime === undefined ? undefined : this.firstOrderIdFrom(filter.endTime + 1),
    };
  }

  /**
   * The id of the first order created at or after `time`, or one past the last order: an order's
   * time never decreases with its id (ids are given in the order requests are queued, and each takes
   * its batch's time from a clock that never runs back), so a binary search over ids finds it in
   * about log2(orders) lookups by id, without an index of orders by time.
   */
  private firstOrderIdFrom(time: number): number {
    const next = this.statement("order from", () => this.tables.select({ id: orders.id, createdAt: orders.createdAt }).from(orders)
      .where(gte(orders.id, $("id"))).orderBy(asc(orders.id)).limit(1).prepare());
    const last = this.statement("last order", () => this.tables.select({ v: max(orders.id) }).from(orders).prepare()).get();
    let lo = 0, hi = (last?.v ?? 0) + 1;
    // The first id m whose first order at or after it (if any) was created at or after `time`.
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const o = next.get({ id: mid });
      if (!o || o.createdAt >= time) hi = mid;
      else lo = o.id + 1;
    }
    return lo;
  }

  /** The account's newest order with this client order id. */
  orderByClientId(accountId: number, clientOrderId: string, upToSeq?: number): OrderState | undefined {
    this.beforeRead(upToSeq);
    const row = this.statement("client order id", () => this.tables.select().from(orders)
      .where(and(eq(orders.accountId, $("accountId")), eq(orders.clientOrderId, $("clientOrderId"))))
      .orderBy(desc(orders.id)).limit(1).prepare()).get({ accountId, clientOrderId });
    return row && this.withFills([row])[0];
  }

  /** Each trade since `time` and after trade `afterId` (oldest first), a row at a time: without a
   *  snapshot's figures a start reads a week of trades, which can be millions of rows. */
  eachTradeSince(time: number, afterId: number, each: (symbol: string, id: number, price: number, quantity: number, time: number) => void): void {
    const statement = this.tables.$client.prepare("SELECT symbol, id, price, quantity, time FROM trades WHERE id > ? AND time >= ? ORDER BY id");
    for (const t of statement.iterate(afterId, time) as Iterable<{ symbol: string; id: number; price: number; quantity: number; time: number }>) each(t.symbol, t.id, t.price, t.quantity, t.time);
  }

  /** The last trade's price of a market. */
  lastTradePrice(symbol: string): number | undefined {
    return this.lastTradePriceBefore(symbol, Number.MAX_SAFE_INTEGER);
  }

  /** The price of a market's last trade before `time`, off its (symbol, time) index. */
  lastTradePriceBefore(symbol: string, time: number, upToSeq?: number): number | undefined {
    this.beforeRead(upToSeq);
    return this.statement("last trade before", () => this.tables.select({ price: trades.price }).from(trades)
      .where(and(eq(trades.symbol, $("symbol")), lt(trades.time, $("time")))).orderBy(desc(trades.time), desc(trades.id)).limit(1).prepare())
      .get({ symbol, time })?.price;
  }

  /** The time of a market's first trade, off its (symbol, time) index. */
  firstTradeTime(symbol: string, upToSeq?: number): number | undefined {
    this.beforeRead(upToSeq);
    return this.statement("first trade", () => this.tables.select({ time: trades.time }).from(trades).where(eq(trades.symbol, $("symbol")))
      .orderBy(asc(trades.time), asc(trades.id)).limit(1).prepare()).get({ symbol })?.time;
  }

  /** Journal entries after `afterSeq`, at most up to `upToSeq`, in order: at most `limit` of
   *  them. The rows of the old per-command table come first: they are older. */
  journalPage(afterSeq: number, limit: number, upToSeq = Number.MAX_SAFE_INTEGER): StoredEntry[] {
    const old = this.db.select().from(journal).where(and(gt(journal.seq, afterSeq), lte(journal.seq, upToSeq)))
      .orderBy(asc(journal.seq)).limit(limit).all();
    if (old.length) return old.map((row) => ({ ...row, amount: row.amount === null ? null : BigInt(row.amount), listClientOrderId: null }));
    const page: StoredEntry[] = [];
    // A few records at a time: a record holds a whole batch, up to thousands of entries.
    for (let after = afterSeq; page.length < limit;) {
      const records = this.db.select().from(journalBatches)
        .where(and(gt(journalBatches.lastSeq, after), lte(journalBatches.firstSeq, upToSeq)))
        .orderBy(asc(journalBatches.lastSeq)).limit(4).all();
      if (records.length === 0) break;
      for (const r of records) {
        for (const e of decodeJournalRecord(r.entries, r.time)) {
          if (e.seq <= afterSeq || e.seq > upToSeq) continue;
          if (page.length === limit) return page;
          page.push(e);
        }
        after = r.lastSeq;
      }
    }
    return page;
  }

  /** The newest snapshot of the engine's state at or before journal entry `atMostSeq`, if any. */
  latestSnapshot(atMostSeq = Number.MAX_SAFE_INTEGER): { seq: number; time: number; lastOrderId: number; lastTradeId: number; image: Uint8Array; stats: string | null; layout: string | null } | undefined {
    return this.db.select().from(snapshots).where(lte(snapshots.seq, atMostSeq)).orderBy(desc(snapshots.seq)).limit(1).get();
  }

  /**
   * An account's ledger, newest first (optionally of one asset): its newest funding rows and the
   * legs of its newest trades (account_trades), each up to `limit`, merged.
   * The fee account's trades are all trades: each brings it the buyer's fee in the base asset and
   * the seller's in the quote.
   */
  ledger(accountId: number, filter: { asset?: string; limit: number }, upToSeq?: number): LedgerEntry[] {
    // (The fee account's ledger is every trade's fees: it waits for every batch.)
    this.beforeRead(accountId === FEE_ACCOUNT ? undefined : upToSeq);
    const { asset, limit } = filter;
    const funding = this.statement(`funding ${asset ? "of" : "all"}`, () => this.tables.select().from(ledger)
      .where(and(eq(ledger.accountId, $("accountId")), asset ? eq(ledger.asset, $("asset")) : undefined))
      .orderBy(desc(ledger.id)).limit($("limit")).prepare()).all({ accountId, asset, limit });
    const entries: (LedgerEntry & { id: number })[] = funding.map((r) => ({
      kind: r.kind, asset: r.asset, amount: BigInt(r.amount), fee: 0n, tradeId: null, time: r.time, id: r.id,
    }));
    const symbols = asset ? this.markets.list.filter((m) => m.base.symbol === asset || m.quote.symbol === asset).map((m) => m.symbol) : undefined;
    if (symbols?.length !== 0 && accountId === FEE_ACCOUNT) {
      // (One statement per asset: the markets it is in are fixed.)
      const rows = this.statement(`fees ${symbols?.join() ?? "all"}`, () => this.tables.select().from(trades)
        .where(symbols ? inArray(trades.symbol, symbols) : undefined).orderBy(desc(trades.id)).limit($("limit")).prepare()).all({ limit });
      for (const t of rows) {
        const m = this.markets.get(t.symbol)!;
        const [buyerFee, sellerFee] = t.takerSide === "buy" ? [t.takerFee, t.makerFee] : [t.makerFee, t.takerFee];
        const leg = { kind: "fee" as const, fee: 0n, tradeId: t.id, time: t.time, id: t.id };
        if (buyerFee !== "0") entries.push({ ...leg, asset: m.base.symbol, amount: BigInt(buyerFee) });
        if (sellerFee !== "0") entries.push({ ...leg, asset: m.quote.symbol, amount: BigInt(sellerFee) });
      }
    } else if (symbols?.length !== 0) {
      // Its newest legs (no more than `limit` can make the newest `limit` entries); of a
      // self-trade, the taker's leg first.
      const legs = this.statement(`legs ${symbols?.join() ?? "all"}`, () => this.tables.select({ trade: trades, asTaker: accountTrades.asTaker }).from(accountTrades)
        .innerJoin(trades, eq(trades.id, accountTrades.tradeId))
        .where(and(eq(accountTrades.accountId, $("accountId")), symbols ? inArray(trades.symbol, symbols) : undefined))
        .orderBy(desc(accountTrades.tradeId), desc(accountTrades.asTaker)).limit($("limit")).prepare()).all({ accountId, limit });
      for (const { trade: t, asTaker: taker } of legs) {
        const m = this.markets.get(t.symbol)!;
        const buy = (t.takerSide === "buy") === taker;
        const fee = BigInt(taker ? t.takerFee : t.makerFee);
        const base = m.baseUnits(t.quantity), quote = m.notional(t.price, t.quantity);
        const [got, gotAsset, paid, paidAsset] = buy ? [base, m.base, quote, m.quote] : [quote, m.quote, base, m.base];
        const leg = { kind: "trade" as const, tradeId: t.id, time: t.time, id: t.id };
        entries.push({ ...leg, asset: gotAsset.symbol, amount: got - fee, fee }, { ...leg, asset: paidAsset.symbol, amount: -paid, fee: 0n });
      }
    }
    // Newest first; the sort is stable, so a trade's received leg stays before its paid one.
    return entries.filter((e) => !asset || e.asset === asset).sort((a, b) => b.time - a.time || b.id - a.id).slice(0, limit);
  }

  /** Every stored balance (units), for the check at start that the projection agrees with the engine. */
  storedBalances(): { accountId: number; asset: string; free: bigint; locked: bigint }[] {
    return this.tables.select().from(balances).all().map((b) => ({ accountId: b.accountId, asset: b.asset, free: BigInt(b.free), locked: BigInt(b.locked) }));
  }

  /** Funding another process asked for (of one account, or all), oldest first. */
  accountRequests(accountId?: number): AccountRequestRow[] {
    const q = this.db.select().from(accountRequests);
    return (accountId === undefined ? q : q.where(eq(accountRequests.accountId, accountId))).orderBy(asc(accountRequests.id)).all();
  }

  /** The time of the newest journal entry (0 if none). */
  lastJournalTime(): number {
    const newest = (q: { get(): { v: number } | undefined }) => q.get()?.v ?? 0;
    return Math.max(
      newest(this.db.select({ v: sql<number>`coalesce(max(${journal.time}), 0)` }).from(journal)),
      newest(this.db.select({ v: sql<number>`coalesce(max(${journalBatches.time}), 0)` }).from(journalBatches)),
      newest(this.db.select({ v: sql<number>`coalesce(max(${snapshots.time}), 0)` }).from(snapshots)),
    );
  }

  /** The last journal entry whose orders and trades are written. */
  projectedSeq(): number {
    return this.tables.select({ seq: projection.seq }).from(projection).get()?.seq ?? 0;
  }

  /** The counters to resume from, as of the last journal entry whose effects are written (orders
   *  and trades ids go on from there when recovery writes the rest; order ids from the journal). */
  counters(): Counters {
    const one = <T>(q: { get(): T | undefined }): T => q.get()!;
    const o = one(this.tables.select({ v: sql<number>`coalesce(max(${orders.id}), 0)` }).from(orders));
    const t = one(this.tables.select({ v: sql<number>`coalesce(max(${trades.id}), 0)` }).from(trades));
    const p = one(this.tables.select({ v: sql<number>`coalesce(max(${preventedMatches.id}), 0)` }).from(preventedMatches));
    const a = one(this.tables.select({ v: sql<number>`coalesce(max(${orderAmendments.id}), 0)` }).from(orderAmendments));
    const j = one(this.db.select({ v: sql<number>`coalesce(max(${journal.seq}), 0)` }).from(journal));
    // Journal order ids count too: a rejected command may name an id no order row has.
    const jo = one(this.db.select({ v: sql<number>`coalesce(max(${journal.orderId}), 0)` }).from(journal));
    const b = one(this.db.select({ seq: sql<number>`coalesce(max(${journalBatches.lastSeq}), 0)`, orderId: sql<number>`coalesce(max(${journalBatches.lastOrderId}), 0)` }).from(journalBatches));
    // The journal behind the newest snapshot is pruned: the snapshot keeps where it stood.
    const s = this.db.select({ seq: snapshots.seq, lastOrderId: snapshots.lastOrderId }).from(snapshots).orderBy(desc(snapshots.seq)).limit(1).get();
    return {
      lastOrderId: Math.max(o.v, jo.v, b.orderId, s?.lastOrderId ?? 0),
      lastTradeId: t.v,
      lastPreventedMatchId: p.v,
      lastAmendmentId: a.v,
      lastSeq: Math.max(j.v, b.seq, s?.seq ?? 0),
    };
  }
}

/** Orders as the exchange keeps them, each with its fills (`fillsOf`: the trades of these orders)
 *  and its last prevented match (`lastPreventedMatchOf`, asked only of orders prevention touched). */
function ordersWithFills(markets: Markets, rows: OrderRow[], fillsOf: (ids: number[]) => TradeRow[], lastPreventedMatchOf: (id: number) => number | null): OrderState[] {
  if (rows.length === 0) return [];
  const fillRows = fillsOf(rows.map((r) => r.id));
  const fills = new Map<number, Fill[]>();
  for (const t of fillRows) {
    const base = { tradeId: t.id, price: t.price, quantity: t.quantity, time: t.time };
    pushTo(fills, t.takerOrderId, { ...base, liquidity: "taker", fee: BigInt(t.takerFee) });
    pushTo(fills, t.makerOrderId, { ...base, liquidity: "maker", fee: BigInt(t.makerFee) });
  }
  return rows.map((r) => {
    const market = markets.get(r.symbol);
    if (!market) throw new Error(`order ${r.id} is in market ${r.symbol}, which is not configured`);
    return {
      id: r.id, accountId: r.accountId, market, side: r.side, type: r.type,
      timeInForce: r.timeInForce, postOnly: r.postOnly, price: r.price, quantity: r.quantity,
      filled: r.filledQuantity, status: r.status, rejectReason: r.rejectReason,
      clientOrderId: r.clientOrderId, createdAt: r.createdAt, updatedAt: r.updatedAt,
      fills: fills.get(r.id) ?? [],
      selfTradePrevention: r.selfTradePrevention, quoteQuantity: r.quoteQuantity === null ? null : BigInt(r.quoteQuantity),
      prevented: r.preventedQuantity, decremented: r.decrementedQuantity,
      preventedMatchId: r.preventedQuantity > 0 ? lastPreventedMatchOf(r.id) : null,
      expireReason: r.expireReason as OrderState["expireReason"],
      stopPrice: r.stopPrice, trailingDelta: r.trailingDelta, icebergQuantity: r.icebergQuantity, listId: r.listId, listType: r.listType,
      listClientOrderId: r.listClientOrderId, triggered: r.triggered,
      waiting: false, pending: false, // as the replayed engine has them: recovery sets them (verifyBooks)
      amendments: 0, // (counted for open orders only: openOrders)
      accountSlot: -1,
    };
  });
}
