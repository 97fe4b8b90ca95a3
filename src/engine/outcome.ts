import type { InvariantViolation } from "../mechanisms/invariants.js";
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

export type SimulationFailure = InvariantViolation | NoPriceError;

/** How far a run got: rows 0 … daysCompleted−1 of its table are filled. */
export interface KernelOutcome {
  readonly daysCompleted: number;
  readonly error: SimulationFailure | null;
}
