import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReferenceScheduler } from "../../src/marketplace/referenceScheduler.js";
import { Scheduler } from "../../src/marketplace/scheduler.js";
import type { MarketScheduler, SchedulerSetup } from "../../src/marketplace/types.js";

// Requirements: q0 class 0 any resource any region; q1 class 0 resource 1; q2 class 0 region 1
// only; q3 class 1.
const SETUP: SchedulerSetup = {
  nClasses: 2,
  nResources: 2,
  nRegions: 2,
  reqClass: Int32Array.from([0, 0, 0, 1]),
  reqResource: Int32Array.from([-1, 1, -1, -1]),
  reqRegions: Int32Array.from([3, 3, 2, 3]),
  window: 3,
  windowMax: 5,
  prior: 1,
};

const makers: [string, (s: SchedulerSetup) => MarketScheduler][] = [
  ["fast", (s) => new Scheduler(s)],
  ["reference", (s) => new ReferenceScheduler(s)],
];

/** Assign for `day`; returns [task, supplier] pairs. */
function assign(s: MarketScheduler, day: number): [number, number][] {
  const t = new Int32Array(64);
  const p = new Int32Array(64);
  const n = s.assignFor(day, t, p);
  return Array.from({ length: n }, (_, i) => [t[i], p[i]]);
}

function supplier(s: MarketScheduler, cls = 0, res = 0, region = 0, cap = 1): number {
  const id = s.addSupplier(cls, res, region, cap);
  s.setAvailable(id, true);
  return id;
}

describe.each(makers)("%s scheduler", (_name, make) => {
  describe("queue order", () => {
    it("serves the highest incentive bid first", () => {
      const s = make(SETUP);
      const a = s.submit(0, 0.0, 0, 9);
      const b = s.submit(0, 0.2, 1, 9);
      supplier(s);
      expect(assign(s, 1)).toEqual([[b, 0]]);
      expect(s.waiting()).toBe(1);
      expect(s.seqOf(a)).toBe(0);
    });

    it("then the older task", () => {
      const s = make(SETUP);
      s.submit(0, 0.1, 3, 9); // submitted first, but younger (day 3)
      const old = s.submit(0, 0.1, 2, 9);
      supplier(s);
      expect(assign(s, 3)).toEqual([[old, 0]]);
    });

    it("then the lower task id", () => {
      const s = make(SETUP);
      const first = s.submit(0, 0.1, 2, 9);
      s.submit(0, 0.1, 2, 9);
      supplier(s);
      expect(assign(s, 2)).toEqual([[first, 0]]);
    });

    it("an unservable high bid does not block a lower one", () => {
      const s = make(SETUP);
      s.submit(3, 0.9, 0, 9); // needs class 1: nobody
      const low = s.submit(0, 0.0, 0, 9);
      supplier(s);
      expect(assign(s, 0)).toEqual([[low, 0]]);
      expect(s.waiting()).toBe(1);
    });
  });

  describe("supplier order", () => {
    it("picks the highest reputation (E20) over a lower id", () => {
      const s = make(SETUP);
      const bad = supplier(s);
      const good = supplier(s);
      s.submit(0, 0, 0, 9);
      expect(assign(s, 0)).toEqual([[0, bad]]);
      s.validate(bad, false); // reputation 0/1 = 0
      expect(s.reputationOf(bad)).toBe(0);
      const t = s.submit(0, 0, 1, 9);
      expect(assign(s, 1)).toEqual([[t, good]]);
    });

    it("breaks reputation ties by most tasks completed (E21)", () => {
      const s = make(SETUP);
      const a = supplier(s);
      const b = supplier(s);
      s.setAvailable(a, false);
      s.submit(0, 0, 0, 9);
      expect(assign(s, 0)[0][1]).toBe(b);
      s.validate(b, true); // b: reputation 1, 1 completed; a: prior 1, 0 completed
      s.setAvailable(a, true);
      const t = s.submit(0, 0, 1, 9);
      expect(assign(s, 1)).toEqual([[t, b]]);
      expect(s.completedOf(b)).toBe(1);
    });

    it("breaks full ties by the lowest supplier id", () => {
      const s = make(SETUP);
      supplier(s);
      supplier(s);
      const t = s.submit(0, 0, 0, 9);
      expect(assign(s, 0)).toEqual([[t, 0]]);
    });

    it("computes reputation over the last reputationWindowJobs tasks", () => {
      const s = make(SETUP); // window 3
      const a = supplier(s, 0, 0, 0, 5);
      for (const ok of [false, true, true, true]) s.validate(a, ok);
      expect(s.reputationOf(a)).toBe(1); // last 3 all passed
      s.setWindow(4);
      expect(s.reputationOf(a)).toBe(3 / 4);
      s.validate(a, false);
      expect(s.reputationOf(a)).toBe(3 / 4); // window: T T T F
    });
  });

  describe("eligibility", () => {
    it("requires the task's supplier class", () => {
      const s = make(SETUP);
      supplier(s, 0);
      const k1 = supplier(s, 1);
      const t = s.submit(3, 0, 0, 9);
      expect(assign(s, 0)).toEqual([[t, k1]]);
    });

    it("requires the task's resource type", () => {
      const s = make(SETUP);
      supplier(s, 0, 0);
      const gpu = supplier(s, 0, 1);
      const t = s.submit(1, 0, 0, 9);
      expect(assign(s, 0)).toEqual([[t, gpu]]);
    });

    it("requires an allowed region", () => {
      const s = make(SETUP);
      supplier(s, 0, 0, 0);
      const r1 = supplier(s, 0, 0, 1);
      const t = s.submit(2, 0, 0, 9);
      expect(assign(s, 0)).toEqual([[t, r1]]);
    });

    it("requires free capacity and availability", () => {
      const s = make(SETUP);
      const a = supplier(s, 0, 0, 0, 2);
      const b = supplier(s);
      const c = supplier(s);
      s.setAvailable(b, false);
      const ts = [0, 1, 2].map(() => s.submit(0, 0, 0, 9));
      expect(assign(s, 0)).toEqual([
        [ts[0], a],
        [ts[1], a],
        [ts[2], c],
      ]);
      const more = s.submit(0, 0, 0, 9);
      expect(assign(s, 0)).toEqual([]);
      s.validate(a, true); // frees one of a's slots
      expect(assign(s, 1)).toEqual([[more, a]]);
    });

    it("gives failed work to another supplier", () => {
      const s = make(SETUP);
      const a = supplier(s);
      const t = s.submit(0, 0, 0, 9);
      expect(assign(s, 0)).toEqual([[t, a]]);
      s.validate(a, false);
      s.requeue(t, a);
      s.setWindow(3);
      expect(assign(s, 1)).toEqual([]); // only a exists, and it failed this task
      const b = supplier(s);
      s.validate(b, false); // b reputation 0 < a's 0? a: 0/1 = 0, b: 0/1 = 0; b still eligible
      expect(assign(s, 1)).toEqual([[t, b]]);
    });

    it("expires queued tasks past their latest start day", () => {
      const s = make(SETUP);
      const a = s.submit(0, 0, 0, 1);
      s.submit(0, 0, 0, 2);
      const out = new Int32Array(4);
      expect(s.expire(2, out)).toBe(1);
      expect(out[0]).toBe(a);
      expect(s.waiting()).toBe(1);
    });
  });
});

