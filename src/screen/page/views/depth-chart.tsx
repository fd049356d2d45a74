// The cumulative depth chart: bids' running total stepping down to the left of the spread, asks'
// to the right, over the best levels of each side (a band around the middle wide enough for them,
// at most 5% either way), drawn on a canvas at most ten times a second.
import { useEffect, useRef } from "preact/hooks";
import type { LocalBook } from "../book";
import { throttledDraw } from "../frame";
import type { MarketFeed } from "../market-feed";
import { CHART_INTERVAL_MS, DOWN, UP } from "./chart-theme";

/** Levels of each side the band is made to hold, and the widest it may be (of the middle price). */
const LEVELS = 100;
const MAX_BAND = 0.05;

export function DepthChart({ feed }: { feed: MarketFeed }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const draw = () => canvas.current && drawDepth(canvas.current, feed.book.value);
    draw();
    const resize = new ResizeObserver(draw);
    resize.observe(canvas.current!);
    const stop = feed.book.listen(throttledDraw(draw, CHART_INTERVAL_MS));
    return () => {
      stop();
      resize.disconnect();
    };
  }, [feed]);
  return (
    <div class="depth-chart">
      <h2>Depth</h2>
      <canvas ref={canvas} data-testid="depth-chart" />
    </div>
  );
}

function drawDepth(canvas: HTMLCanvasElement, book: LocalBook): void {
  const ratio = devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const g = canvas.getContext("2d")!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const bid = book.bids.rows[0], ask = book.asks.rows[0];
  if (!bid && !ask) {
    g.fillStyle = "#5c6b7a";
    g.fillText("the book is empty", 10, 20);
    return;
  }
  const mid = bid && ask ? (bid.key + ask.key) / 2 : (bid ?? ask)!.key;
  const deepest = (rows: readonly { key: number }[]) => Math.abs((rows[Math.min(rows.length, LEVELS) - 1]?.key ?? mid) - mid);
  const half = Math.min(mid * MAX_BAND, Math.max(deepest(book.bids.rows), deepest(book.asks.rows), mid * 0.0005) * 1.05);
  const low = mid - half, high = mid + half;
  const bids = cumulative(book.bids.rows, (k) => k >= low);
  const asks = cumulative(book.asks.rows, (k) => k <= high);
  const most = Math.max(bids.at(-1)?.[1] ?? 0, asks.at(-1)?.[1] ?? 0) || 1;
  const x = (price: number) => ((price - low) / (high - low)) * width;
  const y = (total: number) => height - 4 - (total / most) * (height - 24);
  area(g, bids, x, y, height, UP);
  area(g, asks, x, y, height, DOWN);
  g.fillStyle = "#9aa7b4";
  g.font = "11px system-ui, sans-serif";
  g.fillText(low.toPrecision(7), 4, 12);
  g.fillText(high.toPrecision(7), width - 4 - g.measureText(high.toPrecision(7)).width, 12);
}

/** [price, running total] from the best level out, while `inBand` holds. */
function cumulative(rows: readonly { key: number; quantity: string }[], inBand: (key: number) => boolean): [number, number][] {
  const points: [number, number][] = [];
  let total = 0;
  for (const r of rows) {
    if (!inBand(r.key)) break;
    total += Number(r.quantity);
    points.push([r.key, total]);
  }
  return points;
}

function area(g: CanvasRenderingContext2D, points: [number, number][], x: (p: number) => number, y: (t: number) => number, height: number, color: string): void {
  if (points.length === 0) return;
  g.beginPath();
  g.moveTo(x(points[0]![0]), height);
  let lastY = y(0);
  for (const [price, total] of points) {
    g.lineTo(x(price), lastY);
    lastY = y(total);
    g.lineTo(x(price), lastY);
  }
  g.lineTo(x(points.at(-1)![0]), height);
  g.closePath();
  g.fillStyle = `${color}40`;
  g.strokeStyle = color;
  g.fill();
  g.stroke();
}
