import type { z } from "zod";
import { mapSeries } from "./expected.js";
import { checkFeedback } from "./feedback.js";
import { checkMarketplace } from "./marketplace.js";
import type { OnchainName, OnchainValues } from "./onchain.js";
import { ROW_SUM_TOLERANCE } from "./priceMatrix.js";
import { OPS_FUND, resolveOnchain, resolvePriceMatrix, resolveTokens } from "./resolve.js";
import { checkRules } from "./rulesChecks.js";
import type { Scenario } from "./schema.js";
import { isFormulaSeries, type Series } from "./series.js";
import { checkStochastic } from "./stochasticChecks.js";
import { knownNames } from "./suggest.js";

type Ctx = z.core.$RefinementCtx<Scenario>;

function fail(ctx: Ctx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: "custom", path, message });
}

/** Cross-field rules of docs/model.md that a field-by-field schema cannot state. */
export function checkScenario(s: Scenario, ctx: Ctx): void {
  checkUniqueNames(s, ctx);
  checkTokens(s, ctx);
  checkPriceMatrix(s, ctx);
  checkOnchain(s, ctx);
  checkMarketplace(s, (path, message) => fail(ctx, path, message));
  checkStochastic(s, (path, message) => fail(ctx, path, message));
  checkRules(s.rules, (path, message) => fail(ctx, path, message));
  if (s.feedback)
    checkFeedback(s, feedbackInitialSupply(s), (path, message) => fail(ctx, path, message));
}

function feedbackInitialSupply(s: Scenario): number | undefined {
  try {
    return resolveTokens(s.tokens).initialSupply;
  } catch {
    return undefined;
  }
}

function checkUniqueNames(s: Scenario, ctx: Ctx): void {
  for (const group of ["suppliers", "consumers"] as const) {
    const seen = new Set<string>();
    s[group].forEach((item, i) => {
      if (seen.has(item.name)) fail(ctx, [group, i, "name"], `duplicate name "${item.name}"`);
      seen.add(item.name);
    });
  }
}

function checkTokens(s: Scenario, ctx: Ctx): void {
  const t = s.tokens;
  const direct =
    t.initialSupply !== undefined ||
    t.initialTokenReserve !== undefined ||
    t.lockedAllocations !== undefined;
  if (direct) {
    if (t.allocation !== undefined)
      fail(
        ctx,
        ["tokens", "allocation"],
        "give either the allocation table or initialSupply/initialTokenReserve/lockedAllocations, not both",
      );
    if (t.initialSupply === undefined)
      fail(
        ctx,
        ["tokens", "initialSupply"],
        "required (> 0) when initialTokenReserve or lockedAllocations is given",
      );
    return;
  }
  if (t.allocation === undefined) return;
  const entries = Object.entries(t.allocation);
  const sum = entries.reduce((acc, [, a]) => acc + a.fraction, 0);
  if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE)
    fail(ctx, ["tokens", "allocation"], `fractions must sum to 1, got ${sum}`);
  const ops = t.allocation[OPS_FUND];
  if (ops === undefined)
    fail(
      ctx,
      ["tokens", "allocation", OPS_FUND],
      "the allocation table must have the ops fund (the token reserve)",
    );
  else if (ops.vesting !== undefined)
    fail(
      ctx,
      ["tokens", "allocation", OPS_FUND, "vesting"],
      "the ops fund is the token reserve and does not vest",
    );
  if (resolveTokens(t).initialSupply <= 0)
    fail(
      ctx,
      ["tokens", "allocation"],
      "leaves nothing circulating on day 0: at least one allocation other than opsFund must be without vesting and > 0",
    );
}

function checkPriceMatrix(s: Scenario, ctx: Ctx): void {
  const matrix = resolvePriceMatrix(s.priceMatrix);
  for (const [row, shares] of Object.entries(matrix)) {
    const sum = Object.values(shares).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE)
      fail(ctx, ["priceMatrix", row], `row "${row}" must sum to 1 (±1e-9), got ${sum}`);
  }
  const declared = new Set(s.suppliers.map((k) => k.name));
  s.consumers.forEach((c, i) => {
    const row = c.row ?? c.name;
    const shares = matrix[row];
    if (shares === undefined) {
      fail(
        ctx,
        ["consumers", i, "row"],
        `unknown price-matrix row "${row}" (known: ${knownNames(row, Object.keys(matrix))})`,
      );
      return;
    }
    for (const [k, share] of Object.entries(shares))
      if (share !== 0 && !declared.has(k))
        fail(
          ctx,
          ["consumers", i, "row"],
          `row "${row}" pays ${share} to supplier class "${k}", which the scenario does not declare in suppliers`,
        );
  });
}

