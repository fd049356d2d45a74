// The sequencer: the single writer. Requests that arrive while a batch is being processed form
// the next batch (flushed on the next turn of the event loop), so at low load a batch is one
// command and under load batches grow. Each batch is one FFI call into the engine and one SQLite
// transaction (its journal); only after the commit are the requests answered, each with its order
// or the domain outcome that refused it (but for a simulation's own participants at full speed,
// whose batches may be committed several at a time: holdCommitsOf). Listeners hear of every
// committed batch. At start,
// recovery gives it the journal entries whose orders, trades and balances were not written yet.
import type { Account } from "../accounts";
import { VenueClock } from "../clock";
import type { Asset } from "../assets";
import { entry, orderCommandEntry, packEntry, type JournalEntry, type StoredEntry } from "../journal";
import type { Markets } from "../markets";
import type { MarketStats } from "../market-stats";
import { CommandBatch, EventBuffer, type MatchingEngine } from "../../native/engine";
import { CancelReplaceMode, CommandFlag, CommandKind, ListLink, SelfTradePrevention, Side, TimeInForce, Trigger } from "../../native/layout";
import { newOrderState, orderOfEntry, placesOrder } from "./order-state";
import { isConditionalType, isMarketType, LIST_SIZE, paysForward, type CancelRestriction, type OrderListType, type OrderState } from "../orders/order";
import type { AmendRequest, OrderRequest } from "../orders/validate";
import type { Counters, Queries } from "../store/queries";
import type { JournalBatch, JournalWriter } from "../store/journal-writer";
import { ProjectedBatchEncoder } from "../store/projected-batch";
import type { AmendmentRecord, BalanceRecord, LedgerRecord, PreventedMatchRecord, TradeRecord } from "../store/projection-writer";
import { Admission, DEFAULT_LIMITS, type Limits } from "./admission";
import { BatchChanges, EventApplier, LIST_PARTNER_REFUSED, quantityNotLower, type OrderEvent, type TouchedLevels } from "./event-applier";
import { OrderRegistry } from "./order-registry";
import { Outcome, resultOrOutcome } from "./outcomes";

/** How a request is answered: once its batch is committed, in the order requests were queued
 *  (the promise-returning methods wrap one; a gateway may pass its own and skip the promise). */
export interface Reply<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}
type Deferred<T> = { reply: Reply<T> };

/** A command about an account's money rather than an order. */
export type AccountCommand =
  | { kind: "deposit" | "withdraw"; accountId: number; asset: Asset; units: bigint }
  | { kind: "fees"; accountId: number; makerBps: number; takerBps: number };

type Job =
  | ({ kind: "new"; order: OrderState } & Deferred<OrderState>)
  | ({ kind: "cancel"; order: OrderState; onlyIf: CancelRestriction | null } & Deferred<OrderState>)
  | ({ kind: "amend"; order: OrderState; price: number; quantity: number } & Deferred<OrderState>)
  // Lower `order`'s total in place (amend keep priority), giving it `clientOrderId` (null: keep).
  | ({ kind: "reduce"; order: OrderState; quantity: number; clientOrderId: string | null } & Deferred<Reduced>)
  | ({ kind: "cancelAll"; orders: OrderState[] } & Deferred<OrderState[]>)
  | ({ kind: "newMany"; orders: OrderState[]; results: (OrderState | Outcome)[] } & Deferred<(OrderState | Outcome)[]>)
  | ({ kind: "account"; commands: AccountCommand[]; requests: number[] } & Deferred<void>)
  // Two orders (three: OTOCO) placed or refused together, as adjacent commands of one batch.
  | ({ kind: "list"; listType: OrderListType; listId: number; orders: OrderState[] } & Deferred<OrderState[]>)
  // Cancel `old` and place `order` in one engine step.
  // (`old`: null when the order to cancel is not open and the failure is allowed.)
  | ({ kind: "replace"; oldId: number; old: OrderState | null; order: OrderState; allowFailure: boolean; onlyIf: CancelRestriction | null } & Deferred<{ cancelled: OrderState | null; order: OrderState }>)
  // A stored command, replayed at start: its events speak for themselves.
  | ({ kind: "replayed" } & Deferred<void>);

export type { TouchedLevels };

/** An order lowered in place, and the amendment that did it. */
export interface Reduced {
  order: OrderState;
  amendment: AmendmentRecord;
}

