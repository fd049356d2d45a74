// Starts the exchange's HTTP server on top of an opened exchange, and stops it gracefully.
import { openExchange, type Exchange } from "./exchange";
import { createApp, MAX_BODY_BYTES } from "./http/app";
import { loadMarkets } from "./markets";
import { Metrics } from "./metrics";
import { MarketStreams, MAX_BUFFERED_BYTES } from "./streams";
import type { Elysia } from "elysia";
import { BinanceSurface } from "./binance/surface";
import { DEFAULT_ORDER_LIMIT_10S } from "./binance/order-counts";
import { DEFAULT_WEIGHT_LIMIT } from "./binance/weights";
import { log } from "./log";
import type { Limits } from "./core/admission";
import type { SyncMode } from "./store/database";
import { SimulationDesk } from "./sim/desk";
import { tradingScreen } from "./screen/plugin";
import { BinaryGateway } from "./gateway/gateway";
import { binaryWebSocket } from "./gateway/plugin";
import { PRESETS, type ScenarioSpec } from "./sim/scenarios";
import type { SimulationOptions } from "./sim/simulation";
import type { ReplayOptions } from "./replay/replayer";
import type { Markets } from "./markets";

export interface ServerOptions {
  host: string;
  port: number;
  dbPath: string;
  marketsFile?: string;
  sync?: SyncMode;
  limits?: Limits;
  /** "USD=1000000,BTC=100": what accounts created without deposits start with. */
  defaultBalances?: string;
  /** Whether accounts may deposit to themselves over the API (default true). */
  selfServiceDeposits?: boolean;
  /** Bytes a WebSocket client may have waiting before it is dropped. */
  maxBufferedBytes?: number;
  /** Request weight an IP may use per minute on the Binance surface (0: no limit). */
  binanceWeightLimit?: number;
  /** New unfilled orders an account may place per ten seconds on the Binance surface (0: no limit). */
  binanceOrderLimit?: number;
  /** A simulation to start with (else the markets file's per-market `simulate` presets, if any). */
  simulate?: { scenario: ScenarioSpec; options: SimulationOptions };
  /** A recording to replay into one market (instead of a simulation). */
  replay?: { files: string[]; market: string; options: ReplayOptions };
  /** The binary order-entry protocol over TCP on this port (0: any free one); off when absent. */
  binaryPort?: number;
  /** Journal entries between snapshots of the engine (0: none). */
  snapshotEvery?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  exchange: Exchange;
  streams: MarketStreams;
  binance: BinanceSurface;
  gateway: BinaryGateway;
  /** The binary protocol's TCP port, if it listens. */
  binaryPort: number | null;
  /** Starts, changes and stops simulations and replays. */
  sim: SimulationDesk;
  /** Answers a request as the server would, without the network (benchmarks of the routes). */
  handle(request: Request): Promise<Response>;
  /** Refuses new orders, answers those already queued once committed, then closes everything. */
  stop(): Promise<void>;
}

export function startServer(options: ServerOptions): RunningServer {
  const exchange = openExchange({
    dbPath: options.dbPath, markets: loadMarkets(options.marketsFile, options.defaultBalances), sync: options.sync,
    limits: options.limits, funding: { selfServiceDeposits: options.selfServiceDeposits ?? true },
    snapshots: options.snapshotEvery === undefined ? undefined : { everyEntries: options.snapshotEvery },
  });
  const gateway = new BinaryGateway(exchange);
  const streams = new MarketStreams(exchange, options.maxBufferedBytes);
  const binance = new BinanceSurface(exchange, {
    weightLimit: options.binanceWeightLimit ?? DEFAULT_WEIGHT_LIMIT, orderLimit: options.binanceOrderLimit ?? DEFAULT_ORDER_LIMIT_10S,
    maxBufferedBytes: options.maxBufferedBytes ?? MAX_BUFFERED_BYTES,
  });
  const metrics = new Metrics();
  const sim = new SimulationDesk(exchange);
  const app = createApp(exchange, { streams, metrics, sim, surfaces: [binance.plugin as unknown as Elysia, binaryWebSocket(gateway) as unknown as Elysia, tradingScreen() as unknown as Elysia] }).listen({
    hostname: options.host,
    port: options.port,
    // Elysia turns reusePort on, which lets a second exchange start silently on a busy port.
    reusePort: false,
    // The app answers oversized bodies with the contract's 413 from Content-Length; this hard
    // cap (above it) bounds bodies sent without one.
    maxRequestBodySize: 16 * MAX_BODY_BYTES,
  });
  const server = app.server!;
  const port = server.port!;
  streams.attach(server);
  binance.attach(server);
  exchange.sequencer.onCommitted((report) => metrics.recordBatch(report));
  metrics.addGauge("exchange_binary_sessions", "Open binary order-entry sessions (TCP and WebSocket).", () => gateway.sessionCount);
  metrics.addGauge("exchange_journal_entries_since_snapshot", "Journal entries a start after a crash would replay.", () => exchange.snapshots.behind);
  metrics.addGauge("exchange_snapshot_seconds", "How long the last snapshot took (image, write, and the start of a prune if the tables were past it).", () => exchange.snapshots.last.seconds);
  exchange.sequencer.onCommitted((report) => streams.publish(report));
  exchange.sequencer.onCommitted((report) => binance.publish(report));
  const binaryPort = options.binaryPort === undefined ? null : gateway.listen(options.host, options.binaryPort);
  const simulate = options.simulate ?? (options.replay ? undefined : presetsOfMarkets(exchange.markets));
  const started = simulate ? sim.simulate(simulate.scenario, simulate.options)
    : options.replay ? sim.replay(options.replay.market, options.replay.files, options.replay.options) : Promise.resolve();
  started.catch((error) => log("error", "the simulation could not start", { error: String(error) }));
  return {
    url: `http://${options.host}:${port}`,
    port,
    exchange,
    streams,
    binance,
    gateway,
    binaryPort,
    sim,
    handle: (request) => app.handle(request),
    async stop() {
      await started.catch(() => {});
      await sim.current?.stop();
      await exchange.sequencer.stop();
      gateway.close();
      binance.close();
      streams.close();
      await server.stop();
      await exchange.close();
    },
  };
}

/** The markets file's per-market presets (`"simulate": "calm"`) as one scenario, at real time. */
function presetsOfMarkets(markets: Markets): { scenario: ScenarioSpec; options: SimulationOptions } | undefined {
  const chosen = markets.list.filter((m) => m.spec.simulate !== undefined);
  if (chosen.length === 0) return undefined;
  const scenario: ScenarioSpec = { name: "markets file", markets: {} };
  for (const m of chosen) {
    const preset = PRESETS[m.spec.simulate!];
    if (!preset) throw new Error(`market ${m.symbol}: simulate must be one of ${Object.keys(PRESETS).join(", ")}, not "${m.spec.simulate}"`);
    scenario.markets![m.symbol] = preset.market!;
  }
  return { scenario, options: { pace: "realtime" } };
}
