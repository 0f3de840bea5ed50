import { describe, it, expect } from 'vitest';
import { gemm, gemmJs, type FloatArray } from '../../src/nd/gemm';

// ---------------------------------------------------------------------------
// Helpers: seeded PRNG, float64 oracle, and a strided-matrix test harness
// ---------------------------------------------------------------------------

/** mulberry32: tiny deterministic PRNG so failures are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const F32: Ctor = Float32Array;
const F64: Ctor = Float64Array;
const typeName = (t: Ctor): string => (t === F32 ? 'f32' : 'f64');

/** Sentinel for storage the kernel must never write (padding columns, before/after C). */
const SENTINEL = -12345.5;

interface Case {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  aType?: Ctor;
  bType?: Ctor;
  cType?: Ctor;
  /** Extra elements before each operand's first element. */
  aOff?: number;
  bOff?: number;
  cOff?: number;
  /** Extra columns beyond the stored row length (ld = rowLength + pad). */
  aPad?: number;
  bPad?: number;
  cPad?: number;
  beta?: 0 | 1;
  /** Pre-fill C's live elements with NaN (only meaningful with beta 0). */
  nanC?: boolean;
  seed?: number;
}

/**
 * Naive float64 oracle straight from the definition in gemm.ts. Also returns,
 * per element, the magnitude Σ|a·b| + |c| that bounds the rounding error.
 */
function referenceGemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  C0: FloatArray, cOff: number, ldc: number, beta: 0 | 1,
): { value: Float64Array; magnitude: Float64Array } {
  const value = new Float64Array(M * N);
  const magnitude = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const c = beta === 1 ? C0[cOff + i * ldc + j] : 0;
      let s = c;
      let m = Math.abs(c);
      for (let k = 0; k < K; k++) {
        const a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
        const b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
        s += a * b;
        m += Math.abs(a * b);
      }
      value[i * N + j] = s;
      magnitude[i * N + j] = m;
    }
  }
  return { value, magnitude };
}

/**
 * Builds strided operands per the Case, runs gemm, and checks
 *  - every C[i,j] against the float64 oracle,
 *  - every element of C's storage outside the M×N window is still the sentinel,
 *  - A and B are unmodified.
 */
function runCase(c: Case): void {
  const {
    transA, transB, M, N, K,
    aType = F64, bType = F64, cType = F64,
    aOff = 0, bOff = 0, cOff = 0, aPad = 0, bPad = 0, cPad = 0,
    beta = 0, nanC = false, seed = 1,
  } = c;
  const rand = mulberry32(seed * 7919 + M * 31 + N * 17 + K);
  const uniform = (): number => rand() * 2 - 1;

  // Stored shapes: A is M×K (or K×M when transposed), B is K×N (or N×K).
  const aRows = transA ? K : M, aCols = transA ? M : K;
  const bRows = transB ? N : K, bCols = transB ? K : N;
  const lda = aCols + aPad, ldb = bCols + bPad, ldc = N + cPad;
  const tail = 3; // sentinel elements after the last row, to catch overruns

  const A = new aType(aOff + Math.max(0, aRows * lda) + tail).fill(SENTINEL);
  const B = new bType(bOff + Math.max(0, bRows * ldb) + tail).fill(SENTINEL);
  const C = new cType(cOff + Math.max(0, M * ldc) + tail).fill(SENTINEL);
  for (let r = 0; r < aRows; r++) for (let q = 0; q < aCols; q++) A[aOff + r * lda + q] = uniform();
  for (let r = 0; r < bRows; r++) for (let q = 0; q < bCols; q++) B[bOff + r * ldb + q] = uniform();
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) C[cOff + i * ldc + j] = nanC ? NaN : uniform();
  }
  const aBefore = A.slice();
  const bBefore = B.slice();
  const cBefore = C.slice();

  const expected = referenceGemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb,
    cBefore, cOff, ldc, beta);
  gemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);

  // Tolerance, relative to the magnitude Σ|a·b| + |c| of each element (inputs
  // are already exactly representable, so only the kernel's own rounding counts):
  //  - float64 output: a few ulps per term at most → 1e-12.
  //  - float32 output: accumulation is float64, but each KC-block partial sum is
  //    rounded to float32 when stored (≤ 6e-8 each, a handful of blocks here).
  //    1e-6 is far below 1e-5·sqrt(K) yet well above the expected error.
  const relTol = cType === F32 ? 1e-6 : 1e-12;

  let mismatches = 0;
  let firstMismatch = '';
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const got = C[cOff + i * ldc + j];
      const want = expected.value[i * N + j];
      const tol = relTol * Math.max(1e-3, expected.magnitude[i * N + j]);
      if (!(Math.abs(got - want) <= tol)) {
        if (mismatches++ === 0) firstMismatch = `C[${i},${j}] = ${got}, expected ${want} (tol ${tol})`;
      }
    }
  }
  expect(firstMismatch, `${mismatches} mismatches`).toBe('');

  // Everything outside the M×N window must be untouched.
  let clobbered = -1;
  for (let idx = 0; idx < C.length; idx++) {
    const rel = idx - cOff;
    const inWindow = rel >= 0 && rel < M * ldc && rel % ldc < N;
    if (!inWindow && !Object.is(C[idx], cBefore[idx])) {
      clobbered = idx;
      break;
    }
  }
  expect(clobbered, 'C element outside the M×N window was written').toBe(-1);
  expect(A).toEqual(aBefore);
  expect(B).toEqual(bBefore);
}

const LAYOUTS: ReadonlyArray<readonly [boolean, boolean, string]> = [
  [false, false, 'NN'],
  [true, false, 'TN'],
  [false, true, 'NT'],
  [true, true, 'TT'],
];

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
