// What a load run reports: counts, throughput and latency percentiles from an HDR histogram.
import * as hdr from "hdr-histogram-js";

export class LatencyRecorder {
  // Microseconds, 3 significant digits, up to 60 s.
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  ok = 0;
  errors = 0;
  readonly statuses = new Map<number, number>();

  record(nanoseconds: number, status: number, success: boolean): void {
    this.histogram.recordValue(Math.max(1, Math.ceil(nanoseconds / 1000)));
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (success) this.ok++;
    else this.errors++;
  }

  percentileMs(p: number): number {
    return this.histogram.getValueAtPercentile(p) / 1000;
  }

  get maxMs(): number {
    return this.histogram.maxValue / 1000;
  }

  get count(): number {
    return this.ok + this.errors;
  }
}

export interface ScenarioResult {
  scenario: string;
  target: string;
  seconds: number;
  requests: number;
  orders: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  requestsPerSecond: number;
  ordersPerSecond: number;
  offeredRate?: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
}

export function summarize(scenario: string, target: string, rec: LatencyRecorder, seconds: number, ordersPerRequest = 1, offeredRate?: number): ScenarioResult {
  return {
    scenario, target, seconds, requests: rec.count, orders: rec.ok * ordersPerRequest, ok: rec.ok, errors: rec.errors,
    statuses: Object.fromEntries([...rec.statuses].sort((a, b) => a[0] - b[0])),
    requestsPerSecond: rec.count / seconds,
    ordersPerSecond: (rec.ok * ordersPerRequest) / seconds,
    offeredRate,
    latencyMs: { p50: rec.percentileMs(50), p90: rec.percentileMs(90), p99: rec.percentileMs(99), p999: rec.percentileMs(99.9), max: rec.maxMs },
  };
}

export function table(results: ScenarioResult[]): string {
  const header = ["scenario", "requests", "ok", "errors", "req/s", "orders/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"];
  const rows = results.map((r) => [
    r.offeredRate ? `${r.scenario} @${r.offeredRate}/s` : r.scenario,
    String(r.requests), String(r.ok), String(r.errors),
    Math.round(r.requestsPerSecond).toLocaleString("en-US"), Math.round(r.ordersPerSecond).toLocaleString("en-US"),
    r.latencyMs.p50.toFixed(3), r.latencyMs.p90.toFixed(3), r.latencyMs.p99.toFixed(3), r.latencyMs.p999.toFixed(3), r.latencyMs.max.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const errorsBy = results.filter((r) => r.errors > 0).map((r) => `  ${r.scenario}: statuses ${JSON.stringify(r.statuses)}`);
  return [line(header), ...rows.map(line), ...errorsBy].join("\n");
}
