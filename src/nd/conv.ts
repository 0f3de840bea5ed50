// Convolution and pooling kernels over NCHW arrays (1-D ops use these with H = 1).
//
// Convolution is im2col + gemm: for each image and group, the receptive fields of the "big"
// side (a conv's input, a transposed conv's output) are unrolled into a scratch matrix
// cols[Cg·kh·kw, OH·OW] and multiplied by the weight matrix [Og, Cg·kh·kw] on `gemm`, so
// float32 runs on the WebAssembly SIMD kernel and float64 on the JS kernel. Three primitives
// cover conv2d and convTranspose2d, forward and backward:
//
//   convSmall: small = W · im2col(big)                 (conv forward, transposed conv's dx)
//   convBig:   big  += col2im(Wᵀ · small)              (conv's dx, transposed conv forward)
//   convWgt:   dW   += small · im2col(big)ᵀ            (both weights' gradient)
//
// with W of shape [Cs, Cb/groups, kh, kw] in both cases (PyTorch stores a conv weight as
// [out, in/g, kh, kw] and a transposed conv weight as [in, out/g, kh, kw]: the small side first
// either way). The scratch matrices are module-level buffers grown as needed, so a call
// allocates only its outputs. Float32 stride-1 one-group convolutions on small padded images
// first try the WASM module's direct kernels (no im2col at all: src/nd/wasm, "direct
// convolution"), whose entry points decline where im2col is expected to be faster.
import { type Dtype, type FloatArray, type Nd, alloc, contiguous, copy, dtypeOf, wrap, zeros } from './array';
import { gemm } from './gemm';
import { acquire, pooledEmpty, pooledZeros } from './pool';
import { convBigWasm, convSmallWasm, convWgtWasm, maxPool2x2BackWasm, maxPool2x2Wasm, wasmDisabledByEnv, wasmGemmAvailable } from './wasm';
import { convBigDirectWasm, convSmallDirectWasm, convWgtDirectWasm } from './wasm';

let wasmOn: boolean | undefined;

/**
 * Whether float32 convolutions run on the WASM module (im2col, col2im and gemm all inside it):
 * unless SURROGRAD_NO_WASM=1 (read once) or the engine lacks WASM SIMD. Float64 always uses JS.
 */
function wasmConv(dtype: Dtype): boolean {
  if (dtype !== 'float32') return false;
  if (wasmOn === undefined) wasmOn = !wasmDisabledByEnv() && wasmGemmAvailable();
  return wasmOn;
}

/**
 * Whether a float32 convolution may try the module's direct kernels (stride 1, one group, and few
 * wasted positions; no im2col: see asm/gemm.ts, "direct convolution"). The kernels' entry points
 * decline (return false) where `convDirectVariant` in ./wasm picks im2col.
 */
function direct(dtype: Dtype, g: ConvGeometry): boolean {
  return wasmConv(dtype) && g.sh === 1 && g.sw === 1 && g.groups === 1;
}

/** The shapes of one 2-D convolution: the big side [N, Cb, H, W], the small side [N, Cs, OH, OW]. */
export interface ConvGeometry {
  readonly n: number;
  /** Channels of the big side (a conv's input). */
  readonly cb: number;
  /** Channels of the small side (a conv's output). */
  readonly cs: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  /** Padding before the first row / column (padding after only changes oh / ow). */
  readonly ph: number;
  readonly pw: number;
  readonly dh: number;
  readonly dw: number;
  readonly oh: number;
  readonly ow: number;
  readonly groups: number;
}

// ---- scratch buffers: grown, never shrunk; one per dtype ----
let scratch32 = new Float32Array(0);
let scratch64 = new Float64Array(0);
let tmp32 = new Float32Array(0);
let tmp64 = new Float64Array(0);

/** The column scratch of `dtype`, at least `size` long. */
function colScratch(dtype: Dtype, size: number): FloatArray {
  if (dtype === 'float32') {
    if (scratch32.length < size) scratch32 = new Float32Array(grow(size));
    return scratch32;
  }
  if (scratch64.length < size) scratch64 = new Float64Array(grow(size));
  return scratch64;
}

