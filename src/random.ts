// A seeded random generator (xorshift32): small, fast, reproducible. The load tool's order flows
// and the benchmark streams and tests draw from it, so a seed names one sequence everywhere.
export function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}
