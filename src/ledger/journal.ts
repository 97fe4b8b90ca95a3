import type { Kysely, Transaction } from "kysely";
import type { CompiledStatements } from "./compiled.js";
import type { Tables } from "./db.js";
import { ExactSum } from "./exactSum.js";

/**
 * The double-entry journal. Accounts (docs/ledger.md):
 *
 * tokens — `genesis` (the day-0 origin of every token, never moves again), `market` (circulating
 * tokens outside the ledger's named accounts: exchanges and holders), `tokenReserve` (free
 * reserve), `tokenReserve:earmarked` (tokens bought back for tasks not yet validated: part of the
 * reserve, owed to their suppliers), `locked`, `bondEscrow`, `supplier:<id>`, `stake:<id>`
 * (phase-one emission, staked until phase 2), `validator:<id>`.
 *
 * usd — `genesis`, `consumer:<id>` (minus what the consumer paid, plus refunds), `incomePending`
 * (payments of the open day, split at its close), `dollarReserve`, `usdEscrow` (USD shares of
 * tasks not yet validated), `market` (USD spent buying tokens), `supplier:<id>` (USD shares
 * earned minus USD spent on bonds and onboarding fees).
 *
 * Every transaction's postings sum to exactly 0 per currency, in exact (real) arithmetic, not
 * only in float64 in one order: a transfer's two legs are `a` and `−a`; a fan-out's source is
 * written as minus the exact sum of its recipients, as one posting per non-overlapping partial of
 * that sum (src/ledger/exactSum.ts; one posting unless the float64 sum would round). `post`
 * refuses a transaction whose exact sum is not 0. Balances are the exact sums of postings.
 */
export type Currency = "usd" | "tokens";

export interface Leg {
  readonly account: string;
  readonly currency: Currency;
  readonly amount: number;
}

export type Db = Kysely<Tables> | Transaction<Tables>;

/** A transfer of `amount` from one account to another: two legs that sum to exactly 0. */
export function transfer(from: string, to: string, currency: Currency, amount: number): Leg[] {
  return [
    { account: to, currency, amount },
    { account: from, currency, amount: -amount },
  ];
}

/**
 * One source paying several recipients: the source's legs are minus the recipients' exact sum,
 * one leg per partial of it (largest first; one leg when the float64 sum is exact), so the
 * transaction sums to exactly 0.
 */
export function fanOut(
  from: string,
  currency: Currency,
  to: readonly (readonly [string, number])[],
): Leg[] {
  const legs: Leg[] = [];
  const sum = new ExactSum();
  for (const [account, amount] of to) {
    if (amount === 0) continue;
    legs.push({ account, currency, amount });
    sum.add(amount);
  }
  for (const part of sum.parts()) legs.push({ account: from, currency, amount: -part });
  return legs;
}

/** Exact sum of legs per currency, rounded once; exactly 0 for a balanced transaction. */
export function imbalance(legs: readonly Leg[]): { usd: number; tokens: number } {
  const usd = new ExactSum();
  const tokens = new ExactSum();
  for (const l of legs) (l.currency === "usd" ? usd : tokens).add(l.amount);
  return { usd: usd.value(), tokens: tokens.value() };
}

/** Collects transactions inside one database transaction and writes them in bulk. */
export class Journal {
  private readonly txnRows: Tables["txns"][] = [];
  private readonly postingRows: Tables["postings"][] = [];
  private readonly delta = new Map<string, number>();

  constructor(
    private nextTxn: number,
    private nextPosting: number,
    private readonly at: string,
  ) {}

  /** Record one balanced transaction; throws (nothing recorded) if its legs do not balance. */
  post(day: number, kind: string, ref: string, legs: readonly Leg[]): void {
    const kept = legs.filter((l) => l.amount !== 0);
    if (kept.length === 0) return;
    const { usd, tokens } = imbalance(kept);
    if (usd !== 0 || tokens !== 0)
      throw new Error(`unbalanced transaction ${kind} ${ref}: usd ${usd}, tokens ${tokens}`);
    const id = this.nextTxn++;
    this.txnRows.push({ id, day, kind, ref, at: this.at });
    for (const l of kept) {
      this.postingRows.push({
        id: this.nextPosting++,
        txn_id: id,
        day,
        kind,
        account: l.account,
        currency: l.currency,
        amount: l.amount,
      });
      const key = `${l.currency}\u0000${l.account}`;
      this.delta.set(key, (this.delta.get(key) ?? 0) + l.amount);
    }
  }

  /** Balance changes not yet written, per account and currency. */
  pending(account: string, currency: Currency): number {
    return this.delta.get(`${currency}\u0000${account}`) ?? 0;
  }

  /** Accounts of a currency this journal has moved. */
  accounts(currency: Currency): string[] {
    const out: string[] = [];
    const prefix = `${currency}\u0000`;
    for (const k of this.delta.keys()) if (k.startsWith(prefix)) out.push(k.slice(prefix.length));
    return out;
  }

  /** The next free transaction and posting ids. */
  get next(): { txn: number; posting: number } {
    return { txn: this.nextTxn, posting: this.nextPosting };
  }

  /**
   * Write the collected transactions, postings and balance changes: one multi-row insert each
   * (compiled once per row count), balances added to in place (upsert).
   */
  async flush(db: Db, statements: CompiledStatements): Promise<void> {
    await statements.insert(db, "txns", this.txnRows);
    await statements.insert(db, "postings", this.postingRows);
    const rows: Tables["balances"][] = [];
    for (const [key, amount] of this.delta) {
      const cut = key.indexOf("\u0000");
      rows.push({ account: key.slice(cut + 1), currency: key.slice(0, cut), amount });
    }
    await statements.insert(db, "balances", rows, {
      upsertAdd: { keys: ["account", "currency"], add: "amount" },
    });
    this.txnRows.length = 0;
    this.postingRows.length = 0;
    this.delta.clear();
  }
}

/** Token accounts that make up the circulating supply (E17). */
export function isCirculating(account: string): boolean {
  return (
    account === "market" ||
    account === "bondEscrow" ||
    account.startsWith("supplier:") ||
    account.startsWith("stake:") ||
    account.startsWith("validator:")
  );
}

/** Token accounts that make up the token reserve (E18). */
export function isReserve(account: string): boolean {
  return account === "tokenReserve" || account === "tokenReserve:earmarked";
}
