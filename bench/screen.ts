// The trading screen under a busy book: the compiled binary (npm run build first), a steady load
// of orders (each nearly one book update), the screen in headless Chromium. Per round: the book
// updates the page applied per second, the frames it drew per second, and its heap after the
// warm-up and at the end; the baseline, in the same round and under the same load, is a bare page
// that only counts animation frames (what the browser can draw on this machine at all).
//
//   bun bench/screen.ts [--rate 1400] [--rounds 3] [--seconds 30]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bookLoad, drawingUnderLoad, launchChromium } from "../test/browser";
import { spawnExchange, tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { rate: { type: "string", default: "1400" }, rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "30" } } });
const rate = Number(values.rate), rounds = Number(values.rounds), seconds = Number(values.seconds);
const binary = join(import.meta.dir, "..", "dist", "exchange");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const browser = await launchChromium();
const rows: { updates: number; frames: number; bare: number; heapRatio: number; warmMiB: number }[] = [];
for (let round = 0; round < rounds; round++) {
  const exchange = await spawnExchange([binary], tempDir("exchange-bench-screen-"));
  const key = (await exchange.call("POST", "/api/v1/accounts", { json: { name: "loader", deposits: { USD: "1000000000", BTC: "100000" } } })).body.apiKey;
  const stop = { done: false };
  const load = bookLoad(exchange.url, key, rate, stop);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(exchange.url);
  const drawn = await drawingUnderLoad(page, { windows: seconds / 10 });
  // The baseline: a bare page beside the screen, counting frames for five seconds.
  const bare = await context.newPage();
  await bare.goto(`${exchange.url}/health`);
  const bareFps = await bare.evaluate(() => new Promise<number>((done) => {
    // This runs in the page, where requestAnimationFrame exists (the bench is typed without the DOM).
    const { requestAnimationFrame } = globalThis as unknown as { requestAnimationFrame(f: () => void): void };
    let frames = 0;
    const began = performance.now();
    const frame = () => (++frames, performance.now() - began < 5000 ? requestAnimationFrame(frame) : done(frames / 5));
    requestAnimationFrame(frame);
  }));
  stop.done = true;
  const sent = await load;
  await context.close();
  exchange.proc.kill("SIGTERM");
  await exchange.proc.exited;
  const row = { updates: drawn.updatesPerSecond, frames: drawn.framesPerSecond, bare: bareFps, heapRatio: drawn.end.heap / drawn.warm.heap, warmMiB: drawn.warm.heap / 2 ** 20 };
  rows.push(row);
  console.log(`round ${round + 1}: ${sent} orders sent; ${row.updates.toFixed(0)} book updates/s applied, ${row.frames.toFixed(1)} frames/s drawn ` +
    `(bare page ${row.bare.toFixed(1)}, x${(row.frames / row.bare).toFixed(2)}), heap ${row.warmMiB.toFixed(2)} MiB after warm-up, x${row.heapRatio.toFixed(3)} at the end (medians of 3 readings each)`);
}
await browser.close();
console.log(`median of ${rounds}: ${median(rows.map((r) => r.updates)).toFixed(0)} book updates/s, ${median(rows.map((r) => r.frames)).toFixed(1)} frames/s ` +
  `(x${median(rows.map((r) => r.frames / r.bare)).toFixed(2)} of a bare page's ${median(rows.map((r) => r.bare)).toFixed(1)}), heap x${median(rows.map((r) => r.heapRatio)).toFixed(3)}`);
