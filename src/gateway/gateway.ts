// The binary order-entry gateway: sessions over TCP (`--binary-port`) and over WebSocket binary
// frames (plugin.ts), both speaking protocol.ts. Requests go to the sequencer like any surface's;
// after each committed batch the gateway tells each logged-in account's sessions of its fills and
// of the ends of its orders no answer told (expiries, cancels of an OCO partner), then sends every
// session's answers of the batch in one write.
import type { Socket, TCPSocketListener } from "bun";
import type { BatchReport } from "../core/sequencer";
import type { Exchange } from "../exchange";
import { log } from "../log";
import type { OrderState } from "../orders/order";
import { DEFAULT_SESSION_LIMITS, Session, type SessionHost, type SessionLimits, type Transport } from "./session";

export class BinaryGateway implements SessionHost {
  readonly told = new Set<OrderState>();
  readonly dirty = new Set<Session>();
  private readonly sessions = new Set<Session>();
  private readonly byAccount = new Map<number, Session[]>();
  private listener: TCPSocketListener<{ session: Session }> | null = null;
  private readonly stopListening: () => void;

  constructor(readonly exchange: Exchange, readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS) {
    this.stopListening = exchange.sequencer.onCommitted((report) => this.publish(report));
  }

  /** Listens for TCP sessions; returns the port. */
  listen(hostname: string, port: number): number {
    this.listener = Bun.listen<{ session: Session }>({
      hostname, port,
      // A client that half-closes still reads: it is told of a message it left unfinished.
      allowHalfOpen: true,
      socket: {
        open: (socket) => {
          socket.setNoDelay?.(true);
          socket.data = { session: this.open(tcpTransport(socket)) };
        },
        data: (socket, chunk) => socket.data.session.receive(chunk),
        drain: (socket) => socket.data.session.drained(),
        end: (socket) => socket.data.session.inputEnded(),
        close: (socket) => socket.data?.session.ended(),
        error: (socket, error) => {
          log("info", "a binary session's connection failed", { error: String(error) });
          socket.data?.session.ended();
        },
      },
    });
    return this.listener.port;
  }

  /** A session over any transport (the WebSocket plugin makes its own). */
  open(transport: Transport): Session {
    const session = new Session(this, transport);
    this.sessions.add(session);
    return session;
  }

  loggedIn(session: Session): void {
    const id = session.account!.id;
    const list = this.byAccount.get(id);
    if (list) list.push(session);
    else this.byAccount.set(id, [session]);
  }

  ended(session: Session): void {
    this.sessions.delete(session);
    this.dirty.delete(session);
    if (!session.account) return;
    const list = this.byAccount.get(session.account.id);
    const i = list?.indexOf(session) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (list?.length === 0) this.byAccount.delete(session.account.id);
  }

  /** Open sessions (logged in or not yet). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The logged-in sessions of an account. */
  sessionsOf(accountId: number): readonly Session[] {
    return this.byAccount.get(accountId) ?? [];
  }

  /** Closes every session with a reason, and the listener. */
  close(): void {
    this.stopListening();
    for (const s of [...this.sessions]) s.close("SHUTTING_DOWN", "the exchange is stopping");
    this.listener?.stop(true);
    this.listener = null;
  }

  private publish(report: BatchReport): void {
    if (this.byAccount.size > 0) {
      for (const t of report.trades) {
        const taker = this.byAccount.get(t.takerAccountId);
        if (taker) {
          const fill = { type: "fill", seq: 0, orderId: t.takerOrderId, tradeId: t.id, price: t.price, quantity: t.quantity, fee: t.takerFee, liquidity: "taker", side: t.takerSide } as const;
          for (const s of taker) s.write(fill);
        }
        const maker = this.byAccount.get(t.makerAccountId);
        if (maker) {
          const fill = { type: "fill", seq: 0, orderId: t.makerOrderId, tradeId: t.id, price: t.price, quantity: t.quantity, fee: t.makerFee, liquidity: "maker", side: t.takerSide === "buy" ? "sell" : "buy" } as const;
          for (const s of maker) s.write(fill);
        }
      }
      for (const o of report.orders) {
        if (o.status !== "canceled" && o.status !== "expired") continue;
        const sessions = this.byAccount.get(o.accountId);
        if (!sessions || this.told.has(o)) continue;
        const message = o.status === "canceled"
          ? { type: "cancelled", seq: 0, orderId: o.id, filled: o.filled } as const
          : { type: "expired", seq: 0, orderId: o.id, filled: o.filled, reason: o.expireReason } as const;
        for (const s of sessions) s.write(message);
      }
    }
    this.told.clear();
    for (const s of this.dirty) s.flush();
    this.dirty.clear();
  }
}

function tcpTransport(socket: Socket<{ session: Session }>): Transport {
  return {
    write: (bytes) => Math.max(0, socket.write(bytes)),
    buffered: () => 0, // Bun's TCP socket keeps nothing: what write() did not take is the session's
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close: () => socket.end(),
  };
}
