// sigmoid's float32 forward runs on the WASM SIMD kernel when it can (arrays of ≥ 32 elements):
// its values must still be σ(x) to float32 accuracy, saturate exactly, and propagate NaN.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src';

const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

describe('sigmoid forward on float32', () => {
  it('is σ(x) within 2.5 float32 ulps on [−30, 30], large and small arrays alike', () => {
    for (const n of [7, 31, 32, 1000, 4099]) {
      const xs = Array.from({ length: n }, (_, i) => -30 + (60 * i) / (n - 1));
      const y = Array.from(tensor(xs).sigmoid().toTypedArray());
      const x32 = Array.from(new Float32Array(xs)); // the inputs as stored
      y.forEach((v, i) => {
        const want = sigma(x32[i]);
        expect(Math.abs(v - want)).toBeLessThanOrEqual(Math.max(1.6e-7 * want, 9e-8));
      });
    }
  });

  it('saturates to exactly 0 and 1 and propagates NaN', () => {
    const xs = new Array<number>(64).fill(0);
    xs[0] = Infinity;
    xs[1] = -Infinity;
    xs[2] = 200;
    xs[3] = -200;
    xs[4] = Number.NaN;
    const y = tensor(xs).sigmoid().toTypedArray();
    expect([y[0], y[1], y[2], y[3]]).toEqual([1, 0, 1, 0]);
    expect(Number.isNaN(y[4])).toBe(true);
    expect(y[5]).toBeCloseTo(0.5, 7);
  });
});
