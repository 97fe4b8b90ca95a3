import type { DayContext, StepInsertion } from "../day/sequence.js";
import { ONCHAIN } from "../day/sequence.js";
import { wholeSuppliers } from "../engine/inputs.js";
import type { RunResult } from "../engine/result.js";
import { seriesNames } from "../processes/generate.js";
import type { GovernanceChange } from "../rules/step.js";
import { ONCHAIN_INFO, ONCHAIN_NAMES, type OnchainName } from "../scenario/onchain.js";
import { PluginError } from "./error.js";

/**
 * The plugin API (issue 12 item 4): your own policies and metrics, in plain JavaScript or
 * TypeScript, passed to `simulate(scenario, { policies, metrics })` or loaded by
 * `bme run --plugin ./my.mjs`. Nothing here evaluates strings: a plugin is a module you import.
 */

/** What a policy sees at step 1 of day `day` (after the schedule and the rules). */
export interface PolicyView {
  readonly day: number;
  /** The previous day's row, column → value (docs/model.md §7 names); undefined on day 0. */
  readonly yesterday: Readonly<Record<string, number>> | undefined;
  /** A copy of one column's values for days 0 … day−1. Throws on an unknown column. */
  history(column: string): Float64Array;
  /** The on-chain values in force today (a copy). */
  readonly onchain: Readonly<Record<OnchainName, number>>;
  /**
   * This policy's memory for this run: the same object every day of the run, a new empty one
   * for each run. Keep what the policy remembers between days here (a cooldown, a running
   * mean): a module-level variable is shared by every run a worker thread computes, so its
   * runs would depend on which runs came before them.
   */
  readonly state: Record<string, unknown>;
}

/** What a policy may do today. */
export interface PolicyAction {
  /** On-chain values to set today; each validated against its range (docs/model.md §4). */
  readonly set?: Partial<Record<OnchainName, number>>;
  /**
   * Factors (finite, ≥ 0) multiplying today's inputs, by series name: a consumer type, a
   * supplier class (whole suppliers are taken after scaling), consumerSentiment, governanceValue.
   */
  readonly scale?: Readonly<Record<string, number>>;
}

export interface Policy {
  readonly name: string;
  decide(view: PolicyView): PolicyAction | undefined;
}

/** A metric reduces a finished run to one number (an outcome column). */
export interface Metric {
  readonly name: string;
  /** Unit shown next to the value, e.g. "usd/token". */
  readonly unit?: string;
  compute(result: RunResult): number;
}

/** A plugin threw or asked for something invalid: the run stops, naming the plugin and the day. */
export { PluginError };

function checkValue(name: string, value: unknown): string | null {
  if (!(ONCHAIN_NAMES as readonly string[]).includes(name))
    return `"${name}" is not an on-chain variable (${ONCHAIN_NAMES.join(", ")})`;
  const info = ONCHAIN_INFO[name as OnchainName];
  if (typeof value !== "number" || !Number.isFinite(value))
    return `${name} must be a finite number, got ${String(value)}`;
  if (info.exclusiveMin ? value <= info.min : value < info.min)
    return `${name} must be ${info.exclusiveMin ? ">" : "≥"} ${info.min}, got ${value}`;
  if (info.max !== undefined && value > info.max)
    return `${name} must be ≤ ${info.max}, got ${value}`;
  if (info.integer && !Number.isInteger(value))
    return `${name} must be a whole number, got ${value}`;
  return null;
}

/**
 * The day steps of a run's policies: "policies" after "schedule" (after any rules) asks each
 * policy in order and applies its `set`; "policyScale" after "inputs" applies the day's
 * `scale` factors. Build one pair per run. Every on-chain change a policy makes is appended to
 * `log` as rule `plugin:<name>` (as rules and votes are), when a log is given.
 */
