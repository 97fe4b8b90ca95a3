/**
 * YAML reads `{ poolTokens: 500,000 }` as poolTokens 500 and a key `000` with no value, which an
 * extending file's null would then silently drop: a key of digits alone with no value, anywhere in
 * `raw`, is refused with what it most likely is. Returns where (the path of the mapping holding
 * it, "" at the top) and the message, or null when there is none.
 */
export function thousandsSplit(
  raw: unknown,
  path: readonly string[] = [],
): { readonly path: string; readonly message: string } | null {
  if (raw === null || typeof raw !== "object") return null;
  for (const [key, value] of Object.entries(raw)) {
    if (!Array.isArray(raw) && /^\d+$/.test(key) && value === null)
      return {
        path: path.join("."),
        message: `a key ${key} with no value — a number written with a thousands separator, such as 500,000, inside { … } reads as 500 and a key 000: write 500000`,
      };
    const inner = thousandsSplit(value, Array.isArray(raw) ? path : [...path, key]);
    if (inner !== null) return inner;
  }
  return null;
}
