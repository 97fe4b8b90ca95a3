/**
 * Derived bands (docs/bands.md, decision 270): a cell y whose value in every run is exactly
 * x·c, x another cell of the same day and c > 0 a number the same for every run, is not
 * counted. Its quantiles are x's times c: multiplying by c > 0 and rounding is monotone, so
 * y's order statistics are x's, each times c (rounded), and any value between two of x's order
 * statistics, times c, lies between the same two of y's. x's bound on the ranks is therefore
 * y's, and y is held to the same guarantee without a histogram of its own.
 *
 * The relation is found in the pilot (every good pilot run, to the bit) and checked again in
 * every run that is counted (`DerivedCells.add`). A run in which it fails is counted and its
 * pair (value, base value · c) kept: the cell's ranks move by those runs (decision 271,
 * `derivedRanks`), and where its bound then exceeds the tolerance, or the pairs were too many
 * to keep, its values are collected in refinement's rerun of the point and sorted, so its
 * quantiles are exact. On the whitepaper, 964 of the 3,601 varying cells are derived
 * (`opsRevenue`, `usdBuybackCapital`, `supplierBondUsd` and `buyBacksUsd` from `income` by
 * their shares, a consumer type's `usdDemandForService` from its `jobCreated` by its price,
 * `supplierTokensPaid` from `buybackTokens` on the days their values are the same).
 */
import { grow } from "../marketplace/grow.js";

/**
 * Part of a pilot as the plan reads it (histogram.ts PilotPart: `runs` consecutive runs'
 * values of every cell, `values[cell·runs + k]`, `good[k]` = 0 for a failed run); stated here
 * so that this module does not import the histograms, which import it.
 */
interface PilotValues {
  readonly values: Float64Array;
  readonly runs: number;
  readonly good: Uint8Array;
}

/** Per cell: the cell it is derived from (−1: counted itself) and its factor c. */
export interface Derivations {
  readonly base: Int32Array;
  readonly factor: Float64Array;
}

const bits = new Float64Array(1);
const words = new BigInt64Array(bits.buffer);

/** The double k representable steps above x (k < 0: below), for x > 0 finite. */
function stepped(x: number, k: number): number {
  bits[0] = x;
  words[0] += BigInt(k);
  return bits[0];
}

/** Factors tried: the first run's quotient and its neighbours (x·c rounds; y / x rounds again). */
const STEPS = [0, 1, -1, 2, -2];

/** y and z the same number to the bit, a zero's sign included (NaN is never the same). */
export function sameBits(y: number, z: number): boolean {
  return y === z && (y !== 0 || 1 / y === 1 / z);
}

/**
 * The cells of a table (`cells` = columns × `days`, cell = column·days + day) whose every good
 * pilot run (`parts`, as planFromParts reads them) is x·c of an earlier column's cell x of the
 * same day, with x counted itself, both varying (`varies`) and c > 0 finite. Deterministic: the
 * same pilot gives the same derivations on every thread and machine.
 */
export function findDerived(
  parts: readonly PilotValues[],
  days: number,
  varies: Uint8Array,
): Derivations {
  const cells = varies.length;
  const base = new Int32Array(cells).fill(-1);
  const factor = new Float64Array(cells);
  if (days <= 0 || cells % days !== 0) return { base, factor };
  const columns = cells / days;
  for (let t = 0; t < days; t++)
    for (let cy = 1; cy < columns; cy++) {
      const y = cy * days + t;
      if (varies[y] === 0) continue;
      for (let cx = 0; cx < cy; cx++) {
        const x = cx * days + t;
        if (varies[x] === 0 || base[x] >= 0) continue;
        const c = factorOf(parts, x, y);
        if (c === null) continue;
        base[y] = x;
        factor[y] = c;
        break;
      }
    }
  return { base, factor };
}

/** The factor c > 0 with y = x·c in every good pilot run, or null. */
function factorOf(parts: readonly PilotValues[], x: number, y: number): number | null {
  let c0 = Number.NaN;
  for (const p of parts)
    for (let k = 0; k < p.runs && Number.isNaN(c0); k++) {
      const xv = p.values[x * p.runs + k];
      if (p.good[k] === 1 && xv !== 0 && Number.isFinite(xv)) c0 = p.values[y * p.runs + k] / xv;
    }
  if (!(c0 > 0 && Number.isFinite(c0))) return null;
  for (const step of STEPS) {
    const c = stepped(c0, step);
    if (c > 0 && Number.isFinite(c) && holds(parts, x, y, c)) return c;
  }
  return null;
}

