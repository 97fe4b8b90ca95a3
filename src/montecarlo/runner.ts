import { scenarioExtensions } from "../day/extensions.js";
import { type CompiledScenario, compileScenario } from "../engine/compile.js";
import { kernelScratch, runKernelBatch } from "../engine/kernel.js";
import { feedbackBatchScratch, runFeedbackBatch } from "../feedback/batch.js";
import { feedbackPlanOf } from "../feedback/run.js";
import type { Policy } from "../plugins/api.js";
import { hasStochastic, StochasticInputs } from "../processes/generate.js";
import { runOne } from "../runOne.js";
import type { Scenario } from "../scenario/schema.js";
import { withDerivations } from "./derived.js";
import { type BandPlan, type PilotPart, planFromParts, planFromPilot } from "./histogram.js";

/** Runs of the pilot that plans the histogram buckets: runs 0 … PILOT_RUNS−1 of the point. */
export const PILOT_RUNS = 512;

/** How a chunk runs its runs: a batch at a time, cell-major with the runs innermost. */
export interface Runner {
  readonly c: CompiledScenario;
  readonly cells: number;
  readonly batch: number;
  /** Run `count` runs from run0 into `out[cell·count + b]`; good[b] = 1, or 0 with errors[b]. */
  run(seed: number, run0: number, count: number, out: Float64Array, good: Uint8Array): void;
  readonly errors: (Error | null)[];
  /** The plugin policies every run applies (none: the plain paths). */
  readonly policies: readonly Policy[];
  /** Scratch of the chunks this runner runs in turn (cachedRunner), made on first use. */
  readonly buffers: Map<string, Float64Array>;
  /** The last pilot's batches, as the kernel wrote them, for the point's first chunk (takePilot). */
  kept: KeptPilot | null;
}

/**
 * The batches of a pilot run by pilotPlan, left where the kernel wrote them: the last in the
 * runner's "out" buffer, the others in buffers of their own (`names`). The point's first chunk
 * counts them instead of running those runs again (takePilot; decision 165).
 */
export interface KeptPilot {
  readonly seed: number;
  readonly parts: readonly (PilotPart & { readonly run0: number })[];
  /** The runner's buffers that hold only these batches (freed when the chunk has taken them). */
  readonly names: readonly string[];
}

/**
 * The pilot batches kept in `r` for runs of `seed` (null: none), taken: the caller is about to
 * write the runner's "out" buffer, which holds the last of them.
 */
export function takePilot(r: Runner, seed: number): KeptPilot | null {
  const k = r.kept;
  r.kept = null;
  return k !== null && k.seed === seed ? k : null;
}

/** A runner's scratch buffer `name` of `length` values (reused; contents undefined). */
export function bufferOf(r: Runner, name: string, length: number): Float64Array {
  let b = r.buffers.get(name);
  if (!b || b.length !== length) {
    b = new Float64Array(length);
    r.buffers.set(name, b);
  }
  return b;
}

/**
 * The runner of a point's scenario: the fused kernel in lockstep batches for a plain
 * aggregate scenario, the feedback kernel in lockstep for feedback alone; for stochastic inputs, rules, feedback, policies or marketplace mode, one
 * run at a time through runOne (the engine `bme run` uses), copied into the batch layout.
 */
export function runnerOf(scenario: Scenario, policies: readonly Policy[] = []): Runner {
  const c = compileScenario(scenario);
  const inputs = hasStochastic(scenario) ? new StochasticInputs(c) : null;
  const cells = c.columns.length * c.days;
  const plain =
    scenario.mode === "aggregate" &&
    inputs === null &&
    (scenario.rules ?? []).length === 0 &&
    scenario.feedback === undefined &&
    policies.length === 0;
  const batch = plain ? BATCH : 16;
  const errors: (Error | null)[] = new Array(batch).fill(null);
  // a kernel that advances a batch in lockstep straight into the batch table, its runs'
  // errors (null: a good run) in `errs`
  const lockstepRunner = (
    step: (seed: number, run0: number, count: number, out: Float64Array) => void,
    errs: readonly (Error | null)[],
  ): Runner => ({
    c,
    cells,
    batch,
    errors,
    policies,
    buffers: new Map(),
    kept: null,
    run(seed, run0, count, out, good) {
      step(seed, run0, count, out);
      for (let b = 0; b < count; b++) {
        errors[b] = errs[b];
        good[b] = errors[b] === null ? 1 : 0;
      }
    },
  });
  if (plain) {
    const scratch = kernelScratch(c, batch);
    return lockstepRunner(
      (seed, run0, count, out) => runKernelBatch(c, seed, run0, count, out, scratch),
      scratch.errors,
    );
  }
  const plan = scenario.feedback === undefined ? undefined : feedbackPlanOf(c);
  const lockstep =
    plan !== undefined &&
    scenario.mode === "aggregate" &&
    inputs === null &&
    (scenario.rules ?? []).length === 0 &&
    policies.length === 0 &&
    scenarioExtensions(scenario).length === 0;
  if (lockstep) {
    // feedback without rules, stochastic inputs or policies: the feedback kernel in lockstep,
    // cell for cell runOne's (runFeedbackKernel), straight into the batch table
    const fb = feedbackBatchScratch(c, plan, batch);
    return lockstepRunner(
      (seed, run0, count, out) => runFeedbackBatch(c, seed, run0, count, out, fb, { plan }),
      fb.errors,
    );
  }
  const scratch = kernelScratch(c);
  const one = new Float64Array(cells);
  return {
    c,
    cells,
    batch,
    errors,
    policies,
    buffers: new Map(),
    kept: null,
    run(seed, run0, count, out, good) {
      for (let b = 0; b < count; b++) {
        const cc = inputs ? inputs.forRun(seed, run0 + b) : c;
        const o = runOne(cc, seed, run0 + b, one, { scratch, policies, plan });
        errors[b] = o.error;
        good[b] = o.error === null ? 1 : 0;
        for (let i = 0; i < cells; i++) out[i * count + b] = one[i];
      }
    },
  };
}

