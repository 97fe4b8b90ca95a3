import { type Job, Queue } from "bullmq";
import type { ExperimentSpec, PointResult, PointSpec } from "../analysis/types.js";
import {
  BLOCK_RUNS,
  type ChunkTask,
  chunkRanges,
  PointAccumulator,
  pointScenario,
} from "../montecarlo/chunk.js";
import type { ExperimentOutcome } from "../montecarlo/experiment.js";
import type { Store } from "../results/index.js";
import { decodeChunk } from "./codec.js";
import { bounded, connectQueue, type QueueConnection } from "./connection.js";
import {
  type ChunkJobData,
  type ChunkJobResult,
  chunkJobId,
  queueName,
  REGISTRY_KEY,
  resultKey,
} from "./protocol.js";
import { type QueueAddress, QueueError } from "./url.js";

/** The results store as the coordinator uses it: a sink that also keeps finished chunks. */
export type ChunkStore = Pick<
  Store,
  "begin" | "writePoint" | "finish" | "writeChunk" | "loadChunks" | "deleteChunks"
>;

/** Progress of a distributed experiment. */
export interface QueueProgress {
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly runsDone: number;
  readonly runsTotal: number;
  /** Chunk attempts that did not complete (a worker died or failed) and were retried. */
  readonly failedChunks: number;
}

export interface DistributedOptions {
  readonly store: ChunkStore;
  readonly resume?: boolean;
  readonly onProgress?: (p: QueueProgress) => void;
  /** Stop collecting (Ctrl-C): the queue is left as it is, for `--resume`. */
  readonly signal?: AbortSignal;
  /** How often to look for finished chunks (ms). */
  readonly pollMs?: number;
  /** Fail when Redis has been unreachable this long (ms). */
  readonly redisTimeout?: number;
  /** Attempts of a chunk before the experiment fails. */
  readonly attempts?: number;
}

/**
 * Chunks per point of a distributed experiment: at least 16 when there are enough blocks,
 * decided by the runs alone, so a resumed coordinator plans the same chunks.
 */
export function distributedChunks(runs: number): [number, number][] {
  const blocks = Math.ceil(runs / BLOCK_RUNS);
  return chunkRanges(runs, Math.max(1, Math.floor(blocks / 16)));
}

/**
 * Run an experiment on the workers of a Redis queue: the same inputs and outputs as
 * `runExperiment`, and the same stored results, byte for byte. Every point is validated;
 * chunks not yet in the store are enqueued (a job per chunk, id by point and first run, so
 * enqueueing twice is harmless); each finished chunk is written to the store's chunk table
 * (idempotent) and, once a point has all of its chunks, merged, stored and its chunks dropped.
 */
