// Bots in Python against a real exchange on loopback, with only their URLs changed: python-binance
// (its REST calls and a market stream, test/python/binance_bot.py), and python ccxt configured
// with the README's freqtrade block, as freqtrade configures it (test/python/freqtrade_config.py).
// The packages are installed into test/.python (once) if this machine's Python does not have them.
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestExchange } from "./helpers";

const PACKAGES: Record<string, string> = { binance: "python-binance==1.0.37", ccxt: "ccxt==4.5.84" };
const target = join(import.meta.dir, ".python");
const ex = startTestExchange();
afterAll(() => ex.stop());

function python(args: string[]) {
  return Bun.spawn(["python3", ...args], { env: { ...process.env, PYTHONPATH: target }, stdout: "pipe", stderr: "pipe" });
}

/** Installs the Python package that provides `module` into test/.python unless Python has it. */
async function ensure(module: string) {
  if ((await python(["-c", `import ${module}`]).exited) === 0) return;
  const install = python(["-m", "pip", "install", "--quiet", "--upgrade", "--target", target, PACKAGES[module]!]);
  expect({ code: await install.exited, stderr: await new Response(install.stderr).text() }).toMatchObject({ code: 0 });
}

/** Runs a script of test/python; it prints OK when every assertion of it held. */
async function run(script: string, args: string[]) {
  const bot = python([join(import.meta.dir, "python", script), ...args]);
  const [code, out, err] = [await bot.exited, await new Response(bot.stdout).text(), await new Response(bot.stderr).text()];
  expect({ code, out, err: err.slice(-2000) }).toEqual({ code: 0, out: "OK\n", err: expect.any(String) });
}

test("a python-binance bot trades and streams against the Binance surface", async () => {
  await ensure("binance");
  await run("binance_bot.py", [ex.url]);
}, 180_000);

test("the README's freqtrade block configures python ccxt's sync, async and pro clients for this venue", async () => {
  // The block as the README prints it, pointed at this test's server.
  const readme = readFileSync(join(import.meta.dir, "..", "README.md"), "utf8");
  const block = /```json\n("exchange": \{[\s\S]*?)\n```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const config = JSON.parse(`{${block}}`).exchange.ccxt_config;
  const pointed = JSON.stringify(config).replaceAll("http://127.0.0.1:8080", ex.url).replaceAll("ws://127.0.0.1:8080", ex.url.replace("http", "ws"));
  await ensure("ccxt");
  await run("freqtrade_config.py", [ex.url, pointed]);
}, 240_000);
