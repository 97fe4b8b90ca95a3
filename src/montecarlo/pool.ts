import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { ChunkPartial, ChunkTask } from "./chunk.js";
import work from "./worker.js";

/** Runs chunks: in this thread (1 worker) or on a pool of worker threads. */
export interface ChunkRunner {
  /** Run a chunk; when `signal` aborts, rejects with an AbortError (a running thread is stopped). */
  run(task: ChunkTask, signal?: AbortSignal): Promise<ChunkPartial>;
  close(): Promise<void>;
}

/**
 * True in the CLI's bundle: scripts/bundle-cli.mjs sets it, so the CLI's Piscina threads (`bme
 * worker`'s) start from the pool bundle dist/src/cli/pool.mjs (worker.js with all it imports in
 * one file, compiled with its V8 code cache; docs/decisions.md 144), as the Monte Carlo's own
 * threads do (decision 98), rather than from the ≈ 100 unbundled modules.
 */
const IN_CLI_BUNDLE = false;

/**
 * The Piscina worker: the bundled one in the CLI; else the compiled module beside this one, or
 * in dist/ when running from TypeScript sources.
 */
export function workerFile(): string {
  if (IN_CLI_BUNDLE) return fileURLToPath(new URL("../cli/pool.mjs", import.meta.url));
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/\.ts$/, ".js").replace(/pool\.js$/, "worker.js");
  if (existsSync(js) && js.endsWith(".js") && !here.endsWith(".ts")) return js;
  const dist = here.replace(/\/src\/montecarlo\/pool\.(ts|js)$/, "/dist/src/montecarlo/worker.js");
  if (!existsSync(dist))
    throw new Error(`the worker thread needs the build: ${dist} is missing (run npm run build)`);
  return dist;
}

export function chunkRunner(workers: number): ChunkRunner {
  if (workers <= 1)
    return {
      run: async (task, signal) => {
        // yield to the event loop first, so a Ctrl-C between chunks is seen
        await new Promise((done) => setImmediate(done));
        signal?.throwIfAborted();
        return work(task);
      },
      close: async () => {},
    };
  const pool = new Piscina({
    filename: workerFile(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 1000,
  });
  return {
    run: (task, signal) => pool.run(task, { signal }) as Promise<ChunkPartial>,
    close: () => pool.destroy(),
  };
}
