// The sequencer: the single writer. Requests that arrive while a batch is being processed form
// the next batch (flushed on the next turn of the event loop), so at low load a batch is one
// order and under load batches grow. Each batch is one FFI call into the engine and one SQLite
// transaction (its journal); only after the commit are the requests answered. The queue is
// bounded: when it is full, requests are refused at once with 503 instead of waiting. At start,
// recovery gives it the journal entries whose orders and trades were not written yet (replay).
import type { Account } from "./accounts";
import { ApiError, resultOrApiError } from "./errors";
import { packEntry, type JournalEntry, type StoredEntry } from "./journal";
import type { Markets } from "./markets";
import type { MarketStats } from "./market-stats";
import { CommandBatch, EventBuffer, type MatchingEngine } from "../native/engine";
import { CommandFlag, CommandKind, EventType, RejectReason, Side, TimeInForce } from "../native/layout";
import { CLOSED_STATUSES, isOpen, type OrderState, type OrderStatus } from "./orders/order";
import type { AmendRequest, OrderRequest } from "./orders/validate";
import type { Queries } from "./store/queries";
import type { BatchWriter, TradeRecord } from "./store/writer";

export interface SequencerLimits {
  /** Commands waiting for the engine, at most; beyond it requests get 503. */
  maxQueuedCommands: number;
  /** Commands per engine call and transaction, at most (a larger cancel-all still goes whole). */
  maxBatchCommands: number;
  /** Open orders per account, at most. */
  maxOpenOrdersPerAccount: number;
}

export const DEFAULT_LIMITS: SequencerLimits = {
  maxQueuedCommands: 65_536,
  maxBatchCommands: 8_192,
  maxOpenOrdersPerAccount: 50_000,
};

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

type Job =
  | ({ kind: "new"; order: OrderState } & Deferred<OrderState>)
  | ({ kind: "cancel"; order: OrderState; error?: ApiError } & Deferred<OrderState>)
  | ({ kind: "amend"; order: OrderState; price: number; quantity: number; error?: ApiError } & Deferred<OrderState>)
  | ({ kind: "cancelAll"; orders: OrderState[]; cancelled: OrderState[] } & Deferred<OrderState[]>)
  | ({ kind: "newMany"; orders: OrderState[]; results: (OrderState | ApiError)[] } & Deferred<(OrderState | ApiError)[]>)
  // A stored cancel or amend, replayed at start: its events speak for themselves.
  | ({ kind: "replayed" } & Deferred<void>);

/**
 * Recently closed orders, remembered for the answer to a late cancel (409 without a database
 * read), in slots by order id: ids are given out in order, so the slots hold about the last
 * 65,536 orders, and a lookup or a store is an array access, with nothing allocated.
 */
class RecentlyClosed {
  private static readonly SLOTS = 65_536;
  private readonly ids = new Float64Array(RecentlyClosed.SLOTS);
  private readonly accounts = new Float64Array(RecentlyClosed.SLOTS);
  private readonly statuses = new Uint8Array(RecentlyClosed.SLOTS);

  remember(o: OrderState): void {
    const slot = o.id % RecentlyClosed.SLOTS;
    this.ids[slot] = o.id;
    this.accounts[slot] = o.accountId;
    this.statuses[slot] = CLOSED_STATUSES.indexOf(o.status!);
  }

  get(orderId: number): { accountId: number; status: OrderStatus } | undefined {
    const slot = orderId % RecentlyClosed.SLOTS;
    if (this.ids[slot] !== orderId) return undefined;
    return { accountId: this.accounts[slot]!, status: CLOSED_STATUSES[this.statuses[slot]!]! };
  }
}

/** The price levels a batch changed, per market index: [bid prices, ask prices] (ticks). */
export type TouchedLevels = Map<number, [Set<number>, Set<number>]>;

