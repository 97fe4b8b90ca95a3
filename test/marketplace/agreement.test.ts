import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WHITEPAPER_PRICE_MATRIX } from "../../src/scenario/priceMatrix.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";

const CLASSES = [
  "dedicatedServerProviders",
  "rawDataProviders",
  "dataAnnotators",
  "modelTrainingProviders",
  "modelInferenceProviders",
];
const ROWS = Object.keys(WHITEPAPER_PRICE_MATRIX);

/** Integer jobs per day: an integer trend, or explicit integer values. */
const jobsSeries = fc.oneof(
  fc.record({
    start: fc.integer({ min: 0, max: 300 }),
    slope: fc.integer({ min: -3, max: 5 }),
    startDay: fc.integer({ min: 0, max: 15 }),
  }),
  fc.record({
    values: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 30 }),
  }),
);

const consumer = fc.record({
  row: fc.constantFrom(...ROWS),
  unitPrice: fc.double({ min: 0.05, max: 50, noNaN: true }),
  unitsPerJob: fc.integer({ min: 1, max: 24 }),
  incentive: fc.double({ min: 0, max: 0.3, noNaN: true }),
  jobsPerDay: jobsSeries,
});

/** Aggregate scenarios whose jobs per day are whole numbers, with honest, ample suppliers. */
const scenarios = fc
  .record({
    days: fc.integer({ min: 5, max: 60 }),
    phaseOneDays: fc.integer({ min: 0, max: 20 }),
    supply: fc.double({ min: 1e5, max: 1e7, noNaN: true }),
    reserve: fc.double({ min: 1e4, max: 1e7, noNaN: true }),
    dollars: fc.double({ min: 0, max: 1e5, noNaN: true }),
    bm: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1, noNaN: true })),
    f: fc.double({ min: 0, max: 1, noNaN: true }),
    bond: fc.double({ min: 0, max: 0.3, noNaN: true }),
    jrm: fc.double({ min: 0.5, max: 20, noNaN: true }),
    vpj: fc.integer({ min: 0, max: 3 }),
    premium: fc.double({ min: 0, max: 0.1, noNaN: true }),
    // Exchange demand ≥ 1,000 usd/day keeps the price away from the floor: at the floor an
    // onboarding burn can drain the supply to a rounding residue (1e-11 tokens) that sets the next
    // day's price, and no two summation orders agree there (ill-conditioned in both engines).
    sentiment: fc.double({ min: 1000, max: 50_000, noNaN: true }),
    counts: fc.array(
      fc.record({ start: fc.integer({ min: 1, max: 20 }), slope: fc.integer({ min: 0, max: 2 }) }),
      { minLength: 5, maxLength: 5 },
    ),
    targets: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 5, maxLength: 5 }),
    consumers: fc.array(consumer, { minLength: 1, maxLength: 4 }),
  })
  .map(
    (g): ScenarioInput => ({
      name: "generated",
      days: g.days,
      tokens: {
        initialSupply: g.supply,
        initialTokenReserve: g.reserve,
        initialDollarReserve: g.dollars,
      },
      phaseOne: { phaseOneDays: g.phaseOneDays },
      onchain: {
        buybackModulation: g.bm,
        fiatOperationsFraction: g.f,
        bondModulation: g.bond,
        jobRewardModulation: g.jrm,
        validationsPerJob: g.vpj,
        buybackPremium: g.premium,
      },
      suppliers: CLASSES.map((name, k) => ({
        name,
        count: g.counts[k],
        phaseOneTarget: g.targets[k],
      })),
      consumers: g.consumers.map((c, i) => ({ name: `c${i}`, ...c })),
      consumerSentiment: g.sentiment,
      marketplace: {
        suppliers: Object.fromEntries(CLASSES.map((k) => [k, { capacity: 1_000_000_000 }])),
      },
    }),
  );

