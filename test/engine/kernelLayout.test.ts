import { describe, expect, it } from "vitest";
import { type CompiledScenario, compileScenario } from "../../src/engine/compile.js";
import { kernelScratch, LOCKSTEP_RUNS, passRuns, runKernelBatch } from "../../src/engine/kernel.js";
import { runReference } from "../../src/engine/reference.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { tinyScenario } from "../helpers.js";

/**
 * The kernel writes the fixed columns into blocks of a few days (1,024 cells a column: 16 days
 * of 64 runs, 16 of 63) and copies each block into the table; every run of the batch must be the
 * reference engine's run, bit for bit, failures included.
 */
function agrees(c: CompiledScenario, seed: number, count: number): void {
  const cols = c.columns.length;
  const out = new Float64Array(cols * c.days * count);
  const scratch = kernelScratch(c, count);
  runKernelBatch(c, seed, 100, count, out, scratch);
  const one = new Float64Array(cols * c.days);
  let differing = 0;
  for (let b = 0; b < count; b++) {
    one.fill(0);
    const ref = runReference(c, seed, 100 + b, one);
    expect(scratch.daysCompleted[b]).toBe(ref.daysCompleted);
    expect(scratch.errors[b]?.message ?? null).toBe(ref.error?.message ?? null);
    for (let col = 0; col < cols; col++)
      for (let t = 0; t < ref.daysCompleted; t++)
        if (!Object.is(out[(col * c.days + t) * count + b], one[col * c.days + t])) differing++;
  }
  expect(differing).toBe(0);
}

/** Eight days, noisy demand: three types in one supplier class, two in another, one type split over both. */
function scenario(): CompiledScenario {
  const jobs = (start: number) => ({ start, slope: 0.5, noise: start / 5, startDay: 1 });
  return compileScenario(
    parseScenario(
      tinyScenario({
        days: 8,
        suppliers: [
          { name: "modelTrainingProviders", count: 3, phaseOneTarget: 3 },
          { name: "dataAnnotators", count: { start: 2, slope: 1 }, phaseOneTarget: 1 },
        ],
        priceMatrix: { mixed: { modelTrainingProviders: 0.25, dataAnnotators: 0.75 } },
        consumers: [
          { name: "a", row: "modelTraining", unitPrice: 10, unitsPerJob: 1, jobsPerDay: jobs(10) },
          { name: "b", row: "modelTraining", unitPrice: 3, unitsPerJob: 2, jobsPerDay: jobs(20) },
          { name: "c", row: "mixed", unitPrice: 7, unitsPerJob: 1, jobsPerDay: jobs(5) },
          {
            name: "d",
            row: "dataAnnotatorSeekers",
            unitPrice: 2,
            unitsPerJob: 3,
            jobsPerDay: jobs(8),
          },
        ],
      }),
    ),
  );
}

describe("the kernel's table layout: the fixed columns in blocks of days, copied into the table", () => {
  it("classes fed by three and by two types, one type split over both: 64 and 63 runs", () => {
    const c = scenario();
    agrees(c, 9, 64);
    agrees(c, 9, 63);
  });
  it("a row refused as not finite is scanned whole: dollarReserve named on day 0 (a fixed column, read from its block)", () => {
    const c = scenario();
    (c as { initialDollarReserve: number }).initialDollarReserve = Number.NaN;
    agrees(c, 3, 64);
    const out = new Float64Array(c.columns.length * c.days * 64);
    const s = kernelScratch(c, 64);
    runKernelBatch(c, 3, 0, 64, out, s);
    expect(s.errors[5]?.message).toMatch(/^day 0: dollarReserve would be NaN/);
  });
  it("runs that stop with no price (E10: a supply of 0 on day 0)", () => {
    const c = scenario();
    (c as { initialSupply: number }).initialSupply = 0;
    agrees(c, 4, 64);
  });
});

describe("batches larger than one lockstep pass", () => {
  it("a pass holds 1,024 runs of four types, and 20 of 200 (16 days of gaussians, 65,536 cells)", () => {
    expect(LOCKSTEP_RUNS).toBe(1024);
    expect(passRuns(4)).toBe(1024);
    expect(passRuns(200)).toBe(20); // ⌊65,536 / (16 × 200)⌋
    expect(passRuns(2000)).toBe(2);
  });
  it("1,030 runs (a pass of 1,024, then 6) are each the reference engine's run", () => {
    agrees(scenario(), 5, 1030);
  });
  it("runs that stop are reported at their own index in every pass", () => {
    const c = scenario();
    (c as { initialSupply: number }).initialSupply = 0;
    agrees(c, 4, 1030);
  });
  it("200 consumer types: 45 runs in passes of 20, 20 and 5", () => {
    const consumers = Array.from({ length: 200 }, (_, i) => ({
      name: `t${i}`,
      row: i % 2 === 0 ? "modelTraining" : "dataAnnotatorSeekers",
      unitPrice: 1 + (i % 7),
      unitsPerJob: 1,
      jobsPerDay: { start: 5 + (i % 11), slope: 0.25, noise: 1 + (i % 3), startDay: 1 },
    }));
    const c = compileScenario(
      parseScenario(
        tinyScenario({
          days: 6,
          suppliers: [
            { name: "modelTrainingProviders", count: 3, phaseOneTarget: 3 },
            { name: "dataAnnotators", count: 2, phaseOneTarget: 1 },
          ],
          consumers,
        }),
      ),
    );
    agrees(c, 8, 45);
  });
});