export interface BatchReport {
  journal: JournalEntry[];
  trades: TradeRecord[];
  orders: Set<OrderState>;
  levels: TouchedLevels;
  /** Seconds: the whole batch (engine, state, commit) and its commit alone. */
  seconds: { batch: number; commit: number };
}

export class Sequencer {
  /** Orders the engine may hold: queued new orders and open ones. */
  private readonly live = new Map<number, OrderState>();
  private readonly liveByAccount = new Map<number, Map<number, OrderState>>();
  private readonly clientOrderIds = new Map<string, number>();
  private readonly recentlyClosed = new RecentlyClosed();

  private queue: Job[] = [];
  private queuedCommands = 0;
  private flushScheduled = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  private readonly commands: CommandBatch;
  private readonly events = new EventBuffer(16_384);
  private commandJobs: Job[] = [];
  private journalEntries: JournalEntry[] = [];
  private trades: TradeRecord[] = [];
  private touched = new Set<OrderState>();
  private levels: TouchedLevels = new Map();
  private batchTime = 0;
  private seconds = { batch: 0, commit: 0 };

  /** Called after each committed batch (market data, metrics). */
  onCommitted: ((report: BatchReport) => void) | null = null;
  /** Called when a batch cannot be stored: the engine is ahead of the database. */
  onFatal: (error: unknown) => void = (error) => {
    throw error;
  };

  constructor(
    private readonly engine: MatchingEngine,
    private readonly writer: BatchWriter,
    private readonly queries: Queries,
    private readonly markets: Markets,
    private readonly stats: MarketStats,
    private counters: { lastOrderId: number; lastTradeId: number; lastSeq: number },
    openOrders: OrderState[],
    private readonly limits: SequencerLimits = DEFAULT_LIMITS,
  ) {
    // A batch holds at most maxBatchCommands, or more when its first job alone is larger (a
    // cancel-all of every open order of an account).
    this.commands = new CommandBatch(limits.maxBatchCommands + limits.maxOpenOrdersPerAccount);
    for (const o of openOrders) this.track(o);
  }

  /** The orders resting or queued now. */
  openOrders(): OrderState[] {
    return [...this.live.values()];
  }

  /** Commands waiting for the engine. */
  get queueDepth(): number {
    return this.queuedCommands;
  }

  // ---- requests ---------------------------------------------------------------------------

  submit(account: Account, request: OrderRequest): Promise<OrderState> {
    this.admit(1);
    const order = this.newOrder(account, request, Date.now());
    return this.enqueue<OrderState>((d) => ({ kind: "new", order, ...d }), 1);
  }

  /**
   * Several orders (the batch endpoint) as one job, answered together: each item comes back as
   * its order or as the error that refused it (given, or found here). A full queue refuses all.
   */
  submitMany(account: Account, requests: (OrderRequest | ApiError)[]): Promise<(OrderState | ApiError)[]> {
    this.admit(requests.length);
    const now = Date.now();
    const orders: OrderState[] = [];
    const results = requests.map((request) => request instanceof ApiError ? request : resultOrApiError(() => {
      const order = this.newOrder(account, request, now);
      orders.push(order);
      return order;
    }));
    if (orders.length === 0) return Promise.resolve(results);
    return this.enqueue<(OrderState | ApiError)[]>((d) => ({ kind: "newMany", orders, results, ...d }), orders.length);
  }

  /** A new order of the account, tracked from now on; throws if the account may not place it. */
  private newOrder(account: Account, request: OrderRequest, now: number): OrderState {
    const key = request.clientOrderId === null ? null : clientKey(account.id, request.clientOrderId);
    if (key !== null && this.clientOrderIds.has(key)) {
      throw new ApiError(409, "DUPLICATE_CLIENT_ORDER_ID",
        `clientOrderId "${request.clientOrderId}" is already used by an open order of this account`);
    }
    if ((this.liveByAccount.get(account.id)?.size ?? 0) >= this.limits.maxOpenOrdersPerAccount) {
      throw new ApiError(409, "TOO_MANY_OPEN_ORDERS",
        `an account may have at most ${this.limits.maxOpenOrdersPerAccount} open orders`);
    }
    const order = newOrderState(++this.counters.lastOrderId, account.id, request, now);
    this.track(order);
    return order;
  }

