// The `exchange` command line: serve (default), accounts create NAME, load, echo-server, --help.
import { parseArgs } from "node:util";
import pkg from "../package.json";
import { readFileSync } from "node:fs";
import { createAccount, parsePublicKey } from "./accounts";
import { parseAmounts } from "./assets";
import { loadMarkets, BUILT_IN_DEFAULT_BALANCES, MAX_FEE_BPS } from "./markets";
import { startEchoServer } from "./load/echo-server";
import { LOAD_HELP, loadCommand } from "./load/main";
import { LOG_LEVELS, log, setLogLevel, type LogLevel } from "./log";
import { DEFAULT_LIMITS } from "./core/admission";
import { startServer } from "./server";
import { DEFAULT_WEIGHT_LIMIT } from "./binance/weights";
import { openStorage, type SyncMode } from "./store/database";

const SERVE_HELP = `Usage: exchange [serve] [flags]

Runs the exchange until SIGINT/SIGTERM, then finishes the batch in flight and exits 0.

Flags (each also read from the environment variable in brackets):
  --host HOST      address to bind [EXCHANGE_HOST] (default 127.0.0.1)
  --port PORT      port; 0 picks a free one [EXCHANGE_PORT] (default 8080)
  --db FILE        SQLite file, created and migrated on first start [EXCHANGE_DB] (default ./exchange.db)
  --markets FILE   JSON market list, shaped like GET /api/v1/markets [EXCHANGE_MARKETS] (default: built-in)
  --sync MODE      SQLite synchronous mode: normal survives kill -9, full also power loss [EXCHANGE_SYNC] (default normal)
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
  accounts create NAME     create an account and print its API key
  load                     drive a running exchange with load scenarios and report latency
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
      "max-queued": { type: "string", default: process.env.EXCHANGE_MAX_QUEUED ?? String(DEFAULT_LIMITS.maxQueuedCommands) },
      "log-level": { type: "string", default: process.env.EXCHANGE_LOG_LEVEL ?? "info" },
      "default-balances": { type: "string", default: process.env.EXCHANGE_DEFAULT_BALANCES ?? BUILT_IN_DEFAULT_BALANCES },
      "no-self-deposits": { type: "boolean", default: process.env.EXCHANGE_SELF_DEPOSITS === "false" },
      "binance-weight-limit": { type: "string", default: process.env.EXCHANGE_BINANCE_WEIGHT_LIMIT ?? String(DEFAULT_WEIGHT_LIMIT) },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return console.log(SERVE_HELP);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) fail(`--port must be 0 to 65535, not "${values.port}"`);
  const sync = values.sync.toUpperCase();
  if (sync !== "NORMAL" && sync !== "FULL") fail(`--sync must be normal or full, not "${values.sync}"`);
  if (!LOG_LEVELS.includes(values["log-level"] as LogLevel)) fail(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  setLogLevel(values["log-level"] as LogLevel);
  const maxQueued = Number(values["max-queued"]);
  if (!/^\d{1,7}$/.test(values["max-queued"]) || maxQueued < 1000 || maxQueued > 1_000_000) {
    fail(`--max-queued must be an integer from 1000 to 1000000, not "${values["max-queued"]}"`);
  }

  const weightLimit = Number(values["binance-weight-limit"]);
  if (!/^\d{1,9}$/.test(values["binance-weight-limit"])) fail(`--binance-weight-limit must be a whole number, not "${values["binance-weight-limit"]}"`);

  const server = startServer({
    host: values.host, port, dbPath: values.db, marketsFile: values.markets, sync: sync as SyncMode,
    limits: { ...DEFAULT_LIMITS, maxQueuedCommands: maxQueued },
    defaultBalances: values["default-balances"], selfServiceDeposits: !values["no-self-deposits"],
    binanceWeightLimit: weightLimit,
  });
  const ex = server.exchange;
  ex.sequencer.onFatal = (error) => {
    log("fatal", "a batch could not be stored; exiting so that recovery restores the last committed state", { error: String(error) });
    process.exit(1);
  };
  console.log(
    `exchange ${pkg.version} listening on ${server.url} ` +
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

function echoServer(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8081" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return console.log("Usage: exchange echo-server [--host 127.0.0.1] [--port 8081]\n\nAnswers every POST with its JSON body (201): the baseline that `exchange load --echo` measures.");
  const server = startEchoServer(values.host, Number(values.port));
  console.log(`echo server listening on http://${values.host}:${server.port}`);
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
