import { ONCHAIN } from "../day/sequence.js";
import {
  INVARIANT_TOLERANCE as INVARIANT_TOLERANCE_EXPORT,
  InvariantViolation,
} from "../mechanisms/invariants.js";
import { withdrawal as withdrawalExport } from "../mechanisms/withdrawal.js";
import {
  KN as KNExport,
  nextNormal as nextNormalExport,
  normalTail as normalTailExport,
  WN as WNExport,
} from "../random/normal.js";
import { runSeedMix, seedStream } from "../random/streams.js";
import { LIMITS } from "../scenario/limits.js";
import { COL } from "./columns.js";
import type { CompiledScenario } from "./compile.js";
import { expm1 as expm1Export } from "./expm1.js";
import {
  type KernelOutcome,
  NonFiniteValueError,
  NoPriceError,
  type SimulationFailure,
} from "./outcome.js";

/**
 * Days of a consumer series' gaussians drawn ahead per run in one loop (`drawAhead`), the
 * stream's state in registers: 4 series × 256 runs × 16 days is 128 KiB, which stays in L2.
 */
const NORMAL_BLOCK = 16;

/** From this many runs a batch's same-for-every-run cells are written by `fill` (a call per column and day). */
const FILL_RUNS = 64;

/** Runs advanced together by the Monte Carlo (lockstep: independent runs overlap in the CPU). */
export const KERNEL_BATCH = 16;

/**
 * Most runs advanced in one lockstep pass; a larger batch is advanced in passes of this many
 * runs (each pass all its days, then the next), which gives the same cells.
 */
export const LOCKSTEP_RUNS = 1024;

// The per-run state of the pass being advanced (run b of the pass at index b), held in
// module-level constants rather than in `KernelScratch`: V8's optimizing compiler folds a
// constant typed array's address and length into the code, so an access costs one load or
// store and one compare against a constant; a typed array it cannot prove constant is
// re-checked on every loop iteration (map check, three field loads, bounds check: ≈ 8
// instructions an access; a loop's interrupt check forgets what it knew). Measured with
// instruction counts in docs/benchmarks.md. A thread runs one pass at a time (the kernel is
// synchronous), so one set per thread serves every batch and scenario.
const perRun = () => new Float64Array(LOCKSTEP_RUNS);
const supplyOf = perRun();
const tokenReserveOf = perRun();
const lockedOf = perRun();
const dollarReserveOf = perRun();
const phaseOf = perRun();
const phaseTwoMintedOf = perRun();
const stakedOf = perRun();
/** Today's stage results: E2 income, jobs of all types, the finite check (0, or NaN). */
const incomeOf = perRun();
const jobsTotalOf = perRun();
const checkOf = perRun();
/** Today's supplier arrivals, phase-one fill (E13), targets met (1/0), E8's sums. */
const arrivalsOf = perRun();
const filledOf = perRun();
const targetsMetOf = perRun();
const windowSuppliersOf = perRun();
const windowIncomeOf = perRun();
const sentimentOf = perRun();
const governanceOf = perRun();
/** Handed from `chainPrice` to `chainClaims` and `chainSettle`. */
const buybackPriceOf = perRun();
const boughtOf = perRun();
const onboardedOf = perRun();
const claimExponentOf = perRun();
const phaseOneClaimOf = perRun();
const phaseTwoClaimOf = perRun();
/** Rows filled (days completed) per run of the pass, −1 while running; why it stopped. */
const doneOf = new Int32Array(LOCKSTEP_RUNS);
/** E1 per consumer type, copied from the compiled scenario for the pass. */
const jobPriceOf = new Float64Array(LIMITS.maxConsumerTypes);
/** Today's jobs per consumer type i and run b of the pass, at i·B + b. */
const jobsOf = new Float64Array(16_384);
/**
 * The consumer series' gaussians of the current block of NORMAL_BLOCK days, drawn ahead:
 * series i, run b, day t0 + d at (i·B + b)·NORMAL_BLOCK + d (`drawAhead`).
 */
const normalsOf = new Float64Array(65_536);
/**
 * The consumer series' random streams (xoshiro128** state, four words), series i and run b at
 * (i·B + b)·4: copied from the run's seeded streams at the start of a pass and drawn from only
 * here (`drawAhead`), so the drawing loop reads and writes a constant array.
 */
const consumerStreamsOf = new Int32Array(4 * 16_384);

/**
 * Cells of a fixed column's block in `fixedOf`: days t0 … t0+T−1 of the pass's B runs, T·B ≤
 * BLOCK_CELLS, at least LOCKSTEP_RUNS (a block holds one day of a pass).
 */
const BLOCK_CELLS = LOCKSTEP_RUNS;
/**
 * The fixed columns day … stakedTokens of the current block of days, which the chain stages
 * (`chainPrice`, `chainSettle`) write: column K's cell of day t0 + d and run b at d·B + b of
 * `fixedOf[K]`, copied into the table a column's block at a time (`flushFixed`: one block copy
 * per column and T days instead of an element store per cell into the caller's table). One
 * module-constant array per column, all of one length, so a run's fourteen stores in a stage
 * share one bounds check and each is one instruction at a constant address (the caller's table,
 * a parameter, costs an overflow check, a sign extension, a bounds check and an address
 * computation per store; docs/benchmarks.md, helper kernel). BLOCK_CELLS and a cache line each,
 * so that consecutive arrays do not start 4 KiB apart (a run's cells of one day would then share
 * one L1 set and evict each other).
 */
const cellBlock = () => new Float64Array(BLOCK_CELLS + 8);
const dayCells = cellBlock();
const phaseCells = cellBlock();
const incomeCells = cellBlock();
const opsRevenueCells = cellBlock();
const usdBuybackCapitalCells = cellBlock();
const usdCapitalCells = cellBlock();
const onboardingUsdCells = cellBlock();
const supplierBondUsdCells = cellBlock();
const demandCells = cellBlock();
const priceOfTokenCells = cellBlock();
const priceFlooredCells = cellBlock();
const buybackTokensCells = cellBlock();
const onboardingTokensCells = cellBlock();
const jobRewardCells = cellBlock();
const phaseOneEmissionCells = cellBlock();
const phaseTwoEmissionCells = cellBlock();
const validatorTokensPaidCells = cellBlock();
const supplierTokensPaidCells = cellBlock();
const tokensPaidCells = cellBlock();
const reserveBuybackUsdCells = cellBlock();
const reserveBuybackTokensCells = cellBlock();
const buyBacksUsdCells = cellBlock();
const tokenShortfallCells = cellBlock();
const supplyCells = cellBlock();
const tokenReserveCells = cellBlock();
const dollarReserveCells = cellBlock();
const lockedAllocationsCells = cellBlock();
const stakedTokensCells = cellBlock();
/** The blocks in FIXED_COLUMNS' order. */
const fixedOf = [
  dayCells,
  phaseCells,
  incomeCells,
  opsRevenueCells,
  usdBuybackCapitalCells,
  usdCapitalCells,
  onboardingUsdCells,
  supplierBondUsdCells,
  demandCells,
  priceOfTokenCells,
  priceFlooredCells,
  buybackTokensCells,
  onboardingTokensCells,
  jobRewardCells,
  phaseOneEmissionCells,
  phaseTwoEmissionCells,
  validatorTokensPaidCells,
  supplierTokensPaidCells,
  tokensPaidCells,
  reserveBuybackUsdCells,
  reserveBuybackTokensCells,
  buyBacksUsdCells,
  tokenShortfallCells,
  supplyCells,
  tokenReserveCells,
  dollarReserveCells,
  lockedAllocationsCells,
  stakedTokensCells,
];

