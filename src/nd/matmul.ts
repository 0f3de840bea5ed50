// Batched matrix products on top of `gemm`. An operand's last two axes are its matrix; any
// leading axes are batch axes, broadcast NumPy-style. A strided matrix whose rows or columns
// are unit-stride is handed to gemm as it is (a transposed view becomes gemm's trans flag),
// so `x.T` and the transposes in matmul's backward are never materialised.
import { type Nd, copy, sizeOf } from './array';
import { gemm } from './gemm';

/** How one operand's matrices sit in memory: X[i, j] = data[off + (trans ? j*ld + i : i*ld + j)]. */
interface Layout {
  trans: boolean;
  ld: number;
}

/**
 * The gemm layout of a rows×cols matrix with strides (s0, s1), or null when neither its rows
 * nor its columns are unit-stride (then the caller copies it). Size-1 axes have no stride
 * that matters, so a row or column vector is always accepted.
 */
function layoutOf(rows: number, cols: number, s0: number, s1: number): Layout | null {
  if (rows <= 1 && cols <= 1) return { trans: false, ld: Math.max(cols, 1) };
  if (rows <= 1) return s1 === 1 ? { trans: false, ld: cols } : s1 >= 1 ? { trans: true, ld: s1 } : null;
  if ((s1 === 1 || cols === 1) && s0 >= cols) return { trans: false, ld: s0 };
  if (s0 === 1 && s1 >= rows) return { trans: true, ld: s1 };
  return null;
}

/** An operand ready for gemm: possibly copied so that its matrices have a gemm layout. */
function prepare(x: Nd): { x: Nd; layout: Layout } {
  const nd = x.shape.length;
  const rows = x.shape[nd - 2];
  const cols = x.shape[nd - 1];
  const layout = layoutOf(rows, cols, x.stride[nd - 2], x.stride[nd - 1]);
  if (layout !== null) return { x, layout };
  const packed = copy(x);
  return { x: packed, layout: { trans: false, ld: cols } };
}

/**
 * c[β] += op(x[β]) · op(y[β]) for every index β of the broadcast batch shape of c, x and y,
 * where op transposes a matrix when its flag is set. All three have at least two axes; the
 * matrix sizes must agree (callers check and name the shapes). `c` must be contiguous: where
 * c's batch axis is 1 (or missing) and the others' is not, the products are summed into it,
 * which is exactly the adjoint of broadcasting a batch axis.
 *
 * `overwrite` (default false): c[β] = op(x[β]) · op(y[β]) instead, c's old contents (even NaN)
 * never read — cheaper for a fresh output (no zero-fill needed, and the float32 kernel skips
 * copying C in and adding to it). Where c's batch axis sums several products, the first
 * overwrites and the rest add.
 */
export function matmulInto(c: Nd, x: Nd, transX: boolean, y: Nd, transY: boolean, overwrite = false): void {
  const px = prepare(x);
  const py = prepare(y);
  const X = px.x;
  const Y = py.x;
  const cNd = c.shape.length;
  const M = c.shape[cNd - 2];
  const N = c.shape[cNd - 1];
  const xr = X.shape[X.shape.length - 2];
  const xc = X.shape[X.shape.length - 1];
  const K = transX ? xr : xc;
  if (M === 0 || N === 0) return;

  const ta = px.layout.trans !== transX;
  const tb = py.layout.trans !== transY;

  // batch iteration: the broadcast of the three batch shapes, right-aligned
  const batchRank = Math.max(X.shape.length, Y.shape.length, cNd) - 2;
  const batch = new Array<number>(batchRank).fill(1);
  const strideX = batchStrides(X, batchRank, batch);
  const strideY = batchStrides(Y, batchRank, batch);
  const strideC = batchStrides(c, batchRank, batch);
  const count = sizeOf(batch);

  const index = new Array<number>(batchRank).fill(0);
  let offX = X.offset;
  let offY = Y.offset;
  let offC = c.offset;
  // With overwrite, a product overwrites c's matrix exactly when it is the first to reach it,
  // i.e. when every batch index along which c does not move (stride 0, summed axes) is 0.
  const summedAxes: number[] = [];
  for (let d = 0; d < batchRank; d++) if (strideC[d] === 0 && batch[d] > 1) summedAxes.push(d);
  for (let n = 0; n < count; n++) {
    let beta: 0 | 1 = 1;
    if (overwrite) {
      beta = 0;
      for (const d of summedAxes) {
        if (index[d] !== 0) {
          beta = 1;
          break;
        }
      }
    }
    gemm(ta, tb, M, N, K, X.data, offX, px.layout.ld, Y.data, offY, py.layout.ld, c.data, offC, N, beta);
    for (let d = batchRank - 1; d >= 0; d--) {
      index[d]++;
      offX += strideX[d];
      offY += strideY[d];
      offC += strideC[d];
      if (index[d] < batch[d]) break;
      offX -= strideX[d] * batch[d];
      offY -= strideY[d] * batch[d];
      offC -= strideC[d] * batch[d];
      index[d] = 0;
    }
  }
}

/**
 * The strides of `a`'s batch axes aligned right to `rank` axes (0 where the axis is missing or
 * 1, i.e. broadcast), widening `batch` to the broadcast size as it goes.
 */
function batchStrides(a: Nd, rank: number, batch: number[]): number[] {
  const lead = rank - (a.shape.length - 2);
  const out = new Array<number>(rank).fill(0);
  for (let d = lead; d < rank; d++) {
    const dim = a.shape[d - lead];
    if (dim !== 1) {
      batch[d] = dim;
      out[d] = a.stride[d - lead];
    }
  }
  return out;
}
