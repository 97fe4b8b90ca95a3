import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { action, CliError } from "../errors.js";
import { stopWithParent } from "../invocation.js";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(
      `--port must be a whole number 0 … 65535 (0 = any free port), got "${value}"`,
    );
  return n;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the interactive dashboard (explore, Monte Carlo, compare, share)")
    .argument("[scenario]", "scenario file to open first (YAML or JSON)")
    .option("--port <n>", "port to listen on (0 = any free port)", "4173")
    .option("--host <address>", "address to bind (the default keeps it local)", "127.0.0.1")
    .option("--store <file>", "results store (DuckDB file) whose experiments the dashboard opens")
    .action(
      action(async (file, opts) => {
        let scenarioFile: string | undefined;
        if (file !== undefined) {
          scenarioFile = resolve(file);
          if (!existsSync(scenarioFile) || !statSync(scenarioFile).isFile())
            throw new CliError(`no such scenario file: ${file}`);
        }
        // Hono and the API are loaded by this command only
        const { startServer } = await import("../../server/index.js");
        const server = await startServer({
          port: port(opts.port),
          host: opts.host,
          scenarioFile,
          storePath: opts.store ? resolve(opts.store) : undefined,
        }).catch((e: NodeJS.ErrnoException) => {
          if (e.code === "EADDRINUSE")
            throw new CliError(`port ${opts.port} is in use: pick another with --port (0 = any)`);
          throw new CliError(`cannot listen on ${opts.host}:${opts.port}: ${e.message}`);
        });
        process.stdout.write(`bme dashboard: ${server.url}\n(press Ctrl-C to stop)\n`);
        await new Promise<void>((done) => {
          const stop = () => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            unwatch();
            server.close().then(done);
          };
          process.on("SIGINT", stop);
          process.on("SIGTERM", stop);
          // started by `npm run bme -- serve`: stop with npm (its shell does not pass SIGTERM on)
          const unwatch = stopWithParent(stop);
        });
      }),
    );
}
