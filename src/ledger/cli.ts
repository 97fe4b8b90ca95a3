import { writeFileSync } from "node:fs";
import type { Command } from "@commander-js/extra-typings";
import { action, CliError, EXIT_FAILURE } from "../cli/errors.js";
import { realNumber, wholeNumber } from "../cli/options.js";

const dbOption = "--db <url>";
const dbHelp = "database: postgres://… or an SQLite file path (default ./ledger.db)";

/** `bme ledger …`: init, serve, keys, export-scenario (issue 14; docs/ledger.md). */
export function registerLedger(program: Command): void {
  const ledger = program
    .command("ledger")
    .description("run the BME economy for real: a double-entry ledger service on a database");
  initCommand(ledger);
  serveCommand(ledger);
  keysCommand(ledger);
  exportScenarioCommand(ledger);
}

/** `bme ledger init`: create a ledger from a scenario; prints the operator key once. */
function initCommand(ledger: Command): void {
  ledger
    .command("init")
    .description(
      "create a ledger from a scenario (its consumer types, supplier classes, tokens, on-chain values); prints the operator key once",
    )
    .requiredOption("--scenario <file>", "scenario file (YAML or JSON)")
    .option(dbOption, dbHelp, "./ledger.db")
    .option(
      "--price-source <source>",
      "model (E10) or feed (the operator posts the day's price)",
      "model",
    )
    .action(
      action(async (opts) => {
        if (opts.priceSource !== "model" && opts.priceSource !== "feed")
          throw new CliError(`--price-source: expected model or feed, got "${opts.priceSource}"`);
        const { Ledger } = await import("./ledger.js");
        // the loader of `bme run`: extends and CSV series relative to the scenario file
        const { loadScenario } = await import("../scenario/load.js");
        const { scenario } = loadScenario(opts.scenario);
        const { ledger: l, operatorKey } = await Ledger.init(opts.db, scenario, {
          priceSource: opts.priceSource,
          source: opts.scenario,
        }).catch(rethrow);
        await l.close();
        process.stdout.write(
          `ledger created in ${opts.db}\noperator key (shown once): ${operatorKey}\n`,
        );
      }),
    );
}