export function policySteps(
  policies: readonly Policy[],
  log?: GovernanceChange[],
): StepInsertion[] {
  const scale = new Map<string, number>();
  let row: Record<string, number> | undefined;
  let rowOut: Float64Array | undefined;
  let rowDay = 0;
  let names: string[] | undefined;
  // one memory per policy for this run (policySteps is called once per run)
  const states = policies.map(() => ({}) as Record<string, unknown>);
  const view = (ctx: DayContext, state: Record<string, unknown>): PolicyView => {
    const { c, t, out } = ctx;
    const col = (name: string) => {
      const i = c.columns.indexOf(name);
      if (i < 0) throw new Error(`no column "${name}"`);
      return i;
    };
    // built on first use: most policies read one or two columns (Monte Carlo speed)
    return {
      day: t,
      state,
      get yesterday() {
        if (t === 0) return undefined;
        // one accessor object per run, reading the row before today's (valid during decide)
        if (!row || rowOut !== out) {
          rowOut = out;
          row = {};
          c.columns.forEach((name, i) => {
            Object.defineProperty(row, name, {
              enumerable: true,
              get: () => out[i * c.days + rowDay - 1],
            });
          });
          Object.freeze(row);
        }
        rowDay = t;
        return row;
      },
      history: (name) => out.slice(col(name) * c.days, col(name) * c.days + t),
      get onchain() {
        return Object.fromEntries(ONCHAIN_NAMES.map((n, i) => [n, ctx.onchain[i]])) as Record<
          OnchainName,
          number
        >;
      },
    };
  };
  return [
    {
      after: "schedule",
      step: {
        name: "policies",
        run(ctx) {
          scale.clear();
          names ??= seriesNames(ctx.c);
          for (const [k, p] of policies.entries()) {
            let action: PolicyAction | undefined;
            try {
              action = p.decide(view(ctx, states[k]));
            } catch (e) {
              return new PluginError(p.name, ctx.t, e instanceof Error ? e.message : String(e));
            }
            for (const [name, value] of Object.entries(action?.set ?? {})) {
              const bad = checkValue(name, value);
              if (bad) return new PluginError(p.name, ctx.t, bad);
              const v = ONCHAIN[name as OnchainName];
              const old = ctx.onchain[v];
              if (old === value) continue;
              ctx.onchain[v] = value as number;
              log?.push({
                day: ctx.t,
                rule: `plugin:${p.name}`,
                variable: name as OnchainName,
                old,
                value: value as number,
              });
            }
            for (const [name, f] of Object.entries(action?.scale ?? {})) {
              if (!names.includes(name))
                return new PluginError(
                  p.name,
                  ctx.t,
                  `no input series "${name}" (${names.join(", ")})`,
                );
              if (!(Number.isFinite(f) && f >= 0))
                return new PluginError(
                  p.name,
                  ctx.t,
                  `scale of ${name} must be finite and ≥ 0, got ${f}`,
                );
              scale.set(name, (scale.get(name) ?? 1) * f);
            }
          }
          return undefined;
        },
      },
    },
    {
      after: "inputs",
      step: {
        name: "policyScale",
        run({ c, day }) {
          if (scale.size === 0) return undefined;
          const { nC, nK } = c;
          for (let i = 0; i < nC; i++) day.jobs[i] *= scale.get(c.consumerNames[i]) ?? 1;
          for (let k = 0; k < nK; k++)
            day.counts[k] = wholeSuppliers(day.counts[k] * (scale.get(c.supplierNames[k]) ?? 1));
          day.sentiment *= scale.get("consumerSentiment") ?? 1;
          day.governance *= scale.get("governanceValue") ?? 1;
          return undefined;
        },
      },
    },
  ];
}

/** Each metric of a finished run; a throwing or non-numeric metric is a PluginError. */
export function computeMetrics(
  metrics: readonly Metric[],
  result: RunResult,
): Record<string, number> | PluginError {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    try {
      const v = m.compute(result);
      if (typeof v !== "number")
        return new PluginError(
          m.name,
          result.days - 1,
          `metric returned ${typeof v}, not a number`,
        );
      out[m.name] = v;
    } catch (e) {
      return new PluginError(m.name, result.days - 1, e instanceof Error ? e.message : String(e));
    }
  }
  return out;
}
