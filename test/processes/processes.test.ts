import { describe, expect, it } from "vitest";
import { compileScenario } from "../../src/engine/compile.js";
import { gbmStep } from "../../src/processes/gbm.js";
import { StochasticInputs } from "../../src/processes/generate.js";
import { ouStep } from "../../src/processes/ou.js";
import { seasonalFactor } from "../../src/processes/seasonality.js";
import { shockFactor } from "../../src/processes/shocks.js";
import { nameHash, nextPoisson, seedNamedStream } from "../../src/random/named.js";
import { nextNormal } from "../../src/random/normal.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";

/** Two consumer types `a`, `b` at a constant 1 job/day: their generated values are the factors. */
function unitScenario(stochastic: unknown, days = 40): ScenarioInput {
  return {
    name: "unit",
    days,
    tokens: { initialSupply: 1000, initialTokenReserve: 1000 },
    suppliers: [{ name: "modelTrainingProviders", count: 1 }],
    consumers: [
      { name: "a", row: "modelTraining", unitPrice: 1, unitsPerJob: 1, jobsPerDay: 1 },
      { name: "b", row: "modelTraining", unitPrice: 1, unitsPerJob: 1, jobsPerDay: 1 },
    ],
    stochastic,
  } as ScenarioInput;
}

function generator(stochastic: unknown, days = 40): StochasticInputs {
  return new StochasticInputs(compileScenario(parseScenario(unitScenario(stochastic, days))));
}

/** Paths of series 0 (a) and 1 (b) over `runs` runs of seed 7. */
function paths(
  stochastic: unknown,
  runs: number,
  days = 40,
): { a: Float64Array[]; b: Float64Array[] } {
  const g = generator(stochastic, days);
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let r = 0; r < runs; r++) {
    const base = g.forRun(7, r).seriesBase;
    a.push(base.slice(0, days));
    b.push(base.slice(days, 2 * days));
  }
  return { a, b };
}

