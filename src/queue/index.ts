/** Experiments across machines: chunks of runs on a BullMQ queue in Redis (docs/distributed.md). */
export { decodeChunk, encodeChunk } from "./codec.js";
export {
  connectQueue,
  describeRedisError,
  type QueueConnection,
  redisOptions,
} from "./connection.js";
export {
  type ChunkStore,
  type DistributedOptions,
  distributedChunks,
  type QueueProgress,
  runDistributedExperiment,
} from "./coordinator.js";
export { chunkJobId, queueName, REGISTRY_KEY, resultKey } from "./protocol.js";
export {
  maskUrl,
  parseQueueUrl,
  type QueueAddress,
  QueueError,
  type QueueSecrets,
  type RedisAddressOptions,
} from "./url.js";
export { type QueueWorkerOptions, runQueueWorker } from "./worker.js";
