// softmax and logSoftmax along one axis. Both subtract the maximum before exponentiating, and
// both have fused backwards that never build the Jacobian:
//   softmax:    dx = y · (g − Σ g·y)
//   logSoftmax: dx = g − softmax(x) · Σ g      (softmax(x) = exp(y))
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import { defineOp, normalizeAxis, record } from './record';
import { tensorArg } from './args';

interface SoftmaxSaved {
  y: nd.Nd;
  axis: number;
  /** The input's shape (y is 1-D for a 0-d input). */
  shape: readonly number[];
}

const softmaxOp = defineOp<SoftmaxSaved>('softmax', (g, { y, axis, shape }) => [
  nd.wrap(nd.softmaxBackward(g, y, axis, false).data, shape),
]);
/** exp(x) / Σ exp(x) along `axis` (the last by default). */
export function softmax(a: Tensor, axis = -1): Tensor {
  tensorArg('softmax', 'a', a);
  return normalized(a, axis, false);
}

const logSoftmaxOp = defineOp<SoftmaxSaved>('logSoftmax', (g, { y, axis, shape }) => [
  nd.wrap(nd.softmaxBackward(g, y, axis, true).data, shape),
]);
/** x − logsumexp(x) along `axis` (the last by default): the log of softmax, computed stably. */
export function logSoftmax(a: Tensor, axis = -1): Tensor {
  tensorArg('logSoftmax', 'a', a);
  return normalized(a, axis, true);
}

function normalized(a: Tensor, axis: number, log: boolean): Tensor {
  const op = log ? logSoftmaxOp : softmaxOp;
  const ax = normalizeAxis(op.name, axis, a.ndim);
  // a 0-d tensor is a single class: softmax 1, logSoftmax 0
  const x = a.ndim === 0 ? nd.reshape(a.data, [1]) : a.data;
  const y = nd.softmax(x, ax, log);
  const out = a.ndim === 0 ? nd.reshape(y, []) : y;
  return record(op, [a], out, { y, axis: ax, shape: a.shape });
}
