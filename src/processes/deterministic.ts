import type { Scenario } from "../scenario/schema.js";
import type { SeriesProcess, Stochastic } from "../scenario/stochastic.js";

/**
 * `--deterministic` for the stochastic block (E23–E30, docs/model-stress.md §"Deterministic
 * runs"): every random part is switched off, every scheduled part kept.
 * - GBM (E23) and regime GBM overrides: volatility 0, so G_t = e^{μt}, the process's mean;
 * - Ornstein–Uhlenbeck (E24): volatility 0, the mean path X_t → ℓ;
 * - jumps (E25): removed (no arrivals);
 * - Markov regimes (E27): the transition matrix is dropped, the initial regime holds all run
 *   (scheduled regimes are kept: they are not random);
 * - correlation and the common factor (E29): removed (no shocks left to correlate);
 * - seasonality (E26) and scheduled shocks (E28): kept, they are deterministic.
 * A scenario without a stochastic block is returned as is.
 */
export function withoutStochasticRandomness(s: Scenario): Scenario {
  const b = s.stochastic;
  if (!b) return s;
  const series: Record<string, SeriesProcess> = {};
  for (const [name, p] of Object.entries(b.series)) {
    const { jumps: _, ...rest } = p;
    series[name] = {
      ...rest,
      ...(p.gbm ? { gbm: { ...p.gbm, volatility: 0 } } : {}),
      ...(p.ou ? { ou: { ...p.ou, volatility: 0 } } : {}),
    };
  }
  let regimes = b.regimes;
  if (regimes) {
    const { transition: _, ...held } = regimes;
    regimes = {
      ...held,
      states: regimes.states.map((st) => ({
        ...st,
        series: Object.fromEntries(
          Object.entries(st.series).map(([n, r]) => [
            n,
            r.volatility === undefined ? r : { ...r, volatility: 0 },
          ]),
        ),
      })),
    };
  }
  const { correlation: _c, factor: _f, ...kept } = b;
  const stochastic: Stochastic = { ...kept, series, ...(regimes ? { regimes } : {}) };
  return { ...s, stochastic };
}

/**
 * The random sources of a scenario, named (empty: every run of a Monte Carlo is the same run):
 * a formula series with noise > 0, a GBM or OU volatility > 0 (also in a regime), jumps with a
 * rate > 0, a Markov transition matrix that can leave a regime, and marketplace mode's
 * validation and incentive draws where they can come out either way (marketDraws).
 */
export function randomSources(s: Scenario): string[] {
  const out: string[] = [];
  const noisy = (v: unknown) =>
    typeof v === "object" && v !== null && ((v as { noise?: number }).noise ?? 0) > 0;
  s.consumers.forEach((c) => {
    if (noisy(c.jobsPerDay)) out.push(`${c.name} noise`);
  });
  s.suppliers.forEach((k) => {
    if (noisy(k.count)) out.push(`${k.name} noise`);
  });
  if (noisy(s.consumerSentiment)) out.push("consumerSentiment noise");
  if (noisy(s.governanceValue)) out.push("governanceValue noise");
  const b = s.stochastic;
  if (b) {
    for (const [name, p] of Object.entries(b.series)) {
      if ((p.gbm?.volatility ?? 0) > 0) out.push(`${name} gbm`);
      if ((p.ou?.volatility ?? 0) > 0) out.push(`${name} ou`);
      if ((p.jumps?.rate ?? 0) > 0) out.push(`${name} jumps`);
    }
    const r = b.regimes;
    if (r?.transition?.some((row, i) => row.some((p, j) => j !== i && p > 0)))
      out.push("regime transitions");
    if (r?.states.some((st) => Object.values(st.series).some((x) => (x.volatility ?? 0) > 0)))
      out.push("regime volatility");
  }
  if (s.mode === "marketplace") out.push(...marketDraws(s));
  return out;
}

/**
 * Marketplace mode's draws that can change a run (src/marketplace/validation.ts, submission.ts):
 * a validation draw where a supplier group's pass probability is strictly between 0 and 1 (the
 * honest group's, or the dishonest group's when the class has any), and an incentive draw where a
 * job type's bid range is not one value (`low < high`). A market of sure passes and fixed bids
 * draws nothing that matters: every run is the same run.
 */
function marketDraws(s: Scenario): string[] {
  const m = s.marketplace;
  const between = (p: number) => p > 0 && p < 1;
  const validation = Object.values(m?.suppliers ?? {}).some(
    ({ honesty: h }) => between(h.honest) || (h.dishonestShare > 0 && between(h.dishonest)),
  );
  const incentives = Object.values(m?.jobs ?? {}).some(
    (j) => j.incentive !== undefined && j.incentive.low < j.incentive.high,
  );
  return [
    ...(validation ? ["marketplace validation draws"] : []),
    ...(incentives ? ["marketplace incentive draws"] : []),
  ];
}
