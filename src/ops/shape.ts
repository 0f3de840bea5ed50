// Ops that rearrange values without changing them. transpose, permute, squeeze, unsqueeze and
// slice return views that share the input's storage (no data moves), as does reshape of a
// contiguous tensor; concat and stack copy into a new tensor. Each backward moves the gradient
// back to the input's layout: views of the gradient where possible, copies where not.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { describeValue } from '../validate';
import { type Axis, defineOp, normalizeAxes, normalizeAxis, record } from './record';
import { axisArg, tensorArg } from './args';

/** One axis of a slice: [start, end, step], each optional, Python's rules. */
export type SliceRange = readonly [start?: number, end?: number, step?: number];

// ---- reshape / flatten: the gradient is reshaped back ----
const reshapeBackward = (g: nd.Nd, shape: readonly number[]): nd.Nd[] => [nd.reshape(g, shape)];
const reshapeOp = defineOp<readonly number[]>('reshape', reshapeBackward);
const flattenOp = defineOp<readonly number[]>('flatten', reshapeBackward);

/** The same values in a new shape; one entry may be -1 (inferred). A view when `a` is contiguous. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  tensorArg('reshape', 'a', a);
  const target = resolveShape(a, shape);
  return record(reshapeOp, [a], nd.reshape(a.data, target), a.shape);
}

function resolveShape(a: Tensor, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ArgumentError(`reshape: shape must be an array of non-negative integers (one may be -1), got ${JSON.stringify(shape)}`);
  }
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new ArgumentError(`reshape: only one dimension can be -1, got ${formatShape(shape)}`);
  const known = nd.sizeOf(shape.filter((d) => d !== -1));
  const mismatch = (): ShapeError =>
    new ShapeError(
      `reshape: cannot reshape a tensor of shape ${formatShape(a.shape)} (${a.size} elements) into ${formatShape(shape)}` +
        (unknown === 0 ? ` (${known} elements)` : ` (${a.size} is not a multiple of ${known})`),
    );
  if (unknown === 0) {
    if (known !== a.size) throw mismatch();
    return [...shape];
  }
  if (known === 0 || a.size % known !== 0) throw mismatch();
  return shape.map((d) => (d === -1 ? a.size / known : d));
}

/** Merge axes startDim..endDim (inclusive, negative counts from the end) into one. */
export function flatten(a: Tensor, startDim = 0, endDim = -1): Tensor {
  tensorArg('flatten', 'a', a);
  const rank = Math.max(a.ndim, 1);
  const shape = a.ndim === 0 ? [1] : a.shape;
  const start = normalizeAxis('flatten', startDim, rank);
  const end = normalizeAxis('flatten', endDim, rank);
  if (start > end) {
    throw new ArgumentError(`flatten: startDim (${startDim}) comes after endDim (${endDim}) for a tensor of shape ${formatShape(a.shape)}`);
  }
  const merged = nd.sizeOf(shape.slice(start, end + 1));
  const target = [...shape.slice(0, start), merged, ...shape.slice(end + 1)];
  return record(flattenOp, [a], nd.reshape(a.data, target), a.shape);
}

// ---- transpose / permute: views; the gradient is permuted back ----
const permuteBackward = (g: nd.Nd, axes: readonly number[]): nd.Nd[] => [nd.permute(g, inversePermutation(axes))];
const transposeOp = defineOp<readonly number[]>('transpose', permuteBackward);
const permuteOp = defineOp<readonly number[]>('permute', permuteBackward);

/** Swap two axes (the last two by default): a view, no copy. */
export function transpose(a: Tensor, dim0 = -2, dim1 = -1): Tensor {
  tensorArg('transpose', 'a', a);
  if (a.ndim < 2) {
    throw new ArgumentError(
      `transpose: a tensor of shape ${formatShape(a.shape)} has fewer than 2 dimensions; there is nothing to transpose (unsqueeze it first)`,
    );
  }
  const d0 = normalizeAxis('transpose', dim0, a.ndim);
  const d1 = normalizeAxis('transpose', dim1, a.ndim);
  const axes = [...a.shape.keys()];
  axes[d0] = d1;
  axes[d1] = d0;
  return record(transposeOp, [a], nd.permute(a.data, axes), axes);
}

/** Reorder the axes: output axis i is input axis axes[i]. A view, no copy. */
export function permute(a: Tensor, axes: readonly number[]): Tensor {
  tensorArg('permute', 'a', a);
  if (!Array.isArray(axes) || axes.length !== a.ndim) {
    throw new ArgumentError(
      `permute: axes ${JSON.stringify(axes)} must list each of the ${a.ndim} axes of a tensor of shape ${formatShape(a.shape)} once`,
    );
  }
  const order = axes.map((ax) => normalizeAxis('permute', ax, a.ndim));
  if (new Set(order).size !== order.length) {
    throw new ArgumentError(`permute: axes [${axes.join(', ')}] repeat an axis; each axis must appear exactly once`);
  }
  return record(permuteOp, [a], nd.permute(a.data, order), order);
}

