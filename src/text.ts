/**
 * Words around numbers in what people read (the CLI's output, reports, messages): a count with
 * its noun in the right number, and a share as a percentage without floating-point noise.
 */

/** `n` and its noun, singular for exactly 1: "1 run", "0 runs", "2 consumer types". */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/**
 * A share (0.07) as a percentage ("7%"), rounded to 10 significant digits and trimmed, so the
 * binary error of `share · 100` (7.000000000000001) is not printed.
 */
export function percent(share: number): string {
  return `${Number((share * 100).toPrecision(10))}%`;
}
