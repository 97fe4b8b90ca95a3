import type { CompiledScenario } from "../engine/compile.js";
import type { KernelOutcome, SimulationFailure } from "../engine/outcome.js";
import type { IncomeSplit } from "../mechanisms/incomeSplit.js";
import type { ReserveTopUp } from "../mechanisms/reserveTopUp.js";
import type { TokenPayments } from "../mechanisms/supplierTokens.js";
import type { TokenPrice } from "../mechanisms/tokenPrice.js";
import { ONCHAIN_NAMES, type OnchainName } from "../scenario/onchain.js";

/**
 * The day's steps in docs/model.md §6's order. Every mode composes these names (aggregate mode's
 * steps are `AGGREGATE_DAY`, marketplace mode's are its own functions under the same names,
 * sharing the accounting); an extension is a step inserted before or after one of them.
 */
export const DAY_STEP_NAMES = [
  "schedule", // 1. on-chain schedule (later: governance rules)
  "inputs", // 1. the day's input series (§3)
  "income", // 2. E5, E6
  "split", // 3. E7
  "suppliers", // 4. arrivals, histories, phase (E4)
  "onboarding", // 5. E8
  "bonds", // 6. E9 / E22
  "price", // 7. E10
  "burn", // 8. E11a, E11b
  "rewards", // 9. E12
  "emissions", // 10. E13, E3
  "validators", // 11. E14
  "payouts", // 12. E15
  "topUp", // 13. E16
  "update", // 14. E17, E18, E19, E17b
  "record", // the §7 row, every value checked finite (issue 9)
  "invariants", // I1–I3
] as const;
export type DayStepName = (typeof DAY_STEP_NAMES)[number];

/** Index of each on-chain variable in a `Float64Array` of on-chain values (ONCHAIN_NAMES order). */
export const ONCHAIN = Object.fromEntries(ONCHAIN_NAMES.map((n, i) => [n, i])) as {
  readonly [K in OnchainName]: number;
};

/** State carried from day to day (docs/model.md §2), the same in every mode. */
export interface DayState {
  supply: number;
  tokenReserve: number;
  lockedAllocations: number;
  dollarReserve: number;
  phase: 1 | 2;
  phaseTwoMinted: number;
  stakedTokens: number;
  /** Yesterday's active suppliers per class (step 4). */
  readonly yesterdayCounts: Float64Array;
  /** income[s] and Σ_k count[s][k] for s = 0 … t (E8's window). */
  readonly incomeHistory: Float64Array;
  readonly supplierTotalHistory: Float64Array;
}

/**
 * The day's values (docs/model.md §7 names), written by the steps in order; a step reads only what
 * an earlier step wrote today. `extraUsdOut` is reset to 0 at the start of every day.
 */
export interface DayValues {
  /** Input series: jobs per consumer type, active suppliers per class, sentiment, governance. */
  readonly jobs: Float64Array;
  readonly counts: Float64Array;
  sentiment: number;
  governance: number;
  income: number;
  readonly demandForService: Float64Array;
  split: IncomeSplit;
  arrivals: number;
  /** E3's stake released at step 4 (tokens): the day before's `stakedTokens` on the first phase-2 day, else 0. */
  stakeReleased: number;
  onboardingUsd: number;
  supplierBondUsd: number;
  demand: number;
  price: TokenPrice;
  buybackTokens: number;
  onboardingTokens: number;
  jobReward: number;
  phaseTwoClaim: number;
  phaseOneClaim: number;
  validatorClaim: number;
  paid: TokenPayments;
  /** E15 as written to the table (marketplace mode counts its released earmarks in). */
  supplierTokensPaid: number;
  tokensPaid: number;
  topUp: ReserveTopUp;
  vested: number;
  /** The dollar reserve at the start of the day (I2). */
  dollarBefore: number;
  /**
   * USD that left the dollar reserve today beyond E19's terms (an extension paying out of it,
   * marketplace refunds net of escrow returns): I2 counts it with reserveBuybackUsd.
   */
  extraUsdOut: number;
}

/** What every step sees: the compiled scenario, the carried state, today's values. */
export interface DayContext {
  readonly c: CompiledScenario;
  /** Today (0-based). */
  t: number;
  readonly state: DayState;
  readonly day: DayValues;
  /** Today's on-chain values, `onchain[ONCHAIN.name]`. */
  readonly onchain: Float64Array;
  /** The run's random streams (src/random/streams.ts), series s at offset 4·s. */
  readonly streams: Int32Array;
  /** `initialSupply + initialTokenReserve + initialLocked` (I1). */
  readonly totalTokens: number;
  /** The run's column-major table, `out[col·days + t]`. */
  readonly out: Float64Array;
  /** Set by "record" once today's row is whole. */
  rowWritten: boolean;
}

/** One named step: reads and writes the context; returns a failure to stop the run. */
export interface DayStep<C extends DayContext = DayContext> {
  readonly name: string;
  run(ctx: C): SimulationFailure | undefined;
}

