// AssemblyScript source of surrograd's WebAssembly SIMD128 SGEMM kernel (and, at the end of
// this file, `sigmoidScale`, the fast path of relu's 'sigmoid' backward rule; same module).
//
// Compiled by scripts/build-wasm.js (pinned assemblyscript 0.28.20) into
// src/nd/wasm/gemm-wasm.ts, which the loader in src/nd/wasm/index.ts
// instantiates. Nothing here runs at build or test time without that script.
//
//     C = beta·C + op(A)·op(B),   all float32, row-major, in linear memory
//
// Same BLIS / GotoBLAS loop nest as the JavaScript kernel in src/nd/gemm.ts
// (see the comment there), with a 4×8 register tile instead of 4×4:
//
//   for jc in steps of NC over the columns of C          (loop 5)
//     for pc in steps of KC over the shared dimension    (loop 4)
//       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide micro-panels
//       for ic in steps of MC over the rows of C         (loop 3)
//         pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall micro-panels
//         for jr in steps of NR                          (loop 2)
//           for ir in steps of MR                        (loop 1)
//             4×8 micro-kernel: 8 f32x4 accumulators, KC rank-1 updates
//
// Why 4×8: 8 v128 accumulators + 2 B vectors + 4 A broadcasts fit in V8's
// 16 XMM registers; 6×8 and 4×12 tiles spill under TurboFan and run at half
// speed (/work/shared/reference/wasm-kernels.md §2).
//
// Accumulation is in float32 (unlike the JS kernel, which accumulates in
// float64): expect an error of order 1e-5·sqrt(K) relative to Σ|a·b| in the
// worst case (much less for random-sign data). Float64 problems never come here.
//
// All pointers are byte addresses in linear memory; leading dimensions are in
// elements. The caller (JS) owns the memory layout.

/** Micro-tile rows (A broadcasts) and columns (two f32x4 vectors of B). */
const MR: i32 = 4;
const NR: i32 = 8;
/** Depth of one packed panel: a KC×NR micro-panel of B is 8 KiB, L1-resident. */
const KC: i32 = 256;
/** Rows of op(A) packed at a time: MC·KC·4 = 128 KiB, L2-resident. */
const MC: i32 = 128;
/** Columns of op(B) packed at a time: KC·NC·4 = 2 MiB at most. */
const NC: i32 = 2048;

/** First free, 16-byte aligned address after the module's static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(15 as usize);
}

/** Bytes of scratch `gemm` needs at `work` for a product with N columns. */
export function workBytes(N: i32): i32 {
  const nc = min(N, NC);
  const ncPadded = (nc + NR - 1) / NR * NR;
  // packed A, packed B, one MR×NR edge tile
  return (MC * KC + KC * ncPadded + MR * NR) * 4;
}

/**
 * C = beta·C + op(A)·op(B) with C of size M×N (M, N, K ≥ 1; beta 0 or 1).
 *   op(A)[i,k] = trA ? A[k*lda + i] : A[i*lda + k]
 *   op(B)[k,j] = trB ? B[j*ldb + k] : B[k*ldb + j]
 *   C[i,j]     = C[i*ldc + j]
 * With beta 0, C's old contents (even NaN) are never read.
 *
 * `direct` (only honoured when K ≤ KC, M ≤ MC and N ≤ NC) selects the unpacked path for small
 * products (see `gemmDirect`); the caller (JS) decides, so tests can force either path.
 */
export function gemm(
  M: i32, N: i32, K: i32,
  a: usize, lda: i32, trA: i32,
  b: usize, ldb: i32, trB: i32,
  c: usize, ldc: i32, beta: i32,
  work: usize, direct: i32,
): void {
  const pa = work;
  const pb = pa + <usize>(MC * KC * 4);
  const nc0 = min(N, NC);
  const tile = pb + <usize>(KC * ((nc0 + NR - 1) / NR * NR) * 4);

  if (direct != 0 && K <= KC && M <= MC && N <= NC) {
    gemmDirect(M, N, K, a, lda, trA, b, ldb, trB, c, ldc, beta != 0, pa, pb, tile);
    return;
  }

  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      // The first KC block applies beta; later blocks add to it.
      const accumulate = pc > 0 || beta != 0;
      if (trB) packTransposed(b, ldb, jc, pc, nc, kc, NR, pb);
      else packB(b, ldb, pc, jc, kc, nc, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        if (trA) packA_T(a, lda, pc, ic, kc, mc, pa);
        else packTransposed(a, lda, ic, pc, mc, kc, MR, pa);
        macroKernel(mc, nc, kc, pa, pb, c + <usize>((ic * ldc + jc) * 4), ldc, accumulate, tile);
      }
    }
  }
}

/**
 * The small-product path (one K block, M ≤ MC, N ≤ NC), where packing costs as much as the
 * arithmetic it speeds up: the micro-kernel reads op(A) and op(B) where they are.
 *   - op(A): 4 rows of A at stride lda (A not transposed; `kernelRowsA`), or 4 adjacent values
 *     of a stored row (A transposed; `kernelStepA`). Only a last partial 4-row panel is packed
 *     (zero-padded), so no read ever leaves A.
 *   - op(B): for B not transposed, 8 adjacent values of a stored row, read in place; only a
 *     last partial 8-column panel is packed. For B transposed, op(B)'s rows are B's columns,
 *     so the whole of op(B) is packed with 4×4 SIMD transposes first (N·K values, cheap
 *     next to the 2·M·N·K flops, and every panel is then read M/4 times from L1).
 * Reading B in place at a large power-of-two stride would thrash L1 sets; that is why this path
 * is for small operands only (the caller's threshold).
 */
function gemmDirect(
  M: i32, N: i32, K: i32,
  a: usize, lda: i32, trA: i32,
  b: usize, ldb: i32, trB: i32,
  c: usize, ldc: i32, accumulate: bool,
  pa: usize, pb: usize, tile: usize,
): void {
  const ldaBytes = <usize>lda * 4;
  const ldbBytes = <usize>ldb * 4;
  const ldcBytes = <usize>ldc * 4;
  const mFull = M & ~(MR - 1);
  const nFull = N & ~(NR - 1);
  // The partial A panel (rows mFull..M), packed once, zero-padded.
  if (mFull < M) {
    if (trA) packA_T(a, lda, 0, mFull, K, M - mFull, pa + <usize>(mFull * K * 4));
    else packTransposed(a, lda, mFull, 0, M - mFull, K, MR, pa + <usize>(mFull * K * 4));
  }
  // op(B): packed entirely when transposed, else only its partial last panel.
  if (trB) packTransposed(b, ldb, 0, 0, N, K, NR, pb);
  else if (nFull < N) packB(b, ldb, 0, nFull, K, N - nFull, pb + <usize>(nFull * K * 4));

  for (let jr = 0; jr < N; jr += NR) {
    const nr = min(NR, N - jr);
    let bp: usize;
    let bStep: usize;
    if (trB || nr < NR) {
      bp = pb + <usize>(jr * K * 4);
      bStep = NR * 4;
    } else {
      bp = b + <usize>jr * 4;
      bStep = ldbBytes;
    }
    for (let ir = 0; ir < M; ir += MR) {
      const mr = min(MR, M - ir);
      const full = mr == MR && nr == NR;
      const dst = full ? c + <usize>ir * ldcBytes + <usize>jr * 4 : tile;
      const dstLd = full ? ldcBytes : <usize>(NR * 4);
      const acc = full ? accumulate : false;
      if (mr < MR) kernelStepA(K, pa + <usize>(ir * K * 4), 16, bp, bStep, dst, dstLd, acc);
      else if (trA) kernelStepA(K, a + <usize>ir * 4, ldaBytes, bp, bStep, dst, dstLd, acc);
      else kernelRowsA(K, a + <usize>ir * ldaBytes, ldaBytes, bp, bStep, dst, dstLd, acc);
      if (!full) storeEdge(tile, mr, nr, c + <usize>ir * ldcBytes + <usize>jr * 4, ldcBytes, accumulate);
    }
  }
}

// ---------------------------------------------------------------------------
// Packing
// ---------------------------------------------------------------------------
// A packed operand is a sequence of micro-panels `width` wide (MR for A, NR for
// B) and kc deep; inside a panel the `width` values of one depth index p are
// adjacent, in the order the micro-kernel reads them:
//   dst[panel*width*kc + p*width + e] = X(e0 + panel*width + e, p0 + p)
// A partial last panel is padded with zeros (they never reach C).

/**
 * Transposes the 4×4 block whose rows start at s, s+ld, s+2ld, s+3ld and stores its rows
 * (the block's columns) at d, d+dStep, d+2dStep, d+3dStep.
 */
