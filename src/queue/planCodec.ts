/**
 * A point's bucket plan (BandPlan, docs/bands.md) as text for a queue job's JSON payload:
 * every typed array of the plan, named, as base64 of its little-endian bytes. The coordinator
 * makes a point's plan once and each of its jobs carries it, so no queue worker runs the
 * pilot again. Round trip is exact (same bits).
 */
import { endianness } from "node:os";
import type { BandPlan } from "../montecarlo/histogram.js";

const KINDS = { Float64Array, Int32Array, Uint16Array, Uint8Array } as const;
type Kind = keyof typeof KINDS;

/** The JSON-safe form of a plan: per field, its array kind and its bytes in base64. */
export type EncodedPlan = Record<string, [Kind, string]>;

function littleEndianOnly(): void {
  if (endianness() !== "LE") throw new Error("the plan codec needs a little-endian machine");
}

export function encodePlan(plan: BandPlan): EncodedPlan {
  littleEndianOnly();
  const out: EncodedPlan = {};
  for (const [name, a] of Object.entries(plan) as [string, ArrayBufferView][]) {
    const kind = a.constructor.name as Kind;
    if (!(kind in KINDS)) throw new Error(`plan field ${name}: not a typed array (${kind})`);
    out[name] = [kind, Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64")];
  }
  return out;
}

export function decodePlan(e: EncodedPlan): BandPlan {
  littleEndianOnly();
  const out: Record<string, ArrayBufferView> = {};
  for (const [name, [kind, text]] of Object.entries(e)) {
    const Ctor = KINDS[kind];
    if (Ctor === undefined) throw new Error(`plan field ${name}: unknown array kind ${kind}`);
    const bytes = Buffer.from(text, "base64");
    if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0)
      throw new Error(`plan field ${name}: ${bytes.length} bytes is not a whole ${kind}`);
    // a fresh, aligned copy (a decoded Buffer may sit at any offset of a shared pool)
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    out[name] = new Ctor(copy.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
  }
  return out as unknown as BandPlan;
}
