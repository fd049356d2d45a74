// One WebSocket to /ws for the whole screen: channels are subscribed by the views that need them,
// resubscribed after a reconnect (with the key authenticated first for the private ones), and each
// message is handed to its channel's handlers as it arrives.

import { FrameStore } from "./frame";

export type Message = { channel?: string; type: string; [key: string]: unknown };
type Handler = (message: Message) => void;

export interface StreamHealth {
  connected: boolean;
  /** Messages received in the last whole second. */
  messagesPerSecond: number;
  messages: number;
  /** The server's last error answer (a refused subscription, say). */
  lastError: string | null;
}

const PRIVATE = new Set(["orders", "balances"]);
// Answers with no data for a channel. "subscribed" does go to the channel's handlers: after it,
// every change is streamed, so it is when a view (re)loads what it shows over REST.
const ANSWERS = new Set(["unsubscribed", "authenticated", "pong"]);
const MAX_BACKOFF_MS = 5_000;

export class Stream {
  readonly health = new FrameStore<StreamHealth>({ connected: false, messagesPerSecond: 0, messages: 0, lastError: null });
  private socket: WebSocket | null = null;
  private readonly handlers = new Map<string, Set<Handler>>();
  private apiKey: string | null = null;
  private backoffMs = 250;
  private countedThisSecond = 0;

  constructor(private readonly url: string) {
    this.connect();
    setInterval(() => {
      const h = this.health.value;
      h.messagesPerSecond = this.countedThisSecond;
      this.countedThisSecond = 0;
      this.health.touch();
    }, 1000);
  }

  /** Hands the channel's messages to `handler` until the returned function is called. */
  subscribe(channel: string, handler: Handler): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      this.sendSubscribe(channel);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        this.send({ op: "unsubscribe", channel });
      }
    };
  }

  /** Asks again for a channel (the book, after a gap: the answer starts with a new snapshot). */
  resubscribe(channel: string): void {
    if (!this.handlers.has(channel)) return;
    this.send({ op: "unsubscribe", channel });
    this.sendSubscribe(channel);
  }

  /** The key private channels use; changing it opens a new socket (nothing of the last account
   *  is heard again), which authenticates, then subscribes every channel. */
  authenticate(apiKey: string | null): void {
    if (apiKey === this.apiKey) return;
    this.apiKey = apiKey;
    const old = this.socket;
    this.connect();
    old?.close();
  }

  private sendSubscribe(channel: string): void {
    if (PRIVATE.has(channel) && !this.apiKey) return;
    this.send({ op: "subscribe", channel });
  }

  private send(message: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.backoffMs = 250;
      this.health.value.connected = true;
      this.health.touch();
      if (this.apiKey) this.send({ op: "auth", apiKey: this.apiKey });
      for (const channel of this.handlers.keys()) this.sendSubscribe(channel);
    };
    // A replaced socket may still deliver what was in flight: the new one streams it again.
    socket.onmessage = (event) => this.socket === socket && this.receive(String(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.health.value.connected = false;
      this.health.touch();
      setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    };
  }

  private receive(data: string): void {
    this.countedThisSecond++;
    this.health.value.messages++;
    const message = JSON.parse(data) as Message;
    if (message.type === "error") {
      this.health.value.lastError = String(message.message);
      this.health.touch();
      return;
    }
    if (message.channel === undefined || ANSWERS.has(message.type)) return;
    for (const handler of this.handlers.get(message.channel) ?? []) handler(message);
  }
}
