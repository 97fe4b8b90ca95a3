import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type LoadedPlugins, loadPlugins } from "./load.js";

/**
 * A plugin module as an experiment names it for its workers (docs/plugins.md "Workers"): the
 * absolute path of the file and the SHA-256 of its bytes. Every worker — a Monte Carlo worker
 * thread or a `bme worker` on another machine — imports the file at that path and refuses to
 * run when its bytes hash differently, so no chunk is computed with another version of the code.
 */
export interface PluginRef {
  /** Absolute path; the same on every machine that runs chunks. */
  readonly path: string;
  /** Hex SHA-256 of the file's bytes. */
  readonly sha256: string;
}

function sha256Of(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The refs of `--plugin` paths (resolved against the working directory). Throws on a missing file. */
export function pluginRefs(paths: readonly string[]): PluginRef[] {
  return paths.map((p) => {
    const path = resolve(p);
    if (!existsSync(path)) throw new Error(`--plugin ${p}: no such file`);
    return { path, sha256: sha256Of(path) };
  });
}

const cache = new Map<string, Promise<LoadedPlugins>>();

/**
 * Import the plugins of a chunk, once per thread (cached by path and hash). Throws an Error
 * naming the file when it is missing here or its bytes differ from the experiment's.
 */
export function loadPluginRefs(refs: readonly PluginRef[]): Promise<LoadedPlugins> {
  const key = refs.map((r) => `${r.path}#${r.sha256}`).join("\n");
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = (async () => {
      for (const r of refs) {
        if (!existsSync(r.path))
          throw new Error(
            `plugin ${r.path}: no such file on this worker (every worker needs the same file at the same path)`,
          );
        const here = sha256Of(r.path);
        if (here !== r.sha256)
          throw new Error(
            `plugin ${r.path}: this worker's file differs from the experiment's (sha256 ${here.slice(0, 12)}… ≠ ${r.sha256.slice(0, 12)}…); refusing to run a different plugin`,
          );
      }
      return loadPlugins(refs.map((r) => r.path));
    })();
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

/**
 * The plugins of an experiment, as its chunk tasks carry them: `spec.options.plugins` (set by
 * `--plugin`; part of the spec, so a resumed experiment runs the same files).
 */
export function experimentPlugins(spec: { readonly options: Readonly<Record<string, unknown>> }): {
  plugins?: readonly PluginRef[];
} {
  const refs = spec.options.plugins as readonly PluginRef[] | undefined;
  return refs && refs.length > 0 ? { plugins: refs } : {};
}
