import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, describe, expect, it } from "vitest";
import { ledgerApi } from "../../src/ledger/api.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { cleanup, databases, EXAMPLE } from "./helpers.js";

afterAll(() => cleanup());

/** Over a real socket: a declared Content-Length is checked against the limit before the body. */
describe("the HTTP server's body limit", () => {
  it("refuses a declared length over the limit with 413, and serves one under it", async () => {
    const [sqlite] = await databases();
    const { ledger, operatorKey } = await Ledger.init(await sqlite.url(), EXAMPLE);
    const app = ledgerApi(ledger, { maxBodyBytes: 200 });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const { port } = server.address() as AddressInfo;
    const post = (body: string, key: string) =>
      fetch(`http://127.0.0.1:${port}/v1/validators`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${operatorKey}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body,
      });
    try {
      const big = JSON.stringify({ name: "v".repeat(300) }); // 313 bytes > 200
      const refused = await post(big, "big");
      expect(refused.status).toBe(413);
      expect(await refused.json()).toEqual({ error: "the request body is too large", field: "" });
      const ok = await post(JSON.stringify({ name: "v" }), "small");
      expect(ok.status).toBe(201);
      expect(((await ok.json()) as { id: number }).id).toBe(1);
      const validators = await ledger.db.selectFrom("validators").select("id").execute();
      expect(validators).toEqual([{ id: 1 }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await ledger.close();
    }
  });
});
