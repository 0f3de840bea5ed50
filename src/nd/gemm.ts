/**
 * General matrix multiply (GEMM) for row-major Float32Array / Float64Array data.
 *
 *     C = beta·C + op(A)·op(B),     op(X) ∈ { X, Xᵀ },     beta ∈ { 0, 1 }
 *
 * This is a plain-JavaScript take on the BLIS / GotoBLAS algorithm:
 *
 *   for jc in steps of NC over the columns of C          (loop 5)
 *     for pc in steps of KC over the shared dimension    (loop 4)
 *       pack op(B)[pc:pc+KC, jc:jc+NC] into `packedB`    (≈ L2/L3-resident)
 *       for ic in steps of MC over the rows of C         (loop 3)
 *         pack op(A)[ic:ic+MC, pc:pc+KC] into `packedA`  (≈ L2-resident)
 *         for jr in steps of NR                          (loop 2, macro-kernel)
 *           for ir in steps of MR                        (loop 1)
 *             MR×NR micro-kernel: KC rank-1 updates held in local variables
 *
 * Packing copies each panel into a contiguous Float64Array laid out in exactly
 * the order the micro-kernel consumes it, so
 *   - the micro-kernel only ever walks two arrays sequentially with stride 1;
 *   - whether A or B is transposed is absorbed by the packing routines, so the
 *     NN, TN (Aᵀ·B) and NT (A·Bᵀ) products all run at the same speed;
 *   - Float32 inputs are widened to float64 once per panel rather than once per
 *     multiply-add, and accumulation is always in float64 (JS numbers).
 *
 * Products with very few rows or columns ("thin": matrix-vector, vector-matrix)
 * go to unpacked loops instead, because there packing costs as much as the
 * arithmetic it would speed up; see `THIN`.
 *
 * All of the above is `gemmJs`. The exported `gemm` sends all-float32 products
 * that are not thin and not tiny to the same algorithm compiled to WebAssembly
 * SIMD128 (asm/gemm.ts, loaded by ./wasm), which accumulates in float32:
 * its results differ from gemmJs's by up to ~1e-5·sqrt(K) relative to Σ|a·b|.
 */

import { gemmWasm, wasmDisabledByEnv, wasmGemmAvailable } from './wasm';

export type FloatArray = Float32Array | Float64Array;

// ---------------------------------------------------------------------------
// Blocking parameters
// ---------------------------------------------------------------------------

/** Micro-tile rows and columns. The 4×4 tile keeps 16 accumulators in local
 * variables. V8 on x64 has 15 allocatable XMM registers, so some of them spill
 * to the stack already; 4×8, 6×4 and 8×4 spill more and measured within noise
 * of 4×4, while 4×2 and 2×4 (no spills, but twice the loads per flop) were
 * slower. 4×4 also wastes the least work on padding for small matrices.
 * `packPanels` is written for panels exactly 4 wide, so MR = NR = 4. */
const MR = 4;
const NR = 4;
/** Depth of one packed panel. A KC×NR micro-panel of B is KC·NR·8 = 8 KiB, so
 * it stays in L1 while the macro-kernel sweeps the A micro-panels past it. */
const KC = 256;
/** Rows of op(A) packed at a time: MC·KC·8 = 256 KiB, comfortably inside L2. */
const MC = 128;
/** Columns of op(B) packed at a time: KC·NC·8 = 4 MiB at most. Our matrices are
 * rarely this wide, so in practice B is packed once per KC block. */
const NC = 2048;

/**
 * If op(A) has at most this many rows (or op(B) this many columns), the
 * product is "thin": an MR×NR micro-tile would be mostly zero padding, and
 * packing the big operand costs about as much as using it, so the unpacked
 * thin kernels are used instead.
 *
 * Measured (float32, variants interleaved in one process, GFLOP/s thin vs
 * packed; the machine was shared, so only the ratios mean much): 1×512×512 and
 * 512×1×512 in all four layouts ≈ 1.0 vs 0.3 (3×); 2×512×512 ≈ 0.95 vs 0.65;
 * 3×512×512 and 512×3×512 a tie (0.84 vs 0.82); from 4 rows up packing wins
 * (e.g. 4×512×512: 0.98 vs 1.4–1.8).
 *
 * There is deliberately no separate "tiny problem" cut-off: for cubes from
 * 4³ to 32³ the packed path was as fast as or faster than the unpacked loops
 * at every size (e.g. 8³: 0.44–0.64 vs 0.51–0.65; 16³: 0.7–0.8 vs 0.9–1.1;
 * 32³: 0.75–0.9 vs 1.0–1.6), because even at 8³ the register-blocked kernel
 * outweighs the cost of packing 2·8² numbers.
 */
