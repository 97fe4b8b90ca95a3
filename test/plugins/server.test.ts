import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/** Every module of src reachable from `entry` by static or literal dynamic imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = resolve(dirname(file), m[1]).replace(/\.js$/, ".ts");
      if (existsSync(target)) todo.push(target);
    }
  }
  return seen;
}

describe("the dashboard server never loads user code (issue 12)", () => {
  it("no module the server can reach imports plugin modules", () => {
    const graph = reachable(join(SRC, "server/index.ts"));
    expect(graph.size).toBeGreaterThan(5); // the walk follows the server's imports
    for (const f of ["plugins/load.ts", "plugins/refs.ts", "montecarlo/worker.ts"])
      expect([...graph].map((p) => p.slice(SRC.length + 1))).not.toContain(f);
  });
});
