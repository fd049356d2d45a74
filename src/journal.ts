// A journal entry is one engine command as stored: the sequencer writes it, recovery replays it.
// This is the one place that turns an entry into an ex_command.
import type { CommandBatch } from "../native/engine";
import { CANCEL_RESTRICTIONS, CommandFlag, CommandKind } from "../native/layout";
import type { Markets } from "./markets";

export interface JournalEntry {
  seq: number;
  kind: number;
  /** The account placing the order, or funded (0 for cancels and amends, which name an order). */
  accountId: number;
  clientOrderId: string | null;
  orderId: number;
  /** The market of an order command; "" for account commands. */
  symbol: string;
  side: number;
  timeInForce: number;
  flags: number;
  /** Orders: ticks and lots. Fee rates: maker and taker basis points (-1: the market's). */
  price: number;
  quantity: number;
  stp: number;
  /** Units: deposits, withdrawals, market orders by quote amount; else null. */
  amount: bigint | null;
  /** Deposits and withdrawals: the asset's symbol. */
  asset: string | null;
  /** Conditional orders (engine.h): Trigger, stop price (ticks), trailing delta (bps). */
  trigger: number;
  stopPrice: number;
  trailingBps: number;
  /** Icebergs: lots shown at a time (0: all). */
  visible: number;
  /** Cancel-replace: the order cancelled; order lists: the list's id. */
  otherId: number;
  /** Order lists: ListLink on the first of the two entries. */
  link: number;
  /** Order lists: the list's client id, on its first entry (null: none given). */
  listClientOrderId: string | null;
  /** Cancel-replace: CancelReplaceMode. */
  mode: number;
}

/** An entry as stored: with the time of its batch (the time of what it caused). */
export type StoredEntry = JournalEntry & { time: number };

export function packEntry(batch: CommandBatch, e: JournalEntry, markets: Markets): void {
  switch (e.kind) {
    case CommandKind.limit:
      batch.limit(e.orderId, symbolIndex(e, markets), e.side, e.price, e.quantity, e.timeInForce, (e.flags & CommandFlag.postOnly) !== 0, e.accountId, e.stp);
      if (e.trigger | e.visible | e.otherId) extend(batch, e);
      return;
    case CommandKind.market:
      batch.market(e.orderId, symbolIndex(e, markets), e.side, e.quantity, e.timeInForce, e.accountId, e.stp, e.amount ?? 0, e.price);
      if (e.trigger | e.otherId) extend(batch, e);
      return;
    case CommandKind.cancelReplace:
      batch.cancelReplace(e.otherId, e.orderId, symbolIndex(e, markets), e.side, e.price, e.quantity, e.timeInForce,
        (e.flags & CommandFlag.market) !== 0, (e.flags & CommandFlag.postOnly) !== 0, e.accountId, e.stp, e.mode, e.amount ?? 0,
        e.flags & CANCEL_RESTRICTIONS);
      return extend(batch, e);
    case CommandKind.cancel:
      return batch.cancel(e.orderId, e.flags & CANCEL_RESTRICTIONS);
    case CommandKind.amend:
      return batch.amend(e.orderId, e.price, e.quantity, (e.flags & CommandFlag.keepPriority) !== 0);
    case CommandKind.deposit:
      return batch.deposit(e.accountId, assetIndex(e, markets), e.amount ?? 0n);
    case CommandKind.withdraw:
      return batch.withdraw(e.accountId, assetIndex(e, markets), e.amount ?? 0n);
    case CommandKind.setFees:
      return batch.setFees(e.accountId, e.price, e.quantity);
    default:
      throw new Error(`journal entry ${e.seq}: unknown command kind ${e.kind}`);
  }
}

function symbolIndex(e: JournalEntry, markets: Markets): number {
  const market = markets.get(e.symbol);
  if (!market) throw new Error(`journal entry ${e.seq} is for market ${e.symbol}, which is not configured`);
  return market.index;
}

function assetIndex(e: JournalEntry, markets: Markets): number {
  const asset = markets.assets.get(e.asset ?? "");
  if (!asset) throw new Error(`journal entry ${e.seq} is for asset ${e.asset}, which no configured market trades`);
  return asset.index;
}

/** The fields of a conditional order, an iceberg or a list member, on the command just packed. */
function extend(batch: CommandBatch, e: JournalEntry): void {
  if (e.trigger) batch.withTrigger(e.trigger, e.stopPrice, e.trailingBps);
  if (e.visible) batch.withVisible(e.visible);
  if (e.otherId && e.kind !== CommandKind.cancelReplace) batch.withList(e.otherId, e.link, (e.flags & CommandFlag.opo) !== 0);
}

/** A journal entry of a cancel or an amend: one literal (they are most of a busy batch, and a
 *  spread of the defaults, as `entry` does, cost a copy each). */
export function orderCommandEntry(seq: number, kind: number, orderId: number, symbol: string, price = 0, quantity = 0): JournalEntry {
  return {
    seq, kind, accountId: 0, clientOrderId: null, orderId, symbol, side: 0, timeInForce: 0, flags: 0,
    price, quantity, stp: 0, amount: null, asset: null, trigger: 0, stopPrice: 0, trailingBps: 0, visible: 0,
    otherId: 0, link: 0, mode: 0, listClientOrderId: null,
  };
}

/** A journal entry of a command that names an account (funding, fee rates). */
export function entry(seq: number, kind: number, fields: Partial<JournalEntry>): JournalEntry {
  return {
    seq, kind, accountId: 0, clientOrderId: null, orderId: 0, symbol: "", side: 0, timeInForce: 0, flags: 0,
    price: 0, quantity: 0, stp: 0, amount: null, asset: null, trigger: 0, stopPrice: 0, trailingBps: 0, visible: 0,
    otherId: 0, link: 0, mode: 0, listClientOrderId: null, ...fields,
  };
}
