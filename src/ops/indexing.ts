// Selecting values by position or by mask. `gather` picks along an axis with an index tensor
// (PyTorch semantics); `where` chooses between two tensors elementwise. Indices and masks are
// data, never differentiated.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor, type TensorLike } from '../tensor';
import { asTensor, defineOp, normalizeAxis, record } from './record';
import { tensorArg } from './args';

// ---- gather: the gradient is scatter-added back; repeated indices accumulate ----
interface GatherSaved {
  shape: readonly number[];
  axis: number;
  index: nd.Nd;
}
const gatherOp = defineOp<GatherSaved>('gather', (g, { shape, axis, index }) => [
  nd.reshape(nd.scatterAdd(shape.length === 0 ? [1] : shape, axis, index, g), shape),
]);

/**
 * out[i][j][k] = a[i][index[i][j][k]][k] for axis 1, and likewise for any axis. `index` holds
 * integers (stored as floats), has as many dimensions as `a`, and is no larger than `a` along
 * the other axes; the output has index's shape. Only `a` gets a gradient.
 */
export function gather(a: Tensor, axis: number, index: Tensor): Tensor {
  tensorArg('gather', 'a', a);
  tensorArg('gather', 'index', index);
  if (!(index instanceof Tensor)) {
    throw new ArgumentError('gather: index must be a Tensor of integer positions (stored as floats)');
  }
  if (index.ndim !== a.ndim) {
    throw new ShapeError(
      `gather: index has shape ${formatShape(index.shape)} but the input has shape ${formatShape(a.shape)}; ` +
        'they must have the same number of dimensions',
    );
  }
  const ax = normalizeAxis('gather', axis, a.ndim);
  // a 0-d input is gathered as a length-1 vector
  const source = a.ndim === 0 ? nd.reshape(a.data, [1]) : a.data;
  const positions = index.ndim === 0 ? nd.reshape(index.data, [1]) : nd.contiguous(index.data);
  source.shape.forEach((d, k) => {
    if (k !== ax && positions.shape[k] > d) {
      throw new ShapeError(
        `gather: index has shape ${formatShape(index.shape)}, larger than the input's ${formatShape(a.shape)} along axis ${k}`,
      );
    }
  });
  checkIndices('gather', positions.data, source.shape[ax], ax);
  const out = nd.gather(source, ax, positions);
  const result = index.ndim === 0 ? nd.reshape(out, []) : out;
  return record(gatherOp, [a], result, { shape: a.shape, axis: ax, index: positions });
}

function checkIndices(op: string, values: ArrayLike<number>, bound: number, axis: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= bound) {
      const what = Number.isInteger(v) ? 'is out of range' : 'is not an integer';
      throw new ArgumentError(
        `${op}: index ${v} (at flat position ${i}) ${what} for axis ${axis} of size ${bound}; indices must be integers in [0, ${bound})`,
      );
    }
  }
}

// ---- where: the gradient goes to a where the mask is set and to b elsewhere ----
interface WhereSaved {
  mask: nd.Nd;
  aShape: readonly number[];
  bShape: readonly number[];
}
const whereOp = defineOp<WhereSaved>('where', (g, { mask, aShape, bShape }, needs) => [
  needs[0] ? nd.unbroadcast(nd.zip(g, mask, (gv, m) => (m !== 0 ? gv : 0), nd.dtypeOf(g)), aShape) : null,
  needs[1] ? nd.unbroadcast(nd.zip(g, mask, (gv, m) => (m !== 0 ? 0 : gv), nd.dtypeOf(g)), bShape) : null,
]);

/** a where mask is nonzero, b elsewhere; all three broadcast together. Only a and b get gradients. */
export function where(mask: Tensor, a: TensorLike, b: TensorLike): Tensor {
  tensorArg('where', 'mask', mask);
  if (!(mask instanceof Tensor)) {
    throw new ArgumentError('where: mask must be a Tensor (nonzero selects a); make one with a comparison such as x.gt(0)');
  }
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : mask.dtype;
  const ta = asTensor(a, dtype, 'where');
  const tb = asTensor(b, dtype, 'where');
  const pair = nd.broadcastShapes(ta.shape, tb.shape);
  const shape = pair === null ? null : nd.broadcastShapes(mask.shape, pair);
  if (shape === null) {
    throw new ShapeError(
      `where: mask ${formatShape(mask.shape)}, a ${formatShape(ta.shape)} and b ${formatShape(tb.shape)} cannot be broadcast together`,
    );
  }
  const out = nd.zip3(
    nd.broadcastTo(mask.data, shape),
    nd.broadcastTo(ta.data, shape),
    nd.broadcastTo(tb.data, shape),
    (m, x, y) => (m !== 0 ? x : y),
    nd.promote(ta.dtype, tb.dtype),
  );
  return record(whereOp, [ta, tb], out, { mask: mask.data, aShape: ta.shape, bShape: tb.shape });
}