const mean = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => s + v, 0) / x.length;
const variance = (x: ArrayLike<number>) => {
  const m = mean(x);
  return Array.from(x).reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
};
function corr(x: number[], y: number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe("named streams", () => {
  it('hash names by 32-bit FNV-1a (published value for "a": 0xe40c292c)', () => {
    expect(nameHash("a") >>> 0).toBe(0xe40c292c);
    expect(nameHash("") >>> 0).toBe(0x811c9dc5);
  });
  it("Poisson counts have mean and variance λ (within 4 standard errors)", () => {
    const st = new Int32Array(4);
    seedNamedStream(st, 0, 1, 0, "poisson");
    const n = 20000;
    const xs = Array.from({ length: n }, () => nextPoisson(st, 0, 2.5));
    expect(Math.abs(mean(xs) - 2.5)).toBeLessThan(4 * Math.sqrt(2.5 / n));
    // Var of the sample variance of a Poisson ≈ (λ + 2λ²)/n
    expect(Math.abs(variance(xs) - 2.5)).toBeLessThan(4 * Math.sqrt((2.5 + 2 * 6.25) / n));
  });
});

describe("process steps, by hand", () => {
  it("E23 GBM: G·exp(μ − σ²/2 + σε)", () => {
    expect(gbmStep(2, 0.01, 0.2, 0.5)).toBeCloseTo(2 * Math.exp(0.01 - 0.02 + 0.1), 14);
  });
  it("E24 OU: X + θ(ℓ − X) + σε", () => {
    expect(ouStep(1.5, 1, 0.2, 0.1, -1)).toBeCloseTo(1.5 - 0.1 - 0.1, 14);
  });
  it("E26 seasonality: period 4, amplitude 0.2 → 1, 1.2, 1, 0.8", () => {
    expect([0, 1, 2, 3].map((t) => seasonalFactor(t, 4, 0.2, 0))).toEqual([
      1,
      1.2,
      expect.closeTo(1, 12),
      expect.closeTo(0.8, 12),
    ]);
  });
  it("E28 shock: from day 5 for 4 days, ×0.4, ramp 2, recovery 3", () => {
    const f = (t: number) => shockFactor(t, 5, 4, 0.4, 2, 3);
    const want = [1, 0.7, 0.4, 0.4, 0.4, 1 - 0.6 * (2 / 3), 1 - 0.6 * (1 / 3), 1, 1];
    want.forEach((w, i) => {
      expect(f(4 + i)).toBeCloseTo(w, 12);
    });
  });
});

describe("generated inputs", () => {
  it("day 1 of a GBM is exp(μ − σ²/2 + σ·z₁), z₁ the first normal of stream diffusion:a", () => {
    const g = generator({ series: { a: { gbm: { drift: 0.01, volatility: 0.2 } } } });
    const got = g.forRun(3, 9).seriesBase;
    const st = new Int32Array(4);
    seedNamedStream(st, 0, 3, 9, "diffusion:a");
    const z1 = nextNormal(st, 0);
    const z2 = nextNormal(st, 0);
    expect(got[0]).toBe(1);
    expect(got[1]).toBeCloseTo(Math.exp(0.01 - 0.02 + 0.2 * z1), 12);
    expect(got[2]).toBeCloseTo(Math.exp(2 * (0.01 - 0.02) + 0.2 * (z1 + z2)), 12);
    expect(got[40]).toBe(1); // b untouched
  });

  it("run i alone equals run i after others; another series' process does not move a's draws", () => {
    const spec = {
      series: { a: { gbm: { volatility: 0.1 } }, b: { ou: { speed: 0.3, volatility: 0.2 } } },
    };
    const alone = generator(spec).forRun(5, 17).seriesBase.slice(0, 40);
    const g = generator(spec);
    for (let r = 0; r < 17; r++) g.forRun(5, r);
    expect(g.forRun(5, 17).seriesBase.slice(0, 40)).toEqual(alone);
    const changed = { series: { a: spec.series.a, b: { jumps: { rate: 0.5, mean: -1 } } } };
    expect(generator(changed).forRun(5, 17).seriesBase.slice(0, 40)).toEqual(alone);
  });

  it("E23 in law: ln G_t ~ N((μ − σ²/2)t, σ²t) at t = 1, 10, 100, independent increments, E[G_t] = e^{μt}", () => {
    // ln G_t = Σ_{k ≤ t} (μ − σ²/2 + σ z_k) is exact for GBM (no discretisation error), so the
    // moments are known in closed form; 20,000 paths of seed 7, every check within 4 standard
    // errors of its estimator (normal theory: SE of a mean √(v/n), of a variance v·√(2/(n−1)),
    // of a covariance √(v₁v₂/n)). A drift written without −σ²/2, or per-day variance off by 5%,
    // or a floor on G, is many SE out (checked below for the drift convention).
    const mu = 0.01;
    const sigma = 0.2;
    const n = 20_000;
    const horizons = [1, 10, 100];
    const g = generator({ series: { a: { gbm: { drift: mu, volatility: sigma } } } }, 101);
    const logs = horizons.map(() => new Float64Array(n));
    const level10 = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const base = g.forRun(7, r).seriesBase;
      expect(base[0]).toBe(1);
      horizons.forEach((t, h) => {
        logs[h][r] = Math.log(base[t]);
      });
      level10[r] = base[10];
    }
    horizons.forEach((t, h) => {
      const m = (mu - sigma ** 2 / 2) * t;
      const v = sigma ** 2 * t;
      const seMean = Math.sqrt(v / n);
      expect(Math.abs(mean(logs[h]) - m)).toBeLessThan(4 * seMean);
      // the other drift convention (mean μt) would be σ²t/2 away: ≥ 14 SE at every horizon
      expect((sigma ** 2 * t) / 2 / seMean).toBeGreaterThan(14);
      expect(Math.abs(variance(logs[h]) - v)).toBeLessThan(4 * v * Math.sqrt(2 / (n - 1)));
    });
    // increments after day 10 are independent of the path up to day 10
    const later = logs[2].map((x, r) => x - logs[1][r]);
    const cov = mean(logs[1].map((x, r) => x * later[r])) - mean(logs[1]) * mean(later);
    expect(Math.abs(cov)).toBeLessThan(4 * Math.sqrt((sigma ** 2 * 10 * sigma ** 2 * 90) / n));
    // E[G_10] = e^{10μ}; SE from Var[G_10] = e^{20μ}(e^{10σ²} − 1)
    const seLevel = Math.sqrt((Math.exp(20 * mu) * (Math.exp(10 * sigma ** 2) - 1)) / n);
    expect(Math.abs(mean(level10) - Math.exp(10 * mu))).toBeLessThan(4 * seLevel);
  });

  it("E24: OU mean ℓ, variance σ²(1 − φ^{2t})/(1 − φ²), lag-1 autocorrelation φ = 1 − θ", () => {
    const n = 3000;
    const theta = 0.2;
    const sigma = 0.1;
    const phi = 1 - theta;
    const { a } = paths(
      { series: { a: { ou: { level: 2, speed: theta, volatility: sigma } } } },
      n,
      31,
    );
    const x = a.map((p) => p[30]);
    const v = (sigma ** 2 * (1 - phi ** 60)) / (1 - phi ** 2);
    expect(Math.abs(mean(x) - 2)).toBeLessThan(4 * Math.sqrt(v / n));
    expect(Math.abs(variance(x) - v)).toBeLessThan(4 * v * Math.sqrt(2 / n));
    const prev = a.map((p) => p[29]);
    expect(Math.abs(corr(x, prev) - phi)).toBeLessThan(4 * ((1 - phi ** 2) / Math.sqrt(n)));
  });

  it("E25: jump days occur with frequency 1 − e^{−λ}, jumps with mean count λ", () => {
    const n = 400;
    const { a } = paths({ series: { a: { jumps: { rate: 0.1, mean: -0.5 } } } }, n, 51);
    const counts: number[] = [];
    for (const p of a)
      for (let t = 1; t < 51; t++) counts.push(Math.round(Math.log(p[t - 1] / p[t]) / 0.5));
    const days = counts.length;
    const freq = counts.filter((k) => k > 0).length / days;
    const pj = 1 - Math.exp(-0.1);
    expect(Math.abs(freq - pj)).toBeLessThan(4 * Math.sqrt((pj * (1 - pj)) / days));
    expect(Math.abs(mean(counts) - 0.1)).toBeLessThan(4 * Math.sqrt(0.1 / days));
  });

  it("E29a: daily log returns of correlated GBMs have correlation ρ", () => {
    const n = 200;
    const { a, b } = paths(
      {
        series: { a: { gbm: { volatility: 0.1 } }, b: { gbm: { volatility: 0.2 } } },
        correlation: {
          series: ["a", "b"],
          matrix: [
            [1, 0.6],
            [0.6, 1],
          ],
        },
      },
      n,
      41,
    );
    const ra: number[] = [];
    const rb: number[] = [];
    for (let r = 0; r < n; r++)
      for (let t = 1; t < 41; t++) {
        ra.push(Math.log(a[r][t] / a[r][t - 1]));
        rb.push(Math.log(b[r][t] / b[r][t - 1]));
      }
    expect(Math.abs(corr(ra, rb) - 0.6)).toBeLessThan(4 * ((1 - 0.36) / Math.sqrt(ra.length)));
  });

  it("E29b: a common factor gives corr(ε_a, ε_b) = β_a·β_b", () => {
    const n = 200;
    const { a, b } = paths(
      {
        series: { a: { gbm: { volatility: 0.1 } }, b: { gbm: { volatility: 0.1 } } },
        factor: { loadings: { a: 0.8, b: 0.5 } },
      },
      n,
      41,
    );
    const ra: number[] = [];
    const rb: number[] = [];
    for (let r = 0; r < n; r++)
      for (let t = 1; t < 41; t++) {
        ra.push(Math.log(a[r][t] / a[r][t - 1]));
        rb.push(Math.log(b[r][t] / b[r][t - 1]));
      }
    expect(Math.abs(corr(ra, rb) - 0.4)).toBeLessThan(4 * ((1 - 0.16) / Math.sqrt(ra.length)));
  });

  it("E27: a Markov chain spends its stationary share in each regime; scales apply", () => {
    const n = 4000;
    const g = generator(
      {
        regimes: {
          states: [{ name: "bull" }, { name: "bear", series: { a: { scale: 0.5 } } }],
          transition: [
            [0.9, 0.1],
            [0.3, 0.7],
          ],
        },
      },
      60,
    );
    let bull = 0;
    for (let r = 0; r < n; r++) {
      const base = g.forRun(1, r).seriesBase;
      const reg = g.regimeOfDay[59];
      if (reg === 0) bull++;
      expect(base[59]).toBe(reg === 0 ? 1 : 0.5);
      expect(base[60 + 59]).toBe(1);
    }
    expect(Math.abs(bull / n - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / n));
  });

  it("E27: scheduled regimes hold from their fromDay; E28 shocks and E26 seasonality multiply", () => {
    const g = generator(
      {
        regimes: {
          states: [{ name: "calm" }, { name: "bear", series: { a: { scale: 0.5 } } }],
          schedule: [
            { fromDay: 3, regime: "bear" },
            { fromDay: 6, regime: "calm" },
          ],
        },
        shocks: [{ series: "a", fromDay: 4, days: 2, factor: 0.4 }],
        series: { b: { seasonality: { period: 4, amplitude: 0.2 } } },
      },
      8,
    );
    const base = Array.from(g.forRun(0, 0).seriesBase);
    expect(base.slice(0, 8)).toEqual([1, 1, 1, 0.5, 0.2, 0.2, 1, 1]);
    expect(base.slice(8, 12).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 1.2, 1, 0.8]);
  });
});