// @ts-ignore: decorator
@inline
function transpose4x4(s: usize, ldBytes: usize, d: usize, dStep: usize): void {
  const r0 = v128.load(s);
  const r1 = v128.load(s + ldBytes);
  const r2 = v128.load(s + 2 * ldBytes);
  const r3 = v128.load(s + 3 * ldBytes);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
  v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(d + dStep, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(d + 2 * dStep, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(d + 3 * dStep, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs the panels of a matrix whose packed extent runs ACROSS its stored rows
 * (stride ld) and whose depth runs along them (stride 1): op(A) for A not
 * transposed, op(B) for B transposed. Element (e, p) is src[(e0+e)*ld + p0+p].
 * Full panels go 4 depth steps at a time through 4×4 SIMD transposes (one for a
 * 4-wide panel, two for an 8-wide one); the depth remainder and a partial last
 * panel are copied element by element.
 */
function packTransposed(
  src: usize, ld: i32, e0: i32, p0: i32, extent: i32, depth: i32, width: i32, dst: usize,
): void {
  const ldBytes = <usize>ld * 4;
  const wBytes = <usize>width * 4;
  const depth4 = depth & ~3;
  let d = dst;
  for (let e = 0; e < extent; e += width) {
    const rows = min(width, extent - e);
    let s = src + <usize>(((e0 + e) * ld + p0) * 4);
    if (rows == width) {
      let p = 0;
      if (width == 4) {
        for (; p < depth4; p += 4) {
          transpose4x4(s, ldBytes, d, 16);
          s += 16;
          d += 64;
        }
      } else {
        const s4: usize = 4 * ldBytes;
        for (; p < depth4; p += 4) {
          transpose4x4(s, ldBytes, d, 32);
          transpose4x4(s + s4, ldBytes, d + 16, 32);
          s += 16;
          d += 128;
        }
      }
      for (; p < depth; p++) {
        let r = s;
        for (let q = 0; q < width; q++) {
          store<f32>(d + <usize>(q * 4), load<f32>(r));
          r += ldBytes;
        }
        s += 4;
        d += wBytes;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        let r = s;
        for (let q = 0; q < width; q++) {
          // explicit branch: never read past the last real row
          let v: f32 = 0;
          if (q < rows) v = load<f32>(r);
          store<f32>(d + <usize>(q * 4), v);
          r += ldBytes;
        }
        s += 4;
        d += wBytes;
      }
    }
  }
}

/**
 * Packs op(B)[p0:p0+depth, j0:j0+extent] for B not transposed: each depth index
 * is a stored row, so a full 8-wide panel row is two unaligned v128 copies.
 */
function packB(src: usize, ld: i32, p0: i32, j0: i32, depth: i32, extent: i32, dst: usize): void {
  const ldBytes = <usize>ld * 4;
  let d = dst;
  for (let e = 0; e < extent; e += NR) {
    const cols = min(NR, extent - e);
    let s = src + <usize>((p0 * ld + j0 + e) * 4);
    if (cols == NR) {
      for (let p = 0; p < depth; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += ldBytes;
        d += 32;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        for (let q = 0; q < NR; q++) {
          let v: f32 = 0;
          if (q < cols) v = load<f32>(s + <usize>(q * 4));
          store<f32>(d + <usize>(q * 4), v);
        }
        s += ldBytes;
        d += 32;
      }
    }
  }
}

/**
 * Packs op(A)[i0:i0+extent, p0:p0+depth] for A transposed (stored K×M): each
 * depth index is a stored row, so a full 4-tall panel row is one v128 copy.
 */
function packA_T(src: usize, ld: i32, p0: i32, i0: i32, depth: i32, extent: i32, dst: usize): void {
  const ldBytes = <usize>ld * 4;
  let d = dst;
  for (let e = 0; e < extent; e += MR) {
    const rows = min(MR, extent - e);
    let s = src + <usize>((p0 * ld + i0 + e) * 4);
    if (rows == MR) {
      for (let p = 0; p < depth; p++) {
        v128.store(d, v128.load(s));
        s += ldBytes;
        d += 16;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        for (let q = 0; q < MR; q++) {
          let v: f32 = 0;
          if (q < rows) v = load<f32>(s + <usize>(q * 4));
          store<f32>(d + <usize>(q * 4), v);
        }
        s += ldBytes;
        d += 16;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Macro- and micro-kernels
// ---------------------------------------------------------------------------

/**
 * Loops 2 and 1 over one packed mc×kc block of A and kc×nc block of B. Full
 * 4×8 tiles are written straight to C; edge tiles go through `tile` and only
 * their real mr×nr corner is written.
 */
function macroKernel(
  mc: i32, nc: i32, kc: i32, pa: usize, pb: usize,
  c: usize, ldc: i32, accumulate: bool, tile: usize,
): void {
  const ldcBytes = <usize>ldc * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bPanel = pb + <usize>(jr * kc * 4);
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const aPanel = pa + <usize>(ir * kc * 4);
      const cTile = c + <usize>(ir * ldc + jr) * 4;
      if (mr == MR && nr == NR) {
        microKernel(kc, aPanel, bPanel, cTile, ldcBytes, accumulate);
      } else {
        microKernel(kc, aPanel, bPanel, tile, NR * 4, false);
        storeEdge(tile, mr, nr, cTile, ldcBytes, accumulate);
      }
    }
  }
}

/** Writes (or adds) the real mr×nr corner of a 4×8 tile (row-major at `tile`) into C. */
function storeEdge(tile: usize, mr: i32, nr: i32, cTile: usize, ldcBytes: usize, accumulate: bool): void {
  for (let r = 0; r < mr; r++) {
    const row = cTile + <usize>r * ldcBytes;
    const tRow = tile + <usize>(r * NR * 4);
    for (let q = 0; q < nr; q++) {
      const t = load<f32>(tRow + <usize>(q * 4));
      const dst = row + <usize>(q * 4);
      store<f32>(dst, accumulate ? load<f32>(dst) + t : t);
    }
  }
}

/**
 * The hot loop: a 4×8 block of C held in 8 f32x4 accumulators (c<row><half>),
 * updated by kc rank-1 updates read sequentially from the packed panels:
 * two B vectors and four broadcast A values per depth step.
 */
// @ts-ignore: decorator
@inline
function microKernel(
  kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, accumulate: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let ap = pa;
  let bp = pb;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16;
    bp += 32;
  }
  const r0 = c;
  const r1 = r0 + ldcBytes;
  const r2 = r1 + ldcBytes;
  const r3 = r2 + ldcBytes;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(r0, c00); v128.store(r0, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/**
 * The direct path's micro-kernel when the 4 values of op(A) for one depth step are adjacent
 * (A transposed, or a packed A panel: aStep 16): as `microKernel`, with the depth strides of A
 * and B as arguments.
 */
function kernelStepA(
  kc: i32, ap: usize, aStep: usize, bp: usize, bStep: usize, c: usize, ldcBytes: usize, accumulate: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += aStep;
    bp += bStep;
  }
  storeTile(c, ldcBytes, accumulate, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * The direct path's micro-kernel for A not transposed: the 4 rows of op(A) are 4 rows of A
 * (stride ldaBytes), read 4 depth steps at a time at constant offsets so that only the 4 row
 * pointers and B's advance per 4 steps.
 */
function kernelRowsA(
  kc: i32, a: usize, ldaBytes: usize, bp: usize, bStep: usize, c: usize, ldcBytes: usize, accumulate: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = a;
  let a1 = a0 + ldaBytes;
  let a2 = a1 + ldaBytes;
  let a3 = a2 + ldaBytes;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a1);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a2);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a3);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    bp += bStep;
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
  }
  storeTile(c, ldcBytes, accumulate, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** Stores (or adds) 8 accumulators as a 4×8 tile at c with row stride ldcBytes. */
// @ts-ignore: decorator
@inline
function storeTile(
  c: usize, ldcBytes: usize, accumulate: bool,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
): void {
  const r0 = c;
  const r1 = r0 + ldcBytes;
  const r2 = r1 + ldcBytes;
  const r3 = r2 + ldcBytes;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(r0, c00); v128.store(r0, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/**
 * Benchmark probe, not used by `gemm`: n iterations of 8 independent f32x4 multiply-adds
 * (c_i += a·b_i) held in registers, i.e. 64·n flops with no memory traffic. Its GFLOP/s is the
 * ceiling a 4-lane mul+add kernel can reach on this engine and CPU; bench/matmul.ts prints
 * the kernel's throughput as a fraction of it, measured in the same run. Returns a lane of the
 * sum so the loop cannot be optimised away.
 */
export function mulAddPeak(n: i32, x: f32): f32 {
  const a = f32x4.splat(x);
  const b0 = f32x4.splat(0.5);
  const b1 = f32x4.splat(0.25);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
  let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
  for (let i = 0; i < n; i++) {
    c0 = f32x4.add(c0, f32x4.mul(a, b0)); c1 = f32x4.add(c1, f32x4.mul(a, b1));
    c2 = f32x4.add(c2, f32x4.mul(a, b0)); c3 = f32x4.add(c3, f32x4.mul(a, b1));
    c4 = f32x4.add(c4, f32x4.mul(a, b0)); c5 = f32x4.add(c5, f32x4.mul(a, b1));
    c6 = f32x4.add(c6, f32x4.mul(a, b0)); c7 = f32x4.add(c7, f32x4.mul(a, b1));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(s, 0);
}

// ---------------------------------------------------------------------------------------------
// out[i] = g[i] · σ(k·x[i]): relu's artificial 'sigmoid' backward rule (rules.sigmoidShaped)
// ---------------------------------------------------------------------------------------------
//
// σ = 1 / (1 + e^t) with t = −k·x, four float32 lanes at a time, a Cephes-style expf:
//
//   1. Clamp x so that −88 ≤ t ≤ 89 (pmin/pmax: one instruction each, and NaN passes through).
//      At t = −88, n = −127 below and 2^n is +0, so σ = 1 exactly; at t = 89, n = 128 and 2^n is
//      +∞, so σ = 0 exactly. x = ±∞ thus gives σ = 0 / 1, as Math.exp does in the JS path.
//   2. t = −k·x without losing the product's low bits (the JS path forms k·x in float64; a
//      rounded float32 product would be off by up to |t|·2^-24, i.e. ~5e-6 relative in σ at
//      t = 88): k and x are split into 12-bit heads and tails (Dekker), tHi = kHi·xHi is exact
//      and tLo carries the rest, added back after the range reduction.
//   3. n = nearest(t / ln2) by the 1.5·2^23 trick (whose bits also give n as an integer), and
//      r = t − n·ln2 with ln2 in two parts (Cody–Waite), so |r| ≤ ~ln2/2 to float32 accuracy.
//   4. e^r by Cephes' degree-6 polynomial (≈ 1 ulp), times 2^n built as (n + 127) << 23.
//   5. σ = 1 / (1 + e^t); out = g·σ.
//
// Measured max error against g·(1 / (1 + Math.exp(−k·x))) in float64: see sigmoidScaleInto in
// src/nd/wasm/index.ts (and test/activations/kernel.test.ts, which checks it).

/**
 * out[i] = g[i] · σ(k·x[i]) for i < n, float32, byte addresses, 16-byte aligned; k finite,
 * 1e-30 ≤ k ≤ 1e30. Works on whole f32x4 vectors: up to 3 lanes past n are read and written
 * (the caller pads). `out` may equal `g` or `x`.
 */
export function sigmoidScale(out: usize, g: usize, x: usize, n: i32, k: f64): void {
  const negK = -k;
  const kHi32 = reinterpret<f32>(reinterpret<u32>(<f32>negK) & 0xfffff000);
  const kHi = f32x4.splat(kHi32);
  const kLo = f32x4.splat(<f32>(negK - <f64>kHi32));
  const xMin = f32x4.splat(<f32>(-89.0 / k)); // t ≤ 89
  const xMax = f32x4.splat(<f32>(88.0 / k)); // t ≥ −88
  const headMask = i32x4.splat(0xfffff000);
  const log2e = f32x4.splat(1.44269504088896341);
  const magic = f32x4.splat(12582912.0); // 1.5·2^23: v + magic rounds v to an integer
  const magicToBias = i32x4.splat(127 - 0x4b400000); // bits(n + magic) − bits(magic) + 127
  const c1 = f32x4.splat(0.693359375); // ln2 = c1 − c2, c1 exact in 9 bits
  const c2 = f32x4.splat(-2.12194440e-4);
  const one = f32x4.splat(1.0);
  const p0 = f32x4.splat(1.9875691500e-4);
  const p1 = f32x4.splat(1.3981999507e-3);
  const p2 = f32x4.splat(8.3334519073e-3);
  const p3 = f32x4.splat(4.1665795894e-2);
  const p4 = f32x4.splat(1.6666665459e-1);
  const p5 = f32x4.splat(5.0000001201e-1);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    // 1–2
    const xv = f32x4.pmin(f32x4.pmax(v128.load(x + i), xMin), xMax);
    const xHi = v128.and(xv, headMask);
    const xLo = f32x4.sub(xv, xHi);
    const tHi = f32x4.mul(kHi, xHi);
    const tLo = f32x4.add(f32x4.mul(kHi, xLo), f32x4.mul(kLo, xv));
    // 3
    const m = f32x4.add(f32x4.mul(f32x4.add(tHi, tLo), log2e), magic);
    const nf = f32x4.sub(m, magic);
    const r = f32x4.add(f32x4.sub(f32x4.sub(tHi, f32x4.mul(nf, c1)), f32x4.mul(nf, c2)), tLo);
    // 4
    let p = f32x4.add(f32x4.mul(p0, r), p1);
    p = f32x4.add(f32x4.mul(p, r), p2);
    p = f32x4.add(f32x4.mul(p, r), p3);
    p = f32x4.add(f32x4.mul(p, r), p4);
    p = f32x4.add(f32x4.mul(p, r), p5);
    const er = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), one);
    const e = f32x4.mul(er, i32x4.shl(i32x4.add(m, magicToBias), 23));
    // 5
    v128.store(out + i, f32x4.mul(f32x4.div(one, f32x4.add(one, e)), v128.load(g + i)));
  }
}

// =============================================================================================
// Issue 11 (engine speed) section: optimizer updates and sigmoid's exact backward, float32,
// four lanes at a time. Each works on whole f32x4 vectors over byte addresses that are 16-byte
// aligned: up to 3 lanes past n are read and written (the caller pads and copies back only n).
// The JS loader (src/nd/wasm/index.ts, same section name) stages the arrays through linear
// memory in L2-sized chunks, so nothing of a tensor stays here between calls.
// =============================================================================================

/**
 * Adam / AdamW (no AMSGrad), in place on p, m and v, as src/optim/adam.ts's JS loop:
 *   gi = sign·g + l2·θ;  m = β₁m + (1 − β₁)gi;  v = β₂v + (1 − β₂)gi²;
 *   θ = shrink·θ − stepSize·m / (√v·invSqrtBc2 + ε)
 * in float32 arithmetic (the JS loop rounds to float32 only when it stores).
 */
export function adamStep(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  sign: f32, l2: f32, shrink: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  stepSize: f32, invSqrtBc2: f32, eps: f32,
): void {
  // 1 − β comes in formed in float64: 1 − f32(0.999) would be off by 1.3e-5 relative
  const vSign = f32x4.splat(sign);
  const vL2 = f32x4.splat(l2);
  const vShrink = f32x4.splat(shrink);
  const vB1 = f32x4.splat(beta1);
  const vC1 = f32x4.splat(oneMinusBeta1);
  const vB2 = f32x4.splat(beta2);
  const vC2 = f32x4.splat(oneMinusBeta2);
  const vStep = f32x4.splat(stepSize);
  const vInv = f32x4.splat(invSqrtBc2);
  const vEps = f32x4.splat(eps);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    const theta = v128.load(p + i);
    const gi = f32x4.add(f32x4.mul(vSign, v128.load(g + i)), f32x4.mul(vL2, theta));
    const mi = f32x4.add(f32x4.mul(vB1, v128.load(m + i)), f32x4.mul(vC1, gi));
    const vi = f32x4.add(f32x4.mul(vB2, v128.load(v + i)), f32x4.mul(f32x4.mul(vC2, gi), gi));
    v128.store(m + i, mi);
    v128.store(v + i, vi);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vInv), vEps);
    v128.store(p + i, f32x4.sub(f32x4.mul(vShrink, theta), f32x4.div(f32x4.mul(vStep, mi), denom)));
  }
}

/**
 * SGD, in place on p (and the momentum buffer b when momentum ≠ 0), as src/optim/sgd.ts:
 *   gi = sign·g + wd·θ
 *   momentum 0:  θ = θ − lr·gi
 *   else:        b = first ? gi : μb + keep·gi;  θ = θ − lr·(nesterov ? gi + μb : b)
 */
export function sgdStep(
  p: usize, g: usize, b: usize, n: i32,
  lr: f32, sign: f32, wd: f32, mu: f32, keep: f32, nesterov: i32, first: i32,
): void {
  const vLr = f32x4.splat(lr);
  const vSign = f32x4.splat(sign);
  const vWd = f32x4.splat(wd);
  const bytes = <usize>n << 2;
  if (mu == 0) {
    for (let i: usize = 0; i < bytes; i += 16) {
      const theta = v128.load(p + i);
      const gi = f32x4.add(f32x4.mul(vSign, v128.load(g + i)), f32x4.mul(vWd, theta));
      v128.store(p + i, f32x4.sub(theta, f32x4.mul(vLr, gi)));
    }
    return;
  }
  const vMu = f32x4.splat(mu);
  const vKeep = f32x4.splat(keep);
  for (let i: usize = 0; i < bytes; i += 16) {
    const theta = v128.load(p + i);
    const gi = f32x4.add(f32x4.mul(vSign, v128.load(g + i)), f32x4.mul(vWd, theta));
    const bi = first ? gi : f32x4.add(f32x4.mul(vMu, v128.load(b + i)), f32x4.mul(vKeep, gi));
    v128.store(b + i, bi);
    const d = nesterov ? f32x4.add(gi, f32x4.mul(vMu, bi)) : bi;
    v128.store(p + i, f32x4.sub(theta, f32x4.mul(vLr, d)));
  }
}

/**
 * out = g · (scale · y(1 − y) + shift): sigmoid's exact backward from its output y (scale 1,
 * shift 0) and the rules that scale or lift it (peakNormalised, floorAdded). out may alias g or y.
 */
export function sigmoidBackward(out: usize, g: usize, y: usize, n: i32, scale: f32, shift: f32): void {
  const one = f32x4.splat(1.0);
  const vScale = f32x4.splat(scale);
  const vShift = f32x4.splat(shift);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    const yv = v128.load(y + i);
    const h = f32x4.add(f32x4.mul(vScale, f32x4.mul(yv, f32x4.sub(one, yv))), vShift);
    v128.store(out + i, f32x4.mul(v128.load(g + i), h));
  }
}

/**
 * out[j] = Σ_r g[r·m + j] for j < m (the column sums of an n×m matrix: a bias gradient), each
 * in a float64 running sum as the JS reduction keeps it; `out` holds m float64 values. Four
 * columns at a time, the float32 lanes widened to two f64x2 sums; the last m mod 4 columns
 * one at a time. g must be 16-byte aligned; its rows are m floats apart.
 */
export function sumRows(out: usize, g: usize, n: i32, m: i32): void {
  const m4 = m & ~3;
  const rowBytes = <usize>m << 2;
  for (let j = 0; j < m4; j += 4) {
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    let at = g + (<usize>j << 2);
    for (let r = 0; r < n; r++, at += rowBytes) {
      const v = v128.load(at);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
    }
    v128.store(out + (<usize>j << 3), lo);
    v128.store(out + (<usize>j << 3), hi, 16);
  }
  for (let j = m4; j < m; j++) {
    let s: f64 = 0;
    let at = g + (<usize>j << 2);
    for (let r = 0; r < n; r++, at += rowBytes) s += <f64>load<f32>(at);
    store<f64>(out + (<usize>j << 3), s);
  }
}

/**
 * y = max(x, 0) with IEEE max: NaN stays NaN, −0 and −∞ give +0 — the JS loop's values bit for
 * bit (x·[x > 0] + 0). y may alias x.
 */
export function reluForward(y: usize, x: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) v128.store(y + i, f32x4.max(v128.load(x + i), zero));
}

// =============================================================================================
// Convolution section (issue 8): im2col, col2im and max pooling over NCHW images in this
// memory. The JS driver (src/nd/wasm/index.ts, "convolution" section) copies a whole batch in
// once and then, per chunk of images and per group, calls im2col → gemm (→ col2im) on
// addresses here, so the column matrices never cross into JavaScript.
// =============================================================================================

/**
 * The columns ox of one kernel tap whose input column ox·sw + off lies in [0, W): [lo, hi).
 * Returned packed as lo | hi << 32 (64 bits: an output row may be any width an i32 holds).
 */
// @ts-ignore: decorator
@inline
function tapRange(off: i32, sw: i32, W: i32, ow: i32): i64 {
  let lo = 0;
  if (off < 0) lo = (-off + sw - 1) / sw;
  if (lo > ow) lo = ow;
  const lim = W - 1 - off;
  let hi = lim < 0 ? 0 : min(ow, lim / sw + 1);
  if (hi < lo) hi = lo;
  return <i64>lo | (<i64>hi << 32);
}

/**
 * Unrolls nb images (image b at x + b·imgStride elements; channels [0, cg) of it, each H×W)
 * into cols, row stride ld elements, image b's columns starting at column b·oh·ow:
 *   cols[(c·kh + i)·kw + j, b·oh·ow + oy·ow + ox] = x_b[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]
 * (0 outside the image).
 */
export function im2col(
  x: usize, imgStride: i32, nb: i32, cg: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  cols: usize, ld: i32,
): void {
  const ohw = oh * ow;
  const plane = H * W;
  const owBytes = <usize>ow << 2;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const off = j * dw - pw;
        const range = tapRange(off, sw, W, ow);
        const lo = <i32>(range & 0xffffffff);
        const hi = <i32>(range >>> 32);
        const run = hi - lo;
        const run4 = run & ~3;
        for (let b = 0; b < nb; b++) {
          const chan = b * imgStride + c * plane;
          let dst = cols + (<usize>(row * ld + b * ohw) << 2);
          for (let oy = 0; oy < oh; oy++, dst += owBytes) {
            const y = oy * sh - ph + i * dh;
            if (y < 0 || y >= H) {
              memory.fill(dst, 0, owBytes);
              continue;
            }
            for (let q = 0; q < lo; q++) store<f32>(dst + (<usize>q << 2), 0);
            const s = x + (<usize>(chan + y * W + off + lo * sw) << 2);
            const d = dst + (<usize>lo << 2);
            if (sw == 1) {
              let q = 0;
              for (; q < run4; q += 4) v128.store(d + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
              for (; q < run; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>q << 2)));
            } else {
              for (let q = 0; q < run; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>(q * sw) << 2)));
            }
            for (let q = hi; q < ow; q++) store<f32>(dst + (<usize>q << 2), 0);
          }
        }
      }
    }
  }
}

