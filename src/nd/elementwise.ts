// Elementwise loops and NumPy broadcasting. Outputs are always fresh contiguous arrays; inputs
// may be strided views. Fast paths cover the cases a training loop meets (same shape, scalar,
// row broadcast); the general path walks the output with an odometer over the outer axes.
import {
  type Dtype,
  type Nd,
  broadcastTo,
  contiguous,
  dtypeOf,
  isContiguous,
  promote,
  zeros,
} from './array';

export type Unary = (x: number) => number;
export type Binary = (x: number, y: number) => number;
export type Ternary = (x: number, y: number, z: number) => number;

/** The broadcast shape of `a` and `b`, or null when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** out[i] = f(a[i]). */
export function map(a: Nd, f: Unary, dtype: Dtype = dtypeOf(a)): Nd {
  const src = contiguous(a);
  const out = zeros(src.shape, dtype);
  const x = src.data;
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = f(x[i]);
  return out;
}

/**
 * out = f(a, b) with broadcasting. The shapes must already be known to be compatible
 * (`broadcastShapes` returned a shape): ops check and raise errors that name themselves.
 */
export function zip(a: Nd, b: Nd, f: Binary, dtype: Dtype = promote(dtypeOf(a), dtypeOf(b))): Nd {
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape === null) throw new Error(`nd.zip: shapes [${a.shape}] and [${b.shape}] do not broadcast`);
  const out = zeros(shape, dtype);
  const y = out.data;
  if (y.length === 0) return out;

  const aFlat = isContiguous(a);
  const bFlat = isContiguous(b);
  if (aFlat && bFlat && a.size === y.length && b.size === y.length) {
    const x0 = a.data;
    const x1 = b.data;
    for (let i = 0; i < y.length; i++) y[i] = f(x0[i], x1[i]);
    return out;
  }
  if (aFlat && a.size === y.length && b.size === 1) {
    const x0 = a.data;
    const s = b.data[b.offset];
    for (let i = 0; i < y.length; i++) y[i] = f(x0[i], s);
    return out;
  }
  if (bFlat && b.size === y.length && a.size === 1) {
    const s = a.data[a.offset];
    const x1 = b.data;
    for (let i = 0; i < y.length; i++) y[i] = f(s, x1[i]);
    return out;
  }
  // a row (or block) repeated along leading axes, as a bias is: [n, m] ⊕ [m]
  if (aFlat && bFlat && a.size === y.length && isTrailingBlock(b.shape, shape)) {
    const x0 = a.data;
    const x1 = b.data;
    const m = b.size;
    for (let o = 0; o < y.length; o += m) for (let j = 0; j < m; j++) y[o + j] = f(x0[o + j], x1[j]);
    return out;
  }
  if (aFlat && bFlat && b.size === y.length && isTrailingBlock(a.shape, shape)) {
    const x0 = a.data;
    const x1 = b.data;
    const m = a.size;
    for (let o = 0; o < y.length; o += m) for (let j = 0; j < m; j++) y[o + j] = f(x0[j], x1[o + j]);
    return out;
  }
  walk2(broadcastTo(a, shape), broadcastTo(b, shape), y, f);
  return out;
}

/** True when `part`, ignoring leading 1s, equals the trailing axes of `whole` (and is not empty). */
function isTrailingBlock(part: readonly number[], whole: readonly number[]): boolean {
  let start = 0;
  while (start < part.length && part[start] === 1) start++;
  const k = part.length - start;
  if (k === 0 || k > whole.length) return false;
  for (let i = 0; i < k; i++) if (part[start + i] !== whole[whole.length - k + i]) return false;
  return true;
}

/** out = f(a, b, c), all three already the same shape (used by fused backward loops). */
export function zip3(a: Nd, b: Nd, c: Nd, f: Ternary, dtype: Dtype = dtypeOf(a)): Nd {
  const x0 = contiguous(a).data;
  const x1 = contiguous(b).data;
  const x2 = contiguous(c).data;
  const out = zeros(a.shape, dtype);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = f(x0[i], x1[i], x2[i]);
  return out;
}

/**
 * General strided path: `a` and `b` are views of the output's shape (possibly stride 0).
 * The odometer advances the outer axes; the innermost axis is a tight loop.
 */
function walk2(a: Nd, b: Nd, y: Float32Array | Float64Array, f: Binary): void {
  const shape = a.shape.length === 0 ? [1] : a.shape;
  const sa = a.shape.length === 0 ? [0] : a.stride;
  const sb = b.shape.length === 0 ? [0] : b.stride;
  const nd = shape.length;
  const last = nd - 1;
  const n = shape[last];
  const stepA = sa[last];
  const stepB = sb[last];
  const xa = a.data;
  const xb = b.data;
  const index = new Array<number>(nd).fill(0);
  let offA = a.offset;
  let offB = b.offset;
  for (let o = 0; o < y.length; o += n) {
    let ia = offA;
    let ib = offB;
    for (let j = 0; j < n; j++) {
      y[o + j] = f(xa[ia], xb[ib]);
      ia += stepA;
      ib += stepB;
    }
    // advance the odometer over axes [0, last)
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      offA += sa[d];
      offB += sb[d];
      if (index[d] < shape[d]) break;
      offA -= sa[d] * shape[d];
      offB -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
}