/** The small-side staging scratch of `dtype`, at least `size` long. */
function tmpScratch(dtype: Dtype, size: number): FloatArray {
  if (dtype === 'float32') {
    if (tmp32.length < size) tmp32 = new Float32Array(grow(size));
    return tmp32;
  }
  if (tmp64.length < size) tmp64 = new Float64Array(grow(size));
  return tmp64;
}

const grow = (size: number): number => Math.max(size, 1024) + (size >> 2);

/**
 * Unrolls channels [c0, c0 + cg) of image `img` of the big side `x` into
 * cols[(c·kh + i)·kw + j, oy·ow + ox] = x[img, c0 + c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]
 * (0 outside the image).
 */
function im2col(x: FloatArray, img: number, c0: number, cg: number, g: ConvGeometry, cols: FloatArray, ld: number, colOff: number): void {
  const { h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const plane = h * w;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const base = (img * g.cb + c0 + c) * plane;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const colBase = row * ld + colOff;
        const dx = j * dw - pw;
        // columns ox with 0 ≤ ox·sw + dx < w
        const lo = Math.min(ow, dx >= 0 ? 0 : Math.ceil(-dx / sw));
        const hi = Math.max(lo, Math.min(ow, Math.floor((w - 1 - dx) / sw) + 1));
        for (let oy = 0; oy < oh; oy++) {
          const y = oy * sh - ph + i * dh;
          const at = colBase + oy * ow;
          if (y < 0 || y >= h) {
            for (let ox = 0; ox < ow; ox++) cols[at + ox] = 0;
            continue;
          }
          // (plain loops, not fill(): these runs are a few elements long and the call costs more)
          for (let ox = 0; ox < lo; ox++) cols[at + ox] = 0;
          const src = base + y * w + dx;
          if (sw === 1) {
            for (let ox = lo; ox < hi; ox++) cols[at + ox] = x[src + ox];
          } else {
            for (let ox = lo; ox < hi; ox++) cols[at + ox] = x[src + ox * sw];
          }
          for (let ox = hi; ox < ow; ox++) cols[at + ox] = 0;
        }
      }
    }
  }
}

/** The adjoint of `im2col`: adds every entry of cols back to the big-side element it was read from. */
function col2im(cols: FloatArray, ld: number, colOff: number, dx: FloatArray, img: number, c0: number, cg: number, g: ConvGeometry): void {
  const { h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const plane = h * w;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const base = (img * g.cb + c0 + c) * plane;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const colBase = row * ld + colOff;
        const dxo = j * dw - pw;
        const lo = Math.min(ow, dxo >= 0 ? 0 : Math.ceil(-dxo / sw));
        const hi = Math.max(lo, Math.min(ow, Math.floor((w - 1 - dxo) / sw) + 1));
        for (let oy = 0; oy < oh; oy++) {
          const y = oy * sh - ph + i * dh;
          if (y < 0 || y >= h) continue;
          const at = colBase + oy * ow;
          const dst = base + y * w + dxo;
          if (sw === 1) {
            for (let ox = lo; ox < hi; ox++) dx[dst + ox] += cols[at + ox];
          } else {
            for (let ox = lo; ox < hi; ox++) dx[dst + ox * sw] += cols[at + ox];
          }
        }
      }
    }
  }
}

/** The arrays as contiguous buffers of one dtype (copies only when needed). */
function dense(a: Nd, dtype: Dtype): FloatArray {
  return dtypeOf(a) === dtype ? contiguous(a).data : copy(a, dtype).data;
}

/**
 * Images unrolled together: as many as keep the column matrix within `chunkElements` (at least
 * one), so one gemm covers several small images while the columns stay in L2 (64 Ki elements =
 * 256 KiB of float32). Measured on the LeNet layers (batch 64; 1→6 and 6→16, 5×5), forward and
 * forward + backward, interleaved in one process: 64 Ki ≈ one image per gemm or up to 1.2× faster,
 * and 1.2–1.7× faster than 1 Mi-element chunks, whose columns spill out of cache.
 */
let chunkElements = 1 << 16;

/**
 * @internal For benchmarks: the column-matrix size the image chunks aim at (1 makes every image
 * its own gemm). Returns the previous value.
 */
