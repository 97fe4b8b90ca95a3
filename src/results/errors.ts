/**
 * Why the store refused: in use by another process (`busy`), absent (`missing`), an unknown
 * experiment (`not-found`), a file that is not a store this version reads (`invalid`), or
 * results that do not fit their own shape (`internal`: a fault of the program, not of the input).
 */
export type StoreErrorReason = "busy" | "missing" | "not-found" | "invalid" | "internal";

/** An error of the results store meant for the user (no stack trace needed). */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly reason: StoreErrorReason,
  ) {
    super(message);
    this.name = "StoreError";
  }
}
