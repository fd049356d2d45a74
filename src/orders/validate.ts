// Validation of order requests: structure, types and market rules, with a message that names
// the field. Used by the single and the batch endpoint alike, so both refuse the same things.
import { ApiError, invalid } from "../errors";
import type { Market, Markets } from "../markets";
import type { OrderType, Side, TimeInForce } from "./order";

export interface OrderRequest {
  market: Market;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  price: number | null; // ticks
  quantity: number; // lots
  clientOrderId: string | null;
}

export interface AmendRequest {
  price: number | null; // ticks; null keeps the price
  quantity: number | null; // lots, new total; null keeps the quantity
}

const ORDER_FIELDS = new Set(["symbol", "side", "type", "quantity", "price", "timeInForce", "postOnly", "clientOrderId"]);
const AMEND_FIELDS = new Set(["quantity", "price"]);
const CLIENT_ORDER_ID = /^[A-Za-z0-9._:-]{1,36}$/;

function asObject(body: unknown, what: string, allowed: Set<string>): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid(`${what} must be a JSON object`);
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.has(key)) throw invalid(`unknown field "${key.slice(0, 64)}"`);
  }
  return record;
}

function oneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T {
  if (typeof value !== "string" || !options.includes(value as T)) {
    throw invalid(`${field} must be one of ${options.map((o) => `"${o}"`).join(", ")}`);
  }
  return value as T;
}

const present = (v: unknown) => v !== undefined && v !== null;

export function parseOrderRequest(body: unknown, markets: Markets): OrderRequest {
  const o = asObject(body, "the order", ORDER_FIELDS);
  if (!present(o.symbol)) throw invalid("symbol is required");
  if (typeof o.symbol !== "string") throw invalid("symbol must be a string");
  const market = markets.get(o.symbol);
  if (!market) throw new ApiError(400, "UNKNOWN_SYMBOL", `symbol "${o.symbol.slice(0, 64)}" is not a market here`);
  if (!present(o.side)) throw invalid("side is required");
  const side = oneOf(o.side, "side", ["buy", "sell"] as const);
  if (!present(o.type)) throw invalid("type is required");
  const type = oneOf(o.type, "type", ["limit", "market"] as const);
  if (!present(o.quantity)) throw invalid("quantity is required");
  const quantity = market.quantityLots(o.quantity);

  let price: number | null = null;
  if (type === "limit") {
    if (!present(o.price)) throw invalid("price is required for limit orders");
    price = market.priceTicks(o.price);
  } else if (present(o.price)) {
    throw invalid("price must not be given for market orders");
  }

  let timeInForce: TimeInForce = type === "market" ? "IOC" : "GTC";
  if (present(o.timeInForce)) {
    timeInForce = oneOf(o.timeInForce, "timeInForce", ["GTC", "IOC", "FOK"] as const);
    if (type === "market" && timeInForce === "GTC") throw invalid("timeInForce GTC is not valid for market orders (they never rest)");
  }

  let postOnly = false;
  if (present(o.postOnly)) {
    if (typeof o.postOnly !== "boolean") throw invalid("postOnly must be true or false");
    postOnly = o.postOnly;
    if (postOnly && (type !== "limit" || timeInForce !== "GTC")) throw invalid("postOnly is only valid for limit GTC orders");
  }

  let clientOrderId: string | null = null;
  if (present(o.clientOrderId)) {
    if (typeof o.clientOrderId !== "string" || !CLIENT_ORDER_ID.test(o.clientOrderId)) {
      throw invalid("clientOrderId must be 1 to 36 characters of A-Z a-z 0-9 . _ : -");
    }
    clientOrderId = o.clientOrderId;
  }
  return { market, side, type, timeInForce, postOnly, price, quantity, clientOrderId };
}

export function parseAmendRequest(body: unknown, market: Market): AmendRequest {
  const o = asObject(body, "the amendment", AMEND_FIELDS);
  if (!present(o.price) && !present(o.quantity)) throw invalid("give quantity, price or both");
  return {
    price: present(o.price) ? market.priceTicks(o.price) : null,
    quantity: present(o.quantity) ? market.quantityLots(o.quantity) : null,
  };
}
