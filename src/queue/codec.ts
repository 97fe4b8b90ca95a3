/**
 * A compact binary form of a `ChunkPartial`, for the trip from a remote worker through Redis
 * to the results store: "BMEC", a version byte, a little-endian u32 header length, a JSON
 * header (scalars, columns, failed runs, array lengths), then every typed array's bytes,
 * each starting on an 8-byte boundary. Round trip is exact: same numbers, same bits.
 */
import { endianness } from "node:os";
import type { ChunkPartial } from "../montecarlo/chunk.js";
import type { HistogramData } from "../montecarlo/histogram.js";

const MAGIC = "BMEC";
const VERSION = 3;

type Typed = Float64Array | Int32Array;

interface Header {
  runStart: number;
  runEnd: number;
  columns: string[];
  days: number;
  failed: { run: number; error: string }[];
  cells: number | null;
  hasValues: boolean;
  outcomes: number;
  /** The outcome metrics' names (plugin metrics included); absent: OUTCOME_METRICS. */
  metricNames?: string[];
  /** Per array in order: its kind ("f" Float64, "i" Int32) and length. */
  arrays: [string, number][];
}

function histogramArrays(h: HistogramData): Typed[] {
  const [at, counts] = sparse(h.counts);
  return [
    h.start,
    h.scale,
    new Int32Array(h.log),
    h.fineAt,
    new Int32Array(h.fine),
    h.derived.base,
    h.derived.factor,
    h.derived.misses,
    h.derived.low,
    h.derived.high,
    h.derived.missCell,
    h.derived.missValue,
    h.derived.missImage,
    h.rowOf,
    h.atom,
    h.atomCount,
    at,
    counts,
    h.minMax,
  ];
}

/**
 * Histogram counts are mostly zeros in a small chunk: kept as (positions, counts) of the
 * non-zero ones, with the dense length as the first position.
 */
function sparse(counts: Int32Array): [Int32Array, Int32Array] {
  let nz = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) nz++;
  const at = new Int32Array(nz + 1);
  const values = new Int32Array(nz);
  at[0] = counts.length;
  let j = 0;
  for (let i = 0; i < counts.length; i++)
    if (counts[i] !== 0) {
      at[j + 1] = i;
      values[j++] = counts[i];
    }
  return [at, values];
}

function dense(at: Int32Array, values: Int32Array): Int32Array {
  const counts = new Int32Array(at[0]);
  for (let j = 0; j < values.length; j++) counts[at[j + 1]] = values[j];
  return counts;
}

function littleEndianOnly(): void {
  if (endianness() !== "LE") throw new Error("the chunk codec needs a little-endian machine");
}

export function encodeChunk(p: ChunkPartial): Uint8Array {
  littleEndianOnly();
  const arrays: Typed[] = [p.blockSums];
  if (p.values) arrays.push(p.values);
  if (p.histograms) arrays.push(...histogramArrays(p.histograms));
  arrays.push(...p.outcomes);
  const header: Header = {
    runStart: p.runStart,
    runEnd: p.runEnd,
    columns: p.columns,
    days: p.days,
    failed: p.failed,
    cells: p.histograms ? p.histograms.cells : null,
    hasValues: p.values !== null,
    outcomes: p.outcomes.length,
    ...(p.metricNames ? { metricNames: p.metricNames } : {}),
    arrays: arrays.map((a) => [a instanceof Float64Array ? "f" : "i", a.length]),
  };
  const head = Buffer.from(JSON.stringify(header));
  const start = align8(9 + head.length);
  let size = start;
  for (const a of arrays) size = align8(size + a.byteLength);
  const out = new Uint8Array(size);
  out.set(Buffer.from(MAGIC, "latin1"), 0);
  out[4] = VERSION;
  new DataView(out.buffer).setUint32(5, head.length, true);
  out.set(head, 9);
  let off = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off = align8(off + a.byteLength);
  }
  return out;
}

export function decodeChunk(bytes: Uint8Array): ChunkPartial {
  littleEndianOnly();
  if (bytes.length < 9 || Buffer.from(bytes.subarray(0, 4)).toString("latin1") !== MAGIC)
    throw new Error("not an encoded chunk");
  if (bytes[4] !== VERSION) throw new Error(`chunk codec version ${bytes[4]} is not supported`);
  // the typed arrays below are views of the bytes: copied only when not 8-byte aligned (a
  // chunk is tens of MB; Redis replies of that size are their own, aligned allocation)
  const buf = bytes.byteOffset % 8 === 0 ? bytes : Uint8Array.from(bytes);
  const base = buf.byteOffset;
  const headLen = new DataView(buf.buffer, base).getUint32(5, true);
  const header = JSON.parse(Buffer.from(buf.buffer, base + 9, headLen).toString("utf8")) as Header;
  let off = align8(9 + headLen);
  const arrays = header.arrays.map(([kind, n]) => {
    if (off + n * (kind === "f" ? 8 : 4) > buf.length) throw new Error("truncated chunk");
    const a =
      kind === "f"
        ? new Float64Array(buf.buffer, base + off, n)
        : new Int32Array(buf.buffer, base + off, n);
    off = align8(off + a.byteLength);
    return a;
  });
  let i = 0;
  const next = <T extends Typed>() => arrays[i++] as T;
  const blockSums = next<Float64Array>();
  const values = header.hasValues ? next<Float64Array>() : null;
  let histograms: HistogramData | null = null;
  if (header.cells !== null) {
    histograms = {
      cells: header.cells,
      start: next<Float64Array>(),
      scale: next<Float64Array>(),
      log: Uint8Array.from(next<Int32Array>()),
      fineAt: next<Int32Array>(),
      fine: Uint16Array.from(next<Int32Array>()),
      derived: {
        base: next<Int32Array>(),
        factor: next<Float64Array>(),
        misses: next<Float64Array>(),
        low: next<Float64Array>(),
        high: next<Float64Array>(),
        missCell: next<Int32Array>(),
        missValue: next<Float64Array>(),
        missImage: next<Float64Array>(),
      },
      rowOf: next<Int32Array>(),
      atom: next<Float64Array>(),
      atomCount: next<Float64Array>(),
      counts: dense(next<Int32Array>(), next<Int32Array>()),
      minMax: next<Float64Array>(),
    };
  }
  const outcomes = Array.from({ length: header.outcomes }, () => next<Float64Array>());
  return {
    runStart: header.runStart,
    runEnd: header.runEnd,
    columns: header.columns,
    days: header.days,
    blockSums,
    values,
    histograms,
    outcomes,
    ...(header.metricNames ? { metricNames: header.metricNames } : {}),
    failed: header.failed,
  };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
