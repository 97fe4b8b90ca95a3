/** A cell of a value: numbers in shortest round-trip form, text quoted when it must be (RFC 4180). */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? String(v) : typeof v === "boolean" ? String(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A plain CSV: the header on line 1, then one line per row; no comment lines. */
export function csvText(columns: readonly string[], rows: Iterable<readonly unknown[]>): string {
  const parts = [`${columns.map(csvCell).join(",")}\n`];
  for (const r of rows) parts.push(`${r.map(csvCell).join(",")}\n`);
  return parts.join("");
}
