// A deliberately plain reference of the engine's rules: one array of live orders, linear scans,
// sorting on every fill, balances in a map of bigints, and after every taker a scan of every
// untriggered order. Slow and obviously right; the engine must emit exactly its events and hold
// exactly its balances. Markets are the harness's (engine-harness.ts): symbol s trades asset s+1
// against asset 0, one unit per lot and per tick x lot.
import type { Cmd, Ev } from "./engine-harness";

const MAX = 1e15;
const MAX_TOTAL = 1n << 62n;
const INT64_MAX = (1n << 63n) - 1n;
const MAX_ACCOUNTS = 1 << 24;
const STP = { none: 0, expireTaker: 1, expireMaker: 2, expireBoth: 3, decrement: 4 };
const STOP_LOSS = 1;
const OCO = 1, OTO = 2;
const ONLY_NEW = 8;

/** Whether a cancel's restriction (`only`: 8 only while new, 16 only while partially filled) lets
 *  it cancel `o`; an OTO's pending order still waiting for its working order is neither. */
function allows(only: number, o: Order): boolean {
  if (only === 0) return true;
  if (o.state === "waiting") return false;
  return only === ONLY_NEW ? !o.traded : o.traded;
}

type State = "resting" | "pending" | "tracking" | "waiting" | "ready";

/** A live order: resting in a book, waiting for its trigger or its OTO working order, or ready. */
interface Order {
  id: bigint; account: number; symbol: number; side: number;
  price: number; // limit price; a stop-market buy's bound; else 0
  remaining: number; filled: number; shown: number; visible: number;
  postOnly: boolean; stp: number; time: number; state: State;
  market: boolean; amount: bigint; tif: number;
  trigger: number; stop: number; trailing: number; extreme: number | null; since: number;
  released: boolean; list: List | null;
  /** An OPO's released pending order: its hold is what its working order received, locked already. */
  paid: boolean;
  /** It has traded (self-trade decrements are not trades): what a cancel's restriction reads. */
  traded: boolean;
}
/** OCO or OTO (two orders), or OTOCO (link OTO, three: the working order, then an OCO pair); an
 *  OTO that `pays` (OPO) locks what its working order receives for its pending order(s). */
interface List { link: number; first: Order; second: Order; third: Order | null; shared: bigint; pays?: boolean; received?: bigint }
interface Taker { id: bigint; account: number; symbol: number; side: number; stp: number; market: boolean; held: boolean; limit: number; remaining: number; filled: number; budget: bigint | null; stop: "none" | "selfTrade" | "insufficient" | "budget"; traded?: boolean; pays?: boolean; received?: bigint }
type NewOrder = Extract<Cmd, { kind: "limit" | "market" }>;

export class ReferenceModel {
  private live: Order[] = [];
  private ready: Order[] = [];
  private sequences: number[];
  private lastPrice: number[];
  private traded: boolean[];
  private clock = 0;
  private touched = -1;
  private readonly balances = new Map<string, { free: bigint; locked: bigint }>();
  private readonly fees = new Map<number, { maker: number; taker: number }>();
  private readonly totals: bigint[];

  constructor(private readonly symbols = 1, private readonly makerBps = 0, private readonly takerBps = 0) {
    this.sequences = new Array(symbols).fill(0);
    this.lastPrice = new Array(symbols).fill(0);
    this.traded = new Array(symbols).fill(false);
    this.totals = new Array(symbols + 1).fill(0n);
  }

  run(cmds: Cmd[]): Ev[] {
    const out: Ev[] = [];
    for (let i = 0; i < cmds.length; i++) {
      const c = cmds[i]!;
      this.touched = -1;
      if ((c.kind === "limit" || c.kind === "market") && c.link) {
        if (i + 1 === cmds.length) this.ev(out, i, { type: "rejected", id: BigInt(c.id), side: c.side, reason: "invalid", account: c.account ?? 1 });
        else {
          // An OTO whose second command links on (OCO) to a third is an OTOCO.
          const n = c.link === OTO && i + 2 < cmds.length && (cmds[i + 1] as NewOrder).link === OCO ? 3 : 2;
          this.list(cmds.slice(i, i + n) as NewOrder[], i, out);
          i += n - 1;
        }
      } else {
        this.one(c, i, out);
      }
      // A list's cascade belongs to its last command (i has moved on to it).
      if (this.ready.length > 0) this.cascade(this.touched >= 0 ? this.touched : this.ready[0]!.symbol, i, out);
      else if (this.touched >= 0) this.cascade(this.touched, i, out);
    }
    return out;
  }

  book(symbol = 0) {
    const side = (s: number) => {
      const levels = new Map<number, number>();
      for (const o of this.resting()) if (o.symbol === symbol && o.side === s) levels.set(o.price, (levels.get(o.price) ?? 0) + o.shown);
      return [...levels.entries()].sort((a, b) => (s === 0 ? b[0] - a[0] : a[0] - b[0]));
    };
    return { bids: side(0), asks: side(1) };
  }

  restingOrders(): Order[] {
    return this.resting();
  }

  /** Every live order: resting, untriggered, or an OTO's pending one. */
  liveOrders(): Order[] {
    return this.live;
  }