function holds(parts: readonly PilotValues[], x: number, y: number, c: number): boolean {
  for (const p of parts) {
    const vx = x * p.runs;
    const vy = y * p.runs;
    for (let k = 0; k < p.runs; k++)
      if (p.good[k] === 1 && !sameBits(p.values[vy + k], p.values[vx + k] * c)) return false;
  }
  return true;
}

/** `plan` with its derived cells found in the pilot it was made from (findDerived). */
export function withDerivations<P extends { readonly varies: Uint8Array } & Derivations>(
  plan: P,
  parts: readonly PilotValues[],
  days: number,
): P {
  return { ...plan, ...findDerived(parts, days, plan.varies) };
}

/**
 * A derived cell's runs in which its relation failed are kept as pairs (its value, its base's
 * value times its factor) up to this many per cell; beyond, only counted (refinement then
 * collects the cell's values).
 */
export const MISS_PAIRS = 4096;

/** Plain-data form of DerivedCells (typed arrays), for threads and machines. */
export interface DerivedData {
  readonly base: Int32Array;
  readonly factor: Float64Array;
  /** Per cell: runs in which its value was not its base's times its factor. */
  readonly misses: Float64Array;
  /** Per cell: its smallest and largest value (+∞, −∞ when none). */
  readonly low: Float64Array;
  readonly high: Float64Array;
  /** The failed runs' pairs (cell, its value, its base's value · factor), of cells with ≤ MISS_PAIRS. */
  readonly missCell: Int32Array;
  readonly missValue: Float64Array;
  readonly missImage: Float64Array;
}

/**
 * The derived cells of a histogram (decision 270): summed, their extremes kept and their
 * relation checked as their runs are counted (`add`), merged exactly in any order.
 */
export class DerivedCells {
  readonly base: Int32Array;
  readonly factor: Float64Array;
  readonly misses: Float64Array;
  readonly low: Float64Array;
  readonly high: Float64Array;
  private missCell = new Int32Array(16);
  private missValue = new Float64Array(16);
  private missImage = new Float64Array(16);
  private pairs = 0;
  /** A masked batch's good values and base values (add). */
  private kept = new Float64Array(0);

  constructor(plan: Derivations) {
    this.base = plan.base;
    this.factor = plan.factor;
    const cells = plan.base.length;
    this.misses = new Float64Array(cells);
    this.low = new Float64Array(cells).fill(Number.POSITIVE_INFINITY);
    this.high = new Float64Array(cells).fill(Number.NEGATIVE_INFINITY);
  }

  /**
   * Derived cell i's `n` values `v[from], …`: not counted, only summed (returns `sum` plus the
   * good values, in order, as CellHistograms.addMany), their min and max kept, each checked
   * against its base's value `v[baseFrom + j]` times the factor, to the bit (a zero's sign
   * too); a run where they differ is counted and its pair kept. `good[j]` = 0 leaves run j out.
   */
  add(
    i: number,
    v: Float64Array,
    from: number,
    baseFrom: number,
    n: number,
    good: Uint8Array | null,
    sum: number,
  ): number {
    if (good !== null) {
      // the good runs alone, in order, values then base values (failed runs are rare: the
      // loop below needs no mask)
      if (this.kept.length < 2 * n) this.kept = new Float64Array(2 * n);
      const kept = this.kept;
      let m = 0;
      for (let j = 0; j < n; j++)
        if (good[j] !== 0) {
          kept[m] = v[from + j];
          kept[n + m++] = v[baseFrom + j];
        }
      return this.add(i, kept, 0, n, m, null, sum);
    }
    const c = this.factor[i];
    // (+sum: from the parameter itself TurboFan kept the running sum boxed, a heap number a
    // value, as in the counting loops of histogram.ts: ≈ 88 instructions a value under
    // callgrind against ≈ 55; the failed runs' pairs are kept in a second pass, so that the
    // loop makes no call)
    let s = +sum;
    let lo = this.low[i];
    let hi = this.high[i];
    let missed = 0;
    const end = from + n;
    const shift = baseFrom - from;
    for (let k = from; k < end; k++) {
      const y = v[k];
      const z = v[k + shift] * c;
      s += y;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
      if (!(y === z && (y !== 0 || 1 / y === 1 / z))) missed++;
    }
    this.low[i] = lo;
    this.high[i] = hi;
    if (missed > 0)
      for (let j = 0; j < n; j++) {
        const y = v[from + j];
        const z = v[baseFrom + j] * c;
        if (!sameBits(y, z)) this.miss(i, y, z);
      }
    return s;
  }

