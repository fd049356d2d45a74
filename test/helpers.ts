// Test helpers: a real exchange on loopback (in process, or as a child process), and an API client.
import { join } from "node:path";
import { createAccount } from "../src/accounts";
import type { Limits } from "../src/core/admission";
import { startServer, type RunningServer, type ServerOptions } from "../src/server";
import { tempDir } from "./temp-dirs";

export { tempDir };

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

export function client(baseUrl: string) {
  return async function call(
    method: string, path: string,
    opts: { key?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers["x-api-key"] = opts.key;
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["content-type"] ??= "application/json";
    } else if (opts.raw !== undefined) {
      body = opts.raw;
    }
    const res = await fetch(baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

/** An exchange running in this process on a fresh database, served on a free loopback port. */
export function startTestExchange(limits?: Limits, maxBufferedBytes?: number, options: Partial<ServerOptions> = {}): RunningServer & { call: ReturnType<typeof client>; newAccount(name?: string): string; dbPath: string } {
  const dbPath = join(tempDir(), "exchange.db");
  const server = startServer({ host: "127.0.0.1", port: 0, dbPath, limits, maxBufferedBytes, ...options });
  return {
    ...server,
    dbPath,
    call: client(server.url),
    newAccount: (name = "trader") => createAccount(server.exchange.storage.db, name).apiKey,
  };
}

/** The exchange's command line run from source (the binary takes the same arguments). */
export const EXCHANGE_FROM_SOURCE = [process.execPath, join(import.meta.dir, "..", "src", "main.ts")];

/**
 * Starts `command serve --port 0` (plus `args`) as a child process and waits for its
 * "listening on" line.
 */
export async function spawnExchange(command: string[], cwd: string, env: Record<string, string> = {}, args: string[] = ["serve", "--port", "0"]) {
  const proc = Bun.spawn([...command, ...args], {
    cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  let seen = "";
  const deadline = Date.now() + 20_000;
  while (!/listening on (http:\/\/\S+)/.test(seen)) {
    if (Date.now() > deadline) throw new Error(`exchange did not start: ${seen}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`exchange exited: ${seen}${await new Response(proc.stderr).text()}`);
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const url = /listening on (http:\/\/\S+)/.exec(seen)![1]!;
  return { proc, url, call: client(url), startup: seen };
}

export function runCli(command: string[], cwd: string, env: Record<string, string> = {}): string {
  const r = Bun.spawnSync(command, { cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${command.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** Resolves once `condition` holds, polling every 10 ms; throws after `ms`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(10);
  }
}

/** Waits, if need be, for the next window of `windowMs` on the clock (a minute of request weights,
 *  ten seconds of order counts) so that a test starts at most `latestMs` into one and what it
 *  counts stays in one window. */
export async function earlyInClockWindow(windowMs: number, latestMs: number): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > latestMs) await Bun.sleep(windowMs - into + 100);
}