/** The adjoint of `im2col` (same arguments): adds every column entry back into x where it was read from. */
export function col2im(
  x: usize, imgStride: i32, nb: i32, cg: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  cols: usize, ld: i32,
): void {
  const ohw = oh * ow;
  const plane = H * W;
  const owBytes = <usize>ow << 2;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const off = j * dw - pw;
        const range = tapRange(off, sw, W, ow);
        const lo = <i32>(range & 0xffffffff);
        const hi = <i32>(range >>> 32);
        const run = hi - lo;
        const run4 = run & ~3;
        for (let b = 0; b < nb; b++) {
          const chan = b * imgStride + c * plane;
          let src = cols + (<usize>(row * ld + b * ohw + lo) << 2);
          for (let oy = 0; oy < oh; oy++, src += owBytes) {
            const y = oy * sh - ph + i * dh;
            if (y < 0 || y >= H) continue;
            const d = x + (<usize>(chan + y * W + off + lo * sw) << 2);
            if (sw == 1) {
              let q = 0;
              for (; q < run4; q += 4) {
                const at = d + (<usize>q << 2);
                v128.store(at, f32x4.add(v128.load(at), v128.load(src + (<usize>q << 2))));
              }
              for (; q < run; q++) {
                const at = d + (<usize>q << 2);
                store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>q << 2)));
              }
            } else {
              for (let q = 0; q < run; q++) {
                const at = d + (<usize>(q * sw) << 2);
                store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>q << 2)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * 2×2 max pooling with stride 2, no padding (every window inside the image), over `planes`
 * H×W planes: out[p, oy, ox] = the max of the window, arg[p, oy, ox] its flat index in the plane.
 * Taps in window order (top-left, top-right, bottom-left, bottom-right); a later tap wins only
 * if strictly greater, or if it is NaN and the best so far is not (the JS maxPool2x2's rule),
 * branch-free with SIMD selects, four windows at a time.
 */
export function maxPool2x2s2(x: usize, planes: i32, H: i32, W: i32, oh: i32, ow: i32, out: usize, arg: usize): void {
  const ow4 = ow & ~3;
  const step = i32x4(0, 2, 4, 6);
  const one = i32x4.splat(1);
  const vW = i32x4.splat(W);
  const vW1 = i32x4.splat(W + 1);
  const plane = H * W;
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = x + (<usize>(p * plane) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const f0 = 2 * oy * W;
      const r0 = base + (<usize>f0 << 2);
      const r1 = r0 + (<usize>W << 2);
      let ox = 0;
      for (; ow4 > 0 && ox < ow; ox += 4) {
        // a last partial group of windows (ow not a multiple of 4) redoes the row's last four,
        // overlapping the previous group (same values), instead of a branchy scalar tail
        if (ox > ow - 4) ox = ow - 4;
        const oAt = o + <usize>ox;
        const s = <usize>(2 * ox) << 2;
        const a = v128.load(r0 + s);
        const b = v128.load(r0 + s, 16);
        const c = v128.load(r1 + s);
        const d = v128.load(r1 + s, 16);
        let best = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
        // a later tap wins where !(v ≤ best) and best is not NaN: v > best, or v NaN over a number
        let v = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        let m = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
        best = v128.bitselect(v, best, m);
        let tap = v128.and(m, one); // the winning tap's offset from the window's first index
        v = v128.shuffle<f32>(c, d, 0, 2, 4, 6);
        m = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
        best = v128.bitselect(v, best, m);
        tap = v128.bitselect(vW, tap, m);
        v = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
        m = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
        best = v128.bitselect(v, best, m);
        tap = v128.bitselect(vW1, tap, m);
        const at = i32x4.add(i32x4.add(i32x4.splat(f0 + 2 * ox), step), tap);
        v128.store(out + (oAt << 2), best);
        v128.store(arg + (oAt << 2), at);
      }
      if (ow4 > 0) o += <usize>ow;
      for (; ox < ow; ox++, o++) {
        const f = f0 + 2 * ox;
        const s = <usize>(2 * ox) << 2;
        let best = load<f32>(r0 + s);
        let at = f;
        let v = load<f32>(r0 + s, 4);
        if (v > best || (v != v && best == best)) { best = v; at = f + 1; }
        v = load<f32>(r1 + s);
        if (v > best || (v != v && best == best)) { best = v; at = f + W; }
        v = load<f32>(r1 + s, 4);
        if (v > best || (v != v && best == best)) { best = v; at = f + W + 1; }
        store<f32>(out + (o << 2), best);
        store<i32>(arg + (o << 2), at);
      }
    }
  }
}


/** y[img, ch, :] += bias[ch] over an [n, c, inner] float32 array (a convolution's bias). */
export function addPlaneBias(y: usize, n: i32, c: i32, inner: i32, bias: usize): void {
  const inner4 = inner & ~3;
  let p = y;
  for (let img = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++) {
      const b = load<f32>(bias + (<usize>ch << 2));
      const bv = f32x4.splat(b);
      let q = 0;
      for (; q < inner4; q += 4) {
        const at = p + (<usize>q << 2);
        v128.store(at, f32x4.add(v128.load(at), bv));
      }
      for (; q < inner; q++) {
        const at = p + (<usize>q << 2);
        store<f32>(at, load<f32>(at) + b);
      }
      p += <usize>inner << 2;
    }
  }
}

/**
 * out[ch] = Σ_img Σ_q s[img, ch, q] over an [n, c, inner] float32 array, into c float64 values
 * at `out` (a convolution's bias gradient). Each plane is summed in four float32 lanes, the
 * planes' sums in float64.
 */
