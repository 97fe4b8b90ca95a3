import { existsSync } from "node:fs";
import { basename } from "node:path";

/** The part of the results store (src/results) the dashboard reads. */
interface StoreLike {
  listExperiments(): Promise<unknown>;
  loadExperiment(id: string): Promise<unknown>;
  close(): Promise<void> | void;
}
type OpenStore = (path: string, options?: { readOnly?: boolean }) => Promise<StoreLike>;

/** Why experiments cannot be listed, for the dashboard to show; or null when they can. */
export class StoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreUnavailable";
  }
}

async function loadOpenStore(): Promise<OpenStore> {
  // the store's absence (DuckDB not loadable) is a message, not a crash; a literal specifier,
  // so the bundled CLI (scripts/bundle-cli.mjs) sees what it loads
  try {
    const mod = (await import("../results/index.js")) as { openStore?: OpenStore };
    if (typeof mod.openStore !== "function") throw new Error("no openStore export");
    return mod.openStore;
  } catch (e) {
    throw new StoreUnavailable(
      `the results store is not available in this build (${(e as Error).message})`,
    );
  }
}

/** Open the store, run `f`, close it again (so a running experiment can write between requests). */
export async function withStore<T>(
  path: string | undefined,
  f: (store: StoreLike) => Promise<T>,
): Promise<T> {
  if (!path)
    throw new StoreUnavailable("no results store given: start the server with --store <file>");
  if (!existsSync(path)) throw new StoreUnavailable(`no results store ${basename(path)}`);
  const openStore = await loadOpenStore();
  let store: StoreLike;
  try {
    store = await openStore(path, { readOnly: true });
  } catch (e) {
    // "in use" by a writer (a running experiment) is 503, as documented; never an absolute path
    const reason = (e as { reason?: string }).reason;
    if ((e as Error).name === "StoreError")
      throw new StoreUnavailable(
        reason === "busy"
          ? `the results store ${basename(path)} is in use by a running experiment; try again when it is done`
          : `the results store ${basename(path)} cannot be read (${reason ?? "error"})`,
      );
    throw e;
  }
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

/** JSON-safe copy: typed arrays become arrays, bigints numbers, non-finite numbers null. */
export function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>, (v) => plain(v));
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

interface StoredPoint {
  index: number;
  params: unknown;
  summary: unknown;
  failedRuns: readonly unknown[];
  bands: { columns: readonly string[]; days: number; runs: number; stats: Record<string, unknown> };
}
interface StoredExperiment {
  spec: Record<string, unknown>;
  points: StoredPoint[];
  finished: boolean;
}

/** An experiment without its bands (they can be large): spec, and per point its params and summary. */
export function experimentOverview(id: string, e: StoredExperiment): unknown {
  return plain({
    id,
    finished: e.finished,
    spec: e.spec,
    points: e.points.map((p) => ({
      index: p.index,
      params: p.params,
      summary: p.summary,
      failedRuns: p.failedRuns.length,
      runs: p.bands.runs,
    })),
  });
}

/** One point's bands, column by column: `{ column: { p5: [...], …, mean: [...] } }`. */
export function pointBands(e: StoredExperiment, index: number): unknown | null {
  const p = e.points.find((q) => q.index === index);
  if (!p) return null;
  const { columns, days, runs, stats } = p.bands;
  const out: Record<string, Record<string, unknown>> = {};
  columns.forEach((name, c) => {
    out[name] = {};
    for (const [stat, arr] of Object.entries(stats))
      out[name][stat] = plain((arr as Float64Array).subarray(c * days, (c + 1) * days));
  });
  return { index, days, runs, params: plain(p.params), columns: out };
}

export type { StoredExperiment };