/**
 * The same scenarios with every class's economics (cost) and some classes dynamic (E42). Starts
 * of 10 or more and exits of at most 3% a day keep at least one supplier in a class for 60 days
 * (10 · 0.97^60 > 1), so the marketplace can always serve the class's tasks, as aggregate mode does.
 */
const withChurn = fc
  .tuple(
    scenarios,
    fc.record({
      dynamic: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      start: fc.array(fc.double({ min: 10, max: 30, noNaN: true }), { minLength: 5, maxLength: 5 }),
      cost: fc.array(fc.double({ min: 1, max: 500, noNaN: true }), {
        minLength: 5,
        maxLength: 5,
      }),
      entryElasticity: fc.double({ min: 0.1, max: 2, noNaN: true }),
      exitElasticity: fc.double({ min: 0.1, max: 2, noNaN: true }),
      maxEntryRate: fc.double({ min: 0.01, max: 0.2, noNaN: true }),
      maxExitRate: fc.double({ min: 0.005, max: 0.03, noNaN: true }),
      lagDays: fc.integer({ min: 1, max: 10 }),
      validatorsAreSuppliers: fc.boolean(),
    }),
  )
  .map(
    ([s, f]): ScenarioInput => ({
      ...s,
      feedback: {
        suppliers: {
          lagDays: f.lagDays,
          validatorsAreSuppliers: f.validatorsAreSuppliers,
          classes: Object.fromEntries(
            CLASSES.map((k, i) => [
              k,
              {
                costPerDay: f.cost[i],
                // churn parameters only on a dynamic class (elsewhere refused: no effect)
                ...(f.dynamic[i]
                  ? {
                      dynamic: { start: f.start[i] },
                      // entry of up to 20% a day for 60 days would grow a class to ≈ 1.7 M
                      // agents, which the marketplace walks one by one (minutes per run): keep
                      // classes small
                      maxCount: 400,
                      entryElasticity: f.entryElasticity,
                      exitElasticity: f.exitElasticity,
                      maxEntryRate: f.maxEntryRate,
                      maxExitRate: f.maxExitRate,
                    }
                  : {}),
              },
            ]),
          ),
        },
      },
    }),
  );

/**
 * True when a dynamic class's real-valued count (start + Σ entries − Σ exits, as E42 adds them)
 * comes within 1e-7 of a whole-supplier boundary of `floor(x + 1e-9)` on some day. There the
 * two modes may floor differently: their incomes per supplier agree to ~1e-13 relative (the
 * marketplace sums per-task payments), not bit for bit, and fast-check's shrinking finds such
 * knife edges (e.g. a count of 138.999999999 in one mode, 6.8e-13 less in the other, is 139
 * suppliers in one and 138 in the other, and E8's fee differs by one arrival).
 */
function nearWholeBoundary(r: ReturnType<typeof simulate>, scenario: ScenarioInput): boolean {
  const classes = (scenario.feedback?.suppliers?.classes ?? {}) as Record<
    string,
    { dynamic?: { start: number } }
  >;
  for (const [k, cls] of Object.entries(classes)) {
    if (!cls.dynamic) continue;
    const entries = r.values[r.columns.indexOf(`supplierEntries.${k}`)];
    const exits = r.values[r.columns.indexOf(`supplierExits.${k}`)];
    let count = cls.dynamic.start;
    for (let t = 0; t < r.days; t++) {
      count += entries[t] - exits[t];
      const frac = count + 1e-9 - Math.floor(count + 1e-9);
      if (frac < 1e-7 || frac > 1 - 1e-7) return true;
    }
  }
  return false;
}

/**
 * Largest |a − b| / scale over a column, scale = the column's largest |value| (1e-300 floor), or
 * that of `of` when it is larger: a column derived from a difference that can nearly cancel is
 * held to the scale of what it is drawn from.
 */
function worstRelative(a: Float64Array, b: Float64Array, of?: Float64Array): number {
  let scale = 1e-300;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  for (const v of of ?? []) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let t = 0; t < a.length; t++) worst = Math.max(worst, Math.abs(a[t] - b[t]) / scale);
  return worst;
}

