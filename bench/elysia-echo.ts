// What Elysia itself costs per request: an echo of the order body with the same kind of hooks as
// the exchange's app (a Content-Length check, our own JSON parsing, a derived value from a
// header) and a TypeBox body schema, to compare with `exchange echo-server` (bare Bun.serve):
//   bun bench/elysia-echo.ts --port 8082 &
//   bun src/main.ts load --url http://127.0.0.1:8082 --echo --scenario sustained --duration 10
import { parseArgs } from "node:util";
import { Elysia, t } from "elysia";

const { values } = parseArgs({ options: { port: { type: "string", default: "8082" } } });
const body = t.Object({
  symbol: t.String(), side: t.String(), type: t.String(), price: t.String(), quantity: t.String(),
}, { additionalProperties: false });

new Elysia({ normalize: false })
  .onRequest(({ request }) => {
    if (Number(request.headers.get("content-length") ?? 0) > 1 << 20) throw new Error("body too large");
  })
  .onParse(async ({ request }) => JSON.parse(await request.text()))
  .derive(({ request }) => ({ key: request.headers.get("x-api-key") }))
  .post("/api/v1/orders", ({ body, set }) => {
    set.status = 201;
    return body;
  }, { body })
  .listen({ hostname: "127.0.0.1", port: Number(values.port), reusePort: false });
console.log(`Elysia echo listening on http://127.0.0.1:${values.port}`);
