// Test harness: runs commands through the real engine (over FFI) and decodes events to objects.
// Its markets: symbol i trades base asset i+1 against asset 0 (the quote), one unit per lot and
// per tick x lot, so amounts read as plainly as prices and quantities.
import { CommandBatch, EventBuffer, MatchingEngine, type EngineMarket } from "../native/engine";
import { CancelReason, EventFlag, EventType, ExpireReason, RejectReason, TriggerReason } from "../native/layout";

/** What a new order may be besides plain: conditional (trigger 1 stop-loss, 2 take-profit, with a
 *  stop price and/or a trailing delta), an iceberg (visible), a member of an order list (the
 *  first of two adjacent commands carries link 1 OCO or 2 OTO; both carry listId; an OTO's first
 *  may carry opo: one pays the other, its pending commands then of quantity 0). */
export interface OrderExtras { trigger?: 0 | 1 | 2; stop?: number; trailing?: number; visible?: number; link?: 0 | 1 | 2; listId?: number; opo?: boolean }

/** A cancel's restriction: the engine's EX_FLAG_ONLY_* bits (8 only new, 16 only partially filled,
 *  both: invalid). */
export type Only = 0 | 8 | 16 | 24;

export type Cmd =
  | ({ kind: "limit"; id: number | bigint; account?: number; symbol?: number; side: 0 | 1; price: number; qty: number; tif?: 0 | 1 | 2; postOnly?: boolean; stp?: number } & OrderExtras)
  /** bound: a stop-market buy by quantity's highest price (else 0). */
  | ({ kind: "market"; id: number | bigint; account?: number; symbol?: number; side: 0 | 1; qty: number; tif?: 1 | 2; stp?: number; amount?: number; bound?: number } & OrderExtras)
  /** Cancels cancelId and places the order described (a limit, or a market one when market). */
  | ({ kind: "replace"; cancelId: number | bigint; mode: 0 | 1; only?: Only; market?: boolean; id: number | bigint; account?: number; symbol?: number; side: 0 | 1; price: number; qty: number; tif?: 0 | 1 | 2; postOnly?: boolean; stp?: number; amount?: number } & OrderExtras)
  | { kind: "cancel"; id: number | bigint; only?: Only }
  /** keep: lower the total in place, keeping priority (engine.h EX_FLAG_KEEP_PRIORITY). */
  | { kind: "amend"; id: number | bigint; price: number; qty: number; keep?: boolean }
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
  /** A reject, expiry, trigger or cancel reason (REJECTED, EXPIRED, TRIGGERED, CANCELLED), else "none". */
  reason: string;
  side: number;
  keptPriority: boolean;
  decremented: boolean;
  waiting: boolean;
  /** AMENDED (keep priority): lowered to its filled part or below, the order ended. */
  ended: boolean;
  amount: bigint;
  otherAmount: bigint;
  account: number;
  asset: number;
}

const typeName = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k])) as Record<number, Ev["type"]>;
const rejectName = Object.fromEntries(Object.entries(RejectReason).map(([k, v]) => [v, k])) as Record<number, string>;
const expireName = Object.fromEntries(Object.entries(ExpireReason).map(([k, v]) => [v, k])) as Record<number, string>;
const triggerName = Object.fromEntries(Object.entries(TriggerReason).map(([k, v]) => [v, k])) as Record<number, string>;
const cancelName = Object.fromEntries(Object.entries(CancelReason).map(([k, v]) => [v, k])) as Record<number, string>;
const reasonNames: Partial<Record<Ev["type"], Record<number, string>>> = {
  rejected: rejectName, expired: expireName, triggered: triggerName, cancelled: cancelName,
};

/** The harness's markets (see above), with the same fee rates in each (and, for a test of whole
 *  lots, more base units in a lot). */
export function plainMarkets(symbols: number, makerFeeBps = 0, takerFeeBps = 0, lotUnits = 1): EngineMarket[] {
  return Array.from({ length: symbols }, (_, i) => ({ baseAsset: i + 1, quoteAsset: 0, lotUnits, notionalUnits: 1, makerFeeBps, takerFeeBps }));
}

/** What the engine-rule tests fund account 1 with: enough for any order they place. */
export const PLENTY = 1n << 55n;

export interface HarnessOptions {
  symbols?: number;
  eventCapacity?: number;
  makerFeeBps?: number;
  takerFeeBps?: number;
  /** Base units in a lot (default 1; the reference model knows only 1). */
  lotUnits?: number;
  /** Deposit PLENTY of every asset to account 1 first (default true). */
  fund?: boolean;
  /** Restore the engine from this snapshot (nothing is deposited). */
  image?: Uint8Array;
}

export class Harness {
  readonly engine: MatchingEngine;
  private readonly batch = new CommandBatch(100_000);
  private readonly events: EventBuffer;

  constructor(symbols = 1, eventCapacity = 4096, options: HarnessOptions = {}) {
    this.engine = new MatchingEngine(plainMarkets(symbols, options.makerFeeBps, options.takerFeeBps, options.lotUnits), symbols + 1, options.image);
    this.events = new EventBuffer(eventCapacity);
    if ((options.fund ?? true) && !options.image) {
      this.run(Array.from({ length: symbols + 1 }, (_, asset) => ({ kind: "deposit" as const, account: 1, asset, amount: PLENTY })));
    }
  }

  run(cmds: Cmd[]): Ev[] {
    this.batch.clear();
    const extend = (x: OrderExtras) => {
      if (x.trigger) this.batch.withTrigger(x.trigger, x.stop ?? 0, x.trailing ?? 0);
      if (x.visible) this.batch.withVisible(x.visible);
      if (x.listId !== undefined) this.batch.withList(x.listId, x.link ?? 0, x.opo ?? false);
    };
    for (const c of cmds) {
      switch (c.kind) {
        case "limit": this.batch.limit(c.id, c.symbol ?? 0, c.side, c.price, c.qty, c.tif ?? 0, c.postOnly ?? false, c.account ?? 1, c.stp ?? 0); extend(c); break;
        case "market": this.batch.market(c.id, c.symbol ?? 0, c.side, c.qty, c.tif ?? 1, c.account ?? 1, c.stp ?? 0, c.amount ?? 0, c.bound ?? 0); extend(c); break;
        case "replace":
          this.batch.cancelReplace(c.cancelId, c.id, c.symbol ?? 0, c.side, c.price, c.qty, c.tif ?? (c.market ? 1 : 0), c.market ?? false,
            c.postOnly ?? false, c.account ?? 1, c.stp ?? 0, c.mode, c.amount ?? 0, c.only ?? 0);
          extend(c);
          break;
        case "cancel": this.batch.cancel(c.id, c.only ?? 0); break;
        case "amend": this.batch.amend(c.id, c.price, c.qty, c.keep ?? false); break;
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
          reason: reasonNames[type]?.[e.reason(i)] ?? "none",
          side: e.side(i), keptPriority: (e.flags(i) & EventFlag.keptPriority) !== 0, decremented: (e.flags(i) & EventFlag.decremented) !== 0,
          waiting: (e.flags(i) & EventFlag.waiting) !== 0, ended: (e.flags(i) & EventFlag.ended) !== 0,
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