  /** What the live orders hold, by "account:asset": each its own need, a list's shared part once. */
  holds(): Map<string, bigint> {
    const held = new Map<string, bigint>();
    const add = (account: number, asset: number, units: bigint) => {
      const key = `${account}:${asset}`;
      held.set(key, (held.get(key) ?? 0n) + units);
    };
    const lists = new Set<List>();
    for (const o of this.live) {
      add(o.account, this.heldAsset(o.symbol, o.side), this.holdNow(o));
      if (o.list) lists.add(o.list);
    }
    for (const { first, shared, pays, received } of lists) {
      add(first.account, this.heldAsset(first.symbol, first.side), -shared);
      // An OPO's: the base its working order (a buy) has received, locked for its pending order.
      if (pays) add(first.account, first.symbol + 1, received!);
    }
    return held;
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

  private resting(): Order[] {
    return this.live.filter((o) => o.state === "resting");
  }

  private find(id: bigint): Order | undefined {
    return this.live.find((o) => o.id === id);
  }

  private remove(o: Order): void {
    this.live = this.live.filter((x) => x !== o);
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
      keptPriority: false, decremented: false, waiting: false, ended: false, amount: 0n, otherAmount: 0n, account: 0, asset: 0, ...fields,
    });
  }

  private seq(symbol: number): number {
    return symbol < this.symbols ? this.sequences[symbol]! : 0;
  }

  private crosses(side: number, price: number, other: number) {
    return side === 0 ? price >= other : price <= other;
  }

  /** Opposite resting orders the taker may trade with, best price first, then oldest first. */
  private candidates(symbol: number, side: number, market: boolean, limit: number, among = this.resting()): Order[] {
    return among
      .filter((o) => o.symbol === symbol && o.side !== side && (market || this.crosses(side, limit, o.price)))
      .sort((a, b) => (a.price !== b.price ? (side === 0 ? a.price - b.price : b.price - a.price) : a.time - b.time));
  }

  // A buy holds price x quantity of the quote (asset 0), a sell its quantity of the base.
  private heldAsset(symbol: number, side: number) { return side === 0 ? 0 : symbol + 1; }
  private holdOf(side: number, price: number, qty: number): bigint { return side === 0 ? BigInt(price) * BigInt(qty) : BigInt(qty); }
  /** What an order placed as `c` holds: as a limit (a stop-market buy at its bound), or a market buy by amount that amount. */
  private holdFor(side: number, price: number, qty: number, amount: bigint): bigint {
    return amount !== 0n && side === 0 ? amount : this.holdOf(side, price, qty);
  }
  private holdNow(o: Order): bigint {
    if (o.state === "waiting") return 0n;
    if (o.amount !== 0n && o.side === 0 && o.state !== "resting") return o.amount;
    return this.holdOf(o.side, o.price, o.remaining);
  }
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

  // ---- conditional orders -------------------------------------------------------------------

  /** Stop-loss buys and take-profit sells trigger on a rise to their stop; the others on a fall. */
  private rises(o: { side: number; trigger: number }) { return (o.trigger === STOP_LOSS) === (o.side === 0); }
  private met(rise: boolean, stop: number, last: number) { return last > 0 && (rise ? last >= stop : last <= stop); }
  private fireOf(o: Order): number {
    const e = BigInt(o.extreme!), d = BigInt(o.trailing);
    return o.side === 1 ? Number((e * (10000n - d)) / 10000n) : Number((e * (10000n + d) + 9999n) / 10000n);
  }

  private wait(o: Order): void {
    if (o.stop === 0) return this.track(o, this.lastPrice[o.symbol]!);
    o.state = "pending";
    o.since = this.clock++;
  }

  private track(o: Order, extreme: number): void {
    o.state = "tracking";
    o.extreme = extreme || null;
    o.since = this.clock++;
  }

  /** After a trade: every tracking order of the book follows the price. */
  private follow(symbol: number, price: number): void {
    for (const o of this.live) {
      if (o.symbol !== symbol || o.state !== "tracking") continue;
      if (o.extreme === null || (o.side === 1 ? price > o.extreme : price < o.extreme)) o.extreme = price;
    }
  }

  /** Triggers what the last price meets: tracking buys then sells (in tracking order), then rises
   *  (lowest stop first), then falls (highest first); trailing ones whose stop is met start tracking. */
  private collect(symbol: number, out: Ev[], cmd: number): void {
    this.traded[symbol] = false;
    const last = this.lastPrice[symbol]!;
    const mine = (state: State) => this.live.filter((o) => o.symbol === symbol && o.state === state);
    const fired: Order[] = [];
    for (const side of [0, 1]) {
      const tracking = mine("tracking").filter((o) => o.side === side).sort((a, b) => a.since - b.since);
      for (const o of tracking) {
        if (o.extreme !== null && (side === 1 ? last <= this.fireOf(o) : last >= this.fireOf(o))) fired.push(o);
      }
    }
    for (const o of fired) o.state = "ready";
    for (const rise of [true, false]) {
      const due = mine("pending").filter((o) => this.rises(o) === rise && this.met(rise, o.stop, last))
        .sort((a, b) => (a.stop !== b.stop ? (rise ? a.stop - b.stop : b.stop - a.stop) : a.since - b.since));
      for (const o of due) {
        if (o.trailing) this.track(o, last);
        else { o.state = "ready"; fired.push(o); }
      }
    }
    for (const o of fired) {
      if (!this.live.includes(o)) continue; // cancelled as the sibling of one before it
      this.ready.push(o);
      if (o.list) this.endList(o, false, out, cmd);
    }
  }

  private cascade(symbol: number, cmd: number, out: Ev[]): void {
    for (;;) {
      if (this.traded[symbol]) this.collect(symbol, out, cmd);
      const o = this.ready.shift();
      if (!o) return;
      if (!this.live.includes(o) || o.state !== "ready") continue;
      this.enter(o, out, cmd);
    }
  }

  private enter(o: Order, out: Ev[], cmd: number): void {
    const s = o.symbol;
    const last = this.lastPrice[s]!;
    const released = o.released;
    this.ev(out, cmd, { type: "triggered", id: o.id, side: o.side, price: last, qty: o.remaining, remaining: o.remaining, reason: released ? "list" : "price", sequence: this.seq(s) });
    if (released && o.list) return this.enterPair(o.list, out, cmd);
    if (released) {
      o.released = false;
      const needed = this.holdFor(o.side, o.price, o.remaining, o.amount);
      const asset = this.heldAsset(s, o.side);
      // An OPO's was locked as its working order was paid: it is held anew below.
      if (o.paid) this.lock(o.account, asset, -needed);
      const unpaid = o.paid && o.remaining === 0;
      o.paid = false;
      if (needed > this.bal(o.account, asset).free || unpaid) {
        this.ev(out, cmd, { type: "expired", id: o.id, side: o.side, price: o.price, qty: o.remaining, remaining: o.remaining, reason: "insufficient", sequence: this.seq(s) });
        return this.remove(o);
      }
      if (o.postOnly && this.candidates(s, o.side, false, o.price).length > 0) {
        this.ev(out, cmd, { type: "expired", id: o.id, side: o.side, price: o.price, qty: o.remaining, remaining: o.remaining, reason: "postOnly", sequence: this.seq(s) });
        return this.remove(o);
      }
      this.lock(o.account, asset, needed);
      if (o.trigger) {
        if (o.stop === 0 || !this.met(this.rises(o), o.stop, last)) return this.wait(o);
        this.ev(out, cmd, { type: "triggered", id: o.id, side: o.side, price: last, qty: o.remaining, remaining: o.remaining, reason: "price", sequence: this.seq(s) });
      }
    }
    this.execute(o, out, cmd);
  }

  /** An order that holds what it must (or, by quote amount, nothing) matches, then rests or ends. */
  private execute(o: Order, out: Ev[], cmd: number): void {
    const s = o.symbol;
    const byAmount = o.market && o.amount !== 0n;
    const bounded = o.market && o.trigger !== 0 && o.side === 0 && !byAmount; // a stop-market buy: IOC at its bound
    const market = o.market && !bounded;
    const held = !market || (o.side === 1 && !byAmount); // a plain market buy is bounded by the free balance
    if (byAmount) this.lock(o.account, this.heldAsset(s, o.side), -this.holdNow(o));
    const t: Taker = { id: o.id, account: o.account, symbol: s, side: o.side, stp: o.stp, market, held, limit: market ? 0 : o.price, remaining: o.remaining, filled: o.filled, budget: byAmount ? o.amount : null, stop: "none" };
    this.runTaker(out, cmd, t, bounded ? 1 : o.tif, o);
  }

  /** An OTOCO's released pair enters as an OCO: held once (what the larger leg needs), or both
   *  leave (the first leg at fault expires, the other is cancelled) when the free balance is short
   *  or a post-only leg would take; then each leg is placed (rests, or waits; triggers at once,
   *  cancelling the other, when its condition holds already). */
  private enterPair(l: List, out: Ev[], cmd: number): void {
    const [a, b] = [l.first, l.second];
    const s = a.symbol, last = this.lastPrice[s]!;
    this.ev(out, cmd, { type: "triggered", id: b.id, side: b.side, price: last, qty: b.remaining, remaining: b.remaining, reason: "list", sequence: this.seq(s) });
    a.released = b.released = false;
    const ha = this.holdFor(a.side, a.price, a.remaining, a.amount), hb = this.holdFor(b.side, b.price, b.remaining, b.amount);
    const shared = ha < hb ? ha : hb;
    const asset = this.heldAsset(s, a.side);
    const paid = a.paid;
    a.paid = b.paid = false;
    if (paid) this.lock(a.account, asset, -(ha + hb - shared));
    const short = ha + hb - shared > this.bal(a.account, asset).free || (paid && a.remaining === 0);
    const failed = short ? a : ([a, b].find((o) => o.postOnly && this.candidates(s, o.side, false, o.price).length > 0) ?? null);
    const why = short ? "insufficient" : "postOnly";
    if (failed) {
      for (const o of [a, b]) {
        o.list = null;
        this.remove(o);
        if (o === failed) this.ev(out, cmd, { type: "expired", id: o.id, side: o.side, price: o.price, qty: o.remaining, remaining: o.remaining, reason: why, sequence: this.seq(s) });
        else this.ev(out, cmd, { type: "cancelled", id: o.id, side: o.side, price: o.price, qty: o.remaining, reason: "list", sequence: this.seq(s) });
      }
      return;
    }
    this.lock(a.account, asset, ha + hb - shared);
    l.shared = shared;
    for (const o of [a, b]) {
      if (!this.live.includes(o)) continue; // cancelled: the first leg triggered at once
      if (!o.trigger) {
        this.execute(o, out, cmd); // a post-only limit that does not take: it rests
        continue;
      }
      if (o.stop === 0 || !this.met(this.rises(o), o.stop, last)) {
        this.wait(o);
        continue;
      }
      this.ev(out, cmd, { type: "triggered", id: o.id, side: o.side, price: last, qty: o.remaining, remaining: o.remaining, reason: "price", sequence: this.seq(s) });
      this.endList(o, false, out, cmd);
      this.execute(o, out, cmd);
    }
  }

  // ---- order lists ----------------------------------------------------------------------------

  /** A member was decided: an OTO whose working order filled releases its pending order (an
   *  OTOCO's pair, as an OCO list); else the others are cancelled. */
  private endList(o: Order, filled: boolean, out: Ev[], cmd: number): void {
    const l = o.list!;
    const members = [l.first, l.second, ...(l.third ? [l.third] : [])];
    for (const m of members) m.list = null;
    if (l.link === OTO && o === l.first && filled) return this.release(l.second, l.third, l.pays ? l.received! : null);
    if (l.pays) this.lock(l.first.account, l.first.symbol + 1, -l.received!);
    for (const m of members) if (m !== o) this.cancelLive(m, "list", l.shared, out, cmd);
  }

  /** An OTO's pending order (or an OTOCO's pair, which becomes an OCO list) is to enter the book;
   *  an OPO's (`paid`: what its working order received) sells that (a lot is a unit here). */
  private release(second: Order, third: Order | null, paid: bigint | null = null): void {
    for (const o of third ? [second, third] : [second]) {
      o.released = true;
      o.state = "ready";
      if (paid !== null) {
        o.remaining = o.shown = Number(paid);
        o.paid = true;
      }
    }
    if (third) second.list = third.list = { link: OCO, first: second, second: third, third: null, shared: 0n };
    this.ready.push(second);
  }

  private cancelLive(o: Order, reason: string, shared: bigint, out: Ev[], cmd: number): void {
    if (o.list) this.endList(o, false, out, cmd);
    this.lock(o.account, this.heldAsset(o.symbol, o.side), -(this.holdNow(o) - shared));
    if (o.state === "resting") this.sequences[o.symbol]!++;
    this.remove(o);
    this.ev(out, cmd, { type: "cancelled", id: o.id, side: o.side, price: o.price, qty: o.remaining, reason, sequence: this.seq(o.symbol) });
  }

  // ---- matching -------------------------------------------------------------------------------

  private makerChanged(m: Order, out: Ev[], cmd: number): void {
    if (m.list && (m.list.link === OCO || m.remaining === 0)) this.endList(m, true, out, cmd);
    if (m.shown === 0 && m.remaining > 0) {
      m.shown = Math.min(m.visible, m.remaining);
      m.time = this.clock++;
      this.ev(out, cmd, { type: "refreshed", id: m.id, side: m.side, price: m.price, qty: m.shown, remaining: m.remaining, sequence: ++this.sequences[m.symbol]! });
    }
  }

  private match(out: Ev[], cmd: number, t: Taker) {
    const base = t.symbol + 1;
    while (t.remaining > 0) {
      const maker = this.candidates(t.symbol, t.side, t.market, t.limit)[0];
      if (!maker) break;
      if (maker.account === t.account && t.stp !== STP.none) {
        const overlap = Math.min(t.remaining, maker.shown);
        const decrement = t.stp === STP.decrement;
        if (decrement) {
          maker.remaining -= overlap;
          maker.shown -= overlap;
          maker.filled += overlap;
          this.lock(maker.account, this.heldAsset(t.symbol, maker.side), -this.holdOf(maker.side, maker.price, overlap));
          t.remaining -= overlap;
          t.filled += overlap;
          if (t.held) this.lock(t.account, this.heldAsset(t.symbol, t.side), -this.holdOf(t.side, t.limit, overlap));
          this.sequences[t.symbol]!++;
        }
        this.ev(out, cmd, { type: "prevented", id: t.id, side: t.side, other: maker.id, price: maker.price, qty: overlap, remaining: t.remaining, otherRemaining: maker.remaining, decremented: decrement, sequence: this.sequences[t.symbol]! });
        if (t.stp === STP.expireMaker || t.stp === STP.expireBoth || (decrement && maker.remaining === 0)) {
          if (maker.list) this.endList(maker, false, out, cmd);
          this.lock(maker.account, this.heldAsset(t.symbol, maker.side), -this.holdOf(maker.side, maker.price, maker.remaining));
          this.remove(maker);
          this.ev(out, cmd, { type: "expired", id: maker.id, side: maker.side, price: maker.price, qty: maker.remaining, reason: "selfTrade", sequence: ++this.sequences[t.symbol]! });
        } else if (decrement) {
          this.makerChanged(maker, out, cmd);
        }
        if (t.stp === STP.expireTaker || t.stp === STP.expireBoth || (decrement && t.remaining === 0)) {
          t.stop = "selfTrade";
          break;
        }
        continue;
      }
      let qty = Math.min(t.remaining, maker.shown);
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
      maker.shown -= qty;
      maker.filled += qty;
      t.traded = maker.traded = true;
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
        if (t.pays) {
          this.lock(t.account, base, baseUnits - takerFee);
          t.received! += baseUnits - takerFee;
        }
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
        if (maker.list?.pays && maker.list.first === maker) {
          this.lock(maker.account, base, baseUnits - makerFee);
          maker.list.received! += baseUnits - makerFee;
        }
        this.bal(0, 0).free += takerFee;
        this.bal(0, base).free += makerFee;
      }
      if (t.budget !== null) t.budget -= quote;
      this.ev(out, cmd, { type: "trade", id: t.id, side: t.side, other: maker.id, price: maker.price, qty, remaining: t.remaining, otherRemaining: maker.remaining, amount: takerFee, otherAmount: makerFee, sequence: ++this.sequences[t.symbol]! });
      this.lastPrice[t.symbol] = maker.price;
      this.traded[t.symbol] = true;
      this.touched = t.symbol;
      this.follow(t.symbol, maker.price);
      if (maker.list || maker.visible) this.makerChanged(maker, out, cmd);
      if (maker.remaining === 0) this.remove(maker);
      if (stopAfter) break;
    }
  }

  /** Whether a fill-or-kill taker can fill completely, by matching it on a copy of the book. */
  private fillOrKill(t: Taker): string | null {
    let wanted = t.remaining;
    let cost = 0n;
    let clock = this.clock;
    const copy = this.candidates(t.symbol, t.side, t.market, t.limit).map((o) => ({ ...o }));
    while (wanted > 0) {
      const o = this.candidates(t.symbol, t.side, t.market, t.limit, copy)[0];
      if (!o) break;
      if (o.account === t.account && t.stp !== STP.none) {
        if (t.stp !== STP.expireMaker) return "timeInForce";
        copy.splice(copy.indexOf(o), 1);
        continue;
      }
      const take = Math.min(wanted, o.shown);
      cost += BigInt(take) * BigInt(o.price);
      wanted -= take;
      o.remaining -= take;
      o.shown -= take;
      if (o.remaining === 0) copy.splice(copy.indexOf(o), 1);
      else if (o.shown === 0) { o.shown = Math.min(o.visible, o.remaining); o.time = clock++; }
    }
    if (wanted > 0) return "timeInForce";
    if (t.market && t.side === 0 && cost > this.bal(t.account, 0).free) return "insufficient";
    return null;
  }

  private expireTaker(out: Ev[], i: number, t: Taker, reason: string) {
    if (t.held) this.lock(t.account, this.heldAsset(t.symbol, t.side), -this.holdOf(t.side, t.limit, t.remaining));
    this.ev(out, i, { type: "expired", id: t.id, side: t.side, price: t.limit, qty: t.remaining, remaining: t.remaining, reason, sequence: this.seq(t.symbol) });
  }

  /** Matches a taker that holds what it must, then rests what is left of a GTC limit (as `o`, or
   *  a new plain order) or expires it; returns true when it filled completely. */
  private runTaker(out: Ev[], i: number, t: Taker, tif: number, o: Order | null, postOnly = false): boolean {
    const close = (filled: boolean) => {
      if (!o) return;
      if (o.list) this.endList(o, filled && o.list.first === o, out, i);
      this.remove(o);
    };
    const fok = tif === 2 ? this.fillOrKill(t) : null;
    if (fok) {
      this.expireTaker(out, i, t, fok);
      close(false);
      return false;
    }
    this.match(out, i, t);
    if (t.stop === "selfTrade" || t.stop === "insufficient" || (t.remaining > 0 && tif !== 0 && t.stop !== "budget")) {
      this.expireTaker(out, i, t, t.stop === "none" ? "timeInForce" : t.stop);
      close(false);
      return false;
    }
    if (t.stop === "budget") t.remaining = 0;
    if (t.remaining > 0) {
      if (!o) {
        o = this.order({ id: t.id, account: t.account, symbol: t.symbol, side: t.side, price: t.limit, qty: t.remaining, postOnly, stp: t.stp });
        this.live.push(o);
      }
      o.remaining = t.remaining;
      o.filled = t.filled;
      if (t.traded) o.traded = true;
      o.shown = o.visible > 0 && o.visible < o.remaining ? o.visible : o.remaining;
      o.state = "resting";
      o.time = this.clock++;
      this.sequences[t.symbol]!++;
    }
    this.ev(out, i, { type: "accepted", id: t.id, side: t.side, price: t.market ? 0 : t.limit, qty: t.budget !== null ? t.filled : t.remaining + t.filled, remaining: t.remaining, sequence: this.seq(t.symbol) });
    if (t.remaining > 0) return false;
    close(true);
    return true;
  }

  private order(f: { id: bigint; account: number; symbol: number; side: number; price: number; qty: number; postOnly?: boolean; stp: number } & Partial<Order>): Order {
    return {
      remaining: f.qty, filled: 0, shown: f.qty, visible: 0, postOnly: false, time: 0, state: "ready", market: false, amount: 0n, tif: 0,
      trigger: 0, stop: 0, trailing: 0, extreme: null, since: 0, released: false, paid: false, list: null, traded: false, ...f,
    };
  }

  // ---- commands ------------------------------------------------------------------------------

  private normal(c: NewOrder) {
    const market = c.kind === "market";
    return {
      id: BigInt(c.id), market, account: c.account ?? 1, symbol: c.symbol ?? 0, side: c.side, tif: c.tif ?? (market ? 1 : 0),
      price: market ? (c as { bound?: number }).bound ?? 0 : (c as { price: number }).price, qty: c.qty, postOnly: !market && ((c as { postOnly?: boolean }).postOnly ?? false),
      stp: c.stp ?? 0, amount: market ? BigInt((c as { amount?: number }).amount ?? 0) : 0n, trigger: c.trigger ?? 0, stop: c.stop ?? 0,
      trailing: c.trailing ?? 0, visible: c.visible ?? 0, link: c.link ?? 0, listId: c.listId ?? 0, opo: c.opo ?? false,
    };
  }

  /** The engine's malformed-order check. */
  private invalid(n: ReturnType<ReferenceModel["normal"]>): boolean {
    const valid = (v: number) => v > 0 && v <= MAX;
    const byAmount = n.amount !== 0n, conditional = n.trigger !== 0;
    const bounded = conditional && n.market && n.side === 0 && !byAmount;
    return n.symbol >= this.symbols || n.stp > 4 || n.account >= MAX_ACCOUNTS || !valid(n.qty) ||
      ((!n.market || bounded) ? !valid(n.price) : n.price !== 0) ||
      (n.market && n.tif === 0) || (n.postOnly && (n.market || conditional || n.tif !== 0)) ||
      (byAmount && (n.amount < 0n || n.amount > MAX_TOTAL || n.tif === 2)) ||
      n.trigger > 2 || n.stop < 0 || n.stop > MAX || n.trailing > 9999 ||
      (!conditional && (n.stop !== 0 || n.trailing !== 0)) || (conditional && n.stop === 0 && n.trailing === 0) ||
      n.visible < 0 || (n.visible > 0 && (n.market || n.tif !== 0 || n.visible >= n.qty));
  }

  private fromNormal(n: ReturnType<ReferenceModel["normal"]>): Order {
    return this.order({ ...n, remaining: n.qty });
  }

  private newOrder(n: ReturnType<ReferenceModel["normal"]>, i: number, out: Ev[]): void {
    const { id, side, account, symbol } = n;
    if (this.invalid(n)) return this.ev(out, i, { type: "rejected", id, side, reason: "invalid", account, sequence: this.seq(symbol) });
    const seq = () => this.sequences[symbol]!;
    if (this.find(id)) return this.ev(out, i, { type: "rejected", id, side, reason: "duplicateId", account, sequence: seq() });
    const asset = this.heldAsset(symbol, side);
    const byAmount = n.amount !== 0n;
    if (n.trigger) {
      const needed = this.holdFor(side, n.price, n.qty, n.amount);
      if (needed > this.bal(account, asset).free) return this.insufficient(out, i, id, side, account, asset, needed, seq());
      if (n.stop && this.met(this.rises(n), n.stop, this.lastPrice[symbol]!)) return this.ev(out, i, { type: "rejected", id, side, reason: "wouldTrigger", account, sequence: seq() });
      this.lock(account, asset, needed);
      const o = this.fromNormal(n);
      this.live.push(o);
      return this.placeWaiting(o, i, out);
    }
    const held = !n.market || (side === 1 && !byAmount);
    const needed = held ? this.holdOf(side, n.price, n.qty) : byAmount && side === 0 ? n.amount : 0n;
    if (needed > this.bal(account, asset).free) return this.insufficient(out, i, id, side, account, asset, needed, seq());
    if (n.postOnly && this.candidates(symbol, side, false, n.price).length > 0) return this.ev(out, i, { type: "rejected", id, side, reason: "postOnly", account, sequence: seq() });
    if (held) this.lock(account, asset, needed);
    let o: Order | null = null;
    if (n.visible) this.live.push((o = this.fromNormal(n)));
    const t: Taker = { id, account, symbol, side, stp: n.stp, market: n.market, held, limit: n.market ? 0 : n.price, remaining: n.qty, filled: 0, budget: byAmount ? n.amount : null, stop: "none" };
    this.runTaker(out, i, t, n.tif, o, n.postOnly);
  }

  private placeWaiting(o: Order, i: number, out: Ev[]): void {
    this.wait(o);
    this.ev(out, i, { type: "accepted", id: o.id, side: o.side, price: o.price, qty: o.remaining, remaining: o.remaining, waiting: true, sequence: this.seq(o.symbol) });
  }

  /** An order list: OCO or OTO (two commands), OTOCO (three), placed or refused together. */
  private list(cs: NewOrder[], i: number, out: Ev[]): void {
    const ns = cs.map((c) => this.normal(c));
    const [a, b] = [ns[0]!, ns[1]!];
    const oco = a.link === OCO;
    // An OPO's pending orders give no quantity; checked as of one lot.
    const opo = a.opo;
    const refuse = (failed: number, reason: string, needed?: bigint) => {
      const sequence = this.seq(a.symbol);
      ns.forEach((n, k) => {
        if (k === failed && needed !== undefined) this.insufficient(out, i + k, n.id, n.side, n.account, this.heldAsset(n.symbol, n.side), needed, sequence);
        else this.ev(out, i + k, { type: "rejected", id: n.id, side: n.side, reason: k === failed ? reason : "list", account: n.account, sequence });
      });
    };
    const bad = ns.findIndex((n, k) => (opo && k > 0 ? n.qty !== 0 || this.invalid({ ...n, qty: 1 }) : this.invalid(n)));
    if (bad >= 0) return refuse(bad, "invalid");
    const legOk = (n: typeof a) => n.trigger !== 0 || n.postOnly;
    const pairOk = (x: typeof a, y: typeof a) => x.side === y.side && legOk(x) && legOk(y);
    const working = (x: typeof a) => !x.market && x.trigger === 0;
    const shapeOk = a.link <= OTO && ns[ns.length - 1]!.link === 0 &&
      ns.every((n) => n.symbol === a.symbol && n.listId === a.listId && n.account === a.account) &&
      new Set(ns.map((n) => n.id)).size === ns.length &&
      (ns.length === 2 ? (oco ? pairOk(a, b) : working(a)) : a.link === OTO && b.link === OCO && working(a) && pairOk(b, ns[2]!)) &&
      (!opo || (!oco && a.side === 0 && ns.slice(1).every((n) => n.side === 1)));
    if (!shapeOk) return refuse(0, "invalid");
    const dup = ns.findIndex((n) => this.find(n.id));
    if (dup >= 0) return refuse(dup, "duplicateId");
    const last = this.lastPrice[a.symbol]!;
    for (const [k, n] of (oco ? [a, b] : [a]).entries()) {
      if (n.trigger && n.stop && this.met(this.rises(n), n.stop, last)) return refuse(k, "wouldTrigger");
      if (n.postOnly && this.candidates(n.symbol, n.side, false, n.price).length > 0) return refuse(k, "postOnly");
    }
    const ha = this.holdFor(a.side, a.price, a.qty, a.amount), hb = oco ? this.holdFor(b.side, b.price, b.qty, b.amount) : 0n;
    const shared = ha < hb ? ha : hb;
    const needed = ha + hb - shared;
    const asset = this.heldAsset(a.symbol, a.side);
    if (needed > this.bal(a.account, asset).free) return refuse(0, "insufficient", needed);
    this.lock(a.account, asset, needed);
    const os = ns.map((n) => this.fromNormal(n));
    const [oa, ob] = [os[0]!, os[1]!];
    this.live.push(...os);
    if (oco) {
      const l: List = { link: OCO, first: oa, second: ob, third: null, shared };
      oa.list = ob.list = l;
      [oa, ob].forEach((o, k) => {
        if (o.trigger) return this.placeWaiting(o, i + k, out);
        o.state = "resting";
        o.shown = o.visible > 0 && o.visible < o.remaining ? o.visible : o.remaining;
        o.time = this.clock++;
        this.sequences[o.symbol]!++;
        this.ev(out, i + k, { type: "accepted", id: o.id, side: o.side, price: o.price, qty: o.remaining, remaining: o.remaining, sequence: this.seq(o.symbol) });
      });
      return;
    }
    const pending = os.slice(1);
    for (const o of pending) o.state = "waiting";
    const t: Taker = { id: a.id, account: a.account, symbol: a.symbol, side: a.side, stp: a.stp, market: false, held: true, limit: a.price, remaining: a.qty, filled: 0, budget: null, stop: "none", pays: opo, received: 0n };
    const filled = this.runTaker(out, i, t, a.tif, oa);
    const works = this.live.includes(oa);
    pending.forEach((o, k) => {
      if (works || filled) {
        this.ev(out, i + 1 + k, { type: "accepted", id: o.id, side: o.side, price: o.price, qty: o.remaining, remaining: o.remaining, waiting: true, sequence: this.seq(a.symbol) });
      } else {
        this.remove(o);
        this.ev(out, i + 1 + k, { type: "cancelled", id: o.id, side: o.side, price: o.price, qty: o.remaining, reason: "list", sequence: this.seq(a.symbol) });
      }
    });
    const third = os[2] ?? null;
    if (works) {
      const l: List = { link: OTO, first: oa, second: ob, third, shared: 0n, pays: opo, received: t.received };
      for (const o of os) o.list = l;
    } else if (filled) {
      this.release(ob, third, opo ? t.received! : null);
    } else if (opo) {
      this.lock(a.account, a.symbol + 1, -t.received!); // it expired: what it received is free
    }
  }

  private one(command: Cmd, i: number, out: Ev[]): void {
    if (command.kind === "deposit" || command.kind === "withdraw") return this.funding(command, i, out);
    if (command.kind === "fees") {
      const f = command;
      const ok = (bps: number) => bps >= -1 && bps <= 10000;
      if (!(f.account < MAX_ACCOUNTS) || !ok(f.maker) || !ok(f.taker)) return this.ev(out, i, { type: "rejected", id: 0n, reason: "invalid", account: f.account });
      this.fees.set(f.account, { maker: f.maker, taker: f.taker });
      return this.ev(out, i, { type: "feesSet", id: 0n, account: f.account, price: f.maker, qty: f.taker });
    }
    if (command.kind === "limit" || command.kind === "market") return this.newOrder(this.normal(command), i, out);
    if (command.kind === "replace") {
      const { cancelId, mode, market, ...rest } = command;
      const n = this.normal({ ...rest, kind: market ? "market" : "limit" } as NewOrder);
      if (market) { n.price = command.price; n.market = true; }
      if (this.invalid(n) || n.link) return this.ev(out, i, { type: "rejected", id: n.id, side: n.side, reason: "invalid", account: n.account, sequence: this.seq(n.symbol) });
      if (command.only === 24) return this.ev(out, i, { type: "rejected", id: n.id, side: n.side, reason: "invalid", account: n.account, sequence: this.seq(n.symbol) });
      const old = this.find(BigInt(cancelId));
      const open = old !== undefined && old.account === n.account && old.state !== "ready";
      const cancellable = open && allows(command.only ?? 0, old);
      if (!cancellable && mode !== 1) {
        return this.ev(out, i, { type: "rejected", id: n.id, side: n.side, reason: open ? "cancelRestricted" : "cancelFailed", account: n.account, other: BigInt(cancelId), sequence: this.seq(n.symbol) });
      }
      if (cancellable) this.cancelLive(old, "requested", 0n, out, i);
      return this.newOrder(n, i, out);
    }
    const named = command as Extract<Cmd, { kind: "cancel" | "amend" }>;
    const id = BigInt(named.id);
    if (named.kind === "cancel" && named.only === 24) return this.ev(out, i, { type: "rejected", id, reason: "invalid" });
    const o = this.find(id);
    if (!o || o.state === "ready") return this.ev(out, i, { type: "rejected", id, reason: "unknownOrder" });
    if (named.kind === "cancel") {
      if (!allows(named.only ?? 0, o)) return this.ev(out, i, { type: "rejected", id, reason: "cancelRestricted" });
      return this.cancelLive(o, "requested", 0n, out, i);
    }
    const c = named;
    const s = o.symbol;
    const asset = this.heldAsset(s, o.side);
    const refuse = (reason: string) => this.ev(out, i, { type: "rejected", id, side: o.side, reason, sequence: this.sequences[s]! });
    if (c.keep) return this.reduce(o, c.price, c.qty, i, out, refuse);
    if (o.state !== "resting" || o.list) return refuse("notAmendable");
    const price = c.price === 0 ? o.price : c.price;
    const quantity = c.qty === 0 ? o.filled + o.remaining : c.qty;
    if (!(price > 0 && price <= MAX) || !(quantity > 0 && quantity <= MAX)) return refuse("invalid");
    if (quantity <= o.filled) return refuse("amendQuantity");
    let remaining = quantity - o.filled;
    const more = this.holdOf(o.side, price, remaining) - this.holdOf(o.side, o.price, o.remaining);
    if (more > this.bal(o.account, asset).free) return this.insufficient(out, i, id, o.side, o.account, asset, more, this.sequences[s]!);
    let kept = false;
    if (price === o.price && remaining <= o.remaining) {
      this.lock(o.account, asset, more);
      o.shown = Math.min(o.shown, remaining);
      o.remaining = remaining;
      this.sequences[s]!++;
      kept = true;
    } else {
      if (o.postOnly && price !== o.price && this.candidates(s, o.side, false, price).length > 0) return refuse("postOnly");
      this.lock(o.account, asset, more);
      o.state = "ready"; // out of the book while it matches
      this.sequences[s]!++;
      const t: Taker = { id, account: o.account, symbol: s, side: o.side, stp: o.stp, market: false, held: true, limit: price, remaining, filled: o.filled, budget: null, stop: "none" };
      this.match(out, i, t);
      if (t.stop === "selfTrade") {
        this.remove(o);
        return this.expireTaker(out, i, t, "selfTrade");
      }
      remaining = t.remaining;
      o.price = price;
      o.remaining = remaining;
      o.filled = t.filled;
      if (t.traded) o.traded = true;
      if (remaining > 0) {
        o.state = "resting";
        o.shown = o.visible > 0 && o.visible < remaining ? o.visible : remaining;
        o.time = this.clock++;
        this.sequences[s]!++;
      } else {
        this.remove(o);
      }
    }
    this.ev(out, i, { type: "amended", id, side: o.side, price, qty: quantity, remaining, keptPriority: kept, sequence: this.sequences[s]! });
  }

  /** Amend keep priority: any live order's total lowered in place; an OCO's sibling with it. */
  private reduce(o: Order, price: number, qty: number, i: number, out: Ev[], refuse: (reason: string) => void): void {
    const s = o.symbol;
    if (price !== 0 || !(qty > 0 && qty <= MAX)) return refuse("invalid");
    // An OPO's pending order has no quantity until its working order has filled.
    if (o.state === "waiting" && o.list?.pays) return refuse("notAmendable");
    if (qty >= o.filled + o.remaining) return refuse("amendQuantity");
    const l = o.list;
    // An OCO's sibling, or an OTOCO's other pending order.
    const other = !l ? null : l.link === OCO ? (l.first === o ? l.second : l.first) : l.third && o !== l.first ? (o === l.second ? l.third : l.second) : null;
    if (o.amount !== 0n || (other && other.amount !== 0n)) return refuse("notAmendable");
    const asset = this.heldAsset(s, o.side);
    if (qty <= o.filled) {
      if (o.list) this.endList(o, false, out, i);
      this.lock(o.account, asset, -this.holdNow(o));
      if (o.state === "resting") this.sequences[s]!++;
      this.remove(o);
      return this.ev(out, i, { type: "amended", id: o.id, side: o.side, price: o.price, qty: o.filled, remaining: 0, ended: true, sequence: this.sequences[s]! });
    }
    const shrink = (x: Order, remaining: number) => {
      x.remaining = remaining;
      x.shown = Math.min(x.shown, remaining);
      if (x.state === "resting") this.sequences[s]!++;
    };
    const before = this.holdNow(o) + (other ? this.holdNow(other) - l!.shared : 0n);
    shrink(o, qty - o.filled);
    let after = this.holdNow(o);
    if (other) {
      if (other.filled + other.remaining > qty) {
        shrink(other, qty - other.filled);
        this.ev(out, i, { type: "amended", id: other.id, side: other.side, price: other.price, qty, remaining: other.remaining, keptPriority: true, sequence: this.sequences[s]! });
      }
      const hs = this.holdNow(other);
      const least = after < hs ? after : hs;
      l!.shared = least;
      after += hs - least;
    }
    this.lock(o.account, asset, -(before - after));
    this.ev(out, i, { type: "amended", id: o.id, side: o.side, price: o.price, qty, remaining: o.remaining, keptPriority: true, sequence: this.sequences[s]! });
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
