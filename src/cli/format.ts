import type { RunSummary } from "../engine/summary.js";

/** 1234567.8 → "1,234,568"; small numbers keep significant digits. */
export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 1) return x.toPrecision(4);
  return x.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

export function formatSummary(s: RunSummary): string {
  const lines = [
    `Scenario ${s.scenarioName}, seed ${s.seed}, ${s.days} days`,
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
