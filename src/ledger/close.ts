import type { Transaction } from "kysely";
import {
  composeDay,
  type DayContext,
  type DayStep,
  type DayStepName,
  emptyDay,
  type DayState as SimState,
  type StepInsertion,
} from "../day/sequence.js";
import {
  emissions,
  onboarding,
  payoutsFromFreeReserve,
  price,
  rowValues,
  split,
  suppliers,
} from "../day/steps.js";
import { columnNames } from "../engine/columns.js";
import { NoPriceError, type SimulationFailure } from "../engine/outcome.js";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { supplierBondTokens, supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { freeSupplyCut } from "../mechanisms/freeSupply.js";
import { checkInvariants, INVARIANT_TOLERANCE } from "../mechanisms/invariants.js";
import { jobReward as jobRewardOf } from "../mechanisms/jobReward.js";
import { reserveTopUp } from "../mechanisms/reserveTopUp.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import { ONCHAIN_NAMES, type OnchainName, type OnchainValues } from "../scenario/onchain.js";
import type { Day, Fraction, Tokens, Usd, UsdPerToken } from "../units.js";
import type { Tables } from "./db.js";
import { type Economy, vestedOn } from "./economy.js";
import { LedgerError } from "./errors.js";
import { fanOut, isCirculating, isReserve, type Journal, transfer } from "./journal.js";

/** What a closed day leaves for later closes (stored with its row). */
export interface DayState {
  readonly day: Day;
  readonly phase: 1 | 2;
  readonly phaseTwoMinted: Tokens;
  /** On-chain values in force on this day (after its votes). */
  readonly onchain: OnchainValues;
  /** Active suppliers per class (scenario order). */
  readonly counts: number[];
  readonly income: Usd;
  readonly supplierTotal: number;
  readonly priceOfToken: UsdPerToken;
  readonly buybackPrice: UsdPerToken;
  /**
   * The cut of this day's bonds to the free circulating tokens (E22, `freeSupplyCut`): every bond
   * posted this day holds its quoted tokens times this, and returns or loses exactly that. Absent
   * on days closed before the rule (they were never cut): 1.
   */
  readonly bondCut?: Fraction;
  /** The same cut of this day's buyback (E11a): every task's earmark is its E11a share times this. */
  readonly buybackCut?: Fraction;
}

/** The ledger's own figures of a day, beside the §7 row. */
export interface LedgerFigures {
  validatedTasks: number;
  failedTasks: number;
  /** Assignments abandoned by departing suppliers (their bonds lost). */
  abandonedTasks: number;
  expiredTasks: number;
  refundedUsd: Usd;
  refundShortfallUsd: Usd;
  usdPaidToSuppliers: Usd;
  tokensPaidToSuppliers: Tokens;
  bondTokensPosted: Tokens;
  bondTokensReturned: Tokens;
  bondTokensLost: Tokens;
  usdEscrow: Usd;
  pendingTokens: Tokens;
  bondEscrow: Tokens;
  priceSource: "model" | "feed";
}

export interface DayRecord {
  readonly row: Record<string, number> & { ledger: LedgerFigures };
  readonly state: DayState;
  readonly expiredAttempts: { supplierId: number; wasBusy: boolean }[];
  readonly expiredTasks: number[];
  readonly nextOutcomeSeq: number;
}

type Trx = Transaction<Tables>;

/** What a close needs of its ledger (the Ledger class; named here so close.ts does not import it). */
export interface ClosingLedger {
  readonly economy: Economy;
  readonly priceSource: "model" | "feed";
  nextOutcomeSeq(): number;
}

const refuse = (t: Day, why: string) =>
  new LedgerError(409, "day", `day ${t} cannot be closed, nothing of it was committed: ${why}`);

class Sums {
  readonly m = new Map<string, number>();
  add(key: string, v: number): void {
    this.m.set(key, (this.m.get(key) ?? 0) + v);
  }
  entries(scale = 1): [string, number][] {
    return [...this.m].map(([k, v]) => [k, v * scale]);
  }
}

/**
 * Close day t: the simulator's day (src/day: the named steps of docs/model.md §6, composed by
 * `composeDay`) run on what actually happened. The steps whose inputs are the aggregate model's
 * own (split E7, suppliers and phase E4, onboarding fee E8, price E10, emissions E3/E13) are the
 * simulator's step functions themselves; the steps whose inputs are the ledger's realised events
 * (the day's jobs and suppliers, each job's own E1 price, the bonds accepted, the feed price, the
 * validated tasks behind E12/E14/E15, the escrows and refunds of §9) are the ledger's, under the
 * same names and calling the same mechanism functions; the ledger-only steps (postings, §9
 * settlement and expiry) are insertions. Everything the steps read is loaded first (they are
 * synchronous); every movement is posted into `j`; the close is refused (throws, so the caller's
 * transaction rolls back) if the postings disagree with E17–E19 or break I1–I3.
 */
export async function closeDay(
  ledger: ClosingLedger,
  trx: Trx,
  j: Journal,
  t: Day,
): Promise<DayRecord> {
  const x = await loadClose(ledger, trx, j, t);
  const ctx = ledgerContext(x);
  for (const s of LEDGER_DAY) {
    const failure = s.run(ctx);
    if (failure) throw refuse(t, failureMessage(failure));
  }
  const w = ctx.w as Worked;
  await store(x, w);
  return {
    row: w.row,
    state: w.finalState,
    expiredAttempts: w.exp.expiredAttempts,
    expiredTasks: w.exp.expiring.map((r) => r.id),
    nextOutcomeSeq: w.exp.seq,
  };
}

const failureMessage = (f: SimulationFailure) =>
  f instanceof NoPriceError
    ? `no token price exists: demand ${f.demand} usd and no circulating supply`
    : f.message;

/** USD of a task's price that goes to its supplier through escrow (E7 per task). */
const taskUsd = (s: DayState, taskPrice: Usd) =>
  (1 - s.onchain.buybackModulation) * ((1 - s.onchain.fiatOperationsFraction) * taskPrice);
/** Buyback tokens earmarked for a task at its submission day's buyback price (E11a per task). */
const earmark = (s: DayState, taskPrice: Usd) =>
  (s.buybackCut ?? 1) *
  buybackTokens(
    s.onchain.buybackModulation * ((1 - s.onchain.fiatOperationsFraction) * taskPrice),
    s.buybackPrice,
  );
/**
 * The bond of a task, in tokens at its bond day's price (E9, E22), at the `bondModulation` quoted
 * when it was posted (stored with it), not the day's after later votes, cut as its bond day's
 * bonds were to the free circulating tokens (the day's `bondCut`).
 */
const bondTokensOf = (s: DayState, bondModulation: Fraction | null, taskPrice: Usd) =>
  (s.bondCut ?? 1) *
  supplierBondTokens(bondModulation ?? s.onchain.bondModulation, taskPrice, s.priceOfToken);

/** What every step of a close reads: the day, the journal, the closed days, the opening balances. */
type Close = Awaited<ReturnType<typeof loadClose>>;

/**
 * The start of a close: the day's events (votes, inputs, jobs, tasks, suppliers, bonds,
 * validations, expiring work), the closed days' states and cohorts they refer to, and the
 * balances at the end of the previous close. The steps then run without the database.
 */
async function loadClose(ledger: ClosingLedger, trx: Trx, j: Journal, t: Day) {
  const e = ledger.economy;
  const states = new Map<number, DayState>();
  const prevRow = t > 0 ? await statesOf(trx, states, [t - 1]) : null;
  const prev = prevRow ? (states.get(t - 1) ?? null) : null;
  const events = await loadEvents(trx, t);
  // the onboarding window (E8) of the on-chain values after today's votes
  const W = Number(
    events.votes.findLast((v) => v.variable === "onboardingWindowDays")?.value ??
      (prev?.onchain ?? e.onchain0).onboardingWindowDays,
  );
  const window: number[] = [];
  for (let s = Math.max(0, t - W + 1); s < t; s++) window.push(s);
  const referred = new Set<number>(window);
  for (const r of events.reports) {
    referred.add(r.taskDay);
    if (r.bondDay !== null) referred.add(r.bondDay);
  }
  for (const r of events.expiring) {
    referred.add(r.taskDay);
    if (r.bondDay !== null) referred.add(r.bondDay);
  }
  referred.delete(t);
  await statesOf(trx, states, [...referred]);
  const cohortDays = new Set<number>();
  for (const r of events.reports) if (r.outcome === "passed") cohortDays.add(r.taskDay);
  for (const r of events.expiring) cohortDays.add(r.taskDay);
  cohortDays.delete(t);
  const cohorts = new Map<number, Tables["cohorts"]>();
  if (cohortDays.size > 0)
    for (const h of await trx
      .selectFrom("cohorts")
      .selectAll()
      .where("day", "in", [...cohortDays])
      .execute())
      cohorts.set(h.day, h);
  const stateOf = (d: number): DayState => {
    const s = states.get(d);
    if (!s) throw new Error(`day ${d} has no closed state`);
    return s;
  };
  const balances = new Map<string, number>();
  for (const b of await trx.selectFrom("balances").selectAll().execute())
    balances.set(`${b.currency}:${b.account}`, b.amount);
  return {
    ...openBalances(e, j, balances),
    ...events,
    ledger,
    trx,
    j,
    t,
    e,
    c: e.compiled,
    classes: e.supplierClasses,
    types: e.consumerTypes,
    nK: e.supplierClasses.length,
    states,
    stateOf,
    prev,
    window,
    cohorts,
    ref: `day:${t}`,
  };
}

/** Reads the closed states of `days` into `states`; true if any was found. */
async function statesOf(trx: Trx, states: Map<number, DayState>, days: number[]) {
  if (days.length === 0) return false;
  const rows = await trx
    .selectFrom("days")
    .select(["day", "state"])
    .where("day", "in", days)
    .execute();
  for (const r of rows) states.set(r.day, JSON.parse(r.state) as DayState);
  return rows.length > 0;
}

/** The balances at the start of the close and sums over them (and over the journal's postings). */
function openBalances(e: Economy, j: Journal, balances: Map<string, number>) {
  const bal = (currency: string, account: string) => balances.get(`${currency}:${account}`) ?? 0;
  const sumTokens = (pred: (a: string) => boolean, withJournal: boolean) => {
    const accounts = new Set<string>();
    for (const k of balances.keys()) if (k.startsWith("tokens:")) accounts.add(k.slice(7));
    if (withJournal) for (const a of j.accounts("tokens")) accounts.add(a);
    let s = 0;
    for (const a of accounts)
      if (pred(a)) s += bal("tokens", a) + (withJournal ? j.pending(a, "tokens") : 0);
    return s;
  };
  const after = (currency: string, account: string) =>
    bal(currency, account) + j.pending(account, currency as "usd" | "tokens");
  // a sum of postings that should be 0 may come out at ±1e-13: that is 0 (no holder is owed it)
  const tiny = (x: number) => (Math.abs(x) <= 1e-12 * e.totalTokens ? 0 : x);
  return {
    balances,
    bal,
    sumTokens,
    after,
    supplyStart: tiny(sumTokens(isCirculating, false)),
    reserveStart: sumTokens(isReserve, false),
    dollarStart: bal("usd", "dollarReserve"),
  };
}

/** The day's events: votes, market inputs, jobs, tasks, suppliers, bonds, validations, expiring work. */
async function loadEvents(trx: Trx, t: Day) {
  const votes = await trx
    .selectFrom("votes")
    .select(["variable", "value"])
    .where("day", "=", t)
    .orderBy("id")
    .execute();
  const input =
    (await trx
      .selectFrom("inputs")
      .selectAll()
      .where("day", "<=", t)
      .orderBy("day", "desc")
      .limit(1)
      .executeTakeFirst()) ?? null;
  const jobs = await trx
    .selectFrom("jobs")
    .select(["consumer_type", "price"])
    .where("day", "=", t)
    .orderBy("id")
    .execute();
  const tasksToday = await trx
    .selectFrom("tasks")
    .select(["id", "supplier_class", "price"])
    .where("day", "=", t)
    .orderBy("id")
    .execute();
  // active on day t: joined on or before it, not left on or before it (src/ledger/departures.ts)
  const supplierRows = await trx
    .selectFrom("suppliers")
    .leftJoin("departures", "departures.supplier_id", "suppliers.id")
    .select([
      "suppliers.id as id",
      "suppliers.supplier_class as supplier_class",
      "suppliers.joined_day as joined_day",
    ])
    .where("suppliers.joined_day", "<=", t)
    .where((eb) => eb.or([eb("departures.day", "is", null), eb("departures.day", ">", t)]))
    .orderBy("suppliers.id")
    .execute();
  const bonded = await trx
    .selectFrom("attempts")
    .innerJoin("tasks", "tasks.id", "attempts.task_id")
    .select([
      "attempts.supplier_id as supplier",
      "tasks.price as price",
      "attempts.bond_modulation as bondModulation",
    ])
    .where("attempts.bond_day", "=", t)
    .orderBy("attempts.id")
    .execute();
  return { votes, input, jobs, tasksToday, supplierRows, bonded, ...(await loadSettled(trx, t)) };
}

/** The validations reported today and the work whose deadline has come (§9). */
async function loadSettled(trx: Trx, t: Day) {
  const reports = await trx
    .selectFrom("attempts")
    .innerJoin("tasks", "tasks.id", "attempts.task_id")
    .select([
      "attempts.supplier_id as supplier",
      "attempts.validator_id as validator",
      "attempts.outcome as outcome",
      "attempts.bond_day as bondDay",
      "attempts.bond_modulation as bondModulation",
      "tasks.price as price",
      "tasks.share as share",
      "tasks.day as taskDay",
    ])
    .where("attempts.validated_day", "=", t)
    .orderBy("attempts.outcome_seq")
    .execute();
  const expiring = await trx
    .selectFrom("tasks")
    .leftJoin("attempts", "attempts.id", "tasks.attempt_id")
    .select([
      "tasks.id as id",
      "tasks.consumer_id as consumer",
      "tasks.price as price",
      "tasks.day as taskDay",
      "attempts.id as attempt",
      "attempts.supplier_id as supplier",
      "attempts.bond_day as bondDay",
      "attempts.bond_modulation as bondModulation",
      "attempts.completed_day as completedDay",
    ])
    .where("tasks.status", "in", ["queued", "assigned"])
    .where("tasks.deadline_day", "<=", t)
    .orderBy("tasks.id")
    .execute();
  return { reports, expiring };
}

/** What the close's steps work out, filled step by step (each reads only what an earlier step wrote). */
interface Worked {
  oc: OnchainValues;
  feed: number | null;
  wasPhase: 1 | 2;
  jobCreated: Float64Array;
  acceptedUsd: Usd;
  state: DayState;
  book: ReturnType<typeof cohortBook>;
  /** Today's cuts to the free circulating tokens (`freeSupplyCut`): bonds, E11a, E11b. */
  cuts: { bond: Fraction; buyback: Fraction; onboarding: Fraction };
  bondTokensPosted: Tokens;
  pay: ReturnType<typeof settle>;
  exp: ReturnType<typeof expire>;
  rewardPrices: number[];
  freeReserve: Tokens;
  circulating: Tokens;
  expected: { supply: Tokens; tokenReserve: Tokens; dollarReserve: Usd };
  end: ReturnType<typeof endBalances>;
  row: DayRecord["row"];
  finalState: DayState;
}

/** The simulator's day context over the ledger's opening balances, with the ledger's own fields. */
interface LedgerDay extends DayContext {
  readonly x: Close;
  readonly w: Partial<Worked>;
}

function ledgerContext(x: Close): LedgerDay {
  const { c, t, e, prev, stateOf, window } = x;
  const incomeHistory = new Float64Array(t + 1);
  const supplierTotalHistory = new Float64Array(t + 1);
  for (const s of window) {
    incomeHistory[s] = stateOf(s).income;
    supplierTotalHistory[s] = stateOf(s).supplierTotal;
  }
  const state: SimState = {
    supply: x.supplyStart,
    tokenReserve: x.reserveStart,
    lockedAllocations: x.bal("tokens", "locked"),
    dollarReserve: x.dollarStart,
    phase: prev?.phase ?? 1,
    phaseTwoMinted: prev?.phaseTwoMinted ?? 0,
    stakedTokens: 0,
    yesterdayCounts: new Float64Array(c.nK),
    incomeHistory,
    supplierTotalHistory,
  };
  return {
    c,
    t,
    state,
    day: emptyDay(c.nC, c.nK),
    onchain: Float64Array.from(c.onchain0),
    streams: new Int32Array(0),
    totalTokens: e.totalTokens,
    out: new Float64Array(0),
    rowWritten: false,
    x,
    w: { wasPhase: prev?.phase ?? 1 },
  };
}

type LedgerRun = (ctx: LedgerDay & { w: Worked }) => SimulationFailure | undefined;
/** A ledger step: its run sees the filled fields of `w` (the step order guarantees them). */
const own = (name: string, run: LedgerRun): DayStep<LedgerDay> => ({
  name,
  run: run as DayStep<LedgerDay>["run"],
});
/** One of the simulator's own steps (src/day/steps.ts), unchanged. */
const shared = (name: DayStepName, run: DayStep["run"]): DayStep<LedgerDay> => ({ name, run });

type Ctx = LedgerDay & { w: Worked };

/** Step 1, schedule: the on-chain values after the votes cast during the day; the feed price. */
const scheduleStep: LedgerRun = ({ x, w, onchain }) => {
  const oc: OnchainValues = { ...(x.prev?.onchain ?? x.e.onchain0) };
  for (const v of x.votes) oc[v.variable as OnchainName] = v.value;
  ONCHAIN_NAMES.forEach((n, i) => {
    onchain[i] = oc[n];
  });
  w.oc = oc;
  const feed = x.input?.day === x.t ? x.input.price_of_token : null;
  if (x.ledger.priceSource === "feed" && (feed === null || feed === undefined))
    throw refuse(x.t, "the ledger's priceSource is feed and no price was posted for the day");
  w.feed = feed ?? null;
  return undefined;
};

/**
 * Step 1, inputs — realised demand: the jobs submitted today per consumer type, the suppliers
 * joined by today per class, the latest market inputs (sentiment, governance value).
 */
const inputsStep: LedgerRun = ({ x, w, day, state }) => {
  for (const job of x.jobs) day.jobs[x.types.indexOf(job.consumer_type)]++;
  for (const s of x.supplierRows) day.counts[x.classes.indexOf(s.supplier_class)]++;
  day.sentiment = x.input?.consumer_sentiment ?? 0;
  day.governance = x.input?.governance_value ?? 0;
  state.yesterdayCounts.set(x.prev ? x.prev.counts : day.counts);
  w.jobCreated = day.jobs;
  return undefined;
};

/** Step 2, income (E5) and per class (E6): each job and task at its own E1 price. */
const incomeStep: LedgerRun = ({ x, day }) => {
  let income = 0;
  for (const job of x.jobs) income += job.price;
  day.income = income;
  for (const task of x.tasksToday)
    day.demandForService[x.classes.indexOf(task.supplier_class)] += task.price;
  return undefined;
};

/** Step 6, bonds (E9 of the work accepted today: E22 summed). */
const bondsStep: LedgerRun = ({ x, w, day }) => {
  let acceptedUsd = 0;
  // the bonds as quoted at posting: E9 per modulation quoted (one unless a vote moved it today)
  const acceptedAt = new Map<number, number>();
  for (const b of x.bonded) {
    acceptedUsd += b.price;
    const m = b.bondModulation ?? w.oc.bondModulation;
    acceptedAt.set(m, (acceptedAt.get(m) ?? 0) + b.price);
  }
  w.acceptedUsd = acceptedUsd;
  day.supplierBondUsd = 0;
  for (const [m, usd] of acceptedAt) day.supplierBondUsd += supplierBondUsd(m, usd);
  return undefined;
};

/** Step 7, demand and price: the simulator's E10 step, or the operator's feed price. */
const priceStep: LedgerRun = (ctx) => {
  const failure = price(ctx);
  if (ctx.x.ledger.priceSource !== "feed") return failure;
  const q = ctx.w.feed as number;
  ctx.day.price = {
    priceOfToken: q,
    priceFloored: false,
    buybackPrice: q * (1 + ctx.w.oc.buybackPremium),
  };
  return undefined;
};

/**
 * Step 8, as the marketplace engine's: today's bonds (E22), the burn (E11a, earmarked per task
 * until validated, so it leaves circulation) and the onboarding burn (E11b, paid by the joiners'
 * USD), each taken from the free circulating tokens in that order — the start-of-day supply less
 * the bonds outstanding (`bondEscrow`), less what the steps before took — and cut pro rata to
 * them when it wants more (`withdrawal`, `freeSupplyCut`; docs/ledger.md).
 */
const burnStep: LedgerRun = ({ x, w, day }) => {
  let free = x.supplyStart - x.bal("tokens", "bondEscrow");
  let wantedBonds = 0;
  for (const b of x.bonded)
    wantedBonds += supplierBondTokens(
      b.bondModulation ?? w.oc.bondModulation,
      b.price,
      day.price.priceOfToken,
    );
  const posted = withdrawal(free, wantedBonds);
  free -= posted;
  const wantedBuyback = buybackTokens(day.split.usdBuybackCapital, day.price.buybackPrice);
  day.buybackTokens = withdrawal(free, wantedBuyback);
  free -= day.buybackTokens;
  const wantedOnboarding = onboardingTokens(day.onboardingUsd, day.price.priceOfToken);
  day.onboardingTokens = withdrawal(free, wantedOnboarding);
  w.cuts = {
    bond: freeSupplyCut(posted, wantedBonds),
    buyback: freeSupplyCut(day.buybackTokens, wantedBuyback),
    onboarding: freeSupplyCut(day.onboardingTokens, wantedOnboarding),
  };
  return undefined;
};

/** After burn: the day's state for later closes, and the postings of income, onboarding and bonds. */
const postingsStep: LedgerRun = ({ x, w, day, state: sim }) => {
  const state: DayState = {
    day: x.t,
    phase: sim.phase,
    phaseTwoMinted: 0,
    onchain: w.oc,
    counts: [...day.counts],
    income: day.income,
    supplierTotal: sim.supplierTotalHistory[x.t],
    priceOfToken: day.price.priceOfToken,
    buybackPrice: day.price.buybackPrice,
    ...(w.cuts.bond === 1 ? {} : { bondCut: w.cuts.bond }),
    ...(w.cuts.buyback === 1 ? {} : { buybackCut: w.cuts.buyback }),
  };
  x.states.set(x.t, state);
  w.state = state;
  postIncome(x, state, day.split, day.income, day.buybackTokens);
  w.book = cohortBook(x, day.buybackTokens, x.tasksToday.length);
  postOnboarding(
    x,
    day.counts,
    day.arrivals > 0 ? day.onboardingUsd / day.arrivals : 0,
    day,
    w.cuts.onboarding,
  );
  w.bondTokensPosted = postBonds(x, state);
  return undefined;
};

/** Postings of step 8: the day's income into escrow and the market, the buyback earmarked (E7, E11a). */
function postIncome(
  x: Close,
  state: DayState,
  split: { usdBuybackCapital: Usd },
  income: Usd,
  bought: Tokens,
): void {
  let escrowIn = 0;
  for (const task of x.tasksToday) escrowIn += taskUsd(state, task.price);
  x.j.post(x.t, "income", x.ref, [
    ...fanOut("dollarReserve", "usd", [
      ["usdEscrow", escrowIn],
      ["market", split.usdBuybackCapital],
      ["incomePending", -income],
    ]),
    ...transfer("market", "tokenReserve:earmarked", "tokens", bought),
  ]);
}

/** Cohorts: buyback tokens per submission day; the last task of a cohort takes what is left. */
function cohortBook(x: Close, bought: Tokens, open: number) {
  const { t, stateOf } = x;
  const cohorts = x.cohorts;
  cohorts.set(t, { day: t, bought, paid: 0, open });
  const payOut = (d: number, taskPrice: Usd) => {
    const h = cohorts.get(d);
    if (!h) throw new Error(`day ${d} has no cohort`);
    const amount = h.open === 1 ? h.bought - h.paid : earmark(stateOf(d), taskPrice);
    h.paid += amount;
    h.open--;
    return amount;
  };
  return { cohorts, payOut };
}

type PayOut = ReturnType<typeof cohortBook>["payOut"];

/**
 * Onboarding (E8, E11b): today's joiners (the first newSuppliers of each class) buy the fee's
 * tokens, each cut by `cut` (E11b's cut to the free circulating tokens, burnStep).
 */
function postOnboarding(
  x: Close,
  counts: Float64Array,
  feeUsd: Usd,
  day: { price: { priceOfToken: UsdPerToken } },
  cut: Fraction,
): void {
  const { j, t, classes, prev } = x;
  const yesterday = prev ? prev.counts : counts;
  const joinersLeft = Float64Array.from(counts, (n, k) => Math.max(0, n - yesterday[k]));
  if (!(feeUsd > 0)) return;
  for (const s of x.supplierRows) {
    const k = classes.indexOf(s.supplier_class);
    if (s.joined_day !== t || joinersLeft[k] <= 0) continue;
    joinersLeft[k]--;
    j.post(t, "onboardingFee", `supplier:${s.id}`, [
      ...transfer(`supplier:${s.id}`, "market", "usd", feeUsd),
      ...transfer(
        "market",
        "tokenReserve",
        "tokens",
        cut * onboardingTokens(feeUsd, day.price.priceOfToken),
      ),
    ]);
  }
}

/**
 * Bonds posted today: bought on the market at today's price into escrow (E22), each cut by the
 * day's `bondCut` (burnStep). Returns the tokens.
 */
function postBonds(x: Close, state: DayState) {
  const { j, t } = x;
  const bondUsdOf = new Sums();
  const bondTokOf = new Sums();
  let bondTokensPosted = 0;
  for (const b of x.bonded) {
    const tok = bondTokensOf(state, b.bondModulation, b.price);
    // the supplier pays for the tokens it posts: the quoted E9 dollars, cut as its tokens are
    const usd = (b.bondModulation ?? state.onchain.bondModulation) * b.price;
    bondUsdOf.add(String(b.supplier), (state.bondCut ?? 1) * usd);
    bondTokOf.add(String(b.supplier), tok);
    bondTokensPosted += tok;
  }
  for (const [id, usd] of bondUsdOf.entries())
    j.post(t, "bondPosted", `supplier:${id}`, [
      ...transfer(`supplier:${id}`, "market", "usd", usd),
      ...transfer("market", "bondEscrow", "tokens", bondTokOf.m.get(id) ?? 0),
    ]);
  return bondTokensPosted;
}

/**
 * §9 settlement (before the rewards: E12, E14 and E15 need what it pays and frees): validations
 * reported today pay validated work (E7 and E11a per task) and return its bond (E22); failed
 * work loses its bond to the reserve.
 */
const settleStep: LedgerRun = ({ x, w, state }) => {
  w.pay = settle(x, state.phase, w.book.payOut);
  return undefined;
};

function settle(x: Close, phase: 1 | 2, payOut: PayOut) {
  const { j, t, stateOf } = x;
  const usdTo = new Sums();
  const tokTo = new Sums();
  const bondBack = new Sums();
  const bondLost = new Sums();
  const validatorShares = new Sums();
  const rewardPriceOf = new Sums();
  const rewardPrices: number[] = [];
  const s = { released: 0, usdPaid: 0, confiscated: 0, bondTokensReturned: 0 };
  const n = { validated: 0, failed: 0, abandoned: 0, shares: 0 };
  for (const r of x.reports) {
    const id = String(r.supplier);
    if (r.outcome === "abandoned") {
      // left before completing it (src/ledger/departures.ts): the bond is lost, no validation
      const bond =
        r.bondDay === null ? 0 : bondTokensOf(stateOf(r.bondDay), r.bondModulation, r.price);
      bondLost.add(id, bond);
      s.confiscated += bond;
      n.abandoned++;
      continue;
    }
    validatorShares.add(String(r.validator), r.share);
    n.shares += r.share;
    const bond =
      r.bondDay === null ? 0 : bondTokensOf(stateOf(r.bondDay), r.bondModulation, r.price);
    if (r.outcome !== "passed") {
      n.failed++;
      bondLost.add(id, bond);
      s.confiscated += bond;
      continue;
    }
    n.validated++;
    const usd = taskUsd(stateOf(r.taskDay), r.price);
    const tok = payOut(r.taskDay, r.price);
    usdTo.add(id, usd);
    tokTo.add(id, tok);
    bondBack.add(id, bond);
    s.usdPaid += usd;
    s.released += tok;
    s.bondTokensReturned += bond;
    if (phase === 2) {
      rewardPriceOf.add(id, r.price);
      rewardPrices.push(r.price);
    }
  }
  for (const [id, usd] of usdTo.entries())
    j.post(t, "taskPay", `supplier:${id}`, [
      ...transfer("usdEscrow", `supplier:${id}`, "usd", usd),
      ...transfer("tokenReserve:earmarked", `supplier:${id}`, "tokens", tokTo.m.get(id) ?? 0),
    ]);
  for (const [id, tok] of bondBack.entries())
    j.post(
      t,
      "bondReturned",
      `supplier:${id}`,
      transfer("bondEscrow", `supplier:${id}`, "tokens", tok),
    );
  for (const [id, tok] of bondLost.entries())
    j.post(t, "bondLost", `supplier:${id}`, transfer("bondEscrow", "tokenReserve", "tokens", tok));
  return { ...s, ...n, validatorShares, rewardPriceOf, rewardPrices };
}

/**
 * §9 expiry: work not validated by its deadline is refunded from the dollar reserve, cut pro rata
 * (and reported) if it cannot pay; an open attempt loses its bond. Carries on today's confiscations.
 */
const expireStep: LedgerRun = ({ x, w, day }) => {
  w.exp = expire(x, day.split.opsRevenue, w.book.payOut, w.pay.confiscated);
  return undefined;
};

function expire(x: Close, opsRevenue: Usd, payOut: PayOut, confiscated: Tokens) {
  const { ledger, j, t, stateOf, dollarStart, ref } = x;
  const refundOf = new Sums();
  let refundDue = 0;
  let escrowBack = 0;
  let freed = 0;
  const expiredAttempts: { supplierId: number; wasBusy: boolean }[] = [];
  const attemptSeqs: [number, number][] = [];
  let seq = ledger.nextOutcomeSeq();
  for (const r of x.expiring) {
    refundDue += r.price;
    refundOf.add(String(r.consumer), r.price);
    escrowBack += taskUsd(stateOf(r.taskDay), r.price);
    freed += payOut(r.taskDay, r.price);
    if (r.attempt === null || r.supplier === null) continue;
    if (r.bondDay !== null) {
      const bond = bondTokensOf(stateOf(r.bondDay), r.bondModulation, r.price);
      confiscated += bond;
      j.post(
        t,
        "bondLost",
        `supplier:${r.supplier}`,
        transfer("bondEscrow", "tokenReserve", "tokens", bond),
      );
    }
    expiredAttempts.push({ supplierId: r.supplier, wasBusy: r.completedDay === null });
    attemptSeqs.push([r.attempt, seq++]);
  }
  const cash = dollarStart + opsRevenue + escrowBack;
  const refunded = Math.min(refundDue, cash);
  const refundScale = refundDue > 0 ? refunded / refundDue : 0;
  j.post(t, "expiry", ref, [
    ...transfer("usdEscrow", "dollarReserve", "usd", escrowBack),
    ...transfer("tokenReserve:earmarked", "tokenReserve", "tokens", freed),
  ]);
  for (const [id, usd] of refundOf.entries(refundScale))
    j.post(t, "refund", `consumer:${id}`, transfer("dollarReserve", `consumer:${id}`, "usd", usd));
  const expiring = x.expiring;
  return {
    expiring,
    refundDue,
    escrowBack,
    freed,
    confiscated,
    expiredAttempts,
    attemptSeqs,
    seq,
    cash,
    refunded,
  };
}

/** Step 9, job rewards (E12) of the work validated today, phase 2 only. */
const rewardsStep: LedgerRun = ({ w, day, state }) => {
  const prices = w.pay.rewardPrices;
  day.jobReward =
    state.phase === 2
      ? jobRewardOf(
          new Float64Array(prices.length).fill(1),
          prices,
          day.price.priceOfToken,
          w.oc.jobRewardModulation,
        )
      : 0;
  return undefined;
};

/** Step 11, validator pay claim (E14) of the validations reported today (task shares). */
const validatorsStep: LedgerRun = ({ w, day }) => {
  day.validatorClaim = validatorTokens(
    w.oc.validationModulator,
    validationsCompleted(w.oc.validationsPerJob, w.pay.shares),
  );
  return undefined;
};

/**
 * Step 12, E15 on the free reserve (earmarked tokens belong to their tasks; the buyback was paid
 * per task by the settlement), and its postings: validator pay by shares, phase-2 emission by
 * rewarded price, phase-1 emission to the stakes; the stake is released on the first phase-2 day.
 */
const payoutsStep: LedgerRun = ({ x, w, day }) => {
  const { pay, exp } = w;
  w.freeReserve = x.bal("tokens", "tokenReserve") + exp.confiscated + exp.freed;
  const paid = payoutsFromFreeReserve(day, w.freeReserve, pay.released);
  postClaims(x, w, day.counts, paid);
  return undefined;
};

function postClaims(x: Close, w: Worked, counts: Float64Array, paid: Ctx["day"]["paid"]): void {
  const { j, t, c, classes, nK, balances, ref } = x;
  const { validatorShares, shares, rewardPrices, rewardPriceOf } = w.pay;
  const scaled = (s: Sums, total: number, amount: number, prefix: string) =>
    total > 0 ? s.entries(amount / total).map(([id, v]) => [`${prefix}:${id}`, v] as const) : [];
  j.post(
    t,
    "validatorPay",
    ref,
    fanOut(
      "tokenReserve",
      "tokens",
      scaled(validatorShares, shares, paid.validatorTokensPaid, "validator"),
    ),
  );
  let rewardTotal = 0;
  for (const q of rewardPrices) rewardTotal += q;
  j.post(
    t,
    "phaseTwoEmission",
    ref,
    fanOut(
      "tokenReserve",
      "tokens",
      scaled(rewardPriceOf, rewardTotal, paid.phaseTwoEmission, "supplier"),
    ),
  );
  if (paid.phaseOneEmission > 0) {
    let slots = 0;
    for (let k = 0; k < nK; k++) slots += Math.min(counts[k], c.phaseOneTarget[k]);
    const left = Float64Array.from(c.phaseOneTarget);
    const to: [string, number][] = [];
    for (const s of x.supplierRows) {
      const k = classes.indexOf(s.supplier_class);
      if (left[k] <= 0) continue;
      left[k]--;
      to.push([`stake:${s.id}`, paid.phaseOneEmission / slots]);
    }
    j.post(t, "phaseOneEmission", ref, fanOut("tokenReserve", "tokens", to));
  }
  if (w.state.phase === 2 && w.wasPhase === 1)
    for (const [key, amount] of balances)
      if (key.startsWith("tokens:stake:") && amount !== 0) {
        const id = key.slice("tokens:stake:".length);
        j.post(
          t,
          "stakeReleased",
          `supplier:${id}`,
          transfer(`stake:${id}`, `supplier:${id}`, "tokens", amount),
        );
      }
}

/** Step 13, reserve top-up (E16) on the free reserve and the cash left after refunds, then vesting (E17b). */
const topUpStep: LedgerRun = ({ x, w, day, c }) => {
  const { paid } = day;
  const freeAfterPay =
    w.freeReserve +
    day.onboardingTokens -
    paid.validatorTokensPaid -
    paid.phaseTwoEmission -
    paid.phaseOneEmission;
  w.circulating =
    nextSupply(
      x.supplyStart,
      paid.validatorTokensPaid,
      paid.phaseOneEmission,
      paid.phaseTwoEmission,
      day.onboardingTokens,
      0,
      0,
    ) +
    (w.pay.released - day.buybackTokens - w.exp.confiscated);
  day.topUp = reserveTopUp(
    freeAfterPay,
    c.initialTokenReserve,
    w.oc.lowerTokenReserveLimit,
    w.oc.tokenReserveRestoreLevel,
    day.price.buybackPrice,
    w.exp.cash - w.exp.refunded,
    // the top-up buys only free circulating tokens: bonds still outstanding are not for sale
    w.circulating -
      (x.bal("tokens", "bondEscrow") +
        w.bondTokensPosted -
        w.pay.bondTokensReturned -
        w.exp.confiscated),
  );
  x.j.post(x.t, "reserveTopUp", x.ref, [
    ...transfer("dollarReserve", "market", "usd", day.topUp.reserveBuybackUsd),
    ...transfer("market", "tokenReserve", "tokens", day.topUp.reserveBuybackTokens),
  ]);
  day.vested = vestedOn(x.e, x.t);
  x.j.post(x.t, "vesting", x.ref, transfer("locked", "market", "tokens", day.vested));
  return undefined;
};

/**
 * Step 14, update: E17–E19 by the mechanism functions, with the §9 escrows and refunds, and the
 * balances the day's postings give (checked against each other by "invariants").
 */
const updateStep: LedgerRun = ({ x, w, day }) => {
  const { paid, topUp } = day;
  w.expected = {
    supply: w.circulating - topUp.reserveBuybackTokens + day.vested,
    tokenReserve:
      nextTokenReserve(
        x.reserveStart,
        day.onboardingTokens,
        paid.validatorTokensPaid,
        paid.phaseTwoEmission,
        paid.phaseOneEmission,
        topUp.reserveBuybackTokens,
      ) +
      (day.buybackTokens - w.pay.released + w.exp.confiscated),
    dollarReserve:
      nextDollarReserve(x.dollarStart, day.split.opsRevenue, topUp.reserveBuybackUsd) +
      (w.exp.escrowBack - w.exp.refunded),
  };
  w.end = endBalances(x);
  w.finalState = {
    ...w.state,
    phaseTwoMinted: (x.prev?.phaseTwoMinted ?? 0) + paid.phaseTwoEmission,
  };
  return undefined;
};

/** The day's end balances as the postings give them. */
function endBalances(x: Close) {
  const { j, balances, sumTokens, after } = x;
  let staked = 0;
  const stakeAccounts = new Set<string>();
  for (const k of balances.keys()) if (k.startsWith("tokens:stake:")) stakeAccounts.add(k.slice(7));
  for (const a of j.accounts("tokens")) if (a.startsWith("stake:")) stakeAccounts.add(a);
  for (const a of stakeAccounts) staked += after("tokens", a);
  return {
    supply: sumTokens(isCirculating, true),
    tokenReserve: sumTokens(isReserve, true),
    locked: after("tokens", "locked"),
    dollarReserve: after("usd", "dollarReserve"),
    usdEscrow: after("usd", "usdEscrow"),
    bondEscrow: after("tokens", "bondEscrow"),
    pendingTokens: after("tokens", "tokenReserve:earmarked"),
    freeReserve: after("tokens", "tokenReserve"),
    staked,
  };
}

/** Record: the day's §7 row (the simulator's columns) and the ledger's own figures beside it. */
const recordStep: LedgerRun = ({ x, w, day, state }) => {
  const { end, pay, exp } = w;
  const values = rowValues({
    t: x.t,
    day: { ...day, jobs: w.jobCreated },
    state: {
      ...state,
      supply: end.supply,
      tokenReserve: end.tokenReserve,
      dollarReserve: end.dollarReserve,
      lockedAllocations: end.locked,
      stakedTokens: end.staked,
    },
  });
  const names = columnNames(x.types, x.classes);
  const row = Object.fromEntries(names.map((n, i) => [n, values[i]])) as DayRecord["row"];
  row.ledger = {
    validatedTasks: pay.validated,
    failedTasks: pay.failed,
    abandonedTasks: pay.abandoned,
    expiredTasks: exp.expiring.length,
    refundedUsd: exp.refunded,
    refundShortfallUsd: exp.refundDue - exp.refunded,
    usdPaidToSuppliers: pay.usdPaid,
    tokensPaidToSuppliers: day.supplierTokensPaid,
    bondTokensPosted: w.bondTokensPosted,
    bondTokensReturned: pay.bondTokensReturned,
    bondTokensLost: exp.confiscated,
    usdEscrow: end.usdEscrow,
    pendingTokens: end.pendingTokens,
    bondEscrow: end.bondEscrow,
    priceSource: x.ledger.priceSource,
  };
  w.row = row;
  return undefined;
};

/** The first number of a day's row (and its `ledger` figures) that is not finite, with its column. */
function firstNonFinite(row: Record<string, unknown>, prefix = ""): [string, number] | null {
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === "number" && !Number.isFinite(v)) return [prefix + k, v];
    if (v !== null && typeof v === "object") {
      const inner = firstNonFinite(v as Record<string, unknown>, `${prefix}${k}.`);
      if (inner !== null) return inner;
    }
  }
  return null;
}

