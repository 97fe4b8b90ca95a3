import type { Command } from "@commander-js/extra-typings";
import { checkOutputDir, checkOutputFile } from "../../io/atomic.js";
import { tableFormat, writeTable } from "../../io/table.js";
import { counted } from "../../text.js";
import { action, CliError, EXIT_FAILURE } from "../errors.js";
import { formatFeedback, formatSummary } from "../format.js";
import { collect, parseSeed, wholeNumber } from "../options.js";
import { writeOut } from "../output.js";

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
      "override a scenario field (repeatable), e.g. onchain.buybackModulation=0.5; path=null removes it",
      collect,
      [],
    )
    .option(
      "--deterministic",
      "switch off every random input: series noise and the stochastic processes (docs/model-stress.md)",
      false,
    )
    .option(
      "--out <file>",
      "write the per-day table to a .csv, .parquet or .json file (metadata beside it in <name>.meta.json)",
    )
    .option("--report <dir>", "write an HTML report with SVG and PNG charts into DIR")
    .option("--quiet", "print nothing but errors", false)
    .option(
      "--plugin <module>",
      "load policies and metrics from a JS module (repeatable; see docs/plugins.md)",
      collect,
      [],
    )
    .action(
      action(async (file, opts) => {
        if (opts.out !== undefined && tableFormat(opts.out) === null)
          throw new CliError(
            `--out: the output file must end in .csv, .parquet or .json, got "${opts.out}"`,
          );
        // every path is checked before any work: a bad --out never costs a run
        if (opts.out !== undefined) checkOutputFile(opts.out, [file]);
        if (opts.report !== undefined) {
          checkOutputDir(opts.report, [file]);
          (await import("../../report/dir.js")).checkReportDir(opts.report);
        }
        // the engine and the scenario loader: what a run needs, loaded when it runs (not by --help)
        const { loadScenario } = await import("../../scenario/load.js");
        const { simulate } = await import("../../simulate.js");
        const { summarize } = await import("../../engine/summary.js");
        const { formatMarketplace, writeMarketplaceTables } = await import(
          "../../marketplace/csv.js"
        );
        const { scenario, warnings } = loadScenario(file, {
          set: opts.set,
          days: opts.days,
          deterministic: opts.deterministic,
        });
        const plugins =
          opts.plugin.length > 0
            ? await (await import("../../plugins/load.js")).loadPlugins(opts.plugin).catch((e) => {
                throw new CliError((e as Error).message);
              })
            : undefined;
        for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        const result = simulate(scenario, { seed: opts.seed, run: opts.run, ...plugins });
        const written = opts.out !== undefined ? await writeTable(result, opts.out) : [];
        // governance rules' changes (issue 12), next to the table
        const governanceFile =
          opts.out !== undefined && result.governance
            ? (await import("../../rules/log.js")).governancePath(opts.out)
            : undefined;
        if (governanceFile && result.governance)
          (await import("../../io/atomic.js")).writeFileAtomic(
            governanceFile,
            (await import("../../rules/log.js")).governanceCsv(result.governance),
          );
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
          writeOut(`${formatSummary(summarize(result))}\n`);
          if (opts.out !== undefined)
            writeOut(`  table                 ${opts.out} (${counted(result.days, "row")})\n`);
          for (const path of written.slice(1)) writeOut(`  metadata              ${path}\n`);
          const feedback = formatFeedback(result);
          if (feedback !== null) writeOut(`${feedback}\n`);
          if (result.marketplace) writeOut(`${formatMarketplace(result.marketplace)}\n`);
          for (const path of marketTables) writeOut(`  table                 ${path}\n`);
          for (const [name, value] of Object.entries(result.metrics ?? {}))
            writeOut(`  ${`metric ${name}`.padEnd(21)} ${value}\n`);
          if (result.governance)
            writeOut(
              `  governance changes    ${result.governance.length}${governanceFile ? ` (${governanceFile})` : ""}\n`,
            );
          if (report !== undefined) writeOut(`  report                ${report.index}\n`);
        }
        if (result.error)
          throw new CliError(
            `${result.error.message}${opts.out ? ` (the ${counted(result.days, "row")} computed were written to ${opts.out})` : ""}`,
            EXIT_FAILURE,
          );
      }),
    );
}