export function planeSums(s: usize, n: i32, c: i32, inner: i32, out: usize): void {
  const inner4 = inner & ~3;
  for (let ch = 0; ch < c; ch++) store<f64>(out + (<usize>ch << 3), 0);
  let p = s;
  for (let img = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++) {
      // four float64 lanes (each float32 widened before it is added): a plane of tens of
      // thousands of values sums as precisely as the float64 JS loop it replaced
      let lo = f64x2.splat(0);
      let hi = f64x2.splat(0);
      let q = 0;
      for (; q < inner4; q += 4) {
        const v = v128.load(p + (<usize>q << 2));
        lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
        hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      }
      let sum: f64 = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
      for (; q < inner; q++) sum += <f64>load<f32>(p + (<usize>q << 2));
      const at = out + (<usize>ch << 3);
      store<f64>(at, load<f64>(at) + sum);
      p += <usize>inner << 2;
    }
  }
}

// =============================================================================================
// Direct convolution section (issue 8, session 4): stride-1 convolutions without im2col.
//
// With stride 1, the im2col column of output position (oy, ox) for tap (c, i, j) is the input
// element xp[c, oy + i·dh, ox + j·dw] of the zero-padded input xp [C, Hp, Wp], Hp = OH + (kh−1)·dh,
// Wp = OW + (kw−1)·dw. Index output positions by q = oy·Wp + ox (rows as wide as the padded input;
// the columns ox ≥ OW are "garbage" positions whose values are thrown away): then the tap reads
// xp at q + off[t] with off[t] = c·Hp·Wp + i·dh·Wp + j·dw, so a run of consecutive q is a run of
// consecutive input elements. The gemm's B panel is read straight from the padded input with
// unaligned vector loads (an implicit gemm with no packing at all). Every valid output reads only
// elements of its own padded image; garbage outputs may read past it (into the next image or the
// caller's slack) and are never used.
//
//   convDirect:    y[o, q]  = Σ_t w[t, o] · xp[q + off[t]]             (forward; also the input
//                                                                       gradient, see the loader)
//   convWgtDirect: dw[o, t] += Σ_q dy[o, q] · xp[q + off[t]]           (weight gradient; dy is
//                                                                       zero at garbage positions)
// =============================================================================================

/**
 * Zero-padded copies of nImg·c planes of H×W floats (src: plane after plane):
 *   dst[img·dstImg + ch·dstPlane + y·Wp + x] = src[((img·c + ch)·H + y − top)·W + x − left]
 * where y − top and x − left fall inside the source plane (top and left may be negative: the
 * source is then cropped), 0 elsewhere. The first nImg·dstImg floats at dst are zeroed first,
 * so gaps between planes (dstPlane > Hp·Wp) and images are zero too. Returns 1 if any copied
 * value is NaN or ±∞, else 0.
 */
export function padPlanes(
  src: usize, nImg: i32, c: i32, H: i32, W: i32,
  dst: usize, dstImg: i32, dstPlane: i32, Hp: i32, Wp: i32, top: i32, left: i32,
): i32 {
  memory.fill(dst, 0, <usize>nImg * <usize>dstImg << 2);
  const x0 = max(0, left);
  const x1 = min(Wp, left + W);
  const y0 = max(0, top);
  const y1 = min(Hp, top + H);
  if (x1 <= x0 || y1 <= y0) return 0;
  const run = x1 - x0;
  const run4 = run & ~3;
  const plane = H * W;
  let finite = i32x4.splat(-1);
  for (let img = 0; img < nImg; img++) {
    for (let ch = 0; ch < c; ch++) {
      const sPlane = src + (<usize>((img * c + ch) * plane) << 2);
      const dPlane = dst + (<usize>(img * dstImg + ch * dstPlane) << 2);
      for (let y = y0; y < y1; y++) {
        const s = sPlane + (<usize>((y - top) * W + x0 - left) << 2);
        const d = dPlane + (<usize>(y * Wp + x0) << 2);
        let q = 0;
        for (; q < run4; q += 4) {
          const v = v128.load(s + (<usize>q << 2));
          // v − v is 0 for finite v and NaN for NaN and ±∞
          const z = f32x4.sub(v, v);
          finite = v128.and(finite, f32x4.eq(z, z));
          v128.store(d + (<usize>q << 2), v);
        }
        for (; q < run; q++) {
          const v = load<f32>(s + (<usize>q << 2));
          if (v - v != 0) finite = i32x4.splat(0);
          store<f32>(d + (<usize>q << 2), v);
        }
      }
    }
  }
  return v128.all_true<i32>(finite) ? 0 : 1;
}

/**
 * y[img·Mp·Lr + o·Lr + q] = Σ_{t<K} w[t·Mp + o] · x[img·xImg + q + off[t]/4] for img < nImg,
 * o < Mp, q < Lr: the forward of a stride-1 convolution on padded images (see the section
 * comment). Mp even, Lr a multiple of 16; off[t] are byte offsets (i32) at `offs`; x must be
 * readable up to Lr + 3 floats past the largest offset of the last image. A 2×16 register tile:
 * two output channels × 16 positions in 8 f32x4 accumulators; per tap four unaligned loads of
 * the input and two broadcast weights.
 */
