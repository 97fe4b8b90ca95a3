/**
 * E37, supplier income per supplier, per class. The day's supplier pay — usdCapital in USD (E7),
 * buybackTokens + phaseTwoEmission in tokens (E11a, E13) — is the pay for the day's jobs, so a
 * class earns its share of the USD demand for service, w_k,t = demandForService_k,t /
 * Σ_j demandForService_j,t (by supplier count when there is no demand); phase-one emission (E3)
 * is shared by supplier count. Income per supplier of class k is the class's total over the
 * run divided by its supplier-days Σ_t count_k,t:
 *   usd_k    = Σ_t w_k,t · usdCapital_t / Σ_t count_k,t                           (usd/supplier-day)
 *   tokens_k = Σ_t [w_k,t · (buybackTokens_t + phaseTwoEmission_t) + c_k,t · phaseOneEmission_t] / Σ_t count_k,t
 *   value_k  = usd_k + the same tokens, each day's valued at that day's priceOfToken  (usd/supplier-day)
 * where c_k,t = count_k,t / Σ_j count_j,t. A class with no supplier-days gets 0.
 */
export interface SupplierIncome {
  readonly usd: number;
  readonly tokens: number;
  readonly value: number;
}

export interface SupplierIncomeColumns {
  readonly days: number;
  readonly usdCapital: ArrayLike<number>;
  readonly buybackTokens: ArrayLike<number>;
  readonly phaseOneEmission: ArrayLike<number>;
  readonly phaseTwoEmission: ArrayLike<number>;
  readonly priceOfToken: ArrayLike<number>;
  /** Per class: usdDemandForService.<class> (usd/day) and suppliers.<class> (suppliers). */
  readonly demand: readonly ArrayLike<number>[];
  readonly counts: readonly ArrayLike<number>[];
}

export function supplierIncome(c: SupplierIncomeColumns): SupplierIncome[] {
  const nK = c.counts.length;
  const usd = new Float64Array(nK);
  const tokens = new Float64Array(nK);
  const value = new Float64Array(nK);
  const supplierDays = new Float64Array(nK);
  for (let t = 0; t < c.days; t++) {
    let dSum = 0;
    let nSum = 0;
    for (let k = 0; k < nK; k++) {
      dSum += c.demand[k][t];
      nSum += c.counts[k][t];
    }
    for (let k = 0; k < nK; k++) {
      const n = c.counts[k][t];
      supplierDays[k] += n;
      const countShare = nSum > 0 ? n / nSum : 0;
      const w = dSum > 0 ? c.demand[k][t] / dSum : countShare;
      const u = w * c.usdCapital[t];
      const tok =
        w * (c.buybackTokens[t] + c.phaseTwoEmission[t]) + countShare * c.phaseOneEmission[t];
      usd[k] += u;
      tokens[k] += tok;
      value[k] += u + tok * c.priceOfToken[t];
    }
  }
  return Array.from({ length: nK }, (_, k) =>
    supplierDays[k] > 0
      ? {
          usd: usd[k] / supplierDays[k],
          tokens: tokens[k] / supplierDays[k],
          value: value[k] / supplierDays[k],
        }
      : { usd: 0, tokens: 0, value: 0 },
  );
}