export async function runDistributedExperiment(
  spec: ExperimentSpec,
  address: QueueAddress,
  options: DistributedOptions,
): Promise<ExperimentOutcome> {
  for (const p of spec.points) pointScenario(spec.scenario, p); // throws ScenarioError naming the point
  const conn = await connectQueue(address);
  let queue: Queue<ChunkJobData, ChunkJobResult> | null = null;
  try {
    const { store } = options;
    const begun = await store.begin(spec, { resume: options.resume ?? false });
    const experimentId = begun.experimentId;
    const name = queueName(experimentId);
    queue = new Queue<ChunkJobData, ChunkJobResult>(name, {
      connection: conn.bull,
      // nothing listens to the events stream; keep it short (it would repeat every result)
      streams: { events: { maxLen: 100 } },
    });
    const q = queue;
    q.on("error", () => {}); // connection trouble is handled by the loop below
    const runs = spec.runsPerPoint;
    const plan = distributedChunks(runs);
    const todo = spec.points.filter((p) => !begun.completedPoints.has(p.index));
    const results: (PointResult | undefined)[] = new Array(spec.points.length);
    const stored = new Map<number, Set<number>>();
    for (const p of todo)
      stored.set(
        p.index,
        new Set((await store.loadChunks(experimentId, p.index)).map((c) => c.runStart)),
      );
    const byIndex = new Map(todo.map((p) => [p.index, p]));

    const finishPoint = async (point: PointSpec) => {
      const acc = new PointAccumulator(point, runs);
      for (const c of await store.loadChunks(experimentId, point.index))
        acc.add(decodeChunk(c.bytes));
      const result = acc.finish();
      await store.writePoint(experimentId, result);
      await store.deleteChunks(experimentId, point.index);
      results[spec.points.indexOf(point)] = result;
      stored.delete(point.index);
    };
    // points whose chunks were all stored before a restart
    for (const p of todo) if (stored.get(p.index)!.size === plan.length) await finishPoint(p);

    const attempts = options.attempts ?? 3;
    const jobOf = (point: PointSpec, [runStart, runEnd]: [number, number]) => ({
      name: "chunk",
      data: {
        task: {
          scenario: spec.scenario,
          seed: spec.seed,
          point,
          runs,
          runStart,
          runEnd,
        } as ChunkTask,
      },
      opts: {
        jobId: chunkJobId(point.index, runStart),
        attempts,
        backoff: { type: "fixed", delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      },
    });
    // failed jobs of an earlier coordinator get a fresh start
    for (const job of await q.getJobs(["failed"], 0, -1)) await job.remove();
    const missing = [...stored].flatMap(([index, have]) =>
      plan.filter(([s]) => !have.has(s)).map((r) => jobOf(byIndex.get(index)!, r)),
    );
    for (let i = 0; i < missing.length; i += 500) await q.addBulk(missing.slice(i, i + 500));
    await conn.direct.sadd(REGISTRY_KEY, name);

    const chunksTotal = todo.length * plan.length;
    let chunksDone = todo.length * plan.length - missing.length;
    let runsDone = (todo.length - stored.size) * runs;
    for (const [, have] of stored) for (const [s, e] of plan) if (have.has(s)) runsDone += e - s;
    let failedChunks = 0;
    const report = () =>
      options.onProgress?.({
        chunksDone,
        chunksTotal,
        runsDone,
        runsTotal: todo.length * runs,
        failedChunks,
      });
    report();

    const collect = async (job: Job<ChunkJobData, ChunkJobResult>) => {
      const { point, runStart, runEnd } = job.data.task;
      const have = stored.get(point.index);
      const key = job.returnvalue?.key ?? resultKey(name, job.id!);
      failedChunks += Math.max(0, (job.attemptsStarted ?? 1) - 1);
      if (have && !have.has(runStart)) {
        const bytes = await conn.direct.getBuffer(key);
        if (bytes === null) {
          // the bytes expired before anyone collected them: run the chunk again
          const again = jobOf(point, [runStart, runEnd]);
          await job.remove();
          await q.add(again.name, again.data, again.opts);
          return;
        }
        const chunk = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const header = decodeChunk(chunk);
        if (header.runStart !== runStart || header.runEnd !== runEnd)
          throw new QueueError(
            `chunk ${job.id} holds runs ${header.runStart}…${header.runEnd - 1}`,
          );
        await store.writeChunk(experimentId, point.index, runStart, runEnd, chunk);
        have.add(runStart);
        chunksDone++;
        runsDone += runEnd - runStart;
        if (have.size === plan.length) await finishPoint(byIndex.get(point.index)!);
      }
      await conn.direct.del(key);
      await job.remove();
    };

    const pollMs = options.pollMs ?? 250;
    const redisTimeout = options.redisTimeout ?? 15_000;
    let lastOk = Date.now();
    let interrupted = false;
    while (stored.size > 0) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      let got = 0;
      try {
        const done = await q.getJobs(["completed"], 0, 49, true);
        for (const job of done) await collect(job as Job<ChunkJobData, ChunkJobResult>);
        got = done.length;
        const failed = await q.getJobs(["failed"], 0, 0, true);
        if (failed.length > 0) {
          const f = failed[0];
          const t = f.data.task;
          throw new QueueError(
            `the chunk of point ${t.point.index}, runs ${t.runStart}…${t.runEnd - 1}, failed ${f.attemptsMade} times (${f.failedReason}); ` +
              "fix the cause and continue with the same command and --resume",
          );
        }
        lastOk = Date.now();
      } catch (e) {
        // BullMQ fails in many ways while Redis is away: ask Redis itself whether it is there
        if (e instanceof QueueError || (await reachable(conn))) throw e;
        if (Date.now() - lastOk > redisTimeout)
          throw new QueueError(
            `lost the connection to Redis at ${address.display} (${(e as Error).message}); ` +
              "finished chunks are in the store: continue with the same command and --resume",
          );
      }
      if (got > 0) report();
      else await sleep(pollMs, options.signal);
    }
    report();
    if (!interrupted) {
      await store.finish(experimentId);
      await conn.direct.srem(REGISTRY_KEY, name);
      // workers leave the queue when they see it unlisted (about a second): then wipe it
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await q.getWorkersCount()) > 0) await sleep(100);
      await q.obliterate({ force: true });
      await deleteKeys(conn, `${resultKey(name, "")}*`);
    }
    return {
      experimentId,
      resumed: begun.resumed ?? false,
      points: results,
      skippedPoints: spec.points.length - todo.length,
      interrupted,
    };
  } finally {
    if (queue) await bounded(queue.close(), 3000);
    await bounded(conn.close(), 3000);
  }
}

async function reachable(conn: QueueConnection): Promise<boolean> {
  try {
    return (await conn.direct.ping()) === "PONG";
  } catch {
    return false;
  }
}

async function deleteKeys(conn: QueueConnection, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await conn.direct.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    if (keys.length > 0) await conn.direct.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}
