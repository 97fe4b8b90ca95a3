import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import { OUTCOME_METRICS } from "../../src/analysis/types.js";
import {
  canonicalHash,
  decodeJson,
  encodeJson,
  openStore,
  type Store,
  StoreError,
} from "../../src/results/index.js";
import { AWKWARD, exact, point, spec } from "./fixtures/points.js";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const tsx = (script: string, ...args: string[]) => [
  "--import",
  "tsx",
  join(FIXTURES, script),
  ...args,
];

const open: Store[] = [];
async function fresh(name = "s.duckdb", readOnly = false): Promise<{ store: Store; path: string }> {
  const path = join(mkdtempSync(join(tmpdir(), "bme-store-")), name);
  const store = await openStore(path, { readOnly });
  open.push(store);
  return { store, path };
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe("exact JSON", () => {
  it("keeps NaN, ±Infinity and −0, which JSON.stringify loses", () => {
    const v = { a: [Number.NaN, Infinity, -Infinity, -0, 0, 0.1 + 0.2], b: { c: 1e-300 } };
    const back = decodeJson<typeof v>(encodeJson(v));
    expect(back.a.map((x) => (Object.is(x, -0) ? "-0" : String(x)))).toEqual([
      "NaN",
      "Infinity",
      "-Infinity",
      "-0",
      "0",
      "0.30000000000000004",
    ]);
    expect(back.b.c).toBe(1e-300);
  });

  it("hashes the same object the same whatever its key order", () => {
    expect(canonicalHash({ a: 1, b: { c: 2, d: 3 } })).toBe(
      canonicalHash({ b: { d: 3, c: 2 }, a: 1 }),
    );
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
  });
});

describe("results store", () => {
  it("gives back every point byte for byte, awkward values included", async () => {
    const { store } = await fresh();
    const s = spec();
    const { experimentId, completedPoints, resumed } = await store.begin(s, { resume: false });
    expect([completedPoints.size, resumed]).toEqual([0, false]);
    const written = [point(0), point(1), point(2, 4, 7, 5)];
    for (const p of written) await store.writePoint(experimentId, p);
    const loaded = await store.loadExperiment(experimentId);
    expect(loaded).not.toBeNull();
    expect(loaded!.finished).toBe(false);
    expect(loaded!.points.map(exact)).toEqual(written.map(exact));
    // the first p5 cells of point 0 are AWKWARD, −0 and NaN included
    const p5 = loaded!.points[0]!.bands.stats.p5;
    expect(Object.is(p5[2], -0)).toBe(true);
    expect(Number.isNaN(p5[4])).toBe(true);
    expect([p5[0], p5[1], p5[3], p5[5], p5[6], p5[7]]).toEqual([
      0.30000000000000004,
      1e-300,
      1e300,
      Infinity,
      -Infinity,
      5e-324,
    ]);
    expect(AWKWARD).toHaveLength(8);
    expect(loaded!.spec).toEqual(s);
    expect(
      Object.is(
        (loaded!.spec.scenario as unknown as { onchain: { floor: number } }).onchain.floor,
        -0,
      ),
    ).toBe(true);
  });

  it("stores a point written twice once, the second write replacing the first", async () => {
    const { store } = await fresh();
    const { experimentId } = await store.begin(spec(), { resume: false });
    await store.writePoint(experimentId, point(1));
    const second = { ...point(1, 2, 3, 4), params: { other: 1 } };
    await store.writePoint(experimentId, second);
    const loaded = await store.loadExperiment(experimentId);
    expect(loaded!.points.map(exact)).toEqual([exact(second)]);
    const [summary] = await store.listExperiments();
    expect(summary!.pointsStored).toBe(1);
  });

  it("writes concurrent calls one after the other", async () => {
    const { store } = await fresh();
    const { experimentId } = await store.begin(spec(), { resume: false });
    await Promise.all([0, 1, 2, 3].map((i) => store.writePoint(experimentId, point(i))));
    await store.finish(experimentId);
    const loaded = await store.loadExperiment(experimentId);
    expect(loaded!.points.map(exact)).toEqual([0, 1, 2, 3].map((i) => exact(point(i))));
    // point 1 holds a failed run: stored as it is, but the experiment is never marked whole
    expect(loaded!.finished).toBe(false);
    expect((await store.listExperiments())[0]!.failedRuns).toBe(1);
  });

  it("marks an experiment finished only when no point has a failed run", async () => {
    const { store } = await fresh();
    const whole = await store.begin(spec({ seed: 1 }, 2), { resume: false });
    for (const i of [0, 2]) await store.writePoint(whole.experimentId, point(i));
    await store.finish(whole.experimentId);
    const broken = await store.begin(spec({ seed: 2 }, 2), { resume: false });
    for (const i of [0, 1]) await store.writePoint(broken.experimentId, point(i));
    await store.finish(broken.experimentId);
    const list = await store.listExperiments();
    expect(list.map((e) => [e.finished, e.failedRuns])).toEqual([
      [true, 0],
      [false, 1],
    ]);
  });

  it("numbers experiments across kinds: mc-0001, sweep-0002, cmp-0003, sens-0004", async () => {
    const { store } = await fresh();
    const ids = [];
    for (const kind of ["montecarlo", "sweep", "compare", "sensitivity"] as const)
      ids.push((await store.begin(spec({ kind }), { resume: false })).experimentId);
    expect(ids).toEqual(["mc-0001", "sweep-0002", "cmp-0003", "sens-0004"]);
  });

  it("lists experiments with their points stored and total", async () => {
    const { store } = await fresh();
    const a = await store.begin(spec({ kind: "montecarlo" }, 1), { resume: false });
    await store.writePoint(a.experimentId, point(0));
    await store.finish(a.experimentId);
    const b = await store.begin(spec({ seed: 9, runsPerPoint: 7 }, 5), { resume: false });
    await store.writePoint(b.experimentId, point(3));
    const list = await store.listExperiments();
    expect(list.map(({ createdAt, ...rest }) => rest)).toEqual([
      {
        id: "mc-0001",
        kind: "montecarlo",
        scenarioName: "tiny",
        version: "0.0.0-test",
        seed: 42,
        runsPerPoint: 3,
        pointsTotal: 1,
        pointsStored: 1,
        failedRuns: 0,
        finished: true,
      },
      {
        id: "sweep-0002",
        kind: "sweep",
        scenarioName: "tiny",
        version: "0.0.0-test",
        seed: 9,
        runsPerPoint: 7,
        pointsTotal: 5,
        pointsStored: 1,
        failedRuns: 0,
        finished: false,
      },
    ]);
    for (const e of list) {
      expect(e.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(e.createdAt) - Date.now())).toBeLessThan(3_600_000);
    }
  });

  it("resumes the latest unfinished experiment of the same spec, with its stored points", async () => {
    const { store } = await fresh();
    const s = spec();
    const first = await store.begin(s, { resume: false });
    await store.writePoint(first.experimentId, point(0));
    await store.writePoint(first.experimentId, point(2));
    // the same spec with its keys in another order is the same spec
    const reordered = { ...s, options: { zip: [], grid: ["onchain.burnShare"] } };
    const again = await store.begin(reordered, { resume: true });
    expect(again.experimentId).toBe(first.experimentId);
    expect(again.resumed).toBe(true);
    expect([...again.completedPoints].sort()).toEqual([0, 2]);
    // another seed is another experiment
    const other = await store.begin(spec({ seed: 43 }), { resume: true });
    expect([other.experimentId, other.resumed, other.completedPoints.size]).toEqual([
      "sweep-0002",
      false,
      0,
    ]);
    // without --resume: a new experiment even though one could be resumed
    const anew = await store.begin(s, { resume: false });
    expect([anew.experimentId, anew.resumed]).toEqual(["sweep-0003", false]);
    // the most recent unfinished one is resumed; a finished one never is
    expect((await store.begin(s, { resume: true })).experimentId).toBe("sweep-0003");
    await store.finish("sweep-0003");
    expect((await store.begin(s, { resume: true })).experimentId).toBe("sweep-0001");
    await store.finish("sweep-0001");
    const last = await store.begin(s, { resume: true });
    expect([last.experimentId, last.resumed]).toEqual(["sweep-0004", false]);
  });

  it("says why --resume starts a new experiment: an edited plugin file, another seed", async () => {
    const { store } = await fresh();
    const ref = (sha: string) => ({ plugins: [{ path: "/p/policy.mjs", sha256: sha }] });
    const a = "a".repeat(64);
    const b = "b".repeat(64);
    const first = await store.begin(spec({ options: ref(a) }), { resume: false });
    expect(first.notice).toBeUndefined();
    // the same file: resumed, no notice
    const same = await store.begin(spec({ options: ref(a) }), { resume: true });
    expect([same.experimentId, same.resumed, same.notice]).toEqual([
      first.experimentId,
      true,
      undefined,
    ]);
    // the plugin file edited (another hash): a new experiment, and the reason
    const edited = await store.begin(spec({ options: ref(b) }), { resume: true });
    expect(edited.resumed).toBe(false);
    expect(edited.notice).toBe(
      `experiment ${first.experimentId} cannot be resumed: plugin /p/policy.mjs changed (sha256 bbbbbbbbbbbb…, was aaaaaaaaaaaa…); starting a new one`,
    );
    // the latest unfinished one is now the edited one: another seed is named as such
    const seed = await store.begin(spec({ options: ref(b), seed: 99 }), { resume: true });
    expect(seed.notice).toBe(
      `experiment ${edited.experimentId} cannot be resumed: the seed changed; starting a new one`,
    );
    // nothing unfinished of that kind and name
    for (const id of [first.experimentId, edited.experimentId, seed.experimentId])
      await store.finish(id);
    expect((await store.begin(spec({ options: ref(b) }), { resume: true })).notice).toBe(
      "no unfinished sweep experiment of this scenario to resume; starting a new one",
    );
  });

  it("refuses points of an unknown experiment; loads an unknown id as null", async () => {
    const { store } = await fresh();
    await expect(store.writePoint("mc-0042", point(0))).rejects.toThrow(/no experiment "mc-0042"/);
    expect(await store.loadExperiment("mc-0042")).toBeNull();
  });

  it("refuses a point whose arrays do not match its shape", async () => {
    const { store } = await fresh();
    const { experimentId } = await store.begin(spec(), { resume: false });
    const p = point(0);
    const bad = { ...p, bands: { ...p.bands, days: 6 } };
    await expect(store.writePoint(experimentId, bad)).rejects.toThrow(/expected 18/);
    expect((await store.loadExperiment(experimentId))!.points).toEqual([]);
  });

  it("stores a chunk finished twice once, and gives chunks back sorted by first run", async () => {
    const { store } = await fresh();
    const { experimentId } = await store.begin(spec(), { resume: false });
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) % 256);
    await store.writePoint(experimentId, point(1));
    await store.writeChunk(experimentId, 1, 20, 30, bytes(10));
    await store.writeChunk(experimentId, 1, 0, 20, bytes(300));
    await store.writeChunk(experimentId, 1, 20, 30, bytes(10));
    await store.writeChunk(experimentId, 2, 0, 5, new Uint8Array([0, 255]));
    const chunks = await store.loadChunks(experimentId, 1);
    expect(chunks.map((c) => [c.runStart, c.runEnd, [...c.bytes]])).toEqual([
      [0, 20, [...bytes(300)]],
      [20, 30, [...bytes(10)]],
    ]);
    expect(chunks[0]!.bytes).toBeInstanceOf(Uint8Array);
    await store.deleteChunks(experimentId, 1);
    expect(await store.loadChunks(experimentId, 1)).toEqual([]);
    expect((await store.loadChunks(experimentId, 2)).map((c) => [...c.bytes])).toEqual([[0, 255]]);
  });

  it("keeps everything when closed and reopened; read-only refuses to write", async () => {
    const { store, path } = await fresh();
    const { experimentId } = await store.begin(spec(), { resume: false });
    await store.writePoint(experimentId, point(0));
    await store.close();
    const ro = await openStore(path, { readOnly: true });
    open.push(ro);
    expect((await ro.loadExperiment(experimentId))!.points.map(exact)).toEqual([exact(point(0))]);
    await expect(ro.writePoint(experimentId, point(1))).rejects.toThrow(/read-only/i);
  });

  it("reads a store written before plugin_outcomes existed, and adds the table when written to", async () => {
    const { store, path } = await fresh();
    const { experimentId } = await store.begin(spec(), { resume: false });
    await store.writePoint(experimentId, point(0));
    await store.close();
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const raw = await (await DuckDBInstance.create(path)).connect();
    await raw.run("DROP TABLE plugin_outcomes");
    raw.closeSync();
    const ro = await openStore(path, { readOnly: true });
    expect((await ro.loadExperiment(experimentId))!.points.map(exact)).toEqual([exact(point(0))]);
    await ro.close();
    const rw = await openStore(path);
    open.push(rw);
    await rw.writePoint(experimentId, point(1));
    expect((await rw.loadExperiment(experimentId))!.points.map(exact)).toEqual(
      [point(0), point(1)].map(exact),
    );
  });

  it("says so when there is no store to read, or the file is not a store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-store-"));
    const missing = join(dir, "none.duckdb");
    await expect(openStore(missing, { readOnly: true })).rejects.toThrow(
      new StoreError(`no results store at ${missing}`, "missing"),
    );
    expect(existsSync(missing)).toBe(false);
    const other = join(dir, "other.duckdb");
    const inst = await DuckDBInstance.create(other);
    const c = await inst.connect();
    await c.run("CREATE TABLE t (x INTEGER)");
    c.closeSync();
    inst.closeSync();
    await expect(openStore(other)).rejects.toThrow(/is not a results store/);
    await expect(openStore(other, { readOnly: true })).rejects.toThrow(/is not a results store/);
  });
});

