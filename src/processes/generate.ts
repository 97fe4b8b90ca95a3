import type { CompiledScenario } from "../engine/compile.js";
import { seriesValue } from "../engine/inputs.js";
import { nextPoisson, seedNamedStream } from "../random/named.js";
import { nextNormal } from "../random/normal.js";
import { nextUniform, seedStreams } from "../random/streams.js";
import type { Stochastic } from "../scenario/stochastic.js";
import { cholesky, correlate, factorShock } from "./correlation.js";
import { gbmStep } from "./gbm.js";
import { jumpStep } from "./jumps.js";
import { ouStep } from "./ou.js";
import { nextRegime, scheduledRegime } from "./regimes.js";
import { seasonalFactor } from "./seasonality.js";
import { shockFactor } from "./shocks.js";

/** Input series names in the engine's order (consumers, supplier classes, sentiment, governance). */
export function seriesNames(
  c: Pick<CompiledScenario, "consumerNames" | "supplierNames">,
): string[] {
  return [...c.consumerNames, ...c.supplierNames, "consumerSentiment", "governanceValue"];
}

/** Does the scenario use any stochastic process (issue 12)? Absent or empty: plain §3 inputs. */
export function hasStochastic(s: { stochastic?: Stochastic }): boolean {
  const b = s.stochastic;
  if (!b) return false;
  return (
    Object.keys(b.series).length > 0 ||
    b.shocks.length > 0 ||
    b.regimes !== undefined ||
    b.correlation !== undefined ||
    b.factor !== undefined
  );
}

interface Plan {
  readonly nS: number;
  /** Per series: diffusion kind 0 none, 1 gbm, 2 ou. */
  readonly kind: Int8Array;
  readonly drift: Float64Array;
  readonly vol: Float64Array;
  readonly ouLevel: Float64Array;
  readonly ouSpeed: Float64Array;
  readonly ouStart: Float64Array;
  readonly jumps: ({ rate: number; mean: number; sd: number; decay: number } | null)[];
  /** Per day t and series s (t·nS + s): seasonality × shocks, the deterministic factor. */
  readonly fixed: Float64Array;
  /** Regimes: per regime r and series s (r·nS + s): scale, drift, volatility (NaN = none). */
  readonly nR: number;
  readonly rScale: Float64Array;
  readonly rDrift: Float64Array;
  readonly rVol: Float64Array;
  readonly initial: number;
  readonly transition: Float64Array[] | null;
  readonly schedFrom: Int32Array;
  readonly schedRegime: Int32Array;
  /** Correlation: series indices and Cholesky factor; factor model: loadings (NaN = none). */
  readonly corrSeries: Int32Array;
  readonly corrL: Float64Array | null;
  readonly loading: Float64Array;
  readonly hasFactor: boolean;
}

function plan(c: CompiledScenario, b: Stochastic): Plan {
  const names = seriesNames(c);
  const nS = names.length;
  const idx = (n: string) => names.indexOf(n);
  const days = c.days;
  const kind = new Int8Array(nS);
  const drift = new Float64Array(nS);
  const vol = new Float64Array(nS);
  const ouLevel = new Float64Array(nS);
  const ouSpeed = new Float64Array(nS);
  const ouStart = new Float64Array(nS);
  const jumps: Plan["jumps"] = names.map(() => null);
  const fixed = new Float64Array(days * nS).fill(1);
  for (const [name, p] of Object.entries(b.series)) {
    const s = idx(name);
    if (p.gbm) {
      kind[s] = 1;
      drift[s] = p.gbm.drift;
      vol[s] = p.gbm.volatility;
    }
    if (p.ou) {
      kind[s] = 2;
      ouLevel[s] = p.ou.level;
      ouSpeed[s] = p.ou.speed;
      vol[s] = p.ou.volatility;
      ouStart[s] = p.ou.start ?? p.ou.level;
    }
    if (p.jumps) jumps[s] = p.jumps;
    if (p.seasonality) {
      const q = p.seasonality;
      for (let t = 0; t < days; t++)
        fixed[t * nS + s] *= seasonalFactor(t, q.period, q.amplitude, q.phase);
    }
  }
  for (const k of b.shocks)
    for (const name of typeof k.series === "string" ? [k.series] : k.series) {
      const s = idx(name);
      for (let t = 0; t < days; t++)
        fixed[t * nS + s] *= shockFactor(
          t,
          k.fromDay,
          k.days,
          k.factor,
          k.rampDays,
          k.recoveryDays,
        );
    }
  const states = b.regimes?.states ?? [];
  const nR = states.length;
  const rScale = new Float64Array(nR * nS).fill(1);
  const rDrift = new Float64Array(nR * nS).fill(Number.NaN);
  const rVol = new Float64Array(nR * nS).fill(Number.NaN);
  states.forEach((r, ri) => {
    for (const [name, q] of Object.entries(r.series)) {
      const s = idx(name);
      rScale[ri * nS + s] = q.scale;
      if (q.drift !== undefined) rDrift[ri * nS + s] = q.drift;
      if (q.volatility !== undefined) rVol[ri * nS + s] = q.volatility;
      if ((q.drift !== undefined || q.volatility !== undefined) && kind[s] === 0) kind[s] = 1;
    }
  });
  const rIdx = (n: string) => states.findIndex((r) => r.name === n);
  const sched = [...(b.regimes?.schedule ?? [])].sort((x, y) => x.fromDay - y.fromDay);
  const loading = new Float64Array(nS).fill(Number.NaN);
  for (const [name, beta] of Object.entries(b.factor?.loadings ?? {})) loading[idx(name)] = beta;
  return {
    nS,
    kind,
    drift,
    vol,
    ouLevel,
    ouSpeed,
    ouStart,
    jumps,
    fixed,
    nR,
    rScale,
    rDrift,
    rVol,
    initial: b.regimes?.initial !== undefined ? rIdx(b.regimes.initial) : 0,
    transition: b.regimes?.transition
      ? b.regimes.transition.map((r) => Float64Array.from(r))
      : null,
    schedFrom: Int32Array.from(sched, (e) => e.fromDay),
    schedRegime: Int32Array.from(sched, (e) => rIdx(e.regime)),
    corrSeries: Int32Array.from(b.correlation?.series ?? [], idx),
    corrL: b.correlation ? cholesky(b.correlation.matrix) : null,
    loading,
    hasFactor: b.factor !== undefined,
  };
}

