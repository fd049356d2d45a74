// Hostile input: a corpus of malformed and hostile requests. Each gets the right 4xx in the
// contract's error shape with a message naming the problem; the server keeps serving; refused
// requests change nothing in the database.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestExchange } from "./helpers";

interface Case { name: string; method: string; path: string; body?: string; headers?: Record<string, string>; key?: "alice" | "bob" | "none" | string; status: number; message: RegExp }

const json = { "content-type": "application/json" };
const good = { symbol: "BTC-USD", side: "buy", type: "limit", price: "100.00", quantity: "1" };
const order = (patch: Record<string, unknown>, status: number, message: RegExp, name?: string): Case => ({
  name: name ?? `order ${JSON.stringify(patch).slice(0, 60)}`, method: "POST", path: "/api/v1/orders",
  body: JSON.stringify({ ...good, ...patch }), headers: json, status, message,
});
const cases: Case[] = [];

// Malformed JSON and non-object bodies.
for (const raw of ["{", "}", "[", '{"symbol":}', '{"symbol":"BTC-USD",}', "{'symbol':'BTC-USD'}", '{"a":1} x', "", " ", "nul", '{"price": NaN}', '{"price": Infinity}', '{"quantity": -Infinity}', '{"quantity": 0x10}', '{"quantity": 01}', "\u0000", '{"a":"\\u00"}']) {
  cases.push({ name: `bad JSON ${JSON.stringify(raw)}`, method: "POST", path: "/api/v1/orders", body: raw, headers: json, status: 400, message: /JSON|body/ });
}
for (const raw of ["null", '"text"', "123", "true", "[]", JSON.stringify([good])]) {
  cases.push({ name: `non-object body ${raw.slice(0, 20)}`, method: "POST", path: "/api/v1/orders", body: raw, headers: json, status: 400, message: /JSON object|body/ });
}
cases.push({ name: "deeply nested JSON", method: "POST", path: "/api/v1/orders", body: "[".repeat(100_000) + "]".repeat(100_000), headers: json, status: 400, message: /nested deeper/ });
cases.push({ name: "20-deep objects", method: "POST", path: "/api/v1/orders", body: '{"a":'.repeat(20) + "1" + "}".repeat(20), headers: json, status: 400, message: /nested deeper/ });
cases.push(order({ symbol: "[{".repeat(50) + '\\"' }, 400, /symbol/, "brackets inside a string are not nesting"));

// Wrong types, for every field.
const wrongTypes: [string, unknown[], RegExp][] = [
  ["symbol", [1, true, [], {}, null], /symbol/],
  ["side", [1, true, [], {}, "BUY", "Buy", "long", ""], /side/],
  ["type", [1, false, [], {}, "LIMIT", "stop", ""], /type/],
  ["quantity", [true, [], {}, [1], { v: 1 }], /quantity/],
  ["price", [true, [], {}, ["100"]], /price/],
  ["timeInForce", [1, true, "gtc", "ioc", "GTD", "", []], /timeInForce/],
  ["postOnly", [1, "true", "yes", [], {}], /postOnly/],
  ["clientOrderId", [1, true, [], {}, "", "x".repeat(37), "../../etc/passwd", "'; DROP TABLE orders; --", "a b", "line\nbreak", "ünïcödé", "<script>", "%00", "a/b"], /clientOrderId/],
];
for (const [field, values, message] of wrongTypes) for (const v of values) cases.push(order({ [field]: v }, 400, message));

// Numbers: signs, zero, huge, sub-tick, exponents, spellings.
for (const v of ["NaN", "Infinity", "-Infinity", "-1", "-0.01", "0", "0.00", "1e2", "1E2", "1e-7", "+1", " 1", "1 ", ".5", "5.", "0x10", "1_000", "1,5", "١٢٣", "100.001", "100.0001", "123456789012345678901234567890", "1".repeat(41), "99999999999999999999", 1e300, -5, 0, 1e-9, 100.001]) {
  cases.push(order({ price: v }, 400, /price/));
}
for (const v of ["NaN", "-1", "0", "0.00001", "1e3", "0.000099", "123456789012345678901234567890.5", "1000000000000000000", 1e21, -0.5, 0, 0.00001]) {
  cases.push(order({ quantity: v }, 400, /quantity/));
}

