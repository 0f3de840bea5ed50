// Reductions over any set of axes, and `unbroadcast`, the adjoint of broadcasting that every
// binary op's backward uses. Sums accumulate in float64 whatever the dtype.
import { type Dtype, type Nd, dtypeOf, reshape, sizeOf, stridesOf, wrap, alloc } from './array';
import { acquire, release } from './pool';
import { sumRowsInto } from './wasm';

export type ReduceKind = 'sum' | 'max' | 'min';

/**
 * Reduce `a` over `axes` (already normalised: distinct, in [0, ndim)). The result keeps the
 * reduced axes with length 1 ("keepDims" form); callers reshape to drop them.
 */
export function reduce(a: Nd, axes: readonly number[], kind: ReduceKind, dtype: Dtype = dtypeOf(a)): Nd {
  const ndim = a.shape.length;
  const reduced = new Array<boolean>(ndim).fill(false);
  for (const ax of axes) reduced[ax] = true;
  const outShape = a.shape.map((d, i) => (reduced[i] ? 1 : d));
  const outStride = stridesOf(outShape).map((s, i) => (reduced[i] ? 0 : s));
  const init = kind === 'sum' ? 0 : kind === 'max' ? -Infinity : Infinity;
  const acc = new Float64Array(sizeOf(outShape)).fill(init);

  if (a.size > 0) {
    if (ndim === 0) acc[0] = a.data[a.offset];
    else accumulate(a, outStride, acc, kind);
  }

  const out = alloc(dtype, acc.length);
  out.set(acc);
  return wrap(out, outShape);
}

/** Walk `a` in C order; inner loop over the last axis, odometer over the others. */
function accumulate(a: Nd, outStride: readonly number[], acc: Float64Array, kind: ReduceKind): void {
  const shape = a.shape;
  const ndim = shape.length;
  const last = ndim - 1;
  const n = shape[last];
  const inStep = a.stride[last];
  const outStep = outStride[last];
  const x = a.data;
  const index = new Array<number>(ndim).fill(0);
  let inOff = a.offset;
  let outOff = 0;
  const rows = a.size / n;
  for (let r = 0; r < rows; r++) {
    let i = inOff;
    let o = outOff;
    if (kind === 'sum') {
      if (outStep === 0) {
        let s = 0;
        for (let j = 0; j < n; j++, i += inStep) s += x[i];
        acc[o] += s;
      } else {
        for (let j = 0; j < n; j++, i += inStep, o += outStep) acc[o] += x[i];
      }
    } else if (kind === 'max') {
      for (let j = 0; j < n; j++, i += inStep, o += outStep) {
        const v = x[i];
        if (v > acc[o] || v !== v) acc[o] = v; // NaN propagates, as in PyTorch
      }
    } else {
      for (let j = 0; j < n; j++, i += inStep, o += outStep) {
        const v = x[i];
        if (v < acc[o] || v !== v) acc[o] = v;
      }
    }
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      inOff += a.stride[d];
      outOff += outStride[d];
      if (index[d] < shape[d]) break;
      inOff -= a.stride[d] * shape[d];
      outOff -= outStride[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * Sum a gradient `g` (of the broadcast shape) back to `shape`, the shape of the input that was
 * broadcast. This is the one place the adjoint of broadcasting is written.
 */
export function unbroadcast(g: Nd, shape: readonly number[]): Nd {
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let d = 0; d < g.shape.length; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) axes.push(d);
  }
  if (axes.length === 0 && lead === 0) return g;
  return reshape(reduce(g, axes, 'sum'), shape);
}

/**
 * The column sums of a matrix `g` [n, m] (a bias gradient) as a pooled [m] array, in one pass
 * over g's rows (float64 running sums, as every sum here).
 */
export function sumRowsPooled(g: Nd, m: number): Nd {
  const dtype = dtypeOf(g);
  const n = g.shape[0];
  if (g.stride[1] === 1 && g.stride[0] === m) {
    // contiguous float32 rows: the WASM SIMD kernel adds the same float64 sums in the same order
    const out = acquire(dtype, m);
    if (sumRowsInto(out, g.data, g.offset, n, m)) return wrap(out, [m]);
    release(out);
  }
  const acc = new Float64Array(m);
  const x = g.data;
  const rowStride = g.stride[0];
  const colStride = g.stride[1];
  let off = g.offset;
  if (colStride === 1) {
    for (let r = 0; r < n; r++, off += rowStride) for (let j = 0; j < m; j++) acc[j] += x[off + j];
  } else {
    for (let r = 0; r < n; r++, off += rowStride) for (let j = 0; j < m; j++) acc[j] += x[off + j * colStride];
  }
  const out = acquire(dtype, m);
  out.set(acc);
  return wrap(out, [m]);
}
