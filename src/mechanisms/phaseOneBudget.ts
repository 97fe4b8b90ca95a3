import type { Fraction, Tokens } from "../units.js";

/**
 * E2: phase-one token budget of one project,
 * `fracPhaseOneTokens · initialTokenReserve / nProject` (the ops fund is the reserve [R5], [R6]).
 */
export function phaseOneTokensForProject(
  fracPhaseOneTokens: Fraction,
  initialTokenReserve: Tokens,
  nProject: number,
): Tokens {
  return (fracPhaseOneTokens * initialTokenReserve) / nProject;
}