// Missing and extra fields, wrong combinations.
for (const f of ["symbol", "side", "type", "quantity"]) cases.push(order({ [f]: undefined }, 400, new RegExp(`${f} is required`)));
cases.push(order({ price: undefined }, 400, /price is required/));
cases.push(order({ type: "market" }, 400, /price/, "price on a market order"));
cases.push(order({ postOnly: true, timeInForce: "IOC" }, 400, /postOnly/));
cases.push(order({ postOnly: true, type: "market", price: undefined }, 400, /postOnly/));
for (const extra of ["leverage", "userId", "__proto__", "constructor", "accountId", "status", "Symbol", "timeinforce", "prices"]) {
  cases.push({ name: `extra field ${extra}`, method: "POST", path: "/api/v1/orders", body: JSON.stringify({ ...good }).replace(/}$/, `,"${extra}":1}`), headers: json, status: 400, message: new RegExp(`unknown field "${extra.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`) });
}

// Unknown symbols.
for (const s of ["DOGE-USD", "btc-usd", "", " BTC-USD", "BTC-USD ", "BTC_USD", "BTC-USD\u0000", "x".repeat(1000), "../ETH-USD"]) {
  cases.push(order({ symbol: s }, 400, /symbol/));
}
for (const path of ["/api/v1/markets/DOGE-USD/book", "/api/v1/markets/btc-usd/ticker", "/api/v1/markets/%2E%2E/trades", "/api/v1/markets/BTC-USD%00/book"]) {
  cases.push({ name: `market path ${path}`, method: "GET", path, status: 404, message: /not a market|no such endpoint/ });
}

// Oversized bodies and batches.
cases.push({ name: "2 MiB body", method: "POST", path: "/api/v1/orders", body: JSON.stringify({ ...good, pad: "x".repeat(2 << 20) }), headers: json, status: 413, message: /larger than/ });
cases.push({ name: "batch of 1001", method: "POST", path: "/api/v1/orders/batch", body: JSON.stringify({ orders: new Array(1001).fill(good) }), headers: json, status: 400, message: /orders/ });
cases.push({ name: "empty batch", method: "POST", path: "/api/v1/orders/batch", body: JSON.stringify({ orders: [] }), headers: json, status: 400, message: /orders/ });
cases.push({ name: "batch not an array", method: "POST", path: "/api/v1/orders/batch", body: JSON.stringify({ orders: good }), headers: json, status: 400, message: /orders/ });
cases.push({ name: "batch extra field", method: "POST", path: "/api/v1/orders/batch", body: JSON.stringify({ orders: [good], atomic: true }), headers: json, status: 400, message: /unknown field "atomic"/ });

// Wrong content types.
for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "application/xml", "text/json"]) {
  cases.push({ name: `content type ${type}`, method: "POST", path: "/api/v1/orders", body: JSON.stringify(good), headers: { "content-type": type }, status: 415, message: /Content-Type: application\/json/ });
}
cases.push({ name: "no content type", method: "POST", path: "/api/v1/orders", body: JSON.stringify(good), headers: {}, status: 415, message: /application\/json/ });

// Missing and forged API keys.
for (const key of ["none", "", "ex_forged", "ex_" + "A".repeat(32), "x".repeat(10_000), "' OR 1=1 --", "Bearer ex_abc"]) {
  cases.push({ name: `api key ${JSON.stringify(key.slice(0, 20))}`, method: "POST", path: "/api/v1/orders", body: JSON.stringify(good), headers: json, key, status: 401, message: /API key|X-API-Key/ });
}
for (const [method, path] of [["GET", "/api/v1/orders"], ["DELETE", "/api/v1/orders"], ["GET", "/api/v1/orders/1"], ["DELETE", "/api/v1/orders/1"], ["PATCH", "/api/v1/orders/1"]]) {
  cases.push({ name: `${method} ${path} without a key`, method: method!, path: path!, key: "none", status: 401, message: /X-API-Key/ });
}