export function setConvChunkElements(elements: number): number {
  const previous = chunkElements;
  chunkElements = Math.max(1, Math.floor(elements));
  return previous;
}

function imagesPerChunk(k: number, ohw: number, n: number): number {
  return Math.max(1, Math.min(n, Math.floor(chunkElements / Math.max(1, k * ohw))));
}

/** Copies the small side's rows of group `grp` for images [img0, img0 + nb) into tmp[og, nb·ohw]. */
function gatherSmall(s: FloatArray, img0: number, nb: number, grp: number, g: ConvGeometry, tmp: FloatArray): void {
  const og = g.cs / g.groups;
  const ohw = g.oh * g.ow;
  const width = nb * ohw;
  for (let o = 0; o < og; o++) {
    for (let b = 0; b < nb; b++) {
      const from = ((img0 + b) * g.cs + grp * og + o) * ohw;
      tmp.set(s.subarray(from, from + ohw), o * width + b * ohw);
    }
  }
}

/** The inverse of gatherSmall: tmp[og, nb·ohw] back into the small side's rows. */
function scatterSmall(tmp: FloatArray, img0: number, nb: number, grp: number, g: ConvGeometry, s: FloatArray): void {
  const og = g.cs / g.groups;
  const ohw = g.oh * g.ow;
  const width = nb * ohw;
  for (let o = 0; o < og; o++) {
    for (let b = 0; b < nb; b++) {
      const at = o * width + b * ohw;
      s.set(tmp.subarray(at, at + ohw), ((img0 + b) * g.cs + grp * og + o) * ohw);
    }
  }
}

/** small[N, Cs, OH, OW] = W · im2col(big) per group, images in chunks (conv2d's forward), plus bias[Cs] per channel if given. */
/**
 * The column matrices of a whole forward pass, kept for the weight gradient so that backward
 * does not unroll the input again: chunk by chunk and group by group, each block laid out as the
 * scratch was ([k, nb·ohw] at k·(grp·n + img0)·ohw), with the chunking it was made with.
 */
export interface SavedColumns {
  readonly data: FloatArray;
  readonly per: number;
}

/** Columns are kept (instead of recomputed in backward) up to this many elements per call (16 MiB of float32). */
export const KEEP_COLUMNS_MAX = 1 << 22;

export function convSmall(
  big: Nd, weight: Nd, g: ConvGeometry, dtype: Dtype, keep: { columns: SavedColumns | null } | null = null, bias: Nd | null = null,
): Nd {
  const x = dense(big, dtype);
  const wt = dense(weight, dtype);
  const out = zeros([g.n, g.cs, g.oh, g.ow], dtype);
  const withBias = (): Nd => {
    if (bias !== null) addChannelBias(out, bias);
    return out;
  };
  const y = out.data;
  const cg = g.cb / g.groups;
  const og = g.cs / g.groups;
  const k = cg * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  if (ohw === 0 || og === 0 || g.n === 0 || k === 0) return withBias();
  const per = imagesPerChunk(k, ohw, g.n);
  const b = bias === null ? null : dense(bias, dtype);
  if (direct(dtype, g) && convSmallDirectWasm(x as Float32Array, wt as Float32Array, g, y as Float32Array, b as Float32Array | null)) {
    if (keep !== null) keep.columns = null;
    return out;
  }
  if (wasmConv(dtype) && convSmallWasm(x as Float32Array, wt as Float32Array, g, per, y as Float32Array, b as Float32Array | null)) {
    if (keep !== null) keep.columns = null;
    return out;
  }
  const total = g.groups * k * g.n * ohw;
  const kept = keep !== null && total <= KEEP_COLUMNS_MAX ? alloc(dtype, total) : null;
  const scratch = kept === null ? colScratch(dtype, k * per * ohw) : kept;
  const tmp = per > 1 ? tmpScratch(dtype, og * per * ohw) : null;
  for (let img0 = 0; img0 < g.n; img0 += per) {
    const nb = Math.min(per, g.n - img0);
    const width = nb * ohw;
    for (let grp = 0; grp < g.groups; grp++) {
      const at = kept === null ? 0 : k * (grp * g.n + img0) * ohw;
      const cols = at === 0 ? scratch : scratch.subarray(at, at + k * width);
      for (let b = 0; b < nb; b++) im2col(x, img0 + b, grp * cg, cg, g, cols, width, b * ohw);
      if (nb === 1 || tmp === null) {
        gemm(false, false, og, width, k, wt, grp * og * k, k, cols, 0, width, y, (img0 * g.cs + grp * og) * ohw, ohw, 0);
      } else {
        gemm(false, false, og, width, k, wt, grp * og * k, k, cols, 0, width, tmp, 0, width, 0);
        scatterSmall(tmp, img0, nb, grp, g, y);
      }
    }
  }
  if (keep !== null) keep.columns = kept === null ? null : { data: kept, per };
  return withBias();
}

