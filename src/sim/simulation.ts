// The simulation: participants of a scenario, each a funded account trading through the core
// like any user, woken in venue-time order step by step. Within a step every participant sees the
// book as the previous step left it, and the step's commands are one or a few sequencer batches;
// the next step begins once they are committed. That, and each participant drawing from its own
// stream (seed and name), makes a run deterministic: the same seed and the same user orders give
// the same market. The pace is real time, N times faster, or as fast as possible (the venue
// clock then jumps from step to step).
import { accountsNamed, createAccount, type Account } from "../accounts";
import type { Exchange } from "../exchange";
import { log } from "../log";
import { Outcome } from "../core/outcomes";
import type { Market } from "../markets";
import { SimClient, type ClientCounters } from "./client";
import { Fundamental, type FundamentalParams } from "./fundamental";
import { MarketMaker } from "./market-maker";
import { MomentumTrader } from "./momentum-trader";
import { NoiseTrader } from "./noise-trader";
import type { MarketView, Participant } from "./participant";
import { RandomStream } from "./random";
import { FUNDAMENTAL_DEFAULTS, paramsOf, type MarketScenario, type ParticipantKind, type ScenarioSpec } from "./scenarios";
import { ValueTrader } from "./value-trader";
import { WakeQueue } from "./wake-queue";
import { formatPace, PacedDriver, type Pace } from "./paced-driver";

export interface SimulationOptions {
  pace: Pace;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Venue time to start from, ms (an accelerated run that should be the same byte for byte). */
  startTime?: number;
  /** Venue ms after which the simulation stops by itself. */
  durationMs?: number;
}

const KINDS: Record<ParticipantKind, new (...args: ConstructorParameters<typeof NoiseTrader>) => Participant> = {
  "market-maker": MarketMaker as never, noise: NoiseTrader as never, value: ValueTrader as never, momentum: MomentumTrader as never,
};
/** What a participant of each kind is funded with, in the quote asset (and as much in the base). */
const DEFAULT_CAPITAL: Record<ParticipantKind, number> = { "market-maker": 10_000_000, noise: 1_000_000, value: 1_000_000, momentum: 1_000_000 };
/** Where each built-in market's fundamental starts when it has never traded. */
const DEFAULT_START: Record<string, string> = { "BTC-USD": "60000", "ETH-USD": "3000", "SOL-USD": "150" };
export const ACCOUNT_PREFIX = "sim:";

interface MarketRun {
  market: Market;
  fundamental: Fundamental;
  scenario: MarketScenario;
}

export class Simulation extends PacedDriver {
  readonly seed: number;
  private readonly participants: Participant[] = [];
  protected readonly accounts = new Set<number>();
  private readonly runs: MarketRun[] = [];
  private readonly queue: WakeQueue;
  private readonly counters: ClientCounters = { commands: 0, refused: 0 };
  private venueTime = 0;
  private startedAt = 0;
  private steps = 0;
  private trades = 0;

  constructor(ex: Exchange, readonly spec: ScenarioSpec, private readonly options: SimulationOptions) {
    super(ex, options.pace, spec.stepMs ?? 100);
    this.seed = options.seed ?? spec.seed ?? 1;
    this.queue = new WakeQueue(this.participants);
    this.listen((r) => {
      if (this.state === "running") this.trades += r.trades.length;
    });
  }

  /** Creates (or, after a restart, finds) the participants' accounts, funds new ones, and runs. */
  async start(): Promise<void> {
    const { ex } = this;
    if (this.options.startTime !== undefined) {
      if (ex.queries.lastJournalTime() > this.options.startTime) {
        throw new Outcome("SIMULATION_STATE", "the venue has stored entries after the start time asked for: time would run back");
      }
      ex.clock.restart(this.options.startTime);
    }
    const existing = accountsNamed(ex.storage.db, ACCOUNT_PREFIX);
    const members: { name: string; run: MarketRun; group: ReturnType<typeof groupsOf>[number] }[] = [];
    for (const market of ex.markets.list) {
      const scenario = this.spec.markets?.[market.symbol] ?? this.spec.market;
      if (!scenario) continue;
      const startTicks = this.startTicks(market, scenario);
      const fundamental = new Fundamental({ ...FUNDAMENTAL_DEFAULTS, ...scenario.fundamental } as FundamentalParams, startTicks,
        new RandomStream(this.seed, `${market.symbol}/fundamental`));
      const run = { market, fundamental, scenario };
      this.runs.push(run);
      for (const group of groupsOf(scenario)) for (const name of group.names(market)) members.push({ name, run, group });
    }
    // New participants' accounts in one transaction; the server journals their funding (and
    // their fee rates: none, a simulated participant is not the venue's customer).
    const toCreate = members.filter((m) => !existing.has(m.name));
    ex.storage.db.transaction(() => {
      for (const { name, run, group } of toCreate) {
        existing.set(name, createAccount(ex.storage.db, name, {
          deposits: this.capitalOf(run.market, run.fundamental.ticks, group.capital), makerFeeBps: 0, takerFeeBps: 0,
        }));
      }
    });
    if (toCreate.length > 0) await ex.funding.fundPending();
    for (const { name, run, group } of members) {
      const account: Account = existing.get(name)!;
      this.accounts.add(account.id);
      const client = new SimClient(ex, account, this.outstanding, this.counters);
      const p = new KINDS[group.kind](name, run.market, client, new RandomStream(this.seed, name), paramsOf(group.spec) as never);
      // After a restart: the orders it had open are its own again.
      p.adopt(ex.sequencer.registry.ofAccount(account.id, run.market.symbol));
      this.participants.push(p);
    }
    this.venueTime = ex.clock.now();
    this.startedAt = this.venueTime;
    for (let i = 0; i < this.participants.length; i++) {
      this.participants[i]!.firstWake(this.venueTime);
      this.queue.push(i);
    }
    log("info", "simulation started", { scenario: this.spec.name ?? "custom", seed: this.seed, participants: this.participants.length, pace: formatPace(this.pace) });
    this.run();
  }

