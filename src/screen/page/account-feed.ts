// The account behind the pasted API key: its balances and orders (fills included), loaded over
// REST and kept live from the private streams. It loads again each time a private channel is
// (re)subscribed, since changes while the socket was down are not streamed; stream messages that
// arrive before the REST answers are held and applied after them, in order, so the newest wins.

import { api, OPEN_STATUSES, type AccountView, type Balance, type Order } from "./api";
import { FrameStore } from "./frame";
import type { Message, Stream } from "./stream";

/** Closed orders kept for the fills and history (the open ones are all kept). */
const CLOSED_KEPT = 200;

export interface AccountState {
  accountId: string | null;
  name: string | null;
  balances: Map<string, Balance>;
  orders: Map<string, Order>;
  /** Why the account could not be loaded (an unknown key, say). */
  error: string | null;
}

export class AccountFeed {
  readonly state = new FrameStore<AccountState>({ accountId: null, name: null, balances: new Map(), orders: new Map(), error: null });
  private held: Message[] | null = [];
  /** Of the latest load: an older one that answers late is dropped. */
  private generation = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(stream: Stream, readonly apiKey: string) {
    stream.authenticate(apiKey);
    const receive = (m: Message) => {
      if (m.type === "subscribed") void this.load();
      else if (this.held) this.held.push(m);
      else this.apply(m);
    };
    this.unsubscribe = [stream.subscribe("orders", receive), stream.subscribe("balances", receive)];
    // At once as well, so that a key the exchange does not know is said at once.
    void this.load();
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }

  openOrders(symbol?: string): Order[] {
    return [...this.state.value.orders.values()]
      .filter((o) => OPEN_STATUSES.has(o.status) && (symbol === undefined || o.symbol === symbol))
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /** The account's fills, newest first, each with its order. */
  fills(limit: number): { order: Order; fill: Order["fills"][number] }[] {
    const all = [];
    for (const order of this.state.value.orders.values()) for (const fill of order.fills) all.push({ order, fill });
    return all.sort((a, b) => b.fill.time - a.fill.time || Number(b.fill.tradeId) - Number(a.fill.tradeId)).slice(0, limit);
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    this.held ??= [];
    const s = this.state.value;
    try {
      const [account, open, closed] = await Promise.all([
        api<AccountView>("GET", "/api/v1/account", undefined, this.apiKey),
        api<Order[]>("GET", "/api/v1/orders?status=open&limit=1000", undefined, this.apiKey),
        api<Order[]>("GET", `/api/v1/orders?status=closed&limit=${CLOSED_KEPT}`, undefined, this.apiKey),
      ]);
      if (generation !== this.generation) return;
      s.accountId = account.accountId;
      s.name = account.name;
      s.balances = new Map(account.balances.map((b) => [b.asset, b]));
      // Oldest first, as trimClosed expects (the API answers newest first).
      s.orders = new Map([...closed.reverse(), ...open].map((o) => [o.orderId, o]));
      s.error = null;
    } catch (error) {
      if (generation !== this.generation) return;
      s.error = error instanceof Error ? error.message : String(error);
    }
    const held = this.held ?? [];
    this.held = null;
    for (const m of held) this.apply(m);
    this.state.touch();
  }

  private apply(m: Message): void {
    const s = this.state.value;
    if (m.type === "orders") for (const o of m.orders as Order[]) s.orders.set(o.orderId, o);
    else if (m.type === "balances") for (const b of m.balances as Balance[]) s.balances.set(b.asset, b);
    else return;
    this.trimClosed();
    this.state.touch();
  }

  private trimClosed(): void {
    const orders = this.state.value.orders;
    let closed = 0;
    for (const o of orders.values()) if (!OPEN_STATUSES.has(o.status)) closed++;
    if (closed <= CLOSED_KEPT * 1.5) return;
    // Maps iterate in insertion order: the first closed ones are the oldest.
    for (const [id, o] of orders) {
      if (closed <= CLOSED_KEPT) break;
      if (!OPEN_STATUSES.has(o.status)) {
        orders.delete(id);
        closed--;
      }
    }
  }
}
