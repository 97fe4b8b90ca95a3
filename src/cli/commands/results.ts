import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { checkOutputDir } from "../../io/atomic.js";
import { DEFAULT_STORE } from "../../results/defaults.js";
import type { ExperimentSummary, ExportFormat, Store } from "../../results/index.js";
import { action, CliError, storeExitCode } from "../errors.js";

const FORMATS: readonly ExportFormat[] = ["csv", "parquet", "json"];

/** Open the store read-only; its refusals become messages with exit codes, never stack traces. */
async function openReadOnly(path: string): Promise<Store> {
  if (!existsSync(path)) throw new CliError(`--store: no results store at ${path}`);
  const { openStore, StoreError } = await import("../../results/index.js");
  try {
    return await openStore(path, { readOnly: true });
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message, storeExitCode(e.reason));
    throw e;
  }
}

/** `bme runs` as a table: one line per stored experiment, oldest first. */
export function formatRuns(list: readonly ExperimentSummary[], path: string): string {
  if (list.length === 0) return `no experiments in ${path}\n`;
  const head = ["id", "kind", "scenario", "created (UTC)", "points", "runs/point", "finished"];
  const rows = list.map((e) => [
    e.id,
    e.kind,
    e.scenarioName,
    e.createdAt.slice(0, 19).replace("T", " "),
    `${e.pointsStored}/${e.pointsTotal}`,
    String(e.runsPerPoint),
    e.finished
      ? "yes"
      : e.failedRuns > 0
        ? `no (${e.failedRuns} run${e.failedRuns === 1 ? "" : "s"} failed)`
        : "no",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([4, 5]);
  const line = (r: string[]) =>
    r
      .map((v, i) => (right.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join("\n")}\n`;
}

export function registerResults(program: Command): void {
  program
    .command("runs")
    .description("list the experiments in the results store")
    .option("--store <path>", `results store (DuckDB file; default ${DEFAULT_STORE})`)
    .action(
      action(async (opts) => {
        const path = opts.store ?? DEFAULT_STORE;
        const store = await openReadOnly(path);
        try {
          process.stdout.write(formatRuns(await store.listExperiments(), path));
        } finally {
          await store.close();
        }
      }),
    );

  program
    .command("export")
    .description("write a stored experiment as files: experiment.json, points, bands, outcomes")
    .argument("<id>", "experiment id, as `bme runs` lists it")
    .option("--format <format>", `file format: ${FORMATS.join(", ")}`, "csv")
    .option("--out <dir>", "output directory (default out/<id>)")
    .option("--store <path>", `results store (DuckDB file; default ${DEFAULT_STORE})`)
    .action(
      action(async (id, opts) => {
        if (!FORMATS.includes(opts.format as ExportFormat))
          throw new CliError(`--format: "${opts.format}" is not one of ${FORMATS.join(", ")}`);
        const path = opts.store ?? DEFAULT_STORE;
        checkOutputDir(opts.out ?? join("out", id), [path]);
        const store = await openReadOnly(path);
        try {
          const known = (await store.listExperiments()).some((e) => e.id === id);
          if (!known)
            throw new CliError(`no experiment "${id}" in ${path} (\`bme runs\` lists them)`);
          const dir = opts.out ?? join("out", id);
          const files = await store.exportExperiment(id, opts.format as ExportFormat, dir);
          for (const f of files) process.stdout.write(`${f}\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
