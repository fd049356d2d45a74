// Scenarios: who trades in each market and how its fundamental moves. Named presets, or a JSON
// file of the same shape (checked by SCENARIO_SCHEMA: an unknown field or kind is an error that
// names it). Any parameter left out takes its kind's default below.
import { Type, type Static } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { readFileSync } from "node:fs";
import { describeSchemaError } from "../orders/validate";
import type { FundamentalParams } from "./fundamental";
import type { MarketMakerParams } from "./market-maker";
import type { MomentumTraderParams } from "./momentum-trader";
import type { NoiseTraderParams } from "./noise-trader";
import type { ValueTraderParams } from "./value-trader";

export const PARTICIPANT_DEFAULTS = {
  "market-maker": {
    levels: 5, size: 0.05, sizeGrowth: 0.5, minHalfSpreadTicks: 1, levelSpacingBps: 1, volatilitySpread: 0.005,
    refreshMs: 500, fundamentalWeight: 0.6, observationNoise: 0.00002, maxInventory: 5, inventorySkewTicks: 200,
  } satisfies MarketMakerParams,
  noise: {
    ratePerMinute: 6, activityExponent: 1, marketShare: 0.15, cancelShare: 0.3, minSize: 0.001, sizeTail: 1.5,
    maxSize: 2, meanOffsetTicks: 300, maxOpenOrders: 10,
  } satisfies NoiseTraderParams,
  value: { ratePerMinute: 2, observationNoise: 0.0005, thresholdBps: 3, minSize: 0.005, sizeTail: 1.7, maxSize: 1 } satisfies ValueTraderParams,
  momentum: { ratePerMinute: 1, fastMinutes: 2, slowMinutes: 15, thresholdBps: 5, minSize: 0.005, sizeTail: 2, maxSize: 0.5 } satisfies MomentumTraderParams,
};
export type ParticipantKind = keyof typeof PARTICIPANT_DEFAULTS;
export const PARTICIPANT_KINDS = Object.keys(PARTICIPANT_DEFAULTS) as ParticipantKind[];

export const FUNDAMENTAL_DEFAULTS: FundamentalParams = {
  volatility: 0.003, volOfVol: 0.8, volHalfLifeMinutes: 45, meanReversionHalfLifeHours: 48, driftPerHour: 0,
  jumpsPerHour: 0.5, jumpSize: 0.002, events: [],
};

const num = (description: string, min = 0, max = 1e12) => Type.Optional(Type.Number({ minimum: min, maximum: max, description }));
const group = Type.Object({
  kind: Type.Union(PARTICIPANT_KINDS.map((k) => Type.Literal(k)), { error: `kind must be one of ${PARTICIPANT_KINDS.join(", ")}` }),
  count: Type.Integer({ minimum: 0, maximum: 100_000, error: "count must be an integer from 0 to 100000" }),
  /** Participants are named <market>/<name>-<i> (default: the kind). */
  name: Type.Optional(Type.String({ pattern: "^[a-z0-9-]{1,40}$", error: "name must be 1 to 40 of a-z 0-9 -" })),
  /** Quote asset each one starts with, and as much again in the base asset at the start price. */
  capital: num("quote asset each participant is funded with", 0, 1e15),
  params: Type.Optional(Type.Record(Type.String(), Type.Number(), { error: "params must be an object of numbers" })),
}, { additionalProperties: false });
const marketScenario = Type.Object({
  /** Decimal price the fundamental starts from (default: the market's last trade, else its default). */
  startPrice: Type.Optional(Type.String({ pattern: "^[0-9]+(\\.[0-9]+)?$", error: "startPrice must be a decimal string" })),
  fundamental: Type.Optional(Type.Object({
    volatility: num("log return std per sqrt hour", 0, 1), volOfVol: num("log volatility std per sqrt hour", 0, 10),
    volHalfLifeMinutes: num("minutes", 0.1, 1e6), meanReversionHalfLifeHours: num("hours", 0.01, 1e9),
    driftPerHour: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })), jumpsPerHour: num("jumps per hour", 0, 1000), jumpSize: num("log std", 0, 1),
    events: Type.Optional(Type.Array(Type.Object({
      atMinutes: Type.Number({ minimum: 0 }), jump: Type.Number({ minimum: -2, maximum: 2 }), recoverMinutes: Type.Optional(Type.Number({ minimum: 0 })),
    }, { additionalProperties: false }), { maxItems: 1000 })),
  }, { additionalProperties: false })),
  participants: Type.Array(group, { maxItems: 100 }),
}, { additionalProperties: false });
export const SCENARIO_SCHEMA = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 64 })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, error: "seed must be an integer from 0 to 4294967295" })),
  /** Venue ms per step: participants that wake within one step act on the same book. */
  stepMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000, error: "stepMs must be an integer from 1 to 60000" })),
  /** Every market of the venue runs this, unless `markets` names it. */
  market: Type.Optional(marketScenario),
  markets: Type.Optional(Type.Record(Type.String(), marketScenario)),
}, { additionalProperties: false });
export type ScenarioSpec = Static<typeof SCENARIO_SCHEMA>;
export type MarketScenario = Static<typeof marketScenario>;
export type ParticipantGroup = Static<typeof group>;

