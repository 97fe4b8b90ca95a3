import { columnUnit } from "../../engine/columns.js";
import { column, type RunResult } from "../../engine/result.js";
import { axisName, type ChartSpec, dayLines } from "./common.js";

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

/** Jobs created per day of each consumer type (§3 jobCreated[t][i]). */
export function demandChart(r: RunResult): ChartSpec {
  const series = r.columns
    .filter((c) => c.startsWith(PREFIX))
    .map((c) => ({ name: c.slice(PREFIX.length), values: column(r, c) }));
  return {
    name: "demand",
    title: "Demand per consumer type",
    caption: "Jobs created per day by each consumer type: the input that drives income and price.",
    option: dayLines(
      "Demand per consumer type",
      axisName("jobs created", columnUnit(`${PREFIX}x`)),
      series,
      phaseChangeDay(r),
    ),
  };
}

/** Income (E5) and its split (E7): supplier pool bought back in tokens, ops revenue kept. */
export function incomeChart(r: RunResult): ChartSpec {
  return {
    name: "income",
    title: "Income",
    caption:
      "Platform income per day (E5) and its split (E7): the buyback capital becomes token demand, the ops revenue goes to the dollar reserve.",
    option: dayLines(
      "Income",
      axisName("income", "usd/day"),
      [
        { name: "income", values: column(r, "income") },
        { name: "usdBuybackCapital", values: column(r, "usdBuybackCapital"), dashed: true },
        { name: "opsRevenue", values: column(r, "opsRevenue"), dashed: true },
      ],
      phaseChangeDay(r),
    ),
  };
}

/** PriceOfToken (E10). */
export function priceChart(r: RunResult): ChartSpec {
  return {
    name: "price",
    title: "Token price",
    caption:
      "PriceOfToken = demand / circulating supply (E10): it should rise while demand outgrows supply.",
    option: dayLines(
      "Token price",
      axisName("token price", columnUnit("priceOfToken")),
      [{ name: "priceOfToken", values: column(r, "priceOfToken") }],
      phaseChangeDay(r),
    ),
  };
}

function stateChart(
  r: RunResult,
  name: string,
  col: string,
  title: string,
  caption: string,
): ChartSpec {
  return {
    name,
    title,
    caption,
    option: dayLines(
      title,
      axisName(title.toLowerCase(), columnUnit(col)),
      [{ name: col, values: column(r, col) }],
      phaseChangeDay(r),
      "end of day",
    ),
  };
}

/** Circulating supply (E17). */
export function supplyChart(r: RunResult): ChartSpec {
  return stateChart(
    r,
    "supply",
    "supply",
    "Circulating supply",
    "Tokens in circulation (E17): phase-1 emission raises it; in phase 2 buybacks and mints roughly offset.",
  );
}

/** Token reserve (E18). */
export function tokenReserveChart(r: RunResult): ChartSpec {
  return stateChart(
    r,
    "token-reserve",
    "tokenReserve",
    "Token reserve",
    "Tokens in the ops-fund reserve (E18): it falls with emissions and must never run dry (shortfalls).",
  );
}

/** Dollar reserve (E19). */
export function dollarReserveChart(r: RunResult): ChartSpec {
  return stateChart(
    r,
    "dollar-reserve",
    "dollarReserve",
    "Dollar reserve",
    "USD kept by ChainOpera (E19 [R11]): grows by the fiat operations fraction of income, less reserve top-ups.",
  );
}

/** Tokens burned (E11a, E11b, E16) against tokens minted (E15) per day. */
export function burnMintChart(r: RunResult): ChartSpec {
  const burned = sumColumns(r, ["buybackTokens", "onboardingTokens", "reserveBuybackTokens"]);
  return {
    name: "burn-mint",
    title: "Burned vs minted per day",
    caption:
      "Burn (buybacks + onboarding fees + top-ups) against mint (all tokens paid from the reserve): the gap is the day's emission and validator pay.",
    option: dayLines(
      "Burned vs minted per day",
      axisName("tokens per day", "tokens/day"),
      [
        { name: "burned", values: burned },
        { name: "minted", values: column(r, "tokensPaid"), dashed: true },
      ],
      phaseChangeDay(r),
    ),
  };
}

/** Phase-1 (E3) and phase-2 (E13) emission per day. */
export function emissionsChart(r: RunResult): ChartSpec {
  return {
    name: "emissions",
    title: "Emissions per day",
    caption:
      "Phase-1 emission (E3) until the phase change, then phase-2 emission (E13), which shrinks as job rewards accumulate.",
    option: dayLines(
      "Emissions per day",
      axisName("emission", "tokens/day"),
      [
        { name: "phaseOneEmission", values: column(r, "phaseOneEmission") },
        { name: "phaseTwoEmission", values: column(r, "phaseTwoEmission") },
      ],
      phaseChangeDay(r),
    ),
  };
}

/** Every single-run chart, in report order. */
export function runCharts(r: RunResult): ChartSpec[] {
  return [
    demandChart(r),
    incomeChart(r),
    priceChart(r),
    supplyChart(r),
    tokenReserveChart(r),
    dollarReserveChart(r),
    burnMintChart(r),
    emissionsChart(r),
  ];
}