/**
 * E30, one run's inputs: x_s,t = b_s,t · K_s,t · S_s,t · scale_{R_t,s} · D_s,t · exp(J_s,t), where
 * b is the series' docs/model.md §3 value (its own noise and clamp, drawn exactly as the engines
 * draw it), K the shocks, S the seasonality, R_t the regime, D the diffusion factor (G of E23 or
 * max(0, X) of E24; 1 without one) and J the jumps. Random components start on day 1 (day 0
 * is the series' own value times the deterministic factors). Every draw comes from a stream
 * named after its series and component (`diffusion:<name>`, `jumps:<name>`,
 * `jumpSizes:<name>`, `regime`, `factor`), derived from (seed, run).
 *
 * The result is the same compiled scenario with these paths as explicit values (noise 0, no
 * clamp), so every engine — the fused kernel, the reference, marketplace mode — runs them
 * unchanged. Reuse one generator across runs: buffers are kept.
 */
export class StochasticInputs {
  private readonly p: Plan;
  private readonly base: Float64Array;
  private readonly out: CompiledScenario;
  private readonly positional: Int32Array;
  private readonly named: Int32Array;
  /** Regime in force on each day of the last run generated. */
  readonly regimeOfDay: Int32Array;
  /** Work arrays and the series the processes touch (drawn: with a random component). */
  private readonly w: {
    names: string[];
    drawn: number[];
    touched: number[];
    z: Float64Array;
    eps: Float64Array;
    zc: Float64Array;
    ec: Float64Array;
    g: Float64Array;
    x: Float64Array;
    j: Float64Array;
  };

  constructor(private readonly c: CompiledScenario) {
    const b = c.scenario.stochastic;
    if (!b) throw new Error("StochasticInputs: the scenario has no stochastic block");
    this.p = plan(c, b);
    this.base = new Float64Array(c.nSeries * c.days);
    this.positional = new Int32Array(4 * c.nSeries);
    // per series: diffusion, jumps, jumpSizes; then regime, factor
    this.named = new Int32Array(4 * (3 * c.nSeries + 2));
    this.regimeOfDay = new Int32Array(c.days);
    const p = this.p;
    const all = Array.from({ length: p.nS }, (_, s) => s);
    const drawn = all.filter((s) => p.kind[s] !== 0 || p.jumps[s] !== null);
    const fixedOn = (s: number) => {
      for (let t = 0; t < c.days; t++) if (p.fixed[t * p.nS + s] !== 1) return true;
      for (let r = 0; r < p.nR; r++) if (p.rScale[r * p.nS + s] !== 1) return true;
      return false;
    };
    const nCorr = p.corrSeries.length;
    this.w = {
      names: seriesNames(c),
      drawn,
      touched: all.filter((s) => drawn.includes(s) || fixedOn(s)),
      z: new Float64Array(p.nS),
      eps: new Float64Array(p.nS),
      zc: new Float64Array(nCorr),
      ec: new Float64Array(nCorr),
      g: new Float64Array(p.nS),
      x: new Float64Array(p.nS),
      j: new Float64Array(p.nS),
    };
    this.out = {
      ...c,
      seriesBase: this.base,
      seriesStartDay: new Int32Array(c.nSeries),
      seriesNoise: new Float64Array(c.nSeries),
      seriesMin: new Float64Array(c.nSeries).fill(Number.NEGATIVE_INFINITY),
    };
  }