// Path and query parameters.
for (const id of ["18446744073709551616", "99999999999999999999999", "-1", "0", "1e3", "0x10", "1.0", "abc", "1;DROP%20TABLE%20orders", "%27%20OR%201=1", "9007199254740993"]) {
  cases.push({ name: `order id ${id}`, method: "GET", path: `/api/v1/orders/${id}`, key: "alice", status: 400, message: /orderId/ });
}
for (const q of ["depth=0", "depth=-1", "depth=abc", "depth=1001", "depth=1e3", "depth=1.5"]) {
  cases.push({ name: `book ?${q}`, method: "GET", path: `/api/v1/markets/BTC-USD/book?${q}`, status: 400, message: /depth/ });
}
for (const q of ["limit=0", "limit=99999", "limit=-5", "limit=ten"]) {
  cases.push({ name: `trades ?${q}`, method: "GET", path: `/api/v1/markets/BTC-USD/trades?${q}`, status: 400, message: /limit/ });
}
for (const q of ["status=OPEN", "status=pending", "limit=0", "symbol=DOGE-USD", "symbol=../../etc"]) {
  cases.push({ name: `orders ?${q}`, method: "GET", path: `/api/v1/orders?${q}`, key: "alice", status: q.startsWith("symbol") ? 404 : 400, message: /status|limit|not a market/ });
}
cases.push({ name: "unknown endpoint", method: "GET", path: "/api/v1/../../etc/passwd", status: 404, message: /no such endpoint/ });
cases.push({ name: "unknown method path", method: "POST", path: "/api/v1/markets", body: "{}", headers: json, status: 404, message: /no such endpoint/ });

// Spot accounts: order fields, funds, deposits and withdrawals.
const market = { type: "market", price: undefined, quantity: undefined };
for (const [patch, message] of [
  [{ ...market, quoteQuantity: "-1" }, /quoteQuantity/], [{ ...market, quoteQuantity: "0" }, /quoteQuantity/],
  [{ ...market, quoteQuantity: "1e3" }, /quoteQuantity/], [{ ...market, quoteQuantity: "0.0000001" }, /quoteQuantity/],
  [{ ...market, quoteQuantity: "99999999999999999999999" }, /quoteQuantity/], [{ ...market, quoteQuantity: true }, /quoteQuantity/],
  [{ ...market, quoteQuantity: "10", quantity: "1" }, /quoteQuantity/], [{ ...market, quoteQuantity: "10", timeInForce: "FOK" }, /FOK/],
  [{ quoteQuantity: "10" }, /quoteQuantity/], [{ ...market }, /quantity/],
  [{ selfTradePrevention: "EXPIRE_MAKER" }, /selfTradePrevention/], [{ selfTradePrevention: 2 }, /selfTradePrevention/],
  [{ selfTradePrevention: "" }, /selfTradePrevention/],
] as [Record<string, unknown>, RegExp][]) cases.push(order(patch, 400, message));
// More than the account has: refused, nothing held.
cases.push(order({ price: "100000.00", quantity: "100" }, 400, /insufficient USD: needs 10000000\.000000/, "a buy the free quote does not cover"));
cases.push(order({ side: "sell", quantity: "1000" }, 400, /insufficient BTC/, "a sell the free base does not cover"));
for (const path of ["/api/v1/account/deposits", "/api/v1/account/withdrawals"]) {
  for (const [body, message] of [
    [{ asset: "USD", amount: "-1" }, /amount/], [{ asset: "USD", amount: "0" }, /amount/], [{ asset: "USD", amount: "1e3" }, /amount/],
    [{ asset: "USD", amount: "0.0000001" }, /precision/], [{ asset: "USD", amount: "1".repeat(30) }, /too large/], [{ asset: "USD", amount: true }, /amount/],
    [{ asset: "DOGE", amount: "1" }, /DOGE/], [{ asset: "", amount: "1" }, /asset/], [{ asset: "USD" }, /amount/], [{ amount: "1" }, /asset/],
    [{ asset: "USD", amount: "1", to: "bob" }, /unknown field "to"/],
  ] as [Record<string, unknown>, RegExp][]) {
    cases.push({ name: `${path.split("/").pop()} ${JSON.stringify(body).slice(0, 40)}`, method: "POST", path, body: JSON.stringify(body), headers: json, status: 400, message });
  }
  cases.push({ name: `${path} text body`, method: "POST", path, body: "asset=USD&amount=1", headers: { "content-type": "text/plain" }, status: 415, message: /JSON/ });
  cases.push({ name: `${path} without a key`, method: "POST", path, body: JSON.stringify({ asset: "USD", amount: "1" }), headers: json, key: "none", status: 401, message: /X-API-Key/ });
}
cases.push({ name: "withdrawal beyond free", method: "POST", path: "/api/v1/account/withdrawals", body: JSON.stringify({ asset: "USD", amount: "2000000" }), headers: json, status: 400, message: /insufficient USD/ });
cases.push({ name: "ledger of an unknown asset", method: "GET", path: "/api/v1/account/ledger?asset=DOGE", status: 400, message: /DOGE/ });
cases.push({ name: "ledger limit 0", method: "GET", path: "/api/v1/account/ledger?limit=0", status: 400, message: /limit/ });

