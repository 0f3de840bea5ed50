// Elementwise unary ops with their exact derivatives. (Activations, whose derivative is a
// swappable rule, live in src/activations instead.)
import * as nd from '../nd';
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import { defineOp, record } from './record';
import { tensorArg } from './args';
import { validator } from '../validate';

interface XY {
  x: nd.Nd;
  y: nd.Nd;
}

/** Backward g·f'(x, y) for an elementwise op, in one fused loop. */
function elementwise(name: string, derivative: (x: number, y: number) => number) {
  return defineOp<XY>(name, (g, { x, y }) => [nd.zip3(g, x, y, (gv, xv, yv) => gv * derivative(xv, yv))]);
}

const negOp = elementwise('neg', () => -1);
/** Elementwise negation, −a. */
export function neg(a: Tensor): Tensor {
  tensorArg('neg', 'a', a);
  const y = nd.map(a.data, (v) => -v);
  return record(negOp, [a], y, { x: a.data, y });
}

const expOp = elementwise('exp', (_x, y) => y);
/** Elementwise eᵃ. */
export function exp(a: Tensor): Tensor {
  tensorArg('exp', 'a', a);
  const y = nd.map(a.data, Math.exp);
  return record(expOp, [a], y, { x: a.data, y });
}

const logOp = elementwise('log', (x) => 1 / x);
/** Elementwise natural logarithm. */
export function log(a: Tensor): Tensor {
  tensorArg('log', 'a', a);
  const y = nd.map(a.data, Math.log);
  return record(logOp, [a], y, { x: a.data, y });
}

const sqrtOp = elementwise('sqrt', (_x, y) => 0.5 / y);
/** Elementwise square root. */
export function sqrt(a: Tensor): Tensor {
  tensorArg('sqrt', 'a', a);
  const y = nd.map(a.data, Math.sqrt);
  return record(sqrtOp, [a], y, { x: a.data, y });
}

// |x|' = sign(x), with 0 at 0 (the subgradient PyTorch picks)
const absOp = elementwise('abs', (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
/** Elementwise |a|; the gradient at 0 is 0, as PyTorch. */
export function abs(a: Tensor): Tensor {
  tensorArg('abs', 'a', a);
  const y = nd.map(a.data, Math.abs);
  return record(absOp, [a], y, { x: a.data, y });
}

const squareOp = elementwise('square', (x) => 2 * x);
/** Elementwise a². */
export function square(a: Tensor): Tensor {
  tensorArg('square', 'a', a);
  const y = nd.map(a.data, (v) => v * v);
  return record(squareOp, [a], y, { x: a.data, y });
}

// clamp passes the gradient where min ≤ x ≤ max (inclusive at the bounds, as PyTorch does)
interface ClampSaved extends XY {
  lo: number;
  hi: number;
}
const clampOp = defineOp<ClampSaved>('clamp', (g, { x, lo, hi }) => [
  nd.zip(g, x, (gv, xv) => (xv >= lo && xv <= hi ? gv : 0)),
]);
/** Limit values to [min, max]; either bound may be null for "none". */
export function clamp(a: Tensor, min: number | null, max: number | null = null): Tensor {
  tensorArg('clamp', 'a', a);
  if (min !== null && min !== undefined) validator('clamp').number('min', min, { allowInfinity: true });
  if (max !== null && max !== undefined) validator('clamp').number('max', max, { allowInfinity: true });
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new ArgumentError(`clamp: min (${min}) must not exceed max (${max})`);
  }
  const y = nd.map(a.data, (v) => (v < lo ? lo : v > hi ? hi : v));
  return record(clampOp, [a], y, { x: a.data, y, lo, hi });
}

// clone: a copy with its own storage; identity gradient
const cloneOp = defineOp<null>('clone', (g) => [g]);
/** A copy with its own storage; gradients flow through unchanged. */
export function clone(a: Tensor): Tensor {
  tensorArg('clone', 'a', a);
  return record(cloneOp, [a], nd.copy(a.data), null);
}

// cast: a copy in another dtype; the gradient goes back in the source dtype
const castOp = defineOp<nd.Dtype>('cast', (g, dtype) => [nd.copy(g, dtype)]);
/** A copy in another dtype; the gradient goes back in the source dtype. */
export function cast(a: Tensor, dtype: nd.Dtype): Tensor {
  tensorArg('cast', 'a', a);
  if (!nd.isDtype(dtype)) {
    throw new ArgumentError(`cast: unknown dtype '${String(dtype)}'; use one of ${nd.DTYPES.join(', ')}`);
  }
  return record(castOp, [a], nd.copy(a.data, dtype), a.dtype);
}
