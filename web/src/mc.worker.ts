/**
 * Monte Carlo in a worker: N runs of one scenario with streams (seed, run i), then per-day
 * quantile bands of every drawn series and per-run outcome metrics. Cancel = terminate.
 */
import { compileScenario } from "../../src/engine/compile.js";
import { kernelScratch } from "../../src/engine/kernel.js";
import { meanWithin, quantileSorted } from "../../src/montecarlo/quantile.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { extractSeries, type Metrics, runEngine, runMetrics, seriesKeys } from "./model.js";

export interface McRequest {
  readonly id: number;
  readonly scenario: Scenario;
  readonly runs: number;
  readonly seed: number;
}

export const BAND_QUANTILES = { p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95 } as const;
export type Band = Record<keyof typeof BAND_QUANTILES, Float64Array>;

export interface McSummary {
  readonly mean: number;
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
}

export type McMessage =
  | { type: "progress"; id: number; done: number; runs: number }
  | {
      type: "done";
      id: number;
      runs: number;
      days: number;
      bands: Record<string, Band>;
      metrics: Record<keyof Metrics, McSummary>;
      failed: { run: number; error: string }[];
      ms: number;
    }
  | { type: "error"; id: number; message: string };

function summary(values: Float64Array): McSummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: meanWithin(sum, sorted.length, sorted[0], sorted[sorted.length - 1]),
    p5: quantileSorted(sorted, 0.05),
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
  };
}

function run(req: McRequest, post: (m: McMessage) => void): void {
  const t0 = performance.now();
  const c = compileScenario(req.scenario);
  const D = c.days;
  const keys = seriesKeys(c.consumerNames);
  const out = new Float64Array(c.columns.length * D);
  const scratch = kernelScratch(c);
  const cells: Record<string, Float64Array> = {};
  for (const k of keys) cells[k] = new Float64Array(req.runs * D);
  const perRun: Metrics[] = [];
  const failed: { run: number; error: string }[] = [];
  const every = Math.max(1, Math.floor(req.runs / 50));
  for (let r = 0; r < req.runs; r++) {
    out.fill(Number.NaN);
    const outcome = runEngine(c, req.seed, r, out, scratch);
    if (outcome.error) failed.push({ run: r, error: outcome.error.message });
    const s = extractSeries(c, out, D);
    for (const k of keys) cells[k].set(s[k], r * D);
    perRun.push(runMetrics(c, out, outcome.daysCompleted));
    if ((r + 1) % every === 0 || r + 1 === req.runs)
      post({ type: "progress", id: req.id, done: r + 1, runs: req.runs });
  }
  const bands: Record<string, Band> = {};
  const column = new Float64Array(req.runs);
  for (const k of keys) {
    const b = {} as Band;
    for (const q of Object.keys(BAND_QUANTILES)) b[q as keyof Band] = new Float64Array(D);
    const all = cells[k];
    for (let t = 0; t < D; t++) {
      let n = 0;
      for (let r = 0; r < req.runs; r++) {
        const v = all[r * D + t];
        if (!Number.isNaN(v)) column[n++] = v; // a failed run's missing days are left out
      }
      const sorted = column.subarray(0, n).sort();
      for (const [q, p] of Object.entries(BAND_QUANTILES))
        b[q as keyof Band][t] = quantileSorted(sorted, p);
    }
    bands[k] = b;
  }
  const metrics = {} as Record<keyof Metrics, McSummary>;
  for (const m of Object.keys(perRun[0] ?? {}) as (keyof Metrics)[])
    metrics[m] = summary(Float64Array.from(perRun, (x) => x[m]));
  post({
    type: "done",
    id: req.id,
    runs: req.runs,
    days: D,
    bands,
    metrics,
    failed: failed.slice(0, 100),
    ms: performance.now() - t0,
  });
}

const ctx = self as unknown as {
  postMessage(m: McMessage): void;
  onmessage: ((e: MessageEvent<McRequest>) => void) | null;
};
ctx.onmessage = (e) => {
  try {
    run(e.data, (m) => ctx.postMessage(m));
  } catch (err) {
    ctx.postMessage({ type: "error", id: e.data.id, message: (err as Error).message });
  }
};
