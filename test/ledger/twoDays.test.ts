import { afterAll, describe, expect, it } from "vitest";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { cleanup, databases, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 9);

/**
 * Two days worked out by hand (EXAMPLE: train = $100 → gpu; pipe = $200 → gpu 0.75 / ann 0.25;
 * f 0.2, BM 0.5, bond 0.1, 1 token per validation, phase one = day 0 with a 100-token budget,
 * supply 1000, reserve 1000).
 */
describe.each(await databases())("two days of a ledger ($name)", ({ url }) => {
  it("pays, bonds, refunds, prices and moves the reserves as computed by hand", async () => {
    const { ledger, op } = await newLedger(await url());
    const g1 = (await op.post("/v1/suppliers", { name: "g1", supplierClass: "gpu" })).body;
    const a1 = (await op.post("/v1/suppliers", { name: "a1", supplierClass: "ann" })).body;
    const v1 = (await op.post("/v1/validators", { name: "v1" })).body;
    const c1 = (await op.post("/v1/consumers", { name: "c1", consumerType: "train" })).body;
    const c2 = (await op.post("/v1/consumers", { name: "c2", consumerType: "pipe" })).body;
    const G1 = op.as(g1.apiKey);
    const A1 = op.as(a1.apiKey);
    const V1 = op.as(v1.apiKey);
    const C1 = op.as(c1.apiKey);
    const C2 = op.as(c2.apiKey);
    expect((await op.post("/v1/market-inputs", { consumerSentiment: 1000 })).status).toBe(200);

    // ---- day 0 (phase 1): one training job, validated
    const j1 = await C1.post("/v1/jobs", { deadlineDay: 1 });
    expect(j1.status).toBe(201);
    expect(j1.body.price).toBe(100);
    const t1 = j1.body.tasks[0];
    expect(t1.supplierId).toBe(g1.id);
    expect((await G1.post(`/v1/tasks/${t1.id}/bond`)).status).toBe(200);
    expect((await G1.post(`/v1/tasks/${t1.id}/complete`)).status).toBe(200);
    expect((await V1.post(`/v1/tasks/${t1.id}/validation`, { passed: true })).status).toBe(200);
    const d0 = (await op.post("/v1/days/close", { day: 0 })).body;
    // income 100: ops 20, pool 80, buyback 40, usdCapital 40; bond 10; demand 1000+10+40
    close(d0.income, 100);
    close(d0.opsRevenue, 20);
    close(d0.usdBuybackCapital, 40);
    close(d0.usdCapital, 40);
    close(d0.supplierBondUsd, 10);
    close(d0.demand, 1050);
    close(d0.priceOfToken, 1.05);
    close(d0.buybackTokens, 40 / 1.05);
    close(d0.phaseOneEmission, 100); // budget 0.1·1000 over 1 day, fill 1
    close(d0.validatorTokensPaid, 1);
    close(d0.supply, 1101);
    close(d0.tokenReserve, 899);
    close(d0.dollarReserve, 20);
    close(d0.stakedTokens, 100);
    expect(d0.phase).toBe(1);

    // ---- day 1 (phase 2): a new gpu supplier; a pipeline job and a training job
    const g2 = (await op.post("/v1/suppliers", { name: "g2", supplierClass: "gpu" })).body;
    const G2 = op.as(g2.apiKey);
    const j2 = await C2.post("/v1/jobs", { deadlineDay: 1 });
    const [t2, t3] = j2.body.tasks; // gpu 150, ann 50
    close(t2.price, 150);
    close(t3.price, 50);
    expect(t2.supplierId).toBe(g1.id); // E21: same reputation 1, g1 completed more
    expect(t3.supplierId).toBe(a1.id);
    const j3 = await C1.post("/v1/jobs", { deadlineDay: 1 });
    const t4 = j3.body.tasks[0];
    expect(t4.supplierId).toBe(g2.id); // g1 is at capacity
    await G1.post(`/v1/tasks/${t2.id}/bond`);
    await G1.post(`/v1/tasks/${t2.id}/complete`);
    await G2.post(`/v1/tasks/${t4.id}/bond`);
    await G2.post(`/v1/tasks/${t4.id}/complete`);
    await A1.post(`/v1/tasks/${t3.id}/bond`);
    await A1.post(`/v1/tasks/${t3.id}/complete`);
    await V1.post(`/v1/tasks/${t4.id}/validation`, { passed: true });
    await V1.post(`/v1/tasks/${t2.id}/validation`, { passed: false }); // re-queued → g2, never bonded
    expect(
      (await G2.get("/v1/suppliers/me/tasks")).body.map((x: { taskId: number }) => x.taskId),
    ).toEqual([t2.id]);
    await V1.post(`/v1/tasks/${t3.id}/validation`, { passed: true });
    const d1 = (await op.post("/v1/days/close", { day: 1 })).body;

    // by hand: income 300; fee = 0.1·(100+300)/(2+3) = 8; bonds 0.1·(150+100+50) = 30
    const P = (1000 + 8 + 30 + 120) / 1101;
    const p2 = 900 * (1 - Math.exp(-(150 / P / 10) / 900)); // A = P2M = 0.9·1000
    expect(d1.phase).toBe(2);
    close(d1.income, 300);
    close(d1.onboardingUsd, 8);
    close(d1.supplierBondUsd, 30);
    close(d1.demand, 1158);
    close(d1.priceOfToken, P);
    close(d1.buybackTokens, 120 / P);
    close(d1.onboardingTokens, 8 / P);
    close(d1.jobReward, 150 / P / 10);
    close(d1.phaseTwoEmission, p2);
    close(d1.validatorTokensPaid, 2); // shares 1 + 0.75 + 0.25
    // refund of t2 (150) cut to the cash there is: 20 + ops 60 + escrow back 0.4·150 = 140
    close(d1.ledger.refundedUsd, 140);
    close(d1.ledger.refundShortfallUsd, 10);
    close(d1.ledger.bondTokensLost, 15 / P);
    close(d1.dollarReserve, 0);
    const released = 60 / P; // earmarks of t4 (0.4·100/P) and t3 (0.4·50/P)
    close(d1.supply, 1101 + 2 + p2 - 8 / P + (released - 120 / P - 15 / P));
    close(d1.tokenReserve, 899 + 8 / P - 2 - p2 + (120 / P - released + 15 / P));
    close(d1.stakedTokens, 0);

    // statements, each figure by hand
    const s1 = (await G1.get(`/v1/statements/suppliers/${g1.id}`)).body;
    close(s1.totals.usdEarned, 40);
    close(s1.totals.tokensEarned, 40 / 1.05 + 100); // task tokens + released stake
    close(s1.totals.bondTokensReturned, 10 / 1.05);
    close(s1.totals.bondTokensLost, 15 / P);
    close(s1.totals.bondUsdPaid, 25);
    close(s1.totals.phaseOneStake, 100);
    expect(s1.totals.tasksFailed).toBe(1);
    close(s1.supplier.reputation, 0.5);
    const s2 = (await G2.get(`/v1/statements/suppliers/${g2.id}`)).body;
    close(s2.totals.usdEarned, 40);
    close(s2.totals.tokensEarned, 40 / P + (p2 * 100) / 150);
    close(s2.totals.onboardingFeeUsd, 8);
    expect(s2.totals.tasksExpired).toBe(1);
    const sa = (await A1.get(`/v1/statements/suppliers/${a1.id}`)).body;
    close(sa.totals.tokensEarned, 20 / P + (p2 * 50) / 150);
    const sc2 = (await C2.get(`/v1/statements/consumers/${c2.id}`)).body;
    close(sc2.totals.usdPaid, 200);
    close(sc2.totals.usdRefunded, 140);
    const sv = (await V1.get(`/v1/statements/validators/${v1.id}`)).body;
    close(sv.totals.tokensEarned, 3);

    // every balance is the sum of its postings, and the cache agrees
    const fromPostings = await balancesOf(ledger.db);
    const cache = await ledger.db.selectFrom("balances").selectAll().execute();
    for (const b of fromPostings) {
      const c = cache.find((x) => x.account === b.account && x.currency === b.currency);
      expect(c?.amount ?? 0).toBeCloseTo(b.amount, 9);
    }
    const tokenSum = fromPostings
      .filter((b) => b.currency === "tokens")
      .reduce((a, b) => a + b.amount, 0);
    expect(tokenSum).toBeCloseTo(0, 9);
    await ledger.close();
  });
});
