// Kernels that move values by position: assignment into strided views (slice and concat
// backward/forward), gather and its adjoint scatter-add along one axis, and arg-reductions.
// Inputs may be strided views; results are fresh contiguous arrays.
import ops from 'ndarray-ops';
import { type Dtype, type Nd, contiguous, dtypeOf, sizeOf, zeros } from './array';

/** `dst[...] = src[...]`, both the same shape; `dst` may be a strided view into a larger buffer. */
export function assign(dst: Nd, src: Nd): void {
  if (dst.size === 0) return;
  if (dst.shape.length === 0) {
    dst.data[dst.offset] = src.data[src.offset];
    return;
  }
  ops.assign(dst, src);
}

/** A C-order array of `shape` seen as outer × n × inner around `axis`. */
export interface AxisSplit {
  outer: number;
  n: number;
  inner: number;
}

export function splitAxis(shape: readonly number[], axis: number): AxisSplit {
  return {
    outer: sizeOf(shape.slice(0, axis)),
    n: shape[axis],
    inner: sizeOf(shape.slice(axis + 1)),
  };
}

/**
 * The position (as a float) of the first largest (`'max'`) or smallest (`'min'`) value along
 * `axis`, or over the flattened array when `axis` is null. NaN counts as the extreme, as in
 * NumPy and PyTorch. The result has the keepDims shape (all ones when `axis` is null). Every
 * reduced run must be non-empty (callers check).
 */
export function argReduce(a: Nd, axis: number | null, kind: 'max' | 'min'): Nd {
  const x = contiguous(a).data;
  const { outer, n, inner } = axis === null ? { outer: 1, n: a.size, inner: 1 } : splitAxis(a.shape, axis);
  const outShape = a.shape.map((d, i) => (axis === null || i === axis ? 1 : d));
  const out = zeros(outShape, dtypeOf(a));
  const y = out.data;
  const sign = kind === 'max' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      let bestValue = sign * x[base];
      if (bestValue === bestValue) {
        for (let k = 1, p = base + inner; k < n; k++, p += inner) {
          const v = sign * x[p];
          if (v !== v) {
            best = k;
            break;
          }
          if (v > bestValue) {
            best = k;
            bestValue = v;
          }
        }
      }
      y[o * inner + i] = best;
    }
  }
  return out;
}

/**
 * Visit `shape` (rank ≥ 1) in C order one innermost row at a time: `visit(flat, pos)` gets the
 * flat C-order index of the row's first element and the position `Σ index[d]·stride[d]` (plus
 * `offset`) of that element in a strided array.
 */
function forEachRow(
  shape: readonly number[],
  stride: readonly number[],
  offset: number,
  visit: (flat: number, pos: number) => void,
): void {
  const total = sizeOf(shape);
  if (total === 0) return;
  const last = shape.length - 1;
  const n = shape[last];
  const index = new Array<number>(shape.length).fill(0);
  let pos = offset;
  for (let flat = 0; flat < total; flat += n) {
    visit(flat, pos);
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      pos += stride[d];
      if (index[d] < shape[d]) break;
      pos -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * PyTorch's gather: out[i][j][k] = a[i][index[i][j][k]][k] for axis 1 (likewise for any axis).
 * `index` has a's rank and holds integers already checked to lie in [0, a.shape[axis]); its
 * other axes are at most a's. The output has index's shape.
 */
export function gather(a: Nd, axis: number, index: Nd): Nd {
  const idx = contiguous(index);
  const out = zeros(idx.shape, dtypeOf(a));
  const y = out.data;
  const ix = idx.data;
  const x = a.data;
  const rank = idx.shape.length;
  const walkStride = a.stride.map((s, d) => (d === axis ? 0 : s));
  const axisStride = a.stride[axis];
  const n = idx.shape[rank - 1];
  const step = walkStride[rank - 1];
  forEachRow(idx.shape, walkStride, a.offset, (flat, pos) => {
    for (let j = 0, p = pos; j < n; j++, p += step) y[flat + j] = x[p + ix[flat + j] * axisStride];
  });
  return out;
}

/**
 * The adjoint of `gather`: a zero array of `shape` into which each value of `g` (index's shape)
 * is added at the position gather read it from. Repeated indices accumulate.
 */
export function scatterAdd(shape: readonly number[], axis: number, index: Nd, g: Nd, dtype: Dtype = dtypeOf(g)): Nd {
  const idx = contiguous(index);
  const src = contiguous(g).data;
  const out = zeros(shape, dtype);
  const y = out.data;
  const ix = idx.data;
  const rank = idx.shape.length;
  const walkStride = out.stride.map((s, d) => (d === axis ? 0 : s));
  const axisStride = out.stride[axis];
  const n = idx.shape[rank - 1];
  const step = walkStride[rank - 1];
  forEachRow(idx.shape, walkStride, 0, (flat, pos) => {
    for (let j = 0, p = pos; j < n; j++, p += step) y[p + ix[flat + j] * axisStride] += src[flat + j];
  });
  return out;
}
