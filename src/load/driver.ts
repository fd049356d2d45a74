// Load scenarios against a running exchange (or a bare echo server, for the baseline): a
// realistic order flow around the mid price, closed-loop (N connections, each waits for its answer)
// and open-loop (a fixed offered rate; latency counts from when each request was due, so a slow
// server cannot hide its queueing: no coordinated omission).
import { Market, type MarketSpec } from "../markets";
import { random } from "../random";
import { preciseTimers, yieldCore } from "../scheduling";
import { HttpPool } from "./http-client";
import { LatencyRecorder } from "./report";

/** How requests are sent: the lean client (./http-client.ts), or fetch() as most bots would. */
export type Client = "raw" | "fetch";
/** Which surface orders go to: /api/v1 with an API key, or Binance's signed /api/v3. */
export type Api = "native" | "binance";

export interface Target {
  url: string;
  client: Client;
  /** A bare echo server: no accounts, no cancels, every 2xx counts. */
  echo: boolean;
  api: Api;
  keys: string[];
  /** The keys' HMAC secrets (the Binance surface signs with them). */
  secrets: string[];
  market: Market;
  /** The market's name on the Binance surface. */
  binanceSymbol: string;
  midTicks: number;
}

interface Reply { status: number; body: any }
/** `form`: a Binance request's parameters as form text, without its timestamp and signature. */
interface Request { method: string; path: string; body?: unknown; form?: string }

const pools = new Map<string, HttpPool>();

/** A request's headers and body: JSON with the API key, or a form signed as a Binance client
 *  signs it (HMAC-SHA256 of the form body with its timestamp, appended to it). */
function requestParts(key: string | undefined, body?: unknown, signed?: { secret: string; form: string }): { headers: Record<string, string>; text: string | undefined } {
  const headers: Record<string, string> = {};
  if (!signed) {
    if (key) headers["x-api-key"] = key;
    if (body !== undefined) headers["content-type"] = "application/json";
    return { headers, text: body === undefined ? undefined : JSON.stringify(body) };
  }
  const form = `${signed.form}&timestamp=${Date.now()}`;
  headers["x-mbx-apikey"] = key!;
  headers["content-type"] = "application/x-www-form-urlencoded";
  return { headers, text: `${form}&signature=${keyedHasher(signed.secret).copy().update(form).digest("hex")}` };
}

// A tuned bot signs as cheaply as it can, and this client shares the cores with the server it
// measures: its forms are written as text from values that need no escaping (prices, quantities,
// names; BENCHMARKS.md), and each secret's HMAC is keyed once and copied per request (half the
// cost of keying it anew).
const hashers = new Map<string, Bun.CryptoHasher>();
function keyedHasher(secret: string): Bun.CryptoHasher {
  let hasher = hashers.get(secret);
  if (!hasher) hashers.set(secret, (hasher = new Bun.CryptoHasher("sha256", secret)));
  return hasher;
}

/** A request to `base` + `path`; status 0 if the connection failed. */
async function send(base: string, path: string, method: string, key: string | undefined, body?: unknown, client: Client = "raw", signed?: { secret: string; form: string }): Promise<Reply> {
  const reply = await sendText(base, path, method, key, body, client, signed);
  let parsed = null;
  try {
    parsed = reply.body ? JSON.parse(reply.body) : null;
  } catch {
    // not JSON: the status alone counts
  }
  return { status: reply.status, body: parsed };
}

/** The same, with the answer's text unparsed. */
async function sendText(base: string, path: string, method: string, key: string | undefined, body?: unknown, client: Client = "raw", signed?: { secret: string; form: string }): Promise<{ status: number; body: string }> {
  const { headers, text } = requestParts(key, body, signed);
  let reply: { status: number; body: string };
  if (client === "fetch") {
    try {
      const res = await fetch(base + path, { method, headers, body: text });
      reply = { status: res.status, body: await res.text() };
    } catch {
      reply = { status: 0, body: "" };
    }
  } else {
    let pool = pools.get(base);
    if (!pool) pools.set(base, (pool = new HttpPool(base)));
    reply = await pool.request(method, path, headers, text);
  }
  return reply;
}

/** The value of the first `"key":` in a JSON text, a string's or a number's, as text; null if none. */
export function field(text: string, key: string): string | null {
  const at = text.indexOf(`"${key}":`);
  if (at < 0) return null;
  let from = at + key.length + 3;
  if (text.charCodeAt(from) === 34 /* " */) return text.slice(from + 1, text.indexOf('"', from + 1));
  let to = from;
  while (to < text.length && /[-0-9.]/.test(text[to]!)) to++;
  return to > from ? text.slice(from, to) : null;
}

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** Closes the connections the load runs kept open. */
export function closeConnections(): void {
  for (const pool of pools.values()) pool.close();
  pools.clear();
}

