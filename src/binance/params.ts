// Request parameters as Binance takes them (query string and form body, or a WebSocket API
// request's params), checked one by one with Binance's errors, and an order's parameters turned
// into the core's order request.
import { MAX_UNITS, type Market, type Markets } from "../markets";
import { MAX_TRAILING_DELTA, toOrderRequest, type OrderRequest, type OrderRequestJson } from "../orders/validate";
import { BinanceError, errors, MESSAGES } from "./errors";
import { ORDER_TYPES, STP_MODES, type BinanceOrderType, type ResponseType } from "./render";

const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const DECIMAL_RANGE = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const MAX_PARAMS = 64;

export class Params {
  // Names and values side by side, looked up by a scan: a request has a dozen parameters at most
  // (64 allowed), and building a Map of them cost more than all the scans (measured).
  private constructor(private readonly names: string[], private readonly texts: string[]) {}

  /** Parameters from a query string and a form body; a name given twice is -1101. */
  static fromText(query: string, body: string): Params {
    const p = new Params([], []);
    if (query !== "") readForm(query, p.names, p.texts);
    if (body !== "") readForm(body, p.names, p.texts);
    return p;
  }

  /** Parameters given as (name, value) pairs; a later pair of a name replaces an earlier one. */
  static fromEntries(entries: Iterable<readonly [string, string]>): Params {
    const p = new Params([], []);
    for (const [name, value] of entries) p.set(name, value);
    return p;
  }

  /** A WebSocket API request's params object: scalars only. */
  static fromObject(object: unknown): Params {
    if (object === undefined || object === null) return new Params([], []);
    if (typeof object !== "object" || Array.isArray(object)) throw errors.badJson("params");
    const entries = Object.entries(object);
    if (entries.length > MAX_PARAMS) throw errors.tooManyParams(MAX_PARAMS, entries.length);
    const p = new Params([], []);
    for (const [k, v] of entries) {
      if (typeof v === "string") p.set(k, v);
      else if (typeof v === "number" && Number.isFinite(v)) p.set(k, String(v));
      else if (typeof v === "boolean") p.set(k, String(v));
      else if (Array.isArray(v) && v.every((x) => typeof x === "string")) p.set(k, JSON.stringify(v));
      else throw errors.invalidValue(k);
    }
    return p;
  }

  /** Every (name, value), in the order given. */
  entries(): [string, string][] {
    return this.names.map((name, i) => [name, this.texts[i]!]);
  }

  set(name: string, value: string): void {
    const i = this.names.indexOf(name);
    if (i >= 0) this.texts[i] = value;
    else {
      this.names.push(name);
      this.texts.push(value);
    }
  }

  private get(name: string): string | undefined {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.texts[i];
    return undefined;
  }

  has(name: string): boolean {
    const v = this.get(name);
    return v !== undefined && v !== "";
  }

  optional(name: string): string | undefined {
    const v = this.get(name);
    return v === undefined || v === "" ? undefined : v;
  }

