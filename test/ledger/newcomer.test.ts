import { afterAll, describe, expect, it } from "vitest";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { cleanup, databases, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

/** 2^31 − 1, PostgreSQL's largest `integer`: one more is out of range. */
const INT4 = 2_147_483_647;

describe.each(await databases())("a newcomer's findings ($name)", ({ url }) => {
  it("GET /v1/days answers JSON and CSV, whole and by from/to; ids and days past the integer column are 422", async () => {
    const { ledger, op } = await newLedger(await url());
    try {
      await op.post("/v1/market-inputs", { consumerSentiment: 1000 });
      for (let day = 0; day < 3; day++)
        expect((await op.post("/v1/days/close", { day })).status).toBe(200);
      const all = await op.get("/v1/days");
      expect(all.status).toBe(200);
      expect(all.body.map((r: { day: number }) => r.day)).toEqual([0, 1, 2]);
      const some = await op.get("/v1/days?from=1&to=1");
      expect(some.body.map((r: { day: number }) => r.day)).toEqual([1]);
      const csv = await op.get("/v1/days?format=csv&from=1");
      expect(csv.status).toBe(200);
      const lines = (csv.body as string).trim().split("\n");
      expect(lines.map((l) => l.split(",")[0])).toEqual(["day", "1", "2"]);
      // CSV = JSON: every key of a JSON row (the ledger's figures as ledger.<key>), same values
      const header = lines[0].split(",");
      const row = all.body[1];
      const keys = [
        ...Object.keys(row).filter((k) => k !== "ledger"),
        ...Object.keys(row.ledger).map((k) => `ledger.${k}`),
      ];
      expect([...header].sort()).toEqual([...keys].sort());
      const first = lines[1].split(",");
      for (const [i, k] of header.entries()) {
        const v = k.startsWith("ledger.") ? row.ledger[k.slice(7)] : row[k];
        expect(first[i], k).toBe(String(v));
      }
      // bound to an integer column: 2^31 is refused by the schema (422 naming the field), never a 500
      const refused = [
        await op.get(`/v1/days?to=${INT4 + 1}`),
        await op.get(`/v1/jobs/${INT4 + 1}`),
        await op.get(`/v1/statements/suppliers/${INT4 + 1}`),
        await op.post(`/v1/suppliers/${INT4 + 1}/departure`, {}),
        await op.post("/v1/days/close", { day: INT4 + 1 }),
      ];
      expect(refused.map((r) => r.status)).toEqual([422, 422, 422, 422, 422]);
      expect(refused.map((r) => r.body.field)).toEqual(["to", "id", "id", "id", "day"]);
      // the largest integer itself is bound and answered (no such job; day not the open one)
      expect((await op.get(`/v1/jobs/${INT4}`)).status).toBe(404);
      expect((await op.get(`/v1/days?from=${INT4}`)).body).toEqual([]);
      const c = op.as(
        (await op.post("/v1/consumers", { name: "c", consumerType: "train" })).body.apiKey,
      );
      const far = await c.post("/v1/jobs", { deadlineDay: INT4 });
      expect(far.status).toBe(201);
      expect((await c.post("/v1/jobs", { deadlineDay: INT4 + 1 })).body.field).toBe("deadlineDay");
    } finally {
      await ledger.close();
    }
  });

  it("names an unknown field, says a missing header or field is required, and shows a job's origin", async () => {
    const { ledger, op } = await newLedger(await url());
    try {
      const unknown = await op.post("/v1/validators", { name: "v", colour: "red" });
      expect(unknown.status).toBe(422);
      expect(unknown.body.field).toBe("colour");
      expect(unknown.body.error).toMatch(/^colour: unknown field/);
      const missing = await op.post("/v1/consumers", { name: "c" });
      expect(missing.body).toMatchObject({ field: "consumerType" });
      expect(missing.body.error).toMatch(/^consumerType: required/);
      const res = await op.app.request("/v1/validators", {
        method: "POST",
        headers: { authorization: `Bearer ${op.key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "v" }),
      });
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({
        error: "Idempotency-Key: required: every write needs an Idempotency-Key header",
        field: "Idempotency-Key",
      });
      const c = op.as(
        (await op.post("/v1/consumers", { name: "c", consumerType: "train" })).body.apiKey,
      );
      const sent = { deadlineDay: 3, origin: "global", latencySlaMs: 50, units: 2 };
      const posted = await c.post("/v1/jobs", sent);
      expect(posted.status).toBe(201);
      const got = await c.get(`/v1/jobs/${posted.body.id}`);
      expect(got.body).toMatchObject(sent);
      expect(got.body.regions).toEqual(["global"]); // the one region within 50 ms of global
      for (const k of Object.keys(posted.body).filter((k) => k !== "tasks"))
        expect(got.body[k], k).toEqual(posted.body[k]);
    } finally {
      await ledger.close();
    }
  });
});

describe("the ledger's OpenAPI document", () => {
  it("declares every path parameter required, of type integer, and every {name} of a path", async () => {
    const [sqlite] = await databases();
    const { ledger, app } = await newLedger(await sqlite.url());
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { parameters?: Record<string, unknown>[] }>>;
    };
    await ledger.close();
    let seen = 0;
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const inPath = (op.parameters ?? []).filter((p) => p.in === "path");
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect(inPath.map((p) => p.name).sort(), `${method} ${path}`).toEqual(names.sort());
        for (const p of inPath) {
          seen++;
          expect(p.required, `${method} ${path}`).toBe(true);
          expect((p.schema as { type: unknown }).type, `${method} ${path}`).toBe("integer");
        }
      }
    expect(seen).toBe(8); // bond, complete, validation, job, 3 statements, departure
  });
});
