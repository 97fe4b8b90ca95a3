/**
 * The newcomer's server findings: /api/validate reads plain text bodies (`curl -d` sends
 * application/x-www-form-urlencoded), a pasted `extends` is followed inside the scenarios folder
 * only, unknown non-API paths are 404.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/server/app.js";

const SCENARIOS = resolve(import.meta.dirname, "../../scenarios");
let web: string;
beforeAll(() => {
  const work = mkdtempSync(join(tmpdir(), "bme-dashfix-"));
  web = join(work, "web");
  mkdirSync(join(web, "assets"), { recursive: true });
  writeFileSync(join(web, "index.html"), "<!doctype html><title>dash</title>");
  writeFileSync(join(web, "assets", "app.js"), "console.log(1)");
});
const app = () => createApp({ scenarioDir: SCENARIOS, webDir: web });
const post = (path: string, body: string, type?: string) =>
  app().request(path, {
    method: "POST",
    body,
    headers: type === undefined ? {} : { "content-type": type },
  });

const WHITEPAPER_90 = "extends: whitepaper.yaml\ndays: 90\n";

describe("POST /api/validate reads the scenario's text whatever text type it comes as", () => {
  for (const type of [
    "application/x-www-form-urlencoded", // curl -d
    "text/plain",
    "application/yaml",
    undefined, // no content type
  ])
    it(`${type ?? "no content type"}: valid, its 90 days`, async () => {
      const r = await post("/api/validate", WHITEPAPER_90, type);
      expect(r.status).toBe(200);
      const b = (await r.json()) as { valid: boolean; scenario: { days: number } };
      expect(b.valid).toBe(true);
      expect(b.scenario.days).toBe(90);
    });

  it("the JSON form sent without its content type is still the JSON form", async () => {
    const body = JSON.stringify({ yaml: WHITEPAPER_90, set: ["days=30"] });
    const b = (await (await post("/api/validate", body)).json()) as { scenario: { days: number } };
    expect(b.scenario.days).toBe(30);
  });

  it("another type is 415 naming what is accepted; an empty body 400", async () => {
    const r = await post("/api/validate", WHITEPAPER_90, "image/png");
    expect(r.status).toBe(415);
    const { error } = (await r.json()) as { error: string };
    expect(error).toContain("text/plain");
    expect(error).toContain("application/json");
    expect((await post("/api/validate", "  \n", "text/plain")).status).toBe(400);
  });
});

describe("a pasted scenario's extends", () => {
  it("names a shipped scenario relative to the scenarios folder, in a folder too", async () => {
    const r = await post(
      "/api/resolve",
      "extends: stress/jump-crash.yaml\ndays: 90\n",
      "text/plain",
    );
    expect(r.status).toBe(200);
    const { raw } = (await r.json()) as {
      raw: { name: string; days: number; stochastic: unknown };
    };
    expect(raw.name).toBe("stress-jump-crash"); // the base's name, its days overridden
    expect(raw.days).toBe(90);
    expect(raw.stochastic).toBeDefined();
  });

  for (const target of [
    "../package.json",
    "/etc/passwd",
    "../../etc/passwd",
    "data/demand-collapse.csv",
    "no-such.yaml",
    "stress/../../README.md",
  ])
    it(`refuses ${target}, saying why, never reading it`, async () => {
      const r = await post("/api/validate", `extends: ${target}\ndays: 90\n`, "text/plain");
      expect(r.status).toBe(400);
      const { error } = (await r.json()) as { error: string };
      expect(error).toContain("not a shipped scenario");
      expect(error).not.toContain(SCENARIOS); // no absolute path disclosed
    });
});

describe("paths outside the API", () => {
  it("/ is the page; a file of the built app is served; anything else is 404", async () => {
    expect((await app().request("/")).status).toBe(200);
    expect((await app().request("/assets/app.js")).status).toBe(200);
    for (const path of ["/no-such-page", "/settings/x", "/missing.js", "/../secret"])
      expect((await app().request(path)).status, path).toBe(404);
  });
});