/** Runs per lockstep pass of a scenario with `nC` consumer types: as many as the arrays above hold. */
export function passRuns(nC: number): number {
  return Math.max(
    1,
    Math.min(
      LOCKSTEP_RUNS,
      Math.floor(jobsOf.length / nC),
      Math.floor(normalsOf.length / (NORMAL_BLOCK * nC)),
    ),
  );
}
const errorOf: (SimulationFailure | null)[] = new Array(LOCKSTEP_RUNS).fill(null);

/** Reusable buffers of one kernel: allocate once per worker, run many batches. */
export interface KernelScratch {
  /** Runs per batch this scratch holds. */
  readonly batch: number;
  readonly streams: Int32Array;
  readonly onchain: Float64Array;
  /** Yesterday's count per supplier class k (shared counts) or at b·nK + k (noisy counts). */
  readonly yesterday: Float64Array;
  /** Suppliers of every class per day t (shared counts) or at t·batch + b (noisy counts). */
  readonly supplierTotal: Float64Array;
  /** The price matrix without its zero entries: per class k, `demandCount[k]` pairs at k·nC + j. */
  readonly demandFrom: Int32Array;
  readonly demandWeight: Float64Array;
  readonly demandCount: Int32Array;
  /** Per run of the batch: rows filled (days completed). */
  readonly daysCompleted: Int32Array;
  /** Per run of the batch: why it stopped, or null. */
  readonly errors: (SimulationFailure | null)[];
}

export function kernelScratch(c: CompiledScenario, batch = 1): KernelScratch {
  const B = Math.max(1, batch | 0);
  return {
    batch: B,
    streams: new Int32Array(4 * c.nSeries * B),
    onchain: new Float64Array(c.onchain0.length),
    yesterday: new Float64Array(c.nK * B),
    supplierTotal: new Float64Array(c.days * B),
    demandFrom: new Int32Array(c.nC * c.nK),
    demandWeight: new Float64Array(c.nC * c.nK),
    demandCount: new Int32Array(c.nK),
    daysCompleted: new Int32Array(B),
    errors: new Array(B).fill(null),
  };
}

// On-chain variables by index in the compiled `onchain0` and schedule: ONCHAIN, derived from
// ONCHAIN_NAMES (the same map the day sequence's steps use).
const V = ONCHAIN;
const BM = V.buybackModulation,
  F = V.fiatOperationsFraction,
  JRM = V.jobRewardModulation,
  A = V.phaseTwoMintAmount,
  P2M = V.phase2Modulation,
  BOND = V.bondModulation,
  ONB = V.onboardingModulation,
  W = V.onboardingWindowDays,
  VMOD = V.validationModulator,
  VPJ = V.validationsPerJob,
  PREM = V.buybackPremium,
  LOWER = V.lowerTokenReserveLimit,
  RESTORE = V.tokenReserveRestoreLevel,
  FLOOR = V.priceFloor;

// What the stage loops read from other modules, as this module's constants: an imported binding
// is read through its module's export cell, with a hole check (and, for a function, an identity
// check; for an object such as COL, a map check and a field load) on every loop iteration; a
// module-level const is folded into the optimized code (docs/benchmarks.md, helper kernel5).
const withdrawal = withdrawalExport;
const expm1 = expm1Export;
const nextNormal = nextNormalExport;
const normalTail = normalTailExport;
const KN = KNExport;
const WN = WNExport;
const INVARIANT_TOLERANCE = INVARIANT_TOLERANCE_EXPORT;
/** The fixed columns day … stakedTokens, which the day's chain (`chainPrice`, `chainSettle`) writes. */
const CHAIN_COLUMNS = COL.stakedTokens + 1;

// The chain stages write the fixed columns by their index in FIXED_COLUMNS
// (docs/model.md §7); test/engine/lockstep.test.ts compares every cell with the reference engine,
// which writes them by name, so a reordering of FIXED_COLUMNS fails there.

/**
 * The fast path of docs/model.md §6: one run, column-major table `out[col·days + t]`. The same
 * computation as `runKernelBatch` with a batch of one (see there).
 */
export function runKernel(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch = kernelScratch(c),
): KernelOutcome {
  const s = scratch.batch === 1 ? scratch : kernelScratch(c);
  runKernelBatch(c, seed, run, 1, out, s);
  return { daysCompleted: s.daysCompleted[0], error: s.errors[0] };
}

/** Whether this thread has run `primeKernel`. */
let primed = false;

/**
 * One whole run of `c` into throwaway buffers, once per thread, before its first batch of more
 * than one run: V8 compiles the stage loops with its optimizing compiler once they are hot, from
 * the type feedback gathered so far; at 256 runs that happens within phase one, so the first
 * phase-two day met code compiled without phase two's branches, threw it away (a deopt) and
 * compiled every stage a second time (measured: ≈ 85 ms of CPU per thread, a sixth of the
 * kernel's share of a 10,000-run Monte Carlo; docs/benchmarks.md). One run in the interpreter
 * costs a few ms and leaves feedback for every branch the scenario takes. Outputs are unaffected.
 */
function primeKernel(c: CompiledScenario): void {
  primed = true;
  runKernelBatch(c, 0, 0, 1, new Float64Array(c.columns.length * c.days), kernelScratch(c, 1));
}

/**
 * The fused fast twin of the reference engine (docs/model.md §6), for scenarios without extensions
 * (aggregate mode, no plugins or feedback blocks: those run the readable engine only). It does
 * the same day as `runReference`, step by step with the same floating-point operations in the
 * same order (tested bit for bit on every shipped scenario), but on typed arrays, nothing
 * allocated per day, and `count` ≤ `scratch.batch` runs `run0 … run0+count−1` advanced in
 * lockstep so the CPU overlaps their independent dependency chains.
 *
 * True lockstep: the day is split into stages (inputs, supplier counts, E8's window sums, the
 * day's chain of equations), each a tight loop over the runs of the batch on struct-of-arrays
 * state; what is the same for every run (the schedule, noise-free series, supplier counts
 * without noise and everything derived from them) is computed once per day for the batch.
 *
 * Output, cell-major with the runs of the batch innermost: `out[(col·days + t)·count + b]`
 * (for count = 1, the ordinary column-major table). Per run b, `scratch.daysCompleted[b]` rows
 * are filled and `scratch.errors[b]` says why it stopped early: an invariant I1–I3 broken at
 * the end of a day (that row is kept), no price (E10), or a non-finite value
 * (NonFiniteValueError naming the day and the first such column in table order, as the day
 * sequence's record step does; that row is not counted). Draining steps take their amounts
 * through `withdrawal()`, so a balance emptied lands on exactly 0.
 */
