import { type Info, parse } from "csv-parse/sync";
import { LIMITS } from "./limits.js";
import { DECIMAL_NUMBER } from "./numberText.js";

/**
 * The text up to the end of its `n`-th non-blank line (all of it when shorter): a file far past
 * the limit is refused after reading only as much as the limit allows, in time and memory.
 */
function firstLines(text: string, n: number): string {
  let lines = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (text.slice(start, end).trim() !== "" && ++lines === n) return text.slice(0, end + 1);
    start = end + 1;
  }
  return text;
}

/**
 * Read one column of a CSV text (docs/model.md §3) with csv-parse: a header row, commas, RFC 4180
 * quoting (a quoted cell may hold a comma, but its content must still be a strict number, so
 * `"1,000"` is refused), blank lines skipped, every row as long as the header. Messages give
 * the physical line number (1 = the header's line). At most LIMITS.maxSeriesLength values.
 */
export function csvColumn(text: string, column: string): { values: number[] } | { error: string } {
  if (/\r(?!\n)/.test(text) && !text.includes("\n"))
    return {
      error:
        "the file has CR-only line endings (classic Mac): save it with LF or CRLF line endings",
    };
  let records: { record: string[]; info: Info }[];
  try {
    records = parse(firstLines(text, LIMITS.maxSeriesLength + 2), {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
      info: true,
      // memory stays proportional to what is accepted: stop one record past the limit
      to: LIMITS.maxSeriesLength + 2,
    }) as unknown as { record: string[]; info: Info }[];
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    const where = err.lines !== undefined ? `line ${err.lines}: ` : "";
    const why =
      err.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH"
        ? "the row has a different number of cells than the header"
        : err.message.replace(/^Invalid (Record|Opening Quote|Closing Quote)[^:]*: /, "");
    return { error: `${where}${why}` };
  }
  if (records.length === 0) return { error: "the file is empty" };
  const header = records[0].record;
  const c = header.indexOf(column);
  if (c < 0) return { error: `no column "${column}" (columns: ${header.join(", ")})` };
  if (records.length - 1 > LIMITS.maxSeriesLength)
    return {
      error: `more than ${LIMITS.maxSeriesLength} rows; a series has at most ${LIMITS.maxSeriesLength} values (one per day of the longest run)`,
    };
  const values: number[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    const line = info.lines;
    const cell = record[c];
    if (cell === undefined || cell === "")
      return { error: `line ${line}: empty cell in column "${column}"` };
    if (!DECIMAL_NUMBER.test(cell))
      return {
        error: `line ${line}: "${cell.length > 30 ? `${cell.slice(0, 30)}…` : cell}" is not a number (plain decimal digits, e.g. 1200 or 1.5e3; no separators, hex or Infinity)`,
      };
    const v = Number(cell);
    if (!Number.isFinite(v) || v > LIMITS.maxAmount)
      return { error: `line ${line}: ${cell} is larger than ${LIMITS.maxAmount}` };
    if (v < 0) return { error: `line ${line}: ${v} is negative (inputs are ≥ 0)` };
    values.push(v);
  }
  if (values.length === 0) return { error: `column "${column}" has no values` };
  return { values };
}
