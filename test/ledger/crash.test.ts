import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import { stopPostgres } from "../../src/ledger/postgresServer.js";
import { balancesOf } from "../../src/ledger/statements.js";
import { cleanup, databases, EXAMPLE } from "./helpers.js";

const KILLS = Number(process.env.LEDGER_KILLS ?? 21);
const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
afterAll(async () => {
  cleanup();
  await stopPostgres();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function serve(db: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [CLI, "ledger", "serve", "--db", db, "--port", String(port)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("bme ledger:")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`ledger exited ${code}`)));
  });
}

/** One logical request, retried with its idempotency key until acknowledged. */
interface Req {
  readonly key: string;
  readonly auth: string;
  readonly path: string;
  readonly body: unknown;
}

describe.each(await databases())("crash safety ($name)", ({ url }) => {
  it("SIGKILL at random moments (ingestion and closes, 21 kills) loses and doubles nothing; every close is whole or absent", async () => {
    const db = await url();
    const scenarioFile = join(mkdtempSync(join(tmpdir(), "bme-crash-")), "s.json");
    writeFileSync(scenarioFile, JSON.stringify(EXAMPLE));
    const init = spawnSync(
      process.execPath,
      [CLI, "ledger", "init", "--db", db, "--scenario", scenarioFile],
      {
        encoding: "utf8",
      },
    );
    expect(init.status).toBe(0);
    const opKey = (init.stdout.match(/operator key \(shown once\): (\S+)/) as RegExpMatchArray)[1];
    const port = await freePort();
    let child = await serve(db, port);
    let rng = 14;
    const rand = () => {
      rng = (rng * 1103515245 + 12345) % 2147483648;
      return rng / 2147483648;
    };
    let acks = 0;
    const send = async (r: Req) => {
      for (;;) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}${r.path}`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${r.auth}`,
              "content-type": "application/json",
              "idempotency-key": r.key,
            },
            body: JSON.stringify(r.body),
          });
          // biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers
          const body = (await res.json()) as any;
          acks++;
          return { status: res.status, body };
        } catch {
          await new Promise((ok) => setTimeout(ok, 20)); // the server is down: retry the same key
        }
      }
    };
    const setup = async (path: string, body: unknown, key: string) =>
      (await send({ key, auth: opKey, path, body })).body;
    const sup = await setup(
      "/v1/suppliers",
      { name: "g", supplierClass: "gpu", capacity: 1000 },
      "s",
    );
    const ann = await setup(
      "/v1/suppliers",
      { name: "a", supplierClass: "ann", capacity: 1000 },
      "a",
    );
    const val = await setup("/v1/validators", { name: "v" }, "v");
    const con = await setup("/v1/consumers", { name: "c", consumerType: "pipe" }, "c");
    await setup("/v1/market-inputs", { consumerSentiment: 2000 }, "m");

    let kills = 0;
    let jobs = 0;
    let day = 0;
    const killer = async () => {
      while (kills < KILLS) {
        // after a few more acknowledged requests, then a moment later: mid-request or mid-close
        const target = acks + 1 + Math.floor(rand() * 6);
        while (acks < target) await new Promise((ok) => setTimeout(ok, 2));
        await new Promise((ok) => setTimeout(ok, rand() * 15));
        const victim = child;
        victim.kill("SIGKILL");
        await new Promise((ok) => victim.once("exit", ok));
        kills++;
        if (process.env.LEDGER_DEBUG)
          console.log("kill", kills, "jobs", jobs, "day", day, Date.now() % 100000);
        child = await serve(db, port);
      }
    };
    const work = async () => {
      while (kills < KILLS) {
        const job = await send({
          key: `job-${jobs}`,
          auth: con.apiKey,
          path: "/v1/jobs",
          body: { deadlineDay: day + 1 },
        });
        expect(job.status).toBe(201);
        jobs++;
        for (const t of job.body.tasks) {
          const auth = t.supplierId === sup.id ? sup.apiKey : ann.apiKey;
          expect(
            (await send({ key: `b${t.id}`, auth, path: `/v1/tasks/${t.id}/bond`, body: {} }))
              .status,
          ).toBe(200);
          expect(
            (await send({ key: `c${t.id}`, auth, path: `/v1/tasks/${t.id}/complete`, body: {} }))
              .status,
          ).toBe(200);
          const v = await send({
            key: `v${t.id}`,
            auth: val.apiKey,
            path: `/v1/tasks/${t.id}/validation`,
            body: { passed: true },
          });
          expect(v.status).toBe(200);
        }
        if (jobs % 2 === 0) {
          const c = await send({
            key: `close-${day}`,
            auth: opKey,
            path: "/v1/days/close",
            body: { day },
          });
          expect(c.status).toBe(200);
          day++;
        }
      }
    };
    await Promise.all([killer(), work()]);
    child.kill("SIGKILL");
    await new Promise((ok) => child.once("exit", ok));
    expect(kills).toBeGreaterThanOrEqual(Math.min(20, KILLS));

    const l = await Ledger.open(db);
    try {
      // nothing lost, nothing doubled
      const nJobs = (await l.db.selectFrom("jobs").select("id").execute()).length;
      expect(nJobs).toBe(jobs);
      const payments = await l.db
        .selectFrom("postings")
        .selectAll()
        .where("kind", "=", "payment")
        .where("account", "=", `consumer:${con.id}`)
        .execute();
      expect(payments.length).toBe(jobs);
      expect(payments.reduce((a, p) => a - p.amount, 0)).toBeCloseTo(200 * jobs, 9);
      expect(
        (await l.db.selectFrom("tasks").select("id").where("status", "!=", "validated").execute())
          .length,
      ).toBe(0);
      // every close whole: each closed day has its row and its income transaction, none beyond
      const days = (await l.db.selectFrom("days").select("day").orderBy("day").execute()).map(
        (d) => d.day,
      );
      expect(days).toEqual(Array.from({ length: day }, (_, i) => i));
      const incomeDays = (
        await l.db
          .selectFrom("txns")
          .select("day")
          .where("kind", "=", "income")
          .orderBy("day")
          .execute()
      ).map((d) => d.day);
      expect(incomeDays).toEqual(days);
      expect(l.openDay).toBe(day);
      expect(day).toBeGreaterThanOrEqual(2);
      // the balances are their postings, and I1 holds
      const balances = await balancesOf(l.db);
      const cache = await l.db.selectFrom("balances").selectAll().execute();
      for (const b of balances) {
        const c = cache.find((x) => x.account === b.account && x.currency === b.currency);
        expect(c?.amount ?? 0).toBeCloseTo(b.amount, 6);
      }
      expect(
        balances.filter((b) => b.currency === "tokens").reduce((a, b) => a + b.amount, 0),
      ).toBeCloseTo(0, 6);
    } finally {
      await l.close();
    }
  }, 400_000);
});
