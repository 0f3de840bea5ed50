// Matrix products. `matmul` follows NumPy: 2-D × 2-D; a 1-D left operand is a row vector and a
// 1-D right operand a column vector (their axis is dropped from the result); operands with
// more axes are stacks of matrices whose leading (batch) axes broadcast.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { defineOp, record } from './record';

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
    da = nd.zeros(a.shape, nd.dtypeOf(a));
    nd.matmulInto(da, g2, false, b, true);
    da = nd.wrap(da.data, aShape);
  }
  if (needs[1]) {
    db = nd.zeros(b.shape, nd.dtypeOf(b));
    nd.matmulInto(db, a, true, g2, false);
    db = nd.wrap(db.data, bShape);
  }
  return [da, db];
});

/** The matrix product a @ b (NumPy semantics, batch axes broadcast). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    throw new ArgumentError('matmul: both operands must be tensors');
  }
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
  nd.matmulInto(product, am, false, bm, false);

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
