import type { InvariantViolation } from "../mechanisms/invariants.js";
import type { PluginError } from "../plugins/error.js";
import type { Day, Usd } from "../units.js";

/** E10 has no answer: demand for tokens nobody holds. */
export class NoPriceError extends Error {
  constructor(
    readonly day: Day,
    readonly demand: Usd,
  ) {
    super(
      `day ${day}: no token price exists: demand is ${demand} usd but the circulating supply is 0 (E10)`,
    );
    this.name = "NoPriceError";
  }
}

export type SimulationFailure =
  | InvariantViolation
  | NoPriceError
  | NonFiniteValueError
  | PluginError;

/** How far a run got: rows 0 … daysCompleted−1 of its table are filled. */
export interface KernelOutcome {
  readonly daysCompleted: number;
  readonly error: SimulationFailure | null;
}

/**
 * A value the day would write is NaN or ±Infinity (issue 9 item 2): the run stops on that day,
 * naming the column, and the row is not kept, so no non-finite value ever reaches an output.
 */
export class NonFiniteValueError extends Error {
  constructor(
    readonly day: Day,
    readonly column: string,
    readonly value: number,
  ) {
    super(
      `day ${day}: ${column} would be ${value}: a value left the range of float64 (check the scenario's magnitudes)`,
    );
    this.name = "NonFiniteValueError";
  }
}
