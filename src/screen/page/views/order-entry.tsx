// The order ticket: every order type the API takes (limit with time in force, post-only and
// iceberg; market by quantity or by quote; stops and take-profits, market or limit, fixed or
// trailing; OCO lists). It sends what the user typed as typed: the API validates, and its message
// is shown next to the field it names.
import { useEffect, useState } from "preact/hooks";
import { api, ApiFailure, type MarketInfo, type Order } from "../api";
import type { FrameStore } from "../frame";

export interface Ticket {
  price: string | null;
  side: "buy" | "sell" | null;
}

const TYPES = {
  limit: "Limit",
  market: "Market",
  stop_loss_limit: "Stop limit",
  stop_loss: "Stop market",
  take_profit_limit: "Take-profit limit",
  take_profit: "Take-profit market",
  oco: "OCO (limit + stop)",
} as const;
type FormType = keyof typeof TYPES;

/** The fields each type shows; stopLimitPrice is the OCO stop leg's limit price (empty: a stop market). */
const FIELDS: Record<FormType, readonly string[]> = {
  limit: ["price", "quantity", "timeInForce", "postOnly", "icebergQuantity"],
  market: ["quantity", "quoteQuantity"],
  stop_loss_limit: ["stopPrice", "trailingDelta", "price", "quantity", "timeInForce", "icebergQuantity"],
  stop_loss: ["stopPrice", "trailingDelta", "quantity", "quoteQuantity", "price"],
  take_profit_limit: ["stopPrice", "trailingDelta", "price", "quantity", "timeInForce", "icebergQuantity"],
  take_profit: ["stopPrice", "trailingDelta", "quantity", "quoteQuantity", "price"],
  oco: ["price", "stopPrice", "stopLimitPrice", "quantity"],
};

const LABELS: Record<string, string> = {
  price: "Price", quantity: "Quantity", quoteQuantity: "Or spend / receive (quote)", stopPrice: "Stop price",
  trailingDelta: "Trailing delta (bps)", icebergQuantity: "Iceberg: visible quantity", stopLimitPrice: "Stop limit price (empty: market)",
  timeInForce: "Time in force", postOnly: "Post only",
};

type Values = Record<string, string>;
type Result = { kind: "ok"; text: string } | { kind: "error"; text: string; field?: string };

