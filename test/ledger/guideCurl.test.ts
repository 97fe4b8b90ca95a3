import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startPostgres, stopPostgres } from "../../src/ledger/postgresServer.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");
const GUIDE = readFileSync(join(ROOT, "docs/ledger.md"), "utf8");
const dirs: string[] = [];
const servers: ChildProcess[] = [];
afterAll(async () => {
  for (const s of servers) if (s.exitCode === null && s.pid) process.kill(s.pid, "SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await stopPostgres();
});

/** The ```sh block after `heading` in docs/ledger.md. */
function block(heading: string): string {
  return GUIDE.slice(GUIDE.indexOf(heading)).split("```sh\n")[1].split("```")[0];
}
const bme = (line: string) => line.replace(/^bme /, `${process.execPath} ${CLI} `);

/** Start `bme ledger serve` (port 0), resolve its port once it says where it listens. */
function serve(cmd: string, cwd: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn("sh", ["-c", `exec ${cmd}`], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr?.on("data", (d) => {
      out += d;
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${out}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  if (child.pid) process.kill(child.pid, "SIGTERM");
  await exited;
}

async function postJson(port: number, key: string, path: string, body: unknown, idem: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      "idempotency-key": idem,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const engines = [
  { name: "sqlite", db: async (dir: string) => join(dir, "ledger.db") },
  {
    name: "postgres",
    db: async () => (await startPostgres()).createDatabase(`guide${process.pid}`),
  },
];

/**
 * docs/ledger.md as a newcomer runs it: "Start" (init and serve the whitepaper's economy), then
 * every command of "A day in curl" as written, then a second `serve` on the same database, which
 * must be refused while the first keeps working.
 */
describe.each(engines)("the guide's Start and 'A day in curl' ($name)", ({ db }) => {
  it("runs as written; a second serve on the database is refused and the first unharmed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-guide-curl-"));
    dirs.push(dir);
    symlinkSync(join(ROOT, "scenarios"), join(dir, "scenarios"));
    const url = await db(dir);
    const start = block("## Start")
      .trim()
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").replaceAll("./ledger.db", url));
    expect(start[0]).toMatch(/^cp /);
    expect(spawnSync("sh", ["-c", start[0]], { cwd: dir }).status).toBe(0);
    const init = spawnSync("sh", ["-c", bme(start[1])], { cwd: dir, encoding: "utf8" });
    expect(init.status, init.stderr).toBe(0);
    const op = /shown once\): (\S+)/.exec(init.stdout)?.[1] as string;
    expect(op).toMatch(/^bme_operator_/);
    const { child, port } = await serve(bme(start[2]).replace("--port 8787", "--port 0"), dir);

    const script = block("## A day in curl")
      .replace(/^OP=bme_operator_…;/m, `OP=${op};`)
      .replaceAll("localhost:8787", `127.0.0.1:${port}`);
    const run = spawnSync("sh", ["-c", `set -e\n${script}`], { cwd: dir, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('"error"');
    // the daily table's CSV (one job of gpuTraining, validated on day 0): its header has every
    // ledger figure of the JSON form, and day 0 counts 1 validated task
    const csv = run.stdout.slice(run.stdout.indexOf("day,phase,")).split("\n");
    const header = csv[0].split(",");
    const day0 = csv[1].split(",");
    expect(header).toContain("ledger.abandonedTasks");
    expect(day0[header.indexOf("ledger.validatedTasks")]).toBe("1");
    expect(day0[header.indexOf("ledger.priceSource")]).toBe("model");
    // the supplier's statement: day 0, one task validated, none failed
    expect(run.stdout).toMatch(/\nday,tasksValidated,tasksFailed,[^\n]*\n0,1,0,/);

    // a second server on the same database: refused, exit 1, naming the first one's pid
    const second = spawnSync("sh", ["-c", bme(start[2]).replace("--port 8787", "--port 0")], {
      cwd: dir,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`already served by process ${child.pid}`);
    expect(second.stderr).not.toContain("    at ");
    // the first still writes: validator 2 (the guide made validator 1), and closes day 1
    const v = await postJson(port, op, "/v1/validators", { name: "v2" }, "after-1");
    expect(v.status).toBe(201);
    expect(v.body.id).toBe(2);
    const closed = await postJson(port, op, "/v1/days/close", { day: 1 }, "after-2");
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await stop(child);
    // the lock ends with its server: a new one starts, at open day 2
    const again = await serve(bme(start[2]).replace("--port 8787", "--port 0"), dir);
    const status = await fetch(`http://127.0.0.1:${again.port}/v1/status`, {
      headers: { authorization: `Bearer ${op}` },
    });
    expect(((await status.json()) as { openDay: number }).openDay).toBe(2);
    await stop(again.child);
  }, 120_000);
});
