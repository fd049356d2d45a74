// The /api/v1 surface's error shape: an HTTP status plus {"error": {"code", "message"}}, and the
// mapping from the core's domain outcomes to it (another surface maps them to its own codes).
import type { Outcome, OutcomeCode } from "../core/outcomes";
import { Refusal } from "../refusal";

export class ApiError extends Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } & Record<string, string> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

export const invalid = (message: string) => new ApiError(400, "VALIDATION", message);

const RETRY = { "Retry-After": "1" };

/** Status and code on /api/v1 of each domain outcome (the contract's codes, in ../shared/api.md). */
const STATUS: Record<OutcomeCode, [status: number, code: string, headers?: Record<string, string>]> = {
  VALIDATION: [400, "VALIDATION"],
  UNKNOWN_SYMBOL: [400, "UNKNOWN_SYMBOL"],
  UNKNOWN_ASSET: [400, "UNKNOWN_ASSET"],
  UNKNOWN_ORDER: [404, "ORDER_NOT_FOUND"],
  ORDER_NOT_OPEN: [409, "ORDER_NOT_OPEN"],
  CANCEL_RESTRICTED: [409, "CANCEL_RESTRICTED"],
  DUPLICATE_CLIENT_ORDER_ID: [409, "DUPLICATE_CLIENT_ORDER_ID"],
  TOO_MANY_OPEN_ORDERS: [409, "TOO_MANY_OPEN_ORDERS"],
  POST_ONLY_WOULD_TAKE: [409, "POST_ONLY_WOULD_TAKE"],
  WOULD_TRIGGER_IMMEDIATELY: [409, "WOULD_TRIGGER_IMMEDIATELY"],
  ORDER_NOT_AMENDABLE: [409, "ORDER_NOT_AMENDABLE"],
  INSUFFICIENT_BALANCE: [400, "INSUFFICIENT_BALANCE"],
  DEPOSITS_DISABLED: [403, "DEPOSITS_DISABLED"],
  VENUE_LIMIT: [409, "VENUE_LIMIT"],
  OVERLOADED: [503, "OVERLOADED", RETRY],
  SHUTTING_DOWN: [503, "SHUTTING_DOWN", RETRY],
  SIMULATION_STATE: [409, "SIMULATION_STATE"],
  QUANTITY_NOT_LOWER: [409, "QUANTITY_NOT_LOWER"],
  TOO_MANY_AMENDMENTS: [409, "TOO_MANY_AMENDMENTS"],
};

export function fromOutcome(o: Outcome): ApiError {
  const [status, code, headers] = STATUS[o.code];
  // VALIDATION's field is already named in its message.
  const details = o.code === "VALIDATION" ? {} : o.details;
  return new ApiError(status, code, o.message, headers, details);
}
