import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const REPEATS = 9;
/** A throw-away results store for the store case (removed after each run). */
const STORE = join(tmpdir(), `bme-bench-startup-${process.pid}.duckdb`);

/**
 * CPU seconds (user + system) of this process' finished children, from /proc/self/stat
 * (cutime, cstime; Linux only, else null). On a busy machine it says what start-up costs
 * where wall time mostly says how long the process waited for a core.
 */
function childrenCpu(): number | null {
  try {
    const stat = readFileSync("/proc/self/stat", "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields after "(comm)": state is index 0, so cutime (16th field overall) is index 13
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/**
 * Wall and CPU time (s) of one whole process, exit code checked: `node …args`, or, when args
 * start with the CLI, the CLI run as a program, as a user's `bme` runs it (its launcher line
 * included: scripts/cli-entry.mjs).
 */
function once(args: readonly string[]): { wall: number; cpu: number | null } {
  const cpu0 = childrenCpu();
  const t0 = process.hrtime.bigint();
  const [cmd, argv] = args[0] === CLI ? [CLI, args.slice(1)] : [process.execPath, args];
  const r = spawnSync(cmd, argv, { stdio: ["ignore", "ignore", "pipe"] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = childrenCpu();
  for (const suffix of ["", ".wal"]) rmSync(`${STORE}${suffix}`, { force: true });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${r.stderr}`);
  return { wall, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

/**
 * Instructions a whole process executes, counted by valgrind's callgrind (null without
 * valgrind): exact and immune to the machine's load, unlike wall and CPU time.
 */
function instructions(args: readonly string[]): number | null {
  const out = join(tmpdir(), `bme-bench-callgrind-${process.pid}.out`);
  const r = spawnSync(
    "valgrind",
    ["--tool=callgrind", `--callgrind-out-file=${out}`, process.execPath, ...args],
    { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
  );
  rmSync(out, { force: true });
  for (const suffix of ["", ".wal"]) rmSync(`${STORE}${suffix}`, { force: true });
  const m = r.status === 0 ? /Collected : (\d+)/.exec(r.stderr) : null;
  return m === null ? null : Number(m[1]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * `npm run bench`: start-up as a user meets it, whole processes (node's own start included),
 * the median of 9 after one warm-up, wall time against the aim and CPU time beside it; and a
 * bare `node -e 0`, the floor of this machine.
 */
export async function benchStartup(): Promise<string[]> {
  const cases: [string, string[], number | null, boolean?][] = [
    ["node -e 0 (the floor)", ["-e", "0"], null, true],
    ["bme --help", [CLI, "--help"], 0.15, true],
    ["bme run scenarios/whitepaper.yaml", [CLI, "run", "scenarios/whitepaper.yaml"], 0.3, true],
    // issue 11: the whole command, start-up and bands included (no store: DuckDB alone
    // takes ≈ 0.3 s to load; the default store's cost is measured on the next line)
    ...(["2", "1"] as const).map((w): [string, string[], number | null] => [
      `bme montecarlo --runs 10000 --no-store --workers ${w}`,
      [
        CLI,
        "montecarlo",
        "scenarios/whitepaper.yaml",
        "--runs",
        "10000",
        "--no-store",
        "--quiet",
        "--workers",
        w,
      ],
      // the aim is on 2 cores; one worker is there to compare (a second must pay for itself)
      w === "2" ? 0.5 : null,
    ]),
    [
      "bme montecarlo --runs 100 (with a store)",
      [
        CLI,
        "montecarlo",
        "scenarios/whitepaper.yaml",
        "--runs",
        "100",
        "--quiet",
        "--store",
        STORE,
      ],
      null,
    ],
  ];
  const lines = [`start-up, whole processes, median of ${REPEATS} (wall; CPU = user + system):`];
  for (const [label, args, aim, count] of cases) {
    once(args); // warm the file cache
    const runs = Array.from({ length: REPEATS }, () => once(args));
    const wall = median(runs.map((r) => r.wall));
    const cpus = runs.map((r) => r.cpu);
    const cpu = cpus.every((c) => c !== null) ? median(cpus as number[]) : null;
    const verdict = aim === null ? "" : `  (aim ≤ ${aim} s: ${wall <= aim ? "met" : "NOT met"})`;
    lines.push(
      `  ${label.padEnd(54)} ${wall.toFixed(3)} s${cpu === null ? "" : `, CPU ${cpu.toFixed(2)} s`}${verdict}`,
    );
    const n = count ? instructions(args) : null;
    if (n !== null)
      lines.push(`  ${"".padEnd(54)} ${(n / 1e6).toFixed(0)} M instructions (callgrind)`);
  }
  return lines;
}
