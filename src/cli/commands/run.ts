import type { Command } from "@commander-js/extra-typings";
import { tableFormat, writeTable } from "../../io/table.js";
import { action, CliError, EXIT_FAILURE } from "../errors.js";
import { formatSummary } from "../format.js";
import { collect, parseSeed, wholeNumber } from "../options.js";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a scenario once and print a summary; write the per-day table with --out")
    .argument("<scenario>", "scenario file (YAML or JSON)")
    .option("--seed <n>", "seed of the run's random streams", parseSeed, 0)
    .option(
      "--run <i>",
      "run index within a Monte Carlo (streams derive from seed and run)",
      wholeNumber("--run", 0, Number.MAX_SAFE_INTEGER),
      0,
    )
    .option("--days <n>", "override the number of days", wholeNumber("--days", 1, 36_500))
    .option(
      "--set <path=value>",
      "override a scenario field (repeatable), e.g. onchain.buybackModulation=0.5",
      collect,
      [],
    )
    .option("--deterministic", "set every series' noise to 0 (the expected path)", false)
    .option("--out <file>", "write the per-day table to a .csv or .json file")
    .option("--report <dir>", "write an HTML report with SVG and PNG charts into DIR")
    .option("--quiet", "print nothing but errors", false)
    .action(
      action(async (file, opts) => {
        if (opts.out !== undefined && tableFormat(opts.out) === null)
          throw new CliError(`--out: the output file must end in .csv or .json, got "${opts.out}"`);
        // the engine and the scenario loader: what a run needs, loaded when it runs (not by --help)
        const { loadScenario } = await import("../../scenario/load.js");
        const { simulate } = await import("../../simulate.js");
        const { summarize } = await import("../../engine/summary.js");
        const { formatMarketplace, writeMarketplaceTables } = await import(
          "../../marketplace/csv.js"
        );
        const { scenario } = loadScenario(file, {
          set: opts.set,
          days: opts.days,
          deterministic: opts.deterministic,
        });
        const result = simulate(scenario, { seed: opts.seed, run: opts.run });
        if (opts.out !== undefined) writeTable(result, opts.out);
        const marketTables =
          opts.out !== undefined && result.marketplace
            ? writeMarketplaceTables(result.marketplace, opts.out)
            : [];
        // loaded on demand: charts pull in ECharts and resvg, which a plain run does not need
        const report =
          opts.report === undefined
            ? undefined
            : (await import("../../report/index.js")).writeRunReport(opts.report, result);
        for (const w of report?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        if (!opts.quiet) {
          process.stdout.write(`${formatSummary(summarize(result))}\n`);
          if (opts.out !== undefined)
            process.stdout.write(`  table                 ${opts.out} (${result.days} rows)\n`);
          if (result.marketplace)
            process.stdout.write(`${formatMarketplace(result.marketplace)}\n`);
          for (const path of marketTables)
            process.stdout.write(`  table                 ${path}\n`);
          if (report !== undefined)
            process.stdout.write(`  report                ${report.index}\n`);
        }
        if (result.error)
          throw new CliError(
            `${result.error.message}${opts.out ? ` (the ${result.days} rows computed were written to ${opts.out})` : ""}`,
            EXIT_FAILURE,
          );
      }),
    );
}
