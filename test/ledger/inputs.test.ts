import { afterAll, describe, expect, it } from "vitest";
import { cleanup, newLedger } from "./helpers.js";
import { sqliteUrl } from "./urls.js";

afterAll(cleanup);

describe("market inputs and governance", () => {
  it("priceSource feed: the day closes at the operator's price, and not without one", async () => {
    const { ledger, op } = await newLedger(await sqliteUrl(), undefined, "feed");
    const c = op.as(
      (await op.post("/v1/consumers", { name: "c", consumerType: "train" })).body.apiKey,
    );
    await c.post("/v1/jobs", { deadlineDay: 0 }); // no supplier: it expires at the close
    const refused = await op.post("/v1/days/close", { day: 0 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/no price was posted/);
    expect((await op.post("/v1/market-inputs", { consumerSentiment: 50 })).body.field).toBe(
      "priceOfToken",
    );
    expect(
      (await op.post("/v1/market-inputs", { consumerSentiment: 50, priceOfToken: 2 })).status,
    ).toBe(200);
    const d0 = (await op.post("/v1/days/close", { day: 0 })).body;
    expect(d0.priceOfToken).toBe(2);
    // income 100, f 0.2, BM 0.5: 40 usd of buyback at 2 usd/token
    expect(d0.buybackTokens).toBeCloseTo(20, 12);
    expect(d0.demand).toBeCloseTo(50 + 40, 12);
    await ledger.close();
  });

  it("a vote takes effect at the close of the day it was cast, with who and when recorded", async () => {
    const { ledger, op } = await newLedger(await sqliteUrl());
    const gov = op.as(
      (await op.post("/v1/keys", { role: "governance", name: "dao-7" })).body.apiKey,
    );
    const c = op.as(
      (await op.post("/v1/consumers", { name: "c", consumerType: "train" })).body.apiKey,
    );
    await op.post("/v1/market-inputs", { consumerSentiment: 1000 });
    await c.post("/v1/jobs", { deadlineDay: 5 });
    expect((await gov.post("/v1/votes", { set: { fiatOperationsFraction: 0.5 } })).status).toBe(
      201,
    );
    expect((await op.get("/v1/status")).body.onchain.fiatOperationsFraction).toBe(0.2); // not yet
    const d0 = (await op.post("/v1/days/close", { day: 0 })).body;
    expect(d0.opsRevenue).toBeCloseTo(50, 12); // 0.5 · 100: the vote applied to its own day's close
    expect((await op.get("/v1/status")).body.onchain.fiatOperationsFraction).toBe(0.5);
    const votes = (await gov.get("/v1/votes")).body;
    expect(votes).toHaveLength(1);
    expect(votes[0]).toMatchObject({
      day: 0,
      variable: "fiatOperationsFraction",
      value: 0.5,
      voter: "dao-7",
    });
    expect(Number.isNaN(Date.parse(votes[0].castAt))).toBe(false);
    await ledger.close();
  });
});
