// The Binance surface's errors: {"code": -N, "msg": "..."} with Binance's codes and exact
// messages (clients such as ccxt match the message first, then the code), and the mapping from
// the core's domain outcomes to them. Only this file knows Binance's codes.
import type { Outcome, OutcomeCode } from "../core/outcomes";
import { Refusal } from "../refusal";

export class BinanceError extends Refusal {
  /** `data`: what a partly failed cancel-replace did (Binance's -2021 and -2022 carry it). */
  constructor(readonly code: number, message: string, readonly status = 400, readonly headers: Record<string, string> = {}, readonly data?: unknown) {
    super(message);
  }

  body(): { code: number; msg: string; data?: unknown } {
    return this.data === undefined ? { code: this.code, msg: this.message } : { code: this.code, msg: this.message, data: this.data };
  }
}

export const MESSAGES = {
  badSymbol: "Invalid symbol.",
  badSignature: "Signature for this request is not valid.",
  badKeyFormat: "API-key format invalid.",
  rejectedKey: "Invalid API-key, IP, or permissions for action.",
  insufficient: "Account has insufficient balance for requested action.",
  wouldTake: "Order would immediately match and take.",
  wouldTrigger: "Order would trigger immediately.",
  unknownOrder: "Unknown order sent.",
  noSuchOrder: "Order does not exist.",
  duplicate: "Duplicate order sent.",
  unsupported: "Unsupported order combination",
  icebergExceeds: "IcebergQty exceeds QTY.",
  amendIncrease: "Order amend (quantity increase) is not supported.",
  noChange: "The requested action would change no state; rejecting",
  cancelRestricted: "Order was not canceled due to cancel restrictions.",
} as const;

