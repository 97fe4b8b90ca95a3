import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, newLedger } from "./helpers.js";
import { sqliteUrl } from "./urls.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const GUIDE = new URL("../../docs/ledger.md", import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the operator's guide (docs/ledger.md)", () => {
  it("its digital-twin commands run: export, then the what-if compare as written", async () => {
    const db = await sqliteUrl();
    const { ledger, op } = await newLedger(db);
    const c = op.as(
      (await op.post("/v1/consumers", { name: "c", consumerType: "train" })).body.apiKey,
    );
    await op.post("/v1/suppliers", { name: "g", supplierClass: "gpu" });
    await op.post("/v1/market-inputs", { consumerSentiment: 1000 });
    for (let day = 0; day < 2; day++) {
      await c.post("/v1/jobs", { deadlineDay: day + 3 });
      expect((await op.post("/v1/days/close", { day })).status).toBe(200);
    }
    await ledger.close();
    const dir = mkdtempSync(join(tmpdir(), "bme-guide-"));
    dirs.push(dir);
    // the block of the guide's twin section, commands run in order with bme = our CLI
    const text = readFileSync(GUIDE, "utf8");
    const block = text
      .slice(text.indexOf("## The digital twin"))
      .split("```sh\n")[1]
      .split("```")[0];
    const lines = block
      .trim()
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, ""));
    expect(lines.some((l) => l.startsWith("bme compare"))).toBe(true);
    for (const line of lines) {
      const cmd = line
        .replace("--db ./ledger.db", `--db ${db}`)
        .replace("--to 29", "--to 1")
        .replace(/^bme compare (.*)$/, "bme compare $1 --runs 2 --no-store --quiet")
        .replace(/^bme /, `${process.execPath} ${CLI} `);
      const r = spawnSync("sh", ["-c", cmd], { cwd: dir, encoding: "utf8" });
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    }
    expect(readFileSync(join(dir, "what-if.yaml"), "utf8")).toContain("extends: last-month.yaml");
  });
});
