// What every "no" the exchange answers with is made from: the core's outcomes, each surface's
// errors, a binary session's close reason.

/** An error that is an answer to a request, not a fault of the code: it captures no stack. Making
 *  the stack was half the cost of making one, and refusals are common under load (a cancel of an
 *  order that has just filled), BENCHMARKS.md. */
export class Refusal extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}
