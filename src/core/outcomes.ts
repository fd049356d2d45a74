// Domain outcomes: why the core refused something, as a code and words, with details a surface
// may use (the asset, needed and available for INSUFFICIENT_BALANCE; the field for VALIDATION).
// The core knows nothing of HTTP statuses or any surface's codes: each surface maps these.
import { Refusal } from "../refusal";

export const OUTCOME_CODES = [
  "VALIDATION",                // a field is missing, malformed or out of range (details.field)
  "UNKNOWN_SYMBOL",
  "UNKNOWN_ASSET",
  "UNKNOWN_ORDER",             // no such order for this account
  "ORDER_NOT_OPEN",            // it is filled, cancelled, expired or rejected
  "CANCEL_RESTRICTED",         // a cancel restricted to an order's status found the order in another
  "DUPLICATE_CLIENT_ORDER_ID",
  "TOO_MANY_OPEN_ORDERS",
  "POST_ONLY_WOULD_TAKE",
  "WOULD_TRIGGER_IMMEDIATELY", // a conditional order whose stop the last trade price already meets
  "ORDER_NOT_AMENDABLE",       // untriggered, or a member of an order list
  "INSUFFICIENT_BALANCE",      // details: asset, needed, available (decimal strings)
  "DEPOSITS_DISABLED",
  "VENUE_LIMIT",               // a deposit past the venue's bound for the asset
  "OVERLOADED",                // the sequencer's queue is full
  "SHUTTING_DOWN",
  "SIMULATION_STATE",          // a simulation or replay is not in a state that allows it (none running, one already running)
  "QUANTITY_NOT_LOWER",        // an amendment keeping priority asked for a quantity not below the order's
  "TOO_MANY_AMENDMENTS",       // the order was lowered in place as often as the venue allows (Limits)
] as const;
export type OutcomeCode = (typeof OUTCOME_CODES)[number];

export class Outcome extends Refusal {
  constructor(readonly code: OutcomeCode, message: string, readonly details: Record<string, string> = {}) {
    super(message);
  }

  static invalid(field: string, message: string): Outcome {
    return new Outcome("VALIDATION", message, { field });
  }
}

/** What `work` returns, or the Outcome it throws instead (anything else is thrown on): for the
 *  items of a batch, each of which stands on its own. */
export function resultOrOutcome<T>(work: () => T): T | Outcome {
  try {
    return work();
  } catch (error) {
    if (error instanceof Outcome) return error;
    throw error;
  }
}
