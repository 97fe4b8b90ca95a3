import { type CompiledScenario, compileScenario } from "../src/engine/compile.js";
import { kernelScratch, runKernel, runKernelBatch } from "../src/engine/kernel.js";
import { runReference } from "../src/engine/reference.js";
import { loadScenario } from "../src/scenario/load.js";

/** Day-steps per second of one engine over `runs` runs of a compiled scenario, best of `reps`. */
function measure(
  c: CompiledScenario,
  engine: typeof runKernel,
  runs: number,
  reps: number,
): { stepsPerSecond: number; usPerRun: number } {
  const out = new Float64Array(c.columns.length * c.days);
  const scratch = kernelScratch(c);
  let best = Number.POSITIVE_INFINITY;
  let check = 0;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) {
      const o = engine(c, 1, i, out, scratch);
      if (o.error) throw o.error;
      check += out[out.length - 1];
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, seconds);
  }
  if (!Number.isFinite(check)) throw new Error("non-finite output");
  return { stepsPerSecond: (runs * c.days) / best, usPerRun: (best / runs) * 1e6 };
}

/** Day-steps per second of the kernel advancing `batch` runs in lockstep, best of `reps`. */
export function measureLockstep(
  c: CompiledScenario,
  batch: number,
  runs: number,
  reps: number,
): number {
  const out = new Float64Array(c.columns.length * c.days * batch);
  const scratch = kernelScratch(c, batch);
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < runs; r += batch) runKernelBatch(c, 1, r, batch, out, scratch);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (runs * c.days) / best;
}

/**
 * Like `measureLockstep`, also by this process's CPU time (user + system): on a machine other
 * processes load, wall time counts the time the thread waits for a core; CPU time does not.
 */
function measureLockstepBoth(
  c: CompiledScenario,
  batch: number,
  runs: number,
  reps: number,
): { wall: number; cpu: number } {
  const out = new Float64Array(c.columns.length * c.days * batch);
  const scratch = kernelScratch(c, batch);
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = process.hrtime.bigint();
    const u0 = process.cpuUsage();
    for (let r = 0; r < runs; r += batch) runKernelBatch(c, 1, r, batch, out, scratch);
    const u = process.cpuUsage(u0);
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
    cpu = Math.min(cpu, (u.user + u.system) / 1e6);
  }
  return { wall: (runs * c.days) / wall, cpu: (runs * c.days) / cpu };
}

/**
 * What writing the output table alone costs per day-step, best of `reps` by CPU time: every
 * cell of every day of `runs` runs in batches of `batch`, in the kernel's layout
 * (`out[(col·days + t)·batch + b]`), a column's runs at a time: by element stores (as the
 * kernel's stages store them) or by one block copy per column and day (what a row buffer's
 * copy into the table costs). The table of a batch is columns × days × batch × 8 bytes: 1 MB at 16 runs of the
 * whitepaper (fits the 2 MB L2), 15.5 MB at 256, 62 MB at 1,024.
 */
function measureTableWrites(
  c: CompiledScenario,
  batch: number,
  runs: number,
  reps: number,
  blockCopies: boolean,
) {
  const cols = c.columns.length;
  const out = new Float64Array(cols * c.days * batch);
  const D = c.days * batch;
  const row = new Float64Array(batch).map((_, b) => b + 0.5);
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < reps; rep++) {
    const u0 = process.cpuUsage();
    for (let r = 0; r < runs; r += batch)
      for (let t = 0; t < c.days; t++)
        for (let col = 0; col < cols; col++) {
          const o = col * D + t * batch;
          if (blockCopies) out.set(row, o);
          else for (let b = 0; b < batch; b++) out[o + b] = t + b;
        }
    const u = process.cpuUsage(u0);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return (best / (runs * c.days)) * 1e9; // ns per day-step
}

/** `npm run bench`: the whitepaper scenario (noise on), one thread. */
export async function benchEngine(scenarioPath = "scenarios/whitepaper.yaml"): Promise<string[]> {
  const { scenario } = loadScenario(scenarioPath);
  const c = compileScenario(scenario);
  measure(c, runKernel, 20_000, 1); // warm up the JIT
  const fast = measure(c, runKernel, 50_000, 5);
  measure(c, runReference, 2_000, 1);
  const ref = measure(c, runReference, 5_000, 3);
  measureLockstep(c, 32, 20_000, 1);
  // 16–64: the batch's table fits in L2; 256 and 1,024: the Monte Carlo's batches (15 and 60 MB)
  const lockstep = [16, 32, 64, 256, 1024].map(
    (b) => [b, measureLockstepBoth(c, b, 51_200, 5)] as const,
  );
  const table = [16, 256, 1024].map(
    (b) =>
      [
        b,
        measureTableWrites(c, b, 51_200, 5, false),
        measureTableWrites(c, b, 51_200, 5, true),
      ] as const,
  );
  const f = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return [
    `engine, ${scenario.name} (${c.days} days, noise on), 1 thread:`,
    `  fast kernel      ${f(fast.stepsPerSecond)} day-steps/s  (${fast.usPerRun.toFixed(1)} µs per ${c.days}-day run)`,
    `  reference engine ${f(ref.stepsPerSecond)} day-steps/s  (${ref.usPerRun.toFixed(1)} µs per run)`,
    ...lockstep.map(
      ([b, v]) =>
        `  kernel, ${b} runs in lockstep ${f(v.wall)} day-steps/s, ${f(v.cpu)} per CPU-second (${(1e9 / v.cpu).toFixed(0)} ns per day-step)  (aim ≥ 8,000,000 on one thread)`,
    ),
    ...table.map(
      ([b, stores, copies]) =>
        `  writing the output table alone, ${b} runs per batch (${((c.columns.length * c.days * b * 8) / 1e6).toFixed(1)} MB): ${stores.toFixed(0)} ns per day-step by element stores, ${copies.toFixed(0)} by block copies`,
    ),
  ];
}
