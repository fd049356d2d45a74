// The load tool's pacing relies on these: a timer slack fine enough for naps of tens of
// microseconds, and a yield that returns (src/scheduling.ts).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { preciseTimers, yieldCore } from "../src/scheduling";

const slack = () => Number(readFileSync("/proc/self/timerslack_ns", "utf8"));

test.skipIf(process.platform !== "linux")("preciseTimers sets the calling thread's timer slack to 1 µs (Linux's default is 50)", () => {
  preciseTimers();
  expect(slack()).toBe(1_000);
});

test.skipIf(process.platform !== "linux")("yieldCore reaches the kernel's sched_yield, every time", () => {
  // (Whether another thread ran cannot be seen from here; that each call succeeded can.)
  let yielded = 0;
  for (let i = 0; i < 1_000; i++) if (yieldCore()) yielded++;
  expect(yielded).toBe(1_000);
});
