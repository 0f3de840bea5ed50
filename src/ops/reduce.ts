// Reductions over one, several or all axes (`axis` undefined = all, giving a 0-d tensor), with
// `keepDims` to keep the reduced axes as length 1. Each backward spreads the gradient back over
// the reduced axes by broadcasting the keepDims-shaped gradient to the input's shape.
import * as nd from '../nd';
import { ArgumentError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { type Axis, defineOp, normalizeAxes, normalizeAxis, record } from './record';
import { axisArg, tensorArg } from './args';

interface ReduceSaved {
  x: nd.Nd;
  /** The reduced axes, kept as length 1: the shape `g` is viewed in before broadcasting. */
  kept: number[];
}

/** The output: the keepDims-shaped result, or the same values with the reduced axes dropped. */
function finish(kept: nd.Nd, axes: readonly number[], keepDims: boolean): nd.Nd {
  if (keepDims) return kept;
  return nd.wrap(kept.data, kept.shape.filter((_, i) => !axes.includes(i)));
}

/** g (the output's shape) viewed in the keepDims shape and broadcast to the input's shape. */
function spread(g: nd.Nd, kept: readonly number[], shape: readonly number[]): nd.Nd {
  return nd.broadcastTo(nd.reshape(g, kept), shape);
}

/** Axes to reduce; a 0-d tensor has none, whatever `axis` says (0 and -1 are accepted). */
function axesOf(op: string, a: Tensor, axis: Axis | undefined): number[] {
  return normalizeAxes(op, axis, a.ndim).filter((ax) => ax < a.ndim);
}

function countOf(shape: readonly number[], axes: readonly number[]): number {
  let n = 1;
  for (const ax of axes) n *= shape[ax];
  return n;
}

// ---- sum: every input element gets the gradient of its sum ----
const sumOp = defineOp<ReduceSaved>('sum', (g, { x, kept }) => [nd.copy(spread(g, kept, x.shape))]);
/** Sum over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
export function sum(a: Tensor, axis?: Axis, keepDims = false): Tensor {
  tensorArg('sum', 'a', a);
  axisArg('sum', axis);
  const axes = axesOf('sum', a, axis);
  const out = nd.reduce(a.data, axes, 'sum');
  return record(sumOp, [a], finish(out, axes, keepDims), { x: a.data, kept: out.shape });
}

// ---- mean: the gradient of the sum, divided by the number of elements averaged ----
interface MeanSaved extends ReduceSaved {
  count: number;
}
const meanOp = defineOp<MeanSaved>('mean', (g, { x, kept, count }) => {
  const inv = 1 / count;
  return [nd.map(spread(g, kept, x.shape), (v) => v * inv)];
});
/** Mean over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
export function mean(a: Tensor, axis?: Axis, keepDims = false): Tensor {
  tensorArg('mean', 'a', a);
  axisArg('mean', axis);
  const axes = axesOf('mean', a, axis);
  const count = countOf(a.shape, axes);
  const total = nd.reduce(a.data, axes, 'sum');
  const inv = 1 / count;
  const out = nd.map(total, (v) => v * inv);
  return record(meanOp, [a], finish(out, axes, keepDims), { x: a.data, kept: out.shape, count });
}

// ---- max / min: the gradient goes to the extreme element; tied extremes share it evenly ----
interface ExtremeSaved extends ReduceSaved {
  axes: number[];
  /** The keepDims-shaped result. */
  y: nd.Nd;
}
const isHit = (x: number, y: number): number => (x === y || (x !== x && y !== y) ? 1 : 0);
function extremeBackward(g: nd.Nd, { x, kept, axes, y }: ExtremeSaved): nd.Nd {
  const hits = nd.zip(x, y, isHit, nd.dtypeOf(g));
  const ties = nd.reduce(hits, axes, 'sum');
  const share = nd.zip(nd.reshape(g, kept), ties, (gv, n) => gv / n);
  return nd.zip(hits, share, (h, s) => (h === 0 ? 0 : s));
}

