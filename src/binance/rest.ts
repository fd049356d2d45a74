// Binance's spot REST API (/api/v3, and the wallet's few at /sapi/v1) over the same core as
// /api/v1: each endpoint of endpoints.ts as a route, with parameters from the query string and the
// form body exactly as Binance takes them, its signatures, weights, errors and answers.
import { Elysia } from "elysia";
import type { KeyedAccount } from "../accounts";
import { Outcome } from "../core/outcomes";
import type { Exchange } from "../exchange";
import { log } from "../log";
import { accountOf, checkTimestamp, signedPayload, verifySignature } from "./auth";
import { weightOf, type Endpoint } from "./endpoints";
import { BinanceError, errors, fromOutcome } from "./errors";
import { Params } from "./params";
import type { UnfilledOrderCounts } from "./order-counts";
import type { RequestWeights } from "./weights";

export const MAX_BODY_BYTES = 64 * 1024;

export interface BinanceRestOptions {
  weights: RequestWeights;
  orderCounts: UnfilledOrderCounts;
  /** The IP a request comes from (the Bun server's own lookup). */
  ipOf: (request: Request) => string | undefined;
}

/** The REST routes of `endpoints`: parameters from the query string and the form body, the signature, weights and answers. */
export function binanceRest(ex: Exchange, endpoints: Endpoint[], { weights, orderCounts, ipOf }: BinanceRestOptions) {
  // One set of headers, filled in for each answer (cheaper than a Headers built from an object each
  // time), and one for order placements, which also carry the unfilled order counts.
  const answerHeaders = new Headers({ "content-type": "application/json" });
  const placementHeaders = new Headers({ "content-type": "application/json" });
  const app = new Elysia({ name: "binance-rest" });

  for (const { method, path, weight, security, newOrders, run } of endpoints) {
    // Only `request` from Elysia's context: a handler that reads `server` makes Elysia define it
    // on every request's context, which costs more than the rest of the route.
    app.route(method, path, async ({ request }) => {
      const ip = weights.keyOf(() => ipOf(request));
      // One reading of the clock for the weights' minute and the signature's timestamp.
      const now = Date.now();
      let used = weights.current(ip, now);
      const answer = (status: number, body: unknown, extra?: Record<string, string>, headers = answerHeaders) => {
        const used1m = String(used);
        headers.set("x-mbx-used-weight-1m", used1m);
        headers.set("x-mbx-used-weight", used1m);
        for (const name in extra) headers.set(name, extra[name]!);
        // Response.json serializes in native code; the Response takes a copy of the headers.
        const response = Response.json(body, { status, headers });
        if (headers === answerHeaders) for (const name in extra) headers.delete(name);
        return response;
      };
      try {
        const url = request.url;
        const q = url.indexOf("?");
        const query = q < 0 ? "" : url.slice(q + 1);
        let body = "";
        if (method !== "GET") {
          if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw errors.invalidValue("body");
          body = await request.text();
          if (body.length > MAX_BODY_BYTES) throw errors.invalidValue("body");
        }
        const p = Params.fromText(query, body);
        used = weights.spend(ip, weightOf(weight, p), now);
        let account = undefined as unknown as KeyedAccount;
        if (security !== "none") {
          account = accountOf(ex.accounts, request.headers.get("x-mbx-apikey"));
          if (security === "signed") {
            checkTimestamp(p.optional("timestamp"), p.optional("recvWindow"), now);
            verifySignature(account, signedPayload(query, body), p.optional("signature"));
          }
          // An account another process (the CLI) created is funded, fee rates too, when first seen:
          // its first request waits for that, so that no read shows it empty.
          const arriving = ex.funding.arrival(account.id);
          if (arriving) await arriving;
        }
        if (newOrders === 0) return answer(200, await run({ p, account }));
        const result = await orderCounts.placing(account.id, newOrders, () => run({ p, account }));
        return answer(200, result, orderCounts.headers(account.id), placementHeaders);
      } catch (error) {
        const e = error instanceof BinanceError ? error : error instanceof Outcome ? fromOutcome(error) : undefined;
        if (e) return answer(e.status, e.body(), e.headers);
        log("error", "binance surface: unhandled error", { path, error: String(error) });
        return answer(500, errors.internal().body());
      }
    // Binance documents this surface: the OpenAPI document is /api/v1's.
    }, { parse: "none", detail: { hide: true } });
  }
  return app;
}