  cancel(account: Account, orderId: number): Promise<OrderState> {
    const order = this.liveOrderOf(account, orderId);
    this.admit(1);
    return this.enqueue<OrderState>((d) => ({ kind: "cancel", order, ...d }), 1);
  }

  /** The market of an open order of the account (to validate an amendment against). */
  marketOf(account: Account, orderId: number) {
    return this.liveOrderOf(account, orderId).market;
  }

  amend(account: Account, orderId: number, change: AmendRequest): Promise<OrderState> {
    const order = this.liveOrderOf(account, orderId);
    if (change.price !== null && order.type !== "limit") {
      throw new ApiError(400, "VALIDATION", "price cannot be set on a market order");
    }
    this.admit(1);
    const price = change.price ?? order.price ?? 0;
    const quantity = change.quantity ?? order.quantity;
    return this.enqueue<OrderState>((d) => ({ kind: "amend", order, price, quantity, ...d }), 1);
  }

  cancelAll(account: Account, symbol?: string): Promise<OrderState[]> {
    const mine = this.liveByAccount.get(account.id);
    const orders = mine ? [...mine.values()].filter((o) => !symbol || o.market.symbol === symbol) : [];
    if (orders.length === 0) return Promise.resolve([]);
    // A cancel-all larger than the whole queue (an account may have more open orders than the
    // queue holds) goes in alone when nothing waits, or it could never go in.
    this.admit(this.queuedCommands === 0 ? Math.min(orders.length, this.limits.maxQueuedCommands) : orders.length);
    return this.enqueue<OrderState[]>((d) => ({ kind: "cancelAll", orders, cancelled: [], ...d }), orders.length);
  }

  /** Refuses new requests; resolves once everything queued is committed and answered. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.queue.length === 0 && !this.flushScheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private liveOrderOf(account: Account, orderId: number): OrderState {
    const order = this.live.get(orderId);
    if (order && order.accountId === account.id) return order;
    const stored = order ? undefined : this.recentlyClosed.get(orderId) ?? this.queries.orderOwner(orderId);
    if (stored && stored.accountId === account.id) {
      throw new ApiError(409, "ORDER_NOT_OPEN", `order ${orderId} is ${stored.status}, not open`);
    }
    throw new ApiError(404, "ORDER_NOT_FOUND", `order ${orderId} was not found`);
  }

  /** Throws the 503 a request of `commands` commands would get now (to refuse before parsing it). */
  admit(commands: number): void {
    if (this.stopped) {
      throw new ApiError(503, "SHUTTING_DOWN", "the exchange is shutting down", { "Retry-After": "1" });
    }
    if (this.queuedCommands + commands > this.limits.maxQueuedCommands) {
      throw new ApiError(503, "OVERLOADED", "the order queue is full; retry shortly", { "Retry-After": "1" });
    }
  }

