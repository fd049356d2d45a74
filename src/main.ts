// The `exchange` command line: serve (default), accounts create NAME, load, echo-server, --help.
import { parseArgs } from "node:util";
import pkg from "../package.json";
import { readFileSync } from "node:fs";
import { createAccount, parsePublicKey } from "./accounts";
import { parseAmounts } from "./assets";
import { loadMarkets, BUILT_IN_DEFAULT_BALANCES, MAX_FEE_BPS } from "./markets";
import { startBinaryEcho, startEchoServer } from "./load/echo-server";
import { LOAD_HELP, loadCommand } from "./load/main";
import { LOG_LEVELS, log, setLogLevel, type LogLevel } from "./log";
import { DEFAULT_LIMITS } from "./core/admission";
import { startServer } from "./server";
import { DEFAULT_ORDER_LIMIT_10S } from "./binance/order-counts";
import { DEFAULT_WEIGHT_LIMIT } from "./binance/weights";
import { openStorage, type SyncMode } from "./store/database";
import { loadScenario } from "./sim/scenarios";
import { analyzeMarket, formatFacts } from "./analyze";
import { parsePace } from "./sim/paced-driver";
import { REPLAY_DEFAULTS } from "./replay/replayer";

const SERVE_HELP = `Usage: exchange [serve] [flags]

Runs the exchange until SIGINT/SIGTERM, then finishes the batch in flight and exits 0.

Flags (each also read from the environment variable in brackets):
  --host HOST      address to bind [EXCHANGE_HOST] (default 127.0.0.1)
  --port PORT      port; 0 picks a free one [EXCHANGE_PORT] (default 8080)
  --db FILE        SQLite file, created and migrated on first start, with FILE-projection beside
                   it (orders, trades, balances, ledger) [EXCHANGE_DB] (default ./exchange.db)
  --markets FILE   JSON market list, shaped like GET /api/v1/markets [EXCHANGE_MARKETS] (default: built-in)
  --sync MODE      SQLite synchronous mode: normal survives kill -9, full also power loss [EXCHANGE_SYNC] (default normal)
  --binary-port P  also take orders in the binary protocol (docs/binary-protocol.md) over TCP on
                   this port; 0 picks a free one [EXCHANGE_BINARY_PORT] (default: off; the same
                   messages are always taken in WebSocket binary frames at /binary)
  --snapshot-every N  journal entries between snapshots of the engine's state, which bound the
                   journal a start replays; the journal behind one is pruned once
                   the tables are written past it
                   [EXCHANGE_SNAPSHOT_EVERY] (default 1000000; 0: never)
  --log-level L    debug, info, warn or error: JSON lines on stderr [EXCHANGE_LOG_LEVEL] (default info)
  --max-queued N   commands that may wait for the engine; beyond, requests get 503 OVERLOADED at
                   once [EXCHANGE_MAX_QUEUED] (default 65536; 1000, a full batch request, to 1000000)
  --default-balances A=N,...  what accounts created without deposits start with
                   [EXCHANGE_DEFAULT_BALANCES] (default ${BUILT_IN_DEFAULT_BALANCES}; other assets 1000000;
                   "" or USD=0,... for none)
  --no-self-deposits  refuse POST /api/v1/account/deposits and deposits at account creation over the API
                   [EXCHANGE_SELF_DEPOSITS=false]
  --binance-weight-limit N  request weight an IP may use per minute on the Binance surface, as
                   Binance counts it; past it, 429 with Retry-After [EXCHANGE_BINANCE_WEIGHT_LIMIT]
                   (default 6000; 0: no limit, for load tests)
  --binance-order-limit N  new unfilled orders an account may place per 10 seconds on the Binance
                   surface (Binance's unfilled order count: an order's first fill gives it back; the
                   day's limit is 200000); past it, -1015 with Retry-After [EXCHANGE_BINANCE_ORDER_LIMIT]
                   (default 100; 0: no limit, for load tests)
  --simulate S     start a simulated market: a preset (calm, trending, volatile, flash-crash, news,
                   abides) or a scenario JSON file [EXCHANGE_SIMULATE]
  --sim-pace P     realtime, max (as fast as it goes, the venue clock stepping with it) or a
                   multiple such as 10x [EXCHANGE_SIM_PACE] (default realtime)
  --sim-seed N     the seed (default: the scenario's, else 1): the same seed, the same market
  --sim-start T    venue time to start from (ISO 8601), for accelerated runs that must repeat exactly
  --sim-duration D venue time after which the simulation stops, such as 90s, 30m, 6.5h
  --replay FILES   replay a recorded market into --replay-market instead: comma-separated files of
                   Binance trades or aggTrades CSV (.zip or not), Tardis incremental_book_L2 with
                   its trades CSV (.gz or not), or LOBSTER _message_ and _orderbook_ files
  --replay-market M  the market it replays into (default BTC-USD)
  --replay-pace P  realtime, max or a multiple such as 10x (default max); the venue clock follows
                   the recording's timestamps
  --replay-recovery D  how long liquidity a user took takes to come back (default 5s)
  -h, --help       this text`;

