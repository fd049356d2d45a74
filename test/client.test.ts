// The typed client: Elysia's Eden treaty over the exported app type, against a real server.
import { treaty } from "@elysiajs/eden";
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ExchangeApp } from "../src/http/app";
import { startTestExchange } from "./helpers";

let ex: ReturnType<typeof startTestExchange>;
beforeAll(() => { ex = startTestExchange(); });
afterAll(() => ex.stop());

test("Eden treaty places, lists and cancels orders with typed requests and answers", async () => {
  const apiKey = ex.newAccount("eden");
  const client = treaty<ExchangeApp>(ex.url, { headers: { "x-api-key": apiKey } });

  const placed = await client.api.v1.orders.post({ symbol: "BTC-USD", side: "buy", type: "limit", price: "99.50", quantity: "0.25" });
  expect(placed.status).toBe(201);
  const order = placed.data!;
  expect(order.status).toBe("new");
  expect(order.price).toBe("99.50");

  const open = await client.api.v1.orders.get({ query: { status: "open" } });
  expect(open.data!.map((o) => o.orderId)).toEqual([order.orderId]);

  const cancelled = await client.api.v1.orders({ orderId: order.orderId }).delete();
  expect(cancelled.data!.status).toBe("canceled");

  const refused = await client.api.v1.orders.post({ symbol: "BTC-USD", side: "buy", type: "limit", price: "99.505", quantity: "0.25" });
  expect(refused.status).toBe(400);

  const book = await client.api.v1.markets({ symbol: "BTC-USD" }).book.get({ query: { depth: "5" } });
  expect(book.data!.bids).toEqual([]);
});
