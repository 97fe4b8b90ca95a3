/**
 * The correctly rounded sum of float64 numbers (Shewchuk's exact partials, as Python's
 * `math.fsum`): the float64 nearest to the exact real sum, whatever the order of the terms. The
 * ledger sums postings with it so a balance does not depend on the database's summation order
 * (SQL `SUM` adds in an unspecified order, naively on PostgreSQL and compensated on SQLite, so the
 * two engines differed in the last digits; docs/decisions.md).
 */
export class ExactSum {
  private readonly partials: number[] = [];

  /** Add `x` (finite) exactly: the partials stay non-overlapping and their sum exact. */
  add(x: number): void {
    const p = this.partials;
    let i = 0;
    for (let y of p) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
  }

  /**
   * The exact sum as non-overlapping float64 parts, largest first, zeros left out: their real sum
   * is the exact sum (one part when it is a float64).
   */
  parts(): number[] {
    return this.partials.filter((x) => x !== 0).reverse();
  }

  /** The exact sum rounded once to the nearest float64 (ties to even). */
  value(): number {
    const p = [...this.partials];
    if (p.length === 0) return 0;
    let hi = p.pop() as number;
    let lo = 0;
    while (p.length > 0) {
      const x = hi;
      const y = p.pop() as number;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // a half-way case: the remaining partials decide the direction of the rounding
    if (p.length > 0 && ((lo < 0 && p[p.length - 1] < 0) || (lo > 0 && p[p.length - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/** The correctly rounded sum of `xs` (order-independent). */
export function exactSum(xs: Iterable<number>): number {
  const s = new ExactSum();
  for (const x of xs) s.add(x);
  return s.value();
}