// Order types: conditional fields, icebergs, order lists and cancel-replace.
const stop = { type: "stop_loss_limit", stopPrice: "95.00" };
for (const [patch, message] of [
  [{ type: "stop_loss_limit" }, /stopPrice/], [{ ...stop, stopPrice: "95.001" }, /stopPrice/], [{ ...stop, stopPrice: "-1" }, /stopPrice/],
  [{ ...stop, stopPrice: "0" }, /stopPrice/], [{ ...stop, stopPrice: true }, /stopPrice/], [{ ...stop, stopPrice: "1e2" }, /stopPrice/],
  [{ ...stop, trailingDelta: 0 }, /trailingDelta/], [{ ...stop, trailingDelta: 10000 }, /trailingDelta/], [{ ...stop, trailingDelta: 1.5 }, /trailingDelta/],
  [{ ...stop, trailingDelta: "100" }, /trailingDelta/], [{ ...stop, trailingDelta: -5 }, /trailingDelta/], [{ ...stop, trailingDelta: null, stopPrice: null }, /stopPrice/],
  [{ stopPrice: "95.00" }, /stopPrice/], [{ trailingDelta: 100 }, /trailingDelta/],
  [{ type: "stop_loss", stopPrice: "110.00", price: undefined }, /price/], [{ type: "stop_loss", side: "sell", stopPrice: "90.00" }, /price must not/],
  [{ ...stop, price: undefined }, /price/], [{ ...stop, postOnly: true }, /postOnly/],
  [{ icebergQuantity: "1" }, /icebergQuantity/], [{ icebergQuantity: "2" }, /icebergQuantity/], [{ icebergQuantity: "0" }, /icebergQuantity/],
  [{ icebergQuantity: "0.00001" }, /icebergQuantity/], [{ icebergQuantity: "0.5", timeInForce: "IOC" }, /icebergQuantity/],
  [{ type: "market", price: undefined, icebergQuantity: "0.5" }, /icebergQuantity/], [{ icebergQuantity: [] }, /icebergQuantity/],
] as [Record<string, unknown>, RegExp][]) cases.push(order(patch, 400, message));
const list = (body: unknown, message: RegExp, name: string): Case => ({ name: `order list: ${name}`, method: "POST", path: "/api/v1/orderLists", body: JSON.stringify(body), headers: json, status: 400, message });
const sellLimit = { ...good, side: "sell", price: "200.00", quantity: "1", postOnly: true };
const sellStop = { ...good, side: "sell", type: "stop_loss", price: undefined, stopPrice: "80.00" };
cases.push(list({ type: "oco", orders: [sellLimit] }, /two order requests/, "one order"));
cases.push(list({ type: "oco", orders: [sellLimit, sellStop, sellStop] }, /two order requests/, "three orders"));
cases.push(list({ type: "otoco", orders: [sellLimit, sellStop] }, /three order requests/, "an otoco of two orders"));
cases.push(list({ type: "otoco", orders: [good, sellLimit, sellStop, sellStop] }, /orders must be an array/, "an otoco of four orders"));
cases.push(list({ type: "otoco", orders: [sellStop, sellLimit, sellStop] }, /working/, "an otoco whose working order is a stop"));
cases.push(list({ type: "otoco", orders: [good, sellLimit, { ...sellStop, side: "buy", price: "120.00", stopPrice: "120.00" }] }, /pending pair/, "an otoco pair on two sides"));
cases.push(list({ type: "OCO", orders: [sellLimit, sellStop] }, /type/, "type OCO"));
cases.push(list({ orders: [sellLimit, sellStop] }, /type is required/, "no type"));
cases.push(list({ type: "oco", orders: [sellLimit, { ...sellStop, stopPrice: "80.001" }] }, /stopPrice/, "an off-tick stop"));
cases.push(list({ type: "oco", orders: [sellLimit, sellStop], atomic: true }, /unknown field "atomic"/, "extra field"));
cases.push(list({ type: "oco", orders: [sellLimit, { ...sellStop, side: "buy", price: "120.00", stopPrice: "120.00" }] }, /order/, "legs on two sides"));
cases.push(list({ type: "oco", orders: [{ ...sellLimit, postOnly: false }, sellStop] }, /order/, "a leg that may take"));
cases.push(list({ type: "oco", orders: [{ ...sellLimit, symbol: "ETH-USD" }, sellStop] }, /order/, "legs in two markets"));
cases.push(list({ type: "oto", orders: [sellStop, sellLimit] }, /order/, "a conditional working order"));
const replace = (body: unknown, status: number, message: RegExp, name: string, path = "/api/v1/orders/1/replace"): Case => ({ name: `replace: ${name}`, method: "POST", path, body: JSON.stringify(body), headers: json, status, message });
cases.push(replace({ order: { ...good, price: "100.001" } }, 400, /price/, "an off-tick new order"));
cases.push(replace({ order: good, mode: "sometimes" }, 400, /mode/, "an unknown mode"));
cases.push(replace({ mode: "allowFailure" }, 400, /order/, "no new order"));
cases.push(replace({ order: good }, 404, /not found/, "an order that does not exist", "/api/v1/orders/999999/replace"));
cases.push(replace({ order: good }, 400, /orderId/, "a bad order id", "/api/v1/orders/abc/replace"));
cases.push({ name: "order list of a bad id", method: "GET", path: "/api/v1/orderLists/abc", status: 400, message: /orderId|listId/ });
for (const listClientOrderId of ["", "x".repeat(37), "no spaces", 7]) {
  cases.push(list({ type: "oco", listClientOrderId, orders: [{ ...good, postOnly: true }, { ...good, postOnly: true }] }, /listClientOrderId/, `listClientOrderId ${JSON.stringify(listClientOrderId)}`));
}
cases.push({ name: "order list that does not exist", method: "GET", path: "/api/v1/orderLists/424242", status: 404, message: /not found/ });
for (const limit of ["0", "1001", "abc"]) cases.push({ name: `order lists, limit ${limit}`, method: "GET", path: `/api/v1/orderLists?limit=${limit}`, status: 400, message: /limit/ });

