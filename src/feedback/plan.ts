import {
  DEFAULT_CHURN,
  DEFAULT_ELASTICITY,
  DEFAULT_MAX_MULTIPLIER,
  referenceValue,
} from "../scenario/feedback.js";
import { LIMITS } from "../scenario/limits.js";
import type { Scenario } from "../scenario/schema.js";
import type { ChurnParameters } from "./churn.js";

/**
 * The feedback block of a scenario compiled once into flat arrays (issue 13). `null` parts are
 * off. Class and consumer arrays are in scenario order.
 */
export interface FeedbackPlan {
  readonly days: number;
  readonly suppliers: {
    readonly lagDays: number;
    readonly validatorsAreSuppliers: boolean;
    /** Indices of classes with economics (cost), in scenario order. */
    readonly classes: readonly number[];
    /** Indices of the dynamic classes among them, in scenario order. */
    readonly dynamicClasses: readonly number[];
    /** usd/supplier/day per class; NaN where the class has no economics. */
    readonly costPerDay: Float64Array;
    /** Capacity per class (E50), jobs/supplier/day; NaN where none. Null when no class has one. */
    readonly jobsPerSupplierPerDay: Float64Array | null;
    /** Per class: null when exogenous, else its start and churn parameters. */
    readonly dynamic: readonly ({ start: number; churn: ChurnParameters } | null)[];
  } | null;
  readonly sales: {
    readonly sellShare: number;
    readonly sellOverDays: number;
    readonly validatorsSell: boolean;
  } | null;
  readonly speculators: {
    readonly momentumDays: number;
    readonly sensitivity: number;
    readonly capitalUsd: number;
    /** Tokens the speculators hold on day 0 (E44), part of the circulating supply. */
    readonly startingTokens: number;
  } | null;
  readonly amm: { readonly poolTokens: number; readonly poolUsd: number } | null;
  readonly consumers: {
    /** Reference price per consumer type and day, `i·days + t`, usd/job; 0 = none. */
    readonly referencePrice: Float64Array;
    readonly elasticity: Float64Array;
    readonly maxMultiplier: Float64Array;
    readonly queueLossSensitivity: Float64Array;
  } | null;
}

/** Compile the scenario's `feedback` block; null when the scenario has none. */
export function compileFeedback(s: Scenario): FeedbackPlan | null {
  const f = s.feedback;
  if (!f) return null;
  const days = s.days;
  const names = s.suppliers.map((k) => k.name);
  let suppliers: FeedbackPlan["suppliers"] = null;
  if (f.suppliers) {
    const byName = f.suppliers.classes;
    suppliers = {
      lagDays: f.suppliers.lagDays,
      validatorsAreSuppliers: f.suppliers.validatorsAreSuppliers,
      classes: names.flatMap((n, k) => (byName[n] ? [k] : [])),
      dynamicClasses: names.flatMap((n, k) => (byName[n]?.dynamic ? [k] : [])),
      costPerDay: Float64Array.from(names, (n) => byName[n]?.costPerDay ?? Number.NaN),
      jobsPerSupplierPerDay: names.some((n) => byName[n]?.jobsPerSupplierPerDay !== undefined)
        ? Float64Array.from(names, (n) => byName[n]?.jobsPerSupplierPerDay ?? Number.NaN)
        : null,
      dynamic: names.map((n) => {
        const e = byName[n];
        if (!e?.dynamic) return null;
        return {
          start: e.dynamic.start,
          churn: {
            entryElasticity: e.entryElasticity ?? DEFAULT_CHURN.entryElasticity,
            exitElasticity: e.exitElasticity ?? DEFAULT_CHURN.exitElasticity,
            maxEntryRate: e.maxEntryRate ?? DEFAULT_CHURN.maxEntryRate,
            maxExitRate: e.maxExitRate ?? DEFAULT_CHURN.maxExitRate,
            // marketplace mode keeps every supplier: churn stops at its limit (decision 330)
            maxCount:
              e.maxCount ??
              (s.mode === "marketplace" ? LIMITS.maxMarketplaceAgents : LIMITS.maxAmount),
          },
        };
      }),
    };
  }
  let consumers: FeedbackPlan["consumers"] = null;
  if (f.consumers) {
    const nC = s.consumers.length;
    const referencePrice = new Float64Array(nC * days);
    const elasticity = new Float64Array(nC);
    const maxMultiplier = new Float64Array(nC).fill(1);
    const queueLossSensitivity = new Float64Array(nC);
    s.consumers.forEach((c, i) => {
      const e = f.consumers?.[c.name];
      if (!e) return;
      elasticity[i] = e.elasticity ?? DEFAULT_ELASTICITY;
      maxMultiplier[i] = e.maxMultiplier ?? DEFAULT_MAX_MULTIPLIER;
      queueLossSensitivity[i] = e.queueLossSensitivity;
      if (e.referencePrice !== undefined)
        for (let t = 0; t < days; t++)
          referencePrice[i * days + t] = referenceValue(e.referencePrice, t);
    });
    consumers = { referencePrice, elasticity, maxMultiplier, queueLossSensitivity };
  }
  return {
    days,
    suppliers,
    sales: f.sales ?? null,
    speculators: f.speculators ?? null,
    amm: f.amm ?? null,
    consumers,
  };
}