  required(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw errors.missing(name);
    return v;
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!/^-?\d{1,16}$/.test(v)) throw errors.illegal(name, "^[0-9]{1,20}$");
    const n = Number(v);
    if (n < min || n > max) throw errors.invalidValue(name);
    return n;
  }

  decimal(name: string): string | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!DECIMAL.test(v)) throw errors.illegal(name, DECIMAL_RANGE);
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[], error: () => Error): T | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) throw error();
    return v as T;
  }

  market(markets: Markets, name = "symbol"): Market {
    const m = markets.byBinance(this.required(name));
    if (!m) throw errors.badSymbol();
    return m;
  }

  /** `symbol` if given, else undefined. */
  optionalMarket(markets: Markets): Market | undefined {
    return this.has("symbol") ? this.market(markets) : undefined;
  }

  /** `symbols=["BTCUSD","ETHUSD"]`, or `symbol`, or undefined. */
  markets(markets: Markets): Market[] | undefined {
    const list = this.optional("symbols");
    if (list === undefined) return this.has("symbol") ? [this.market(markets)] : undefined;
    let names: unknown;
    try { names = JSON.parse(list); } catch { throw errors.badJson("symbols"); }
    if (!Array.isArray(names) || names.length === 0 || names.length > 100 || !names.every((n) => typeof n === "string")) throw errors.badJson("symbols");
    return (names as string[]).map((n) => {
      const m = markets.byBinance(n);
      if (!m) throw errors.badSymbol();
      return m;
    });
  }

  /** startTime and endTime (ms), at most `hours` apart when both are given. */
  window(hours?: number): { startTime?: number; endTime?: number } {
    const startTime = this.int("startTime", 0, 8.64e15);
    const endTime = this.int("endTime", 0, 8.64e15);
    if (startTime !== undefined && endTime !== undefined) {
      if (endTime < startTime) throw errors.invalidValue("endTime");
      if (hours !== undefined && endTime - startTime > hours * 3_600_000) throw errors.tooLong(hours);
    }
    return { startTime, endTime };
  }

  limit(fallback: number, max: number): number {
    return this.int("limit", 1, max) ?? fallback;
  }

  clientOrderId(name: string): string | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!CLIENT_ORDER_ID.test(v)) throw errors.illegal(name, "^[\\.A-Z\\:/a-z0-9_-]{1,36}$");
    return v;
  }
}

/** Adds a query string's or form body's parameters to `names` and `texts`. By hand, in one pass,
 *  rather than with URLSearchParams (four times the cost): most forms need no decoding at all. */
function readForm(text: string, names: string[], texts: string[]): void {
  const plain = !text.includes("%") && !text.includes("+");
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("&", start);
    if (end < 0) end = text.length;
    if (end > start) {
      const eq = text.indexOf("=", start);
      const split = eq >= 0 && eq < end;
      const raw = text.slice(start, split ? eq : end);
      const name = plain ? raw : decodeFormComponent(raw);
      if (names.includes(name)) throw errors.duplicateParam();
      if (names.length === MAX_PARAMS) throw errors.tooManyParams(MAX_PARAMS, names.length + 1);
      names.push(name);
      const value = split ? text.slice(eq + 1, end) : "";
      texts.push(plain ? value : decodeFormComponent(value));
    }
    start = end + 1;
  }
}

/** A form or query component: '+' is a space, %XX a byte of UTF-8; malformed escapes are -1100. */
function decodeFormComponent(text: string): string {
  if (!text.includes("%") && !text.includes("+")) return text;
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    throw new BinanceError(-1100, "Illegal characters found in a parameter.");
  }
}

/** A stop-market buy by quantity holds what it may pay: its trigger price plus this much (bps). */
export const STOP_MARKET_BUY_BOUND_BPS = 1000;

export interface NewOrder {
  request: OrderRequest;
  responseType: ResponseType;
}

const SIDES = ["BUY", "SELL"] as const;
const TIFS = ["GTC", "IOC", "FOK"] as const;
const RESPONSE_TYPES = ["ACK", "RESULT", "FULL"] as const;

const TYPE_OF: Record<BinanceOrderType, OrderRequestJson["type"]> = {
  LIMIT: "limit", LIMIT_MAKER: "limit", MARKET: "market", STOP_LOSS: "stop_loss", STOP_LOSS_LIMIT: "stop_loss_limit",
  TAKE_PROFIT: "take_profit", TAKE_PROFIT_LIMIT: "take_profit_limit",
};

const STP_NAMES = Object.keys(STP_MODES);

/**
 * POST /api/v3/order's parameters (and order.place's) to the core's order request.
 * `lastPrice`: the market's last trade price (ticks), the reference of a trailing stop-market
 * buy's bound.
 */
