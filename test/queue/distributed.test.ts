import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentSpec, PointResult } from "../../src/analysis/types.js";
import { runExperiment } from "../../src/montecarlo/experiment.js";
import { pluginRefs } from "../../src/plugins/refs.js";
import { type QueueProgress, runDistributedExperiment } from "../../src/queue/coordinator.js";
import { REGISTRY_KEY } from "../../src/queue/protocol.js";
import { parseQueueUrl } from "../../src/queue/url.js";
import { openStore } from "../../src/results/index.js";
import { loadScenario } from "../../src/scenario/load.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";
import {
  bme,
  type Child,
  freePort,
  type Redis,
  requireBuild,
  startRedis,
  stop,
  stopAll,
  waitFor,
} from "./cluster.js";

const dir = mkdtempSync(join(tmpdir(), "bme-queue-"));
const SWEEP = [
  "sweep",
  WHITEPAPER,
  "--grid",
  "onchain.fiatOperationsFraction=0.3,0.4",
  "--runs",
  "8192",
  "--days",
  "60",
  "--seed",
  "5",
];
const FAST_FAILOVER = ["--lock-duration", "3000", "--stalled-interval", "1500"];

async function stored(path: string): Promise<{ points: PointResult[]; finished: boolean }> {
  const s = await openStore(path, { readOnly: true });
  try {
    const list = await s.listExperiments();
    expect(list).toHaveLength(1);
    const e = (await s.loadExperiment(list[0].id))!;
    return { points: e.points, finished: e.finished };
  } finally {
    await s.close();
  }
}

/** Every number of a point as bytes: bands, per-run outcomes; plus summaries and failures. */
function fingerprint(points: readonly PointResult[]) {
  const bytes = (a: Float64Array) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
  return points.map((p) => ({
    index: p.index,
    params: p.params,
    runs: p.bands.runs,
    columns: p.bands.columns,
    stats: Object.fromEntries(Object.entries(p.bands.stats).map(([k, v]) => [k, bytes(v)])),
    outcomes: Object.fromEntries(Object.entries(p.outcomes.metrics).map(([k, v]) => [k, bytes(v)])),
    summary: p.summary,
    failedRuns: p.failedRuns,
  }));
}

async function exit(c: Child, limitMs = 90_000): Promise<number | string> {
  const t = setTimeout(() => process.kill(c.pid, "SIGKILL"), limitMs);
  const code = await c.exited;
  clearTimeout(t);
  return code;
}

async function redisIsClean(redis: Redis): Promise<void> {
  const c = await redis.client();
  try {
    expect(await c.send("SMEMBERS", [REGISTRY_KEY])).toEqual([]);
    expect(await c.send("KEYS", ["bme:chunk:*"])).toEqual([]);
    expect(await c.send("KEYS", ["bme:plan:*"])).toEqual([]);
    expect(await c.send("KEYS", ["bull:*"])).toEqual([]);
  } finally {
    c.close();
  }
}

let local: ReturnType<typeof fingerprint>;

beforeAll(async () => {
  requireBuild();
  const b = bme([...SWEEP, "--store", join(dir, "local.duckdb"), "--workers", "2", "--quiet"]);
  expect(await exit(b)).toBe(0);
  const s = await stored(join(dir, "local.duckdb"));
  expect(s.finished).toBe(true);
  local = fingerprint(s.points);
  expect(local).toHaveLength(2);
  expect(local[0].runs).toBe(8192);
});

