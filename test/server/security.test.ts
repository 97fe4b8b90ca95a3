import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/server/app.js";
import { startServer } from "../../src/server/index.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SCENARIOS = join(ROOT, "scenarios");
const MAIN = join(ROOT, "dist/src/cli/main.js");
let work: string;
let web: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "bme-security-"));
  web = join(work, "web");
  mkdirSync(web, { recursive: true });
  writeFileSync(join(web, "index.html"), "<!doctype html><title>dash</title>");
});

const app = (extra: Record<string, unknown> = {}) =>
  createApp({ scenarioDir: SCENARIOS, webDir: web, ...extra });
const json = (body: unknown) => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});
const error = async (r: Response) => ((await r.json()) as { error: string }).error;

describe("prototype pollution through the API", () => {
  it("refuses __proto__ in set, leaves Object.prototype untouched, and keeps answering", async () => {
    const a = app();
    const r = await a.request("/api/validate", json({ yaml: "name: x", set: ["__proto__.x=1"] }));
    const body = (await r.json()) as { valid: boolean; issues: { message: string }[] };
    expect(body.valid).toBe(false);
    expect(body.issues[0]!.message).toContain("not allowed");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect((await a.request("/api/scenarios")).status).toBe(200);
    expect((await a.request("/api/info")).status).toBe(200);
  });
});

describe("Host and Origin", () => {
  it("answers loopback names and refuses any other Host with 421 (DNS rebinding)", async () => {
    for (const host of ["localhost:4173", "127.0.0.1:4173", "[::1]:4173"])
      expect((await app().request("/api/info", { headers: { host } })).status).toBe(200);
    const r = await app().request("/api/info", { headers: { host: "evil.example:4173" } });
    expect(r.status).toBe(421);
    expect(await error(r)).toContain("evil.example");
  });
  it("refuses a cross-site Origin on reads and writes with 403", async () => {
    const headers = { host: "127.0.0.1:4173", origin: "http://evil.example" };
    expect((await app().request("/api/file", { headers })).status).toBe(403);
    const post = await app().request("/api/validate", {
      method: "POST",
      body: "name: x",
      headers: { ...headers, "content-type": "application/yaml" },
    });
    expect(post.status).toBe(403);
    const same = { host: "127.0.0.1:4173", origin: "http://127.0.0.1:4173" };
    expect((await app().request("/api/scenarios", { headers: same })).status).toBe(200);
  });
});

describe("request bodies", () => {
  it("parses JSON only for application/json exactly; other types are 415", async () => {
    const r = await app().request("/api/validate", {
      method: "POST",
      body: JSON.stringify({ yaml: "name: x" }),
      headers: { "content-type": "application/x-json-whatever" },
    });
    expect(r.status).toBe(415);
    expect(await error(r)).toContain("application/json");
  });
  it("refuses a deeply nested body at once with 400, without a stack or a path", async () => {
    const r = await app().request("/api/validate", {
      method: "POST",
      body: "[".repeat(900_000),
      headers: { "content-type": "application/yaml" },
    });
    expect(r.status).toBe(400);
    const message = await error(r);
    expect(message).toBe("the body is nested deeper than 64 levels");
    const inner = await app().request("/api/validate", json({ yaml: "{a: ".repeat(200) }));
    expect(inner.status).toBe(400);
  });
  it("refuses a body over 1 MB with 413", async () => {
    const r = await app().request("/api/validate", {
      method: "POST",
      body: "x".repeat(1024 * 1024 + 1),
      headers: { "content-type": "application/yaml" },
    });
    expect(r.status).toBe(413);
  });
});

describe("files", () => {
  it("never reads a CSV outside the scenario's folder nor puts a file's contents in the answer", async () => {
    const dir = join(work, "scenario");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(work, "secret.csv"), "topsecret\n42\n");
    writeFileSync(join(dir, "bad.csv"), "jobs\nhunter2\n");
    const file = join(dir, "s.yaml");
    writeFileSync(
      file,
      "name: s\nconsumerSentiment: { csv: ../../../../../../etc/passwd, column: root }\n" +
        "governanceValue: { csv: ../secret.csv, column: topsecret }\n" +
        "consumers: [{ name: c, row: modelTraining, unitPrice: 1, unitsPerJob: 1, jobsPerDay: { csv: bad.csv, column: jobs } }]\n",
    );
    const r = await app({ scenarioFile: file }).request("/api/file");
    const text = await r.text();
    const body = JSON.parse(text) as { problems: string[]; file: string };
    expect(body.problems).toEqual([
      "consumers[0].jobsPerDay.csv: not a readable series column (line 2)",
      "consumerSentiment.csv: the CSV file must be inside the scenario's folder",
      "governanceValue.csv: the CSV file must be inside the scenario's folder",
    ]);
    expect(body.file).toBe("s.yaml");
    // nothing read from a file is echoed, and no absolute path is disclosed
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("root:x");
    expect(text).not.toContain(work);
  });
  it("/api/info names files without their folders", async () => {
    const r = await app({
      scenarioFile: join(work, "scenario", "s.yaml"),
      storePath: join(work, "r.duckdb"),
    }).request("/api/info");
    const info = (await r.json()) as { scenarioFile: string; store: string };
    expect([info.scenarioFile, info.store]).toEqual(["s.yaml", "r.duckdb"]);
  });
});

describe("the access token", () => {
  it("when given, every API call needs it (header, cookie from ?token=, or query); 401 without", async () => {
    const server = await startServer({
      port: 0,
      host: "127.0.0.1",
      token: "0123456789abcdef0123",
      scenarioDir: SCENARIOS,
      webDir: web,
    });
    try {
      expect((await fetch(`${server.url}api/info`)).status).toBe(401);
      const auth = { authorization: "Bearer 0123456789abcdef0123" };
      expect((await fetch(`${server.url}api/info`, { headers: auth })).status).toBe(200);
      const page = await fetch(`${server.url}?token=0123456789abcdef0123`);
      const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
      expect((await fetch(`${server.url}api/info`, { headers: { cookie } })).status).toBe(200);
      const wrong = { authorization: "Bearer 0123456789abcdef0124" };
      expect((await fetch(`${server.url}api/info`, { headers: wrong })).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

/** Start `bme serve …` and resolve with the first line of stdout that names the URL. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, "serve", ...args], { stdio: "pipe" });
  let out = "";
  let err = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no URL printed: ${out} ${err}`)), 20_000);
    child.stderr!.on("data", (d) => {
      err += String(d);
    });
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /bme dashboard: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done({ child, url: m[1]!, stderr: err });
      }
    });
  });
}

describe("bme serve --host beyond loopback", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid);
  });
  it("prints a warning and a generated token, and the API refuses calls without it", async () => {
    const { child, url, stderr } = await serve(["--host", "0.0.0.0", "--port", "0"]);
    children.push(child);
    expect(stderr).toContain("warning: --host 0.0.0.0");
    const token = new URL(url).searchParams.get("token");
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const port = new URL(url).port;
    const base = `http://127.0.0.1:${port}/`;
    expect((await fetch(`${base}api/info`)).status).toBe(401);
    const ok = await fetch(`${base}api/info`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
  });
});
