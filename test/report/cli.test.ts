import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { WHITEPAPER } from "../helpers.js";

/** Run the CLI in-process; capture stdout and stderr. */
async function bme(...args: string[]) {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("bme run --report and bme report", () => {
  it("bme run --report writes the whitepaper report and prints its path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-cli-"));
    const r = await bme("run", WHITEPAPER, "--deterministic", "--report", dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`  report                ${join(dir, "index.html")}`);
    for (const name of ["price", "token-reserve", "burn-mint", "demand", "phase2-emission"]) {
      expect(existsSync(join(dir, "charts", `${name}.svg`))).toBe(true);
      expect(existsSync(join(dir, "charts", `${name}.png`))).toBe(true);
    }
  });

  it("bme report <scenario> runs it and writes the report into --out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-cli-"));
    const r = await bme("report", WHITEPAPER, "--out", dir, "--seed", "5", "--days", "60");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`report ${join(dir, "index.html")} (9 charts)\n`);
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).toContain("seed: <b>5</b>");
    expect(html).toContain("days: <b>60</b>");
  });

  it("takes a name that is no file as an experiment id and says which store is missing", async () => {
    const missing = join(tmpdir(), "no-such-store.duckdb");
    const r = await bme("report", "exp-42", "--store", missing);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--store: no results store at ${missing}`);
    expect(r.err).not.toContain("    at ");
  });

  it("rejects scenario options given with an experiment id, naming the option", async () => {
    const r = await bme("report", "exp-42", "--deterministic");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--deterministic: applies to a scenario file");
  });

  it("reports a missing scenario file with exit code 2", async () => {
    const r = await bme("report", "missing.yaml");
    expect(r.code).toBe(2);
    expect(r.err).toContain("no such file: missing.yaml");
  });
});