export function OrderEntry({ market, apiKey, ticket }: { market: MarketInfo; apiKey: string | null; ticket: FrameStore<Ticket> }) {
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [type, setType] = useState<FormType>("limit");
  const [values, setValues] = useState<Values>({ timeInForce: "GTC" });
  const [result, setResult] = useState<Result | null>(null);
  const [sending, setSending] = useState(false);

  useEffect(() => ticket.listen((t) => {
    if (t.price) setValues((v) => ({ ...v, price: t.price! }));
    if (t.side) setSide(t.side);
  }), [ticket]);

  const set = (name: string, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    if (result?.kind === "error" && result.field === name) setResult(null);
  };
  const fields = FIELDS[type];
  const conditionalMarketBuy = (type === "stop_loss" || type === "take_profit") && side === "buy";

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!apiKey) {
      setResult({ kind: "error", text: "paste an API key (Account, below) to trade" });
      return;
    }
    setSending(true);
    try {
      if (type === "oco") {
        const list = await api<{ orderListId: string; orders: Order[] }>("POST", "/api/v1/orderLists", ocoRequest(market.symbol, side, values), apiKey);
        setResult({ kind: "ok", text: `OCO list ${list.orderListId}: orders ${list.orders.map((o) => `${o.orderId} ${o.status}`).join(", ")}` });
      } else {
        const order = await api<Order>("POST", "/api/v1/orders", orderRequest(market.symbol, side, type, values), apiKey);
        setResult({ kind: "ok", text: `order ${order.orderId} ${order.status.replace("_", " ")}${Number(order.filledQuantity) > 0 ? `, filled ${order.filledQuantity} at ${order.averagePrice}` : ""}` });
      }
    } catch (error) {
      const e = error instanceof ApiFailure ? error : new ApiFailure(0, "ERROR", String(error));
      setResult({ kind: "error", text: e.message, field: e.fieldIn(fields) });
    } finally {
      setSending(false);
    }
  };

  const fieldError = (name: string) =>
    result?.kind === "error" && result.field === name ? <span class="field-error" data-testid={`error-${name}`} role="alert">{result.text}</span> : null;
  const input = (name: string, placeholder: string) => (
    <label class={`field ${fieldError(name) ? "invalid" : ""}`} key={name}>
      <span>{LABELS[name]}</span>
      <input name={name} data-testid={`field-${name}`} inputMode="decimal" autoComplete="off" placeholder={placeholder}
        value={values[name] ?? ""} onInput={(e) => set(name, e.currentTarget.value)} />
      {fieldError(name)}
    </label>
  );

  return (
    <form class="order-entry" data-testid="order-entry" onSubmit={submit}>
      <h2>Order ticket <small>{market.symbol}</small></h2>
      <div class="sides">
        <button type="button" class={`buy ${side === "buy" ? "active" : ""}`} data-testid="side-buy" onClick={() => setSide("buy")}>Buy</button>
        <button type="button" class={`sell ${side === "sell" ? "active" : ""}`} data-testid="side-sell" onClick={() => setSide("sell")}>Sell</button>
      </div>
      <label class="field">
        <span>Type</span>
        <select name="type" data-testid="field-type" value={type} onChange={(e) => { setType(e.currentTarget.value as FormType); setResult(null); }}>
          {(Object.keys(TYPES) as FormType[]).map((t) => <option value={t}>{TYPES[t]}</option>)}
        </select>
      </label>
      {fields.map((name) => {
        switch (name) {
          case "timeInForce":
            return (
              <label class="field" key={name}>
                <span>{LABELS[name]}</span>
                <select name={name} data-testid="field-timeInForce" value={values.timeInForce} onChange={(e) => set(name, e.currentTarget.value)}>
                  <option value="GTC">GTC (good till cancelled)</option>
                  <option value="IOC">IOC (immediate or cancel)</option>
                  <option value="FOK">FOK (fill or kill)</option>
                </select>
                {fieldError(name)}
              </label>
            );
          case "postOnly":
            return (
              <label class="field check" key={name}>
                <input type="checkbox" name={name} data-testid="field-postOnly" checked={values.postOnly === "true"} onChange={(e) => set(name, String(e.currentTarget.checked))} />
                <span>{LABELS[name]}</span>
                {fieldError(name)}
              </label>
            );
          case "price":
            return input(name, type === "oco" ? `take-profit limit, ${market.quoteAsset}` : conditionalMarketBuy ? `most it pays (buy by quantity), ${market.quoteAsset}` : `${market.tickSize} ${market.quoteAsset} steps`);
          case "quantity":
            return input(name, `${market.stepSize} ${market.baseAsset} steps, at least ${market.minQuantity}`);
          case "quoteQuantity":
            return input(name, `${market.quoteAsset}, instead of quantity`);
          case "trailingDelta":
            return input(name, "optional, 1 to 9999 (100 = 1%)");
          case "icebergQuantity":
            return input(name, "optional");
          default:
            return input(name, market.quoteAsset);
        }
      })}
      <button type="submit" class={`submit ${side}`} data-testid="submit-order" disabled={sending}>
        {side === "buy" ? "Buy" : "Sell"} {market.baseAsset}
      </button>
      {result && (result.kind === "ok" || !result.field) && (
        <p class={`result ${result.kind}`} data-testid="order-result" role={result.kind === "error" ? "alert" : "status"}>{result.text}</p>
      )}
    </form>
  );
}

/** What the fields say, as the API's order request: empty fields are left out. */
function orderRequest(symbol: string, side: "buy" | "sell", type: Exclude<FormType, "oco">, v: Values): Record<string, unknown> {
  const request: Record<string, unknown> = { symbol, side, type };
  for (const name of FIELDS[type]) {
    const value = v[name]?.trim();
    if (value === undefined || value === "") continue;
    if (name === "postOnly") {
      if (value === "true") request.postOnly = true;
    } else if (name === "trailingDelta") {
      // A number, as the API takes it; anything else goes as typed, for the API to name.
      request.trailingDelta = /^\d+$/.test(value) ? Number(value) : value;
    } else {
      request[name] = value;
    }
  }
  return request;
}

/** OCO: a post-only limit at `price` and a stop at `stopPrice` (a stop limit at stopLimitPrice if given). */
function ocoRequest(symbol: string, side: "buy" | "sell", v: Values): Record<string, unknown> {
  const stopLimit = v.stopLimitPrice?.trim();
  return {
    type: "oco",
    orders: [
      orderRequest(symbol, side, "limit", { price: v.price ?? "", quantity: v.quantity ?? "", postOnly: "true" }),
      orderRequest(symbol, side, stopLimit ? "stop_loss_limit" : "stop_loss", { stopPrice: v.stopPrice ?? "", quantity: v.quantity ?? "", price: stopLimit ?? "" }),
    ],
  };
}
