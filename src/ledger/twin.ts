import type { Scenario } from "../scenario/schema.js";
import type { DayState } from "./close.js";
import { badInput } from "./errors.js";
import type { Ledger } from "./ledger.js";

export interface ExportedScenario {
  readonly scenario: Record<string, unknown>;
  readonly warnings: string[];
}

/**
 * The digital twin: a scenario whose series are the ledger's history of days `from … to`
 * (explicit values): jobs per day of each (consumer type, units, incentive) variant, active
 * suppliers per class, the day's market inputs, and the votes as schedule entries. `bme run` on it
 * reproduces the ledger's daily §7 table to 1e-9 when the history fits the aggregate model (every
 * task bonded, completed and validated on the day it was submitted, none failed or expired).
 * From a day after 0, the start state (supply, reserves, phase, emissions so far) is the ledger's
 * at the end of `from − 1`; the E8 window's earlier days are not carried (warned).
 */
export async function exportScenario(
  ledger: Ledger,
  from: number,
  to: number,
): Promise<ExportedScenario> {
  if (!Number.isInteger(from) || from < 0) throw badInput("from", "must be a whole day ≥ 0");
  if (!Number.isInteger(to) || to < from)
    throw badInput("to", `must be a whole day ≥ from (${from})`);
  if (to >= ledger.openDay)
    throw badInput(
      "to",
      `day ${to} is not closed yet; the last closed day is ${ledger.openDay - 1}`,
    );
  if (ledger.priceSource === "feed")
    throw badInput(
      "from",
      "this ledger prices by feed; a scenario prices by E10 and cannot replay it",
    );
  const base: Scenario = ledger.economy.scenario;
  const days = to - from + 1;
  const warnings: string[] = [];
  const consumers = await consumerVariants(ledger, from, to);
  const supplierClasses = await supplierSeries(ledger, from, to);
  const { sentiment, governance } = await marketInputs(ledger, from, to);
  const schedule = await voteSchedule(ledger, from, to);
  const { tokens, phaseOne, onchain } = await startState(ledger, from, warnings);
  const misfit = await misfits(ledger, from, to);
  if (misfit) warnings.push(misfit);
  return {
    scenario: {
      name: `${base.name}-ledger-${from}-${to}`,
      description: `The ledger's history of days ${from}–${to} (bme ledger export-scenario): every series is what happened.`,
      days,
      tokens,
      phaseOne,
      onchain,
      suppliers: supplierClasses,
      consumers,
      priceMatrix: base.priceMatrix,
      consumerSentiment: { values: sentiment },
      governanceValue: { values: governance },
      schedule,
    },
    warnings,
  };
}

/** Consumer variants: jobs per day of each (consumer type, units, incentive), as scenario consumers. */
async function consumerVariants(ledger: Ledger, from: number, to: number) {
  const db = ledger.db;
  const base: Scenario = ledger.economy.scenario;
  const days = to - from + 1;
  // consumer variants
  const jobs = await db
    .selectFrom("jobs")
    .select(["consumer_type", "units", "incentive", "day"])
    .where("day", ">=", from)
    .where("day", "<=", to)
    .orderBy("id")
    .execute();
  const variants: {
    name: string;
    type: string;
    units: number;
    incentive: number;
    values: number[];
  }[] = [];
  for (const c of base.consumers)
    variants.push({
      name: c.name,
      type: c.name,
      units: c.unitsPerJob,
      incentive: c.incentive,
      values: new Array(days).fill(0),
    });
  const named = new Map<string, number>();
  for (const j of jobs) {
    let v = variants.find(
      (x) => x.type === j.consumer_type && x.units === j.units && x.incentive === j.incentive,
    );
    if (!v) {
      const n = (named.get(j.consumer_type) ?? 0) + 1;
      named.set(j.consumer_type, n);
      v = {
        name: `${j.consumer_type}-v${n}`,
        type: j.consumer_type,
        units: j.units,
        incentive: j.incentive,
        values: new Array(days).fill(0),
      };
      variants.push(v);
    }
    v.values[j.day - from]++;
  }
  const consumers = variants.map((v) => {
    const c = base.consumers.find((x) => x.name === v.type) as Scenario["consumers"][number];
    return {
      name: v.name,
      row: c.row ?? c.name,
      unitPrice: c.unitPrice,
      unitsPerJob: v.units,
      incentive: v.incentive,
      jobsPerDay: { values: v.values },
    };
  });

  return consumers;
}

/** Active suppliers per class and day. */
async function supplierSeries(ledger: Ledger, from: number, to: number) {
  const db = ledger.db;
  const base: Scenario = ledger.economy.scenario;
  const days = to - from + 1;
  // suppliers per class and day
  const suppliers = await db
    .selectFrom("suppliers")
    .leftJoin("departures", "departures.supplier_id", "suppliers.id")
    .select([
      "suppliers.supplier_class as supplier_class",
      "suppliers.joined_day as joined_day",
      "departures.day as left_day",
    ])
    .execute();
  const supplierClasses = base.suppliers.map((k) => {
    const values = new Array(days).fill(0);
    for (const s of suppliers)
      if (s.supplier_class === k.name) {
        const last = s.left_day === null ? to : Math.min(to, s.left_day - 1);
        for (let t = Math.max(s.joined_day, from); t <= last; t++) values[t - from]++;
      }
    return { name: k.name, count: { values }, phaseOneTarget: k.phaseOneTarget };
  });

  return supplierClasses;
}

