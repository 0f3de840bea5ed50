// Matrix products. `matmul` follows NumPy: 2-D × 2-D; a 1-D left operand is a row vector and a
// 1-D right operand a column vector (their axis is dropped from the result); operands with
// more axes are stacks of matrices whose leading (batch) axes broadcast.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { defineOp, record } from './record';
import { tensorArg } from './args';

interface MatmulSaved {
  /** The operands as matrices (1-D ones viewed as [1, k] and [k, 1]); views, not copies. */
  a: nd.Nd;
  b: nd.Nd;
  /** The product's shape before 1-D operands' axes were dropped. */
  full: number[];
  aShape: readonly number[];
  bShape: readonly number[];
}

// ---- matmul: d(AB) = dA·B + A·dB, so dA = g·Bᵀ and dB = Aᵀ·g ----
// Transposes are gemm flags, never copies. A batch axis that was broadcast (size 1 or absent in
// one operand) gets its gradient summed over the batch: `matmulInto` accumulates into it.
const matmulOp = defineOp<MatmulSaved>('matmul', (g, { a, b, full, aShape, bShape }, needs) => {
  const g2 = sameShape(g.shape, full) ? g : nd.reshape(g, full);
  let da: nd.Nd | null = null;
  let db: nd.Nd | null = null;
  if (needs[0]) {
    // pooled (the backward pass gives it back when done) and written, not added to: no zero-fill
    da = nd.pooledEmpty(a.shape, nd.dtypeOf(a));
    nd.matmulInto(da, g2, false, b, true, true);
    da = nd.wrap(da.data, aShape);
  }
  if (needs[1]) {
    db = nd.pooledEmpty(b.shape, nd.dtypeOf(b));
    nd.matmulInto(db, a, true, g2, false, true);
    db = nd.wrap(db.data, bShape);
  }
  return [da, db];
});

/** The matrix product a @ b (NumPy semantics, batch axes broadcast). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  tensorArg('matmul', 'a', a);
  tensorArg('matmul', 'b', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: operands must have at least one dimension, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}; use mul for a scalar`,
    );
  }
  const am = a.ndim === 1 ? asRow(a.data) : a.data;
  const bm = b.ndim === 1 ? asColumn(b.data) : b.data;
  const [n, k] = am.shape.slice(-2);
  const [k2, m] = bm.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${k} ≠ ${k2})`,
    );
  }
  const batch = nd.broadcastShapes(am.shape.slice(0, -2), bm.shape.slice(0, -2));
  if (batch === null) {
    throw new ShapeError(
      `matmul: batch dimensions of ${formatShape(a.shape)} @ ${formatShape(b.shape)} cannot be broadcast together`,
    );
  }
  const full = [...batch, n, m];
  const product = nd.zeros(full, nd.promote(a.dtype, b.dtype));
  nd.matmulInto(product, am, false, bm, false, true); // overwrite: the kernel need not read the zeros

  const shape = [...batch];
  if (a.ndim > 1) shape.push(n);
  if (b.ndim > 1) shape.push(m);
  const out = sameShape(shape, full) ? product : nd.reshape(product, shape);
  return record(matmulOp, [a, b], out, { a: am, b: bm, full, aShape: a.shape, bShape: b.shape });
}

/** A 1-D array [k] as a [1, k] matrix view. */
function asRow(v: nd.Nd): nd.Nd {
  return nd.view(v.data, [1, v.shape[0]], [v.shape[0] * v.stride[0], v.stride[0]], v.offset);
}

/** A 1-D array [k] as a [k, 1] matrix view. */
function asColumn(v: nd.Nd): nd.Nd {
  return nd.view(v.data, [v.shape[0], 1], [v.stride[0], 1], v.offset);
}

function sameShape(p: readonly number[], q: readonly number[]): boolean {
  return p.length === q.length && p.every((d, i) => d === q[i]);
}

// ---- linear: y = x·Wᵀ + b with W stored [out, in] (PyTorch's layout), fused ----
// One op instead of transpose → matmul → add: the weight gradient is computed directly in W's
// own layout (dW = gᵀ·x), so no transposed view has to be copied into W.grad, and the bias is
// the value the product is accumulated onto (no separate pass over y).
interface LinearSaved {
  /** The input as a matrix [n, in] (leading axes folded into n). */
  x: nd.Nd;
  w: nd.Nd;
  xShape: readonly number[];
  hasBias: boolean;
}

const linearOp = defineOp<LinearSaved>('linear', (g, { x, w, xShape, hasBias }, needs) => {
  const n = x.shape[0];
  const outF = w.shape[0];
  const g2 = nd.reshape(g, [n, outF]);
  let dx: nd.Nd | null = null;
  let dw: nd.Nd | null = null;
  if (needs[0]) {
    // pooled (the backward pass gives it back when done) and overwritten: no zero-fill, and the
    // float32 kernel neither copies the old contents in nor adds to them
    dx = nd.pooledEmpty(x.shape, nd.dtypeOf(x));
    nd.matmulInto(dx, g2, false, w, false, true); // g·W
    dx = nd.wrap(dx.data, xShape);
  }
  if (needs[1]) {
    dw = nd.pooledEmpty(w.shape, nd.dtypeOf(w));
    nd.matmulInto(dw, g2, true, x, false, true); // gᵀ·x, already [out, in]
  }
  if (!hasBias) return [dx, dw];
  const db = needs[2] ? nd.sumRowsPooled(g2, outF) : null;
  return [dx, dw, db];
});

/**
 * The affine map of a Linear layer: x·Wᵀ + b, for x of shape [..., in], weight [out, in] and
 * bias [out] (or none). Same result as `add(matmul(x, transpose(weight)), bias)`, in one op.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  tensorArg('linear', 'x', x);
  tensorArg('linear', 'weight', weight);
  if (bias !== null && !(bias instanceof Tensor)) {
    throw new ArgumentError('linear: x and weight must be tensors, and bias a tensor or null');
  }
  if (weight.ndim !== 2) {
    throw new ShapeError(`linear: the weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  }
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `linear: the input's last dimension must be ${inF} (weight ${formatShape(weight.shape)}), got ${formatShape(x.shape)}`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: the bias must have shape [${outF}], got ${formatShape(bias.shape)}`);
  }
  const n = nd.sizeOf(x.shape.slice(0, -1)); // rows; not x.size / inF, which is 0/0 when inF = 0
  const x2 = nd.reshape(x.data, [n, inF]);
  const dtype = nd.promote(nd.promote(x.dtype, weight.dtype), bias?.dtype ?? x.dtype);
  const out = nd.zeros([n, outF], dtype);
  if (bias !== null && outF > 0) {
    // the bias as the gemm's starting value: matmulInto adds the product into `out`, so the bias
    // costs one row copy per row instead of a read-modify-write pass over the product
    const b = nd.contiguous(bias.data).data;
    const y = out.data;
    if (nd.dtypeOf(bias.data) === dtype) {
      for (let row = 0; row < y.length; row += outF) y.set(b, row);
    } else {
      for (let row = 0; row < y.length; row += outF) for (let j = 0; j < outF; j++) y[row + j] = b[j];
    }
  }
  nd.matmulInto(out, x2, false, weight.data, true);
  const shape = [...x.shape.slice(0, -1), outF];
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(linearOp, inputs, nd.wrap(out.data, shape), { x: x2, w: weight.data, xShape: x.shape, hasBias: bias !== null });
}
