import { cholesky } from "../processes/correlation.js";
import type { Stochastic } from "./stochastic.js";
import { knownNames } from "./suggest.js";

type Fail = (path: (string | number)[], message: string) => void;

interface Named {
  readonly consumers: readonly { name: string }[];
  readonly suppliers: readonly { name: string }[];
  readonly stochastic?: Stochastic;
}

const TOL = 1e-9;

/** Cross-field rules of the `stochastic` block: names exist, matrices are well formed. */
export function checkStochastic(s: Named, fail: Fail): void {
  const b = s.stochastic;
  if (!b) return;
  const consumers = new Set(s.consumers.map((c) => c.name));
  const suppliers = new Set(s.suppliers.map((k) => k.name));
  const known = (path: (string | number)[], name: string): boolean => {
    const isC = consumers.has(name);
    const isK = suppliers.has(name);
    if (isC && isK) {
      fail(path, `"${name}" names both a consumer type and a supplier class; rename one`);
      return false;
    }
    if (isC || isK || name === "consumerSentiment" || name === "governanceValue") return true;
    fail(
      path,
      `unknown series "${name}" (series: ${knownNames(name, [...consumers, ...suppliers, "consumerSentiment", "governanceValue"])})`,
    );
    return false;
  };
  const diffusing = new Set<string>();
  for (const [name, p] of Object.entries(b.series)) {
    known(["stochastic", "series", name], name);
    if (p.gbm && p.ou) fail(["stochastic", "series", name], "give gbm or ou, not both");
    if (p.gbm || p.ou) diffusing.add(name);
  }
  checkRegimes(b, known, diffusing, fail);
  b.shocks.forEach((k, i) => {
    const list = typeof k.series === "string" ? [k.series] : k.series;
    list.forEach((n, j) => {
      known(["stochastic", "shocks", i, "series", ...(typeof k.series === "string" ? [] : [j])], n);
    });
    if (k.rampDays > k.days)
      fail(
        ["stochastic", "shocks", i, "rampDays"],
        `must be ≤ days (${k.days}), got ${k.rampDays}`,
      );
  });
  if (b.correlation && b.factor)
    fail(["stochastic", "factor"], "give a correlation matrix or a common factor, not both");
  if (b.correlation) {
    const { series, matrix } = b.correlation;
    const n = series.length;
    series.forEach((name, i) => {
      const path = ["stochastic", "correlation", "series", i];
      if (known(path, name) && !diffusing.has(name))
        fail(path, `"${name}" has no gbm or ou process whose shocks could be correlated`);
      if (series.indexOf(name) !== i) fail(path, `"${name}" is listed twice`);
    });
    const path = ["stochastic", "correlation", "matrix"];
    if (matrix.length !== n || matrix.some((r) => r.length !== n))
      fail(path, `must be ${n} × ${n} (one row and column per series)`);
    else if (matrix.some((r, i) => Math.abs(r[i] - 1) > TOL))
      fail(path, "diagonal entries must be 1");
    else if (matrix.some((r, i) => r.some((v, j) => Math.abs(v - matrix[j][i]) > TOL)))
      fail(path, "must be symmetric");
    else if (cholesky(matrix) === null) fail(path, "must be positive definite");
  }
  for (const name of Object.keys(b.factor?.loadings ?? {})) {
    const path = ["stochastic", "factor", "loadings", name];
    if (known(path, name) && !diffusing.has(name))
      fail(path, `"${name}" has no gbm or ou process whose shocks could load on the factor`);
  }
}

function checkRegimes(
  b: Stochastic,
  known: (path: (string | number)[], name: string) => boolean,
  diffusing: Set<string>,
  fail: Fail,
): void {
  const r = b.regimes;
  if (!r) return;
  const names = r.states.map((x) => x.name);
  const n = names.length;
  r.states.forEach((st, i) => {
    if (names.indexOf(st.name) !== i)
      fail(["stochastic", "regimes", "states", i, "name"], `duplicate regime "${st.name}"`);
    for (const [series, q] of Object.entries(st.series)) {
      const path = ["stochastic", "regimes", "states", i, "series", series];
      if (!known(path, series)) continue;
      const ou = b.series[series]?.ou !== undefined;
      if (ou && (q.drift !== undefined || q.volatility !== undefined))
        fail(
          path,
          `"${series}" follows an ou process; a regime may set its scale, not a GBM drift or volatility`,
        );
      else if (q.drift !== undefined || q.volatility !== undefined) diffusing.add(series);
    }
  });
  if (r.initial !== undefined && !names.includes(r.initial))
    fail(
      ["stochastic", "regimes", "initial"],
      `unknown regime "${r.initial}" (regimes: ${knownNames(r.initial, names)})`,
    );
  if (r.transition && r.schedule)
    fail(["stochastic", "regimes", "schedule"], "give a transition matrix or a schedule, not both");
  if (r.transition) {
    const path = ["stochastic", "regimes", "transition"];
    if (r.transition.length !== n || r.transition.some((row) => row.length !== n))
      fail(path, `must be ${n} × ${n} (one row and column per regime, in states order)`);
    else
      r.transition.forEach((row, i) => {
        const sum = row.reduce((a, v) => a + v, 0);
        if (Math.abs(sum - 1) > TOL) fail([...path, i], `row must sum to 1, got ${sum}`);
      });
  }
  r.schedule?.forEach((e, i) => {
    if (!names.includes(e.regime))
      fail(
        ["stochastic", "regimes", "schedule", i, "regime"],
        `unknown regime "${e.regime}" (regimes: ${knownNames(e.regime, names)})`,
      );
  });
}
