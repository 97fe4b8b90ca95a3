/**
 * "Did you mean …?" for an unknown key of a scenario: the keys the schema allows at that place,
 * and the closest of them by edit distance. Used only to word an error message: whatever it
 * cannot follow (a schema shape it does not know) gives no suggestion rather than an error.
 */

/** The zod 4 definition fields this walk reads (internal but stable across zod 4). */
interface Def {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  options?: unknown[];
  valueType?: unknown;
  left?: unknown;
  right?: unknown;
  getter?: () => unknown;
}

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** The object schemas reached from `schema` by `path` (unions may give several). */
function objectsAt(schema: unknown, path: readonly PropertyKey[], depth = 0): Def[] {
  const def = defOf(schema);
  if (def === undefined || depth > 64) return [];
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return objectsAt(def.innerType, path, depth + 1);
    case "pipe":
      return objectsAt(def.in, path, depth + 1);
    case "lazy":
      return def.getter ? objectsAt(def.getter(), path, depth + 1) : [];
    case "union":
      return (def.options ?? []).flatMap((o) => objectsAt(o, path, depth + 1));
    case "intersection":
      return [...objectsAt(def.left, path, depth + 1), ...objectsAt(def.right, path, depth + 1)];
  }
  if (path.length === 0) return def.type === "object" ? [def] : [];
  const [head, ...rest] = path;
  if (def.type === "object" && typeof head === "string" && def.shape && head in def.shape)
    return objectsAt(def.shape[head], rest, depth + 1);
  if (def.type === "array" && typeof head === "number")
    return objectsAt(def.element, rest, depth + 1);
  if (def.type === "record") return objectsAt(def.valueType, rest, depth + 1);
  return [];
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = [];
  for (let i = 0; i <= x.length; i++) {
    d[i] = [i];
    for (let j = 1; j <= y.length; j++) {
      if (i === 0) {
        d[i][j] = j;
        continue;
      }
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/**
 * The name of `known` closest to `name`, if one is near enough to be a typo: at most 2 edits
 * (a swap of neighbours counts one, case ignored), and fewer than half its length.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= 2 && bestDistance * 2 < name.length
    ? best
    : undefined;
}

/**
 * The tail of an unknown-name message: the names there are, and the closest one when it may be
 * a typo (`dedicatedServerProviders, dataAnnotators; did you mean dataAnnotators?`). Empty list:
 * `none declared`.
 */
export function knownNames(name: string, known: readonly string[]): string {
  if (known.length === 0) return "none declared";
  const near = closestName(name, known);
  return `${known.join(", ")}${near === undefined ? "" : `; did you mean ${near}?`}`;
}

/**
 * The allowed key closest to `key` at `path` of `schema` (the path of the object holding it),
 * if one is near enough to be a typo ({@link closestName}).
 */
export function closestKey(
  schema: unknown,
  path: readonly PropertyKey[],
  key: string,
): string | undefined {
  let known: string[];
  try {
    known = [...new Set(objectsAt(schema, path).flatMap((d) => Object.keys(d.shape ?? {})))];
  } catch {
    return undefined;
  }
  return closestName(key, known);
}
