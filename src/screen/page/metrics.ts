// The operator panel's figures, read from /metrics (Prometheus text) like any monitoring tool:
// rates are the change between two samples divided by the time between them.

/** Each sample's value by its name with labels, as written: `exchange_orders_total{symbol="BTC-USD"}`. */
export type Samples = Map<string, number>;

export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const value = Number(line.slice(space + 1));
    if (space > 0 && Number.isFinite(value)) samples.set(line.slice(0, space), value);
  }
  return samples;
}

/** The sum over every label set of a metric. */
export function total(samples: Samples, name: string): number {
  let sum = 0;
  for (const [key, value] of samples) {
    if (key === name || (key.startsWith(name) && key[name.length] === "{")) sum += value;
  }
  return sum;
}

export interface OperatorFigures {
  ordersPerSecond: number;
  tradesPerSecond: number;
  /** Mean commands per batch over the interval (null with no batch in it). */
  batchSize: number | null;
  /** Mean and 99th percentile (the bucket bound it falls in) of the commit time, in ms. */
  commitMs: number | null;
  commitP99Ms: number | null;
  queueDepth: number;
  openOrders: number;
  websocketClients: number;
  residentMb: number;
}

/** The figures between two samples taken `seconds` apart. */
export function figures(before: Samples, after: Samples, seconds: number): OperatorFigures {
  const delta = (name: string) => total(after, name) - total(before, name);
  const batches = delta("exchange_batch_commands_count");
  const commits = delta("exchange_commit_seconds_count");
  return {
    ordersPerSecond: delta("exchange_orders_total") / seconds,
    tradesPerSecond: delta("exchange_trades_total") / seconds,
    batchSize: batches > 0 ? delta("exchange_batch_commands_sum") / batches : null,
    commitMs: commits > 0 ? (delta("exchange_commit_seconds_sum") / commits) * 1000 : null,
    commitP99Ms: commits > 0 ? quantileBound(before, after, "exchange_commit_seconds", 0.99, commits) * 1000 : null,
    queueDepth: total(after, "exchange_queue_depth"),
    openOrders: total(after, "exchange_open_orders"),
    websocketClients: total(after, "exchange_websocket_clients"),
    residentMb: total(after, "process_resident_memory_bytes") / 2 ** 20,
  };
}

/** The upper bound of the histogram bucket holding quantile `q` of what was observed between the samples. */
function quantileBound(before: Samples, after: Samples, name: string, q: number, count: number): number {
  const prefix = `${name}_bucket{le="`;
  const bounds: [number, number][] = [];
  for (const [key, value] of after) {
    if (!key.startsWith(prefix)) continue;
    const le = key.slice(prefix.length, -2);
    bounds.push([le === "+Inf" ? Infinity : Number(le), value - (before.get(key) ?? 0)]);
  }
  bounds.sort((a, b) => a[0] - b[0]);
  const rank = q * count;
  for (const [bound, cumulative] of bounds) if (cumulative >= rank) return bound;
  return Infinity;
}
