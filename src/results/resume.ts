import type { ExperimentSpec } from "../analysis/types.js";
import { canonicalHash } from "./json.js";

interface Ref {
  readonly path: string;
  readonly sha256: string;
}

function refsOf(options: Readonly<Record<string, unknown>> | undefined): Ref[] {
  const p = options?.plugins;
  return Array.isArray(p) ? (p as Ref[]) : [];
}

/**
 * What keeps `--resume` from continuing `old` (the most recent unfinished experiment of the same
 * kind and scenario name) with `spec`, in words: each changed plugin file (path and new
 * SHA-256), then each other part of the spec that differs. Empty when nothing differs.
 */
export function specChanges(old: ExperimentSpec, spec: ExperimentSpec): string[] {
  const out: string[] = [];
  const before = new Map(refsOf(old.options).map((r) => [r.path, r.sha256]));
  const now = refsOf(spec.options);
  for (const r of now)
    if (before.get(r.path) !== r.sha256)
      out.push(
        before.has(r.path)
          ? `plugin ${r.path} changed (sha256 ${r.sha256.slice(0, 12)}…, was ${before.get(r.path)?.slice(0, 12)}…)`
          : `plugin ${r.path} added (sha256 ${r.sha256.slice(0, 12)}…)`,
      );
  const paths = new Set(now.map((r) => r.path));
  for (const path of before.keys()) if (!paths.has(path)) out.push(`plugin ${path} removed`);
  const { plugins: _a, ...oldOptions } = old.options ?? {};
  const { plugins: _b, ...newOptions } = spec.options ?? {};
  const parts: [string, unknown, unknown][] = [
    ["the scenario", old.scenario, spec.scenario],
    ["the bme-sim version", old.version, spec.version],
    ["the seed", old.seed, spec.seed],
    ["the runs per point", old.runsPerPoint, spec.runsPerPoint],
    ["the points", old.points, spec.points],
    ["the options", oldOptions, newOptions],
  ];
  for (const [name, a, b] of parts)
    if (canonicalHash(a ?? null) !== canonicalHash(b ?? null)) out.push(`${name} changed`);
  return out;
}

/** The notice `--resume` gives when it cannot continue `id`: a new experiment is started. */
export function resumeNotice(id: string | null, changes: readonly string[], kind: string): string {
  if (id === null)
    return `no unfinished ${kind} experiment of this scenario to resume; starting a new one`;
  return `experiment ${id} cannot be resumed: ${changes.join("; ") || "its spec differs"}; starting a new one`;
}