export function convDirect(
  x: usize, xImg: i32, nImg: i32, offs: usize, K: i32, w: usize, Mp: i32, y: usize, Lr: i32,
): void {
  const wStride = <usize>Mp << 2;
  const ldy = <usize>Lr << 2;
  for (let img = 0; img < nImg; img++) {
    const xb = x + (<usize>img * <usize>xImg << 2);
    const yb = y + (<usize>img * <usize>Mp * <usize>Lr << 2);
    for (let o = 0; o < Mp; o += 2) {
      const wo = w + (<usize>o << 2);
      const yo = yb + <usize>o * ldy;
      for (let q = 0; q < Lr; q += 16) {
        convTile2x16(K, offs, wo, wStride, xb + (<usize>q << 2), yo + (<usize>q << 2), ldy);
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function convTile2x16(K: i32, offs: usize, wp: usize, wStride: usize, xq: usize, yq: usize, ldy: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  const end = offs + (<usize>K << 2);
  for (let t = offs; t < end; t += 4) {
    const xa = xq + <usize>load<i32>(t);
    const b0 = v128.load(xa);
    const b1 = v128.load(xa, 16);
    const b2 = v128.load(xa, 32);
    const b3 = v128.load(xa, 48);
    let a = v128.load32_splat(wp);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    c02 = f32x4.add(c02, f32x4.mul(a, b2)); c03 = f32x4.add(c03, f32x4.mul(a, b3));
    a = v128.load32_splat(wp, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    c12 = f32x4.add(c12, f32x4.mul(a, b2)); c13 = f32x4.add(c13, f32x4.mul(a, b3));
    wp += wStride;
  }
  v128.store(yq, c00); v128.store(yq, c01, 16); v128.store(yq, c02, 32); v128.store(yq, c03, 48);
  const y1 = yq + ldy;
  v128.store(y1, c10); v128.store(y1, c11, 16); v128.store(y1, c12, 32); v128.store(y1, c13, 48);
}

/** The four lane sums of a, b, c, d as one vector [Σa, Σb, Σc, Σd]. */
// @ts-ignore: decorator
@inline
function laneSums4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7)); // a0+a2 b0+b2 a1+a3 b1+b3
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/**
 * dw[o·K4 + t] += Σ_{img<nImg} Σ_{q<Lr} dy[img·dyImg + o·Lr + q] · x[img·xImg + q + off[t]/4]
 * for o < Mp (even), t < K4 (a multiple of 4), Lr a multiple of 16: the weight gradient of a
 * stride-1 convolution (see the section comment; dy must be 0 at garbage positions, and the x
 * values read there must be finite, or 0·∞ would poison the sums). A 2×4 tile: two output
 * channels × four taps, each a f32x4 of partial sums over q, reduced once per image.
 */
export function convWgtDirect(
  x: usize, xImg: i32, nImg: i32, offs: usize, K4: i32, dy: usize, dyImg: i32, Mp: i32, Lr: i32, dw: usize,
): void {
  const ldy = <usize>Lr << 2;
  const ldw = <usize>K4 << 2;
  for (let img = 0; img < nImg; img++) {
    const xb = x + (<usize>img * <usize>xImg << 2);
    const db = dy + (<usize>img * <usize>dyImg << 2);
    for (let o = 0; o < Mp; o += 2) {
      const w0 = dw + <usize>o * ldw;
      for (let t = 0; t < K4; t += 4) {
        const ot = offs + (<usize>t << 2);
        // six pointers, each advanced once per 16 positions; the loads use constant offsets
        let d0 = db + <usize>o * ldy;
        let d1 = d0 + ldy;
        let x0 = xb + <usize>load<i32>(ot);
        let x1 = xb + <usize>load<i32>(ot, 4);
        let x2 = xb + <usize>load<i32>(ot, 8);
        let x3 = xb + <usize>load<i32>(ot, 12);
        const end = d0 + ldy;
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
        let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
        while (d0 < end) {
          let g0 = v128.load(d0);
          let g1 = v128.load(d1);
          a00 = f32x4.add(a00, f32x4.mul(g0, v128.load(x0))); a10 = f32x4.add(a10, f32x4.mul(g1, v128.load(x0)));
          a01 = f32x4.add(a01, f32x4.mul(g0, v128.load(x1))); a11 = f32x4.add(a11, f32x4.mul(g1, v128.load(x1)));
          a02 = f32x4.add(a02, f32x4.mul(g0, v128.load(x2))); a12 = f32x4.add(a12, f32x4.mul(g1, v128.load(x2)));
          a03 = f32x4.add(a03, f32x4.mul(g0, v128.load(x3))); a13 = f32x4.add(a13, f32x4.mul(g1, v128.load(x3)));
          g0 = v128.load(d0, 16);
          g1 = v128.load(d1, 16);
          a00 = f32x4.add(a00, f32x4.mul(g0, v128.load(x0, 16))); a10 = f32x4.add(a10, f32x4.mul(g1, v128.load(x0, 16)));
          a01 = f32x4.add(a01, f32x4.mul(g0, v128.load(x1, 16))); a11 = f32x4.add(a11, f32x4.mul(g1, v128.load(x1, 16)));
          a02 = f32x4.add(a02, f32x4.mul(g0, v128.load(x2, 16))); a12 = f32x4.add(a12, f32x4.mul(g1, v128.load(x2, 16)));
          a03 = f32x4.add(a03, f32x4.mul(g0, v128.load(x3, 16))); a13 = f32x4.add(a13, f32x4.mul(g1, v128.load(x3, 16)));
          g0 = v128.load(d0, 32);
          g1 = v128.load(d1, 32);
          a00 = f32x4.add(a00, f32x4.mul(g0, v128.load(x0, 32))); a10 = f32x4.add(a10, f32x4.mul(g1, v128.load(x0, 32)));
          a01 = f32x4.add(a01, f32x4.mul(g0, v128.load(x1, 32))); a11 = f32x4.add(a11, f32x4.mul(g1, v128.load(x1, 32)));
          a02 = f32x4.add(a02, f32x4.mul(g0, v128.load(x2, 32))); a12 = f32x4.add(a12, f32x4.mul(g1, v128.load(x2, 32)));
          a03 = f32x4.add(a03, f32x4.mul(g0, v128.load(x3, 32))); a13 = f32x4.add(a13, f32x4.mul(g1, v128.load(x3, 32)));
          g0 = v128.load(d0, 48);
          g1 = v128.load(d1, 48);
          a00 = f32x4.add(a00, f32x4.mul(g0, v128.load(x0, 48))); a10 = f32x4.add(a10, f32x4.mul(g1, v128.load(x0, 48)));
          a01 = f32x4.add(a01, f32x4.mul(g0, v128.load(x1, 48))); a11 = f32x4.add(a11, f32x4.mul(g1, v128.load(x1, 48)));
          a02 = f32x4.add(a02, f32x4.mul(g0, v128.load(x2, 48))); a12 = f32x4.add(a12, f32x4.mul(g1, v128.load(x2, 48)));
          a03 = f32x4.add(a03, f32x4.mul(g0, v128.load(x3, 48))); a13 = f32x4.add(a13, f32x4.mul(g1, v128.load(x3, 48)));
          d0 += 64; d1 += 64; x0 += 64; x1 += 64; x2 += 64; x3 += 64;
        }
        const r0 = w0 + (<usize>t << 2);
        v128.store(r0, f32x4.add(v128.load(r0), laneSums4(a00, a01, a02, a03)));
        const r1 = r0 + ldw;
        v128.store(r1, f32x4.add(v128.load(r1), laneSums4(a10, a11, a12, a13)));
      }
    }
  }
}

/**
 * dst[(img·c + ch)·OH·OW + oy·OW + ox] = src[img·srcImg + ch·srcPlane + oy·ld + ox] (+ bias[ch]
 * when bias ≠ 0) for img < nImg, ch < c, oy < OH, ox < OW: the valid outputs of `convDirect`,
 * compacted to NCHW.
 */
export function cropPlanes(
  src: usize, nImg: i32, c: i32, srcImg: i32, srcPlane: i32, ld: i32, OH: i32, OW: i32, dst: usize, bias: usize,
): void {
  const ow4 = OW & ~3;
  let d = dst;
  for (let img = 0; img < nImg; img++) {
    for (let ch = 0; ch < c; ch++) {
      let s = src + (<usize>(img * srcImg + ch * srcPlane) << 2);
      if (bias == 0) {
        // a plain copy (adding +0 would turn −0 into +0)
        for (let oy = 0; oy < OH; oy++, s += <usize>ld << 2) {
          let q = 0;
          for (; q < ow4; q += 4) v128.store(d + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
          for (; q < OW; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>q << 2)));
          d += <usize>OW << 2;
        }
        continue;
      }
      const b = load<f32>(bias + (<usize>ch << 2));
      const bv = f32x4.splat(b);
      for (let oy = 0; oy < OH; oy++, s += <usize>ld << 2) {
        let q = 0;
        for (; q < ow4; q += 4) v128.store(d + (<usize>q << 2), f32x4.add(v128.load(s + (<usize>q << 2)), bv));
        for (; q < OW; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>q << 2)) + b);
        d += <usize>OW << 2;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The same convolutions vectorised over output channels instead of positions, for small images
// (where rows as wide as the padded input would waste many positions): only valid outputs are
// computed, the weight's channels are the vector lanes, and input values are broadcast.
//
//   convDirectCh:    yT[p, o]  = Σ_t w[t, o] · xp[pin(p) + off[t]]      (position-major output)
//   convWgtDirectCh: dw[t, o] += Σ_p dyT[p, o] · xp[pin(p) + off[t]]    (position-major dy)
//
// with p = oy·owE + ox over OH rows of owE positions (OW rounded up to 4; the extra positions of
// a row read inside the padded image or the caller's slack, and their results are not used —
// dyT is 0 there) and pin(p) = oy·Wp + ox.
// ---------------------------------------------------------------------------------------------

/**
 * yT[img·P·Mp + (oy·owE + ox)·Mp + o] = Σ_{t<K} w[t·Mp + o] · x[img·xImg + oy·Wp + ox + off[t]/4]
 * for o < Mp (a multiple of 8), oy < OH, ox < owE (a multiple of 4), P = OH·owE. Tiles: 16
 * channels × 2 positions (four weight vectors, two broadcast inputs), and for a last 8 channels
 * 8 × 4 positions.
 */
export function convDirectCh(
  x: usize, xImg: i32, nImg: i32, offs: usize, K: i32, w: usize, Mp: i32, OH: i32, owE: i32, Wp: i32, y: usize,
): void {
  const wStride = <usize>Mp << 2;
  const P = OH * owE;
  const end = offs + (<usize>K << 2);
  for (let img = 0; img < nImg; img++) {
    const xb = x + (<usize>img * <usize>xImg << 2);
    const yb = y + (<usize>img * <usize>P * <usize>Mp << 2);
    let o = 0;
    for (; o + 16 <= Mp; o += 16) {
      for (let oy = 0; oy < OH; oy++) {
        const xr = xb + (<usize>(oy * Wp) << 2);
        let yp = yb + (<usize>(oy * owE * Mp + o) << 2);
        for (let ox = 0; ox < owE; ox += 2, yp += wStride << 1) {
          const xq = xr + (<usize>ox << 2);
          let wp = w + (<usize>o << 2);
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
          let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
          for (let t = offs; t < end; t += 4) {
            const xa = xq + <usize>load<i32>(t);
            const s0 = v128.load32_splat(xa);
            const s1 = v128.load32_splat(xa, 4);
            let v = v128.load(wp);
            a0 = f32x4.add(a0, f32x4.mul(v, s0)); b0 = f32x4.add(b0, f32x4.mul(v, s1));
            v = v128.load(wp, 16);
            a1 = f32x4.add(a1, f32x4.mul(v, s0)); b1 = f32x4.add(b1, f32x4.mul(v, s1));
            v = v128.load(wp, 32);
            a2 = f32x4.add(a2, f32x4.mul(v, s0)); b2 = f32x4.add(b2, f32x4.mul(v, s1));
            v = v128.load(wp, 48);
            a3 = f32x4.add(a3, f32x4.mul(v, s0)); b3 = f32x4.add(b3, f32x4.mul(v, s1));
            wp += wStride;
          }
          v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32); v128.store(yp, a3, 48);
          const yq = yp + wStride;
          v128.store(yq, b0); v128.store(yq, b1, 16); v128.store(yq, b2, 32); v128.store(yq, b3, 48);
        }
      }
    }
    if (o < Mp) {
      for (let oy = 0; oy < OH; oy++) {
        const xr = xb + (<usize>(oy * Wp) << 2);
        let yp = yb + (<usize>(oy * owE * Mp + o) << 2);
        for (let ox = 0; ox < owE; ox += 4, yp += wStride << 2) {
          const xq = xr + (<usize>ox << 2);
          let wp = w + (<usize>o << 2);
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
          let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
          for (let t = offs; t < end; t += 4) {
            const xa = xq + <usize>load<i32>(t);
            const v0 = v128.load(wp);
            const v1 = v128.load(wp, 16);
            let s = v128.load32_splat(xa);
            a0 = f32x4.add(a0, f32x4.mul(v0, s)); a1 = f32x4.add(a1, f32x4.mul(v1, s));
            s = v128.load32_splat(xa, 4);
            b0 = f32x4.add(b0, f32x4.mul(v0, s)); b1 = f32x4.add(b1, f32x4.mul(v1, s));
            s = v128.load32_splat(xa, 8);
            c0 = f32x4.add(c0, f32x4.mul(v0, s)); c1 = f32x4.add(c1, f32x4.mul(v1, s));
            s = v128.load32_splat(xa, 12);
            d0 = f32x4.add(d0, f32x4.mul(v0, s)); d1 = f32x4.add(d1, f32x4.mul(v1, s));
            wp += wStride;
          }
          v128.store(yp, a0); v128.store(yp, a1, 16);
          let yq = yp + wStride;
          v128.store(yq, b0); v128.store(yq, b1, 16);
          yq += wStride;
          v128.store(yq, c0); v128.store(yq, c1, 16);
          yq += wStride;
          v128.store(yq, d0); v128.store(yq, d1, 16);
        }
      }
    }
  }
}

/**
 * dw[t·Mp + o] += Σ_img Σ_{oy<OH, ox<owE} dyT[img·P·Mp + (oy·owE + ox)·Mp + o] · x[img·xImg + oy·Wp + ox + off[t]/4]
 * for t < K2 (even), o < Mp (a multiple of 8): the weight gradient with channels as lanes. dyT
 * must be 0 at the positions ox ≥ OW, whose x values must be finite. Tiles: 2 taps × 16
 * channels, and for a last 8 channels 4 taps × 8 (the caller pads K to a multiple of 4 then).
 */
export function convWgtDirectCh(
  x: usize, xImg: i32, nImg: i32, offs: usize, K4: i32, dy: usize, Mp: i32, OH: i32, owE: i32, Wp: i32, dw: usize,
): void {
  const mStride = <usize>Mp << 2;
  const P = OH * owE;
  for (let img = 0; img < nImg; img++) {
    const xb = x + (<usize>img * <usize>xImg << 2);
    const db = dy + (<usize>img * <usize>P * <usize>Mp << 2);
    let o = 0;
    for (; o + 16 <= Mp; o += 16) {
      for (let t = 0; t < K4; t += 2) {
        const ot = offs + (<usize>t << 2);
        const x0 = xb + <usize>load<i32>(ot);
        const x1 = xb + <usize>load<i32>(ot, 4);
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
        let gp = db + (<usize>o << 2);
        for (let oy = 0; oy < OH; oy++) {
          let xr = <usize>(oy * Wp) << 2;
          const rowEnd = xr + (<usize>owE << 2);
          for (; xr < rowEnd; xr += 4, gp += mStride) {
            const s0 = v128.load32_splat(x0 + xr);
            const s1 = v128.load32_splat(x1 + xr);
            let v = v128.load(gp);
            a0 = f32x4.add(a0, f32x4.mul(v, s0)); b0 = f32x4.add(b0, f32x4.mul(v, s1));
            v = v128.load(gp, 16);
            a1 = f32x4.add(a1, f32x4.mul(v, s0)); b1 = f32x4.add(b1, f32x4.mul(v, s1));
            v = v128.load(gp, 32);
            a2 = f32x4.add(a2, f32x4.mul(v, s0)); b2 = f32x4.add(b2, f32x4.mul(v, s1));
            v = v128.load(gp, 48);
            a3 = f32x4.add(a3, f32x4.mul(v, s0)); b3 = f32x4.add(b3, f32x4.mul(v, s1));
          }
        }
        const r0 = dw + (<usize>(t * Mp + o) << 2);
        v128.store(r0, f32x4.add(v128.load(r0), a0)); v128.store(r0, f32x4.add(v128.load(r0, 16), a1), 16);
        v128.store(r0, f32x4.add(v128.load(r0, 32), a2), 32); v128.store(r0, f32x4.add(v128.load(r0, 48), a3), 48);
        const r1 = r0 + mStride;
        v128.store(r1, f32x4.add(v128.load(r1), b0)); v128.store(r1, f32x4.add(v128.load(r1, 16), b1), 16);
        v128.store(r1, f32x4.add(v128.load(r1, 32), b2), 32); v128.store(r1, f32x4.add(v128.load(r1, 48), b3), 48);
      }
    }
    if (o < Mp) {
      for (let t = 0; t < K4; t += 4) {
        const ot = offs + (<usize>t << 2);
        const x0 = xb + <usize>load<i32>(ot);
        const x1 = xb + <usize>load<i32>(ot, 4);
        const x2 = xb + <usize>load<i32>(ot, 8);
        const x3 = xb + <usize>load<i32>(ot, 12);
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
        let gp = db + (<usize>o << 2);
        for (let oy = 0; oy < OH; oy++) {
          let xr = <usize>(oy * Wp) << 2;
          const rowEnd = xr + (<usize>owE << 2);
          for (; xr < rowEnd; xr += 4, gp += mStride) {
            const v0 = v128.load(gp);
            const v1 = v128.load(gp, 16);
            let s = v128.load32_splat(x0 + xr);
            a0 = f32x4.add(a0, f32x4.mul(v0, s)); a1 = f32x4.add(a1, f32x4.mul(v1, s));
            s = v128.load32_splat(x1 + xr);
            b0 = f32x4.add(b0, f32x4.mul(v0, s)); b1 = f32x4.add(b1, f32x4.mul(v1, s));
            s = v128.load32_splat(x2 + xr);
            c0 = f32x4.add(c0, f32x4.mul(v0, s)); c1 = f32x4.add(c1, f32x4.mul(v1, s));
            s = v128.load32_splat(x3 + xr);
            d0 = f32x4.add(d0, f32x4.mul(v0, s)); d1 = f32x4.add(d1, f32x4.mul(v1, s));
          }
        }
        let r = dw + (<usize>(t * Mp + o) << 2);
        v128.store(r, f32x4.add(v128.load(r), a0)); v128.store(r, f32x4.add(v128.load(r, 16), a1), 16);
        r += mStride;
        v128.store(r, f32x4.add(v128.load(r), b0)); v128.store(r, f32x4.add(v128.load(r, 16), b1), 16);
        r += mStride;
        v128.store(r, f32x4.add(v128.load(r), c0)); v128.store(r, f32x4.add(v128.load(r, 16), c1), 16);
        r += mStride;
        v128.store(r, f32x4.add(v128.load(r), d0)); v128.store(r, f32x4.add(v128.load(r, 16), d1), 16);
      }
    }
  }
}

/**
 * Between NCHW planes and position-major rows, nImg images of c channels (cp ≥ c columns per
 * position, owE ≥ OW positions per row):
 *   toPositions 1: dst[img·OH·owE·cp + (oy·owE + ox)·cp + ch] = src[((img·c + ch)·OH + oy)·OW + ox]
 *                  (dst must be zeroed by the caller where ch ≥ c or ox ≥ OW must read 0);
 *   toPositions 0: dst[((img·c + ch)·OH + oy)·OW + ox] = src[img·OH·owE·cp + (oy·owE + ox)·cp + ch]
 *                  (+ bias[ch] when bias ≠ 0).
 */
export function transposePlanes(
  src: usize, nImg: i32, c: i32, cp: i32, OH: i32, OW: i32, owE: i32, dst: usize, toPositions: i32, bias: usize,
): void {
  const plane = OH * OW;
  const P = OH * owE;
  for (let img = 0; img < nImg; img++) {
    const pm = (toPositions ? dst : src) + (<usize>img * <usize>P * <usize>cp << 2);
    const nc = (toPositions ? src : dst) + (<usize>img * <usize>c * <usize>plane << 2);
    for (let ch = 0; ch < c; ch++) {
      const b: f32 = bias == 0 ? 0 : load<f32>(bias + (<usize>ch << 2));
      const planeAt = nc + (<usize>(ch * plane) << 2);
      for (let oy = 0; oy < OH; oy++) {
        let at = pm + (<usize>(oy * owE * cp + ch) << 2);
        let q = planeAt + (<usize>(oy * OW) << 2);
        const qEnd = q + (<usize>OW << 2);
        if (toPositions) {
          for (; q < qEnd; q += 4, at += <usize>cp << 2) store<f32>(at, load<f32>(q));
        } else if (bias == 0) {
          for (; q < qEnd; q += 4, at += <usize>cp << 2) store<f32>(q, load<f32>(at));
        } else {
          for (; q < qEnd; q += 4, at += <usize>cp << 2) store<f32>(q, load<f32>(at) + b);
        }
      }
    }
  }
}

// =============================================================================================
// Session 5 section (issue 8, the LeNet step): step-shaped activation derivatives, float32, four
// lanes at a time, on the same staged layout as the issue 11 section (whole f32x4 vectors over
// 16-byte aligned byte addresses; up to 3 lanes past n are read and written, the caller pads).
// =============================================================================================

/**
 * out = g · (x > 0 ? hi : lo): relu's exact derivative (hi 1, lo 0) and every rule of the same
 * two-level shape (leakyBackward: 1 / c; identity: 1 / 1; the exact derivative scaled or lifted
 * by peakNormalised / floorAdded), so that each of them costs what the exact rule costs. A NaN x
 * takes lo (x > 0 is false, as in the JS loop's +(x > 0)); the product is an IEEE multiply, so
 * g = ±∞ or NaN times 0 gives NaN and a negative g times 0 gives −0, as in JS. out may alias g or x.
 */
export function stepScale(out: usize, g: usize, x: usize, n: i32, hi: f32, lo: f32): void {
  const zero = f32x4.splat(0);
  const vHi = f32x4.splat(hi);
  const vLo = f32x4.splat(lo);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    const h = v128.bitselect(vHi, vLo, f32x4.gt(v128.load(x + i), zero));
    v128.store(out + i, f32x4.mul(v128.load(g + i), h));
  }
}

/**
 * The gradient of `maxPool2x2s2`: dx[p, :, :] = 0 except dx[p, arg[o]] = 0 + g[o] for each output
 * o of plane p (oh·ow per plane, arg[o] one of its window's four flat indices), over `planes`
 * H×W planes; every element of dx is written. Windows do not overlap, so no element receives two
 * gradients, and each window's four elements are written directly — four windows at a time, each
 * tap's gradient masked by arg = that tap and the two rows interleaved with shuffles — with no
 * zero pass first. A row whose window count is not a multiple of four ends with one overlapping
 * group of four (rewriting the same values). "0 + g" as the JS loop: a gradient of −0 lands as +0.
 */
export function maxPool2x2s2Back(g: usize, arg: usize, planes: i32, H: i32, W: i32, oh: i32, ow: i32, dx: usize): void {
  const plane = H * W;
  const zero = f32x4.splat(0);
  const step = i32x4(0, 2, 4, 6);
  const one = i32x4.splat(1);
  const vW = i32x4.splat(W);
  const vW1 = i32x4.splat(W + 1);
  const rowBytes = <usize>W << 2;
  const covered = 2 * ow; // columns [covered, W) and rows [2·oh, H) belong to no window
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = dx + (<usize>(p * plane) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const f0 = 2 * oy * W;
      const r0 = base + (<usize>f0 << 2);
      const r1 = r0 + rowBytes;
      if (ow >= 4) {
        for (let ox = 0; ox < ow; ox += 4) {
          if (ox > ow - 4) ox = ow - 4;
          const at = o + <usize>ox;
          const gv = v128.load(g + (at << 2));
          const tap = i32x4.sub(v128.load(arg + (at << 2)), i32x4.add(i32x4.splat(f0 + 2 * ox), step));
          const tl = f32x4.add(v128.and(gv, i32x4.eq(tap, i32x4.splat(0))), zero);
          const tr = f32x4.add(v128.and(gv, i32x4.eq(tap, one)), zero);
          const bl = f32x4.add(v128.and(gv, i32x4.eq(tap, vW)), zero);
          const br = f32x4.add(v128.and(gv, i32x4.eq(tap, vW1)), zero);
          const s = <usize>(2 * ox) << 2;
          v128.store(r0 + s, v128.shuffle<f32>(tl, tr, 0, 4, 1, 5));
          v128.store(r0 + s, v128.shuffle<f32>(tl, tr, 2, 6, 3, 7), 16);
          v128.store(r1 + s, v128.shuffle<f32>(bl, br, 0, 4, 1, 5));
          v128.store(r1 + s, v128.shuffle<f32>(bl, br, 2, 6, 3, 7), 16);
        }
      } else {
        for (let ox = 0; ox < ow; ox++) {
          const gi: f32 = load<f32>(g + ((o + <usize>ox) << 2)) + 0;
          const tap = load<i32>(arg + ((o + <usize>ox) << 2)) - (f0 + 2 * ox);
          const s = <usize>(2 * ox) << 2;
          store<f32>(r0 + s, tap == 0 ? gi : 0);
          store<f32>(r0 + s, tap == 1 ? gi : 0, 4);
          store<f32>(r1 + s, tap == W ? gi : 0);
          store<f32>(r1 + s, tap == W + 1 ? gi : 0, 4);
        }
      }
      for (let x = covered; x < W; x++) {
        store<f32>(r0 + (<usize>x << 2), 0);
        store<f32>(r1 + (<usize>x << 2), 0);
      }
      o += <usize>ow;
    }
    for (let y = 2 * oh; y < H; y++) memory.fill(base + (<usize>(y * W) << 2), 0, rowBytes);
  }
}

/**
 * out = g · h(x), h(x) = σ(x) + (x + α)·σ(x)(1 − σ(x)): relu's 'bSilu' rule (rules.bSilu), so
 * that it costs about what 'sigmoid' costs. σ as in `sigmoidScale` with k = 1 (the same Cephes
 * expf; x clamped so that e = e^(−x) stays finite: −88 ≤ −x ≤ 88), written as
 * h = σ·(1 + (x + α)·σ·e) with σ·e = 1 − σ formed without cancellation. ±∞ and NaN in x give
 * NaN, as the JS formula does (∞·0 there). out may alias g or x.
 */
export function bSiluScale(out: usize, g: usize, x: usize, n: i32, alpha: f32): void {
  const lim = f32x4.splat(88.0);
  const negLim = f32x4.splat(-88.0);
  const vAlpha = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  const inf = f32x4.splat(Infinity);
  const nan = f32x4.splat(NaN);
  const log2e = f32x4.splat(1.44269504088896341);
  const magic = f32x4.splat(12582912.0);
  const magicToBias = i32x4.splat(127 - 0x4b400000);
  const c1 = f32x4.splat(0.693359375);
  const c2 = f32x4.splat(-2.12194440e-4);
  const one = f32x4.splat(1.0);
  const p0 = f32x4.splat(1.9875691500e-4);
  const p1 = f32x4.splat(1.3981999507e-3);
  const p2 = f32x4.splat(8.3334519073e-3);
  const p3 = f32x4.splat(4.1665795894e-2);
  const p4 = f32x4.splat(1.6666665459e-1);
  const p5 = f32x4.splat(5.0000001201e-1);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    const xv = v128.load(x + i);
    const t = f32x4.pmin(f32x4.pmax(f32x4.neg(xv), negLim), lim); // NaN passes through
    const m = f32x4.add(f32x4.mul(t, log2e), magic);
    const nf = f32x4.sub(m, magic);
    const r = f32x4.sub(f32x4.sub(t, f32x4.mul(nf, c1)), f32x4.mul(nf, c2));
    let p = f32x4.add(f32x4.mul(p0, r), p1);
    p = f32x4.add(f32x4.mul(p, r), p2);
    p = f32x4.add(f32x4.mul(p, r), p3);
    p = f32x4.add(f32x4.mul(p, r), p4);
    p = f32x4.add(f32x4.mul(p, r), p5);
    const er = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), one);
    const e = f32x4.mul(er, i32x4.shl(i32x4.add(m, magicToBias), 23));
    const s = f32x4.div(one, f32x4.add(one, e));
    const h = f32x4.mul(s, f32x4.add(one, f32x4.mul(f32x4.add(xv, vAlpha), f32x4.mul(s, e))));
    // Below −88 the clamped σ stays at ~6e-39 while x + α keeps growing (h reached −1.8 at x = −3e38):
    // the rule's value there is σ(x)·(1 + x + α) < 1e-8 for the |α| ≤ 1e30 bSiluScaleInto accepts, so 0.
    const hz = v128.bitselect(zero, h, f32x4.lt(xv, negLim));
    const hv = v128.bitselect(nan, hz, f32x4.eq(f32x4.abs(xv), inf));
    v128.store(out + i, f32x4.mul(v128.load(g + i), hv));
  }
}

