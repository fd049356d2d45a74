// The participants in the order they wake: a binary heap on (nextWake, index), so that ties
// break the same way on every run. Each entry's wake time is copied in beside its index when it
// is pushed (a participant's nextWake changes only while it is off the queue, in its wake), so
// sifting compares numbers in two typed arrays instead of reading thousands of objects.
import type { Participant } from "./participant";

export class WakeQueue {
  private times = new Float64Array(64);
  private indices = new Int32Array(64);
  private length = 0;

  constructor(private readonly participants: Participant[]) {}

  get size(): number {
    return this.length;
  }

  push(index: number): void {
    if (this.length === this.times.length) this.grow();
    const time = this.participants[index]!.nextWake;
    const times = this.times, indices = this.indices;
    // Sift up: parents later than the new entry move down into the hole.
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(time, index, times[parent]!, indices[parent]!)) break;
      times[i] = times[parent]!;
      indices[i] = indices[parent]!;
      i = parent;
    }
    times[i] = time;
    indices[i] = index;
  }

  /** The next to wake if it wakes at or before `time`, taken off the queue. */
  popDue(time: number): number | undefined {
    if (this.length === 0 || this.times[0]! > time) return undefined;
    const times = this.times, indices = this.indices;
    const top = indices[0]!;
    const n = --this.length;
    if (n > 0) {
      // Sift the last entry down from the root: earlier children move up into the hole.
      const t = times[n]!, x = indices[n]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && before(times[r]!, indices[r]!, times[l]!, indices[l]!) ? r : l;
        if (!before(times[m]!, indices[m]!, t, x)) break;
        times[i] = times[m]!;
        indices[i] = indices[m]!;
        i = m;
      }
      times[i] = t;
      indices[i] = x;
    }
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2), indices = new Int32Array(this.indices.length * 2);
    times.set(this.times);
    indices.set(this.indices);
    this.times = times;
    this.indices = indices;
  }
}

function before(ta: number, a: number, tb: number, b: number): boolean {
  return ta < tb || (ta === tb && a < b);
}
