import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXED_COLUMNS } from "../../src/engine/columns.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { exportScenario } from "../../src/ledger/twin.js";
import { simulate } from "../../src/simulate.js";
import { cleanup, EXAMPLE, newLedger } from "./helpers.js";
import { sqliteUrl } from "./urls.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;

const relClose = (a: number, b: number, scale: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(b), scale, 1e-300);

/** A history that fits the aggregate model: every task bonded, completed and validated on its day. */
const TWIN = {
  ...EXAMPLE,
  name: "twin",
  phaseOne: { phaseOneDays: 2, fracPhaseOneTokens: 0.95 },
  onchain: { ...EXAMPLE.onchain, lowerTokenReserveLimit: 0.3, tokenReserveRestoreLevel: 0.5 },
  suppliers: [
    { name: "gpu", count: 0, phaseOneTarget: 2 },
    { name: "ann", count: 0, phaseOneTarget: 1 },
  ],
};

describe("the digital twin (export-scenario)", () => {
  it("bme run on the exported scenario reproduces the ledger's daily table to 1e-9", async () => {
    const db = await sqliteUrl();
    const { ledger, op } = await newLedger(db, TWIN);
    const v = op.as((await op.post("/v1/validators", { name: "v" })).body.apiKey);
    const gov = op.as((await op.post("/v1/keys", { role: "governance", name: "dao" })).body.apiKey);
    const keys: Record<number, string> = {};
    const joinSupplier = async (cls: string) => {
      const s = (await op.post("/v1/suppliers", { name: cls, supplierClass: cls, capacity: 100 }))
        .body;
      keys[s.id] = s.apiKey;
    };
    const train = op.as(
      (await op.post("/v1/consumers", { name: "t", consumerType: "train" })).body.apiKey,
    );
    const pipe = op.as(
      (await op.post("/v1/consumers", { name: "p", consumerType: "pipe" })).body.apiKey,
    );
    const plan = [
      {
        joins: ["gpu", "ann"],
        sentiment: 1000,
        jobs: [
          [train, {}],
          [pipe, {}],
        ],
      },
      {
        joins: ["gpu"],
        jobs: [
          [train, { units: 12 }],
          [train, {}],
          [pipe, { incentive: 0.2 }],
        ],
      },
      {
        joins: ["ann"],
        sentiment: 1500,
        jobs: [
          [pipe, {}],
          [pipe, {}],
        ],
      },
      {
        joins: ["gpu", "gpu"],
        vote: { buybackModulation: 0.8, bondModulation: 0.2 },
        jobs: [[train, {}]],
      },
      {
        joins: [],
        jobs: [
          [train, { units: 12 }],
          [pipe, { incentive: 0.2 }],
          [train, {}],
        ],
      },
      { joins: [], jobs: [] },
    ] as const;
    for (let day = 0; day < plan.length; day++) {
      const p = plan[day];
      for (const cls of p.joins) await joinSupplier(cls);
      if ("sentiment" in p)
        await op.post("/v1/market-inputs", { consumerSentiment: p.sentiment, governanceValue: 10 });
      if ("vote" in p) expect((await gov.post("/v1/votes", { set: p.vote })).status).toBe(201);
      for (const [client, extra] of p.jobs) {
        const job = await client.post("/v1/jobs", { deadlineDay: day + 3, ...extra });
        expect(job.status).toBe(201);
        for (const task of job.body.tasks) {
          const s = op.as(keys[task.supplierId]);
          expect((await s.post(`/v1/tasks/${task.id}/bond`)).status).toBe(200);
          expect((await s.post(`/v1/tasks/${task.id}/complete`)).status).toBe(200);
          expect((await v.post(`/v1/tasks/${task.id}/validation`, { passed: true })).status).toBe(
            200,
          );
        }
      }
      expect((await op.post("/v1/days/close", { day })).status).toBe(200);
    }
    const table = (await op.get("/v1/days")).body as Record<string, number>[];
    expect(table.some((r) => r.reserveBuybackTokens > 0)).toBe(true); // E16 happened
    expect(table.some((r) => r.onboardingTokens > 0)).toBe(true); // E8 happened
    const { scenario } = await exportScenario(ledger, 0, plan.length - 1);
    // the same through the command line: export-scenario, then bme run on the file
    const dir = dirname(db);
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
    const exported = cli([
      "ledger",
      "export-scenario",
      "--db",
      db,
      "--from",
      "0",
      "--to",
      "5",
      "--out",
      join(dir, "twin.yaml"),
    ]);
    expect(exported.status, exported.stderr).toBe(0);
    const ran = cli(["run", join(dir, "twin.yaml"), "--out", join(dir, "twin.csv"), "--quiet"]);
    expect(ran.status, ran.stderr).toBe(0);
    const csv = readFileSync(join(dir, "twin.csv"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    const header = csv[0].split(",");
    csv.slice(1).forEach((line, t) => {
      const price = Number(line.split(",")[header.indexOf("priceOfToken")]);
      expect(relClose(price, table[t].priceOfToken, 0)).toBe(true);
    });
    const run = simulate(scenario as never);
    expect(run.error).toBeNull();
    const col = (name: string) => run.values[run.columns.indexOf(name)];
    for (const name of FIXED_COLUMNS) {
      const scale = Math.max(...table.map((r) => Math.abs(r[name])));
      table.forEach((r, t) => {
        if (!relClose(col(name)[t], r[name], scale))
          throw new Error(`day ${t} ${name}: bme run ${col(name)[t]}, ledger ${r[name]}`);
      });
    }
    for (const k of ["gpu", "ann"])
      table.forEach((r, t) => {
        expect(col(`suppliers.${k}`)[t]).toBe(r[`suppliers.${k}`]);
        expect(relClose(col(`usdDemandForService.${k}`)[t], r[`usdDemandForService.${k}`], 1)).toBe(
          true,
        );
      });
    // jobs per consumer type = the sum of its exported variants
    for (const type of ["train", "pipe"])
      table.forEach((r, t) => {
        const sum = run.columns
          .filter((c) => c === `jobCreated.${type}` || c.startsWith(`jobCreated.${type}-v`))
          .reduce((a, c) => a + col(c)[t], 0);
        expect(sum).toBe(r[`jobCreated.${type}`]);
      });
    await ledger.close();
  });
});
