import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A throwaway PostgreSQL server for the ledger's tests and benchmarks: Debian's PostgreSQL
 * (installed by scripts/install-postgres.sh), a data directory of its own, 127.0.0.1 on a free port, trust auth, run as the `postgres` OS user when we are root
 * (the server refuses root), stopped by its PID.
 */
export interface TestPostgres {
  readonly port: number;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

let running: Promise<TestPostgres> | null = null;

function binDir(): string {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base))
    throw new Error("PostgreSQL is not installed: run scripts/install-postgres.sh");
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  return join(base, versions[0], "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function startPostgres(): Promise<TestPostgres> {
  running ??= start();
  return running;
}

export async function stopPostgres(): Promise<void> {
  if (running) {
    const r = running;
    running = null;
    await (await r).stop();
  }
}

async function start(): Promise<TestPostgres> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "bme-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const as = (cmd: string, args: string[]) =>
    (root ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]) as [
      string,
      string[],
    ];
  const [c1, a1] = as(join(bin, "initdb"), [
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  execFileSync(c1, a1, { stdio: "ignore" });
  const port = await freePort();
  const [c2, a2] = as(join(bin, "postgres"), [
    "-D",
    data,
    "-p",
    String(port),
    "-h",
    "127.0.0.1",
    "-k",
    dir,
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=on",
  ]);
  const child: ChildProcess = spawn(c2, a2, { stdio: "ignore" });
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 100; i++) {
    try {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.end();
      break;
    } catch {
      if (i === 99) throw new Error("PostgreSQL did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    async createDatabase(name: string) {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (child.pid !== undefined && child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        // fast shutdown of the server we started: its own PID (postmaster.pid), since runuser,
        // our child when we are root, does not pass SIGINT on
        process.kill(serverPid(data) ?? child.pid, "SIGINT");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The PID of the server running on `data` (the first line of its postmaster.pid), if any. */
function serverPid(data: string): number | null {
  try {
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
