// Small helpers shared by the op value tests.
import { expect } from 'vitest';
import type { Tensor } from '../../src/tensor';

/** Options for float64 leaves that require grad. */
export const f64 = { dtype: 'float64' as const, requiresGrad: true };

/** A tensor's values in C order. */
export function flat(t: Tensor): number[] {
  return Array.from(t.toTypedArray());
}

/** A tensor's gradient in C order (failing if there is none). */
export function gradOf(t: Tensor): number[] {
  if (t.grad === null) throw new Error('expected a gradient, got none');
  return flat(t.grad);
}

/** Every value within `tol` (absolute, default 1e-9) of the expected flat values. */
export function expectClose(actual: Tensor | readonly number[], expected: readonly number[], tol = 1e-9): void {
  const values = Array.isArray(actual) ? actual : flat(actual as Tensor);
  expect(values.length, `length of [${values.join(', ')}]`).toBe(expected.length);
  values.forEach((v, i) => {
    const ok = Math.abs(v - expected[i]) <= tol || (Number.isNaN(v) && Number.isNaN(expected[i]));
    if (!ok) expect.fail(`element ${i}: got ${v}, expected ${expected[i]} (±${tol}) in [${values.join(', ')}]`);
  });
}
