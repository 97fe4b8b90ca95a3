import { columnNames } from "../engine/columns.js";
import type { LedgerFigures } from "./close.js";
import { type LedgerDb, num } from "./db.js";
import { LedgerError } from "./errors.js";
import { ExactSum } from "./exactSum.js";
import type { Ledger } from "./ledger.js";

type Row = Record<string, number>;

/** A plain CSV of rows of numbers (header from the first row's keys, or `columns`). */
export function statementCsv(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : ["day"]);
  return `${cols.join(",")}\n${rows.map((r) => cols.map((k) => String(r[k] ?? 0)).join(",")).join("\n")}${rows.length ? "\n" : ""}`;
}

/**
 * Every account's balance per currency, summed from its postings (not the balance cache): the
 * correctly rounded sum of each account's postings (src/ledger/exactSum.ts), so both engines give
 * the same float64 for the same postings (SQL `SUM`'s order and method differ by engine).
 * Ordered by account, then currency (code-point order, the same on both engines).
 */
export async function balancesOf(
  db: LedgerDb,
): Promise<{ account: string; currency: string; amount: number }[]> {
  const rows = await db
    .selectFrom("postings")
    .select(["account", "currency", "amount"])
    .orderBy("id")
    .execute();
  const sums = new Map<string, ExactSum>();
  for (const r of rows) {
    const key = `${r.account}\u0000${r.currency}`;
    let s = sums.get(key);
    if (!s) {
      s = new ExactSum();
      sums.set(key, s);
    }
    s.add(num(r.amount));
  }
  return [...sums.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key, s]) => {
      const cut = key.indexOf("\u0000");
      return { account: key.slice(0, cut), currency: key.slice(cut + 1), amount: s.value() };
    });
}

const perDay = (m: Map<number, Row>, day: number, init: Row): Row => {
  let r = m.get(day);
  if (!r) {
    r = { day, ...init };
    m.set(day, r);
  }
  return r;
};

/**
 * A supplier's statement: per day, tasks validated / failed / expired, USD and tokens earned
 * (task pay, phase-2 emission, stake released), phase-1 stake, bonds posted (usd, tokens),
 * returned and lost, onboarding fee; with totals and the current reputation (E20).
 */
export async function supplierStatement(ledger: Ledger, id: number) {
  const db = ledger.db;
  const s = await db.selectFrom("suppliers").selectAll().where("id", "=", id).executeTakeFirst();
  if (!s) throw noAccount("supplier", id);
  const init: Row = {
    tasksValidated: 0,
    tasksFailed: 0,
    tasksExpired: 0,
    tasksAbandoned: 0,
    usdEarned: 0,
    tokensEarned: 0,
    phaseOneStake: 0,
    bondUsdPaid: 0,
    bondTokensPosted: 0,
    bondTokensReturned: 0,
    bondTokensLost: 0,
    onboardingFeeUsd: 0,
  };
  const days = new Map<number, Row>();
  const outcomes = await db
    .selectFrom("attempts")
    .select(["validated_day", "outcome"])
    .where("supplier_id", "=", id)
    .where("outcome", "!=", "open")
    .orderBy("outcome_seq")
    .execute();
  for (const o of outcomes) {
    const r = perDay(days, o.validated_day as number, init);
    if (o.outcome === "passed") r.tasksValidated++;
    else if (o.outcome === "failed") r.tasksFailed++;
    else if (o.outcome === "abandoned") r.tasksAbandoned++;
    else r.tasksExpired++;
  }
  const postings = await db
    .selectFrom("postings")
    .innerJoin("txns", "txns.id", "postings.txn_id")
    .select([
      "postings.day as day",
      "postings.kind as kind",
      "postings.account as account",
      "postings.currency as currency",
      "postings.amount as amount",
    ])
    .where((eb) =>
      eb.or([
        eb("postings.account", "in", [`supplier:${id}`, `stake:${id}`]),
        eb.and([eb("txns.ref", "=", `supplier:${id}`), eb("postings.account", "=", "bondEscrow")]),
      ]),
    )
    .orderBy("postings.id")
    .execute();
  for (const p of postings) {
    const r = perDay(days, p.day, init);
    const own = p.account === `supplier:${id}`;
    if (p.kind === "taskPay" && own) {
      if (p.currency === "usd") r.usdEarned += p.amount;
      else r.tokensEarned += p.amount;
    } else if ((p.kind === "phaseTwoEmission" || p.kind === "stakeReleased") && own)
      r.tokensEarned += p.amount;
    else if (p.kind === "phaseOneEmission") r.phaseOneStake += p.amount;
    else if (p.kind === "bondPosted" && own) r.bondUsdPaid -= p.amount;
    else if (p.kind === "bondPosted" && p.account === "bondEscrow") r.bondTokensPosted += p.amount;
    else if (p.kind === "bondReturned" && own) r.bondTokensReturned += p.amount;
    else if (p.kind === "bondLost" && p.account === "bondEscrow") r.bondTokensLost -= p.amount;
    else if (p.kind === "onboardingFee" && own && p.currency === "usd")
      r.onboardingFeeUsd -= p.amount;
  }
  const rows = [...days.values()].sort((a, b) => a.day - b.day);
  const totals: Row = { ...init };
  for (const r of rows) for (const k of Object.keys(init)) totals[k] += r[k];
  const d = await ledgerReputation(
    ledger,
    id,
    outcomes.map((o) => o.outcome === "passed"),
  );
  const left = await db
    .selectFrom("departures")
    .select(["day", "reason"])
    .where("supplier_id", "=", id)
    .executeTakeFirst();
  const supplier = {
    id: s.id,
    name: s.name,
    supplierClass: s.supplier_class,
    resource: s.resource,
    region: s.region,
    capacity: s.capacity,
    certified: s.certified === 1,
    stake: s.stake,
    joinedDay: s.joined_day,
  };
  return { supplier: { ...supplier, reputation: d, departure: left ?? null }, days: rows, totals };
}

