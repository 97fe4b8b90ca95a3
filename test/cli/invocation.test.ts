import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopWithParent, userDirectory } from "../../src/cli/invocation.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "bme-elsewhere-"));

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  copyFileSync(WHITEPAPER, join(dir, "my.yaml"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** npm itself, started from `cwd` (a directory outside the checkout). */
function npm(args: string[], cwd = dir) {
  const r = spawnSync("npm", args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("userDirectory", () => {
  it("is npm's INIT_CWD under `npm run bme`, and nothing otherwise", () => {
    const ours = { npm_lifecycle_event: "bme", npm_package_name: "bme-sim" };
    expect(userDirectory({ ...ours, INIT_CWD: "/home/u/x" })).toBe("/home/u/x");
    // a user's own project with a script named bme: its script chose its directory
    expect(
      userDirectory({ npm_lifecycle_event: "bme", npm_package_name: "my-econ", INIT_CWD: "/x" }),
    ).toBeUndefined();
    expect(userDirectory({ npm_lifecycle_event: "test", INIT_CWD: "/home/u/x" })).toBeUndefined();
    expect(userDirectory({ INIT_CWD: "/home/u/x" })).toBeUndefined();
  });

  it("stopWithParent watches nothing outside npm", () => {
    let stopped = false;
    const unwatch = stopWithParent(() => (stopped = true), { env: {}, everyMs: 1 });
    unwatch();
    expect(stopped).toBe(false);
  });
});

// Each test here starts npm two or three times (≈ 1 s each on a quiet machine, tens of seconds
// when the machine is loaded): the bound is the spawns' own, not the suite's default.
describe("bme from anywhere", { timeout: 300_000 }, () => {
  it("npm run bme -- … reads and writes paths relative to where the user ran it", () => {
    const v = npm(["run", "--silent", "--prefix", ROOT, "bme", "--", "validate", "my.yaml"]);
    expect(v.err).toBe("");
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^my\.yaml: valid \(whitepaper: 180 days/);
    const r = npm(
      ["run", "--silent", "--prefix", ROOT, "bme", "--", "run", "my.yaml"].concat([
        "--out",
        "out.csv",
        "--quiet",
      ]),
    );
    expect(r.code).toBe(0);
    // 180 days, one header line: the table is in the user's directory, not the checkout
    expect(
      readFileSync(join(dir, "out.csv"), "utf8")
        .split("\n")
        .filter((l) => /^\d/.test(l)),
    ).toHaveLength(180);
    expect(existsSync(join(ROOT, "out.csv"))).toBe(false);
  });

  it("run as a program, starts node on itself with huge pages for malloc unless told otherwise", () => {
    // a `node` of our own first on PATH prints what the launcher line handed it
    const bin = mkdtempSync(join(tmpdir(), "bme-fake-node-"));
    try {
      writeFileSync(
        join(bin, "node"),
        '#!/bin/sh\nprintf "%s|%s|%s" "$GLIBC_TUNABLES" "$1" "$2"\n',
      );
      chmodSync(join(bin, "node"), 0o755);
      const run = (tunables: string | undefined) => {
        const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
        if (tunables === undefined) delete env.GLIBC_TUNABLES;
        else env.GLIBC_TUNABLES = tunables;
        return spawnSync(CLI, ["--version"], { env, encoding: "utf8" }).stdout;
      };
      expect(run(undefined)).toBe(`glibc.malloc.hugetlb=1|${CLI}|--version`);
      expect(run("")).toBe(`glibc.malloc.hugetlb=1|${CLI}|--version`);
      // the user's own tunables kept, ours added after them
      expect(run("glibc.malloc.arena_max=2")).toBe(
        `glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1|${CLI}|--version`,
      );
      // the user's own choice of huge pages is left as it is
      expect(run("glibc.malloc.hugetlb=0")).toBe(`glibc.malloc.hugetlb=0|${CLI}|--version`);
      expect(run("glibc.malloc.tcache_count=0:glibc.malloc.hugetlb=2")).toBe(
        `glibc.malloc.tcache_count=0:glibc.malloc.hugetlb=2|${CLI}|--version`,
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("npx bme runs the checkout's build (bin linked, executable, with a shebang)", () => {
    expect(readFileSync(CLI, "utf8").startsWith("#!/bin/sh\n")).toBe(true);
    const inside = npm(["exec", "--no-install", "--", "bme", "--version"], ROOT);
    expect(inside.out.trim()).toBe(VERSION);
    const outside = npm([
      "exec",
      "--prefix",
      ROOT,
      "--no-install",
      "--",
      "bme",
      "validate",
      "my.yaml",
    ]);
    expect(outside.out).toMatch(/^my\.yaml: valid/);
  });

  it("a server started by `npm run bme -- serve` stops when npm is stopped", async () => {
    const npmProc: ChildProcess = spawn(
      "npm",
      ["run", "--prefix", ROOT, "bme", "--", "serve", "--port", "0"],
      {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    npmProc.stdout!.on("data", (d) => {
      out += d;
    });
    let server: number[] = [];
    try {
      const url = await bounded(async () => out.match(/bme dashboard: (\S+)/)?.[1], 60_000);
      server = descendants(npmProc.pid!);
      expect((await fetch(url)).ok).toBe(true);
      process.kill(npmProc.pid!, "SIGTERM");
      // the server notices it lost its parent and closes: connections are refused
      await bounded(
        async () =>
          (await fetch(url).then(
            () => false,
            () => true,
          )) || undefined,
        20_000,
      );
      await bounded(async () => server.every((pid) => !alive(pid)) || undefined, 20_000);
    } finally {
      for (const pid of [npmProc.pid!, ...server]) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });
});

/** Poll `f` until it gives a value (bounded); throws when the time is up. */
async function bounded<T>(f: () => Promise<T | undefined>, limitMs: number): Promise<T> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("gave up waiting");
}

/** Every process below `pid` (Linux /proc), so the test can clean up by PID. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf)
      if (parent === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

/** Running (a zombie waiting for a parent that does not reap it counts as stopped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
