// The venue's clock: every time the venue writes (orders, trades, candles, book samples) is read
// from it. By default it is the wall clock; a simulation or a replay drives it, either at a rate
// (real time or N times faster, from an anchor) or by setting it step by step (as fast as
// possible). It never goes back: after an accelerated run it goes on from where the run left it.
export class VenueClock {
  private anchorVenue: number;
  private anchorWall: number;
  private rate = 1;
  private last = 0;

  /** `start`: the first time it shows (the latest time already stored, so that time never runs back). */
  constructor(start = Date.now()) {
    this.anchorWall = Date.now();
    this.anchorVenue = Math.max(start, this.anchorWall);
  }

  /** Milliseconds since the epoch, venue time. */
  now(): number {
    const t = this.rate === 0 ? this.anchorVenue : this.anchorVenue + Math.floor((Date.now() - this.anchorWall) * this.rate);
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Runs `rate` times as fast as the wall clock from its current time (0 stops it, 1 is real time). */
  run(rate: number): void {
    this.anchorVenue = this.now();
    this.anchorWall = Date.now();
    this.rate = rate;
  }

  /** Stops the clock at `time` (if later than now): steps of an accelerated run. */
  set(time: number): void {
    this.anchorVenue = Math.max(time, this.now());
    this.anchorWall = Date.now();
    this.rate = 0;
  }

  /** Starts over at `time`, stopped, even if earlier than now: only for a venue that has stored
   *  nothing after `time` (an accelerated run that must repeat exactly). */
  restart(time: number): void {
    this.anchorVenue = this.last = time;
    this.anchorWall = Date.now();
    this.rate = 0;
  }

  /** Whether it runs as the wall clock does (offset or not). */
  get realTime(): boolean {
    return this.rate === 1;
  }
}
