import { existsSync, statfsSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import {
  type ExperimentKind,
  type ExperimentSink,
  type ExperimentSpec,
  metricNames,
  OUTCOME_METRICS,
  type PointResult,
  type PointSpec,
} from "../../analysis/types.js";
import { checkOutputDir } from "../../io/atomic.js";
import type { TableFileFormat } from "../../io/dataTable.js";
import type { ExperimentOutcome } from "../../montecarlo/experiment.js";
import type { Axis } from "../../montecarlo/sweep.js";
import type { Scenario } from "../../scenario/schema.js";
import { counted } from "../../text.js";
import { VERSION } from "../../version.js";
import { action, CliError, EXIT_FAILURE, EXIT_INTERRUPTED } from "../errors.js";
import { fmt } from "../format.js";
import { collect, parseSeed, realNumber, wholeNumber } from "../options.js";

// The engine, the store, the queue and the progress bar are imported inside the actions
// (`await import`): `bme --help` and the other commands do not load them (docs/benchmarks.md).

const FORMATS: readonly TableFileFormat[] = ["csv", "parquet", "json"];

function parseFormat(v: string): TableFileFormat {
  if (!(FORMATS as readonly string[]).includes(v))
    throw new CliError(`--format must be one of ${FORMATS.join(", ")}, got "${v}"`);
  return v as TableFileFormat;
}

interface CommonOptions {
  format: TableFileFormat;
  runs: number;
  seed: number;
  workers: number;
  set: string[];
  days?: number;
  deterministic: boolean;
  store: string | false;
  resume: boolean;
  out?: string;
  quiet: boolean;
  queue?: string;
  keepRuns: boolean;
  plugin: string[];
  columns?: string[];
}

export const DEFAULT_STORE = "bme-results.duckdb";

// biome-ignore lint/suspicious/noExplicitAny: typed options cannot flow through a helper shared by four commands
type AnyCommand = any;

function common(cmd: AnyCommand, runs: number): AnyCommand {
  // --store PATH and --no-store set one option, the last one given winning: refuse the pair
  const given = new Set<string>();
  cmd.on("option:store", () => given.add("store"));
  cmd.on("option:no-store", () => given.add("no-store"));
  cmd.hook("preAction", () => {
    if (given.size === 2)
      throw new CliError("--store and --no-store contradict each other: give one of them");
  });
  return cmd
    .option(
      "--runs <n>",
      "runs per point (run i of every point is seeded from seed and i)",
      wholeNumber("--runs", 1, 100_000_000),
      runs,
    )
    .option("--seed <n>", "seed of the experiment", parseSeed, 0)
    .option(
      "--workers <n>",
      "worker threads (results are identical for any number)",
      wholeNumber("--workers", 1, 256),
      Math.max(1, availableParallelism()),
    )
    .option(
      "--set <path=value>",
      "override a scenario field (repeatable; path=null removes it)",
      collect,
      [],
    )
    .option("--days <n>", "override the number of days", wholeNumber("--days", 1, 36_500))
    .option(
      "--deterministic",
      "switch off every random input: series noise and the stochastic processes (docs/model-stress.md)",
      false,
    )
    .option("--store <path>", "results store (DuckDB file)", DEFAULT_STORE)
    .option("--no-store", "do not save to the results store")
    .option(
      "--resume",
      "continue the unfinished experiment with the same settings in the store",
      false,
    )
    .option(
      "--out <dir>",
      "also write the results into DIR: points, bands, outcomes (docs/outputs.md)",
    )
    .option("--format <format>", "file format of --out: csv, parquet or json", parseFormat, "csv")
    .option("--quiet", "no progress, no summary", false)
    .option(
      "--keep-runs",
      "also write every run's daily table to DIR/runs/point-<p>/run-<r>.csv (needs --out)",
      false,
    )
    .option(
      "--plugin <module>",
      "load policies and metrics from a JS module, run in every worker (repeatable; docs/plugins.md)",
      collect,
      [],
    )
    .option(
      "--columns <names>",
      "bands only for these columns, comma-separated (day never gets bands; default: every column)",
      parseColumns,
    )
    .option(
      "--queue <url>",
      "run the chunks on `bme worker`s of this Redis (redis://host:6379, rediss:// for TLS); see docs/distributed.md",
    );
}

function parseColumns(v: string): string[] {
  const names = v
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0) throw new CliError(`--columns needs column names, got "${v}"`);
  return names;
}

