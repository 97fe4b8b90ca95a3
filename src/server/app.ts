import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { parse as parseYaml } from "yaml";
import { scenarioWarnings } from "../scenario/checks.js";
import { ScenarioError } from "../scenario/errors.js";
import { applyOverrides } from "../scenario/overrides.js";
import { parseScenario } from "../scenario/parse.js";
import { VERSION } from "../version.js";
import {
  experimentOverview,
  plain,
  pointBands,
  type StoredExperiment,
  StoreUnavailable,
  withStore,
} from "./experiments.js";
import { listScenarioFiles, readScenarioText, readShipped } from "./scenarios.js";

/** Largest request body the API reads, in bytes (1 MB). */
export const BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  /** Folder of the shipped scenarios. */
  readonly scenarioDir: string;
  /** Folder of the built web app (index.html and assets). */
  readonly webDir: string;
  /** The scenario file given on the command line: the only file `/api/file` serves. */
  readonly scenarioFile?: string;
  /** The results store (DuckDB file) whose experiments the dashboard may open. */
  readonly storePath?: string;
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

function bad(message: string) {
  return { error: message };
}

/** Read the body of a validate request: JSON `{ yaml, set? }` or the YAML text itself. */
async function readValidateBody(
  req: Request,
): Promise<{ yaml: string; set: string[] } | { error: string }> {
  const type = req.headers.get("content-type") ?? "";
  const text = await req.text();
  if (!type.includes("json")) return { yaml: text, set: [] };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { error: `the request body is not valid JSON: ${(e as Error).message}` };
  }
  const b = body as { yaml?: unknown; set?: unknown };
  if (!b || typeof b !== "object" || typeof b.yaml !== "string")
    return { error: 'expected a JSON object { "yaml": "<scenario text>", "set": ["path=value"] }' };
  if (b.set !== undefined && !(Array.isArray(b.set) && b.set.every((s) => typeof s === "string")))
    return { error: '"set" must be a list of "path=value" strings' };
  return { yaml: b.yaml, set: (b.set as string[] | undefined) ?? [] };
}

/** The dashboard's HTTP app: a small JSON API and the built web app. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const webRoot = normalize(options.webDir);

  app.onError((err, c) => {
    if (err instanceof StoreUnavailable) return c.json(bad(err.message), 503);
    return c.json(bad(`internal error: ${err.message}`), 500);
  });

  app.use("/api/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });
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
      scenarioFile: options.scenarioFile ?? null,
      store: options.storePath ?? null,
    }),
  );

  app.get("/api/scenarios", (c) =>
    c.json(
      listScenarioFiles(options.scenarioDir).map((name) => {
        const s = readShipped(options.scenarioDir, name);
        return { name, title: s?.name ?? name, description: s?.description ?? "", days: s?.days };
      }),
    ),
  );

  app.get("/api/scenarios/:name", (c) => {
    const name = c.req.param("name");
    const s = readShipped(options.scenarioDir, name);
    if (!s)
      return c.json(
        bad(
          `no shipped scenario "${name}" (shipped: ${listScenarioFiles(options.scenarioDir).join(", ")})`,
        ),
        404,
      );
    return c.json({ ...s, file: `${name}${extname(s.file)}` });
  });

  app.get("/api/file", (c) => {
    const file = options.scenarioFile;
    if (!file) return c.json(bad("no scenario file was given to bme serve"), 404);
    if (!existsSync(file)) return c.json(bad(`the scenario file is gone: ${file}`), 404);
    return c.json(readScenarioText(file, "scenario"));
  });

  app.post("/api/validate", async (c) => {
    const body = await readValidateBody(c.req.raw);
    if ("error" in body) return c.json(bad(body.error), 400);
    let raw: unknown;
    try {
      raw = parseYaml(body.yaml);
    } catch (e) {
      return c.json(bad(`the scenario is not valid YAML: ${(e as Error).message}`), 400);
    }
    try {
      const withSets = body.set.length > 0 ? applyOverrides(raw, body.set) : raw;
      const scenario = parseScenario(withSets);
      return c.json({ valid: true, issues: [], warnings: scenarioWarnings(scenario), scenario });
    } catch (e) {
      if (e instanceof ScenarioError) return c.json({ valid: false, issues: e.issues });
      throw e;
    }
  });

  app.get("/api/experiments", async (c) => {
    const list = await withStore(options.storePath, (s) => s.listExperiments());
    return c.json(plain(list) as object);
  });

  const loadOne = (id: string) =>
    withStore(options.storePath, async (s) => {
      try {
        return (await s.loadExperiment(id)) as StoredExperiment | null;
      } catch {
        return null;
      }
    });

  app.get("/api/experiments/:id", async (c) => {
    const id = c.req.param("id");
    const e = await loadOne(id);
    if (!e) return c.json(bad(`no experiment "${id}" in the store`), 404);
    return c.json(experimentOverview(id, e) as object);
  });

  app.get("/api/experiments/:id/points/:index", async (c) => {
    const id = c.req.param("id");
    const index = Number(c.req.param("index"));
    if (!Number.isInteger(index) || index < 0)
      return c.json(bad("a point index is a whole number ≥ 0"), 400);
    const e = await loadOne(id);
    if (!e) return c.json(bad(`no experiment "${id}" in the store`), 404);
    const bands = pointBands(e, index);
    if (!bands) return c.json(bad(`experiment "${id}" has no point ${index}`), 404);
    return c.json(bands as object);
  });

  app.all("/api/*", (c) => c.json(bad(`no such API route: ${c.req.method} ${c.req.path}`), 404));

  app.get("*", (c) => {
    const index = join(webRoot, "index.html");
    if (!existsSync(index))
      return c.text(
        `The dashboard is not built (no ${index}). Run: npm run build\nThe API is at /api/scenarios.\n`,
        503,
      );
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return c.text("bad path", 400);
    }
    const file = normalize(join(webRoot, rel));
    const inside = file === webRoot || file.startsWith(webRoot + sep);
    const target =
      inside && existsSync(file) && statSync(file).isFile()
        ? file
        : extname(rel) === ""
          ? index // the app's own routes
          : null;
    if (!target) return c.text("not found", 404);
    c.header("Content-Type", MIME[extname(target)] ?? "application/octet-stream");
    c.header("X-Content-Type-Options", "nosniff");
    c.header(
      "Cache-Control",
      target.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
    );
    return c.body(readFileSync(target));
  });

  return app;
}
