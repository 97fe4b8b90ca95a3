import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportScenario } from "../../src/ledger/twin.js";
import { cleanup, newLedger } from "./helpers.js";
import { sqliteUrl } from "./urls.js";

afterAll(cleanup);
const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;

describe("export-scenario's warnings", () => {
  it("names failed, expired and late tasks; a partial export says stakes are not carried; --from defaults to 0", async () => {
    const db = await sqliteUrl();
    const { ledger, op } = await newLedger(db);
    const c = op.as(
      (await op.post("/v1/consumers", { name: "c", consumerType: "train" })).body.apiKey,
    );
    const g = op.as(
      (await op.post("/v1/suppliers", { name: "g", supplierClass: "gpu" })).body.apiKey,
    );
    const v = op.as((await op.post("/v1/validators", { name: "v" })).body.apiKey);
    await op.post("/v1/market-inputs", { consumerSentiment: 1000 });
    // day 0: one task bonded, completed, validated that day (fits); day 1: one task fails its
    // validation and is then left until it expires at the close of its deadline day 2
    const fit = (await c.post("/v1/jobs", { deadlineDay: 0 })).body.tasks[0].id;
    await g.post(`/v1/tasks/${fit}/bond`);
    await g.post(`/v1/tasks/${fit}/complete`);
    await v.post(`/v1/tasks/${fit}/validation`, { passed: true });
    expect((await op.post("/v1/days/close", { day: 0 })).status).toBe(200);
    expect((await exportScenario(ledger, 0, 0)).warnings).toEqual([]);
    const bad = (await c.post("/v1/jobs", { deadlineDay: 2 })).body.tasks[0].id;
    await g.post(`/v1/tasks/${bad}/bond`);
    await g.post(`/v1/tasks/${bad}/complete`);
    expect((await v.post(`/v1/tasks/${bad}/validation`, { passed: false })).status).toBe(200);
    for (const day of [1, 2]) expect((await op.post("/v1/days/close", { day })).status).toBe(200);
    const whole = (await exportScenario(ledger, 0, 2)).warnings;
    expect(whole).toHaveLength(1);
    // one failed (day 1), one expired (day 2), one task of day 1 not validated on day 1
    expect(whole[0]).toContain(
      "tasks 1 failed, 1 expired, 1 not validated on their submission day (days 1, 2)",
    );
    const partial = (await exportScenario(ledger, 1, 2)).warnings;
    expect(partial[0]).toContain("staked tokens are not carried");
    await ledger.close();
    const out = join(dirname(db), "twin.yaml");
    const r = spawnSync(
      process.execPath,
      [CLI, "ledger", "export-scenario", "--db", db, "--to", "0", "--out", out],
      {
        encoding: "utf8",
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(readFileSync(out, "utf8")).toContain("days: 1\n");
  });
});