function inversePermutation(axes: readonly number[]): number[] {
  const inverse = new Array<number>(axes.length);
  axes.forEach((ax, i) => (inverse[ax] = i));
  return inverse;
}

// ---- squeeze / unsqueeze: views that drop or insert length-1 axes ----
const squeezeOp = defineOp<readonly number[]>('squeeze', reshapeBackward);
const unsqueezeOp = defineOp<readonly number[]>('unsqueeze', reshapeBackward);

/**
 * Drop length-1 axes: all of them, or those in `axis` (an axis listed there whose length is not
 * 1 is left alone, as in PyTorch).
 */
export function squeeze(a: Tensor, axis?: Axis): Tensor {
  tensorArg('squeeze', 'a', a);
  axisArg('squeeze', axis);
  const listed = normalizeAxes('squeeze', axis, a.ndim);
  const keep = [...a.shape.keys()].filter((d) => !(listed.includes(d) && a.shape[d] === 1));
  const data = a.data;
  const out = nd.view(data.data, keep.map((d) => data.shape[d]), keep.map((d) => data.stride[d]), data.offset);
  return record(squeezeOp, [a], out, a.shape);
}

/** Insert a length-1 axis at position `axis` (in [-ndim-1, ndim]). */
export function unsqueeze(a: Tensor, axis: number): Tensor {
  tensorArg('unsqueeze', 'a', a);
  const at = newAxis('unsqueeze', axis, a.ndim, `a tensor with ${dims(a.ndim)}`);
  const data = a.data;
  const shape = [...data.shape];
  const stride = [...data.stride];
  shape.splice(at, 0, 1);
  stride.splice(at, 0, at < data.stride.length ? data.stride[at] * data.shape[at] : 1);
  return record(unsqueezeOp, [a], nd.view(data.data, shape, stride, data.offset), a.shape);
}

// ---- slice: a strided view; the gradient is written into zeros at the same positions ----
interface SliceSaved {
  shape: readonly number[];
  starts: number[];
  steps: number[];
}
const sliceOp = defineOp<SliceSaved>('slice', (g, { shape, starts, steps }) => {
  const grad = nd.zeros(shape, nd.dtypeOf(g));
  nd.assign(region(grad, starts, steps, g.shape), g);
  return [grad];
});

/**
 * Take `ranges[d] = [start, end, step]` along each leading axis d (missing, null or undefined:
 * the whole axis). Python's rules: negative positions count from the end, out-of-range ones
 * are clamped, step ≥ 1. A view, no copy.
 */
export function slice(a: Tensor, ranges: readonly (SliceRange | null | undefined)[]): Tensor {
  if (!Array.isArray(ranges)) {
    throw new ArgumentError(`slice: ranges must be an array with one [start, end, step] per leading axis, got ${typeof ranges}`);
  }
  if (ranges.length > a.ndim) {
    throw new ArgumentError(
      `slice: ${ranges.length} ranges given for a tensor of shape ${formatShape(a.shape)} with ${a.ndim} dimensions`,
    );
  }
  const starts: number[] = [];
  const steps: number[] = [];
  const lengths: number[] = [];
  for (let d = 0; d < a.ndim; d++) {
    const [start, end, step] = resolveRange(d, a.shape[d], ranges[d]);
    starts.push(start);
    steps.push(step);
    lengths.push(Math.max(0, Math.ceil((end - start) / step)));
  }
  const out = region(a.data, starts, steps, lengths);
  return record(sliceOp, [a], out, { shape: a.shape, starts, steps });
}

/** [start, end, step] along an axis of length n, clamped to [0, n] like Python's slices. */
function resolveRange(axis: number, n: number, range: SliceRange | null | undefined): [number, number, number] {
  if (range === null || range === undefined) return [0, n, 1];
  if (!Array.isArray(range) || range.length > 3) {
    throw new ArgumentError(`slice: the range for axis ${axis} must be [start, end, step] (each optional), got ${JSON.stringify(range)}`);
  }
  const [start, end, step] = (range as readonly (number | null | undefined)[]).map((v) => v ?? undefined);
  for (const [name, v] of [['start', start], ['end', end], ['step', step]] as const) {
    if (v !== undefined && !Number.isInteger(v)) {
      throw new ArgumentError(`slice: ${name} for axis ${axis} must be an integer, got ${v}`);
    }
  }
  const s = step ?? 1;
  if (s < 1) throw new ArgumentError(`slice: step for axis ${axis} must be at least 1, got ${s}`);
  const clampIndex = (i: number): number => (i < 0 ? Math.max(i + n, 0) : Math.min(i, n));
  return [clampIndex(start ?? 0), clampIndex(end ?? n), s];
}

