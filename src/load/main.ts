// `exchange load`: runs named load scenarios against a running exchange and reports throughput,
// counts and latency percentiles (HDR histogram), as a table or as JSON.
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { batchLoop, batchOpenLoop, closeConnections, closedLoop, connect, openLoop, prepareExchange, type Progress, type Target } from "./driver";
import { summarize, table, type LatencyRecorder, type ScenarioResult } from "./report";
import { binaryOpenLoop, binarySustained } from "./binary-load";

export const LOAD_HELP = `Usage: exchange load [flags]

Drives a running exchange over HTTP and reports throughput, success and error counts, and latency
percentiles (p50, p90, p99, p99.9, max; HDR histogram). Creates its accounts through the API
(POST /api/v1/accounts) unless --keys are given, and rests a few levels on each side first.

Scenarios (--scenario, comma-separated; default sequential,concurrent,sustained):
  sequential   --orders orders (default 100) one at a time
  concurrent   --orders orders (default 200) all at once
  sustained    --connections clients in closed loop for --duration seconds (default 20)
  open-loop    a fixed offered --rate (default 5000/s) for --duration seconds (default 10);
               latency counts from when each request was due (no coordinated omission)
  batch        --connections clients posting POST /api/v1/orders/batch of --batch-size orders
               (default 1000) for --duration seconds (default 10)
  batch-open-loop  batches of --batch-size orders at a fixed offered --rate of orders per second
               for --duration seconds (default 10); latency counts from when each batch was due

Flags:
  --url URL            the exchange (default http://127.0.0.1:8080)
  --scenario LIST      see above
  --connections N      concurrent clients for sustained and batch (default 32; batch: 2)
  --duration S         seconds for sustained, open-loop, batch and batch-open-loop
  --rate N             offered orders per second for open-loop and batch-open-loop (default 5000)
  --orders N           orders for sequential and concurrent
  --batch-size N       orders per batch request (default 1000)
  --symbol SYMBOL      market to trade (default BTC-USD)
  --accounts N         accounts to create (default 4)
  --keys K1,K2         use these API keys instead of creating accounts (KEY:SECRET with --api binance)
  --api native|binance|binary
                       native (default): POST /api/v1/orders with X-API-Key; binance: signed
                       POST /api/v3/order (HMAC-SHA256, form body, newOrderRespType FULL) and
                       DELETE /api/v3/order, as a Binance bot sends them (sequential, concurrent,
                       sustained and open-loop; batch is /api/v1's own); binary: the binary
                       protocol at --binary-url, --connections sessions (default 4) sending new
                       orders, cancels (25%) and amends (15%) (sustained: --window requests
                       outstanding per session; open-loop)
  --binary-url URL     tcp://host:port (the server's --binary-port) or ws://host:port/binary
  --window N           requests each binary session keeps outstanding in sustained (default 256)
  --client raw|fetch   raw (default): a lean HTTP/1.1 client on keep-alive sockets, which takes
                       little CPU from a server on the same machine and adds little to latency;
                       fetch: fetch(), as most bots send (several times the client's CPU)
  --echo               the target is a bare echo server (exchange echo-server): the baseline
  --json               print the results as JSON instead of a table
  -h, --help           this text`;

