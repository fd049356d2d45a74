// The charts' common look (lightweight-charts options), matching styles.css.
import { ColorType } from "lightweight-charts";

export const UP = "#26a69a", DOWN = "#ef5350";

/** The charts redraw at most this often (10 a second): each redraw repaints the whole canvas. */
export const CHART_INTERVAL_MS = 100;

export const CHART_THEME = {
  autoSize: true,
  layout: { background: { type: ColorType.Solid, color: "#0f141b" }, textColor: "#9aa7b4", attributionLogo: false },
  grid: { vertLines: { color: "#1b232d" }, horzLines: { color: "#1b232d" } },
} as const;
