import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Command } from "@commander-js/extra-typings";
import type { ExperimentSink, ExperimentSpec } from "../../analysis/types.js";
import type { ExperimentOutcome } from "../../montecarlo/experiment.js";
import type { ChunkStore } from "../../queue/index.js";
// BullMQ and ioredis are loaded by the actions that use them (`await import`), not at start-up
import {
  parseQueueUrl,
  type QueueAddress,
  QueueError,
  type QueueSecrets,
} from "../../queue/url.js";
import { counted } from "../../text.js";
import { action, CliError, EXIT_BAD_INPUT, EXIT_FAILURE, reportError } from "../errors.js";
import { stopWithParent } from "../invocation.js";
import { wholeNumber } from "../options.js";

/**
 * Credentials and TLS files from the environment, so that they never appear on a command
 * line (`ps` shows those to every user of the machine).
 */
function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): QueueSecrets {
  const file = (name: string) => {
    const path = env[name];
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new CliError(`${name}: cannot read ${path} (${(e as NodeJS.ErrnoException).code})`);
    }
  };
  const ca = file("BME_REDIS_TLS_CA");
  const cert = file("BME_REDIS_TLS_CERT");
  const key = file("BME_REDIS_TLS_KEY");
  return {
    username: env.BME_REDIS_USERNAME || undefined,
    password: env.BME_REDIS_PASSWORD || undefined,
    tls: ca || cert || key ? { ca, cert, key } : undefined,
  };
}

/** The address of `--queue`, or a CliError (never showing the password). */
export function queueAddress(url: string, connectTimeout = 5000): QueueAddress {
  try {
    return parseQueueUrl(url, secretsFromEnv(), connectTimeout);
  } catch (e) {
    throw asCliError(e);
  }
}

function asCliError(e: unknown): unknown {
  if (e instanceof QueueError)
    return new CliError(e.message, e.kind === "bad-input" ? EXIT_BAD_INPUT : EXIT_FAILURE);
  return e;
}

/**
 * `runExperiment` on the workers of a queue (the `--queue` option of the experiment commands):
 * same outcome, same store contents; progress shows chunks, runs per second, ETA and retries.
 */
export async function runQueuedExperiment(
  spec: ExperimentSpec,
  url: string,
  options: {
    sink: ExperimentSink | null | undefined;
    resume: boolean;
    signal: AbortSignal;
    quiet: boolean;
    label: string;
    onNotice?: (notice: string) => void;
  },
): Promise<ExperimentOutcome> {
  const sink = options.sink as Partial<ChunkStore> | null | undefined;
  if (!sink?.begin || !sink.writePoint || !sink.finish)
    throw new CliError("--queue keeps its finished points in the results store: drop --no-store");
  const address = queueAddress(url);
  const started = Date.now();
  let last = 0;
  let lastFailed = 0;
  let lastDone = -1;
  try {
    const { runDistributedExperiment } = await import("../../queue/coordinator.js");
    return await runDistributedExperiment(spec, address, {
      store: sink as ChunkStore,
      resume: options.resume,
      signal: options.signal,
      onNotice: options.onNotice,
      onProgress: (p) => {
        if (options.quiet) return;
        const now = Date.now();
        const end = p.chunksDone === p.chunksTotal;
        const changed = p.failedChunks !== lastFailed || (end && p.chunksDone !== lastDone);
        if (now - last < 2000 && !changed && last !== 0) return;
        if (end && p.chunksDone === lastDone) return;
        last = now;
        lastFailed = p.failedChunks;
        lastDone = p.chunksDone;
        const seconds = Math.max(1e-3, (now - started) / 1000);
        const rate = p.runsDone / seconds;
        const eta = rate > 0 ? (p.runsTotal - p.runsDone) / rate : 0;
        process.stderr.write(
          `${options.label} via ${address.display}: ${p.chunksDone}/${p.chunksTotal} chunks, ` +
            `${p.runsDone}/${p.runsTotal} runs, ${Math.round(rate)} runs/s, ETA ${eta.toFixed(0)} s, ` +
            `${p.failedChunks} failed chunk${p.failedChunks === 1 ? "" : "s"} retried\n`,
        );
      },
    });
  } catch (e) {
    throw asCliError(e);
  }
}

function milliseconds(name: string) {
  return wholeNumber(name, 100, 3_600_000);
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "take chunks of Monte Carlo runs from a Redis queue (bme montecarlo|sweep … --queue URL) until stopped",
    )
    .requiredOption(
      "--queue <url>",
      "Redis: redis://[:password@]host:port[/db], rediss:// for TLS (password also from BME_REDIS_PASSWORD)",
    )
    .option(
      "--concurrency <n>",
      "chunks at once, each on a worker thread",
      wholeNumber("--concurrency", 1, 256),
      Math.max(1, availableParallelism()),
    )
    .option(
      "--lock-duration <ms>",
      "a chunk's lock, renewed while it runs; a killed worker's chunk is retried after it lapses",
      milliseconds("--lock-duration"),
      30_000,
    )
    .option(
      "--stalled-interval <ms>",
      "how often to look for chunks of killed workers",
      milliseconds("--stalled-interval"),
      30_000,
    )
    .option(
      "--max-stalled <n>",
      "a chunk whose worker died this many times fails",
      wholeNumber("--max-stalled", 1, 1000),
      5,
    )
    .option(
      "--redis-timeout <ms>",
      "stop when Redis has been unreachable this long",
      milliseconds("--redis-timeout"),
      60_000,
    )
    .option("--quiet", "print nothing but errors", false)
    .action(
      action(async (opts) => {
        const address = queueAddress(opts.queue);
        const abort = new AbortController();
        const say = (line: string) => {
          if (!opts.quiet) process.stderr.write(`${line}\n`);
        };
        let signals = 0;
        const stop = (signal: string) => {
          if (++signals > 1) process.exit(130);
          say(`${signal}: finishing the chunks under way (again to quit now)`);
          abort.abort();
        };
        const onInt = () => stop("SIGINT");
        const onTerm = () => stop("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
        const unwatch = stopWithParent(() => stop("parent stopped"));
        try {
          say(
            `worker ${process.pid}: ${opts.concurrency} thread${opts.concurrency === 1 ? "" : "s"}, ` +
              `queue ${address.display}; Ctrl-C to stop`,
          );
          const { runQueueWorker } = await import("../../queue/worker.js");
          const { chunks } = await runQueueWorker(address, {
            concurrency: opts.concurrency,
            lockDuration: opts.lockDuration,
            stalledInterval: opts.stalledInterval,
            maxStalledCount: opts.maxStalled,
            redisTimeout: opts.redisTimeout,
            signal: abort.signal,
            log: say,
          });
          say(`worker ${process.pid}: stopped after ${counted(chunks, "chunk")}`);
        } catch (e) {
          // Redis is gone: BullMQ's reconnect timers would keep the process alive, so leave now
          process.exit(reportError(asCliError(e)));
        } finally {
          unwatch();
          process.removeListener("SIGINT", onInt);
          process.removeListener("SIGTERM", onTerm);
        }
      }),
    );
}