  /** A failed run of cell i: counted, and its pair kept while the cell has ≤ MISS_PAIRS. */
  private miss(i: number, y: number, z: number): void {
    if (++this.misses[i] <= MISS_PAIRS) this.keep(i, y, z);
  }

  private keep(i: number, y: number, z: number): void {
    const n = this.pairs + 1;
    this.missCell = grow(this.missCell, n);
    this.missValue = grow(this.missValue, n);
    this.missImage = grow(this.missImage, n);
    this.missCell[this.pairs] = i;
    this.missValue[this.pairs] = y;
    this.missImage[this.pairs++] = z;
  }

  /** Fold another's in (counts add, extremes combine, pairs join while a cell has ≤ MISS_PAIRS). */
  merge(d: DerivedData): void {
    for (let k = 0; k < d.missCell.length; k++) {
      const i = d.missCell[k];
      if (this.misses[i] + d.misses[i] <= MISS_PAIRS) this.keep(i, d.missValue[k], d.missImage[k]);
    }
    for (let i = 0; i < this.base.length; i++) {
      if (this.base[i] < 0) continue;
      this.misses[i] += d.misses[i];
      if (d.low[i] < this.low[i]) this.low[i] = d.low[i];
      if (d.high[i] > this.high[i]) this.high[i] = d.high[i];
    }
  }

  data(): DerivedData {
    const n = this.pairs;
    return {
      base: this.base,
      factor: this.factor,
      misses: this.misses,
      low: this.low,
      high: this.high,
      missCell: this.missCell.slice(0, n),
      missValue: this.missValue.slice(0, n),
      missImage: this.missImage.slice(0, n),
    };
  }

  /**
   * Per derived cell with failed runs, all of whose pairs are kept (≤ MISS_PAIRS): its failed
   * runs' values and their base's values times the factor, each sorted.
   */
  missed(): Map<number, { values: Float64Array; images: Float64Array }> {
    const lists = new Map<number, { values: number[]; images: number[] }>();
    for (let k = 0; k < this.pairs; k++) {
      const i = this.missCell[k];
      if (this.misses[i] > MISS_PAIRS) continue;
      const l = lists.get(i) ?? { values: [], images: [] };
      l.values.push(this.missValue[k]);
      l.images.push(this.missImage[k]);
      lists.set(i, l);
    }
    const out = new Map<number, { values: Float64Array; images: Float64Array }>();
    for (const [i, l] of lists)
      out.set(i, {
        values: Float64Array.from(l.values).sort(),
        images: Float64Array.from(l.images).sort(),
      });
    return out;
  }
}

/** Failed runs' pairs of a derived cell, each side sorted (DerivedCells.missed). */
export interface Missed {
  readonly values: Float64Array;
  readonly images: Float64Array;
}

/**
 * The ranks of the order statistics of derived cell i that its estimate v (its base's
 * estimate times its factor) lies between, as [lo, hi]: its base's estimate lies between the
 * base's order statistics of ranks lo₀ and hi₀, so v lies between those of the base's values
 * times the factor (rounding is monotone); the cell's values are those with each failed run's
 * image replaced by its value, which moves the ranks by the failed runs on either side of v:
 * lo = lo₀ − #{images ≤ v} + #{values ≤ v}, hi = hi₀ − #{images < v} + #{values < v}.
 * `missed` null: the cell has no failed run.
 */
export function derivedRanks(
  lo0: number,
  hi0: number,
  v: number,
  missed: Missed | null,
): [number, number] {
  if (missed === null) return [lo0, hi0];
  const { values, images } = missed;
  return [
    lo0 - countBelow(images, v, true) + countBelow(values, v, true),
    hi0 - countBelow(images, v, false) + countBelow(values, v, false),
  ];
}

/** How many of the sorted values a are < v (or ≤ v with `orEqual`): binary search. */
function countBelow(a: Float64Array, v: number, orEqual: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v || (orEqual && a[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