/**
 * An extension: `step` runs right after (or before) the step named `after` (`before`), in every
 * mode. Steps that move balances go after "update" (before "record") and keep I1/I2 whole: a
 * transfer between supply, tokenReserve and lockedAllocations keeps I1; USD taken from the
 * dollar reserve is added to `day.extraUsdOut`. Use `withdrawal()` for anything taken.
 */
export type StepInsertion =
  | { readonly after: DayStepName | (string & {}); readonly step: DayStep }
  | { readonly before: DayStepName | (string & {}); readonly step: DayStep };

/** The step sequence with the insertions placed; insertions at one anchor keep their order. */
export function composeDay<C extends DayContext>(
  steps: readonly DayStep<C>[],
  insertions: readonly StepInsertion[],
): DayStep<C>[] {
  const out = [...steps];
  for (const ins of insertions) {
    const anchor = "after" in ins ? ins.after : ins.before;
    if (!out.some((s) => s.name === anchor))
      throw new Error(
        `cannot insert step "${ins.step.name}" at "${anchor}": no such step (steps: ${out.map((s) => s.name).join(", ")})`,
      );
    if ("after" in ins) {
      let i = out.findLastIndex((s) => s.name === anchor);
      // after the anchor and after anything already inserted after it
      while (i + 1 < out.length && !isBase(steps, out[i + 1])) i++;
      out.splice(i + 1, 0, ins.step as DayStep<C>);
    } else {
      out.splice(
        out.findIndex((s) => s.name === anchor),
        0,
        ins.step as DayStep<C>,
      );
    }
  }
  return out;
}

const isBase = <C extends DayContext>(steps: readonly DayStep<C>[], s: DayStep<C>) =>
  steps.includes(s);

/** Zeroed day values for a scenario with nC consumer types and nK supplier classes. */
export function emptyDay(nC: number, nK: number): DayValues {
  return {
    jobs: new Float64Array(nC),
    counts: new Float64Array(nK),
    sentiment: 0,
    governance: 0,
    income: 0,
    demandForService: new Float64Array(nK),
    split: { opsRevenue: 0, usdCapital: 0, usdBuybackCapital: 0 },
    arrivals: 0,
    stakeReleased: 0,
    onboardingUsd: 0,
    supplierBondUsd: 0,
    demand: 0,
    price: { priceOfToken: 0, priceFloored: false, buybackPrice: 0 },
    buybackTokens: 0,
    onboardingTokens: 0,
    jobReward: 0,
    phaseTwoClaim: 0,
    phaseOneClaim: 0,
    validatorClaim: 0,
    paid: NO_PAYMENTS,
    supplierTokensPaid: 0,
    tokensPaid: 0,
    topUp: { reserveBuybackTokens: 0, reserveBuybackUsd: 0 },
    vested: 0,
    dollarBefore: 0,
    extraUsdOut: 0,
  };
}

const NO_PAYMENTS: TokenPayments = {
  validatorTokensPaid: 0,
  phaseTwoEmission: 0,
  phaseOneEmission: 0,
  supplierTokensPaid: 0,
  tokensPaid: 0,
  tokenShortfall: 0,
};

/** The state on day 0 (docs/model.md §2). */
export function initialState(c: CompiledScenario): DayState {
  return {
    supply: c.initialSupply,
    tokenReserve: c.initialTokenReserve,
    lockedAllocations: c.initialLocked,
    dollarReserve: c.initialDollarReserve,
    phase: 1,
    phaseTwoMinted: 0,
    stakedTokens: 0,
    yesterdayCounts: new Float64Array(c.nK),
    incomeHistory: new Float64Array(c.days),
    supplierTotalHistory: new Float64Array(c.days),
  };
}

/**
 * A run's day context at day 0 (docs/model.md §2's initial state), over the run's seeded
 * `streams` and its column-major output table `out`. Every engine that composes the day starts
 * from it; a mode adds its own fields by spreading it.
 */
export function initialContext(
  c: CompiledScenario,
  streams: Int32Array,
  out: Float64Array,
): DayContext {
  return {
    c,
    t: 0,
    state: initialState(c),
    day: emptyDay(c.nC, c.nK),
    onchain: Float64Array.from(c.onchain0),
    streams,
    totalTokens: c.initialSupply + c.initialTokenReserve + c.initialLocked,
    out,
    rowWritten: false,
  };
}

/**
 * Run the composed steps for every day. A failing step stops the run: rows 0 … t−1 are kept,
 * and row t too when "record" has written it (an invariant broken after the row).
 */
export function runDays<C extends DayContext>(ctx: C, steps: readonly DayStep<C>[]): KernelOutcome {
  const { days } = ctx.c;
  for (let t = 0; t < days; t++) {
    ctx.t = t;
    ctx.rowWritten = false;
    ctx.day.extraUsdOut = 0;
    for (const step of steps) {
      const error = step.run(ctx);
      if (error) return { daysCompleted: ctx.rowWritten ? t + 1 : t, error };
    }
  }
  return { daysCompleted: days, error: null };
}
