// The load generator: its HTTP client against a real Bun server (every way a body can be framed,
// more requests than connections, a server that hangs up), and `exchange load` against a real
// exchange, whose own counters must agree with what the tool reports.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { HttpPool } from "../src/load/http-client";
import { EXCHANGE_FROM_SOURCE, runCli, spawnExchange, tempDir } from "./helpers";

/** New orders the exchange gave its engine, over every market: its own counter, from /metrics. */
async function ordersPlaced(ex: Awaited<ReturnType<typeof spawnExchange>>): Promise<number> {
  const metrics = (await ex.call("GET", "/metrics")).body as string;
  return [...metrics.matchAll(/^exchange_orders_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

test("the load client sends bodies larger than a socket takes at once, reads them by Content-Length and chunked, none for 204, and queues beyond its connections", async () => {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/echo") {
        return new Response(JSON.stringify({ got: await request.text(), key: request.headers.get("x-api-key") }), {
          status: 201, headers: { "content-type": "application/json" },
        });
      }
      if (path === "/chunked") {
        // A stream without a known length goes out chunked, one chunk per part.
        const parts = ["{\"parts\":[", "\"é€😀\",", "\"", "x".repeat(70_000), "\"]}"];
        return new Response(new ReadableStream({
          async pull(controller) {
            const part = parts.shift();
            if (part === undefined) return controller.close();
            controller.enqueue(new TextEncoder().encode(part));
            await Bun.sleep(1);
          },
        }));
      }
      if (path === "/empty") return new Response(null, { status: 204 });
      if (path === "/hangup") {
        server.stop(true); // drops every connection, this one included, without an answer
        return new Promise<Response>(() => {});
      }
      return new Response("no", { status: 404 });
    },
  });
  const pool = new HttpPool(`http://127.0.0.1:${server.port}`, 4);
  try {
    const body = JSON.stringify({ text: "naïve ✓ ".repeat(1000) });
    const echoed = await pool.request("POST", "/echo", { "x-api-key": "k1", "content-type": "application/json" }, body);
    expect(echoed.status).toBe(201);
    expect(JSON.parse(echoed.body)).toEqual({ got: body, key: "k1" });

    const chunked = await pool.request("GET", "/chunked", {});
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body)).toEqual({ parts: ["é€😀", "x".repeat(70_000)] });

    // More than the socket takes at once: the rest goes out as it drains.
    const big = "y".repeat(24 << 20);
    const bigEcho = await pool.request("POST", "/echo", {}, big);
    expect(bigEcho.status).toBe(201);
    expect(JSON.parse(bigEcho.body).got === big).toBe(true);

    expect(await pool.request("GET", "/empty", {})).toEqual({ status: 204, body: "" });
    expect((await pool.request("GET", "/nowhere", {})).status).toBe(404);

    // 100 at once over at most 4 connections: each answer is its own request's.
    const many = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      pool.request("POST", "/echo", { "x-api-key": `k${i}` }, `${i}`)));
    many.forEach((reply, i) => expect(JSON.parse(reply.body)).toEqual({ got: `${i}`, key: `k${i}` }));

    // A connection dropped without an answer is status 0, not a hang or a throw.
    expect((await pool.request("GET", "/hangup", {})).status).toBe(0);
  } finally {
    pool.close();
    server.stop(true);
  }
});

test("exchange load runs every scenario against a real exchange; the exchange counted the same orders", async () => {
  const dir = tempDir("exchange-load-");
  const ex = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, { EXCHANGE_DB: join(dir, "x.db") });
  try {
    const run = (client: string) => JSON.parse(runCli([...EXCHANGE_FROM_SOURCE, "load", "--url", ex.url, "--client", client,
      "--scenario", "sequential,concurrent,sustained,open-loop,batch,batch-open-loop", "--duration", "1", "--rate", "300",
      "--batch-size", "50", "--connections", "4", "--json"], dir)).results as {
      scenario: string; requests: number; ok: number; errors: number; orders: number; latencyMs: { p50: number; max: number };
    }[];
    const results = [...run("raw"), ...run("fetch")];
    const scenarios = ["sequential", "concurrent", "sustained", "open-loop", "batch", "batch-open-loop"];
    expect(results.map((r) => r.scenario)).toEqual([...scenarios, ...scenarios]);
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.ok).toBe(r.requests);
      expect(r.latencyMs.p50).toBeGreaterThan(0);
      expect(r.latencyMs.max).toBeGreaterThanOrEqual(r.latencyMs.p50);
    }
    expect(results[0]!.requests).toBe(100);
    expect(results[1]!.requests).toBe(200);
    expect(results[3]!.requests).toBeGreaterThanOrEqual(290); // 300/s for 1 s, open loop
    // 300 orders/s offered in batches of 50 for 1 s: six batches, each due every 1/6 s.
    expect(results[5]!.requests).toBe(6);
    expect(results[5]!.orders).toBe(300);

    // Each run creates 4 accounts and seeds 40 orders; every request but the cancels of the
    // closed-loop and open-loop scenarios is one order, each batch request 50 (all accepted).
    const placed = await ordersPlaced(ex);
    const batches = results.filter((r) => r.scenario.startsWith("batch"));
    const batchOrders = batches.reduce((sum, r) => sum + r.orders, 0);
    const singles = results.filter((r) => !r.scenario.startsWith("batch")).reduce((sum, r) => sum + r.requests, 0);
    expect(placed).toBeGreaterThanOrEqual(80 + batchOrders);
    expect(placed).toBeLessThanOrEqual(80 + batchOrders + singles);
    expect(batchOrders).toBe(batches.reduce((sum, r) => sum + r.requests * 50, 0));
  } finally {
    ex.proc.kill("SIGKILL");
    await ex.proc.exited;
  }
}, 60_000);