describe("export", () => {
  async function stored() {
    const { store, path } = await fresh();
    const { experimentId } = await store.begin(spec(), { resume: false });
    await store.writePoint(experimentId, point(0, 2, 3, 2));
    await store.writePoint(experimentId, point(1, 2, 3, 2));
    return { store, path, id: experimentId, dir: join(path, "..", "export") };
  }

  it("writes experiment.json, points, bands and outcomes as CSV", async () => {
    const { store, id, dir } = await stored();
    const files = await store.exportExperiment(id, "csv", dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      "experiment.json",
      "points.csv",
      "bands.csv",
      "outcomes.csv",
    ]);
    const head = JSON.parse(readFileSync(files[0]!, "utf8"));
    expect([
      head.id,
      head.finished,
      head.pointsStored,
      head.spec.seed,
      head.spec.scenario.name,
    ]).toEqual([id, false, 2, 42, "tiny"]);
    const bands = readFileSync(files[2]!, "utf8").trim().split("\n");
    // 2 points × 2 columns × 3 days, and a header
    expect(bands).toHaveLength(13);
    expect(bands[0]).toBe("point,column,day,p5,p25,p50,p75,p95,mean");
    // point 0, column 0, day 1: p5 = AWKWARD[1] = 1e-300; p25 = 0·1000 + 1·100 + 1 + 0.25
    expect(bands[2]!.split(",").slice(0, 5)).toEqual(["0", "col0.x-0", "1", "1e-300", "101.25"]);
    const outcomes = readFileSync(files[3]!, "utf8").trim().split("\n");
    expect(outcomes[0]).toBe(`point,run,seed,${OUTCOME_METRICS.join(",")}`);
    expect(outcomes).toHaveLength(5);
    const points = readFileSync(files[1]!, "utf8").trim().split("\n");
    // sweep parameters are real columns, named by their path
    expect(points[0]!.split(",").slice(0, 7)).toEqual([
      "point",
      "onchain.burnShare",
      "label",
      "flag",
      "runs",
      "failedRuns",
      "finalPrice_mean",
    ]);
    expect(points[2]!.split(",").slice(0, 4)).toEqual(["1", "0.1", "p1", "false"]);
  });

  it("writes Parquet that reads back to the stored values", async () => {
    const { store, id, dir } = await stored();
    const files = await store.exportExperiment(id, "parquet", dir);
    const inst = await DuckDBInstance.create(":memory:");
    const c = await inst.connect();
    const read = async (sql: string) => (await c.runAndReadAll(sql)).getRows();
    expect(await read(`SELECT count(*) FROM '${files[2]}'`)).toEqual([[12n]]);
    const p5 = await read(`SELECT p5 FROM '${files[2]}' WHERE point = 1 ORDER BY "column", day`);
    // point 1: p5 cells 0..5 are AWKWARD[0..5]; a non-finite statistic is missing (NULL), as in every sink
    expect(p5.map((r) => r[0])).toEqual([0.30000000000000004, 1e-300, -0, 1e300, null, null]);
    const pts = await read(
      `SELECT point, failedRuns, finalPrice_mean, finalPrice_sd, finalPrice_p50 FROM '${files[1]}'`,
    );
    expect(pts).toEqual([
      [0n, 0n, 0.5, null, 1 / 3],
      [1n, 1n, 1.5, null, 1 / 3],
    ]);
    c.closeSync();
    inst.closeSync();
  });

  it("writes JSON arrays, with null where JSON has no number (NaN, ±Infinity)", async () => {
    const { store, id, dir } = await stored();
    const files = await store.exportExperiment(id, "json", dir);
    const bands = JSON.parse(readFileSync(files[2]!, "utf8"));
    expect(bands).toHaveLength(12);
    expect(bands[4]).toMatchObject({ point: 0, column: "col1.x-0", day: 1, p5: null });
    expect(bands[5].p5).toBeNull(); // Infinity
    const outcomes = JSON.parse(readFileSync(files[3]!, "utf8"));
    expect(outcomes[0]).toMatchObject({
      point: 0,
      run: 0,
      finalPrice: null,
      totalEmitted: 0.5,
    });
  });
});

