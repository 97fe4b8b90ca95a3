import { nextNormal } from "../random/normal.js";
import type { CompiledScenario } from "./compile.js";

/**
 * docs/model.md §3: the value of input series s on day t. For t ≥ startDay,
 * `max(min, start + slope·(t − startDay) + noise·Z_t)` with Z_t from the series' own stream
 * (drawn only when noise > 0); explicit values are not clamped; before startDay, 0 (no draw).
 */
export function seriesValue(
  c: CompiledScenario,
  s: number,
  t: number,
  streams: Int32Array,
): number {
  if (t < c.seriesStartDay[s]) return 0;
  let v = c.seriesBase[s * c.days + t];
  const noise = c.seriesNoise[s];
  if (noise > 0) v += noise * nextNormal(streams, 4 * s);
  return Math.max(c.seriesMin[s], v);
}

/** docs/model.md §3: active suppliers are `floor(x + 1e-9)` of the count series. */
export function wholeSuppliers(x: number): number {
  return Math.floor(x + 1e-9);
}