export interface BatchReport {
  journal: JournalEntry[];
  trades: TradeRecord[];
  orders: Set<OrderState>;
  levels: TouchedLevels;
  balances: BalanceRecord[];
  ledger: LedgerRecord[];
  preventedMatches: PreventedMatchRecord[];
  /** Orders lowered in place (amend keep priority). */
  amendments: AmendmentRecord[];
  /** Triggers, iceberg refreshes and list cancellations, in order. */
  orderEvents: OrderEvent[];
  /** Seconds: the whole batch (engine, state, commit) and its commit alone. */
  seconds: { batch: number; commit: number };
}

export type BatchListener = (report: BatchReport) => void;

export class Sequencer {
  readonly registry: OrderRegistry;
  readonly admission: Admission;
  private readonly applier: EventApplier;
  private readonly listeners: BatchListener[] = [];

  private queue: Job[] = [];
  private flushScheduled = false;
  private idleWaiters: (() => void)[] = [];

  private readonly commands: CommandBatch;
  private readonly events = new EventBuffer(16_384);
  private readonly rows = new ProjectedBatchEncoder();
  /** Held batches' rows end to end, until their commit hands them on (a copy of each cost an
   *  allocation per batch): from `heldRowsEnd` on it is free. */
  private heldRows = new Uint8Array(1 << 20);
  private heldRowsEnd = 0;
  private commandJobs: Job[] = [];
  private changes = new BatchChanges(0, []);
  /** The batch's journal as committed: its commands less those the engine refused. */
  private committed: JournalEntry[] = [];
  private requests: number[] = [];
  private seconds = { batch: 0, commit: 0 };
  /** The accounts whose batches may be held uncommitted (holdCommitsOf), and the reports of the
   *  held batches, heard by the listeners once they are committed. */
  private holdFor: ReadonlySet<number> | null = null;
  private maxHoldMs = MAX_HOLD_MS;
  private heldReports: BatchReport[] = [];
  /** Amendments in place asked of each order and not yet answered: they count toward its limit. */
  private readonly queuedAmendments = new Map<OrderState, number>();
  private holdTimer: ReturnType<typeof setTimeout> | null = null;

  /** Called when a batch cannot be stored: the engine is ahead of the database. */
  onFatal: (error: unknown) => void = (error) => {
    throw error;
  };

  constructor(
    private readonly engine: MatchingEngine,
    private readonly journal: JournalWriter,
    queries: Queries,
    private readonly markets: Markets,
    private readonly stats: MarketStats,
    private counters: Counters,
    openOrders: OrderState[],
    limits: Limits = DEFAULT_LIMITS,
    private readonly clock = new VenueClock(),
  ) {
    this.admission = new Admission(limits);
    this.registry = new OrderRegistry((id, upToSeq) => queries.orderOwner(id, upToSeq), () => this.counters.lastSeq);
    this.applier = new EventApplier(this.registry, markets, counters);
    // A batch holds at most maxBatchCommands, or more when its first job alone is larger (a
    // cancel-all of every open order of an account).
    this.commands = new CommandBatch(limits.maxBatchCommands + limits.maxOpenOrdersPerAccount);
    for (const o of openOrders) this.registry.track(o);
  }

