import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { PluginError, type Policy } from "../../src/plugins/api.js";
import { loadPlugins } from "../../src/plugins/load.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { tinyScenario, WHITEPAPER } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");
const GUARD = join(ROOT, "examples/price-guard.mjs");
const RESERVE = join(ROOT, "examples/reserve-metrics.mjs");

describe("plugin API", () => {
  it("a policy's set and scale act from the day they are given, and show in the table", () => {
    const policy: Policy = {
      name: "double-sentiment",
      decide: (v) => (v.day >= 3 ? { scale: { consumerSentiment: 2 } } : undefined),
    };
    const plain = simulate(tinyScenario(), { seed: 1 });
    const r = simulate(tinyScenario(), { seed: 1, policies: [policy] });
    // demand = sentiment (100) + the rest: doubling sentiment adds exactly 100 usd from day 3
    const d = column(r, "demand");
    const d0 = column(plain, "demand");
    expect(d[2]).toBe(d0[2]);
    expect(d[3] - d0[3]).toBeCloseTo(100, 9);
    expect(r.error).toBeNull();
  });

  it("a throwing policy stops the run with a PluginError naming the plugin and the day", () => {
    const policy: Policy = {
      name: "boom",
      decide: (v) => {
        if (v.day === 4) throw new Error("bad idea");
        return undefined;
      },
    };
    const r = simulate(tinyScenario(), { policies: [policy] });
    expect(r.error).toBeInstanceOf(PluginError);
    expect(r.error?.message).toBe('plugin "boom" failed on day 4: bad idea');
    expect(r.days).toBe(4);
  });

  it("an out-of-range value is refused like a schedule's", () => {
    const r = simulate(tinyScenario(), {
      policies: [{ name: "x", decide: () => ({ set: { buybackModulation: 2 } }) }],
    });
    expect(r.error?.message).toBe(
      'plugin "x" failed on day 0: buybackModulation must be ≤ 1, got 2',
    );
  });

  it("the example plugins load from the library: metrics worked out from the table", async () => {
    const { policies, metrics } = await loadPlugins([GUARD, RESERVE]);
    expect(policies.map((p) => p.name)).toEqual(["price-guard"]);
    const s = {
      ...loadScenario(WHITEPAPER).scenario,
      onchain: { buybackModulation: 0.5, fiatOperationsFraction: 0.3 },
    };
    const r = simulate(s, { seed: 2, policies, metrics });
    expect(r.error).toBeNull();
    const price = column(r, "priceOfToken");
    const first = Array.from(column(r, "phase")).indexOf(2);
    expect(r.metrics?.phaseTwoReturn).toBeCloseTo(price[r.days - 1] / price[first] - 1, 12);
    const reserve = Array.from(column(r, "tokenReserve"));
    expect(r.metrics?.reserveFloorDays).toBe(reserve.filter((x) => x < 200_000).length);
  });

  it("bme run --plugin prints the metrics; a throwing plugin exits 1 naming it and the day", () => {
    const out = execFileSync("node", [CLI, "run", WHITEPAPER, "--seed", "1", "--plugin", RESERVE], {
      encoding: "utf8",
    });
    expect(out).toMatch(/metric reserveFloorDays\s+\d+/);
    expect(out).toMatch(/metric dollarPerToken\s+\d/);
    const dir = mkdtempSync(join(tmpdir(), "bme-plugin-"));
    const bad = join(dir, "bad.mjs");
    writeFileSync(
      bad,
      'export const policies = [{ name: "thrower", decide(v) { if (v.day === 7) throw new Error("nope"); } }];\n',
    );
    const r = spawnSync("node", [CLI, "run", WHITEPAPER, "--plugin", bad], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('plugin "thrower" failed on day 7: nope');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("every on-chain change a policy makes is in the governance log, as plugin:<name>", () => {
    const s = {
      ...loadScenario(WHITEPAPER).scenario,
      days: 80,
      onchain: { buybackModulation: 0.5 },
    };
    const raise: Policy = {
      name: "raise",
      // asks for 0.7 every day from day 50: one change, on day 50; then nothing changes
      decide: (v) => (v.day >= 50 ? { set: { buybackModulation: 0.7 } } : undefined),
    };
    const r = simulate(s, { seed: 1, policies: [raise] });
    expect(r.error).toBeNull();
    expect(r.governance).toEqual([
      { day: 50, rule: "plugin:raise", variable: "buybackModulation", old: 0.5, value: 0.7 },
    ]);
    // with a schedule vote on day 10 as well: the vote and the policy's change, by day
    const voted = simulate(
      { ...s, schedule: [{ day: 10, set: { fiatOperationsFraction: 0.2 } }] },
      { seed: 1, policies: [raise] },
    );
    expect(voted.governance?.map((g) => [g.day, g.rule, g.variable])).toEqual([
      [10, "schedule", "fiatOperationsFraction"],
      [50, "plugin:raise", "buybackModulation"],
    ]);
  });

  it("bme run --plugin --out writes the policy's changes and the outcome and plugin metrics", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-plugin-out-"));
    const policy = join(dir, "raise.mjs");
    writeFileSync(
      policy,
      'export const policies = [{ name: "raise", decide: (v) => (v.day >= 50 ? { set: { buybackModulation: 0.7 } } : undefined) }];\n',
    );
    const args = ["--seed", "1", "--set", "onchain.buybackModulation=0.5", "--days", "80"];
    const run = (out: string) =>
      execFileSync(
        "node",
        [CLI, "run", WHITEPAPER, ...args, "--plugin", policy, "--plugin", RESERVE, "--out", out],
        { encoding: "utf8" },
      );
    run(join(dir, "x.json"));
    expect(readFileSync(join(dir, "x.governance.csv"), "utf8")).toBe(
      "day,rule,variable,old,value\n50,plugin:raise,buybackModulation,0.5,0.7\n",
    );
    const json = JSON.parse(readFileSync(join(dir, "x.json"), "utf8"));
    const col = (name: string): number[] =>
      json.rows.map((row: number[]) => row[json.columns.indexOf(name)]);
    const price = col("priceOfToken");
    const reserve = col("tokenReserve");
    // worked out from the table itself: last price, lowest reserve, first phase-2 day
    expect(json.meta.outcomes.finalPrice).toBe(price[79]);
    expect(json.meta.outcomes.minTokenReserve).toBe(Math.min(...reserve));
    expect(json.meta.outcomes.phaseChangeDay).toBe(col("phase").indexOf(2));
    const limit = 0.1 * json.meta.scenario.tokens.initialTokenReserve;
    expect(json.meta.metrics.reserveFloorDays).toBe(reserve.filter((x) => x < limit).length);
    const d = col("dollarReserve")[79] / col("supply")[79];
    expect(json.meta.metrics.dollarPerToken).toBeCloseTo(d, 12);
    run(join(dir, "y.csv"));
    const side = JSON.parse(readFileSync(join(dir, "y.meta.json"), "utf8"));
    expect(side.outcomes).toEqual(json.meta.outcomes);
    expect(side.metrics).toEqual(json.meta.metrics);
  });
});
