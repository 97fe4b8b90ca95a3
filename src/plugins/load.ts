import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { OUTCOME_METRICS } from "../analysis/types.js";
import type { Metric, Policy } from "./api.js";

/** The policies and metrics of plugin modules. */
export interface LoadedPlugins {
  readonly policies: Policy[];
  readonly metrics: Metric[];
}

/**
 * Import plugin modules (`bme run --plugin ./my.mjs`): each exports `policies` and/or
 * `metrics` (arrays), or a default export `{ policies, metrics }`. The module is imported by
 * Node — this is the user's own code, run with the user's rights; the dashboard server never
 * calls this. Throws an Error naming the file and the problem.
 */
export async function loadPlugins(paths: readonly string[]): Promise<LoadedPlugins> {
  const policies: Policy[] = [];
  const metrics: Metric[] = [];
  for (const path of paths) {
    const file = resolve(path);
    if (!existsSync(file)) throw new Error(`--plugin ${path}: no such file`);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`--plugin ${path}: cannot load it: ${e instanceof Error ? e.message : e}`);
    }
    const src = (mod.policies || mod.metrics ? mod : (mod.default ?? {})) as Record<
      string,
      unknown
    >;
    const ps = src.policies ?? [];
    const ms = src.metrics ?? [];
    if (!Array.isArray(ps) || !Array.isArray(ms))
      throw new Error(`--plugin ${path}: \`policies\` and \`metrics\` must be arrays`);
    if (ps.length === 0 && ms.length === 0)
      throw new Error(`--plugin ${path}: exports no \`policies\` or \`metrics\``);
    ps.forEach((p, i) => {
      if (typeof p?.name !== "string" || typeof p?.decide !== "function")
        throw new Error(
          `--plugin ${path}: policies[${i}] needs a name and a decide(view) function`,
        );
      policies.push(p as Policy);
    });
    ms.forEach((m, i) => {
      if (typeof m?.name !== "string" || typeof m?.compute !== "function")
        throw new Error(
          `--plugin ${path}: metrics[${i}] needs a name and a compute(result) function`,
        );
      metrics.push(m as Metric);
    });
  }
  const builtIn = new Set<string>(OUTCOME_METRICS);
  const seen = new Set<string>();
  for (const m of metrics) {
    if (builtIn.has(m.name) || seen.has(m.name))
      throw new Error(
        `--plugin: metric "${m.name}" ${builtIn.has(m.name) ? "is a built-in outcome metric" : "is defined twice"}; give it another name`,
      );
    seen.add(m.name);
  }
  return { policies, metrics };
}
