// The account as /api/v1 shows it: balances per asset and the fee rates in force, decimal strings.
import type { Account } from "../accounts";
import { renderBalance } from "../assets";
import { feeRatesOf, type Exchange } from "../exchange";
import type { LedgerEntry } from "../store/queries";

export function accountView(ex: Exchange, account: Account) {
  return {
    balances: ex.markets.assets.list.map((a) => renderBalance(a, ex.engine.balance(account.id, a.index))),
    fees: ex.markets.list.map((m) => {
      const rates = feeRatesOf(ex, account.id, m);
      return { symbol: m.symbol, makerFeeBps: rates.maker, takerFeeBps: rates.taker };
    }),
  };
}

export function ledgerView(ex: Exchange, e: LedgerEntry) {
  const asset = ex.markets.assets.get(e.asset)!;
  return {
    kind: e.kind, asset: e.asset, amount: asset.format(e.amount), fee: asset.format(e.fee),
    tradeId: e.tradeId === null ? null : String(e.tradeId), time: e.time,
  };
}