function progress(label: string, total: number | undefined, seconds: number | undefined): Progress & { stop(): void } {
  const started = performance.now();
  if (!process.stderr.isTTY) {
    let last = started;
    return {
      tick(done, rec) {
        const now = performance.now();
        if (now - last < 5000) return;
        last = now;
        process.stderr.write(`${label}: ${done} requests, ${rec.errors} errors, ${Math.round(done / ((now - started) / 1000))}/s\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: `${label.padEnd(11)} [{bar}] {percentage}% | {done} requests | {rate}/s | {errors} errors`,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(100, 0, { done: 0, rate: 0, errors: 0 });
  let last = 0;
  return {
    tick(done, rec: LatencyRecorder) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      const elapsed = (now - started) / 1000;
      const fraction = total ? done / total : seconds ? elapsed / seconds : 0;
      bar.update(Math.min(100, Math.round(fraction * 100)), { done, rate: Math.round(done / elapsed), errors: rec.errors });
    },
    stop() {
      bar.update(100);
      bar.stop();
    },
  };
}

/** Concurrent clients for a scenario unless given: batches are large, so a few keep it busy. */
export function defaultConnections(scenario: string): number {
  return scenario === "batch" ? 2 : 32;
}

export async function runScenario(target: Target, name: string, o: { connections: number; duration?: number; rate: number; orders?: number; batchSize: number }): Promise<ScenarioResult> {
  const label = target.echo ? "echo" : "exchange";
  switch (name) {
    case "sequential":
    case "concurrent": {
      const total = o.orders ?? (name === "sequential" ? 100 : 200);
      const p = progress(name, total, undefined);
      const { rec, seconds } = await closedLoop(target, name === "sequential" ? 1 : total, { total }, p);
      p.stop();
      return summarize(name, label, rec, seconds);
    }
    case "sustained": {
      const seconds = o.duration ?? 20;
      const p = progress(name, undefined, seconds);
      const r = await closedLoop(target, o.connections, { seconds }, p);
      p.stop();
      return summarize(name, label, r.rec, r.seconds);
    }
    case "open-loop": {
      const seconds = o.duration ?? 10;
      const p = progress(name, undefined, seconds);
      const r = await openLoop(target, o.rate, seconds, p);
      p.stop();
      return summarize(name, label, r.rec, r.seconds, 1, o.rate);
    }
    case "batch": {
      const seconds = o.duration ?? 10;
      const p = progress(name, undefined, seconds);
      const r = await batchLoop(target, o.connections, o.batchSize, seconds, p);
      p.stop();
      const result = summarize(name, label, r.rec, r.seconds, o.batchSize);
      return { ...result, orders: r.ordersOk, ordersPerSecond: r.ordersOk / r.seconds };
    }
    case "batch-open-loop": {
      const seconds = o.duration ?? 10;
      const p = progress(name, undefined, seconds);
      const r = await batchOpenLoop(target, o.batchSize, o.rate, seconds, p);
      p.stop();
      const result = summarize(name, label, r.rec, r.seconds, o.batchSize, o.rate);
      return { ...result, orders: r.ordersOk, ordersPerSecond: r.ordersOk / r.seconds };
    }
    default:
      throw new Error(`unknown scenario "${name}" (sequential, concurrent, sustained, open-loop, batch, batch-open-loop)`);
  }
}

export async function loadCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string", default: "http://127.0.0.1:8080" },
      scenario: { type: "string", default: "sequential,concurrent,sustained" },
      connections: { type: "string" },
      duration: { type: "string" },
      rate: { type: "string", default: "5000" },
      orders: { type: "string" },
      "batch-size": { type: "string", default: "1000" },
      symbol: { type: "string", default: "BTC-USD" },
      accounts: { type: "string", default: "4" },
      keys: { type: "string" },
      api: { type: "string", default: "native" },
      "binary-url": { type: "string" },
      window: { type: "string", default: "256" },
      client: { type: "string", default: "raw" },
      echo: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return console.log(LOAD_HELP);
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const url = values.url.replace(/\/$/, "");
  if (values.client !== "raw" && values.client !== "fetch") throw new Error(`--client must be raw or fetch, not "${values.client}"`);
  if (values.api !== "native" && values.api !== "binance" && values.api !== "binary") throw new Error(`--api must be native, binance or binary, not "${values.api}"`);
  const scenarios = values.scenario.split(",").map((s) => s.trim()).filter(Boolean);
  if (values.api === "binary") {
    if (!values["binary-url"]) throw new Error("--api binary needs --binary-url (tcp://host:port, the server's --binary-port)");
    if (scenarios.some((s) => s !== "sustained" && s !== "open-loop")) throw new Error("--api binary runs the sustained and open-loop scenarios");
  }
  if (values.api === "binance" && scenarios.some((s) => s.startsWith("batch"))) throw new Error("the batch scenarios are /api/v1's batch endpoint: run them with --api native");
  const pairs = values.keys?.split(",").map((k) => k.split(":"));
  const target = values.echo
    ? await connect(url, values.symbol, true, [], values.client)
    : await prepareExchange(url, {
      symbol: values.symbol, keys: pairs?.map((p) => p[0]!), secrets: pairs?.every((p) => p[1]) ? pairs.map((p) => p[1]!) : undefined,
      accounts: num(values.accounts, "accounts"), client: values.client, api: values.api === "binary" ? "native" : values.api,
    });

  const results: ScenarioResult[] = [];
  for (const name of scenarios) {
    if (values.api !== "binary") {
      results.push(await runScenario(target, name, {
        connections: num(values.connections, "connections") ?? defaultConnections(name),
        duration: num(values.duration, "duration"),
        rate: num(values.rate, "rate")!,
        orders: num(values.orders, "orders"),
        batchSize: num(values["batch-size"], "batch-size")!,
      }));
      continue;
    }
    const connections = num(values.connections, "connections") ?? 4;
    const seconds = num(values.duration, "duration") ?? (name === "sustained" ? 20 : 10);
    if (name === "sustained") {
      const r = await binarySustained(target, values["binary-url"]!, connections, num(values.window, "window")!, seconds);
      results.push(summarize("binary sustained", "exchange", r.rec, r.seconds));
    } else {
      const r = await binaryOpenLoop(target, values["binary-url"]!, connections, num(values.rate, "rate")!, seconds);
      results.push(summarize("binary open-loop", "exchange", r.rec, r.seconds, 1, r.offered));
    }
  }
  closeConnections();
  if (values.json) console.log(JSON.stringify({ url, results }, null, 2));
  else console.log(`\n${table(results)}`);
}
