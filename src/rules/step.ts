import type { DayContext, StepInsertion } from "../day/sequence.js";
import { ONCHAIN } from "../day/sequence.js";
import { COL } from "../engine/columns.js";
import type { CompiledScenario } from "../engine/compile.js";
import { ONCHAIN_NAMES, type OnchainName } from "../scenario/onchain.js";
import type { Rule } from "../scenario/rules.js";
import { piStep } from "./pi.js";
import { ruleMeasure, thresholdDecision } from "./threshold.js";

/** One change of an on-chain variable: by a rule, a controller or a `schedule` vote. */
export interface GovernanceChange {
  /** Day (0-based) from which the new value is in force (set at step 1). */
  readonly day: number;
  /** The rule's name, or `schedule[i]` for a vote. */
  readonly rule: string;
  readonly variable: OnchainName;
  readonly old: number;
  readonly value: number;
}

/** The yesterday-to-today view of one column: `x[s]` is the column's value on day s ≤ t − 1. */
function columnView(ctx: DayContext, col: number): ArrayLike<number> {
  const o = col * ctx.c.days;
  return ctx.out.subarray(o, o + ctx.c.days);
}

/**
 * The governance step (E38, E39): inserted right after "schedule", so it sees the day's votes
 * and the previous day's row, and sets today's on-chain values. Every change — and every
 * schedule vote — is appended to `log`. Build one per run (it holds the rules' state).
 */
export function governanceStep(
  c: CompiledScenario,
  rules: readonly Rule[],
  log: GovernanceChange[],
): StepInsertion {
  const active = rules.map(() => false);
  const lastChange = rules.map(() => Number.NEGATIVE_INFINITY);
  const saved: Map<number, number>[] = rules.map(() => new Map());
  const integral = rules.map(() => 0);
  const bias = rules.map((r) =>
    r.kind === "pi" ? (r.bias ?? c.onchain0[ONCHAIN[r.variable]]) : 0,
  );
  const before = Float64Array.from(c.onchain0);
  const change = (ctx: DayContext, rule: string, v: number, value: number) => {
    const old = ctx.onchain[v];
    if (old === value) return;
    ctx.onchain[v] = value;
    log.push({ day: ctx.t, rule, variable: ONCHAIN_NAMES[v], old, value });
  };
  return {
    after: "schedule",
    step: {
      name: "governance",
      run(ctx) {
        const { t, onchain } = ctx;
        // today's votes, already applied by "schedule": logged from yesterday's values
        for (let e = 0; e < c.eventDay.length; e++)
          if (c.eventDay[e] === t) {
            const v = c.eventVar[e];
            const value = c.eventValue[e];
            log.push({
              day: t,
              rule: "schedule",
              variable: ONCHAIN_NAMES[v],
              old: before[v],
              value,
            });
            before[v] = value;
          }
        rules.forEach((r, i) => {
          if (t < 1 || t < r.fromDay) return;
          const x = columnView(ctx, COL[r.column]);
          if (r.kind === "pi") {
            const v = ONCHAIN[r.variable];
            const next = piStep(
              { target: r.target, kp: r.kp, ki: r.ki, bias: bias[i], min: r.min, max: r.max },
              x[t - 1],
              integral[i],
            );
            integral[i] = next.integral;
            change(ctx, r.name, v, next.value);
            return;
          }
          const d = thresholdDecision(
            r,
            ruleMeasure(x, t, r.overDays),
            active[i],
            t - lastChange[i],
          );
          if (d === "enter") {
            saved[i].clear();
            for (const [name, value] of Object.entries(r.set)) {
              if (value === undefined) continue;
              const v = ONCHAIN[name as OnchainName];
              saved[i].set(v, onchain[v]);
              change(ctx, r.name, v, value);
            }
          } else if (d === "exit") for (const [v, value] of saved[i]) change(ctx, r.name, v, value);
          if (d) {
            active[i] = d === "enter";
            lastChange[i] = t;
          }
        });
        before.set(onchain);
        return undefined;
      },
    },
  };
}

/**
 * The schedule's votes as changes, for a run without rules (its on-chain values move only by
 * votes): entries within the run, by day then file order, each with the value before it.
 */
export function scheduleChanges(c: CompiledScenario): GovernanceChange[] {
  const values = Float64Array.from(c.onchain0);
  const out: GovernanceChange[] = [];
  for (let e = 0; e < c.eventDay.length; e++) {
    const v = c.eventVar[e];
    out.push({
      day: c.eventDay[e],
      rule: "schedule",
      variable: ONCHAIN_NAMES[v],
      old: values[v],
      value: c.eventValue[e],
    });
    values[v] = c.eventValue[e];
  }
  return out;
}
