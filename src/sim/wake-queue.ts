// The participants in the order they wake: a binary heap on (nextWake, index), so that ties
// break the same way on every run.
import type { Participant } from "./participant";

export class WakeQueue {
  private readonly heap: number[] = [];

  constructor(private readonly participants: Participant[]) {}

  get size(): number {
    return this.heap.length;
  }

  push(index: number): void {
    const h = this.heap;
    h.push(index);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** The next to wake if it wakes at or before `time`, taken off the queue. */
  popDue(time: number): number | undefined {
    const h = this.heap;
    if (h.length === 0 || this.participants[h[0]!]!.nextWake > time) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const wa = this.participants[a]!.nextWake;
    const wb = this.participants[b]!.nextWake;
    return wa < wb || (wa === wb && a < b);
  }
}
