import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExperimentSpec } from "../../src/analysis/types.js";
import { runExperiment } from "../../src/montecarlo/experiment.js";
import { openStore } from "../../src/results/index.js";
import { loadScenario } from "../../src/scenario/load.js";
import { createApp } from "../../src/server/app.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

describe("the dashboard's API opens stored experiments", () => {
  it("lists a stored Monte Carlo and serves its bands", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-api-store-"));
    const storePath = join(dir, "r.duckdb");
    const { scenario } = loadScenario(WHITEPAPER, { days: 30 });
    const spec: ExperimentSpec = {
      kind: "montecarlo",
      scenarioName: scenario.name,
      scenario,
      version: VERSION,
      seed: 2,
      runsPerPoint: 12,
      points: [{ index: 0, params: {} }],
      options: {},
    };
    const store = await openStore(storePath);
    const { experimentId } = await runExperiment(spec, { workers: 1, sink: store });
    await store.close();
    const app = createApp({
      scenarioDir: resolve(import.meta.dirname, "../../scenarios"),
      webDir: dir,
      storePath,
    });
    const list = (await (await app.request("/api/experiments")).json()) as {
      id: string;
      runsPerPoint: number;
    }[];
    expect(list).toEqual([expect.objectContaining({ id: experimentId, runsPerPoint: 12 })]);
    const one = (await (await app.request(`/api/experiments/${experimentId}`)).json()) as {
      spec: { seed: number };
      points: { runs: number }[];
    };
    expect(one.spec.seed).toBe(2);
    expect(one.points[0].runs).toBe(12);
    const bands = (await (
      await app.request(`/api/experiments/${experimentId}/points/0`)
    ).json()) as {
      days: number;
      columns: Record<string, { p5: number[]; p95: number[] }>;
    };
    expect(bands.days).toBe(30);
    expect(bands.columns.priceOfToken.p5).toHaveLength(30);
    // day 0: no noise yet, every run has sentiment / supply = 20,000 / 2,000,000
    expect(bands.columns.priceOfToken.p95[0]).toBeCloseTo(0.01, 15);
    expect((await app.request("/api/experiments/mc-9999")).status).toBe(404);
  });
});
