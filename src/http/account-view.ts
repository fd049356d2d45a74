// The account as /api/v1 shows it: balances per asset and the fee rates in force, decimal strings.
import type { Account } from "../accounts";
import { renderBalance } from "../assets";
import type { Exchange } from "../exchange";
import type { LedgerRow } from "../store/queries";

export function accountView(ex: Exchange, account: Account) {
  const own = ex.engine.feeRates(account.id);
  return {
    balances: ex.markets.assets.list.map((a) => renderBalance(a, ex.engine.balance(account.id, a.index))),
    fees: ex.markets.list.map((m) => ({
      symbol: m.symbol, makerFeeBps: own.maker >= 0 ? own.maker : m.makerFeeBps, takerFeeBps: own.taker >= 0 ? own.taker : m.takerFeeBps,
    })),
  };
}

export function ledgerView(ex: Exchange, row: LedgerRow) {
  const asset = ex.markets.assets.get(row.asset)!;
  return {
    id: String(row.id), asset: row.asset, kind: row.kind, amount: asset.format(BigInt(row.amount)), fee: asset.format(BigInt(row.fee)),
    tradeId: row.tradeId === null ? null : String(row.tradeId), time: row.time,
  };
}
