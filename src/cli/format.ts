import type { RunSummary } from "../engine/summary.js";
import { counted } from "../text.js";

/**
 * A number for people: 1234567.8 → "1,234,568" (from 1,000 on, grouped and rounded to
 * `digits` decimals); below 1,000, four significant digits without trailing zeros
 * (8.1117 → "8.112", 21.0 → "21", 0.024189 → "0.02419") — a price of 8.11 is not "8".
 */
export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) < 1000) return String(Number(x.toPrecision(4)));
  return grouped(x, digits);
}

/**
 * `x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })`
 * for a finite x, without Intl: the first Intl number format of a process costs ≈ 20–35 ms of
 * ICU set-up, a tenth of `bme run`'s start-up. Like ICU it rounds the shortest decimal form of
 * x (what `String(x)` prints) half away from zero, and groups the integer digits in threes.
 */
export function grouped(x: number, digits = 0): string {
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const s = String(Math.abs(x));
  const e = s.indexOf("e");
  let all: string; // the significant digits, without the point
  let intLength: number; // how many of them (or zeros after them) come before the point
  if (e >= 0) {
    const mantissa = s.slice(0, e);
    all = mantissa.replace(".", "");
    intLength = 1 + Number(s.slice(e + 1));
  } else {
    const point = s.indexOf(".");
    all = point < 0 ? s : s.slice(0, point) + s.slice(point + 1);
    intLength = point < 0 ? s.length : point;
  }
  if (intLength <= 0) {
    // 0.000ddd: write the leading zeros as digits
    all = "0".repeat(1 - intLength) + all;
    intLength = 1;
  }
  const keep = intLength + digits;
  let kept = all.length > keep ? all.slice(0, keep) : all.padEnd(keep, "0");
  if (all.length > keep && all.charCodeAt(keep) >= 53 /* "5" */) {
    const up = addOne(kept);
    if (up.length > kept.length) intLength += 1;
    kept = up;
  }
  const int = kept.slice(0, intLength).replace(/^0+(?=\d)/, "");
  const frac = kept.slice(intLength);
  const groupedInt = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${groupedInt}${frac.length > 0 ? `.${frac}` : ""}`;
}

/** A string of decimal digits plus one in its last place ("0999" → "1000", "99" → "100"). */
function addOne(d: string): string {
  const out = d.split("");
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== "9") {
      out[i] = String.fromCharCode(out[i].charCodeAt(0) + 1);
      return out.join("");
    }
    out[i] = "0";
  }
  return `1${out.join("")}`;
}

export function formatSummary(s: RunSummary): string {
  const lines = [
    `Scenario ${s.scenarioName}, seed ${s.seed}, ${counted(s.days, "day")}`,
    `  phase 2 from day      ${s.phaseChangeDay ?? "never (phase 1 throughout)"}`,
    `  token price           ${fmt(s.price.first)} → ${fmt(s.price.final)} usd/token (min ${fmt(s.price.min)} on day ${s.price.minDay}, max ${fmt(s.price.max)} on day ${s.price.maxDay})`,
    `  supply (circulating)  ${fmt(s.final.supply)} tokens`,
    `  token reserve         ${fmt(s.final.tokenReserve)} tokens`,
    `  dollar reserve        ${fmt(s.final.dollarReserve)} usd`,
  ];
  if (s.final.lockedAllocations > 0)
    lines.push(`  locked allocations    ${fmt(s.final.lockedAllocations)} tokens`);
  lines.push(
    `  income                ${fmt(s.totals.income)} usd in total`,
    `  bought back           ${fmt(s.totals.burned)} tokens into the reserve over the run (buybacks, onboarding fees, top-ups; nothing is destroyed [R1])`,
    `  paid out              ${fmt(s.totals.minted)} tokens out of the reserve over the run (supplier and validator pay)`,
    `  emitted               ${fmt(s.totals.emitted)} tokens (phase 1 ${fmt(s.totals.phaseOneEmission)}, phase 2 ${fmt(s.totals.phaseTwoEmission)})`,
    `  validators paid       ${fmt(s.totals.validatorTokensPaid)} tokens`,
    `  reserve top-ups       ${fmt(s.totals.reserveBuybackUsd)} usd`,
    `  days with shortfall   ${s.shortfallDays}${s.shortfallDays > 0 ? ` (${fmt(s.totals.tokenShortfall)} tokens cut)` : ""}`,
    `  days at price floor   ${s.flooredDays}`,
  );
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  if (s.error) lines.push(`  STOPPED: ${s.error}`);
  return lines.join("\n");
}

/** The columns `formatFeedback` reads: a run's table by name (RunResult's shape). */
export interface NamedColumns {
  readonly columns: readonly string[];
  readonly values: readonly ArrayLike<number>[];
  readonly days: number;
}

/**
 * The lines `bme run` prints after the summary when the scenario has a feedback block
 * (docs/model.md §7, "Feedback columns"), or null without one: each dynamic class's count on the
 * first and last day with its entries and exits summed over the run (E42), jobs lost to
 * capacity (E50) and to queues (E49), tokens sold and what they fetched (E43, E44), and with a
 * pool its reserves and spot price at the end and the day's slippage at its extremes (E45).
 */
export function formatFeedback(r: NamedColumns): string | null {
  const at = (name: string) => r.columns.indexOf(name);
  const col = (name: string) => r.values[at(name)];
  const has = (name: string) => at(name) >= 0 && r.days > 0;
  const sum = (name: string) => {
    let s = 0;
    const v = col(name);
    for (let t = 0; t < r.days; t++) s += v[t];
    return s;
  };
  const last = (name: string) => col(name)[r.days - 1];
  const pct = (x: number) => `${x > 0 ? "+" : ""}${fmt(100 * x)}%`;
  const lines: string[] = [];
  const dynamic = r.columns
    .filter((c) => c.startsWith("supplierEntries."))
    .map((c) => c.slice("supplierEntries.".length));
  if (dynamic.length > 0 && r.days > 0)
    lines.push(
      `  suppliers             ${dynamic
        .map(
          (k) =>
            `${k} ${fmt(col(`suppliers.${k}`)[0])} → ${fmt(last(`suppliers.${k}`))} (entries ${fmt(sum(`supplierEntries.${k}`))}, exits ${fmt(sum(`supplierExits.${k}`))})`,
        )
        .join("; ")}`,
    );
  if (has("jobsLost"))
    lines.push(`  jobs lost             ${fmt(sum("jobsLost"))} to capacity (E50)`);
  if (has("jobsLostToQueues"))
    lines.push(`  jobs lost to queues   ${fmt(sum("jobsLostToQueues"))} (E49)`);
  if (has("tokensSold"))
    lines.push(
      `  tokens sold           ${fmt(sum("tokensSold"))} tokens for ${fmt(sum("salesUsd"))} usd over the run`,
    );
  if (has("poolTokens")) {
    const x = last("poolTokens");
    const y = last("poolUsd");
    lines.push(
      `  pool at the end       ${fmt(x)} tokens, ${fmt(y)} usd (spot ${fmt(y / x)} usd/token)`,
    );
    const s = col("ammSlippage");
    let lo = 0;
    let hi = 0;
    for (let t = 1; t < r.days; t++) {
      if (s[t] < s[lo]) lo = t;
      if (s[t] > s[hi]) hi = t;
    }
    lines.push(
      `  slippage              min ${pct(s[lo])} on day ${lo}, max ${pct(s[hi])} on day ${hi}`,
    );
  }
  return lines.length > 0 ? ["Feedback", ...lines].join("\n") : null;
}
