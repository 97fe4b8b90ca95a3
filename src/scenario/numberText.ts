/**
 * Numbers as a user writes them in text — a CLI option, a `--grid` value, a CSV cell, a URL's
 * path or query — read one way everywhere (docs/limits.md). `Number()` alone reads far more:
 * `""` and `"  "` as 0, `"0x50"` as 80, `"0b1"`/`"0o7"` as 1/7, `"Infinity"`, and `"1e2"` as a
 * whole 100; each of these is refused here.
 */

/** A decimal number: optional sign, digits, optional fraction and exponent (`1200`, `-2`, `1.5e3`, `.5`). */
export const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A whole number in decimal digits only: no sign, point, exponent or prefix. */
export const WHOLE_NUMBER = /^\d+$/;

/**
 * The finite number `text` writes in decimal notation (surrounding blanks allowed), or
 * `undefined` when it is anything else (empty, hexadecimal, `Infinity`, a separator, too large).
 */
export function decimalNumber(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL_NUMBER.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}

/**
 * The whole number `text` writes in decimal digits (surrounding blanks allowed), or `undefined`
 * when it is anything else or beyond `Number.MAX_SAFE_INTEGER` (not exactly representable).
 */
export function wholeNumberText(text: string): number | undefined {
  const t = text.trim();
  if (!WHOLE_NUMBER.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}
