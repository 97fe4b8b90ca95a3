import { describe, expect, it } from "vitest";
import { suppliersCsv } from "../../src/marketplace/csv.js";
import type { SupplierRecord } from "../../src/marketplace/result.js";
import { simulate } from "../../src/simulate.js";
import { hostChurn, hostEconomy } from "../feedback/fixtures.js";

const base: SupplierRecord = {
  id: 0,
  supplierClass: "hosts",
  resource: "GPU",
  region: "eu",
  honesty: 0.5,
  dishonest: true,
  joinDay: 3,
  completed: 7,
  validated: 4,
  failed: 3,
  usdEarned: 12.25,
  tokensEarned: 100,
  bondTokensLost: 2,
  reputation: 0.75,
};

describe("suppliers.csv", () => {
  it("writes every field of the record, leftDay empty while the supplier is still a member", () => {
    const text = suppliersCsv([base, { ...base, id: 1, dishonest: false, leftDay: 9 }]);
    expect(text).toBe(
      "id,supplierClass,resource,region,honesty,dishonest,joinDay,leftDay,completed,validated,failed,usdEarned,tokensEarned,bondTokensLost,reputation\n" +
        "0,hosts,GPU,eu,0.5,1,3,,7,4,3,12.25,100,2,0.75\n" +
        "1,hosts,GPU,eu,0.5,0,3,9,7,4,3,12.25,100,2,0.75\n",
    );
  });

  it("a churning marketplace run writes the days its suppliers left", () => {
    // test/marketplace/feedback.test.ts works this case by hand: of 4 hosts, host 3 leaves on
    // day 1 and host 2 on day 9; hosts 0 and 1 stay
    const r = simulate(
      hostEconomy({
        mode: "marketplace",
        days: 12,
        consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 2 }],
        marketplace: { suppliers: { hosts: { capacity: 1 } } },
        feedback: hostChurn(4),
      }),
    );
    expect(r.error).toBeNull();
    const rows = suppliersCsv(r.marketplace!.suppliers).trim().split("\n");
    const at = rows[0].split(",").indexOf("leftDay");
    expect(rows.slice(1).map((l) => l.split(",")[at])).toEqual(["", "", "9", "1"]);
  });
});