  private enqueue<T>(make: (d: Deferred<T>) => Job, commandCount: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(make({ resolve, reject } as Deferred<T>));
      this.queuedCommands += commandCount;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  // ---- batches ----------------------------------------------------------------------------

  private flush(): void {
    this.flushScheduled = false;
    const jobs = this.takeJobs();
    try {
      this.runBatch(jobs);
    } catch (error) {
      for (const job of jobs) job.reject(new ApiError(500, "INTERNAL", "the batch could not be stored"));
      this.onFatal(error);
      return;
    }
    for (const job of jobs) settle(job);
    if (this.onCommitted) {
      this.onCommitted({ journal: this.journalEntries, trades: this.trades, orders: this.touched, levels: this.levels, seconds: this.seconds });
    }
    if (this.queue.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    } else {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private takeJobs(): Job[] {
    let take = 0;
    let commands = 0;
    while (take < this.queue.length) {
      const n = jobCommands(this.queue[take]!);
      if (take > 0 && commands + n > this.limits.maxBatchCommands) break;
      commands += n;
      take++;
    }
    this.queuedCommands -= commands;
    if (take === this.queue.length) {
      const jobs = this.queue;
      this.queue = [];
      return jobs;
    }
    return this.queue.splice(0, take);
  }

  /**
   * Replays stored journal entries whose orders and trades are not written yet (recovery): the
   * same matching and state as when they were first processed, their rows buffered for writing,
   * their journal left as it is. Entries of one original batch share a time.
   */
  replay(entries: StoredEntry[]): void {
    for (let from = 0; from < entries.length;) {
      const time = entries[from]!.time;
      let to = from + 1;
      while (to < entries.length && entries[to]!.time === time) to++;
      const noop = { resolve() {}, reject() {} };
      const batch = entries.slice(from, to);
      const jobs: Job[] = batch.map((entry) => {
        if (entry.kind !== CommandKind.limit && entry.kind !== CommandKind.market) return { kind: "replayed", ...noop };
        const order = this.storedOrder(entry, time);
        this.track(order);
        return { kind: "new", order, ...noop };
      });
      this.runBatch(jobs, time, batch);
      from = to;
    }
    this.counters.lastSeq = Math.max(this.counters.lastSeq, entries.at(-1)?.seq ?? 0);
  }

  private storedOrder(e: JournalEntry, time: number): OrderState {
    const market = this.markets.get(e.symbol);
    if (!market) throw new Error(`journal entry ${e.seq} is for market ${e.symbol}, which is not configured`);
    return newOrderState(e.orderId, e.accountId, {
      market,
      side: e.side === Side.buy ? "buy" : "sell",
      type: e.kind === CommandKind.limit ? "limit" : "market",
      timeInForce: e.timeInForce === TimeInForce.IOC ? "IOC" : e.timeInForce === TimeInForce.FOK ? "FOK" : "GTC",
      postOnly: (e.flags & CommandFlag.postOnly) !== 0,
      price: e.kind === CommandKind.limit ? e.price : null,
      quantity: e.quantity,
      clientOrderId: e.clientOrderId,
    }, time);
  }

  /** Matches a batch and commits its journal; `stored`: replayed entries, journal already written. */
  private runBatch(jobs: Job[], time = Date.now(), stored?: JournalEntry[]): void {
    const started = Bun.nanoseconds();
    this.batchTime = time;
    this.commands.clear();
    this.commandJobs.length = 0;
    this.journalEntries = [];
    this.trades = [];
    this.touched = new Set();
    this.levels = new Map();
    // Replayed: each job is one stored entry, packed as it was stored (its seq included).
    if (stored) stored.forEach((entry, i) => this.command(jobs[i]!, entry, this.markets.get(entry.symbol)!.index));
    else for (const job of jobs) {
      switch (job.kind) {
        case "new":
          this.newCommand(job, job.order);
          break;
        case "newMany":
          for (const o of job.orders) this.newCommand(job, o);
          break;
        case "cancel":
          this.cancelCommand(job, job.order);
          break;
        case "cancelAll":
          for (const o of job.orders) this.cancelCommand(job, o);
          break;
        case "amend":
          this.command(job, {
            seq: ++this.counters.lastSeq, kind: CommandKind.amend, accountId: 0, clientOrderId: null,
            orderId: job.order.id, symbol: job.order.market.symbol, side: 0, timeInForce: 0, flags: 0,
            price: job.price, quantity: job.quantity,
          }, job.order.market.index);
          break;
        case "replayed":
          break; // (only given with `stored`)
      }
    }
    this.engine.process(this.commands, this.events, (events) => this.apply(events));
    const committing = Bun.nanoseconds();
    const write = { time: this.batchTime, journal: this.journalEntries, orders: this.touched, trades: this.trades };
    if (stored) this.writer.project(write);
    else this.writer.commit(write);
    const done = Bun.nanoseconds();
    this.seconds = { batch: (done - started) / 1e9, commit: (done - committing) / 1e9 };
    for (const t of this.trades) this.stats.recordTrade(this.markets.get(t.symbol)!.index, t.price, t.quantity, t.time);
  }

  private newCommand(job: Job, o: OrderState): void {
    // An order's time is its batch's, the time its journal entry keeps (so a replay agrees).
    o.createdAt = o.updatedAt = this.batchTime;
    this.command(job, {
      seq: ++this.counters.lastSeq, kind: o.type === "limit" ? CommandKind.limit : CommandKind.market,
      accountId: o.accountId, clientOrderId: o.clientOrderId, orderId: o.id, symbol: o.market.symbol,
      side: Side[o.side], timeInForce: TimeInForce[o.timeInForce], flags: o.postOnly ? CommandFlag.postOnly : 0,
      price: o.price ?? 0, quantity: o.quantity,
    }, o.market.index);
  }

  private cancelCommand(job: Job, o: OrderState): void {
    this.command(job, {
      seq: ++this.counters.lastSeq, kind: CommandKind.cancel, accountId: 0, clientOrderId: null, orderId: o.id,
      symbol: o.market.symbol, side: 0, timeInForce: 0, flags: 0, price: 0, quantity: 0,
    }, o.market.index);
  }

  private command(job: Job, entry: JournalEntry, symbolIndex: number): void {
    packEntry(this.commands, entry, symbolIndex);
    this.journalEntries.push(entry);
    this.commandJobs.push(job);
  }

  // ---- events -----------------------------------------------------------------------------

  private apply(ev: EventBuffer): void {
    const now = this.batchTime;
    for (let i = 0; i < ev.count; i++) {
      const job = this.commandJobs[ev.commandIndex(i)]!;
      const type = ev.type(i);
      if (type === EventType.trade) {
        this.trade(ev, i, now);
        continue;
      }
      if (type === EventType.rejected) {
        this.rejected(job, ev.orderId(i), ev.reason(i), now);
        continue;
      }
      const order = this.live.get(ev.orderId(i))!;
      switch (type) {
        case EventType.accepted:
          if (ev.remaining(i) > 0) this.touchLevel(order, order.price!);
          this.setStatus(order, restingStatus(order, ev.remaining(i)), now);
          break;
        case EventType.expired:
          this.setStatus(order, "expired", now);
          break;
        case EventType.cancelled:
          this.touchLevel(order, order.price!);
          this.setStatus(order, "canceled", now);
          if (job.kind === "cancelAll") job.cancelled.push(order);
          break;
        case EventType.amended:
          this.touchLevel(order, order.price!);
          this.touchLevel(order, ev.price(i));
          order.price = ev.price(i);
          order.quantity = ev.quantity(i);
          this.setStatus(order, restingStatus(order, ev.remaining(i)), now);
          break;
      }
    }
  }

  private trade(ev: EventBuffer, i: number, now: number): void {
    const taker = this.live.get(ev.orderId(i))!;
    const maker = this.live.get(ev.otherId(i))!;
    const price = ev.price(i);
    const quantity = ev.quantity(i);
    const id = ++this.counters.lastTradeId;
    this.trades.push({
      id, symbol: taker.market.symbol, price, quantity, takerOrderId: taker.id, makerOrderId: maker.id,
      takerSide: taker.side, time: now,
    });
    taker.filled += quantity;
    taker.fills.push({ tradeId: id, price, quantity, liquidity: "taker", time: now });
    taker.updatedAt = now;
    this.touched.add(taker);
    this.touchLevel(maker, price);
    maker.filled += quantity;
    maker.fills.push({ tradeId: id, price, quantity, liquidity: "maker", time: now });
    this.setStatus(maker, ev.otherRemaining(i) === 0 ? "filled" : "partially_filled", now);
  }

  private rejected(job: Job, orderId: number, reason: number, now: number): void {
    switch (job.kind) {
      case "new":
      case "newMany": {
        const order = this.live.get(orderId)!;
        order.rejectReason = reason === RejectReason.postOnly ? "POST_ONLY_WOULD_TAKE" : `ENGINE_REJECTED_${reason}`;
        this.setStatus(order, "rejected", now);
        break;
      }
      case "cancel":
        job.error = new ApiError(409, "ORDER_NOT_OPEN", `order ${job.order.id} is ${job.order.status}, not open`);
        break;
      case "amend":
        job.error = amendError(job.order, reason);
        break;
      case "cancelAll":
      case "replayed":
        break; // the order closed earlier: nothing to cancel or amend
    }
  }

  private touchLevel(order: OrderState, price: number): void {
    let sides = this.levels.get(order.market.index);
    if (!sides) this.levels.set(order.market.index, (sides = [new Set(), new Set()]));
    sides[order.side === "buy" ? 0 : 1].add(price);
  }

  private setStatus(order: OrderState, status: OrderStatus, now: number): void {
    order.status = status;
    order.updatedAt = now;
    this.touched.add(order);
    if (!isOpen(status)) this.untrack(order);
  }

  private track(o: OrderState): void {
    this.live.set(o.id, o);
    let mine = this.liveByAccount.get(o.accountId);
    if (!mine) this.liveByAccount.set(o.accountId, (mine = new Map()));
    mine.set(o.id, o);
    if (o.clientOrderId !== null) this.clientOrderIds.set(clientKey(o.accountId, o.clientOrderId), o.id);
  }

  private untrack(o: OrderState): void {
    this.live.delete(o.id);
    this.recentlyClosed.remember(o);
    this.liveByAccount.get(o.accountId)?.delete(o.id);
    if (o.clientOrderId !== null) this.clientOrderIds.delete(clientKey(o.accountId, o.clientOrderId));
  }
}

/** A new order, before the engine has seen it: placed now, or replayed from its journal entry. */
function newOrderState(id: number, accountId: number, r: OrderRequest, time: number): OrderState {
  return {
    id, accountId, market: r.market, side: r.side, type: r.type, timeInForce: r.timeInForce,
    postOnly: r.postOnly, price: r.price, quantity: r.quantity, filled: 0, status: null,
    rejectReason: null, clientOrderId: r.clientOrderId, createdAt: time, updatedAt: time, fills: [],
  };
}

/** The status of an order that rests with `remaining` lots (0: it filled completely). */
function restingStatus(order: OrderState, remaining: number): OrderStatus {
  return remaining === 0 ? "filled" : order.filled > 0 ? "partially_filled" : "new";
}

function clientKey(accountId: number, clientOrderId: string): string {
  return `${accountId}:${clientOrderId}`;
}

function jobCommands(job: Job): number {
  return job.kind === "cancelAll" || job.kind === "newMany" ? job.orders.length : 1;
}

function settle(job: Job): void {
  switch (job.kind) {
    case "new":
      return job.resolve(job.order);
    case "cancel":
    case "amend":
      return job.error ? job.reject(job.error) : job.resolve(job.order);
    case "cancelAll":
      return job.resolve(job.cancelled);
    case "newMany":
      return job.resolve(job.results);
    case "replayed":
      return job.resolve();
  }
}

function amendError(order: OrderState, reason: number): ApiError {
  switch (reason) {
    case RejectReason.amendQuantity:
      return new ApiError(400, "VALIDATION",
        `quantity must be greater than the filled quantity ${order.market.formatQuantity(order.filled)}`);
    case RejectReason.postOnly:
      return new ApiError(409, "POST_ONLY_WOULD_TAKE", "the new price would take liquidity; a post-only order only adds it");
    case RejectReason.unknownOrder:
      return new ApiError(409, "ORDER_NOT_OPEN", `order ${order.id} is ${order.status}, not open`);
    default:
      return new ApiError(400, "VALIDATION", "the amendment was refused by the engine");
  }
}