/**
 * big[N, Cb, H, W] = col2im(Wᵀ · small) per group, images in chunks (conv2d's input gradient).
 * `pooled`: the result's buffer comes from the engine's pool (for gradients, which the backward
 * pass gives back when done), else it is a fresh array (a forward output).
 */
export function convBig(small: Nd, weight: Nd, g: ConvGeometry, dtype: Dtype, pooled = false): Nd {
  const s = dense(small, dtype);
  const wt = dense(weight, dtype);
  // a pooled buffer is zeroed only where a path below does not overwrite every element
  const out = pooled ? pooledEmpty([g.n, g.cb, g.h, g.w], dtype) : zeros([g.n, g.cb, g.h, g.w], dtype);
  const cg = g.cb / g.groups;
  const og = g.cs / g.groups;
  const k = cg * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const zeroed = (): Nd => {
    if (pooled) out.data.fill(0);
    return out;
  };
  if (ohw === 0 || k === 0 || og === 0 || g.n === 0) return zeroed();
  const per = imagesPerChunk(k, ohw, g.n);
  if (direct(dtype, g) && convBigDirectWasm(s as Float32Array, wt as Float32Array, g, out.data as Float32Array)) return out;
  if (wasmConv(dtype) && convBigWasm(s as Float32Array, wt as Float32Array, g, per, out.data as Float32Array)) return out;
  zeroed();
  const cols = colScratch(dtype, k * per * ohw);
  const tmp = per > 1 ? tmpScratch(dtype, og * per * ohw) : null;
  for (let img0 = 0; img0 < g.n; img0 += per) {
    const nb = Math.min(per, g.n - img0);
    const width = nb * ohw;
    for (let grp = 0; grp < g.groups; grp++) {
      if (nb === 1 || tmp === null) {
        gemm(true, false, k, width, og, wt, grp * og * k, k, s, (img0 * g.cs + grp * og) * ohw, ohw, cols, 0, width, 0);
      } else {
        gatherSmall(s, img0, nb, grp, g, tmp);
        gemm(true, false, k, width, og, wt, grp * og * k, k, tmp, 0, width, cols, 0, width, 0);
      }
      for (let b = 0; b < nb; b++) col2im(cols, width, b * ohw, out.data, img0 + b, grp * cg, cg, g);
    }
  }
  return out;
}

/**
 * dW[Cs, Cb/g, kh, kw] = Σ_images small · im2col(big)ᵀ (the weight gradient of both
 * convolutions); with `biasGrad` (length Cs, of `dtype`), also fills it with the sum of `small`
 * over every axis but the channel (a convolution's bias gradient), overwriting it.
 */
