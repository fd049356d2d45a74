// A deliberately plain reference of the engine's rules: one array of resting orders, linear scans,
// sorting on every match. Slow and obviously right; the engine must emit exactly its events.
import type { Cmd, Ev } from "./engine-harness";

const MAX = 1e15;
interface Resting { id: bigint; symbol: number; side: number; price: number; remaining: number; filled: number; postOnly: boolean; time: number }

export class ReferenceModel {
  private resting: Resting[] = [];
  private sequences: number[];
  private clock = 0;

  constructor(private readonly symbols = 1) {
    this.sequences = new Array(symbols).fill(0);
  }

  run(cmds: Cmd[]): Ev[] {
    const out: Ev[] = [];
    cmds.forEach((c, i) => this.one(c, i, out));
    return out;
  }

  book(symbol = 0) {
    const side = (s: number) => {
      const levels = new Map<number, number>();
      for (const o of this.resting) if (o.symbol === symbol && o.side === s) levels.set(o.price, (levels.get(o.price) ?? 0) + o.remaining);
      return [...levels.entries()].sort((a, b) => (s === 0 ? b[0] - a[0] : a[0] - b[0]));
    };
    return { bids: side(0), asks: side(1) };
  }

  restingOrders(): Resting[] {
    return this.resting;
  }

  private ev(out: Ev[], cmd: number, fields: Partial<Ev> & Pick<Ev, "type" | "id">): void {
    out.push({ cmd, other: 0n, price: 0, qty: 0, remaining: 0, otherRemaining: 0, sequence: 0, reason: "none", side: 0, keptPriority: false, ...fields });
  }

  private crosses(side: number, price: number, other: number) {
    return side === 0 ? price >= other : price <= other;
  }

  /** Opposite orders the taker may trade with, best price first, then oldest first. */
  private candidates(symbol: number, side: number, market: boolean, limit: number): Resting[] {
    return this.resting
      .filter((o) => o.symbol === symbol && o.side !== side && (market || this.crosses(side, limit, o.price)))
      .sort((a, b) => (a.price !== b.price ? (side === 0 ? a.price - b.price : b.price - a.price) : a.time - b.time));
  }

  private match(out: Ev[], cmd: number, symbol: number, id: bigint, side: number, market: boolean, limit: number, remaining: number) {
    let filled = 0;
    for (const maker of this.candidates(symbol, side, market, limit)) {
      if (remaining === 0) break;
      const qty = Math.min(remaining, maker.remaining);
      remaining -= qty;
      filled += qty;
      maker.remaining -= qty;
      maker.filled += qty;
      this.ev(out, cmd, { type: "trade", id, side, other: maker.id, price: maker.price, qty, remaining, otherRemaining: maker.remaining, sequence: ++this.sequences[symbol]! });
    }
    this.resting = this.resting.filter((o) => o.remaining > 0);
    return { remaining, filled };
  }

  private one(c: Cmd, i: number, out: Ev[]): void {
    const id = BigInt(c.id);
    if (c.kind === "limit" || c.kind === "market") {
      const market = c.kind === "market";
      const symbol = c.symbol ?? 0;
      const tif = c.tif ?? (market ? 1 : 0);
      const price = market ? 0 : c.price;
      const postOnly = !market && (c.postOnly ?? false);
      const valid = (v: number) => v > 0 && v <= MAX;
      if (symbol >= this.symbols || !valid(c.qty) || (!market && !valid(price)) || (market && tif === 0) || (postOnly && tif !== 0)) {
        return this.ev(out, i, { type: "rejected", id, side: c.side, reason: "invalid", sequence: symbol < this.symbols ? this.sequences[symbol]! : 0 });
      }
      const seq = () => this.sequences[symbol]!;
      if (this.resting.some((o) => o.id === id)) return this.ev(out, i, { type: "rejected", id, side: c.side, reason: "duplicateId", sequence: seq() });
      if (postOnly && this.candidates(symbol, c.side, false, price).length > 0) {
        return this.ev(out, i, { type: "rejected", id, side: c.side, reason: "postOnly", sequence: seq() });
      }
      if (tif === 2) {
        const available = this.candidates(symbol, c.side, market, price).reduce((s, o) => s + o.remaining, 0);
        if (available < c.qty) return this.ev(out, i, { type: "expired", id, side: c.side, price, qty: c.qty, remaining: c.qty, sequence: seq() });
      }
      const { remaining, filled } = this.match(out, i, symbol, id, c.side, market, price, c.qty);
      if (remaining > 0 && tif !== 0) return this.ev(out, i, { type: "expired", id, side: c.side, price, qty: remaining, remaining, sequence: seq() });
      if (remaining > 0) {
        this.resting.push({ id, symbol, side: c.side, price, remaining, filled, postOnly, time: this.clock++ });
        this.sequences[symbol]!++;
      }
      return this.ev(out, i, { type: "accepted", id, side: c.side, price, qty: c.qty, remaining, sequence: seq() });
    }
    const o = this.resting.find((r) => r.id === id);
    if (!o) return this.ev(out, i, { type: "rejected", id, reason: "unknownOrder" });
    const s = o.symbol;
    if (c.kind === "cancel") {
      this.resting = this.resting.filter((r) => r !== o);
      return this.ev(out, i, { type: "cancelled", id, side: o.side, price: o.price, qty: o.remaining, sequence: ++this.sequences[s]! });
    }
    const price = c.price === 0 ? o.price : c.price;
    if (!(price > 0 && price <= MAX) || !(c.qty > 0 && c.qty <= MAX)) {
      return this.ev(out, i, { type: "rejected", id, side: o.side, reason: "invalid", sequence: this.sequences[s]! });
    }
    if (c.qty <= o.filled) return this.ev(out, i, { type: "rejected", id, side: o.side, reason: "amendQuantity", sequence: this.sequences[s]! });
    let remaining = c.qty - o.filled;
    let kept = false;
    if (price === o.price && remaining <= o.remaining) {
      o.remaining = remaining;
      this.sequences[s]!++;
      kept = true;
    } else {
      if (o.postOnly && price !== o.price && this.candidates(s, o.side, false, price).length > 0) {
        return this.ev(out, i, { type: "rejected", id, side: o.side, reason: "postOnly", sequence: this.sequences[s]! });
      }
      this.resting = this.resting.filter((r) => r !== o);
      this.sequences[s]!++;
      const result = this.match(out, i, s, id, o.side, false, price, remaining);
      remaining = result.remaining;
      if (remaining > 0) {
        this.resting.push({ ...o, price, remaining, filled: o.filled + result.filled, time: this.clock++ });
        this.sequences[s]!++;
      }
    }
    this.ev(out, i, { type: "amended", id, side: o.side, price, qty: c.qty, remaining, keptPriority: kept, sequence: this.sequences[s]! });
  }
}
