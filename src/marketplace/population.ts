/**
 * Attributes of individual suppliers, drawn without randomness so that a class's shares are met
 * exactly and supplier n keeps its attributes whatever the seed (docs/marketplace.md).
 */

/**
 * The two steps of the R2 low-discrepancy sequence (Roberts 2018, from the plastic number):
 * resource types and regions use one each, so the two attributes are spread independently of
 * each other (a shifted copy of one sequence would tie regions to resources).
 */
export const RESOURCE_STEP = 0.7548776662466927;
export const REGION_STEP = 0.5698402909980532;

/**
 * Index of the weighted item supplier n gets: the point `frac(0.5 + n·step)` (an evenly spread
 * sequence) falls in the item's slice of the cumulative weights.
 */
export function spreadPick(n: number, step: number, cumulative: Float64Array): number {
  const x = 0.5 + n * step;
  const u = x - Math.floor(x);
  for (let j = 0; j < cumulative.length - 1; j++) if (u < cumulative[j]) return j;
  return cumulative.length - 1;
}

/** Supplier n is dishonest when `floor((n+1)·share)` steps up at n: exactly share of any prefix, spread evenly. */
export function isDishonest(n: number, dishonestShare: number): boolean {
  return Math.floor((n + 1) * dishonestShare + 1e-9) > Math.floor(n * dishonestShare + 1e-9);
}
