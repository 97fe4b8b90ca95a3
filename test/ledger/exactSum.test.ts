import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { exactSum } from "../../src/ledger/exactSum.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { cleanup, databases, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

describe("exactSum", () => {
  it("is the float64 nearest the exact sum (BigInt oracle), in any order", () => {
    // x = a / 2^k exactly; the oracle adds a · 2^(60−k) as integers and rounds once (Number(bigint)
    // rounds to nearest, ties to even), then divides by 2^60 (exact: a power of two)
    const term = fc.record({
      a: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      k: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(fc.array(term, { maxLength: 30 }), (terms) => {
        const xs = terms.map(({ a, k }) => a / 2 ** k);
        let big = 0n;
        for (const { a, k } of terms) big += BigInt(a) * 2n ** BigInt(60 - k);
        const want = Number(big) / 2 ** 60;
        expect(exactSum(xs)).toBe(want);
        expect(exactSum([...xs].reverse())).toBe(want);
      }),
    );
  });
  it("worked cases: 0.1 + 0.2 − 0.3 is 2^−55; 1e16 + 1 − 1e16 is 1", () => {
    expect(exactSum([0.1, 0.2, -0.3])).toBe(2 ** -55);
    expect(exactSum([1e16, 1, -1e16])).toBe(1);
    expect(0.1 + 0.2 - 0.3).not.toBe(2 ** -55); // the naive sum is not it
  });
});

describe.each(await databases())("GET /v1/balances sums postings exactly ($name)", ({ url }) => {
  it("gives the correctly rounded sum whatever the engine's SUM would", async () => {
    const { ledger } = await newLedger(await url());
    try {
      const base = (await ledger.db.selectFrom("postings").select("id").execute()).length + 1000;
      const rows = [1e16, 1, -1e16, 0.1, 0.2, -0.3].map((amount, i) => ({
        id: base + i,
        txn_id: 999_999,
        day: 0,
        kind: "test",
        account: i < 3 ? "probe:a" : "probe:b",
        currency: "tokens",
        amount,
      }));
      await ledger.db.insertInto("postings").values(rows).execute();
      const b = await balancesOf(ledger.db);
      expect(b.find((r) => r.account === "probe:a")?.amount).toBe(1);
      expect(b.find((r) => r.account === "probe:b")?.amount).toBe(2 ** -55);
    } finally {
      await ledger.close();
    }
  });
});
