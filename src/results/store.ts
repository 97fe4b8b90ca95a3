import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  blobValue,
  type DuckDBBlobValue,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
} from "@duckdb/node-api";
import {
  BAND_STATS,
  type BandStat,
  type ExperimentKind,
  type ExperimentSink,
  type ExperimentSpec,
  type MetricSummary,
  metricNames,
  OUTCOME_METRICS,
  type OutcomeMetric,
  type PointResult,
} from "../analysis/types.js";
import { writeExperimentTables } from "../io/experiment.js";
import type { Scenario } from "../scenario/schema.js";
import { StoreError } from "./errors.js";
import type { ExportFormat } from "./export.js";
import { canonicalHash, decodeJson, encodeJson } from "./json.js";
import { resumeNotice, specChanges } from "./resume.js";
import { ID_PREFIX, PLUGIN_OUTCOMES_SQL, SCHEMA_SQL, SCHEMA_VERSION, TABLES } from "./schema.js";

export { DEFAULT_STORE } from "./defaults.js";

/** What `begin` returns: the experiment to write to and the points it already holds. */
export interface BeginResult {
  readonly experimentId: string;
  readonly completedPoints: ReadonlySet<number>;
  /** True when an unfinished experiment of the same spec was continued. */
  readonly resumed: boolean;
  /**
   * With resume, when nothing could be continued: why (the most recent unfinished experiment of
   * the same kind and scenario name, and what of its spec changed — e.g. an edited plugin file).
   */
  readonly notice?: string;
}

/** One line of `bme runs`. */
export interface ExperimentSummary {
  readonly id: string;
  readonly kind: ExperimentKind;
  readonly scenarioName: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly version: string;
  readonly seed: number;
  readonly runsPerPoint: number;
  readonly pointsTotal: number;
  readonly pointsStored: number;
  /** Runs that stopped with an error, over the stored points. */
  readonly failedRuns: number;
  /** Every point stored and every run whole; an experiment with failed runs is never finished. */
  readonly finished: boolean;
}

/** A stored experiment: its spec and the points stored so far, by index. */
export interface LoadedExperiment {
  readonly id: string;
  readonly spec: ExperimentSpec;
  readonly points: PointResult[];
  readonly finished: boolean;
}

/** A finished chunk of runs of a point (the distributed queue's unit of work). */
export interface StoredChunk {
  readonly runStart: number;
  readonly runEnd: number;
  readonly bytes: Uint8Array;
}

/** The results store: an embedded DuckDB file of experiments (docs/store.md). */
export interface Store extends ExperimentSink {
  begin(spec: ExperimentSpec, options: { resume: boolean }): Promise<BeginResult>;
  listExperiments(): Promise<ExperimentSummary[]>;
  loadExperiment(id: string): Promise<LoadedExperiment | null>;
  /** Write experiment.json and points/bands/outcomes in `format` into `outDir`; returns the files. */
  exportExperiment(id: string, format: ExportFormat, outDir: string): Promise<string[]>;
  /** Store a finished chunk; a chunk stored twice (same experiment, point, runStart) is kept once. */
  writeChunk(
    experimentId: string,
    point: number,
    runStart: number,
    runEnd: number,
    bytes: Uint8Array,
  ): Promise<void>;
  /** The chunks of a point, sorted by runStart. */
  loadChunks(experimentId: string, point: number): Promise<StoredChunk[]>;
  deleteChunks(experimentId: string, point: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * One DuckDB instance per file per process, shared by reference count: two instances of one
 * file in one process would each keep their own state and one's writes would be lost. The last
 * close releases the instance, and with it the file lock another process may be waiting for.
 */
const instances = new Map<string, { instance: DuckDBInstance; refs: number; readOnly: boolean }>();
let opening: Promise<unknown> = Promise.resolve();

async function acquire(
  path: string,
  readOnly: boolean,
): Promise<{ instance: DuckDBInstance; release(): void }> {
  const key = resolve(path);
  let entry = instances.get(key);
  if (!entry) {
    const instance = await createInstance(path, readOnly);
    entry = { instance, refs: 0, readOnly };
    instances.set(key, entry);
  } else if (entry.readOnly && !readOnly)
    throw new StoreError(
      `store ${path} is open read-only in this process; close it before writing`,
      "busy",
    );
  const held = entry;
  held.refs++;
  let released = false;
  return {
    instance: held.instance,
    release() {
      if (released) return;
      released = true;
      if (--held.refs === 0) {
        instances.delete(key);
        held.instance.closeSync();
      }
    },
  };
}

/**
 * How long an open waits for another process's lock (a dashboard reading between two polls,
 * a command listing experiments) before it says "in use", ms. A writer waits longer than a
 * reader: a dashboard polling the store must never make a CLI writer fail.
 */
export const LOCK_WAIT_MS = { writer: 3_000, reader: 1_000 } as const;

async function createInstance(path: string, readOnly: boolean): Promise<DuckDBInstance> {
  const deadline = Date.now() + (readOnly ? LOCK_WAIT_MS.reader : LOCK_WAIT_MS.writer);
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      return await DuckDBInstance.create(path, {
        access_mode: readOnly ? "READ_ONLY" : "READ_WRITE",
      });
    } catch (e) {
      const error = openError(path, e);
      if (error.reason !== "busy" || Date.now() + wait > deadline) throw error;
      await new Promise((done) => setTimeout(done, wait));
    }
  }
}

