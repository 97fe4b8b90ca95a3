import { basename } from "node:path";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { VERSION } from "../version.js";
import { StoreUnavailable } from "./experiments.js";
import { BODY_LIMIT, guard, TIME_BUDGET_MS, timeBudget } from "./guard.js";
import {
  registerExperimentRoutes,
  registerScenarioRoutes,
  registerStatic,
  registerValidateRoute,
} from "./routes.js";

export { BODY_LIMIT } from "./guard.js";

export interface AppOptions {
  /** Folder of the shipped scenarios. */
  readonly scenarioDir: string;
  /** Folder of the built web app (index.html and assets). */
  readonly webDir: string;
  /** The scenario file given on the command line: the only file `/api/file` serves. */
  readonly scenarioFile?: string;
  /** The results store (DuckDB file) whose experiments the dashboard may open. */
  readonly storePath?: string;
  /** The address the server is bound to: requests must name it or a loopback host. */
  readonly host?: string;
  /** Access token every API call must carry (required when bound beyond loopback). */
  readonly token?: string;
  /** Longest a request may take, ms. Default TIME_BUDGET_MS. */
  readonly timeBudgetMs?: number;
}

function bad(message: string) {
  return { error: message };
}

/**
 * The dashboard's HTTP app: a small JSON API and the built web app. Every request passes the
 * guard (Host, Origin, token), the body limit and the time budget (docs/limits.md); errors
 * are JSON with a readable message, never a stack or an absolute path.
 */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof StoreUnavailable) return c.json(bad(err.message), 503);
    return c.json(bad(`internal error (${err.name})`), 500);
  });
  app.use("*", guard({ host: options.host, token: options.token }));
  app.use("/api/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("X-Content-Type-Options", "nosniff");
  });
  app.use("/api/*", timeBudget(options.timeBudgetMs ?? TIME_BUDGET_MS));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: BODY_LIMIT,
      onError: (c) =>
        c.json(bad(`request body too large: the limit is ${BODY_LIMIT} bytes (1 MB)`), 413),
    }),
  );
  app.get("/api/info", (c) =>
    c.json({
      version: VERSION,
      // names only: the server never discloses where files are
      scenarioFile: options.scenarioFile ? basename(options.scenarioFile) : null,
      store: options.storePath ? basename(options.storePath) : null,
    }),
  );
  registerScenarioRoutes(app, options);
  registerValidateRoute(app, options);
  registerExperimentRoutes(app, options.storePath);
  app.all("/api/*", (c) => c.json(bad(`no such API route: ${c.req.method} ${c.req.path}`), 404));
  registerStatic(app, options.webDir);
  return app;
}
