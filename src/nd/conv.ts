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
// allocates only its outputs.
import { type Dtype, type FloatArray, type Nd, alloc, contiguous, copy, dtypeOf, wrap, zeros } from './array';
import { gemm } from './gemm';

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

/** small[N, Cs, OH, OW] = W · im2col(big) per group, images in chunks (conv2d's forward). */
export function convSmall(big: Nd, weight: Nd, g: ConvGeometry, dtype: Dtype): Nd {
  const x = dense(big, dtype);
  const wt = dense(weight, dtype);
  const out = zeros([g.n, g.cs, g.oh, g.ow], dtype);
  const y = out.data;
  const cg = g.cb / g.groups;
  const og = g.cs / g.groups;
  const k = cg * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  if (ohw === 0 || og === 0 || g.n === 0) return out;
  const per = imagesPerChunk(k, ohw, g.n);
  const cols = colScratch(dtype, k * per * ohw);
  const tmp = per > 1 ? tmpScratch(dtype, og * per * ohw) : null;
  for (let img0 = 0; img0 < g.n; img0 += per) {
    const nb = Math.min(per, g.n - img0);
    const width = nb * ohw;
    for (let grp = 0; grp < g.groups; grp++) {
      for (let b = 0; b < nb; b++) im2col(x, img0 + b, grp * cg, cg, g, cols, width, b * ohw);
      if (nb === 1 || tmp === null) {
        gemm(false, false, og, width, k, wt, grp * og * k, k, cols, 0, width, y, (img0 * g.cs + grp * og) * ohw, ohw, 0);
      } else {
        gemm(false, false, og, width, k, wt, grp * og * k, k, cols, 0, width, tmp, 0, width, 0);
        scatterSmall(tmp, img0, nb, grp, g, y);
      }
    }
  }
  return out;
}

/** big[N, Cb, H, W] = col2im(Wᵀ · small) per group, images in chunks (conv2d's input gradient). */
export function convBig(small: Nd, weight: Nd, g: ConvGeometry, dtype: Dtype): Nd {
  const s = dense(small, dtype);
  const wt = dense(weight, dtype);
  const out = zeros([g.n, g.cb, g.h, g.w], dtype);
  const cg = g.cb / g.groups;
  const og = g.cs / g.groups;
  const k = cg * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  if (ohw === 0 || k === 0 || og === 0 || g.n === 0) return out;
  const per = imagesPerChunk(k, ohw, g.n);
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

/** dW[Cs, Cb/g, kh, kw] = Σ_images small · im2col(big)ᵀ (the weight gradient of both convolutions). */
export function convWgt(big: Nd, small: Nd, weightShape: readonly number[], g: ConvGeometry, dtype: Dtype): Nd {
  const x = dense(big, dtype);
  const s = dense(small, dtype);
  const dw = zeros(weightShape, dtype);
  const cg = g.cb / g.groups;
  const og = g.cs / g.groups;
  const k = cg * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  if (ohw === 0 || og === 0 || k === 0 || g.n === 0) return dw;
  const per = imagesPerChunk(k, ohw, g.n);
  const cols = colScratch(dtype, k * per * ohw);
  const tmp = per > 1 ? tmpScratch(dtype, og * per * ohw) : null;
  for (let img0 = 0; img0 < g.n; img0 += per) {
    const nb = Math.min(per, g.n - img0);
    const width = nb * ohw;
    for (let grp = 0; grp < g.groups; grp++) {
      for (let b = 0; b < nb; b++) im2col(x, img0 + b, grp * cg, cg, g, cols, width, b * ohw);
      if (nb === 1 || tmp === null) {
        gemm(false, true, og, k, width, s, (img0 * g.cs + grp * og) * ohw, ohw, cols, 0, width, dw.data, grp * og * k, k, 1);
      } else {
        gatherSmall(s, img0, nb, grp, g, tmp);
        gemm(false, true, og, k, width, tmp, 0, width, cols, 0, width, dw.data, grp * og * k, k, 1);
      }
    }
  }
  return dw;
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

/** maxPool when every window lies inside the input (no padding, no ceil overhang): no bounds checks. */
function maxPoolInside(src: FloatArray, g: PoolGeometry, out: FloatArray, argmax: Int32Array): void {
  const { planes, h, w, kh, kw, sh, sw, dh, dw, oh, ow } = g;
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

/** dx of max pooling: each output gradient added to its arg-max. */
export function maxPoolBackward(gOut: Nd, argmax: Int32Array, g: PoolGeometry, dtype: Dtype): FloatArray {
  const gd = dense(gOut, dtype);
  const plane = g.h * g.w;
  const per = g.oh * g.ow;
  const dx = alloc(dtype, g.planes * plane);
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
  const dx = alloc(dtype, planes * h * w);
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
  const dx = alloc(dtype, planes * h * w);
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
