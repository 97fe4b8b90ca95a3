import { type Job, Queue } from "bullmq";
import type { ExperimentSpec, PointResult, PointSpec } from "../analysis/types.js";
import type { RefineSource } from "../montecarlo/bands.js";
import {
  BLOCK_RUNS,
  type ChunkTask,
  EXACT_RUNS,
  PointAccumulator,
  pointScenario,
} from "../montecarlo/chunk.js";
import { experimentColumns } from "../montecarlo/columns.js";
import type { ExperimentOutcome } from "../montecarlo/experiment.js";
import { pointPlan } from "../montecarlo/runner.js";
import { experimentPlugins, loadPluginRefs } from "../plugins/refs.js";
import type { Store } from "../results/index.js";
import { decodeChunk } from "./codec.js";
import { bounded, connectQueue, type QueueConnection } from "./connection.js";
import { encodePlan } from "./planCodec.js";
import {
  type ChunkJobData,
  type ChunkJobResult,
  chunkJobId,
  planKey,
  planPrefix,
  queueName,
  REGISTRY_CHANNEL,
  REGISTRY_KEY,
  RESULT_TTL_SECONDS,
  resultKey,
} from "./protocol.js";
import { type QueueAddress, QueueError } from "./url.js";

/** The results store as the coordinator uses it: where finished points go. */
export type ChunkStore = Pick<Store, "begin" | "writePoint" | "finish">;

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
  /** Called once, before any chunk is enqueued, with `ExperimentOutcome.notice` when there is one. */
  readonly onNotice?: (notice: string) => void;
}

type ChunkQueue = Queue<ChunkJobData, ChunkJobResult>;
type ChunkJob = Job<ChunkJobData, ChunkJobResult>;

/** Chunks a point of enough blocks is split into: two for each of 4 workers. */
export const DISTRIBUTED_CHUNKS = 8;
/** The most blocks in a distributed chunk (as locally: a histogram chunk's memory is bounded). */
export const MAX_CHUNK_BLOCKS = 64;

/**
 * Chunks per point of a distributed experiment, decided by the runs alone (so a resumed
 * coordinator plans the same chunks): DISTRIBUTED_CHUNKS chunks, or one per block when there
 * are fewer blocks, or more when a chunk would exceed MAX_CHUNK_BLOCKS; the blocks are shared
 * as evenly as whole blocks allow (the first chunks take one block more). Few chunks: each
 * carries its whole histograms (tens of MB for the whitepaper) through Redis, whatever its
 * number of runs, so the coordinator's reading and merging grows with the chunks, not the runs.
 */
export function distributedChunks(runs: number): [number, number][] {
  const blocks = Math.ceil(runs / BLOCK_RUNS);
  const chunks = Math.min(
    blocks,
    Math.max(DISTRIBUTED_CHUNKS, Math.ceil(blocks / MAX_CHUNK_BLOCKS)),
  );
  const out: [number, number][] = [];
  let block = 0;
  for (let i = 0; i < chunks; i++) {
    const size = Math.floor(blocks / chunks) + (i < blocks % chunks ? 1 : 0);
    out.push([block * BLOCK_RUNS, Math.min(runs, (block + size) * BLOCK_RUNS)]);
    block += size;
  }
  return out;
}

/**
 * Run an experiment on the workers of a Redis queue: the same inputs and outputs as
 * `runExperiment`, and the same stored results, byte for byte. Every point is validated;
 * chunks not yet finished are enqueued (a job per chunk, id by point and first run, so
 * enqueueing twice is harmless). Each finished chunk is merged into its point as it arrives
 * (decoded once); its bytes stay in Redis until the point is merged and stored, so a killed
 * coordinator resumes from them. The store receives finished points only.
 */
export async function runDistributedExperiment(
  spec: ExperimentSpec,
  address: QueueAddress,
  options: DistributedOptions,
): Promise<ExperimentOutcome> {
  for (const p of spec.points) pointScenario(spec.scenario, p); // throws ScenarioError naming the point
  const conn = await connectQueue(address);
  let queue: ChunkQueue | null = null;
  try {
    const begun = await options.store.begin(spec, { resume: options.resume ?? false });
    const notice = (begun as { notice?: string }).notice;
    if (notice) options.onNotice?.(notice);
    const name = queueName(begun.experimentId);
    queue = openQueue(conn, name);
    const todo = spec.points.filter((p) => !begun.completedPoints.has(p.index));
    const refs = experimentPlugins(spec).plugins;
    const source = {
      scenario: spec.scenario,
      seed: spec.seed,
      policies: refs ? (await loadPluginRefs(refs)).policies : [],
      ...experimentColumns(spec),
    };
    const run = new Collection(spec, todo, begun.experimentId, name, conn, queue, options, source);
    if (begun.resumed) await run.recover();
    // workers are told as soon as the first point's chunks are queued (the points' plans are
    // made here one after another)
    await run.enqueueMissing(async () => {
      await conn.direct.sadd(REGISTRY_KEY, name);
      await conn.direct.publish(REGISTRY_CHANNEL, name);
    });
    run.report();
    const interrupted = !(await run.collectAll());
    run.report();
    if (!interrupted) {
      await options.store.finish(begun.experimentId);
      await wipeQueue(conn, queue, name);
    }
    return {
      experimentId: begun.experimentId,
      resumed: begun.resumed ?? false,
      notice,
      points: run.results,
      skippedPoints: spec.points.length - todo.length,
      interrupted,
    };
  } finally {
    if (queue) await bounded(queue.close(), 3000);
    await bounded(conn.close(), 3000);
  }
}

