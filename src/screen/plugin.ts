// The trading screen's surface: the page at / and its bundled script and styles, built by Bun from
// src/screen/page (TypeScript, Preact, lightweight-charts), so it works with no network. The page
// knows nothing of the exchange's insides: it is a client of /api/v1, /ws and /metrics.
import { basename } from "node:path";
import { Elysia } from "elysia";
import page from "./page/index.html";

interface Asset {
  /** Where it is served: "/" for the page, "/<hashed name>" for what the page loads. */
  path: string;
  body: Blob;
  type: string;
}

// The compiled binary holds the page already bundled (an HTML import is bundled with the binary);
// run from source, the page is bundled here, once, when the server module loads. Bun's own
// serving of HTML imports is not used: Elysia turns it off for apps with request hooks.
async function bundledPage(): Promise<Asset[]> {
  const at = (file: string) => (file.endsWith(".html") ? "/" : `/${basename(file)}`);
  const embedded = (page as { files?: { path: string; headers: { "content-type": string } }[] }).files;
  if (embedded) return embedded.map((f) => ({ path: at(f.path), body: Bun.file(f.path), type: f.headers["content-type"] }));
  const result = await Bun.build({
    entrypoints: [page.index], minify: true, publicPath: "/", target: "browser",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  });
  if (!result.success) throw new AggregateError(result.logs, "the trading screen did not build");
  return result.outputs.map((o) => ({ path: at(o.path), body: o, type: o.type }));
}

const ASSETS = await bundledPage();

export function tradingScreen() {
  const plugin = new Elysia({ name: "trading-screen" });
  for (const asset of ASSETS) {
    // Asset names carry their content's hash, so they may be cached for good; the page may not.
    const cache = asset.path === "/" ? "no-cache" : "public, max-age=31536000, immutable";
    plugin.get(asset.path, () => new Response(asset.body, { headers: { "content-type": asset.type, "cache-control": cache } }), { detail: { hide: true } });
  }
  return plugin;
}