const THIN = 3;

// ---------------------------------------------------------------------------
// Reusable scratch memory
// ---------------------------------------------------------------------------
// Allocating (and page-faulting in) fresh buffers on every call would cost more
// than packing itself for mid-sized products, so each buffer lives at module
// level and only ever grows. (Untouched pages of a new buffer are not faulted
// in, so the initial 768 KiB is cheap for callers that never multiply.)

let packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(KC * 256);
/** One MR×NR micro-tile of results, handed from the micro-kernel to `storeTile`. */
const tile = new Float64Array(MR * NR);
/** A row of float64 accumulators for `thinRowsAxpy`. */
let accumulator = new Float64Array(256);

function ensurePackedA(size: number): Float64Array {
  if (packedA.length < size) packedA = new Float64Array(size);
  return packedA;
}

function ensurePackedB(size: number): Float64Array {
  if (packedB.length < size) packedB = new Float64Array(size);
  return packedB;
}

function ensureAccumulator(size: number): Float64Array {
  if (accumulator.length < size) accumulator = new Float64Array(size);
  return accumulator;
}

// ---------------------------------------------------------------------------
// Public entry point
// ---------------------------------------------------------------------------

/**
 * C = beta·C + op(A)·op(B), row-major, with C of size M×N and op(X) either X or Xᵀ.
 *   op(A)[i,k] = transA ? A[aOff + k*lda + i] : A[aOff + i*lda + k]   (A stored K×M when transA)
 *   op(B)[k,j] = transB ? B[bOff + j*ldb + k] : B[bOff + k*ldb + j]   (B stored N×K when transB)
 *   C[i,j] = C[cOff + i*ldc + j]
 * beta is 0 (overwrite C; C's old contents, even NaN, are ignored) or 1 (accumulate into C).
 *
 * Dispatch: when A, B and C are all Float32Array and the product is big
 * enough (see `WASM_MIN_WORK`), it runs on the WebAssembly SIMD kernel
 * (`./wasm`, float32 accumulation); everything else — any Float64Array
 * operand, thin or tiny products, engines without WASM SIMD, or
 * SURROGRAD_NO_WASM=1 in the environment — runs on the JS kernel `gemmJs`
 * (float64 accumulation).
 */
export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  C: FloatArray, cOff: number, ldc: number,
  beta: 0 | 1,
): void {
  if (
    M > THIN && N > THIN && K > 0 && M * N * K >= WASM_MIN_WORK &&
    A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array &&
    wasmEnabled() &&
    gemmWasm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta)
  ) {
    return;
  }
  gemmJs(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
}

/**
 * Smallest M·N·K sent to the WASM kernel (and only when M, N > THIN: the thin
 * JS kernels stay in charge of matrix-vector shapes).
 *
 * Measured (float32, gemmJs vs gemmWasm incl. copies, interleaved in one
 * process, µs per call, shared 2-vCPU Xeon): 4³ 0.39 vs 0.9 (JS wins);
 * 6³ a tie; 8³ 0.7–1.4 vs 0.5–0.9 (WASM 1.3–1.5×); 12³ 1.8 vs 0.8 (2.2×);
 * 16³ 4.2 vs 0.9 (4–5×); 8×8×200 12 vs 2 (6×); 32³ 28 vs 3.5 (6–9×).
 * So the break-even point is about M·N·K ≈ 300–500. (The WASM kernel
 * accumulates in float32, as BLAS sgemm does; `gemmJs` accumulates in float64.)
 */
const WASM_MIN_WORK = 512;

/** undefined until the first float32 product big enough to ask. */
let wasmOn: boolean | undefined;

/** SURROGRAD_NO_WASM=1 (read once, on first use) forces the JS kernel; so does an engine without WASM SIMD. */
function wasmEnabled(): boolean {
  if (wasmOn === undefined) {
    wasmOn = !wasmDisabledByEnv() && wasmGemmAvailable();
  }
  return wasmOn;
}

