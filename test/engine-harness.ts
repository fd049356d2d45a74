// Test harness: runs commands through the real engine (over FFI) and decodes events to objects.
// Its markets: symbol i trades base asset i+1 against asset 0 (the quote), one unit per lot and
// per tick x lot, so amounts read as plainly as prices and quantities.
import { CommandBatch, EventBuffer, MatchingEngine, type EngineMarket } from "../native/engine";
import { EventType, ExpireReason, RejectReason } from "../native/layout";

export type Cmd =
  | { kind: "limit"; id: number | bigint; account?: number; symbol?: number; side: 0 | 1; price: number; qty: number; tif?: 0 | 1 | 2; postOnly?: boolean; stp?: number }
  | { kind: "market"; id: number | bigint; account?: number; symbol?: number; side: 0 | 1; qty: number; tif?: 1 | 2; stp?: number; amount?: number }
  | { kind: "cancel"; id: number | bigint }
  | { kind: "amend"; id: number | bigint; price: number; qty: number }
  | { kind: "deposit" | "withdraw"; account: number; asset: number; amount: number | bigint }
  | { kind: "fees"; account: number; maker: number; taker: number };

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
  /** A reject reason (REJECTED) or an expiry reason (EXPIRED), else "none". */
  reason: string;
  side: number;
  keptPriority: boolean;
  decremented: boolean;
  amount: bigint;
  otherAmount: bigint;
  account: number;
  asset: number;
}

const typeName = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k])) as Record<number, Ev["type"]>;
const rejectName = Object.fromEntries(Object.entries(RejectReason).map(([k, v]) => [v, k])) as Record<number, string>;
const expireName = Object.fromEntries(Object.entries(ExpireReason).map(([k, v]) => [v, k])) as Record<number, string>;

/** The harness's markets (see above), with the same fee rates in each. */
export function plainMarkets(symbols: number, makerFeeBps = 0, takerFeeBps = 0): EngineMarket[] {
  return Array.from({ length: symbols }, (_, i) => ({ baseAsset: i + 1, quoteAsset: 0, lotUnits: 1, notionalUnits: 1, makerFeeBps, takerFeeBps }));
}

/** What the engine-rule tests fund account 1 with: enough for any order they place. */
export const PLENTY = 1n << 55n;

export interface HarnessOptions {
  symbols?: number;
  eventCapacity?: number;
  makerFeeBps?: number;
  takerFeeBps?: number;
  /** Deposit PLENTY of every asset to account 1 first (default true). */
  fund?: boolean;
}

export class Harness {
  readonly engine: MatchingEngine;
  private readonly batch = new CommandBatch(100_000);
  private readonly events: EventBuffer;

  constructor(symbols = 1, eventCapacity = 4096, options: HarnessOptions = {}) {
    this.engine = new MatchingEngine(plainMarkets(symbols, options.makerFeeBps, options.takerFeeBps), symbols + 1);
    this.events = new EventBuffer(eventCapacity);
    if (options.fund ?? true) {
      this.run(Array.from({ length: symbols + 1 }, (_, asset) => ({ kind: "deposit" as const, account: 1, asset, amount: PLENTY })));
    }
  }

  run(cmds: Cmd[]): Ev[] {
    this.batch.clear();
    for (const c of cmds) {
      switch (c.kind) {
        case "limit": this.batch.limit(c.id, c.symbol ?? 0, c.side, c.price, c.qty, c.tif ?? 0, c.postOnly ?? false, c.account ?? 1, c.stp ?? 0); break;
        case "market": this.batch.market(c.id, c.symbol ?? 0, c.side, c.qty, c.tif ?? 1, c.account ?? 1, c.stp ?? 0, c.amount ?? 0); break;
        case "cancel": this.batch.cancel(c.id); break;
        case "amend": this.batch.amend(c.id, c.price, c.qty); break;
        case "deposit": this.batch.deposit(c.account, c.asset, c.amount); break;
        case "withdraw": this.batch.withdraw(c.account, c.asset, c.amount); break;
        case "fees": this.batch.setFees(c.account, c.maker, c.taker); break;
      }
    }
    const out: Ev[] = [];
    this.engine.process(this.batch, this.events, (e) => {
      for (let i = 0; i < e.count; i++) {
        const type = typeName[e.type(i)]!;
        out.push({
          type, cmd: e.commandIndex(i), id: e.orderIdBig(i), other: e.otherIdBig(i),
          price: e.price(i), qty: e.quantity(i), remaining: e.remaining(i), otherRemaining: e.otherRemaining(i),
          sequence: e.sequence(i),
          reason: type === "rejected" ? rejectName[e.reason(i)]! : type === "expired" ? expireName[e.reason(i)]! : "none",
          side: e.side(i), keptPriority: (e.flags(i) & 1) === 1, decremented: (e.flags(i) & 2) === 2,
          amount: e.amount(i), otherAmount: e.otherAmount(i), account: e.account(i), asset: e.asset(i),
        });
      }
    });
    return out;
  }

  book(symbol = 0) {
    return { bids: this.engine.depth(symbol, 0, 1000), asks: this.engine.depth(symbol, 1, 1000) };
  }

  balance(account: number, asset: number) {
    return this.engine.balance(account, asset);
  }

  close() {
    this.engine.close();
  }
}

export const trades = (evs: Ev[]) => evs.filter((e) => e.type === "trade").map((e) => ({ taker: Number(e.id), maker: Number(e.other), price: e.price, qty: e.qty }));