export function runKernelBatch(
  c: CompiledScenario,
  seed: number,
  run0: number,
  count: number,
  out: Float64Array,
  scratch: KernelScratch,
): void {
  if (count > scratch.batch)
    throw new Error(`runKernelBatch: ${count} runs but scratch holds ${scratch.batch}`);
  if (!primed && count > 1) primeKernel(c);
  const runs = passRuns(c.nC);
  for (let b0 = 0; b0 < count; b0 += runs) {
    const m = Math.min(runs, count - b0);
    runPass(c, seed, run0, count, b0, m, out, scratch);
    for (let b = 0; b < m; b++) {
      scratch.daysCompleted[b0 + b] = doneOf[b] < 0 ? c.days : doneOf[b];
      scratch.errors[b0 + b] = errorOf[b];
      errorOf[b] = null;
    }
  }
}

/**
 * Runs run0+b0 … run0+b0+B−1 of a batch of `count` in lockstep, all their days, into their
 * cells of `out` (run b0+b of the batch at `(col·days + t)·count + b0 + b`); per-run state at
 * index b of the module's arrays.
 */
function runPass(
  c: CompiledScenario,
  seed: number,
  run0: number,
  count: number,
  b0: number,
  B: number,
  out: Float64Array,
  scratch: KernelScratch,
): void {
  const { days, nC, nK, nSeries } = c;
  const { streams } = scratch;
  const so = 4 * nSeries;
  for (let b = 0; b < B; b++) {
    // seedStreams' words at the run's offset, without a view of them a run (decision 296)
    const mix = runSeedMix(seed, run0 + b0 + b);
    for (let s = 0; s < nSeries; s++) seedStream(streams, b * so + 4 * s, mix, s);
    for (let i = 0; i < nC; i++)
      for (let w = 0; w < 4; w++)
        consumerStreamsOf[(i * B + b) * 4 + w] = streams[b * so + 4 * i + w];
    supplyOf[b] = c.initialSupply;
    tokenReserveOf[b] = c.initialTokenReserve;
    lockedOf[b] = c.initialLocked;
    dollarReserveOf[b] = c.initialDollarReserve;
    phaseOf[b] = 1;
    phaseTwoMintedOf[b] = 0;
    stakedOf[b] = 0;
    doneOf[b] = -1; // running
    errorOf[b] = null;
  }
  scratch.onchain.set(c.onchain0);
  jobPriceOf.set(c.jobPrice);
  // The price matrix's non-zero entries: a zero entry adds ±0 to a class's demand, which
  // changes nothing, except when a job count or price is not finite, and then income (an
  // earlier column) is not finite either and the row is refused naming it.
  let sharedCounts = true;
  for (let k = 0; k < nK; k++) {
    let n = 0;
    for (let i = 0; i < nC; i++) {
      const w = c.priceMatrix[i * nK + k];
      if (w === 0) continue;
      scratch.demandFrom[k * nC + n] = i;
      scratch.demandWeight[k * nC + n] = w;
      n++;
    }
    scratch.demandCount[k] = n;
    if (c.seriesNoise[nC + k] > 0) sharedCounts = false;
  }
  const D = days * count; // column stride
  const dst = out;
  const stride = D;
  // days per block of the fixed columns (`fixedOf`): as many as BLOCK_CELLS hold when the pass
  // is the whole batch (a column's days are then adjacent in the table), else one
  const T = count === B ? Math.max(1, Math.floor(BLOCK_CELLS / B)) : 1;
  let t0 = 0; // the block's first day
  let alive = B;
  let event = 0;
  // Until the first day a series draws noise every run of the pass has the same state and the
  // same row: those days are advanced for run b0 alone (index 0) and its row copied to the others.
  const same = B > 1 ? sameDays(c) : 0;
  // days 0 … zeroIncome−1 had an income of +0 in every run: E8's window sums skip them (+0 added
  // to the sum's +0 start leaves it +0, so the sum of the days after is the same)
  let zeroIncome = 0;
  for (let t = 0; t < days && alive > 0; t++) {
    if (t === same && t > 0) spreadState(c, scratch, t, B, sharedCounts);
    const n = t < same ? 1 : B;
    event = applySchedule(c, scratch.onchain, t, event);
    if (t % NORMAL_BLOCK === 0) drawAhead(c, t, B);
    const row = t * count + b0;
    const r = (t - t0) * B; // today's cells in each fixed column's block
    drawConsumers(c, t, n, dst, stride, row);
    demandByClass(c, scratch, n, dst, stride, row);
    const arrivals = sharedCounts
      ? countsShared(c, scratch, t, n, dst, stride, row)
      : countsPerRun(c, scratch, t, n, dst, stride, row);
    drawSeries(c, scratch, nC + nK, t, n, sentimentOf);
    drawSeries(c, scratch, nC + nK + 1, t, n, governanceOf);
    if (
      arrivals &&
      (t >= c.phaseOneDays || c.endPhaseOneOnTargets || c.endPhaseOneOnDemand) // phase 2 possible
    )
      windowIncome(
        t,
        n,
        count,
        Math.max(t - scratch.onchain[W] + 1, zeroIncome),
        out,
        COL.income * D + b0,
        t0,
        B,
      );
    alive -= chainPrice(c, scratch, t, n, r);
    chainClaims(scratch, n);
    alive -= chainSettle(c, scratch, t, n, r, dst, stride, row);
    if (n < B) {
      if (zeroIncome === t && Object.is(incomeCells[r], 0)) zeroIncome = t + 1;
      for (const cells of fixedOf) cells.fill(cells[r], r + 1, r + B);
      for (let col = CHAIN_COLUMNS; col < c.columns.length; col++) {
        const p = col * stride + row;
        dst.fill(dst[p], p + 1, p + B);
      }
      if (doneOf[0] >= 0) {
        // run b0 stopped, so did every run, the same way (they share its error object)
        for (let b = 1; b < B; b++) {
          doneOf[b] = doneOf[0];
          errorOf[b] = errorOf[0];
        }
        alive = 0;
      }
    }
    if (t - t0 + 1 === T || t === days - 1 || alive <= 0) {
      flushFixed(days, t0, t + 1 - t0, B, count, b0, out);
      t0 = t + 1;
    }
  }
}

