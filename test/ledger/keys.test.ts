import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ledgerApi } from "../../src/ledger/api.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { cleanup, databases, newLedger } from "./helpers.js";

afterAll(async () => {
  cleanup();
  await stopPostgres();
});

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
function bme(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, BME_DEBUG: "" },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout.trim() };
}

describe.each(await databases())("an account that lost its key ($name)", ({ url }) => {
  it("bme ledger keys --account issues a new key and revokes the old ones; --keep-old keeps them", async () => {
    const db = await url();
    const { ledger, op } = await newLedger(db);
    const s = (await op.post("/v1/suppliers", { name: "g1", supplierClass: "gpu" })).body;
    const statement = `/v1/statements/suppliers/${s.id}`;
    // a server that is running while another process revokes the key: it trusts a looked-up
    // key for keyCacheMs only (default 5 s; 100 ms here, and the CLI takes longer than that)
    const live = ledgerApi(ledger, { keyCacheMs: 100 });
    const liveRead = async (key: string) =>
      (await live.request(statement, { headers: { authorization: `Bearer ${key}` } })).status;
    expect(await liveRead(s.apiKey)).toBe(200);

    const first = bme("ledger", "keys", "--db", db, "--account", `supplier:${s.id}`);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/revoked 1 earlier key/);
    const second = bme("ledger", "keys", "--db", db, "--account", `supplier:${s.id}`, "--keep-old");
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/revoked 0 earlier key/);
    expect(await liveRead(s.apiKey)).toBe(401);
    expect(await liveRead(second.stdout)).toBe(200);
    await ledger.close();

    const reopened = await Ledger.open(db);
    const app = ledgerApi(reopened);
    const read = async (key: string) =>
      (await app.request(statement, { headers: { authorization: `Bearer ${key}` } })).status;
    expect(await read(s.apiKey)).toBe(401); // revoked by the first re-issue
    expect(await read(first.stdout)).toBe(200); // kept by --keep-old
    expect(await read(second.stdout)).toBe(200);
    // the new key is the supplier's, not another account's
    const other = await reopened.authenticate(second.stdout);
    expect(other).toMatchObject({ role: "supplier", accountId: s.id, name: "g1" });
    await reopened.close();
  });
});

describe("bme ledger keys: bad requests are messages", () => {
  it("an unknown account, a malformed --account, and neither --role nor --account", async () => {
    const [sqlite] = await databases();
    const db = await sqlite.url();
    const { ledger } = await newLedger(db);
    await ledger.close();
    const missing = bme("ledger", "keys", "--db", db, "--account", "validator:7");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/account: no validator 7/);
    const malformed = bme("ledger", "keys", "--db", db, "--account", "miner-7");
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/--account: "miner-7" is not ROLE:ID/);
    const neither = bme("ledger", "keys", "--db", db);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toMatch(/give --role and --name, or --account/);
    for (const r of [missing, malformed, neither]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
