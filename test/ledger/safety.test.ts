import { afterAll, describe, expect, it } from "vitest";
import { ledgerApi } from "../../src/ledger/api.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { Client, cleanup, databases, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

async function setup(url: string) {
  const { ledger, app, op } = await newLedger(url);
  const s1 = (await op.post("/v1/suppliers", { name: "s1", supplierClass: "gpu" })).body;
  const s2 = (await op.post("/v1/suppliers", { name: "s2", supplierClass: "gpu" })).body;
  const v = (await op.post("/v1/validators", { name: "v" })).body;
  const c1 = (await op.post("/v1/consumers", { name: "c1", consumerType: "train" })).body;
  const c2 = (await op.post("/v1/consumers", { name: "c2", consumerType: "train" })).body;
  return {
    ledger,
    app,
    op,
    ids: { s1: s1.id, s2: s2.id, c1: c1.id, c2: c2.id, v: v.id },
    S1: op.as(s1.apiKey),
    S2: op.as(s2.apiKey),
    V: op.as(v.apiKey),
    C1: op.as(c1.apiKey),
    C2: op.as(c2.apiKey),
  };
}

/** Everything stored: row counts of every table and every balance. */
async function snapshot(ledger: Awaited<ReturnType<typeof setup>>["ledger"]) {
  const counts: Record<string, number> = {};
  for (const t of [
    "jobs",
    "tasks",
    "attempts",
    "votes",
    "days",
    "txns",
    "postings",
    "idempotency",
    "inputs",
    "api_keys",
  ] as const)
    counts[t] = Number(
      (
        await ledger.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirst()
      )?.n,
    );
  return { counts, balances: await balancesOf(ledger.db) };
}

