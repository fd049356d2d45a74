// Test harness: runs commands through the real engine (over FFI) and decodes events to objects.
import { CommandBatch, EventBuffer, MatchingEngine } from "../native/engine";
import { EventType, RejectReason } from "../native/layout";

export type Cmd =
  | { kind: "limit"; id: number | bigint; symbol?: number; side: 0 | 1; price: number; qty: number; tif?: 0 | 1 | 2; postOnly?: boolean }
  | { kind: "market"; id: number | bigint; symbol?: number; side: 0 | 1; qty: number; tif?: 1 | 2 }
  | { kind: "cancel"; id: number | bigint }
  | { kind: "amend"; id: number | bigint; price: number; qty: number };

export interface Ev {
  type: keyof typeof EventType;
  cmd: number;
  id: bigint;
  other: bigint;
  price: number;
  qty: number;
  remaining: number;
  otherRemaining: number;
  sequence: number;
  reason: keyof typeof RejectReason;
  side: number;
  keptPriority: boolean;
}

const typeName = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k])) as Record<number, Ev["type"]>;
const reasonName = Object.fromEntries(Object.entries(RejectReason).map(([k, v]) => [v, k])) as Record<number, Ev["reason"]>;

export class Harness {
  readonly engine: MatchingEngine;
  private readonly batch = new CommandBatch(100_000);
  private readonly events: EventBuffer;

  constructor(symbols = 1, eventCapacity = 4096) {
    this.engine = new MatchingEngine(symbols);
    this.events = new EventBuffer(eventCapacity);
  }

  run(cmds: Cmd[]): Ev[] {
    this.batch.clear();
    for (const c of cmds) {
      switch (c.kind) {
        case "limit": this.batch.limit(c.id, c.symbol ?? 0, c.side, c.price, c.qty, c.tif ?? 0, c.postOnly ?? false); break;
        case "market": this.batch.market(c.id, c.symbol ?? 0, c.side, c.qty, c.tif ?? 1); break;
        case "cancel": this.batch.cancel(c.id); break;
        case "amend": this.batch.amend(c.id, c.price, c.qty); break;
      }
    }
    const out: Ev[] = [];
    this.engine.process(this.batch, this.events, (e) => {
      for (let i = 0; i < e.count; i++) {
        out.push({
          type: typeName[e.type(i)]!, cmd: e.commandIndex(i), id: e.orderIdBig(i), other: e.otherIdBig(i),
          price: e.price(i), qty: e.quantity(i), remaining: e.remaining(i), otherRemaining: e.otherRemaining(i),
          sequence: e.sequence(i), reason: reasonName[e.reason(i)]!, side: e.side(i), keptPriority: (e.flags(i) & 1) === 1,
        });
      }
    });
    return out;
  }

  book(symbol = 0) {
    return { bids: this.engine.depth(symbol, 0, 1000), asks: this.engine.depth(symbol, 1, 1000) };
  }

  close() {
    this.engine.close();
  }
}

export const trades = (evs: Ev[]) => evs.filter((e) => e.type === "trade").map((e) => ({ taker: Number(e.id), maker: Number(e.other), price: e.price, qty: e.qty }));
