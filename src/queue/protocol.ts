/**
 * What the coordinator and the workers agree on in Redis: one BullMQ queue per experiment
 * (`bme-<experimentId>`), a set naming the queues with work (`bme:experiments`, watched by
 * the workers), one job per chunk with a stable id (re-enqueueing never duplicates), and the
 * chunk's encoded bytes under their own key (binary, outside BullMQ's JSON and event stream).
 */
import type { ChunkTask } from "../montecarlo/chunk.js";

/** The set of queue names that workers serve. */
export const REGISTRY_KEY = "bme:experiments";
/** Published to whenever the registry changes, so workers join and leave at once (not at their next poll). */
export const REGISTRY_CHANNEL = "bme:experiments:changed";
/** A chunk's bytes stay this long if nobody collects them (seconds): a week. */
export const RESULT_TTL_SECONDS = 7 * 24 * 3600;

export interface ChunkJobData {
  readonly task: ChunkTask;
  /**
   * Histogram mode: the key of the point's bucket plan (planCodec.ts), made once by the
   * coordinator and stored once per point; the worker hands it to the chunk as task.plan.
   */
  readonly planKey?: string;
}

/** What a worker returns for a chunk: where its bytes are. */
export interface ChunkJobResult {
  readonly key: string;
  readonly bytes: number;
}

export function queueName(experimentId: string): string {
  return `bme-${experimentId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

export function chunkJobId(point: number, runStart: number): string {
  return `p${point}-r${runStart}`;
}

export function resultKey(queue: string, jobId: string): string {
  return `bme:chunk:${queue}:${jobId}`;
}

/** Where a point's bucket plan is stored (deleted when the point is stored, and with the queue). */
export function planKey(queue: string, point: number): string {
  return `${planPrefix(queue)}p${point}`;
}

/** The start of every plan key of a queue. */
export function planPrefix(queue: string): string {
  return `bme:plan:${queue}:`;
}
