import { afterAll, describe, expect, it } from "vitest";
import { balancesOf } from "../../src/ledger/statements.js";
import { cleanup, databases, newLedger } from "./helpers.js";

afterAll(() => cleanup());

const [sqlite] = await databases();

describe("a lost answer retried, a bond quoted (sqlite)", () => {
  it.each([
    ["/v1/consumers", { name: "c", consumerType: "train" }],
    ["/v1/suppliers", { name: "s", supplierClass: "gpu" }],
    ["/v1/validators", { name: "v" }],
    ["/v1/keys", { role: "governance", name: "dao" }],
  ])("the retry of %s issues a new key and revokes the lost one", async (path, body) => {
    const { ledger, op } = await newLedger(await sqlite.url());
    const first = await op.post(path, body, "create-1");
    expect(first.status).toBe(201);
    const lost: string = first.body.apiKey;
    const retry = await op.post(path, body, "create-1");
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id); // the same account, not a second one
    expect(typeof retry.body.apiKey).toBe("string");
    expect(retry.body.apiKey).not.toBe(lost);
    expect(retry.body.note).toMatch(/revoked/);
    expect((await op.as(lost).get("/v1/status")).status).toBe(401);
    expect((await op.as(retry.body.apiKey).get("/v1/status")).status).toBe(200);
    // a second retry revokes the second key in turn; exactly one key of the account works
    const again = await op.post(path, body, "create-1");
    expect((await op.as(retry.body.apiKey).get("/v1/status")).status).toBe(401);
    expect((await op.as(again.body.apiKey).get("/v1/status")).status).toBe(200);
    // the stored hash never leaks into an answer
    expect(JSON.stringify(again.body)).not.toMatch(/reissuesKey|[0-9a-f]{64}/);
    await ledger.close();
  });

  it("a bond is charged what was quoted, whatever a later vote of the same day says", async () => {
    const { ledger, op } = await newLedger(await sqlite.url());
    const gov = op.as((await op.post("/v1/keys", { role: "governance", name: "g" })).body.apiKey);
    const s = (await op.post("/v1/suppliers", { name: "g1", supplierClass: "gpu" })).body;
    const v = (await op.post("/v1/validators", { name: "v1" })).body;
    const c = (await op.post("/v1/consumers", { name: "c1", consumerType: "train" })).body;
    const S = op.as(s.apiKey);
    await op.post("/v1/market-inputs", { consumerSentiment: 1000 });
    const job = await op.as(c.apiKey).post("/v1/jobs", { deadlineDay: 1 });
    const task = job.body.tasks[0];
    const bond = await S.post(`/v1/tasks/${task.id}/bond`);
    expect(bond.body.bondUsd).toBeCloseTo(0.1 * 100, 12); // bondModulation 0.1 · $100
    expect((await gov.post("/v1/votes", { set: { bondModulation: 0.2 } })).status).toBe(201);
    await S.post(`/v1/tasks/${task.id}/complete`);
    await op.as(v.apiKey).post(`/v1/tasks/${task.id}/validation`, { passed: true });
    const d0 = (await op.post("/v1/days/close", { day: 0 })).body;
    expect(d0.supplierBondUsd).toBeCloseTo(10, 9); // the quote, not 0.2 · 100 = 20
    // demand = sentiment 1000 + bond 10 + buyback 0.5·0.8·100 = 40 → price 1050 / supply 1000
    expect(d0.priceOfToken).toBeCloseTo(1.05, 9);
    const usd = (await balancesOf(ledger.db)).find(
      (b) => b.account === `supplier:${s.id}` && b.currency === "usd",
    );
    const tokens = (await balancesOf(ledger.db)).find(
      (b) => b.account === `supplier:${s.id}` && b.currency === "tokens",
    );
    // the pool's 80: usdCapital 40 in USD, buyback 40 / 1.05 in tokens; the bond charged 10 USD,
    // bought as 10 / 1.05 tokens and returned on validation
    expect(usd?.amount).toBeCloseTo(40 - 10, 9);
    expect(tokens?.amount).toBeCloseTo((40 + 10) / 1.05, 9);
    expect((await op.get("/v1/status")).body.onchain.bondModulation).toBe(0.2);
    await ledger.close();
  });
});
