import { OUTCOME_METRICS, type OutcomeMetric } from "../analysis/types.js";
import { COL } from "../engine/columns.js";
import { runwayOf } from "../metrics/stress.js";
import type { OutcomeContext } from "./outcomes.js";

// What the loops read from other modules, as this module's constants: an imported binding is
// re-read through its module's export cell, with a hole check, at every use.
const PRICE = COL.priceOfToken;
const PHASE = COL.phase;
const RESERVE = COL.tokenReserve;
const SHORTFALL = COL.tokenShortfall;
const ONE = COL.phaseOneEmission;
const TWO = COL.phaseTwoEmission;
const DOLLARS = COL.dollarReserve;
const BUYBACK = COL.buybackTokens;
const CAPITAL = COL.usdCapital;
const STAKED = COL.stakedTokens;
const runway = runwayOf;

/**
 * The outcome metrics of a whole batch of runs at once, read straight from the kernel's batch
 * table (`out[(col·days + t)·count + b]`: each day's values of all runs side by side): one pass
 * over the days advances every run's running peak, drawdowns, minima and counts held in typed
 * arrays (one value per run), with no per-run table and nothing allocated per run.
 *
 * The definitions are `runOutcomes` (src/montecarlo/outcomes.ts) and E31–E37
 * (src/metrics/stress.ts): this is their batch form, giving bit-identical values (same
 * operations on the same numbers in the same order; test/montecarlo/outcomes-batch.test.ts).
 * Each state below names the function it restates.
 */
export class BatchOutcomes {
  // runOutcomes: maxDrawdown's running peak and largest fall
  private readonly peak: Float64Array;
  private readonly drawdown: Float64Array;
  // runOutcomes: the first phase-2 day (−1 until found)
  private readonly phaseChange: Float64Array;
  // drawdownFrom (E31): its first day, running peak and largest fall
  private readonly from: Float64Array;
  private readonly peakAfter: Float64Array;
  private readonly drawdownAfter: Float64Array;
  // daysBelow (E33): the threshold and the count
  private readonly threshold: Float64Array;
  private readonly below: Float64Array;
  // priceVolatility (E32): Σ log returns, then Σ squared deviations; the returns, day-major
  private readonly logSum: Float64Array;
  private readonly squares: Float64Array;
  private readonly logs: Float64Array;
  // runOutcomes: minTokenReserve, shortfallDays, totalEmitted
  private readonly minReserve: Float64Array;
  private readonly shortfalls: Float64Array;
  private readonly emitted: Float64Array;
  // firstDayAbove (E36), −1 until found
  private readonly firstShortfall: Float64Array;
  // minimumAndDay (E34) of dollarReserve
  private readonly minDollar: Float64Array;
  private readonly minDollarDay: Float64Array;
  // supplierIncomeAll (E37): Σ pay, Σ supplier-days
  private readonly pay: Float64Array;
  private readonly supplierDays: Float64Array;

  constructor(
    /** Most runs per batch. */
    readonly batch: number,
    readonly days: number,
    readonly ctx: OutcomeContext,
    /** Scratch of batch·days values for the log returns (contents undefined; made if absent). */
    logs?: Float64Array,
  ) {
    const a = () => new Float64Array(batch);
    this.peak = a();
    this.drawdown = a();
    this.phaseChange = a();
    this.from = a();
    this.peakAfter = a();
    this.drawdownAfter = a();
    this.threshold = a();
    this.below = a();
    this.logSum = a();
    this.squares = a();
    this.logs = logs ?? new Float64Array(batch * days);
    this.minReserve = a();
    this.shortfalls = a();
    this.emitted = a();
    this.firstShortfall = a();
    this.minDollar = a();
    this.minDollarDay = a();
    this.pay = a();
    this.supplierDays = a();
  }

