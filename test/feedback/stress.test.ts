import { describe, expect, it } from "vitest";
import { passes, runStress, stressMetrics } from "../../src/feedback/stress.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { tinyScenario } from "../helpers.js";

describe("bme stress metrics", () => {
  it("reads drawdown, runway, suppliers retained, shortfall days and dollars retained off a table, by hand", () => {
    // 5 days; columns: price 0, reserve 1, dollars 2, shortfall 3, suppliers 4 and 5, top-up
    // usd 6 and tokens 7
    const days = 5;
    const out = new Float64Array(8 * days);
    out.set([1, 2, 1.5, 1, 1.8], 0);
    out.set([100, 90, 80, 70, 60], days);
    out.set([1000, 800, 900, 250, 400], 2 * days);
    out.set([0, 0, 5, 0, 1], 3 * days);
    out.set([10, 10, 9, 8, 6], 4 * days);
    out.set([10, 10, 10, 10, 9], 5 * days);
    // top-ups: 1 token for 100 usd on day 0 (before the shock: not counted), 10 tokens for 25 usd
    // on day 2 at a price of 1.5 (25 / 15 − 1 = 2/3 over the price), 5 for 9.9 on day 4 at 1.8
    // (9.9 / 9 − 1 = 0.1)
    out.set([100, 0, 25, 0, 9.9], 6 * days);
    out.set([1, 0, 10, 0, 5], 7 * days);
    const m = stressMetrics(out, days, days, 1, {
      price: 0,
      reserve: 1,
      dollars: 2,
      topUpUsd: 6,
      topUpTokens: 7,
      poolTokens: -1,
      poolUsd: -1,
      shortfall: 3,
      suppliers: [4, 5],
      churning: [4, 5],
      margins: [],
      marginCounts: [],
      entries: [],
      exits: [],
      jobsLost: -1,
    });
    // peak 2 on day 1, trough 1 on day 3 → 50%; reserve falls 40 over 4 days → 60 / 10 = 6 days
    expect(m.priceDrawdown).toBeCloseTo(0.5, 12);
    expect(m.reserveRunwayDays).toBeCloseTo(6, 12);
    expect(m.suppliersRetained).toBeCloseTo(15 / 20, 12);
    expect(m.shortfallDays).toBe(2);
    // dollars: 1,000 the day before the shock (day 0), lowest from day 1 on 250 (day 3, not the
    // last day's 400) → 0.25
    expect(m.dollarsRetained).toBe(0.25);
    // the largest top-up price impact from the shock on: day 2's
    expect(m.topUpPriceImpact).toBeCloseTo(2 / 3, 12);
  });
  it("reads the runway as E35: an empty reserve is 0 days, one that is not falling is unbounded", () => {
    const days = 5;
    const cols = {
      price: 0,
      reserve: 1,
      dollars: 2,
      topUpUsd: -1,
      topUpTokens: -1,
      poolTokens: -1,
      poolUsd: -1,
      shortfall: 3,
      suppliers: [4],
      churning: [4],
      margins: [],
      marginCounts: [],
      entries: [],
      exits: [],
      jobsLost: -1,
    };
    const runway = (reserve: number[]) => {
      const out = new Float64Array(5 * days).fill(1);
      out.set(reserve, days);
      return stressMetrics(out, days, days, 1, cols).reserveRunwayDays;
    };
    // empty at the end, and empty all along (no outflow): no days left either way
    expect(runway([50, 40, 20, 10, 0])).toBe(0);
    expect(runway([0, 0, 0, 0, 0])).toBe(0);
    // flat or rising: nothing runs out
    expect(runway([10, 10, 10, 10, 10])).toBe(Number.POSITIVE_INFINITY);
    expect(runway([10, 20, 30, 40, 50])).toBe(Number.POSITIVE_INFINITY);
    // falling 8 over 4 days from 20 to 12: 12 / 2 = 6 days
    expect(runway([20, 18, 16, 14, 12])).toBe(6);
  });
});

