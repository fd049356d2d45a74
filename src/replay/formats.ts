// Recorded markets, read into one shape: changes of a price level's total (absolute), trades
// with their taker's side, and "clear" (a new snapshot begins). Readers for Binance's public
// trades and aggTrades CSV (data.binance.vision; zipped or not, with or without a header,
// milliseconds or microseconds), Tardis' incremental_book_L2 with its trades CSV (gzipped or
// not), and LOBSTER's message and orderbook files. Prices and sizes become the market's ticks and
// lots, rounded to the nearest (a recording may be finer than the market); sizes that round to
// nothing are dropped.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Market } from "../markets";
import type { Side } from "../orders/order";
import { firstZipEntry } from "./zip";

export type RecordedEvent =
  | { time: number; kind: "level"; side: Side; price: number; quantity: number }
  | { time: number; kind: "trade"; takerSide: Side; price: number; quantity: number }
  | { time: number; kind: "clear" };

export type ReplayFormat = "binance" | "tardis" | "lobster";

/** A recording's text, unzipped or gunzipped as its name says. */
function readText(path: string): string {
  const bytes = readFileSync(path);
  if (path.endsWith(".zip")) return firstZipEntry(bytes).data.toString("utf8");
  if (path.endsWith(".gz")) return gunzipSync(bytes).toString("utf8");
  return bytes.toString("utf8");
}

function lines(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed !== "") rows.push(trimmed.split(","));
  }
  return rows;
}

