import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// What `bme` loads before it runs a command (docs/benchmarks.md, start-up): the import graph,
// never a time. The bundle (scripts/bundle-cli.mjs) is what `npm run build` left in dist/.
const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "dist/src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "bme-startup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Every file the entry loads before a command runs, transitively, and the bare specifiers they
 * name: the entry's import lines and the chunk it loads (`importModule("./bme.cjs")`), the
 * CommonJS chunks' top-level `require` lines, built-ins taken with process.getBuiltinModule.
 */
function staticGraph(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const code = readFileSync(file, "utf8");
    const specifiers = [
      ...code.matchAll(/^import (?:[^;]*? from )?"([^"]+)";$/gm),
      ...code.matchAll(/^const entry = await importModule\("([^"]+)"\);$/gm),
      ...code.matchAll(/^(?:const|let|var) [\w$]+ = require\("([^"]+)"\);$/gm),
    ].map((m) => m[1]);
    for (const s of specifiers) {
      if (s.startsWith(".")) visit(resolve(dirname(file), s));
      else bare.add(s);
    }
    for (const m of code.matchAll(/process\.getBuiltinModule\("([^"]+)"\)/g)) bare.add(m[1]);
  };
  visit(entry);
  return { files, bare };
}

/** Node's internal modules a whole `node <args>` process loaded, in load order. */
function internalsLoaded(args: string[], stdio: "ignore" | "pipe"): string[] {
  const out = join(dir, "loaded.json");
  const hook = join(dir, "hook.cjs");
  writeFileSync(
    hook,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));`,
  );
  const r = spawnSync(process.execPath, ["-r", hook, CLI, ...args], {
    cwd: ROOT,
    stdio: ["ignore", stdio, stdio],
    timeout: 60_000,
  });
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as string[];
}

describe("start-up: what bme loads before a command needs it", () => {
  it("the entry imports no package at all: heavy ones (DuckDB, charts, BullMQ, piscina, the databases) come with the command that needs them", () => {
    const { files, bare } = staticGraph(CLI);
    expect(files).toContain(join(dirname(CLI), "bme.cjs")); // the graph is followed past the entry
    expect(files.length).toBeLessThan(10); // one bundle and a few shared chunks, not ~250 files
    expect([...bare].filter((s) => !s.startsWith("node:"))).toEqual([]);
  });

  it("the entry takes neither node:crypto nor node:child_process (loading them cost a third of --help)", () => {
    const { bare } = staticGraph(CLI);
    for (const builtin of ["node:crypto", "node:child_process", "node:net", "node:worker_threads"])
      expect(bare).not.toContain(builtin);
  });

  it("`bme --help` into files loads no crypto, child_process, net or worker threads", () => {
    const loaded = internalsLoaded(["--help"], "ignore");
    expect(loaded).toContain("NativeModule fs"); // the list is the real one
    for (const m of ["crypto", "child_process", "net", "worker_threads"])
      expect(loaded).not.toContain(`NativeModule ${m}`);
  });
});

describe("standard output into a file (src/cli/output.ts)", () => {
  it("`bme --help` and `bme run` into a file load no streams, and write the bytes a pipe gets", () => {
    for (const args of [["--help"], ["run", "scenarios/whitepaper.yaml"]]) {
      const loaded = internalsLoaded(args, "ignore"); // stdout is /dev/null
      expect(loaded).toContain("NativeModule fs");
      for (const m of ["stream", "internal/fs/sync_write_stream", "net"])
        expect(loaded).not.toContain(`NativeModule ${m}`);
      const file = join(dir, "out.txt");
      const viaFile = spawnSync(
        "bash",
        ["-c", `node dist/src/cli/main.js ${args.join(" ")} > ${file}`],
        {
          cwd: ROOT,
          timeout: 60_000,
        },
      );
      expect(viaFile.status).toBe(0);
      const viaPipe = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 });
      expect(viaPipe.status).toBe(0);
      expect(viaPipe.stdout.length).toBeGreaterThan(100);
      expect(readFileSync(file).equals(viaPipe.stdout)).toBe(true);
    }
  });
});

describe("a closed stderr", () => {
  it("`bme validate missing.yaml 2>&1 >/dev/null | true`: the message goes nowhere, the exit code stays 2 (bad input), no crash", () => {
    // the stderr stream is set up on first use (src/cli/main.ts whenUsed): its EPIPE handler too
    const r = spawnSync(
      "bash",
      [
        "-c",
        'node dist/src/cli/main.js validate no-such-file.yaml 2>&1 >/dev/null | (exec 0<&-; sleep 0.3); echo "status $((PIPESTATUS[0]))"',
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    // a reader of stderr that went away neither stops the command nor turns its failure into success
    expect(r.stdout.trim()).toBe("status 2");
  });
});
