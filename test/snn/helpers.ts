// Shared by the snn tests: central finite differences in float64 over tensors whose data the
// test may write in place (layer parameters included).
import { type Tensor, noGrad } from '../../src/index';

/** d loss / d t by central differences (t's data is perturbed in place and restored). */
export function numericGrad(loss: () => number, t: Tensor, eps = 1e-6): number[] {
  const data = t.toNdarray().data;
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const keep = data[i];
    data[i] = keep + eps;
    const up = noGrad(loss);
    data[i] = keep - eps;
    const down = noGrad(loss);
    data[i] = keep;
    out.push((up - down) / (2 * eps));
  }
  return out;
}

export function gradOf(t: Tensor): number[] {
  if (t.grad === null) throw new Error('no gradient');
  return Array.from(t.grad.toTypedArray());
}

export function expectClose(actual: readonly number[], expected: readonly number[], atol: number, rtol = 0): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})\nactual ${actual}\nexpected ${expected}`);
    }
  }
}
