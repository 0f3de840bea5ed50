// Shared helpers for the activation tests: run an activation on float64 values with a rule and
// read back the input gradient, so each test states only the formula it expects.
import { tensor } from '../../src/creation';
import { activation, type ActivationName, type RuleChoice } from '../../src/activations';

export const sigma = (x: number): number => 1 / (1 + Math.exp(-x));

/** A grid over [lo, hi] that avoids hitting 0 and other round numbers exactly. */
export function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / n);
}

/** d(sum(g · f(x)))/dx under `backward`, for x = xs (float64). */
export function gradOf(
  name: ActivationName,
  xs: readonly number[],
  backward: RuleChoice | undefined,
  params: Record<string, unknown> = {},
  upstream?: readonly number[],
): number[] {
  const x = tensor(Float64Array.from(xs), { requiresGrad: true });
  const options = (backward === undefined ? params : { ...params, backward }) as never;
  const y = activation(name, x, options);
  y.backward(tensor(Float64Array.from(upstream ?? xs.map(() => 1))));
  if (x.grad === null) throw new Error('no gradient reached x');
  return Array.from(x.grad.toTypedArray());
}

/** Every element of `actual` close to `expected` (absolute + relative tolerance). */
export function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-12): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Math.abs(a - e) <= tol * (1 + Math.abs(e)) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) throw new Error(`element ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}
