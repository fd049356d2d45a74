// The API's own documentation: the OpenAPI document generated from the route schemas (at
// /openapi/json) and a browsable page (/openapi) whose viewer, Scalar, is served from the binary
// itself, so it works with no internet access.
import { openapi } from "@elysiajs/openapi";
import scalarBundle from "../../node_modules/@scalar/api-reference/dist/browser/standalone.js" with { type: "file" };
import pkg from "../../package.json";

export const SCALAR_PATH = "/openapi/scalar.js";

const STREAMS = `
## Live streams: \`GET /ws\` (WebSocket)

Send JSON messages; every message gets an answer (\`subscribed\`, \`unsubscribed\`, \`authenticated\`,
\`pong\` or \`error\`, and the socket stays usable after an error).

| message | does |
| --- | --- |
| \`{"op":"subscribe","channel":"trades:BTC-USD"}\` | each batch's trades of the market |
| \`{"op":"subscribe","channel":"book:BTC-USD"}\` | a snapshot (best 1,000 levels a side), then the levels each batch changed |
| \`{"op":"subscribe","channel":"ticker:BTC-USD"}\` | the ticker after each batch that changed the market |
| \`{"op":"auth","apiKey":"ex_…"}\` then \`{"op":"subscribe","channel":"orders"}\` | the account's own orders each batch changed, fills included |
| after auth, \`{"op":"subscribe","channel":"balances"}\` | the account's balances (free, locked) each batch changed |
| \`{"op":"unsubscribe","channel":"…"}\`, \`{"op":"ping"}\` | |

Updates are sent after their batch is committed, at most one message per channel per batch, in
engine order. Book messages carry the book's \`sequence\` (the same as \`GET …/book\`): a snapshot
\`{type:"snapshot", sequence, bids, asks}\`, then updates \`{type:"update", prevSequence, sequence,
bids, asks}\` listing changed levels as \`[price, quantity]\`, quantity \`"0"\` meaning the level is
gone. Apply an update when its \`prevSequence\` equals your sequence; anything else is a gap:
resubscribe (or stitch to a REST snapshot of the same sequence). A client more than 8 MiB behind
is closed with code 4008 and reason "slow consumer".
`;

export function apiDocs() {
  return openapi({
    path: "/openapi",
    documentation: {
      info: {
        title: "exchange",
        version: pkg.version,
        description: `A whole exchange in one executable. Prices and quantities are exact decimal strings; ids are strings.
Private endpoints take the header \`X-API-Key\`. Errors: \`{"error":{"code","message"}}\`.
${STREAMS}
The Binance-compatible surface beside this one (REST \`/api/v3\`, streams \`/ws/<stream>\` and \`/stream\`, the WebSocket API \`/ws-api/v3\`) answers as Binance's own spot API documentation says, and is not described here.`,
      },
      tags: [
        { name: "markets", description: "Public market data" },
        { name: "orders", description: "Order entry and queries (X-API-Key)" },
        { name: "accounts", description: "Accounts of this local venue" },
        { name: "account", description: "The account's balances, ledger, deposits and withdrawals (X-API-Key)" },
        { name: "simulation", description: "The simulated market and replays: start, pause, change, stop" },
        { name: "operations", description: "Health and metrics" },
      ],
      components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" } } },
    },
    // Scalar's config type marks every option required; only the bundle's location is ours to set.
    scalar: { cdn: SCALAR_PATH } as NonNullable<Parameters<typeof openapi>[0]>["scalar"],
    exclude: { paths: [SCALAR_PATH, "/ws"] },
  });
}

/** Scalar's bundle, embedded in the binary. */
export function scalarScript(): Response {
  return new Response(Bun.file(scalarBundle), { headers: { "content-type": "application/javascript; charset=utf-8", "cache-control": "max-age=86400" } });
}

/** An OpenAPI `detail` for a route: summary, description, tag, one example answer. */
export function describe(tag: string, summary: string, description: string, example: unknown, status = 200, secured = false) {
  return {
    detail: {
      tags: [tag], summary, description,
      ...(secured ? { security: [{ apiKey: [] }] } : {}),
      responses: { [status]: { description: summary, content: { "application/json": { example } } } },
    },
  };
}