/**
 * Invariants: a day's row is finite in every column (a non-finite value is never committed), and
 * the balances the postings give must agree with E17–E19 and keep I1–I3 (no escrow
 * negative); otherwise the close is refused.
 */
const invariantsStep: LedgerRun = ({ x, w, day }) => {
  const { t, e, dollarStart } = x;
  const { end, expected } = w;
  const nonFinite = firstNonFinite(w.row as unknown as Record<string, unknown>);
  if (nonFinite !== null)
    throw refuse(t, `column ${nonFinite[0]} would be ${nonFinite[1]}, not a finite number`);
  const tol = (v: number) => INVARIANT_TOLERANCE * Math.max(Math.abs(v), e.totalTokens, 1);
  const agree: [string, number, number][] = [
    ["supply (E17)", end.supply, expected.supply],
    ["tokenReserve (E18)", end.tokenReserve, expected.tokenReserve],
    ["dollarReserve (E19)", end.dollarReserve, expected.dollarReserve],
  ];
  for (const [name, posted, wanted] of agree)
    if (!(Math.abs(posted - wanted) <= tol(wanted)))
      throw refuse(t, `${name} from the postings is ${posted}, the mechanisms give ${wanted}`);
  const violation = checkInvariants(
    t,
    e.totalTokens,
    end.supply,
    end.tokenReserve,
    end.locked,
    dollarStart,
    end.dollarReserve,
    day.income,
    day.split.usdCapital,
    day.split.usdBuybackCapital,
    day.topUp.reserveBuybackUsd + w.exp.refunded - w.exp.escrowBack,
  );
  if (violation) return violation;
  const usdTol = INVARIANT_TOLERANCE * Math.max(day.income, dollarStart, 1);
  const { usdEscrow, bondEscrow, pendingTokens, freeReserve } = end;
  if (
    usdEscrow < -usdTol ||
    bondEscrow < -tol(0) ||
    end.supply - bondEscrow < -tol(0) ||
    pendingTokens < -tol(0) ||
    freeReserve < -tol(0)
  )
    throw refuse(
      t,
      `invariant I3 violated: an escrow is negative (usdEscrow ${usdEscrow}, bondEscrow ${bondEscrow}, free supply ${end.supply - bondEscrow}, earmarked ${pendingTokens}, free reserve ${freeReserve})`,
    );
  return undefined;
};

