// Replays a recorded market into the real book. The recorded liquidity rests as orders of the
// replay account ("replay:maker"), level by level, so a user's order at a recorded price queues
// behind what was there before it and fills by price-time priority; recorded trades are sent as
// IOC limit orders of a second account ("replay:taker") at their price and size, so they consume
// the recorded queue first and a user's order only after it. Liquidity a user's order took from
// the replay account comes back linearly over the recovery time. A trades-only recording (Binance)
// has no book: the replay keeps a ladder of its median trade size around the last trade price.
// The venue clock follows the recording's timestamps (shifted if the venue has stored later times).
import { accountsNamed, createAccount, type Account } from "../accounts";
import type { Exchange } from "../exchange";
import { log } from "../log";
import type { Market } from "../markets";
import { isOpen, remainingOf, type OrderState, type Side } from "../orders/order";
import { SimClient, type ClientCounters } from "../sim/client";
import { formatPace, PacedDriver, type Pace } from "../sim/paced-driver";
import { levelChanges, readRecording, type RecordedEvent, type ReplayFormat } from "./formats";

export interface ReplayOptions {
  pace: Pace;
  /** How long liquidity a user took takes to come back, venue ms. */
  recoveryMs: number;
  /** Levels each side of a trades-only recording's ladder. */
  ladderLevels: number;
}

export const REPLAY_DEFAULTS: Omit<ReplayOptions, "pace"> = { recoveryMs: 5_000, ladderLevels: 10 };
const MAKER = "replay:maker";
const TAKER = "replay:taker";
/** Venue ms of recording per step when paced (real time or N times). */
const STEP_MS = 50;

interface Deficit {
  quantity: number;
  time: number;
}

export class Replay extends PacedDriver {
  readonly format: ReplayFormat;
  private readonly events: RecordedEvent[];
  private next = 0;
  private offset = 0;
  private maker!: SimClient;
  private taker!: SimClient;
  private makerAccount!: Account;
  private takerAccount!: Account;
  /** The recorded book: lots by price, per side. */
  private readonly recorded = { buy: new Map<number, number>(), sell: new Map<number, number>() };
  /** The replay account's orders at each level, oldest first. */
  private readonly resting = { buy: new Map<number, OrderState[]>(), sell: new Map<number, OrderState[]>() };
  /** What users took from each level, fading over the recovery time. */
  private readonly deficits = { buy: new Map<number, Deficit[]>(), sell: new Map<number, Deficit[]>() };
  private readonly dirty = { buy: new Set<number>(), sell: new Set<number>() };
  private readonly counters: ClientCounters = { commands: 0, refused: 0 };
  private trades = 0;

  constructor(ex: Exchange, readonly market: Market, readonly files: string[], private readonly options: ReplayOptions) {
    super(ex, options.pace, STEP_MS);
    const { format, events } = readRecording(files, market);
    this.format = format;
    this.events = format === "binance" ? withLadder(events, options.ladderLevels) : events;
    if (this.events.length === 0) throw new Error(`${files.join(", ")}: nothing to replay`);
    this.listen((r) => {
      for (const t of r.trades) {
        if (t.makerAccountId !== this.makerAccount?.id || t.symbol !== market.symbol) continue;
        if (t.takerAccountId === this.takerAccount.id) continue;
        // A user took recorded liquidity: it comes back over the recovery time.
        const side: Side = t.takerSide === "buy" ? "sell" : "buy";
        const list = this.deficits[side].get(t.price) ?? [];
        list.push({ quantity: t.quantity, time: t.time });
        this.deficits[side].set(t.price, list);
      }
      if (this.state === "running") this.trades += r.trades.filter((t) => t.symbol === market.symbol).length;
    });
  }

  async start(): Promise<void> {
    const { ex } = this;
    const first = this.events[0]!.time;
    if (ex.queries.lastJournalTime() <= first) ex.clock.restart(first);
    else this.offset = ex.clock.now() - first;
    const named = accountsNamed(ex.storage.db, "replay:");
    const ensure = (name: string) => named.get(name) ?? createAccount(ex.storage.db, name, {
      // (far more than any recording moves; the venue bounds a total at 2^62 units)
      deposits: new Map([[this.market.quote.symbol, "1000000000"], [this.market.base.symbol, "1000000"]]), makerFeeBps: 0, takerFeeBps: 0,
    });
    this.makerAccount = ensure(MAKER);
    this.takerAccount = ensure(TAKER);
    await ex.funding.fundPending();
    this.maker = new SimClient(ex, this.makerAccount, this.outstanding, this.counters);
    this.taker = new SimClient(ex, this.takerAccount, this.outstanding, this.counters);
    // After a restart: the replay's resting orders are its own again (the recording starts over).
    for (const o of ex.sequencer.registry.ofAccount(this.makerAccount.id, this.market.symbol)) this.maker.cancel(o);
    await this.outstanding.settled();
    log("info", "replay started", { format: this.format, files: this.files, events: this.events.length, pace: formatPace(this.pace) });
    this.run();
  }

