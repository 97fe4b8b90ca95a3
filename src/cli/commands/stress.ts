import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { checkOutputDir, checkOutputFile, writeFileAtomic } from "../../io/atomic.js";
import type { Scenario } from "../../scenario/schema.js";
import { counted } from "../../text.js";
import {
  action,
  CliError,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_VERDICT_FAILED,
} from "../errors.js";
import { collect, parseSeed, realNumber, wholeNumber } from "../options.js";

/** The battery's result. */
type StressRun = Awaited<ReturnType<typeof import("../../feedback/stress.js").runStressOnWorkers>>;

/** A share in [0, 1]. */
const fraction = (name: string) => realNumber(name, { min: 0, max: 1 });

/** The battery's verdicts on stdout: the header, the thresholds used, one line per shock. */
async function printVerdicts(name: string, result: StressRun): Promise<void> {
  const { thresholdsText, verdictTable } = await import("../../feedback/stressReport.js");
  const table = verdictTable(result);
  const widths = table.head.map((h, i) =>
    Math.max(h.length, ...table.rows.map((r) => r[i].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  // a shock that does not apply (sellWave without a pool) has no size to state
  const applies = (shock: string) => result.shocks.some((s) => s.shock === shock && s.applicable);
  const sizes = [
    applies("demandCrash") ? `demandCrash leaves ${result.sizes.crashShare} of the jobs` : "",
    applies("sellWave")
      ? `sellWave dumps ${result.sizes.sellWaveShare} of the supply`
      : "sellWave not applicable (no pool)",
  ].filter((x) => x !== "");
  process.stdout.write(
    `${name}: ${counted(result.runs, "run")} per shock, shocks from day ${result.shockDay}\nsizes: ${sizes.join(", ")}\n${thresholdsText(result)}\n${table.caption}\n${line(table.head)}\n${table.rows.map(line).join("\n")}\n`,
  );
}

/** `--out DIR`'s files and `--report DIR`'s report, each written whole or not at all. */
async function writeOutputs(
  result: StressRun,
  opts: { readonly out?: string; readonly report?: string },
): Promise<void> {
  if (opts.out !== undefined) {
    const { stressFiles } = await import("../../feedback/stressOut.js");
    const files = stressFiles(result);
    for (const [name, text] of Object.entries(files)) writeFileAtomic(join(opts.out, name), text);
    process.stdout.write(`files: ${opts.out} (${Object.keys(files).join(", ")})\n`);
  }
  if (opts.report !== undefined) {
    const { stressReport } = await import("../../feedback/stressReport.js");
    const { writeReport } = await import("../../report/write.js");
    const written = writeReport(opts.report, stressReport(result));
    for (const w of written.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`report: ${written.index}\n`);
  }
}

/**
 * Refused before any work: an unusable output folder, a battery with no day before the shock;
 * then the scenario's warnings, and one when every run would be the same run.
 */
async function checkBattery(
  file: string,
  scenario: Scenario,
  warnings: readonly string[],
  opts: {
    readonly runs: number;
    readonly shockDay?: number;
    readonly report?: string;
    readonly out?: string;
  },
): Promise<void> {
  // refused before any work: an unusable report folder, a battery with no day before the shock
  if (opts.report !== undefined) {
    checkOutputDir(opts.report, [file]);
    const { STRESS_FILE_NAMES } = await import("../../feedback/stressOut.js");
    const { resolve } = await import("node:path");
    const shared = opts.out !== undefined && resolve(opts.out) === resolve(opts.report);
    (await import("../../report/dir.js")).checkReportDir(
      opts.report,
      shared ? STRESS_FILE_NAMES : [],
    );
  }
  if (opts.out !== undefined) {
    checkOutputDir(opts.out, [file]);
    // each file, so none is the scenario (a JSON scenario named stress.json) nor a folder
    const { STRESS_FILE_NAMES } = await import("../../feedback/stressOut.js");
    for (const name of STRESS_FILE_NAMES) checkOutputFile(join(opts.out, name), [file]);
  }
  if (scenario.days < 2)
    throw new CliError(
      `days: the stress battery needs at least 2 days (the day before the shock is its reference), got ${scenario.days}`,
    );
  if (opts.shockDay !== undefined && opts.shockDay >= scenario.days)
    throw new CliError(
      `--shock-day: must be below the scenario's ${counted(scenario.days, "day")}, got ${opts.shockDay}`,
    );
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  // the default shock day, a third of the way from phase 1's end, falls on the last day of a
  // run that ends before phase 1 does: no day after the shocks shows a response
  const { defaultShockDay } = await import("../../feedback/stress.js");
  const { phaseOneDays } = scenario.phaseOne;
  if (opts.shockDay === undefined && defaultShockDay(scenario) >= scenario.days - 1)
    process.stderr.write(
      `warning: the scenario's ${counted(scenario.days, "day")} end before phase 1 does (phaseOneDays ${phaseOneDays}), so the shocks start on its last day, ${scenario.days - 1}, with no day after them to show a response; give --shock-day or more days\n`,
    );
  // a battery over a scenario without randomness repeats one run per shock, as compare says
  const { randomSources } = await import("../../processes/deterministic.js");
  if (opts.runs > 1 && randomSources(scenario).length === 0)
    process.stderr.write(
      `warning: ${file} has no randomness: all ${opts.runs} runs of each shock will be identical\n`,
    );
}

/**
 * Runs stopped by an error are an engine error (exit 1), said per shock with the first one's
 * cause; otherwise a failed verdict, the battery's answer and not an error of a run, exits 3.
 */
function reportStoppedRuns(result: StressRun): void {
  for (const s of result.shocks)
    if (s.failedRuns > 0)
      process.stderr.write(
        `error: ${s.shock}: ${s.failedRuns} of ${counted(s.runs, "run")} stopped (the first, run ${s.firstError?.run}: ${s.firstError?.message}); they count as failing, and the metrics are over the ${s.runs - s.failedRuns} that completed\n`,
      );
  if (result.shocks.some((s) => s.failedRuns > 0)) process.exitCode = EXIT_FAILURE;
  else if (result.shocks.some((s) => s.applicable && !s.pass))
    process.exitCode = EXIT_VERDICT_FAILED;
}

/** `bme stress --help`'s last lines: its exit codes (docs/limits.md), 3 being its own. */
export const STRESS_EXIT_CODES = `
Exit codes:
  0    every shock passed its thresholds
  1    a run stopped with an error (named on stderr; it counts as failing), or an output could not be written
  2    bad input: the scenario, an option or an output folder, refused before any run
  3    every run completed and at least one shock failed its thresholds (the verdicts, --report and --out are written)
  130  interrupted by Ctrl-C: nothing is written`;

export function registerStress(program: Command): void {
  program
    .command("stress")
    .description(
      "run the standard battery of shocks (baseline, demandCrash, sentimentCollapse, sellWave, combined) over a Monte Carlo; pass/fail per shock",
    )
    .argument(
      "<scenario>",
      "scenario file (YAML or JSON), aggregate or marketplace mode (marketplace runs cost far more: start with --runs 20)",
    )
    .option("--runs <n>", "Monte Carlo runs per shock", wholeNumber("--runs", 1, 1_000_000), 200)
    .option("--seed <n>", "seed of the runs' random streams", parseSeed, 0)
    .option(
      "--shock-day <n>",
      "day the shocks start, at least 1: drawdown and retention are measured from the day before (default: a third of the way from phaseOneDays to the last day)",
      wholeNumber("--shock-day", 1, 36_499),
    )
    .option(
      "--max-drawdown <x>",
      "largest acceptable price drawdown after the shock, fraction",
      fraction("--max-drawdown"),
      0.5,
    )
    .option(
      "--min-runway <days>",
      "smallest acceptable token-reserve runway at the end, days",
      realNumber("--min-runway", { min: 0 }),
      90,
    )
    .option(
      "--min-retained <x>",
      "smallest acceptable suppliers on the last day over the day before the shock, ≥ 0 (above 1: the network must grow)",
      realNumber("--min-retained", { min: 0 }),
      0.5,
    )
    .option(
      "--max-shortfall-days <n>",
      "most acceptable days with a token shortfall",
      wholeNumber("--max-shortfall-days", 0, 36_500),
      0,
    )
    .option(
      "--min-dollars-retained <x>",
      "smallest acceptable dollar reserve after the shock (its lowest day) over the day before, fraction",
      fraction("--min-dollars-retained"),
      0,
    )
    .option(
      "--max-top-up-impact <x>",
      "largest acceptable price impact of a reserve top-up after the shock (price paid per token over the price it bought at — the day's under E16, the pool's spot before it under E46 —, minus 1; default: any), fraction ≥ 0",
      realNumber("--max-top-up-impact", { min: 0 }),
    )
    .option(
      "--crash-share <x>",
      "share of every consumer type's jobs left by demandCrash, from the shock day on",
      fraction("--crash-share"),
      0.3,
    )
    .option(
      "--sell-wave-share <x>",
      "share of the circulating supply holders dump into the pool on sellWave's day",
      fraction("--sell-wave-share"),
      0.1,
    )
    .option(
      "--confidence <x>",
      "share of runs that must meet every threshold for a pass, above 0",
      // a pass that needs no run to meet its thresholds is no test: 0 is refused
      realNumber("--confidence", { min: 0, max: 1, minOpen: true }),
      0.95,
    )
    .option(
      "--workers <n>",
      "worker threads (default: the machine's cores); the result is the same for any number",
      wholeNumber("--workers", 1, 256),
    )
    .option(
      "--set <path=value>",
      "override a scenario field (repeatable; path=null removes it)",
      collect,
      [],
    )
    .option("--days <n>", "override the number of days", wholeNumber("--days", 1, 36_500))
    .option("--report <dir>", "write an HTML report, one section per shock, into DIR")
    .option(
      "--out <dir>",
      "write the result as files into DIR: verdicts.csv (per shock and metric), loop.csv (the loop's daily bands), stress.json (both, with the settings)",
    )
    .addHelpText("after", STRESS_EXIT_CODES)
    .action(
      action(async (file, opts) => {
        // loaded on demand, like every command's heavy modules (start-up)
        const { loadScenario } = await import("../../scenario/load.js");
        const { scenario, warnings } = loadScenario(file, { set: opts.set, days: opts.days });
        await checkBattery(file, scenario, warnings, opts);
        const { runStressOnWorkers } = await import("../../feedback/stress.js");
        const { availableParallelism } = await import("node:os");
        // Ctrl-C: the battery keeps nothing part-way (its verdicts need every run), so say so and stop
        const onSigint = () => {
          process.stderr.write("\ninterrupted: the stress battery stopped; nothing was written\n");
          process.exit(EXIT_INTERRUPTED);
        };
        process.once("SIGINT", onSigint);
        const result = await runStressOnWorkers(scenario, {
          workers: opts.workers ?? Math.max(1, availableParallelism()),
          runs: opts.runs,
          seed: opts.seed,
          shockDay: opts.shockDay,
          confidence: opts.confidence,
          sizes: { crashShare: opts.crashShare, sellWaveShare: opts.sellWaveShare },
          thresholds: {
            maxDrawdown: opts.maxDrawdown,
            minRunwayDays: opts.minRunway,
            minSuppliersRetained: opts.minRetained,
            maxShortfallDays: opts.maxShortfallDays,
            minDollarsRetained: opts.minDollarsRetained,
            maxTopUpPriceImpact: opts.maxTopUpImpact,
          },
        });
        process.removeListener("SIGINT", onSigint);
        await printVerdicts(scenario.name, result);
        await writeOutputs(result, opts);
        reportStoppedRuns(result);
      }),
    );
}