/** Decimal text to whole units of `unit` (a tick or a step), to the nearest. */
function toUnits(text: string, unit: number, what: string, where: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${where}: ${what} "${text.slice(0, 32)}" is not a non-negative number`);
  return Math.round(v / unit);
}

/** Reads the files of one recording for `market`, oldest first. Which format: from the files. */
export function readRecording(files: string[], market: Market): { format: ReplayFormat; events: RecordedEvent[] } {
  if (files.length === 0) throw new Error("give the recording's files");
  const names = files.map((f) => basename(f));
  if (names.some((n) => n.includes("_message_") || n.includes("_orderbook_"))) return { format: "lobster", events: readLobster(files, market) };
  const texts = files.map(readText);
  if (texts.some((t) => t.slice(0, 200).includes("local_timestamp"))) return { format: "tardis", events: readTardis(files, texts, market) };
  if (files.length !== 1) throw new Error("a Binance recording is one trades or aggTrades file");
  return { format: "binance", events: readBinance(files[0]!, texts[0]!, market) };
}

const tick = (m: Market) => Number(m.spec.tickSize);
const step = (m: Market) => Number(m.spec.stepSize);

/** trades: id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]; aggTrades:
 *  agg_id,price,qty,first_id,last_id,time,is_buyer_maker[,is_best_match]. */
function readBinance(file: string, text: string, m: Market): RecordedEvent[] {
  const rows = lines(text);
  if (rows.length > 0 && !/^\d/.test(rows[0]![0]!)) rows.shift(); // a header
  const events: RecordedEvent[] = [];
  rows.forEach((r, i) => {
    const where = `${file}:${i + 1}`;
    const agg = r.length === 8;
    const timeText = agg ? r[5] : r[4];
    const buyerMaker = agg ? r[6] : r[5];
    if (!timeText || !buyerMaker) throw new Error(`${where}: expected Binance trades or aggTrades columns`);
    let time = Number(timeText);
    if (!Number.isFinite(time)) throw new Error(`${where}: time "${timeText.slice(0, 32)}" is not a number`);
    if (time > 1e14) time = Math.floor(time / 1000); // microseconds (spot files since 2025)
    const quantity = toUnits(r[2]!, step(m), "quantity", where);
    if (quantity === 0) return;
    events.push({ time, kind: "trade", takerSide: /^true$/i.test(buyerMaker) ? "sell" : "buy", price: toUnits(r[1]!, tick(m), "price", where), quantity });
  });
  return events;
}

/** incremental_book_L2: exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount;
 *  trades: exchange,symbol,timestamp,local_timestamp,id,side,price,amount. Microseconds. */
function readTardis(files: string[], texts: string[], m: Market): RecordedEvent[] {
  const trades: RecordedEvent[] = [];
  const book: RecordedEvent[] = [];
  texts.forEach((text, f) => {
    const rows = lines(text);
    const header = rows.shift() ?? [];
    const col = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`${files[f]}: no "${name}" column`);
      return i;
    };
    const [ts, side, price, amount] = [col("timestamp"), col("side"), col("price"), col("amount")];
    const snapshot = header.indexOf("is_snapshot");
    let inSnapshot = false;
    rows.forEach((r, i) => {
      const where = `${files[f]}:${i + 2}`;
      const time = Math.floor(Number(r[ts]) / 1000);
      if (!Number.isFinite(time)) throw new Error(`${where}: timestamp is not a number`);
      const p = toUnits(r[price]!, tick(m), "price", where);
      const q = toUnits(r[amount]!, step(m), "amount", where);
      if (snapshot < 0) {
        if (q > 0) trades.push({ time, kind: "trade", takerSide: r[side] === "sell" ? "sell" : "buy", price: p, quantity: q });
        return;
      }
      const isSnapshot = r[snapshot] === "true";
      if (isSnapshot && !inSnapshot) book.push({ time, kind: "clear" });
      inSnapshot = isSnapshot;
      book.push({ time, kind: "level", side: r[side] === "ask" ? "sell" : "buy", price: p, quantity: q });
    });
  });
  return mergeByTime(trades, book);
}

/** LOBSTER: <ticker>_<date>_<start>_<end>_message_<levels>.csv (time in seconds after midnight,
 *  type, order id, size, price × 10000, direction) and ..._orderbook_<levels>.csv (ask price,
 *  ask size, bid price, bid size, … per level, the book after each message). */
function readLobster(files: string[], m: Market): RecordedEvent[] {
  const message = files.find((f) => basename(f).includes("_message_"));
  const orderbook = files.find((f) => basename(f).includes("_orderbook_"));
  if (!message || !orderbook) throw new Error("a LOBSTER recording is its _message_ and _orderbook_ files");
  const date = /_(\d{4}-\d{2}-\d{2})_/.exec(basename(message))?.[1];
  const midnight = date ? Date.parse(`${date}T00:00:00Z`) : 0;
  const messages = lines(readText(message));
  const books = lines(readText(orderbook));
  if (messages.length !== books.length) throw new Error(`${message} has ${messages.length} rows but ${orderbook} has ${books.length}: they must match row for row`);
  const events: RecordedEvent[] = [];
  let previous = new Map<string, number>();
  messages.forEach((msg, i) => {
    const where = `${message}:${i + 1}`;
    const time = midnight + Math.round(Number(msg[0]) * 1000);
    if (!Number.isFinite(time)) throw new Error(`${where}: time is not a number`);
    const type = Number(msg[1]);
    // Executions (4 visible, 5 hidden): the direction is the resting order's side.
    if (type === 4 || type === 5) {
      const quantity = toUnits(msg[3]!, step(m), "size", where);
      if (quantity > 0) events.push({ time, kind: "trade", takerSide: msg[5] === "1" ? "sell" : "buy", price: toUnits(String(Number(msg[4]) / 10_000), tick(m), "price", where), quantity });
    }
    const row = books[i]!;
    const now = new Map<string, number>();
    for (let c = 0; c + 3 < row.length; c += 4) {
      for (const [side, p, s] of [["sell", row[c], row[c + 1]], ["buy", row[c + 2], row[c + 3]]] as const) {
        // Empty levels are given as 9999999999 (asks) or -9999999999 (bids).
        if (p === undefined || s === undefined || Math.abs(Number(p)) >= 9_999_999_999) continue;
        const price = toUnits(String(Number(p) / 10_000), tick(m), "price", `${orderbook}:${i + 1}`);
        now.set(`${side}:${price}`, (now.get(`${side}:${price}`) ?? 0) + toUnits(s, step(m), "size", `${orderbook}:${i + 1}`));
      }
    }
    events.push(...levelChanges(time, previous, now));
    previous = now;
  });
  return events;
}

/** The level changes from one book to the next, each book lots by "side:price": the levels
 *  whose size changed or came, then those gone. */
export function levelChanges(time: number, previous: Map<string, number>, now: Map<string, number>): RecordedEvent[] {
  const level = (key: string, quantity: number): RecordedEvent => {
    const [side, price] = key.split(":") as [Side, string];
    return { time, kind: "level", side, price: Number(price), quantity };
  };
  const changes: RecordedEvent[] = [];
  for (const [key, quantity] of now) if (previous.get(key) !== quantity) changes.push(level(key, quantity));
  for (const key of previous.keys()) if (!now.has(key)) changes.push(level(key, 0));
  return changes;
}

/** Trades before book changes of the same time: the trade consumes the recorded level, and the
 *  change that follows states what is left. */
function mergeByTime(trades: RecordedEvent[], book: RecordedEvent[]): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  let i = 0, j = 0;
  while (i < trades.length || j < book.length) {
    if (j >= book.length || (i < trades.length && trades[i]!.time <= book[j]!.time)) out.push(trades[i++]!);
    else out.push(book[j++]!);
  }
  return out;
}
