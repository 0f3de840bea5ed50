// What every op file uses: turning numbers into tensors, checking broadcast shapes, and
// recording the op on the tape when one of its inputs requires grad.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor, type TensorLike } from '../tensor';
import { type BackwardFn, appendRecord, shouldRecord } from '../autograd/tape';
import { anomalyEnabled, anomalyOnRecord } from '../autograd/anomaly'; // ANOMALY MODE (issue 12)

/** An op's identity on the tape: its name and its exact backward. */
export interface OpDef<S> {
  readonly name: string;
  readonly backward: BackwardFn<S>;
}

export function defineOp<S>(name: string, backward: BackwardFn<S>): OpDef<S> {
  return { name, backward };
}

/**
 * Wrap `out` in a tensor and, when an input requires grad (and grad mode is on), append a tape
 * record. `rule`/`backward` default to the op's exact backward; activations pass their own.
 */
export function record<S>(
  op: OpDef<S>,
  inputs: readonly Tensor[],
  out: nd.Nd,
  saved: S,
  rule = 'exact',
  backward: BackwardFn<S> = op.backward,
): Tensor {
  if (anomalyEnabled) anomalyOnRecord(op.name, rule, inputs, out); // ANOMALY MODE (issue 12): checks the output, keeps the call stack
  if (!shouldRecord(inputs)) return new Tensor(out);
  const result = new Tensor(out, true, false);
  appendRecord(op.name, rule, backward, inputs, result, saved);
  return result;
}

/**
 * An op's output on a path that skips record() because nothing is recorded (no input requires grad,
 * or grad mode is off): anomaly mode still checks it, as record() would. Zero cost with the mode off.
 */
export function unrecorded(op: string, rule: string, inputs: readonly Tensor[], out: nd.Nd): Tensor {
  if (anomalyEnabled) anomalyOnRecord(op, rule, inputs, out); // ANOMALY MODE (issue 12)
  return new Tensor(out);
}

/** A number becomes a 0-d tensor of `dtype`; a tensor passes through. */
export function asTensor(x: TensorLike, dtype: nd.Dtype, op: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') {
    throw new ArgumentError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
  }
  const data = nd.alloc(dtype, 1);
  data[0] = x;
  return new Tensor(nd.wrap(data, []));
}

/** Both operands of a binary op as tensors, with their broadcast shape checked. */
export function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, number[]] {
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  const ta = asTensor(a, dtype, op);
  const tb = asTensor(b, dtype, op);
  const shape = nd.broadcastShapes(ta.shape, tb.shape);
  if (shape === null) {
    throw new ShapeError(
      `${op}: shapes ${formatShape(ta.shape)} and ${formatShape(tb.shape)} cannot be broadcast together ` +
        '(trailing dimensions must be equal or 1); reshape or unsqueeze one of them',
    );
  }
  return [ta, tb, shape];
}

/** An axis or axes of a reduction; negative values count from the end. */
export type Axis = number | readonly number[];

/** Axes as distinct non-negative integers, sorted; all axes when `axis` is undefined. */
export function normalizeAxes(op: string, axis: Axis | undefined, ndim: number): number[] {
  if (axis === undefined) return [...Array(ndim).keys()];
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((ax) => normalizeAxis(op, ax, ndim));
  if (new Set(out).size !== out.length) {
    throw new ArgumentError(`${op}: axis [${list}] repeats an axis`);
  }
  return out.sort((p, q) => p - q);
}

/** One axis in [-ndim, ndim) made non-negative. */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1);
  if (!Number.isInteger(axis) || axis < lo || axis >= hi) {
    throw new ArgumentError(`${op}: axis ${axis} is out of range for a tensor with ${ndim} dimensions (use ${lo}..${hi - 1})`);
  }
  return axis < 0 ? axis + Math.max(ndim, 1) : axis;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (wrap it with tensor(...))';
  return typeof x;
}