const T = 1795470000000;
export const EXAMPLES = {
  simulation: {
    state: "running", scenario: "calm", seed: 1, pace: "realtime", stepMs: 100, venueTime: T, elapsedMs: 60000, steps: 600,
    commands: 5210, refused: 12, trades: 840, participants: { "market-maker": 4, noise: 40, value: 10, momentum: 5 },
    markets: [{ symbol: "BTC-USD", fundamental: "60012.41" }],
  },
  order: {
    orderId: "42", clientOrderId: "my-1", symbol: "BTC-USD", side: "buy", type: "limit", timeInForce: "GTC", postOnly: false,
    price: "64000.50", quantity: "0.2500", filledQuantity: "0.1000", remainingQuantity: "0.1500", averagePrice: "64000.50",
    status: "partially_filled", rejectReason: null,
    fills: [{ tradeId: "7", price: "64000.50", quantity: "0.1000", liquidity: "taker", time: T, fee: "0.00020000", feeAsset: "BTC" }], createdAt: T, updatedAt: T,
    selfTradePrevention: "none", quoteQuantity: null, filledQuoteQuantity: "6400.050000", preventedQuantity: "0.0000", preventedMatchId: null, expireReason: null,
    fee: "0.00020000", feeAsset: "BTC", stopPrice: null, trailingDelta: null, icebergQuantity: null, orderListId: null, triggered: null, pending: false,
  },
  stopOrder: {
    orderId: "43", clientOrderId: null, symbol: "BTC-USD", side: "sell", type: "stop_loss_limit", timeInForce: "GTC", postOnly: false,
    price: "59900.00", quantity: "0.2500", filledQuantity: "0.0000", remainingQuantity: "0.2500", averagePrice: null,
    status: "new", rejectReason: null, fills: [], createdAt: T, updatedAt: T,
    selfTradePrevention: "none", quoteQuantity: null, filledQuoteQuantity: "0.000000", preventedQuantity: "0.0000", preventedMatchId: null, expireReason: null,
    fee: "0.000000", feeAsset: "USD", stopPrice: "60000.00", trailingDelta: null, icebergQuantity: null, orderListId: "43", triggered: false, pending: false,
  },
  market: {
    symbol: "BTC-USD", baseAsset: "BTC", quoteAsset: "USD", tickSize: "0.01", stepSize: "0.0001", minQuantity: "0.0001",
    basePrecision: "0.00000001", quotePrecision: "0.000001", makerFeeBps: 10, takerFeeBps: 20, selfTradePrevention: "none", status: "trading",
  },
  book: { symbol: "BTC-USD", sequence: 1234, bids: [["64000.00", "0.5000"]], asks: [["64000.50", "0.2500"], ["64001.00", "1.0000"]] },
  trade: { tradeId: "7", symbol: "BTC-USD", price: "64000.50", quantity: "0.1000", takerSide: "buy", time: T },
  ticker: { symbol: "BTC-USD", bestBid: "64000.00", bestAsk: "64000.50", lastPrice: "64000.50", volume24h: "12.3456", sequence: 1234 },
  candle: { time: 1795469940000, open: "63990.00", high: "64010.00", low: "63980.00", close: "64000.50", volume: "1.2500", trades: 17 },
  account: {
    accountId: "3", name: "my-bot", apiKey: "ex_Zg3204IWlINZLhZYO6Kx0di3n8txaa4H", apiSecret: "5f2b0c3e9a7d41c8b6e0f1a2d3c4b5a69788e7f6d5c4b3a2918f7e6d5c4b3a29",
    balances: [{ asset: "USD", free: "1000000.000000", locked: "0.000000" }], fees: [{ symbol: "BTC-USD", makerFeeBps: 10, takerFeeBps: 20 }],
  },
  accountView: {
    accountId: "3", name: "my-bot",
    balances: [{ asset: "USD", free: "993599.950000", locked: "6400.050000" }, { asset: "BTC", free: "100.00000000", locked: "0.00000000" }],
    fees: [{ symbol: "BTC-USD", makerFeeBps: 10, takerFeeBps: 20 }],
  },
  preventedMatch: {
    preventedMatchId: "3", symbol: "BTC-USD", takerOrderId: "45", makerOrderId: "44", selfTradePrevention: "expireMaker", price: "64000.50",
    quantity: "0.1000", takerQuantity: "0.0000", makerQuantity: "0.2500", time: T,
  },
  ledger: { kind: "trade", asset: "BTC", amount: "0.09980000", fee: "0.00020000", tradeId: "7", time: T },
  error: { error: { code: "VALIDATION", message: "price must be a multiple of tickSize 0.01 for BTC-USD" } },
};
