import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { checkOutputDir } from "../../io/atomic.js";
import { counted } from "../../text.js";
import { VERSION } from "../../version.js";
import { action, CliError, EXIT_FAILURE } from "../errors.js";
import { collect, parseSeed, wholeNumber } from "../options.js";

/** Where `bme report <experiment id>` looks for the results store unless --store says otherwise. */
export const DEFAULT_STORE = "bme-results.duckdb";

/** A scenario is an existing file or a name ending in .yaml/.yml/.json; anything else is an experiment id. */
export function isScenarioTarget(target: string): boolean {
  return existsSync(target) || /\.(ya?ml|json)$/i.test(target);
}

/** The slice of the results store (src/results) a report needs. */
interface ExperimentStore {
  loadExperiment(id: string): Promise<unknown>;
  close(): Promise<void> | void;
}

/**
 * The store is loaded on demand (DuckDB is heavy); a store that cannot load (DuckDB missing
 * on this platform) is a message, not a crash.
 */
async function openExperimentStore(path: string): Promise<ExperimentStore> {
  let mod: {
    openStore?: (p: string, o?: { readOnly?: boolean }) => Promise<ExperimentStore>;
  };
  try {
    // a literal specifier: the bundled CLI (scripts/bundle-cli.mjs) must see what it loads
    mod = await import("../../results/index.js");
  } catch {
    throw new CliError(
      "this build has no results store (src/results): reports of experiments need it",
      EXIT_FAILURE,
    );
  }
  if (typeof mod.openStore !== "function")
    throw new CliError("the results store does not offer openStore()", EXIT_FAILURE);
  return mod.openStore(path, { readOnly: true });
}

function say(quiet: boolean, text: string): void {
  if (!quiet) process.stdout.write(`${text}\n`);
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "write an HTML report with SVG and PNG charts: of a scenario (run once) or of a stored experiment",
    )
    .argument("<target>", "scenario file (YAML or JSON), or the id of a stored experiment")
    .option("--out <dir>", "output directory (default out/report-<scenario name or experiment id>)")
    .option("--seed <n>", "seed of the run's random streams (scenario)", parseSeed, 0)
    .option(
      "--run <i>",
      "run index within a Monte Carlo (scenario)",
      wholeNumber("--run", 0, Number.MAX_SAFE_INTEGER),
      0,
    )
    .option(
      "--days <n>",
      "override the number of days (scenario)",
      wholeNumber("--days", 1, 36_500),
    )
    .option(
      "--set <path=value>",
      "override a scenario field (repeatable; path=null removes it)",
      collect,
      [],
    )
    .option(
      "--deterministic",
      "switch off every random input: noise and stochastic processes",
      false,
    )
    .option(
      "--runs <n>",
      "also run a Monte Carlo of N runs and add its fan charts (scenario)",
      wholeNumber("--runs", 1, 10_000_000),
      1,
    )
    .option("--store <path>", `results store of experiments (default ${DEFAULT_STORE})`)
    .option("--quiet", "print nothing but errors", false)
    .action(
      action(async (target, opts) => {
        const report = await import("../../report/index.js");
        if (isScenarioTarget(target)) {
          const { loadScenario } = await import("../../scenario/load.js");
          const { simulate } = await import("../../simulate.js");
          if (opts.store !== undefined)
            throw new CliError(`--store: "${target}" is a scenario file, not an experiment id`);
          if (opts.out !== undefined) {
            checkOutputDir(opts.out, [target]);
            (await import("../../report/dir.js")).checkReportDir(opts.out);
          }
          const { scenario } = loadScenario(target, {
            set: opts.set,
            days: opts.days,
            deterministic: opts.deterministic,
          });
          const result = simulate(scenario, { seed: opts.seed, run: opts.run });
          const dir = opts.out ?? join("out", `report-${scenario.name}`);
          let content = report.runReport(result);
          if (opts.runs > 1) {
            const { runExperiment } = await import("../../montecarlo/experiment.js");
            const spec = {
              kind: "montecarlo" as const,
              scenarioName: scenario.name,
              scenario,
              version: VERSION,
              seed: opts.seed,
              runsPerPoint: opts.runs,
              points: [{ index: 0, params: {} }],
              options: {},
            };
            const mc = await runExperiment(spec, { workers: availableParallelism() });
            const fan = report.experimentReport({
              id: `${scenario.name}: ${counted(opts.runs, "run")}`,
              spec,
              points: [mc.points[0]!],
              finished: true,
            });
            content = { ...content, sections: [...content.sections, ...fan.sections] };
          }
          const written = report.writeReport(dir, content);
          for (const w of written.warnings) process.stderr.write(`warning: ${w}\n`);
          say(opts.quiet, `report ${written.index} (${counted(written.charts.length, "chart")})`);
          if (result.error)
            throw new CliError(
              `${result.error.message} (the report shows the ${counted(result.days, "day")} computed)`,
              EXIT_FAILURE,
            );
          return;
        }
        const misplaced =
          opts.set.length > 0
            ? "--set"
            : opts.days !== undefined
              ? "--days"
              : opts.deterministic
                ? "--deterministic"
                : null;
        if (misplaced !== null)
          throw new CliError(
            `${misplaced}: applies to a scenario file; "${target}" is no file, so it was taken as an experiment id`,
          );
        const storePath = opts.store ?? DEFAULT_STORE;
        if (!existsSync(storePath))
          throw new CliError(
            `--store: no results store at ${storePath} ("${target}" is not a file, so it was taken as an experiment id)`,
          );
        const store = await openExperimentStore(storePath);
        let stored: unknown;
        try {
          stored = await store.loadExperiment(target);
        } catch (e) {
          throw new CliError(`no experiment "${target}" in ${storePath}: ${(e as Error).message}`);
        } finally {
          await store.close();
        }
        if (stored === null || stored === undefined)
          throw new CliError(`no experiment "${target}" in ${storePath}`);
        const e = stored as Omit<Parameters<typeof report.experimentReport>[0], "id">;
        const dir = opts.out ?? join("out", `report-${target}`);
        const written = report.writeReport(dir, report.experimentReport({ ...e, id: target }));
        for (const w of written.warnings) process.stderr.write(`warning: ${w}\n`);
        say(opts.quiet, `report ${written.index} (${counted(written.charts.length, "chart")})`);
      }),
    );
}
