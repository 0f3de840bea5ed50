import { describe, it, expect } from 'vitest';
import { matmulInto } from '../../src/nd/matmul';
import { wrap, type Nd } from '../../src/nd/array';
import { mulberry32 } from './gemm-harness';

// matmulInto's `overwrite` flag against a naive float64 triple loop written here.

function random(shape: number[], seed: number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): Nd {
  const rand = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Ctor(n);
  for (let i = 0; i < n; i++) data[i] = rand() - 0.5;
  return wrap(data, shape);
}

/** Σ over the batch axes that c lacks: c[b] = Σ_{batch b' mapping to b} x[b']·y[b'] (+ c0 when accumulating). */
function naive(cShape: number[], x: Nd, y: Nd, c0: Float64Array | null): Float64Array {
  const [M, K] = x.shape.slice(-2);
  const N = y.shape[y.shape.length - 1];
  const xb = x.shape.length === 3 ? x.shape[0] : 1;
  const yb = y.shape.length === 3 ? y.shape[0] : 1;
  const batch = Math.max(xb, yb);
  const cb = cShape.length === 3 ? cShape[0] : 1;
  const out = c0 === null ? new Float64Array(cb * M * N) : Float64Array.from(c0);
  for (let b = 0; b < batch; b++) {
    const xo = (xb === 1 ? 0 : b) * M * K;
    const yo = (yb === 1 ? 0 : b) * K * N;
    const co = (cb === 1 ? 0 : b) * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += x.data[xo + i * K + k] * y.data[yo + k * N + j];
        out[co + i * N + j] += s;
      }
    }
  }
  return out;
}

function expectClose(actual: Nd, expected: Float64Array, tol: number): void {
  expect(actual.data.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual.data[i] - expected[i])).toBeLessThan(tol);
}

describe('matmulInto overwrite', () => {
  for (const [M, N, K] of [[3, 5, 4], [32, 64, 64], [40, 70, 300]] as const) {
    it(`${M}×${N}×${K}: overwrite ignores c's contents (NaN), the default adds to them`, () => {
      const x = random([M, K], 1);
      const y = random([K, N], 2);
      const c = wrap(new Float32Array(M * N).fill(NaN), [M, N]);
      matmulInto(c, x, false, y, false, true);
      const expected = naive([M, N], x, y, null);
      expectClose(c, expected, 1e-4 * Math.sqrt(K));
      // default: accumulates into what is there (now the product): 2·x·y
      matmulInto(c, x, false, y, false);
      expectClose(c, expected.map((v) => 2 * v), 2e-4 * Math.sqrt(K));
    });
  }

  it('a batch summed into c: the first product overwrites, the others add (float64 and float32)', () => {
    for (const Ctor of [Float64Array, Float32Array]) {
      const x = random([3, 6, 5], 3, Ctor);
      const y = random([3, 5, 9], 4, Ctor);
      const c = wrap(new Ctor(6 * 9).fill(NaN), [6, 9]);
      matmulInto(c, x, false, y, false, true);
      expectClose(c, naive([6, 9], x, y, null), 1e-5);
    }
  });

  it('a batch with one c matrix per product: every product overwrites its own', () => {
    const x = random([4, 34, 20], 5);
    const y = random([20, 40], 6); // broadcast over the batch
    const c = wrap(new Float32Array(4 * 34 * 40).fill(NaN), [4, 34, 40]);
    matmulInto(c, x, false, y, false, true);
    expectClose(c, naive([4, 34, 40], x, y, null), 1e-4 * Math.sqrt(20));
  });
});
