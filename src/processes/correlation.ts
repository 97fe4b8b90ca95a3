/**
 * E29a: correlated shocks ε = L·z, where z are independent N(0, 1) draws (one per series, from
 * that series' own stream) and L is the lower Cholesky factor of the correlation matrix C
 * (C = L·Lᵀ), so Cov[ε] = C. Returns null when C is not positive definite.
 */
export function cholesky(c: readonly (readonly number[])[]): Float64Array | null {
  const n = c.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = c[i][j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 1e-12)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** ε = L·z for a lower-triangular n × n L (row-major); writes `out`. */
export function correlate(l: Float64Array, z: ArrayLike<number>, out: Float64Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += l[i * n + k] * z[k];
    out[i] = s;
  }
}

/** E29b, one common factor: ε_s = β_s·f + √(1 − β_s²)·z_s, so corr(ε_s, ε_r) = β_s·β_r. */
export function factorShock(loading: number, f: number, z: number): number {
  return loading * f + Math.sqrt(1 - loading * loading) * z;
}