/** One client's flow: limit orders near the mid, a third of them crossing; it cancels its oldest
 * open orders so that the book stays bounded however long the run. */
export class OrderFlow {
  private readonly open: string[] = [];
  private readonly r: () => number;
  readonly key: string | undefined;
  private readonly secret: string;
  private readonly formSymbol: string;

  constructor(private readonly target: Target, index: number, private readonly maxOpen = 20) {
    this.r = random(0x9e3779b9 * (index + 1));
    this.key = target.keys.length ? target.keys[index % target.keys.length] : undefined;
    this.secret = target.secrets.length ? target.secrets[index % target.secrets.length]! : "";
    this.formSymbol = encodeURIComponent(target.binanceSymbol);
  }

  order(taker = this.r() < 0.33, timeInForce?: "IOC"): Record<string, unknown> {
    const { market, midTicks } = this.target;
    const buy = this.r() < 0.5;
    // Makers rest within 10 ticks of the mid; takers reach across that whole band, so that no
    // part of it is left to pile up.
    const offset = 1 + Math.floor(this.r() * 10);
    const ticks = taker ? (buy ? midTicks + 11 : midTicks - 11) : buy ? midTicks - offset : midTicks + offset;
    // IOC takers carry more than makers on average, so that batch runs drain what they rest.
    const lots = market.minQuantityLots * (1 + Math.floor(this.r() * (timeInForce === "IOC" ? 8 : 5)));
    return {
      symbol: market.symbol, side: buy ? "buy" : "sell", type: "limit",
      price: market.formatPrice(ticks), quantity: market.formatQuantity(lots),
      ...(timeInForce ? { timeInForce } : {}),
    };
  }

  /** The next request: a new order, or a cancel when this client has too many open. */
  next(): Request {
    const cancel = !this.target.echo && this.open.length > this.maxOpen ? this.open.shift()! : undefined;
    if (this.target.api === "binance") {
      const symbol = this.formSymbol;
      if (cancel) return { method: "DELETE", path: "/api/v3/order", form: `symbol=${symbol}&orderId=${cancel}` };
      const o = this.order();
      // FULL, the answer ccxt asks for: the order with its fills, as /api/v1 gives. (Formatted
      // prices and quantities, and order ids, need no escaping.)
      return {
        method: "POST", path: "/api/v3/order",
        form: `symbol=${symbol}&side=${o.side === "buy" ? "BUY" : "SELL"}&type=LIMIT&timeInForce=GTC&quantity=${o.quantity}&price=${o.price}&newOrderRespType=FULL`,
      };
    }
    if (cancel) return { method: "DELETE", path: `/api/v1/orders/${cancel}` };
    return { method: "POST", path: "/api/v1/orders", body: this.order() };
  }

  /** Notes the order an answer placed if it rests (to cancel it later). Only its status and id are
   *  read, off the text: parsing each whole answer took this client's CPU from a server on the same
   *  cores, and more for larger answers (BENCHMARKS.md). The first of each key is the order's own
   *  (fills have neither). */
  observe(status: number, text: string): void {
    if (status !== 201 && status !== 200) return;
    const state = field(text, "status");
    if (status === 201 ? state === "new" || state === "partially_filled" : state === "NEW" || state === "PARTIALLY_FILLED") {
      const id = field(text, "orderId");
      if (id) this.open.push(id);
    }
  }

  /** What a request is sent as: its headers and body, signed with this client's secret if a form. */
  parts(req: Request): { headers: Record<string, string>; text: string | undefined } {
    return requestParts(this.key, req.body, this.signed(req));
  }

  /** Sends the request; resolves with the answer's status. */
  async call(req: Request): Promise<number> {
    const reply = await sendText(this.target.url, req.path, req.method, this.key, req.body, this.target.client, this.signed(req));
    this.observe(reply.status, reply.body);
    return reply.status;
  }

  private signed(req: Request) {
    return req.form ? { secret: this.secret, form: req.form } : undefined;
  }
}

// A cancel of an order that filled meanwhile is a fair refusal, not a failure of the exchange
// (409 on /api/v1; 400 with -2011 on the Binance surface).
const succeeded = (req: { method: string }, status: number) => (status >= 200 && status < 300) || (req.method === "DELETE" && (status === 409 || status === 400));

export interface Progress {
  tick(done: number, rec: LatencyRecorder): void;
}