const checkScenario = TypeCompiler.Compile(SCENARIO_SCHEMA);

const CALM_PARTICIPANTS: ParticipantGroup[] = [
  { kind: "market-maker", count: 4 },
  { kind: "noise", count: 40 },
  { kind: "value", count: 10 },
  { kind: "momentum", count: 5 },
];

/** The named presets. */
export const PRESETS: Record<string, ScenarioSpec> = {
  calm: { name: "calm", market: { participants: CALM_PARTICIPANTS } },
  trending: {
    name: "trending",
    market: {
      fundamental: { driftPerHour: 0.004 },
      participants: [...CALM_PARTICIPANTS.slice(0, 3), { kind: "momentum", count: 15 }],
    },
  },
  volatile: {
    name: "volatile",
    market: {
      fundamental: { volatility: 0.01, volOfVol: 1.2, jumpsPerHour: 3, jumpSize: 0.004 },
      participants: [{ kind: "market-maker", count: 4, params: { volatilitySpread: 0.05 } }, ...CALM_PARTICIPANTS.slice(1)],
    },
  },
  // Value falls 8% at once at minute 30 and comes back over 20 minutes.
  "flash-crash": {
    name: "flash-crash",
    market: { fundamental: { events: [{ atMinutes: 30, jump: -0.08, recoverMinutes: 20 }] }, participants: CALM_PARTICIPANTS },
  },
  // News at minute 30: value jumps 4% and stays.
  news: {
    name: "news",
    market: { fundamental: { events: [{ atMinutes: 30, jump: 0.04 }] }, participants: CALM_PARTICIPANTS },
  },
  // ABIDES' reference population (rmsc03: one market maker, 5,000 noise, 100 value and 25
  // momentum agents) in one market, BTC-USD, for throughput.
  abides: {
    name: "abides",
    markets: { "BTC-USD": {
      participants: [
        { kind: "market-maker", count: 2 },
        { kind: "noise", count: 5000, params: { ratePerMinute: 0.15 } },
        { kind: "value", count: 100, params: { ratePerMinute: 0.5 } },
        { kind: "momentum", count: 25, params: { ratePerMinute: 0.5 } },
      ],
    } },
  },
};

/** A preset's name or a JSON file's path to its scenario; throws a message naming the problem. */
export function loadScenario(nameOrFile: string): ScenarioSpec {
  const preset = PRESETS[nameOrFile];
  if (preset) return preset;
  if (!nameOrFile.endsWith(".json")) {
    throw new Error(`unknown scenario "${nameOrFile}": give one of ${Object.keys(PRESETS).join(", ")} or a .json file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(nameOrFile, "utf8"));
  } catch (error) {
    throw new Error(`scenario file ${nameOrFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseScenario(json, `scenario file ${nameOrFile}`);
}

/** Any JSON value to a scenario, or an error naming the field at fault. */
export function parseScenario(json: unknown, what = "the scenario"): ScenarioSpec {
  if (!checkScenario.Check(json)) {
    const error = checkScenario.Errors(json).First();
    throw new Error(`${what}: ${describeSchemaError(error, "it")}`);
  }
  for (const scenario of [json.market, ...Object.values(json.markets ?? {})]) {
    for (const g of scenario?.participants ?? []) {
      const known = PARTICIPANT_DEFAULTS[g.kind] as Record<string, number>;
      for (const key of Object.keys(g.params ?? {})) {
        if (!(key in known)) throw new Error(`${what}: ${g.kind} has no parameter "${key}" (it has ${Object.keys(known).join(", ")})`);
      }
    }
  }
  return json;
}

/** A participant kind's parameters: its defaults, then the group's. */
export function paramsOf(g: ParticipantGroup): Record<string, number> {
  return { ...PARTICIPANT_DEFAULTS[g.kind], ...g.params };
}
