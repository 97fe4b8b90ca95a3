import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import { WHITEPAPER } from "../helpers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "dist/src/cli/main.js");

function writer(store: string): Promise<{ code: number | null; err: string }> {
  const child = spawn(
    process.execPath,
    [MAIN, "montecarlo", WHITEPAPER, "--runs", "20", "--days", "20", "--workers", "1"].concat([
      "--store",
      store,
      "--quiet",
    ]),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (d) => {
    err += String(d);
  });
  return new Promise((done) => child.on("exit", (code) => done({ code, err })));
}

describe("a dashboard polling the store", () => {
  it("never makes a CLI writer fail; while a writer runs it answers 503, never 500", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-poll-"));
    const web = join(dir, "web");
    mkdirSync(web);
    writeFileSync(join(web, "index.html"), "<!doctype html>");
    const store = join(dir, "r.duckdb");
    expect((await writer(store)).code).toBe(0); // the store exists before the dashboard polls
    const server = await startServer({
      port: 0,
      host: "127.0.0.1",
      storePath: store,
      scenarioDir: join(ROOT, "scenarios"),
      webDir: web,
    });
    const statuses = new Set<number>();
    let polling = true;
    const poll = (async () => {
      for (let i = 0; polling && i < 10_000; i++) {
        const r = await fetch(`${server.url}api/experiments`);
        statuses.add(r.status);
        await r.arrayBuffer();
      }
    })();
    try {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await writer(store));
      expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
      expect(results.map((r) => r.err)).toEqual(["", "", "", ""]);
    } finally {
      polling = false;
      await poll;
      await server.close();
    }
    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const list = (await (
      await startServer({ port: 0, storePath: store, scenarioDir: ROOT, webDir: web }).then(
        async (s) => {
          const r = await fetch(`${s.url}api/experiments`);
          await s.close();
          return r;
        },
      )
    ).json()) as unknown[];
    expect(list).toHaveLength(5);
  }, 180_000);
});
