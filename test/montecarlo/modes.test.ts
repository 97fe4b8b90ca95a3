import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUTCOME_METRICS } from "../../src/analysis/types.js";
import { toCsv } from "../../src/io/table.js";
import { runChunk } from "../../src/montecarlo/chunk.js";
import { writeRunTables } from "../../src/montecarlo/keepRuns.js";
import { resultOutcomes } from "../../src/montecarlo/outcomes.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { VERSION } from "../../src/version.js";

// One scenario of each engine: the fast kernel, stochastic inputs with a governance rule, the
// fused feedback kernel, the marketplace engine, and the marketplace engine with feedback.
const SCENARIOS = [
  "scenarios/whitepaper.yaml",
  "scenarios/stress/price-defense.yaml",
  "scenarios/feedback/death-spiral.yaml",
  "scenarios/marketplace-congestion.yaml",
  "scenarios/feedback/death-spiral-marketplace.yaml",
];
const SEED = 3;
const RUNS = 3;

describe("every command runs a scenario in its own mode (the engine `bme run` uses)", () => {
  for (const file of SCENARIOS) {
    const { scenario } = loadScenario(file, { days: 12 });
    const single = Array.from({ length: RUNS }, (_, run) =>
      simulate(scenario, { seed: SEED, run }),
    );

    it(`${file} (${scenario.mode}): a Monte Carlo's outcomes are those of the single runs`, () => {
      const point = { index: 0, params: {} };
      const p = runChunk({ scenario, seed: SEED, point, runs: RUNS, runStart: 0, runEnd: RUNS });
      expect(p.failed).toEqual([]);
      OUTCOME_METRICS.forEach((m, j) => {
        for (let run = 0; run < RUNS; run++)
          expect(p.outcomes[j][run], `${m}, run ${run}`).toBe(resultOutcomes(single[run])[m]);
      });
    });

    it(`${file} (${scenario.mode}): --keep-runs writes the bytes of \`bme run --run i\``, () => {
      const dir = mkdtempSync(join(tmpdir(), "bme-modes-"));
      const spec = (runsPerPoint: number) => ({
        kind: "montecarlo" as const,
        scenarioName: scenario.name,
        scenario,
        version: VERSION,
        seed: SEED,
        runsPerPoint,
        points: [{ index: 0, params: {} }],
        options: {},
      });
      // a second experiment into the same folder leaves none of the first one's runs behind
      writeRunTables(spec(RUNS + 2), dir);
      expect(writeRunTables(spec(RUNS), dir)).toBe(RUNS);
      const folder = join(dir, "runs", "point-0");
      expect(readdirSync(folder).sort()).toEqual(["run-0.csv", "run-1.csv", "run-2.csv"]);
      for (let run = 0; run < RUNS; run++)
        expect(readFileSync(join(folder, `run-${run}.csv`), "utf8")).toBe(toCsv(single[run]));
    });
  }

  it("the marketplace engine really ran: its table differs from the aggregate one", () => {
    const { scenario } = loadScenario("scenarios/marketplace-congestion.yaml", { days: 12 });
    const market = resultOutcomes(simulate(scenario, { seed: SEED }));
    const aggregate = resultOutcomes(
      simulate({ ...scenario, mode: "aggregate" } as typeof scenario, { seed: SEED }),
    );
    expect(market.finalPrice).not.toBe(aggregate.finalPrice);
  });
});
