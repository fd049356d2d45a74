// The binary protocol in WebSocket binary frames, at /binary: the same messages as over TCP, one
// or many whole messages to a frame (a frame that ends inside a message closes the session, as
// does a text frame, each with a reason).
import { Elysia } from "elysia";
import type { ServerWebSocket } from "bun";
import type { BinaryGateway } from "./gateway";
import type { Session, Transport } from "./session";

type Socket = ServerWebSocket<unknown>;
const bunSocket = (ws: { raw: unknown }) => ws.raw as Socket;

export function binaryWebSocket(gateway: BinaryGateway) {
  const sessions = new WeakMap<Socket, Session>();
  return new Elysia({ name: "binary-order-entry" })
    .ws("/binary", {
      open: (ws) => {
        const raw = bunSocket(ws);
        sessions.set(raw, gateway.open(webSocketTransport(raw)));
      },
      message: (ws, message) => {
        const session = sessions.get(bunSocket(ws));
        if (!session) return;
        if (message instanceof Uint8Array) session.receive(message, true);
        else if (message instanceof ArrayBuffer) session.receive(new Uint8Array(message), true);
        else session.close("MALFORMED", "this endpoint takes binary frames only (the binary protocol)");
      },
      drain: (ws) => sessions.get(bunSocket(ws))?.drained(),
      close: (ws) => sessions.get(bunSocket(ws))?.ended(),
      detail: { hide: true },
    });
}

function webSocketTransport(ws: Socket): Transport {
  return {
    // Bun queues what it cannot send at once (-1): taken, and counted in buffered(). 0: dropped.
    write: (bytes) => (ws.sendBinary(bytes) === 0 ? 0 : bytes.length),
    buffered: () => ws.getBufferedAmount(),
    pause: () => ws.pause?.(),
    resume: () => ws.resume?.(),
    // A close frame's reason is at most 123 bytes.
    close: (reason) => ws.close(1008, Buffer.from(reason).subarray(0, 123).toString()),
  };
}
