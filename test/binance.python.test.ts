// python-binance, a bot's client in Python, against a real exchange on loopback: its REST calls
// and a market stream, with only its URLs changed (test/python/binance_bot.py). python-binance is
// installed into test/.python (once) if this machine's Python does not have it.
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startTestExchange } from "./helpers";

const PYTHON_BINANCE = "python-binance==1.0.37";
const target = join(import.meta.dir, ".python");
const ex = startTestExchange();
afterAll(() => ex.stop());

function python(args: string[]) {
  return Bun.spawn(["python3", ...args], { env: { ...process.env, PYTHONPATH: target }, stdout: "pipe", stderr: "pipe" });
}

test("a python-binance bot trades and streams against the Binance surface", async () => {
  const probe = python(["-c", "import binance"]);
  if ((await probe.exited) !== 0 && !existsSync(join(target, "binance"))) {
    const install = python(["-m", "pip", "install", "--quiet", "--target", target, PYTHON_BINANCE]);
    expect({ code: await install.exited, stderr: await new Response(install.stderr).text() }).toMatchObject({ code: 0 });
  }
  const bot = python([join(import.meta.dir, "python", "binance_bot.py"), ex.url]);
  const [code, out, err] = [await bot.exited, await new Response(bot.stdout).text(), await new Response(bot.stderr).text()];
  expect({ code, out, err: err.slice(-2000) }).toEqual({ code: 0, out: "OK\n", err: expect.any(String) });
}, 180_000);
