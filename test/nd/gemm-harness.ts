import { expect } from 'vitest';
import type { FloatArray } from '../../src/nd/gemm';

// ---------------------------------------------------------------------------
// Shared gemm test harness: seeded PRNG, float64 oracle, and a strided-matrix
// runner parameterised by the kernel under test and its tolerance policy.
// Used by gemm.test.ts (JS kernel) and gemm-wasm.test.ts (WASM kernel).
// ---------------------------------------------------------------------------

/** mulberry32: tiny deterministic PRNG so failures are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
export const F32: Ctor = Float32Array;
export const F64: Ctor = Float64Array;
export const typeName = (t: Ctor): string => (t === F32 ? 'f32' : 'f64');

/** Sentinel for storage the kernel must never write (padding columns, before/after C). */
export const SENTINEL = -12345.5;

export interface Case {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  /** Element types; unspecified ones take the kernel's `defaultType`. */
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

/** Signature shared by gemm, gemmJs and gemmWasm (gemmWasm returns a boolean). */
export type GemmFn = (
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  C: FloatArray, cOff: number, ldc: number, beta: 0 | 1,
) => unknown;

/** The kernel under test and how closely it must match the float64 oracle. */
export interface KernelUnderTest {
  /** Runs the product; may assert on its own (e.g. that gemmWasm returned true). */
  run: GemmFn;
  /**
   * Relative tolerance for one case: each C element may be off by at most
   * relTol · max(1e-3, Σ|a·b| + |c|).
   */
  relTol: (K: number, cType: Ctor) => number;
  /** Element type of operands the Case does not specify. */
  defaultType: Ctor;
  /** Sentinel elements after the last row of each operand, to catch overruns. */
  tail: number;
}

export const LAYOUTS: ReadonlyArray<readonly [boolean, boolean, string]> = [
  [false, false, 'NN'],
  [true, false, 'TN'],
  [false, true, 'NT'],
  [true, true, 'TT'],
];

/**
 * Naive float64 oracle straight from the definition in gemm.ts. Also returns,
 * per element, the magnitude Σ|a·b| + |c| that bounds the rounding error.
 */
export function referenceGemm(
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
 * Builds strided operands per the Case, runs the kernel, and checks
 *  - every C[i,j] against the float64 oracle, within the kernel's tolerance,
 *  - every element of C's storage outside the M×N window is still the sentinel,
 *  - A and B are unmodified.
 */
export function runCase(kernel: KernelUnderTest, c: Case): void {
  const {
    transA, transB, M, N, K,
    aType = kernel.defaultType, bType = kernel.defaultType, cType = kernel.defaultType,
    aOff = 0, bOff = 0, cOff = 0, aPad = 0, bPad = 0, cPad = 0,
    beta = 0, nanC = false, seed = 1,
  } = c;
  const rand = mulberry32(seed * 7919 + M * 31 + N * 17 + K);
  const uniform = (): number => rand() * 2 - 1;

  // Stored shapes: A is M×K (or K×M when transposed), B is K×N (or N×K).
  const aRows = transA ? K : M, aCols = transA ? M : K;
  const bRows = transB ? N : K, bCols = transB ? K : N;
  const lda = aCols + aPad, ldb = bCols + bPad, ldc = N + cPad;
  const tail = kernel.tail;

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
  kernel.run(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);

  const relTol = kernel.relTol(K, cType);
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
