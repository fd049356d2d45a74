// One binary order-entry session, whatever carries it (TCP or WebSocket binary frames): login,
// then orders, cancels, amends and cancel-alls, each with the next client sequence number, each
// answered after its batch is committed, in order. A session that sends faster than it reads is
// paused (its transport stops reading) while too many of its requests wait for the engine or too
// many of its answers wait to be sent; one whose unsent answers still grow past a hard bound is
// closed. A malformed message closes the session with a reason, and nothing it carried is done.
import type { Account } from "../accounts";
import type { Exchange } from "../exchange";
import { MAX_UNITS } from "../markets";
import { Outcome } from "../core/outcomes";
import type { Reply } from "../core/sequencer";
import type { OrderState } from "../orders/order";
import { CLIENT_ORDER_ID, CLIENT_ORDER_ID_RULE, LIST_CLIENT_ORDER_ID_RULE, MAX_TRAILING_DELTA, orderRequestOf, type OrderRequest } from "../orders/validate";
import {
  ALL_MARKETS, decodeClientMessage, encodeServerMessage, FrameReader, MessageWriter, ProtocolError,
  type ClientMessage, type CloseReason, type OrderBody, type ServerMessage,
} from "./protocol";

/** What carries a session's bytes. */
export interface Transport {
  /** Sends bytes; returns how many it took (the rest is the session's to keep and send on drain). */
  write(bytes: Uint8Array): number;
  /** Bytes the transport itself holds unsent. */
  buffered(): number;
  pause(): void;
  resume(): void;
  /** Ends the connection (`reason`: for a transport that can carry one, such as a close frame). */
  close(reason: string): void;
}

export interface SessionLimits {
  /** Requests that may wait for the engine before the session is paused. */
  maxInFlight: number;
  /** Unsent bytes past which it is paused; below half of it, it reads again. */
  pauseBytes: number;
  /** Unsent bytes past which it is closed (answers to its resting orders kept coming). */
  closeBytes: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxInFlight: 16_384, pauseBytes: 1 << 20, closeBytes: 16 << 20 };

const MAX_QUOTE_UNITS = 1n << 62n;

/** What a session needs of the gateway: the exchange, and the sessions of each account. */
export interface SessionHost {
  readonly exchange: Exchange;
  readonly limits: SessionLimits;
  loggedIn(session: Session): void;
  ended(session: Session): void;
  /** Orders whose end (cancelled, expired, filled) an answer of this batch already told. */
  readonly told: Set<OrderState>;
  /** Sessions with answers to send at the end of this turn. */
  readonly dirty: Set<Session>;
}

export class Session {
  account: Account | null = null;
  private readonly reader = new FrameReader();
  private readonly out = new MessageWriter();
  /** Answer bytes the transport did not take yet. */
  private unsent: Uint8Array | null = null;
  private lastSeq = 0;
  /** The answers of requests in the order they came, from the oldest unsent (ticket `base`):
   *  undefined while not answered. A refusal found at once waits behind earlier requests' answers. */
  private answers: (ServerMessage | ServerMessage[] | undefined)[] = [];
  private first = 0;
  private base = 0;
  private paused = false;
  closed = false;
  /** How often reading was paused, and the most requests that waited at once (for tests and metrics). */
  pauses = 0;
  peakInFlight = 0;

  constructor(private readonly host: SessionHost, private readonly transport: Transport) {}

  /** Bytes from the client; `whole`: the chunk must end at a message's end (a WebSocket frame). */
  receive(chunk: Uint8Array, whole = false): void {
    if (this.closed) return;
    try {
      this.reader.push(chunk, (view, at, length) => {
        if (!this.closed) this.handle(decodeClientMessage(view, at, length));
      });
      if (whole && this.reader.partial > 0) throw new ProtocolError("TRUNCATED", `a frame ended ${this.reader.partial} bytes into a message: each frame carries whole messages`);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.close(error.reason, error.message);
    }
    this.flush();
  }

  /** The client will send nothing more (TCP half-close): a message it left unfinished is told. */
  inputEnded(): void {
    if (this.reader.partial > 0) return this.close("TRUNCATED", `the connection ended ${this.reader.partial} bytes into a message, which was dropped`);
    this.ended();
    this.transport.close("the client ended the session");
  }

