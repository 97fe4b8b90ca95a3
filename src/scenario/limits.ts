import { z } from "zod";

/**
 * Every limit a scenario is held to (docs/limits.md). They are chosen so that every realistic
 * scenario fits and every product the day computes stays finite: with amounts at most 1e15 of
 * their unit, and every divisor at least 1e-12 of its unit, the largest day's income
 * (2,000 consumer types × 1e15 jobs × 1e9 units × 1e9 usd/unit × (1 + 1,000)) is about 2e39 usd,
 * and dividing it by the smallest price floor (1e-30 usd/token) gives 2e69 tokens: far below
 * the largest double (1.8e308), even summed over 36,500 days.
 */
export const LIMITS = {
  /** Longest run, days. */
  maxDays: 36_500,
  /** Most values in an explicit or CSV series (one per day, so never more than the longest run). */
  maxSeriesLength: 36_500,
  /** Most consumer types / supplier classes / schedule entries. */
  maxConsumerTypes: 2_000,
  maxSupplierClasses: 2_000,
  maxScheduleEntries: 10_000,
  /** Largest scenario file, bytes (10 MiB). */
  maxScenarioBytes: 10 * 1024 * 1024,
  /** Largest CSV file a series reads, bytes (32 MiB). */
  maxCsvBytes: 32 * 1024 * 1024,
  /** Deepest nesting of objects and lists in a scenario file (YAML or JSON). */
  maxDepth: 64,
  /** Largest amount of any unit (tokens, usd, usd/day, jobs/day, suppliers). */
  maxAmount: 1e15,
  /** Largest price per unit of service (usd/unit) and units per job. */
  maxUnitPrice: 1e9,
  maxUnitsPerJob: 1e9,
  /** Largest incentive bid, a fraction of price. */
  maxIncentive: 1_000,
  /** Smallest value of an amount something is divided by (initialSupply, divisors): no subnormals. */
  minPositive: 1e-12,
  /**
   * Marketplace mode simulates every supplier and job: at most this many suppliers of a class,
   * and jobs of a consumer type per day (the series' peak, noise at 6 standard deviations).
   */
  maxMarketplaceAgents: 1_000_000,
  /** Smallest price floor, usd/token. */
  minPriceFloor: 1e-30,
} as const;

/** An amount ≥ 0 of some unit, at most `max`. */
export function amount(max: number = LIMITS.maxAmount) {
  return z.number().min(0).max(max);
}

/**
 * A strictly positive amount that something is divided by (a supply, a divisor, a floor): at
 * least LIMITS.minPositive, so no quotient overflows; at most `max`.
 */
export function positiveAmount(max: number = LIMITS.maxAmount) {
  return z.number().min(LIMITS.minPositive).max(max);
}

/** A signed quantity (a trend's start or slope) of magnitude at most `max`. */
export function signedAmount(max: number = LIMITS.maxAmount) {
  return z.number().min(-max).max(max);
}

/** Depth of nesting of a parsed value (a scalar is 0); stops counting past `limit`. */
export function nestingDepth(value: unknown, limit: number = LIMITS.maxDepth): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (depth > limit) return depth;
    for (const child of Object.values(v)) stack.push([child, depth]);
  }
  return deepest;
}

/** Path segments that would reach an object's prototype: never accepted from user text. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "prototype",
  "constructor",
]);

/** The first forbidden key anywhere in a parsed value (as a path), or null. */
export function forbiddenKeyPath(value: unknown, prefix = ""): string | null {
  const stack: [unknown, string][] = [[value, prefix]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    for (const key of Object.keys(v)) {
      const here = Array.isArray(v) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(v) && FORBIDDEN_KEYS.has(key)) return here;
      stack.push([(v as Record<string, unknown>)[key], here]);
    }
  }
  return null;
}

/**
 * Deepest nesting of `[`/`{` in a YAML or JSON text, outside quoted strings, read before the
 * text is parsed (a parser given 1 MB of `[` takes seconds and gigabytes). Stops past `limit`.
 */
export function textNestingDepth(text: string, limit: number = LIMITS.maxDepth): number {
  let depth = 0;
  let deepest = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== "") {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"') quote = ch;
    else if (ch === "[" || ch === "{") {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if ((ch === "]" || ch === "}") && depth > 0) depth--;
  }
  return deepest;
}