export const errors = {
  missing: (name: string) => new BinanceError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  illegal: (name: string, range: string) => new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`),
  invalidValue: (name: string) => new BinanceError(-1130, `Data sent for parameter '${name}' is not valid.`),
  notRequired: (name: string) => new BinanceError(-1106, `Parameter '${name}' sent when not required.`),
  eitherOf: (a: string, b: string) => new BinanceError(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  tooManyParams: (expected: number, received: number) => new BinanceError(-1101, `Too many parameters; expected '${expected}' and received '${received}'.`),
  duplicateParam: () => new BinanceError(-1101, "Duplicate values for a parameter detected."),
  combination: (a: string, b: string) => new BinanceError(-1128, `Combination of optional fields invalid. Recommendation: '${a}' and '${b}' must both be sent.`),
  filter: (name: string) => new BinanceError(-1013, `Filter failure: ${name}`),
  rejected: (message: string) => new BinanceError(-2010, message),
  cancelRejected: (message: string) => new BinanceError(-2011, message),
  amendRejected: (message: string) => new BinanceError(-2038, message),
  badSymbol: () => new BinanceError(-1121, MESSAGES.badSymbol),
  badInterval: () => new BinanceError(-1120, "Invalid interval."),
  badTif: () => new BinanceError(-1115, "Invalid timeInForce."),
  badType: () => new BinanceError(-1116, "Invalid orderType."),
  badSide: () => new BinanceError(-1117, "Invalid side."),
  badCancelRestrictions: () => new BinanceError(-1145, "Invalid cancelRestrictions"),
  tooManyOrders: (limit: number, interval: string, retryAfterSeconds: number) => new BinanceError(-1015,
    `Too many new orders; current limit is ${limit} orders per ${interval}.`, 429, { "Retry-After": String(retryAfterSeconds) }),
  noSuchOrder: () => new BinanceError(-2013, MESSAGES.noSuchOrder),
  tooLong: (hours: number) => new BinanceError(-1127, `More than ${hours} hours between startTime and endTime.`),
  badSignature: () => new BinanceError(-1022, MESSAGES.badSignature),
  badKeyFormat: () => new BinanceError(-2014, MESSAGES.badKeyFormat, 401),
  rejectedKey: () => new BinanceError(-2015, MESSAGES.rejectedKey, 401),
  timestampOutside: () => new BinanceError(-1021, "Timestamp for this request is outside of the recvWindow."),
  timestampAhead: () => new BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  unauthorized: () => new BinanceError(-1002, "You are not authorized to execute this request.", 401),
  badListenKey: () => new BinanceError(-1125, "This listenKey does not exist."),
  subscriptionActive: () => new BinanceError(-2035, "User Data Stream subscription already active."),
  tooManySubscriptions: (max: number) => new BinanceError(-1191, `Too many subscriptions. Connection may create up to '${max}' subscriptions at a time.`),
  subscriptionIdsUsedUp: () => new BinanceError(-2042, "Maximum subscription ID reached for this connection."),
  badJson: (name?: string) => new BinanceError(-1135, name ? `JSON sent for parameter '${name}' is not valid` : "Invalid JSON Request"),
  tooMuchWeight: (limit: number, retryAfterSeconds: number) => new BinanceError(-1003,
    `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
    429, { "Retry-After": String(retryAfterSeconds) }),
  banned: (until: number, retryAfterSeconds: number) => new BinanceError(-1003,
    `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    418, { "Retry-After": String(retryAfterSeconds) }),
  internal: () => new BinanceError(-1000, "An unknown error occurred while processing the request.", 500),
};

/** The field of a VALIDATION outcome that a Binance filter governs. */
const FILTER_OF_FIELD: Record<string, string> = {
  price: "PRICE_FILTER", stopPrice: "PRICE_FILTER",
  quantity: "LOT_SIZE", icebergQuantity: "ICEBERG_PARTS", quoteQuantity: "NOTIONAL",
  trailingDelta: "TRAILING_DELTA",
};

/** Binance's error for each domain outcome (an order not found or not open is -2011, as to a
 *  cancel: queries answer -2013 themselves). */
const BY_CODE: Record<OutcomeCode, (o: Outcome) => BinanceError> = {
  VALIDATION: (o) => {
    if (o.message.includes("icebergQuantity must be less than quantity")) return errors.rejected(MESSAGES.icebergExceeds);
    const filter = FILTER_OF_FIELD[o.details.field ?? ""];
    return filter ? errors.filter(filter) : errors.rejected(MESSAGES.unsupported);
  },
  UNKNOWN_SYMBOL: errors.badSymbol,
  UNKNOWN_ASSET: () => errors.invalidValue("asset"),
  UNKNOWN_ORDER: () => errors.cancelRejected(MESSAGES.unknownOrder),
  ORDER_NOT_OPEN: () => errors.cancelRejected(MESSAGES.unknownOrder),
  CANCEL_RESTRICTED: () => errors.cancelRejected(MESSAGES.cancelRestricted),
  DUPLICATE_CLIENT_ORDER_ID: () => errors.rejected(MESSAGES.duplicate),
  TOO_MANY_OPEN_ORDERS: () => errors.filter("MAX_NUM_ORDERS"),
  POST_ONLY_WOULD_TAKE: () => errors.rejected(MESSAGES.wouldTake),
  WOULD_TRIGGER_IMMEDIATELY: () => errors.rejected(MESSAGES.wouldTrigger),
  ORDER_NOT_AMENDABLE: () => errors.rejected(MESSAGES.unsupported),
  QUANTITY_NOT_LOWER: () => errors.amendRejected(MESSAGES.amendIncrease),
  TOO_MANY_AMENDMENTS: () => errors.amendRejected("Filter failure: MAX_NUM_ORDER_AMENDS"),
  INSUFFICIENT_BALANCE: () => errors.rejected(MESSAGES.insufficient),
  DEPOSITS_DISABLED: errors.unauthorized,
  VENUE_LIMIT: () => errors.rejected(MESSAGES.unsupported),
  OVERLOADED: () => new BinanceError(-1008, "Server is currently overloaded with other requests. Please try again in a few minutes.", 503, { "Retry-After": "1" }),
  SHUTTING_DOWN: () => new BinanceError(-1016, "This service is no longer available.", 503, { "Retry-After": "1" }),
  // (the Binance surface does not control simulations)
  SIMULATION_STATE: () => errors.rejected(MESSAGES.unsupported),
};

/** A domain outcome as Binance says it. */
export function fromOutcome(o: Outcome): BinanceError {
  return BY_CODE[o.code](o);
}

/** A refused amend keep priority: -2038 with the engine's words, for what the engine decides. */
export function amendRefusal(o: Outcome): BinanceError {
  switch (o.code) {
    case "UNKNOWN_ORDER":
    case "ORDER_NOT_OPEN":
      return errors.amendRejected(MESSAGES.noSuchOrder);
    case "DUPLICATE_CLIENT_ORDER_ID":
      return errors.amendRejected(MESSAGES.duplicate);
    case "ORDER_NOT_AMENDABLE":
      return errors.amendRejected(MESSAGES.unsupported);
    default:
      return fromOutcome(o);
  }
}
