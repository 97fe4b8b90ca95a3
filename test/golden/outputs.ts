import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { RunResult } from "../../src/engine/result.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR } from "../helpers.js";

/** The seed every golden output is computed with. */
export const GOLDEN_SEED = 7;

/** Every shipped scenario file (`scenarios/**`), relative to `scenarios/`, sorted. */
export function shippedScenarios(dir = SCENARIOS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(f)) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

const hashOf = (bytes: Uint8Array | string) =>
  createHash("sha256").update(bytes).digest("hex").slice(0, 32);
const bytesOf = (v: Float64Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/**
 * A compact, byte-exact fingerprint of one run: a hash of every column's float64 bytes (so a
 * change names the column), the error, and three rows in full (first, middle, last) to read.
 */
export interface Fingerprint {
  readonly mode: string;
  readonly days: number;
  readonly error: string | null;
  readonly columns: Record<string, string>;
  readonly rows: Record<string, Record<string, number | string>>;
  readonly queue?: Record<string, string>;
  readonly suppliers?: string;
}

const exact = (x: number): number | string =>
  Number.isFinite(x) && !Object.is(x, -0) ? x : String(x);

export function fingerprint(r: RunResult): Fingerprint {
  const columns: Record<string, string> = {};
  r.columns.forEach((name, c) => {
    columns[name] = hashOf(bytesOf(r.values[c]));
  });
  const rows: Record<string, Record<string, number | string>> = {};
  for (const t of new Set([0, Math.floor(r.days / 2), r.days - 1]))
    if (t >= 0 && t < r.days)
      rows[t] = Object.fromEntries(r.columns.map((name, c) => [name, exact(r.values[c][t])]));
  const fp: Fingerprint = {
    mode: r.meta.mode,
    days: r.days,
    error: r.error ? r.error.message : null,
    columns,
    rows,
  };
  if (!r.marketplace) return fp;
  const queue: Record<string, string> = {};
  r.marketplace.queue.columns.forEach((name, c) => {
    queue[name] = hashOf(bytesOf(r.marketplace!.queue.values[c] as Float64Array));
  });
  return { ...fp, queue, suppliers: hashOf(JSON.stringify(r.marketplace.suppliers)) };
}

/** Run a shipped scenario as it ships (its own mode, noise as written) with the golden seed. */
export function runShipped(file: string, reference = false): RunResult {
  const { scenario } = loadScenario(join(SCENARIOS_DIR, file));
  return simulate(scenario, { seed: GOLDEN_SEED, reference });
}

export const GOLDEN_FILE = new URL("./outputs.json", import.meta.url).pathname;
