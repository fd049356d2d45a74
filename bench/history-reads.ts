// What the store's reads cost on a venue with a long history: a projection file filled with N
// orders and N trades (1,000 accounts, two markets, times rising with ids as the venue's clock
// makes them), then each read the API makes for an order list, a closed order by client order id,
// a market's newest trades, trades from an id, an account's trades and orders in a time window, and
// candles,
// timed (the median of up to 2,001 calls). Run it in two trees to compare them.
//   bun bench/history-reads.ts [--orders 1000000]
import { parseArgs } from "node:util";
import { join } from "node:path";
import { loadMarkets } from "../src/markets";
import { openStorage } from "../src/store/database";
import { Queries } from "../src/store/queries";
import { tempDir } from "../test/helpers";

const { values } = parseArgs({ options: { orders: { type: "string", default: "1000000" } } });
const N = Number(values.orders);
const ACCOUNTS = 1000;
const markets = loadMarkets();
const [a, b] = [markets.list[0]!.symbol, markets.list[1]!.symbol];
const storage = openStorage(join(tempDir("exchange-history-reads-"), "exchange.db"));
const start = 1_700_000_000_000;
const timeOf = (id: number) => start + 10 * id; // a hundred orders (and trades) a second

const fill = (table: string, columns: string, rows: number, row: (i: number) => unknown[]) => {
  const per = Math.floor(999 / columns.split(",").length);
  const statement = storage.tables.prepare(`INSERT INTO ${table} (${columns}) VALUES ${Array(per).fill(`(${columns.split(",").map(() => "?").join(",")})`).join(",")}`);
  storage.tables.transaction(() => {
    let i = 1;
    for (; i + per - 1 <= rows; i += per) statement.run(...Array.from({ length: per }, (_, k) => row(i + k)).flat() as never[]);
    for (; i <= rows; i++) storage.tables.run(`INSERT INTO ${table} (${columns}) VALUES (${columns.split(",").map(() => "?").join(",")})`, row(i) as never[]);
  })();
};
const t0 = performance.now();
// Every hundredth order has a client order id; every thousandth pair is an OCO list.
fill("orders", "id,account_id,symbol,side,type,time_in_force,post_only,price,quantity,filled_quantity,status,client_order_id,created_at,updated_at,list_id", N,
  (i) => [i, 1 + (i % ACCOUNTS), i % 7 ? a : b, "buy", "limit", "GTC", 0, 100, 1, 1, "filled", i % 100 ? null : `c-${i}`, timeOf(i), timeOf(i), i % 1000 < 2 ? i - (i % 1000) : null]);
fill("trades", "id,symbol,price,quantity,taker_order_id,maker_order_id,taker_side,time,taker_account_id,maker_account_id", N,
  (i) => [i, i % 7 ? a : b, 100, 1, i, Math.max(1, i - 5), "buy", timeOf(i), 1 + (i % ACCOUNTS), 1 + ((i * 7) % ACCOUNTS)]);
fill("account_trades", "account_id,trade_id,as_taker", 2 * N, (j) => {
  const i = Math.ceil(j / 2);
  return j % 2 ? [1 + (i % ACCOUNTS), i, 1] : [1 + ((i * 7) % ACCOUNTS), i, 0];
});
console.log(`${N.toLocaleString("en-US")} orders and trades written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const q = new Queries(storage.db, storage.tablesDb, markets);
const late = N - 5000; // an id near the end of the history
const account = 1 + (late % ACCOUNTS);
const reads: [string, () => unknown][] = [
  ["an order by id", () => q.order(late)],
  ["an order list", () => q.orderList(late - (late % 1000))],
  ["a closed order by client order id", () => q.orderByClientId(1 + ((late - (late % 100)) % ACCOUNTS), `c-${late - (late % 100)}`)],
  ["a market's newest 500 trades", () => q.tradeHistory(a, { limit: 500 })],
  ["500 trades from an id", () => q.tradeHistory(a, { fromId: late, limit: 500 })],
  ["an account's trades in the last hour", () => q.accountTrades(account, a, { startTime: timeOf(N) - 3_600_000, limit: 500 })],
  ["an account's orders in the last hour", () => q.accountOrders(account, a, { startTime: timeOf(N) - 3_600_000, limit: 500 })],
  ["the newest 10 one-minute candles", () => q.klines(a, { ms: 60_000, origin: 0 }, { limit: 10 })],
];
console.log("| read | median µs | calls | rows |\n| --- | --- | --- | --- |");
for (const [name, read] of reads) {
  // Up to 2,001 calls or two seconds (at least 11), so that fast reads are timed warm.
  const times: number[] = [];
  let rows = 0;
  const until = performance.now() + 2000;
  while (times.length < 11 || (times.length < 2001 && performance.now() < until)) {
    const t = Bun.nanoseconds();
    const r = read();
    times.push((Bun.nanoseconds() - t) / 1000);
    rows = Array.isArray(r) ? r.length : r ? 1 : 0;
  }
  times.sort((x, y) => x - y);
  console.log(`| ${name} | ${times[times.length >> 1]!.toFixed(1)} | ${times.length} | ${rows} |`);
}
storage.sqlite.close();
storage.tables.close();
