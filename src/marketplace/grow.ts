type Typed = Int32Array | Float64Array | Uint8Array;

/** A typed array at least `n` long holding `a`'s contents (doubling, so growth is amortised O(1)). */
export function grow<T extends Typed>(a: T, n: number): T {
  if (n <= a.length) return a;
  let size = Math.max(16, a.length);
  while (size < n) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a as never);
  return b;
}
