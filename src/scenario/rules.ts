import { z } from "zod";
import { FIXED_COLUMNS } from "../engine/fixedColumns.js";
import { ONCHAIN_NAMES, OnchainSchema } from "./onchain.js";

/**
 * Governance rules (issue 12 item 2; E38, E39 in docs/model-stress.md): declarative, evaluated
 * at step 1 of every day from the previous day's row, after the schedule. No expression is
 * evaluated as code: a rule names a §7 column, numbers and on-chain variables.
 */
const Name = z.string().regex(/^[A-Za-z0-9_-]+$/, "must match [A-Za-z0-9_-]+");
const Column = z.enum(FIXED_COLUMNS).describe("A column of the daily table (docs/model.md §7).");

export const ThresholdRuleSchema = z
  .strictObject({
    name: Name.describe("Rule name, shown in the log and on charts."),
    kind: z.literal("threshold"),
    column: Column,
    overDays: z
      .int()
      .min(1)
      .optional()
      .describe(
        "With n: the measure is the relative change over n days, x_{t−1}/x_{t−1−n} − 1 (−0.2 = a 20% fall); without: the level x_{t−1}.",
      ),
    below: z.number().optional().describe("Enter when the measure is below this."),
    above: z.number().optional().describe("Enter when the measure is above this."),
    exitAbove: z
      .number()
      .optional()
      .describe("Revert when the measure is above this (≥ below: the hysteresis band)."),
    exitBelow: z
      .number()
      .optional()
      .describe("Revert when the measure is below this (≤ above: the hysteresis band)."),
    set: OnchainSchema.describe(
      "On-chain values applied on entering; the values before are restored on reverting.",
    ),
    minDaysBetween: z
      .int()
      .min(0)
      .default(0)
      .describe("Days that must pass after the rule's last change before the next. Default 0."),
    fromDay: z
      .int()
      .min(1)
      .default(1)
      .describe("First day the rule acts (it reads the day before). Whole ≥ 1. Default 1."),
  })
  .describe("A threshold rule with hysteresis (E38).");

export const PiRuleSchema = z
  .strictObject({
    name: Name.describe("Rule name, shown in the log and on charts."),
    kind: z.literal("pi"),
    variable: z.enum(ONCHAIN_NAMES).describe("The on-chain variable the controller moves."),
    column: Column.describe("The state column held near the target, e.g. tokenReserve."),
    target: z.number().gt(0).describe("Target of the column, in its unit (> 0)."),
    kp: z.number().describe("Proportional gain, variable units per unit of relative error."),
    ki: z
      .number()
      .default(0)
      .describe("Integral gain, variable units per unit of accumulated relative error per day."),
    bias: z
      .number()
      .optional()
      .describe("Value at zero error. Default the variable's value on day 0."),
    fromDay: z
      .int()
      .min(1)
      .default(1)
      .describe("First day the controller acts (it reads the day before). Whole ≥ 1. Default 1."),
    min: z.number().describe("Lowest value the controller sets (within the variable's range)."),
    max: z.number().describe("Highest value the controller sets (within the variable's range)."),
  })
  .describe("A proportional–integral controller (E39).");

export const RuleSchema = z.discriminatedUnion("kind", [ThresholdRuleSchema, PiRuleSchema]);
export type Rule = z.output<typeof RuleSchema>;
export type ThresholdRule = z.output<typeof ThresholdRuleSchema>;
export type PiRule = z.output<typeof PiRuleSchema>;
