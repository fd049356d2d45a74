// A ring of byte messages in shared memory, from one thread to one other: the server's thread
// hands each committed batch to the projector's this way. Posting a message per batch to a Worker
// (structured clone, a task on the other side) cost the server's thread more than writing the rows
// had (BENCHMARKS.md); here a message is a copy into shared memory and two atomic stores.
//
// Positions count 8-byte words and only grow (wrapping as 32-bit integers), so "how full" is one
// subtraction. A message is a header word (its byte length, and whether it is the first and the
// last segment of a whole) and its bytes. A message too large for the ring goes in segments; one
// that would cross the ring's end starts at its beginning instead, behind a word that says so.
// The ring is bounded: a writer that finds it full waits until the reader has taken enough.

const HEAD = 0, TAIL = 1, TAKEN = 2; // control words: next word to write, next to read, a counter to wait on
const FIRST = 1, LAST = 2, WRAP = 4; // header flags

export class MessageRing {
  private readonly control: Int32Array;
  private readonly words: number;
  private readonly bytes: Uint8Array;
  private readonly headers: Uint32Array;
  /** Reader: a message whose segments are still coming, and the position past the message read
   *  last (given back at its release). */
  private partial: Uint8Array[] = [];
  private pending: number | null = null;

  /** The shared memory of a ring that holds `capacity` bytes (a power of two, at least 64 KiB). */
  static create(capacity: number): SharedArrayBuffer {
    if (capacity < 1 << 16 || (capacity & (capacity - 1)) !== 0) throw new RangeError("a ring holds a power of two bytes, at least 64 KiB");
    return new SharedArrayBuffer(16 + capacity);
  }

  /** `onFull`: called before the writer waits for room (to hurry the reader along). */
  constructor(shared: SharedArrayBuffer, private readonly onFull: () => void = () => {}) {
    this.control = new Int32Array(shared, 0, 4);
    this.bytes = new Uint8Array(shared, 16);
    this.headers = new Uint32Array(shared, 16);
    this.words = this.bytes.byteLength / 8;
  }

  /** How full it is, from 0 to 1. */
  fill(): number {
    return ((Atomics.load(this.control, HEAD) - Atomics.load(this.control, TAIL)) | 0) / this.words;
  }

  /** Writer: appends one message made of `parts`, waiting while the ring is full. */
  write(parts: readonly Uint8Array[]): void {
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    const segment = this.bytes.byteLength / 4;
    let part = 0, offset = 0;
    for (let written = 0, first = true; first || written < total; first = false) {
      const n = Math.min(segment, total - written);
      const at = this.reserve(1 + Math.ceil(n / 8));
      let to = (at + 1) * 8;
      for (let left = n; left > 0;) {
        const p = parts[part]!;
        const take = Math.min(left, p.byteLength - offset);
        // (A view of a small array copied whole costs JSC a new buffer for it: set it as it is.)
        this.bytes.set(offset === 0 && take === p.byteLength ? p : p.subarray(offset, offset + take), to);
        to += take;
        left -= take;
        offset += take;
        if (offset === p.byteLength) part++, offset = 0;
      }
      written += n;
      this.headers[at * 2] = n;
      this.headers[at * 2 + 1] = (first ? FIRST : 0) | (written === total ? LAST : 0);
      Atomics.store(this.control, HEAD, (Atomics.load(this.control, HEAD) + 1 + Math.ceil(n / 8)) | 0);
    }
  }

  /** Reader: the next whole message, or null when none is complete. It is a view of the ring
   *  (starting at a multiple of 8), valid until `release`, which must come before the next read;
   *  a message written in segments comes as a copy of its own. */
  read(): Uint8Array | null {
    this.release();
    for (;;) {
      const tail = Atomics.load(this.control, TAIL);
      if (tail === Atomics.load(this.control, HEAD)) return null;
      const at = tail & (this.words - 1);
      const n = this.headers[at * 2]!, flags = this.headers[at * 2 + 1]!;
      const next = (tail + (flags & WRAP ? this.words - at : 1 + Math.ceil(n / 8))) | 0;
      if (flags & WRAP) {
        this.advance(next);
        continue;
      }
      const view = this.bytes.subarray((at + 1) * 8, (at + 1) * 8 + n);
      if (flags & FIRST && flags & LAST) {
        this.pending = next;
        return view;
      }
      if (flags & FIRST) this.partial = [];
      this.partial.push(view.slice());
      this.advance(next);
      if (!(flags & LAST)) continue;
      const parts = this.partial;
      this.partial = [];
      return concatenate(parts);
    }
  }

  /** Reader: gives back the room of the message `read` returned last. */
  release(): void {
    if (this.pending === null) return;
    this.advance(this.pending);
    this.pending = null;
  }

  /** Words of a message of `words` words, contiguous, once there is room: the index of the first. */
  private reserve(words: number): number {
    for (;;) {
      const head = Atomics.load(this.control, HEAD);
      const at = head & (this.words - 1);
      const skip = at + words > this.words ? this.words - at : 0;
      const used = (head - Atomics.load(this.control, TAIL)) | 0;
      if (used + skip + words <= this.words) {
        if (!skip) return at;
        this.headers[at * 2] = 0;
        this.headers[at * 2 + 1] = WRAP;
        Atomics.store(this.control, HEAD, (head + skip) | 0);
        continue;
      }
      const taken = Atomics.load(this.control, TAKEN);
      this.onFull();
      if (((head - Atomics.load(this.control, TAIL)) | 0) === used) Atomics.wait(this.control, TAKEN, taken, 1000);
    }
  }

  private advance(tail: number): void {
    Atomics.store(this.control, TAIL, tail);
    Atomics.add(this.control, TAKEN, 1);
    Atomics.notify(this.control, TAKEN);
  }
}

function concatenate(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
