import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlocks } from "./blocks.js";

/**
 * Issue 10 item 2: every ```ts example of the README and docs/ runs, as a user would write it
 * (`import … from "bme-sim"`, resolved through the package's exports map to dist/), and
 * type-checks against the published declarations. An example signals a wrong result by throwing.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith(".md"),
);
const EXAMPLES = DOCS.flatMap((doc) =>
  codeBlocks(join(ROOT, doc), "ts").map((code, i) => ({ doc, i, code })),
);
// inside the package (so "bme-sim" resolves to itself), in the ignored out/ folder
const DIR = join(ROOT, "out/examples");

describe("the documentation's examples", () => {
  it("there are examples of every library entry point", () => {
    const all = EXAMPLES.map((e) => e.code).join("\n");
    for (const name of [
      "monteCarlo",
      "sweep",
      "compare",
      "sensitivity",
      "openStore",
      "writeReport",
    ])
      expect(all).toContain(name);
    expect(EXAMPLES.some((e) => e.doc === "README.md")).toBe(true);
  });

  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const files = EXAMPLES.map(({ doc, i, code }) => {
    const file = join(DIR, `${doc.replace(/[/.]/g, "_")}-${i}.ts`);
    writeFileSync(file, `${code}\nexport {};\n`);
    return { doc, i, file };
  });

  it("type-check against the package's declarations", () => {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/typescript/bin/tsc"),
        "--noEmit",
        "--ignoreConfig",
        "--strict",
        "--skipLibCheck",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--types",
        "node",
        ...files.map((f) => f.file),
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  for (const { doc, i, file } of files)
    it(`${doc} example ${i + 1} runs`, () => {
      const r = spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), file], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
});
