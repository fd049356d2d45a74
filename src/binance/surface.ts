// The Binance-compatible surface as one Elysia plugin, beside /api/v1 on the same port and over
// the same core: REST at /api/v3, market streams at /ws/<stream> and /stream, the WebSocket API
// at /ws-api/v3, and the listenKey shim's /ws/<listenKey>. The native /ws keeps its protocol.
import type { Server, ServerWebSocket } from "bun";
import { Elysia } from "elysia";
import type { BatchReport } from "../core/sequencer";
import type { Exchange } from "../exchange";
import { CancelIds } from "./cancel-ids";
import { binanceEndpoints } from "./endpoints";
import { closeGoingAway } from "../going-away";
import { BinanceMarketStreams, type StreamSocketState } from "./market-streams";
import { UnfilledOrderCounts } from "./order-counts";
import { binanceRest } from "./rest";
import { BinanceTrading } from "./trading";
import { socketDeliver, UserDataStreams, type Deliver } from "./user-data";
import { RequestWeights } from "./weights";
import { BinanceWebSocketApi, type ApiSocketState } from "./ws-api";

export interface BinanceOptions {
  /** Request weight an IP may use per minute (0: no limit). */
  weightLimit: number;
  /** New unfilled orders an account may place per ten seconds (0: no limit; order-counts.ts). */
  orderLimit: number;
  /** Bytes a stream client may have waiting before it is dropped. */
  maxBufferedBytes: number;
}

type Socket = ServerWebSocket<unknown>;
// Elysia types its socket's `raw` with an older interface than the Bun ServerWebSocket it is.
const bunSocket = (ws: { raw: unknown }) => ws.raw as Socket;

export class BinanceSurface {
  readonly userData: UserDataStreams;
  readonly streams: BinanceMarketStreams;
  private readonly orderCounts: UnfilledOrderCounts;
  readonly plugin;
  private readonly api: BinanceWebSocketApi;
  private server: Server<unknown> | null = null;
  private readonly states = new Map<Socket, StreamSocketState | ApiSocketState | { kind: "listen-key"; accountId: number; deliver: Deliver }>();

  constructor(ex: Exchange, options: BinanceOptions) {
    const weights = new RequestWeights(options.weightLimit);
    const orderCounts = (this.orderCounts = new UnfilledOrderCounts(options.orderLimit));
    const cancelIds = new CancelIds();
    const trading = new BinanceTrading(ex, cancelIds);
    this.userData = new UserDataStreams(ex, cancelIds);
    this.streams = new BinanceMarketStreams(ex, options.maxBufferedBytes);
    const endpoints = binanceEndpoints(trading, weights, orderCounts, this.userData);
    const api = (this.api = new BinanceWebSocketApi(ex, endpoints, weights, orderCounts, this.userData, options.maxBufferedBytes));
    const forget = (ws: Socket) => {
      const state = this.states.get(ws);
      this.states.delete(ws);
      if (state?.kind === "binance-api") api.closed(state);
      else if (state?.kind === "listen-key") this.userData.unsubscribe(state.accountId, state.deliver);
      else this.streams.closed(ws);
    };
    const streamMessage = (ws: Socket, message: unknown) => {
      const state = this.states.get(ws);
      if (state?.kind === "binance-market") ws.send(JSON.stringify(this.streams.message(ws, state, message)));
    };

    const ipOf = (request: Request) => this.server?.requestIP(request)?.address;
    this.plugin = new Elysia({ name: "binance" })
      .use(binanceRest(ex, endpoints, { weights, orderCounts, ipOf }))
      .ws("/ws/:stream", {
        open: (ws) => {
          const raw = bunSocket(ws);
          const name = (ws.data as { params: { stream: string } }).params.stream;
          const accountId = this.userData.accountOfListenKey(name);
          if (accountId !== undefined) {
            const deliver = socketDeliver(raw, options.maxBufferedBytes);
            this.states.set(raw, { kind: "listen-key", accountId, deliver });
            this.userData.subscribe(accountId, deliver);
            return;
          }
          const state: StreamSocketState = { kind: "binance-market", combined: false, streams: new Set() };
          this.states.set(raw, state);
          // /ws/<stream>, or /ws/<any name> followed by SUBSCRIBE.
          this.streams.opened(raw, state, [name]);
        },
        message: (ws, message) => streamMessage(bunSocket(ws), message),
        close: (ws) => forget(bunSocket(ws)),
        detail: { hide: true },
      })
      .ws("/stream", {
        open: (ws) => {
          const raw = bunSocket(ws);
          const query = (ws.data as { query: Record<string, string | undefined> }).query;
          const state: StreamSocketState = { kind: "binance-market", combined: true, streams: new Set() };
          this.states.set(raw, state);
          // (The query's decoding reads a "+" as a space; clients send "@kline_1d@+08:00" as it is.)
          this.streams.opened(raw, state, (query.streams ?? "").replaceAll(" ", "+").split("/").filter((s) => s !== ""));
        },
        message: (ws, message) => streamMessage(bunSocket(ws), message),
        close: (ws) => forget(bunSocket(ws)),
        detail: { hide: true },
      })
      .ws("/ws-api/v3", {
        open: (ws) => {
          const raw = bunSocket(ws);
          this.states.set(raw, api.newState(weights.keyOf(() => raw.remoteAddress)));
        },
        message: async (ws, message) => {
          const raw = bunSocket(ws);
          const state = this.states.get(raw);
          if (state?.kind === "binance-api") raw.send(JSON.stringify(await api.message(raw, state, message)));
        },
        close: (ws) => forget(bunSocket(ws)),
        detail: { hide: true },
      });
  }

  attach(server: Server<unknown>): void {
    this.server = server;
    this.streams.attach(server);
  }

  publish(report: BatchReport): void {
    this.streams.publish(report);
    this.userData.publish(report);
    this.orderCounts.publish(report);
  }

  /** Stops the streams' timers and closes every connection (going away: a server's graceful stop
   *  waits for its sockets); a WebSocket API connection hears serverShutdown first. */
  close(): void {
    this.streams.close();
    for (const [ws, state] of [...this.states]) {
      if (state.kind === "binance-api") this.api.shuttingDown(ws);
      closeGoingAway(ws);
    }
  }
}
