/**
 * E39, a proportional–integral controller, evaluated at step 1 of day t ≥ 1 from the previous
 * day's row: relative error e_t = (target − x_{t−1})/target, integral I_t = I_{t−1} + e_t, and
 *   u_t = clamp(bias + kp·e_t + ki·I_t, min, max).
 * Anti-windup by conditional integration: when the unclamped value lies outside [min, max] the
 * integral keeps I_{t−1}. Gains are per unit of relative error, in the variable's unit; a
 * positive gain raises the variable while x is below target.
 */
export interface PiParams {
  readonly target: number;
  readonly kp: number;
  readonly ki: number;
  readonly bias: number;
  readonly min: number;
  readonly max: number;
}

export function piStep(
  p: PiParams,
  x: number,
  integral: number,
): { value: number; integral: number } {
  const e = (p.target - x) / p.target;
  const next = integral + e;
  const raw = p.bias + p.kp * e + p.ki * next;
  if (raw < p.min) return { value: p.min, integral };
  if (raw > p.max) return { value: p.max, integral };
  return { value: raw, integral: next };
}
