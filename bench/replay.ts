// Packs a slice of pre-generated commands into a CommandBatch (the binding's zero-allocation path).
import { CommandKind } from "../native/layout";
import type { CommandBatch } from "../native/engine";
import type { Commands } from "./workload";

export function packSlice(batch: CommandBatch, c: Commands, from: number, to: number): void {
  batch.clear();
  for (let i = from; i < to; i++) {
    switch (c.kind[i]) {
      case CommandKind.limit: batch.limit(c.id[i]!, 0, c.side[i]!, c.price[i]!, c.quantity[i]!, c.tif[i]!); break;
      case CommandKind.market: batch.market(c.id[i]!, 0, c.side[i]!, c.quantity[i]!, c.tif[i]!); break;
      case CommandKind.cancel: batch.cancel(c.id[i]!); break;
      case CommandKind.amend: batch.amend(c.id[i]!, c.price[i]!, c.quantity[i]!); break;
    }
  }
}