async function openSink(
  path: string | false,
): Promise<(ExperimentSink & { close(): Promise<void> }) | null> {
  if (path === false) return null;
  let mod: { openStore(path: string): Promise<ExperimentSink & { close(): Promise<void> }> };
  try {
    // a literal specifier: the bundled CLI (scripts/bundle-cli.mjs) must see what it loads
    mod = await import("../../results/index.js");
  } catch {
    process.stderr.write(
      "warning: this build has no results store; results are not saved (use --out DIR to keep them)\n",
    );
    return null;
  }
  return mod.openStore(path);
}

/** An experiment run by `execute`: its outcome, spec, the points an earlier run stored, and when it began. */
interface Executed {
  readonly outcome: ExperimentOutcome;
  readonly spec: ExperimentSpec;
  readonly stored: PointResult[];
  /** ISO 8601, UTC: the store's creation time of the experiment; undefined without a store. */
  readonly createdAt?: string;
}

/** Load the scenario, build the spec, run it with progress, Ctrl-C and the store. */
async function execute(
  kind: ExperimentKind,
  scenario: Scenario,
  opts: CommonOptions,
  points: PointSpec[],
  options: Record<string, unknown>,
): Promise<Executed> {
  // --plugin: the files' paths and hashes go in the spec; every worker imports and checks them
  if (opts.plugin.length > 0) options = { ...options, plugins: await checkPlugins(opts.plugin) };
  if (opts.columns) options = { ...options, bandColumns: opts.columns };
  const spec: ExperimentSpec = {
    kind,
    scenarioName: scenario.name,
    scenario,
    version: VERSION,
    seed: opts.seed,
    runsPerPoint: opts.runs,
    points,
    options,
  };
  if (opts.keepRuns && !opts.out)
    throw new CliError("--keep-runs needs --out DIR: where the run tables go");
  if (opts.keepRuns && opts.out) await checkRunTablesSpace(spec, opts.out);
  const cores = availableParallelism();
  if (!opts.queue && opts.workers > cores)
    process.stderr.write(
      `warning: --workers ${opts.workers} on ${cores} core${cores === 1 ? "" : "s"}: threads beyond the cores add memory (each holds its own bands) and no speed; the results are the same for any number\n`,
    );
  if (opts.resume && opts.store === false)
    throw new CliError(
      "--resume continues an experiment from the store: it cannot go with --no-store",
    );
  if (opts.columns) {
    const { checkBandColumns } = await import("../../montecarlo/columns.js");
    try {
      checkBandColumns(spec);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  if (!opts.queue) {
    // bands too large for this machine are refused before anything is stored
    const { checkBandMemory, experimentBandWork } = await import("../../montecarlo/memory.js");
    const { plannedLanes } = await import("../../montecarlo/experiment.js");
    try {
      checkBandMemory(experimentBandWork(spec, plannedLanes(spec, opts)), totalmem());
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  const { runExperiment } = await import("../../montecarlo/experiment.js");
  const { progress } = await import("../progress.js");
  // Ctrl-C is ours from before the store opens: a signal at any moment stops the experiment
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write(
      opts.store === false
        ? "\ninterrupted: stopping; nothing is kept (--no-store)\n"
        : "\ninterrupted: stopping; completed points are kept\n",
    );
    abort.abort();
  };
  process.once("SIGINT", onSigint);
  let sink: Awaited<ReturnType<typeof openSink>>;
  try {
    sink = await openSink(opts.store);
  } catch (e) {
    process.removeListener("SIGINT", onSigint);
    throw e;
  }
  const bar = progress(kind, "runs", opts.quiet);
  // said as soon as the store is opened, before any progress line
  const onNotice = (notice: string) => process.stderr.write(`warning: ${notice}\n`);
  try {
    const outcome = opts.queue
      ? await (await import("./worker.js")).runQueuedExperiment(spec, opts.queue, {
          sink,
          resume: opts.resume,
          signal: abort.signal,
          quiet: opts.quiet,
          label: kind,
          onNotice,
        })
      : await runExperiment(spec, {
          workers: opts.workers,
          sink: sink ?? undefined,
          resume: opts.resume,
          signal: abort.signal,
          onNotice,
          onProgress: (done, total) => bar.update(done, total),
        });
    bar.stop();
    let stored: PointResult[] = [];
    if (outcome.skippedPoints > 0 && sink && outcome.experimentId) {
      const loaded = await (
        sink as unknown as { loadExperiment(id: string): Promise<{ points: PointResult[] } | null> }
      ).loadExperiment(outcome.experimentId);
      stored = loaded?.points ?? [];
    }
    if (outcome.interrupted) {
      process.stderr.write(
        `stopped after ${outcome.points.filter(Boolean).length + outcome.skippedPoints} of ${counted(points.length, "point")}; ` +
          (opts.store === false
            ? "nothing was stored (--no-store)\n"
            : "continue with the same command and --resume\n"),
      );
      process.exitCode = EXIT_INTERRUPTED;
    }
    if (!opts.quiet && outcome.experimentId)
      process.stdout.write(
        `experiment ${outcome.experimentId}${outcome.resumed ? " (resumed)" : ""} stored in ${opts.store}\n`,
      );
    // from here on the experiment is done (and stored): Ctrl-C while the files are written says
    // how to get them from the store instead of dying silently with some of them missing
    process.removeListener("SIGINT", onSigint);
    if (!outcome.interrupted)
      process.once("SIGINT", () => {
        const id = outcome.experimentId;
        process.stderr.write(
          id && opts.store !== false
            ? `\ninterrupted after the experiment finished: ${id} is stored; if output files are missing, \`bme export ${id} --store ${opts.store}${opts.out ? ` --out ${opts.out}` : ""}\` writes them\n`
            : "\ninterrupted after the experiment finished, while writing its output (--no-store: nothing was kept)\n",
        );
        process.exit(EXIT_INTERRUPTED);
      });
    if (opts.keepRuns && opts.out && !outcome.interrupted) {
      const { writeRunTables } = await import("../../montecarlo/keepRuns.js");
      const files = writeRunTables(spec, opts.out);
      if (!opts.quiet) process.stdout.write(`${files} run tables in ${join(opts.out, "runs")}\n`);
    }
    // a resumed experiment keeps the time it was first created
    const createdAt =
      sink && outcome.experimentId
        ? (
            await (
              sink as unknown as { listExperiments(): Promise<{ id: string; createdAt: string }[]> }
            ).listExperiments()
          ).find((e) => e.id === outcome.experimentId)?.createdAt
        : undefined;
    return { outcome, spec, stored, createdAt };
  } finally {
    process.removeListener("SIGINT", onSigint);
    await sink?.close();
  }
}

/**
 * `--keep-runs` writes one file per run after the experiment: refused up front when the disk
 * of `out` has not the room (exit 2), announced when it is above a gigabyte.
 */
async function checkRunTablesSpace(spec: ExperimentSpec, out: string): Promise<void> {
  const { runTablesBytes } = await import("../../montecarlo/keepRuns.js");
  const bytes = runTablesBytes(spec);
  const files = spec.runsPerPoint * spec.points.length;
  let at = resolve(out);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  const { bavail, bsize } = statfsSync(at);
  const free = bavail * bsize;
  const size = (b: number) =>
    b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${Math.ceil(b / 1e6)} MB`;
  const what = `--keep-runs: ${files.toLocaleString("en-US")} run tables, about ${size(bytes)}`;
  if (bytes > free)
    throw new CliError(
      `${what}, more than the ${size(free)} free on the disk of ${out}: keep fewer runs (--runs) or drop --keep-runs`,
    );
  if (bytes > 1e9) process.stderr.write(`warning: ${what} in ${join(out, "runs")}\n`);
}

/** `--out DIR`: the same tables, columns and names as `bme export` (src/io/experiment.ts). */
async function writePointFiles(
  dir: string,
  format: TableFileFormat,
  { spec, outcome, createdAt }: Executed,
  points: readonly PointResult[],
): Promise<void> {
  const { writeExperimentTables } = await import("../../io/experiment.js");
  await writeExperimentTables(
    dir,
    points,
    {
      id: outcome.experimentId,
      // a stored experiment's creation time; without a store there is no record, and two runs of
      // one command write the same bytes
      ...(outcome.experimentId !== null && createdAt !== undefined ? { createdAt } : {}),
      finished: !outcome.interrupted && points.length === spec.points.length,
      pointsStored: points.length,
      spec,
    },
    format,
  );
}

/**
 * `--plugin` files, imported here once before any run (a bad module costs nothing) and named by
 * path and hash for the workers (src/plugins/refs.ts). Plugin metric names must be new.
 */
async function checkPlugins(paths: readonly string[]): Promise<unknown[]> {
  const { loadPlugins } = await import("../../plugins/load.js");
  const { pluginRefs } = await import("../../plugins/refs.js");
  try {
    const refs = pluginRefs(paths);
    await loadPlugins(refs.map((r) => r.path));
    return refs;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** The names `--metric` accepts: OUTCOME_METRICS and the `--plugin` modules' metrics. */
async function knownMetrics(plugins: readonly string[]): Promise<string[]> {
  if (plugins.length === 0) return [...OUTCOME_METRICS];
  const { loadPlugins } = await import("../../plugins/load.js");
  const loaded = await loadPlugins(plugins).catch((e) => {
    throw new CliError((e as Error).message);
  });
  return [...OUTCOME_METRICS, ...loaded.metrics.map((m) => m.name)];
}

/** Arm labels from scenario names: the names, or "<name> (A)"/"<name> (B)" when they are equal. */
function defaultLabels(nameA: string, nameB: string): [string, string] {
  return nameA === nameB ? [`${nameA} (A)`, `${nameB} (B)`] : [nameA, nameB];
}

function allPoints(outcome: ExperimentOutcome, stored: PointResult[]): PointResult[] {
  const byIndex = new Map<number, PointResult>();
  for (const p of stored) byIndex.set(p.index, p);
  for (const p of outcome.points) if (p) byIndex.set(p.index, p);
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

function pointTable(points: readonly PointResult[], metrics: readonly string[]): string {
  const paramNames = [...new Set(points.flatMap((p) => Object.keys(p.params)))];
  const head = ["point", ...paramNames, ...metrics.map((m) => `${m} mean [p5, p95]`)];
  const rows = points.map((p) => [
    String(p.index),
    ...paramNames.map((n) => String(p.params[n] ?? "")),
    ...metrics.map((m) => {
      const s = p.summary[m];
      if (s.missing && Number.isNaN(s.mean))
        return `— (missing in all ${counted(s.missing, "run")})`;
      const missing = s.missing ? ` (${s.missing} missing)` : "";
      return `${fmt(s.mean)} [${fmt(s.p5)}, ${fmt(s.p95)}]${missing}`;
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}

/** Load a scenario (printing the loader's warnings); `--out` is checked first, before any work. */
async function load(
  file: string,
  opts: CommonOptions,
  inputs: readonly string[] = [file],
): Promise<Scenario> {
  if (opts.out !== undefined) checkOutputDir(opts.out, inputs);
  if (!opts.queue && opts.workers > 1) {
    // the worker threads load while this thread reads the scenario ("Lanes from the work")
    const { earlyThreads } = await import("../../montecarlo/experiment.js");
    const { startThreadsEarly } = await import("../../montecarlo/threads.js");
    startThreadsEarly(earlyThreads(opts.workers, opts.runs));
  }
  const { loadScenario } = await import("../../scenario/load.js");
  const { scenario, warnings } = loadScenario(file, {
    set: opts.set,
    days: opts.days,
    deterministic: opts.deterministic,
  });
  if (!opts.quiet) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  // a Monte Carlo of a scenario without randomness repeats one run (docs/model-stress.md)
  const { randomSources } = await import("../../processes/deterministic.js");
  if (!opts.quiet && opts.runs > 1 && randomSources(scenario).length === 0)
    process.stderr.write(
      `warning: ${file} has no randomness${opts.deterministic ? " (--deterministic)" : ""}: all ${opts.runs} runs will be identical\n`,
    );
  return scenario;
}

/**
 * Failed runs are counted and reported, and make the command exit 1 (what was computed is kept
 * and written; the store does not mark the experiment finished).
 */
export function reportFailedRuns(points: readonly PointResult[]): void {
  let failed = 0;
  let total = 0;
  let first: { point: number; run: number; error: string } | null = null;
  for (const p of points) {
    failed += p.outcomes.runs - p.bands.runs;
    total += p.outcomes.runs;
    if (first === null && p.failedRuns.length > 0) first = { point: p.index, ...p.failedRuns[0] };
  }
  if (failed === 0) return;
  const where = first ? ` (first: point ${first.point}, run ${first.run}: ${first.error})` : "";
  process.stderr.write(`error: ${failed} of ${counted(total, "run")} failed${where}\n`);
  if (process.exitCode !== EXIT_INTERRUPTED) process.exitCode = EXIT_FAILURE;
}

/** `--metric`: checked against OUTCOME_METRICS and the plugins' metrics once they are loaded. */
function parseMetric(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `bme montecarlo`, `sweep`, `compare` and `sensitivity`. */
export function registerExperiments(program: Command): void {
  registerMontecarlo(program);
  registerSweep(program);
  registerCompare(program);
  registerSensitivity(program);
}

function registerMontecarlo(program: Command): void {
  common(
    program
      .command("montecarlo")
      .description("run a scenario many times with seeded noise: per-day bands and outcome metrics")
      .argument("<scenario>", "scenario file"),
    1000,
  ).action(
    action(async (file: string, opts: CommonOptions) => {
      const { writeJson } = await import("../../montecarlo/files.js");
      const scenario = await load(file, opts);
      const run = await execute("montecarlo", scenario, opts, [{ index: 0, params: {} }], {});
      const points = allPoints(run.outcome, run.stored);
      reportFailedRuns(points);
      if (opts.out && points.length > 0) {
        await writePointFiles(opts.out, opts.format, run, points);
        writeJson(opts.out, "summary.json", {
          scenario: scenario.name,
          seed: opts.seed,
          runs: opts.runs,
          summary: points[0].summary,
        });
      }
      if (!opts.quiet && points.length > 0) {
        process.stdout.write(
          `${scenario.name}: ${counted(opts.runs, "run")}, seed ${opts.seed}\n${pointTable(points, metricNames(points[0]))}\n`,
        );
      }
    }),
  );
}

function registerSweep(program: Command): void {
  common(
    program
      .command("sweep")
      .description("run a Monte Carlo at every point of a grid or zip of parameter values")
      .argument("<scenario>", "scenario file"),
    100,
  )
    .option(
      "--grid <path=values>",
      "sweep a field over values v1,v2,… or start:stop:step; grids combine as every combination (repeatable)",
      collect,
      [],
    )
    .option(
      "--zip <path=values>",
      "sweep fields together, paired by position (repeatable)",
      collect,
      [],
    )
    .action(
      action(async (file: string, opts: CommonOptions & { grid: string[]; zip: string[] }) => {
        const { expandSweep, parseAxis } = await import("../../montecarlo/sweep.js");
        let grid: Axis[];
        let zip: Axis[];
        let points: PointSpec[];
        try {
          grid = opts.grid.map((g) => parseAxis("--grid", g));
          zip = opts.zip.map((z) => parseAxis("--zip", z));
          points = expandSweep(grid, zip);
        } catch (e) {
          throw new CliError((e as Error).message);
        }
        if (grid.length + zip.length === 0)
          throw new CliError("give at least one --grid or --zip axis");
        const scenario = await load(file, opts);
        const run = await execute("sweep", scenario, opts, points, {
          grid,
          zip,
        });
        const all = allPoints(run.outcome, run.stored);
        reportFailedRuns(all);
        if (opts.out) await writePointFiles(opts.out, opts.format, run, all);
        if (!opts.quiet)
          process.stdout.write(
            `${pointTable(all, [
              "finalPrice",
              "maxDrawdown",
              "minTokenReserve",
              "shortfallDays",
              ...(all[0] ? metricNames(all[0]).slice(OUTCOME_METRICS.length) : []),
            ])}\n`,
          );
      }),
    );
}

function registerCompare(program: Command): void {
  common(
    program
      .command("compare")
      .description(
        "A/B: the same runs and seeds in two scenarios; paired differences with 95% intervals",
      )
      .argument("<a>", "scenario A")
      .argument("<b>", "scenario B"),
    500,
  )
    .option(
      "--label-a <name>",
      "name of arm A in the output and reports (default: its scenario name)",
    )
    .option(
      "--label-b <name>",
      "name of arm B in the output and reports (default: its scenario name)",
    )
    .action(
      action(
        async (
          fileA: string,
          fileB: string,
          opts: CommonOptions & { labelA?: string; labelB?: string },
        ) => {
          const { pairedDifferences } = await import("../../montecarlo/compare.js");
          const { writeAnalysisFiles } = await import("../../montecarlo/files.js");
          const a = await load(fileA, opts, [fileA, fileB]);
          const b = await load(fileB, opts, [fileA, fileB]);
          const [defaultA, defaultB] = defaultLabels(a.name, b.name);
          const labels: [string, string] = [opts.labelA ?? defaultA, opts.labelB ?? defaultB];
          // one experiment, two points with common random numbers: A is the base, B replaces it whole
          const run = await execute(
            "compare",
            a,
            opts,
            [
              { index: 0, params: {} },
              { index: 1, params: {}, scenario: b },
            ],
            { labels, files: [fileA, fileB] },
          );
          const both = allPoints(run.outcome, run.stored);
          reportFailedRuns(both);
          const [pa, pb] = both;
          if (!pa || !pb) return;
          const diffs = pairedDifferences(pa, pb);
          if (opts.out) {
            writeAnalysisFiles(opts.out, run.spec, [pa, pb]);
            await writePointFiles(opts.out, opts.format, run, [pa, pb]);
          }
          if (!opts.quiet) {
            // a metric that does not exist in a run (docs/limits.md) pairs nothing: say so, as
            // montecarlo's table does, rather than print NaN
            const rows = diffs.map((d) =>
              d.n === 0
                ? [d.metric, "—", "—", "—", `(missing in all ${counted(opts.runs, "run")})`]
                : [
                    d.metric,
                    fmt(d.meanA),
                    fmt(d.meanB),
                    fmt(d.mean),
                    `[${fmt(d.low)}, ${fmt(d.high)}]${d.n < opts.runs ? ` (${counted(opts.runs - d.n, "run")} missing)` : ""}`,
                  ],
            );
            const head = ["metric", "mean A", "mean B", "B − A", "95% CI"];
            const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
            process.stdout.write(
              `A = ${labels[0]} (${fileA}), B = ${labels[1]} (${fileB}): ${counted(opts.runs, "paired run")}, seed ${opts.seed}\n`,
            );
            process.stdout.write(
              `${[head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n")}\n`,
            );
          }
        },
      ),
    );
}

