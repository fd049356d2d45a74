// Binance's client order ids of cancels. A cancel has an id of its own (its newClientOrderId, or
// one generated): its answer and the executionReport of the order it cancelled show that id as
// `clientOrderId` / `c`, and the order's own as `origClientOrderId` / `C`. The order keeps its id
// (it is found by it afterwards). A list cancel's id is the list's `listClientOrderId` in its answer
// and its listStatus event. Ids are held only while their cancel is in flight: the answer and the
// batch's events are made from them, then they are dropped.
import { randomClientOrderId } from "./render";

export class CancelIds {
  private readonly orders = new Map<number, string>();
  private readonly lists = new Map<number, string>();

  /** Runs `cancel` with the cancel ids of `orders` (order id → the cancel's id) and of `list`
   *  ([list id, the cancel's id]) held. An id already held by a cancel in flight stays that one's. */
  async holding<T>(orders: Map<number, string>, list: [number, string] | null, cancel: () => Promise<T>): Promise<T> {
    const held: number[] = [];
    for (const [id, cancelId] of orders) {
      if (this.orders.has(id)) continue;
      this.orders.set(id, cancelId);
      held.push(id);
    }
    const heldList = list !== null && !this.lists.has(list[0]);
    if (heldList) this.lists.set(list[0], list[1]);
    try {
      return await cancel();
    } finally {
      for (const id of held) this.orders.delete(id);
      if (heldList) this.lists.delete(list[0]);
    }
  }

  /** `holding` for one order's cancel (most cancels): without a map of one entry to make. */
  async holdingOne<T>(orderId: number, cancelId: string, cancel: () => Promise<T>): Promise<T> {
    if (this.orders.has(orderId)) return cancel();
    this.orders.set(orderId, cancelId);
    try {
      return await cancel();
    } finally {
      this.orders.delete(orderId);
    }
  }

  /** The id of the cancel that cancelled order `orderId`: the one in flight, or a new one (a
   *  cancel made elsewhere, such as /api/v1's, or one list member's cancelling the others). */
  ofOrder(orderId: number): string {
    return this.orders.get(orderId) ?? randomClientOrderId();
  }

  /** The id of the cancel in flight of list `listId`, if there is one. */
  ofList(listId: number): string | undefined {
    return this.lists.get(listId);
  }
}
