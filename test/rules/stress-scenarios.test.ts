import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { governanceChart } from "../../src/report/charts/governance.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR, WHITEPAPER } from "../helpers.js";

const SEED = 7;
const run = (file: string, days?: number) =>
  simulate(loadScenario(file, days ? { days } : {}).scenario, { seed: SEED });

describe("scenarios/stress/reserve-controller.yaml (E39) holds the reserve near 450k", () => {
  const target = 450_000;
  const held = run(join(SCENARIOS_DIR, "stress/reserve-controller.yaml"));
  const free = run(WHITEPAPER, 240);

  it("day 31 pays what the whitepaper pays: day 30's reserve is above target, u = min = 10", () => {
    expect(held.error).toBeNull();
    // the controller reads day 30 (577k > 450k): e < 0, so u clamps to min 10, the whitepaper's
    // divisor, and day 31 is the whitepaper's day 31 (no blow-up of phase-2 emission)
    expect(column(held, "tokenReserve")[30]).toBeGreaterThan(target);
    expect(column(held, "phaseTwoEmission")[31]).toBe(column(free, "phaseTwoEmission")[31]);
    const changes = held.governance ?? [];
    expect(changes.length).toBeGreaterThan(10); // at work every day it is off target
    expect(changes.every((c) => c.value >= 10 && c.value <= 5000 && c.day >= 31)).toBe(true);
    // never pays more than the whitepaper: the 800k mint is paid out more slowly
    const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
    expect(sum(column(held, "phaseTwoEmission"))).toBeLessThan(
      sum(column(free, "phaseTwoEmission")),
    );
  });

  it("keeps the reserve within ±15% of target on days 31–119; the whitepaper falls below −35%", () => {
    const inBand = (x: number) => x >= 0.85 * target && x <= 1.15 * target;
    const r = Array.from(column(held, "tokenReserve").subarray(31, 120));
    expect(r.every(inBand)).toBe(true);
    const w = Array.from(column(free, "tokenReserve").subarray(31, 120));
    expect(Math.min(...w)).toBeLessThan(0.65 * target);
    expect(w.filter(inBand).length).toBeLessThan(r.length / 2);
  });

  it("the report's governance chart draws the controlled divisor day by day", () => {
    const series = governanceChart(held)?.option.series as {
      name: string;
      data: [number, number][];
    }[];
    const path = series.find((s) => s.name === "hold-reserve: jobRewardModulation");
    // the whitepaper's divisor 10 until the controller first moves it; then the logged values
    expect(path?.data[30]).toEqual([30, 10]);
    const last = (held.governance ?? []).filter((c) => c.day <= 100).at(-1);
    expect(path?.data[100]).toEqual([100, last?.value]);
    expect(path?.data).toHaveLength(240);
  });
});

describe("scenarios/stress/price-defense.yaml (E38) fires on the day-100 crash", () => {
  const r = run(join(SCENARIOS_DIR, "stress/price-defense.yaml"));

  it("fires and reverts on the days E38 gives from the price column, not before day 100", () => {
    expect(r.error).toBeNull();
    const p = column(r, "priceOfToken");
    // E38 by hand: m_t = p[t−1]/p[t−8] − 1; from day 40, enter when m < −0.10; exit when
    // m > 0.10 at least 14 days after entering
    const m = (t: number) => p[t - 1] / p[t - 8] - 1;
    let enter = -1;
    for (let t = 40; t < r.days && enter < 0; t++) if (m(t) < -0.1) enter = t;
    let exit = -1;
    for (let t = enter + 14; t < r.days && exit < 0; t++) if (m(t) > 0.1) exit = t;
    expect(enter).toBeGreaterThanOrEqual(100); // the crash starts on day 100
    expect(enter).toBeLessThan(110);
    expect(exit).toBeGreaterThan(enter);
    expect(r.governance?.slice(0, 2)).toEqual([
      { day: enter, rule: "defend-price", variable: "buybackModulation", old: 0.5, value: 1 },
      { day: exit, rule: "defend-price", variable: "buybackModulation", old: 1, value: 0.5 },
    ]);
    expect(enter).toBe(101);
    expect(exit).toBe(122);
  });

  it("the governance chart's legend entry for the marks is drawn as the marks are", () => {
    const chart = governanceChart(r);
    const series = chart?.option.series as { name: string; color?: string; markLine?: unknown }[];
    // the empty series that carries the change marks: red like its dotted lines, not the
    // palette's next colour (an empty orange legend swatch)
    const marks = series.find((s) => s.name === "governance change");
    const markLine = marks?.markLine as { lineStyle: { color: string } } | undefined;
    expect(marks?.color).toBe("#d62728");
    expect(markLine?.lineStyle.color).toBe("#d62728");
    expect(series.some((s) => s.name === "governance")).toBe(false);
  });
});
