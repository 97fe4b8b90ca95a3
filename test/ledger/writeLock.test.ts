import { hostname } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { LedgerSession } from "../../src/ledger/session.js";
import { cleanup, databases, EXAMPLE } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

/**
 * Decision 145: the one-writer lock of `bme ledger serve` (decision 116) is taken by a library
 * ledger on its first write too, and held until it closes; a ledger that only reads takes none.
 * A server and a library writer on one database would both number ids from their own memory.
 */
for (const { name, url } of await databases())
  describe(`the one-writer lock and library sessions (${name})`, () => {
    it("refuses a library write while a server holds the lock, names it, and numbers on after it", async () => {
      const u = await url();
      const { ledger: server, operatorKey } = await Ledger.init(u, EXAMPLE);
      await server.close();
      // a library ledger opened while no server runs, then a server starts and writes
      const lib = await Ledger.open(u);
      const srv = await Ledger.open(u);
      await srv.holdServeLock();
      const viaServer = await LedgerSession.of(srv, operatorKey);
      const first = await viaServer.createValidator({ name: "v1" }, "v1");
      expect(first.id).toBe(1);
      // the library session reads freely…
      const viaLib = await LedgerSession.of(lib, operatorKey);
      expect((await viaLib.status()).openDay).toBe(0);
      // …but its write is refused: 409 on db, naming this process as the server
      const refused = await viaLib.createValidator({ name: "v2" }, "v2").catch((e) => e);
      expect(refused.name).toBe("LedgerError");
      expect(refused.status).toBe(409);
      expect(refused.field).toBe("db");
      expect(refused.message).toContain(
        `already served by process ${process.pid} on ${hostname()}`,
      );
      expect(refused.message).toContain("write through its HTTP API");
      // the server stops: the same write now goes through, numbered after the server's (2, not 1)
      await srv.close();
      const second = await viaLib.createValidator({ name: "v2" }, "v2");
      expect(second.id).toBe(2);
      await lib.close();
    }, 60_000);

    it("refuses a server while a library session writes, and lets it start once that one closes", async () => {
      const u = await url();
      const { ledger: lib, operatorKey } = await Ledger.init(u, EXAMPLE);
      await (await LedgerSession.of(lib, operatorKey)).createValidator({ name: "v" }, "v");
      const srv = await Ledger.open(u);
      const refused = await srv.holdServeLock().catch((e) => e);
      expect(refused.status).toBe(409);
      expect(refused.message).toContain(`held by a library session of process ${process.pid}`);
      await lib.close();
      await srv.holdServeLock();
      await srv.close();
    }, 60_000);

    it("takes no lock for a session that only reads", async () => {
      const u = await url();
      const { ledger, operatorKey } = await Ledger.init(u, EXAMPLE);
      await ledger.close();
      const reader = await Ledger.open(u);
      const s = await LedgerSession.of(reader, operatorKey);
      await s.status();
      await s.days();
      const srv = await Ledger.open(u);
      await srv.holdServeLock(); // not refused
      await srv.close();
      await reader.close();
    }, 60_000);
  });