// Accounts endpoint.
for (const body of [{}, { name: "" }, { name: 5 }, { name: "x".repeat(101) }, { name: "a", admin: true }, { name: "tab\there" }]) {
  cases.push({ name: `account ${JSON.stringify(body).slice(0, 30)}`, method: "POST", path: "/api/v1/accounts", body: JSON.stringify(body), headers: json, status: 400, message: /name|unknown field/ });
}
for (const body of [{ name: "a", deposits: { USD: "-5" } }, { name: "a", deposits: { DOGE: "5" } }, { name: "a", deposits: ["USD"] }, { name: "a", deposits: { USD: "0.0000001" } },
  { name: "a", makerFeeBps: -1 }, { name: "a", takerFeeBps: 1001 }, { name: "a", makerFeeBps: 1.5 }, { name: "a", takerFeeBps: "5" }]) {
  cases.push({ name: `account ${JSON.stringify(body).slice(0, 40)}`, method: "POST", path: "/api/v1/accounts", body: JSON.stringify(body), headers: json, status: 400, message: /deposits|DOGE|FeeBps/ });
}
cases.push({ name: "account as text", method: "POST", path: "/api/v1/accounts", body: '{"name":"x"}', headers: { "content-type": "text/plain" }, status: 415, message: /JSON/ });