/** The JavaScript kernel: same contract as `gemm`, any mix of Float32Array and Float64Array, float64 accumulation. */
export function gemmJs(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  C: FloatArray, cOff: number, ldc: number,
  beta: 0 | 1,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    // The product is empty: C = beta·C, i.e. untouched or zeroed.
    if (beta === 0) zeroMatrix(M, N, C, cOff, ldc);
    return;
  }

  if (M <= THIN || N <= THIN) {
    // Describe op(A), op(B) and C by (row stride, column stride) so one pair of
    // thin kernels covers every layout:  op(A)[i,k] = A[aOff + i*aRows + k*aCols].
    const aRows = transA ? 1 : lda;
    const aCols = transA ? lda : 1;
    const bRows = transB ? 1 : ldb;
    const bCols = transB ? ldb : 1;
    if (M <= THIN) {
      gemmThin(M, N, K, A, aOff, aRows, aCols, B, bOff, bRows, bCols, C, cOff, ldc, 1, beta);
    } else {
      // Few columns: compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead, which has few rows.
      // Transposing a strided view just swaps its two strides.
      gemmThin(N, M, K, B, bOff, bCols, bRows, A, aOff, aCols, aRows, C, cOff, 1, ldc, beta);
    }
    return;
  }

  gemmPacked(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
}

function zeroMatrix(M: number, N: number, C: FloatArray, cOff: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    const row = cOff + i * ldc;
    C.fill(0, row, row + N);
  }
}

// ---------------------------------------------------------------------------
// Thin path: very few rows of C, no packing
// ---------------------------------------------------------------------------
// Every matrix here is a strided view: X(r, c) = X[xOff + r*xRows + c*xCols].
// With only a handful of rows, each element of op(B) is used ≤ THIN times, so
// copying it into a packed panel would cost as much as the arithmetic; instead
// the loops read op(B) in place, in whichever direction it is contiguous.

function gemmThin(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, aRows: number, aCols: number,
  B: FloatArray, bOff: number, bRows: number, bCols: number,
  C: FloatArray, cOff: number, cRows: number, cCols: number,
  beta: 0 | 1,
): void {
  if (bCols === 1) {
    thinRowsAxpy(M, N, K, A, aOff, aRows, aCols, B, bOff, bRows, C, cOff, cRows, cCols, beta);
  } else {
    thinRowsDot(M, N, K, A, aOff, aRows, aCols, B, bOff, bRows, bCols, C, cOff, cRows, cCols, beta);
  }
}

/**
 * For rows of op(B) that are contiguous (column stride 1): each row of C is
 * built in a float64 accumulator as Σ_k op(A)[i,k]·op(B)[k,:]. Four k at a
 * time, so the accumulator is loaded and stored once per 8 flops, not per 2.
 */
function thinRowsAxpy(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, aRows: number, aCols: number,
  B: FloatArray, bOff: number, bRows: number,
  C: FloatArray, cOff: number, cRows: number, cCols: number,
  beta: 0 | 1,
): void {
  const acc = ensureAccumulator(N);
  for (let i = 0; i < M; i++) {
    const cRow = cOff + i * cRows;
    if (beta === 1) {
      for (let j = 0, c = cRow; j < N; j++, c += cCols) acc[j] = C[c];
    } else {
      acc.fill(0, 0, N);
    }

    const aRow = aOff + i * aRows;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const a = aRow + k * aCols;
      const a0 = A[a], a1 = A[a + aCols], a2 = A[a + 2 * aCols], a3 = A[a + 3 * aCols];
      const b0 = bOff + k * bRows, b1 = b0 + bRows, b2 = b1 + bRows, b3 = b2 + bRows;
      for (let j = 0; j < N; j++) {
        acc[j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
      }
    }
    for (; k < K; k++) {
      const a0 = A[aRow + k * aCols];
      const b0 = bOff + k * bRows;
      for (let j = 0; j < N; j++) acc[j] += a0 * B[b0 + j];
    }

    for (let j = 0, c = cRow; j < N; j++, c += cCols) C[c] = acc[j];
  }
}

/**
 * For columns of op(B) that are contiguous (row stride 1, i.e. B transposed):
 * each C[i,j] is a dot product over k. Four columns j at a time share each
 * load of op(A)[i,k] and give four independent addition chains.
 */
