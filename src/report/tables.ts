import type { RunSummary } from "../engine/summary.js";
import { ONCHAIN_VARIABLES } from "../scenario/onchain.js";
import { resolveOnchain, resolveTokens } from "../scenario/resolve.js";
import type { Scenario } from "../scenario/schema.js";
import { num } from "./charts/common.js";
import type { Table } from "./model.js";

/** The run summary (the same figures `bme run` prints) as a table. */
export function summaryTable(s: RunSummary): Table {
  const rows: string[][] = [
    ["phase 2 from day", s.phaseChangeDay === null ? "never" : String(s.phaseChangeDay), "day"],
    ["token price, first day", num(s.price.first), "usd/token"],
    ["token price, last day", num(s.price.final), "usd/token"],
    ["token price, min", `${num(s.price.min)} (day ${s.price.minDay})`, "usd/token"],
    ["token price, max", `${num(s.price.max)} (day ${s.price.maxDay})`, "usd/token"],
    ["supply (circulating), end", num(s.final.supply), "tokens"],
    ["token reserve, end", num(s.final.tokenReserve), "tokens"],
    ["dollar reserve, end", num(s.final.dollarReserve), "usd"],
    ["income, total", num(s.totals.income), "usd"],
    ["bought back into the reserve, total over the run", num(s.totals.burned), "tokens"],
    ["paid out of the reserve, total over the run", num(s.totals.minted), "tokens"],
    ["emitted in phase 1", num(s.totals.phaseOneEmission), "tokens"],
    ["emitted in phase 2", num(s.totals.phaseTwoEmission), "tokens"],
    ["validators paid", num(s.totals.validatorTokensPaid), "tokens"],
    ["reserve top-ups", num(s.totals.reserveBuybackUsd), "usd"],
    ["days with a token shortfall", String(s.shortfallDays), "days"],
    ["days at the price floor", String(s.flooredDays), "days"],
  ];
  if (s.final.lockedAllocations > 0)
    rows.splice(8, 0, ["locked allocations, end", num(s.final.lockedAllocations), "tokens"]);
  return { caption: "Run summary", head: ["figure", "value", "unit"], rows };
}

/** On-chain variables in force on day 0 (docs/model.md §4), then the schedule's votes. */
export function onchainTable(scenario: Scenario): Table {
  const tokens = resolveTokens(scenario.tokens);
  const values = resolveOnchain(
    scenario.onchain,
    scenario.phaseOne.fracPhaseOneTokens,
    tokens.initialTokenReserve,
  );
  const rows = ONCHAIN_VARIABLES.map((v) => [
    v.symbol ? `${v.name} (${v.symbol})` : v.name,
    num(values[v.name], 4),
    v.unit,
    v.meaning,
  ]);
  return {
    caption: "On-chain variables in force on day 0",
    head: ["variable", "value", "unit", "meaning"],
    rows,
  };
}

/** Governance votes of the scenario's schedule, or null when there are none. */
export function scheduleTable(scenario: Scenario): Table | null {
  if (scenario.schedule.length === 0) return null;
  const rows = scenario.schedule.flatMap((e) =>
    Object.entries(e.set)
      .filter(([, v]) => v !== undefined)
      .map(([name, v]) => [String(e.day), name, num(v as number, 4)]),
  );
  return { caption: "Scheduled governance votes", head: ["day", "variable", "new value"], rows };
}