  status() {
    return {
      state: this.state, replay: this.format, files: this.files, market: this.market.symbol, pace: formatPace(this.pace),
      events: this.events.length, replayed: this.next, recordedTime: this.events[Math.min(this.next, this.events.length - 1)]!.time,
      venueTime: this.ex.clock.now(), commands: this.counters.commands, refused: this.counters.refused, trades: this.trades,
    };
  }

  protected get complete(): boolean {
    return this.next >= this.events.length;
  }

  protected get accounts(): ReadonlySet<number> {
    return new Set([this.makerAccount.id, this.takerAccount.id]);
  }

  /** Replays what is due: as fast as possible, up to and including the next trade; paced, what the clock has reached. */
  protected async step(): Promise<void> {
    const { clock } = this.ex;
    const max = this.pace === "max";
    if (max) clock.set(this.events[this.next]!.time + this.offset);
    const until = clock.now() - this.offset;
    for (let traded = false; this.next < this.events.length && !(max && traded);) {
      const e = this.events[this.next]!;
      if (e.time > until) break;
      this.next++;
      if (e.kind === "clear") {
        for (const side of ["buy", "sell"] as const) {
          for (const price of this.recorded[side].keys()) this.dirty[side].add(price);
          this.recorded[side].clear();
        }
      } else if (e.kind === "level") {
        if (e.quantity > 0) this.recorded[e.side].set(e.price, e.quantity);
        else this.recorded[e.side].delete(e.price);
        this.dirty[e.side].add(e.price);
      } else {
        // The book as recorded just before the trade, then the trade, committed before what follows.
        this.reconcile(clock.now());
        this.taker.limit(this.market, e.takerSide, e.price, e.quantity, undefined, "IOC");
        await this.outstanding.settled();
        traded = true;
      }
    }
    this.reconcile(clock.now());
    await this.outstanding.settled();
    this.sampler.sample(clock.now());
  }

  /** Brings the replay's orders at every changed level (and every recovering one) to the recorded
   *  size: first what shrinks on both sides, then what grows, so that a level moving across the
   *  middle never meets the replay's own orders on the other side. */
  private reconcile(now: number): void {
    const growing: [Side, number, number][] = [];
    for (const side of ["buy", "sell"] as const) {
      const dirty = this.dirty[side];
      for (const [price, list] of this.deficits[side]) {
        const left = list.filter((d) => now - d.time < this.options.recoveryMs);
        if (left.length) this.deficits[side].set(price, left);
        else this.deficits[side].delete(price);
        dirty.add(price);
      }
      for (const price of dirty) {
        const more = this.shrinkLevel(side, price, now);
        if (more > 0) growing.push([side, price, more]);
      }
      dirty.clear();
    }
    for (const [side, price, lots] of growing) {
      this.maker.limit(this.market, side, price, lots, (o) => {
        if (!isOpen(o.status)) return;
        const at = this.resting[side].get(price);
        if (at) at.push(o);
        else this.resting[side].set(price, [o]);
      });
    }
  }

  /** Takes the level down to its target if it is above it; returns the lots it is short of it. */
  private shrinkLevel(side: Side, price: number, now: number): number {
    let taken = 0;
    for (const d of this.deficits[side].get(price) ?? []) taken += d.quantity * (1 - (now - d.time) / this.options.recoveryMs);
    const target = Math.max(0, (this.recorded[side].get(price) ?? 0) - Math.ceil(taken));
    const orders = (this.resting[side].get(price) ?? []).filter((o) => isOpen(o.status));
    if (orders.length) this.resting[side].set(price, orders);
    else this.resting[side].delete(price);
    let current = 0;
    for (const o of orders) current += remainingOf(o);
    // Less than there was: the newest orders go first, so the oldest keep their place.
    let excess = current - target;
    for (let i = orders.length - 1; i >= 0 && excess > 0; i--) {
      const o = orders[i]!;
      const remaining = remainingOf(o);
      if (remaining <= excess) this.maker.cancel(o);
      else this.maker.amend(o, price, o.quantity - excess); // (a smaller order keeps its priority)
      excess -= Math.min(remaining, excess);
    }
    return target - current;
  }
}

/** A trades-only recording's book: `levels` of its median trade size each side of the last trade. */
function withLadder(trades: RecordedEvent[], levels: number): RecordedEvent[] {
  const sizes = trades.slice(0, 1000).map((t) => (t.kind === "trade" ? t.quantity : 0)).sort((a, b) => a - b);
  const size = Math.max(1, sizes[Math.floor(sizes.length / 2)] ?? 1);
  const out: RecordedEvent[] = [];
  let shown = new Map<string, number>();
  for (const t of trades) {
    out.push(t);
    if (t.kind !== "trade") continue;
    const now = new Map<string, number>();
    for (let i = 1; i <= levels; i++) {
      if (t.price - i >= 1) now.set(`buy:${t.price - i}`, size);
      now.set(`sell:${t.price + i}`, size);
    }
    out.push(...levelChanges(t.time, shown, now));
    shown = now;
  }
  return out;
}
