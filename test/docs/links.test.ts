import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Issue 10 item 1: the repository is self-contained. Every link or mention in shipped text
 * (code, schema descriptions, dashboard, scenarios, docs, README, benchmarks, tests) points
 * at a file inside the repository.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const SCANNED = [
  "src",
  "web/src",
  "web/index.html",
  "scenarios",
  "docs",
  "README.md",
  "bench",
  "test",
  "scripts",
];
const TEXT = new Set([
  ".ts",
  ".tsx",
  ".md",
  ".yaml",
  ".yml",
  ".json",
  ".html",
  ".css",
  ".sh",
  ".mjs",
]);

function files(path: string): string[] {
  const abs = join(ROOT, path);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return TEXT.has(extname(abs)) ? [abs] : [];
  return readdirSync(abs).flatMap((name) =>
    name === "node_modules" ? [] : files(relative(ROOT, join(abs, name))),
  );
}

const ALL = SCANNED.flatMap(files).filter((f) => f !== import.meta.filename);

// built by concatenation so that this file does not mention them itself
const OUTSIDE = [
  ["MODEL", ".md"],
  ["../", "shared"],
  ["shared", "/spec"],
  ["PERFORMANCE", ".md"],
  ["the stack", " table"],
  ["/work", "/"],
  ["chainopera-bme-", "whitepaper.txt"],
].map((parts) => parts.join(""));

describe("every reference stays inside the repository", () => {
  it("scans the shipped text", () => {
    expect(ALL.length).toBeGreaterThan(100);
    expect(ALL).toContain(join(ROOT, "docs/model.md"));
  });

  it("no file mentions a document outside the repository", () => {
    const hits: string[] = [];
    for (const f of ALL) {
      const lines = readFileSync(f, "utf8").split("\n");
      lines.forEach((line, n) => {
        for (const o of OUTSIDE)
          if (line.includes(o)) hits.push(`${relative(ROOT, f)}:${n + 1}: ${o}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it("every relative Markdown link resolves to a file in the repository", () => {
    const broken: string[] = [];
    for (const f of ALL.filter((x) => x.endsWith(".md"))) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
        const abs = resolve(dirname(f), target.split("#")[0]);
        if (!abs.startsWith(`${ROOT}/`) || !existsSync(abs))
          broken.push(`${relative(ROOT, f)}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("every docs/*.md path named in code, scenarios or docs exists", () => {
    const missing: string[] = [];
    for (const f of ALL) {
      for (const m of readFileSync(f, "utf8").matchAll(/\bdocs\/([A-Za-z0-9_-]+\.md)/g))
        if (!existsSync(join(ROOT, "docs", m[1])))
          missing.push(`${relative(ROOT, f)}: docs/${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  it("the model document has every equation E1–E22 and every ruling R1–R11", () => {
    const model = readFileSync(join(ROOT, "docs/model.md"), "utf8");
    for (let e = 1; e <= 22; e++) expect(model, `E${e}`).toMatch(new RegExp(`\\(E${e}[ab]?\\)`));
    expect(model).toMatch(/\(E17b\)/);
    for (let r = 1; r <= 11; r++) expect(model, `R${r}`).toMatch(new RegExp(`\\*\\*\\[R${r}\\]`));
    expect(model).toContain("ChainOpera Burn-and-Mint Model");
    expect(model).toContain("Extensions (E23 and after)");
  });
});
