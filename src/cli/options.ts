import { InvalidArgumentError } from "@commander-js/extra-typings";
import { MAX_SEED } from "../random/streams.js";
import { decimalNumber, wholeNumberText } from "../scenario/numberText.js";
import { CliError } from "./errors.js";

/**
 * Parse a whole number within [min, max] for a CLI option, with a message naming the option;
 * `max` = Number.MAX_SAFE_INTEGER (no bound but the representable) reads "≥ min".
 */
export function wholeNumber(name: string, min: number, max: number) {
  const range = max >= Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (value: string): number => {
    const n = wholeNumberText(value);
    if (n === undefined || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number ${range}, got "${value}"`);
    return n;
  };
}

/** The bounds of a real-number option: `min` ≤ x ≤ `max`, an end excluded when `open`. */
export interface Interval {
  readonly min: number;
  /** Default: no upper bound (any finite number). */
  readonly max?: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
}

/** The interval as the message prints it: `[0, 1]`, `(0, 1]`, `≥ 0`, `> 0`. */
export function intervalText(r: Interval): string {
  if (r.max === undefined) return `${r.minOpen ? ">" : "≥"} ${r.min}`;
  return `in ${r.minOpen ? "(" : "["}${r.min}, ${r.max}${r.maxOpen ? ")" : "]"}`;
}

/**
 * Parse a finite number within an interval for a CLI option (exit 2 otherwise); the message
 * states the rule that is checked, from the same bounds.
 */
export function realNumber(name: string, r: Interval) {
  const max = r.max ?? Number.POSITIVE_INFINITY;
  const text = intervalText(r);
  return (value: string): number => {
    // decimal notation only (0.3, -2, 1e-9, .5): Number() would also read 0x10, 0b1, "" and Infinity
    const x = decimalNumber(value);
    const inside =
      x !== undefined && (r.minOpen ? x > r.min : x >= r.min) && (r.maxOpen ? x < max : x <= max);
    if (x === undefined || !inside)
      throw new CliError(`${name}: expected a number ${text}, got "${value}"`);
    return x;
  };
}

export const parseSeed = wholeNumber("--seed", 0, MAX_SEED);

/** Collect a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
