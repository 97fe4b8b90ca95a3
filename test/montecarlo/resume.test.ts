import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BAND_STATS, type ExperimentSpec, OUTCOME_METRICS } from "../../src/analysis/types.js";
import { runExperiment } from "../../src/montecarlo/experiment.js";
import { expandSweep, parseAxis } from "../../src/montecarlo/sweep.js";
import { openStore } from "../../src/results/index.js";
import { loadScenario } from "../../src/scenario/load.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

describe("an interrupted sweep, resumed", () => {
  it("leaves the same store contents as an uninterrupted one", async () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 60 });
    const spec: ExperimentSpec = {
      kind: "sweep",
      scenarioName: scenario.name,
      scenario,
      version: VERSION,
      seed: 8,
      runsPerPoint: 40,
      points: expandSweep([parseAxis("--grid", "onchain.buybackModulation=0.6,0.8,1")], []),
      options: {},
    };
    const dir = mkdtempSync(join(tmpdir(), "bme-resume-"));
    // interrupted: Ctrl-C as soon as the first point's runs are in
    const a = await openStore(join(dir, "a.duckdb"));
    const abort = new AbortController();
    const first = await runExperiment(spec, {
      workers: 1,
      sink: a,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    expect(first.interrupted).toBe(true);
    expect((await a.listExperiments())[0]).toMatchObject({ pointsStored: 1, finished: false });
    const second = await runExperiment(spec, { workers: 1, sink: a, resume: true });
    expect(second.resumed).toBe(true);
    expect(second.skippedPoints).toBe(1);
    // uninterrupted
    const b = await openStore(join(dir, "b.duckdb"));
    await runExperiment(spec, { workers: 2, sink: b, minThreadRuns: 0 });
    const [ea, eb] = [
      await a.loadExperiment(first.experimentId!),
      await b.loadExperiment((await b.listExperiments())[0].id),
    ];
    await a.close();
    await b.close();
    expect(ea!.finished).toBe(true);
    expect(ea!.points.map((p) => p.index)).toEqual([0, 1, 2]);
    ea!.points.forEach((p, i) => {
      const q = eb!.points[i];
      expect(p.params).toEqual(q.params);
      for (const s of BAND_STATS)
        expect(
          Buffer.from(p.bands.stats[s].buffer).equals(Buffer.from(q.bands.stats[s].buffer)),
        ).toBe(true);
      for (const m of OUTCOME_METRICS)
        expect(Array.from(p.outcomes.metrics[m])).toEqual(Array.from(q.outcomes.metrics[m]));
      expect(p.summary).toEqual(q.summary);
    });
  });

  it("says why nothing is resumed before the first run, not after the last", async () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 30 });
    const spec: ExperimentSpec = {
      kind: "montecarlo",
      scenarioName: scenario.name,
      scenario,
      version: VERSION,
      seed: 3,
      runsPerPoint: 20,
      points: [{ index: 0, params: {} }],
      options: {},
    };
    const store = await openStore(join(mkdtempSync(join(tmpdir(), "bme-notice-")), "s.duckdb"));
    const events: string[] = [];
    const outcome = await runExperiment(spec, {
      workers: 1,
      sink: store,
      resume: true,
      onNotice: (n) => events.push(`notice: ${n}`),
      onProgress: () => events.push("progress"),
    });
    await store.close();
    // an empty store has nothing to resume: the notice is the first thing said, and said once
    expect(events[0]).toBe(
      "notice: no unfinished montecarlo experiment of this scenario to resume; starting a new one",
    );
    expect(events.filter((e) => e.startsWith("notice")).length).toBe(1);
    expect(events.length).toBeGreaterThan(1);
    expect(outcome.notice).toBe(events[0].slice("notice: ".length));
  });
});
