import { createHash } from "node:crypto";

/**
 * JSON that keeps every number: NaN, ±Infinity and −0 (which JSON.stringify turns into null or 0)
 * are written as `{"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}` and read back as numbers.
 * Typed arrays become plain arrays; undefined object fields are left out, as JSON.stringify does.
 */
function jsonable(value: unknown, sortKeys: boolean): unknown {
  if (typeof value === "number") {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $number: Object.is(value, -0) ? "-0" : String(value) };
  }
  if (typeof value === "bigint") return Number(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>, (v) => jsonable(v, sortKeys));
  if (Array.isArray(value)) return value.map((v) => jsonable(v === undefined ? null : v, sortKeys));
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (sortKeys) keys.sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined && typeof v !== "function") out[k] = jsonable(v, sortKeys);
    }
    return out;
  }
  return value;
}

/** Encode `value` as exact JSON (see above). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(jsonable(value, false));
}

/** Decode JSON written by `encodeJson`. */
export function decodeJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$number" && typeof v.$number === "string")
        return Number(v.$number);
    }
    return v;
  }) as T;
}

/** SHA-256 (hex) of the canonical JSON of `value`: keys sorted at every level. */
export function canonicalHash(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(jsonable(value, true)))
    .digest("hex");
}
