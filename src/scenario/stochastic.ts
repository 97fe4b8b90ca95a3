import { z } from "zod";

/**
 * The `stochastic` block (issue 12, laws E23–E30 in docs/model-stress.md): processes that
 * modulate any input series — a consumer type's jobsPerDay, a supplier class's count,
 * consumerSentiment, governanceValue — on top of its docs/model.md §3 path. Every process is a
 * dimensionless factor multiplying the series; all of them run in calendar time from day 0.
 * Series are addressed by name (the consumer type's or supplier class's name, or
 * `consumerSentiment` / `governanceValue`).
 */
const Name = z.string().regex(/^[A-Za-z0-9_-]+$/, "must match [A-Za-z0-9_-]+");

export const GbmSchema = z
  .strictObject({
    drift: z
      .number()
      .min(-1)
      .max(1)
      .default(0)
      .describe(
        "μ: expected growth rate of the factor, per day (E[G_t] = e^{μt}). −1 … 1. Default 0.",
      ),
    volatility: z
      .number()
      .min(0)
      .max(1)
      .describe("σ: standard deviation of the factor's daily log return, per √day. 0 … 1."),
  })
  .describe("Geometric random walk (E23): G_t = G_{t−1}·exp(μ − σ²/2 + σ·ε_t), G_0 = 1.");

export const OuSchema = z
  .strictObject({
    level: z
      .number()
      .min(0)
      .max(100)
      .default(1)
      .describe("ℓ: long-run level of the factor (1 = the series' own path). 0 … 100. Default 1."),
    speed: z
      .number()
      .gt(0)
      .max(1)
      .describe(
        "θ: share of the gap to ℓ closed per day, in (0, 1]; half-life ln 2/−ln(1−θ) days.",
      ),
    volatility: z
      .number()
      .min(0)
      .max(10)
      .describe("σ: standard deviation of the factor's daily shock (dimensionless). 0 … 10."),
    start: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe("X_0: the factor on day 0. 0 … 100. Default ℓ."),
  })
  .describe(
    "Mean-reverting (Ornstein–Uhlenbeck, exact daily AR(1)) factor (E24): X_t = X_{t−1} + θ(ℓ − X_{t−1}) + σ·ε_t; the series is multiplied by max(0, X_t).",
  );

export const JumpsSchema = z
  .strictObject({
    rate: z
      .number()
      .min(0)
      .max(10)
      .describe("λ: expected jumps per day (Poisson arrivals). 0 … 10."),
    mean: z
      .number()
      .min(-5)
      .max(5)
      .default(0)
      .describe("Mean of a jump's log size (−0.5 ≈ a 39% fall). −5 … 5. Default 0."),
    sd: z
      .number()
      .min(0)
      .max(5)
      .default(0)
      .describe("Standard deviation of a jump's log size. 0 … 5. Default 0."),
    decay: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        "Share of the accumulated log jump that fades each day: 0 = jumps are permanent, 1 = they last one day. Default 0.",
      ),
  })
  .describe(
    "Jumps (E25): J_t = (1 − d)·J_{t−1} + Σ_{k ≤ N_t} Y_k, N_t ~ Poisson(λ), Y_k ~ N(mean, sd²); the series is multiplied by exp(J_t).",
  );

export const SeasonalitySchema = z
  .strictObject({
    period: z.number().gt(0).max(3650).describe("P: days per cycle, in (0, 3650]."),
    amplitude: z
      .number()
      .min(0)
      .max(1)
      .describe("A: relative swing of the series, 0 … 1 (0.2 = ±20%)."),
    phase: z
      .number()
      .default(0)
      .describe("φ: day of the cycle's rising zero crossing, in days. Default 0."),
  })
  .describe("Seasonality (E26): S_t = 1 + A·sin(2π(t − φ)/P).");

export const SeriesProcessSchema = z
  .strictObject({
    gbm: GbmSchema.optional(),
    ou: OuSchema.optional(),
    jumps: JumpsSchema.optional(),
    seasonality: SeasonalitySchema.optional(),
  })
  .describe("Processes of one series; their factors multiply (E30). At most one of gbm and ou.");