/**
 * The ledger's day: one step per name of the simulator's day (DAY_STEP_NAMES, docs/model.md §6
 * order) — the simulator's own step where its inputs are the model's, the ledger's where they are
 * the realised events — and the ledger-only steps inserted: postings after "burn", then §9
 * settlement and expiry before "rewards".
 */
export const LEDGER_DAY: readonly DayStep<LedgerDay>[] = composeDay(
  [
    own("schedule", scheduleStep),
    own("inputs", inputsStep),
    own("income", incomeStep),
    shared("split", split),
    shared("suppliers", suppliers),
    shared("onboarding", onboarding),
    own("bonds", bondsStep),
    own("price", priceStep),
    own("burn", burnStep),
    own("rewards", rewardsStep),
    shared("emissions", emissions),
    own("validators", validatorsStep),
    own("payouts", payoutsStep),
    own("topUp", topUpStep),
    own("update", updateStep),
    own("record", recordStep),
    own("invariants", invariantsStep),
  ],
  [
    { after: "burn", step: own("postings", postingsStep) as unknown as DayStep },
    { before: "rewards", step: own("settle", settleStep) as unknown as DayStep },
    { before: "rewards", step: own("expire", expireStep) as unknown as DayStep },
  ] satisfies StepInsertion[],
);

/** Postings done: store the cohorts, the expired attempts and tasks, and the closed day (row and state). */
async function store(x: Close, w: Worked): Promise<void> {
  const { trx, t } = x;
  for (const [attempt, seq] of w.exp.attemptSeqs)
    await trx
      .updateTable("attempts")
      .set({ outcome: "expired", outcome_seq: seq, validated_day: t })
      .where("id", "=", attempt)
      .execute();
  if (w.exp.expiring.length > 0)
    await trx
      .updateTable("tasks")
      .set({ status: "expired", closed_day: t })
      .where("status", "in", ["queued", "assigned"])
      .where("deadline_day", "<=", t)
      .execute();
  for (const h of w.book.cohorts.values())
    if (h.day === t) await trx.insertInto("cohorts").values(h).execute();
    else
      await trx
        .updateTable("cohorts")
        .set({ paid: h.paid, open: h.open })
        .where("day", "=", h.day)
        .execute();
  await trx
    .insertInto("days")
    .values({
      day: t,
      closed_at: new Date().toISOString(),
      row: JSON.stringify(w.row),
      state: JSON.stringify(w.finalState),
    })
    .execute();
}
