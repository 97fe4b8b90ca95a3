import { hostname } from "node:os";
import { type Job, Worker } from "bullmq";
import { Piscina } from "piscina";
import type { ChunkPartial } from "../montecarlo/chunk.js";
import type { BandPlan } from "../montecarlo/histogram.js";
import { workerFile } from "../montecarlo/pool.js";
import { encodeChunk } from "./codec.js";
import { bounded, connectQueue, subscribe } from "./connection.js";
import { decodePlan, type EncodedPlan } from "./planCodec.js";
import {
  type ChunkJobData,
  type ChunkJobResult,
  REGISTRY_CHANNEL,
  REGISTRY_KEY,
  RESULT_TTL_SECONDS,
  resultKey,
} from "./protocol.js";
import { type QueueAddress, QueueError } from "./url.js";

export interface QueueWorkerOptions {
  /** Chunks run at once (worker threads). */
  readonly concurrency: number;
  /** A chunk's lock (ms), renewed while it runs; a dead worker's chunk is retried after it lapses. */
  readonly lockDuration: number;
  /** How often (ms) workers look for chunks whose worker died. */
  readonly stalledInterval: number;
  /** A chunk whose worker died this many times fails (the coordinator reports it). */
  readonly maxStalledCount: number;
  /** Give up (exit) when Redis has been unreachable this long (ms). */
  readonly redisTimeout: number;
  /** How often (ms) to look for new experiments. */
  readonly pollMs?: number;
  /** Stop: finish the chunks under way, then close. */
  readonly signal: AbortSignal;
  /** One line per event (a chunk done, an experiment joined). */
  readonly log?: (line: string) => void;
}

/**
 * Take chunks from every experiment listed in Redis until the signal: run each on a worker
 * thread (so the lock keeps being renewed while it computes), store its encoded bytes under
 * its result key and complete the job. Resolves with the number of chunks done; rejects with
 * a QueueError when Redis is unreachable for longer than `redisTimeout`.
 */
export async function runQueueWorker(
  address: QueueAddress,
  options: QueueWorkerOptions,
): Promise<{ chunks: number }> {
  const conn = await connectQueue(address, { forWorker: true });
  const name = `${hostname()}:${process.pid}`;
  const concurrency = Math.max(1, options.concurrency);
  const pool = new Piscina({
    filename: workerFile(),
    minThreads: concurrency,
    maxThreads: concurrency,
  });
  const log = options.log ?? (() => {});
  const workers = new Map<string, Worker<ChunkJobData, ChunkJobResult>>();
  let chunks = 0;

  // the points' plans read lately (a point's chunks come one after another)
  const plans: { key: string; plan: BandPlan }[] = [];
  const planAt = async (key: string): Promise<BandPlan | null> => {
    const known = plans.find((p) => p.key === key);
    if (known) return known.plan;
    const text = await conn.direct.get(key);
    // gone (the point was stored meanwhile, or expired): the chunk makes the same plan itself
    if (text === null) return null;
    const plan = decodePlan(JSON.parse(text) as EncodedPlan);
    plans.unshift({ key, plan });
    if (plans.length > 4) plans.pop();
    return plan;
  };

  const processor = (queue: string) => async (job: Job<ChunkJobData, ChunkJobResult>) => {
    const t0 = Date.now();
    const plan = job.data.planKey ? await planAt(job.data.planKey) : null;
    const task = plan ? { ...job.data.task, plan } : job.data.task;
    const partial = (await pool.run(task)) as ChunkPartial;
    const bytes = encodeChunk(partial);
    const key = resultKey(queue, job.id!);
    await conn.direct.set(
      key,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      "EX",
      RESULT_TTL_SECONDS,
    );
    chunks++;
    log(
      `${queue} point ${task.point.index} runs ${task.runStart}…${task.runEnd - 1}: ${((Date.now() - t0) / 1000).toFixed(2)} s`,
    );
    return { key, bytes: bytes.byteLength };
  };

  const join = (queue: string) => {
    const w = new Worker<ChunkJobData, ChunkJobResult>(queue, processor(queue), {
      connection: conn.bull,
      name,
      concurrency,
      lockDuration: options.lockDuration,
      stalledInterval: options.stalledInterval,
      maxStalledCount: options.maxStalledCount,
      drainDelay: 1,
    });
    w.on("error", () => {}); // connection trouble: watched below
    workers.set(queue, w);
    log(`joined ${queue}`);
  };

  const leave = async (queue: string) => {
    const w = workers.get(queue);
    workers.delete(queue);
    await w?.close();
    log(`left ${queue}`);
  };

  const pollMs = options.pollMs ?? 1000;
  let lastOk = Date.now();
  let failure: QueueError | null = null;
  // a coordinator announces a new or finished experiment: look at the registry now
  let wake = () => {};
  let woken = false;
  let unsubscribe = () => {};
  try {
    unsubscribe = await subscribe(address, REGISTRY_CHANNEL, () => {
      woken = true;
      wake();
    });
    while (!options.signal.aborted) {
      woken = false;
      try {
        const listed = new Set(await conn.direct.smembers(REGISTRY_KEY));
        lastOk = Date.now();
        for (const q of listed) if (!workers.has(q)) join(q);
        for (const q of [...workers.keys()]) if (!listed.has(q)) await leave(q);
      } catch (e) {
        if (Date.now() - lastOk > options.redisTimeout) {
          failure = new QueueError(
            `lost the connection to Redis at ${address.display} for ${Math.round(options.redisTimeout / 1000)} s (${(e as Error).message}); stopping`,
          );
          break;
        }
      }
      if (!woken)
        await sleep(pollMs, options.signal, (w) => {
          wake = w;
        });
    }
  } finally {
    unsubscribe();
    // a graceful stop lets the chunks under way finish; after losing Redis there is nobody to tell
    const closing = Promise.all([...workers.values()].map((w) => w.close(failure !== null)));
    if (failure) await bounded(closing, 3000);
    else await closing;
    await pool.destroy();
    await bounded(conn.close(), 3000);
  }
  if (failure) throw failure;
  return { chunks };
}

/** Sleep `ms`, or less: until the signal aborts or the function handed to `onWake` is called. */
function sleep(ms: number, signal: AbortSignal, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    onWake(done);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
