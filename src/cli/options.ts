import { InvalidArgumentError } from "@commander-js/extra-typings";
import { MAX_SEED } from "../random/streams.js";

/** Parse a whole number within [min, max] for a CLI option, with a message naming the option. */
export function wholeNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${min} to ${max}, got "${value}"`,
      );
    return n;
  };
}

export const parseSeed = wholeNumber("--seed", 0, MAX_SEED);

/** Collect a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