/**
 * Runs advanced together in a chunk (a divisor of BLOCK_RUNS): each cell's values of the batch
 * are binned in one visit of its histogram row, so the row is fetched once per 256 values.
 */
const BATCH = 256;

/**
 * The bucket plan of a point from its pilot (planFromPilot): the good pilot runs' values, read
 * from the batches where the kernel wrote them (planFromParts), which are kept for the point's
 * first chunk (Runner.kept): the pilot's runs are run once, not again in that chunk, and no
 * table of them is filled (31 MB of fresh pages for the whitepaper, ≈ 0.1 s on this machine).
 */
function pilotPlan(r: Runner, seed: number, runs: number): BandPlan {
  const parts = pilotParts(r, seed, runs, false);
  return withDerivations(planFromParts(parts), parts, r.c.days);
}

/**
 * Run a point's pilot a batch at a time, each batch left where the kernel wrote it and kept
 * for the point's first chunk in this thread (Runner.kept, takePilot): the last in "out" (the
 * first chunk writes it only after counting it), the others in buffers of their own; with
 * `shared`, every batch in a buffer of its own on a SharedArrayBuffer, which worker threads
 * read to plan some of the cells (planSlices; decision 193).
 */
export function pilotParts(
  r: Runner,
  seed: number,
  runs: number,
  shared: boolean,
): (PilotPart & { readonly run0: number })[] {
  const n = Math.min(PILOT_RUNS, runs);
  const { cells, batch } = r;
  const parts: (PilotPart & { run0: number })[] = [];
  const names: string[] = [];
  r.kept = null;
  for (let k0 = 0; k0 < n; k0 += batch) {
    const count = Math.min(batch, n - k0);
    const name = k0 + count >= n && !shared ? "out" : `pilot ${k0}`;
    if (name !== "out") names.push(name);
    if (shared) r.buffers.set(name, new Float64Array(new SharedArrayBuffer(cells * count * 8)));
    const values = bufferOf(r, name, cells * (shared ? count : batch)).subarray(0, cells * count);
    const good = new Uint8Array(count);
    r.run(seed, k0, count, values, good);
    parts.push({ values, runs: count, good, run0: k0 });
  }
  r.kept = { seed, parts, names };
  return parts;
}

/** Cell slices a point's plan is made in by the lanes together (planSlices). */
export const PLAN_SLICES = 16;

/**
 * Plan slices of the cells from a pilot held in parts, claimed one at a time from `claim[0]`
 * (Atomics: this thread and worker threads plan the slices of one point together, each slice
 * once; decision 193) until none is left: slice k is cells ⌊k·C/S⌋ … ⌊(k+1)·C/S⌋−1 of C,
 * S = PLAN_SLICES. planFromParts plans each cell from its own values alone, so the slices'
 * plans, joined in order (joinPlans), are the plan of all the cells. Returns [k, plan] pairs.
 */
export function planSlices(parts: readonly PilotPart[], claim: Int32Array): [number, BandPlan][] {
  const cells = parts[0].values.length / parts[0].runs;
  const out: [number, BandPlan][] = [];
  for (let k = Atomics.add(claim, 0, 1); k < PLAN_SLICES; k = Atomics.add(claim, 0, 1)) {
    const c0 = Math.floor((cells * k) / PLAN_SLICES);
    const c1 = Math.floor((cells * (k + 1)) / PLAN_SLICES);
    const slice = parts.map((p) => ({
      values: p.values.subarray(c0 * p.runs, c1 * p.runs),
      runs: p.runs,
      good: p.good,
    }));
    out.push([k, planFromParts(slice)]);
  }
  return out;
}

/**
 * Pilot runs run0 … run1−1 (run0 a multiple of PILOT_SLICE: the batches are the same however
 * the pilot is split) into `pilot[cell·n + run]` and `good[run]`, n = good.length.
 */
