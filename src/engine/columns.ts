import { feedbackColumnUnit } from "../feedback/plan.js";
import { FIXED_COLUMNS } from "./fixedColumns.js";

export { FIXED_COLUMNS };
export type FixedColumn = (typeof FIXED_COLUMNS)[number];

/** Index of each fixed column (column-major tables store column c at offset c·days). */
export const COL = Object.fromEntries(FIXED_COLUMNS.map((name, i) => [name, i])) as {
  readonly [K in FixedColumn]: number;
};

/** Units of each fixed column, for reports and the dashboard. */
export const COLUMN_UNITS: Readonly<Record<FixedColumn, string>> = {
  day: "day",
  phase: "phase",
  income: "usd",
  opsRevenue: "usd",
  usdBuybackCapital: "usd",
  usdCapital: "usd",
  onboardingUsd: "usd",
  supplierBondUsd: "usd",
  demand: "usd",
  priceOfToken: "usd/token",
  priceFloored: "flag",
  buybackTokens: "tokens",
  onboardingTokens: "tokens",
  jobReward: "tokens",
  phaseOneEmission: "tokens",
  phaseTwoEmission: "tokens",
  validatorTokensPaid: "tokens",
  supplierTokensPaid: "tokens",
  tokensPaid: "tokens",
  reserveBuybackUsd: "usd",
  reserveBuybackTokens: "tokens",
  buyBacksUsd: "usd",
  tokenShortfall: "tokens",
  supply: "tokens",
  tokenReserve: "tokens",
  dollarReserve: "usd",
  lockedAllocations: "tokens",
  stakedTokens: "tokens",
};

/** Every column of a run: the fixed ones, then per consumer type and per supplier class (§7). */
export function columnNames(consumers: readonly string[], suppliers: readonly string[]): string[] {
  return [
    ...FIXED_COLUMNS,
    ...consumers.map((c) => `jobCreated.${c}`),
    ...suppliers.map((k) => `usdDemandForService.${k}`),
    ...suppliers.map((k) => `suppliers.${k}`),
  ];
}

/** Unit of any column name. */
export function columnUnit(name: string): string {
  if (name in COLUMN_UNITS) return COLUMN_UNITS[name as FixedColumn];
  if (name.startsWith("jobCreated.")) return "jobs/day";
  if (name.startsWith("usdDemandForService.")) return "usd";
  if (name.startsWith("suppliers.")) return "suppliers";
  return feedbackColumnUnit(name) ?? "";
}