/**
 * out = (x > 0 and g > 0) ? g : 0: relu's 'guided' rule (guided backpropagation), as the JS rule
 * computes it (a NaN g or x gives +0). out may alias g or x.
 */
export function guidedBackward(out: usize, g: usize, x: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    const gv = v128.load(g + i);
    v128.store(out + i, v128.and(gv, v128.and(f32x4.gt(v128.load(x + i), zero), f32x4.gt(gv, zero))));
  }
}

// =============================================================================================
// Session 5, second round (issue 8, margin under the LeNet step's 10 ms): fewer passes over the
// direct convolutions' staging buffers and no padded taps in the rows-layout weight gradient.
// =============================================================================================

/**
 * `padPlanes` (same arguments, same result, same return value) without its zero pass over the
 * whole destination: only what no source value lands on is zeroed — the rows above and below the
 * copied band, each band row's left and right margins, the gap after each plane up to the next
 * one (dstPlane > Hp·Wp) and after the last plane up to the image's end (dstImg > c·dstPlane).
 * Requires dstPlane ≥ Hp·Wp and dstImg ≥ (c − 1)·dstPlane + Hp·Wp (the direct convolutions'
 * layouts). Saves one write pass over the padded buffer (1.4 MB per LeNet conv1 weight gradient).
 * With check = 0 the NaN/±∞ test is skipped (and 0 returned): only the weight gradient's input
 * needs it. With sums ≠ 0, sums[ch] (float64, c of them) is also added the sum of plane ch over
 * the nImg images, in float64 lanes as `planeSums` adds (in another order): the weight gradient's
 * bias sums without another pass over dy. sums requires check = 0 and a source that is not
 * cropped (0 ≤ top, top + H ≤ Hp, 0 ≤ left, left + W ≤ Wp); otherwise the call traps.
 */
