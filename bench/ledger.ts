/**
 * `bme ledger` benchmarks (docs/benchmarks.md): sustained job events per second through the HTTP
 * API (submit → assign, bond, complete, validate; one client, and 64 concurrent clients whose
 * writes share group commits) on each database, and the wall time of closing a day with 100,000
 * validated tasks (seeded in bulk, then one close).
 */

import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { ledgerApi } from "../src/ledger/api.js";
import { Ledger, type Principal } from "../src/ledger/ledger.js";
import { startPostgres, stopPostgres } from "../src/ledger/postgresServer.js";
import { poster } from "./ledgerClient.js";

const SCENARIO = {
  name: "bench",
  tokens: { initialSupply: 1_000_000, initialTokenReserve: 1_000_000 },
  phaseOne: { phaseOneDays: 0 },
  suppliers: [{ name: "gpu", count: 0 }],
  consumers: [{ name: "train", unitPrice: 10, unitsPerJob: 10, jobsPerDay: 0 }],
  priceMatrix: { train: { gpu: 1 } },
};

/**
 * Sustained job events per second over HTTP: the API served on 127.0.0.1 (the service's own
 * server, `@hono/node-server`) in this process, `clients` concurrent clients in a child process
 * (bench/ledgerClient.ts) each running its share of `jobs` jobs one event after another: submit
 * (the job is assigned at once), bond, complete, validate. Every event is acknowledged only once
 * committed. Returns events per wall second and per CPU second of the server process.
 */
export async function events(
  url: string,
  jobs: number,
  clients: number,
): Promise<{ rate: number; perCpuSecond: number }> {
  const { ledger, operatorKey } = await Ledger.init(url, SCENARIO);
  const app = ledgerApi(ledger, { ratePerSecond: 1e9 });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const { post, close } = poster(port, 1, "setup");
  const created = async (path: string, body: unknown) =>
    (await post(operatorKey, path, body)) as { apiKey: string };
  const s = await created("/v1/suppliers", { name: "s", supplierClass: "gpu", capacity: 1e6 });
  const v = await created("/v1/validators", { name: "v" });
  const c = await created("/v1/consumers", { name: "c", consumerType: "train" });
  await post(operatorKey, "/v1/market-inputs", { consumerSentiment: 10_000 });
  close();
  const ts = import.meta.url.endsWith(".ts");
  const child = fork(fileURLToPath(new URL(`./ledgerClient.${ts ? "ts" : "js"}`, import.meta.url)));
  const keys = { consumer: c.apiKey, supplier: s.apiKey, validator: v.apiKey };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const answer = await new Promise<{ events?: number; error?: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { events?: number; error?: string }));
    child.once("error", reject);
    child.send({ port, keys, jobs, clients });
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((resolve) => server.close(resolve));
  await ledger.close();
  if (answer.error !== undefined || answer.events === undefined)
    throw new Error(`ledger bench clients: ${answer.error}`);
  return {
    rate: answer.events / seconds,
    perCpuSecond: answer.events / ((cpu.user + cpu.system) / 1e6),
  };
}