describe.each(await databases())("a ledger safe to operate ($name)", ({ url }) => {
  it("refuses bad input naming the field, with a 4xx and no stack, and stores nothing", async () => {
    const { ledger, op, S1, S2, V, C1 } = await setup(await url());
    const job = (await C1.post("/v1/jobs", { deadlineDay: 3 })).body;
    const task = job.tasks[0].id; // assigned to s1
    const before = await snapshot(ledger);
    const cases: [Client, string, unknown, number, string][] = [
      [op, "/v1/consumers", { name: "x", consumerType: "teleport" }, 422, "consumerType"],
      [C1, "/v1/jobs", { deadlineDay: 3, units: -2 }, 422, "units"],
      [C1, "/v1/jobs", { deadlineDay: 3, incentive: -0.1 }, 422, "incentive"],
      [C1, "/v1/jobs", { deadlineDay: 3, consumerType: "nope" }, 422, "consumerType"],
      [C1, "/v1/jobs", { deadlineDay: 3, colour: "red" }, 422, "colour"],
      [op, "/v1/market-inputs", { consumerSentiment: -5 }, 422, "consumerSentiment"],
      [S2, `/v1/tasks/${task}/bond`, {}, 403, "taskId"],
      [S1, `/v1/tasks/${task}/complete`, {}, 409, "taskId"], // no bond yet
      [V, `/v1/tasks/${task}/validation`, { passed: true }, 409, "taskId"], // not completed
      [S1, "/v1/tasks/999/bond", {}, 404, "taskId"],
      [op, "/v1/days/close", { day: 1 }, 409, "day"],
    ];
    for (const [client, path, body, status, field] of cases) {
      const r = await client.post(path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(typeof r.body.error).toBe("string");
      if (field) expect(r.body.field).toBe(field);
      expect(JSON.stringify(r.body)).not.toMatch(/ at |\/src\/|\.ts:/);
    }
    const gov = op.as((await op.post("/v1/keys", { role: "governance", name: "dao" })).body.apiKey);
    const mid = await snapshot(ledger);
    const votes: [unknown, string][] = [
      [{ set: { buybackModulation: 1.5 } }, "set.buybackModulation"],
      [{ set: { warpSpeed: 2 } }, "set.warpSpeed"],
      [{ set: { lowerTokenReserveLimit: 0.9 } }, "set.lowerTokenReserveLimit"], // above the restore level
    ];
    for (const [body, field] of votes) {
      const r = await gov.post("/v1/votes", body);
      expect(r.status).toBe(422);
      expect(r.body.field).toBe(field);
    }
    expect(await snapshot(ledger)).toEqual(mid);
    // and the earlier refusals stored nothing either (the key created since adds one row)
    expect({
      ...mid.counts,
      api_keys: before.counts.api_keys,
      idempotency: before.counts.idempotency,
    }).toEqual(before.counts);
    // closing a day twice
    expect((await op.post("/v1/days/close", { day: 0 })).status).toBe(200);
    const twice = await op.post("/v1/days/close", { day: 0 });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatch(/already closed/);
    await ledger.close();
  });

  it("isolates roles: a key acts and reads only within its role and its own account", async () => {
    const { ledger, op, S1, S2, V, C1, C2, ids } = await setup(await url());
    const job = (await C1.post("/v1/jobs", { deadlineDay: 3 })).body;
    expect((await S1.post("/v1/jobs", { deadlineDay: 3 })).status).toBe(403);
    expect((await C1.post("/v1/days/close", { day: 0 })).status).toBe(403);
    expect((await V.post("/v1/suppliers", { name: "x", supplierClass: "gpu" })).status).toBe(403);
    expect((await C1.post("/v1/votes", { set: { buybackModulation: 0.5 } })).status).toBe(403);
    expect((await S1.get(`/v1/statements/suppliers/${ids.s2}`)).status).toBe(403);
    expect((await S2.get(`/v1/statements/suppliers/${ids.s2}`)).status).toBe(200);
    expect((await C2.get(`/v1/statements/consumers/${ids.c1}`)).status).toBe(403);
    expect((await C2.get(`/v1/jobs/${job.id}`)).status).toBe(404);
    expect((await C1.get(`/v1/jobs/${job.id}`)).status).toBe(200);
    expect((await S1.get("/v1/balances")).status).toBe(403);
    expect((await S2.get("/v1/suppliers/me/tasks")).body).toEqual([]);
    expect((await S1.get("/v1/suppliers/me/tasks")).body.length).toBe(1);
    expect((await op.as("bme_operator_forged").get("/v1/status")).status).toBe(401);
    const none = await op.app.request("/v1/status");
    expect(none.status).toBe(401);
    // keys are stored hashed: no key appears in the database
    const keys = await ledger.db.selectFrom("api_keys").select("hash").execute();
    for (const k of keys) expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.stringify(await ledger.db.selectFrom("idempotency").selectAll().execute());
    expect(stored).not.toMatch(/bme_(supplier|consumer|validator|operator)_/);
    await ledger.close();
  });

  it("never doubles a payment: a retried write returns the first answer and changes nothing", async () => {
    const { ledger, C1, op } = await setup(await url());
    const first = await C1.post("/v1/jobs", { deadlineDay: 2 }, "job-1");
    const after = await snapshot(ledger);
    const again = await C1.post("/v1/jobs", { deadlineDay: 2 }, "job-1");
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(await snapshot(ledger)).toEqual(after);
    const other = await C1.post("/v1/jobs", { deadlineDay: 3 }, "job-1");
    expect(other.status).toBe(409);
    expect(other.body.field).toBe("Idempotency-Key");
    const noKey = await op.app.request("/v1/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${C1.key}`, "content-type": "application/json" },
      body: JSON.stringify({ deadlineDay: 2 }),
    });
    expect(noKey.status).toBe(422);
    const close1 = await op.post("/v1/days/close", { day: 0 }, "close-0");
    const close2 = await op.post("/v1/days/close", { day: 0 }, "close-0");
    expect(close2.body).toEqual(close1.body);
    const paid = (await C1.get(`/v1/statements/consumers/${first.body.consumerId}`)).body.totals
      .usdPaid;
    expect(paid).toBe(100); // one job, paid once
    await ledger.close();
  });

  it("limits request size and rate, and serves its OpenAPI document", async () => {
    const { ledger, op } = await setup(await url());
    const big = await op.post("/v1/consumers", { name: "x".repeat(70_000), consumerType: "train" });
    expect(big.status).toBe(413);
    const slow = new Client(ledgerApi(ledger, { ratePerSecond: 3 }), op.key);
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await slow.get("/v1/status")).status);
    expect(codes).toContain(429);
    // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document
    const doc = (await (await op.app.request("/openapi.json")).json()) as any;
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/v1/jobs",
      "/v1/days/close",
      "/v1/votes",
      "/v1/tasks/{id}/bond",
      "/v1/statements/suppliers/{id}",
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.components.schemas.NewJob.properties.deadlineDay).toBeDefined();
    await ledger.close();
  });
});