export function padPlanesGaps(
  src: usize, nImg: i32, c: i32, H: i32, W: i32,
  dst: usize, dstImg: i32, dstPlane: i32, Hp: i32, Wp: i32, top: i32, left: i32, check: i32, sums: usize,
): i32 {
  const x0 = max(0, left);
  const x1 = min(Wp, left + W);
  const y0 = max(0, top);
  const y1 = min(Hp, top + H);
  // with sums, every source value must be copied (no cropping), or the sums would miss some
  if (sums != 0 && (top < 0 || top + H > Hp || left < 0 || left + W > Wp || check != 0)) unreachable();
  if (x1 <= x0 || y1 <= y0 || c <= 0) {
    memory.fill(dst, 0, <usize>nImg * <usize>dstImg << 2);
    return 0;
  }
  const runBytes = <usize>(x1 - x0) << 2;
  const run4Bytes = <usize>((x1 - x0) & ~3) << 2;
  const x0Bytes = <usize>x0 << 2;
  const x1Bytes = <usize>x1 << 2;
  const plane = H * W;
  const area = Hp * Wp;
  const rowBytes = <usize>Wp << 2;
  const zero = f32x4.splat(0);
  let finite = i32x4.splat(-1);
  for (let img = 0; img < nImg; img++) {
    const dImg = dst + (<usize>img * <usize>dstImg << 2);
    for (let ch = 0; ch < c; ch++) {
      const sPlane = src + (<usize>((img * c + ch) * plane) << 2);
      const dPlane = dImg + (<usize>(ch * dstPlane) << 2);
      if (y0 > 0) memory.fill(dPlane, 0, <usize>y0 * rowBytes);
      let lo = f64x2.splat(0);
      let hi = f64x2.splat(0);
      let tail: f64 = 0;
      for (let y = y0; y < y1; y++) {
        const row = dPlane + <usize>y * rowBytes;
        // left margin, then the row's values, then the right margin (whole vectors where they fit in the row)
        let q: usize = 0;
        for (; q + 16 <= x0Bytes; q += 16) v128.store(row + q, zero);
        for (; q < x0Bytes; q += 4) store<f32>(row + q, 0);
        const s = sPlane + (<usize>((y - top) * W + x0 - left) << 2);
        const d = row + x0Bytes;
        q = 0;
        if (check) {
          for (; q < run4Bytes; q += 16) {
            const v = v128.load(s + q);
            // v − v is 0 for finite v and NaN for NaN and ±∞
            const z = f32x4.sub(v, v);
            finite = v128.and(finite, f32x4.eq(z, z));
            v128.store(d + q, v);
          }
          for (; q < runBytes; q += 4) {
            const v = load<f32>(s + q);
            if (v - v != 0) finite = i32x4.splat(0);
            store<f32>(d + q, v);
          }
        } else if (sums != 0) {
          // the bias gradient's plane sums on the way, as planeSums adds them (float64 lanes)
          for (; q < run4Bytes; q += 16) {
            const v = v128.load(s + q);
            lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
            hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
            v128.store(d + q, v);
          }
          for (; q < runBytes; q += 4) {
            const v = load<f32>(s + q);
            tail += <f64>v;
            store<f32>(d + q, v);
          }
        } else {
          for (; q < run4Bytes; q += 16) v128.store(d + q, v128.load(s + q));
          for (; q < runBytes; q += 4) store<f32>(d + q, load<f32>(s + q));
        }
        q = x1Bytes;
        for (; q + 16 <= rowBytes; q += 16) v128.store(row + q, zero);
        for (; q < rowBytes; q += 4) store<f32>(row + q, 0);
      }
      if (y1 < Hp) memory.fill(dPlane + <usize>y1 * rowBytes, 0, <usize>(Hp - y1) * rowBytes);
      if (sums != 0) {
        const at = sums + (<usize>ch << 3);
        store<f64>(at, load<f64>(at) + (f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1) + tail));
      }
      const gapEnd = ch + 1 < c ? (ch + 1) * dstPlane : dstImg;
      const gapStart = ch * dstPlane + area;
      if (gapEnd > gapStart) memory.fill(dImg + (<usize>gapStart << 2), 0, <usize>(gapEnd - gapStart) << 2);
    }
  }
  return v128.all_true<i32>(finite) ? 0 : 1;
}

/**
 * `convWgtDirect` for K taps that need not be a multiple of 4, with no padded tap computed
 * (LeNet's conv1 has K = 25: 25 taps instead of 28). The first K4 = K & ~3 taps go through
 * `convWgtDirect` into dw [Mp, K4] (rows K4 wide); each remaining tap t (r = K − K4 of them) is a
 * 2×1 tile — two output channels, the 16 positions of a step in four accumulators each — adding
 * into tail[o·r + t − K4]. Both must be zeroed (or hold partial sums) by the caller.
 */
export function convWgtDirectK(
  x: usize, xImg: i32, nImg: i32, offs: usize, K: i32, dy: usize, dyImg: i32, Mp: i32, Lr: i32, dw: usize, tail: usize,
): void {
  const K4 = K & ~3;
  if (K4 > 0) convWgtDirect(x, xImg, nImg, offs, K4, dy, dyImg, Mp, Lr, dw);
  const r = K - K4;
  if (r == 0) return;
  const ldy = <usize>Lr << 2;
  for (let img = 0; img < nImg; img++) {
    const xb = x + (<usize>img * <usize>xImg << 2);
    const db = dy + (<usize>img * <usize>dyImg << 2);
    for (let o = 0; o < Mp; o += 2) {
      for (let t = K4; t < K; t++) {
        let d0 = db + <usize>o * ldy;
        let d1 = d0 + ldy;
        let x0 = xb + <usize>load<i32>(offs + (<usize>t << 2));
        const end = d0 + ldy;
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
        while (d0 < end) {
          let v = v128.load(x0);
          a0 = f32x4.add(a0, f32x4.mul(v128.load(d0), v)); b0 = f32x4.add(b0, f32x4.mul(v128.load(d1), v));
          v = v128.load(x0, 16);
          a1 = f32x4.add(a1, f32x4.mul(v128.load(d0, 16), v)); b1 = f32x4.add(b1, f32x4.mul(v128.load(d1, 16), v));
          v = v128.load(x0, 32);
          a2 = f32x4.add(a2, f32x4.mul(v128.load(d0, 32), v)); b2 = f32x4.add(b2, f32x4.mul(v128.load(d1, 32), v));
          v = v128.load(x0, 48);
          a3 = f32x4.add(a3, f32x4.mul(v128.load(d0, 48), v)); b3 = f32x4.add(b3, f32x4.mul(v128.load(d1, 48), v));
          d0 += 64; d1 += 64; x0 += 64;
        }
        const sa = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
        const sb = f32x4.add(f32x4.add(b0, b1), f32x4.add(b2, b3));
        const r0 = tail + (<usize>(o * r + t - K4) << 2);
        store<f32>(r0, load<f32>(r0) + ((f32x4.extract_lane(sa, 0) + f32x4.extract_lane(sa, 1)) + (f32x4.extract_lane(sa, 2) + f32x4.extract_lane(sa, 3))));
        const r1 = r0 + (<usize>r << 2);
        store<f32>(r1, load<f32>(r1) + ((f32x4.extract_lane(sb, 0) + f32x4.extract_lane(sb, 1)) + (f32x4.extract_lane(sb, 2) + f32x4.extract_lane(sb, 3))));
      }
    }
  }
}

/**
 * The 2×16 tile of `convDirect` narrowed to 2 × 4·nv positions (nv = 1, 2 or 3 vectors), for the
 * end of an output row in `convDirectRows`. Stores nv vectors per output channel.
 */
function convTile2xN(K: i32, offs: usize, wp: usize, wStride: usize, xq: usize, yq: usize, ldy: usize, nv: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  const end = offs + (<usize>K << 2);
  if (nv == 3) {
    for (let t = offs; t < end; t += 4) {
      const xa = xq + <usize>load<i32>(t);
      const b0 = v128.load(xa);
      const b1 = v128.load(xa, 16);
      const b2 = v128.load(xa, 32);
      let a = v128.load32_splat(wp);
      c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1)); c02 = f32x4.add(c02, f32x4.mul(a, b2));
      a = v128.load32_splat(wp, 4);
      c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1)); c12 = f32x4.add(c12, f32x4.mul(a, b2));
      wp += wStride;
    }
    v128.store(yq, c00); v128.store(yq, c01, 16); v128.store(yq, c02, 32);
    v128.store(yq + ldy, c10); v128.store(yq + ldy, c11, 16); v128.store(yq + ldy, c12, 32);
  } else if (nv == 2) {
    for (let t = offs; t < end; t += 4) {
      const xa = xq + <usize>load<i32>(t);
      const b0 = v128.load(xa);
      const b1 = v128.load(xa, 16);
      let a = v128.load32_splat(wp);
      c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
      a = v128.load32_splat(wp, 4);
      c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
      wp += wStride;
    }
    v128.store(yq, c00); v128.store(yq, c01, 16);
    v128.store(yq + ldy, c10); v128.store(yq + ldy, c11, 16);
  } else {
    for (let t = offs; t < end; t += 4) {
      const b0 = v128.load(xq + <usize>load<i32>(t));
      c00 = f32x4.add(c00, f32x4.mul(v128.load32_splat(wp), b0));
      c10 = f32x4.add(c10, f32x4.mul(v128.load32_splat(wp, 4), b0));
      wp += wStride;
    }
    v128.store(yq, c00);
    v128.store(yq + ldy, c10);
  }
}

/**
 * `convDirect` (same arguments and result at every valid position q = oy·Wp + ox, ox < OW) that
 * computes each output row only as far as OW rounded up to 4, instead of every position of the
 * Wp-wide rows: 2×16 tiles along the row, then one 2×4/8/12 tile. Requires roundUp(OW, 4) ≤ Wp
 * (the caller checks), so every store stays inside its row. The positions it skips keep whatever
 * the rows buffer held (cropPlanes never reads them). LeNet's conv1: 28 of 32 columns per row,
 * 12.5 % fewer multiply-adds.
 */
export function convDirectRows(
  x: usize, xImg: i32, nImg: i32, offs: usize, K: i32, w: usize, Mp: i32, y: usize, Lr: i32, Wp: i32, OH: i32, OW: i32,
): void {
  const wStride = <usize>Mp << 2;
  const ldy = <usize>Lr << 2;
  const owv = (OW + 3) & ~3;
  const full = owv & ~15;
  const rest = (owv - full) >> 2;
  for (let img = 0; img < nImg; img++) {
    const xb = x + (<usize>img * <usize>xImg << 2);
    const yb = y + (<usize>img * <usize>Mp * <usize>Lr << 2);
    for (let o = 0; o < Mp; o += 2) {
      const wo = w + (<usize>o << 2);
      const yo = yb + <usize>o * ldy;
      for (let oy = 0; oy < OH; oy++) {
        const q0 = oy * Wp;
        let ox = 0;
        for (; ox < full; ox += 16) {
          const q = <usize>(q0 + ox) << 2;
          convTile2x16(K, offs, wo, wStride, xb + q, yo + q, ldy);
        }
        if (rest > 0) {
          const q = <usize>(q0 + ox) << 2;
          convTile2xN(K, offs, wo, wStride, xb + q, yo + q, ldy, rest);
        }
      }
    }
  }
}

/**
 * `convWgtDirectK` (same arguments and result, plus the rows' geometry) summing each output row
 * only to OW rounded up to 4 instead of over the whole Wp-wide padded row: per row, 16-position
 * steps and then up to three 4-position ones. Requires roundUp(OW, 4) ≤ Wp (the caller checks);
 * dy must be 0 at positions OW ≤ ox < roundUp(OW, 4) and the x values read there finite, as for
 * `convWgtDirect`. LeNet's conv1: 28 of 32 columns per row.
 */
