// The order registry against a plain model (a list per account): after any sequence of new
// orders, refusals (forget) and closes (setStatus), each account's open orders, their count, and
// the lookups by id and by client order id agree, and a closed order's stored row is waited for up
// to at least the journal entry that closed it. Ids sometimes jump by the live orders' slot count,
// so that an order finds its slot held by an older one.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { OrderRegistry } from "../src/core/order-registry";
import { newOrderState } from "../src/core/order-state";
import { loadMarkets } from "../src/markets";
import type { OrderState } from "../src/orders/order";

const markets = loadMarkets();

type Op = { kind: "new"; account: number; symbol: number; clientId: boolean; jump: boolean } | { kind: "forget" | "fill" | "cancel"; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("new" as const), account: fc.integer({ min: 1, max: 5 }), symbol: fc.integer({ min: 0, max: markets.list.length - 1 }), clientId: fc.boolean(), jump: fc.boolean() }),
  fc.record({ kind: fc.constantFrom("forget" as const, "fill" as const, "cancel" as const), pick: fc.nat() }),
);

test("the registry's open orders per account, counts and lookups agree with a plain model", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      let seq = 0; // the journal entry given out last: one per operation here
      const registry = new OrderRegistry(() => undefined, () => seq);
      const closedAt = new Map<OrderState, number>();
      const model: OrderState[] = []; // the open (or queued) orders, oldest first
      const all: OrderState[] = [];
      let id = 0;
      for (const o of ops) {
        seq++;
        if (o.kind === "new") {
          const market = markets.list[o.symbol]!;
          id += o.jump ? 65_536 : 1;
          const order = newOrderState(id, o.account, {
            market, side: "buy", type: "limit", timeInForce: "GTC", postOnly: false, price: 100, quantity: 1, quoteQuantity: null,
            clientOrderId: o.clientId ? `c${id}` : null, selfTradePrevention: "none", stopPrice: null, trailingDelta: null, icebergQuantity: null,
          }, 0);
          registry.track(order);
          registry.track(order); // (twice changes nothing)
          model.push(order);
          all.push(order);
        } else if (model.length > 0) {
          const [order] = model.splice(o.pick % model.length, 1);
          if (o.kind === "forget") registry.forget(order!);
          else {
            registry.setStatus(order!, o.kind === "fill" ? "filled" : "canceled", 1);
            closedAt.set(order!, seq);
          }
        }
      }
      for (let account = 1; account <= 5; account++) {
        const mine = model.filter((o) => o.accountId === account);
        expect(registry.openCount(account)).toBe(mine.length);
        expect(registry.ofAccount(account).map((o) => o.id)).toEqual(mine.map((o) => o.id));
        for (const m of markets.list) {
          expect(registry.ofAccount(account, m.symbol).map((o) => o.id)).toEqual(mine.filter((o) => o.market === m).map((o) => o.id));
        }
      }
      expect(registry.all().map((o) => o.id)).toEqual(model.map((o) => o.id).sort((a, b) => a - b));
      for (const order of all) {
        const open = model.includes(order);
        expect(registry.get(order.id)).toBe(open ? order : undefined);
        if (order.clientOrderId) expect(registry.byClientOrderId(order.accountId, order.clientOrderId)).toBe(open ? order : undefined);
        const closed = closedAt.get(order);
        if (closed !== undefined) expect(registry.storedBy(order.id)).toBeGreaterThanOrEqual(closed);
      }
      // The order closed last waits for its own batch only.
      const last = [...closedAt].at(-1);
      if (last) expect(registry.storedBy(last[0].id)).toBe(last[1]);
    }),
    { numRuns: 300 },
  );
});
