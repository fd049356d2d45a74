// Drawing at most once per animation frame. Stream messages change the screen's state as they
// arrive (cheap); what draws that state asks for the next frame, and however many messages came in
// between, each view draws once. With 1,000 book updates a second the page still draws 60 frames.

type Draw = () => void;

const dirty = new Set<Draw>();
let requested = false;

/** Frames drawn so far, and the time spent drawing them (the health of the page itself). */
export const frameStats = { frames: 0, drawMs: 0 };

function drawFrame(): void {
  requested = false;
  const started = performance.now();
  const draws = [...dirty];
  dirty.clear();
  for (const draw of draws) {
    try {
      draw();
    } catch (error) {
      console.error(error);
    }
  }
  frameStats.frames++;
  frameStats.drawMs += performance.now() - started;
}

/** Runs `draw` in the next animation frame, once however often it is asked for before then. */
export function drawNextFrame(draw: Draw): void {
  dirty.add(draw);
  if (!requested) {
    requested = true;
    requestAnimationFrame(drawFrame);
  }
}

/**
 * `draw`, asked for as often as anything changes, run in an animation frame at most every
 * `intervalMs`: for views drawn on a canvas (the charts), which cost a repaint of their whole
 * area each time and need not move sixty times a second to look live.
 */
export function throttledDraw(draw: Draw, intervalMs: number): () => void {
  let last = -Infinity;
  let waiting = false;
  const run = () => {
    last = performance.now();
    draw();
  };
  return () => {
    if (waiting) return;
    const wait = last + intervalMs - performance.now();
    if (wait <= 0) return drawNextFrame(run);
    waiting = true;
    setTimeout(() => {
      waiting = false;
      drawNextFrame(run);
    }, wait);
  };
}

/** A value that views redraw from: `set` or `touch` it as often as messages come; its listeners
 *  hear of it once per frame. */
export class FrameStore<T> {
  private readonly listeners = new Set<(value: T) => void>();
  private readonly notify = () => {
    for (const l of this.listeners) l(this.value);
  };

  /** Grows with every change: a view that starts listening after it drew knows if it missed one. */
  version = 0;

  constructor(public value: T) {}

  set(value: T): void {
    this.value = value;
    this.touch();
  }

  /** The value changed in place. */
  touch(): void {
    this.version++;
    if (this.listeners.size > 0) drawNextFrame(this.notify);
  }

  listen(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