export function convWgt(
  big: Nd, small: Nd, weightShape: readonly number[], g: ConvGeometry, dtype: Dtype, saved: SavedColumns | null = null,
  biasGrad: FloatArray | null = null,
): Nd {
  const x = saved === null ? dense(big, dtype) : null;
  const s = dense(small, dtype);
  const dw = pooledZeros(weightShape, dtype); // a gradient: the backward pass gives it back when done
  const cg = g.cb / g.groups;
  const og = g.cs / g.groups;
  const k = cg * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const withBiasGrad = (): Nd => {
    if (biasGrad !== null) biasGrad.set(channelSum(wrap(s, [g.n, g.cs, g.oh * g.ow]), dtype).data);
    return dw;
  };
  if (ohw === 0 || og === 0 || k === 0 || g.n === 0) return withBiasGrad();
  if (x !== null && wasmConv(dtype)) {
    const db = biasGrad as Float32Array | null;
    if (direct(dtype, g) && convWgtDirectWasm(x as Float32Array, s as Float32Array, g, dw.data as Float32Array, db)) return dw;
    if (convWgtWasm(x as Float32Array, s as Float32Array, g, imagesPerChunk(k, ohw, g.n), dw.data as Float32Array, db)) return dw;
  }
  const per = saved === null ? imagesPerChunk(k, ohw, g.n) : saved.per;
  const scratch = saved === null ? colScratch(dtype, k * per * ohw) : saved.data;
  const tmp = per > 1 ? tmpScratch(dtype, og * per * ohw) : null;
  for (let img0 = 0; img0 < g.n; img0 += per) {
    const nb = Math.min(per, g.n - img0);
    const width = nb * ohw;
    for (let grp = 0; grp < g.groups; grp++) {
      const at = saved === null ? 0 : k * (grp * g.n + img0) * ohw;
      const cols = at === 0 ? scratch : scratch.subarray(at, at + k * width);
      if (x !== null) for (let b = 0; b < nb; b++) im2col(x, img0 + b, grp * cg, cg, g, cols, width, b * ohw);
      if (nb === 1 || tmp === null) {
        gemm(false, true, og, k, width, s, (img0 * g.cs + grp * og) * ohw, ohw, cols, 0, width, dw.data, grp * og * k, k, 1);
      } else {
        gatherSmall(s, img0, nb, grp, g, tmp);
        gemm(false, true, og, k, width, tmp, 0, width, cols, 0, width, dw.data, grp * og * k, k, 1);
      }
    }
  }
  return withBiasGrad();
}

/** y[n, c, ...] += b[c] over an NC... array (contiguous, in place). */
export function addChannelBias(y: Nd, bias: Nd): void {
  const b = contiguous(bias).data;
  const data = y.data;
  const n = y.shape[0];
  const c = y.shape[1];
  const inner = y.size / Math.max(1, n * c);
  for (let img = 0, at = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++, at += inner) {
      const v = b[ch];
      for (let i = 0; i < inner; i++) data[at + i] += v;
    }
  }
}

