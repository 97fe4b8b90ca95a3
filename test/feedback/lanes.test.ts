import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capacityServedJobs } from "../../src/feedback/capacity.js";
import {
  capacityServedLanes,
  closedDaysMarginLanes,
  supplierClassIncomeLanes,
} from "../../src/feedback/lanes.js";
import { closedDaysMargin } from "../../src/feedback/margin.js";
import { supplierClassIncome } from "../../src/feedback/supplierIncome.js";

/** Values with zeros, ties, negatives and a NaN or two, as a law's inputs can hold. */
const value = fc.oneof(
  fc.constant(0),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.double({ min: 0, max: 1e3, noNaN: true }),
);
const same = (a: number, b: number) => Object.is(a, b);

describe("lane forms = the readable laws, run by run (bit for bit)", () => {
  it("E50: capacityServedLanes = capacityServedJobs per run (jobs served, ratios, jobs lost)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 16, maxLength: 16 }),
        fc.array(
          fc.oneof(fc.constant(0), fc.constant(0.5), fc.double({ min: 0, max: 1, noNaN: true })),
          {
            minLength: 16,
            maxLength: 16,
          },
        ),
        fc.array(fc.oneof(fc.constant(Number.NaN), fc.double({ min: 0, max: 100, noNaN: true })), {
          minLength: 4,
          maxLength: 4,
        }),
        fc.array(fc.nat({ max: 50 }), { minLength: 20, maxLength: 20 }),
        (nC, nK, B, jobsPool, matrixPool, capPool, countPool) => {
          const priceMatrix = Float64Array.from({ length: nC * nK }, (_, j) => matrixPool[j % 16]);
          const cap = Float64Array.from({ length: nK }, (_, k) => capPool[k]);
          const jobs = Float64Array.from({ length: nC * B }, (_, j) => jobsPool[j % 16]);
          const counts = Float64Array.from({ length: nK * B }, (_, j) => countPool[j % 20]);
          const expectedJobs = new Float64Array(nC * B);
          const expectedRatio = new Float64Array(nK * B);
          const expectedLost = new Float64Array(B);
          for (let b = 0; b < B; b++) {
            const j = Float64Array.from({ length: nC }, (_, i) => jobs[i * B + b]);
            const n = Float64Array.from({ length: nK }, (_, k) => counts[k * B + b]);
            const r = new Float64Array(nK);
            expectedLost[b] = capacityServedJobs(j, priceMatrix, n, cap, r);
            for (let i = 0; i < nC; i++) expectedJobs[i * B + b] = j[i];
            for (let k = 0; k < nK; k++) expectedRatio[k * B + b] = r[k];
          }
          const ratio = new Float64Array(nK * B).fill(7);
          const lost = new Float64Array(B).fill(7);
          const scratch = () => new Float64Array(B + 2).fill(3);
          capacityServedLanes(
            jobs,
            priceMatrix,
            counts,
            cap,
            nC,
            nK,
            B,
            ratio,
            lost,
            scratch(),
            scratch(),
          );
          expect([...jobs].every((x, j) => same(x, expectedJobs[j]))).toBe(true);
          expect([...ratio].every((x, j) => same(x, expectedRatio[j]))).toBe(true);
          expect([...lost].every((x, j) => same(x, expectedLost[j]))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("E41: closedDaysMarginLanes = closedDaysMargin per run, any day, lag and offset", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(value, { minLength: 1, maxLength: 80 }),
        (B, t, lagDays, first, pool) => {
          const days = first + t;
          const history = Float64Array.from({ length: days * B }, (_, j) => pool[j % pool.length]);
          const mean = new Float64Array(B + 1).fill(9);
          closedDaysMarginLanes(history, first, t, lagDays, B, mean);
          for (let b = 0; b < B; b++) {
            const own = Float64Array.from({ length: days }, (_, d) => history[d * B + b]);
            expect(same(mean[b], closedDaysMargin(own, t, lagDays, first))).toBe(true);
          }
          expect(mean[B]).toBe(9); // nothing past the batch's runs
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("E40 in lane form", () => {
  it("supplierClassIncomeLanes = supplierClassIncome per run, for the listed classes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.array(value, { minLength: 24, maxLength: 24 }),
        fc.array(fc.nat({ max: 30 }), { minLength: 24, maxLength: 24 }),
        fc.subarray([0, 1, 2, 3]),
        (B, nK, validatorsAreSuppliers, pool, whole, listed) => {
          const lane = (n: number, at: number) =>
            Float64Array.from({ length: n * B }, (_, j) => pool[(at + j) % pool.length]);
          const income = Float64Array.from({ length: B }, (_, b) =>
            b % 3 === 0 ? 0 : Math.abs(pool[b]),
          );
          const d = {
            usdDemandForService: lane(nK, 1),
            income,
            usdCapital: lane(1, 2),
            buybackTokens: lane(1, 3),
            phaseOneEmission: lane(1, 4),
            phaseTwoEmission: lane(1, 5),
            validatorTokensPaid: validatorsAreSuppliers ? lane(1, 6) : null,
            priceOfToken: lane(1, 7),
            supplierCount: Float64Array.from({ length: nK * B }, (_, j) => whole[j % 24]),
            phaseOneTarget: Float64Array.from({ length: nK }, (_, k) => whole[(k * 5) % 24]),
          };
          const classes = listed.filter((k) => k < nK);
          const got = new Float64Array(nK * B).fill(5);
          const scratch = () => new Float64Array(B).fill(3);
          supplierClassIncomeLanes(d, classes, nK, B, got, scratch(), scratch());
          for (let b = 0; b < B; b++) {
            const want = new Float64Array(nK);
            const at = (a: Float64Array) =>
              Float64Array.from({ length: nK }, (_, k) => a[k * B + b]);
            supplierClassIncome(
              {
                usdDemandForService: at(d.usdDemandForService),
                income: income[b],
                usdCapital: d.usdCapital[b],
                buybackTokens: d.buybackTokens[b],
                phaseOneEmission: d.phaseOneEmission[b],
                phaseTwoEmission: d.phaseTwoEmission[b],
                validatorTokensPaid: d.validatorTokensPaid?.[b] ?? 99,
                priceOfToken: d.priceOfToken[b],
                supplierCount: at(d.supplierCount),
                phaseOneTarget: d.phaseOneTarget,
                validatorsAreSuppliers,
              },
              want,
            );
            for (let k = 0; k < nK; k++)
              expect(same(got[k * B + b], classes.includes(k) ? want[k] : 5)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