/** `workers` clients in closed loop until `total` requests are done or `seconds` have passed. */
export async function closedLoop(target: Target, workers: number, limit: { total?: number; seconds?: number }, progress?: Progress) {
  const rec = new LatencyRecorder();
  const end = limit.seconds ? performance.now() + limit.seconds * 1000 : Infinity;
  let issued = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const flow = new OrderFlow(target, w);
    while (performance.now() < end && (limit.total === undefined || issued < limit.total)) {
      issued++;
      const req = flow.next();
      const t0 = Bun.nanoseconds();
      const status = await flow.call(req);
      rec.record(Bun.nanoseconds() - t0, status, succeeded(req, status));
      progress?.tick(rec.count, rec);
    }
  }));
  return { rec, seconds: (performance.now() - started) / 1000 };
}

/** A fixed offered rate for `seconds`; at most `maxInFlight` outstanding (beyond: counted as errors). */
export async function openLoop(target: Target, rate: number, seconds: number, progress?: Progress, maxInFlight = 10_000) {
  const rec = new LatencyRecorder();
  const flows = Array.from({ length: 64 }, (_, i) => new OrderFlow(target, i));
  let inFlight = 0;
  let drained: (() => void) | null = null;
  await paced(rate, seconds, (due, n) => {
    const flow = flows[n % flows.length]!;
    if (inFlight >= maxInFlight) return rec.record(Bun.nanoseconds() - due, 0, false);
    inFlight++;
    const req = flow.next();
    flow.call(req).then((status) => {
      rec.record(Bun.nanoseconds() - due, status, succeeded(req, status));
      progress?.tick(rec.count, rec);
      if (--inFlight === 0 && drained) drained();
    });
  });
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  return { rec, seconds: seconds, offered: rate };
}

/**
 * Calls `fire(due, n)` for the n-th request (0, 1, 2, …) of a fixed offered `rate` for `seconds`,
 * as soon as it is due (`due`: when, in Bun.nanoseconds()), letting the event loop run between.
 */
export async function paced(rate: number, seconds: number, fire: (due: number, n: number) => void): Promise<void> {
  const interval = 1e9 / rate;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  preciseTimers();
  const start = Bun.nanoseconds();
  const stop = start + seconds * 1e9;
  let sent = 0;
  for (;;) {
    const now = Bun.nanoseconds();
    // Every request due before the end is sent, also when the loop wakes past it.
    for (let due = start + sent * interval; due <= now && due < stop; due = start + sent * interval) fire(due, sent++);
    if (now >= stop) return;
    const wait = start + sent * interval - Bun.nanoseconds();
    // Far off: sleep (JS timers cannot wait less than ~1 ms). Nearer: let the event loop take
    // answers, then nap 20 µs (which takes ~45 on this VM: waking a thread costs ~25). An answer
    // that lands during a nap is recorded late: against the exchange, never in its favour. Within
    // 0.15 ms of the next request (at 10,000 requests/s and more, always): turn the event loop
    // and give the core to any thread that wants it, the server's above all. Spinning without
    // yielding made the exchange's median at 100,000/s 0.31-0.49 ms instead of 0.21-0.22 on two
    // cores, and naps of up to 50 µs under Linux's default timer slack 0.22 ms instead of 0.06 at
    // 10,000/s (BENCHMARKS.md).
    if (wait > 2e6) await Bun.sleep(1);
    else {
      await new Promise((resolve) => setImmediate(resolve));
      if (wait > 150_000) Atomics.wait(nap, 0, 0, 0.02);
      else yieldCore();
    }
  }
}

/** `workers` clients posting batches of `size` orders (half resting makers, half IOC takers). */
export async function batchLoop(target: Target, workers: number, size: number, seconds: number, progress?: Progress) {
  const rec = new LatencyRecorder();
  const end = performance.now() + seconds * 1000;
  let ordersOk = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const flow = new OrderFlow(target, w);
    while (performance.now() < end) {
      const t0 = Bun.nanoseconds();
      const { status, ok, placed } = await postBatch(target, flow, size);
      ordersOk += placed;
      rec.record(Bun.nanoseconds() - t0, status, ok);
      progress?.tick(rec.count, rec);
    }
  }));
  return { rec, seconds: (performance.now() - started) / 1000, ordersOk };
}

/** Batches of `size` orders at a fixed offered `rate` of orders per second (rate / size batches a
 *  second) for `seconds`; each batch's latency counts from when it was due. Unlike the closed
 *  loop, two servers compared take the same load, whatever their capacity. */
export async function batchOpenLoop(target: Target, size: number, rate: number, seconds: number, progress?: Progress) {
  const rec = new LatencyRecorder();
  const flows = Array.from({ length: 4 }, (_, i) => new OrderFlow(target, i));
  let ordersOk = 0, inFlight = 0;
  let drained: (() => void) | null = null;
  await paced(rate / size, seconds, (due, n) => {
    inFlight++;
    postBatch(target, flows[n % flows.length]!, size).then(({ status, ok, placed }) => {
      ordersOk += placed;
      rec.record(Bun.nanoseconds() - due, status, ok);
      progress?.tick(rec.count, rec);
      if (--inFlight === 0 && drained) drained();
    });
  });
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  return { rec, seconds, ordersOk };
}