  /** The transport ended (the client closed, or the connection broke). */
  ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.ended(this);
  }

  /** The transport can take more. */
  drained(): void {
    this.flush();
  }

  /** Sends what is queued and a closing message with the reason, then ends the session (nothing
   *  more is read or answered). */
  close(reason: CloseReason, message: string): void {
    if (this.closed) return;
    this.closed = true;
    encodeServerMessage(this.out, { type: "closing", seq: 0, reason, message });
    const bytes = this.out.take();
    this.transport.write(this.unsent ? Buffer.concat([this.unsent, bytes]) : bytes);
    this.unsent = null;
    this.host.ended(this);
    this.transport.close(`${reason}: ${message}`);
  }

  /** Queues a message to send at the end of the turn. */
  write(message: ServerMessage): void {
    if (this.closed) return;
    encodeServerMessage(this.out, message);
    this.host.dirty.add(this);
  }

  /** Sends what is queued, as far as the transport takes it, and pauses or resumes reading. */
  flush(): void {
    if (this.closed) return;
    if (this.out.length > 0) {
      const bytes = this.out.take();
      this.unsent = this.unsent ? Buffer.concat([this.unsent, bytes]) : bytes;
    }
    if (this.unsent) {
      const n = this.transport.write(this.unsent);
      this.unsent = n >= this.unsent.length ? null : this.unsent.subarray(n);
    }
    const backlog = (this.unsent?.length ?? 0) + this.transport.buffered();
    const { pauseBytes, closeBytes, maxInFlight } = this.host.limits;
    if (backlog > closeBytes) return this.close("SLOW_CONSUMER", `more than ${closeBytes} bytes of answers were waiting to be read`);
    const busy = backlog > pauseBytes || this.inFlight >= maxInFlight;
    const idle = backlog <= pauseBytes / 2 && this.inFlight < maxInFlight / 2;
    if (busy && !this.paused) {
      this.paused = true;
      this.pauses++;
      this.transport.pause();
    } else if (this.paused && idle) {
      this.paused = false;
      this.transport.resume();
    }
  }

  private handle(m: ClientMessage): void {
    if (m.seq !== this.lastSeq + 1) throw new ProtocolError("OUT_OF_SEQUENCE", `message ${m.seq} came after ${this.lastSeq}: sequence numbers go 1, 2, 3, …`);
    this.lastSeq = m.seq;
    if (m.type === "login") return this.login(m.seq, m.apiKey);
    const account = this.account;
    if (!account) throw new ProtocolError("NOT_LOGGED_IN", "the first message of a session is a login");
    const sequencer = this.host.exchange.sequencer;
    const ticket = this.answers.push(undefined) - 1 + this.base;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    try {
      switch (m.type) {
        case "newOrder":
          sequencer.submitTo(account, this.orderRequest(m), this.reply(ticket, m.seq, (o) => this.accepted(m.seq, o)));
          break;
        case "newList": {
          const requests = m.orders.map((o) => this.orderRequest(o));
          if (m.listClientOrderId !== null && !CLIENT_ORDER_ID.test(m.listClientOrderId)) {
            throw Outcome.invalid("listClientOrderId", LIST_CLIENT_ORDER_ID_RULE);
          }
          sequencer.submitListTo(account, m.listType, requests, this.reply(ticket, m.seq, (orders) => {
            for (const o of orders) if (o.status !== "new" && o.status !== "partially_filled") this.host.told.add(o);
            return { type: "listAccepted", seq: m.seq, listId: orders[0]!.listId!, orderIds: orders.map((o) => o.id), statuses: orders.map((o) => o.status!) };
          }), m.listClientOrderId);
          break;
        }
        case "cancel":
          sequencer.cancelTo(account, m.orderId, this.reply(ticket, m.seq, (o) => {
            this.host.told.add(o);
            return { type: "cancelled", seq: m.seq, orderId: o.id, filled: o.filled };
          }));
          break;
        case "amend": {
          const market = sequencer.marketOf(account, m.orderId);
          const change = {
            price: m.price === 0 ? null : this.ticks(m.price, "price"),
            quantity: m.quantity === 0 ? null : this.lots(market.minQuantityLots, m.quantity, "quantity"),
          };
          if (change.price === null && change.quantity === null) throw Outcome.invalid("quantity", "give quantity, price or both");
          sequencer.amendTo(account, m.orderId, change, this.reply(ticket, m.seq, (o) => {
            if (o.status !== "new" && o.status !== "partially_filled") this.host.told.add(o);
            return { type: "amended", seq: m.seq, orderId: o.id, price: o.price ?? 0, quantity: o.quantity, filled: o.filled };
          }));
          break;
        }
        case "cancelAll": {
          const symbol = m.market === ALL_MARKETS ? undefined : this.market(m.market).symbol;
          sequencer.cancelAllTo(account, symbol, this.reply(ticket, m.seq, (orders) => {
            const out: ServerMessage[] = orders.map((o) => {
              this.host.told.add(o);
              return { type: "cancelled", seq: m.seq, orderId: o.id, filled: o.filled };
            });
            out.push({ type: "cancelAllDone", seq: m.seq, count: orders.length });
            return out;
          }));
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof Outcome)) throw error;
      this.answered(ticket, rejection(m.seq, error));
    }
  }

  private login(seq: number, apiKey: string): void {
    if (this.account) throw new ProtocolError("MALFORMED", "this session is logged in already");
    const account = this.host.exchange.accounts.byApiKey(apiKey);
    if (!account) return this.close("LOGIN_FAILED", "the API key is not known here");
    this.account = account;
    const markets = this.host.exchange.markets.list;
    this.write({ type: "loginAccepted", seq, accountId: account.id, markets: markets.length });
    for (const m of markets) {
      const { symbol, tickSize, stepSize, minQuantity } = m.spec;
      this.write({ type: "market", seq, market: m.index, symbol, tickSize, stepSize, minQuantity });
    }
    this.host.loggedIn(this);
  }

  /** The reply of a queued request: `done` makes its answer; a refusal is answered as one. */
  private reply<T>(ticket: number, seq: number, done: (value: T) => ServerMessage | ServerMessage[]): Reply<T> {
    return {
      resolve: (value) => this.answered(ticket, done(value)),
      reject: (error) => this.answered(ticket, rejection(seq, error)),
    };
  }

  private accepted(seq: number, o: OrderState): ServerMessage {
    if (o.status !== "new" && o.status !== "partially_filled") this.host.told.add(o);
    return { type: "accepted", seq, orderId: o.id, status: o.status!, filled: o.filled, price: o.price ?? 0 };
  }

  /** Records a request's answer and sends every answer now at the front, in order. */
  private answered(ticket: number, answer: ServerMessage | ServerMessage[]): void {
    const answers = this.answers;
    answers[ticket - this.base] = answer;
    while (this.first < answers.length) {
      const next = answers[this.first];
      if (next === undefined) break;
      if (Array.isArray(next)) for (const m of next) this.write(m);
      else this.write(next);
      this.first++;
    }
    if (this.first === answers.length || this.first > 4096) {
      answers.splice(0, this.first);
      this.base += this.first;
      this.first = 0;
    }
  }

  /** Requests not answered yet. */
  get inFlight(): number {
    return this.answers.length - this.first;
  }

  private market(index: number) {
    const market = this.host.exchange.markets.list[index];
    if (!market) throw new Outcome("UNKNOWN_SYMBOL", `market ${index} is not a market here (0 to ${this.host.exchange.markets.list.length - 1})`);
    return market;
  }

  private ticks(n: number, field: string): number {
    if (n < 1 || n > Number(MAX_UNITS)) throw Outcome.invalid(field, `${field} must be 1 to ${MAX_UNITS} ticks, not ${n}`);
    return n;
  }

  private lots(min: number, n: number, field: string): number {
    if (n < min || n > Number(MAX_UNITS)) throw Outcome.invalid(field, `${field} must be ${min} to ${MAX_UNITS} lots, not ${n}`);
    return n;
  }

  /** A new order's integers to an order request, by the same rules as every surface's. */
  private orderRequest(m: OrderBody): OrderRequest {
    const market = this.market(m.market);
    if (m.clientOrderId !== null && !CLIENT_ORDER_ID.test(m.clientOrderId)) {
      throw Outcome.invalid("clientOrderId", CLIENT_ORDER_ID_RULE);
    }
    if (m.quoteQuantity < 0n || m.quoteQuantity > MAX_QUOTE_UNITS) throw Outcome.invalid("quoteQuantity", `quoteQuantity must be 1 to 2^62 units`);
    if (m.trailingDelta > MAX_TRAILING_DELTA) throw Outcome.invalid("trailingDelta", `trailingDelta must be 1 to ${MAX_TRAILING_DELTA} basis points`);
    return orderRequestOf(market, {
      type: m.orderType, side: m.side, timeInForce: m.timeInForce, postOnly: m.postOnly,
      price: m.price === 0 ? null : this.ticks(m.price, "price"),
      quantity: m.quantity === 0 ? null : this.lots(market.minQuantityLots, m.quantity, "quantity"),
      quoteQuantity: m.quoteQuantity === 0n ? null : m.quoteQuantity,
      stopPrice: m.stopPrice === 0 ? null : this.ticks(m.stopPrice, "stopPrice"),
      trailingDelta: m.trailingDelta === 0 ? null : m.trailingDelta,
      icebergQuantity: m.icebergQuantity === 0 ? null : this.lots(1, m.icebergQuantity, "icebergQuantity"),
      clientOrderId: m.clientOrderId, selfTradePrevention: m.selfTradePrevention,
    });
  }
}

function rejection(seq: number, error: unknown): ServerMessage {
  if (error instanceof Outcome) return { type: "rejected", seq, code: error.code, message: error.message };
  return { type: "rejected", seq, code: "SHUTTING_DOWN", message: error instanceof Error ? error.message : String(error) };
}