function openQueue(conn: QueueConnection, name: string): ChunkQueue {
  const q = new Queue<ChunkJobData, ChunkJobResult>(name, {
    connection: conn.bull,
    // nothing listens to the events stream; keep it short (it would repeat every result)
    streams: { events: { maxLen: 100 } },
  });
  q.on("error", () => {}); // connection trouble is handled by the collecting loop
  return q;
}

/** The points under way: what has been merged, what is left, and how to get it. */
class Collection {
  readonly results: (PointResult | undefined)[];
  private readonly plan: [number, number][];
  private readonly runs: number;
  /** Per point under way: its accumulator and the first runs of the chunks merged into it. */
  private readonly open = new Map<number, { acc: PointAccumulator; have: Set<number> }>();
  private readonly byIndex: Map<number, PointSpec>;
  private chunksDone = 0;
  private runsDone = 0;
  private failedChunks = 0;

  constructor(
    private readonly spec: ExperimentSpec,
    private readonly todo: readonly PointSpec[],
    private readonly experimentId: string,
    private readonly name: string,
    private readonly conn: QueueConnection,
    private readonly queue: ChunkQueue,
    private readonly options: DistributedOptions,
    /** Where refinement reruns runs (docs/bands.md): the spec with its loaded plugin policies. */
    private readonly source: RefineSource,
  ) {
    this.results = new Array(spec.points.length);
    this.runs = spec.runsPerPoint;
    this.plan = distributedChunks(this.runs);
    this.byIndex = new Map(todo.map((p) => [p.index, p]));
    for (const p of todo)
      this.open.set(p.index, { acc: new PointAccumulator(p, this.runs, source), have: new Set() });
  }

  /** Chunks a killed coordinator left in Redis (collected or not): merge them again. */
  async recover(): Promise<void> {
    const chunks = this.todo.flatMap((point) =>
      this.plan.map((range) => ({ point, range, key: this.key(point, range[0]) })),
    );
    for (let i = 0; i < chunks.length; i += 1000) {
      const batch = chunks.slice(i, i + 1000);
      // sent together: ioredis writes them without waiting for each reply
      const there = await Promise.all(batch.map((c) => this.conn.direct.exists(c.key)));
      for (const [j, c] of batch.entries()) {
        if (there[j] === 0) continue;
        const bytes = await this.conn.direct.getBuffer(c.key);
        if (bytes !== null) await this.merge(c.point, c.range[0], c.range[1], bytes);
      }
    }
  }

  private key(point: PointSpec, runStart: number): string {
    return resultKey(this.name, chunkJobId(point.index, runStart));
  }

  /**
   * Enqueue every chunk not yet merged, point by point (each point's plan made first); an
   * earlier coordinator's failed jobs start afresh. `announce` (telling the workers) is called
   * once the first chunks are queued, or at the end when there are none.
   */
  async enqueueMissing(announce: () => Promise<void>): Promise<void> {
    for (const job of await this.queue.getJobs(["failed"], 0, -1)) await job.remove();
    let missing: ReturnType<Collection["job"]>[] = [];
    let announced = false;
    for (const [index, { have }] of this.open) {
      const point = this.byIndex.get(index)!;
      const ranges = this.plan.filter(([s]) => !have.has(s));
      if (ranges.length > 0) await this.storePlan(point);
      missing.push(...ranges.map((r) => this.job(point, r)));
      if (missing.length >= 500 || (!announced && missing.length > 0)) {
        await this.queue.addBulk(missing);
        missing = [];
        if (!announced) await announce();
        announced = true;
      }
    }
    if (missing.length > 0) await this.queue.addBulk(missing);
    if (!announced) await announce();
  }

  /**
   * Histogram mode: make the point's bucket plan once (its pilot, docs/bands.md) and store it
   * for the point's jobs (ChunkJobData.planKey), so no worker runs the pilot again.
   */
  private async storePlan(point: PointSpec): Promise<void> {
    if (this.runs <= EXACT_RUNS) return;
    const src = this.source;
    const plan = pointPlan(pointScenario(src.scenario, point), src.seed, this.runs, src.policies);
    await this.conn.direct.set(
      planKey(this.name, point.index),
      JSON.stringify(encodePlan(plan)),
      "EX",
      RESULT_TTL_SECONDS,
    );
  }

  report(): void {
    this.options.onProgress?.({
      chunksDone: this.chunksDone,
      chunksTotal: this.todo.length * this.plan.length,
      runsDone: this.runsDone,
      runsTotal: this.todo.length * this.runs,
      failedChunks: this.failedChunks,
    });
  }

