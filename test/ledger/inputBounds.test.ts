import { afterAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../src/scenario/limits.js";
import { cleanup, EXAMPLE, newLedger } from "./helpers.js";
import { sqliteUrl } from "./urls.js";

afterAll(cleanup);

/** The example economy with two regions and a latency table (eu ↔ us 80 ms). */
const REGIONAL = {
  ...EXAMPLE,
  marketplace: { regions: ["eu", "us"], latencyMs: { eu: { us: 80 }, us: { eu: 80 } } },
};

async function withConsumer(scenario: unknown = EXAMPLE, priceSource: "model" | "feed" = "model") {
  const l = await newLedger(await sqliteUrl(), scenario, priceSource);
  const c = l.op.as(
    (await l.op.post("/v1/consumers", { name: "c", consumerType: "train" })).body.apiKey,
  );
  return { ...l, c };
}

describe("every number a request carries is finite and bounded like the scenario's", () => {
  it("units, incentive, latencySlaMs, deadlineDay: 422 naming the field, no job stored", async () => {
    const { ledger, op, c } = await withConsumer();
    const refused: [Record<string, unknown>, string][] = [
      [{ deadlineDay: 3, incentive: 1e308 }, "incentive"],
      [{ deadlineDay: 3, incentive: LIMITS.maxIncentive * 1.5 }, "incentive"],
      [{ deadlineDay: 3, units: 1e308 }, "units"],
      [{ deadlineDay: 3, units: 1e300 }, "units"],
      [{ deadlineDay: 3, units: LIMITS.maxUnitsPerJob * 2 }, "units"],
      [{ deadlineDay: 1e300 }, "deadlineDay"],
      [{ deadlineDay: 3, origin: "global", latencySlaMs: 1e300 }, "latencySlaMs"],
    ];
    for (const [body, field] of refused) {
      const r = await c.post("/v1/jobs", body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.field).toBe(field);
      expect(r.body.error).toMatch(new RegExp(`^${field}:`));
    }
    // the largest allowed values are accepted: 1e9 units of a 10 usd/unit type at incentive 1000
    const big = await c.post("/v1/jobs", {
      deadlineDay: 3,
      units: LIMITS.maxUnitsPerJob,
      incentive: LIMITS.maxIncentive,
    });
    expect(big.status).toBe(201);
    expect(big.body.price).toBe(10 * 1e9 * (1 + 1000));
    expect(big.body.id).toBe(1); // none of the refused ones was stored
    // …and the day still closes, at finite figures
    await op.post("/v1/market-inputs", { consumerSentiment: 100 });
    const d0 = await op.post("/v1/days/close", { day: 0 });
    expect(d0.status).toBe(200);
    expect(Number.isFinite(d0.body.priceOfToken)).toBe(true);
    await ledger.close();
  });

  it("market inputs, suppliers, close day, votes: 422 naming the field, nothing stored", async () => {
    const { ledger, op } = await withConsumer();
    const gov = op.as((await op.post("/v1/keys", { role: "governance", name: "g" })).body.apiKey);
    const cases: [string, Record<string, unknown>, string, typeof op][] = [
      [
        "/v1/market-inputs",
        { consumerSentiment: 1e308, governanceValue: 1e308 },
        "consumerSentiment",
        op,
      ],
      ["/v1/market-inputs", { consumerSentiment: 1, governanceValue: 1e16 }, "governanceValue", op],
      ["/v1/suppliers", { name: "s", supplierClass: "gpu", stake: 1e300 }, "stake", op],
      ["/v1/suppliers", { name: "s", supplierClass: "gpu", capacity: 1e300 }, "capacity", op],
      ["/v1/days/close", { day: 1e300 }, "day", op],
      ["/v1/votes", { set: { fiatOperationsFraction: 1e308 } }, "set.fiatOperationsFraction", gov],
      ["/v1/votes", { set: { bondModulation: 1e300 } }, "set.bondModulation", gov],
    ];
    for (const [path, body, field, who] of cases) {
      const r = await who.post(path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(422);
      expect(r.body.field).toBe(field);
    }
    const feed = await withConsumer(EXAMPLE, "feed");
    const p = await feed.op.post("/v1/market-inputs", {
      consumerSentiment: 1,
      priceOfToken: 1e300,
    });
    expect(p.status).toBe(422);
    expect(p.body.field).toBe("priceOfToken");
    await feed.ledger.close();
    // nothing was stored: no supplier, no vote, and day 0 closes with no exchange demand
    expect((await op.get("/v1/balances")).status).toBe(200);
    expect((await gov.get("/v1/votes")).body).toEqual([]);
    expect((await op.get("/v1/statements/suppliers/1")).status).toBe(404);
    const d0 = await op.post("/v1/days/close", { day: 0 });
    expect(d0.status).toBe(200);
    await ledger.close();
  });

  it("a close never commits a non-finite value: refused naming the column, nothing stored", async () => {
    const { ledger, op } = await withConsumer();
    // past the schemas (a library caller, or a future bug): an overflowing exchange demand
    const operator = (await ledger.authenticate(op.key))!;
    await ledger.write(operator, "raw", { path: "raw" }, (trx) =>
      ledger.postMarketInputs(trx, "op", { consumerSentiment: 1e308, governanceValue: 1e308 }),
    );
    const r = await op.post("/v1/days/close", { day: 0 });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(/not a finite number/);
    expect(r.body.error).toMatch(/column \w+ would be (Infinity|NaN|-Infinity)/);
    expect((await op.get("/v1/days")).body).toEqual([]);
    expect((await op.get("/v1/status")).body.openDay).toBe(0);
    await ledger.close();
  });
});

describe("bad request bodies", () => {
  it("malformed JSON is 400, a non-JSON content type 415, with a message and nothing stored", async () => {
    const { ledger, app, op } = await withConsumer();
    const send = (contentType: string, body: string, key: string) =>
      app.request("/v1/suppliers", {
        method: "POST",
        headers: {
          authorization: `Bearer ${op.key}`,
          "content-type": contentType,
          "idempotency-key": key,
        },
        body,
      });
    const bad = await send("application/json", '{"name":', "a");
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: string };
    expect(badBody.error).toMatch(/not valid JSON/);
    expect(badBody.error).not.toMatch(/ at /);
    const text = await send("text/plain", '{"name":"x","supplierClass":"gpu"}', "b");
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: string }).error).toMatch(
      /application\/json.*text\/plain/,
    );
    const none = await app.request("/v1/suppliers", {
      method: "POST",
      headers: { authorization: `Bearer ${op.key}`, "idempotency-key": "c" },
      // bytes, not a string: a string body would be given "text/plain" by fetch
      body: new TextEncoder().encode('{"name":"x","supplierClass":"gpu"}'),
    });
    expect(none.status).toBe(415);
    expect(((await none.json()) as { error: string }).error).toMatch(/gave no content type/);
    expect((await op.get("/v1/statements/suppliers/1")).status).toBe(404);
    await ledger.close();
  });
});

