import type { Jobs, Tokens } from "../units.js";

/** E14: validations completed in a day, `validationsPerJob · Σ_i jobCreated[i]`. */
export function validationsCompleted(validationsPerJob: number, jobsCreated: Jobs): number {
  return validationsPerJob * jobsCreated;
}

/** E14: validator pay claimed, `validationModulator · validationsCompleted`, in tokens. */
export function validatorTokens(validationModulator: Tokens, validations: number): Tokens {
  return validationModulator * validations;
}