/**
 * The fixed columns of days t0 … t0+nDays−1 from their blocks in `fixedOf` into the table, a
 * block copy per column (nDays is 1 unless the pass is the whole batch, count = B).
 */
function flushFixed(
  days: number,
  t0: number,
  nDays: number,
  B: number,
  count: number,
  b0: number,
  out: Float64Array,
): void {
  const cells = nDays * B;
  if (cells !== fixedViewCells) {
    for (let col = 0; col < CHAIN_COLUMNS; col++) fixedViews[col] = fixedOf[col].subarray(0, cells);
    fixedViewCells = cells;
  }
  for (let col = 0; col < CHAIN_COLUMNS; col++)
    out.set(fixedViews[col], (col * days + t0) * count + b0);
}

/**
 * Each fixed column's block as a view of `fixedViewCells` cells (`flushFixed`), made again only
 * when a block's size changes (decision 296): a view per column and block was a typed array
 * allocated 28 times a block, ≈ 1,260 a batch of 256 runs, and garbage for the scavenger.
 */
const fixedViews: Float64Array[] = [];
let fixedViewCells = -1;

/**
 * Days 0 … d−1 on which no series draws a gaussian (d: the earliest start day of a series with
 * noise, or the run's length): on those days every run of a pass, started from the same
 * balances, computes the same values.
 */
function sameDays(c: CompiledScenario): number {
  let d = c.days;
  for (let sr = 0; sr < c.nSeries; sr++)
    if (c.seriesNoise[sr] > 0) d = Math.min(d, c.seriesStartDay[sr]);
  return Math.max(0, d);
}

/**
 * After days 0 … t−1 advanced for index 0 alone: its balances (and, for noisy supplier counts,
 * yesterday's counts and the daily totals, laid out per run) to every run of the pass.
 */
function spreadState(
  c: CompiledScenario,
  s: KernelScratch,
  t: number,
  B: number,
  sharedCounts: boolean,
): void {
  for (let b = 1; b < B; b++) {
    supplyOf[b] = supplyOf[0];
    tokenReserveOf[b] = tokenReserveOf[0];
    lockedOf[b] = lockedOf[0];
    dollarReserveOf[b] = dollarReserveOf[0];
    phaseOf[b] = phaseOf[0];
    phaseTwoMintedOf[b] = phaseTwoMintedOf[0];
    stakedOf[b] = stakedOf[0];
    doneOf[b] = doneOf[0];
  }
  if (sharedCounts) return;
  const { yesterday, supplierTotal } = s;
  const nK = c.nK;
  for (let b = 1; b < B; b++) for (let k = 0; k < nK; k++) yesterday[b * nK + k] = yesterday[k];
  // day d's total from d to d·B … d·B+B−1, last day first (no index below d·B is read later)
  for (let d = t - 1; d >= 0; d--) supplierTotal.fill(supplierTotal[d], d * B, d * B + B);
}

/** Schedule entries of day t (the same for every run of the batch); returns the next entry. */
function applySchedule(c: CompiledScenario, oc: Float64Array, t: number, event: number): number {
  const { eventDay, eventVar, eventValue } = c;
  while (event < eventDay.length && eventDay[event] === t) {
    oc[eventVar[event]] = eventValue[event];
    event++;
  }
  return event;
}

/**
 * Draw the consumer series' gaussians of days t … t+NORMAL_BLOCK−1 ahead, per series and run in
 * day order: the values `nextNormal` would give on those days, as each series has its own
 * stream and draws once a day from its start day on.
 */
function drawAhead(c: CompiledScenario, t: number, B: number): void {
  const end = Math.min(t + NORMAL_BLOCK, c.days);
  for (let i = 0; i < c.nC; i++) {
    const first = Math.max(t, c.seriesStartDay[i]);
    if (!(c.seriesNoise[i] > 0) || first >= end) continue;
    for (let b = 0; b < B; b++)
      drawNormals((i * B + b) * 4, (i * B + b) * NORMAL_BLOCK + first - t, end - first);
  }
}

/**
 * `n` successive N(0, 1) draws of the consumer stream at `o` of `consumerStreamsOf` into
 * `normalsOf[p … p+n−1]`: `fillNormals` (src/random/normal.ts) on this module's constant arrays,
 * the same operations in the same order, so the same values. The ziggurat's fast path runs in a
 * loop of its own (`drawFast`) with no call in it, so the stream's state stays in registers; a
 * rejected draw (≈ 1.2%) leaves that loop and is finished here by `normalTail`.
 */
function drawNormals(o: number, p: number, n: number): void {
  const e = p + n;
  let j = drawFast(o, p, e);
  while (j < e) {
    normalsOf[j] = normalTail(consumerStreamsOf, o, rejectedOf[0], rejectedOf[0] & 127);
    j = drawFast(o, j + 1, e);
  }
}

/** The 32-bit draw `drawFast` stopped at (the ziggurat rejected it). */
const rejectedOf = new Int32Array(1);

/**
 * Draws of the stream at `o` into `normalsOf[j … e−1]` while the ziggurat's first test accepts
 * them; returns e, or the index of the first draw it rejected (its 32 bits in `rejectedOf[0]`,
 * the stream already past it, as `normalTail` expects).
 */
function drawFast(o: number, j: number, e: number): number {
  const st = consumerStreamsOf,
    dst = normalsOf;
  let s0 = st[o];
  let s1 = st[o + 1];
  let s2 = st[o + 2];
  let s3 = st[o + 3];
  for (; j < e; j++) {
    // xoshiro128** (as nextInt32), the rotations written out
    const m = Math.imul(s1, 5);
    const hz = Math.imul((m << 7) | (m >>> 25), 9);
    s2 ^= s0;
    s3 ^= s1;
    s0 ^= s3;
    const u = s1 << 9;
    s1 ^= s2;
    s2 ^= u;
    s3 = (s3 << 11) | (s3 >>> 21);
    const iz = hz & 127;
    if (!(Math.abs(hz) < KN[iz])) {
      rejectedOf[0] = hz;
      break;
    }
    dst[j] = hz * WN[iz];
  }
  st[o] = s0;
  st[o + 1] = s1;
  st[o + 2] = s2;
  st[o + 3] = s3;
  return j;
}