describe("agreement with aggregate mode (docs/model.md §9)", () => {
  it("honest suppliers, ample capacity, one-day tasks: every §7 column to 1e-9 relative", () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const agg = simulate(scenario);
        const mkt = simulate({ ...scenario, mode: "marketplace" });
        expect(mkt.error?.message ?? null).toBe(agg.error?.message ?? null);
        expect(mkt.days).toBe(agg.days);
        expect(mkt.columns).toEqual(agg.columns);
        agg.columns.forEach((name, c) => {
          const worst = worstRelative(agg.values[c], mkt.values[c]);
          if (!(worst <= 1e-9)) throw new Error(`${name}: relative difference ${worst}`);
        });
        // and all of it was served the day it was submitted
        const q = mkt.marketplace!.queue;
        const waiting = q.values[q.columns.indexOf("waitingTasks")];
        expect(Math.max(0, ...waiting)).toBe(0);
      }),
      { numRuns: 80 },
    );
  });

  it("with supplier churn on (E40–E42): every column, the feedback ones too, to 1e-9 relative", () => {
    let moved = 0; // runs in which some supplier left or joined (so churn was exercised)
    fc.assert(
      fc.property(withChurn, (scenario) => {
        const agg = simulate(scenario);
        fc.pre(!nearWholeBoundary(agg, scenario));
        const mkt = simulate({ ...scenario, mode: "marketplace" });
        const entered = mkt.columns.some(
          (n, c) =>
            n.startsWith("supplierEntries.") && mkt.values[c].reduce((a, b) => a + b, 0) >= 1,
        );
        if (entered || mkt.marketplace!.suppliers.some((s) => s.leftDay !== undefined)) moved++;
        expect(mkt.error?.message ?? null).toBe(agg.error?.message ?? null);
        expect(mkt.columns).toEqual(agg.columns);
        agg.columns.forEach((name, c) => {
          // E42's entries and exits are a rate times the lagged margin m̄ times the count: where
          // m̄ nears 0 its absolute error (~1e-11, the modes' incomes agree to ~1e-12) is a large
          // share of them (a seed found m̄ ≈ −0.012: 6e-9 of the day's exits), so they are held
          // to 1e-9 of the class's size, suppliers per day against suppliers
          const flow = /^supplier(Entries|Exits)\.(.+)$/.exec(name);
          const size = flow ? agg.values[agg.columns.indexOf(`suppliers.${flow[2]}`)] : undefined;
          const worst = worstRelative(agg.values[c], mkt.values[c], size);
          if (!(worst <= 1e-9)) throw new Error(`${name}: relative difference ${worst}`);
        });
        const q = mkt.marketplace!.queue;
        expect(Math.max(0, ...q.values[q.columns.indexOf("waitingTasks")])).toBe(0);
      }),
      { numRuns: 60 },
    );
    expect(moved).toBeGreaterThan(10);
  });

  it("the whitepaper scenario (§8, no noise) as marketplace: phase 1 emits 1,200,000 and income on day 30 is 47,640", () => {
    const r = simulate({
      ...WHITEPAPER_NO_NOISE,
      mode: "marketplace",
      marketplace: {
        suppliers: {
          dataAnnotators: { capacity: 1e6 },
          modelTrainingProviders: { capacity: 1e6 },
          modelInferenceProviders: { capacity: 1e6 },
        },
      },
    });
    expect(r.error).toBeNull();
    const col = (n: string) => r.values[r.columns.indexOf(n)];
    const p1 = col("phaseOneEmission").reduce((a, b) => a + b, 0);
    expect(p1).toBeCloseTo(1_200_000, 3);
    // 200·60 + 400·54 + 200·25.2 + 300·30 (docs/model.md §8)
    expect(col("income")[30]).toBeCloseTo(47_640, 6);
    expect(col("priceOfToken")[179]).toBeGreaterThan(col("priceOfToken")[30]);
  });
});

