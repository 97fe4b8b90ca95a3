import { parse as parseYaml } from "yaml";
import type { PointSpec } from "../analysis/types.js";
import { decimalNumber } from "../scenario/numberText.js";
import { forbiddenSegment } from "../scenario/overrides.js";

type Value = number | string | boolean;

/** A swept path and its values, from `path=v1,v2,…` or `path=start:stop:step`. */
export interface Axis {
  readonly path: string;
  readonly values: readonly Value[];
}

/**
 * One swept value, read as `--set` reads it (YAML: `0.5`, `1e3`, `true`, `0x10` = 16), so the
 * value a point's parameters record is the value its runs use; anything else stays text (and
 * the scenario's check names it).
 */
function scalar(s: string): Value {
  const t = s.trim();
  let v: unknown;
  try {
    v = parseYaml(t);
  } catch {
    return t;
  }
  return (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean" ? v : t;
}

/**
 * Parse `path=v1,v2,…` or `path=start:stop:step` (stop included when the steps reach it within
 * 1e-9 of a step; values rounded to 12 significant digits so 0.1 steps print as 0.3, not
 * 0.30000000000000004). Throws a message naming the option and the problem.
 */
export function parseAxis(option: string, text: string): Axis {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1)
    throw new Error(`${option} "${text}": expected path=v1,v2,… or path=start:stop:step`);
  const path = text.slice(0, eq).trim();
  const forbidden = forbiddenSegment(path);
  if (forbidden !== null)
    throw new Error(`${option} "${text}": "${forbidden}" is not allowed in a path`);
  const rhs = text.slice(eq + 1).trim();
  const range = rhs.match(/^([^:,]+):([^:,]+):([^:,]+)$/);
  if (range) {
    const ends = range.slice(1).map(decimalNumber);
    if (ends.some((x) => x === undefined))
      throw new Error(`${option} "${text}": a range is start:stop:step with three decimal numbers`);
    const [start, stop, step] = ends as number[];
    if (!(step > 0)) throw new Error(`${option} "${text}": the step must be > 0, got ${step}`);
    if (stop < start) throw new Error(`${option} "${text}": stop ${stop} is below start ${start}`);
    const n = Math.floor((stop - start) / step + 1e-9) + 1;
    if (n > 10_000) throw new Error(`${option} "${text}": ${n} values; at most 10,000 per axis`);
    return {
      path,
      values: Array.from({ length: n }, (_, i) => Number((start + i * step).toPrecision(12))),
    };
  }
  const values = rhs.split(",").map(scalar);
  if (values.some((v) => v === "")) throw new Error(`${option} "${text}": an empty value`);
  return { path, values };
}

/** Points of one sweep at most: every point is a Monte Carlo, kept in memory and in the store. */
export const MAX_POINTS = 10_000;

/**
 * The points of a sweep: the cartesian product of the grid axes (the first axis varies
 * slowest) with the zip group (all zip axes the same length, paired by position) as one more
 * axis after them. No axes: one point with no changes. Throws when the axes multiply to more
 * than MAX_POINTS points (counted before any is made).
 */
export function expandSweep(grid: readonly Axis[], zip: readonly Axis[]): PointSpec[] {
  const paths = [...grid, ...zip].map((a) => a.path);
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup) throw new Error(`"${dup}" is swept twice`);
  if (zip.length > 0) {
    const len = zip[0].values.length;
    const bad = zip.find((a) => a.values.length !== len);
    if (bad)
      throw new Error(
        `--zip axes must have the same length: ${zip[0].path} has ${len} values, ${bad.path} has ${bad.values.length}`,
      );
  }
  const sizes = [
    ...grid.map((a) => a.values.length),
    ...(zip.length > 0 ? [zip[0].values.length] : []),
  ];
  const points = sizes.reduce((n, k) => n * k, 1);
  if (points > MAX_POINTS)
    throw new Error(
      `${points.toLocaleString("en-US")} points (${sizes.join(" × ")}): at most ${MAX_POINTS.toLocaleString("en-US")} per sweep; use fewer values or coarser steps`,
    );
  const axes: Record<string, Value>[][] = grid.map((a) => a.values.map((v) => ({ [a.path]: v })));
  if (zip.length > 0)
    axes.push(
      zip[0].values.map((_, i) => Object.fromEntries(zip.map((a) => [a.path, a.values[i]]))),
    );
  let combos: Record<string, Value>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((c) => axis.map((v) => ({ ...c, ...v })));
  return combos.map((params, index) => ({ index, params }));
}
