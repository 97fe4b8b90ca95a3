import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_DIR, copyCli } from "../helpers.js";

// The CLI runs from V8 code caches made by `npm run build` (scripts/cli-entry.mjs,
// docs/decisions.md): what is asserted is which caches are used, never a time.
const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "bme-code-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Compiled {
  file: string;
  cached: boolean;
  rejected: boolean | undefined;
}

/** Run `node [flags] <cli> args`, recording every vm.Script compiled and whether V8 took its cache. */
function traced(cli: string, args: string[], flags: string[] = []) {
  const out = join(dir, `scripts-${Math.random()}.json`);
  const hook = join(dir, "hook.cjs");
  writeFileSync(
    hook,
    `const vm = require("node:vm");
const seen = [];
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(source, options) {
    super(source, options);
    seen.push({ file: options.filename, cached: options.cachedData !== undefined, rejected: this.cachedDataRejected });
  }
};
process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(seen)));`,
  );
  const r = spawnSync(process.execPath, [...flags, "-r", hook, cli, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  const scripts = JSON.parse(readFileSync(out, "utf8")) as Compiled[];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, scripts };
}

/** A fresh copy of the built CLI in folder `name` under the test's temp dir. */
function copyCliTo(name: string): string {
  const copy = join(dir, name);
  rmSync(copy, { recursive: true, force: true });
  return copyCli(copy);
}

describe("the CLI's code caches", () => {
  it("`bme run` compiles every file it loads from a cache V8 accepts", () => {
    const r = traced(join(CLI_DIR, "main.js"), ["run", "scenarios/whitepaper.yaml"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Scenario whitepaper");
    const files = r.scripts.map((s) => s.file);
    expect(files).toContain(join(CLI_DIR, "bme.cjs"));
    expect(files.length).toBeGreaterThan(5); // the scenario loader, zod, yaml, the engine, …
    for (const s of r.scripts) expect({ ...s, cached: true, rejected: false }).toEqual(s);
  });

  it("a cache V8 refuses (other flags) is compiled from source: same output", () => {
    const plain = traced(join(CLI_DIR, "main.js"), ["run", "scenarios/whitepaper.yaml"]);
    const other = traced(
      join(CLI_DIR, "main.js"),
      ["run", "scenarios/whitepaper.yaml"],
      ["--no-lazy"],
    );
    expect(other.status).toBe(0);
    expect(other.scripts.length).toBeGreaterThan(5);
    for (const s of other.scripts) expect(s.rejected).toBe(true);
    expect(other.stdout).toBe(plain.stdout);
  });

  it("a cache made from other bytes of the same length is never used: the file's own code runs", () => {
    // a copy of the built CLI whose help text is edited in place, caches left as they were:
    // V8's own check (the source's length) would take the old cache and print the old text
    const copy = copyCliTo("cli");
    const bundle = join(copy, "bme.cjs");
    const before = "Burn-and-mint equilibrium token economies";
    const after = "Burn-and-mint equilibrium TOKEN economies";
    const code = readFileSync(bundle, "utf8");
    expect(code).toContain(before);
    writeFileSync(bundle, code.replace(before, after));

    const r = traced(join(copy, "main.js"), ["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(after);
    const entry = r.scripts.find((s) => s.file === bundle);
    expect(entry?.cached).toBe(false);
  });

  it("a damaged cache (its source intact) is compiled from source: no crash, the same output", () => {
    // V8's release builds do not check a cache's payload: 400 bytes XORed in the middle of the
    // bundle's cache data crashed node ("unreachable code") before the loader checked a checksum
    const copy = copyCliTo("damaged");
    const cacheFile = join(copy, "bme.cjs.v8cache");
    const cache = readFileSync(cacheFile);
    const dataStart = 8 + cache.readUInt32LE(0);
    const from = dataStart + Math.floor((cache.length - dataStart) / 2);
    for (let i = from; i < from + 400 && i < cache.length; i++) cache[i] ^= 0x5a;
    writeFileSync(cacheFile, cache);
    const plain = traced(join(CLI_DIR, "main.js"), ["--help"]);
    const r = traced(join(copy, "main.js"), ["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.scripts.find((s) => s.file === join(copy, "bme.cjs"))?.cached).toBe(false);
  });
});
