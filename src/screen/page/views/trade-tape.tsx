// The trade tape: the market's latest trades, newest on top, coloured by the taker's side.
import type { MarketFeed } from "../market-feed";
import { clockTime } from "./format";
import { useStore } from "./use-store";

export function TradeTape({ feed }: { feed: MarketFeed }) {
  const trades = useStore(feed.trades);
  return (
    <div class="trade-tape" data-testid="tape">
      <h2>Trades</h2>
      <table>
        <thead><tr><th>time</th><th>price</th><th>quantity</th></tr></thead>
        <tbody>
          {trades.map((t) => (
            <tr key={t.tradeId} class={t.takerSide === "buy" ? "buy" : "sell"} data-testid="tape-row" data-trade-id={t.tradeId} data-price={t.price} data-quantity={t.quantity}>
              <td>{clockTime(t.time)}</td><td class="price">{t.price}</td><td>{t.quantity}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