  /**
   * The OUTCOME_METRICS of runs 0 … count−1 of a batch table `out` (stride `count`), written to
   * `outcomes[j][k0 + b]`, j the metric's place in OUTCOME_METRICS. Failed runs get values too (of whatever the
   * table holds): the caller overwrites them with NaN.
   *
   * Each pass calls a small function per day (logDay, priceDay, …: one day's runs): called 180
   * times a batch, it is optimised whole within the first batch, and where a later day takes a
   * path the first ones did not (E31 from the phase change on) only that call falls back to the
   * interpreter. One loop over all days per pass ran the first batch interpreted until
   * on-stack replacement, and again after each such deoptimisation (decision 175): the first
   * 40 batches cost 135–141 → 118–127 ms CPU, warm batches the same.
   */
  compute(out: Float64Array, count: number, outcomes: Float64Array[], k0: number): void {
    if (count > this.batch) throw new Error(`batch of ${count} runs: at most ${this.batch}`);
    this.start(out, count);
    this.phasePass(out, count);
    this.logPass(out, count);
    this.pricePass(out, count);
    if (this.days >= 3) this.volatilityPass(count);
    this.reservePass(out, count);
    this.payPass(out, count);
    this.supplierPass(out, count);
    this.write(out, count, outcomes, k0);
  }

  /** Every state's starting value. */
  private start(out: Float64Array, count: number): void {
    const { days, ctx, peak, drawdown, phaseChange, from, peakAfter, drawdownAfter } = this;
    const { threshold, below, logSum, minReserve, shortfalls, firstShortfall, emitted } = this;
    const { minDollar, minDollarDay, pay, supplierDays } = this;
    const price = PRICE * days * count;
    const dollars = DOLLARS * days * count;
    const fixedFrom = ctx.drawdownFromDay ?? Number.POSITIVE_INFINITY;
    const fixedThreshold = ctx.priceThreshold;
    for (let b = 0; b < count; b++) {
      peak[b] = Number.NEGATIVE_INFINITY;
      drawdown[b] = 0;
      phaseChange[b] = -1;
      from[b] = fixedFrom;
      peakAfter[b] = Number.NEGATIVE_INFINITY;
      drawdownAfter[b] = 0;
      threshold[b] = fixedThreshold ?? (days > 0 ? out[price + b] : 0);
      below[b] = 0;
      logSum[b] = 0;
      minReserve[b] = Number.POSITIVE_INFINITY;
      shortfalls[b] = 0;
      firstShortfall[b] = -1;
      emitted[b] = 0;
      minDollar[b] = days > 0 ? out[dollars + b] : Number.NaN;
      minDollarDay[b] = days > 0 ? 0 : -1;
      pay[b] = 0;
      supplierDays[b] = 0;
    }
  }

  /**
   * runOutcomes' first phase-2 day, and with it E31's first day when the scenario sets none:
   * the phase column is read only until every run has changed phase.
   */
  private phasePass(out: Float64Array, count: number): void {
    const { days, phaseChange, from } = this;
    const phase = PHASE * days * count;
    let left = count;
    for (let t = 0; t < days && left > 0; t++) {
      const row = phase + t * count;
      for (let b = 0; b < count; b++)
        if (phaseChange[b] < 0 && out[row + b] === 2) {
          phaseChange[b] = t;
          left--;
        }
    }
    if (this.ctx.drawdownFromDay === undefined)
      for (let b = 0; b < count; b++) if (phaseChange[b] >= 0) from[b] = phaseChange[b];
  }

  /** E32's first sum: the daily log returns (kept, day-major, for the second sum) and Σ. */
  private logPass(out: Float64Array, count: number): void {
    for (let t = 1; t < this.days; t++) this.logDay(out, count, t);
  }

  private logDay(out: Float64Array, count: number, t: number): void {
    const { logSum, logs } = this;
    const row = PRICE * this.days * count + t * count;
    const lg = t * count;
    for (let b = 0; b < count; b++) {
      const l = Math.log(out[row + b] / out[row - count + b]);
      logs[lg + b] = l;
      logSum[b] += l;
    }
  }

