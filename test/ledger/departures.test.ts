import { afterAll, describe, expect, it } from "vitest";
import { ledgerApi } from "../../src/ledger/api.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { exportScenario } from "../../src/ledger/twin.js";
import { Client, cleanup, databases, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 9);

/**
 * EXAMPLE (train = $100 → gpu; f 0.2, BM 0.5, bond 0.1, phase one = day 0 with a 100-token budget
 * and a gpu target of 1, supply 1000). g1 takes three training jobs, completes one, bonds a second,
 * and leaves on day 0.
 */
describe.each(await databases())("a supplier's departure ($name)", ({ url }) => {
  it("re-queues its unfinished work, forfeits those bonds, keeps its completed work, and leaves the counts", async () => {
    const db = await url();
    const { ledger, op } = await newLedger(db);
    const sup = async (name: string, capacity: number) =>
      (await op.post("/v1/suppliers", { name, supplierClass: "gpu", capacity })).body;
    const g1 = await sup("g1", 2);
    const g2 = await sup("g2", 1);
    const v1 = (await op.post("/v1/validators", { name: "v1" })).body;
    const c1 = (await op.post("/v1/consumers", { name: "c1", consumerType: "train" })).body;
    const G1 = op.as(g1.apiKey);
    const G2 = op.as(g2.apiKey);
    const V1 = op.as(v1.apiKey);
    const C1 = op.as(c1.apiKey);
    await op.post("/v1/market-inputs", { consumerSentiment: 1000 });

    const job = async () => (await C1.post("/v1/jobs", { deadlineDay: 1 })).body.tasks[0];
    const a = await job(); // ties (E20, E21) go to the lower id: g1
    expect(a.supplierId).toBe(g1.id);
    await G1.post(`/v1/tasks/${a.id}/bond`);
    await G1.post(`/v1/tasks/${a.id}/complete`);
    const b = await job();
    expect(b.supplierId).toBe(g1.id);
    await G1.post(`/v1/tasks/${b.id}/bond`);
    const cTask = await job();
    expect(cTask.supplierId).toBe(g1.id); // g1 busy 1 of 2

    // another supplier may not record g1's departure; g1 may
    expect((await G2.post(`/v1/suppliers/${g1.id}/departure`, {})).status).toBe(403);
    const left = await G1.post(`/v1/suppliers/${g1.id}/departure`, { reason: "closing the site" });
    expect(left.status).toBe(200);
    expect(left.body.day).toBe(0);
    // b (bonded) and c re-queued; b goes to g2 (capacity 1), c waits; a awaits its validation
    expect(left.body.requeued).toEqual([
      { taskId: b.id, bondForfeited: true, supplierId: g2.id },
      { taskId: cTask.id, bondForfeited: false, supplierId: null },
    ]);
    expect(left.body.awaitingValidation).toEqual([a.id]);
    expect((await G1.post(`/v1/suppliers/${g1.id}/departure`, {})).status).toBe(409);
    expect((await G1.post(`/v1/tasks/${cTask.id}/bond`)).status).toBe(403);
    // new work never goes to g1
    expect((await op.post("/v1/suppliers", { name: "x", supplierClass: "ann" })).status).toBe(201);

    // g1's completed work is still validated and paid; g2 does b
    expect((await V1.post(`/v1/tasks/${a.id}/validation`, { passed: true })).status).toBe(200);
    await G2.post(`/v1/tasks/${b.id}/bond`);
    await G2.post(`/v1/tasks/${b.id}/complete`);
    expect((await V1.post(`/v1/tasks/${b.id}/validation`, { passed: true })).status).toBe(200);

    const d0 = (await op.post("/v1/days/close", { day: 0 })).body;
    // income 300; buyback capital 0.5·0.8·300 = 120; bonds accepted today a, b (g1), b (g2):
    // 0.1·300 = 30; demand 1000 + 30 + 120 = 1150 on supply 1000: price 1.15
    close(d0.income, 300);
    close(d0.supplierBondUsd, 30);
    close(d0.priceOfToken, 1.15);
    expect(d0["suppliers.gpu"]).toBe(1); // g1 left on day 0: only g2 is active
    expect(d0.ledger.abandonedTasks).toBe(2); // b and c: two assignments abandoned, one bond lost
    expect(d0.ledger.validatedTasks).toBe(2);
    expect(d0.ledger.failedTasks).toBe(0);
    close(d0.ledger.bondTokensLost, 10 / 1.15);
    close(d0.phaseOneEmission, 100); // fill min(1, 1)/1

    const s1 = (await op.get(`/v1/statements/suppliers/${g1.id}`)).body;
    expect(s1.supplier.departure).toEqual({ day: 0, reason: "closing the site" });
    expect(s1.totals.tasksValidated).toBe(1);
    expect(s1.totals.tasksAbandoned).toBe(2);
    close(s1.totals.bondTokensPosted, 20 / 1.15);
    close(s1.totals.bondTokensReturned, 10 / 1.15);
    close(s1.totals.bondTokensLost, 10 / 1.15);
    close(s1.totals.usdEarned, 0.5 * 0.8 * 100);
    close(s1.totals.phaseOneStake, 0); // the one gpu slot is g2's
    const s2 = (await op.get(`/v1/statements/suppliers/${g2.id}`)).body;
    close(s2.totals.phaseOneStake, 100);
    expect(s2.supplier.departure).toBeNull();

    // c went to g2 once b was done; never completed, it expires at its deadline (day 1), refunded
    const d1 = (await op.post("/v1/days/close", { day: 1 })).body;
    expect(d1["suppliers.gpu"]).toBe(1);
    expect(d1.ledger.expiredTasks).toBe(1);
    close(d1.ledger.refundedUsd + d1.ledger.refundShortfallUsd, 100);
    const { scenario } = await exportScenario(ledger, 0, 1);
    // biome-ignore lint/suspicious/noExplicitAny: the exported scenario's plain object
    const gpu = (scenario as any).suppliers.find((k: { name: string }) => k.name === "gpu");
    expect(gpu.count.values).toEqual([1, 1]);

    // every balance is the sum of its postings; tokens are conserved (I1)
    const balances = await balancesOf(ledger.db);
    const cache = await ledger.db.selectFrom("balances").selectAll().execute();
    for (const b of balances) {
      const c = cache.find((x) => x.account === b.account && x.currency === b.currency);
      expect(c?.amount ?? 0).toBeCloseTo(b.amount, 9);
    }
    expect(
      balances.filter((x) => x.currency === "tokens").reduce((s, x) => s + x.amount, 0),
    ).toBeCloseTo(0, 9);
    await ledger.close();

    // after a restart the departed supplier still gets no work (g2 free, g1 would win the tie)
    const reopened = await Ledger.open(db);
    try {
      const C = new Client(ledgerApi(reopened), c1.apiKey);
      expect((await C.post("/v1/jobs", { deadlineDay: 2 })).body.tasks[0].supplierId).toBe(g2.id);
    } finally {
      await reopened.close();
    }
  });
});