describe("regions", () => {
  it("an unknown region or origin is 422 naming the field and listing the scenario's regions", async () => {
    const { ledger, op, c } = await withConsumer(REGIONAL);
    // a supplier too: in mars, or in the default global of a scenario with eu and us only
    for (const body of [{ region: "mars" }, {}]) {
      const s = await op.post("/v1/suppliers", { name: "s", supplierClass: "gpu", ...body });
      expect(s.status).toBe(422);
      expect(s.body.field).toBe("region");
      expect(s.body.error).toMatch(/eu, us/);
    }
    expect(
      (await op.post("/v1/suppliers", { name: "s", supplierClass: "gpu", region: "us" })).body.id,
    ).toBe(1);
    const mars = await c.post("/v1/jobs", { deadlineDay: 3, origin: "mars", latencySlaMs: 120 });
    expect(mars.status).toBe(422);
    expect(mars.body.field).toBe("origin");
    expect(mars.body.error).toMatch(/"mars".*eu, us/);
    const r = await c.post("/v1/jobs", { deadlineDay: 3, regions: ["eu", "mars"] });
    expect(r.status).toBe(422);
    expect(r.body.field).toBe("regions.1");
    expect(r.body.error).toMatch(/eu, us/);
    // a scenario without a marketplace has the one region global
    const plain = await withConsumer();
    const g = await plain.c.post("/v1/jobs", { deadlineDay: 3, regions: ["mars"] });
    expect(g.status).toBe(422);
    expect(g.body.error).toMatch(/global/);
    expect((await plain.c.post("/v1/jobs", { deadlineDay: 3, regions: ["global"] })).status).toBe(
      201,
    );
    await plain.ledger.close();
    // known regions still work: us within 80 ms of eu
    const ok = await c.post("/v1/jobs", { deadlineDay: 3, origin: "eu", latencySlaMs: 100 });
    expect(ok.status).toBe(201);
    expect(ok.body.id).toBe(1);
    await ledger.close();
  });
});

