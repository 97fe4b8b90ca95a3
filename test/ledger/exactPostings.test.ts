import { afterAll, describe, expect, it } from "vitest";
import { exactSum } from "../../src/ledger/exactSum.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { cleanup, databases, EXAMPLE, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

/** Three days of odd-sized jobs, three suppliers per class, two validators: many fan-outs. */
async function history(url: string) {
  const scenario = {
    ...EXAMPLE,
    suppliers: [
      { name: "gpu", count: 0, phaseOneTarget: 3 },
      { name: "ann", count: 0 },
    ],
  };
  const { ledger, op } = await newLedger(url, scenario);
  const sup = [];
  for (const [i, k] of ["gpu", "gpu", "gpu", "ann", "ann"].entries())
    sup.push(
      op.as((await op.post("/v1/suppliers", { name: `s${i}`, supplierClass: k })).body.apiKey),
    );
  const vals = [];
  for (const n of ["v1", "v2"])
    vals.push(op.as((await op.post("/v1/validators", { name: n })).body.apiKey));
  const cons = [];
  for (const t of ["train", "pipe"])
    cons.push(op.as((await op.post("/v1/consumers", { name: t, consumerType: t })).body.apiKey));
  await op.post("/v1/market-inputs", { consumerSentiment: 1234.567 });
  const units = [3.3, 7.1, 0.7, 11.9, 2.2, 5.05];
  for (let day = 0; day < 3; day++) {
    for (const [i, u] of units.entries()) {
      const job = await cons[i % 2].post("/v1/jobs", {
        deadlineDay: day + 1,
        units: u,
        incentive: 0.13,
      });
      expect(job.status).toBe(201);
      for (const t of job.body.tasks) {
        const supplierKey = t.supplierId === null ? null : sup[t.supplierId - 1];
        if (!supplierKey) continue;
        await supplierKey.post(`/v1/tasks/${t.id}/bond`);
        await supplierKey.post(`/v1/tasks/${t.id}/complete`);
        await vals[t.id % 2].post(`/v1/tasks/${t.id}/validation`, { passed: t.id % 5 !== 0 });
      }
    }
    expect((await op.post("/v1/days/close", { day })).status).toBe(200);
  }
  const postings = await ledger.db
    .selectFrom("postings")
    .select(["txn_id", "currency", "amount"])
    .orderBy("id")
    .execute();
  const balances = await balancesOf(ledger.db);
  await ledger.close();
  return { postings, balances };
}

describe("postings are exact", () => {
  it("every transaction sums to exactly 0 per currency, so do all postings; both engines agree to the last bit", async () => {
    const [sqlite, postgres] = await databases();
    const a = await history(await sqlite.url());
    const b = await history(await postgres.url());
    for (const h of [a, b]) {
      const byTxn = new Map<string, number[]>();
      for (const p of h.postings) {
        const k = `${p.txn_id}:${p.currency}`;
        byTxn.set(k, [...(byTxn.get(k) ?? []), p.amount]);
      }
      expect(byTxn.size).toBeGreaterThan(50);
      for (const [k, amounts] of byTxn) expect(exactSum(amounts), k).toBe(0);
      // every posting ever, per currency: exactly 0 (each balance is its exact sum rounded once)
      for (const cur of ["tokens", "usd"])
        expect(exactSum(h.postings.filter((p) => p.currency === cur).map((p) => p.amount))).toBe(0);
    }
    expect(b.balances).toEqual(a.balances);
  }, 120_000);
});
