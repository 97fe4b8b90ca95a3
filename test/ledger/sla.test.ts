import { afterAll, describe, expect, it } from "vitest";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { cleanup, databases, EXAMPLE, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

/** EXAMPLE with three regions: eu → us 80 ms, eu → asia 200 ms (asia → eu not listed: unreachable). */
const WITH_LATENCY = {
  ...EXAMPLE,
  marketplace: {
    regions: ["eu", "us", "asia"],
    latencyMs: { eu: { us: 80, asia: 200 } },
  },
};

describe.each(await databases())(
  "jobs with allowed regions or a latency SLA ($name)",
  ({ url }) => {
    it("go only to suppliers in a region within the SLA of their origin, and are refused when none is", async () => {
      const { ledger, op } = await newLedger(await url(), WITH_LATENCY);
      // asia first: with equal reputation (E20) and work done (E21) the lower id wins the tie
      const asia = (
        await op.post("/v1/suppliers", {
          name: "a",
          supplierClass: "gpu",
          region: "asia",
          capacity: 10,
        })
      ).body;
      const us = (
        await op.post("/v1/suppliers", {
          name: "u",
          supplierClass: "gpu",
          region: "us",
          capacity: 10,
        })
      ).body;
      const c = (await op.post("/v1/consumers", { name: "c", consumerType: "train" })).body;
      const C = op.as(c.apiKey);
      const supplierOf = async (body: object) => {
        const r = await C.post("/v1/jobs", { deadlineDay: 1, ...body });
        expect(r.status).toBe(201);
        return r.body.tasks[0].supplierId;
      };
      expect(await supplierOf({})).toBe(asia.id); // no constraint: the tie goes to the lower id
      expect(await supplierOf({ origin: "eu", latencySlaMs: 100 })).toBe(us.id); // asia is 200 ms away
      expect(await supplierOf({ origin: "eu", latencySlaMs: 200 })).toBe(asia.id); // both within
      expect(await supplierOf({ origin: "eu", latencySlaMs: 250, regions: ["us"] })).toBe(us.id);
      expect(await supplierOf({ regions: ["us"] })).toBe(us.id);
      // within the SLA only eu itself (0 ms), where nobody serves: the task waits in the queue
      expect(await supplierOf({ origin: "eu", latencySlaMs: 50 })).toBeNull();
      // asia → anything else is not in the table: unreachable
      expect(await supplierOf({ origin: "asia", latencySlaMs: 1000 })).toBe(asia.id);

      const noOrigin = await C.post("/v1/jobs", { deadlineDay: 1, latencySlaMs: 100 });
      expect(noOrigin.status).toBe(422);
      expect(noOrigin.body.field).toBe("origin");
      const none = await C.post("/v1/jobs", {
        deadlineDay: 1,
        origin: "eu",
        latencySlaMs: 100,
        regions: ["asia"],
      });
      expect(none.status).toBe(422);
      expect(none.body.field).toBe("latencySlaMs");
      expect(none.body.error).toMatch(/within 100 ms of eu/);
      // the refused jobs stored nothing: 7 jobs paid at $100 each (EXAMPLE's train price)
      const st = (await op.get(`/v1/statements/consumers/${c.id}`)).body;
      expect(st.totals.jobs).toBe(7);
      expect(st.totals.usdPaid).toBeCloseTo(700, 9);
      await ledger.close();
    });
  },
);
