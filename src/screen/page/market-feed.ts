// Everything the screen shows of one market, kept from its public streams: the book (sequence-
// checked, resubscribed on a gap) and the recent trades. Views listen to its stores and draw once
// per frame. The best bid, ask and last price come from those two; the ticker (for the 24-hour
// volume) is asked for every few seconds rather than streamed, a third fewer messages under load.

import { api, type Ticker } from "./api";
import { LocalBook, type BookSnapshot, type BookUpdate } from "./book";
import type { StreamTrade } from "./candles";
import { FrameStore } from "./frame";
import type { Message, Stream } from "./stream";

/** Trades the tape keeps, newest first (more than its panel shows at 1280×800). */
const TAPE_LENGTH = 30;
const TICKER_EVERY_MS = 2_000;

export class MarketFeed {
  readonly book = new FrameStore(new LocalBook());
  readonly trades = new FrameStore<StreamTrade[]>([]);
  readonly ticker = new FrameStore<Ticker | null>(null);
  /** Times the trades stream was (re)subscribed: from each, every trade is streamed, so what is
   *  built from trades (the tape, the candles) loads then, and again after a reconnect, since
   *  trades may have been missed while the socket was down. */
  readonly tradesSubscribed = new FrameStore(0);
  /** Book updates applied and gaps seen (each gap resubscribes). */
  readonly bookStats = { updates: 0, gaps: 0 };
  private awaitingSnapshot = true;
  private readonly tradeListeners = new Set<(trades: StreamTrade[]) => void>();
  private readonly unsubscribe: (() => void)[];
  private readonly tickerTimer: ReturnType<typeof setInterval>;

  constructor(private readonly stream: Stream, readonly symbol: string) {
    const bookChannel = `book:${symbol}`;
    this.unsubscribe = [
      stream.subscribe(bookChannel, (m) => this.onBook(bookChannel, m)),
      stream.subscribe(`trades:${symbol}`, (m) => {
        if (m.type === "trades") this.onTrades(m.trades as StreamTrade[]);
        else if (m.type === "subscribed") this.onTradesSubscribed();
      }),
    ];
    const askTicker = () => api<Ticker>("GET", `/api/v1/markets/${symbol}/ticker`).then((t) => this.ticker.set(t), () => {});
    void askTicker();
    this.tickerTimer = setInterval(askTicker, TICKER_EVERY_MS);
  }

  /** Hears each message's trades, oldest first, until the returned function is called. */
  onTrade(listener: (trades: StreamTrade[]) => void): () => void {
    this.tradeListeners.add(listener);
    return () => this.tradeListeners.delete(listener);
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    clearInterval(this.tickerTimer);
    this.tradeListeners.clear();
  }

  private onBook(channel: string, m: Message): void {
    const book = this.book.value;
    if (m.type === "subscribed") return;
    if (m.type === "snapshot") {
      book.snapshot(m as unknown as BookSnapshot);
      this.awaitingSnapshot = false;
    } else {
      const result = book.update(m as unknown as BookUpdate);
      if (result === "stale") return;
      if (result === "gap") {
        // Ask once; the updates before the new snapshot are gaps too, and are dropped.
        if (!this.awaitingSnapshot) {
          this.awaitingSnapshot = true;
          this.bookStats.gaps++;
          this.stream.resubscribe(channel);
        }
        return;
      }
      this.bookStats.updates++;
    }
    this.book.touch();
  }

  private onTrades(trades: StreamTrade[]): void {
    const tape = this.trades.value;
    for (const t of trades) tape.unshift(t);
    if (tape.length > TAPE_LENGTH) tape.length = TAPE_LENGTH;
    this.trades.touch();
    for (const l of this.tradeListeners) l(trades);
  }

  private onTradesSubscribed(): void {
    this.trades.value.length = 0;
    this.tradesSubscribed.set(this.tradesSubscribed.value + 1);
    void this.loadTape();
  }

  /** The tape starts from the REST trades; trades the stream brought meanwhile are kept, the
   *  REST answer's older ones go after them. */
  private async loadTape(): Promise<void> {
    const recent = await api<(StreamTrade & { symbol: string })[]>("GET", `/api/v1/markets/${this.symbol}/trades?limit=${TAPE_LENGTH}`).catch(() => []);
    const tape = this.trades.value;
    const oldestStreamed = tape.length > 0 ? BigInt(tape[tape.length - 1]!.tradeId) : null;
    for (const t of recent) {
      if (oldestStreamed === null || BigInt(t.tradeId) < oldestStreamed) tape.push(t);
    }
    if (tape.length > TAPE_LENGTH) tape.length = TAPE_LENGTH;
    this.trades.touch();
  }
}