/** The sum of an NC... array over every axis but the channel axis: [C] (a bias gradient). */
export function channelSum(g: Nd, dtype: Dtype): Nd {
  const data = dense(g, dtype);
  const n = g.shape[0];
  const c = g.shape[1];
  const inner = g.size / Math.max(1, n * c);
  const out = zeros([c], dtype);
  const o = out.data;
  for (let img = 0, at = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++, at += inner) {
      let acc = 0;
      for (let i = 0; i < inner; i++) acc += data[at + i];
      o[ch] += acc;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pooling over [N, C, H, W] (planes = N·C)
// ---------------------------------------------------------------------------------------------

/** The window geometry of a 2-D pooling. */
export interface PoolGeometry {
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly dh: number;
  readonly dw: number;
  readonly oh: number;
  readonly ow: number;
}

/**
 * Max pooling: the output and, per output element, the flat index (within its plane) of the
 * input element it came from. Padding counts as −∞. Ties go to the first index in window order
 * (row by row), as PyTorch's CPU kernel; a NaN in a window wins and propagates.
 */
export function maxPool(x: Nd, g: PoolGeometry): { out: Nd; argmax: Int32Array } {
  const src = contiguous(x).data;
  const dtype = dtypeOf(x);
  const { planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = alloc(dtype, planes * oh * ow);
  const argmax = new Int32Array(planes * oh * ow);
  const inside = ph === 0 && pw === 0 && (oh - 1) * sh + (kh - 1) * dh < h && (ow - 1) * sw + (kw - 1) * dw < w;
  if (inside) {
    if (pool2x2Inside(g) && wasmConv(dtype) && maxPool2x2Wasm(src as Float32Array, planes, h, w, oh, ow, out as Float32Array, argmax)) {
      return { out: wrap(out, [planes, oh, ow]), argmax };
    }
    maxPoolInside(src, g, out, argmax);
    return { out: wrap(out, [planes, oh, ow]), argmax };
  }
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        let best = -Infinity;
        let at = -1;
        for (let i = 0; i < kh; i++) {
          const y = oy * sh - ph + i * dh;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = ox * sw - pw + j * dw;
            if (xx < 0 || xx >= w) continue;
            const idx = y * w + xx;
            const v = src[base + idx];
            if (v > best || Number.isNaN(v) || at < 0) {
              best = v;
              at = idx;
              if (Number.isNaN(v)) break;
            }
          }
          if (Number.isNaN(best)) break;
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
  return { out: wrap(out, [planes, oh, ow]), argmax };
}

/** Whether `g` is 2×2 pooling with stride 2, no padding and every window inside the input (the WASM kernels' geometry). */
function pool2x2Inside(g: PoolGeometry): boolean {
  return g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.dh === 1 && g.dw === 1 && g.ph === 0 && g.pw === 0 &&
    g.oh > 0 && g.ow > 0 && 2 * g.oh <= g.h && 2 * g.ow <= g.w;
}

/** maxPool when every window lies inside the input (no padding, no ceil overhang): no bounds checks. */
function maxPoolInside(src: FloatArray, g: PoolGeometry, out: FloatArray, argmax: Int32Array): void {
  const { planes, h, w, kh, kw, sh, sw, dh, dw, oh, ow } = g;
  if (kh === 2 && kw === 2 && dh === 1 && dw === 1) {
    maxPool2x2(src, g, out, argmax);
    return;
  }
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const first = oy * sh * w + ox * sw;
        let best = src[base + first];
        let at = first;
        for (let i = 0; i < kh && best === best; i++) {
          const row = first + i * dh * w;
          for (let j = 0; j < kw; j++) {
            const idx = row + j * dw;
            const v = src[base + idx];
            if (v > best || v !== v) {
              best = v;
              at = idx;
              if (v !== v) break;
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/** The common 2×2 window unrolled (same order and tie rule: a later tap wins only if strictly greater, or the first NaN). */
function maxPool2x2(src: FloatArray, g: PoolGeometry, out: FloatArray, argmax: Int32Array): void {
  const { planes, h, w, sh, sw, oh, ow } = g;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const f = oy * sh * w + ox * sw;
        let at = f;
        let best = src[base + f];
        let v = src[base + f + 1];
        if (v > best || (v !== v && best === best)) {
          best = v;
          at = f + 1;
        }
        v = src[base + f + w];
        if (v > best || (v !== v && best === best)) {
          best = v;
          at = f + w;
        }
        v = src[base + f + w + 1];
        if (v > best || (v !== v && best === best)) {
          best = v;
          at = f + w + 1;
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/** A zero-filled buffer from the engine's pool (pooling gradients: the backward pass gives them back). */
function zeroed(dtype: Dtype, length: number): FloatArray {
  const buffer = acquire(dtype, length);
  buffer.fill(0);
  return buffer;
}

/** dx of max pooling: each output gradient added to its arg-max (a pooled buffer). */
export function maxPoolBackward(gOut: Nd, argmax: Int32Array, g: PoolGeometry, dtype: Dtype): FloatArray {
  const gd = dense(gOut, dtype);
  const plane = g.h * g.w;
  if (pool2x2Inside(g) && wasmConv(dtype)) {
    const out = acquire(dtype, g.planes * plane); // every element is written by the kernel
    if (maxPool2x2BackWasm(gd as Float32Array, argmax, g.planes, g.h, g.w, g.oh, g.ow, out as Float32Array)) return out;
    out.fill(0);
    return scatterArgmax(gd, argmax, g, out);
  }
  return scatterArgmax(gd, argmax, g, zeroed(dtype, g.planes * plane));
}

/** dx[p, argmax[o]] += g[o] per plane p, into the zeroed `dx`. */
function scatterArgmax(gd: FloatArray, argmax: Int32Array, g: PoolGeometry, dx: FloatArray): FloatArray {
  const plane = g.h * g.w;
  const per = g.oh * g.ow;
  for (let p = 0, o = 0; p < g.planes; p++) {
    const base = p * plane;
    for (let q = 0; q < per; q++, o++) {
      const at = argmax[o];
      if (at >= 0) dx[base + at] += gd[o];
    }
  }
  return dx;
}

/**
 * The window [start, end) of output position `o` along one axis of average pooling, clipped to
 * the input, and the divisor (PyTorch's rule: with countIncludePad the window clipped to the
 * padded input, else the window clipped to the input).
 */
function avgWindow(o: number, s: number, p: number, k: number, size: number): [number, number, number] {
  const start = o * s - p;
  const end = Math.min(start + k, size + p);
  const padded = end - start;
  return [Math.max(start, 0), Math.min(end, size), padded];
}

/** Average pooling (no dilation, as PyTorch). */
export function avgPool(x: Nd, g: PoolGeometry, countIncludePad: boolean, divisorOverride: number | null): Nd {
  const src = contiguous(x).data;
  const { planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const out = alloc(dtypeOf(x), planes * oh * ow);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const [y0, y1, ry] = avgWindow(oy, sh, ph, kh, h);
      for (let ox = 0; ox < ow; ox++, o++) {
        const [x0, x1, rx] = avgWindow(ox, sw, pw, kw, w);
        let acc = 0;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) acc += src[base + y * w + xx];
        const divisor = divisorOverride ?? (countIncludePad ? ry * rx : (y1 - y0) * (x1 - x0));
        out[o] = divisor > 0 ? acc / divisor : 0;
      }
    }
  }
  return wrap(out, [planes, oh, ow]);
}

/** dx of average pooling: each output gradient spread evenly (÷ the same divisor) over its window. */
export function avgPoolBackward(gOut: Nd, g: PoolGeometry, countIncludePad: boolean, divisorOverride: number | null, dtype: Dtype): FloatArray {
  const gd = dense(gOut, dtype);
  const { planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const dx = zeroed(dtype, planes * h * w);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const [y0, y1, ry] = avgWindow(oy, sh, ph, kh, h);
      for (let ox = 0; ox < ow; ox++, o++) {
        const [x0, x1, rx] = avgWindow(ox, sw, pw, kw, w);
        const divisor = divisorOverride ?? (countIncludePad ? ry * rx : (y1 - y0) * (x1 - x0));
        if (divisor <= 0) continue;
        const share = gd[o] / divisor;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) dx[base + y * w + xx] += share;
      }
    }
  }
  return dx;
}

/** Adaptive average pooling of [planes, H, W] to [planes, OH, OW]: window i spans [⌊iH/OH⌋, ⌈(i+1)H/OH⌉). */
export function adaptiveAvgPool(x: Nd, planes: number, h: number, w: number, oh: number, ow: number): Nd {
  const src = contiguous(x).data;
  const out = alloc(dtypeOf(x), planes * oh * ow);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.floor((oy * h) / oh);
      const y1 = Math.ceil(((oy + 1) * h) / oh);
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = Math.floor((ox * w) / ow);
        const x1 = Math.ceil(((ox + 1) * w) / ow);
        let acc = 0;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) acc += src[base + y * w + xx];
        out[o] = acc / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return wrap(out, [planes, oh, ow]);
}

/** dx of adaptive average pooling. */
export function adaptiveAvgPoolBackward(gOut: Nd, planes: number, h: number, w: number, oh: number, ow: number, dtype: Dtype): FloatArray {
  const gd = dense(gOut, dtype);
  const dx = zeroed(dtype, planes * h * w);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.floor((oy * h) / oh);
      const y1 = Math.ceil(((oy + 1) * h) / oh);
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = Math.floor((ox * w) / ow);
        const x1 = Math.ceil(((ox + 1) * w) / ow);
        const share = gd[o] / ((y1 - y0) * (x1 - x0));
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) dx[base + y * w + xx] += share;
      }
    }
  }
  return dx;
}

