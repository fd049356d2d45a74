// Invariants of a matching engine, checked on its event stream alone, independently of any model:
// every fill is at the resting order's price; the maker is the best-priced and, at that price, the
// oldest resting order on its side; quantities are conserved (an order's fills never exceed what
// it had, and remaining quantities add up); the book at rest is never crossed.
import type { Cmd, Ev } from "./engine-harness";

interface Resting { id: bigint; symbol: number; side: number; price: number; remaining: number; since: number }

export class InvariantChecker {
  private readonly resting = new Map<bigint, Resting>();
  /** Orders that wait: untriggered, or an OTO's pending order (they are in no book). */
  private readonly waiting = new Map<bigint, number>(); // id -> symbol
  private clock = 0;

  /** Feeds one batch (its commands and the events they produced); throws on the first violation. */
  check(cmds: Cmd[], events: Ev[]): void {
    const fail = (msg: string, e: Ev) => { throw new Error(`${msg}: ${JSON.stringify(e, (_, v) => (typeof v === "bigint" ? String(v) : v))}`); };
    const takerFilled = new Map<string, number>();
    const triggered = new Map<bigint, number>(); // order -> symbol, triggered in this batch
    for (const e of events) {
      const cmd = cmds[e.cmd]!;
      const symbol = "symbol" in cmd ? cmd.symbol ?? 0 : this.resting.get(e.id)?.symbol ?? 0;
      switch (e.type) {
        case "trade": {
          const maker = this.resting.get(e.other);
          if (!maker) fail("trade against an order that is not resting", e);
          if (e.price !== maker!.price) fail("fill not at the maker's price", e);
          if (maker!.side === e.side) fail("trade between orders of the same side", e);
          if (e.qty <= 0 || e.qty > maker!.remaining) fail("fill larger than the maker's remaining quantity", e);
          for (const o of this.resting.values()) {
            if (o.symbol !== maker!.symbol || o.side !== maker!.side || o === maker) continue;
            const better = maker!.side === 0 ? o.price > maker!.price : o.price < maker!.price;
            if (better) fail("a better-priced order was skipped (price priority)", e);
            if (o.price === maker!.price && o.since < maker!.since) fail("an older order at the same price was skipped (time priority)", e);
          }
          maker!.remaining -= e.qty;
          if (e.otherRemaining !== maker!.remaining) fail("maker's remaining quantity does not add up", e);
          if (maker!.remaining === 0) this.resting.delete(e.other);
          takerFilled.set(`${e.cmd}:${e.id}`, (takerFilled.get(`${e.cmd}:${e.id}`) ?? 0) + e.qty);
          break;
        }
        case "accepted":
          if (e.waiting) {
            this.waiting.set(e.id, symbol);
            break;
          }
          if (cmd.kind !== "limit" && cmd.kind !== "market" && cmd.kind !== "replace" && !triggered.has(e.id)) fail("accepted event for a non-order", e);
          this.waiting.delete(e.id);
          // By quote amount, the quantity is what filled (the command's is only a cap).
          if (e.remaining + (takerFilled.get(`${e.cmd}:${e.id}`) ?? 0) !== e.qty) fail("filled + remaining != quantity", e);
          {
            // The command's own order, or one it set off (triggered: in the book it waited for).
            const own = "id" in cmd && BigInt(cmd.id) === e.id && cmd.kind !== "cancel" && cmd.kind !== "amend";
            const where = own ? symbol : triggered.get(e.id) ?? symbol;
            if (e.remaining > 0) this.resting.set(e.id, { id: e.id, symbol: where, side: e.side, price: e.price, remaining: e.remaining, since: this.clock++ });
          }
          break;
        case "triggered":
          if (!this.waiting.has(e.id)) fail("a trigger of an order that was not waiting", e);
          triggered.set(e.id, this.waiting.get(e.id)!);
          // Released by its OTO working order, a conditional order waits on for its own trigger.
          if (e.reason === "price") this.waiting.delete(e.id);
          break;
        case "refreshed": {
          // An iceberg's next slice joins the back of its level.
          const o = this.resting.get(e.id);
          if (!o || o.remaining !== e.remaining || e.qty <= 0 || e.qty > e.remaining) fail("a refresh of an order that does not rest with that quantity", e);
          o!.since = this.clock++;
          break;
        }
        case "cancelled": {
          if (this.waiting.delete(e.id)) break;
          const o = this.resting.get(e.id);
          if (!o && e.reason === "list") break; // an OTO's pending order whose working order ended at once
          if (!o || o.remaining !== e.qty) fail("cancelled quantity differs from the resting quantity", e);
          this.resting.delete(e.id);
          break;
        }
        case "amended": {
          // Lowered in place (keep priority), a waiting order waits on, or ends.
          if (this.waiting.has(e.id)) {
            if (!e.keptPriority && !e.ended) fail("a waiting order amended other than in place", e);
            if (e.remaining === 0) this.waiting.delete(e.id);
            break;
          }
          const o = this.resting.get(e.id);
          if (!o) fail("amend of an order that is not resting", e);
          if (e.keptPriority && (e.price !== o!.price || e.remaining > o!.remaining)) fail("an amendment that kept priority moved or grew the order", e);
          // The amended order's own trades (it was the taker) were counted on takerFilled.
          if (e.remaining === 0) this.resting.delete(e.id);
          else {
            if (!e.keptPriority) o!.since = this.clock++;
            o!.price = e.price;
            o!.remaining = e.remaining;
          }
          break;
        }
        case "prevented": {
          const maker = this.resting.get(e.other);
          if (!maker) fail("self-trade prevented against an order that is not resting", e);
          if (e.decremented) {
            maker!.remaining -= e.qty;
            if (e.otherRemaining !== maker!.remaining) fail("maker's remaining quantity after a decrement does not add up", e);
            takerFilled.set(`${e.cmd}:${e.id}`, (takerFilled.get(`${e.cmd}:${e.id}`) ?? 0) + e.qty);
          }
          break;
        }
        case "expired": {
          this.waiting.delete(e.id);
          // A resting order expired by self-trade prevention (or an amended one that met its own).
          const o = this.resting.get(e.id);
          if (o) {
            const amendedItself = cmd.kind === "amend" && BigInt(cmd.id) === e.id;
            if (!amendedItself && (e.reason !== "selfTrade" || o.remaining !== e.qty)) fail("a resting order expired other than by self-trade prevention of its remaining quantity", e);
            this.resting.delete(e.id);
          }
          break;
        }
        default:
          break;
      }
    }
    this.checkUncrossed();
  }

  private checkUncrossed(): void {
    const best = new Map<string, number>();
    for (const o of this.resting.values()) {
      const key = `${o.symbol}:${o.side}`;
      const b = best.get(key);
      best.set(key, b === undefined ? o.price : o.side === 0 ? Math.max(b, o.price) : Math.min(b, o.price));
    }
    for (const [key, bid] of best) {
      if (!key.endsWith(":0")) continue;
      const ask = best.get(key.replace(/:0$/, ":1"));
      if (ask !== undefined && bid >= ask) throw new Error(`crossed book at rest: bid ${bid} >= ask ${ask} (${key})`);
    }
  }
}
