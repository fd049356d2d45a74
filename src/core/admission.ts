// Admission: the limits a request meets before it may wait for the engine. The sequencer's queue
// is bounded: when it is full, requests are refused at once (OVERLOADED) instead of waiting, and
// once the exchange is stopping nothing new is taken (SHUTTING_DOWN).
import { Outcome } from "./outcomes";

export interface Limits {
  /** Commands waiting for the engine, at most; beyond it requests are refused. */
  maxQueuedCommands: number;
  /** Commands per engine call and transaction, at most (a larger cancel-all still goes whole). */
  maxBatchCommands: number;
  /** Open orders per account, at most. */
  maxOpenOrdersPerAccount: number;
  /** Times one order may be lowered in place, keeping its priority (Binance's MAX_NUM_ORDER_AMENDS). */
  maxAmendmentsPerOrder: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxQueuedCommands: 65_536,
  maxBatchCommands: 8_192,
  maxOpenOrdersPerAccount: 50_000,
  maxAmendmentsPerOrder: 10,
};

export class Admission {
  /** Commands admitted and not yet taken into a batch. */
  queued = 0;
  private stopped = false;

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {}

  stop(): void {
    this.stopped = true;
  }

  /** Throws the outcome a request of `commands` commands would get now. */
  check(commands: number): void {
    if (this.stopped) throw new Outcome("SHUTTING_DOWN", "the exchange is shutting down");
    if (this.queued + commands > this.limits.maxQueuedCommands) {
      throw new Outcome("OVERLOADED", "the order queue is full; retry shortly");
    }
  }

  /** A cancel-all larger than the whole queue goes in alone when nothing waits, or it never could. */
  checkCancelAll(commands: number): void {
    this.check(this.queued === 0 ? Math.min(commands, this.limits.maxQueuedCommands) : commands);
  }
}
