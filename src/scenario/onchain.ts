import { z } from "zod";
import { LIMITS } from "./limits.js";

/**
 * The on-chain (governance-controlled) variables of docs/model.md §4, as data: the schema,
 * the schedule, the dashboard's sliders and the sensitivity analysis all read this table.
 */
export interface OnchainVariableInfo {
  readonly name: OnchainName;
  readonly symbol?: string;
  readonly unit: string;
  /** The whitepaper's meaning, shown on hover in the dashboard. */
  readonly meaning: string;
  /** Numeric default, or a sentence when it depends on other fields. */
  readonly defaultValue: number | string;
  readonly min: number;
  /** Inclusive upper bound, if any. */
  readonly max?: number;
  /** `min` is excluded (the value must be strictly greater). */
  readonly exclusiveMin?: boolean;
  readonly integer?: boolean;
}

export const ONCHAIN_NAMES = [
  "buybackModulation",
  "fiatOperationsFraction",
  "jobRewardModulation",
  "phaseTwoMintAmount",
  "phase2Modulation",
  "bondModulation",
  "onboardingModulation",
  "onboardingWindowDays",
  "reputationWindowJobs",
  "validationModulator",
  "validationsPerJob",
  "buybackPremium",
  "lowerTokenReserveLimit",
  "tokenReserveRestoreLevel",
  "priceFloor",
] as const;
export type OnchainName = (typeof ONCHAIN_NAMES)[number];

export const ONCHAIN_VARIABLES: readonly OnchainVariableInfo[] = [
  {
    name: "buybackModulation",
    symbol: "BM",
    unit: "fraction",
    min: 0,
    max: 1,
    defaultValue: 1.0,
    meaning:
      "Fraction of the supplier pool paid in tokens bought back on the market (E7); 1 pays suppliers only in tokens (the SEC case).",
  },
  {
    name: "fiatOperationsFraction",
    symbol: "f",
    unit: "fraction",
    min: 0,
    max: 1,
    defaultValue: 0.3,
    meaning:
      "ChainOpera Fiat Operations Fraction: share of income kept in the dollar reserve (E7).",
  },
  {
    name: "jobRewardModulation",
    symbol: "JRM",
    unit: "divisor",
    min: 0,
    exclusiveMin: true,
    defaultValue: 10,
    meaning:
      "Divisor of the job reward (E12): with 10, suppliers initially earn roughly 10% extra.",
  },
  {
    name: "phaseTwoMintAmount",
    symbol: "A",
    unit: "tokens",
    min: 0,
    defaultValue: "(1 − fracPhaseOneTokens) · initialTokenReserve",
    meaning: "Tokens to emit in phase 2 (E13): the part of the ops fund kept for phase-2 rewards.",
  },
  {
    name: "phase2Modulation",
    symbol: "P2M",
    unit: "job-reward tokens",
    min: 0,
    exclusiveMin: true,
    defaultValue: "the on-chain block's phaseTwoMintAmount",
    meaning: "E-folding scale of the phase-2 emission (E13), in accumulated job-reward tokens.",
  },
  {
    name: "bondModulation",
    unit: "fraction of job price",
    min: 0,
    defaultValue: 0.1,
    meaning:
      "Fraction of a job's price a supplier posts as a token bond on accepting it (E9, E22).",
  },
  {
    name: "onboardingModulation",
    unit: "fraction of average supplier income",
    min: 0,
    defaultValue: 0.1,
    meaning:
      "One-time onboarding fee as a fraction of the average supplier income over the window (E8).",
  },
  {
    name: "onboardingWindowDays",
    symbol: "W",
    unit: "days",
    min: 1,
    integer: true,
    defaultValue: 30,
    meaning: "Window of the onboarding fee's average income (E8), the last W days including today.",
  },
  {
    name: "reputationWindowJobs",
    unit: "jobs",
    min: 1,
    integer: true,
    defaultValue: 30,
    meaning:
      "Number of a supplier's latest tasks its reputation is computed over (E20, marketplace mode).",
  },
  {
    name: "validationModulator",
    unit: "tokens per validation",
    min: 0,
    defaultValue: 0.5,
    meaning: "Tokens paid to validators for each completed validation (E14).",
  },
  {
    name: "validationsPerJob",
    unit: "validations per job",
    min: 0,
    defaultValue: 1,
    meaning: "Validations each job needs (E14).",
  },
  {
    name: "buybackPremium",
    unit: "fraction of token price",
    min: 0,
    defaultValue: 0,
    meaning:
      "ΔPriceOfToken, the extra price paid to buy tokens back, as a fraction of the price [R3].",
  },
  {
    name: "lowerTokenReserveLimit",
    unit: "fraction of initialTokenReserve",
    min: 0,
    max: 1,
    defaultValue: 0.1,
    meaning: "Reserve level that triggers the automatic buy-back top-up (E16).",
  },
  {
    name: "tokenReserveRestoreLevel",
    unit: "fraction of initialTokenReserve",
    min: 0,
    max: 1,
    defaultValue: 0.2,
    meaning: "Reserve level the top-up buys back up to (E16).",
  },
  {
    name: "priceFloor",
    unit: "usd/token",
    min: 0,
    exclusiveMin: true,
    defaultValue: 1e-9,
    meaning: "Smallest token price E10 may return, so later divisions stay defined [R4].",
  },
];

export const ONCHAIN_INFO: Readonly<Record<OnchainName, OnchainVariableInfo>> = Object.fromEntries(
  ONCHAIN_VARIABLES.map((v) => [v.name, v]),
) as Record<OnchainName, OnchainVariableInfo>;

function variableSchema(v: OnchainVariableInfo) {
  let s = v.integer ? z.int() : z.number();
  // a divisor (exclusive minimum 0) is at least LIMITS.minPositive, so no quotient overflows
  s = v.exclusiveMin
    ? s.min(Math.max(v.min, v.name === "priceFloor" ? LIMITS.minPriceFloor : LIMITS.minPositive))
    : s.min(v.min);
  s = s.max(v.max ?? LIMITS.maxAmount);
  const def = typeof v.defaultValue === "number" ? String(v.defaultValue) : v.defaultValue;
  return s.optional().describe(`${v.meaning} Unit: ${v.unit}. Default: ${def}.`);
}

const shape = Object.fromEntries(ONCHAIN_VARIABLES.map((v) => [v.name, variableSchema(v)])) as {
  [K in OnchainName]: z.ZodOptional<z.ZodNumber>;
};

/** Every on-chain variable, each optional (defaults are resolved when the scenario is compiled). */
export const OnchainSchema = z
  .strictObject(shape)
  .describe("On-chain variables (docs/model.md §4): governance-controlled parameters.");

export type OnchainInput = z.output<typeof OnchainSchema>;
export type OnchainValues = Record<OnchainName, number>;

/** The defaults of docs/model.md §4 that do not depend on other fields. */
export function numericDefaults(): Omit<OnchainValues, "phaseTwoMintAmount" | "phase2Modulation"> {
  const out: Record<string, number> = {};
  for (const v of ONCHAIN_VARIABLES)
    if (typeof v.defaultValue === "number") out[v.name] = v.defaultValue;
  return out as Omit<OnchainValues, "phaseTwoMintAmount" | "phase2Modulation">;
}
