// Each participant's own random stream, derived from the scenario's seed and its name: adding a
// participant leaves every other one's draws as they were. sfc32 (a small, fast counter-based
// generator that passes PractRand) seeded through FNV-1a of "seed/name".
export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  private spareNormal: number | null = null;

  constructor(seed: number, name: string) {
    let h = 0x811c9dc5;
    for (const ch of `${seed}/${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    this.a = h >>> 0;
    this.b = Math.imul(h ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
    this.c = Math.imul(h ^ 0x27d4eb2f, 0xc2b2ae35) >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Marsaglia's polar method). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt(-2 * Math.log(s) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Exponential with the given mean (waiting times of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Pareto with minimum `min` and tail index `alpha`, capped at `max`: heavy-tailed sizes. */
  pareto(min: number, alpha: number, max: number): number {
    return Math.min(max, min / Math.pow(1 - this.next(), 1 / alpha));
  }

  /** Poisson count with the given mean (Knuth's method; means here are small). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}