/** Output columns the feedback block adds after docs/model.md §7's, in this order; none when off. */
export function feedbackColumnNames(s: Scenario): string[] {
  const f = s.feedback;
  if (!f) return [];
  const out: string[] = [];
  if (f.suppliers) {
    const listed = s.suppliers.filter((k) => f.suppliers?.classes[k.name]);
    for (const k of listed) out.push(`incomePerSupplier.${k.name}`);
    for (const k of listed) out.push(`margin.${k.name}`);
    const dynamic = listed.filter((k) => f.suppliers?.classes[k.name]?.dynamic);
    for (const k of dynamic) out.push(`supplierEntries.${k.name}`);
    for (const k of dynamic) out.push(`supplierExits.${k.name}`);
    if (listed.some((k) => f.suppliers?.classes[k.name]?.jobsPerSupplierPerDay !== undefined))
      out.push("jobsLost");
  }
  if (f.amm)
    out.push(
      "poolTokens",
      "poolUsd",
      "ammSlippage",
      "tokensSold",
      "salesUsd",
      "speculatorBuyUsd",
      "tokensBoughtByHolders",
    );
  // E44's book, end of day (speculators need a pool: checkFeedback)
  if (f.amm && f.speculators) out.push("speculatorTokens");
  if (
    s.mode === "marketplace" &&
    Object.values(f.consumers ?? {}).some((c) => c.queueLossSensitivity > 0)
  )
    out.push("jobsLostToQueues"); // E49, marketplace mode only (src/marketplace/feedback.ts)
  return out;
}

/** How many columns `feedbackColumnNames` gives for this plan. */
export function feedbackColumnCount(p: FeedbackPlan): number {
  let n = 0;
  if (p.suppliers) {
    n += 2 * p.suppliers.classes.length + 2 * p.suppliers.dynamicClasses.length;
    if (p.suppliers.jobsPerSupplierPerDay) n += 1;
  }
  if (p.amm) n += 7;
  if (p.amm && p.speculators) n += 1;
  return n;
}

/** Units of the feedback columns. */
export function feedbackColumnUnit(name: string): string | undefined {
  if (name.startsWith("incomePerSupplier.")) return "usd/supplier/day";
  if (name.startsWith("margin.")) return "fraction";
  if (name === "jobsLost") return "jobs/day";
  if (name.startsWith("supplierEntries.") || name.startsWith("supplierExits.")) return "suppliers";
  const fixed: Record<string, string> = {
    poolTokens: "tokens",
    poolUsd: "usd",
    ammSlippage: "fraction",
    tokensSold: "tokens",
    salesUsd: "usd",
    speculatorBuyUsd: "usd",
    tokensBoughtByHolders: "tokens",
    speculatorTokens: "tokens",
    jobsLostToQueues: "jobs/day",
  };
  return fixed[name];
}
