/**
 * Jobs are discrete in marketplace mode: the day's real-valued jobCreated series is accumulated
 * and `floor(cumulative + 1e-9) − alreadySubmitted` whole jobs are submitted, so an integer series
 * gives exactly its values and a fractional one loses nothing over time (0.5/day: one job every
 * second day).
 */
export function wholeJobs(cumulative: number, alreadySubmitted: number): number {
  return Math.max(0, Math.floor(cumulative + 1e-9) - alreadySubmitted);
}
