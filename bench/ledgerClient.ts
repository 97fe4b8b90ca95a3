/**
 * The clients of the ledger's event benchmark (bench/ledger.ts), run in a process of their own so
 * that the server's CPU time can be measured apart: `clients` keep-alive connections to
 * 127.0.0.1:`port`, each running its share of `jobs` jobs one event after another (submit,
 * bond, complete, validate).
 */
import { Agent, request } from "node:http";

export interface ClientKeys {
  readonly consumer: string;
  readonly supplier: string;
  readonly validator: string;
}

/** A JSON POST with a fresh idempotency key; rejects on any answer ≥ 300. */
export function poster(port: number, clients: number, prefix: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  let k = 0;
  const post = (key: string, path: string, body: unknown = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path,
          method: "POST",
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
            "idempotency-key": `${prefix}${k++}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const answer = Buffer.concat(chunks).toString();
            if ((res.statusCode ?? 500) >= 300)
              reject(new Error(`${path}: ${res.statusCode} ${answer}`));
            else resolve(JSON.parse(answer));
          });
        },
      );
      req.on("error", reject);
      req.end(text);
    });
  return { post, close: () => agent.destroy() };
}

/** Run `clients` concurrent clients of `jobs` jobs in all; the events sent. */
export async function runClients(
  port: number,
  keys: ClientKeys,
  jobs: number,
  clients: number,
): Promise<number> {
  const { post, close } = poster(port, clients, "e");
  const each = Math.ceil(jobs / clients);
  const client = async () => {
    for (let i = 0; i < each; i++) {
      const job = (await post(keys.consumer, "/v1/jobs", { deadlineDay: 1 })) as {
        tasks: { id: number }[];
      };
      const t = job.tasks[0].id;
      await post(keys.supplier, `/v1/tasks/${t}/bond`);
      await post(keys.supplier, `/v1/tasks/${t}/complete`);
      await post(keys.validator, `/v1/tasks/${t}/validation`, { passed: true });
    }
  };
  await Promise.all(Array.from({ length: clients }, () => client()));
  close();
  return 4 * each * clients;
}

// run as a child process of bench/ledger.ts: one message in, one message out
if (process.send)
  process.once(
    "message",
    async (m: { port: number; keys: ClientKeys; jobs: number; clients: number }) => {
      try {
        const events = await runClients(m.port, m.keys, m.jobs, m.clients);
        process.send?.({ events }, () => process.exit(0));
      } catch (e) {
        process.send?.({ error: (e as Error).message }, () => process.exit(1));
      }
    },
  );
