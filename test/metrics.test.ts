// Prometheus text: histogram buckets are cumulative and end at the count; counters keep one series per label value.
import { expect, test } from "bun:test";
import { Counter, Histogram } from "../src/metrics";

test("a histogram's buckets count every observation at or below their bound; +Inf is the count", () => {
  const h = new Histogram("x_seconds", "help", [1, 2, 4]);
  for (const v of [0.5, 1, 1.5, 3, 4, 9]) h.observe(v);
  const text = h.text();
  expect(text).toContain('x_seconds_bucket{le="1"} 2\n');
  expect(text).toContain('x_seconds_bucket{le="2"} 3\n');
  expect(text).toContain('x_seconds_bucket{le="4"} 5\n');
  expect(text).toContain('x_seconds_bucket{le="+Inf"} 6\n');
  expect(text).toContain("x_seconds_sum 19\n");
  expect(text.endsWith("x_seconds_count 6")).toBe(true);
});

test("a counter keeps a series per label value, its text escaped", () => {
  const c = new Counter("x_total", "help", "reason");
  c.inc("A");
  c.inc("B");
  c.inc("A");
  c.inc('q"x\n');
  expect(c.text().split("\n").slice(2)).toEqual(['x_total{reason="A"} 2', 'x_total{reason="B"} 1', 'x_total{reason="q_x_"} 1']);
});
