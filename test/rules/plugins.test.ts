import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
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
});
