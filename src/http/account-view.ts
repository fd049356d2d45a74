// The account as /api/v1 shows it: balances per asset and the fee rates in force, decimal strings.
import type { Account } from "../accounts";
import { renderBalance } from "../assets";
import type { Exchange } from "../exchange";
import type { LedgerEntry } from "../store/queries";

export function accountView(ex: Exchange, account: Account) {
  const own = ex.engine.feeRates(account.id);
  return {
    balances: ex.markets.assets.list.map((a) => renderBalance(a, ex.engine.balance(account.id, a.index))),
    fees: ex.markets.list.map((m) => ({
      symbol: m.symbol, makerFeeBps: own.maker >= 0 ? own.maker : m.makerFeeBps, takerFeeBps: own.taker >= 0 ? own.taker : m.takerFeeBps,
    })),
  };
}

export function ledgerView(ex: Exchange, e: LedgerEntry) {
  const asset = ex.markets.assets.get(e.asset)!;
  return {
    kind: e.kind, asset: e.asset, amount: asset.format(e.amount), fee: asset.format(e.fee),
    tradeId: e.tradeId === null ? null : String(e.tradeId), time: e.time,
  };
}