afterAll(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("bme sweep --queue with bme worker processes", () => {
  it("stores exactly what the local run stores, with 3 workers, and leaves Redis clean", async () => {
    const redis = await startRedis();
    try {
      const workers = [1, 2, 3].map(() =>
        bme(["worker", "--queue", redis.url, "--concurrency", "1", "--quiet"]),
      );
      const c = bme([...SWEEP, "--store", join(dir, "queue.duckdb"), "--queue", redis.url]);
      expect(await exit(c)).toBe(0);
      expect(c.err()).toMatch(
        /16\/16 chunks, 16384\/16384 runs, \d+ runs\/s, ETA 0 s, 0 failed chunks/,
      );
      const s = await stored(join(dir, "queue.duckdb"));
      expect(s.finished).toBe(true);
      expect(fingerprint(s.points)).toEqual(local);
      await redisIsClean(redis);
      for (const w of workers) {
        await stop(w);
        expect(await w.exited).toBe(0);
        expect(w.err()).toBe("");
      }
    } finally {
      await stop(redis.child);
    }
  });

  it("loses nothing when a worker is SIGKILLed mid-chunk: the chunk is retried elsewhere", async () => {
    const redis = await startRedis();
    const path = join(dir, "killed.duckdb");
    const store = await openStore(path);
    try {
      const [a, ...others] = [1, 2, 3].map(() =>
        bme(["worker", "--queue", redis.url, "--concurrency", "1", "--quiet", ...FAST_FAILOVER]),
      );
      const scenario = loadScenario(WHITEPAPER, {
        set: [],
        days: 120,
        deterministic: false,
      }).scenario;
      const spec: ExperimentSpec = {
        kind: "sweep",
        scenarioName: scenario.name,
        scenario,
        version: VERSION,
        seed: 9,
        runsPerPoint: 3000,
        points: [
          { index: 0, params: { "onchain.fiatOperationsFraction": 0.3 } },
          { index: 1, params: { "onchain.fiatOperationsFraction": 0.4 } },
        ],
        options: {},
      };
      const progress: QueueProgress[] = [];
      const running = runDistributedExperiment(spec, parseQueueUrl(redis.url), {
        store,
        pollMs: 50,
        onProgress: (p) => progress.push(p),
      });
      // the moment worker A holds a chunk, kill it
      const watch = await redis.client();
      let killedJob = "";
      await waitFor(
        "worker A to hold a chunk",
        async () => {
          const [q] = await watch.send<string[]>("SMEMBERS", [REGISTRY_KEY]);
          if (!q) return false;
          for (const id of await watch.send<string[]>("LRANGE", [`bull:${q}:active`, "0", "-1"]))
            if (
              (await watch.send("HGET", [`bull:${q}:${id}`, "pb"])) === `${hostname()}:${a.pid}`
            ) {
              process.kill(a.pid, "SIGKILL");
              killedJob = id;
              return true;
            }
          return false;
        },
        60_000,
        10,
      );
      watch.close();
      expect(await a.exited).toBe("SIGKILL");
      const outcome = await running;
      expect(killedJob).toMatch(/^p[01]-r\d+$/);
      expect(outcome.interrupted).toBe(false);
      expect(progress.at(-1)).toMatchObject({ chunksDone: 6, chunksTotal: 6, runsDone: 6000 });
      expect(progress.at(-1)!.failedChunks).toBeGreaterThanOrEqual(1);
      // the reference: the same spec run locally
      const ref = await runExperiment(spec, { workers: 1 });
      expect(fingerprint(outcome.points as PointResult[])).toEqual(
        fingerprint(ref.points as PointResult[]),
      );
      const e = (await store.loadExperiment(outcome.experimentId!))!;
      expect(e.finished).toBe(true);
      expect(fingerprint(e.points)).toEqual(fingerprint(ref.points as PointResult[]));
      expect(e.points.map((p) => p.index)).toEqual([0, 1]);
      for (const p of [0, 1]) expect(await store.loadChunks(outcome.experimentId!, p)).toEqual([]);
      await redisIsClean(redis);
      for (const w of others) await stop(w);
    } finally {
      await store.close();
      await stopAll();
      await stop(redis.child);
    }
  });

  it("continues after the coordinator is killed: --resume collects stored and finished chunks", async () => {
    const redis = await startRedis();
    const path = join(dir, "resumed.duckdb");
    try {
      const first = bme([...SWEEP, "--store", path, "--queue", redis.url, "--quiet"]);
      const watch = await redis.client();
      await waitFor("the chunks to be enqueued", async () => {
        return (await watch.send<string[]>("SMEMBERS", [REGISTRY_KEY])).length === 1;
      });
      const w1 = bme(["worker", "--queue", redis.url, "--concurrency", "1"]);
      // the coordinator dies once the worker has finished two chunks, whether it has collected
      // them yet or not (no assumption on which of the two is faster); resume must take both
      // chunks stored and chunks waiting in Redis
      await waitFor(
        "two chunks finished",
        async () => (w1.err().match(/ point \d runs /g) ?? []).length >= 2,
        60_000,
        5,
      );
      process.kill(first.pid, "SIGKILL");
      expect(await first.exited).toBe("SIGKILL");
      // meanwhile w1 keeps finishing chunks, which wait in Redis
      await waitFor("a finished chunk waiting in Redis", async () => {
        return (await watch.send<string[]>("KEYS", ["bme:chunk:*"])).length > 0;
      });
      watch.close();
      const w2 = bme(["worker", "--queue", redis.url, "--concurrency", "1", "--quiet"]);
      const again = bme([...SWEEP, "--store", path, "--queue", redis.url, "--resume"]);
      expect(await exit(again)).toBe(0);
      expect(again.out()).toMatch(/\(resumed\) stored in/);
      const s = await stored(path);
      expect(s.finished).toBe(true);
      expect(fingerprint(s.points)).toEqual(local);
      await redisIsClean(redis);
      await stop(w1);
      await stop(w2);
    } finally {
      await stopAll();
      await stop(redis.child);
    }
  });

  it("runs the experiment's plugins on bme worker processes: the same bytes as local threads", async () => {
    const redis = await startRedis();
    const store = await openStore(join(dir, "plugins.duckdb"));
    try {
      const workers = [1, 2].map(() =>
        bme(["worker", "--queue", redis.url, "--concurrency", "1", "--quiet"]),
      );
      const scenario = loadScenario(WHITEPAPER, {
        set: [],
        days: 90,
        deterministic: false,
      }).scenario;
      const spec: ExperimentSpec = {
        kind: "montecarlo",
        scenarioName: scenario.name,
        scenario,
        version: VERSION,
        seed: 3,
        runsPerPoint: 2500,
        points: [{ index: 0, params: {} }],
        options: {
          plugins: pluginRefs([
            new URL("../../examples/price-guard.mjs", import.meta.url).pathname,
            new URL("../../examples/reserve-metrics.mjs", import.meta.url).pathname,
          ]),
        },
      };
      const outcome = await runDistributedExperiment(spec, parseQueueUrl(redis.url), {
        store,
        pollMs: 50,
      });
      const ref = await runExperiment(spec, { workers: 1 });
      const got = fingerprint(outcome.points as PointResult[]);
      // the policy ran (its metric is an outcome column) and every byte matches the local run
      expect(Object.keys(got[0].outcomes)).toEqual(
        expect.arrayContaining(["phaseTwoReturn", "reserveFloorDays", "dollarPerToken"]),
      );
      expect(got).toEqual(fingerprint(ref.points as PointResult[]));
      // and differs from the same spec without the policy (the plugin was not ignored)
      const plain = await runExperiment({ ...spec, options: {} }, { workers: 1 });
      expect(fingerprint(plain.points as PointResult[])[0].stats).not.toEqual(got[0].stats);
      await redisIsClean(redis);
      for (const w of workers) {
        await stop(w);
        expect(await w.exited).toBe(0);
      }
    } finally {
      await store.close();
      await stop(redis.child);
    }
  });
});

describe("when Redis is not there", () => {
  it("fails at once with the address (password masked) and no stack trace", async () => {
    const port = await freePort();
    const url = `redis://:hunter2@127.0.0.1:${port}`;
    const c = bme([
      "montecarlo",
      WHITEPAPER,
      "--runs",
      "10",
      "--queue",
      url,
      "--store",
      join(dir, "none.duckdb"),
    ]);
    expect(await exit(c, 30_000)).toBe(1);
    expect(c.err()).toBe(
      `error: cannot reach Redis at redis://:***@127.0.0.1:${port} (ECONNREFUSED); is redis-server running and reachable from here?\n`,
    );
    const w = bme(["worker", "--queue", url, "--quiet"]);
    expect(await exit(w, 30_000)).toBe(1);
    expect(w.err()).toMatch(
      /^error: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    expect(w.err()).not.toContain("hunter2");
  });

  it("fails with a clear message when Redis goes away mid-run (coordinator and worker)", async () => {
    const redis = await startRedis();
    const store = await openStore(join(dir, "lost.duckdb"));
    try {
      const w = bme(["worker", "--queue", redis.url, "--redis-timeout", "1000", "--quiet"]);
      const scenario = loadScenario(WHITEPAPER, {
        set: [],
        days: 30,
        deterministic: false,
      }).scenario;
      const spec: ExperimentSpec = {
        kind: "montecarlo",
        scenarioName: scenario.name,
        scenario,
        version: VERSION,
        seed: 1,
        runsPerPoint: 200_000,
        points: [{ index: 0, params: {} }],
        options: {},
      };
      let progressed = false;
      const running = runDistributedExperiment(spec, parseQueueUrl(redis.url), {
        store,
        redisTimeout: 1000,
        pollMs: 50,
        onProgress: (p) => {
          if (p.chunksDone > 0) progressed = true;
        },
      });
      const failed = expect(running).rejects.toThrow(
        /^lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ .*continue with the same command and --resume$/,
      );
      await waitFor("a chunk collected", () => progressed, 60_000);
      await stop(redis.child);
      await failed;
      expect(await exit(w, 30_000)).toBe(1);
      expect(w.err()).toMatch(
        /^error: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for 1 s/,
      );
    } finally {
      await store.close();
      await stopAll();
      await stop(redis.child);
    }
  });

  it("passes a password from BME_REDIS_PASSWORD, and names a wrong one", async () => {
    const redis = await startRedis(["--requirepass", "letmein"]);
    try {
      const env = { BME_REDIS_PASSWORD: "letmein" };
      const w = bme(["worker", "--queue", redis.url, "--concurrency", "1", "--quiet"], env);
      const args = ["montecarlo", WHITEPAPER, "--runs", "300", "--days", "20", "--quiet"];
      const c = bme([...args, "--queue", redis.url, "--store", join(dir, "pw.duckdb")], env);
      expect(await exit(c)).toBe(0);
      const bad = bme([...args, "--queue", redis.url, "--store", join(dir, "pw2.duckdb")], {
        BME_REDIS_PASSWORD: "nope",
      });
      expect(await exit(bad)).toBe(1);
      expect(bad.err()).toMatch(
        /^error: Redis at redis:\/\/127\.0\.0\.1:\d+ refused the credentials/,
      );
      expect(bad.err()).not.toContain("nope");
      await stop(w);
    } finally {
      await stopAll();
      await stop(redis.child);
    }
  });
});