export function parseNewOrder(p: Params, markets: Markets, lastPrice: (m: Market) => number | null): NewOrder {
  const m = p.market(markets);
  const side = p.oneOf("side", SIDES, errors.badSide);
  if (side === undefined) throw errors.missing("side");
  const type = p.oneOf("type", ORDER_TYPES, errors.badType);
  if (type === undefined) throw errors.missing("type");
  const tif = p.oneOf("timeInForce", TIFS, errors.badTif);
  const quantity = p.decimal("quantity");
  const quoteOrderQty = p.decimal("quoteOrderQty");
  const price = p.decimal("price");
  const stopPrice = p.decimal("stopPrice");
  const icebergQty = p.decimal("icebergQty");
  const trailingDelta = p.int("trailingDelta", 1, MAX_TRAILING_DELTA);
  const clientOrderId = p.clientOrderId("newClientOrderId");
  const stpName = p.oneOf("selfTradePreventionMode", STP_NAMES, () => errors.invalidValue("selfTradePreventionMode"));
  const responseType = p.oneOf("newOrderRespType", RESPONSE_TYPES, () => errors.invalidValue("newOrderRespType"))
    ?? (type === "MARKET" || type === "LIMIT" ? "FULL" : "ACK");

  const isLimit = type === "LIMIT" || type === "STOP_LOSS_LIMIT" || type === "TAKE_PROFIT_LIMIT";
  const isStop = type !== "LIMIT" && type !== "MARKET" && type !== "LIMIT_MAKER";
  if (isLimit && tif === undefined) throw errors.missing("timeInForce");
  if (!isLimit && tif !== undefined && type !== "MARKET") throw errors.notRequired("timeInForce");
  if (type !== "MARKET" && type !== "LIMIT_MAKER" && !isLimit && price !== undefined) throw errors.notRequired("price");
  if ((isLimit || type === "LIMIT_MAKER") && price === undefined) throw errors.missing("price");
  if (type === "MARKET") {
    if (price !== undefined) throw errors.notRequired("price");
    if (quantity === undefined && quoteOrderQty === undefined) throw errors.eitherOf("quantity", "quoteOrderQty");
    if (quantity !== undefined && quoteOrderQty !== undefined) throw errors.combination("quantity", "quoteOrderQty");
  } else if (quantity === undefined) throw errors.missing("quantity");
  if (quoteOrderQty !== undefined && type !== "MARKET") throw errors.notRequired("quoteOrderQty");
  if (isStop && stopPrice === undefined && trailingDelta === undefined) throw errors.missing("stopPrice");
  if (!isStop && (stopPrice !== undefined || trailingDelta !== undefined)) throw errors.notRequired(stopPrice !== undefined ? "stopPrice" : "trailingDelta");
  if (icebergQty !== undefined && !isLimit && type !== "LIMIT_MAKER") throw errors.rejected(MESSAGES.unsupported);

  // A stop-market buy by quantity holds what it may pay (the core asks for that bound as price).
  let bound: string | undefined;
  if ((type === "STOP_LOSS" || type === "TAKE_PROFIT") && side === "BUY") {
    const reference = stopPrice !== undefined ? m.priceTicks(stopPrice, "stopPrice") : lastPrice(m);
    if (reference === null) throw errors.rejected("Order book liquidity is less than symbol minimum quantity.");
    const bps = BigInt(10_000 + STOP_MARKET_BUY_BOUND_BPS + (trailingDelta ?? 0));
    const ticks = (BigInt(reference) * bps + 9_999n) / 10_000n; // rounded up, exactly
    bound = m.formatPrice(ticks < MAX_UNITS ? ticks : MAX_UNITS);
  }
  const json: OrderRequestJson = {
    symbol: m.symbol, side: side === "BUY" ? "buy" : "sell", type: TYPE_OF[type],
    quantity: quantity ?? null, quoteQuantity: quoteOrderQty ?? null, price: bound ?? price ?? null,
    timeInForce: type === "LIMIT_MAKER" ? "GTC" : isLimit ? tif : null, postOnly: type === "LIMIT_MAKER",
    clientOrderId: clientOrderId ?? null, stopPrice: stopPrice ?? null, trailingDelta: trailingDelta ?? null,
    icebergQuantity: icebergQty ?? null, selfTradePrevention: stpName === undefined ? null : STP_MODES[stpName]!,
  };
  // (The core's refusals are outcomes; the surface's routes give them Binance's codes.)
  return { request: toOrderRequest(json, markets), responseType };
}