/** Open (creating unless read-only) the store at `path`. */
export async function openStore(path: string, options?: { readOnly?: boolean }): Promise<Store> {
  const readOnly = options?.readOnly ?? false;
  if (readOnly && !existsSync(path)) throw new StoreError(`no results store at ${path}`, "missing");
  // a new store's folder is made, as an output folder is (`--store runs/2026/a.duckdb`)
  if (!readOnly && !existsSync(path)) mkdirSync(dirname(resolve(path)), { recursive: true });
  // opens of one process are serialised (instance, connection and schema), so two at once
  // share one instance and do not race to create the tables
  const opened = opening.then(() => openShared(path, readOnly));
  opening = opened.catch(() => {});
  return opened;
}

async function openShared(path: string, readOnly: boolean): Promise<Store> {
  const { instance, release } = await acquire(path, readOnly);
  const connection = await instance.connect();
  const store = new DuckDbStore(path, release, connection);
  try {
    await store.init(readOnly);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

function openError(path: string, e: unknown): StoreError {
  const message = e instanceof Error ? e.message : String(e);
  const holder = /Conflicting lock is held in (.*?)(?:\. See|$)/.exec(message);
  if (/Could not set lock/i.test(message))
    return new StoreError(
      `store ${path} is in use by another process${holder ? ` (${holder[1]})` : ""}: ` +
        "wait for it to finish, or use another --store",
      "busy",
    );
  // DuckDB's words for a file that is not a database: say it in the user's terms
  if (
    /not a valid DuckDB database file|Cannot launch in-memory database in read-only mode/i.test(
      message,
    )
  )
    return new StoreError(
      `cannot open store ${path}: it is not a results store (a DuckDB file bme writes)`,
      "invalid",
    );
  return new StoreError(`cannot open store ${path}: ${message}`, "invalid");
}

/** Failed runs of a stored point `p`: runs not in its bands (the listed failures are the first 100). */
export const FAILED_RUNS = "greatest(p.runs - p.band_runs, json_array_length(p.failed_runs_json))";

const num = (v: DuckDBValue) => (typeof v === "bigint" ? Number(v) : (v as number));

class DuckDbStore implements Store {
  /** Every call runs alone, in order: one connection, one transaction at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The store has the plugin_outcomes table (stores written before it may not, read-only). */
  private pluginTable = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly releaseInstance: () => void,
    private readonly db: DuckDBConnection,
  ) {}

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw new StoreError(`store ${this.path} is closed`, "invalid");
      return f();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async transaction<T>(f: () => Promise<T>): Promise<T> {
    await this.db.run("BEGIN TRANSACTION");
    try {
      const out = await f();
      await this.db.run("COMMIT");
      return out;
    } catch (e) {
      await this.db.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  async init(readOnly: boolean): Promise<void> {
    const rows = (
      await this.db.runAndReadAll(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'",
      )
    ).getRows();
    const present = new Set(rows.map((r) => String(r[0])));
    const missing = TABLES.filter((t) => !present.has(t));
    this.pluginTable = present.has("plugin_outcomes");
    if (missing.length === 0 && !this.pluginTable && !readOnly) {
      await this.db.run(PLUGIN_OUTCOMES_SQL);
      this.pluginTable = true;
    }
    if (missing.length === 0) {
      const v = (
        await this.db.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'")
      ).getRows();
      if (v.length > 0 && Number(v[0]![0]) > SCHEMA_VERSION)
        throw new StoreError(
          `store ${this.path} was written by a newer bme-sim (schema ${v[0]![0]}, this one reads ${SCHEMA_VERSION})`,
          "invalid",
        );
      return;
    }
    if (readOnly || (present.size > 0 && !present.has("experiments")))
      throw new StoreError(
        `${this.path} is not a results store (no ${missing.join(", ")})`,
        "invalid",
      );
    await this.transaction(async () => {
      await this.db.run(SCHEMA_SQL);
      await this.db.run(PLUGIN_OUTCOMES_SQL);
      this.pluginTable = true;
      await this.db.run("INSERT INTO meta VALUES ('schema_version', $v) ON CONFLICT DO NOTHING", {
        v: String(SCHEMA_VERSION),
      });
    });
  }

  begin(spec: ExperimentSpec, options: { resume: boolean }): Promise<BeginResult> {
    return this.serial(async () => {
      const hash = canonicalHash(spec);
      if (options.resume) {
        const found = (
          await this.db.runAndReadAll(
            "SELECT id FROM experiments WHERE spec_hash = $h AND NOT finished ORDER BY seq DESC LIMIT 1",
            { h: hash },
          )
        ).getRows();
        if (found.length > 0) {
          const experimentId = String(found[0]![0]);
          const done = (
            await this.db.runAndReadAll(
              "SELECT point_index FROM points WHERE experiment_id = $id ORDER BY point_index",
              { id: experimentId },
            )
          ).getRows();
          return {
            experimentId,
            completedPoints: new Set(done.map((r) => num(r[0]!))),
            resumed: true,
          };
        }
      }
      const notice = options.resume ? await this.resumeNoticeOf(spec) : undefined;
      const { scenario, ...rest } = spec;
      const experimentId = await this.transaction(async () => {
        const seq =
          num(
            (
              await this.db.runAndReadAll("SELECT coalesce(max(seq), 0) FROM experiments")
            ).getRows()[0]![0]!,
          ) + 1;
        const id = `${ID_PREFIX[spec.kind] ?? spec.kind}-${String(seq).padStart(4, "0")}`;
        await this.db.run(
          `INSERT INTO experiments VALUES ($id, $seq, $kind, $hash, $name, $scenario, $spec,
             $version, $seed, $runs, $n, $created::TIMESTAMP, false)`,
          {
            id,
            seq,
            kind: spec.kind,
            hash,
            name: spec.scenarioName,
            scenario: encodeJson(scenario),
            spec: encodeJson(rest),
            version: spec.version,
            seed: BigInt(Math.trunc(spec.seed)),
            runs: spec.runsPerPoint,
            n: spec.points.length,
            created: new Date().toISOString().replace("Z", ""),
          },
        );
        return id;
      });
      return { experimentId, completedPoints: new Set<number>(), resumed: false, notice };
    });
  }

  /** Why `spec` resumes nothing: the latest unfinished experiment of its kind and name, and what changed. */
  private async resumeNoticeOf(spec: ExperimentSpec): Promise<string> {
    const rows = (
      await this.db.runAndReadAll(
        `SELECT id, scenario_json, spec_json FROM experiments
           WHERE kind = $k AND scenario_name = $n AND NOT finished ORDER BY seq DESC LIMIT 1`,
        { k: spec.kind, n: spec.scenarioName },
      )
    ).getRows();
    if (rows.length === 0) return resumeNotice(null, [], spec.kind);
    const old = {
      ...decodeJson<Omit<ExperimentSpec, "scenario">>(String(rows[0]![2])),
      scenario: decodeJson<Scenario>(String(rows[0]![1])),
    };
    return resumeNotice(String(rows[0]![0]), specChanges(old, spec), spec.kind);
  }

  writePoint(experimentId: string, point: PointResult): Promise<void> {
    return this.serial(async () => {
      await this.requireExperiment(experimentId);
      const { bands, outcomes } = point;
      const cells = bands.columns.length * bands.days;
      for (const s of BAND_STATS)
        if (bands.stats[s].length !== cells)
          throw new StoreError(
            `point ${point.index}: bands.stats.${s} has ${bands.stats[s].length} values, expected ${cells}`,
            "internal",
          );
      for (const m of OUTCOME_METRICS)
        if (outcomes.metrics[m].length !== outcomes.runs)
          throw new StoreError(
            `point ${point.index}: outcomes.${m} has ${outcomes.metrics[m].length} values, expected ${outcomes.runs}`,
            "internal",
          );
      await this.transaction(async () => {
        const key = { id: experimentId, p: point.index };
        for (const t of ["points", "bands", "outcomes", "plugin_outcomes"])
          await this.db.run(`DELETE FROM ${t} WHERE experiment_id = $id AND point_index = $p`, key);
        await this.db.run(
          "INSERT INTO points VALUES ($id, $p, $params, $runs, $bandRuns, $days, $columns, $summary, $failed)",
          {
            ...key,
            params: encodeJson(point.params),
            runs: outcomes.runs,
            bandRuns: bands.runs,
            days: bands.days,
            columns: encodeJson(bands.columns),
            summary: encodeJson(point.summary),
            failed: encodeJson(point.failedRuns),
          },
        );
        const b = await this.db.createAppender("bands");
        try {
          const stats = BAND_STATS.map((s) => bands.stats[s]);
          bands.columns.forEach((name, c) => {
            for (let t = 0; t < bands.days; t++) {
              const i = c * bands.days + t;
              b.appendVarchar(experimentId);
              b.appendInteger(point.index);
              b.appendInteger(c);
              b.appendVarchar(name);
              b.appendInteger(t);
              for (const arr of stats) b.appendDouble(arr[i]!);
              b.endRow();
            }
          });
        } finally {
          b.closeSync();
        }
        const o = await this.db.createAppender("outcomes");
        try {
          const metrics = OUTCOME_METRICS.map((m) => outcomes.metrics[m]);
          for (let r = 0; r < outcomes.runs; r++) {
            o.appendVarchar(experimentId);
            o.appendInteger(point.index);
            o.appendInteger(r);
            for (const arr of metrics) o.appendDouble(arr[r]!);
            o.endRow();
          }
        } finally {
          o.closeSync();
        }
        await this.writePluginOutcomes(experimentId, point);
      });
    });
  }

  /** The point's plugin metrics (those after OUTCOME_METRICS), one row per metric and run. */
  private async writePluginOutcomes(experimentId: string, point: PointResult): Promise<void> {
    const names = metricNames(point).slice(OUTCOME_METRICS.length);
    if (names.length === 0) return;
    const a = await this.db.createAppender("plugin_outcomes");
    try {
      names.forEach((m, j) => {
        const values = point.outcomes.metrics[m]!;
        if (values.length !== point.outcomes.runs)
          throw new StoreError(
            `point ${point.index}: outcomes.${m} has ${values.length} values, expected ${point.outcomes.runs}`,
            "internal",
          );
        for (let r = 0; r < values.length; r++) {
          a.appendVarchar(experimentId);
          a.appendInteger(point.index);
          a.appendInteger(OUTCOME_METRICS.length + j);
          a.appendVarchar(m);
          a.appendInteger(r);
          a.appendDouble(values[r]!);
          a.endRow();
        }
      });
    } finally {
      a.closeSync();
    }
  }

  /** Plugin metrics of a stored point, in their order, by name (none in stores without them). */
  private async loadPluginOutcomes(
    key: { id: string; p: number },
    runs: number,
  ): Promise<Record<string, Float64Array>> {
    const out: Record<string, Float64Array> = {};
    if (!this.pluginTable) return out;
    const cols = (
      await this.db.runAndReadAll(
        `SELECT metric, run, value FROM plugin_outcomes
         WHERE experiment_id = $id AND point_index = $p ORDER BY metric_index, run`,
        key,
      )
    ).getColumns();
    const names = cols[0] ?? [];
    for (let k = 0; k < names.length; k++) {
      const m = String(names[k]);
      out[m] ??= new Float64Array(runs).fill(Number.NaN);
      out[m][num(cols[1]![k]!)] = cols[2]![k] as number;
    }
    return out;
  }

  finish(experimentId: string): Promise<void> {
    return this.serial(async () => {
      await this.requireExperiment(experimentId);
      // a point with failed runs is stored (what it has is kept) but never counts as whole
      await this.db.run(
        `UPDATE experiments SET finished = true WHERE id = $id
           AND NOT EXISTS (SELECT 1 FROM points p WHERE p.experiment_id = $id AND ${FAILED_RUNS} > 0)`,
        { id: experimentId },
      );
    });
  }

  private async requireExperiment(id: string): Promise<void> {
    const r = await this.db.runAndReadAll("SELECT 1 FROM experiments WHERE id = $id", { id });
    if (r.getRows().length === 0)
      throw new StoreError(`no experiment "${id}" in ${this.path}`, "not-found");
  }

  listExperiments(): Promise<ExperimentSummary[]> {
    return this.serial(async () => {
      const rows = (
        await this.db.runAndReadAll(
          `SELECT e.id, e.kind, e.scenario_name, strftime(e.created_at, '%Y-%m-%dT%H:%M:%S.%gZ'),
             e.version, e.seed, e.runs_per_point, e.n_points,
             (SELECT count(*) FROM points p WHERE p.experiment_id = e.id), e.finished,
             (SELECT coalesce(sum(${FAILED_RUNS}), 0) FROM points p WHERE p.experiment_id = e.id)
           FROM experiments e ORDER BY e.seq`,
        )
      ).getRows();
      return rows.map((r) => ({
        id: String(r[0]),
        kind: String(r[1]) as ExperimentKind,
        scenarioName: String(r[2]),
        createdAt: String(r[3]),
        version: String(r[4]),
        seed: num(r[5]!),
        runsPerPoint: num(r[6]!),
        pointsTotal: num(r[7]!),
        pointsStored: num(r[8]!),
        finished: r[9] === true,
        failedRuns: num(r[10]!),
      }));
    });
  }

  loadExperiment(id: string): Promise<LoadedExperiment | null> {
    return this.serial(async () => {
      const e = (
        await this.db.runAndReadAll(
          "SELECT scenario_json, spec_json, finished FROM experiments WHERE id = $id",
          { id },
        )
      ).getRows();
      if (e.length === 0) return null;
      const scenario = decodeJson<Scenario>(String(e[0]![0]));
      const rest = decodeJson<Omit<ExperimentSpec, "scenario">>(String(e[0]![1]));
      const { kind, scenarioName, ...others } = rest;
      const spec: ExperimentSpec = { kind, scenarioName, scenario, ...others };
      const rows = (
        await this.db.runAndReadAll(
          `SELECT point_index, params_json, runs, band_runs, days, columns_json, summary_json,
             failed_runs_json FROM points WHERE experiment_id = $id ORDER BY point_index`,
          { id },
        )
      ).getRows();
      const points: PointResult[] = [];
      for (const r of rows) points.push(await this.loadPoint(id, r));
      return { id, spec, points, finished: e[0]![2] === true };
    });
  }

  private async loadPoint(id: string, r: DuckDBValue[]): Promise<PointResult> {
    const index = num(r[0]!);
    const runs = num(r[2]!);
    const days = num(r[4]!);
    const columns = decodeJson<string[]>(String(r[5]));
    const key = { id, p: index };
    const stats = Object.fromEntries(
      BAND_STATS.map((s) => [s, new Float64Array(columns.length * days)]),
    ) as Record<BandStat, Float64Array>;
    const b = (
      await this.db.runAndReadAll(
        `SELECT column_index, day, ${BAND_STATS.join(", ")} FROM bands
         WHERE experiment_id = $id AND point_index = $p`,
        key,
      )
    ).getColumns();
    const bc = b[0] ?? [];
    for (let k = 0; k < bc.length; k++) {
      const i = num(bc[k]!) * days + num(b[1]![k]!);
      BAND_STATS.forEach((s, j) => {
        stats[s][i] = b[2 + j]![k] as number;
      });
    }
    const metrics = Object.fromEntries(
      OUTCOME_METRICS.map((m) => [m, new Float64Array(runs)]),
    ) as Record<OutcomeMetric, Float64Array>;
    const o = (
      await this.db.runAndReadAll(
        `SELECT run, ${OUTCOME_METRICS.map((m) => `"${m}"`).join(", ")} FROM outcomes
         WHERE experiment_id = $id AND point_index = $p`,
        key,
      )
    ).getColumns();
    const oc = o[0] ?? [];
    for (let k = 0; k < oc.length; k++) {
      const run = num(oc[k]!);
      OUTCOME_METRICS.forEach((m, j) => {
        metrics[m][run] = o[1 + j]![k] as number;
      });
    }
    Object.assign(metrics, await this.loadPluginOutcomes(key, runs));
    return {
      index,
      params: decodeJson<PointResult["params"]>(String(r[1])),
      bands: { columns, days, runs: num(r[3]!), stats },
      outcomes: { runs, metrics },
      summary: decodeJson<Record<OutcomeMetric, MetricSummary>>(String(r[6])),
      failedRuns: decodeJson<PointResult["failedRuns"]>(String(r[7])),
    };
  }

  async exportExperiment(id: string, format: ExportFormat, outDir: string): Promise<string[]> {
    const header = await this.serial(async () => {
      await this.requireExperiment(id);
      const e = (
        await this.db.runAndReadAll(
          `SELECT scenario_json, spec_json, finished, strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ'),
             (SELECT count(*) FROM points WHERE experiment_id = $id)
           FROM experiments WHERE id = $id`,
          { id },
        )
      ).getRows()[0]!;
      return {
        id,
        createdAt: String(e[3]),
        finished: e[2] === true,
        pointsStored: num(e[4]!),
        spec: { ...decodeJson<object>(String(e[1])), scenario: decodeJson(String(e[0])) },
      };
    });
    const loaded = await this.loadExperiment(id);
    // one naming scheme for every export: the same tables as `--out DIR` (src/io/experiment.ts)
    return writeExperimentTables(outDir, loaded?.points ?? [], header, format);
  }

  writeChunk(
    experimentId: string,
    point: number,
    runStart: number,
    runEnd: number,
    bytes: Uint8Array,
  ): Promise<void> {
    return this.serial(async () => {
      await this.requireExperiment(experimentId);
      await this.db.run("INSERT INTO chunks VALUES ($id, $p, $s, $e, $b) ON CONFLICT DO NOTHING", {
        id: experimentId,
        p: point,
        s: runStart,
        e: runEnd,
        b: blobValue(bytes),
      });
    });
  }

  loadChunks(experimentId: string, point: number): Promise<StoredChunk[]> {
    return this.serial(async () => {
      const rows = (
        await this.db.runAndReadAll(
          `SELECT run_start, run_end, bytes FROM chunks
           WHERE experiment_id = $id AND point_index = $p ORDER BY run_start`,
          { id: experimentId, p: point },
        )
      ).getRows();
      return rows.map((r) => ({
        runStart: num(r[0]!),
        runEnd: num(r[1]!),
        bytes: new Uint8Array((r[2] as DuckDBBlobValue).bytes),
      }));
    });
  }

  deleteChunks(experimentId: string, point: number): Promise<void> {
    return this.serial(async () => {
      await this.db.run("DELETE FROM chunks WHERE experiment_id = $id AND point_index = $p", {
        id: experimentId,
        p: point,
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.db.closeSync();
    this.releaseInstance();
  }
}
