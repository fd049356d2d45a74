// What a simulation and a replay share: their state (running, paused, stopped), their pace, and
// the loop of steps that drives the venue clock: as fast as possible (each step sets the clock),
// or at a rate (the clock runs at it and a step comes every `stepMs` of venue time).
import type { BatchListener } from "../core/sequencer";
import type { Exchange } from "../exchange";
import { log } from "../log";
import { BookSampler } from "./book-sampler";
import { Outstanding } from "./client";
import type { MarketDriver } from "./desk";

export type Pace = "realtime" | "max" | number;

/** "realtime", "max" or "10x" (any multiple from 0.01 to 100000). */
export function parsePace(text: string): Pace {
  if (text === "realtime" || text === "max") return text;
  const m = /^(\d+(?:\.\d+)?)x$/.exec(text);
  const rate = m ? Number(m[1]) : NaN;
  if (!(rate >= 0.01 && rate <= 100_000)) throw new Error(`pace must be realtime, max or a multiple such as 10x, not "${text}"`);
  return rate === 1 ? "realtime" : rate;
}

export const formatPace = (p: Pace) => (typeof p === "number" ? `${p}x` : p);

export abstract class PacedDriver implements MarketDriver {
  state: "starting" | "running" | "paused" | "stopped" = "starting";
  /** Commands sent and not yet answered: each step waits for them. */
  protected readonly outstanding = new Outstanding();
  /** Wall ms spent in steps. */
  protected wallMs = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Ends the loop's sleep between steps early (a pause or a stop). */
  private wake: (() => void) | null = null;
  private unlisten: (() => void) | null = null;
  /** The loop of steps while it runs: done once the step in flight is committed after a pause or stop. */
  private looping: Promise<void> | null = null;
  private finished!: () => void;
  /** Resolves when it stops (its work done, or stop()). */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  /** The top of the books once per venue second (its steps call sample). */
  protected readonly sampler: BookSampler;

  constructor(protected readonly ex: Exchange, protected pace: Pace, protected readonly stepMs: number) {
    this.sampler = new BookSampler(ex);
  }

  /** One step: what is due, sent and committed. */
  protected abstract step(): Promise<void>;

  /** Whether it has done all it was to do. */
  protected abstract get complete(): boolean;

  /** The accounts it trades for (its participants'). */
  protected abstract get accounts(): ReadonlySet<number>;

  abstract status(): Record<string, unknown>;

  /** Hears every committed batch until it stops (one listener per driver). */
  protected listen(listener: BatchListener): void {
    this.unlisten = this.ex.sequencer.onCommitted(listener);
  }

  /** Begins stepping (once started up). */
  protected run(): void {
    this.state = "running";
    this.applyPace();
    this.looping ??= this.loop().finally(() => (this.looping = null));
  }

  /** Resolves once the step in flight is committed: from then on the book stands still. */
  async pause(): Promise<void> {
    if (this.state !== "running") return;
    this.promptly();
    this.state = "paused";
    this.ex.clock.run(1);
    this.interrupt();
    await this.looping;
  }

  resume(): void {
    if (this.state === "paused") this.run();
  }

  setPace(pace: Pace): void {
    this.pace = pace;
    if (this.state === "running") this.applyPace();
  }

  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.promptly();
    this.state = "stopped";
    this.interrupt();
    this.ex.clock.run(1);
    await this.outstanding.settled();
    this.unlisten?.();
    this.finished();
  }

  private interrupt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  // As fast as it can, the venue's throughput is what counts: its participants' batches are
  // committed several at a time. At any other pace, paused or stopped, each batch is committed
  // again (first what is held, while its trades still count as the run's).
  private applyPace(): void {
    if (this.pace !== "max") {
      this.ex.clock.run(this.pace === "realtime" ? 1 : this.pace);
      this.promptly();
    } else {
      this.ex.sequencer.holdCommitsOf(this.accounts);
    }
  }

  private promptly(): void {
    this.sampler.flush();
    this.ex.sequencer.holdCommitsOf(null);
  }

  private async loop(): Promise<void> {
    try {
      while (this.state === "running") {
        const began = performance.now();
        await this.step();
        this.wallMs += performance.now() - began;
        if (this.complete) {
          await this.stop();
          break;
        }
        if (this.pace === "max") await new Promise((resolve) => setImmediate(resolve));
        else {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            this.timer = setTimeout(resolve, this.stepMs / (this.pace === "realtime" ? 1 : (this.pace as number)));
          });
          this.wake = null;
        }
      }
      // (the step in flight when it paused or stopped may have sampled the book after the flush)
      this.sampler.flush();
    } catch (error) {
      log("error", "the simulation or replay stopped on an error", { error: String(error) });
      this.promptly();
      this.state = "stopped";
      this.unlisten?.();
      this.finished();
    }
  }
}
