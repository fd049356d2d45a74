// `exchange load --api binary`: the order flow of the HTTP scenarios (makers near the mid, takers
// across it) sent over the binary protocol by `--connections` sessions, with cancels and amends
// of each session's own open orders mixed in. sustained: each session keeps `window` requests
// outstanding for `seconds` (throughput); open-loop: a fixed offered rate spread over the
// sessions, latency counted from when each request was due to its answer.
import { BinaryClient } from "../gateway/client";
import { ServerType, type ServerMessage } from "../gateway/protocol";
import { random } from "../random";
import { paced, type Target } from "./driver";
import { LatencyRecorder } from "./report";

/** The mix of the normal flow: of every 100 requests, new orders, cancels and amends. */
const MIX = { cancel: 25, amend: 15 };

/** One session's flow: new orders around the mid, cancels and amends of its own open orders. */
class BinaryFlow {
  private readonly r: () => number;
  private readonly open: number[] = [];
  private readonly market: number;
  /** When each outstanding request was due or sent (ns), by seq. */
  readonly due = new Map<number, number>();
  /** The outstanding amends, by seq. */
  private readonly amends = new Set<number>();

  constructor(readonly client: BinaryClient, private readonly target: Target, index: number, private readonly maxOpen = 20) {
    this.r = random(0x9e3779b9 * (index + 1));
    this.market = client.market(target.market.symbol);
  }

  /** Sends the next request; returns its seq. */
  next(): number {
    const pick = this.r() * 100;
    if (this.open.length > this.maxOpen || (this.open.length > 0 && pick < MIX.cancel)) {
      return this.client.send({ type: "cancel", orderId: this.open.shift()! });
    }
    if (this.open.length > 0 && pick < MIX.cancel + MIX.amend) {
      // Down by a lot: a smaller quantity keeps its place, and the order stays open.
      const at = Math.floor(this.r() * this.open.length);
      const seq = this.client.send({ type: "amend", orderId: this.open[at]!, price: 0, quantity: this.target.market.minQuantityLots });
      this.amends.add(seq);
      return seq;
    }
    const { midTicks, market } = this.target;
    const taker = this.r() < 0.33, buy = this.r() < 0.5;
    const offset = 1 + Math.floor(this.r() * 10);
    const price = taker ? (buy ? midTicks + 11 : midTicks - 11) : buy ? midTicks - offset : midTicks + offset;
    return this.client.send({
      type: "newOrder", market: this.market, side: buy ? "buy" : "sell", orderType: "limit", timeInForce: taker ? "IOC" : "GTC",
      postOnly: false, selfTradePrevention: null, price, quantity: market.minQuantityLots * (1 + Math.floor(this.r() * 5)),
      quoteQuantity: 0n, stopPrice: 0, icebergQuantity: 0, trailingDelta: 0, clientOrderId: null,
    });
  }

  /** A final answer: its latency, and the open orders it tells of. Returns whether it succeeded. */
  answered(m: ServerMessage): boolean {
    if (m.type === "accepted" && (m.status === "new" || m.status === "partially_filled")) this.open.push(m.orderId);
    const amend = this.amends.delete(m.seq);
    // A cancel or amend of an order a taker filled meanwhile is a fair refusal; so is an amend
    // down to one lot of an order that has filled that much already (VALIDATION).
    return m.type !== "rejected" || m.code === "UNKNOWN_ORDER" || m.code === "ORDER_NOT_OPEN" || (amend && m.code === "VALIDATION");
  }
}

const FINAL = new Set<number>([ServerType.accepted, ServerType.rejected, ServerType.amended, ServerType.cancelled, ServerType.listAccepted]);
const typeCode = (m: ServerMessage) => ServerType[m.type as keyof typeof ServerType];

async function sessions(target: Target, url: string, count: number): Promise<BinaryFlow[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const client = await BinaryClient.connect(url, target.keys[i % target.keys.length]!);
    return new BinaryFlow(client, target, i);
  }));
}

/** Calls `each` with every final answer of a flow's client (with the flow). */
function onAnswers(flow: BinaryFlow, each: (m: ServerMessage, flow: BinaryFlow) => void): void {
  flow.client.onMessage = (m) => {
    if (m.seq !== 0 && FINAL.has(typeCode(m))) each(m, flow);
  };
}

/** `count` sessions, each keeping `window` requests outstanding, for `seconds`. */
export async function binarySustained(target: Target, url: string, count: number, window: number, seconds: number) {
  const flows = await sessions(target, url, count);
  const rec = new LatencyRecorder();
  const started = Bun.nanoseconds();
  const stop = started + seconds * 1e9;
  let outstanding = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const send = (flow: BinaryFlow) => {
    flow.due.set(flow.next(), Bun.nanoseconds());
    outstanding++;
  };
  for (const flow of flows) {
    onAnswers(flow, (m, f) => {
      const sent = f.due.get(m.seq);
      if (sent === undefined) return;
      f.due.delete(m.seq);
      outstanding--;
      const now = Bun.nanoseconds();
      rec.record(now - sent, typeCode(m), f.answered(m));
      if (now < stop) send(f);
      else if (outstanding === 0) done();
    });
    for (let i = 0; i < window; i++) send(flow);
  }
  await finished;
  const elapsed = (Bun.nanoseconds() - started) / 1e9;
  for (const f of flows) f.client.close();
  return { rec, seconds: elapsed };
}

/** A fixed offered `rate` over `count` sessions for `seconds`; latency from each request's due time. */
export async function binaryOpenLoop(target: Target, url: string, count: number, rate: number, seconds: number) {
  const flows = await sessions(target, url, count);
  const rec = new LatencyRecorder();
  for (const flow of flows) {
    onAnswers(flow, (m, f) => {
      const due = f.due.get(m.seq);
      if (due === undefined) return;
      f.due.delete(m.seq);
      rec.record(Bun.nanoseconds() - due, typeCode(m), f.answered(m));
    });
  }
  await paced(rate, seconds, (due, n) => {
    const flow = flows[n % flows.length]!;
    flow.due.set(flow.next(), due);
  });
  const deadline = Bun.nanoseconds() + 10e9;
  while (flows.some((f) => f.due.size > 0) && Bun.nanoseconds() < deadline) await Bun.sleep(5);
  for (const f of flows) for (const due of f.due.values()) rec.record(Bun.nanoseconds() - due, 0, false);
  for (const f of flows) f.client.close();
  return { rec, seconds, offered: rate };
}
