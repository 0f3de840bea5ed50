// Argument checking shared by the convolution and pooling ops: per-axis integers (a number or
// one per spatial axis), padding modes, option keys, and the output size of a sliding window.
// Every check throws before anything is computed or recorded.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';

/** One number for every spatial axis, or one per axis ([h, w] for 2-D ops). */
export type SpatialArg = number | readonly number[];

/** Refuses keys of `options` that are not in `allowed`, naming them and the valid ones. */
export function checkKeys(op: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`${op}: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ArgumentError(`${op}: unknown option '${key}'; valid options: ${allowed.join(', ')}`);
    }
  }
}

/**
 * `value` as `dims` integers ≥ `min` (a number is repeated for every axis). `name` and `op`
 * appear in the error.
 */
export function perAxis(op: string, name: string, value: SpatialArg, dims: number, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : Array.isArray(value) ? [...(value as number[])] : null;
  const what = min === 0 ? 'non-negative integer' : 'positive integer';
  const hint = dims === 1 ? `a ${what}` : `a ${what} or ${dims} of them (one per spatial axis)`;
  if (list === null || list.length !== dims || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
    throw new ArgumentError(`${op}: ${name} must be ${hint}, got ${JSON.stringify(value)}`);
  }
  return list;
}

export function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
}

/**
 * The output length of a window of `kernel` taps `dilation` apart sliding by `stride` over
 * `size + padBefore + padAfter` elements (with ceilMode, the last partial step counts when it
 * starts inside the input or the leading padding, as PyTorch). Throws when the (dilated) kernel
 * is larger than the padded input.
 */
export function windowCount(
  op: string, axis: string, size: number, kernel: number, stride: number,
  padBefore: number, padAfter: number, dilation: number, ceilMode: boolean, inputShape: readonly number[],
): number {
  const span = dilation * (kernel - 1) + 1;
  const padded = size + padBefore + padAfter;
  if (span > padded) {
    throw new ShapeError(
      `${op}: the kernel spans ${span} along ${axis} (kernel ${kernel}, dilation ${dilation}) but the padded input is only ${padded} ` +
        `long (input ${formatShape(inputShape)}, padding ${padBefore}+${padAfter}); use a smaller kernel or dilation, or more padding`,
    );
  }
  const steps = (padded - span) / stride;
  let count = (ceilMode ? Math.ceil(steps) : Math.floor(steps)) + 1;
  if (ceilMode && (count - 1) * stride >= size + padBefore) count--;
  if (count < 1) {
    throw new ShapeError(`${op}: the output would have ${count} elements along ${axis} for input ${formatShape(inputShape)}; use a larger input or less stride`);
  }
  return count;
}
