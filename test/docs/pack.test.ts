import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Issue 10 item 2: the package as a user gets it. `npm pack` the built package, install the
 * tarball into an empty project and run an example there that uses the main entry and the
 * `bme-sim/store` and `bme-sim/report` subpaths.
 *
 * The install is offline (npm's cache, filled by `npm ci` on a fresh machine). Where the cache
 * lacks a dependency (a checkout whose node_modules were copied), the tarball is unpacked into
 * node_modules/bme-sim and the checkout's dependencies are linked beside it: the package's own
 * files and exports map are still the ones tested.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const run = (cmd: string, args: string[], cwd: string, timeout = 180_000) =>
  spawnSync(cmd, args, { cwd, encoding: "utf8", timeout });

const EXAMPLE = `
import { loadScenario, monteCarlo, simulate, column, VERSION } from "bme-sim";
import { openStore } from "bme-sim/store";
import { chartSvg, priceChart } from "bme-sim/report";
import { writeTable } from "bme-sim/io";
import { readFileSync } from "node:fs";

const file = "node_modules/bme-sim/scenarios/whitepaper.yaml";
const run = simulate(loadScenario(file, { deterministic: true }).scenario, { seed: 1 });
const store = await openStore("results.duckdb");
const mc = await monteCarlo(file, { runs: 8, store });
const list = await store.listExperiments();
await store.close();
const svg = chartSvg(priceChart(run));
await writeTable(run, "out/run.csv");
console.log(JSON.stringify({
  version: VERSION,
  price0: column(run, "priceOfToken")[0],
  phase2: column(run, "phase").indexOf(2),
  runs: mc.point.outcomes.runs,
  stored: list.map((e) => e.kind),
  svg: svg.startsWith("<svg"),
  header: readFileSync("out/run.csv", "utf8").split("\\n")[0].split(",").slice(0, 2),
}));
`;

describe("npm pack, install, use", () => {
  it("an example runs against the installed tarball", () => {
    expect(existsSync(join(ROOT, "dist/src/index.js")), "npm run build first").toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "bme-pack-"));
    const pack = run(
      "npm",
      ["pack", "--ignore-scripts", "--pack-destination", dir, "--json"],
      ROOT,
    );
    expect(pack.status, pack.stderr).toBe(0);
    const [{ filename, files }] = JSON.parse(pack.stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = files.map((f) => f.path);
    // what a user needs ships; tests and sources of the build do not
    for (const p of [
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/cli/main.js",
      "dist/src/cli/bme.cjs", // the command's bundle and its code cache (scripts/bundle-cli.mjs)
      "dist/src/cli/bme.cjs.v8cache",
      "docs/model.md",
      "scenarios/whitepaper.yaml",
    ])
      expect(paths).toContain(p);
    expect(paths.some((p) => p.startsWith("test/") || p.startsWith("src/"))).toBe(false);

    const project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      '{ "name": "try-bme", "private": true, "type": "module" }\n',
    );
    const install = run(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(dir, filename)],
      project,
    );
    if (install.status !== 0) {
      expect(install.stderr).toMatch(/ENOTCACHED|cache/);
      const target = join(project, "node_modules/bme-sim");
      mkdirSync(target, { recursive: true });
      expect(
        run("tar", ["-xzf", join(dir, filename), "-C", target, "--strip-components=1"], project)
          .status,
      ).toBe(0);
      for (const name of readdirSync(join(ROOT, "node_modules")))
        if (name !== "bme-sim" && name !== ".bin" && !name.startsWith("."))
          symlinkSync(join(ROOT, "node_modules", name), join(project, "node_modules", name));
    }
    writeFileSync(join(project, "example.mjs"), EXAMPLE);
    const r = run(process.execPath, ["example.mjs"], project);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    const version = JSON.parse(
      run(process.execPath, ["-p", "JSON.stringify(require('./package.json').version)"], ROOT)
        .stdout,
    );
    expect(out).toEqual({
      version,
      price0: 0.01, // 20,000 usd of sentiment over 2,000,000 tokens (docs/model.md §8)
      phase2: 30,
      runs: 8,
      stored: ["montecarlo"],
      svg: true,
      header: ["day", "phase"],
    });
    // the installed command runs (from its code caches, or from source where V8 refuses them)
    const cli = run(
      process.execPath,
      [
        "node_modules/bme-sim/dist/src/cli/main.js",
        "run",
        "node_modules/bme-sim/scenarios/whitepaper.yaml",
        "--days",
        "40",
      ],
      project,
    );
    expect(cli.stderr).toBe("");
    expect(cli.stdout).toMatch(/phase 2 from day +30\n/);
    // a deep import is refused by the exports map
    const deep = run(
      process.execPath,
      ["-e", 'import("bme-sim/dist/src/engine/kernel.js").catch(e => { console.log(e.code); })'],
      project,
    );
    expect(deep.stdout.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  }, 300_000);
});