describe("bme stress metrics at their edges", () => {
  // 3 days, shock on day 1; columns: price 0, reserve 1, dollars 2, shortfall 3, top-up usd 4 and
  // tokens 5, then the suppliers' classes
  const cols = (suppliers: number[]) => ({
    price: 0,
    reserve: 1,
    dollars: 2,
    topUpUsd: 4,
    topUpTokens: 5,
    poolTokens: -1,
    poolUsd: -1,
    shortfall: 3,
    suppliers,
    churning: suppliers,
    margins: [],
    marginCounts: [],
    entries: [],
    exits: [],
    jobsLost: -1,
  });
  const table = (
    supplierRows: number[][],
    topUp: [number[], number[]] = [
      [0, 0, 0],
      [0, 0, 0],
    ],
  ) => {
    const days = 3;
    const out = new Float64Array((6 + supplierRows.length) * days).fill(1);
    out.set(topUp[0], 4 * days);
    out.set(topUp[1], 5 * days);
    supplierRows.forEach((r, k) => {
      out.set(r, (6 + k) * days);
    });
    return out;
  };
  it("suppliers retained: none before the shock is 0 with none at the end, 1 with some; growth above 1", () => {
    const m = (rows: number[][]) =>
      stressMetrics(table(rows), 3, 3, 1, cols(rows.map((_, k) => 6 + k))).suppliersRetained;
    expect(m([[0, 0, 0]])).toBe(0);
    expect(m([[0, 0, 4]])).toBe(1);
    expect(
      m([
        [5, 5, 10],
        [5, 5, 5],
      ]),
    ).toBe(1.5);
    // no supplier class at all: nothing to retain
    expect(m([])).toBe(1);
    // classes whose counts are the scenario's series (no churn): their growth from 5 + 5 to
    // 10 + 5 is an input, not a response, and they retain 1 (a newcomer's 1.98 on sell-pressure)
    const fixed = (rows: number[][]) =>
      stressMetrics(table(rows), 3, 3, 1, { ...cols(rows.map((_, k) => 6 + k)), churning: [] })
        .suppliersRetained;
    expect(
      fixed([
        [5, 5, 10],
        [5, 5, 5],
      ]),
    ).toBe(1);
    // a churning class beside a fixed one: the churning one's alone, 5 → 2
    expect(
      stressMetrics(
        table([
          [5, 5, 2],
          [5, 5, 50],
        ]),
        3,
        3,
        1,
        { ...cols([6, 7]), churning: [6] },
      ).suppliersRetained,
    ).toBe(0.4);
  });
  it("top-up price impact: the largest, below 0 when every top-up paid under the day's price", () => {
    // price 1 every day; day 1: 10 tokens for 9.9 usd (−0.01), day 2: 4 for 3.8 (−0.05)
    const out = table(
      [[1, 1, 1]],
      [
        [0, 9.9, 3.8],
        [0, 10, 4],
      ],
    );
    expect(stressMetrics(out, 3, 3, 1, cols([6])).topUpPriceImpact).toBeCloseTo(-0.01, 12);
  });
  it("top-up price impact with a pool: over the pool's spot before the top-up (E46), not the day's price", () => {
    // a newcomer's case: after a day of net sales the day's (batch) price lies far above the spot
    // the pool is left at, and a top-up measured against it read −0.97.
    // By hand: the pool holds x = 100 tokens and y = 100 usd after the day's batch (spot 1); E46
    // buys W = 10 tokens for y·W/(x − W) = 1,000/90 usd, leaving 90 tokens and 100 + 1,000/90
    // usd at the end of the day; its impact is (1,000/90)/10 over 1, minus 1: W/(x − W) = 1/9.
    // The day's price is 2: against it the same top-up would read 1,000/900/2 − 1 = −0.44.
    const u = 1000 / 90;
    const days = 3;
    const out = new Float64Array(8 * days).fill(1);
    out.set([1, 2, 1], 0); // price
    out.set([0, u, 0], 4 * days); // top-up usd
    out.set([0, 10, 0], 5 * days); // top-up tokens
    out.set([100, 90, 90], 6 * days); // poolTokens, end of day
    out.set([100, 100 + u, 100 + u], 7 * days); // poolUsd, end of day
    const m = stressMetrics(out, days, days, 1, { ...cols([]), poolTokens: 6, poolUsd: 7 });
    expect(m.topUpPriceImpact).toBeCloseTo(1 / 9, 12);
    // the same top-up without pool columns (E16) is measured against the day's price
    expect(stressMetrics(out, days, days, 1, cols([])).topUpPriceImpact).toBeCloseTo(
      u / 20 - 1,
      12,
    );
  });
  it("a metric a few ulps past its threshold meets it; one 1e-9 past does not", () => {
    const th = {
      maxDrawdown: 0.5,
      minRunwayDays: 90,
      minSuppliersRetained: 0.5,
      maxShortfallDays: 0,
      maxTopUpPriceImpact: 0.1,
    };
    const run = (impact: number, retained = 0.5) => ({
      priceDrawdown: 0.5,
      reserveRunwayDays: 90,
      suppliersRetained: retained,
      shortfallDays: 0,
      dollarsRetained: 1,
      topUpPriceImpact: impact,
    });
    // E16's top-up at a premium of 0.1: 1.1 / 1 − 1 in floating point
    expect(1.1 / 1 - 1).toBe(0.10000000000000009);
    expect(passes(run(1.1 / 1 - 1), th)).toBe(true);
    expect(passes(run(0.1 + 1e-9), th)).toBe(false);
    expect(passes(run(0.1, 0.5 - 1e-16), th)).toBe(true);
    expect(passes(run(0.1, 0.5 - 1e-9), th)).toBe(false);
  });
});

