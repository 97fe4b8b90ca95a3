import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dispatcher } from "../../src/ledger/scheduler.js";
import { ReferenceScheduler } from "../../src/marketplace/referenceScheduler.js";

// requirements: class × resource (−1 any, 0, 1) × region mask (1, 2, 3)
const REQS: { k: number; r: number; mask: number }[] = [];
for (const k of [0, 1])
  for (const r of [-1, 0, 1]) for (const mask of [1, 2, 3]) REQS.push({ k, r, mask });
const regions = (mask: number) => ["a", "b"].filter((_, g) => (mask & (1 << g)) !== 0);

const Op = fc.oneof(
  fc.record({
    op: fc.constant("supplier" as const),
    k: fc.nat(1),
    r: fc.nat(1),
    g: fc.nat(1),
    cap: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    op: fc.constant("task" as const),
    req: fc.nat(REQS.length - 1),
    incentive: fc.constantFrom(0, 0.1, 0.2),
  }),
  fc.record({ op: fc.constant("finish" as const), pick: fc.nat(), passed: fc.boolean() }),
  fc.record({ op: fc.constant("day" as const) }),
);

describe("the ledger's dispatcher", () => {
  let assigned = 0;
  let requeued = 0;
  it("assigns exactly as the marketplace engine's reference scheduler (E20, E21, queue order)", () => {
    fc.assert(
      fc.property(
        fc.array(Op, { minLength: 20, maxLength: 80 }),
        fc.integer({ min: 1, max: 4 }),
        (ops, window) => {
          const ref = new ReferenceScheduler({
            nClasses: 2,
            nResources: 2,
            nRegions: 2,
            reqClass: Int32Array.from(REQS, (q) => q.k),
            reqResource: Int32Array.from(REQS, (q) => q.r),
            reqRegions: Int32Array.from(REQS, (q) => q.mask),
            window,
            windowMax: window,
            prior: 1,
          });
          const mine = new Dispatcher(window);
          let day = 0;
          const running: {
            task: number;
            supplier: number;
            req: number;
            incentive: number;
            taskDay: number;
          }[] = [];
          const meta = new Map<number, { req: number; incentive: number; day: number }>();
          const outT = new Int32Array(1000);
          const outS = new Int32Array(1000);
          const assign = () => {
            const n = ref.assignFor(day, outT, outS);
            const a = mine.assign(2);
            const expected = Array.from({ length: n }, (_, i) => ({
              taskId: ref.seqOf(outT[i]),
              supplierId: outS[i],
            }));
            expect([...a].sort((x, y) => x.taskId - y.taskId)).toEqual(
              expected.sort((x, y) => x.taskId - y.taskId),
            );
            assigned += a.length;
            for (const x of a) {
              const m = meta.get(x.taskId) as { req: number; incentive: number; day: number };
              running.push({
                task: x.taskId,
                supplier: x.supplierId,
                req: m.req,
                incentive: m.incentive,
                taskDay: m.day,
              });
            }
          };
          for (const o of ops) {
            if (o.op === "supplier") {
              const id = ref.addSupplier(o.k, o.r, o.g, o.cap);
              ref.setAvailable(id, true);
              mine.addSupplier({
                id,
                supplierClass: String(o.k),
                resource: String(o.r),
                region: ["a", "b"][o.g],
                capacity: o.cap,
                certified: true,
                busy: 0,
                outcomes: [],
                completed: 0,
              });
            } else if (o.op === "task") {
              const q = REQS[o.req];
              const h = ref.submit(o.req, o.incentive, day, 1000);
              const id = ref.seqOf(h);
              meta.set(id, { req: o.req, incentive: o.incentive, day });
              mine.enqueue({
                id,
                supplierClass: String(q.k),
                incentive: o.incentive,
                day,
                resource: q.r < 0 ? null : String(q.r),
                regions: regions(q.mask),
                excluded: -1,
              });
            } else if (o.op === "finish") {
              if (running.length === 0) continue;
              const [x] = running.splice(o.pick % running.length, 1);
              ref.validate(x.supplier, o.passed);
              const s = mine.supplier(x.supplier);
              if (s) s.busy--;
              mine.record(x.supplier, o.passed);
              expect(mine.supplier(x.supplier)?.reputation).toBe(ref.reputationOf(x.supplier));
              if (!o.passed) {
                ref.requeue(x.task, x.supplier);
                requeued++;
                const q = REQS[x.req];
                mine.enqueue({
                  id: x.task,
                  supplierClass: String(q.k),
                  incentive: x.incentive,
                  day: x.taskDay,
                  resource: q.r < 0 ? null : String(q.r),
                  regions: regions(q.mask),
                  excluded: x.supplier,
                });
              }
            } else day++;
            assign();
          }
        },
      ),
      { numRuns: 200, seed: 14 },
    );
    expect(assigned).toBeGreaterThan(300);
    expect(requeued).toBeGreaterThan(30);
  });
});
