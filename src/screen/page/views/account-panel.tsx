// The account: its key (pasted, or a new account made here; kept in this tab's session storage
// only), open orders with cancel and amend, fills with their fees, and balances, all live from the
// private streams.
import { useState } from "preact/hooks";
import type { AccountFeed } from "../account-feed";
import { api, ApiFailure, type Order } from "../api";
import { dateTime } from "./format";
import { useStore } from "./use-store";

type Tab = "open" | "fills" | "balances";

interface Props {
  account: AccountFeed | null;
  onKey(key: string | null): void;
}

export function AccountPanel({ account, onKey }: Props) {
  const [tab, setTab] = useState<Tab>("open");
  const state = useStore(account?.state ?? null);
  if (!account || !state) return <KeyForm onKey={onKey} />;
  const open = account.openOrders();
  return (
    <div class="account" data-testid="account">
      <div class="account-head">
        <nav class="tabs">
          <button class={tab === "open" ? "active" : ""} data-testid="tab-open" onClick={() => setTab("open")}>Open orders ({open.length})</button>
          <button class={tab === "fills" ? "active" : ""} data-testid="tab-fills" onClick={() => setTab("fills")}>Fills</button>
          <button class={tab === "balances" ? "active" : ""} data-testid="tab-balances" onClick={() => setTab("balances")}>Balances</button>
        </nav>
        <span class="who">{state.error ? <span class="error" role="alert">{state.error}</span> : `account ${state.accountId ?? "…"} ${state.name ?? ""}`}</span>
        <button class="link-button" onClick={() => onKey(null)}>forget key</button>
      </div>
      {tab === "open" && <OpenOrders orders={open} apiKey={account.apiKey} />}
      {tab === "fills" && <Fills account={account} />}
      {tab === "balances" && (
        <table class="balances" data-testid="balances">
          <thead><tr><th>asset</th><th>free</th><th>locked</th></tr></thead>
          <tbody>
            {[...state.balances.values()].map((b) => (
              <tr data-testid="balance-row" data-asset={b.asset} data-free={b.free} data-locked={b.locked}><td>{b.asset}</td><td>{b.free}</td><td>{b.locked}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function KeyForm({ onKey }: { onKey(key: string): void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    try {
      const made = await api<{ apiKey: string }>("POST", "/api/v1/accounts", { name: `screen-${Date.now().toString(36)}` });
      onKey(made.apiKey);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form class="key-form" data-testid="key-form" onSubmit={(e) => { e.preventDefault(); if (key.trim()) onKey(key.trim()); }}>
      <label>
        <span>API key</span>
        <input data-testid="api-key" type="password" autoComplete="off" placeholder="ex_…" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
      </label>
      <button type="submit" data-testid="use-key">Use key</button>
      <span class="or">or</span>
      <button type="button" data-testid="create-account" onClick={create}>Create an account with the default balances</button>
      <p class="hint">The key stays in this tab's session storage and is sent only to this exchange.</p>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

function OpenOrders({ orders, apiKey }: { orders: Order[]; apiKey: string }) {
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(null);
      setEditing(null);
    } catch (e) {
      setError(e instanceof ApiFailure ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <div class="open-orders">
      {error && <p class="error" role="alert" data-testid="orders-error">{error}</p>}
      <table data-testid="open-orders">
        <thead><tr><th>order</th><th>market</th><th>side</th><th>type</th><th>price</th><th>stop</th><th>quantity</th><th>filled</th><th>status</th><th /></tr></thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.orderId} data-testid="open-order" data-order-id={o.orderId} data-price={o.price ?? ""} data-quantity={o.quantity ?? ""}>
              <td>{o.orderId}{o.orderListId ? ` (list ${o.orderListId})` : ""}</td>
              <td>{o.symbol}</td>
              <td class={o.side}>{o.side}</td>
              <td>{o.type}{o.icebergQuantity ? " iceberg" : ""}{o.trailingDelta ? ` trailing ${o.trailingDelta}bps` : ""}</td>
              <td>{o.price ?? "market"}</td>
              <td>{o.stopPrice ?? ""}</td>
              <td>{o.quantity}</td>
              <td>{o.filledQuantity}</td>
              <td>{o.status.replace("_", " ")}</td>
              <td class="actions">
                {editing === o.orderId
                  ? <AmendForm order={o} onCancel={() => setEditing(null)} onSave={(body) => act(() => api("PATCH", `/api/v1/orders/${o.orderId}`, body, apiKey))} />
                  : <>
                      {o.type === "limit" && <button data-testid="amend" onClick={() => setEditing(o.orderId)}>amend</button>}
                      <button data-testid="cancel" onClick={() => act(() => api("DELETE", `/api/v1/orders/${o.orderId}`, undefined, apiKey))}>cancel</button>
                    </>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {orders.length === 0 && <p class="empty">No open orders.</p>}
    </div>
  );
}

function AmendForm({ order, onSave, onCancel }: { order: Order; onSave(body: { price?: string; quantity?: string }): void; onCancel(): void }) {
  const [price, setPrice] = useState(order.price ?? "");
  const [quantity, setQuantity] = useState(order.quantity ?? "");
  const submit = (e: Event) => {
    e.preventDefault();
    const body: { price?: string; quantity?: string } = {};
    if (price !== order.price) body.price = price;
    if (quantity !== order.quantity) body.quantity = quantity;
    onSave(body);
  };
  return (
    <form class="amend" data-testid="amend-form" onSubmit={submit}>
      <input aria-label="new price" data-testid="amend-price" value={price} onInput={(e) => setPrice(e.currentTarget.value)} />
      <input aria-label="new quantity" data-testid="amend-quantity" value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} />
      <button type="submit" data-testid="amend-save">save</button>
      <button type="button" onClick={onCancel}>×</button>
    </form>
  );
}

function Fills({ account }: { account: AccountFeed }) {
  const fills = account.fills(100);
  return (
    <table class="fills" data-testid="fills">
      <thead><tr><th>time</th><th>order</th><th>market</th><th>side</th><th>price</th><th>quantity</th><th>fee</th><th>liquidity</th></tr></thead>
      <tbody>
        {fills.map(({ order, fill }) => (
          <tr key={fill.tradeId + order.orderId} data-testid="fill-row" data-trade-id={fill.tradeId} data-fee={fill.fee}>
            <td>{dateTime(fill.time)}</td><td>{order.orderId}</td><td>{order.symbol}</td><td class={order.side}>{order.side}</td>
            <td>{fill.price}</td><td>{fill.quantity}</td><td>{fill.fee} {fill.feeAsset}</td><td>{fill.liquidity}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
