// A Binance bot's view of a test exchange: accounts created with their keys and deposits, ccxt
// (REST and pro) pointed at the local venue with the URL overrides of the README, and raw
// signed requests for what ccxt checks or rounds before sending.
import { createHmac, generateKeyPairSync, sign } from "node:crypto";
import ccxt from "ccxt";
import type { client } from "./helpers";

export interface Keys { apiKey: string; secret: string }

/** An account with deposits (funded before this returns) and its key: HMAC, or a key pair. */
export async function binanceAccount(call: ReturnType<typeof client>, name: string, deposits: Record<string, string>, keyType: "hmac" | "ed25519" | "rsa" = "hmac"): Promise<Keys> {
  let publicKey: string | undefined, privateKey: string | undefined;
  if (keyType !== "hmac") {
    const pair = keyType === "ed25519"
      ? generateKeyPairSync("ed25519")
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
    publicKey = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
    privateKey = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  }
  const r = await call("POST", "/api/v1/accounts", { json: { name, deposits, ...(publicKey ? { publicKey } : {}) } });
  if (r.status !== 201) throw new Error(`account: ${JSON.stringify(r.body)}`);
  return { apiKey: r.body.apiKey, secret: privateKey ?? r.body.apiSecret };
}

/** ccxt.pro's binance against the exchange at `url`, as the README's "Connect your bot" says.
 *  (Typed any: ccxt's types know neither a balance's assets nor the fields of `info`.) */
export async function ccxtBinance(url: string, keys?: Keys, options: Record<string, unknown> = {}): Promise<any> {
  const ws = url.replace(/^http/, "ws");
  const exchange = new ccxt.pro.binance({
    ...(keys ? { apiKey: keys.apiKey, secret: keys.secret } : {}),
    enableRateLimit: false,
    urls: {
      api: {
        public: `${url}/api/v3`, private: `${url}/api/v3`, v1: `${url}/api/v1`, sapi: `${url}/sapi/v1`,
        ws: { spot: `${ws}/ws`, "ws-api": { spot: `${ws}/ws-api/v3` } },
      },
    },
    options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ["spot"] }, ...options },
  });
  await exchange.loadHttpProxyAgent(); // ccxt's own requirement for ws:// (not wss://) URLs
  await exchange.loadMarkets();
  return exchange;
}

/** A signed request sent as Binance documents it (HMAC keys): parameters in the query or the form body. */
export async function signedRequest(url: string, keys: Keys, method: string, path: string, params: Record<string, string>, where: "query" | "body" = method === "GET" || method === "DELETE" ? "query" : "body") {
  const query = new URLSearchParams({ ...params, timestamp: params.timestamp ?? String(Date.now()) }).toString();
  const signature = createHmac("sha256", keys.secret).update(query).digest("hex");
  const signed = `${query}&signature=${signature}`;
  // A path under /api/v3, or a whole one (/sapi/v1/…).
  const target = path.startsWith("/") ? path : `/api/v3/${path}`;
  const res = await fetch(`${url}${target}${where === "query" ? `?${signed}` : ""}`, {
    method, headers: { "x-mbx-apikey": keys.apiKey, "content-type": "application/x-www-form-urlencoded" },
    body: where === "body" ? signed : undefined,
  });
  return { status: res.status, headers: res.headers, body: await res.json() as any };
}

/** WebSocket API params signed as Binance documents it: sorted, k=v joined by &. */
export function signWsParams(keys: Keys, params: Record<string, string | number>, keyType: "hmac" | "ed25519" = "hmac") {
  const all: Record<string, string | number> = { ...params, apiKey: keys.apiKey, timestamp: Date.now() };
  const payload = Object.keys(all).sort().map((k) => `${k}=${all[k]}`).join("&");
  const signature = keyType === "hmac"
    ? createHmac("sha256", keys.secret).update(payload).digest("hex")
    : sign(null, Buffer.from(payload), keys.secret).toString("base64");
  return { ...all, signature };
}

/** A WebSocket that queues what it receives, for awaiting the next message (or one that matches). */
export async function openSocket(url: string) {
  const ws = new WebSocket(url);
  const queue: any[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (e) => {
    queue.push(JSON.parse(String(e.data)));
    waiters.splice(0).forEach((w) => w());
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
  const next = async (match: (m: any) => boolean = () => true, timeoutMs = 5000): Promise<any> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex(match);
      if (i >= 0) return queue.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; have ${JSON.stringify(queue).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  let nextId = 1;
  const request = async (method: string, params?: unknown) => {
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params }));
    return next((m) => m.id === id);
  };
  return { ws, queue, next, request, close: () => ws.close() };
}
