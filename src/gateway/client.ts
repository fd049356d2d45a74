// A client of the binary order-entry protocol, over TCP (tcp://host:port) or WebSocket
// (ws://host:port/binary). Messages sent in one turn of the event loop go out together (one TCP
// write or one frame); what the socket does not take at once is sent on drain. Every request has
// one final answer (accepted, listAccepted, rejected, cancelled, amended or cancelAllDone with its seq);
// `request` waits for it, `send` does not (answers then come to `onMessage` only).
import type { Socket } from "bun";
import {
  decodeServerMessage, encodeClientMessage, FrameReader, MessageWriter,
  type ClientMessage, type MarketInfo, type ServerMessage,
} from "./protocol";

type Outgoing = ClientMessage extends infer M ? (M extends ClientMessage ? Omit<M, "seq"> : never) : never;
type Final = Extract<ServerMessage, { type: "accepted" | "rejected" | "cancelled" | "amended" | "cancelAllDone" | "listAccepted" }>;

interface Connection {
  write(bytes: Uint8Array): number;
  close(): void;
}

export class BinaryClient {
  accountId = 0;
  /** The venue's markets by symbol, as the login told them (ids to send, tick and step sizes). */
  readonly markets = new Map<string, MarketInfo>();
  /** Every message the server sends, in order. */
  onMessage: (message: ServerMessage) => void = () => {};
  /** The session ended: the server's closing message, if it sent one. */
  onClose: (closing: Extract<ServerMessage, { type: "closing" }> | null) => void = () => {};
  closing: Extract<ServerMessage, { type: "closing" }> | null = null;

  private seq = 0;
  private readonly out = new MessageWriter();
  private unsent: Uint8Array | null = null;
  private flushQueued = false;
  private readonly waiting = new Map<number, (answer: Final) => void>();
  private readonly reader = new FrameReader();
  private connection!: Connection;
  private loginDone!: (error?: Error) => void;
  private closed = false;
  private marketCount = -1;
  /** Cancel-all answers with a cancelled per order before its cancelAllDone: only that is final. */
  private readonly cancelAlls = new Set<number>();

  private constructor() {}

  /** Connects and logs in; resolves once the login is accepted (with the markets known). */
  static async connect(url: string, apiKey: string): Promise<BinaryClient> {
    const client = new BinaryClient();
    const loggedIn = new Promise<void>((resolve, reject) => (client.loginDone = (error) => (error ? reject(error) : resolve())));
    client.connection = url.startsWith("tcp://") ? await client.tcp(url) : await client.webSocket(url);
    client.send({ type: "login", apiKey });
    await loggedIn;
    return client;
  }

  /** Sends a message (it goes out at the end of this turn); returns its seq. */
  send(message: Outgoing): number {
    const seq = ++this.seq;
    if (message.type === "cancelAll") this.cancelAlls.add(seq);
    encodeClientMessage(this.out, { ...message, seq } as ClientMessage);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return seq;
  }

  /** Sends a request and resolves with its final answer. */
  request(message: Outgoing): Promise<Final> {
    const seq = this.send(message);
    return new Promise((resolve) => this.waiting.set(seq, resolve));
  }

  /** The market id of a symbol (throws for one the venue does not list). */
  market(symbol: string): number {
    const m = this.markets.get(symbol);
    if (!m) throw new Error(`the venue has no market ${symbol}`);
    return m.market;
  }

  close(): void {
    this.closed = true;
    this.connection.close();
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.out.length > 0) {
      const bytes = this.out.take();
      this.unsent = this.unsent ? Buffer.concat([this.unsent, bytes]) : bytes;
    }
    if (!this.unsent || this.closed) return;
    const n = this.connection.write(this.unsent);
    this.unsent = n >= this.unsent.length ? null : this.unsent.subarray(n);
  }

  private receive(chunk: Uint8Array): void {
    this.reader.push(chunk, (view, at, length) => {
      const m = decodeServerMessage(view, at, length);
      if (m.type === "loginAccepted") {
        this.accountId = m.accountId;
        this.marketCount = m.markets;
        if (m.markets === 0) this.loginDone();
      } else if (m.type === "market") {
        this.markets.set(m.symbol, m);
        if (this.markets.size === this.marketCount) this.loginDone();
      } else if (m.type === "closing") this.closing = m;
      else if (m.seq !== 0 && m.type !== "fill" && (m.type !== "cancelled" || !this.cancelAlls.has(m.seq))) {
        if (m.type === "cancelAllDone") this.cancelAlls.delete(m.seq);
        const done = this.waiting.get(m.seq);
        if (done) {
          this.waiting.delete(m.seq);
          done(m as Final);
        }
      }
      this.onMessage(m);
    });
  }


  private ended(): void {
    this.closed = true;
    this.loginDone(new Error(this.closing ? `login refused: ${this.closing.reason}: ${this.closing.message}` : "the connection closed"));
    for (const done of this.waiting.values()) done({ type: "rejected", seq: 0, code: "SHUTTING_DOWN", message: "the session closed" });
    this.waiting.clear();
    this.onClose(this.closing);
  }

  private async tcp(url: string): Promise<Connection> {
    const { hostname, port } = new URL(url.replace(/^tcp:/, "http:"));
    const socket: Socket<undefined> = await Bun.connect({
      hostname, port: Number(port),
      socket: {
        data: (_, chunk) => this.receive(chunk),
        drain: () => this.flush(),
        close: () => this.ended(),
        error: () => this.ended(),
      },
    });
    socket.setNoDelay?.(true);
    return { write: (bytes) => Math.max(0, socket.write(bytes)), close: () => socket.end() };
  }

  private async webSocket(url: string): Promise<Connection> {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`could not connect to ${url}`));
    });
    ws.onmessage = (e) => this.receive(new Uint8Array(e.data as ArrayBuffer));
    ws.onclose = () => this.ended();
    return {
      write: (bytes) => {
        ws.send(bytes);
        return bytes.length;
      },
      close: () => ws.close(),
    };
  }
}
