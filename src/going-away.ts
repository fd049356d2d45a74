// WebSocket's "going away" close (1001), with which every WebSocket surface ends its connections
// when the exchange stops: a server's graceful stop waits for its open sockets.
const GOING_AWAY_CODE = 1001;

export function closeGoingAway(ws: { close(code?: number, reason?: string): unknown }): void {
  ws.close(GOING_AWAY_CODE, "the exchange is stopping");
}
