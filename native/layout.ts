// Mirror of engine/engine.h: struct sizes, field offsets and enum values. The header is the
// source of truth; test/layout.test.ts checks these numbers against ex_layout(). Every other
// module takes the engine's codes from here.

// One cache line. kind, side, tif and flags fill one 32-bit word (bytes 56..59), stp, trigger, link
// and mode the next, and symbol (or asset) and trailingBps the one before (52..55): the packer
// writes each word at once, little-endian as on every platform Bun runs on; the layout test checks
// the offsets. amount and visible share bytes 24..31, as symbol and asset share 52..53.
export const COMMAND = {
  size: 64,
  orderId: 0,
  price: 8,
  quantity: 16,
  amount: 24,
  visible: 24,
  stopPrice: 32,
  otherId: 40,
  account: 48,
  symbol: 52,
  asset: 52,
  trailingBps: 54,
  kind: 56,
  side: 57,
  tif: 58,
  flags: 59,
  stp: 60,
  trigger: 61,
  link: 62,
  mode: 63,
} as const;

export const EVENT = {
  size: 88,
  orderId: 0,
  otherId: 8,
  price: 16,
  quantity: 24,
  remaining: 32,
  otherRemaining: 40,
  sequence: 48,
  amount: 56,
  otherAmount: 64,
  commandIndex: 72,
  account: 76,
  asset: 80,
  type: 84,
  reason: 85,
  side: 86,
  flags: 87,
} as const;

export const MARKET = {
  size: 32,
  baseAsset: 0,
  quoteAsset: 4,
  lotUnits: 8,
  notionalUnits: 16,
  makerFeeBps: 24,
  takerFeeBps: 28,
} as const;

export const BALANCE = {
  size: 24,
  account: 0,
  asset: 4,
  free: 8,
  locked: 16,
} as const;

export const CommandKind = { limit: 1, market: 2, cancel: 3, amend: 4, deposit: 5, withdraw: 6, setFees: 7, cancelReplace: 8 } as const;
export const Side = { buy: 0, sell: 1 } as const;
export const TimeInForce = { GTC: 0, IOC: 1, FOK: 2 } as const;
export const CommandFlag = { postOnly: 1, market: 2, keepPriority: 4, onlyNew: 8, onlyPartiallyFilled: 16, opo: 32 } as const;
/** The flags of a cancel's restriction (a cancel's, or a cancel-replace's cancel). */
export const CANCEL_RESTRICTIONS = CommandFlag.onlyNew | CommandFlag.onlyPartiallyFilled;
/** Conditional orders: what the last trade price must do to trigger them (engine.h EX_TRIG_*). */
export const Trigger = { none: 0, stopLoss: 1, takeProfit: 2 } as const;
/** Order lists: a command linked to the next one (EX_LINK_*). */
export const ListLink = { none: 0, oco: 1, oto: 2 } as const;
/** Cancel-replace: what a failed cancel does to the new order (EX_CR_*). */
export const CancelReplaceMode = { stopOnFailure: 0, allowFailure: 1 } as const;
export const SelfTradePrevention = { none: 0, expireTaker: 1, expireMaker: 2, expireBoth: 3, decrement: 4 } as const;

export const EventType = {
  accepted: 1,
  trade: 2,
  cancelled: 3,
  expired: 4,
  rejected: 5,
  amended: 6,
  prevented: 7,
  deposited: 8,
  withdrawn: 9,
  feesSet: 10,
  triggered: 11,
  refreshed: 12,
} as const;

export const TriggerReason = { price: 0, list: 1 } as const;
export const CancelReason = { requested: 0, list: 1 } as const;

export const RejectReason = {
  none: 0,
  invalid: 1,
  duplicateId: 2,
  unknownOrder: 3,
  postOnly: 4,
  amendQuantity: 5,
  insufficient: 6,
  limit: 7,
  wouldTrigger: 8,
  notAmendable: 9,
  list: 10,
  cancelFailed: 11,
  cancelRestricted: 12,
} as const;

export const ExpireReason = { timeInForce: 0, selfTrade: 1, insufficient: 2, postOnly: 3 } as const;

export const EventFlag = { keptPriority: 1, decremented: 2, waiting: 4, ended: 8 } as const;

/** Account 0 is the venue's fee account (EX_FEE_ACCOUNT). */
export const FEE_ACCOUNT = 0;

export type SideCode = (typeof Side)[keyof typeof Side];
export type TimeInForceCode = (typeof TimeInForce)[keyof typeof TimeInForce];