function checkRanges(values: OnchainValues, ctx: Ctx, path: (string | number)[]): void {
  if (values.lowerTokenReserveLimit > values.tokenReserveRestoreLevel)
    fail(
      ctx,
      [...path, "lowerTokenReserveLimit"],
      `must be ≤ tokenReserveRestoreLevel (${values.tokenReserveRestoreLevel}), got ${values.lowerTokenReserveLimit}`,
    );
}

function checkOnchain(s: Scenario, ctx: Ctx): void {
  // a missing ops fund is reported once (checkTokens): the reserve-based rules below cannot be judged
  const t = s.tokens;
  if (t.allocation !== undefined && t.allocation[OPS_FUND] === undefined) return;
  const tokens = resolveTokens(s.tokens);
  if (s.onchain.phase2Modulation === undefined) {
    const a =
      s.onchain.phaseTwoMintAmount ??
      (1 - s.phaseOne.fracPhaseOneTokens) * tokens.initialTokenReserve;
    if (a === 0)
      fail(
        ctx,
        ["onchain", "phase2Modulation"],
        "must be given (> 0) when phaseTwoMintAmount is 0",
      );
  }
  let values = resolveOnchain(s.onchain, s.phaseOne.fracPhaseOneTokens, tokens.initialTokenReserve);
  checkRanges(values, ctx, ["onchain"]);
  // Values in force after each entry are validated like the file (entries apply by day, then file order).
  const order = s.schedule.map((e, i) => ({ e, i })).sort((a, b) => a.e.day - b.e.day || a.i - b.i);
  for (const { e, i } of order) {
    values = { ...values };
    for (const [k, v] of Object.entries(e.set)) if (v !== undefined) values[k as OnchainName] = v;
    checkRanges(values, ctx, ["schedule", i, "set"]);
  }
}

/** Warnings that do not stop a run: schedule entries past the last day (docs/model.md §4). */
export function scenarioWarnings(s: Scenario): string[] {
  const out: string[] = [];
  s.schedule.forEach((e, i) => {
    if (e.day >= s.days)
      out.push(
        `schedule[${i}]: day ${e.day} is past the run's last day (${s.days - 1}); ignored (${Object.keys(e.set).join(", ")})`,
      );
  });
  if (s.consumers.length === 0)
    out.push("consumers: none declared, so income (E5) is 0 every day and no job is ever paid");
  mapSeries(s, (series, path) => {
    const floor = floorOnlyTrend(series, s.days);
    if (floor !== null) out.push(`${path}: ${floor}`);
    return series;
  });
  out.push(...ammPriceFloorWarnings(s));
  return out;
}

/**
 * With `feedback.amm` the day's price is the pool's clearing price (E45), which has no floor: a
 * `priceFloor` the scenario gives (in `onchain`, a schedule vote, a threshold rule's `set`, or as
 * a PI rule's variable) changes nothing, so each is named. On-chain values stay optional in the
 * parsed scenario (their defaults are resolved when it is compiled), so a value present here was
 * written by the user, in the file, an extended file or a `--set`.
 */
function ammPriceFloorWarnings(s: Scenario): string[] {
  if (!s.feedback?.amm) return [];
  const why = "ignored with feedback.amm: the pool's price has no floor (E45)";
  const paths: string[] = [];
  if (s.onchain.priceFloor !== undefined) paths.push("onchain.priceFloor");
  s.schedule.forEach((e, i) => {
    if (e.set.priceFloor !== undefined) paths.push(`schedule[${i}].set.priceFloor`);
  });
  (s.rules ?? []).forEach((r, i) => {
    if (r.kind === "threshold" && r.set.priceFloor !== undefined)
      paths.push(`rules[${i}].set.priceFloor`);
    if (r.kind === "pi" && r.variable === "priceFloor") paths.push(`rules[${i}].variable`);
  });
  return paths.map((path) => `${path}: ${why}`);
}

/**
 * Why a trend with a negative start never rises above its floor `min` during the run (so every
 * active day is `min`, as a negative constant — refused — would silently mean), or null. Only
 * without noise: with noise a draw may lift it. A negative start that a slope lifts above
 * `min` within the run is a ramp, and fine.
 */
function floorOnlyTrend(series: Series, days: number): string | null {
  if (!isFormulaSeries(series) || series.noise > 0 || !(series.start < 0)) return null;
  if (series.startDay >= days) return null;
  const last = series.start + series.slope * (days - 1 - series.startDay);
  if (Math.max(series.start, last) > series.min) return null;
  return `start ${series.start} (slope ${series.slope}) stays at or below min (${series.min}) on every day of the run: the series is ${series.min} every day`;
}