let ex: ReturnType<typeof startTestExchange>;
let keys: Record<string, string>;
let aliceOrder: string;
beforeAll(async () => {
  ex = startTestExchange();
  keys = { alice: ex.newAccount("alice"), bob: ex.newAccount("bob") };
  aliceOrder = (await ex.call("POST", "/api/v1/orders", { key: keys.alice, json: { ...good, price: "90.00" } })).body.orderId;
});
afterAll(() => ex.stop());

function fingerprint() {
  ex.exchange.writeTables(); // orders and trades follow the journal a few milliseconds later
  const { sqlite, tables } = ex.exchange.storage;
  const q = (db: typeof sqlite, sql: string) => db.query(sql).all();
  return JSON.stringify([q(tables, "SELECT * FROM orders ORDER BY id"), q(sqlite, "SELECT last_seq, hex(entries) FROM journal_batches ORDER BY last_seq"), q(tables, "SELECT * FROM trades ORDER BY id"), q(sqlite, "SELECT id, name FROM accounts ORDER BY id"),
    q(tables, "SELECT * FROM balances ORDER BY account_id, asset"), q(tables, "SELECT * FROM ledger ORDER BY id"), q(sqlite, "SELECT * FROM account_requests ORDER BY id")]);
}

test("the corpus holds at least 150 hostile requests", () => {
  expect(cases.length).toBeGreaterThanOrEqual(150);
});

test("another account's order is 404 for every action", async () => {
  for (const [method, body] of [["GET", undefined], ["DELETE", undefined], ["PATCH", { quantity: "0.5" }]] as const) {
    const r = await ex.call(method, `/api/v1/orders/${aliceOrder}`, { key: keys.bob, json: body });
    expect(r.status).toBe(404);
    expect(r.body.error.message).toContain(aliceOrder);
  }
});

test("each hostile request: the right 4xx, the error shape, a message naming the problem; nothing changes", async () => {
  const before = fingerprint();
  const failures: string[] = [];
  for (const c of cases) {
    const headers: Record<string, string> = { ...c.headers };
    const key = c.key === undefined ? keys.alice : c.key === "none" ? undefined : keys[c.key] ?? c.key;
    if (key !== undefined) headers["x-api-key"] = key;
    let res: Response;
    try {
      res = await fetch(ex.url + c.path, { method: c.method, headers, body: c.body });
    } catch (error) {
      failures.push(`${c.name}: request failed (${error})`);
      continue;
    }
    const text = await res.text();
    let body: any;
    try { body = JSON.parse(text); } catch { body = undefined; }
    if (res.status !== c.status) failures.push(`${c.name}: status ${res.status}, expected ${c.status} (${text.slice(0, 120)})`);
    else if (typeof body?.error?.code !== "string" || typeof body?.error?.message !== "string") failures.push(`${c.name}: not the error shape: ${text.slice(0, 120)}`);
    else if (!c.message.test(body.error.message)) failures.push(`${c.name}: message "${body.error.message}" does not match ${c.message}`);
  }
  expect(failures).toEqual([]);
  expect(fingerprint()).toBe(before);
  expect((await ex.call("GET", "/health")).status).toBe(200);
  expect((await ex.call("POST", "/api/v1/orders", { key: keys.alice, json: good })).status).toBe(201);
}, 60_000);
