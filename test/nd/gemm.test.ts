import { describe, it, expect } from 'vitest';
import { gemm, gemmJs } from '../../src/nd/gemm';
import {
  type Case, type Ctor, type KernelUnderTest, F32, F64, LAYOUTS,
  mulberry32, referenceGemm, runCase as runHarnessCase, typeName,
} from './gemm-harness';

/**
 * The exported `gemm` (JS kernel, or WASM for large all-float32 products).
 * Operands default to Float64Array.
 *
 * Tolerance, relative to the magnitude Σ|a·b| + |c| of each element (inputs
 * are already exactly representable, so only the kernel's own rounding counts):
 *  - float64 output: a few ulps per term at most → 1e-12.
 *  - float32 output: accumulation is float64, but each KC-block partial sum is
 *    rounded to float32 when stored (≤ 6e-8 each, a handful of blocks here).
 *    1e-6 is far below 1e-5·sqrt(K) yet well above the expected error.
 */
const JS_KERNEL: KernelUnderTest = {
  run: gemm,
  relTol: (_K, cType) => (cType === F32 ? 1e-6 : 1e-12),
  defaultType: F64,
  tail: 3,
};

const runCase = (c: Case): void => runHarnessCase(JS_KERNEL, c);

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('gemm: shapes × layouts (float64, contiguous)', () => {
  const shapes: ReadonlyArray<readonly [number, number, number]> = [
    [1, 1, 1], [1, 1, 7], [1, 7, 1], [7, 1, 1], // scalar, dot, outer products
    [1, 9, 13], [13, 1, 9], [2, 5, 3], [3, 2, 5], // vector-matrix, matrix-vector, thin
    [7, 13, 5], [13, 5, 7], [5, 7, 13], // primes, all distinct
    [3, 3, 3], [4, 4, 4], [5, 5, 5], // around the 4×4 micro-tile
    [3, 7, 9], [7, 3, 9], [3, 8, 8], [8, 3, 8], [4, 7, 9], [7, 4, 9], // thin (≤ 3) vs packed
    [1, 6, 5], [6, 1, 5], [2, 9, 600], [9, 2, 600], [3, 513, 6], [513, 3, 6], // thin, odd K / N
    [17, 19, 23], [31, 33, 29], [33, 31, 35],
    [63, 65, 67], [127, 129, 100], [129, 127, 90], // around MC = 128
    [37, 41, 255], [41, 37, 256], [43, 39, 257], [9, 11, 513], // around KC = 256
    [4, 513, 6], [513, 4, 6], [4, 4, 600], // thin but large
  ];
  for (const [transA, transB, name] of LAYOUTS) {
    for (const [M, N, K] of shapes) {
      it(`${name} ${M}×${N}×${K}`, () => runCase({ transA, transB, M, N, K }));
    }
  }
});

describe('gemm: large product spans every block boundary', () => {
  for (const [transA, transB, name] of LAYOUTS) {
    it(`${name} 300×270×260`, () => runCase({ transA, transB, M: 300, N: 270, K: 260 }));
  }
  // N > NC (2048) exercises the outermost column-blocking loop.
  it('NN 9×2100×40 (N beyond NC)', () => runCase({ transA: false, transB: false, M: 9, N: 2100, K: 40 }));
  it('NT 9×2100×40 (N beyond NC)', () => runCase({ transA: false, transB: true, M: 9, N: 2100, K: 40 }));
});

describe('gemm: empty dimensions', () => {
  for (const [transA, transB, name] of LAYOUTS) {
    it(`${name} M=0, N=0 leave C alone`, () => {
      runCase({ transA, transB, M: 0, N: 5, K: 3 });
      runCase({ transA, transB, M: 5, N: 0, K: 3 });
      runCase({ transA, transB, M: 0, N: 0, K: 0 });
    });
    it(`${name} K=0 with beta 0 zeroes C (even NaN), padding untouched`, () => {
      runCase({ transA, transB, M: 6, N: 5, K: 0, cPad: 3, cOff: 2, nanC: true });
      runCase({ transA, transB, M: 60, N: 50, K: 0, cPad: 1, cOff: 1, nanC: true });
    });
    it(`${name} K=0 with beta 1 leaves C unchanged`, () => {
      runCase({ transA, transB, M: 6, N: 5, K: 0, cPad: 3, beta: 1 });
    });
  }

  it('K=0, beta 0 writes exact zeros', () => {
    const C = new Float64Array([NaN, 7, NaN, 7]);
    gemm(false, false, 2, 1, 0, new Float64Array(0), 0, 0, new Float64Array(0), 0, 1, C, 0, 2, 0);
    expect(Array.from(C)).toEqual([0, 7, 0, 7]);
  });
});

describe('gemm: offsets, leading dimensions and padding', () => {
  const shapes: ReadonlyArray<readonly [number, number, number]> = [
    [7, 13, 5], [1, 9, 4], [11, 1, 6], [37, 29, 41], [65, 70, 259],
  ];
  for (const [transA, transB, name] of LAYOUTS) {
    for (const [M, N, K] of shapes) {
      it(`${name} ${M}×${N}×${K} with offsets and ld > row length`, () => {
        runCase({
          transA, transB, M, N, K,
          aOff: 3, bOff: 5, cOff: 7, aPad: 2, bPad: 3, cPad: 4, seed: 2,
        });
      });
    }
  }
});

