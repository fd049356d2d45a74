// Order requests: the JSON schemas (the routes validate bodies with them, and they document the
// API), then the market rules (exact ticks and lots, combinations of fields). The batch endpoint
// checks each item against the same compiled schema, so single and batch orders are refused alike,
// with a message that names the field.
import { Type, type TLiteral } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import { t, type Static, type TSchema } from "elysia";
import { Outcome } from "../core/outcomes";
import { MAX_UNITS, SELF_TRADE_MODES, type Market, type Markets, type SelfTradeMode } from "../markets";
import { isConditionalType, isMarketType, ORDER_TYPES, type OrderType, type Side, type TimeInForce } from "./order";

/** The engine's bound on a trailing delta (basis points, below 100%). */
export const MAX_TRAILING_DELTA = 9999;

/** What a client order id may be, on every surface that takes /api/v1's rules. */
export const CLIENT_ORDER_ID = /^[A-Za-z0-9._:-]{1,36}$/;
export const CLIENT_ORDER_ID_RULE = "clientOrderId must be 1 to 36 characters of A-Z a-z 0-9 . _ : -";
/** An order list's own client id follows the same rule. */
export const LIST_CLIENT_ORDER_ID_RULE = CLIENT_ORDER_ID_RULE.replace("clientOrderId", "listClientOrderId");

// One literal schema per value, typed as the tuple a union needs to infer its values (a mapped
// array would infer nothing, and typed clients such as Eden would see `never`).
const literals = <const T extends readonly string[]>(values: T) =>
  values.map((v) => t.Literal(v)) as unknown as { -readonly [K in keyof T]: TLiteral<T[K]> };
const decimal = (field: string) =>
  t.Union([t.String(), t.Number()], { error: `${field} must be a decimal string or a number`, examples: ["101.25"] });
const nullable = <T extends TSchema>(schema: T) => t.Optional(t.Union([schema, t.Null()], { error: schema.error }));

export const OrderRequestBody = t.Object(
  {
    symbol: t.String({ error: "symbol must be a string", examples: ["BTC-USD"] }),
    side: t.Union([t.Literal("buy"), t.Literal("sell")], { error: 'side must be one of "buy", "sell"' }),
    type: t.Union(literals(ORDER_TYPES), { error: `type must be one of ${ORDER_TYPES.map((v) => `"${v}"`).join(", ")}` }),
    quantity: nullable(decimal("quantity")),
    quoteQuantity: nullable(decimal("quoteQuantity")),
    selfTradePrevention: nullable(t.Union(literals(SELF_TRADE_MODES), { error: `selfTradePrevention must be one of ${SELF_TRADE_MODES.map((m) => `"${m}"`).join(", ")}` })),
    price: nullable(decimal("price")),
    timeInForce: nullable(t.Union([t.Literal("GTC"), t.Literal("IOC"), t.Literal("FOK")], { error: 'timeInForce must be one of "GTC", "IOC", "FOK"' })),
    postOnly: nullable(t.Boolean({ error: "postOnly must be true or false" })),
    clientOrderId: nullable(t.String({ pattern: CLIENT_ORDER_ID.source, error: CLIENT_ORDER_ID_RULE })),
    stopPrice: nullable(decimal("stopPrice")),
    // TypeBox's own Integer: Elysia's t.Integer would coerce strings (and loosen the whole body).
    trailingDelta: nullable(Type.Integer({ minimum: 1, maximum: MAX_TRAILING_DELTA, error: `trailingDelta must be an integer number of basis points, 1 to ${MAX_TRAILING_DELTA}` })),
    icebergQuantity: nullable(decimal("icebergQuantity")),
  },
  { additionalProperties: false },
);

/** Orders placed together: OCO (one cancels the other), OTO (one triggers the other) or OTOCO (one
 *  triggers an OCO pair); the number of orders each takes is checked by the core. */
export const OrderListRequestBody = t.Object(
  {
    type: t.Union([t.Literal("oco"), t.Literal("oto"), t.Literal("otoco")], { error: 'type must be one of "oco", "oto", "otoco"' }),
    orders: t.Array(t.Unknown(), { minItems: 2, maxItems: 3, error: "orders must be an array of two order requests (three for otoco)" }),
    listClientOrderId: nullable(t.String({ pattern: CLIENT_ORDER_ID.source, error: LIST_CLIENT_ORDER_ID_RULE })),
  },
  { additionalProperties: false },
);

