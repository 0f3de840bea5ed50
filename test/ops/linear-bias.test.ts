// linear writes the bias into its output first and lets the gemm add the product onto it: check
// the float32 (WASM kernel) and float64 (JS kernel) paths against a naive loop, including a
// float64 bias with float32 operands (promotion) and leading batch axes.
import { describe, expect, it } from 'vitest';
import { Generator, linear, randn } from '../../src';

function naive(x: number[][], w: number[][], b: number[]): number[][] {
  return x.map((row) => w.map((wo, o) => wo.reduce((s, wv, i) => s + wv * row[i], b[o])));
}

describe('linear: bias as the product\'s starting value', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: x·Wᵀ + b equals a naive loop (37 × 50 → 29)`, () => {
      const gen = new Generator(21);
      const x = randn([37, 50], { generator: gen, dtype });
      const w = randn([29, 50], { generator: gen, dtype });
      const b = randn([29], { generator: gen, dtype });
      const want = naive(x.toArray() as number[][], w.toArray() as number[][], b.toArray() as number[]);
      const got = linear(x, w, b).toArray() as number[][];
      const tol = dtype === 'float32' ? 2e-5 : 1e-12;
      got.forEach((row, r) => row.forEach((v, o) => expect(Math.abs(v - want[r][o])).toBeLessThan(tol * (1 + Math.abs(want[r][o])))));
    });
  }

  it('a float64 bias with float32 operands gives float64, and leading axes fold into rows', () => {
    const gen = new Generator(22);
    const x = randn([2, 3, 8], { generator: gen });
    const w = randn([5, 8], { generator: gen });
    const b = randn([5], { generator: gen, dtype: 'float64' });
    const y = linear(x, w, b);
    expect(y.dtype).toBe('float64');
    expect(y.shape).toEqual([2, 3, 5]);
    const flat = (x.toArray() as number[][][]).flat();
    const want = naive(flat, w.toArray() as number[][], b.toArray() as number[]);
    const got = (y.toArray() as number[][][]).flat();
    got.forEach((row, r) => row.forEach((v, o) => expect(v).toBeCloseTo(want[r][o], 5)));
  });
});
