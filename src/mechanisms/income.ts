import type { Jobs, Usd } from "../units.js";

/** E5: `income[t] = Σ_i jobCreated[t][i] · jobPrice[i]`. */
export function income(jobCreated: ArrayLike<Jobs>, jobPrice: ArrayLike<Usd>): Usd {
  let sum = 0;
  for (let i = 0; i < jobCreated.length; i++) sum += jobCreated[i] * jobPrice[i];
  return sum;
}

/**
 * E6: `usdDemandForService[k] = Σ_i jobCreated[i] · jobPrice[i] · priceMatrix[i][k]`,
 * with `priceMatrix[i]` the row of consumer type i (nK entries per row, row-major).
 */
export function usdDemandForService(
  jobCreated: ArrayLike<Jobs>,
  jobPrice: ArrayLike<Usd>,
  priceMatrix: ArrayLike<number>,
  nSupplierClasses: number,
): Float64Array {
  const out = new Float64Array(nSupplierClasses);
  for (let i = 0; i < jobCreated.length; i++)
    for (let k = 0; k < nSupplierClasses; k++)
      out[k] += jobCreated[i] * jobPrice[i] * priceMatrix[i * nSupplierClasses + k];
  return out;
}
