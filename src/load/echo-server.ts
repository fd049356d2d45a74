// The baseline for HTTP figures: a bare Bun.serve that answers every POST with its JSON body, the
// most a single-order-per-request exchange on this machine could hope to reach.
export function startEchoServer(host: string, port: number) {
  return Bun.serve({
    hostname: host,
    port,
    reusePort: false,
    async fetch(request) {
      if (request.method !== "POST") return Response.json({ status: "ok" });
      return Response.json(await request.json(), { status: 201 });
    },
  });
}
