// Chromium for the browser tests and the screen benchmark, and a steady load of book updates.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Debian's Chromium, headless, with the network closed: no name resolves but 127.0.0.1. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
}

/**
 * Book updates at a steady rate, from `workers` clients each sending orders one at a time: limit
 * orders near the top of BTC-USD and cancels of them, and now and then a small market order (so
 * the tape and the chart move too). Each order is a batch of its own, so nearly each one is an
 * update on the book stream. Runs until `stop` is set.
 */
export async function bookLoad(url: string, key: string, perSecond: number, stop: { done: boolean }, workers = 2): Promise<number> {
  const headers = { "content-type": "application/json", "x-api-key": key };
  const open: string[] = [];
  let sent = 0, seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const send = async () => {
    const r = random();
    if (open.length > 200 || (open.length > 20 && r < 0.45)) {
      await fetch(`${url}/api/v1/orders/${open.splice(Math.floor(random() * open.length), 1)[0]}`, { method: "DELETE", headers });
      return;
    }
    const side = random() < 0.5 ? "buy" : "sell";
    const body = r > 0.97
      ? { symbol: "BTC-USD", side, type: "market", quantity: "0.0010" }
      : { symbol: "BTC-USD", side, type: "limit", quantity: "0.0100", price: (side === "buy" ? 40000 - Math.floor(random() * 40) : 40100 + Math.floor(random() * 40)).toFixed(2) };
    const placed = (await (await fetch(`${url}/api/v1/orders`, { method: "POST", headers, body: JSON.stringify(body) })).json()) as { status?: string; orderId: string };
    if (placed.status === "new") open.push(placed.orderId);
  };
  const worker = async () => {
    const began = performance.now();
    for (let n = 0; !stop.done; n++) {
      const due = began + (n * 1000 * workers) / perSecond;
      if (performance.now() < due) await Bun.sleep(due - performance.now());
      await send();
      sent++;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return sent;
}


/**
 * What the screen in `page` drew while its market was busy: after `warmupMs` (the chart, the book
 * and V8's compiled code settle: the heap grows for about a minute), `windows` samples `windowMs`
 * apart of the page's own counters (book updates applied, gaps, frames drawn, the book's sequence)
 * and of its memory (the heap after a collection, the DOM's nodes and event listeners). The heap
 * read after a collection still moves by ±15% from one reading to the next, so `warm` and `end`
 * are the medians of the first three samples and of the last three.
 */
export async function drawingUnderLoad(page: Page, { warmupMs = 60_000, windows = 6, windowMs = 10_000 } = {}) {
  const cdp = await page.context().newCDPSession(page);
  const health = page.getByTestId("stream-health");
  const sample = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    const dom = await cdp.send("Memory.getDOMCounters");
    return {
      at: Date.now(),
      updates: Number(await health.getAttribute("data-book-updates")),
      gaps: Number(await health.getAttribute("data-book-gaps")),
      frames: Number(await health.getAttribute("data-frames")),
      sequence: Number(await page.getByTestId("book").getAttribute("data-sequence")),
      heap: usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners,
    };
  };
  await page.waitForTimeout(warmupMs);
  const samples = [await sample()];
  for (let i = 0; i < windows; i++) {
    await page.waitForTimeout(windowMs);
    samples.push(await sample());
  }
  const median = (of: typeof samples, key: "heap" | "nodes" | "listeners") => of.map((s) => s[key]).sort((a, b) => a - b)[1]!;
  const memory = (of: typeof samples) => ({ heap: median(of, "heap"), nodes: median(of, "nodes"), listeners: median(of, "listeners") });
  const first = samples[0]!, last = samples.at(-1)!;
  const seconds = (last.at - first.at) / 1000;
  return {
    windows: samples, warm: memory(samples.slice(0, 3)), end: memory(samples.slice(-3)),
    updatesPerSecond: (last.updates - first.updates) / seconds,
    framesPerSecond: (last.frames - first.frames) / seconds,
  };
}