/** Jobs per consumer type (§3, noise drawn ahead per run), income (E2) and jobs of all types. */
function drawConsumers(
  c: CompiledScenario,
  t: number,
  B: number,
  dst: Float64Array,
  stride: number,
  row: number,
): void {
  const { nC, days } = c;
  const jobs = jobsOf,
    normals = normalsOf;
  const income = incomeOf,
    jobsTotal = jobsTotalOf,
    check = checkOf;
  const d = t % NORMAL_BLOCK;
  const cJobs = CHAIN_COLUMNS * stride + row;
  for (let b = 0; b < B; b++) {
    income[b] = 0;
    jobsTotal[b] = 0;
    check[b] = 0;
  }
  for (let i = 0; i < nC; i++) {
    const p = jobPriceOf[i];
    const col = cJobs + i * stride;
    const row = i * B;
    const base = c.seriesBase[i * days + t];
    const noise = c.seriesNoise[i];
    const min = c.seriesMin[i];
    if (t >= c.seriesStartDay[i] && noise > 0) {
      for (let b = 0, g = row * NORMAL_BLOCK + d; b < B; b++, g += NORMAL_BLOCK) {
        const v = Math.max(min, base + noise * normals[g]);
        jobs[row + b] = v;
        dst[col + b] = v;
        income[b] += v * p;
        jobsTotal[b] += v;
      }
    } else {
      const v = t >= c.seriesStartDay[i] ? Math.max(min, base) : 0;
      for (let b = 0; b < B; b++) {
        jobs[row + b] = v;
        dst[col + b] = v;
        income[b] += v * p;
        jobsTotal[b] += v;
      }
    }
  }
}

/**
 * USD demand per supplier class: jobs × E1 price × price-matrix entry, summed from 0 over the
 * class's non-zero entries in type order, per run, and written once.
 */
function demandByClass(
  c: CompiledScenario,
  s: KernelScratch,
  B: number,
  dst: Float64Array,
  stride: number,
  row: number,
): void {
  const { nC, nK } = c;
  const { demandFrom, demandWeight, demandCount } = s;
  const jobs = jobsOf,
    jobPrice = jobPriceOf;
  const check = checkOf;
  const cDemand = (CHAIN_COLUMNS + nC) * stride + row;
  for (let k = 0; k < nK; k++) {
    const col = cDemand + k * stride;
    const n = demandCount[k];
    const e = k * nC;
    if (n === 0) {
      for (let b = 0; b < B; b++) dst[col + b] = 0; // no demand for the class: +0, finite
      continue;
    }
    // one or two types per class (the whitepaper's matrix): their factors held in registers
    const i0 = demandFrom[e];
    const p0 = jobPrice[i0];
    const w0 = demandWeight[e];
    if (n === 1) {
      for (let b = 0, r0 = i0 * B; b < B; b++) {
        const v = 0 + jobs[r0 + b] * p0 * w0;
        dst[col + b] = v;
        check[b] += v * 0;
      }
      continue;
    }
    const i1 = demandFrom[e + 1];
    const p1 = jobPrice[i1];
    const w1 = demandWeight[e + 1];
    if (n === 2) {
      for (let b = 0, r0 = i0 * B, r1 = i1 * B; b < B; b++) {
        const v = 0 + jobs[r0 + b] * p0 * w0 + jobs[r1 + b] * p1 * w1;
        dst[col + b] = v;
        check[b] += v * 0;
      }
      continue;
    }
    for (let b = 0; b < B; b++) {
      let v = 0;
      for (let j = e; j < e + n; j++)
        v += jobs[demandFrom[j] * B + b] * jobPrice[demandFrom[j]] * demandWeight[j];
      dst[col + b] = v;
      check[b] += v * 0;
    }
  }
}

/**
 * Supplier counts without noise: the same for every run, so arrivals, the phase-one fill (E13),
 * targets met (E4) and E8's window sum of suppliers are computed once. Returns arrivals > 0.
 */
function countsShared(
  c: CompiledScenario,
  s: KernelScratch,
  t: number,
  B: number,
  dst: Float64Array,
  stride: number,
  row: number,
): boolean {
  const { nC, nK, days } = c;
  const { yesterday, supplierTotal } = s;
  const check = checkOf;
  const target = c.phaseOneTarget;
  const cCounts = (CHAIN_COLUMNS + nC + nK) * stride + row;
  let arrivals = 0;
  let sum = 0;
  let filled = 0;
  let met = 1;
  let chk = 0;
  for (let k = 0; k < nK; k++) {
    const sr = nC + k;
    let v = 0;
    if (t >= c.seriesStartDay[sr]) v = Math.max(c.seriesMin[sr], c.seriesBase[sr * days + t]);
    const n = Math.floor(v + 1e-9);
    const col = cCounts + k * stride;
    if (B >= FILL_RUNS) dst.fill(n, col, col + B);
    else for (let b = 0; b < B; b++) dst[col + b] = n;
    chk += n * 0;
    if (t === 0) yesterday[k] = n;
    arrivals += Math.max(0, n - yesterday[k]);
    yesterday[k] = n;
    sum += n;
    filled += Math.min(n, target[k]);
    if (n < target[k]) met = 0;
  }
  supplierTotal[t] = sum;
  let supSum = 0;
  if (arrivals > 0)
    for (let d = Math.max(0, t - s.onchain[W] + 1); d <= t; d++) supSum += supplierTotal[d];
  if (B >= FILL_RUNS) {
    arrivalsOf.fill(arrivals, 0, B);
    filledOf.fill(filled, 0, B);
    targetsMetOf.fill(met, 0, B);
    windowSuppliersOf.fill(supSum, 0, B);
  } else
    for (let b = 0; b < B; b++) {
      arrivalsOf[b] = arrivals;
      filledOf[b] = filled;
      targetsMetOf[b] = met;
      windowSuppliersOf[b] = supSum;
    }
  // chk is ±0 or NaN, and a run's check only matters as 0 or not (± 0 added changes neither)
  if (chk !== 0) for (let b = 0; b < B; b++) check[b] += chk;
  return arrivals > 0;
}

/** Supplier counts with noise: per run, as in `countsShared`. Returns whether any run has arrivals. */
function countsPerRun(
  c: CompiledScenario,
  s: KernelScratch,
  t: number,
  B: number,
  dst: Float64Array,
  stride: number,
  row: number,
): boolean {
  const { nC, nK, days } = c;
  const { yesterday, supplierTotal, streams } = s;
  const daysCompleted = doneOf,
    check = checkOf;
  const so = 4 * c.nSeries;
  const target = c.phaseOneTarget;
  const cCounts = (CHAIN_COLUMNS + nC + nK) * stride + row;
  const window = s.onchain[W];
  let any = false;
  for (let b = 0; b < B; b++) {
    if (daysCompleted[b] >= 0) continue;
    let arrivals = 0;
    let sum = 0;
    let filled = 0;
    let met = 1;
    for (let k = 0; k < nK; k++) {
      const sr = nC + k;
      let v = 0;
      if (t >= c.seriesStartDay[sr]) {
        v = c.seriesBase[sr * days + t];
        if (c.seriesNoise[sr] > 0) v += c.seriesNoise[sr] * nextNormal(streams, b * so + 4 * sr);
        v = Math.max(c.seriesMin[sr], v);
      }
      const n = Math.floor(v + 1e-9);
      dst[cCounts + k * stride + b] = n;
      check[b] += n * 0;
      const y = b * nK + k;
      if (t === 0) yesterday[y] = n;
      arrivals += Math.max(0, n - yesterday[y]);
      yesterday[y] = n;
      sum += n;
      filled += Math.min(n, target[k]);
      if (n < target[k]) met = 0;
    }
    supplierTotal[t * B + b] = sum;
    let supSum = 0;
    if (arrivals > 0)
      for (let d = Math.max(0, t - window + 1); d <= t; d++) supSum += supplierTotal[d * B + b];
    arrivalsOf[b] = arrivals;
    filledOf[b] = filled;
    targetsMetOf[b] = met;
    windowSuppliersOf[b] = supSum;
    if (arrivals > 0) any = true;
  }
  return any;
}