// ---------------------------------------------------------------------------------------------
// Padding by index maps: along each axis, output position i reads input position map[i] (−1: the
// constant). One map per axis covers constant, reflect and replicate padding alike.
// ---------------------------------------------------------------------------------------------

/** out[i₀, i₁, …] = x[map₀[i₀], map₁[i₁], …], or `value` when any map entry is −1. */
export function gatherByMaps(x: Nd, maps: readonly Int32Array[], value: number): Nd {
  const src = contiguous(x).data;
  const inShape = x.shape;
  const outShape = maps.map((m) => m.length);
  const out = zeros(outShape, dtypeOf(x));
  const o = out.data;
  walkMaps(inShape, maps, (outAt, inAt) => {
    o[outAt] = inAt < 0 ? value : src[inAt];
  });
  return out;
}

/** The adjoint of gatherByMaps: dx[map(i)] += g[i] (entries mapped to −1 are dropped). */
export function scatterByMaps(g: Nd, inShape: readonly number[], maps: readonly Int32Array[], dtype: Dtype): Nd {
  const gd = dense(g, dtype);
  const dx = zeros(inShape, dtype);
  const d = dx.data;
  walkMaps(inShape, maps, (outAt, inAt) => {
    if (inAt >= 0) d[inAt] += gd[outAt];
  });
  return dx;
}

