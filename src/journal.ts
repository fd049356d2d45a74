// A journal entry is one engine command as stored: the sequencer writes it, recovery replays it.
// This is the one place that turns an entry into an ex_command.
import type { CommandBatch } from "../native/engine";
import { CommandFlag, CommandKind } from "../native/layout";

export interface JournalEntry {
  seq: number;
  kind: number;
  /** New orders: the account placing it, and its client order id. */
  accountId: number;
  clientOrderId: string | null;
  orderId: number;
  symbol: string;
  side: number;
  timeInForce: number;
  flags: number;
  price: number;
  quantity: number;
}

/** An entry as stored: with the time of its batch (the time of what it caused). */
export type StoredEntry = JournalEntry & { time: number };

export function packEntry(batch: CommandBatch, e: JournalEntry, symbolIndex: number): void {
  switch (e.kind) {
    case CommandKind.limit:
      return batch.limit(e.orderId, symbolIndex, e.side, e.price, e.quantity, e.timeInForce, (e.flags & CommandFlag.postOnly) !== 0);
    case CommandKind.market:
      return batch.market(e.orderId, symbolIndex, e.side, e.quantity, e.timeInForce);
    case CommandKind.cancel:
      return batch.cancel(e.orderId);
    case CommandKind.amend:
      return batch.amend(e.orderId, e.price, e.quantity);
    default:
      throw new Error(`journal entry ${e.seq}: unknown command kind ${e.kind}`);
  }
}
