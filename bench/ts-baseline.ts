// The same stream through nodejs-order-book, the pure-TypeScript order book a TypeScript user
// would otherwise pick: limit (GTC/IOC), market, cancel, and moves as modify(id, {price}).
import { OrderBook, Side } from "nodejs-order-book";
import { CommandKind } from "../native/layout";
import type { Commands } from "./js-commands";

export interface BaselineStream {
  commands: Commands;
  /** Ids as strings (the library's ids), made ahead so that the replay does not pay for them. */
  ids: string[];
}

export function baselineStream(commands: Commands): BaselineStream {
  return { commands, ids: Array.from(commands.id, (id) => String(id)) };
}

const SIDES = [Side.BUY, Side.SELL] as const;
const TIF = ["GTC", "IOC", "FOK"] as const;

export function replayBaseline(book: OrderBook, s: BaselineStream, from: number, to: number): void {
  const c = s.commands;
  for (let i = from; i < to; i++) {
    const id = s.ids[i]!;
    switch (c.kind[i]) {
      case CommandKind.limit:
        book.limit({ side: SIDES[c.side[i]!]!, id, size: c.quantity[i]!, price: c.price[i]!, timeInForce: TIF[c.tif[i]!] as never });
        break;
      case CommandKind.market:
        book.market({ side: SIDES[c.side[i]!]!, size: c.quantity[i]! });
        break;
      case CommandKind.cancel:
        book.cancel(id);
        break;
      case CommandKind.amend:
        book.modify(id, { price: c.price[i]! });
        break;
    }
  }
}

export function prefilledBaseline(prefill: BaselineStream): OrderBook {
  const book = new OrderBook();
  replayBaseline(book, prefill, 0, prefill.commands.length);
  return book;
}