export const RegimeSeriesSchema = z
  .strictObject({
    scale: z
      .number()
      .min(0)
      .max(100)
      .default(1)
      .describe("Multiplier of the series while the regime is in force. 0 … 100. Default 1."),
    drift: z
      .number()
      .min(-1)
      .max(1)
      .optional()
      .describe(
        "GBM μ of the series in this regime, per day (E23); replaces the series' gbm.drift.",
      ),
    volatility: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("GBM σ of the series in this regime, per √day (E23); replaces gbm.volatility."),
  })
  .describe("A series' parameters in one regime.");

export const RegimeSchema = z.strictObject({
  name: Name.describe("Regime name, e.g. bull, bear, crash."),
  series: z
    .record(Name, RegimeSeriesSchema)
    .default({})
    .describe("Per-series parameters in this regime; series not named keep scale 1."),
});

export const RegimesSchema = z
  .strictObject({
    states: z.array(RegimeSchema).min(1).describe("The regimes, in transition-matrix order."),
    initial: Name.optional().describe("Regime on day 0. Default the first state."),
    transition: z
      .array(z.array(z.number().min(0).max(1)))
      .optional()
      .describe(
        "Markov matrix (E27): row i gives the probabilities, per day, of the next day's regime from regime i; rows sum to 1.",
      ),
    schedule: z
      .array(
        z.strictObject({
          fromDay: z.int().min(0).describe("First day of the regime (0-based)."),
          regime: Name.describe("A state's name."),
        }),
      )
      .optional()
      .describe("Scheduled regimes instead of a Markov chain: each in force from its fromDay."),
  })
  .describe(
    "Regime switching (E27). Give a transition matrix or a schedule (or neither: initial holds).",
  );

export const ShockSchema = z
  .strictObject({
    name: Name.optional().describe("Label (lists merge by name under `extends`)."),
    series: z
      .union([Name, z.array(Name).min(1)])
      .describe("Series the shock multiplies: one name or a list."),
    fromDay: z.int().min(0).describe("First day of the shock (0-based)."),
    days: z.int().min(1).describe("Days the shock lasts, ramp-in included. Whole ≥ 1."),
    factor: z
      .number()
      .min(0)
      .max(100)
      .describe("Multiplier at full strength (0.4 = demand falls to 40%). 0 … 100."),
    rampDays: z
      .int()
      .min(0)
      .default(0)
      .describe("Days over which the factor moves linearly from 1 to `factor`. Default 0."),
    recoveryDays: z
      .int()
      .min(0)
      .default(0)
      .describe("Days after the shock over which it moves linearly back to 1. Default 0."),
  })
  .describe("A scheduled shock (E28).");

export const CorrelationSchema = z
  .strictObject({
    series: z.array(Name).min(2).describe("Series whose daily shocks ε are correlated."),
    matrix: z
      .array(z.array(z.number().min(-1).max(1)))
      .describe(
        "Correlation matrix in `series` order: symmetric, unit diagonal, positive definite.",
      ),
  })
  .describe("Correlated shocks (E29a): ε = L·z with L·Lᵀ the matrix (Cholesky).");

export const FactorSchema = z
  .strictObject({
    loadings: z
      .record(Name, z.number().min(-1).max(1))
      .describe("β_s per series, −1 … 1: corr(ε_s, ε_r) = β_s·β_r."),
  })
  .describe("One common factor (E29b): ε_s = β_s·f + √(1 − β_s²)·z_s.");

export const StochasticSchema = z
  .strictObject({
    series: z
      .record(Name, SeriesProcessSchema)
      .default({})
      .describe("Processes per series, by series name."),
    regimes: RegimesSchema.optional(),
    shocks: z.array(ShockSchema).default([]).describe("Scheduled shocks (E28)."),
    correlation: CorrelationSchema.optional(),
    factor: FactorSchema.optional(),
  })
  .describe(
    "Stochastic inputs (issue 12; E23–E30): processes multiplying the input series. Opt-in: absent, the run is exactly docs/model.md §3.",
  );

export type Stochastic = z.output<typeof StochasticSchema>;
export type SeriesProcess = z.output<typeof SeriesProcessSchema>;
export type Shock = z.output<typeof ShockSchema>;
export type Regimes = z.output<typeof RegimesSchema>;