/** `bme ledger serve`: serve the HTTP API until SIGINT/SIGTERM. */
function serveCommand(ledger: Command): void {
  ledger
    .command("serve")
    .description("serve the ledger's HTTP API (binds 127.0.0.1 unless --host says otherwise)")
    .option(dbOption, dbHelp, "./ledger.db")
    .option("--port <n>", "port (0 = any free port)", wholeNumber("--port", 0, 65_535), 8787)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option(
      "--rate <n>",
      "requests per second per API key",
      realNumber("--rate", { min: 0, minOpen: true }),
      5000,
    )
    .action(
      action(async (opts) => {
        const { port, rate } = opts;
        const { Ledger } = await import("./ledger.js");
        const { ledgerApi } = await import("./api.js");
        const { serve } = await import("@hono/node-server");
        const l = await Ledger.open(opts.db).catch(rethrow);
        // one server per database: a second one is refused before it serves (exit 1, "busy")
        await l.holdServeLock().catch(async (e) => {
          await l.close();
          if (e instanceof Error && e.name === "LedgerError")
            throw new CliError(
              `${(e as Error & { field: string }).field}: ${e.message}`,
              EXIT_FAILURE,
            );
          throw e;
        });
        if (opts.host !== "127.0.0.1" && opts.host !== "localhost" && opts.host !== "::1")
          process.stderr.write(
            `warning: binding ${opts.host}: the ledger is reachable from other machines; put TLS in front of it\n`,
          );
        const app = ledgerApi(l, { ratePerSecond: rate });
        const server = serve({ fetch: app.fetch, port, hostname: opts.host }, (info) => {
          process.stdout.write(
            `bme ledger: http://${opts.host}:${info.port} (database ${l.dbKind}, open day ${l.openDay})\n`,
          );
        });
        // a port in use or an address that cannot be bound: a message like bme serve's, no stack
        await new Promise<void>((listening, failed) => {
          server.once("listening", listening);
          server.once("error", failed);
        }).catch(async (e: NodeJS.ErrnoException) => {
          await l.close();
          if (e.code === "EADDRINUSE")
            throw new CliError(`port ${opts.port} is in use: pick another with --port (0 = any)`);
          throw new CliError(`cannot listen on ${opts.host}:${opts.port}: ${e.message}`);
        });
        const stop = () => {
          server.close();
          void l
            .close() // releases the lock too
            .then(() => process.exit(0));
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      }),
    );
}

/** `bme ledger keys`: create an API key directly in the database. */
function keysCommand(ledger: Command): void {
  ledger
    .command("keys")
    .description(
      "create an API key directly in the database: a lost operator key (--role), or a new key for an account (--account)",
    )
    .option("--role <role>", "operator or governance")
    .option("--name <name>", "who holds the key (with --role)")
    .option(
      "--account <role:id>",
      "an existing account that lost its key, e.g. supplier:3 (consumer, supplier or validator); its old keys are revoked",
    )
    .option("--keep-old", "with --account: keep the account's earlier keys working")
    .option(dbOption, dbHelp, "./ledger.db")
    .action(
      action(async (opts) => {
        const account = opts.account === undefined ? null : parseAccount(opts.account);
        if (account === null && (opts.role === undefined || opts.name === undefined))
          throw new CliError("give --role and --name, or --account ROLE:ID");
        if (account !== null && opts.role !== undefined)
          throw new CliError("--account and --role: give one of them");
        const { Ledger } = await import("./ledger.js");
        // a key takes no id the server numbers: safe beside a running server (no lock)
        const l = await Ledger.open(opts.db, { writeLock: false }).catch(rethrow);
        try {
          const r = await l
            .write(
              { role: "operator", accountId: null, name: "cli", id: "cli" },
              `cli-key-${Date.now()}-${Math.random()}`,
              opts,
              (trx) =>
                account === null
                  ? l.createKey(trx, opts.role as "operator", opts.name as string)
                  : l.reissueAccountKey(trx, account.role, account.id, opts.keepOld === true),
            )
            .catch(rethrow);
          const body = r.body as { apiKey: string; revoked?: number };
          if (body.revoked !== undefined)
            process.stderr.write(`revoked ${body.revoked} earlier key(s) of ${opts.account}\n`);
          process.stdout.write(`${body.apiKey}\n`);
        } finally {
          await l.close();
        }
      }),
    );
}

/** `--account supplier:3` → { role, id }; a clear message for anything else. */
export function parseAccount(text: string): {
  role: "consumer" | "supplier" | "validator";
  id: number;
} {
  const m = /^(consumer|supplier|validator):(\d+)$/.exec(text.trim());
  if (!m)
    throw new CliError(
      `--account: "${text}" is not ROLE:ID with ROLE consumer, supplier or validator (e.g. supplier:3)`,
    );
  return { role: m[1] as "consumer" | "supplier" | "validator", id: Number(m[2]) };
}

/** `bme ledger export-scenario`: write days FROM…TO as a scenario (the digital twin). */
function exportScenarioCommand(ledger: Command): void {
  ledger
    .command("export-scenario")
    .description(
      "write the ledger's history of days FROM…TO as a scenario (the digital twin) for bme run / compare",
    )
    .option("--from <day>", "first day", wholeNumber("--from", 0, Number.MAX_SAFE_INTEGER), 0)
    .requiredOption(
      "--to <day>",
      "last day (closed)",
      wholeNumber("--to", 0, Number.MAX_SAFE_INTEGER),
    )
    .requiredOption("--out <file>", "scenario file to write (.yaml or .json)")
    .option(dbOption, dbHelp, "./ledger.db")
    .action(
      action(async (opts) => {
        const { Ledger } = await import("./ledger.js");
        const { exportScenario } = await import("./twin.js");
        const l = await Ledger.open(opts.db).catch(rethrow);
        try {
          const { scenario, warnings } = await exportScenario(l, opts.from, opts.to).catch(rethrow);
          for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
          const { stringify } = await import("yaml");
          writeFileSync(
            opts.out,
            opts.out.endsWith(".json")
              ? `${JSON.stringify(scenario, null, 2)}\n`
              : stringify(scenario),
          );
          process.stdout.write(`wrote ${opts.out}\n`);
        } finally {
          await l.close();
        }
      }),
    );
}

function rethrow(e: unknown): never {
  if (e instanceof Error && e.name === "LedgerError") {
    const f = (e as Error & { field: string }).field;
    throw new CliError(f ? `${f}: ${e.message}` : e.message);
  }
  throw e;
}