/** Cancel-replace: the new order, and what a failed cancel does to it. */
export const ReplaceRequestBody = t.Object(
  {
    order: t.Unknown(),
    mode: nullable(t.Union([t.Literal("stopOnFailure"), t.Literal("allowFailure")], { error: 'mode must be one of "stopOnFailure", "allowFailure"' })),
  },
  { additionalProperties: false },
);

export const AmendRequestBody = t.Object(
  { quantity: nullable(decimal("quantity")), price: nullable(decimal("price")) },
  { additionalProperties: false },
);

export const MAX_BATCH_ORDERS = 1000;

export const BatchRequestBody = t.Object(
  {
    orders: t.Array(t.Unknown(), {
      minItems: 1, maxItems: MAX_BATCH_ORDERS,
      error: `orders must be an array of 1 to ${MAX_BATCH_ORDERS} order requests`,
    }),
  },
  { additionalProperties: false },
);

export type OrderRequestJson = Static<typeof OrderRequestBody>;
export type AmendRequestJson = Static<typeof AmendRequestBody>;

/** The message for a schema violation: names the field, in the schema's own words if it has them. */
export function describeSchemaError(e: ValueError | undefined, what = "the body"): string {
  if (!e) return `${what} is not valid`;
  const field = e.path.slice(1).replace(/\//g, ".");
  if (field === "") return `${what} must be a JSON object`;
  if (e.type === ValueErrorType.ObjectRequiredProperty) return `${field} is required`;
  if (e.type === ValueErrorType.ObjectAdditionalProperties) return `unknown field "${field.slice(0, 64)}"`;
  return (e.schema as { error?: string }).error ?? `${field}: ${e.message}`;
}

const orderShape = TypeCompiler.Compile(OrderRequestBody);

export interface OrderRequest {
  market: Market;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  price: number | null; // ticks
  quantity: number; // lots; for a market order by quoteQuantity only a cap (the engine's largest)
  /** Market orders: units of the quote asset to spend (buy) or receive (sell) instead of a quantity. */
  quoteQuantity: bigint | null;
  clientOrderId: string | null;
  selfTradePrevention: SelfTradeMode;
  stopPrice: number | null; // ticks
  trailingDelta: number | null; // bps
  icebergQuantity: number | null; // lots
}

export interface AmendRequest {
  price: number | null; // ticks; null keeps the price
  quantity: number | null; // lots, new total; null keeps the quantity
}

/** Any JSON value to an order request (the batch endpoint's items). */
export function parseOrderRequest(body: unknown, markets: Markets): OrderRequest {
  if (!orderShape.Check(body)) {
    const error = orderShape.Errors(body).First();
    throw Outcome.invalid(error?.path.slice(1) ?? "", describeSchemaError(error, "the order"));
  }
  return toOrderRequest(body, markets);
}

/** A body that matches OrderRequestBody to an order request: its decimals to the market's
 *  ticks, lots and units, then the market's rules. */
export function toOrderRequest(o: OrderRequestJson, markets: Markets): OrderRequest {
  const market = markets.get(o.symbol);
  if (!market) throw new Outcome("UNKNOWN_SYMBOL", `symbol "${o.symbol.slice(0, 64)}" is not a market here`);
  return orderRequestOf(market, {
    type: o.type, side: o.side, timeInForce: o.timeInForce ?? null, postOnly: o.postOnly ?? null,
    quantity: o.quantity == null ? null : market.quantityLots(o.quantity),
    quoteQuantity: o.quoteQuantity == null ? null : market.quote.units(o.quoteQuantity, "quoteQuantity"),
    price: o.price == null ? null : market.priceTicks(o.price),
    stopPrice: o.stopPrice == null ? null : market.priceTicks(o.stopPrice, "stopPrice"),
    trailingDelta: o.trailingDelta ?? null,
    icebergQuantity: o.icebergQuantity == null ? null : market.quantityLots(o.icebergQuantity, "icebergQuantity"),
    clientOrderId: o.clientOrderId ?? null, selfTradePrevention: o.selfTradePrevention ?? null,
  });
}

/** An order's fields in the market's integers (null: not given), as each surface parses them
 *  from its own encoding; each value already checked against the market's tick, step and bounds. */
export interface OrderFields {
  type: OrderType;
  side: Side;
  timeInForce: TimeInForce | null;
  postOnly: boolean | null;
  price: number | null;
  quantity: number | null;
  quoteQuantity: bigint | null;
  stopPrice: number | null;
  trailingDelta: number | null;
  icebergQuantity: number | null;
  clientOrderId: string | null;
  selfTradePrevention: SelfTradeMode | null;
}

/** The market's rules on which fields go together, for every surface. */
export function orderRequestOf(market: Market, o: OrderFields): OrderRequest {
  let quantity: number;
  let quoteQuantity: bigint | null = null;
  const marketType = isMarketType(o.type);
  const conditional = isConditionalType(o.type);
  if (o.quoteQuantity !== null) {
    if (!marketType) throw Outcome.invalid("quoteQuantity", "quoteQuantity is only for market orders (market, stop_loss, take_profit)");
    if (o.quantity !== null) throw Outcome.invalid("quoteQuantity", "give quantity or quoteQuantity, not both");
    if (o.timeInForce === "FOK") throw Outcome.invalid("timeInForce", "a market order by quoteQuantity cannot be FOK");
    quoteQuantity = o.quoteQuantity;
    quantity = Number(MAX_UNITS); // only a cap: the quote amount decides
  } else {
    if (o.quantity === null) throw Outcome.invalid("quantity", marketType ? "quantity (or quoteQuantity) is required" : "quantity is required");
    quantity = o.quantity;
  }

  // A stop-market buy by quantity states the most it pays (price): that is what it holds.
  const bounded = conditional && marketType && o.side === "buy" && quoteQuantity === null;
  let price: number | null = null;
  if (!marketType || bounded) {
    if (o.price === null) {
      throw Outcome.invalid("price", bounded ? "price (the most a stop-market buy pays, and holds) is required" : "price is required for limit orders");
    }
    price = o.price;
  } else if (o.price !== null) {
    throw Outcome.invalid("price", "price must not be given for market orders");
  }

  let stopPrice: number | null = null;
  if (conditional) {
    if (o.stopPrice === null && o.trailingDelta === null) throw Outcome.invalid("stopPrice", `stopPrice (or trailingDelta) is required for ${o.type} orders`);
    stopPrice = o.stopPrice;
  } else if (o.stopPrice !== null || o.trailingDelta !== null) {
    throw Outcome.invalid(o.stopPrice !== null ? "stopPrice" : "trailingDelta", "stopPrice and trailingDelta are only for stop_loss, stop_loss_limit, take_profit and take_profit_limit orders");
  }

  // The contract: "a market order behaves as IOC". It never rests, whatever GTC it was sent with.
  const timeInForce = marketType && o.timeInForce !== "FOK" ? "IOC" : o.timeInForce ?? "GTC";
  const postOnly = o.postOnly ?? false;
  if (postOnly && (o.type !== "limit" || timeInForce !== "GTC")) throw Outcome.invalid("postOnly", "postOnly is only valid for limit GTC orders");
  const icebergQuantity = o.icebergQuantity;
  if (icebergQuantity !== null) {
    if (marketType || timeInForce !== "GTC") throw Outcome.invalid("icebergQuantity", "icebergQuantity is only for GTC limit orders (limit, stop_loss_limit, take_profit_limit)");
    if (icebergQuantity >= quantity) throw Outcome.invalid("icebergQuantity", "icebergQuantity must be less than quantity");
  }

  return {
    market, side: o.side, type: o.type, timeInForce, postOnly, price, quantity, quoteQuantity,
    clientOrderId: o.clientOrderId, selfTradePrevention: o.selfTradePrevention ?? market.selfTradePrevention,
    stopPrice, trailingDelta: o.trailingDelta, icebergQuantity,
  };
}

export function toAmendRequest(o: AmendRequestJson, market: Market): AmendRequest {
  if (o.price == null && o.quantity == null) throw Outcome.invalid("quantity", "give quantity, price or both");
  return {
    price: o.price == null ? null : market.priceTicks(o.price),
    quantity: o.quantity == null ? null : market.quantityLots(o.quantity),
  };
}
