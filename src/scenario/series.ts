import { z } from "zod";
import { amount, LIMITS, signedAmount } from "./limits.js";

/**
 * A per-day input series (docs/model.md §3): a linear trend with gaussian noise,
 * explicit values, or a column of a CSV file. A bare number is a constant.
 */
export const SeriesFormulaSchema = z
  .strictObject({
    start: signedAmount().describe("Value on `startDay`, in the series' unit."),
    slope: signedAmount()
      .default(0)
      .describe("Change per day, in the series' unit per day. Default 0."),
    noise: amount()
      .default(0)
      .describe("Standard deviation of the daily gaussian noise, in the series' unit. Default 0."),
    startDay: z
      .int()
      .min(0)
      .max(LIMITS.maxDays)
      .default(0)
      .describe("First day (0-based) the series is active; earlier days are 0. Default 0."),
    min: amount()
      .default(0)
      .describe("Lower clamp applied on active days: max(min, trend + noise). Default 0."),
  })
  .describe(
    "Linear series: max(min, start + slope·(t − startDay) + noise·N(0,1)) for t ≥ startDay, else 0.",
  );

export const SeriesValuesSchema = z
  .strictObject({
    values: z
      .array(amount())
      .min(1)
      .max(LIMITS.maxSeriesLength)
      .describe("Explicit values, day 0 first; the last value repeats. Each ≥ 0, not clamped."),
  })
  .describe("Explicit per-day values.");

export const SeriesCsvSchema = z
  .strictObject({
    csv: z
      .string()
      .min(1)
      .describe(
        "Path of a CSV file (header row, comma-separated), relative to the scenario file that names it (under extends, the base file for the base's series).",
      ),
    column: z
      .string()
      .min(1)
      .describe("Header name of the column holding one value per day, day 0 first."),
  })
  .describe("A column of a CSV file; read by the scenario loader before the run.");

export const SeriesSchema = z.union([
  amount().describe("A constant, 0 … 1e15."),
  SeriesFormulaSchema,
  SeriesValuesSchema,
  SeriesCsvSchema,
]);

export type Series = z.output<typeof SeriesSchema>;
export type SeriesInput = z.input<typeof SeriesSchema>;
export type SeriesFormula = z.output<typeof SeriesFormulaSchema>;

/** A series as the engine sees it: CSV columns already read into values. */
export type ResolvedSeries = number | SeriesFormula | { values: number[] };

export function isCsvSeries(s: Series): s is z.output<typeof SeriesCsvSchema> {
  return typeof s === "object" && "csv" in s;
}

export function isFormulaSeries(s: Series): s is SeriesFormula {
  return typeof s === "object" && "start" in s;
}