function registerSensitivity(program: Command): void {
  common(
    program
      .command("sensitivity")
      .description("move each on-chain variable ±delta and rank them by their effect (a tornado)")
      .argument("<scenario>", "scenario file"),
    200,
  )
    .option(
      "--delta <fraction>",
      "relative move of each variable",
      realNumber("--delta", { min: 0, max: 1, minOpen: true, maxOpen: true }),
      0.1,
    )
    .option(
      "--metric <name>",
      `outcome metric to rank by (repeatable; ${OUTCOME_METRICS.join(", ")}, or a --plugin metric)`,
      parseMetric,
      [] as string[],
    )
    .action(
      action(async (file: string, opts: CommonOptions & { delta: number; metric: string[] }) => {
        const metrics: string[] = opts.metric.length > 0 ? opts.metric : ["finalPrice"];
        const known = await knownMetrics(opts.plugin);
        for (const m of metrics)
          if (!known.includes(m))
            throw new CliError(`--metric must be one of ${known.join(", ")}, got "${m}"`);
        const { sensitivityPlan } = await import("../../montecarlo/sensitivity.js");
        const { sensitivityTables, writeAnalysisFiles } = await import("../../montecarlo/files.js");
        const scenario = await load(file, opts);
        const plan = sensitivityPlan(scenario, opts.delta);
        const run = await execute("sensitivity", scenario, opts, plan.points, {
          delta: opts.delta,
          metric: metrics[0],
          metrics,
        });
        const all = allPoints(run.outcome, run.stored);
        reportFailedRuns(all);
        if (all.length < plan.points.length) return;
        const tables = sensitivityTables(plan, all, metrics);
        if (opts.out) {
          writeAnalysisFiles(opts.out, run.spec, all);
          await writePointFiles(opts.out, opts.format, run, all);
        }
        if (!opts.quiet)
          for (const { metric, rows } of tables) {
            process.stdout.write(
              `${metric} (mean over ${counted(opts.runs, "run")}), each variable ×(1 ± ${opts.delta}):\n`,
            );
            for (const r of rows)
              process.stdout.write(
                `  ${r.variable.padEnd(26)} swing ${fmt(r.swing).padEnd(10)} low ${fmt(r.low)} → ${fmt(r.metricAtLow)}   high ${fmt(r.high)} → ${fmt(r.metricAtHigh)}\n`,
              );
            for (const s of plan.skipped)
              process.stdout.write(`  ${s.variable.padEnd(26)} skipped: ${s.reason}\n`);
          }
      }),
    );
}