describe("bme stress battery", () => {
  const scenario = parseScenario(
    tinyScenario({
      days: 30,
      consumers: [
        {
          name: "training",
          row: "modelTraining",
          unitPrice: 10,
          unitsPerJob: 1,
          jobsPerDay: { start: 10, noise: 2 },
        },
      ],
    }),
  );
  it("runs every shock on the same runs, marks sellWave not applicable without a pool", () => {
    const r = runStress(scenario, { runs: 20, seed: 4, shockDay: 10 });
    expect(r.shocks.map((s) => s.shock)).toEqual([
      "baseline",
      "demandCrash",
      "sentimentCollapse",
      "sellWave",
      "combined",
    ]);
    const wave = r.shocks.find((s) => s.shock === "sellWave");
    expect(wave?.applicable).toBe(false);
    expect(wave?.pass).toBe(false);
    // E10: a demand crash lowers the price after day 10, so its drawdown exceeds the baseline's
    const base = r.shocks[0].metrics.priceDrawdown.p50;
    expect(r.shocks[1].metrics.priceDrawdown.p50).toBeGreaterThan(base);
  });
  it("passes or fails by the thresholds: a 100% drawdown allowance passes what 0% fails", () => {
    const loose = runStress(scenario, {
      runs: 10,
      seed: 4,
      shockDay: 10,
      thresholds: {
        maxDrawdown: 1,
        minRunwayDays: 0,
        minSuppliersRetained: 0,
        maxShortfallDays: 1000,
      },
    });
    expect(loose.shocks.filter((s) => s.applicable).every((s) => s.pass)).toBe(true);
    const strict = runStress(scenario, {
      runs: 10,
      seed: 4,
      shockDay: 10,
      thresholds: {
        maxDrawdown: 0,
        minRunwayDays: 0,
        minSuppliersRetained: 0,
        maxShortfallDays: 1000,
      },
    });
    expect(strict.shocks[1].pass).toBe(false);
    expect(strict.shocks[1].passShare).toBe(0);
  });
  it("applies the sell wave with a pool: 10% of supply sold on the shock day lowers that day's price", () => {
    const pooled = parseScenario(
      tinyScenario({ days: 30, feedback: { amm: { poolTokens: 500, poolUsd: 500 } } }),
    );
    const r = runStress(pooled, { runs: 1, seed: 0, shockDay: 10, pathRuns: 1 });
    const base = r.shocks[0].paths?.priceOfToken?.p50;
    const wave = r.shocks[3].paths?.priceOfToken?.p50;
    expect(wave?.[9]).toBe(base?.[9]);
    expect(wave?.[10]).toBeLessThan(base?.[10] ?? 0);
  });
});
