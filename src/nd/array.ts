// The only doorway to ndarray and ndarray-ops. Everything above this layer speaks the small
// vocabulary exported from `src/nd/index.ts`: allocation by dtype, contiguous buffers,
// strided views, broadcasting and its adjoint, reductions and the matmul kernel.
import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { NdArray } from 'ndarray';

/** The element type of a tensor: 'float32' (the default) or 'float64'. */
export type Dtype = 'float32' | 'float64';
/** A Float32Array or a Float64Array. */
export type FloatArray = Float32Array | Float64Array;
/** An ndarray over a float typed array: the storage of every tensor. */
export type Nd = NdArray<FloatArray>;

export const DTYPES: readonly Dtype[] = ['float32', 'float64'];

export function isDtype(value: unknown): value is Dtype {
  return value === 'float32' || value === 'float64';
}

export function dtypeOf(a: Nd): Dtype {
  return a.data instanceof Float64Array ? 'float64' : 'float32';
}

/** float64 wins when the two differ, as in NumPy and PyTorch. */
export function promote(a: Dtype, b: Dtype): Dtype {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function alloc(dtype: Dtype, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = s;
    s *= shape[d];
  }
  return stride;
}

/** A contiguous (C-order) ndarray over `data`. */
export function wrap(data: FloatArray, shape: readonly number[]): Nd {
  return make(data, shape, stridesOf(shape), 0);
}

/** A strided view over `data`: the strides and offset are the caller's to get right. */
export function view(data: FloatArray, shape: readonly number[], stride: readonly number[], offset: number): Nd {
  return make(data, shape, stride, offset);
}

/** ndarray's view class for one rank: new View(data, shape..., stride..., offset). */
type ViewClass = new (data: FloatArray, ...shapeStrideOffset: number[]) => Nd;

/** The view class per rank (1–4), per element type, taken from the first array ndarray made of it. */
const viewClasses = { float32: [] as (ViewClass | undefined)[], float64: [] as (ViewClass | undefined)[] };

/**
 * ndarray(data, shape, stride, offset), without ndarray's per-call detection of the element type
 * (an is-buffer test and an Object.prototype.toString switch: ~4 % of a small net's training
 * step): after the first array of a rank and type, its class is constructed directly.
 */
function make(data: FloatArray, shape: readonly number[], stride: readonly number[], offset: number): Nd {
  const rank = shape.length;
  const classes = data instanceof Float64Array ? viewClasses.float64 : viewClasses.float32;
  const View = classes[rank];
  switch (View === undefined ? -1 : rank) {
    case 1:
      return new (View as ViewClass)(data, shape[0], stride[0], offset);
    case 2:
      return new (View as ViewClass)(data, shape[0], shape[1], stride[0], stride[1], offset);
    case 3:
      return new (View as ViewClass)(data, shape[0], shape[1], shape[2], stride[0], stride[1], stride[2], offset);
    case 4:
      return new (View as ViewClass)(data, shape[0], shape[1], shape[2], shape[3], stride[0], stride[1], stride[2], stride[3], offset);
  }
  const made = ndarray(data, shape.slice(), stride.slice(), offset);
  if (rank >= 1 && rank <= 4) classes[rank] = made.constructor as ViewClass;
  return made;
}

/** A new zero-filled contiguous array. */
export function zeros(shape: readonly number[], dtype: Dtype): Nd {
  return wrap(alloc(dtype, sizeOf(shape)), shape);
}

export function full(shape: readonly number[], value: number, dtype: Dtype): Nd {
  const out = zeros(shape, dtype);
  if (value !== 0) out.data.fill(value);
  return out;
}

/** True when `a` is laid out in C order with no gaps and starts at the beginning of its buffer. */
export function isContiguous(a: Nd): boolean {
  if (a.offset !== 0 || a.data.length !== a.size) return false;
  let s = 1;
  for (let d = a.shape.length - 1; d >= 0; d--) {
    if (a.shape[d] !== 1 && a.stride[d] !== s) return false;
    s *= a.shape[d];
  }
  return true;
}

/** `a` itself when it is contiguous, otherwise a contiguous copy. */
export function contiguous(a: Nd): Nd {
  return isContiguous(a) ? a : copy(a);
}

/** Always a fresh contiguous copy (of dtype `dtype` if given). */
export function copy(a: Nd, dtype: Dtype = dtypeOf(a)): Nd {
  const out = zeros(a.shape, dtype);
  if (a.size === 0) return out;
  if (isContiguous(a)) out.data.set(a.data);
  else ops.assign(out, a);
  return out;
}

/** A view of `a` with a new shape; copies only when `a` is not contiguous. */
export function reshape(a: Nd, shape: readonly number[]): Nd {
  return wrap(contiguous(a).data, shape);
}

/** A view with axes reordered: no data moves. */
export function permute(a: Nd, axes: readonly number[]): Nd {
  return view(
    a.data,
    axes.map((ax) => a.shape[ax]),
    axes.map((ax) => a.stride[ax]),
    a.offset,
  );
}

/** A stride-0 view of `a` that reads as `shape` (NumPy broadcasting rules, already checked). */
export function broadcastTo(a: Nd, shape: readonly number[]): Nd {
  const lead = shape.length - a.shape.length;
  const stride = shape.map((dim, d) => {
    const src = d - lead;
    if (src < 0 || a.shape[src] === 1) return 0;
    return a.stride[src];
  });
  return view(a.data, shape, stride, a.offset);
}

/** `dst += src`, both the same shape; src may be strided, dst must be contiguous. */
export function addInto(dst: Nd, src: Nd): void {
  if (isContiguous(src)) {
    const d = dst.data;
    const s = src.data;
    for (let i = 0; i < d.length; i++) d[i] += s[i];
  } else {
    ops.addeq(dst, src);
  }
}

/** Flat values of a (possibly strided) array in C order, as a plain array of numbers. */
export function toFlatArray(a: Nd): number[] {
  return Array.from(contiguous(a).data);
}

/** `dst = src`, both the same shape; src may be strided, dst must be contiguous. */
export function assignInto(dst: Nd, src: Nd): void {
  if (isContiguous(src)) dst.data.set(src.data);
  else ops.assign(dst, src);
}