/** Calls visit(flat output index, flat input index or −1) for every output element in C order. */
function walkMaps(inShape: readonly number[], maps: readonly Int32Array[], visit: (outAt: number, inAt: number) => void): void {
  const rank = maps.length;
  const outShape = maps.map((m) => m.length);
  const total = outShape.reduce((p, q) => p * q, 1);
  if (total === 0) return;
  const inStride = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    inStride[d] = s;
    s *= inShape[d];
  }
  const last = rank - 1;
  const lastMap = maps[last];
  const lastLen = outShape[last];
  const index = new Array<number>(rank).fill(0);
  for (let outAt = 0; outAt < total; outAt += lastLen) {
    // the input offset of the leading axes (−1 if any of them maps to the constant)
    let base = 0;
    for (let d = 0; d < last; d++) {
      const m = maps[d][index[d]];
      if (m < 0) {
        base = -1;
        break;
      }
      base += m * inStride[d];
    }
    for (let i = 0; i < lastLen; i++) {
      const m = lastMap[i];
      visit(outAt + i, base < 0 || m < 0 ? -1 : base + m);
    }
    for (let d = last - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Linear interpolation along one axis (bilinear = along H, then along W)
// ---------------------------------------------------------------------------------------------

/** out[..., i, ...] = (1 − λᵢ)·x[..., lo[i], ...] + λᵢ·x[..., hi[i], ...] along `axis` (x contiguous). */
export function lerpAxis(x: Nd, axis: number, lo: Int32Array, hi: Int32Array, lam: Float64Array): Nd {
  const src = contiguous(x).data;
  const shape = x.shape;
  const outer = shape.slice(0, axis).reduce((p, q) => p * q, 1);
  const inner = shape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const size = shape[axis];
  const len = lo.length;
  const outShape = [...shape];
  outShape[axis] = len;
  const out = zeros(outShape, dtypeOf(x));
  const o = out.data;
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < len; i++) {
      const l = lam[i];
      const p = (a * size + lo[i]) * inner;
      const q = (a * size + hi[i]) * inner;
      const at = (a * len + i) * inner;
      for (let k = 0; k < inner; k++) o[at + k] = (1 - l) * src[p + k] + l * src[q + k];
    }
  }
  return out;
}

/** The adjoint of lerpAxis: the gradient with respect to x, of shape `inShape`. */
export function lerpAxisAdjoint(g: Nd, inShape: readonly number[], axis: number, lo: Int32Array, hi: Int32Array, lam: Float64Array, dtype: Dtype): Nd {
  const gd = dense(g, dtype);
  const outer = inShape.slice(0, axis).reduce((p, q) => p * q, 1);
  const inner = inShape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const size = inShape[axis];
  const len = lo.length;
  const dx = zeros(inShape, dtype);
  const d = dx.data;
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < len; i++) {
      const l = lam[i];
      const p = (a * size + lo[i]) * inner;
      const q = (a * size + hi[i]) * inner;
      const at = (a * len + i) * inner;
      for (let k = 0; k < inner; k++) {
        d[p + k] += (1 - l) * gd[at + k];
        d[q + k] += l * gd[at + k];
      }
    }
  }
  return dx;
}
