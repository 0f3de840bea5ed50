// Two edge cases of the float32 relu-rule kernels found in review (session 5): 'bSilu' far below
// −88, where the kernel's clamped exponential once let h grow with |x| (h = −1.8 at x = −3e38), and
// step-shaped rules whose constants lie outside float32's normal range (a leaky c of 1e-50 or 1e40),
// which the kernel would round to 0 or ∞ before multiplying. Oracle: the rule's formula in float64.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { rules } from '../../src/activations';
import { STAGED_MIN, bSiluScaleInto, stepScaleInto } from '../../src/nd/wasm';
import { gradTensor } from '../grad';
import type { RuleChoice } from '../../src/activations';

/** σ(x) + (x + α)σ(x)(1 − σ(x)) in float64, with σ written to stay finite for any x. */
function bSiluRef(x: number, alpha: number): number {
  const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  return s + (x + alpha) * s * (1 - s);
}

/** d/dx of sum(relu(x)·w) under `backward`, float32, n ≥ STAGED_MIN so the kernels may run. */
function reluGrad(xs: number[], ws: number[], backward: RuleChoice): Float32Array {
  const x = tensor(xs, { dtype: 'float32', requiresGrad: true });
  x.relu({ backward }).mul(tensor(ws, { dtype: 'float32' })).sum().backward();
  return gradTensor(x).toTypedArray() as Float32Array;
}

describe("relu 'bSilu' far below −88 (float32 kernel vs the formula in float64)", () => {
  const far = [-89, -100, -1e3, -1e10, -1e32, -1e35, -1e38, -3e38];
  for (const alpha of [1.67, 0, -5, 1e30, -1e30]) {
    it(`α = ${alpha}: |dx − g·h(x)| ≤ 1e-7·|g| for x = ${far.join(', ')}`, () => {
      const n = STAGED_MIN + 8;
      const x = new Float32Array(n).fill(-0.5);
      x.set(far);
      const g = new Float32Array(n).fill(3);
      const out = new Float32Array(n);
      expect(bSiluScaleInto(out, g, x, alpha)).toBe(true);
      for (let i = 0; i < n; i++) {
        const ref = 3 * bSiluRef(x[i], alpha);
        expect(Math.abs(out[i] - ref), `x = ${x[i]}: got ${out[i]}, want ${ref}`).toBeLessThanOrEqual(1e-7 * 3 + 4e-7 * Math.abs(ref));
      }
    });
  }

  it('through the engine: relu(x, { backward: "bSilu" }) gives ≈ 0 at x = −1e38, not −0.6', () => {
    const n = STAGED_MIN;
    const xs = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1e38 : -3e38));
    const grad = reluGrad(xs, new Array(n).fill(1), 'bSilu');
    grad.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1e-7));
  });
});

describe('step-shaped relu rules with constants outside float32 normal range', () => {
  for (const c of [1e-50, 1e-40, 1e40]) {
    it(`leakyBackward({ c: ${c} }) in float32: g·c to float32 rounding for g = 1e30, 1e-20`, () => {
      const n = STAGED_MIN;
      const xs = new Array(n).fill(-1);
      const ws = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1e30 : 1e-20));
      const grad = reluGrad(xs, ws, rules.leakyBackward({ c }));
      grad.forEach((v, i) => {
        const ref = Math.fround(ws[i]) * c; // the float64 product of the float32 upstream gradient
        const want = Math.fround(ref); // what float32 can hold: 1e-20, 1e20, 0 or ∞ (1e30·1e40)
        expect(Object.is(v, want) || Math.abs(v - ref) <= 2 ** -23 * Math.abs(ref), `g = ${ws[i]}: got ${v}, want ${want}`).toBe(true);
      });
    });
  }

  it('stepScaleInto declines constants the kernel cannot hold exactly enough, accepts 0 and normal ones', () => {
    const n = STAGED_MIN;
    const ones = new Float32Array(n).fill(1);
    const out = new Float32Array(n);
    for (const [hi, lo] of [[1, 1e-50], [1, 1e-40], [1e40, 0], [1, -1e-39], [1, NaN], [Infinity, 0]]) {
      expect(stepScaleInto(out, ones, ones, hi, lo), `hi = ${hi}, lo = ${lo}`).toBe(false);
    }
    expect(Array.from(out)).toEqual(new Array(n).fill(0));
    for (const [hi, lo] of [[1, 0], [1, 1.2e-38], [3e38, -0], [1, 0.01]]) {
      expect(stepScaleInto(out, ones, ones, hi, lo), `hi = ${hi}, lo = ${lo}`).toBe(true);
    }
  });
});