  /** The compiled scenario of run `run` of seed `seed`, inputs filled in (buffers reused). */
  forRun(seed: number, run: number): CompiledScenario {
    const { c, p, base, w } = this;
    const { days } = c;
    const nS = p.nS;
    seedStreams(this.positional, c.nSeries, seed, run);
    for (let s = 0; s < nS; s++)
      for (let t = 0; t < days; t++) base[s * days + t] = seriesValue(c, s, t, this.positional);
    const st = this.named;
    for (const s of w.drawn) {
      if (p.kind[s] !== 0) seedNamedStream(st, 12 * s, seed, run, `diffusion:${w.names[s]}`);
      if (p.jumps[s]) {
        seedNamedStream(st, 12 * s + 4, seed, run, `jumps:${w.names[s]}`);
        seedNamedStream(st, 12 * s + 8, seed, run, `jumpSizes:${w.names[s]}`);
      }
    }
    const oRegime = 12 * nS;
    const oFactor = 12 * nS + 4;
    if (p.transition) seedNamedStream(st, oRegime, seed, run, "regime");
    if (p.hasFactor) seedNamedStream(st, oFactor, seed, run, "factor");
    const { z, eps, zc, ec, g, x, j } = w;
    const nCorr = p.corrSeries.length;
    g.fill(1);
    x.set(p.ouStart);
    j.fill(0);
    let regime = p.initial;
    for (let t = 0; t < days; t++) {
      if (t > 0) {
        if (p.transition) regime = nextRegime(p.transition[regime], nextUniform(st, oRegime));
        else if (p.nR > 0) regime = scheduledRegime(t, p.initial, p.schedFrom, p.schedRegime);
        for (const s of w.drawn) if (p.kind[s] !== 0) z[s] = nextNormal(st, 12 * s);
        eps.set(z);
        if (p.corrL) {
          for (let i = 0; i < nCorr; i++) zc[i] = z[p.corrSeries[i]];
          correlate(p.corrL, zc, ec);
          for (let i = 0; i < nCorr; i++) eps[p.corrSeries[i]] = ec[i];
        }
        if (p.hasFactor) {
          const f = nextNormal(st, oFactor);
          for (let s = 0; s < nS; s++)
            if (!Number.isNaN(p.loading[s])) eps[s] = factorShock(p.loading[s], f, z[s]);
        }
        for (const s of w.drawn) {
          const r = regime * nS + s;
          if (p.kind[s] === 1) {
            const mu = p.nR > 0 && !Number.isNaN(p.rDrift[r]) ? p.rDrift[r] : p.drift[s];
            const sigma = p.nR > 0 && !Number.isNaN(p.rVol[r]) ? p.rVol[r] : p.vol[s];
            g[s] = gbmStep(g[s], mu, sigma, eps[s]);
          } else if (p.kind[s] === 2)
            x[s] = ouStep(x[s], p.ouLevel[s], p.ouSpeed[s], p.vol[s], eps[s]);
          const jp = p.jumps[s];
          if (jp) {
            const n = nextPoisson(st, 12 * s + 4, jp.rate);
            let sizes = 0;
            for (let k = 0; k < n; k++) sizes += jp.mean + jp.sd * nextNormal(st, 12 * s + 8);
            j[s] = jumpStep(j[s], jp.decay, sizes);
          }
        }
      } else if (p.nR > 0 && !p.transition)
        regime = scheduledRegime(0, p.initial, p.schedFrom, p.schedRegime);
      this.regimeOfDay[t] = regime;
      for (const s of w.touched) {
        const d = p.kind[s] === 1 ? g[s] : p.kind[s] === 2 ? Math.max(0, x[s]) : 1;
        const scale = p.nR > 0 ? p.rScale[regime * nS + s] : 1;
        const f = p.fixed[t * nS + s] * scale * d * (p.jumps[s] ? Math.exp(j[s]) : 1);
        base[s * days + t] *= f;
      }
    }
    return this.out;
  }
}

/** The run's compiled scenario: `c` itself without a stochastic block, else its generated inputs. */
export function compiledForRun(c: CompiledScenario, seed: number, run: number): CompiledScenario {
  return hasStochastic(c.scenario) ? new StochasticInputs(c).forRun(seed, run) : c;
}
