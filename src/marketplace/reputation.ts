/**
 * E20: `reputation = validated / completed` over a supplier's last `reputationWindowJobs` tasks;
 * a supplier with no completed task has `reputationPrior` (default 1).
 */
export function reputation(
  validatedInWindow: number,
  completedInWindow: number,
  prior: number,
): number {
  return completedInWindow === 0 ? prior : validatedInWindow / completedInWindow;
}
