import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pointScenario } from "../../src/montecarlo/chunk.js";
import { expandSweep, parseAxis } from "../../src/montecarlo/sweep.js";
import { loadScenario } from "../../src/scenario/load.js";

const ROOT = new URL("../..", import.meta.url).pathname;
/** The YAML files under `dir` (relative to ROOT), recursively: their comments suggest commands too. */
function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? yamlFiles(join(dir, e.name))
      : e.name.endsWith(".yaml")
        ? [join(dir, e.name)]
        : [],
  );
}
const FILES = [
  ...["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => join("docs", f))].filter((f) =>
    f.endsWith(".md"),
  ),
  ...yamlFiles("scenarios"),
];

/**
 * Every documented `bme sweep|run|montecarlo|…` command line (with `\` continuations joined), in
 * the README, docs/ and the shipped scenarios' comments.
 */
function commands(): { file: string; line: string }[] {
  const out: { file: string; line: string }[] = [];
  for (const file of FILES) {
    const text = readFileSync(join(ROOT, file), "utf8").replace(/\\\n\s*/g, " ");
    for (const m of text.matchAll(
      /bme (?:run|sweep|montecarlo|compare|sensitivity|stress|validate) (scenarios\/\S+\.yaml)[^\n`#]*/g,
    ))
      out.push({ file, line: m[0] });
  }
  return out;
}

describe("documented commands", () => {
  it("set and sweep only values their scenario accepts (a doc example must run as written)", () => {
    const found = commands().filter((c) => /--(grid|zip|set) /.test(c.line));
    // the docs show sweeps and overrides: there is something to check
    expect(found.length).toBeGreaterThan(2);
    for (const { file, line } of found) {
      const words = line.trim().split(/\s+/);
      const { scenario } = loadScenario(join(ROOT, words[2]));
      const axes = { grid: [] as string[], zip: [] as string[], set: [] as string[] };
      words.forEach((w, i) => {
        const k = w.replace(/^--/, "") as keyof typeof axes;
        if (w.startsWith("--") && k in axes && words[i + 1]) axes[k].push(words[i + 1]);
      });
      const where = `${file}: ${line}`;
      expect(() => loadScenario(join(ROOT, words[2]), { set: axes.set }), where).not.toThrow();
      if (axes.grid.length + axes.zip.length === 0) continue;
      const points = expandSweep(
        axes.grid.map((g) => parseAxis("--grid", g)),
        axes.zip.map((z) => parseAxis("--zip", z)),
      );
      for (const p of points) expect(() => pointScenario(scenario, p), where).not.toThrow();
    }
  });
});
