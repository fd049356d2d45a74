// The order book ladder: the best levels of each side around the spread, with the quantity at
// each level, the running total, and a mark where the account has an order. Clicking a level
// puts its price (and the side that would rest there) in the order ticket.
import { useMemo } from "preact/hooks";
import type { AccountFeed } from "../account-feed";
import type { MarketInfo } from "../api";
import type { FrameStore } from "../frame";
import type { Level } from "../book";
import type { MarketFeed } from "../market-feed";
import type { Ticket } from "./order-entry";
import { decimalsOf } from "./format";
import { useStore } from "./use-store";

const DEPTH = 11;

export function BookLadder({ market, feed, account, ticket }: { market: MarketInfo; feed: MarketFeed; account: AccountFeed | null; ticket: FrameStore<Ticket> }) {
  const book = useStore(feed.book);
  useStore(account?.state ?? null);
  // Where the account's orders are: rebuilt when the account changes, not at every book update.
  const own = useMemo(() => new Set((account?.openOrders(market.symbol) ?? []).map((o) => `${o.side}:${o.price}`)),
    [account, market.symbol, account?.state.version]);
  const asks = book.top("asks", DEPTH);
  const bids = book.top("bids", DEPTH);
  const largest = Math.max(1e-12, ...asks.map((l) => Number(l[1])), ...bids.map((l) => Number(l[1])));
  const bestBid = bids[0]?.[0], bestAsk = asks[0]?.[0];
  const spread = bestBid && bestAsk ? (Number(bestAsk) - Number(bestBid)).toFixed(decimalsOf(market.tickSize)) : "–";

  const rows = (levels: Level[], side: "bid" | "ask") => {
    let running = 0;
    const out = levels.map(([price, quantity]) => {
      running += Number(quantity);
      return (
        <tr class={`book-row ${side}`} data-testid="book-row" data-side={side} data-price={price} data-quantity={quantity}
          onClick={() => ticket.set({ price, side: side === "bid" ? "buy" : "sell" })} title="click to put this price in the order ticket">
          <td class="own">{own.has(`${side === "bid" ? "buy" : "sell"}:${price}`) ? "●" : ""}</td>
          <td class="price">{price}</td>
          <td class="quantity">{quantity}</td>
          <td class="total">{running.toFixed(decimalsOf(market.stepSize))}</td>
          <td class="bar"><span style={{ width: `${(100 * Number(quantity)) / largest}%` }} /></td>
        </tr>
      );
    });
    return side === "ask" ? out.reverse() : out;
  };

  return (
    <div class="book-ladder" data-testid="book" data-sequence={book.sequence ?? ""}>
      <h2>Order book <small>{market.symbol}</small></h2>
      <table>
        <thead><tr><th /><th>price ({market.quoteAsset})</th><th>quantity ({market.baseAsset})</th><th>total</th><th /></tr></thead>
        <tbody class="asks">{rows(asks, "ask")}</tbody>
        <tbody class="spread"><tr><td /><td colSpan={4}>spread {spread}{book.sequence === undefined ? " · resyncing…" : ""}</td></tr></tbody>
        <tbody class="bids">{rows(bids, "bid")}</tbody>
      </table>
    </div>
  );
}
