// linear's forward with a bias of another dtype, and its backward writing into pooled buffers that
// come back dirty: x and W are intermediates, so their gradient buffers return to the pool after
// each pass and the next pass gets them with the old values in. Oracle: the closed forms
// dx = C·W, dW = Cᵀ·x, db = column sums of C (L = Σ C ⊙ (x Wᵀ + b)), by plain loops.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { linear } from '../../src/ops';

type M = number[][];
const mm = (p: M, q: M): M => p.map((row) => q[0].map((_, j) => row.reduce((s, v, k) => s + v * q[k][j], 0)));
const T = (p: M): M => p[0].map((_, j) => p.map((row) => row[j]));
const grid = (n: number, m: number, k: number): M => Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => Math.sin(k + 1.3 * i + 0.7 * j)));

describe('linear', () => {
  it('backward into reused (dirty) pooled buffers, three passes', () => {
    const X = grid(3, 4, 1);
    const W = grid(5, 4, 2);
    const C = grid(3, 5, 3);
    for (let pass = 0; pass < 3; pass++) {
      const x0 = tensor(X, { dtype: 'float64', requiresGrad: true });
      const w0 = tensor(W, { dtype: 'float64', requiresGrad: true });
      const b = tensor([0.1, -0.2, 0.3, 0.4, -0.5], { dtype: 'float64', requiresGrad: true });
      const x = x0.mul(1);
      const w = w0.mul(1);
      linear(x, w, b).mul(tensor(C, { dtype: 'float64' })).sum().backward();
      const dx = mm(C, W);
      const dw = mm(T(C), X);
      const gx = x0.grad!.toArray() as M;
      const gw = w0.grad!.toArray() as M;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(gx[i][j]).toBeCloseTo(dx[i][j], 12);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) expect(gw[i][j]).toBeCloseTo(dw[i][j], 12);
      const db = C[0].map((_, j) => C.reduce((s, r) => s + r[j], 0));
      (b.grad!.toArray() as number[]).forEach((v, j) => expect(v).toBeCloseTo(db[j], 12));
    }
  });

  it('a float32 bias with float64 x and weight: x Wᵀ + b in float64, b read as its float32 values', () => {
    const X = grid(3, 4, 4);
    const W = grid(2, 4, 5);
    const bias = [0.1, -0.7];
    const y = linear(tensor(X, { dtype: 'float64' }), tensor(W, { dtype: 'float64' }), tensor(bias, { dtype: 'float32' }));
    expect(y.dtype).toBe('float64');
    const ref = mm(X, T(W)).map((r) => r.map((v, j) => v + Math.fround(bias[j])));
    const got = y.toArray() as M;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expect(got[i][j]).toBeCloseTo(ref[i][j], 14);
  });
});