const maxOp = defineOp<ExtremeSaved>('max', (g, saved) => [extremeBackward(g, saved)]);
/** Maximum over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
export function max(a: Tensor, axis?: Axis, keepDims = false): Tensor {
  tensorArg('max', 'a', a);
  axisArg('max', axis);
  return extreme('max', a, axis, keepDims);
}

const minOp = defineOp<ExtremeSaved>('min', (g, saved) => [extremeBackward(g, saved)]);
/** Minimum over `axis` (all axes if omitted), keeping reduced axes as size 1 if `keepDims`. */
export function min(a: Tensor, axis?: Axis, keepDims = false): Tensor {
  tensorArg('min', 'a', a);
  axisArg('min', axis);
  return extreme('min', a, axis, keepDims);
}

function extreme(kind: 'max' | 'min', a: Tensor, axis: Axis | undefined, keepDims: boolean): Tensor {
  const axes = axesOf(kind, a, axis);
  checkNotEmpty(kind, a, axes);
  const y = nd.reduce(a.data, axes, kind);
  const saved = { x: a.data, kept: y.shape, axes, y };
  return record(kind === 'max' ? maxOp : minOp, [a], finish(y, axes, keepDims), saved);
}

function checkNotEmpty(op: string, a: Tensor, axes: readonly number[]): void {
  if (countOf(a.shape, axes) === 0) {
    const which = axes.length === a.ndim ? 'all axes' : `axis ${axes.join(', ')}`;
    throw new ArgumentError(
      `${op}: cannot reduce over ${which} of a tensor of shape ${formatShape(a.shape)}: there are no elements to take the ${op} of`,
    );
  }
}

// ---- logsumexp: log Σ exp(x), stable; d/dx = exp(x − logsumexp) (the softmax) ----
interface LseSaved extends ReduceSaved {
  /** The keepDims-shaped result. */
  y: nd.Nd;
}
const logsumexpOp = defineOp<LseSaved>('logsumexp', (g, { x, kept, y }) => {
  const weights = nd.zip(x, y, (xv, yv) => (yv === -Infinity ? 0 : Math.exp(xv - yv)), nd.dtypeOf(g));
  return [nd.zip(weights, nd.reshape(g, kept), (w, gv) => w * gv)];
});
/** log Σ exp over `axis` (all axes if omitted), computed stably, as `torch.logsumexp`. */
export function logsumexp(a: Tensor, axis?: Axis, keepDims = false): Tensor {
  tensorArg('logsumexp', 'a', a);
  axisArg('logsumexp', axis);
  const axes = axesOf('logsumexp', a, axis);
  // shift by the maximum so that exp never overflows; an infinite maximum is not subtracted
  const peak = nd.map(nd.reduce(a.data, axes, 'max'), (m) => (Number.isFinite(m) ? m : 0));
  const scaled = nd.zip(a.data, peak, (x, m) => Math.exp(x - m), 'float64');
  const total = nd.reduce(scaled, axes, 'sum');
  const y = nd.zip(peak, total, (m, s) => m + Math.log(s), a.dtype);
  return record(logsumexpOp, [a], finish(y, axes, keepDims), { x: a.data, kept: y.shape, y });
}

// ---- argmax / argmin: positions, not differentiable ----
/** The position of the first largest value along `axis` (of the flattened tensor when omitted). */
export function argmax(a: Tensor, axis?: number, keepDims = false): Tensor {
  tensorArg('argmax', 'a', a);
  return argExtreme('argmax', 'max', a, axis, keepDims);
}

/** The position of the first smallest value along `axis` (of the flattened tensor when omitted). */
export function argmin(a: Tensor, axis?: number, keepDims = false): Tensor {
  tensorArg('argmin', 'a', a);
  return argExtreme('argmin', 'min', a, axis, keepDims);
}

function argExtreme(op: string, kind: 'max' | 'min', a: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis !== undefined && typeof axis !== 'number') {
    throw new ArgumentError(`${op}: axis must be a single number (or omitted for the flattened tensor), got [${String(axis)}]`);
  }
  let ax: number | null = null;
  if (axis !== undefined) {
    const checked = normalizeAxis(op, axis, a.ndim); // a 0-d tensor accepts 0 and -1
    ax = a.ndim === 0 ? null : checked;
  }
  const axes = ax === null ? [...a.shape.keys()] : [ax];
  if (countOf(a.shape, axes) === 0) {
    throw new ArgumentError(
      `${op}: cannot take the ${op} over ${ax === null ? 'all elements' : `axis ${ax}`} of a tensor of shape ${formatShape(a.shape)}: it is empty`,
    );
  }
  const out = nd.argReduce(a.data, ax, kind);
  return new Tensor(finish(out, axes, keepDims));
}
