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
import { vestedOn } from "./economy.js";
import { LedgerError } from "./errors.js";
import { fanOut, isCirculating, isReserve, type Journal, transfer } from "./journal.js";
import type { Ledger } from "./ledger.js";

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
 * Close day t: MODEL.md §6 steps 1–14 on what actually happened, calling the mechanism functions
 * the simulator calls, in the same order, with the marketplace's per-task accounting of §9 (burn
 * at submission, pay at validation, bonds escrowed until validated, refunds of expired work).
 * Posts every movement as balanced transactions into `j`, derives the day's end balances from
 * the postings, and refuses the close (throws, so the caller's transaction rolls back) if they
 * disagree with E17–E19 or break I1–I3.
 */
export async function closeDay(ledger: Ledger, trx: Trx, j: Journal, t: Day): Promise<DayRecord> {
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
  // a sum of postings that should be 0 may come out at ±1e-13: that is 0 (no holder is owed it)
  const tiny = (x: number) => (Math.abs(x) <= 1e-12 * e.totalTokens ? 0 : x);
  const supplyStart = tiny(sumTokens(isCirculating, false));
  const reserveStart = sumTokens(isReserve, false);
  const dollarStart = bal("usd", "dollarReserve");

  // 1. schedule: the votes cast during the day take effect now; the day's inputs
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

  // 2. income (E5) and per class (E6): the jobs submitted today, each at its own E1 price
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
  // 3. split (E7)
  const f = oc.fiatOperationsFraction;
  const bm = oc.buybackModulation;
  const split = splitIncome(income, f, bm);

  // 4. suppliers, then the phase (E4); the stake is released on the first phase-2 day
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
  // 5. onboarding fee (E8), phase 2: the window's income and supplier totals
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

  // 6. bonds posted today (E22 summed: E9 of the accepted work)
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

  // 7. demand and price (E10), or the operator's feed
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

  // 8. burn (E11a, earmarked per task) and onboarding burn (E11b)
  // buybacks never take more than there is in circulation (the draining rule)
  const bought = withdrawal(
    supplyStart,
    buybackTokens(split.usdBuybackCapital, price.buybackPrice),
  );
  const onboarded = onboardingTokens(onboardingUsd, p);
  const state: DayState = {
    day: t,
    phase,
    phaseTwoMinted: 0,
    onchain: oc,
    counts: [...counts],
    income,
    supplierTotal,
    priceOfToken: p,
    buybackPrice: price.buybackPrice,
  };
  states.set(t, state);
  const taskUsd = (s: DayState, taskPrice: Usd) =>
    (1 - s.onchain.buybackModulation) * ((1 - s.onchain.fiatOperationsFraction) * taskPrice);
  const earmark = (s: DayState, taskPrice: Usd) =>
    buybackTokens(
      s.onchain.buybackModulation * ((1 - s.onchain.fiatOperationsFraction) * taskPrice),
      s.buybackPrice,
    );
  const bondTokensOf = (s: DayState, taskPrice: Usd) =>
    supplierBondTokens(s.onchain.bondModulation, taskPrice, s.priceOfToken);

  let escrowIn = 0;
  for (const task of tasksToday) escrowIn += taskUsd(state, task.price);
  const ref = `day:${t}`;
  j.post(t, "income", ref, [
    ...fanOut("dollarReserve", "usd", [
      ["usdEscrow", escrowIn],
      ["market", split.usdBuybackCapital],
      ["incomePending", -income],
    ]),
    ...transfer("market", "tokenReserve:earmarked", "tokens", bought),
  ]);

  // cohorts: buyback tokens per submission day; the last task of a cohort takes what is left
  const cohorts = new Map<number, Tables["cohorts"]>();
  cohorts.set(t, { day: t, bought, paid: 0, open: tasksToday.length });
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

  // onboarding: today's joiners (the first newSuppliers of each class) buy the fee's tokens
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

  // bonds posted today: bought on the market at today's price into escrow (E22)
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

  // validations reported today: pay validated work, return its bond; lose the bond of failed work
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

  // expiry: work not validated by its deadline is refunded; an open attempt loses its bond
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
  for (const x of expiring) {
    refundDue += x.price;
    refundOf.add(String(x.consumer), x.price);
    escrowBack += taskUsd(await stateOf(x.taskDay), x.price);
    freed += await payOut(x.taskDay, x.price);
    if (x.attempt !== null && x.supplier !== null) {
      if (x.bondDay !== null) {
        const bond = bondTokensOf(await stateOf(x.bondDay), x.price);
        confiscated += bond;
        j.post(
          t,
          "bondLost",
          `supplier:${x.supplier}`,
          transfer("bondEscrow", "tokenReserve", "tokens", bond),
        );
      }
      expiredAttempts.push({ supplierId: x.supplier, wasBusy: x.completedDay === null });
      await trx
        .updateTable("attempts")
        .set({ outcome: "expired", outcome_seq: seq++, validated_day: t })
        .where("id", "=", x.attempt)
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
  // refunds from the dollar reserve, cut pro rata (and reported) if it cannot pay
  const cash = dollarStart + split.opsRevenue + escrowBack;
  const refunded = Math.min(refundDue, cash);
  const refundScale = refundDue > 0 ? refunded / refundDue : 0;
  j.post(t, "expiry", ref, [
    ...transfer("usdEscrow", "dollarReserve", "usd", escrowBack),
    ...transfer("tokenReserve:earmarked", "tokenReserve", "tokens", freed),
  ]);
  for (const [id, usd] of refundOf.entries(refundScale))
    j.post(t, "refund", `consumer:${id}`, transfer("dollarReserve", `consumer:${id}`, "usd", usd));

  // 9–11. job rewards (E12) of validated work, phase-2 emission (E13), validator pay (E14), E3
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
  // 12. E15 on the free reserve (earmarked tokens belong to their tasks)
  const freeReserve = bal("tokens", "tokenReserve") + confiscated + freed;
  const paid = payTokens(freeReserve, 0, onboarded, validatorClaim, phaseTwoClaim, phaseOneClaim);
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

  // 13. reserve top-up (E16) on the free reserve
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
    (released - bought - confiscated);
  const topUp = reserveTopUp(
    freeAfterPay,
    c.initialTokenReserve,
    oc.lowerTokenReserveLimit,
    oc.tokenReserveRestoreLevel,
    price.buybackPrice,
    cash - refunded,
    circulating,
  );
  j.post(t, "reserveTopUp", ref, [
    ...transfer("dollarReserve", "market", "usd", topUp.reserveBuybackUsd),
    ...transfer("market", "tokenReserve", "tokens", topUp.reserveBuybackTokens),
  ]);
  // vesting (E17b)
  const vested = vestedOn(e, t);
  j.post(t, "vesting", ref, transfer("locked", "market", "tokens", vested));

  // 14. E17–E19 by the mechanism functions, against the balances the postings give
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
    (bought - released + confiscated);
  const dollarExpected =
    nextDollarReserve(dollarStart, split.opsRevenue, topUp.reserveBuybackUsd) +
    (escrowBack - refunded);
  const after = (currency: string, account: string) =>
    bal(currency, account) + j.pending(account, currency as "usd" | "tokens");
  const supply = sumTokens(isCirculating, true);
  const tokenReserve = sumTokens(isReserve, true);
  const locked = after("tokens", "locked");
  const dollarReserve = after("usd", "dollarReserve");
  const tol = (x: number) => INVARIANT_TOLERANCE * Math.max(Math.abs(x), e.totalTokens, 1);
  const agree: [string, number, number][] = [
    ["supply (E17)", supply, supplyExpected],
    ["tokenReserve (E18)", tokenReserve, reserveExpected],
    ["dollarReserve (E19)", dollarReserve, dollarExpected],
  ];
  for (const [name, posted, expected] of agree)
    if (!(Math.abs(posted - expected) <= tol(expected)))
      throw refuse(t, `${name} from the postings is ${posted}, the mechanisms give ${expected}`);
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
    topUp.reserveBuybackUsd + refunded - escrowBack,
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

  const finalState: DayState = {
    ...state,
    phaseTwoMinted: (prev?.phaseTwoMinted ?? 0) + paid.phaseTwoEmission,
  };
  const values: number[] = [
    t,
    phase,
    income,
    split.opsRevenue,
    split.usdBuybackCapital,
    split.usdCapital,
    onboardingUsd,
    bondUsd,
    demand,
    p,
    price.priceFloored ? 1 : 0,
    bought,
    onboarded,
    reward,
    paid.phaseOneEmission,
    paid.phaseTwoEmission,
    paid.validatorTokensPaid,
    released + paid.phaseOneEmission + paid.phaseTwoEmission,
    released + paid.phaseOneEmission + paid.phaseTwoEmission + paid.validatorTokensPaid,
    topUp.reserveBuybackUsd,
    topUp.reserveBuybackTokens,
    split.usdBuybackCapital + topUp.reserveBuybackUsd,
    paid.tokenShortfall,
    supply,
    tokenReserve,
    dollarReserve,
    locked,
    staked,
    ...jobCreated,
    ...demandForService,
    ...counts,
  ];
  const names = columnNames(types, classes);
  const row = Object.fromEntries(names.map((n, i) => [n, values[i]])) as DayRecord["row"];
  row.ledger = {
    validatedTasks: validated,
    failedTasks: failed,
    expiredTasks: expiring.length,
    refundedUsd: refunded,
    refundShortfallUsd: refundDue - refunded,
    usdPaidToSuppliers: usdPaid,
    tokensPaidToSuppliers: released + paid.phaseOneEmission + paid.phaseTwoEmission,
    bondTokensPosted,
    bondTokensReturned,
    bondTokensLost: confiscated,
    usdEscrow,
    pendingTokens,
    bondEscrow,
    priceSource: ledger.priceSource,
  };

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
  return {
    row,
    state: finalState,
    expiredAttempts,
    expiredTasks: expiring.map((x) => x.id),
    nextOutcomeSeq: seq,
  };
}