/** The strided view of `a` that starts at `starts` and steps by `steps`, with shape `lengths`. */
function region(a: nd.Nd, starts: readonly number[], steps: readonly number[], lengths: readonly number[]): nd.Nd {
  let offset = a.offset;
  for (let d = 0; d < starts.length; d++) offset += starts[d] * a.stride[d];
  const stride = a.stride.map((s, d) => s * steps[d]);
  return nd.view(a.data, lengths, stride, offset);
}

// ---- concat: each input's gradient is its stretch of the output's gradient ----
interface ConcatSaved {
  axis: number;
  starts: number[];
  shapes: (readonly number[])[];
}
const concatOp = defineOp<ConcatSaved>('concat', (g, { axis, starts, shapes }, needs) =>
  shapes.map((shape, i) => (needs[i] ? nd.view(g.data, shape, g.stride, g.offset + starts[i] * g.stride[axis]) : null)),
);

/** Join tensors along an existing axis; all other axes must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkList('concat', tensors);
  const first = tensors[0];
  if (first.ndim === 0) {
    throw new ShapeError('concat: 0-d tensors cannot be concatenated; use stack, or unsqueeze them first');
  }
  const ax = normalizeAxis('concat', axis, first.ndim);
  tensors.forEach((t, i) => {
    const fits = t.ndim === first.ndim && t.shape.every((d, k) => k === ax || d === first.shape[k]);
    if (!fits) {
      throw new ShapeError(
        `concat: tensor ${i} has shape ${formatShape(t.shape)}, but tensor 0 has shape ${formatShape(first.shape)}; ` +
          `all dimensions except axis ${ax} must match`,
      );
    }
  });
  const starts: number[] = [];
  let length = 0;
  for (const t of tensors) {
    starts.push(length);
    length += t.shape[ax];
  }
  const shape = [...first.shape];
  shape[ax] = length;
  const out = nd.zeros(shape, promoteAll(tensors));
  tensors.forEach((t, i) => {
    nd.assign(nd.view(out.data, t.shape, out.stride, starts[i] * out.stride[ax]), t.data);
  });
  return record(concatOp, tensors, out, { axis: ax, starts, shapes: tensors.map((t) => t.shape) });
}

// ---- stack: each input's gradient is its slab of the output's gradient ----
interface StackSaved {
  axis: number;
  shape: readonly number[];
}
const stackOp = defineOp<StackSaved>('stack', (g, { axis, shape }, needs) => {
  const stride = g.stride.filter((_, d) => d !== axis);
  return needs.map((need, i) => (need ? nd.view(g.data, shape, stride, g.offset + i * g.stride[axis]) : null));
});

/** Join tensors of one shape along a new axis at position `axis` (in [-ndim-1, ndim]). */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkList('stack', tensors);
  const first = tensors[0];
  const ax = newAxis('stack', axis, first.ndim, `tensors with ${dims(first.ndim)} (the result has ${first.ndim + 1})`);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new ShapeError(
        `stack: tensor ${i} has shape ${formatShape(t.shape)}, but tensor 0 has shape ${formatShape(first.shape)}; ` +
          'stack needs tensors of one shape',
      );
    }
  });
  const shape = [...first.shape];
  shape.splice(ax, 0, tensors.length);
  const out = nd.zeros(shape, promoteAll(tensors));
  const slabStride = out.stride.filter((_, d) => d !== ax);
  tensors.forEach((t, i) => {
    nd.assign(nd.view(out.data, first.shape, slabStride, i * out.stride[ax]), t.data);
  });
  return record(stackOp, tensors, out, { axis: ax, shape: first.shape });
}

/**
 * Where a new axis goes in a result with one more dimension than `ndim`: an integer in
 * [−ndim−1, ndim], made non-negative. The message speaks of the input's dimensions (`what`).
 */
function newAxis(op: string, axis: number, ndim: number, what: string): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -ndim - 1 || axis > ndim) {
    throw new ArgumentError(`${op}: axis ${describeValue(axis)} is out of range for ${what}; a new axis goes at ${-ndim - 1}..${ndim}`);
  }
  return axis < 0 ? axis + ndim + 1 : axis;
}

function dims(n: number): string {
  return n === 1 ? '1 dimension' : `${n} dimensions`;
}

function checkList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ArgumentError(`${op}: expected a non-empty array of tensors`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ArgumentError(`${op}: element ${i} is not a Tensor`);
  });
}

function promoteAll(tensors: readonly Tensor[]): nd.Dtype {
  return tensors.reduce<nd.Dtype>((dtype, t) => nd.promote(dtype, t.dtype), tensors[0].dtype);
}