  /** New parameters for the participants of a kind (in one market, or all), effective at their next wake. */
  setParams(kind: ParticipantKind, params: Record<string, number>, symbol?: string): number {
    let changed = 0;
    for (const p of this.participants) {
      if (p.kind !== kind || (symbol && p.market.symbol !== symbol)) continue;
      p.params = { ...(p.params as Record<string, number>), ...params };
      changed++;
    }
    return changed;
  }

  /** New fundamental parameters for a market (or all). */
  setFundamental(params: Partial<FundamentalParams>, symbol?: string): void {
    for (const run of this.runs) {
      if (symbol && run.market.symbol !== symbol) continue;
      run.scenario = { ...run.scenario, fundamental: { ...run.scenario.fundamental, ...params } };
      run.fundamental.update({ ...FUNDAMENTAL_DEFAULTS, ...run.scenario.fundamental } as FundamentalParams);
    }
  }

  status() {
    const kinds: Record<string, number> = {};
    for (const p of this.participants) kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
    return {
      state: this.state, scenario: this.spec.name ?? "custom", seed: this.seed, pace: formatPace(this.pace), stepMs: this.stepMs,
      venueTime: this.venueTime, elapsedMs: this.venueTime - this.startedAt, steps: this.steps, wallMs: Math.round(this.wallMs),
      commands: this.counters.commands, refused: this.counters.refused, trades: this.trades,
      eventsPerSecond: this.wallMs > 0 ? Math.round((this.counters.commands + this.trades) / (this.wallMs / 1000)) : 0, participants: kinds,
      markets: this.runs.map((r) => ({ symbol: r.market.symbol, fundamental: r.market.formatPrice(Math.max(1, Math.round(r.fundamental.ticks))) })),
    };
  }

  protected get complete(): boolean {
    return this.options.durationMs !== undefined && this.venueTime - this.startedAt >= this.options.durationMs;
  }

  protected async step(): Promise<void> {
    const { clock, engine, stats } = this.ex;
    if (this.pace === "max") clock.set(this.venueTime + this.stepMs);
    const now = clock.now();
    const views = new Map<Market, MarketView>();
    for (const run of this.runs) {
      run.fundamental.advance(now - this.venueTime);
      const m = run.market;
      const [bid] = engine.depth(m.index, 0, 1);
      const [ask] = engine.depth(m.index, 1, 1);
      views.set(m, { market: m, now, bestBid: bid?.[0] ?? null, bestAsk: ask?.[0] ?? null, lastPrice: stats.lastPrice(m.index), fundamental: run.fundamental });
    }
    this.venueTime = now;
    for (let i = this.queue.popDue(now); i !== undefined; i = this.queue.popDue(now)) {
      const p = this.participants[i]!;
      p.wake(views.get(p.market)!);
      this.queue.push(i);
    }
    await this.outstanding.settled();
    this.steps++;
    this.sampler.sample(now);
  }

  private startTicks(market: Market, scenario: MarketScenario): number {
    const text = scenario.startPrice ?? (this.ex.stats.lastPrice(market.index) !== null ? null : DEFAULT_START[market.symbol] ?? "100");
    return text === null ? this.ex.stats.lastPrice(market.index)! : market.priceTicks(text, "startPrice");
  }

  /** `capital` of the quote asset and its worth of the base asset at the start price. */
  private capitalOf(market: Market, startTicks: number, capital: number): Map<string, string> {
    const quoteUnits = market.quote.units(String(Math.round(capital)), "capital");
    const lots = quoteUnits / market.notional(Math.max(1, Math.round(startTicks)), 1);
    return new Map([[market.quote.symbol, market.quote.format(quoteUnits)], [market.base.symbol, market.base.format(market.baseUnits(Number(lots)))]]);
  }
}

/** A scenario's participant groups with their names (<market>/<name>-<i>) and capital. */
function groupsOf(scenario: MarketScenario) {
  return scenario.participants.map((spec) => ({
    spec,
    kind: spec.kind,
    capital: spec.capital ?? DEFAULT_CAPITAL[spec.kind],
    names: (m: Market) => Array.from({ length: spec.count }, (_, i) => `${ACCOUNT_PREFIX}${m.symbol}/${spec.name ?? spec.kind}-${i + 1}`),
  }));
}
