// A deliberately plain reference of the engine's rules: one array of resting orders, linear scans,
// sorting on every match, balances in a map of bigints. Slow and obviously right; the engine must
// emit exactly its events and hold exactly its balances. Markets are the harness's
// (engine-harness.ts): symbol s trades asset s+1 against asset 0, one unit per lot and per tick x lot.
import type { Cmd, Ev } from "./engine-harness";

const MAX = 1e15;
const MAX_TOTAL = 1n << 62n;
const INT64_MAX = (1n << 63n) - 1n;
const MAX_ACCOUNTS = 1 << 24;
const STP = { none: 0, expireTaker: 1, expireMaker: 2, expireBoth: 3, decrement: 4 };

interface Resting { id: bigint; account: number; symbol: number; side: number; price: number; remaining: number; filled: number; postOnly: boolean; stp: number; time: number }
interface Taker { id: bigint; account: number; symbol: number; side: number; stp: number; market: boolean; held: boolean; limit: number; remaining: number; filled: number; budget: bigint | null; stop: "none" | "selfTrade" | "insufficient" | "budget" }

export class ReferenceModel {
  private resting: Resting[] = [];
  private sequences: number[];
  private clock = 0;
  private readonly balances = new Map<string, { free: bigint; locked: bigint }>();
  private readonly fees = new Map<number, { maker: number; taker: number }>();
  private readonly totals: bigint[];

