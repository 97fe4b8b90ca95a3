import { columnUnit } from "../../engine/columns.js";
import { column, type RunResult } from "../../engine/result.js";
import { axisName, type ChartSpec, dayLines, withUnit } from "./common.js";
import { type ChartEvent, scheduleEvents, type TimeChartOptions } from "./events.js";

/** First phase-2 day of a run (E4), or null if it never left phase 1. */
export function phaseChangeDay(r: RunResult): number | null {
  const day = column(r, "phase").indexOf(2);
  return day < 0 ? null : day;
}

function sumColumns(r: RunResult, names: readonly string[]): Float64Array {
  const out = new Float64Array(r.days);
  for (const name of names) {
    const c = column(r, name);
    for (let t = 0; t < r.days; t++) out[t] += c[t];
  }
  return out;
}

const PREFIX = "jobCreated.";

/** The events drawn on a run's time charts: the scenario's schedule votes, then `o.events`. */
export function runEvents(r: RunResult, o: TimeChartOptions = {}): ChartEvent[] {
  return [...scheduleEvents(r.meta.scenario), ...(o.events ?? [])];
}

/** Jobs created per day of each consumer type (§3 jobCreated[t][i]). */
export function demandChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  const series = r.columns
    .filter((c) => c.startsWith(PREFIX))
    .map((c) => ({ name: withUnit(c.slice(PREFIX.length), "jobs/day"), values: column(r, c) }));
  return {
    name: "demand",
    title: "Demand per consumer type",
    caption: "Jobs created per day by each consumer type: the input that drives income and price.",
    option: dayLines(
      "Demand per consumer type",
      axisName("jobs created", columnUnit(`${PREFIX}x`)),
      series,
      phaseChangeDay(r),
      undefined,
      runEvents(r, o),
    ),
  };
}

/** Income (E5) and its split (E7): supplier pool bought back in tokens, ops revenue kept. */
export function incomeChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  return {
    name: "income",
    title: "Income",
    caption:
      "Platform income per day (E5) and its split (E7): the buyback capital becomes token demand, the ops revenue goes to the dollar reserve.",
    option: dayLines(
      "Income",
      axisName("income", "usd/day"),
      [
        { name: "income (usd/day)", values: column(r, "income") },
        {
          name: "spent buying tokens back for suppliers (usd/day)",
          values: column(r, "usdBuybackCapital"),
          dashed: true,
        },
        {
          name: "kept in the dollar reserve (usd/day)",
          values: column(r, "opsRevenue"),
          dashed: true,
        },
      ],
      phaseChangeDay(r),
      undefined,
      runEvents(r, o),
    ),
  };
}

/** Whether the run's token trades on an AMM pool (feedback.amm, E45–E47). */
function hasPool(r: RunResult): boolean {
  return r.meta.scenario.feedback?.amm !== undefined;
}

/** PriceOfToken (E10, or with a pool E45's clearing price). */
export function priceChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  return {
    name: "price",
    title: "Token price",
    caption: hasPool(r)
      ? "PriceOfToken = the AMM pool's clearing price (E45): the one price at which the day's buys and sales clear on the constant-product pool; buys raise it, sales lower it, and it has no floor."
      : "PriceOfToken = demand / circulating supply (E10): it should rise while demand outgrows supply.",
    option: dayLines(
      "Token price",
      axisName("token price", columnUnit("priceOfToken")),
      [
        {
          name: withUnit("token price", columnUnit("priceOfToken")),
          values: column(r, "priceOfToken"),
        },
      ],
      phaseChangeDay(r),
      undefined,
      runEvents(r, o),
    ),
  };
}

function stateChart(
  r: RunResult,
  name: string,
  col: string,
  title: string,
  caption: string,
  o: TimeChartOptions,
): ChartSpec {
  return {
    name,
    title,
    caption,
    option: dayLines(
      title,
      axisName(title.toLowerCase(), columnUnit(col)),
      [{ name: withUnit(title.toLowerCase(), columnUnit(col)), values: column(r, col) }],
      phaseChangeDay(r),
      "end of day",
      runEvents(r, o),
    ),
  };
}

/** Circulating supply (E17, or with a pool E47). */
export function supplyChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  return stateChart(
    r,
    "supply",
    "supply",
    "Circulating supply",
    hasPool(r)
      ? "Tokens in circulation outside the pool and the reserve (E47): emissions, supplier and validator pay and the tokens holders buy from the pool raise it; tokens sold into the pool lower it."
      : "Tokens in circulation (E17): phase-1 emission raises it; in phase 2 tokens bought back into the reserve and paid out of it roughly offset.",
    o,
  );
}

/** Token reserve (E18). */
export function tokenReserveChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  return stateChart(
    r,
    "token-reserve",
    "tokenReserve",
    "Token reserve",
    "Tokens in the ops-fund reserve (E18): it falls with emissions and must never run dry (shortfalls).",
    o,
  );
}

/** Dollar reserve (E19). */
export function dollarReserveChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  return stateChart(
    r,
    "dollar-reserve",
    "dollarReserve",
    "Dollar reserve",
    "USD kept by ChainOpera (E19 [R11]): grows by the fiat operations fraction of income, less reserve top-ups.",
    o,
  );
}

/**
 * Tokens bought back into the reserve (E11a, E11b, E16; the whitepaper's "burn") against
 * tokens paid out of it (E15; its "mint") per day. Nothing is destroyed or created [R1].
 */
export function burnMintChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  const burned = sumColumns(r, ["buybackTokens", "onboardingTokens", "reserveBuybackTokens"]);
  const title = "Tokens into and out of the reserve per day";
  return {
    name: "burn-mint",
    title,
    caption:
      "Tokens bought back into the reserve (buybacks, onboarding fees, top-ups; the whitepaper's burn) against tokens paid out of it (supplier and validator pay; its mint). No token is destroyed or created [R1]: the gap is the day's emission and validator pay.",
    option: dayLines(
      title,
      axisName("tokens per day", "tokens/day"),
      [
        { name: "bought back into the reserve (tokens/day)", values: burned },
        {
          name: "paid out of the reserve (tokens/day)",
          values: column(r, "tokensPaid"),
          dashed: true,
        },
      ],
      phaseChangeDay(r),
      undefined,
      runEvents(r, o),
    ),
  };
}

/** Phase-1 (E3) and phase-2 (E13) emission per day. */
export function emissionsChart(r: RunResult, o: TimeChartOptions = {}): ChartSpec {
  return {
    name: "emissions",
    title: "Emissions per day",
    caption:
      "Phase-1 emission (E3) until the phase change, then phase-2 emission (E13), which shrinks as job rewards accumulate.",
    option: dayLines(
      "Emissions per day",
      axisName("emission", "tokens/day"),
      [
        { name: "phase-1 emission (tokens/day)", values: column(r, "phaseOneEmission") },
        { name: "phase-2 emission (tokens/day)", values: column(r, "phaseTwoEmission") },
      ],
      phaseChangeDay(r),
      undefined,
      runEvents(r, o),
    ),
  };
}

/**
 * Every single-run chart, in report order. The scenario's schedule votes and `o.events` are
 * drawn on each.
 */
export function runCharts(r: RunResult, o: TimeChartOptions = {}): ChartSpec[] {
  return [
    demandChart(r, o),
    incomeChart(r, o),
    priceChart(r, o),
    supplyChart(r, o),
    tokenReserveChart(r, o),
    dollarReserveChart(r, o),
    burnMintChart(r, o),
    emissionsChart(r, o),
  ];
}
