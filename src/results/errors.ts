/** Why the store refused: in use by another process, absent, unknown experiment, or not a store. */
export type StoreErrorReason = "busy" | "missing" | "not-found" | "invalid";

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
