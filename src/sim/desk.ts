// The one place that starts, pauses, changes and stops what drives the market: a simulation or
// a replay (one at a time: both would drive the venue's clock). The surfaces' control routes and
// `serve --simulate` / `--replay` call it; it answers with domain outcomes.
import { Outcome } from "../core/outcomes";
import type { Exchange } from "../exchange";
import type { FundamentalParams } from "./fundamental";
import { PARTICIPANT_DEFAULTS, PARTICIPANT_KINDS, type ParticipantKind, type ScenarioSpec } from "./scenarios";
import { Simulation, type SimulationOptions } from "./simulation";
import type { Pace } from "./paced-driver";
import { Replay, type ReplayOptions } from "../replay/replayer";

/** What drives the market: a simulation, or a replay of a recorded one. */
export interface MarketDriver {
  readonly state: string;
  readonly done: Promise<void>;
  pause(): Promise<void>;
  resume(): void;
  setPace(pace: Pace): void;
  stop(): Promise<void>;
  status(): Record<string, unknown>;
}

export interface ParticipantChange {
  kind: string;
  market?: string;
  params: Record<string, number>;
}

export class SimulationDesk {
  private driver: MarketDriver | null = null;

  constructor(private readonly ex: Exchange) {}

  get current(): MarketDriver | null {
    return this.driver;
  }

  async simulate(spec: ScenarioSpec, options: SimulationOptions): Promise<Simulation> {
    const sim = new Simulation(this.ex, spec, options);
    this.take(sim);
    await sim.start();
    return sim;
  }

  async replay(symbol: string, files: string[], options: ReplayOptions): Promise<Replay> {
    const market = this.ex.markets.get(symbol);
    if (!market) throw new Outcome("UNKNOWN_SYMBOL", `symbol "${symbol.slice(0, 64)}" is not a market here`);
    const replay = new Replay(this.ex, market, files, options);
    this.take(replay);
    await replay.start();
    return replay;
  }

  private take(driver: MarketDriver): void {
    if (this.driver && this.driver.state !== "stopped") {
      throw new Outcome("SIMULATION_STATE", "a simulation or replay is already running: stop it first (DELETE /api/v1/sim)");
    }
    this.driver = driver;
  }

  status(): Record<string, unknown> {
    return this.driver?.status() ?? { state: "none" };
  }

  /** Resolves once the step in flight is committed. */
  async pause(): Promise<void> {
    await this.running().pause();
  }

  resume(): void {
    this.running().resume();
  }

  async stop(): Promise<void> {
    await this.running().stop();
  }

  /** A new pace, participant parameters or fundamental parameters, checked before any applies. */
  change(change: { pace?: Pace; participants?: ParticipantChange[]; fundamental?: Partial<FundamentalParams> & { market?: string } }): void {
    const driver = this.running();
    const sim = driver instanceof Simulation ? driver : null;
    if ((change.participants || change.fundamental) && !sim) throw Outcome.invalid("participants", "a replay has no participants or fundamental to change");
    for (const c of change.participants ?? []) {
      if (!PARTICIPANT_KINDS.includes(c.kind as ParticipantKind)) throw Outcome.invalid("participants", `kind must be one of ${PARTICIPANT_KINDS.join(", ")}`);
      if (c.market !== undefined && !this.ex.markets.get(c.market)) throw new Outcome("UNKNOWN_SYMBOL", `symbol "${c.market.slice(0, 64)}" is not a market here`);
      const known = PARTICIPANT_DEFAULTS[c.kind as ParticipantKind];
      for (const [key, value] of Object.entries(c.params)) {
        if (!(key in known)) throw Outcome.invalid("participants", `${c.kind} has no parameter "${key.slice(0, 64)}" (it has ${Object.keys(known).join(", ")})`);
        if (!Number.isFinite(value) || value < 0) throw Outcome.invalid("participants", `${c.kind}.${key} must be a finite number, at least 0`);
      }
    }
    if (change.fundamental?.market !== undefined && !this.ex.markets.get(change.fundamental.market)) {
      throw new Outcome("UNKNOWN_SYMBOL", `symbol "${change.fundamental.market.slice(0, 64)}" is not a market here`);
    }
    if (change.pace !== undefined) driver.setPace(change.pace);
    for (const c of change.participants ?? []) sim!.setParams(c.kind as ParticipantKind, c.params, c.market);
    if (change.fundamental) {
      const { market, ...params } = change.fundamental;
      sim!.setFundamental(params, market);
    }
  }

  private running(): MarketDriver {
    if (!this.driver || this.driver.state === "stopped") throw new Outcome("SIMULATION_STATE", "no simulation or replay is running");
    return this.driver;
  }
}
