// The trading screen: a client of the public API and streams like any other, served at / by the
// exchange itself (no network needed).

import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, savedApiKey, saveApiKey, type MarketInfo } from "./api";
import { AccountFeed } from "./account-feed";
import { MarketFeed } from "./market-feed";
import { Stream } from "./stream";
import { FrameStore } from "./frame";
import { TopBar } from "./views/top-bar";
import { PriceChart } from "./views/price-chart";
import { BookLadder } from "./views/book-ladder";
import { DepthChart } from "./views/depth-chart";
import { TradeTape } from "./views/trade-tape";
import { OrderEntry, type Ticket } from "./views/order-entry";
import { AccountPanel } from "./views/account-panel";
import { OperatorPanel } from "./views/operator-panel";

const stream = new Stream(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);

export type View = "trade" | "operator";

function Screen() {
  const [markets, setMarkets] = useState<MarketInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [symbol, setSymbol] = useState<string | null>(null);
  const [apiKey, setApiKey] = useState<string | null>(savedApiKey());
  const [view, setView] = useState<View>("trade");
  // Clicking a price in the book puts it in the order ticket.
  const ticket = useMemo(() => new FrameStore<Ticket>({ price: null, side: null }), []);

  useEffect(() => {
    api<MarketInfo[]>("GET", "/api/v1/markets").then((list) => {
      setMarkets(list);
      const fromHash = decodeURIComponent(location.hash.slice(1));
      setSymbol(list.find((m) => m.symbol === fromHash)?.symbol ?? list[0]?.symbol ?? null);
    }, (e: Error) => setLoadError(e.message));
  }, []);

  const market = markets?.find((m) => m.symbol === symbol);
  const feed = useMemo(() => (symbol ? new MarketFeed(stream, symbol) : null), [symbol]);
  useEffect(() => () => feed?.close(), [feed]);
  const account = useMemo(() => (apiKey ? new AccountFeed(stream, apiKey) : null), [apiKey]);
  useEffect(() => {
    if (!apiKey) stream.authenticate(null);
    return () => account?.close();
  }, [account]);

  const chooseMarket = (s: string) => {
    setSymbol(s);
    history.replaceState(null, "", `#${encodeURIComponent(s)}`);
  };
  const useKey = (key: string | null) => {
    saveApiKey(key);
    setApiKey(key);
  };

  if (loadError) return <div class="fatal">The exchange does not answer: {loadError}</div>;
  if (!markets || !market || !feed) return <div class="loading">Loading markets…</div>;
  return (
    <div class={`screen view-${view}`}>
      <TopBar markets={markets} market={market} feed={feed} stream={stream} view={view} onView={setView} onMarket={chooseMarket} />
      {view === "trade" ? (
        <main class="trade">
          <section class="panel chart-panel"><PriceChart market={market} feed={feed} /></section>
          <section class="panel depth-panel"><DepthChart feed={feed} /></section>
          <section class="panel book-panel"><BookLadder market={market} feed={feed} account={account} ticket={ticket} /></section>
          <section class="panel entry-panel"><OrderEntry market={market} apiKey={apiKey} ticket={ticket} /></section>
          <section class="panel tape-panel"><TradeTape feed={feed} /></section>
          <section class="panel account-panel"><AccountPanel account={account} onKey={useKey} /></section>
        </main>
      ) : (
        <main class="operator"><OperatorPanel /></main>
      )}
    </div>
  );
}

render(<Screen />, document.getElementById("screen")!);