function thinRowsDot(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, aRows: number, aCols: number,
  B: FloatArray, bOff: number, bRows: number, bCols: number,
  C: FloatArray, cOff: number, cRows: number, cCols: number,
  beta: 0 | 1,
): void {
  for (let i = 0; i < M; i++) {
    const aRow = aOff + i * aRows;
    const cRow = cOff + i * cRows;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = bOff + j * bCols, b1 = b0 + bCols, b2 = b1 + bCols, b3 = b2 + bCols;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0, a = aRow, b = 0; k < K; k++, a += aCols, b += bRows) {
        const ak = A[a];
        s0 += ak * B[b0 + b];
        s1 += ak * B[b1 + b];
        s2 += ak * B[b2 + b];
        s3 += ak * B[b3 + b];
      }
      const c = cRow + j * cCols;
      storeScalar(C, c, s0, beta);
      storeScalar(C, c + cCols, s1, beta);
      storeScalar(C, c + 2 * cCols, s2, beta);
      storeScalar(C, c + 3 * cCols, s3, beta);
    }
    for (; j < N; j++) {
      const b0 = bOff + j * bCols;
      let s = 0;
      for (let k = 0, a = aRow, b = b0; k < K; k++, a += aCols, b += bRows) s += A[a] * B[b];
      storeScalar(C, cRow + j * cCols, s, beta);
    }
  }
}

/** C[index] = value (beta 0) or C[index] += value (beta 1). */
function storeScalar(C: FloatArray, index: number, value: number, beta: 0 | 1): void {
  C[index] = beta === 1 ? C[index] + value : value;
}

// ---------------------------------------------------------------------------
// Packed, blocked path
// ---------------------------------------------------------------------------

function gemmPacked(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  C: FloatArray, cOff: number, ldc: number,
  beta: 0 | 1,
): void {
  const pa = ensurePackedA(MC * KC);
  const pb = ensurePackedB(KC * roundUp(Math.min(N, NC), NR));

  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      // The first KC block applies the caller's beta; later blocks add to it.
      // (So a Float32 C is rounded once per KC block of the sum, not once per
      // term: ⌈K/KC⌉ roundings of 2⁻²⁴, far below float32 input precision.)
      const accumulate = pc > 0 || beta === 1;
      packB(transB, B, bOff, ldb, pc, kc, jc, nc, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packA(transA, A, aOff, lda, ic, mc, pc, kc, pa);
        macroKernel(mc, nc, kc, pa, pb, C, cOff + ic * ldc + jc, ldc, accumulate);
      }
    }
  }
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/**
 * Packs the mc×kc block op(A)[ic:ic+mc, pc:pc+kc] as a sequence of MR-row
 * micro-panels. Within a micro-panel the MR values of one column k are adjacent,
 * so the micro-kernel reads the panel front to back:
 *   dst[panel*MR*kc + p*MR + r] = op(A)[ic + panel*MR + r, pc + p]
 * A partial last panel is padded with zeros, letting the micro-kernel always
 * compute a full MR×NR tile (the padding rows are simply not stored).
 */
function packA(
  transA: boolean, A: FloatArray, aOff: number, lda: number,
  ic: number, mc: number, pc: number, kc: number, dst: Float64Array,
): void {
  // Element (i, p) of the block lives at A[base + i*rowStep + p*colStep].
  const base = transA ? aOff + pc * lda + ic : aOff + ic * lda + pc;
  const rowStep = transA ? 1 : lda;
  const colStep = transA ? lda : 1;
  packPanels(A, base, rowStep, colStep, mc, kc, dst);
}

/**
 * Packs the kc×nc block op(B)[pc:pc+kc, jc:jc+nc] as a sequence of NR-column
 * micro-panels:
 *   dst[panel*NR*kc + p*NR + c] = op(B)[pc + p, jc + panel*NR + c]
 * This is `packA` applied to op(B)ᵀ, hence the shared `packPanels`.
 */
function packB(
  transB: boolean, B: FloatArray, bOff: number, ldb: number,
  pc: number, kc: number, jc: number, nc: number, dst: Float64Array,
): void {
  // Element (column j, depth p) of the block lives at B[base + j*colStep + p*depthStep].
  const base = transB ? bOff + jc * ldb + pc : bOff + pc * ldb + jc;
  const colStep = transB ? ldb : 1;
  const depthStep = transB ? 1 : ldb;
  packPanels(B, base, colStep, depthStep, nc, kc, dst);
}

