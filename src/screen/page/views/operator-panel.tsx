// The operator's view: the exchange's health and throughput from /health and /metrics (sampled
// each second), and the simulation's controls (/api/v1/sim).
import { useEffect, useRef, useState } from "preact/hooks";
import { createChart, LineSeries, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { api, ApiFailure, type SimulationStatus } from "../api";
import { figures, parseMetrics, type OperatorFigures, type Samples } from "../metrics";
import { CHART_THEME } from "./chart-theme";
import { dateTime, rate } from "./format";

const PRESETS = ["calm", "trending", "volatile", "flash-crash", "news", "abides"];
const PACES = ["realtime", "2x", "10x", "50x", "max"];
/** Seconds of throughput the chart keeps. */
const HISTORY = 600;

export function OperatorPanel() {
  const [health, setHealth] = useState<string>("…");
  const [current, setCurrent] = useState<OperatorFigures | null>(null);
  const chart = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const c = createChart(chart.current!, { ...CHART_THEME, timeScale: { timeVisible: true, secondsVisible: true } });
    const orders = c.addSeries(LineSeries, { color: "#4c9aff", lineWidth: 2, title: "orders/s" });
    const trades = c.addSeries(LineSeries, { color: "#f5a524", lineWidth: 2, title: "trades/s" });
    let before: { samples: Samples; at: number } | null = null;
    let points = 0;
    const sample = async () => {
      api<{ status: string }>("GET", "/health").then((h) => setHealth(h.status), (e: Error) => setHealth(`down: ${e.message}`));
      const response = await fetch("/metrics").catch(() => null);
      if (!response?.ok) return;
      const now = { samples: parseMetrics(await response.text()), at: performance.now() };
      if (before) {
        const f = figures(before.samples, now.samples, (now.at - before.at) / 1000);
        setCurrent(f);
        const time = Math.floor(Date.now() / 1000) as UTCTimestamp;
        plot(orders, time, f.ordersPerSecond, ++points);
        plot(trades, time, f.tradesPerSecond, points);
      }
      before = now;
    };
    void sample();
    const timer = setInterval(sample, 1000);
    return () => {
      clearInterval(timer);
      c.remove();
    };
  }, []);

  const tile = (label: string, value: string, testId: string) => (
    <div class="tile" data-testid={testId}><span class="label">{label}</span><span class="value">{value}</span></div>
  );
  return (
    <div class="operator-panel">
      <section class="panel tiles">
        <h2>Exchange</h2>
        <div class="tile-grid">
          {tile("health", health, "op-health")}
          {tile("orders/s", rate(current?.ordersPerSecond ?? null), "op-orders")}
          {tile("trades/s", rate(current?.tradesPerSecond ?? null), "op-trades")}
          {tile("batch size (mean)", rate(current?.batchSize ?? null, 1), "op-batch")}
          {tile("commit latency (mean)", current?.commitMs == null ? "–" : `${rate(current.commitMs, 2)} ms`, "op-commit")}
          {tile("commit latency (p99 ≤)", current?.commitP99Ms == null ? "–" : Number.isFinite(current.commitP99Ms) ? `${rate(current.commitP99Ms, 2)} ms` : "> 100 ms", "op-commit-p99")}
          {tile("queue depth", rate(current?.queueDepth ?? null), "op-queue")}
          {tile("open orders", rate(current?.openOrders ?? null), "op-open-orders")}
          {tile("WebSocket clients", rate(current?.websocketClients ?? null), "op-clients")}
          {tile("resident memory", current ? `${rate(current.residentMb)} MiB` : "–", "op-memory")}
        </div>
      </section>
      <section class="panel throughput"><h2>Throughput</h2><div class="chart-canvas" ref={chart} /></section>
      <section class="panel"><SimulationControls /></section>
    </div>
  );
}

function plot(series: ISeriesApi<"Line">, time: UTCTimestamp, value: number, points: number): void {
  series.update({ time, value });
  // Keep the last HISTORY points: the page's memory stays flat however long it is open.
  if (points > HISTORY * 1.5) series.setData(series.data().slice(-HISTORY));
}

function SimulationControls() {
  const [status, setStatus] = useState<SimulationStatus | null>(null);
  const [preset, setPreset] = useState(PRESETS[0]!);
  const [pace, setPace] = useState(PACES[0]!);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => api<SimulationStatus>("GET", "/api/v1/sim").then(setStatus, (e: Error) => setError(e.message));
  useEffect(() => {
    void refresh();
    const timer = setInterval(refresh, 1000);
    return () => clearInterval(timer);
  }, []);
  const act = async (method: string, path: string, body?: unknown) => {
    try {
      setStatus(await api<SimulationStatus>(method, path, body));
      setError(null);
    } catch (e) {
      setError(e instanceof ApiFailure ? `${e.code}: ${e.message}` : String(e));
    }
  };

  const state = status?.state ?? "…";
  const active = state === "running" || state === "paused";
  // A running simulation's own pace is shown, even one this list does not offer.
  const shownPace = active && typeof status?.pace === "string" ? status.pace : pace;
  const paces = PACES.includes(shownPace) ? PACES : [...PACES, shownPace];
  return (
    <div class="simulation" data-testid="simulation" data-state={state}>
      <h2>Simulated market</h2>
      <dl class="sim-status">
        <div><dt>state</dt><dd data-testid="sim-state">{state}</dd></div>
        {active && <>
          <div><dt>scenario</dt><dd>{String(status?.scenario ?? "replay")}</dd></div>
          <div><dt>pace</dt><dd data-testid="sim-pace">{String(status?.pace ?? "")}</dd></div>
          {status?.venueTime !== undefined && <div><dt>venue time</dt><dd>{dateTime(status.venueTime)}</dd></div>}
          <div><dt>commands</dt><dd>{rate(status?.commands ?? null)}</dd></div>
          <div><dt>trades</dt><dd>{rate(status?.trades ?? null)}</dd></div>
          <div><dt>events/s</dt><dd>{rate(status?.eventsPerSecond ?? null)}</dd></div>
        </>}
      </dl>
      <div class="sim-controls">
        {!active && (
          <label>scenario{" "}
            <select data-testid="sim-preset" value={preset} onChange={(e) => setPreset(e.currentTarget.value)}>
              {PRESETS.map((p) => <option value={p}>{p}</option>)}
            </select>
          </label>
        )}
        <label>pace{" "}
          <select data-testid="sim-pace-select" value={pace} onChange={(e) => {
            setPace(e.currentTarget.value);
            if (active) void act("PATCH", "/api/v1/sim", { pace: e.currentTarget.value });
          }}>
            {paces.map((p) => <option value={p}>{p}</option>)}
          </select>
        </label>
        {!active && <button data-testid="sim-start" onClick={() => act("POST", "/api/v1/sim", { scenario: preset, pace })}>Start</button>}
        {state === "running" && <button data-testid="sim-pause" onClick={() => act("POST", "/api/v1/sim/pause")}>Pause</button>}
        {state === "paused" && <button data-testid="sim-resume" onClick={() => act("POST", "/api/v1/sim/resume")}>Resume</button>}
        {active && <button data-testid="sim-stop" onClick={() => act("DELETE", "/api/v1/sim")}>Stop</button>}
      </div>
      <p class="hint">Participants are funded accounts (sim:…) that trade through the same sequencer as every client.</p>
      {error && <p class="error" role="alert" data-testid="sim-error">{error}</p>}
    </div>
  );
}
