/** Read one column of a CSV text (docs/model.md §3): header row, commas, blank lines skipped. */
export function csvColumn(text: string, column: string): { values: number[] } | { error: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) return { error: "the file is empty" };
  const header = splitLine(lines[0]);
  const c = header.indexOf(column);
  if (c < 0) return { error: `no column "${column}" (columns: ${header.join(", ")})` };
  const values: number[] = [];
  for (let r = 1; r < lines.length; r++) {
    const cells = splitLine(lines[r]);
    const cell = cells[c];
    if (cell === undefined || cell === "")
      return { error: `line ${r + 1}: empty cell in column "${column}"` };
    const v = Number(cell);
    if (!Number.isFinite(v)) return { error: `line ${r + 1}: "${cell}" is not a number` };
    if (v < 0) return { error: `line ${r + 1}: ${v} is negative (inputs are ≥ 0)` };
    values.push(v);
  }
  if (values.length === 0) return { error: `column "${column}" has no values` };
  return { values };
}

function splitLine(line: string): string[] {
  return line.split(",").map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
}