/** Series `sr` (sentiment or governance value) of day t per run into `dst`. */
function drawSeries(
  c: CompiledScenario,
  s: KernelScratch,
  sr: number,
  t: number,
  B: number,
  dst: Float64Array,
): void {
  const { streams } = s;
  const so = 4 * c.nSeries;
  const base = c.seriesBase[sr * c.days + t];
  const noise = c.seriesNoise[sr];
  const min = c.seriesMin[sr];
  if (t >= c.seriesStartDay[sr] && noise > 0) {
    for (let b = 0; b < B; b++)
      dst[b] = Math.max(min, base + noise * nextNormal(streams, b * so + 4 * sr));
  } else {
    const v = t >= c.seriesStartDay[sr] ? Math.max(min, base) : 0;
    if (B >= FILL_RUNS) dst.fill(v, 0, B);
    else for (let b = 0; b < B; b++) dst[b] = v;
  }
}

/**
 * E8's income over the window (days `from` … t, `from` the window's first day or later when the
 * days before it had +0 income), per run, days outer, in day order: the days before the block's
 * first day t0 from the table (a day's runs `count` cells apart in `out`), the block's days from
 * `fixedOf` (a day's runs `B` cells apart).
 */
function windowIncome(
  t: number,
  n: number,
  count: number,
  from: number,
  out: Float64Array,
  cIncome: number,
  t0: number,
  B: number,
): void {
  const sum = windowIncomeOf,
    income = incomeOf,
    block = incomeCells;
  const lo = Math.max(0, from);
  const mid = Math.max(lo, Math.min(t, t0)); // days lo … mid−1 in the table, mid … t−1 in the block
  const first = cIncome + lo * count;
  const firstInBlock = (mid - t0) * B;
  let b = 0;
  // eight runs (a cache line) at a time, each its own sum in day order (eight independent
  // chains): at 256 runs the window's days are 2 KiB apart, two L1 sets per line of runs, so a
  // line read for four runs was evicted before the other four read it
  for (; b + 8 <= n; b += 8) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    for (let d = lo, p = first + b; d < mid; d++, p += count) {
      a0 += out[p];
      a1 += out[p + 1];
      a2 += out[p + 2];
      a3 += out[p + 3];
      a4 += out[p + 4];
      a5 += out[p + 5];
      a6 += out[p + 6];
      a7 += out[p + 7];
    }
    for (let d = mid, p = firstInBlock + b; d < t; d++, p += B) {
      a0 += block[p];
      a1 += block[p + 1];
      a2 += block[p + 2];
      a3 += block[p + 3];
      a4 += block[p + 4];
      a5 += block[p + 5];
      a6 += block[p + 6];
      a7 += block[p + 7];
    }
    sum[b] = a0 + income[b];
    sum[b + 1] = a1 + income[b + 1];
    sum[b + 2] = a2 + income[b + 2];
    sum[b + 3] = a3 + income[b + 3];
    sum[b + 4] = a4 + income[b + 4];
    sum[b + 5] = a5 + income[b + 5];
    sum[b + 6] = a6 + income[b + 6];
    sum[b + 7] = a7 + income[b + 7];
  }
  for (; b < n; b++) {
    let a = 0;
    for (let d = lo, p = first + b; d < mid; d++, p += count) a += out[p];
    for (let d = mid, p = firstInBlock + b; d < t; d++, p += B) a += block[p];
    sum[b] = a + income[b];
  }
}

/** The on-chain values of today (after the schedule) that the day's chain reads. */
function chainConstants(c: CompiledScenario, oc: Float64Array) {
  return {
    f: oc[F],
    bm: oc[BM],
    onb: oc[ONB],
    bond: oc[BOND],
    floor: oc[FLOOR],
    prem: oc[PREM],
    jrm: oc[JRM],
    mintA: oc[A],
    p2m: oc[P2M],
    vmod: oc[VMOD],
    vpj: oc[VPJ],
    lower: oc[LOWER] * c.initialTokenReserve,
    restore: oc[RESTORE] * c.initialTokenReserve,
  };
}

/**
 * Steps 3–11 of the day (E7–E14 up to the phase-two claim's exponent) for every running run:
 * split, phase, onboarding fee, demand and price, burns, job reward, phase-one claim. Writes
 * the fixed columns day … jobReward; leaves per run what `chainSettle` needs. Returns how many
 * runs stopped (no price).
 */