describe('gemm: beta', () => {
  const shapes: ReadonlyArray<readonly [number, number, number]> = [
    [1, 1, 1], [7, 13, 5], [2, 40, 9], [40, 2, 9], [50, 45, 300], [130, 67, 40],
  ];
  for (const [transA, transB, name] of LAYOUTS) {
    for (const [M, N, K] of shapes) {
      it(`${name} ${M}×${N}×${K} beta 0 ignores NaN in C`, () => {
        runCase({ transA, transB, M, N, K, nanC: true, cPad: 2, cOff: 1, seed: 3 });
      });
      it(`${name} ${M}×${N}×${K} beta 1 accumulates`, () => {
        runCase({ transA, transB, M, N, K, beta: 1, cPad: 2, cOff: 1, seed: 4 });
      });
    }
  }

  it('beta 1 twice doubles the product', () => {
    const rand = mulberry32(99);
    const M = 37, N = 41, K = 43;
    const A = Float64Array.from({ length: M * K }, () => rand() - 0.5);
    const B = Float64Array.from({ length: K * N }, () => rand() - 0.5);
    const once = new Float64Array(M * N);
    const twice = new Float64Array(M * N);
    gemm(false, false, M, N, K, A, 0, K, B, 0, N, once, 0, N, 0);
    gemm(false, false, M, N, K, A, 0, K, B, 0, N, twice, 0, N, 0);
    gemm(false, false, M, N, K, A, 0, K, B, 0, N, twice, 0, N, 1);
    for (let i = 0; i < M * N; i++) expect(twice[i]).toBeCloseTo(2 * once[i], 12);
  });
});

describe('gemm: float32 / float64 in every role', () => {
  const types: ReadonlyArray<Ctor> = [F32, F64];
  const shapes: ReadonlyArray<readonly [number, number, number]> = [
    [7, 13, 5], [1, 17, 9], [17, 1, 9], [45, 38, 300],
  ];
  for (const aType of types) {
    for (const bType of types) {
      for (const cType of types) {
        const label = `A ${typeName(aType)}, B ${typeName(bType)}, C ${typeName(cType)}`;
        for (const [transA, transB, name] of LAYOUTS) {
          it(`${label} ${name}`, () => {
            for (const [M, N, K] of shapes) {
              runCase({ transA, transB, M, N, K, aType, bType, cType, cPad: 1, aOff: 1, seed: 5 });
              runCase({ transA, transB, M, N, K, aType, bType, cType, beta: 1, seed: 6 });
            }
          });
        }
      }
    }
  }

  it('float32 output accumulates in float64 (no float32 round-off per term)', () => {
    // C = 1 + Σ 1e-8 over K-1 terms. Summed term by term in float32 every
    // 1e-8 would be lost (half an ulp of 1 is 6e-8) and C would stay exactly 1.
    // Checked on a direct-path shape (1×1) and a packed-path shape (8×8).
    const K = 200;
    for (const size of [1, 8]) {
      const A = new Float32Array(size * K).fill(1);
      const B = new Float32Array(K * size).fill(1e-8);
      B.fill(1, 0, size); // row k = 0 of B is all ones
      const C = new Float32Array(size * size);
      gemmJs(false, false, size, size, K, A, 0, K, B, 0, size, C, 0, size, 0);
      for (let i = 0; i < size * size; i++) expect(C[i]).toBeCloseTo(1 + 1e-8 * (K - 1), 7);
      expect(C[0]).toBeGreaterThan(1);
    }
  });
});

describe('gemm: the tests themselves can fail', () => {
  it('a transposed operand gives a different answer on non-square shapes', () => {
    // Sanity check on the harness: reading op(A) with the wrong transpose flag
    // must not coincidentally match the oracle.
    const rand = mulberry32(7);
    const M = 5, N = 3, K = 4;
    const A = Float64Array.from({ length: M * K }, () => rand());
    const B = Float64Array.from({ length: K * N }, () => rand());
    const right = new Float64Array(M * N);
    gemm(false, false, M, N, K, A, 0, K, B, 0, N, right, 0, N, 0);
    const expected = referenceGemm(false, false, M, N, K, A, 0, K, B, 0, N, right, 0, N, 0).value;
    // Deliberately misread A as stored K×M (transA) with lda = M.
    const wrong = referenceGemm(true, false, M, N, K, A, 0, M, B, 0, N, right, 0, N, 0).value;
    let maxDiff = 0;
    for (let i = 0; i < M * N; i++) {
      expect(right[i]).toBeCloseTo(expected[i], 12);
      maxDiff = Math.max(maxDiff, Math.abs(wrong[i] - expected[i]));
    }
    expect(maxDiff).toBeGreaterThan(1e-3);
  });
});
