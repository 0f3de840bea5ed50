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
 * Problems that are too small (or too skinny) for packing to pay off go to a
 * direct, unpacked loop instead; see `shouldUseDirect`.
 */

export type FloatArray = Float32Array | Float64Array;

// ---------------------------------------------------------------------------
// Blocking parameters
// ---------------------------------------------------------------------------

/** Micro-tile rows. 4×4 = 16 scalar accumulators: as many as V8 will keep in
 * (or near) registers; 4×8 and 6×4 measured within noise of 4×4. */
const MR = 4;
/** Micro-tile columns. */
const NR = 4;
/** Depth of one packed panel. A KC×NR micro-panel of B is KC·NR·8 = 8 KiB, so
 * it stays in L1 while the macro-kernel sweeps the A micro-panels past it. */
const KC = 256;
/** Rows of op(A) packed at a time: MC·KC·8 = 256 KiB, comfortably inside L2. */
const MC = 128;
/** Columns of op(B) packed at a time: KC·NC·8 = 4 MiB at most. Our matrices are
 * rarely this wide, so in practice B is packed once per KC block. */
const NC = 2048;

/** Below this many multiply-adds (M·N·K) the direct loop beats packing.
 * See the comment on `shouldUseDirect` for the measurements. */
const DIRECT_MAX_WORK = 32 * 32 * 32;
/** If op(A) has fewer rows than this (or op(B) fewer columns), most of an MR×NR
 * micro-tile would be zero padding and packing the other operand costs as much
 * as the product itself, so the direct loop is used. */
const DIRECT_MAX_THIN = 3;

// ---------------------------------------------------------------------------
// Reusable scratch memory
// ---------------------------------------------------------------------------
// Allocating (and page-faulting in) fresh buffers on every call is measurably
// expensive, so each buffer lives at module level and only ever grows.

let packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(KC * 256);
/** One MR×NR micro-tile of results, handed from the micro-kernel to `storeTile`. */
const tile = new Float64Array(MR * NR);
/** A row (or column) of float64 accumulators for the direct loops. */
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
 */
export function gemm(
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

  // Express op(A) and op(B) as (row stride, column stride) pairs so the direct
  // loops need no transpose-specific branches:
  //   op(A)[i,k] = A[aOff + i*aRowStride + k*aColStride]
  const aRowStride = transA ? 1 : lda;
  const aColStride = transA ? lda : 1;
  const bRowStride = transB ? 1 : ldb;
  const bColStride = transB ? ldb : 1;

  if (shouldUseDirect(M, N, K)) {
    gemmDirect(M, N, K, A, aOff, aRowStride, aColStride, B, bOff, bRowStride, bColStride,
      C, cOff, ldc, beta);
  } else {
    gemmPacked(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
  }
}

/**
 * Packing costs O(M·K + K·N) copies against O(M·N·K) arithmetic, so it pays off
 * only once the product is big enough and neither side is very thin.
 *
 * Measured with the direct loop vs. the packed path (float32 in, float32 out,
 * median of many reps, this machine, Node 20):
 *   cube 16³: direct ~1.4 GFLOP/s, packed ~1.2   → direct
 *   cube 24³: direct ~1.5,          packed ~2.0   → roughly break-even around 20³-32³
 *   cube 32³: direct ~1.5,          packed ~2.7   → packed
 * (see bench/matmul.ts). The skinny cut-off was measured on 1×512×512, 2×512×512
 * and 512×512×2-style shapes: at M or N ≤ 3 the direct loop wins.
 */
function shouldUseDirect(M: number, N: number, K: number): boolean {
  return M * N * K <= DIRECT_MAX_WORK || M <= DIRECT_MAX_THIN || N <= DIRECT_MAX_THIN;
}

function zeroMatrix(M: number, N: number, C: FloatArray, cOff: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    const row = cOff + i * ldc;
    C.fill(0, row, row + N);
  }
}

// ---------------------------------------------------------------------------
// Direct (unpacked) path for small or skinny products
// ---------------------------------------------------------------------------
// Three loop orders, each with a different innermost loop. Which one is fastest
// depends on which operand is contiguous along which index and on which
// dimension is long, so `gemmDirect` scores them and picks the best.
//
//   row-axpy (i,k,j): C[i,:] += op(A)[i,k] · op(B)[k,:]   inner stride: B column stride
//   col-axpy (j,k,i): C[:,j] += op(A)[:,k] · op(B)[k,j]   inner stride: A row stride
//   dot      (i,j,k): C[i,j] += op(A)[i,:] · op(B)[:,j]   inner strides: A col, B row