function chainPrice(
  c: CompiledScenario,
  s: KernelScratch,
  t: number,
  B: number,
  r: number,
): number {
  const nC = c.nC;
  const jobPrice = jobPriceOf;
  const { f, bm, onb, bond, floor, prem, jrm, p2m } = chainConstants(c, s.onchain);
  const phaseOneDays = c.phaseOneDays,
    onTargets = c.endPhaseOneOnTargets,
    onDemand = c.endPhaseOneOnDemand;
  const phaseOneDaily = c.phaseOneTokensForProject / c.phaseOneDays;
  let targets = 0;
  for (let k = 0; k < c.nK; k++) targets += c.phaseOneTarget[k];
  const jobs = jobsOf;
  const daysCompleted = doneOf,
    errors = errorOf,
    check = checkOf,
    targetsMet = targetsMetOf,
    windowSuppliers = windowSuppliersOf,
    claimExponent = claimExponentOf;
  const S = supplyOf,
    PH = phaseOf,
    ST = stakedOf;
  // every module array through a local set before the loop: a direct reference in the loop was
  // compiled (in this function, not in every one) as a map check, three field loads and a bounds
  // check per access, the array not folded into a constant (docs/benchmarks.md, helper kernel)
  const incomes = incomeOf,
    arrivalsAll = arrivalsOf,
    windowIncomes = windowIncomeOf,
    sentiments = sentimentOf,
    governances = governanceOf,
    filled = filledOf,
    phaseOneClaims = phaseOneClaimOf,
    buybackPrices = buybackPriceOf,
    boughtAll = boughtOf,
    onboardedAll = onboardedOf;
  // the blocks through locals set before the loop (see the module arrays above)
  const dayOut = dayCells,
    phaseOut = phaseCells,
    incomeOut = incomeCells,
    opsRevenueOut = opsRevenueCells,
    usdBuybackCapitalOut = usdBuybackCapitalCells,
    usdCapitalOut = usdCapitalCells,
    onboardingUsdOut = onboardingUsdCells,
    supplierBondUsdOut = supplierBondUsdCells,
    demandOut = demandCells,
    priceOfTokenOut = priceOfTokenCells,
    priceFlooredOut = priceFlooredCells,
    buybackTokensOut = buybackTokensCells,
    onboardingTokensOut = onboardingTokensCells,
    jobRewardOut = jobRewardCells;
  let stopped = 0;
  for (let b = 0; b < B; b++) {
    if (daysCompleted[b] >= 0) continue;
    const q = r + b; // run b's cell of today in the fixed columns' blocks
    const income = incomes[b];
    // 3. split (E7)
    const supplierPool = (1 - f) * income;
    const opsRevenue = f * income;
    const usdBuybackCapital = bm * supplierPool;
    const usdCapital = (1 - bm) * supplierPool;
    // 4. phase (E4); stake released on the first phase-2 day
    let phase = PH[b];
    if (
      phase === 1 &&
      (t >= phaseOneDays || (onTargets && targetsMet[b] === 1) || (onDemand && income > 0))
    ) {
      phase = 2;
      ST[b] = 0;
    }
    // 5. onboarding fee (E8)
    let onboardingUsd = 0;
    const arrivals = arrivalsAll[b];
    if (phase === 2 && arrivals > 0) {
      const supSum = windowSuppliers[b];
      onboardingUsd = (supSum === 0 ? 0 : (onb * windowIncomes[b]) / supSum) * arrivals;
    }
    // 6–7. bonds (E9), demand and price (E10)
    const supply = S[b];
    const bondUsd = bond * income;
    const demand = sentiments[b] + onboardingUsd + bondUsd + usdBuybackCapital + governances[b];
    if (!(supply > 0) && demand > 0) {
      daysCompleted[b] = t;
      errors[b] = new NoPriceError(t, demand);
      stopped++;
      continue;
    }
    PH[b] = phase;
    const raw = supply > 0 ? demand / supply : 0;
    const floored = raw < floor;
    const price = floored ? floor : raw;
    const buybackPrice = price * (1 + prem);
    // 8. burn (E11a, E11b); the onboarding burn is taken from the supply
    const bought = usdBuybackCapital / buybackPrice;
    const onboarded = withdrawal(supply, onboardingUsd / price);
    // 9–11. E12, E13, E14's exponent
    let reward = 0;
    let phaseOneClaim = 0;
    if (phase === 2) {
      for (let i = 0; i < nC; i++) reward += jobs[i * B + b] * (jobPrice[i] / price);
      reward = reward / jrm;
      claimExponent[b] = -reward / p2m;
    } else {
      phaseOneClaim = phaseOneDaily * (targets === 0 ? 0 : filled[b] / targets);
    }
    phaseOneClaims[b] = phaseOneClaim;
    buybackPrices[b] = buybackPrice;
    boughtAll[b] = bought;
    onboardedAll[b] = onboarded;
    dayOut[q] = t;
    phaseOut[q] = phase;
    incomeOut[q] = income;
    opsRevenueOut[q] = opsRevenue;
    usdBuybackCapitalOut[q] = usdBuybackCapital;
    usdCapitalOut[q] = usdCapital;
    onboardingUsdOut[q] = onboardingUsd;
    supplierBondUsdOut[q] = bondUsd;
    demandOut[q] = demand;
    priceOfTokenOut[q] = price;
    priceFlooredOut[q] = floored ? 1 : 0;
    buybackTokensOut[q] = bought;
    onboardingTokensOut[q] = onboarded;
    jobRewardOut[q] = reward;
    check[b] +=
      (income + opsRevenue + usdBuybackCapital + usdCapital + onboardingUsd + bondUsd) * 0 +
      (demand + price + bought + onboarded + reward) * 0;
  }
  return stopped;
}

/** E14's phase-two claim per running run: what is left to mint × (1 − e^exponent). */
function chainClaims(s: KernelScratch, B: number): void {
  const mintA = s.onchain[A];
  const daysCompleted = doneOf,
    phase = phaseOf,
    phaseTwoMinted = phaseTwoMintedOf,
    claimExponent = claimExponentOf,
    phaseTwoClaim = phaseTwoClaimOf;
  for (let b = 0; b < B; b++) {
    if (daysCompleted[b] >= 0) continue;
    phaseTwoClaim[b] =
      phase[b] === 2 ? Math.max(0, mintA - phaseTwoMinted[b]) * -expm1(claimExponent[b]) : 0;
  }
}

/**
 * Steps 12–14 of the day (E15–E19, E17b) for every running run: payments in claim order,
 * reserve top-up, update. Writes the fixed columns phaseOneEmission … stakedTokens, checks the
 * row (finite) and the invariants I1–I3. Returns how many runs stopped.
 */