describe("reads", () => {
  it("a statement of an account that does not exist is 404 naming the id", async () => {
    const { ledger, op } = await withConsumer();
    for (const kind of ["suppliers", "consumers", "validators"]) {
      const r = await op.get(`/v1/statements/${kind}/999`);
      expect(r.status).toBe(404);
      expect(r.body.field).toBe("id");
      expect(r.body.error).toMatch(/999/);
    }
    expect((await op.get("/v1/statements/consumers/1")).status).toBe(200); // the one that exists
    await ledger.close();
  });

  it("an id or day in a URL is decimal digits: empty, hexadecimal, exponent and sign are 422", async () => {
    const { ledger, op, c } = await withConsumer();
    expect((await c.post("/v1/jobs", { deadlineDay: 3 })).status).toBe(201); // job 1
    // Number() would read these as 1, 1, 10 and 1: each must be refused, not served as job 1 / day 1
    for (const id of ["0x1", "0b1", "1e1", "+1", "1.0"]) {
      const r = await c.get(`/v1/jobs/${id}`);
      expect(r.status, id).toBe(422);
      expect(r.body.field, id).toBe("id");
    }
    expect((await c.get("/v1/jobs/1")).status).toBe(200);
    for (const q of ["from=", "from=0x0", "to=1e0", "to=%20"]) {
      const r = await op.get(`/v1/days?${q}`);
      expect(r.status, q).toBe(422);
      expect(r.body.field, q).toBe(q.slice(0, q.indexOf("=")));
    }
    expect((await op.get("/v1/days?from=0&to=0")).status).toBe(200);
    await ledger.close();
  });

  it("GET /v1/jobs/{id}, statements and votes answer in the camelCase of POST /v1/jobs", async () => {
    const { ledger, op, c } = await withConsumer();
    const s = (await op.post("/v1/suppliers", { name: "s", supplierClass: "gpu" })).body;
    const posted = (await c.post("/v1/jobs", { deadlineDay: 3, regions: ["global"] })).body;
    const got = (await c.get(`/v1/jobs/${posted.id}`)).body;
    // 10 units · 10 usd/unit, incentive 0: price 100, the one gpu task assigned to s
    expect(got).toMatchObject({
      id: posted.id,
      consumerId: 1,
      consumerType: "train",
      units: 10,
      incentive: 0,
      price: 100,
      regions: ["global"],
      day: 0,
      deadlineDay: 3,
    });
    expect(got.tasks).toHaveLength(1);
    expect(got.tasks[0]).toMatchObject({
      supplierClass: "gpu",
      share: 1,
      price: 100,
      status: "assigned",
      supplierId: s.id,
      excludedSupplierId: null,
    });
    const snake = (v: unknown) => JSON.stringify(v).match(/"[a-z]+_[a-z_]+":/g);
    expect(snake(got)).toBeNull();
    // the statements' account and the votes read in camelCase too
    const st = (await op.get(`/v1/statements/suppliers/${s.id}`)).body;
    expect(st.supplier).toMatchObject({ supplierClass: "gpu", certified: true, joinedDay: 0 });
    expect((await op.get("/v1/statements/consumers/1")).body.consumer).toMatchObject({
      consumerType: "train",
      joinedDay: 0,
    });
    const gov = op.as((await op.post("/v1/keys", { role: "governance", name: "g" })).body.apiKey);
    await gov.post("/v1/votes", { set: { bondModulation: 0.2 } });
    const votes = (await gov.get("/v1/votes")).body;
    expect(votes[0]).toMatchObject({ variable: "bondModulation", value: 0.2, voter: "g" });
    expect(Number.isNaN(Date.parse(votes[0].castAt))).toBe(false);
    for (const v of [st, votes]) expect(snake(v)).toBeNull();
    await ledger.close();
  });
});
