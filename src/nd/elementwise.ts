// Elementwise ops and NumPy broadcasting, on the one elementwise engine (loops.ts: a loop
// compiled per function, shared with the activations). Outputs are always fresh contiguous
// arrays; inputs may be strided views. Fast paths cover the cases a training loop meets (same shape, scalar,
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
import { loopFor } from './loops';

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
  loopFor('map', f)(f, src.data, out.data);
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
    loopFor('zip', f)(f, a.data, b.data, y);
    return out;
  }
  if (aFlat && a.size === y.length && b.size === 1) {
    loopFor('zipScalarRight', f)(f, a.data, b.data[b.offset], y);
    return out;
  }
  if (bFlat && b.size === y.length && a.size === 1) {
    loopFor('zipScalarLeft', f)(f, a.data[a.offset], b.data, y);
    return out;
  }
  // a row (or block) repeated along leading axes, as a bias is: [n, m] ⊕ [m]
  if (aFlat && bFlat && a.size === y.length && isTrailingBlock(b.shape, shape)) {
    loopFor('zipBlockRight', f)(f, a.data, b.data, b.size, y);
    return out;
  }
  if (aFlat && bFlat && b.size === y.length && isTrailingBlock(a.shape, shape)) {
    loopFor('zipBlockLeft', f)(f, a.data, b.data, a.size, y);
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
  loopFor('zip3', f)(f, x0, x1, x2, out.data);
  return out;
}

/**
 * General strided path: `a` and `b` are views of the output's shape (possibly stride 0).
 * The odometer advances the outer axes; the innermost axis is a tight loop.
 */
function walk2(a: Nd, b: Nd, y: Float32Array | Float64Array, f: Binary): void {
  // 0-d (two 0-d views away from their buffers' starts): one row of one element, read at the
  // offsets; the steps (undefined for 0-d) are only added after that element is read
  const shape = a.shape.length === 0 ? [1] : a.shape;
  const sa = a.stride;
  const sb = b.stride;
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
