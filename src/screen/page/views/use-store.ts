// A view redraws when a store it reads changes: at most once per animation frame (frame.ts).
import { useEffect, useReducer } from "preact/hooks";
import type { FrameStore } from "../frame";

export function useStore<T>(store: FrameStore<T>): T;
export function useStore<T>(store: FrameStore<T> | null): T | null;
export function useStore<T>(store: FrameStore<T> | null): T | null {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const drawn = store?.version;
  useEffect(() => {
    if (!store) return;
    // Effects run after the first paint: a change between the draw and now would be missed.
    if (store.version !== drawn) redraw(0);
    return store.listen(() => redraw(0));
  }, [store]);
  return store?.value ?? null;
}