function chainSettle(
  c: CompiledScenario,
  s: KernelScratch,
  t: number,
  B: number,
  r: number,
  dst: Float64Array,
  stride: number,
  row: number,
): number {
  const { f, bm, vmod, vpj, lower, restore } = chainConstants(c, s.onchain);
  const vestedToday = c.vested[t];
  const totalTokens = c.initialSupply + c.initialTokenReserve + c.initialLocked;
  const tokTol = INVARIANT_TOLERANCE * totalTokens;
  const daysCompleted = doneOf,
    errors = errorOf,
    check = checkOf;
  const S = supplyOf,
    R = tokenReserveOf,
    L = lockedOf,
    DR = dollarReserveOf,
    P2 = phaseTwoMintedOf,
    ST = stakedOf;
  // the blocks through locals set before the loop (see the module arrays above)
  const phaseOneEmissionOut = phaseOneEmissionCells,
    phaseTwoEmissionOut = phaseTwoEmissionCells,
    validatorTokensPaidOut = validatorTokensPaidCells,
    supplierTokensPaidOut = supplierTokensPaidCells,
    tokensPaidOut = tokensPaidCells,
    reserveBuybackUsdOut = reserveBuybackUsdCells,
    reserveBuybackTokensOut = reserveBuybackTokensCells,
    buyBacksUsdOut = buyBacksUsdCells,
    tokenShortfallOut = tokenShortfallCells,
    supplyOut = supplyCells,
    tokenReserveOut = tokenReserveCells,
    dollarReserveOut = dollarReserveCells,
    lockedAllocationsOut = lockedAllocationsCells,
    stakedTokensOut = stakedTokensCells;
  let stopped = 0;
  for (let b = 0; b < B; b++) {
    if (daysCompleted[b] >= 0) continue;
    const q = r + b; // as in chainPrice
    const income = incomeOf[b];
    const supplierPool = (1 - f) * income;
    const opsRevenue = f * income;
    const usdBuybackCapital = bm * supplierPool;
    const usdCapital = (1 - bm) * supplierPool;
    const supply = S[b];
    const bought = boughtOf[b];
    const onboarded = onboardedOf[b];
    const buybackPrice = buybackPriceOf[b];
    const phaseTwoClaim = phaseTwoClaimOf[b];
    const phaseOneClaim = phaseOneClaimOf[b];
    const validatorClaim = vmod * (vpj * jobsTotalOf[b]);
    // 12. payments in claim order (E15), each taken from what is left
    const tokenReserve = R[b];
    let available = tokenReserve + onboarded;
    const validatorPaid = withdrawal(available, validatorClaim);
    available = available - validatorPaid;
    const e2 = withdrawal(available, phaseTwoClaim);
    available = available - e2;
    const e1 = withdrawal(available, phaseOneClaim);
    const supplierPaid = bought + e1 + e2;
    const shortfall = validatorClaim - validatorPaid + (phaseTwoClaim - e2) + (phaseOneClaim - e1);
    // 13. reserve top-up (E16): cash from the dollar reserve, tokens from the circulating supply
    const dollarBefore = DR[b];
    const reserveAfterPay = tokenReserve + onboarded - validatorPaid - e2 - e1;
    let topUpTokens = 0;
    let topUpUsd = 0;
    if (reserveAfterPay < lower) {
      const cash = dollarBefore + opsRevenue;
      const circulating = supply + validatorPaid + e1 + e2 - onboarded;
      topUpTokens = restore - reserveAfterPay;
      topUpUsd = topUpTokens * buybackPrice;
      const spent = withdrawal(cash, topUpUsd);
      if (spent !== topUpUsd) {
        topUpTokens = spent === 0 ? 0 : cash / buybackPrice;
        topUpUsd = spent;
      }
      const taken = withdrawal(circulating, topUpTokens);
      if (taken !== topUpTokens) {
        topUpTokens = taken;
        topUpUsd = taken === 0 ? 0 : Math.min(circulating * buybackPrice, cash);
      }
    }
    // 14. update (E17, E18, E19, E17b)
    const lockedBefore = L[b];
    const vested = withdrawal(lockedBefore, vestedToday);
    const supplyNext = supply + validatorPaid + e1 + e2 - onboarded - topUpTokens + vested;
    const reserveNext = tokenReserve + onboarded - validatorPaid - e2 - e1 + topUpTokens;
    const dollarNext = dollarBefore + opsRevenue - topUpUsd;
    const lockedNext = lockedBefore - vested;
    const staked = ST[b] + e1;
    const buyBacksUsd = usdBuybackCapital + topUpUsd;
    const tokensPaid = supplierPaid + validatorPaid;
    phaseOneEmissionOut[q] = e1;
    phaseTwoEmissionOut[q] = e2;
    validatorTokensPaidOut[q] = validatorPaid;
    supplierTokensPaidOut[q] = supplierPaid;
    tokensPaidOut[q] = tokensPaid;
    reserveBuybackUsdOut[q] = topUpUsd;
    reserveBuybackTokensOut[q] = topUpTokens;
    buyBacksUsdOut[q] = buyBacksUsd;
    tokenShortfallOut[q] = shortfall;
    supplyOut[q] = supplyNext;
    tokenReserveOut[q] = reserveNext;
    dollarReserveOut[q] = dollarNext;
    lockedAllocationsOut[q] = lockedNext;
    stakedTokensOut[q] = staked;
    // this row's values (day and phase are finite by construction)
    const chk =
      check[b] +
      (e1 + e2 + validatorPaid + supplierPaid + tokensPaid + topUpUsd + topUpTokens) * 0 +
      (buyBacksUsd + shortfall + supplyNext + reserveNext + dollarNext + lockedNext) * 0 +
      staked * 0;
    if (chk !== 0) {
      daysCompleted[b] = t;
      errors[b] = nonFinite(c, t, q, dst, stride, row + b);
      stopped++;
      continue;
    }
    S[b] = supplyNext;
    R[b] = reserveNext;
    DR[b] = dollarNext;
    L[b] = lockedNext;
    P2[b] = P2[b] + e2;
    ST[b] = staked;

    // I1–I3 (the same tests as checkInvariants, inlined)
    const usdMove = dollarNext - dollarBefore;
    const usdExpected = income - usdCapital - usdBuybackCapital - topUpUsd;
    const usdTol = INVARIANT_TOLERANCE * Math.max(income, dollarBefore, dollarNext, topUpUsd, 1);
    if (
      !(Math.abs(supplyNext + reserveNext + lockedNext - totalTokens) <= tokTol) ||
      !(Math.abs(usdMove - usdExpected) <= usdTol) ||
      supplyNext < -tokTol ||
      reserveNext < -tokTol ||
      dollarNext < -usdTol
    ) {
      daysCompleted[b] = t + 1;
      errors[b] = invariantError(
        t,
        totalTokens,
        supplyNext,
        reserveNext,
        lockedNext,
        dollarBefore,
        dollarNext,
        income,
        usdCapital,
        usdBuybackCapital,
        topUpUsd,
      );
      stopped++;
    }
  }
  return stopped;
}

/**
 * The first column of a run's row of day t holding a non-finite value, in table order: the fixed
 * columns at `fixedOf[col][q]`, the others at `table[col·stride + r]`.
 */
function nonFinite(
  c: CompiledScenario,
  t: number,
  q: number,
  table: Float64Array,
  stride: number,
  r: number,
): NonFiniteValueError {
  for (let col = 0; col < c.columns.length; col++) {
    const v = col < CHAIN_COLUMNS ? fixedOf[col][q] : table[col * stride + r];
    if (!Number.isFinite(v)) return new NonFiniteValueError(t, c.columns[col], v);
  }
  return new NonFiniteValueError(t, "?", Number.NaN);
}

function invariantError(
  t: number,
  total: number,
  supply: number,
  reserve: number,
  locked: number,
  before: number,
  after: number,
  income: number,
  usdCapital: number,
  buyback: number,
  topUpUsd: number,
): InvariantViolation {
  const sum = supply + reserve + locked;
  if (!(Math.abs(sum - total) <= INVARIANT_TOLERANCE * total))
    return new InvariantViolation(
      t,
      "I1",
      `supply ${supply} + tokenReserve ${reserve} + lockedAllocations ${locked} = ${sum}, expected ${total}`,
    );
  const expected = income - usdCapital - buyback - topUpUsd;
  if (
    !(
      Math.abs(after - before - expected) <=
      INVARIANT_TOLERANCE * Math.max(income, before, after, topUpUsd, 1)
    )
  )
    return new InvariantViolation(
      t,
      "I2",
      `dollarReserve moved by ${after - before}, expected ${expected}`,
    );
  return new InvariantViolation(
    t,
    "I3",
    `a balance is negative: supply ${supply}, tokenReserve ${reserve}, dollarReserve ${after}`,
  );
}
