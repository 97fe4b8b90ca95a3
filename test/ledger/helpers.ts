import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ledgerApi } from "../../src/ledger/api.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { startPostgres } from "../../src/ledger/postgresServer.js";

/** The two-class economy of the worked example (prices and rows chosen to compute by hand). */
export const EXAMPLE = {
  name: "ledger-example",
  tokens: { initialSupply: 1000, initialTokenReserve: 1000, initialDollarReserve: 0 },
  phaseOne: { phaseOneDays: 1, fracPhaseOneTokens: 0.1 },
  onchain: {
    buybackModulation: 0.5,
    fiatOperationsFraction: 0.2,
    bondModulation: 0.1,
    validationModulator: 1,
  },
  suppliers: [
    { name: "gpu", count: 0, phaseOneTarget: 1 },
    { name: "ann", count: 0 },
  ],
  consumers: [
    { name: "train", unitPrice: 10, unitsPerJob: 10, jobsPerDay: 0 },
    { name: "pipe", unitPrice: 20, unitsPerJob: 10, jobsPerDay: 0 },
  ],
  priceMatrix: { train: { gpu: 1 }, pipe: { gpu: 0.75, ann: 0.25 } },
};

let dirs: string[] = [];
let n = 0;

/** Database URLs the suite runs on: embedded SQLite always, PostgreSQL when it can start here. */
export async function databases(): Promise<{ name: string; url: () => Promise<string> }[]> {
  return [
    {
      name: "sqlite",
      url: async () => {
        const d = mkdtempSync(join(tmpdir(), "bme-ledger-"));
        dirs.push(d);
        return join(d, "ledger.db");
      },
    },
    {
      name: "postgres",
      url: async () => {
        const pg = await startPostgres();
        return pg.createDatabase(`t${process.pid}_${n++}`);
      },
    },
  ];
}

export function cleanup(): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
}

/** A client of the API in process (app.request): every write carries a fresh idempotency key. */
export class Client {
  private k = 0;
  constructor(
    readonly app: ReturnType<typeof ledgerApi>,
    readonly key: string,
  ) {}

  async req(method: string, path: string, body?: unknown, idem?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (method === "POST") {
      headers["content-type"] = "application/json";
      headers["idempotency-key"] = idem ?? `k${this.k++}-${Math.random()}`;
    }
    const res = await this.app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {}
    // biome-ignore lint/suspicious/noExplicitAny: test convenience
    return { status: res.status, body: json as any };
  }
  post(path: string, body?: unknown, idem?: string) {
    return this.req("POST", path, body ?? {}, idem);
  }
  get(path: string) {
    return this.req("GET", path);
  }
  as(key: string) {
    return new Client(this.app, key);
  }
}

export async function newLedger(
  url: string,
  scenario: unknown = EXAMPLE,
  priceSource: "model" | "feed" = "model",
) {
  const { ledger, operatorKey } = await Ledger.init(url, scenario, { priceSource });
  const app = ledgerApi(ledger);
  return { ledger, app, op: new Client(app, operatorKey) };
}
