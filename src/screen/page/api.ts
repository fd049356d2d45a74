// The screen's REST client: /api/v1 as any client calls it, with the account's key from session
// storage. A refusal becomes an ApiFailure carrying the API's code and message.

const KEY_STORAGE = "exchange.apiKey";

export function savedApiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function saveApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }

  /** The request field the message is about, when it is one of `fields`: the API's validation
   *  messages open with the field's name ("price must be a multiple of…", "unknown field "x""). */
  fieldIn(fields: readonly string[]): string | undefined {
    const named = /^(?:unknown field ")?([A-Za-z]+)/.exec(this.message)?.[1];
    return named !== undefined && fields.includes(named) ? named : undefined;
  }
}

export async function api<T>(method: string, path: string, body?: unknown, apiKey?: string | null): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (apiKey) headers["x-api-key"] = apiKey;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, "UNREACHABLE", "the exchange does not answer");
  }
  const text = await response.text();
  const json = text === "" ? undefined : safeParse(text);
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiFailure(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (text.slice(0, 200) || response.statusText));
  }
  return json as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---- the API's shapes the screen reads (../../../../shared/api.md and the OpenAPI document) ----

export interface MarketInfo {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  minQuantity: string;
  makerFeeBps: number;
  takerFeeBps: number;
}

export interface Ticker {
  symbol: string;
  bestBid: string | null;
  bestAsk: string | null;
  lastPrice: string | null;
  volume24h: string;
}

export interface Fill {
  tradeId: string;
  price: string;
  quantity: string;
  liquidity: "maker" | "taker";
  time: number;
  fee: string;
  feeAsset: string;
}

export interface Order {
  orderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: "buy" | "sell";
  type: string;
  timeInForce: string;
  postOnly: boolean;
  price: string | null;
  quantity: string | null;
  filledQuantity: string;
  remainingQuantity: string | null;
  averagePrice: string | null;
  status: string;
  rejectReason: string | null;
  expireReason: string | null;
  stopPrice: string | null;
  trailingDelta: number | null;
  icebergQuantity: string | null;
  orderListId: string | null;
  fills: Fill[];
  createdAt: number;
  updatedAt: number;
}

export interface Balance {
  asset: string;
  free: string;
  locked: string;
}

export interface AccountView {
  accountId: string;
  name: string;
  balances: Balance[];
}

export interface SimulationStatus {
  state: string;
  scenario?: string;
  pace?: string;
  venueTime?: number;
  elapsedMs?: number;
  commands?: number;
  trades?: number;
  eventsPerSecond?: number;
  [key: string]: unknown;
}

export const OPEN_STATUSES = new Set(["new", "partially_filled"]);
