import { composeDay, initialContext, runDays, type StepInsertion } from "../day/sequence.js";
import { AGGREGATE_DAY } from "../day/steps.js";
import { seedStreams } from "../random/streams.js";
import type { CompiledScenario } from "./compile.js";
import type { KernelOutcome } from "./outcome.js";

/**
 * The reference engine (aggregate mode): docs/model.md §6 as the named step sequence of
 * `src/day/` (`AGGREGATE_DAY`), with any extensions inserted at their named places. It is the
 * specification the fast kernel (`kernel.ts`, a fused twin used only for scenarios without
 * extensions) is tested against; it writes the same column-major table (`out[col·days + t]`).
 */
export function runReference(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
): KernelOutcome {
  return runAggregateDays(c, seed, run, out, []);
}

/** Aggregate mode's step sequence with `extensions` inserted (see `composeDay`). */
export function runAggregateDays(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  extensions: readonly StepInsertion[],
): KernelOutcome {
  const streams = new Int32Array(4 * c.nSeries);
  seedStreams(streams, c.nSeries, seed, run);
  const ctx = initialContext(c, streams, out);
  return runDays(ctx, composeDay(AGGREGATE_DAY, extensions));
}
