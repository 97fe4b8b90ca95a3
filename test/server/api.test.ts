import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { BODY_LIMIT, createApp } from "../../src/server/app.js";
import { startServer } from "../../src/server/index.js";

const SCENARIOS = resolve(import.meta.dirname, "../../scenarios");
let web: string;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "bme-server-"));
  web = join(work, "web");
  mkdirSync(join(web, "assets"), { recursive: true });
  writeFileSync(join(web, "index.html"), "<!doctype html><title>dash</title>");
  writeFileSync(join(web, "assets", "app.js"), "console.log(1)");
  writeFileSync(join(work, "secret.txt"), "do not serve");
});

const app = (extra: { scenarioFile?: string; storePath?: string } = {}) =>
  createApp({ scenarioDir: SCENARIOS, webDir: web, ...extra });

const validate = (body: string, type = "application/json") =>
  app().request("/api/validate", { method: "POST", body, headers: { "content-type": type } });

describe("GET /api/scenarios", () => {
  it("lists the shipped scenarios, whitepaper among them, with its 180 days", async () => {
    const r = await app().request("/api/scenarios");
    expect(r.status).toBe(200);
    const list = (await r.json()) as { name: string; days: number }[];
    expect(list.find((s) => s.name === "whitepaper")?.days).toBe(180);
  });

  it("serves one scenario's text and raw object", async () => {
    const r = await app().request("/api/scenarios/whitepaper");
    const body = (await r.json()) as { yaml: string; raw: { days: number; consumers: unknown[] } };
    expect(body.yaml).toContain("name: whitepaper");
    expect(body.raw.days).toBe(180);
    expect(body.raw.consumers).toHaveLength(4);
  });

  it("refuses unknown names and paths with 404, never reading outside the folder", async () => {
    for (const name of ["nope", "..%2Fpackage", "..%2F..%2Fetc%2Fpasswd"]) {
      const r = await app().request(`/api/scenarios/${name}`);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: string }).error).toContain("no shipped scenario");
    }
  });
});

describe("POST /api/validate", () => {
  it("returns the schema's issue, with its path, for an out-of-range value", async () => {
    const r = await validate(
      JSON.stringify({ yaml: "name: x\ndays: 10", set: ["onchain.buybackModulation=1.5"] }),
    );
    expect(r.status).toBe(200);
    const body = (await r.json()) as { valid: boolean; issues: { path: string }[] };
    expect(body.valid).toBe(false);
    expect(body.issues.map((i) => i.path)).toContain("onchain.buybackModulation");
  });

  it("accepts the YAML text itself as the body", async () => {
    const yaml = (await (await app().request("/api/scenarios/whitepaper")).json()) as {
      yaml: string;
    };
    const r = await validate(yaml.yaml, "application/yaml");
    const body = (await r.json()) as { valid: boolean; scenario: { days: number } };
    expect(body.valid).toBe(true);
    expect(body.scenario.days).toBe(180);
  });

  it("refuses malformed JSON with 400 and a readable message", async () => {
    const r = await validate("{bad");
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/not valid JSON/);
  });

  it("refuses a JSON body without a yaml field with 400", async () => {
    const r = await validate(JSON.stringify({ scenario: 1 }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toContain('"yaml"');
  });

  it("refuses YAML that does not parse with 400", async () => {
    const r = await validate("days: [1, 2", "text/plain");
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/not valid YAML/);
  });

  it("refuses a body over 1 MB with 413", async () => {
    const r = await validate("a".repeat(BODY_LIMIT + 1), "text/plain");
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toContain("too large");
  });
});

describe("GET /api/file", () => {
  it("is 404 when no file was given on the command line", async () => {
    expect((await app().request("/api/file")).status).toBe(404);
  });

  it("serves the command line's file, with a CSV series inlined as its values", async () => {
    writeFileSync(join(work, "demand.csv"), "day,jobs\n0,5\n1,7\n");
    const file = join(work, "mine.yaml");
    writeFileSync(
      file,
      "name: mine\ndays: 2\nconsumers:\n  - name: c\n    jobsPerDay: { csv: demand.csv, column: jobs }\n",
    );
    const r = await app({ scenarioFile: file }).request("/api/file");
    const body = (await r.json()) as { raw: { consumers: { jobsPerDay: unknown }[] } };
    expect(body.raw.consumers[0].jobsPerDay).toEqual({ values: [5, 7] });
  });
});

describe("experiments", () => {
  it("says how to give a store when none was given (503, readable)", async () => {
    const r = await app().request("/api/experiments");
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toContain("--store");
  });

  it("says so when the store file does not exist", async () => {
    const r = await app({ storePath: join(work, "none.duckdb") }).request("/api/experiments");
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toContain("no results store none.duckdb");
  });
});

describe("static files", () => {
  it("serves the app and its assets", async () => {
    expect(await (await app().request("/")).text()).toContain("<title>dash</title>");
    const js = await app().request("/assets/app.js");
    expect(js.headers.get("content-type")).toContain("javascript");
  });

  it("never serves a file outside the web folder", async () => {
    for (const path of ["/../secret.txt", "/..%2Fsecret.txt", "/%2e%2e/secret.txt"]) {
      const r = await app().request(path);
      expect(await r.text()).not.toContain("do not serve");
    }
  });

  it("answers an unknown API route with 404 JSON", async () => {
    const r = await app().request("/api/nothing");
    expect(r.status).toBe(404);
  });
});

describe("startServer", () => {
  it("binds 127.0.0.1 by default on a free port and answers", async () => {
    const server = await startServer({ port: 0, scenarioDir: SCENARIOS, webDir: web });
    try {
      expect(server.host).toBe("127.0.0.1");
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const r = await fetch(`${server.url}api/scenarios`);
      expect(r.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("bme serve", () => {
  let stderr: string;
  const write = process.stderr.write.bind(process.stderr);
  beforeAll(() => {
    stderr = "";
    process.stderr.write = ((s: string) => {
      stderr += s;
      return true;
    }) as typeof process.stderr.write;
  });
  afterAll(() => {
    process.stderr.write = write;
    process.exitCode = 0;
  });

  it("exits 2 with a message for a scenario file that does not exist", async () => {
    expect(await main(["serve", join(work, "missing.yaml")])).toBe(2);
    expect(stderr).toContain("no such scenario file");
  });

  it("exits 2 for a port out of range", async () => {
    expect(await main(["serve", "--port", "70000"])).toBe(2);
    expect(stderr).toContain("--port");
  });
});