const ACCOUNTS_HELP = `Usage: exchange accounts create NAME [--deposit USD=100000,BTC=2] [flags]

Creates an account and prints one JSON line {"accountId","name","apiKey","apiSecret"}. The API
key (X-API-Key on /api/v1, X-MBX-APIKEY on the Binance surface) and the HMAC secret that signs
Binance-style requests are shown only here: the database keeps a hash of the key, and the secret
itself (an HMAC cannot be checked without it). With --ed25519-public-key or --rsa-public-key the
account signs with its own key pair: the database keeps only the public key, and there is no
secret. The account starts with the deposits given, or else
with the venue's default balances (serve --default-balances); the server journals them when it
starts or first sees the account.

Flags:
  --db FILE              SQLite file [EXCHANGE_DB] (default ./exchange.db)
  --markets FILE         the markets the deposits are checked against [EXCHANGE_MARKETS] (default: built-in)
  --deposit A=N,...      starting balances, such as USD=100000,BTC=2
  --maker-fee-bps N      the account's own maker fee rate (0 to 1000 basis points)
  --taker-fee-bps N      the account's own taker fee rate
  --ed25519-public-key FILE  sign with this Ed25519 key pair (PEM public key) instead of a secret
  --rsa-public-key FILE  the same with an RSA key pair
  -h, --help             this text`;

const HELP = `exchange ${pkg.version}: a whole exchange in one executable.

Usage: exchange [COMMAND] [flags]

Commands:
  serve                    run the exchange (the default)
  replay FILES             serve, replaying a recorded market (serve --replay)
  accounts create NAME     create an account and print its API key
  load                     drive a running exchange with load scenarios and report latency
  analyze                  the stylized facts of a market's stored trades and book samples
  echo-server              a bare HTTP JSON echo server: the baseline for load figures

Run "exchange COMMAND --help" for a command's flags.`;

function fail(message: string): never {
  console.error(`exchange: ${message}`);
  process.exit(2);
}

