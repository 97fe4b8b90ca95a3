import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { action, CliError } from "../errors.js";
import { stopWithParent } from "../invocation.js";
import { wholeNumber } from "../options.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the interactive dashboard (explore, Monte Carlo, compare, share)")
    .argument("[scenario]", "scenario file to open first (YAML or JSON)")
    .option(
      "--port <n>",
      "port to listen on (0 = any free port)",
      wholeNumber("--port", 0, 65_535),
      4173,
    )
    .option("--host <address>", "address to bind (the default keeps it local)", "127.0.0.1")
    .option("--store <file>", "results store (DuckDB file) whose experiments the dashboard opens")
    .option(
      "--token <token>",
      "access token every API call must carry (generated when --host is beyond loopback)",
    )
    .action(
      action(async (file, opts) => {
        let scenarioFile: string | undefined;
        if (file !== undefined) {
          scenarioFile = resolve(file);
          if (!existsSync(scenarioFile) || !statSync(scenarioFile).isFile())
            throw new CliError(`no such scenario file: ${file}`);
        }
        // Hono and the API are loaded by this command only
        const { isLoopback, startServer } = await import("../../server/index.js");
        const { randomBytes } = await import("node:crypto");
        // beyond loopback anyone on the network could reach it: warn, and require a token
        const exposed = !isLoopback(opts.host);
        if (opts.token !== undefined && opts.token.length < 16)
          throw new CliError("--token must be at least 16 characters");
        const token = opts.token ?? (exposed ? randomBytes(24).toString("base64url") : undefined);
        if (exposed)
          process.stderr.write(
            `warning: --host ${opts.host} makes the dashboard reachable from other machines; ` +
              "every API call needs the access token (open the URL printed below)\n",
          );
        const server = await startServer({
          port: opts.port,
          host: opts.host,
          token,
          scenarioFile,
          storePath: opts.store ? resolve(opts.store) : undefined,
        }).catch((e: NodeJS.ErrnoException) => {
          if (e.code === "EADDRINUSE")
            throw new CliError(`port ${opts.port} is in use: pick another with --port (0 = any)`);
          throw new CliError(`cannot listen on ${opts.host}:${opts.port}: ${e.message}`);
        });
        const url = token ? `${server.url}?token=${encodeURIComponent(token)}` : server.url;
        process.stdout.write(`bme dashboard: ${url}\n(press Ctrl-C to stop)\n`);
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
