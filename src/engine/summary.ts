import { column, type RunResult } from "./result.js";

/** The figures a reader wants first from one run (plain record; formatting is the CLI's). */
export interface RunSummary {
  readonly scenarioName: string;
  readonly seed: number;
  readonly days: number;
  /** First phase-2 day, or null if the run never left phase 1. */
  readonly phaseChangeDay: number | null;
  readonly price: {
    readonly first: number;
    readonly final: number;
    readonly min: number;
    readonly minDay: number;
    readonly max: number;
    readonly maxDay: number;
  };
  readonly final: {
    readonly supply: number;
    readonly tokenReserve: number;
    readonly dollarReserve: number;
    readonly lockedAllocations: number;
  };
  readonly totals: {
    readonly income: number;
    /** Tokens moved from circulation into the reserve [R1]: buybacks, onboarding fees, top-ups. */
    readonly burned: number;
    /** Tokens moved from the reserve into circulation: tokensPaid (E15). */
    readonly minted: number;
    /** Phase-1 plus phase-2 emission. */
    readonly emitted: number;
    readonly phaseOneEmission: number;
    readonly phaseTwoEmission: number;
    readonly validatorTokensPaid: number;
    readonly reserveBuybackUsd: number;
    readonly tokenShortfall: number;
  };
  readonly shortfallDays: number;
  readonly flooredDays: number;
  readonly warnings: readonly string[];
  readonly error: string | null;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function countPositive(a: Float64Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > 0) n++;
  return n;
}

export function summarize(r: RunResult): RunSummary {
  const col = (name: string) => column(r, name);
  const price = col("priceOfToken");
  let min = Number.POSITIVE_INFINITY,
    max = Number.NEGATIVE_INFINITY,
    minDay = 0,
    maxDay = 0;
  price.forEach((p, t) => {
    if (p < min) {
      min = p;
      minDay = t;
    }
    if (p > max) {
      max = p;
      maxDay = t;
    }
  });
  const phase = col("phase");
  const change = phase.indexOf(2);
  const last = r.days - 1;
  const p1 = sum(col("phaseOneEmission"));
  const p2 = sum(col("phaseTwoEmission"));
  return {
    scenarioName: r.meta.scenarioName,
    seed: r.meta.seed,
    days: r.days,
    phaseChangeDay: change < 0 ? null : change,
    price: { first: price[0], final: price[last], min, minDay, max, maxDay },
    final: {
      supply: col("supply")[last],
      tokenReserve: col("tokenReserve")[last],
      dollarReserve: col("dollarReserve")[last],
      lockedAllocations: col("lockedAllocations")[last],
    },
    totals: {
      income: sum(col("income")),
      burned:
        sum(col("buybackTokens")) + sum(col("onboardingTokens")) + sum(col("reserveBuybackTokens")),
      minted: sum(col("tokensPaid")),
      emitted: p1 + p2,
      phaseOneEmission: p1,
      phaseTwoEmission: p2,
      validatorTokensPaid: sum(col("validatorTokensPaid")),
      reserveBuybackUsd: sum(col("reserveBuybackUsd")),
      tokenShortfall: sum(col("tokenShortfall")),
    },
    shortfallDays: countPositive(col("tokenShortfall")),
    flooredDays: countPositive(col("priceFloored")),
    warnings: r.meta.warnings,
    error: r.error ? r.error.message : null,
  };
}