export function pilotRuns(
  r: Runner,
  seed: number,
  run0: number,
  run1: number,
  pilot: Float64Array,
  good: Uint8Array,
): void {
  const { cells, batch } = r;
  const n = good.length;
  r.kept = null; // "out" is written
  const out = bufferOf(r, "out", cells * batch);
  const ok = new Uint8Array(batch);
  for (let k0 = run0; k0 < run1; k0 += batch) {
    const count = Math.min(batch, run1 - k0);
    r.run(seed, k0, count, out, ok);
    good.set(ok.subarray(0, count), k0);
    if (count === n) pilot.set(out.subarray(0, cells * n));
    else
      for (let i = 0; i < cells; i++)
        pilot.set(out.subarray(i * count, (i + 1) * count), i * n + k0);
  }
}

/** The pilot is split between lanes in slices of this many runs (a multiple of every batch). */
export const PILOT_SLICE = 256;

/**
 * The plan of cells cellStart … cellEnd−1 from the whole pilot (`pilot[cell·n + run]`, n =
 * good.length): planFromPilot plans each cell from its own values alone, so the plans of any
 * split of the cells, joined (joinPlans), are the plan of all of them.
 */
export function planCells(
  pilot: Float64Array,
  good: Uint8Array,
  cellStart: number,
  cellEnd: number,
): BandPlan {
  const n = good.length;
  return planFromPilot(pilot.subarray(cellStart * n, cellEnd * n), n, good);
}

/** The plan of consecutive cell ranges' plans (planCells), in cell order. */
export function joinPlans(parts: readonly BandPlan[]): BandPlan {
  const total = <T extends Float64Array | Uint8Array | Uint16Array | Int32Array>(
    pick: (p: BandPlan) => T,
  ): T => {
    const len = parts.reduce((a, p) => a + pick(p).length, 0);
    const out = new (pick(parts[0]).constructor as new (n: number) => T)(len);
    let at = 0;
    for (const p of parts) {
      out.set(pick(p) as never, at);
      at += pick(p).length;
    }
    return out;
  };
  // each part's adaptive cells' offsets start after the earlier parts' offsets
  const fineAt = new Int32Array(parts.reduce((a, p) => a + p.fineAt.length, 0));
  let at = 0;
  let shift = 0;
  for (const p of parts) {
    for (let i = 0; i < p.fineAt.length; i++)
      fineAt[at + i] = p.fineAt[i] < 0 ? p.fineAt[i] : p.fineAt[i] + shift;
    at += p.fineAt.length;
    shift += p.fine.length;
  }
  return {
    start: total((p) => p.start),
    scale: total((p) => p.scale),
    log: total((p) => p.log),
    varies: total((p) => p.varies),
    fineAt,
    fine: total((p) => p.fine),
    // derived cells are found on the whole plan (withDerivations), not in a slice's
    base: new Int32Array(fineAt.length).fill(-1),
    factor: new Float64Array(fineAt.length),
  };
}

const NO_POLICIES: readonly Policy[] = [];

/** Runners made in this thread, by scenario and policies (a thread runs a point's chunks in turn). */
const runners: { key: string; policies: readonly Policy[]; runner: Runner }[] = [];

/**
 * The runner of a scenario, made once per thread (compiling and the kernel's scratch are not
 * repeated per chunk), with its batch buffers (`buffers`, reused by the chunks it runs in turn).
 */
export function cachedRunner(scenario: Scenario, policies: readonly Policy[] = []): Runner {
  // no policies: one shared empty list, so every caller without plugins finds the same runner
  if (policies.length === 0) policies = NO_POLICIES;
  const key = JSON.stringify(scenario);
  // the same policies, not the same array: callers pass `plugins?.policies ?? []`, a new empty
  // array per chunk, which missed the cache (a new runner, scratch and pilot plan every chunk)
  let e = runners.find((q) => q.key === key && samePolicies(q.policies, policies));
  if (!e) {
    e = { key, policies, runner: runnerOf(scenario, policies) };
    runners.unshift(e);
    if (runners.length > 4) runners.pop();
  }
  return e.runner;
}

function samePolicies(a: readonly Policy[], b: readonly Policy[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** The last plans made in this thread (chunks of one point reuse its plan). */
const plans: { key: string; policies: readonly Policy[]; plan: BandPlan }[] = [];

/**
 * The bucket plan of a point (every cell of its table) from its pilot, made in this thread and
 * kept for the chunks of the point that run here. The coordinator makes it once per point
 * (pointPlan) and hands it to every lane with the chunks (ChunkTask.plan), so the pilot is run
 * and planned once per point, not once per thread (docs/bands.md).
 */
export function planOf(r: Runner, scenario: Scenario, seed: number, runs: number): BandPlan {
  const key = `${seed}|${runs}|${JSON.stringify(scenario)}`;
  let p = plans.find((q) => q.key === key && q.policies === r.policies);
  if (!p) {
    p = { key, policies: r.policies, plan: pilotPlan(r, seed, runs) };
    plans.unshift(p);
    if (plans.length > 4) plans.pop();
  }
  return p.plan;
}

/** The bucket plan of a point's scenario under `policies` (planOf on this thread's runner). */
export function pointPlan(
  scenario: Scenario,
  seed: number,
  runs: number,
  policies: readonly Policy[] = [],
): BandPlan {
  return planOf(cachedRunner(scenario, policies), scenario, seed, runs);
}
