// The fundamental value of a market: what the value traders observe (with noise) and the market
// makers lean on. Its log follows a slowly mean-reverting walk with a drift, Poisson jumps and a
// stochastic volatility (the log of the volatility is itself mean-reverting): the stochastic
// volatility is what gives absolute returns their slowly decaying autocorrelation and returns
// their fat tails, while the walk keeps returns themselves uncorrelated. Scheduled events add a
// permanent jump (news) or a transient one that recovers linearly (a flash crash).
import type { RandomStream } from "./random";

export interface FundamentalEvent {
  /** Minutes after the simulation starts. */
  atMinutes: number;
  /** Log change: -0.05 is about -5%. */
  jump: number;
  /** Minutes over which a transient jump fades back to nothing; 0 or absent: permanent. */
  recoverMinutes?: number;
}

export interface FundamentalParams {
  /** Standard deviation of log returns per square-root hour (0.01: 1% in an hour). */
  volatility: number;
  /** Standard deviation of the log volatility per square-root hour. */
  volOfVol: number;
  /** Half-life of a volatility shock, minutes. */
  volHalfLifeMinutes: number;
  /** Half-life of the pull of the log value back to its mean, hours (large: nearly a random walk). */
  meanReversionHalfLifeHours: number;
  /** Log drift per hour (0.002: +0.2% an hour). */
  driftPerHour: number;
  jumpsPerHour: number;
  /** Standard deviation of a jump's log size. */
  jumpSize: number;
  events: FundamentalEvent[];
}

export class Fundamental {
  private logValue: number;
  private logMean: number;
  private logVol = 0;
  private elapsedMs = 0;
  private readonly fired = new Set<FundamentalEvent>();

  constructor(private params: FundamentalParams, startTicks: number, private readonly random: RandomStream) {
    this.logValue = this.logMean = Math.log(startTicks);
  }

  /** The value now, in ticks (a float: only participants' decisions use it, never money). */
  get ticks(): number {
    return Math.exp(this.logValue + this.transient());
  }

  /** How active the market is now relative to its calm: the current volatility's multiple. */
  get activity(): number {
    return Math.exp(this.logVol);
  }

  update(params: FundamentalParams): void {
    this.params = params;
  }

  /** Moves the value `ms` on. */
  advance(ms: number): void {
    const p = this.params;
    const hours = ms / 3_600_000;
    const root = Math.sqrt(hours);
    const volDecay = Math.LN2 / (p.volHalfLifeMinutes / 60);
    this.logVol += -volDecay * this.logVol * hours + p.volOfVol * root * this.random.normal();
    // (a shock capped at 3x either way keeps a long run from drifting into absurd regimes)
    this.logVol = Math.max(-1.1, Math.min(1.1, this.logVol));
    const pull = Math.LN2 / p.meanReversionHalfLifeHours;
    this.logMean += p.driftPerHour * hours;
    let step = pull * (this.logMean - this.logValue) * hours + p.driftPerHour * hours
      + p.volatility * this.activity * root * this.random.normal();
    for (let jumps = this.random.poisson(p.jumpsPerHour * hours); jumps > 0; jumps--) step += p.jumpSize * this.random.normal();
    this.logValue += step;
    this.elapsedMs += ms;
    for (const e of p.events) {
      if (!e.recoverMinutes && !this.fired.has(e) && this.elapsedMs >= e.atMinutes * 60_000) {
        this.fired.add(e);
        this.logValue += e.jump;
        this.logMean += e.jump;
      }
    }
  }

  /** Minutes since the start. */
  get minutes(): number {
    return this.elapsedMs / 60_000;
  }

  private transient(): number {
    let sum = 0;
    for (const e of this.params.events) {
      if (!e.recoverMinutes) continue;
      const since = this.minutes - e.atMinutes;
      if (since >= 0 && since < e.recoverMinutes) sum += e.jump * (1 - since / e.recoverMinutes);
    }
    return sum;
  }
}