/** Market inputs per day (the last posted value carries forward, as at the close). */
async function marketInputs(ledger: Ledger, from: number, to: number) {
  const db = ledger.db;
  const days = to - from + 1;
  // market inputs (the last posted value carries forward, as at the close)
  const inputs = await db
    .selectFrom("inputs")
    .selectAll()
    .where("day", "<=", to)
    .orderBy("day")
    .execute();
  const sentiment = new Array(days).fill(0);
  const governance = new Array(days).fill(0);
  let k = 0;
  let current: (typeof inputs)[number] | null = null;
  for (let t = 0; t <= to; t++) {
    while (k < inputs.length && inputs[k].day <= t) current = inputs[k++];
    if (t >= from) {
      sentiment[t - from] = current?.consumer_sentiment ?? 0;
      governance[t - from] = current?.governance_value ?? 0;
    }
  }

  return { sentiment, governance };
}

/** The votes of days from…to as schedule entries (days counted from `from`). */
async function voteSchedule(ledger: Ledger, from: number, to: number) {
  const db = ledger.db;
  // votes as schedule entries
  const votes = await db
    .selectFrom("votes")
    .selectAll()
    .where("day", ">=", from)
    .where("day", "<=", to)
    .orderBy("id")
    .execute();
  // a bond is charged the bondModulation quoted when it was posted: a vote on it reaches the
  // bonds of the days after its own (docs/ledger.md), so the scenario sets it a day later
  const byDay = new Map<number, Record<string, number>>();
  for (const v of votes) {
    const day = v.day - from + (v.variable === "bondModulation" ? 1 : 0);
    if (day > to - from) continue;
    byDay.set(day, { ...byDay.get(day), [v.variable]: v.value });
  }
  return [...byDay.entries()].sort((a, b) => a[0] - b[0]).map(([day, set]) => ({ day, set }));
}

/**
 * The start state: the scenario's own, or from a day after 0 the ledger's at the end of
 * `from − 1` (supply, reserves, phase, emissions so far; warned).
 */
async function startState(ledger: Ledger, from: number, warnings: string[]) {
  const db = ledger.db;
  const base: Scenario = ledger.economy.scenario;
  let tokens: Record<string, unknown> = base.tokens;
  let phaseOne: Record<string, unknown> = base.phaseOne;
  let onchain: Record<string, unknown> = base.onchain;
  if (from > 0) {
    const r = await db
      .selectFrom("days")
      .select(["row", "state"])
      .where("day", "=", from - 1)
      .executeTakeFirstOrThrow();
    const row = JSON.parse(r.row) as Record<string, number>;
    const st = JSON.parse(r.state) as DayState;
    tokens = {
      initialSupply: row.supply,
      initialTokenReserve: row.tokenReserve,
      lockedAllocations: row.lockedAllocations,
      initialDollarReserve: row.dollarReserve,
    };
    phaseOne = {
      ...base.phaseOne,
      phaseOneDays: st.phase === 2 ? 0 : Math.max(0, base.phaseOne.phaseOneDays - from),
    };
    onchain = {
      ...st.onchain,
      phaseTwoMintAmount: Math.max(0, st.onchain.phaseTwoMintAmount - st.phaseTwoMinted),
      phase2Modulation: st.onchain.phase2Modulation,
    };
    warnings.push(
      `starts from the ledger's state at the end of day ${from - 1}; the onboarding fee's window (E8) and the phase-one budget restart, staked tokens are not carried (the export starts with none staked), and vesting is carried as never-vesting locked tokens`,
    );
  }
  return { tokens, phaseOne, onchain };
}

/**
 * What in days `from … to` the aggregate model cannot replay (it pays every task on its
 * submission day): failed, expired and abandoned tasks (the closed days' own figures), and tasks
 * submitted in the range and not validated on that day. A warning naming them, or null.
 */
async function misfits(ledger: Ledger, from: number, to: number): Promise<string | null> {
  const rows = await ledger.db
    .selectFrom("days")
    .select(["day", "row"])
    .where("day", ">=", from)
    .where("day", "<=", to)
    .orderBy("day")
    .execute();
  const count = { failed: 0, expired: 0, abandoned: 0 };
  const days = new Set<number>();
  for (const r of rows) {
    const l = (JSON.parse(r.row) as { ledger: Record<string, number> }).ledger;
    const add = (k: keyof typeof count, n: number | undefined) => {
      count[k] += n ?? 0;
      if (n) days.add(r.day);
    };
    add("failed", l.failedTasks);
    add("expired", l.expiredTasks);
    add("abandoned", l.abandonedTasks);
  }
  const late = await ledger.db
    .selectFrom("tasks")
    .select(["day"])
    .where("day", ">=", from)
    .where("day", "<=", to)
    .where((eb) =>
      eb.or([
        eb("status", "!=", "validated"),
        eb("closed_day", "is", null),
        eb("closed_day", "!=", eb.ref("day")),
      ]),
    )
    .execute();
  for (const t of late) days.add(t.day);
  const parts = (Object.keys(count) as (keyof typeof count)[])
    .filter((k) => count[k] > 0)
    .map((k) => `${count[k]} ${k}`);
  if (late.length > 0) parts.push(`${late.length} not validated on their submission day`);
  if (parts.length === 0) return null;
  const list = [...days].sort((a, b) => a - b);
  const shown = list.length > 10 ? `${list.slice(0, 10).join(", ")}, …` : list.join(", ");
  return `the history does not fit the aggregate model, so bme run on this export differs from the ledger's table (the model pays every task on its submission day): tasks ${parts.join(", ")} (days ${shown})`;
}