async function ledgerReputation(ledger: Ledger, _id: number, outcomes: boolean[]) {
  const { reputation } = await import("../marketplace/reputation.js");
  const w = ledger.onchain.reputationWindowJobs;
  const last = outcomes.slice(Math.max(0, outcomes.length - w));
  return reputation(last.filter((o) => o).length, last.length, 1);
}

/** The 404 of a statement of an account that does not exist. */
function noAccount(kind: string, id: number): LedgerError {
  return new LedgerError(404, "id", `no ${kind} ${id}`);
}

/** A consumer's statement: per day, jobs submitted, USD paid, USD refunded. */
export async function consumerStatement(ledger: Ledger, id: number) {
  const db = ledger.db;
  const c = await db.selectFrom("consumers").selectAll().where("id", "=", id).executeTakeFirst();
  if (!c) throw noAccount("consumer", id);
  const init: Row = { jobs: 0, usdPaid: 0, usdRefunded: 0 };
  const days = new Map<number, Row>();
  const jobs = await db.selectFrom("jobs").select(["day"]).where("consumer_id", "=", id).execute();
  for (const j of jobs) perDay(days, j.day, init).jobs++;
  const postings = await db
    .selectFrom("postings")
    .select(["day", "kind", "amount"])
    .where("account", "=", `consumer:${id}`)
    .orderBy("id")
    .execute();
  for (const p of postings) {
    const r = perDay(days, p.day, init);
    if (p.kind === "payment") r.usdPaid -= p.amount;
    else if (p.kind === "refund") r.usdRefunded += p.amount;
  }
  const rows = [...days.values()].sort((a, b) => a.day - b.day);
  const totals: Row = { ...init };
  for (const r of rows) for (const k of Object.keys(init)) totals[k] += r[k];
  const consumer = {
    id: c.id,
    name: c.name,
    consumerType: c.consumer_type,
    joinedDay: c.joined_day,
  };
  return { consumer, days: rows, totals };
}

/** A validator's statement: per day, validations reported and tokens earned (E14). */
export async function validatorStatement(ledger: Ledger, id: number) {
  const db = ledger.db;
  const v = await db.selectFrom("validators").selectAll().where("id", "=", id).executeTakeFirst();
  if (!v) throw noAccount("validator", id);
  const init: Row = { validations: 0, tokensEarned: 0 };
  const days = new Map<number, Row>();
  const reports = await db
    .selectFrom("attempts")
    .select(["validated_day"])
    .where("validator_id", "=", id)
    .execute();
  for (const r of reports) perDay(days, r.validated_day as number, init).validations++;
  const postings = await db
    .selectFrom("postings")
    .select(["day", "amount"])
    .where("account", "=", `validator:${id}`)
    .execute();
  for (const p of postings) perDay(days, p.day, init).tokensEarned += p.amount;
  const rows = [...days.values()].sort((a, b) => a.day - b.day);
  const totals: Row = { ...init };
  for (const r of rows) for (const k of Object.keys(init)) totals[k] += r[k];
  return { validator: { id: v.id, name: v.name, joinedDay: v.joined_day }, days: rows, totals };
}

export type DayRow = Row & { ledger: LedgerFigures };

/**
 * The economy's daily table (docs/model.md §7) of the closed days `from … to` (each bound only
 * when given: no default is bound into the query, since a `day` column is a 4-byte integer on
 * PostgreSQL), with the ledger's own figures.
 */
export async function dayTable(ledger: Ledger, from?: number, to?: number): Promise<DayRow[]> {
  let q = ledger.db.selectFrom("days").select("row");
  if (from !== undefined) q = q.where("day", ">=", from);
  if (to !== undefined) q = q.where("day", "<=", to);
  const rows = await q.orderBy("day").execute();
  return rows.map((r) => JSON.parse(r.row) as DayRow);
}

/**
 * The ledger's own figures of a closed day, in the order of the JSON row's `ledger` object: the one
 * list both forms of `GET /v1/days` use. A mapped type, so a figure added to `LedgerFigures` and
 * not here does not compile.
 */
const LEDGER_FIGURES: { readonly [K in keyof LedgerFigures]: true } = {
  validatedTasks: true,
  failedTasks: true,
  abandonedTasks: true,
  expiredTasks: true,
  refundedUsd: true,
  refundShortfallUsd: true,
  usdPaidToSuppliers: true,
  tokensPaidToSuppliers: true,
  bondTokensPosted: true,
  bondTokensReturned: true,
  bondTokensLost: true,
  usdEscrow: true,
  pendingTokens: true,
  bondEscrow: true,
  priceSource: true,
};
export const LEDGER_COLUMNS = Object.keys(LEDGER_FIGURES) as readonly (keyof LedgerFigures)[];

/**
 * The daily table as CSV: the §7 columns in order, then every `ledger.*` figure of the JSON form
 * (`priceSource` as its text; a figure a day closed before it existed left empty).
 */
export function dayTableCsv(ledger: Ledger, rows: readonly DayRow[]): string {
  const cols = columnNames(ledger.economy.consumerTypes, ledger.economy.supplierClasses);
  const header = [...cols, ...LEDGER_COLUMNS.map((c) => `ledger.${c}`)];
  const lines = rows.map((r) =>
    [
      ...cols.map((c) => String(r[c] ?? 0)),
      ...LEDGER_COLUMNS.map((c) => String(r.ledger[c] ?? "")),
    ].join(","),
  );
  return `${header.join(",")}\n${lines.map((l) => `${l}\n`).join("")}`;
}