export function convWgtDirectRows(
  x: usize, xImg: i32, nImg: i32, offs: usize, K: i32, dy: usize, dyImg: i32, Mp: i32, Lr: i32, dw: usize, tail: usize,
  Wp: i32, OH: i32, OW: i32,
): void {
  const K4 = K & ~3;
  const r = K - K4;
  const ldy = <usize>Lr << 2;
  const ldw = <usize>K4 << 2;
  const owv = (OW + 3) & ~3;
  const fullBytes = <usize>(owv & ~15) << 2;
  const rowBytes = <usize>owv << 2;
  const wpBytes = <usize>Wp << 2;
  for (let img = 0; img < nImg; img++) {
    const xb = x + (<usize>img * <usize>xImg << 2);
    const db = dy + (<usize>img * <usize>dyImg << 2);
    for (let o = 0; o < Mp; o += 2) {
      const dRow0 = db + <usize>o * ldy;
      for (let t = 0; t < K4; t += 4) {
        const ot = offs + (<usize>t << 2);
        const xt0 = xb + <usize>load<i32>(ot);
        const xt1 = xb + <usize>load<i32>(ot, 4);
        const xt2 = xb + <usize>load<i32>(ot, 8);
        const xt3 = xb + <usize>load<i32>(ot, 12);
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
        let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
        for (let oy = 0, rb: usize = 0; oy < OH; oy++, rb += wpBytes) {
          let p: usize = rb;
          const pFull = rb + fullBytes;
          const pEnd = rb + rowBytes;
          for (; p < pFull; p += 64) {
            const d0 = dRow0 + p;
            const d1 = d0 + ldy;
            let g0 = v128.load(d0);
            let g1 = v128.load(d1);
            let v = v128.load(xt0 + p); a00 = f32x4.add(a00, f32x4.mul(g0, v)); a10 = f32x4.add(a10, f32x4.mul(g1, v));
            v = v128.load(xt1 + p); a01 = f32x4.add(a01, f32x4.mul(g0, v)); a11 = f32x4.add(a11, f32x4.mul(g1, v));
            v = v128.load(xt2 + p); a02 = f32x4.add(a02, f32x4.mul(g0, v)); a12 = f32x4.add(a12, f32x4.mul(g1, v));
            v = v128.load(xt3 + p); a03 = f32x4.add(a03, f32x4.mul(g0, v)); a13 = f32x4.add(a13, f32x4.mul(g1, v));
            g0 = v128.load(d0, 16);
            g1 = v128.load(d1, 16);
            v = v128.load(xt0 + p, 16); a00 = f32x4.add(a00, f32x4.mul(g0, v)); a10 = f32x4.add(a10, f32x4.mul(g1, v));
            v = v128.load(xt1 + p, 16); a01 = f32x4.add(a01, f32x4.mul(g0, v)); a11 = f32x4.add(a11, f32x4.mul(g1, v));
            v = v128.load(xt2 + p, 16); a02 = f32x4.add(a02, f32x4.mul(g0, v)); a12 = f32x4.add(a12, f32x4.mul(g1, v));
            v = v128.load(xt3 + p, 16); a03 = f32x4.add(a03, f32x4.mul(g0, v)); a13 = f32x4.add(a13, f32x4.mul(g1, v));
            g0 = v128.load(d0, 32);
            g1 = v128.load(d1, 32);
            v = v128.load(xt0 + p, 32); a00 = f32x4.add(a00, f32x4.mul(g0, v)); a10 = f32x4.add(a10, f32x4.mul(g1, v));
            v = v128.load(xt1 + p, 32); a01 = f32x4.add(a01, f32x4.mul(g0, v)); a11 = f32x4.add(a11, f32x4.mul(g1, v));
            v = v128.load(xt2 + p, 32); a02 = f32x4.add(a02, f32x4.mul(g0, v)); a12 = f32x4.add(a12, f32x4.mul(g1, v));
            v = v128.load(xt3 + p, 32); a03 = f32x4.add(a03, f32x4.mul(g0, v)); a13 = f32x4.add(a13, f32x4.mul(g1, v));
            g0 = v128.load(d0, 48);
            g1 = v128.load(d1, 48);
            v = v128.load(xt0 + p, 48); a00 = f32x4.add(a00, f32x4.mul(g0, v)); a10 = f32x4.add(a10, f32x4.mul(g1, v));
            v = v128.load(xt1 + p, 48); a01 = f32x4.add(a01, f32x4.mul(g0, v)); a11 = f32x4.add(a11, f32x4.mul(g1, v));
            v = v128.load(xt2 + p, 48); a02 = f32x4.add(a02, f32x4.mul(g0, v)); a12 = f32x4.add(a12, f32x4.mul(g1, v));
            v = v128.load(xt3 + p, 48); a03 = f32x4.add(a03, f32x4.mul(g0, v)); a13 = f32x4.add(a13, f32x4.mul(g1, v));
          }
          for (; p < pEnd; p += 16) {
            const g0 = v128.load(dRow0 + p);
            const g1 = v128.load(dRow0 + p + ldy);
            let v = v128.load(xt0 + p); a00 = f32x4.add(a00, f32x4.mul(g0, v)); a10 = f32x4.add(a10, f32x4.mul(g1, v));
            v = v128.load(xt1 + p); a01 = f32x4.add(a01, f32x4.mul(g0, v)); a11 = f32x4.add(a11, f32x4.mul(g1, v));
            v = v128.load(xt2 + p); a02 = f32x4.add(a02, f32x4.mul(g0, v)); a12 = f32x4.add(a12, f32x4.mul(g1, v));
            v = v128.load(xt3 + p); a03 = f32x4.add(a03, f32x4.mul(g0, v)); a13 = f32x4.add(a13, f32x4.mul(g1, v));
          }
        }
        const r0 = dw + <usize>o * ldw + (<usize>t << 2);
        v128.store(r0, f32x4.add(v128.load(r0), laneSums4(a00, a01, a02, a03)));
        const r1 = r0 + ldw;
        v128.store(r1, f32x4.add(v128.load(r1), laneSums4(a10, a11, a12, a13)));
      }
      for (let t = K4; t < K; t++) {
        const xt = xb + <usize>load<i32>(offs + (<usize>t << 2));
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
        for (let oy = 0, rb: usize = 0; oy < OH; oy++, rb += wpBytes) {
          let p: usize = rb;
          const pEnd = rb + rowBytes;
          for (; p + 16 < pEnd; p += 32) {
            let v = v128.load(xt + p);
            a0 = f32x4.add(a0, f32x4.mul(v128.load(dRow0 + p), v)); b0 = f32x4.add(b0, f32x4.mul(v128.load(dRow0 + p + ldy), v));
            v = v128.load(xt + p, 16);
            a1 = f32x4.add(a1, f32x4.mul(v128.load(dRow0 + p, 16), v)); b1 = f32x4.add(b1, f32x4.mul(v128.load(dRow0 + p + ldy, 16), v));
          }
          if (p < pEnd) {
            const v = v128.load(xt + p);
            a0 = f32x4.add(a0, f32x4.mul(v128.load(dRow0 + p), v)); b0 = f32x4.add(b0, f32x4.mul(v128.load(dRow0 + p + ldy), v));
          }
        }
        const sa = f32x4.add(a0, a1);
        const sb = f32x4.add(b0, b1);
        const r0 = tail + (<usize>(o * r + t - K4) << 2);
        store<f32>(r0, load<f32>(r0) + ((f32x4.extract_lane(sa, 0) + f32x4.extract_lane(sa, 1)) + (f32x4.extract_lane(sa, 2) + f32x4.extract_lane(sa, 3))));
        const r1 = r0 + (<usize>r << 2);
        store<f32>(r1, load<f32>(r1) + ((f32x4.extract_lane(sb, 0) + f32x4.extract_lane(sb, 1)) + (f32x4.extract_lane(sb, 2) + f32x4.extract_lane(sb, 3))));
      }
    }
  }
}

/**
 * `transposePlanes` (same arguments, same result) on 4 channels × 4 positions at a time with SIMD
 * 4×4 transposes (the positions of one row; a row's last OW mod 4 positions and the last c mod 4
 * channels one at a time). For LeNet's conv2 (16 channels, 10×10) the forward's output and the
 * weight gradient's dy, 102 400 floats each per step, go through here.
 */
export function transposePlanes4(
  src: usize, nImg: i32, c: i32, cp: i32, OH: i32, OW: i32, owE: i32, dst: usize, toPositions: i32, bias: usize,
): void {
  const plane = OH * OW;
  const P = OH * owE;
  const c4 = c & ~3;
  const ow4 = OW & ~3;
  const cpBytes = <usize>cp << 2;
  const planeBytes = <usize>plane << 2;
  for (let img = 0; img < nImg; img++) {
    const pm = (toPositions ? dst : src) + (<usize>img * <usize>P * <usize>cp << 2);
    const nc = (toPositions ? src : dst) + (<usize>img * <usize>c * <usize>plane << 2);
    for (let ch = 0; ch < c4; ch += 4) {
      let b0 = f32x4.splat(0), b1 = b0, b2 = b0, b3 = b0;
      if (bias != 0 && !toPositions) {
        const bb = bias + (<usize>ch << 2);
        b0 = v128.load32_splat(bb); b1 = v128.load32_splat(bb, 4); b2 = v128.load32_splat(bb, 8); b3 = v128.load32_splat(bb, 12);
      }
      const n0 = nc + (<usize>ch * planeBytes);
      for (let oy = 0; oy < OH; oy++) {
        const pr = pm + (<usize>(oy * owE * cp + ch) << 2);
        const nr = n0 + (<usize>(oy * OW) << 2);
        let ox = 0;
        for (; ox < ow4; ox += 4) {
          const pAt = pr + <usize>ox * cpBytes;
          const nAt = nr + (<usize>ox << 2);
          if (toPositions) {
            // rows: channels ch…ch+3, each 4 positions; out: positions, each 4 channels
            const r0 = v128.load(nAt);
            const r1 = v128.load(nAt + planeBytes);
            const r2 = v128.load(nAt + 2 * planeBytes);
            const r3 = v128.load(nAt + 3 * planeBytes);
            const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
            const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
            const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
            const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
            v128.store(pAt, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
            v128.store(pAt + cpBytes, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
            v128.store(pAt + 2 * cpBytes, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
            v128.store(pAt + 3 * cpBytes, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
          } else {
            const r0 = v128.load(pAt);
            const r1 = v128.load(pAt + cpBytes);
            const r2 = v128.load(pAt + 2 * cpBytes);
            const r3 = v128.load(pAt + 3 * cpBytes);
            const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
            const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
            const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
            const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
            let u0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5);
            let u1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
            let u2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5);
            let u3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
            if (bias != 0) {
              u0 = f32x4.add(u0, b0); u1 = f32x4.add(u1, b1); u2 = f32x4.add(u2, b2); u3 = f32x4.add(u3, b3);
            }
            v128.store(nAt, u0);
            v128.store(nAt + planeBytes, u1);
            v128.store(nAt + 2 * planeBytes, u2);
            v128.store(nAt + 3 * planeBytes, u3);
          }
        }
        for (; ox < OW; ox++) {
          const pAt = pr + <usize>ox * cpBytes;
          const nAt = nr + (<usize>ox << 2);
          for (let k = 0; k < 4; k++) {
            const q = nAt + <usize>k * planeBytes;
            const at = pAt + (<usize>k << 2);
            if (toPositions) store<f32>(at, load<f32>(q));
            else if (bias == 0) store<f32>(q, load<f32>(at));
            else store<f32>(q, load<f32>(at) + load<f32>(bias + (<usize>(ch + k) << 2)));
          }
        }
      }
    }
    for (let ch = c4; ch < c; ch++) {
      const b: f32 = bias == 0 ? 0 : load<f32>(bias + (<usize>ch << 2));
      const planeAt = nc + (<usize>(ch * plane) << 2);
      for (let oy = 0; oy < OH; oy++) {
        let at = pm + (<usize>(oy * owE * cp + ch) << 2);
        let q = planeAt + (<usize>(oy * OW) << 2);
        const qEnd = q + (<usize>OW << 2);
        if (toPositions) {
          for (; q < qEnd; q += 4, at += cpBytes) store<f32>(at, load<f32>(q));
        } else if (bias == 0) {
          for (; q < qEnd; q += 4, at += cpBytes) store<f32>(q, load<f32>(at));
        } else {
          for (; q < qEnd; q += 4, at += cpBytes) store<f32>(q, load<f32>(at) + b);
        }
      }
    }
  }
}

/**
 * Between the small side of a convolution (nb images of cs channels, each an ohw-float plane;
 * `src` at image img0, channel grp·og) and the gemm's [og, nb·ohw] block at `tmp`:
 *   back 0: tmp[o·nb·ohw + b·ohw + p] = src[(b·cs + o)·ohw + p]   (o < og, b < nb, p < ohw)
 *   back 1: the reverse copy.
 * One call instead of og·nb `copyWithin` calls from JS per image chunk (the loader's
 * `stageSmall`; LeNet's conv2 input gradient makes 1024 of them per step).
 */
export function gatherPlanes(src: usize, nb: i32, og: i32, cs: i32, ohw: i32, tmp: usize, back: i32): void {
  const n4 = <usize>(ohw & ~3) << 2;
  const nBytes = <usize>ohw << 2;
  for (let o = 0; o < og; o++) {
    for (let b = 0; b < nb; b++) {
      const s = src + (<usize>(b * cs + o) * nBytes);
      const t = tmp + (<usize>(o * nb + b) * nBytes);
      const from = back ? t : s;
      const to = back ? s : t;
      let p: usize = 0;
      for (; p < n4; p += 16) v128.store(to + p, v128.load(from + p));
      for (; p < nBytes; p += 4) store<f32>(to + p, load<f32>(from + p));
    }
  }
}
