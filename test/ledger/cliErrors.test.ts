import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE } from "./helpers.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "bme-ledger-cli-"));
const scenario = join(dir, "s.json");
writeFileSync(scenario, JSON.stringify(EXAMPLE));

function bme(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, BME_DEBUG: "" },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** No stack trace: no "    at " frame line, no "(an unexpected error" fallback. */
function readable(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/unexpected error/);
}

let blocker: Server | null = null;
afterAll(() => {
  blocker?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("bme ledger: database and port errors are messages, not stacks", () => {
  it("serve, keys and export-scenario refuse a missing database and create none", () => {
    for (const args of [
      ["ledger", "serve", "--db", "missing.db", "--port", "0"],
      ["ledger", "keys", "--db", "nope.db", "--role", "operator", "--name", "x"],
      [
        "ledger",
        "export-scenario",
        "--db",
        "gone.db",
        "--from",
        "0",
        "--to",
        "0",
        "--out",
        "x.yaml",
      ],
    ]) {
      const r = bme(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/no ledger at \S+\.db; create one with bme ledger init/);
      readable(r.stderr);
      expect(existsSync(join(dir, args[3]))).toBe(false);
    }
  });

  it("init in a folder that does not exist names the folder", () => {
    const r = bme("ledger", "init", "--scenario", scenario, "--db", "./no/such/dir/l.db");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(dir, "no", "such", "dir"));
    expect(r.stderr).toMatch(/does not exist/);
    readable(r.stderr);
  });

  it("an unreachable PostgreSQL server: could not connect, its host named, the password masked", () => {
    // port 1 on loopback: nothing listens there (privileged, and never a PostgreSQL port)
    const r = bme(
      "ledger",
      "keys",
      "--db",
      "postgres://bob:s3cr3t@127.0.0.1:1/x",
      "--role",
      "operator",
      "--name",
      "x",
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /could not connect to PostgreSQL at postgres:\/\/bob:\*\*\*@127\.0\.0\.1:1\/x/,
    );
    expect(r.stderr).not.toContain("s3cr3t");
    readable(r.stderr);
  });

  it("serve on a port in use says so and exits non-zero", async () => {
    const init = bme("ledger", "init", "--scenario", scenario, "--db", "l.db");
    expect(init.status).toBe(0);
    blocker = createServer();
    const port = await new Promise<number>((ok) =>
      blocker!.listen(0, "127.0.0.1", () => ok((blocker!.address() as { port: number }).port)),
    );
    const r = bme("ledger", "serve", "--db", "l.db", "--port", String(port));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`port ${port} is in use`);
    readable(r.stderr);
  });
});
