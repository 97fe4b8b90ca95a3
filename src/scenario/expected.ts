import { withoutStochasticRandomness } from "../processes/deterministic.js";
import type { Scenario } from "./schema.js";
import { isFormulaSeries, type Series } from "./series.js";

/** Apply `f` to every series of a scenario (consumers' jobs, suppliers' counts, sentiment, governance value). */
export function mapSeries(s: Scenario, f: (series: Series, path: string) => Series): Scenario {
  return {
    ...s,
    consumers: s.consumers.map((c, i) => ({
      ...c,
      jobsPerDay: f(c.jobsPerDay, `consumers[${i}].jobsPerDay`),
    })),
    suppliers: s.suppliers.map((k, i) => ({ ...k, count: f(k.count, `suppliers[${i}].count`) })),
    consumerSentiment: f(s.consumerSentiment, "consumerSentiment"),
    governanceValue: f(s.governanceValue, "governanceValue"),
  };
}

/** Every formula series' noise set to 0 (docs/model.md §3's expected path). */
export function withoutNoise(s: Scenario): Scenario {
  return mapSeries(s, (series) => (isFormulaSeries(series) ? { ...series, noise: 0 } : series));
}

/**
 * `--deterministic`: the scenario with every random input switched off — series noise
 * ({@link withoutNoise}) and the stochastic block's random parts (GBM and OU volatility, jumps,
 * Markov transitions, the common factor: withoutStochasticRandomness, docs/model-stress.md).
 * The one function `bme run --deterministic` (loadScenario) and the dashboard's "noise off" call.
 * Node-free, so the browser runs it too.
 */
export function deterministicScenario(s: Scenario): Scenario {
  return withoutStochasticRandomness(withoutNoise(s));
}
