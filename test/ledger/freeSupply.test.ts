import { afterAll, describe, expect, it } from "vitest";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { cleanup, databases, EXAMPLE, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 9);

/**
 * Bonds that want more than the free circulating supply (docs/ledger.md, "Bonds and buybacks
 * take only free tokens"). EXAMPLE's token amounts (supply 1000 in `market`, reserve 1000) and
 * split (f 0.2, BM 0.5), phase 2 from day 0 (no phase-one stake), and bondModulation 1 so a
 * task of $100 bonds $100: train = 10 units × $10 = $100, all to gpu.
 */
const BONDED = {
  ...EXAMPLE,
  name: "bonded",
  phaseOne: { phaseOneDays: 0, fracPhaseOneTokens: 0 },
  onchain: { ...EXAMPLE.onchain, bondModulation: 1 },
};

describe.each(await databases())("bonds beyond the free supply ($name)", ({ url }) => {
  it("cuts the day's bonds and buyback to the free tokens; returns and losses move what was posted", async () => {
    const { ledger, op } = await newLedger(await url(), BONDED);
    const g1 = (await op.post("/v1/suppliers", { name: "g1", supplierClass: "gpu", capacity: 4 }))
      .body;
    const G1 = op.as(g1.apiKey);
    const V1 = op.as((await op.post("/v1/validators", { name: "v1" })).body.apiKey);
    const C1 = op.as(
      (await op.post("/v1/consumers", { name: "c1", consumerType: "train" })).body.apiKey,
    );
    const market = async () =>
      (await balancesOf(ledger.db)).find((b) => b.account === "market" && b.currency === "tokens")
        ?.amount ?? 0;

    // ---- day 0: sentiment 60, one task of $100 bonded, not yet validated
    await op.post("/v1/market-inputs", { consumerSentiment: 60 });
    const t1 = (await C1.post("/v1/jobs", { deadlineDay: 5 })).body.tasks[0];
    expect((await G1.post(`/v1/tasks/${t1.id}/bond`)).status).toBe(200);
    const d0 = (await op.post("/v1/days/close", { day: 0 })).body;
    // income 100: ops 20, buyback capital 0.5·80 = 40; bond $100; demand 60 + 100 + 40 = 200
    // price 200 / 1000 = 0.2; bonds want 100 / 0.2 = 500 of 1000 free: posted whole
    // buyback 40 / 0.2 = 200 of the 500 left: whole; market 1000 − 500 − 200 = 300
    close(d0.priceOfToken, 0.2);
    close(d0.ledger.bondTokensPosted, 500);
    close(d0.buybackTokens, 200);
    close(d0.ledger.bondEscrow, 500);
    close(d0.supply, 800); // market 300 + bondEscrow 500
    close(await market(), 300);

    // ---- day 1: sentiment 0, a second task of $100 bonded
    await op.post("/v1/market-inputs", { consumerSentiment: 0 });
    const t2 = (await C1.post("/v1/jobs", { deadlineDay: 5 })).body.tasks[0];
    expect((await G1.post(`/v1/tasks/${t2.id}/bond`)).status).toBe(200);
    const d1 = (await op.post("/v1/days/close", { day: 1 })).body;
    // demand 100 + 40 = 140 over the whole supply 800: price 0.175 (bonded tokens are counted)
    // bonds want 100 / 0.175 = 571.43, free are 800 − 500 = 300: cut 300 / 571.43 = 0.525,
    // so t2's bond is 300; the buyback wants 40 / 0.175 = 228.57 of 0 free: 0 (cut 0).
    // Before the rule: market 300 − 571.43 − 228.57 = −500.
    close(d1.priceOfToken, 0.175);
    close(d1.ledger.bondTokensPosted, 300);
    close(d1.buybackTokens, 0);
    close(d1.ledger.bondEscrow, 800); // 500 + 300: every circulating token, not more
    close(d1.supply, 800);
    const m1 = await market();
    expect(m1).toBeGreaterThanOrEqual(-1e-12 * 2000);
    close(m1, 0);
    const st = (await G1.get(`/v1/statements/suppliers/${g1.id}`)).body;
    close(st.totals.bondUsdPaid, 100 + 0.525 * 100); // pays for the tokens posted

    // ---- day 2: t1 passes (its 500 back), t2 fails (its cut bond of 300 lost, not 571.43)
    for (const t of [t1, t2])
      expect((await G1.post(`/v1/tasks/${t.id}/complete`)).status).toBe(200);
    await V1.post(`/v1/tasks/${t1.id}/validation`, { passed: true });
    await V1.post(`/v1/tasks/${t2.id}/validation`, { passed: false });
    const d2 = (await op.post("/v1/days/close", { day: 2 })).body;
    close(d2.ledger.bondTokensReturned, 500);
    close(d2.ledger.bondTokensLost, 300);
    close(d2.ledger.bondEscrow, d2.ledger.bondTokensPosted);
    // t1's earmark: day 0's 200 (its cohort, uncut); day 1's cohort had nothing bought
    close(d2.ledger.tokensPaidToSuppliers - d2.phaseTwoEmission, 200);
    expect(await market()).toBeGreaterThanOrEqual(-1e-12 * 2000);
    await ledger.close();
  });
});