  /**
   * Collect finished chunks until every point is stored (true) or the signal stops it (false).
   * Throws a QueueError when a chunk fails for good or Redis stays away `redisTimeout` ms.
   */
  async collectAll(): Promise<boolean> {
    const pollMs = this.options.pollMs ?? 100;
    const redisTimeout = this.options.redisTimeout ?? 15_000;
    let lastOk = Date.now();
    while (this.open.size > 0) {
      if (this.options.signal?.aborted) return false;
      let got = 0;
      try {
        got = await this.collectSome();
        lastOk = Date.now();
      } catch (e) {
        // BullMQ fails in many ways while Redis is away: ask Redis itself whether it is there
        if (e instanceof QueueError || (await reachable(this.conn))) throw e;
        if (Date.now() - lastOk > redisTimeout)
          throw new QueueError(
            `lost the connection to Redis at ${this.conn.address.display} (${(e as Error).message}); ` +
              "finished points are in the store and finished chunks in Redis: continue with the same command and --resume",
          );
      }
      if (got > 0) this.report();
      else await sleep(pollMs, this.options.signal);
    }
    return true;
  }

  /** One look at the queue: merge up to 50 finished chunks; fail on a chunk that failed for good. */
  private async collectSome(): Promise<number> {
    const done = await this.queue.getJobs(["completed"], 0, 49, true);
    for (const job of done) await this.collect(job as ChunkJob);
    const failed = await this.queue.getJobs(["failed"], 0, 0, true);
    if (failed.length > 0) {
      const f = failed[0];
      const t = f.data.task;
      throw new QueueError(
        `the chunk of point ${t.point.index}, runs ${t.runStart}…${t.runEnd - 1}, failed ${f.attemptsMade} times (${f.failedReason}); ` +
          "fix the cause and continue with the same command and --resume",
      );
    }
    return done.length;
  }

  /** Merge a finished job's chunk (once), then drop the job; its bytes stay until the point is stored. */
  private async collect(job: ChunkJob): Promise<void> {
    const { point, runStart, runEnd } = job.data.task;
    this.failedChunks += Math.max(0, (job.attemptsStarted ?? 1) - 1);
    const open = this.open.get(point.index);
    if (open && !open.have.has(runStart)) {
      const key = job.returnvalue?.key ?? resultKey(this.name, job.id!);
      const bytes = await this.conn.direct.getBuffer(key);
      if (bytes === null) {
        // the bytes expired before anyone collected them: run the chunk again
        const again = this.job(point, [runStart, runEnd]);
        await job.remove();
        await this.queue.add(again.name, again.data, again.opts);
        return;
      }
      await this.merge(this.byIndex.get(point.index)!, runStart, runEnd, bytes);
    }
    await job.remove();
  }

  /** Add a chunk's bytes to its point; a point with all of its chunks is finished and stored. */
  private async merge(point: PointSpec, runStart: number, runEnd: number, bytes: Buffer) {
    const open = this.open.get(point.index);
    if (!open || open.have.has(runStart)) return;
    const chunk = decodeChunk(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (chunk.runStart !== runStart || chunk.runEnd !== runEnd)
      throw new QueueError(
        `the chunk stored for point ${point.index}, runs ${runStart}…${runEnd - 1}, holds runs ${chunk.runStart}…${chunk.runEnd - 1}`,
      );
    open.acc.add(chunk);
    open.have.add(runStart);
    this.chunksDone++;
    this.runsDone += runEnd - runStart;
    if (open.have.size < this.plan.length) return;
    const result = open.acc.finish();
    await this.options.store.writePoint(this.experimentId, result);
    this.results[this.spec.points.indexOf(point)] = result;
    this.open.delete(point.index);
    // stored: the point's chunk bytes are no longer needed
    await this.conn.direct.del(
      ...this.plan.map(([s]) => this.key(point, s)),
      planKey(this.name, point.index),
    );
  }

  private job(point: PointSpec, [runStart, runEnd]: [number, number]) {
    const task: ChunkTask = {
      scenario: this.spec.scenario,
      seed: this.spec.seed,
      point,
      runs: this.runs,
      runStart,
      runEnd,
      ...experimentPlugins(this.spec),
      ...experimentColumns(this.spec),
    };
    return {
      name: "chunk",
      data: {
        task,
        ...(this.runs > EXACT_RUNS ? { planKey: planKey(this.name, point.index) } : {}),
      },
      opts: {
        jobId: chunkJobId(point.index, runStart),
        attempts: this.options.attempts ?? 3,
        backoff: { type: "fixed" as const, delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      },
    };
  }
}

/** Unlist the queue; once the workers have left it (told at once), delete it and its chunk bytes. */
async function wipeQueue(conn: QueueConnection, q: ChunkQueue, name: string): Promise<void> {
  await conn.direct.srem(REGISTRY_KEY, name);
  await conn.direct.publish(REGISTRY_CHANNEL, name);
  const until = Date.now() + 10_000;
  while (Date.now() < until && (await q.getWorkersCount()) > 0) await sleep(20);
  await q.obliterate({ force: true });
  await deleteKeys(conn, `${resultKey(name, "")}*`);
  await deleteKeys(conn, `${planPrefix(name)}*`);
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