/** One POST /api/v1/orders/batch of `size` orders (half resting makers, half IOC takers). */
async function postBatch(target: Target, flow: OrderFlow, size: number) {
  const orders = Array.from({ length: size }, (_, i) => (i % 2 ? flow.order(true, "IOC") : flow.order(false)));
  const reply = await sendText(target.url, "/api/v1/orders/batch", "POST", flow.key, { orders }, target.client);
  const ok = reply.status === 200 && reply.body.startsWith('{"results":[');
  // The orders placed are the results with an order id: counted in the text, not parsed (an
  // answer of 1,000 orders is ~600 KB, and this client shares the server's cores).
  return { status: reply.status, ok, placed: ok ? occurrences(reply.body, '"orderId":"') : 0 };
}

/** Looks up the market and a mid price (last trade, else the best bid or ask, else 100). */
export async function connect(url: string, symbol: string, echo: boolean, keys: string[], client: Client = "raw", api: Api = "native", secrets: string[] = []): Promise<Target> {
  let spec: MarketSpec = { symbol, baseAsset: "X", quoteAsset: "Y", tickSize: "0.01", stepSize: "0.0001", minQuantity: "0.0001" };
  let reference: string | null | undefined;
  if (!echo) {
    const markets = await send(url, "/api/v1/markets", "GET", undefined);
    if (markets.status !== 200) throw new Error(`${url} does not answer GET /api/v1/markets (status ${markets.status})`);
    const found = (markets.body as MarketSpec[]).find((m) => m.symbol === symbol);
    if (!found) throw new Error(`${url} has no market ${symbol}`);
    spec = found;
    const ticker = (await send(url, `/api/v1/markets/${symbol}/ticker`, "GET", undefined)).body;
    reference = ticker?.lastPrice ?? ticker?.bestBid ?? ticker?.bestAsk;
  }
  const market = new Market(0, spec);
  const binanceSymbol = (spec as MarketSpec & { binanceSymbol?: string }).binanceSymbol ?? `${spec.baseAsset}${spec.quoteAsset}`;
  return { url, client, echo, api, keys, secrets, market, binanceSymbol, midTicks: market.priceTicks(reference ?? "100") };
}

/** Creates `count` accounts through the API: their keys and HMAC secrets. */
async function createAccounts(url: string, count: number): Promise<{ keys: string[]; secrets: string[] }> {
  const keys: string[] = [], secrets: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await send(url, "/api/v1/accounts", "POST", undefined, { name: `load-${Date.now()}-${i}` });
    if (r.status !== 201) throw new Error(`could not create an account (status ${r.status}); pass --keys instead`);
    keys.push(r.body.apiKey);
    secrets.push(r.body.apiSecret);
  }
  return { keys, secrets };
}

/**
 * A running exchange made ready for load: its market looked up, trading as `keys` (or as
 * `accounts` new accounts), with a book of 20 levels a side rested so that takers find one.
 */
export async function prepareExchange(url: string, o: { symbol?: string; keys?: string[]; secrets?: string[]; accounts?: number; client?: Client; api?: Api } = {}): Promise<Target> {
  const { keys, secrets } = o.keys ? { keys: o.keys, secrets: o.secrets ?? [] } : await createAccounts(url, o.accounts ?? 4);
  if (o.api === "binance" && secrets.length !== keys.length) throw new Error("--api binance signs its orders: give each key its secret (--keys KEY:SECRET,...)");
  const target = await connect(url, o.symbol ?? "BTC-USD", false, keys, o.client, o.api, secrets);
  await seedBook(target, 20);
  return target;
}

/** Rests `levels` orders on each side, away from the mid, so that takers find a book. */
async function seedBook(target: Target, levels: number): Promise<void> {
  const { market, midTicks } = target;
  const orders = [];
  for (let i = 0; i < levels; i++) {
    for (const side of ["buy", "sell"] as const) {
      const ticks = side === "buy" ? midTicks - 11 - i : midTicks + 11 + i;
      orders.push({ symbol: market.symbol, side, type: "limit", price: market.formatPrice(ticks), quantity: market.formatQuantity(market.minQuantityLots * 10) });
    }
  }
  const r = await send(target.url, "/api/v1/orders/batch", "POST", target.keys[0], { orders });
  if (r.status !== 200) throw new Error(`seeding the book failed (status ${r.status})`);
}