  /** Hears every committed batch, in order (market data, streams, metrics); returns what stops it. */
  onCommitted(listener: BatchListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The orders resting or queued now. */
  openOrders(): OrderState[] {
    return this.registry.all();
  }

  /** Where the committed journal stands: its last entry, the time of its batch, the last ids. */
  position(): { seq: number; time: number; lastOrderId: number; lastTradeId: number } {
    return { seq: this.counters.lastSeq, time: this.changes.time, lastOrderId: this.counters.lastOrderId, lastTradeId: this.counters.lastTradeId };
  }

  /** Commands waiting for the engine. */
  get queueDepth(): number {
    return this.admission.queued;
  }

  // ---- requests ---------------------------------------------------------------------------

  submit(account: Account, request: OrderRequest): Promise<OrderState> {
    return promised((reply) => this.submitTo(account, request, reply));
  }

  /** As submit, answering `reply` (throws the outcome of a refusal found before queueing). */
  submitTo(account: Account, request: OrderRequest, reply: Reply<OrderState>): void {
    this.admission.check(1);
    const order = this.newOrder(account, request, this.clock.now());
    this.push({ kind: "new", order, reply }, 1);
  }

  /**
   * Several orders (the batch endpoint) as one job, answered together: each item comes back as
   * its order or as the outcome that refused it (given, or found here). A full queue refuses all.
   */
  submitMany(account: Account, requests: (OrderRequest | Outcome)[]): Promise<(OrderState | Outcome)[]> {
    this.admission.check(requests.length);
    const now = this.clock.now();
    const orders: OrderState[] = [];
    const results = requests.map((request) => request instanceof Outcome ? request : resultOrOutcome(() => {
      const order = this.newOrder(account, request, now);
      orders.push(order);
      return order;
    }));
    if (orders.length === 0) return Promise.resolve(results);
    return this.enqueue<(OrderState | Outcome)[]>((d) => ({ kind: "newMany", orders, results, ...d }), orders.length);
  }

  /** A new order of the account, tracked from now on; throws if the account may not place it. */
  private newOrder(account: Account, r: OrderRequest, now: number): OrderState {
    if (r.clientOrderId !== null) this.registry.checkClientOrderIdFree(account.id, r.clientOrderId);
    this.checkRoomFor(account, 1);
    const order = newOrderState(++this.counters.lastOrderId, account.id, r, now);
    this.registry.track(order);
    return order;
  }

  /** TOO_MANY_OPEN_ORDERS unless the account may have `count` more open orders. */
  private checkRoomFor(account: Account, count: number): void {
    const max = this.admission.limits.maxOpenOrdersPerAccount;
    if (this.registry.openCount(account.id) + count > max) throw new Outcome("TOO_MANY_OPEN_ORDERS", `an account may have at most ${max} open orders`);
  }

  /** An order list (OCO, OTO: two orders; OTOCO: three): all placed in one engine step, or none. */
  submitList(account: Account, listType: OrderListType, requests: OrderRequest[], listClientOrderId: string | null = null): Promise<OrderState[]> {
    return promised((reply) => this.submitListTo(account, listType, requests, reply, listClientOrderId));
  }

  /** `listClientOrderId`: the list's own client id, which no open list of the account may have. */
  submitListTo(account: Account, listType: OrderListType, requests: OrderRequest[], reply: Reply<OrderState[]>, listClientOrderId: string | null = null): void {
    checkList(listType, requests);
    if (listClientOrderId !== null) this.registry.checkListClientOrderIdFree(account.id, listClientOrderId);
    this.admission.check(requests.length);
    this.checkRoomFor(account, requests.length);
    const now = this.clock.now();
    const orders: OrderState[] = [];
    try {
      for (const r of requests) orders.push(this.newOrder(account, r, now));
    } catch (error) {
      for (const o of orders) this.registry.forget(o);
      throw error;
    }
    // A list's id is its first order's, and its other orders' ids are the next ones (nothing is
    // given an id between them).
    for (const o of orders) {
      o.listId = orders[0]!.id;
      o.listType = listType;
      o.listClientOrderId = listClientOrderId;
    }
    this.push({ kind: "list", listType, listId: orders[0]!.id, orders, reply }, orders.length);
  }

  /** Cancels an open order and places a new one in the same engine step (cancel-replace). A cancel
   *  its restriction (`onlyIf`) refuses fails as one of an order not open does. */
  replace(account: Account, orderId: number, request: OrderRequest, allowFailure: boolean, onlyIf: CancelRestriction | null = null): Promise<{ cancelled: OrderState | null; order: OrderState }> {
    let old: OrderState | null = null;
    try {
      old = this.registry.liveOrderOf(account, orderId);
    } catch (error) {
      if (!allowFailure) throw error; // (the engine would find nothing to cancel either)
    }
    this.admission.check(1);
    const order = this.newOrder(account, request, this.clock.now());
    return this.enqueue((d) => ({ kind: "replace", oldId: orderId, old, order, allowFailure, onlyIf, ...d }), 1);
  }

  /** `onlyIf`: cancel only while the order has that status (else CANCEL_RESTRICTED). */
  cancel(account: Account, orderId: number, onlyIf: CancelRestriction | null = null): Promise<OrderState> {
    return promised((reply) => this.cancelTo(account, orderId, reply, onlyIf));
  }

  cancelTo(account: Account, orderId: number, reply: Reply<OrderState>, onlyIf: CancelRestriction | null = null): void {
    const order = this.registry.liveOrderOf(account, orderId);
    this.admission.check(1);
    this.push({ kind: "cancel", order, onlyIf, reply }, 1);
  }

  /** The market of an open order of the account (to validate an amendment against). */
  marketOf(account: Account, orderId: number) {
    return this.registry.liveOrderOf(account, orderId).market;
  }

  /** Each amendment applies to the order as the one before it left it: a price or a quantity
   *  not given is kept as the engine has it when this one is processed. */
  amend(account: Account, orderId: number, change: AmendRequest): Promise<OrderState> {
    return promised((reply) => this.amendTo(account, orderId, change, reply));
  }

  amendTo(account: Account, orderId: number, change: AmendRequest, reply: Reply<OrderState>): void {
    const order = this.registry.liveOrderOf(account, orderId);
    if (change.price !== null && isMarketType(order.type)) throw Outcome.invalid("price", "price cannot be set on a market order");
    this.admission.check(1);
    this.push({ kind: "amend", order, price: change.price ?? 0, quantity: change.quantity ?? 0, reply }, 1);
  }

  /**
   * Lowers an open order's total to `quantity` lots in place, keeping its time priority (Binance's
   * amend keep priority): also an untriggered order, an OTO's pending order, or an OCO's member
   * (both members are lowered). `clientOrderId`: the order's new one (null: unchanged). At or
   * below its filled part, the order expires (expireReason AMENDED).
   */
  reduce(account: Account, orderId: number, quantity: number, clientOrderId: string | null): Promise<Reduced> {
    const order = this.registry.liveOrderOf(account, orderId);
    if (quantity >= order.quantity) throw quantityNotLower(order);
    const max = this.admission.limits.maxAmendmentsPerOrder;
    const queued = this.queuedAmendments.get(order) ?? 0;
    if (order.amendments + queued >= max) throw new Outcome("TOO_MANY_AMENDMENTS", `an order may be lowered in place at most ${max} times`);
    this.admission.check(1);
    this.registry.reserveClientOrderId(order, clientOrderId);
    this.queuedAmendments.set(order, queued + 1);
    return this.enqueue((d) => ({ kind: "reduce", order, quantity, clientOrderId, ...d }), 1);
  }

  cancelAll(account: Account, symbol?: string): Promise<OrderState[]> {
    return promised((reply) => this.cancelAllTo(account, symbol, reply));
  }

  /** Answers at once (with nothing cancelled) when the account has no open order there. */
  cancelAllTo(account: Account, symbol: string | undefined, reply: Reply<OrderState[]>): void {
    const orders = this.registry.ofAccount(account.id, symbol);
    if (orders.length === 0) return reply.resolve([]);
    this.admission.checkCancelAll(orders.length);
    this.push({ kind: "cancelAll", orders, reply }, orders.length);
  }

  /**
   * Deposits, withdrawals and fee rates as one job, each command standing on its own; `requests`
   * (the rows of account_requests they came from) are deleted in the same commit. Resolves once
   * committed; rejects with the first refusal.
   */
  accountCommands(commands: AccountCommand[], requests: number[] = []): Promise<void> {
    if (commands.length === 0 && requests.length === 0) return Promise.resolve();
    this.admission.check(commands.length);
    return this.enqueue<void>((d) => ({ kind: "account", commands, requests, ...d }), commands.length);
  }

  /**
   * While given, a batch whose every job is of these accounts (a simulation's or a replay's
   * participants, running as fast as they can) is answered as soon as the engine has processed it,
   * and its journal is committed with those of the batches after it: once MAX_HELD_BATCHES are
   * held or `maxHoldMs` has passed, with the first batch of anyone else, before any read of the
   * store, and when this is turned off (null), which commits what is held. Listeners hear of each
   * batch once it is committed, as always. A crash loses the held batches whole; nobody outside
   * those accounts was told of them. A commit per simulated step was a quarter of a simulated
   * day's time (BENCHMARKS.md).
   */
  holdCommitsOf(accounts: ReadonlySet<number> | null, maxHoldMs = MAX_HOLD_MS): void {
    this.holdFor = accounts;
    this.maxHoldMs = maxHoldMs;
    if (!accounts) this.commitHeld();
  }

  /** Commits the held batches, if any, and lets the listeners hear of them. */
  commitHeld(): void {
    this.stopHoldTimer();
    if (this.journal.heldBatches === 0) return;
    const started = Bun.nanoseconds();
    try {
      this.journal.commitHeld();
    } catch (error) {
      this.onFatal(error);
      return;
    }
    // The group's commit counts as the last held batch's.
    const last = this.heldReports.at(-1);
    if (last) {
      const seconds = (Bun.nanoseconds() - started) / 1e9;
      last.seconds = { batch: last.seconds.batch + seconds, commit: last.seconds.commit + seconds };
    }
    this.publish();
  }

  /** Refuses new requests; resolves once everything queued is committed and answered. */
  stop(): Promise<void> {
    this.admission.stop();
    this.holdCommitsOf(null);
    if (this.queue.length === 0 && !this.flushScheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private unqueueAmendment(order: OrderState): void {
    const left = this.queuedAmendments.get(order)! - 1;
    if (left === 0) this.queuedAmendments.delete(order);
    else this.queuedAmendments.set(order, left);
  }

  private enqueue<T>(make: (d: Deferred<T>) => Job, commandCount: number): Promise<T> {
    return promised((reply) => this.push(make({ reply }), commandCount));
  }

  private push(job: Job, commandCount: number): void {
    this.queue.push(job);
    this.admission.queued += commandCount;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  // ---- batches ----------------------------------------------------------------------------

  private flush(): void {
    this.flushScheduled = false;
    const jobs = this.takeJobs();
    const hold = this.holdFor !== null && jobs.every((job) => this.holdFor!.has(accountOf(job)));
    try {
      this.runBatch(jobs, hold);
    } catch (error) {
      for (const job of jobs) job.reply.reject(new Error("the batch could not be stored"));
      this.onFatal(error);
      return;
    }
    this.settleAll(jobs);
    const c = this.changes;
    const report: BatchReport = {
      journal: this.committed, trades: c.trades, orders: c.orders, ledger: c.ledger, preventedMatches: c.preventedMatches, amendments: c.amendments,
      orderEvents: c.orderEvents, seconds: this.seconds,
      // Made only for a listener that has someone to tell (most batches: none).
      get levels() {
        return c.levels;
      },
      get balances() {
        return c.balances;
      },
    };
    if (!hold) {
      // Committed, with any held before it.
      this.stopHoldTimer();
      this.publish(report);
    } else {
      this.heldReports.push(report);
      if (this.heldReports.length >= MAX_HELD_BATCHES) this.commitHeld();
      else this.holdTimer ??= setTimeout(() => this.commitHeld(), this.maxHoldMs);
    }
    if (this.queue.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    } else {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private stopHoldTimer(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
  }

  /** The listeners hear of the held batches' reports, then of `report`. */
  private publish(report?: BatchReport): void {
    const reports = this.heldReports;
    this.heldReports = [];
    if (report) reports.push(report);
    for (const r of reports) for (const listener of this.listeners) listener(r);
  }

  private takeJobs(): Job[] {
    let take = 0;
    let commands = 0;
    while (take < this.queue.length) {
      const n = jobCommands(this.queue[take]!);
      if (take > 0 && commands + n > this.admission.limits.maxBatchCommands) break;
      commands += n;
      take++;
    }
    this.admission.queued -= commands;
    if (take === this.queue.length) {
      const jobs = this.queue;
      this.queue = [];
      return jobs;
    }
    return this.queue.splice(0, take);
  }

  /**
   * Replays stored journal entries whose orders, trades and balances are not written yet
   * (recovery): the same matching and state as when they were first processed, their rows
   * buffered for writing, their journal left as it is. Entries of one original batch share a time.
   */
  replay(entries: StoredEntry[]): void {
    for (let from = 0; from < entries.length;) {
      const time = entries[from]!.time;
      let to = from + 1;
      while (to < entries.length && entries[to]!.time === time) to++;
      const noop = { reply: { resolve() {}, reject() {} } };
      const batch = entries.slice(from, to);
      const jobs: Job[] = batch.map((e) => {
        if (!placesOrder(e)) return { kind: "replayed", ...noop };
        const order = orderOfEntry(e, time, this.markets, (id) => this.registry.get(id));
        this.registry.track(order);
        return { kind: "new", order, ...noop };
      });
      this.runBatch(jobs, false, time, batch);
      from = to;
    }
    this.counters.lastSeq = Math.max(this.counters.lastSeq, entries.at(-1)?.seq ?? 0);
  }

  /** Matches a batch and commits its journal (or holds it); `stored`: replayed entries, journal
   *  already written. */
  private runBatch(jobs: Job[], hold: boolean, time = this.clock.now(), stored?: JournalEntry[]): void {
    const started = Bun.nanoseconds();
    this.commands.clear();
    this.commandJobs.length = 0;
    this.requests = [];
    this.changes = new BatchChanges(time, []);
    // Replayed: each job is one stored entry, packed as it was stored (its seq included).
    if (stored) stored.forEach((e, i) => this.command(jobs[i]!, e));
    else for (const job of jobs) this.pack(job);
    this.engine.process(this.commands, this.events, (events) => this.applier.apply(events, this.changes));
    const balances = this.engine.changedBalanceBytes();
    this.applier.finish(balances, this.changes);
    const committing = Bun.nanoseconds();
    const c = this.changes;
    for (const o of c.orders) this.registry.accountChanged(o.accountId);
    for (const l of c.ledger) this.registry.accountChanged(l.accountId);
    // A command the engine refused changed nothing (engine.h), so it is not journaled: a refused
    // request leaves no trace, and replaying the rest gives the same books and balances.
    this.committed = c.refusals.size === 0 ? c.journal : c.journal.filter((_, i) => !c.refusals.has(i));
    // Its rows as it left them go on to the projector's thread, which writes them: a view of the
    // encoder's buffer, used before the next batch, unless the batch is held for a later commit.
    const encoded = this.rows.encode({
      time, lastSeq: this.committed.at(-1)?.seq ?? 0, orders: c.orders, trades: c.trades, ledger: c.ledger,
      preventedMatches: c.preventedMatches, amendments: c.amendments,
    }, balances, this.markets);
    const rows = hold ? this.keepHeld(encoded) : encoded;
    const write: JournalBatch = { time, journal: this.committed, lastOrderId: this.counters.lastOrderId, requests: this.requests, rows };
    if (stored) this.journal.followStored(write);
    else if (hold) this.journal.hold(write);
    else this.journal.commit(write);
    const done = Bun.nanoseconds();
    this.seconds = { batch: (done - started) / 1e9, commit: (done - committing) / 1e9 };
    for (const t of c.trades) this.stats.recordTrade(this.markets.get(t.symbol)!.index, t.id, t.price, t.quantity, t.time);
  }

  /** A copy of a held batch's rows that lasts until its commit. */
  private keepHeld(rows: Uint8Array): Uint8Array {
    if (this.journal.heldBatches === 0) this.heldRowsEnd = 0; // (those held before are handed on)
    if (this.heldRowsEnd + rows.byteLength > this.heldRows.byteLength) {
      // A new buffer: the views of the old one stay valid until their commit.
      this.heldRows = new Uint8Array(Math.max(this.heldRows.byteLength, 2 * rows.byteLength));
      this.heldRowsEnd = 0;
    }
    const at = this.heldRowsEnd;
    this.heldRows.set(rows, at);
    this.heldRowsEnd += rows.byteLength;
    return this.heldRows.subarray(at, this.heldRowsEnd);
  }

  private pack(job: Job): void {
    const seq = () => ++this.counters.lastSeq;
    switch (job.kind) {
      case "new":
        return this.newCommand(job, job.order);
      case "newMany":
        for (const o of job.orders) this.newCommand(job, o);
        return;
      case "cancel": {
        const e = orderCommandEntry(seq(), CommandKind.cancel, job.order.id, job.order.market.symbol);
        e.flags = restrictionFlag(job.onlyIf);
        return this.command(job, e);
      }
      case "cancelAll":
        for (const o of job.orders) this.command(job, orderCommandEntry(seq(), CommandKind.cancel, o.id, o.market.symbol));
        return;
      case "amend":
        return this.command(job, orderCommandEntry(seq(), CommandKind.amend, job.order.id, job.order.market.symbol, job.price, job.quantity));
      case "reduce": {
        const e = orderCommandEntry(seq(), CommandKind.amend, job.order.id, job.order.market.symbol, 0, job.quantity);
        e.flags = CommandFlag.keepPriority;
        e.clientOrderId = job.clientOrderId;
        return this.command(job, e);
      }
      case "account":
        this.requests.push(...job.requests);
        for (const c of job.commands) {
          this.command(job, c.kind === "fees"
            ? entry(seq(), CommandKind.setFees, { accountId: c.accountId, price: c.makerBps, quantity: c.takerBps })
            : entry(seq(), c.kind === "deposit" ? CommandKind.deposit : CommandKind.withdraw, { accountId: c.accountId, amount: c.units, asset: c.asset.symbol }));
        }
        return;
      case "list": {
        // engine.h EX_LINK_*: an OTOCO is an OTO whose second command is linked OCO to a third;
        // an OPO (OPOCO) an OTO (OTOCO) whose working command carries EX_FLAG_OPO.
        const { none, oco, oto } = ListLink;
        const links = LIST_SIZE[job.listType] === 3 ? [oto, oco, none] : job.listType === "oco" ? [oco, none] : [oto, none];
        const opo = paysForward(job.listType) ? CommandFlag.opo : 0;
        job.orders.forEach((o, k) => this.newCommand(job, o, CommandKind.limit, job.listId, links[k], 0, k === 0 ? opo : 0));
        return;
      }
      case "replace":
        return this.newCommand(job, job.order, CommandKind.cancelReplace, job.oldId, 0,
          job.allowFailure ? CancelReplaceMode.allowFailure : CancelReplaceMode.stopOnFailure, restrictionFlag(job.onlyIf));
      case "replayed":
        return; // (only given with `stored`)
    }
  }

  /** `kind` limit stands for the order's own (limit or market); `otherId`, `link` and `mode` are
   *  a list's or a cancel-replace's (journal.ts); `flags` a cancel-replace's restriction, or an
   *  OPO's working command's EX_FLAG_OPO. */
  private newCommand(job: Job, o: OrderState, kind: number = CommandKind.limit, otherId = 0, link = 0, mode = 0, flags = 0): void {
    // An order's time is its batch's, the time its journal entry keeps (so a replay agrees).
    o.createdAt = o.updatedAt = this.changes.time;
    const market = isMarketType(o.type);
    if (kind === CommandKind.limit && market) kind = CommandKind.market;
    this.command(job, {
      seq: ++this.counters.lastSeq, kind,
      accountId: o.accountId, clientOrderId: o.clientOrderId, orderId: o.id, symbol: o.market.symbol,
      side: Side[o.side], timeInForce: TimeInForce[o.timeInForce],
      flags: (o.postOnly ? CommandFlag.postOnly : 0) | (kind === CommandKind.cancelReplace && market ? CommandFlag.market : 0) | flags,
      price: o.price ?? 0, quantity: o.quantity, stp: SelfTradePrevention[o.selfTradePrevention],
      amount: o.quoteQuantity, asset: null,
      trigger: !isConditionalType(o.type) ? Trigger.none : o.type.startsWith("stop_loss") ? Trigger.stopLoss : Trigger.takeProfit,
      stopPrice: o.stopPrice ?? 0, trailingBps: o.trailingDelta ?? 0, visible: o.icebergQuantity ?? 0,
      otherId, link, mode, listClientOrderId: o.id === o.listId ? o.listClientOrderId : null,
    });
  }

  private command(job: Job, e: JournalEntry): void {
    packEntry(this.commands, e, this.markets);
    this.changes.journal.push(e);
    this.commandJobs.push(job);
  }

  /** Answers every job of the batch: its order(s), or the outcome the engine refused it with. */
  private settleAll(jobs: Job[]): void {
    const refusals = this.changes.refusals;
    const firstRefusal = new Map<Job, Outcome>();
    // Where each refused item of a batch request stands in its results, found once per job.
    const resultIndex = new Map<Job, Map<number, number>>();
    for (const [index, outcome] of refusals) {
      const job = this.commandJobs[index]!;
      if (job.kind === "newMany") {
        let byId = resultIndex.get(job);
        if (!byId) {
          byId = new Map();
          job.results.forEach((r, i) => r instanceof Outcome || byId!.set(r.id, i));
          resultIndex.set(job, byId);
        }
        job.results[byId.get(this.changes.journal[index]!.orderId)!] = outcome;
      } else if (!firstRefusal.has(job) || firstRefusal.get(job) === LIST_PARTNER_REFUSED) firstRefusal.set(job, outcome);
    }
    for (const [index, outcome] of this.changes.partial) firstRefusal.set(this.commandJobs[index]!, outcome);
    const amendments = new Map<Job, AmendmentRecord>();
    for (const [index, amendment] of this.changes.amendedBy) amendments.set(this.commandJobs[index]!, amendment);
    for (const job of jobs) {
      const refused = firstRefusal.get(job);
      switch (job.kind) {
        case "new":
        case "cancel":
        case "amend":
          refused ? job.reply.reject(refused) : job.reply.resolve(job.order);
          break;
        case "reduce":
          this.unqueueAmendment(job.order);
          if (refused) {
            this.registry.releaseClientOrderId(job.order, job.clientOrderId);
            job.reply.reject(refused);
          } else {
            job.reply.resolve({ order: job.order, amendment: amendments.get(job)! });
          }
          break;
        case "cancelAll":
          job.reply.resolve(job.orders.filter((o) => o.status === "canceled"));
          break;
        case "newMany":
          job.reply.resolve(job.results);
          break;
        case "account":
          refused ? job.reply.reject(refused) : job.reply.resolve();
          break;
        case "list":
          refused ? job.reply.reject(refused) : job.reply.resolve(job.orders);
          break;
        case "replace": {
          // Refused with nothing cancelled; or the new order may be refused after the cancel.
          const cancelled = job.old?.status === "canceled" ? job.old : null;
          if (refused && !cancelled) job.reply.reject(refused);
          else if (refused) job.reply.reject(new Outcome(refused.code, `order ${job.oldId} was cancelled, but the new order was refused: ${refused.message}`, { ...refused.details, cancelled: String(job.oldId) }));
          else job.reply.resolve({ cancelled, order: job.order });
          break;
        }
        case "replayed":
          job.reply.resolve();
          break;
      }
    }
  }
}

/** Held batches at most, and the longest a batch is held (holdCommitsOf). */
const MAX_HELD_BATCHES = 64;
const MAX_HOLD_MS = 10;

/** The account a job is of; -1 for funding and replays, which are never held. */
function accountOf(job: Job): number {
  switch (job.kind) {
    case "new":
    case "cancel":
    case "amend":
    case "reduce":
    case "replace":
      return job.order.accountId;
    case "cancelAll":
    case "newMany":
    case "list":
      return job.orders[0]!.accountId;
    default:
      return -1;
  }
}

/** A cancel's restriction as the engine's command flag (engine.h EX_FLAG_ONLY_*). */
function restrictionFlag(onlyIf: CancelRestriction | null): number {
  return onlyIf === "new" ? CommandFlag.onlyNew : onlyIf === "partially_filled" ? CommandFlag.onlyPartiallyFilled : 0;
}

/** The promise `start` answers; what `start` throws (a refusal before queueing) is thrown here. */
function promised<T>(start: (reply: Reply<T>) => void): Promise<T> {
  let reply!: Reply<T>;
  const promise = new Promise<T>((resolve, reject) => (reply = { resolve, reject }));
  start(reply);
  return promise;
}

/** The shape of an order list (engine.h EX_LINK_*), checked before the engine sees it. */
function checkList(listType: OrderListType, requests: OrderRequest[]): void {
  if (requests.length !== LIST_SIZE[listType]) throw Outcome.invalid("orders", `an ${listType} list takes ${LIST_SIZE[listType] === 2 ? "two" : "three"} order requests`);
  const [a, ...rest] = requests as [OrderRequest, ...OrderRequest[]];
  if (rest.some((r) => r.market !== a.market)) throw Outcome.invalid("orders", "the orders of a list must be in one market");
  const pair = (what: string, [x, y]: OrderRequest[]) => {
    if (x!.side !== y!.side) throw Outcome.invalid("orders", `both orders of ${what} must be on one side`);
    for (const r of [x!, y!]) {
      if (!isConditionalType(r.type) && !(r.type === "limit" && r.postOnly)) {
        throw Outcome.invalid("orders", `each order of ${what} must be a post-only limit or a conditional order (stop_loss, take_profit, their _limit forms)`);
      }
    }
  };
  if (listType === "oco") return pair("an oco list", requests);
  if (a.type !== "limit") throw Outcome.invalid("orders", `the first (working) order of an ${listType} list must be a limit order`);
  if (LIST_SIZE[listType] === 3) pair(`an ${listType} list's pending pair`, rest);
  if (!paysForward(listType)) return;
  // One pays the other: the working order buys what its pending orders sell, all of it.
  if (a.side !== "buy" || rest.some((r) => r.side !== "sell")) throw Outcome.invalid("orders", `an ${listType} list's working order buys and its pending orders sell`);
  for (const r of rest) {
    if (r.quantity !== 0) throw Outcome.invalid("quantity", `an ${listType} list's pending orders sell what the working order receives: they take no quantity`);
    if (r.quoteQuantity !== null || r.icebergQuantity !== null) throw Outcome.invalid("orders", `an ${listType} list's pending orders sell a quantity not known yet: no quote quantity, no iceberg`);
  }
}

function jobCommands(job: Job): number {
  switch (job.kind) {
    case "cancelAll":
    case "newMany":
      return job.orders.length;
    case "account":
      return job.commands.length;
    case "list":
      return job.orders.length;
    default:
      return 1;
  }
}