function gemmDirect(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, aRowStride: number, aColStride: number,
  B: FloatArray, bOff: number, bRowStride: number, bColStride: number,
  C: FloatArray, cOff: number, ldc: number,
  beta: 0 | 1,
): void {
  // Score = length of the innermost loop, halved for each operand it walks with
  // a non-unit stride. Long, contiguous inner loops amortise loop overhead and
  // use every cache line fully.
  const rowAxpyScore = N * (bColStride === 1 ? 1 : 0.5);
  const colAxpyScore = M * (aRowStride === 1 ? 1 : 0.5);
  const dotScore = K * (aColStride === 1 ? 1 : 0.5) * (bRowStride === 1 ? 1 : 0.5);

  if (rowAxpyScore >= colAxpyScore && rowAxpyScore >= dotScore) {
    directRowAxpy(M, N, K, A, aOff, aRowStride, aColStride, B, bOff, bRowStride, bColStride,
      C, cOff, ldc, beta);
  } else if (colAxpyScore >= dotScore) {
    directColAxpy(M, N, K, A, aOff, aRowStride, aColStride, B, bOff, bRowStride, bColStride,
      C, cOff, ldc, beta);
  } else {
    directDot(M, N, K, A, aOff, aRowStride, aColStride, B, bOff, bRowStride, bColStride,
      C, cOff, ldc, beta);
  }
}

/** i-k-j order: each row of C is accumulated in float64 as a sum of scaled rows of op(B). */
function directRowAxpy(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, aRowStride: number, aColStride: number,
  B: FloatArray, bOff: number, bRowStride: number, bColStride: number,
  C: FloatArray, cOff: number, ldc: number,
  beta: 0 | 1,
): void {
  const acc = ensureAccumulator(N);
  for (let i = 0; i < M; i++) {
    const cRow = cOff + i * ldc;
    if (beta === 1) for (let j = 0; j < N; j++) acc[j] = C[cRow + j];
    else acc.fill(0, 0, N);

    const aRow = aOff + i * aRowStride;
    for (let k = 0; k < K; k++) {
      const a = A[aRow + k * aColStride];
      let b = bOff + k * bRowStride;
      for (let j = 0; j < N; j++, b += bColStride) acc[j] += a * B[b];
    }

    for (let j = 0; j < N; j++) C[cRow + j] = acc[j];
  }
}

/** j-k-i order: each column of C is accumulated in float64 as a sum of scaled columns of op(A). */
function directColAxpy(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, aRowStride: number, aColStride: number,
  B: FloatArray, bOff: number, bRowStride: number, bColStride: number,
  C: FloatArray, cOff: number, ldc: number,
  beta: 0 | 1,
): void {
  const acc = ensureAccumulator(M);
  for (let j = 0; j < N; j++) {
    const cCol = cOff + j;
    if (beta === 1) for (let i = 0; i < M; i++) acc[i] = C[cCol + i * ldc];
    else acc.fill(0, 0, M);

    const bCol = bOff + j * bColStride;
    for (let k = 0; k < K; k++) {
      const b = B[bCol + k * bRowStride];
      let a = aOff + k * aColStride;
      for (let i = 0; i < M; i++, a += aRowStride) acc[i] += A[a] * b;
    }

    for (let i = 0; i < M; i++) C[cCol + i * ldc] = acc[i];
  }
}

/** i-j-k order: each element of C is one dot product, summed in a local float64. */
function directDot(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, aRowStride: number, aColStride: number,
  B: FloatArray, bOff: number, bRowStride: number, bColStride: number,
  C: FloatArray, cOff: number, ldc: number,
  beta: 0 | 1,
): void {
  for (let i = 0; i < M; i++) {
    const aRow = aOff + i * aRowStride;
    const cRow = cOff + i * ldc;
    for (let j = 0; j < N; j++) {
      let sum = 0;
      let a = aRow;
      let b = bOff + j * bColStride;
      for (let k = 0; k < K; k++, a += aColStride, b += bRowStride) sum += A[a] * B[b];
      C[cRow + j] = beta === 1 ? C[cRow + j] + sum : sum;
    }
  }
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
  packPanels(A, base, rowStep, colStep, mc, kc, MR, dst);
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
  packPanels(B, base, colStep, depthStep, nc, kc, NR, dst);
}

/**
 * Shared packing loop. Copies an `extent`×`depth` strided block, where element
 * (e, p) lives at src[base + e*extentStep + p*depthStep], into panels of
 * `width` (= 4) consecutive `e` values, zero-padding the last panel.
 */
function packPanels(
  src: FloatArray, base: number, extentStep: number, depthStep: number,
  extent: number, depth: number, width: number, dst: Float64Array,
): void {
  let d = 0;
  let e0 = 0;
  // Full panels: four source streams, unrolled because this runs for almost
  // every element. (Width is fixed at 4 by MR = NR = 4.)
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
  // The loop is controlled by the A index alone (one compare per iteration);
  // this measured slightly better than a separate counter p = 0..kc.
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