test("exchange load --api binance sends the same flow as signed /api/v3 orders and cancels; the exchange took them", async () => {
  const dir = tempDir("exchange-load-binance-");
  const ex = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, { EXCHANGE_DB: join(dir, "x.db"), EXCHANGE_BINANCE_WEIGHT_LIMIT: "0", EXCHANGE_BINANCE_ORDER_LIMIT: "0" });
  try {
    const results = JSON.parse(runCli([...EXCHANGE_FROM_SOURCE, "load", "--url", ex.url, "--api", "binance",
      "--scenario", "sequential,sustained", "--orders", "200", "--duration", "1", "--connections", "4", "--json"], dir)).results as {
      scenario: string; requests: number; ok: number; errors: number; statuses: Record<string, number>;
    }[];
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.ok).toBe(r.requests);
    }
    // The exchange placed them: beyond the 40 seeded orders, most of the requests were new orders.
    const placed = await ordersPlaced(ex);
    expect(placed).toBeGreaterThan(40 + results[0]!.requests / 2);
    // The batch scenarios are /api/v1's own: --api binance refuses them, naming why.
    const refused = Bun.spawnSync([...EXCHANGE_FROM_SOURCE, "load", "--url", ex.url, "--api", "binance", "--scenario", "batch"], { cwd: dir, stderr: "pipe" });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.toString()).toContain("run them with --api native");
  } finally {
    ex.proc.kill("SIGKILL");
    await ex.proc.exited;
  }
}, 60_000);

test("exchange load --api binary runs sustained and open-loop over the binary protocol; the exchange took the orders", async () => {
  const dir = tempDir("exchange-load-binary-");
  const ex = await spawnExchange(EXCHANGE_FROM_SOURCE, dir, { EXCHANGE_DB: join(dir, "x.db") }, ["serve", "--port", "0", "--binary-port", "0"]);
  try {
    const binaryUrl = /binary (tcp:\/\/\S+)/.exec(ex.startup)![1]!;
    const results = JSON.parse(runCli([...EXCHANGE_FROM_SOURCE, "load", "--url", ex.url, "--api", "binary", "--binary-url", binaryUrl,
      "--scenario", "sustained,open-loop", "--duration", "1", "--rate", "300", "--connections", "2", "--window", "16", "--json"], dir)).results as {
      scenario: string; requests: number; ok: number; errors: number;
    }[];
    expect(results.map((r) => r.scenario)).toEqual(["binary sustained", "binary open-loop"]);
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.ok).toBe(r.requests);
    }
    expect(results[1]!.requests).toBeGreaterThanOrEqual(290); // 300/s for 1 s, open loop
    // Beyond the 40 seeded orders (over HTTP), most requests were new orders (the rest cancels and amends).
    const placed = await ordersPlaced(ex);
    expect(placed).toBeGreaterThan(40 + (results[0]!.requests + results[1]!.requests) / 2);
    // It needs the binary port, and runs only the scenarios it has.
    const refused = Bun.spawnSync([...EXCHANGE_FROM_SOURCE, "load", "--url", ex.url, "--api", "binary", "--binary-url", binaryUrl, "--scenario", "batch"], { cwd: dir, stderr: "pipe" });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.toString()).toContain("runs the sustained and open-loop scenarios");
  } finally {
    ex.proc.kill("SIGKILL");
    await ex.proc.exited;
  }
}, 60_000);
