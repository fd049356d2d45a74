// Candlesticks with volume (lightweight-charts): loaded from the candles endpoint, then grown from
// the trades stream, the last bar redrawn at most ten times a second.
import { useEffect, useRef, useState } from "preact/hooks";
import { CandlestickSeries, createChart, HistogramSeries, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { api, type MarketInfo } from "../api";
import { CandleSeries, INTERVALS, type ApiCandle, type Candle, type Interval } from "../candles";
import { throttledDraw } from "../frame";
import type { MarketFeed } from "../market-feed";
import { CHART_INTERVAL_MS, CHART_THEME, DOWN, UP } from "./chart-theme";
import { dateTime, decimalsOf } from "./format";
import { useStore } from "./use-store";

interface Drawn {
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
}

const toBar = (c: Candle) => ({ time: c.time as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close });
const toVolume = (c: Candle) => ({ time: c.time as UTCTimestamp, value: c.volume, color: c.close >= c.open ? `${UP}80` : `${DOWN}80` });

export function PriceChart({ market, feed }: { market: MarketInfo; feed: MarketFeed }) {
  const container = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);
  const [interval, setInterval] = useState<Interval>("1m");
  const [legend, setLegend] = useState<Candle | null>(null);
  const subscribed = useStore(feed.tradesSubscribed);
  const price = (n: number) => n.toFixed(decimalsOf(market.tickSize));

  useEffect(() => {
    const chart = createChart(container.current!, { ...CHART_THEME, timeScale: { timeVisible: true, secondsVisible: false } });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN,
      priceFormat: { type: "price", precision: decimalsOf(market.tickSize), minMove: Number(market.tickSize) },
    });
    const volume = chart.addSeries(HistogramSeries, { priceScaleId: "volume", priceFormat: { type: "volume" } });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    drawn.current = { candles, volume };
    return () => {
      drawn.current = null;
      chart.remove();
    };
  }, [market.symbol]);

  // The candles load once the trades stream is subscribed (and again after each resubscription):
  // trades streamed before the candles answer are in that answer already (the server publishes a
  // batch's trades before it handles a later request), so only later ones are added.
  useEffect(() => {
    const chart = drawn.current;
    if (!chart || subscribed === 0) return;
    const series = new CandleSeries(interval);
    let loaded = false, gone = false;
    let changed: Candle | undefined;
    const drawLast = () => {
      if (!changed || gone) return;
      chart.candles.update(toBar(changed));
      chart.volume.update(toVolume(changed));
      setLegend({ ...changed });
      changed = undefined;
    };
    const requestDraw = throttledDraw(drawLast, CHART_INTERVAL_MS);
    const stopListening = feed.onTrade((trades) => {
      if (!loaded) return;
      for (const t of trades) changed = series.add(t) ?? changed;
      if (changed) requestDraw();
    });
    api<ApiCandle[]>("GET", `/api/v1/markets/${market.symbol}/candles?interval=${interval}&limit=1000`).then((rows) => {
      if (gone) return;
      series.load(rows);
      chart.candles.setData(series.candles.map(toBar));
      chart.volume.setData(series.candles.map(toVolume));
      setLegend(series.last() ? { ...series.last()! } : null);
      loaded = true;
    }, () => {});
    return () => {
      gone = true;
      stopListening();
    };
  }, [market.symbol, interval, subscribed]);

  return (
    <div class="price-chart">
      <div class="chart-head">
        <span class="intervals">
          {(Object.keys(INTERVALS) as Interval[]).map((i) => (
            <button class={i === interval ? "active" : ""} data-testid={`interval-${i}`} onClick={() => setInterval(i)}>{i}</button>
          ))}
        </span>
        <span class="legend" data-testid="chart-legend" data-time={legend ? legend.time * 1000 : ""} data-trades={legend?.trades ?? 0} data-volume={legend?.volumeText ?? "0"} data-close={legend?.closeText ?? ""}>
          {legend
            ? <>{dateTime(legend.time * 1000)} O {price(legend.open)} H {price(legend.high)} L {price(legend.low)} C {legend.closeText} · V {legend.volumeText} {market.baseAsset} · {legend.trades} trades</>
            : "no trades yet"}
        </span>
      </div>
      <div class="chart-canvas" ref={container} data-testid="price-chart" />
    </div>
  );
}
