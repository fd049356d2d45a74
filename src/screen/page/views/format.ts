// How the screen writes times and numbers it did not get as text.

export const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);
export const dateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

export function rate(n: number | null, digits = 0): string {
  if (n === null || !Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Decimals of a step such as "0.001" (3). */
export const decimalsOf = (step: string) => (step.includes(".") ? step.length - step.indexOf(".") - 1 : 0);