const WHITEPAPER_NO_NOISE: ScenarioInput = {
  name: "whitepaper",
  days: 180,
  tokens: { initialSupply: 2_000_000, initialTokenReserve: 2_000_000, initialDollarReserve: 0 },
  phaseOne: { phaseOneDays: 30, fracPhaseOneTokens: 0.6 },
  onchain: { buybackModulation: 1, fiatOperationsFraction: 0.3 },
  suppliers: [
    { name: "dedicatedServerProviders", count: 0 },
    { name: "rawDataProviders", count: 0 },
    { name: "dataAnnotators", count: { start: 5, slope: 0.25 }, phaseOneTarget: 5 },
    { name: "modelTrainingProviders", count: { start: 15, slope: 0.5 }, phaseOneTarget: 15 },
    { name: "modelInferenceProviders", count: { start: 5, slope: 0.25 }, phaseOneTarget: 5 },
  ],
  consumers: [
    {
      name: "imageLabeling",
      row: "dataAnnotatorSeekers",
      unitPrice: 0.06,
      unitsPerJob: 1000,
      jobsPerDay: { start: 200, slope: 2, startDay: 30 },
    },
    {
      name: "tpuTraining",
      row: "modelTraining",
      unitPrice: 18,
      unitsPerJob: 3,
      jobsPerDay: { start: 400, slope: -2, startDay: 30 },
    },
    {
      name: "gpuTraining",
      row: "modelTraining",
      unitPrice: 3.15,
      unitsPerJob: 8,
      jobsPerDay: { start: 200, slope: 5, startDay: 30 },
    },
    {
      name: "inference",
      row: "inferenceSeekers",
      unitPrice: 1.25,
      unitsPerJob: 24,
      jobsPerDay: { start: 300, slope: 3, startDay: 30 },
    },
  ],
  consumerSentiment: 20_000,
};

describe("examples the agreement properties found", () => {
  it("USD escrow summed from ≈ 800 task payments a day ends each day at exactly 0, not −1.1e-7", () => {
    // one-day tasks, ample honest capacity: every task submitted is validated and paid the same
    // day, so the escrow holds nothing at the end of any day; ≈ 800 jobs of ≈ $400–700 a day
    // paid one by one leave a rounding residue of ~1e-7 (was an I3 violation on day 6)
    const cls = [
      "dedicatedServerProviders",
      "rawDataProviders",
      "dataAnnotators",
      "modelTrainingProviders",
      "modelInferenceProviders",
    ];
    const consumer = (name: string, unitPrice: number, unitsPerJob: number, start: number) => ({
      name,
      row: "modelTraining",
      unitPrice,
      unitsPerJob,
      incentive: 5e-324,
      jobsPerDay: { start, slope: 1, startDay: 0 },
    });
    const scenario = {
      name: "escrow-residue",
      days: 7,
      tokens: { initialSupply: 100000, initialTokenReserve: 10000, initialDollarReserve: 0 },
      phaseOne: { phaseOneDays: 0 },
      onchain: {
        buybackModulation: 0,
        fiatOperationsFraction: 0,
        bondModulation: 0,
        jobRewardModulation: 0.5,
        validationsPerJob: 0,
        buybackPremium: 0,
      },
      suppliers: cls.map((name) => ({ name, count: { start: 1, slope: 0 }, phaseOneTarget: 0 })),
      consumers: [
        consumer("c0", 30.008673606711252, 18, 197),
        consumer("c1", 28.419150731935034, 23, 211),
        consumer("c2", 23.04951119175016, 23, 171),
        consumer("c3", 6.809094141863171, 11, 188),
      ],
      consumerSentiment: 1000,
      mode: "marketplace",
      marketplace: {
        suppliers: Object.fromEntries(cls.map((n) => [n, { capacity: 1e9 }])),
      },
    } as unknown as ScenarioInput;
    const r = simulate(scenario);
    expect(r.error).toBeNull();
    expect(r.days).toBe(7);
    const q = r.marketplace!.queue;
    expect([...q.values[q.columns.indexOf("usdEscrow")]]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});
