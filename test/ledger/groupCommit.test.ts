import { afterAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { LedgerSession } from "../../src/ledger/session.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { cleanup, databases, EXAMPLE } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

/**
 * Writes issued together are committed together (one transaction, a savepoint each): a refused
 * write is rolled back alone, the others are committed whole, ids are not skipped, and every
 * balance still equals the sum of its postings — after a reopen too (the commit was durable).
 */
for (const { name, url } of await databases())
  describe(`group commit (${name})`, () => {
    it("commits the accepted writes of a group and nothing of the refused ones", async () => {
      const u = await url();
      const { ledger, operatorKey } = await Ledger.init(u, EXAMPLE);
      const op = await LedgerSession.of(ledger, operatorKey);
      const s = await op.createSupplier({ name: "s", supplierClass: "gpu", capacity: 10 }, "s");
      const c = await op.createConsumer({ name: "c", consumerType: "train" }, "c");
      const consumer = await LedgerSession.of(ledger, c.apiKey as string);
      const supplier = await LedgerSession.of(ledger, s.apiKey as string);
      const settled = await Promise.allSettled([
        consumer.submitJob({ deadlineDay: 3 }, "a"),
        consumer.submitJob({ deadlineDay: 3, consumerType: "nope" }, "bad-type"),
        consumer.submitJob({ deadlineDay: 3 }, "b"),
        supplier.postBond(999, "bond-of-no-task"),
        consumer.submitJob({ deadlineDay: 3 }, "c"),
        consumer.submitJob({ deadlineDay: 3 }, "a"), // a retry inside the same group
      ]);
      const status = settled.map((r) =>
        r.status === "fulfilled" ? 200 : (r.reason as { status: number }).status,
      );
      expect(status).toEqual([200, 422, 200, 404, 200, 200]);
      const ids = settled.map((r) => (r.status === "fulfilled" ? (r.value.id as number) : null));
      // three jobs, numbered 1, 2, 3 (the refused write took no id); the retry answers job 1
      expect(ids).toEqual([1, null, 2, null, 3, 1]);
      await ledger.close();

      const reopened = await Ledger.open(u);
      const jobs = await reopened.db.selectFrom("jobs").select("id").orderBy("id").execute();
      expect(jobs.map((j) => j.id)).toEqual([1, 2, 3]);
      // train: 10 units at 10 usd (E1) = 100 usd a job, paid three times
      const fromPostings = await balancesOf(reopened.db);
      const paid = fromPostings.find((b) => b.account === `consumer:${c.id}`);
      expect(paid?.amount).toBe(-300);
      const cached = await reopened.db.selectFrom("balances").selectAll().execute();
      for (const b of fromPostings) {
        const kept = cached.find((x) => x.account === b.account && x.currency === b.currency);
        expect(kept?.amount ?? 0).toBeCloseTo(b.amount, 9);
      }
      await reopened.close();
    });
  });
