// The market selector, the ticker, the view tabs, and the health of the page's own connection.
import { useEffect, useState } from "preact/hooks";
import type { MarketInfo } from "../api";
import { frameStats } from "../frame";
import type { MarketFeed } from "../market-feed";
import type { Stream } from "../stream";
import type { View } from "../main";
import { useStore } from "./use-store";

interface Props {
  markets: MarketInfo[];
  market: MarketInfo;
  feed: MarketFeed;
  stream: Stream;
  view: View;
  onView(view: View): void;
  onMarket(symbol: string): void;
}

export function TopBar({ markets, market, feed, stream, view, onView, onMarket }: Props) {
  const ticker = useStore(feed.ticker);
  const book = useStore(feed.book);
  const lastTrade = useStore(feed.trades)[0];
  const health = useStore(stream.health);
  const framesPerSecond = useFramesPerSecond();
  return (
    <header class="top-bar">
      <span class="brand">exchange</span>
      <select aria-label="market" data-testid="market-select" value={market.symbol} onChange={(e) => onMarket(e.currentTarget.value)}>
        {markets.map((m) => <option value={m.symbol}>{m.symbol}</option>)}
      </select>
      <dl class="ticker" data-testid="ticker">
        <div><dt>last</dt><dd data-testid="last-price">{lastTrade?.price ?? ticker?.lastPrice ?? "–"}</dd></div>
        <div><dt>bid</dt><dd class="buy">{book.bestBid() ?? "–"}</dd></div>
        <div><dt>ask</dt><dd class="sell">{book.bestAsk() ?? "–"}</dd></div>
        <div><dt>24h volume</dt><dd>{ticker ? `${ticker.volume24h} ${market.baseAsset}` : "–"}</dd></div>
      </dl>
      <nav class="tabs">
        <button class={view === "trade" ? "active" : ""} onClick={() => onView("trade")}>Trade</button>
        <button class={view === "operator" ? "active" : ""} data-testid="operator-tab" onClick={() => onView("operator")}>Operator</button>
      </nav>
      <span class={`link ${health.connected ? "up" : "down"}`} data-testid="stream-health" data-messages={health.messages}
        data-frames={frameStats.frames} data-draw-ms={Math.round(frameStats.drawMs)} data-book-updates={feed.bookStats.updates} data-book-gaps={feed.bookStats.gaps}
        title={`the page's stream: messages per second, and frames it drew per second${health.lastError ? `; the exchange's last refusal: ${health.lastError}` : ""}`}>
        {health.connected ? "live" : "reconnecting…"} · {health.messagesPerSecond} msg/s · {framesPerSecond} fps
      </span>
    </header>
  );
}

function useFramesPerSecond(): number {
  const [fps, setFps] = useState(0);
  useEffect(() => {
    let last = frameStats.frames;
    const timer = setInterval(() => {
      setFps(frameStats.frames - last);
      last = frameStats.frames;
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  return fps;
}