  constructor(private readonly symbols = 1, private readonly makerBps = 0, private readonly takerBps = 0) {
    this.sequences = new Array(symbols).fill(0);
    this.totals = new Array(symbols + 1).fill(0n);
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

  balance(account: number, asset: number): { free: bigint; locked: bigint } {
    const b = this.balances.get(`${account}:${asset}`);
    return b ? { ...b } : { free: 0n, locked: 0n };
  }

  /** Every (account, asset) the model has seen. */
  accounts(): { account: number; asset: number }[] {
    return [...this.balances.keys()].map((k) => {
      const [account, asset] = k.split(":").map(Number);
      return { account: account!, asset: asset! };
    });
  }

  /** Units of each asset deposited and not withdrawn. */
  total(asset: number): bigint {
    return this.totals[asset]!;
  }

  private bal(account: number, asset: number) {
    const key = `${account}:${asset}`;
    let b = this.balances.get(key);
    if (!b) this.balances.set(key, (b = { free: 0n, locked: 0n }));
    return b;
  }

  private ev(out: Ev[], cmd: number, fields: Partial<Ev> & Pick<Ev, "type" | "id">): void {
    out.push({
      cmd, other: 0n, price: 0, qty: 0, remaining: 0, otherRemaining: 0, sequence: 0, reason: "none", side: 0,
      keptPriority: false, decremented: false, amount: 0n, otherAmount: 0n, account: 0, asset: 0, ...fields,
    });
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

  // A buy holds price x quantity of the quote (asset 0), a sell its quantity of the base.
  private heldAsset(symbol: number, side: number) { return side === 0 ? 0 : symbol + 1; }
  private holdOf(side: number, price: number, qty: number): bigint { return side === 0 ? BigInt(price) * BigInt(qty) : BigInt(qty); }
  private lock(account: number, asset: number, units: bigint) {
    if (units === 0n) return;
    const b = this.bal(account, asset);
    b.free -= units;
    b.locked += units;
  }
  private rate(account: number, which: "maker" | "taker"): number {
    const own = this.fees.get(account)?.[which] ?? -1;
    return own >= 0 ? own : which === "maker" ? this.makerBps : this.takerBps;
  }
  private fee(received: bigint, bps: number): bigint {
    return (received * BigInt(bps) + 9999n) / 10000n;
  }

  private insufficient(out: Ev[], cmd: number, id: bigint, side: number, account: number, asset: number, needed: bigint, sequence: number) {
    const available = this.bal(account, asset).free;
    this.ev(out, cmd, { type: "rejected", id, side, reason: "insufficient", account, asset, amount: needed > INT64_MAX ? INT64_MAX : needed, otherAmount: available, sequence });
  }

  private match(out: Ev[], cmd: number, t: Taker) {
    const base = t.symbol + 1;
    for (const maker of this.candidates(t.symbol, t.side, t.market, t.limit)) {
      if (t.remaining === 0) break;
      if (maker.account === t.account && t.stp !== STP.none) {
        const overlap = Math.min(t.remaining, maker.remaining);
        const decrement = t.stp === STP.decrement;
        if (decrement) {
          maker.remaining -= overlap;
          maker.filled += overlap;
          this.lock(maker.account, this.heldAsset(t.symbol, maker.side), -this.holdOf(maker.side, maker.price, overlap));
          t.remaining -= overlap;
          t.filled += overlap;
          if (t.held) this.lock(t.account, this.heldAsset(t.symbol, t.side), -this.holdOf(t.side, t.limit, overlap));
          this.sequences[t.symbol]!++;
        }
        this.ev(out, cmd, { type: "prevented", id: t.id, side: t.side, other: maker.id, price: maker.price, qty: overlap, remaining: t.remaining, otherRemaining: maker.remaining, decremented: decrement, sequence: this.sequences[t.symbol]! });
        if (t.stp === STP.expireMaker || t.stp === STP.expireBoth || (decrement && maker.remaining === 0)) {
          this.lock(maker.account, this.heldAsset(t.symbol, maker.side), -this.holdOf(maker.side, maker.price, maker.remaining));
          this.ev(out, cmd, { type: "expired", id: maker.id, side: maker.side, price: maker.price, qty: maker.remaining, reason: "selfTrade", sequence: ++this.sequences[t.symbol]! });
          maker.remaining = 0;
        }
        if (t.stp === STP.expireTaker || t.stp === STP.expireBoth || (decrement && t.remaining === 0)) {
          t.stop = "selfTrade";
          break;
        }
        continue;
      }
      let qty = Math.min(t.remaining, maker.remaining);
      let stopAfter = false;
      if (!t.held) {
        // Not held: as much as the free balance (or what is left of a quote amount) allows.
        const perLot = BigInt(maker.price);
        let cap = BigInt(qty);
        if (t.side === 0) {
          let units = this.bal(t.account, 0).free;
          const byBudget = t.budget !== null && t.budget <= units;
          if (byBudget) units = t.budget!;
          if (units / perLot < cap) { cap = units / perLot; t.stop = byBudget ? "budget" : "insufficient"; stopAfter = true; }
        } else {
          const baseLots = this.bal(t.account, base).free;
          if (t.budget !== null && t.budget / perLot < cap) { cap = t.budget / perLot; t.stop = "budget"; stopAfter = true; }
          if (baseLots < cap) { cap = baseLots; t.stop = "insufficient"; stopAfter = true; }
        }
        qty = Number(cap);
        if (qty === 0) break;
      }
      t.remaining -= qty;
      t.filled += qty;
      maker.remaining -= qty;
      maker.filled += qty;
      const baseUnits = BigInt(qty), quote = BigInt(maker.price) * BigInt(qty);
      let takerFee: bigint, makerFee: bigint;
      if (t.side === 0) {
        const tq = this.bal(t.account, 0);
        if (t.held) {
          const held = BigInt(t.limit) * BigInt(qty);
          tq.locked -= held;
          tq.free += held - quote;
        } else tq.free -= quote;
        takerFee = this.fee(baseUnits, this.rate(t.account, "taker"));
        this.bal(t.account, base).free += baseUnits - takerFee;
        this.bal(maker.account, base).locked -= baseUnits;
        makerFee = this.fee(quote, this.rate(maker.account, "maker"));
        this.bal(maker.account, 0).free += quote - makerFee;
        this.bal(0, base).free += takerFee;
        this.bal(0, 0).free += makerFee;
      } else {
        const tb = this.bal(t.account, base);
        if (t.held) tb.locked -= baseUnits; else tb.free -= baseUnits;
        takerFee = this.fee(quote, this.rate(t.account, "taker"));
        this.bal(t.account, 0).free += quote - takerFee;
        this.bal(maker.account, 0).locked -= quote;
        makerFee = this.fee(baseUnits, this.rate(maker.account, "maker"));
        this.bal(maker.account, base).free += baseUnits - makerFee;
        this.bal(0, 0).free += takerFee;
        this.bal(0, base).free += makerFee;
      }
      if (t.budget !== null) t.budget -= quote;
      this.ev(out, cmd, { type: "trade", id: t.id, side: t.side, other: maker.id, price: maker.price, qty, remaining: t.remaining, otherRemaining: maker.remaining, amount: takerFee, otherAmount: makerFee, sequence: ++this.sequences[t.symbol]! });
      if (stopAfter) break;
    }
    this.resting = this.resting.filter((o) => o.remaining > 0);
  }

  /** Whether a fill-or-kill taker can fill completely; the expiry reason if not. */
  private fillOrKill(t: Taker, qty: number): string | null {
    let wanted = qty;
    let cost = 0n;
    for (const o of this.candidates(t.symbol, t.side, t.market, t.limit)) {
      if (wanted === 0) break;
      if (o.account === t.account && t.stp !== STP.none) {
        if (t.stp === STP.expireMaker) continue;
        return "timeInForce";
      }
      const take = Math.min(wanted, o.remaining);
      cost += BigInt(take) * BigInt(o.price);
      wanted -= take;
    }
    if (wanted > 0) return "timeInForce";
    if (t.market && t.side === 0 && cost > this.bal(t.account, 0).free) return "insufficient";
    return null;
  }

  private expireTaker(out: Ev[], i: number, t: Taker, reason: string) {
    if (t.held) this.lock(t.account, this.heldAsset(t.symbol, t.side), -this.holdOf(t.side, t.limit, t.remaining));
    this.ev(out, i, { type: "expired", id: t.id, side: t.side, price: t.limit, qty: t.remaining, remaining: t.remaining, reason, sequence: this.sequences[t.symbol]! });
  }

  private one(command: Cmd, i: number, out: Ev[]): void {
    const c = command as Exclude<Cmd, { kind: "deposit" | "withdraw" | "fees" }>;
    if (command.kind === "deposit" || command.kind === "withdraw") {
      this.funding(command as Extract<Cmd, { kind: "deposit" | "withdraw" }>, i, out);
      return;
    }
    if (command.kind === "fees") {
      const f = command;
      const ok = (bps: number) => bps >= -1 && bps <= 10000;
      if (!(f.account < MAX_ACCOUNTS) || !ok(f.maker) || !ok(f.taker)) return this.ev(out, i, { type: "rejected", id: 0n, reason: "invalid", account: f.account });
      this.fees.set(f.account, { maker: f.maker, taker: f.taker });
      return this.ev(out, i, { type: "feesSet", id: 0n, account: f.account, price: f.maker, qty: f.taker });
    }
    const id = BigInt(c.id);
    if (c.kind === "limit" || c.kind === "market") {
      const market = c.kind === "market";
      const account = c.account ?? 1;
      const symbol = c.symbol ?? 0;
      const tif = c.tif ?? (market ? 1 : 0);
      const price = market ? 0 : c.price;
      const postOnly = !market && (c.postOnly ?? false);
      const stp = c.stp ?? 0;
      const amount = market ? BigInt(c.amount ?? 0) : 0n;
      const byAmount = amount !== 0n;
      const valid = (v: number) => v > 0 && v <= MAX;
      if (symbol >= this.symbols || stp > 4 || account >= MAX_ACCOUNTS || !valid(c.qty) || (!market && !valid(price)) ||
        (market && tif === 0) || (postOnly && tif !== 0) || (byAmount && (amount < 0n || amount > MAX_TOTAL || tif === 2))) {
        return this.ev(out, i, { type: "rejected", id, side: c.side, reason: "invalid", account, sequence: symbol < this.symbols ? this.sequences[symbol]! : 0 });
      }
      const seq = () => this.sequences[symbol]!;
      if (this.resting.some((o) => o.id === id)) return this.ev(out, i, { type: "rejected", id, side: c.side, reason: "duplicateId", account, sequence: seq() });
      const held = !market || (c.side === 1 && !byAmount);
      const asset = this.heldAsset(symbol, c.side);
      const needed = held ? this.holdOf(c.side, price, c.qty) : byAmount && c.side === 0 ? amount : 0n;
      if (needed > this.bal(account, asset).free) return this.insufficient(out, i, id, c.side, account, asset, needed, seq());
      if (postOnly && this.candidates(symbol, c.side, false, price).length > 0) {
        return this.ev(out, i, { type: "rejected", id, side: c.side, reason: "postOnly", account, sequence: seq() });
      }
      const t: Taker = { id, account, symbol, side: c.side, stp, market, held, limit: price, remaining: c.qty, filled: 0, budget: byAmount ? amount : null, stop: "none" };
      if (tif === 2) {
        const reason = this.fillOrKill(t, c.qty);
        if (reason) return this.ev(out, i, { type: "expired", id, side: c.side, price, qty: c.qty, remaining: c.qty, reason, sequence: seq() });
      }
      if (held) this.lock(account, asset, needed);
      this.match(out, i, t);
      if (t.stop === "selfTrade" || t.stop === "insufficient") return this.expireTaker(out, i, t, t.stop);
      if (t.stop === "budget") t.remaining = 0;
      if (t.remaining > 0 && tif !== 0) return this.expireTaker(out, i, t, "timeInForce");
      if (t.remaining > 0) {
        this.resting.push({ id, account, symbol, side: c.side, price, remaining: t.remaining, filled: t.filled, postOnly, stp, time: this.clock++ });
        this.sequences[symbol]!++;
      }
      return this.ev(out, i, { type: "accepted", id, side: c.side, price, qty: byAmount ? t.filled : c.qty, remaining: t.remaining, sequence: seq() });
    }
    const o = this.resting.find((r) => r.id === id);
    if (!o) return this.ev(out, i, { type: "rejected", id, reason: "unknownOrder" });
    const s = o.symbol;
    const asset = this.heldAsset(s, o.side);
    if (c.kind === "cancel") {
      this.resting = this.resting.filter((r) => r !== o);
      this.lock(o.account, asset, -this.holdOf(o.side, o.price, o.remaining));
      return this.ev(out, i, { type: "cancelled", id, side: o.side, price: o.price, qty: o.remaining, sequence: ++this.sequences[s]! });
    }
    const price = c.price === 0 ? o.price : c.price;
    const quantity = c.qty === 0 ? o.filled + o.remaining : c.qty;
    if (!(price > 0 && price <= MAX) || !(quantity > 0 && quantity <= MAX)) {
      return this.ev(out, i, { type: "rejected", id, side: o.side, reason: "invalid", sequence: this.sequences[s]! });
    }
    if (quantity <= o.filled) return this.ev(out, i, { type: "rejected", id, side: o.side, reason: "amendQuantity", sequence: this.sequences[s]! });
    let remaining = quantity - o.filled;
    const more = this.holdOf(o.side, price, remaining) - this.holdOf(o.side, o.price, o.remaining);
    if (more > this.bal(o.account, asset).free) return this.insufficient(out, i, id, o.side, o.account, asset, more, this.sequences[s]!);
    let kept = false;
    if (price === o.price && remaining <= o.remaining) {
      this.lock(o.account, asset, more);
      o.remaining = remaining;
      this.sequences[s]!++;
      kept = true;
    } else {
      if (o.postOnly && price !== o.price && this.candidates(s, o.side, false, price).length > 0) {
        return this.ev(out, i, { type: "rejected", id, side: o.side, reason: "postOnly", sequence: this.sequences[s]! });
      }
      this.lock(o.account, asset, more);
      this.resting = this.resting.filter((r) => r !== o);
      this.sequences[s]!++;
      const t: Taker = { id, account: o.account, symbol: s, side: o.side, stp: o.stp, market: false, held: true, limit: price, remaining, filled: o.filled, budget: null, stop: "none" };
      this.match(out, i, t);
      if (t.stop === "selfTrade") return this.expireTaker(out, i, t, "selfTrade");
      remaining = t.remaining;
      if (remaining > 0) {
        this.resting.push({ ...o, price, remaining, filled: t.filled, time: this.clock++ });
        this.sequences[s]!++;
      }
    }
    this.ev(out, i, { type: "amended", id, side: o.side, price, qty: quantity, remaining, keptPriority: kept, sequence: this.sequences[s]! });
  }

  private funding(c: Extract<Cmd, { kind: "deposit" | "withdraw" }>, i: number, out: Ev[]): void {
    const amount = BigInt(c.amount);
    const { account, asset } = c;
    if (account >= MAX_ACCOUNTS || asset > this.symbols || amount <= 0n || amount > MAX_TOTAL) {
      return this.ev(out, i, { type: "rejected", id: 0n, reason: "invalid", account });
    }
    if (c.kind === "deposit") {
      if (amount > MAX_TOTAL - this.totals[asset]!) return this.ev(out, i, { type: "rejected", id: 0n, reason: "limit", account });
      this.bal(account, asset).free += amount;
      this.totals[asset]! += amount;
      return this.ev(out, i, { type: "deposited", id: 0n, account, asset, amount });
    }
    if (amount > this.bal(account, asset).free) return this.insufficient(out, i, 0n, 0, account, asset, amount, 0);
    this.bal(account, asset).free -= amount;
    this.totals[asset]! -= amount;
    this.ev(out, i, { type: "withdrawn", id: 0n, account, asset, amount });
  }
}