  /** maxDrawdown, E31 and E33: the price column. */
  private pricePass(out: Float64Array, count: number): void {
    for (let t = 0; t < this.days; t++) this.priceDay(out, count, t);
  }

  private priceDay(out: Float64Array, count: number, t: number): void {
    const { peak, drawdown, from, peakAfter, drawdownAfter, threshold, below } = this;
    const row = PRICE * this.days * count + t * count;
    for (let b = 0; b < count; b++) {
      const p = out[row + b];
      const pk = peak[b];
      if (p > pk) peak[b] = p;
      else if (pk > 0 && (pk - p) / pk > drawdown[b]) drawdown[b] = (pk - p) / pk;
      if (t >= from[b]) {
        const pa = peakAfter[b];
        if (p > pa) peakAfter[b] = p;
        else if (pa > 0 && (pa - p) / pa > drawdownAfter[b]) drawdownAfter[b] = (pa - p) / pa;
      }
      if (p < threshold[b]) below[b]++;
    }
  }

  /** E32's second sum: squared deviations of the log returns from their mean. */
  private volatilityPass(count: number): void {
    const { days, logSum, squares } = this;
    const n = days - 1;
    for (let b = 0; b < count; b++) {
      logSum[b] = logSum[b] / n; // now the mean
      squares[b] = 0;
    }
    for (let t = 1; t < days; t++) this.squaresDay(count, t);
  }

  private squaresDay(count: number, t: number): void {
    const { logSum, squares, logs } = this;
    const lg = t * count;
    for (let b = 0; b < count; b++) squares[b] += (logs[lg + b] - logSum[b]) ** 2;
  }

  /** minTokenReserve, shortfallDays, E36 and E34 of dollarReserve. */
  private reservePass(out: Float64Array, count: number): void {
    for (let t = 0; t < this.days; t++) this.reserveDay(out, count, t);
  }

  private reserveDay(out: Float64Array, count: number, t: number): void {
    const { minReserve, shortfalls, firstShortfall, minDollar, minDollarDay } = this;
    const column = this.days * count;
    const at = t * count;
    const r0 = RESERVE * column + at;
    const s0 = SHORTFALL * column + at;
    const d0 = DOLLARS * column + at;
    for (let b = 0; b < count; b++) {
      const r = out[r0 + b];
      if (r < minReserve[b]) minReserve[b] = r;
      if (out[s0 + b] > 0) {
        shortfalls[b]++;
        if (firstShortfall[b] < 0) firstShortfall[b] = t;
      }
      const d = out[d0 + b];
      if (d < minDollar[b]) {
        minDollar[b] = d;
        minDollarDay[b] = t;
      }
    }
  }

  /** totalEmitted and E37's Σ pay. */
  private payPass(out: Float64Array, count: number): void {
    for (let t = 0; t < this.days; t++) this.payDay(out, count, t);
  }

  private payDay(out: Float64Array, count: number, t: number): void {
    const { emitted, pay } = this;
    const column = this.days * count;
    const at = t * count;
    const p0 = PRICE * column + at;
    const e1 = ONE * column + at;
    const e2 = TWO * column + at;
    const bb = BUYBACK * column + at;
    const uc = CAPITAL * column + at;
    for (let b = 0; b < count; b++) {
      const emission1 = out[e1 + b];
      const emission2 = out[e2 + b];
      emitted[b] += emission1 + emission2;
      const tokens = out[bb + b] + emission1 + emission2;
      pay[b] += out[uc + b] + tokens * out[p0 + b];
    }
  }

  /**
   * E37's Σ supplier-days, day by day and class by class (the order of runOutcomes' sum). A day's
   * classes are added in one step per run, unrolled for up to 8 classes: a loop per class would
   * re-check both arrays at every step.
   */
  private supplierPass(out: Float64Array, count: number): void {
    const { days, supplierDays } = this;
    const nK = this.ctx.nK;
    if (nK === 0) return;
    for (let t = 0; t < days; t++) this.supplierDay(out, count, t, nK, supplierDays);
  }

