import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type AppOptions, createApp } from "./app.js";
import { packagePaths } from "./paths.js";

export { type AppOptions, BODY_LIMIT, createApp } from "./app.js";
export { isLoopback } from "./guard.js";
export { packagePaths, packageRoot } from "./paths.js";

export interface ServeOptions extends Partial<AppOptions> {
  /** 0 picks any free port. Default 4173. */
  readonly port?: number;
  /** Default 127.0.0.1: the dashboard is local unless told otherwise. */
  readonly host?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

/** Start the dashboard's server; resolves once it listens. */
export function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const paths = packagePaths();
  const app = createApp({
    scenarioDir: options.scenarioDir ?? paths.scenarioDir,
    webDir: options.webDir ?? paths.webDir,
    scenarioFile: options.scenarioFile,
    storePath: options.storePath,
    host: options.host ?? "127.0.0.1",
    token: options.token,
    timeBudgetMs: options.timeBudgetMs,
  });
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolvePromise, reject) => {
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 4173, hostname: host },
      (info) => {
        const port = (info as AddressInfo).port;
        const shown = host.includes(":") ? `[${host}]` : host;
        resolvePromise({
          url: `http://${shown}:${port}/`,
          port,
          host,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