/**
 * Shared packing loop. Copies an `extent`×`depth` strided block, where element
 * (e, p) lives at src[base + e*extentStep + p*depthStep], into panels of 4
 * (= MR = NR) consecutive `e` values, zero-padding the last panel. (The padding
 * never reaches C; zeroing it just keeps stale, possibly denormal, values out
 * of the arithmetic.)
 */
function packPanels(
  src: FloatArray, base: number, extentStep: number, depthStep: number,
  extent: number, depth: number, dst: Float64Array,
): void {
  const width = 4;
  let d = 0;
  let e0 = 0;
  // Full panels: four source streams, unrolled because this loop copies
  // almost every element.
  for (; e0 + width <= extent; e0 += width) {
    let s0 = base + e0 * extentStep;
    let s1 = s0 + extentStep;
    let s2 = s1 + extentStep;
    let s3 = s2 + extentStep;
    for (let p = 0; p < depth; p++) {
      dst[d] = src[s0];
      dst[d + 1] = src[s1];
      dst[d + 2] = src[s2];
      dst[d + 3] = src[s3];
      d += 4;
      s0 += depthStep;
      s1 += depthStep;
      s2 += depthStep;
      s3 += depthStep;
    }
  }
  // Partial last panel: copy what exists, pad the rest with zeros.
  const rest = extent - e0;
  if (rest > 0) {
    const start = base + e0 * extentStep;
    for (let p = 0; p < depth; p++) {
      const s = start + p * depthStep;
      for (let r = 0; r < width; r++) dst[d + r] = r < rest ? src[s + r * extentStep] : 0;
      d += width;
    }
  }
}

/**
 * Loops 2 and 1: sweeps the MR×NR micro-kernel over one packed mc×kc block of A
 * and one packed kc×nc block of B. The B micro-panel (jr) is the outer loop so
 * it stays in L1 while successive A micro-panels stream from L2.
 */
function macroKernel(
  mc: number, nc: number, kc: number, pa: Float64Array, pb: Float64Array,
  C: FloatArray, cBase: number, ldc: number, accumulate: boolean,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    const bPanel = jr * kc; // = (jr / NR) * (NR * kc)
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = Math.min(MR, mc - ir);
      microKernel4x4(kc, pa, ir * kc, pb, bPanel, tile);
      storeTile(tile, mr, nr, C, cBase + ir * ldc + jr, ldc, accumulate);
    }
  }
}

/**
 * The hot loop: a 4×4 block of C as 16 local accumulators, updated by kc rank-1
 * updates read sequentially from the packed panels. Results go to `out`
 * (row-major 4×4) so this function only ever sees Float64Arrays and stays
 * monomorphic regardless of C's element type.
 */
function microKernel4x4(
  kc: number, pa: Float64Array, aIndex: number, pb: Float64Array, bIndex: number,
  out: Float64Array,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  // One induction variable bounds the loop; V8 emits slightly shorter code for
  // this than for a separate counter p = 0..kc (the timing difference is noise).
  const aEnd = aIndex + kc * MR;
  let bi = bIndex;
  for (let ai = aIndex; ai < aEnd; ai += MR, bi += NR) {
    const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
    const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  out[0] = c00; out[1] = c01; out[2] = c02; out[3] = c03;
  out[4] = c10; out[5] = c11; out[6] = c12; out[7] = c13;
  out[8] = c20; out[9] = c21; out[10] = c22; out[11] = c23;
  out[12] = c30; out[13] = c31; out[14] = c32; out[15] = c33;
}

/**
 * Writes the top-left mr×nr corner of a 4×4 micro-tile into C, either
 * overwriting (first KC block with beta = 0) or adding. Only real rows and
 * columns are written, so padding in the packed panels never reaches C.
 */
function storeTile(
  t: Float64Array, mr: number, nr: number,
  C: FloatArray, cIndex: number, ldc: number, accumulate: boolean,
): void {
  for (let r = 0; r < mr; r++) {
    const row = cIndex + r * ldc;
    const tRow = r * NR;
    if (accumulate) {
      for (let c = 0; c < nr; c++) C[row + c] += t[tRow + c];
    } else {
      for (let c = 0; c < nr; c++) C[row + c] = t[tRow + c];
    }
  }
}