  private supplierDay(
    out: Float64Array,
    count: number,
    t: number,
    nK: number,
    supplierDays: Float64Array,
  ): void {
    const column = this.days * count;
    const c2 = 2 * column;
    const c3 = 3 * column;
    const c4 = 4 * column;
    const c5 = 5 * column;
    const c6 = 6 * column;
    const c7 = 7 * column;
    const row = (STAKED + 1 + this.ctx.nC + nK) * column + t * count;
    for (let b = 0; b < count; b++) {
      let sum = supplierDays[b];
      let c = row + b;
      let k = nK;
      for (; k > 8; k--, c += column) sum += out[c];
      sum += out[c];
      if (k > 1) sum += out[c + column];
      if (k > 2) sum += out[c + c2];
      if (k > 3) sum += out[c + c3];
      if (k > 4) sum += out[c + c4];
      if (k > 5) sum += out[c + c5];
      if (k > 6) sum += out[c + c6];
      if (k > 7) sum += out[c + c7];
      supplierDays[b] = sum;
    }
  }

  /** Each run's values, in OUTCOME_METRICS order (runOutcomes' record, field by field). */
  private write(out: Float64Array, count: number, outcomes: Float64Array[], k0: number): void {
    const { days } = this;
    const nan = Number.NaN;
    const last = days - 1;
    const w = Math.min(30, last);
    const price = PRICE * days * count;
    const reserve = RESERVE * days * count;
    const m = (name: OutcomeMetric) => outcomes[OUTCOME_METRICS.indexOf(name)];
    const [finalPrice, maxDrawdown, minTokenReserve] = [
      m("finalPrice"),
      m("maxDrawdown"),
      m("minTokenReserve"),
    ];
    const [shortfallDays, totalEmitted] = [m("shortfallDays"), m("totalEmitted")];
    const [phaseChangeDay, maxDrawdownAfter] = [m("phaseChangeDay"), m("maxDrawdownAfter")];
    const [priceVolatility, daysBelowPrice] = [m("priceVolatility"), m("daysBelowPrice")];
    const [minDollarReserve, minDollarReserveDay] = [
      m("minDollarReserve"),
      m("minDollarReserveDay"),
    ];
    const [reserveRunway, firstShortfallDay] = [m("reserveRunway"), m("firstShortfallDay")];
    const supplierIncome = m("supplierIncome");
    for (let b = 0; b < count; b++) {
      const k = k0 + b;
      finalPrice[k] = days > 0 ? out[price + last * count + b] : nan;
      maxDrawdown[k] = this.drawdown[b];
      minTokenReserve[k] = this.minReserve[b];
      shortfallDays[k] = this.shortfalls[b];
      totalEmitted[k] = this.emitted[b];
      const pcd = this.phaseChange[b];
      phaseChangeDay[k] = pcd < 0 ? nan : pcd;
      maxDrawdownAfter[k] = this.from[b] >= days ? nan : this.drawdownAfter[b];
      priceVolatility[k] = days < 3 ? nan : Math.sqrt(this.squares[b] / (days - 2));
      daysBelowPrice[k] = this.below[b];
      minDollarReserve[k] = this.minDollar[b];
      minDollarReserveDay[k] = this.minDollarDay[b] < 0 ? nan : this.minDollarDay[b];
      reserveRunway[k] =
        last < 0
          ? nan
          : runway(out[reserve + last * count + b], out[reserve + (last - w) * count + b], w);
      firstShortfallDay[k] = this.firstShortfall[b] < 0 ? nan : this.firstShortfall[b];
      supplierIncome[k] = this.supplierDays[b] > 0 ? this.pay[b] / this.supplierDays[b] : nan;
    }
  }
}
