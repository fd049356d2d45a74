// Prometheus metrics: counters and histograms kept in memory, served as text at GET /metrics.
import { CommandKind } from "../native/layout";
import type { BatchReport } from "./core/sequencer";

/** A counter with one label (each value of it a series). The label's text is made at a scrape,
 *  not at each increment: batches count several times each. */
export class Counter {
  private readonly values = new Map<string, { n: number }>();
  /** The label value counted last and its count: a batch's orders are mostly of one market. */
  private last: { value: string; count: { n: number } } | null = null;
  constructor(readonly name: string, readonly help: string, private readonly label: string) {}
  inc(value: string): void {
    if (this.last?.value === value) {
      this.last.count.n++;
      return;
    }
    let count = this.values.get(value);
    if (!count) this.values.set(value, (count = { n: 0 }));
    count.n++;
    this.last = { value, count };
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [value, { n }] of this.values) lines.push(`${this.name}{${this.label}="${value.replace(/["\\\n]/g, "_")}"} ${n}`);
    return lines.join("\n");
  }
}

export class Histogram {
  /** Observations per bucket, each counted in the first bucket it fits (cumulated at a scrape). */
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, readonly help: string, private readonly buckets: number[]) {
    this.counts = new Array(buckets.length).fill(0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    let cumulative = 0;
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${(cumulative += this.counts[i]!)}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join("\n");
  }
}

const gauge = (name: string, help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`;
const SECONDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

export class Metrics {
  readonly orders = new Counter("exchange_orders_total", "New orders given to the engine, by market.", "symbol");
  readonly trades = new Counter("exchange_trades_total", "Trades, by market.", "symbol");
  readonly rejects = new Counter("exchange_rejects_total", "Requests refused (by error code) and orders rejected by matching rules (by reason).", "reason");
  readonly batchCommands = new Histogram("exchange_batch_commands", "Commands per batch (one engine call and one transaction each).", [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]);
  readonly batchSeconds = new Histogram("exchange_batch_seconds", "Time to process a batch: engine, state and commit.", SECONDS);
  readonly commitSeconds = new Histogram("exchange_commit_seconds", "Time of the SQLite transaction that journals a batch (now and then with the orders and trades that follow it; batches committed together count as the last of them).", SECONDS);
  /** Gauges of parts the HTTP app does not know (the binary gateway, snapshots), read at each scrape. */
  private readonly extra: { name: string; help: string; read: () => number }[] = [];

  addGauge(name: string, help: string, read: () => number): void {
    this.extra.push({ name, help, read });
  }

  recordBatch(r: BatchReport): void {
    this.batchCommands.observe(r.journal.length);
    this.batchSeconds.observe(r.seconds.batch);
    this.commitSeconds.observe(r.seconds.commit);
    for (const j of r.journal) {
      if (j.kind === CommandKind.limit || j.kind === CommandKind.market || j.kind === CommandKind.cancelReplace) this.orders.inc(j.symbol);
    }
    for (const t of r.trades) this.trades.inc(t.symbol);
    // A rejected order closes in the batch that saw it, so it is counted once.
    for (const o of r.orders) if (o.status === "rejected") this.rejects.inc(o.rejectReason ?? "REJECTED");
  }

  text(gauges: { queueDepth: number; openOrders: number; websocketClients: number }): string {
    return [
      this.orders.text(), this.trades.text(), this.rejects.text(),
      this.batchCommands.text(), this.batchSeconds.text(), this.commitSeconds.text(),
      gauge("exchange_queue_depth", "Commands waiting for the engine.", gauges.queueDepth),
      gauge("exchange_open_orders", "Orders resting in the books.", gauges.openOrders),
      gauge("exchange_websocket_clients", "Connected WebSocket clients.", gauges.websocketClients),
      gauge("process_resident_memory_bytes", "Resident memory of the process.", process.memoryUsage.rss()),
      ...this.extra.map((g) => gauge(g.name, g.help, g.read())),
    ].join("\n\n") + "\n";
  }
}