/** xorshift32 for the random operation sequences (deterministic per seed). */
function rng(seed: number) {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe("fast scheduler", () => {
  it("makes the reference scheduler's choices on random markets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const r = rng(seed);
        const int = (n: number) => Math.floor(r() * n);
        const nReq = 1 + int(8);
        const setup: SchedulerSetup = {
          nClasses: 3,
          nResources: 2,
          nRegions: 3,
          reqClass: Int32Array.from({ length: nReq }, () => int(3)),
          reqResource: Int32Array.from({ length: nReq }, () => int(3) - 1),
          reqRegions: Int32Array.from({ length: nReq }, () => 1 + int(7)),
          window: 1 + int(4),
          windowMax: 6,
          prior: r() < 0.5 ? 1 : 0.5,
        };
        const fast = new Scheduler(setup);
        const ref = new ReferenceScheduler(setup);
        const both = [fast, ref] as const;
        const nSup = 1 + int(15);
        for (let i = 0; i < nSup; i++) {
          const args = [int(3), int(2), int(3), 1 + int(3)] as const;
          for (const s of both) {
            s.addSupplier(...args);
            s.setAvailable(i, true);
          }
        }
        // handles differ between the two: map by sequence number
        const refHandle = new Map<number, number>();
        const fastHandle = new Map<number, number>();
        const inFlight: { seq: number; sup: number }[] = [];
        const buf = [new Int32Array(4096), new Int32Array(4096)];
        for (let day = 0; day < 25; day++) {
          if (r() < 0.2) {
            const w = 1 + int(6);
            for (const s of both) s.setWindow(w);
          }
          for (let i = 0; i < 3; i++) {
            const sup = int(nSup);
            const on = r() < 0.8;
            for (const s of both) s.setAvailable(sup, on);
          }
          const nNew = int(12);
          for (let i = 0; i < nNew; i++) {
            const args = [int(nReq), int(3) / 10, day, day + int(4)] as const;
            const hf = fast.submit(...args);
            const hr = ref.submit(...args);
            expect(fast.seqOf(hf)).toBe(ref.seqOf(hr));
            fastHandle.set(fast.seqOf(hf), hf);
            refHandle.set(ref.seqOf(hr), hr);
          }
          const ef = fast.expire(day, buf[0]);
          const er = ref.expire(day, buf[1]);
          const expiredF = [...buf[0].subarray(0, ef)].map((h) => fast.seqOf(h)).sort();
          const expiredR = [...buf[1].subarray(0, er)].map((h) => ref.seqOf(h)).sort();
          expect(expiredF).toEqual(expiredR);
          for (const h of buf[0].subarray(0, ef)) fast.release(h);
          const nf = fast.assignFor(day, buf[0], buf[1]);
          const gotF = [...buf[0].subarray(0, nf)].map((h, i) => [fast.seqOf(h), buf[1][i]]);
          const nr = ref.assignFor(day, buf[0], buf[1]);
          const gotR = [...buf[0].subarray(0, nr)].map((h, i) => [ref.seqOf(h), buf[1][i]]);
          expect(gotF).toEqual(gotR);
          for (const [seq, sup] of gotF) inFlight.push({ seq, sup });
          // finish some of the work in flight
          for (let i = inFlight.length - 1; i >= 0; i--) {
            if (r() < 0.4) continue;
            const { seq, sup } = inFlight[i];
            inFlight.splice(i, 1);
            const passed = r() < 0.7;
            for (const s of both) s.validate(sup, passed);
            expect(fast.reputationOf(sup)).toBe(ref.reputationOf(sup));
            if (passed) fast.release(fastHandle.get(seq)!);
            else {
              fast.requeue(fastHandle.get(seq)!, sup);
              ref.requeue(refHandle.get(seq)!, sup);
            }
          }
          expect(fast.waiting()).toBe(ref.waiting());
        }
      }),
      { numRuns: 200 },
    );
  });
});
