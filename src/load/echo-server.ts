// The baselines for load figures: a bare Bun.serve that answers every POST with its JSON body,
// the most a single-order-per-request exchange on this machine could hope to reach; and a bare
// binary-protocol echo that answers every request at once (the path's floor: client, loopback,
// framing), announcing the built-in markets at login.
import { loadMarkets } from "../markets";
import { decodeClientMessage, encodeServerMessage, FrameReader, MessageWriter } from "../gateway/protocol";

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

export function startBinaryEcho(host: string, port: number) {
  const markets = loadMarkets().list;
  let nextId = 1;
  return Bun.listen<{ reader: FrameReader; out: MessageWriter }>({
    hostname: host, port,
    socket: {
      open: (s) => void (s.data = { reader: new FrameReader(), out: new MessageWriter() }),
      data: (s, chunk) => {
        const w = s.data.out;
        s.data.reader.push(chunk, (view, at, length) => {
          const m = decodeClientMessage(view, at, length);
          if (m.type === "login") {
            encodeServerMessage(w, { type: "loginAccepted", seq: m.seq, accountId: 1, markets: markets.length });
            for (const { index, spec } of markets) encodeServerMessage(w, { type: "market", seq: m.seq, market: index, ...spec });
          } else if (m.type === "newOrder") encodeServerMessage(w, { type: "accepted", seq: m.seq, orderId: nextId++, status: "new", filled: 0, price: m.price });
          else if (m.type === "cancel") encodeServerMessage(w, { type: "cancelled", seq: m.seq, orderId: m.orderId, filled: 0 });
          else if (m.type === "amend") encodeServerMessage(w, { type: "amended", seq: m.seq, orderId: m.orderId, price: m.price, quantity: m.quantity, filled: 0 });
          else encodeServerMessage(w, { type: "cancelAllDone", seq: m.seq, count: 0 });
        });
        s.write(w.take());
      },
    },
  });
}
