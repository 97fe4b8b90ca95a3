/**
 * `bme-sim/ledger`: the double-entry ledger of issue 14 as a library (docs/library.md,
 * docs/ledger.md). Embed it without HTTP — `createLedger` / `openLedger`, then a
 * `LedgerSession` per API key with the HTTP API's roles, schemas and idempotency — or serve it
 * yourself with `ledgerApi` (a Hono app). Loads `better-sqlite3` or `pg` only for the database
 * it opens.
 */
export { type ApiOptions, ledgerApi } from "./api.js";
export { LedgerError } from "./errors.js";
export {
  Ledger,
  type PriceSource,
  type Principal,
  ROLES,
  type Role,
  type WriteResult,
} from "./ledger.js";
export { createLedger, type LedgerAnswer, LedgerSession, openLedger } from "./session.js";
export {
  balancesOf,
  consumerStatement,
  type DayRow,
  dayTable,
  dayTableCsv,
  statementCsv,
  supplierStatement,
  validatorStatement,
} from "./statements.js";
export { type ExportedScenario, exportScenario } from "./twin.js";