describe("crash safety", () => {
  const TIMEOUT = 30_000;

  it(
    "a writer killed mid-experiment leaves every completed point; resuming gives an uninterrupted run's contents",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "bme-crash-"));
      const path = join(dir, "crash.duckdb");
      const [n, columns, days] = [12, 20, 60];
      const child = spawn(
        process.execPath,
        tsx("writer.ts", path, String(n), String(columns), String(days)),
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      let err = "";
      child.stderr.on("data", (d) => {
        err += d;
      });
      const exited = new Promise<NodeJS.Signals | null>((res) =>
        child.on("exit", (_c, sig) => res(sig)),
      );
      await new Promise<void>((res, rej) => {
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("wrote 2\n")) {
            child.kill("SIGKILL");
            res();
          }
        });
        child.on("exit", () =>
          rej(new Error(`writer ended before writing 3 points: ${out} ${err}`)),
        );
      });
      expect(await exited).toBe("SIGKILL");

      // `bme runs` right after the crash: read-only, the killed writer's log not yet merged
      const ro = await openStore(path, { readOnly: true });
      const [seen] = await ro.listExperiments();
      await ro.close();
      expect(seen!.finished).toBe(false);
      expect(seen!.pointsStored).toBeGreaterThanOrEqual(3);

      const store = await openStore(path);
      open.push(store);
      const [listed] = await store.listExperiments();
      expect(listed).toEqual(seen);
      expect(listed!.finished).toBe(false);
      expect(listed!.pointsStored).toBeGreaterThanOrEqual(3);
      const crashed = await store.loadExperiment(listed!.id);
      const stored = crashed!.points.map((p) => p.index);
      // points are written in order, each all or nothing: a prefix, every point intact
      expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i));
      expect(crashed!.points.map(exact)).toEqual(stored.map((i) => exact(point(i, columns, days))));

      const s = spec({}, n);
      const resumed = await store.begin(s, { resume: true });
      expect(resumed.experimentId).toBe(listed!.id);
      expect([...resumed.completedPoints].sort((a, b) => a - b)).toEqual(stored);
      for (let i = 0; i < n; i++)
        if (!resumed.completedPoints.has(i))
          await store.writePoint(resumed.experimentId, point(i, columns, days));
      await store.finish(resumed.experimentId);

      const { store: clean } = await fresh("clean.duckdb");
      const c = await clean.begin(s, { resume: false });
      for (let i = 0; i < n; i++) await clean.writePoint(c.experimentId, point(i, columns, days));
      await clean.finish(c.experimentId);

      const a = await store.loadExperiment(resumed.experimentId);
      const b = await clean.loadExperiment(c.experimentId);
      // point 1 of the fixture holds a failed run, so neither is whole: the resumed one is as the clean one
      expect([a!.finished, b!.finished]).toEqual([false, false]);
      expect(encodeJson(a!.spec)).toBe(encodeJson(b!.spec));
      expect(a!.points.map(exact)).toEqual(b!.points.map(exact));
      expect(a!.points).toHaveLength(n);
    },
    TIMEOUT,
  );

  it(
    "a store held by another process is refused with a clear message, without hanging",
    async () => {
      const { path } = await fresh("held.duckdb");
      for (const mode of ["rw", "ro"]) {
        const r = spawnSync(process.execPath, tsx("open.ts", path, mode), {
          encoding: "utf8",
          timeout: 20_000,
        });
        expect(r.signal).toBeNull();
        const answer = JSON.parse(r.stdout);
        expect(answer).toMatchObject({ ok: false, name: "StoreError", reason: "busy" });
        expect(answer.message).toContain(`store ${path} is in use by another process`);
      }
      await open.pop()!.close();
      const r = spawnSync(process.execPath, tsx("open.ts", path, "ro"), {
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(JSON.parse(r.stdout)).toEqual({ ok: true });
    },
    TIMEOUT,
  );
});

describe("two stores of one file in one process", () => {
  it("share one database: both experiments and all their points are kept", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { openStore } = await import("../../src/results/index.js");
    const { spec: makeSpec, point: makePoint } = await import("./fixtures/points.js");
    const path = join(mkdtempSync(join(tmpdir(), "bme-twice-")), "s.duckdb");
    const [a, b] = await Promise.all([openStore(path), openStore(path)]);
    const ea = await a.begin(makeSpec({ seed: 1 }), { resume: false });
    const eb = await b.begin(makeSpec({ seed: 2 }), { resume: false });
    expect(ea.experimentId).not.toBe(eb.experimentId);
    await a.writePoint(ea.experimentId, makePoint(0));
    await b.writePoint(eb.experimentId, makePoint(0));
    await a.close();
    await b.close();
    const c = await openStore(path, { readOnly: true });
    const list = await c.listExperiments();
    await c.close();
    expect(list.map((e) => e.pointsStored)).toEqual([1, 1]);
  });
});
