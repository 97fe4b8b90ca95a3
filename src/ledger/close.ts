import type { Transaction } from "kysely";
import { columnNames } from "../engine/columns.js";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { supplierBondTokens, supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { splitIncome } from "../mechanisms/incomeSplit.js";
import { checkInvariants, INVARIANT_TOLERANCE } from "../mechanisms/invariants.js";
import { jobReward as jobRewardOf } from "../mechanisms/jobReward.js";
import { newSuppliers, onboardingFeeUsd } from "../mechanisms/onboardingFee.js";
import { nextPhase } from "../mechanisms/phaseChange.js";
import { phaseOneEmission, phaseOneFill } from "../mechanisms/phaseOneEmission.js";
import { phaseTwoEmission } from "../mechanisms/phaseTwoEmission.js";
import { reserveTopUp } from "../mechanisms/reserveTopUp.js";
import { payTokens } from "../mechanisms/supplierTokens.js";
import { type TokenPrice, tokenDemand, tokenPrice } from "../mechanisms/tokenPrice.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import type { OnchainName, OnchainValues } from "../scenario/onchain.js";
import type { Day, Tokens, Usd, UsdPerToken } from "../units.js";
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
}

/** The ledger's own figures of a day, beside the §7 row. */
export interface LedgerFigures {
  validatedTasks: number;
  failedTasks: number;
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
 * Close day t: docs/model.md §6 steps 1–14 on what actually happened, calling the mechanism functions
 * the simulator calls, in the same order, with the marketplace's per-task accounting of §9 (burn
 * at submission, pay at validation, bonds escrowed until validated, refunds of expired work).
 * Posts every movement as balanced transactions into `j`, derives the day's end balances from
 * the postings, and refuses the close (throws, so the caller's transaction rolls back) if they
 * disagree with E17–E19 or break I1–I3. Each step below is one function; validations and expiry
 * (§9) run before the rewards because E12 and E15 need what they pay and free.
 */
export async function closeDay(
  ledger: ClosingLedger,
  trx: Trx,
  j: Journal,
  t: Day,
): Promise<DayRecord> {
  const x = await openClose(ledger, trx, j, t);
  const sched = await schedule(x);
  const inc = await incomeOfDay(x);
  // 3. split (E7)
  const split = splitIncome(
    inc.income,
    sched.oc.fiatOperationsFraction,
    sched.oc.buybackModulation,
  );
  const sup = await suppliersAndOnboarding(x, sched.oc, inc.income);
  const bonds = await bondsPosted(x, sched.oc);
  const priced = priceOfDay(x, sched, split, sup.onboardingUsd, bonds.bondUsd);
  const { bought, onboarded } = burn(x, split, priced.price, sup.onboardingUsd);
  const state: DayState = {
    day: t,
    phase: sup.phase,
    phaseTwoMinted: 0,
    onchain: sched.oc,
    counts: [...sup.counts],
    income: inc.income,
    supplierTotal: sup.supplierTotal,
    priceOfToken: priced.p,
    buybackPrice: priced.price.buybackPrice,
  };
  x.states.set(t, state);
  postIncome(x, state, inc.tasksToday, split, inc.income, bought);
  const book = cohortBook(x, bought, inc.tasksToday.length);
  postOnboarding(x, sup, priced.p);
  const bondTokensPosted = postBonds(x, state, bonds.bonded);
  const pay = await payouts(x, sup.phase, book.payOut);
  const exp = await expire(x, split, book.payOut, pay.confiscated);
  const claims = rewardsEmissionsValidators(x, sched.oc, sup, pay, priced.p);
  const paid = await payClaims(x, sup, pay, exp, claims, onboarded);
  const top = topUpAndVest(x, sched.oc, priced.price, pay, exp, paid, { bought, onboarded });
  const expected = updateExpected(x, split, pay, exp, paid, top, { bought, onboarded });
  const end = invariants(x, expected, inc.income, split, top, exp);
  const finalState: DayState = {
    ...state,
    phaseTwoMinted: (x.prev?.phaseTwoMinted ?? 0) + paid.paid.phaseTwoEmission,
  };
  const row = dayRow(x, {
    inc,
    split,
    sup,
    bonds,
    priced,
    bought,
    onboarded,
    claims,
    pay,
    exp,
    paid,
    top,
    end,
    bondTokensPosted,
  });
  await store(x, book.cohorts, row, finalState);
  return {
    row,
    state: finalState,
    expiredAttempts: exp.expiredAttempts,
    expiredTasks: exp.expiring.map((r) => r.id),
    nextOutcomeSeq: exp.seq,
  };
}

/** USD of a task's price that goes to its supplier through escrow (E7 per task). */
const taskUsd = (s: DayState, taskPrice: Usd) =>
  (1 - s.onchain.buybackModulation) * ((1 - s.onchain.fiatOperationsFraction) * taskPrice);
/** Buyback tokens earmarked for a task at its submission day's buyback price (E11a per task). */
const earmark = (s: DayState, taskPrice: Usd) =>
  buybackTokens(
    s.onchain.buybackModulation * ((1 - s.onchain.fiatOperationsFraction) * taskPrice),
    s.buybackPrice,
  );
/** The bond of a task, in tokens at its bond day's price (E9, E22). */
const bondTokensOf = (s: DayState, taskPrice: Usd) =>
  supplierBondTokens(s.onchain.bondModulation, taskPrice, s.priceOfToken);

/** What every step of a close reads: the day, the journal, the closed days, the opening balances. */
type Close = Awaited<ReturnType<typeof openClose>>;

/** The start of a close: the previous day's state and the balances at the end of its close. */
async function openClose(ledger: ClosingLedger, trx: Trx, j: Journal, t: Day) {
  const e = ledger.economy;
  const c = e.compiled;
  const classes = e.supplierClasses;
  const types = e.consumerTypes;
  const nK = classes.length;
  const states = new Map<number, DayState>();
  const stateOf = async (d: number): Promise<DayState> => {
    let s = states.get(d);
    if (!s) {
      const r = await trx
        .selectFrom("days")
        .select("state")
        .where("day", "=", d)
        .executeTakeFirst();
      if (!r) throw new Error(`day ${d} has no closed state`);
      s = JSON.parse(r.state) as DayState;
      states.set(d, s);
    }
    return s;
  };
  const prev = t > 0 ? await stateOf(t - 1) : null;

  // balances at the start of the close (= end of the previous close: the day posts only USD payments)
  const balances = new Map<string, number>();
  for (const b of await trx.selectFrom("balances").selectAll().execute())
    balances.set(`${b.currency}:${b.account}`, b.amount);
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
  const supplyStart = tiny(sumTokens(isCirculating, false));
  const reserveStart = sumTokens(isReserve, false);
  const dollarStart = bal("usd", "dollarReserve");
  const ref = `day:${t}`;
  return {
    ledger,
    trx,
    j,
    t,
    e,
    c,
    classes,
    types,
    nK,
    states,
    stateOf,
    prev,
    balances,
    bal,
    sumTokens,
    after,
    supplyStart,
    reserveStart,
    dollarStart,
    ref,
  };
}

/** Step 1, schedule: the votes cast during the day take effect now; the day's inputs. */
async function schedule(x: Close) {
  const { ledger, trx, t, e, prev } = x;
  const oc: OnchainValues = { ...(prev?.onchain ?? e.onchain0) };
  const votes = await trx
    .selectFrom("votes")
    .selectAll()
    .where("day", "=", t)
    .orderBy("id")
    .execute();
  for (const v of votes) oc[v.variable as OnchainName] = v.value;
  const input =
    (await trx
      .selectFrom("inputs")
      .selectAll()
      .where("day", "<=", t)
      .orderBy("day", "desc")
      .limit(1)
      .executeTakeFirst()) ?? null;
  const sentiment = input?.consumer_sentiment ?? 0;
  const governance = input?.governance_value ?? 0;
  const feed = input?.day === t ? input.price_of_token : null;
  if (ledger.priceSource === "feed" && (feed === null || feed === undefined))
    throw refuse(t, "the ledger's priceSource is feed and no price was posted for the day");
  return { oc, sentiment, governance, feed };
}

/** Step 2, income (E5) and per class (E6): the jobs submitted today, each at its own E1 price. */
async function incomeOfDay(x: Close) {
  const { trx, t, classes, types, nK } = x;
  const jobs = await trx
    .selectFrom("jobs")
    .select(["consumer_type", "price"])
    .where("day", "=", t)
    .orderBy("id")
    .execute();
  const jobCreated = new Float64Array(types.length);
  let income = 0;
  for (const job of jobs) {
    jobCreated[types.indexOf(job.consumer_type)]++;
    income += job.price;
  }
  const tasksToday = await trx
    .selectFrom("tasks")
    .select(["id", "supplier_class", "price"])
    .where("day", "=", t)
    .orderBy("id")
    .execute();
  const demandForService = new Float64Array(nK);
  for (const task of tasksToday)
    demandForService[classes.indexOf(task.supplier_class)] += task.price;
  return { jobCreated, income, tasksToday, demandForService };
}

/**
 * Steps 4–5: the suppliers, then the phase (E4; the stake is released on the first phase-2 day),
 * and the onboarding fee (E8) of today's arrivals, phase 2: the window's income and supplier totals.
 */
async function suppliersAndOnboarding(x: Close, oc: OnchainValues, income: Usd) {
  const { trx, t, c, classes, nK, prev, stateOf } = x;
  const suppliers = await trx
    .selectFrom("suppliers")
    .select(["id", "supplier_class", "joined_day"])
    .where("joined_day", "<=", t)
    .orderBy("id")
    .execute();
  const counts = new Float64Array(nK);
  for (const s of suppliers) counts[classes.indexOf(s.supplier_class)]++;
  const yesterday = prev ? Float64Array.from(prev.counts) : counts;
  const arrivals = newSuppliers(counts, yesterday);
  const supplierTotal = counts.reduce((a, b) => a + b, 0);
  const wasPhase = prev?.phase ?? 1;
  const phase = nextPhase(wasPhase, t, c, counts, c.phaseOneTarget, income);
  const W = oc.onboardingWindowDays;
  const incomeHistory = new Float64Array(t + 1);
  const supplierHistory = new Float64Array(t + 1);
  if (phase === 2)
    for (let s = Math.max(0, t - W + 1); s < t; s++) {
      const st = await stateOf(s);
      incomeHistory[s] = st.income;
      supplierHistory[s] = st.supplierTotal;
    }
  incomeHistory[t] = income;
  supplierHistory[t] = supplierTotal;
  const feeUsd =
    phase === 2
      ? onboardingFeeUsd(t, W, oc.onboardingModulation, incomeHistory, supplierHistory)
      : 0;
  const onboardingUsd = feeUsd * arrivals;
  return { suppliers, counts, yesterday, supplierTotal, wasPhase, phase, feeUsd, onboardingUsd };
}

/** Step 6, bonds posted today (E22 summed: E9 of the accepted work). */
async function bondsPosted(x: Close, oc: OnchainValues) {
  const { trx, t } = x;
  const bonded = await trx
    .selectFrom("attempts")
    .innerJoin("tasks", "tasks.id", "attempts.task_id")
    .select(["attempts.supplier_id as supplier", "tasks.price as price"])
    .where("attempts.bond_day", "=", t)
    .orderBy("attempts.id")
    .execute();
  let acceptedUsd = 0;
  for (const b of bonded) acceptedUsd += b.price;
  const bondUsd = supplierBondUsd(oc.bondModulation, acceptedUsd);
  return { bonded, bondUsd };
}

/** Step 7, demand and price (E10), or the operator's feed. */
function priceOfDay(
  x: Close,
  sched: Awaited<ReturnType<typeof schedule>>,
  split: ReturnType<typeof splitIncome>,
  onboardingUsd: Usd,
  bondUsd: Usd,
) {
  const { ledger, t, supplyStart } = x;
  const { oc, sentiment, governance, feed } = sched;
  const demand = tokenDemand(
    sentiment,
    onboardingUsd,
    bondUsd,
    split.usdBuybackCapital,
    governance,
  );
  let price: TokenPrice | null;
  if (ledger.priceSource === "feed") {
    const q = feed as number;
    price = { priceOfToken: q, priceFloored: false, buybackPrice: q * (1 + oc.buybackPremium) };
  } else price = tokenPrice(demand, supplyStart, oc.priceFloor, oc.buybackPremium);
  if (price === null)
    throw refuse(t, `no token price exists: demand ${demand} usd and no circulating supply`);
  const p = price.priceOfToken;
  return { demand, price, p };
}

/**
 * Step 8, burn (E11a, earmarked per task) and onboarding burn (E11b). Buybacks never take more
 * than there is in circulation (the draining rule).
 */
function burn(
  x: Close,
  split: ReturnType<typeof splitIncome>,
  price: TokenPrice,
  onboardingUsd: Usd,
): { bought: Tokens; onboarded: Tokens } {
  const bought = withdrawal(
    x.supplyStart,
    buybackTokens(split.usdBuybackCapital, price.buybackPrice),
  );
  const onboarded = onboardingTokens(onboardingUsd, price.priceOfToken);
  return { bought, onboarded };
}

/** Postings of step 8: the day's income into escrow and the market, the buyback earmarked (E7, E11a). */
function postIncome(
  x: Close,
  state: DayState,
  tasksToday: { price: number }[],
  split: ReturnType<typeof splitIncome>,
  income: Usd,
  bought: Tokens,
): void {
  let escrowIn = 0;
  for (const task of tasksToday) escrowIn += taskUsd(state, task.price);
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
  const { trx, t, stateOf } = x;
  const cohorts = new Map<number, Tables["cohorts"]>();
  cohorts.set(t, { day: t, bought, paid: 0, open });
  const cohortOf = async (d: number) => {
    let h = cohorts.get(d);
    if (!h) {
      h = await trx
        .selectFrom("cohorts")
        .selectAll()
        .where("day", "=", d)
        .executeTakeFirstOrThrow();
      cohorts.set(d, h);
    }
    return h;
  };
  const payOut = async (d: number, taskPrice: Usd) => {
    const h = await cohortOf(d);
    const amount = h.open === 1 ? h.bought - h.paid : earmark(await stateOf(d), taskPrice);
    h.paid += amount;
    h.open--;
    return amount;
  };
  return { cohorts, payOut };
}

type PayOut = ReturnType<typeof cohortBook>["payOut"];

/** Onboarding (E8, E11b): today's joiners (the first newSuppliers of each class) buy the fee's tokens. */
function postOnboarding(
  x: Close,
  sup: Awaited<ReturnType<typeof suppliersAndOnboarding>>,
  p: UsdPerToken,
): void {
  const { j, t, classes } = x;
  const { suppliers, counts, yesterday, feeUsd } = sup;
  const onboardingTx = new Sums();
  const joinersLeft = Float64Array.from(counts, (n, k) => Math.max(0, n - yesterday[k]));
  if (feeUsd > 0)
    for (const s of suppliers) {
      const k = classes.indexOf(s.supplier_class);
      if (s.joined_day !== t || joinersLeft[k] <= 0) continue;
      joinersLeft[k]--;
      onboardingTx.add(String(s.id), 1);
    }
  for (const [id] of onboardingTx.entries())
    j.post(t, "onboardingFee", `supplier:${id}`, [
      ...transfer(`supplier:${id}`, "market", "usd", feeUsd),
      ...transfer("market", "tokenReserve", "tokens", onboardingTokens(feeUsd, p)),
    ]);
}

/** Bonds posted today: bought on the market at today's price into escrow (E22). Returns the tokens. */
function postBonds(x: Close, state: DayState, bonded: { supplier: number; price: number }[]) {
  const { j, t } = x;
  const oc = state.onchain;
  const bondUsdOf = new Sums();
  const bondTokOf = new Sums();
  let bondTokensPosted = 0;
  for (const b of bonded) {
    const tok = bondTokensOf(state, b.price);
    bondUsdOf.add(String(b.supplier), oc.bondModulation * b.price);
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
 * Payouts (§9, E7 and E11a per task, E22): validations reported today pay validated work and
 * return its bond; failed work loses its bond to the reserve.
 */
async function payouts(x: Close, phase: 1 | 2, payOut: PayOut) {
  const { trx, j, t, stateOf } = x;
  const reports = await trx
    .selectFrom("attempts")
    .innerJoin("tasks", "tasks.id", "attempts.task_id")
    .select([
      "attempts.supplier_id as supplier",
      "attempts.validator_id as validator",
      "attempts.outcome as outcome",
      "attempts.bond_day as bondDay",
      "tasks.price as price",
      "tasks.share as share",
      "tasks.day as taskDay",
    ])
    .where("attempts.validated_day", "=", t)
    .orderBy("attempts.outcome_seq")
    .execute();
  const usdTo = new Sums();
  const tokTo = new Sums();
  const bondBack = new Sums();
  const bondLost = new Sums();
  const validatorShares = new Sums();
  const rewardPriceOf = new Sums();
  const rewardPrices: number[] = [];
  let released = 0;
  let usdPaid = 0;
  let confiscated = 0;
  let bondTokensReturned = 0;
  let validated = 0;
  let failed = 0;
  let shares = 0;
  for (const r of reports) {
    const id = String(r.supplier);
    validatorShares.add(String(r.validator), r.share);
    shares += r.share;
    const bond = r.bondDay === null ? 0 : bondTokensOf(await stateOf(r.bondDay), r.price);
    if (r.outcome === "passed") {
      validated++;
      const sd = await stateOf(r.taskDay);
      const usd = taskUsd(sd, r.price);
      const tok = await payOut(r.taskDay, r.price);
      usdTo.add(id, usd);
      tokTo.add(id, tok);
      bondBack.add(id, bond);
      usdPaid += usd;
      released += tok;
      bondTokensReturned += bond;
      if (phase === 2) {
        rewardPriceOf.add(id, r.price);
        rewardPrices.push(r.price);
      }
    } else {
      failed++;
      bondLost.add(id, bond);
      confiscated += bond;
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
  return {
    validatorShares,
    rewardPriceOf,
    rewardPrices,
    released,
    usdPaid,
    confiscated,
    bondTokensReturned,
    validated,
    failed,
    shares,
  };
}

/**
 * Expiry (§9): work not validated by its deadline is refunded from the dollar reserve, cut pro rata
 * (and reported) if it cannot pay; an open attempt loses its bond. `confiscated` carries on the
 * bonds already lost today.
 */
async function expire(
  x: Close,
  split: ReturnType<typeof splitIncome>,
  payOut: PayOut,
  confiscated: Tokens,
) {
  const { ledger, trx, j, t, stateOf, dollarStart, ref } = x;
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
      "attempts.completed_day as completedDay",
    ])
    .where("tasks.status", "in", ["queued", "assigned"])
    .where("tasks.deadline_day", "<=", t)
    .orderBy("tasks.id")
    .execute();
  const refundOf = new Sums();
  let refundDue = 0;
  let escrowBack = 0;
  let freed = 0;
  const expiredAttempts: { supplierId: number; wasBusy: boolean }[] = [];
  let seq = ledger.nextOutcomeSeq();
  for (const r of expiring) {
    refundDue += r.price;
    refundOf.add(String(r.consumer), r.price);
    escrowBack += taskUsd(await stateOf(r.taskDay), r.price);
    freed += await payOut(r.taskDay, r.price);
    if (r.attempt !== null && r.supplier !== null) {
      if (r.bondDay !== null) {
        const bond = bondTokensOf(await stateOf(r.bondDay), r.price);
        confiscated += bond;
        j.post(
          t,
          "bondLost",
          `supplier:${r.supplier}`,
          transfer("bondEscrow", "tokenReserve", "tokens", bond),
        );
      }
      expiredAttempts.push({ supplierId: r.supplier, wasBusy: r.completedDay === null });
      await trx
        .updateTable("attempts")
        .set({ outcome: "expired", outcome_seq: seq++, validated_day: t })
        .where("id", "=", r.attempt)
        .execute();
    }
  }
  if (expiring.length > 0)
    await trx
      .updateTable("tasks")
      .set({ status: "expired", closed_day: t })
      .where("status", "in", ["queued", "assigned"])
      .where("deadline_day", "<=", t)
      .execute();
  const cash = dollarStart + split.opsRevenue + escrowBack;
  const refunded = Math.min(refundDue, cash);
  const refundScale = refundDue > 0 ? refunded / refundDue : 0;
  j.post(t, "expiry", ref, [
    ...transfer("usdEscrow", "dollarReserve", "usd", escrowBack),
    ...transfer("tokenReserve:earmarked", "tokenReserve", "tokens", freed),
  ]);
  for (const [id, usd] of refundOf.entries(refundScale))
    j.post(t, "refund", `consumer:${id}`, transfer("dollarReserve", `consumer:${id}`, "usd", usd));
  return {
    expiring,
    refundDue,
    escrowBack,
    freed,
    confiscated,
    expiredAttempts,
    seq,
    cash,
    refunded,
  };
}

/**
 * Steps 9–11, the claims: job rewards (E12) of validated work, phase-2 emission (E13), phase-1
 * emission (E2, E3), validator pay (E14).
 */
function rewardsEmissionsValidators(
  x: Close,
  oc: OnchainValues,
  sup: Awaited<ReturnType<typeof suppliersAndOnboarding>>,
  pay: Awaited<ReturnType<typeof payouts>>,
  p: UsdPerToken,
) {
  const { c, prev } = x;
  const { phase, counts } = sup;
  const { rewardPrices, shares } = pay;
  const reward =
    phase === 2
      ? jobRewardOf(
          new Float64Array(rewardPrices.length).fill(1),
          rewardPrices,
          p,
          oc.jobRewardModulation,
        )
      : 0;
  const phaseTwoClaim =
    phase === 2
      ? phaseTwoEmission(
          oc.phaseTwoMintAmount,
          prev?.phaseTwoMinted ?? 0,
          reward,
          oc.phase2Modulation,
        )
      : 0;
  const phaseOneClaim =
    phase === 1
      ? phaseOneEmission(
          c.phaseOneTokensForProject,
          c.phaseOneDays,
          phaseOneFill(counts, c.phaseOneTarget),
        )
      : 0;
  const validatorClaim = validatorTokens(
    oc.validationModulator,
    validationsCompleted(oc.validationsPerJob, shares),
  );
  return { reward, phaseTwoClaim, phaseOneClaim, validatorClaim };
}

/**
 * Step 12, E15 on the free reserve (earmarked tokens belong to their tasks), and its postings:
 * validator pay by shares, phase-2 emission by rewarded price, phase-1 emission to the stakes;
 * the stake is released on the first phase-2 day.
 */
async function payClaims(
  x: Close,
  sup: Awaited<ReturnType<typeof suppliersAndOnboarding>>,
  pay: Awaited<ReturnType<typeof payouts>>,
  exp: Awaited<ReturnType<typeof expire>>,
  claims: ReturnType<typeof rewardsEmissionsValidators>,
  onboarded: Tokens,
) {
  const { j, t, c, classes, nK, balances, bal, ref } = x;
  const { suppliers, counts, phase, wasPhase } = sup;
  const { validatorShares, shares, rewardPrices, rewardPriceOf } = pay;
  const freeReserve = bal("tokens", "tokenReserve") + exp.confiscated + exp.freed;
  const paid = payTokens(
    freeReserve,
    0,
    onboarded,
    claims.validatorClaim,
    claims.phaseTwoClaim,
    claims.phaseOneClaim,
  );
  j.post(
    t,
    "validatorPay",
    ref,
    fanOut(
      "tokenReserve",
      "tokens",
      shares > 0
        ? validatorShares
            .entries(paid.validatorTokensPaid / shares)
            .map(([id, v]) => [`validator:${id}`, v])
        : [],
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
      rewardTotal > 0
        ? rewardPriceOf
            .entries(paid.phaseTwoEmission / rewardTotal)
            .map(([id, v]) => [`supplier:${id}`, v])
        : [],
    ),
  );
  if (paid.phaseOneEmission > 0) {
    let slots = 0;
    for (let k = 0; k < nK; k++) slots += Math.min(counts[k], c.phaseOneTarget[k]);
    const left = Float64Array.from(c.phaseOneTarget);
    const to: [string, number][] = [];
    for (const s of suppliers) {
      const k = classes.indexOf(s.supplier_class);
      if (left[k] <= 0) continue;
      left[k]--;
      to.push([`stake:${s.id}`, paid.phaseOneEmission / slots]);
    }
    j.post(t, "phaseOneEmission", ref, fanOut("tokenReserve", "tokens", to));
  }
  if (phase === 2 && wasPhase === 1)
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
  return { freeReserve, paid };
}

type Burnt = { bought: Tokens; onboarded: Tokens };

/** Step 13, reserve top-up (E16) on the free reserve, then vesting (E17b). */
function topUpAndVest(
  x: Close,
  oc: OnchainValues,
  price: TokenPrice,
  pay: Awaited<ReturnType<typeof payouts>>,
  exp: Awaited<ReturnType<typeof expire>>,
  claimed: Awaited<ReturnType<typeof payClaims>>,
  { bought, onboarded }: Burnt,
) {
  const { j, t, e, c, supplyStart, ref } = x;
  const { freeReserve, paid } = claimed;
  const freeAfterPay =
    freeReserve +
    onboarded -
    paid.validatorTokensPaid -
    paid.phaseTwoEmission -
    paid.phaseOneEmission;
  const circulating =
    nextSupply(
      supplyStart,
      paid.validatorTokensPaid,
      paid.phaseOneEmission,
      paid.phaseTwoEmission,
      onboarded,
      0,
      0,
    ) +
    (pay.released - bought - exp.confiscated);
  const topUp = reserveTopUp(
    freeAfterPay,
    c.initialTokenReserve,
    oc.lowerTokenReserveLimit,
    oc.tokenReserveRestoreLevel,
    price.buybackPrice,
    exp.cash - exp.refunded,
    circulating,
  );
  j.post(t, "reserveTopUp", ref, [
    ...transfer("dollarReserve", "market", "usd", topUp.reserveBuybackUsd),
    ...transfer("market", "tokenReserve", "tokens", topUp.reserveBuybackTokens),
  ]);
  const vested = vestedOn(e, t);
  j.post(t, "vesting", ref, transfer("locked", "market", "tokens", vested));
  return { circulating, topUp, vested };
}

/** Step 14, update: E17–E19 by the mechanism functions, with the §9 escrows and refunds. */
function updateExpected(
  x: Close,
  split: ReturnType<typeof splitIncome>,
  pay: Awaited<ReturnType<typeof payouts>>,
  exp: Awaited<ReturnType<typeof expire>>,
  claimed: Awaited<ReturnType<typeof payClaims>>,
  top: ReturnType<typeof topUpAndVest>,
  { bought, onboarded }: Burnt,
) {
  const { reserveStart, dollarStart } = x;
  const { paid } = claimed;
  const { circulating, topUp, vested } = top;
  const supplyExpected = circulating - topUp.reserveBuybackTokens + vested;
  const reserveExpected =
    nextTokenReserve(
      reserveStart,
      onboarded,
      paid.validatorTokensPaid,
      paid.phaseTwoEmission,
      paid.phaseOneEmission,
      topUp.reserveBuybackTokens,
    ) +
    (bought - pay.released + exp.confiscated);
  const dollarExpected =
    nextDollarReserve(dollarStart, split.opsRevenue, topUp.reserveBuybackUsd) +
    (exp.escrowBack - exp.refunded);
  return { supplyExpected, reserveExpected, dollarExpected };
}

/**
 * Invariants: the balances the postings give must agree with E17–E19 and keep I1–I3 (no escrow
 * negative); otherwise the close is refused. Returns the day's end balances.
 */
function invariants(
  x: Close,
  expected: ReturnType<typeof updateExpected>,
  income: Usd,
  split: ReturnType<typeof splitIncome>,
  top: ReturnType<typeof topUpAndVest>,
  exp: Awaited<ReturnType<typeof expire>>,
) {
  const { j, t, e, balances, sumTokens, after, dollarStart } = x;
  const { supplyExpected, reserveExpected, dollarExpected } = expected;
  const supply = sumTokens(isCirculating, true);
  const tokenReserve = sumTokens(isReserve, true);
  const locked = after("tokens", "locked");
  const dollarReserve = after("usd", "dollarReserve");
  const tol = (v: number) => INVARIANT_TOLERANCE * Math.max(Math.abs(v), e.totalTokens, 1);
  const agree: [string, number, number][] = [
    ["supply (E17)", supply, supplyExpected],
    ["tokenReserve (E18)", tokenReserve, reserveExpected],
    ["dollarReserve (E19)", dollarReserve, dollarExpected],
  ];
  for (const [name, posted, wanted] of agree)
    if (!(Math.abs(posted - wanted) <= tol(wanted)))
      throw refuse(t, `${name} from the postings is ${posted}, the mechanisms give ${wanted}`);
  const violation = checkInvariants(
    t,
    e.totalTokens,
    supply,
    tokenReserve,
    locked,
    dollarStart,
    dollarReserve,
    income,
    split.usdCapital,
    split.usdBuybackCapital,
    top.topUp.reserveBuybackUsd + exp.refunded - exp.escrowBack,
  );
  if (violation) throw refuse(t, violation.message);
  const usdEscrow = after("usd", "usdEscrow");
  const bondEscrow = after("tokens", "bondEscrow");
  const pendingTokens = after("tokens", "tokenReserve:earmarked");
  const free = after("tokens", "tokenReserve");
  const usdTol = INVARIANT_TOLERANCE * Math.max(income, dollarStart, 1);
  if (usdEscrow < -usdTol || bondEscrow < -tol(0) || pendingTokens < -tol(0) || free < -tol(0))
    throw refuse(
      t,
      `invariant I3 violated: an escrow is negative (usdEscrow ${usdEscrow}, bondEscrow ${bondEscrow}, earmarked ${pendingTokens}, free reserve ${free})`,
    );

  let staked = 0;
  const stakeAccounts = new Set<string>();
  for (const k of balances.keys()) if (k.startsWith("tokens:stake:")) stakeAccounts.add(k.slice(7));
  for (const a of j.accounts("tokens")) if (a.startsWith("stake:")) stakeAccounts.add(a);
  for (const a of stakeAccounts) staked += after("tokens", a);
  return {
    supply,
    tokenReserve,
    locked,
    dollarReserve,
    usdEscrow,
    bondEscrow,
    pendingTokens,
    staked,
  };
}

/** Everything a close worked out, for its §7 row. */
interface Worked {
  inc: Awaited<ReturnType<typeof incomeOfDay>>;
  split: ReturnType<typeof splitIncome>;
  sup: Awaited<ReturnType<typeof suppliersAndOnboarding>>;
  bonds: Awaited<ReturnType<typeof bondsPosted>>;
  priced: ReturnType<typeof priceOfDay>;
  bought: Tokens;
  onboarded: Tokens;
  claims: ReturnType<typeof rewardsEmissionsValidators>;
  pay: Awaited<ReturnType<typeof payouts>>;
  exp: Awaited<ReturnType<typeof expire>>;
  paid: Awaited<ReturnType<typeof payClaims>>;
  top: ReturnType<typeof topUpAndVest>;
  end: ReturnType<typeof invariants>;
  bondTokensPosted: Tokens;
}

/** The day's §7 row (the simulator's columns) and the ledger's own figures beside it. */
function dayRow(x: Close, w: Worked): DayRecord["row"] {
  const { t, ledger, types, classes } = x;
  const { split, bought, onboarded, pay, exp, end } = w;
  const { income, jobCreated, demandForService } = w.inc;
  const { phase, onboardingUsd, counts } = w.sup;
  const { demand, p, price } = w.priced;
  const { paid } = w.paid;
  const { topUp } = w.top;
  const { released } = pay;
  const values: number[] = [
    t,
    phase,
    income,
    split.opsRevenue,
    split.usdBuybackCapital,
    split.usdCapital,
    onboardingUsd,
    w.bonds.bondUsd,
    demand,
    p,
    price.priceFloored ? 1 : 0,
    bought,
    onboarded,
    w.claims.reward,
    paid.phaseOneEmission,
    paid.phaseTwoEmission,
    paid.validatorTokensPaid,
    released + paid.phaseOneEmission + paid.phaseTwoEmission,
    released + paid.phaseOneEmission + paid.phaseTwoEmission + paid.validatorTokensPaid,
    topUp.reserveBuybackUsd,
    topUp.reserveBuybackTokens,
    split.usdBuybackCapital + topUp.reserveBuybackUsd,
    paid.tokenShortfall,
    end.supply,
    end.tokenReserve,
    end.dollarReserve,
    end.locked,
    end.staked,
    ...jobCreated,
    ...demandForService,
    ...counts,
  ];
  const names = columnNames(types, classes);
  const row = Object.fromEntries(names.map((n, i) => [n, values[i]])) as DayRecord["row"];
  row.ledger = {
    validatedTasks: pay.validated,
    failedTasks: pay.failed,
    expiredTasks: exp.expiring.length,
    refundedUsd: exp.refunded,
    refundShortfallUsd: exp.refundDue - exp.refunded,
    usdPaidToSuppliers: pay.usdPaid,
    tokensPaidToSuppliers: released + paid.phaseOneEmission + paid.phaseTwoEmission,
    bondTokensPosted: w.bondTokensPosted,
    bondTokensReturned: pay.bondTokensReturned,
    bondTokensLost: exp.confiscated,
    usdEscrow: end.usdEscrow,
    pendingTokens: end.pendingTokens,
    bondEscrow: end.bondEscrow,
    priceSource: ledger.priceSource,
  };
  return row;
}

/** Postings done, store the cohorts and the closed day (row and state). */
async function store(
  x: Close,
  cohorts: Map<number, Tables["cohorts"]>,
  row: DayRecord["row"],
  finalState: DayState,
): Promise<void> {
  const { trx, t } = x;
  for (const h of cohorts.values())
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
      row: JSON.stringify(row),
      state: JSON.stringify(finalState),
    })
    .execute();
}