/** Seed a day of `n` validated one-task jobs in bulk, then time its close. */
async function closeDay(url: string, n: number): Promise<number> {
  const { ledger } = await Ledger.init(url, SCENARIO);
  const db = ledger.db;
  const op: Principal = { role: "operator", accountId: null, name: "op", id: "op" };
  let key = 0;
  const w = (fn: Parameters<Ledger["write"]>[3]) => ledger.write(op, `k${key++}`, key, fn);
  const sIds: number[] = [];
  for (let i = 0; i < 100; i++)
    sIds.push(
      (
        (
          await w((trx) =>
            ledger.createSupplier(trx, {
              name: `s${i}`,
              supplierClass: "gpu",
              resource: "any",
              region: "g",
              capacity: 1,
              certified: true,
              stake: 0,
            }),
          )
        ).body as { id: number }
      ).id,
    );
  await w((trx) => ledger.createValidator(trx, "v"));
  await w((trx) => ledger.createConsumer(trx, "c", "train"));
  await w((trx) =>
    ledger.postMarketInputs(trx, "op", { consumerSentiment: 100_000, governanceValue: 0 }),
  );
  const maxTxn = Number(
    (
      await db
        .selectFrom("txns")
        .select((eb) => eb.fn.max("id").as("m"))
        .executeTakeFirst()
    )?.m,
  );
  const maxPosting = Number(
    (
      await db
        .selectFrom("postings")
        .select((eb) => eb.fn.max("id").as("m"))
        .executeTakeFirst()
    )?.m,
  );
  await db.transaction().execute(async (trx) => {
    const B = 1000;
    for (let i0 = 0; i0 < n; i0 += B) {
      const ids = Array.from({ length: Math.min(B, n - i0) }, (_, j) => i0 + j + 1);
      await trx
        .insertInto("jobs")
        .values(
          ids.map((id) => ({
            id,
            consumer_id: 1,
            consumer_type: "train",
            units: 10,
            incentive: 0,
            price: 100,
            resource: null,
            regions: null,
            deadline_day: 1,
            day: 0,
          })),
        )
        .execute();
      await trx
        .insertInto("tasks")
        .values(
          ids.map((id) => ({
            id,
            job_id: id,
            consumer_id: 1,
            supplier_class: "gpu",
            share: 1,
            price: 100,
            incentive: 0,
            day: 0,
            deadline_day: 1,
            resource: null,
            regions: null,
            status: "validated",
            excluded: -1,
            attempt_id: id,
            closed_day: 0,
          })),
        )
        .execute();
      await trx
        .insertInto("attempts")
        .values(
          ids.map((id) => ({
            id,
            task_id: id,
            supplier_id: sIds[id % 100],
            assigned_day: 0,
            bond_day: 0,
            completed_day: 0,
            validated_day: 0,
            validator_id: 1,
            outcome: "passed",
            outcome_seq: id,
          })),
        )
        .execute();
      await trx
        .insertInto("txns")
        .values(
          ids.map((id) => ({ id: maxTxn + id, day: 0, kind: "payment", ref: `job:${id}`, at: "" })),
        )
        .execute();
      await trx
        .insertInto("postings")
        .values(
          ids.flatMap((id) => [
            {
              id: maxPosting + 2 * id - 1,
              txn_id: maxTxn + id,
              day: 0,
              kind: "payment",
              account: "incomePending",
              currency: "usd",
              amount: 100,
            },
            {
              id: maxPosting + 2 * id,
              txn_id: maxTxn + id,
              day: 0,
              kind: "payment",
              account: "consumer:1",
              currency: "usd",
              amount: -100,
            },
          ]),
        )
        .execute();
    }
    await trx
      .insertInto("balances")
      .values([
        { account: "incomePending", currency: "usd", amount: 100 * n },
        { account: "consumer:1", currency: "usd", amount: -100 * n },
      ])
      .execute();
  });
  await ledger.hydrate();
  const start = performance.now();
  await w((trx, j) => ledger.closeDay(trx, j, 0));
  const seconds = (performance.now() - start) / 1000;
  await ledger.close();
  return seconds;
}

export async function benchLedger(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "bme-bench-ledger-"));
  const out: string[] = [];
  try {
    const pg = await startPostgres();
    let n = 0;
    const dbs: [string, () => Promise<string>][] = [
      ["sqlite", async () => join(dir, `l${n++}.db`)],
      ["postgres", async () => pg.createDatabase(`bench${n++}`)],
    ];
    for (const [name, url] of dbs) {
      for (const [clients, jobs] of [
        [1, 250],
        [64, 2000],
      ]) {
        const { rate, perCpuSecond } = await events(await url(), jobs, clients);
        out.push(
          `ledger ${name}: ${rate.toFixed(0)} job events/s wall, ${perCpuSecond.toFixed(0)} per CPU-second of the server (${jobs} jobs × submit/bond/complete/validate over HTTP, ${clients} concurrent client${clients > 1 ? "s" : ""})`,
        );
      }
      const s = await closeDay(await url(), 100_000);
      out.push(`ledger ${name}: close of a day with 100,000 validated tasks ${s.toFixed(2)} s`);
    }
  } finally {
    await stopPostgres();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
