// Thread scheduling on Linux, through libc. The projector's thread (projector.ts) runs only on a
// core nothing else wants (SCHED_IDLE) while it keeps up, and like any other thread while someone
// waits for it. A thread may always lower its own class, but raising it back takes root (or
// CAP_SYS_NICE, or a nice rlimit of 20): without that, it is never lowered. The load tool's pacing
// loop gives its core away between requests (yieldCore). Elsewhere than Linux, nothing changes.
import { dlopen, FFIType } from "bun:ffi";

const SCHED_OTHER = 0, SCHED_IDLE = 5;

interface Libc {
  setScheduler: (tid: number, policy: number) => boolean;
  yield: () => boolean;
  timerSlack: (ns: number) => void;
}
const PR_SET_TIMERSLACK = 29;
let libc: Libc | null | undefined;

function linux(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== "linux") return null;
  try {
    const { symbols } = dlopen("libc.so.6", {
      sched_setscheduler: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
      sched_yield: { args: [], returns: FFIType.i32 },
      prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
    });
    const param = new Int32Array(1); // sched_priority 0, as both policies take
    libc = { setScheduler: (tid, policy) => symbols.sched_setscheduler(tid, policy, param) === 0, yield: () => symbols.sched_yield() === 0,
      timerSlack: (ns) => void symbols.prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0) };
  } catch {
    // (no libc to call)
  }
  return libc;
}

/** The calling thread's id (Linux; 0 elsewhere). */
export function threadId(): number {
  try {
    return Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return 0;
  }
}

/** Whether a thread of this process lowered to idle priority can be raised back. */
export function mayRaise(): boolean {
  if (process.platform !== "linux") return false;
  if (process.getuid?.() === 0) return true;
  try {
    // "Max nice priority  <soft>  <hard>": a soft limit of 20 allows nice 0 again.
    const line = require("node:fs").readFileSync("/proc/self/limits", "utf8").split("\n").find((l: string) => l.startsWith("Max nice priority"));
    return Number(line?.split(/\s{2,}/)[1]) >= 20;
  } catch {
    return false;
  }
}

/** Makes thread `tid` (0: the calling one) run only when a core is idle, or normally again. */
export function runWhenIdle(tid: number, idle: boolean): boolean {
  return linux()?.setScheduler(tid, idle ? SCHED_IDLE : SCHED_OTHER) ?? false;
}

/** Lets another runnable thread of this core run now, if there is one (returning at once if not):
 *  for a loop that must wake every few microseconds, too soon to sleep, yet should not keep a core
 *  from the threads it is waiting for. Returns whether it could (Linux only). */
export function yieldCore(): boolean {
  return linux()?.yield() ?? false;
}

/** Lets the calling thread's timed waits end when asked rather than up to 50 µs later (Linux's
 *  default timer slack, which lets the kernel batch wake-ups): for a loop that naps for tens of
 *  microseconds. (On this VM a 10 µs nap then takes ~30 µs instead of ~90.) */
export function preciseTimers(): void {
  linux()?.timerSlack(1_000);
}