function serve(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string", default: process.env.EXCHANGE_HOST ?? "127.0.0.1" },
      port: { type: "string", default: process.env.EXCHANGE_PORT ?? "8080" },
      db: { type: "string", default: process.env.EXCHANGE_DB ?? "./exchange.db" },
      markets: { type: "string", default: process.env.EXCHANGE_MARKETS },
      sync: { type: "string", default: process.env.EXCHANGE_SYNC ?? "normal" },
      "binary-port": { type: "string", default: process.env.EXCHANGE_BINARY_PORT },
      "snapshot-every": { type: "string", default: process.env.EXCHANGE_SNAPSHOT_EVERY ?? "1000000" },
      "max-queued": { type: "string", default: process.env.EXCHANGE_MAX_QUEUED ?? String(DEFAULT_LIMITS.maxQueuedCommands) },
      "log-level": { type: "string", default: process.env.EXCHANGE_LOG_LEVEL ?? "info" },
      "default-balances": { type: "string", default: process.env.EXCHANGE_DEFAULT_BALANCES ?? BUILT_IN_DEFAULT_BALANCES },
      "no-self-deposits": { type: "boolean", default: process.env.EXCHANGE_SELF_DEPOSITS === "false" },
      "binance-weight-limit": { type: "string", default: process.env.EXCHANGE_BINANCE_WEIGHT_LIMIT ?? String(DEFAULT_WEIGHT_LIMIT) },
      "binance-order-limit": { type: "string", default: process.env.EXCHANGE_BINANCE_ORDER_LIMIT ?? String(DEFAULT_ORDER_LIMIT_10S) },
      simulate: { type: "string", default: process.env.EXCHANGE_SIMULATE },
      "sim-pace": { type: "string", default: process.env.EXCHANGE_SIM_PACE ?? "realtime" },
      "sim-seed": { type: "string" },
      "sim-start": { type: "string" },
      "sim-duration": { type: "string" },
      replay: { type: "string" },
      "replay-market": { type: "string", default: "BTC-USD" },
      "replay-pace": { type: "string", default: "max" },
      "replay-recovery": { type: "string", default: "5s" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return console.log(SERVE_HELP);
  const simulate = values.simulate === undefined ? undefined : simulationFlags(values);
  if (simulate && values.replay !== undefined) fail("give --simulate or --replay, not both: each drives the venue clock");
  const replay = values.replay === undefined ? undefined : {
    files: values.replay.split(",").filter((f) => f !== ""), market: values["replay-market"],
    options: {
      ...REPLAY_DEFAULTS,
      pace: attempt("--replay-pace", () => parsePace(values["replay-pace"])),
      recoveryMs: attempt("--replay-recovery", () => parseDuration(values["replay-recovery"])),
    },
  };
  const port = portFlag("--port", values.port);
  const sync = values.sync.toUpperCase();
  if (sync !== "NORMAL" && sync !== "FULL") fail(`--sync must be normal or full, not "${values.sync}"`);
  if (!LOG_LEVELS.includes(values["log-level"] as LogLevel)) fail(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  setLogLevel(values["log-level"] as LogLevel);
  const maxQueued = Number(values["max-queued"]);
  if (!/^\d{1,7}$/.test(values["max-queued"]) || maxQueued < 1000 || maxQueued > 1_000_000) {
    fail(`--max-queued must be an integer from 1000 to 1000000, not "${values["max-queued"]}"`);
  }

  const binaryPort = values["binary-port"] === undefined ? undefined : portFlag("--binary-port", values["binary-port"]);
  if (!/^\d{1,10}$/.test(values["snapshot-every"])) fail(`--snapshot-every must be a whole number of journal entries, not "${values["snapshot-every"]}"`);

  const weightLimit = Number(values["binance-weight-limit"]);
  if (!/^\d{1,9}$/.test(values["binance-weight-limit"])) fail(`--binance-weight-limit must be a whole number, not "${values["binance-weight-limit"]}"`);
  const orderLimit = Number(values["binance-order-limit"]);
  if (!/^\d{1,9}$/.test(values["binance-order-limit"])) fail(`--binance-order-limit must be a whole number, not "${values["binance-order-limit"]}"`);

  const server = startServer({
    host: values.host, port, dbPath: values.db, marketsFile: values.markets, sync: sync as SyncMode,
    limits: { ...DEFAULT_LIMITS, maxQueuedCommands: maxQueued },
    defaultBalances: values["default-balances"], selfServiceDeposits: !values["no-self-deposits"],
    binanceWeightLimit: weightLimit, binanceOrderLimit: orderLimit, simulate, replay, binaryPort, snapshotEvery: Number(values["snapshot-every"]),
  });
  const ex = server.exchange;
  ex.sequencer.onFatal = (error) => {
    log("fatal", "a batch could not be stored; exiting so that recovery restores the last committed state", { error: String(error) });
    process.exit(1);
  };
  console.log(
    `exchange ${pkg.version} listening on ${server.url} ` +
      (server.binaryPort === null ? "" : `and binary tcp://${values.host}:${server.binaryPort} `) +
      `(db ${values.db}, markets ${ex.markets.list.map((m) => m.symbol).join(",")}, ` +
      `recovered ${ex.recovered.journalEntries} journal entries and ${ex.recovered.openOrders} open orders)`,
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping: draining the queue", { signal });
    await server.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/** A port flag's value: 0 (any free port) to 65535. */
function portFlag(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) fail(`${flag} must be 0 to 65535, not "${value}"`);
  return port;
}

/** What `parse` gives, or the exit that names the flag and the problem. */
function attempt<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    fail(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** "90s", "30m", "6.5h" to milliseconds. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`give a number and a unit (ms, s, m, h, d), such as 6.5h, not "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * unit[m[2] as keyof typeof unit];
}

/** --simulate and its --sim-* flags, checked. */
function simulationFlags(values: { simulate?: string; "sim-pace": string; "sim-seed"?: string; "sim-start"?: string; "sim-duration"?: string }) {
  const scenario = attempt("--simulate", () => loadScenario(values.simulate!));
  const pace = attempt("--sim-pace", () => parsePace(values["sim-pace"]));
  const seedText = values["sim-seed"];
  if (seedText !== undefined && (!/^\d{1,10}$/.test(seedText) || Number(seedText) > 2 ** 32 - 1)) fail("--sim-seed must be an integer from 0 to 4294967295");
  const startText = values["sim-start"];
  const startTime = startText === undefined ? undefined : Date.parse(startText);
  if (startTime !== undefined && !Number.isFinite(startTime)) fail(`--sim-start must be an ISO 8601 time such as 2026-01-05T09:30:00Z, not "${startText}"`);
  const durationText = values["sim-duration"];
  const durationMs = durationText === undefined ? undefined : attempt("--sim-duration", () => parseDuration(durationText));
  return { scenario, options: { pace, seed: seedText === undefined ? undefined : Number(seedText), startTime, durationMs } };
}

function accounts(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    options: {
      db: { type: "string", default: process.env.EXCHANGE_DB ?? "./exchange.db" },
      markets: { type: "string", default: process.env.EXCHANGE_MARKETS },
      deposit: { type: "string" },
      "maker-fee-bps": { type: "string" },
      "taker-fee-bps": { type: "string" },
      "ed25519-public-key": { type: "string" },
      "rsa-public-key": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return console.log(ACCOUNTS_HELP);
  const [action, name, ...rest] = positionals;
  if (action !== "create" || !name || rest.length > 0) fail(`usage: exchange accounts create NAME [--deposit USD=100000,BTC=2] [--db FILE]`);
  if (name.length > 100) fail("NAME must be at most 100 characters");
  const bps = (flag: "maker-fee-bps" | "taker-fee-bps") => {
    const v = values[flag];
    if (v === undefined) return undefined;
    if (!/^\d{1,4}$/.test(v) || Number(v) > MAX_FEE_BPS) fail(`--${flag} must be an integer from 0 to ${MAX_FEE_BPS}`);
    return Number(v);
  };
  let deposits: Map<string, string> | undefined;
  if (values.deposit !== undefined) {
    // Checked against the markets' assets here, so that the server never meets a bad request.
    const { assets } = loadMarkets(values.markets);
    deposits = parseAmounts(values.deposit);
    for (const [asset, amount] of deposits) assets.amount(asset, amount, `--deposit ${asset}`);
  }
  const keyFile = values["ed25519-public-key"] ?? values["rsa-public-key"];
  if (values["ed25519-public-key"] !== undefined && values["rsa-public-key"] !== undefined) fail("give --ed25519-public-key or --rsa-public-key, not both");
  let publicKey: string | undefined;
  if (keyFile !== undefined) {
    publicKey = readFileSync(keyFile, "utf8");
    const type = parsePublicKey(publicKey).asymmetricKeyType;
    const wanted = values["ed25519-public-key"] !== undefined ? "ed25519" : "rsa";
    if (type !== wanted) fail(`${keyFile} is an ${type} key, not ${wanted}`);
  }
  const storage = openStorage(values.db);
  const created = createAccount(storage.db, name, { deposits, makerFeeBps: bps("maker-fee-bps"), takerFeeBps: bps("taker-fee-bps") }, publicKey);
  void storage.close();
  console.log(JSON.stringify({ accountId: String(created.id), name: created.name, apiKey: created.apiKey, apiSecret: created.apiSecret }));
}

function analyze(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: "string", default: process.env.EXCHANGE_DB ?? "./exchange.db" },
      market: { type: "string", default: "BTC-USD" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    return console.log(`Usage: exchange analyze [--db FILE] [--market BTC-USD] [--json]

Reads a market's stored trades and book samples (written while a simulation or replay runs) and
reports the stylized facts of real markets: excess kurtosis of log returns at 1-60 minutes,
autocorrelation of returns and of absolute returns, the volume-volatility correlation, the
spread and trade-size distributions; then whether each fact holds. Exits 1 if one does not.`);
  }
  const storage = openStorage(values.db);
  const facts = analyzeMarket(storage, values.market);
  void storage.close();
  console.log(values.json ? JSON.stringify(facts) : formatFacts(facts));
  if (facts.checks.some((c) => !c.holds)) process.exitCode = 1;
}

function echoServer(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8081" },
      "binary-port": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    return console.log("Usage: exchange echo-server [--host 127.0.0.1] [--port 8081] [--binary-port P]\n\n" +
      "Answers every POST with its JSON body (201): the baseline that `exchange load --echo` measures. With --binary-port, also\n" +
      "answers every binary-protocol request at once on that TCP port (0: any): the baseline for `exchange load --api binary`.");
  }
  const server = startEchoServer(values.host, Number(values.port));
  const binary = values["binary-port"] === undefined ? null : startBinaryEcho(values.host, Number(values["binary-port"]));
  console.log(`echo server listening on http://${values.host}:${server.port}` + (binary ? ` and binary tcp://${values.host}:${binary.port}` : ""));
}

export function main(argv: string[]): void {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command.startsWith("-")) {
      if (command === "--help" || command === "-h") return console.log(HELP);
      return serve(argv);
    }
    if (command === "serve") return serve(rest);
    if (command === "accounts") return accounts(rest);
    if (command === "echo-server") return echoServer(rest);
    if (command === "analyze") return analyze(rest);
    // `exchange replay FILES [flags]`: serve, replaying FILES.
    if (command === "replay") return rest[0] && !rest[0].startsWith("-") ? serve(["--replay", rest[0], ...rest.slice(1)]) : fail("usage: exchange replay FILE[,FILE] [--replay-market BTC-USD] [--replay-pace max] [serve flags]");
    if (command === "load") {
      if (rest.includes("--help") || rest.includes("-h")) return console.log(LOAD_HELP);
      loadCommand(rest).catch((error) => fail(error instanceof Error ? error.message : String(error)));
      return;
    }
    if (command === "help") return console.log(HELP);
    fail(`unknown command "${command}"; run "exchange --help"`);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

if (import.meta.main) main(process.argv.slice(2));
