// Mirror of engine/engine.h: struct sizes, field offsets and enum values. The header is the
// source of truth; test/layout.test.ts checks these numbers against ex_layout().

// kind, side, tif and flags fill one 32-bit word (bytes 28..31), which the packer writes at once,
// little-endian as on every platform Bun runs on; the layout test checks the offsets.
export const COMMAND = {
  size: 32,
  orderId: 0,
  price: 8,
  quantity: 16,
  symbol: 24,
  kind: 28,
  side: 29,
  tif: 30,
  flags: 31,
} as const;

export const EVENT = {
  size: 64,
  orderId: 0,
  otherId: 8,
  price: 16,
  quantity: 24,
  remaining: 32,
  otherRemaining: 40,
  sequence: 48,
  commandIndex: 56,
  type: 60,
  reason: 61,
  side: 62,
  flags: 63,
} as const;

export const CommandKind = { limit: 1, market: 2, cancel: 3, amend: 4 } as const;
export const Side = { buy: 0, sell: 1 } as const;
export const TimeInForce = { GTC: 0, IOC: 1, FOK: 2 } as const;
export const CommandFlag = { postOnly: 1 } as const;

export const EventType = {
  accepted: 1,
  trade: 2,
  cancelled: 3,
  expired: 4,
  rejected: 5,
  amended: 6,
} as const;

export const RejectReason = {
  none: 0,
  invalid: 1,
  duplicateId: 2,
  unknownOrder: 3,
  postOnly: 4,
  amendQuantity: 5,
} as const;

export const EventFlag = { keptPriority: 1 } as const;

export type SideCode = (typeof Side)[keyof typeof Side];
export type TimeInForceCode = (typeof TimeInForce)[keyof typeof TimeInForce];
