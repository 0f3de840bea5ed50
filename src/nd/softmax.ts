// Softmax-family kernels along one axis: softmax and log-softmax with their fused backward,
// and the fused cross-entropy of logits against integer labels. All are numerically stable
// (the running maximum is subtracted before exponentiating) and compute in float64.
//
// An array is viewed as outer × n × inner around the axis (C order). The loops run over the
// inner positions innermost, so memory is read in order whichever axis is reduced; the common
// last-axis case (inner = 1) has its own loops with scalar accumulators.
import { type FloatArray, type Nd, contiguous, dtypeOf, zeros } from './array';
import { splitAxis } from './indexing';

/** softmax(a) along `axis`, or log-softmax when `log` is true. */
export function softmax(a: Nd, axis: number, log: boolean): Nd {
  const x = contiguous(a).data;
  const out = zeros(a.shape, dtypeOf(a));
  const y = out.data;
  const { outer, n, inner } = splitAxis(a.shape, axis);
  if (inner === 1) {
    softmaxRows(x, y, outer, n, log);
    return out;
  }
  const shift = new Float64Array(inner);
  const total = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    shift.fill(-Infinity);
    total.fill(0);
    for (let k = 0, p = base; k < n; k++) {
      for (let i = 0; i < inner; i++, p++) if (x[p] > shift[i]) shift[i] = x[p];
    }
    // an all -Infinity (or +Infinity) run gives NaN, as in PyTorch; a finite shift keeps it so
    for (let i = 0; i < inner; i++) if (!Number.isFinite(shift[i])) shift[i] = 0;
    for (let k = 0, p = base; k < n; k++) {
      for (let i = 0; i < inner; i++, p++) {
        const e = Math.exp(x[p] - shift[i]);
        total[i] += e;
        if (!log) y[p] = e;
      }
    }
    if (log) {
      for (let i = 0; i < inner; i++) total[i] = shift[i] + Math.log(total[i]);
      for (let k = 0, p = base; k < n; k++) {
        for (let i = 0; i < inner; i++, p++) y[p] = x[p] - total[i];
      }
    } else {
      for (let i = 0; i < inner; i++) total[i] = 1 / total[i];
      for (let k = 0, p = base; k < n; k++) {
        for (let i = 0; i < inner; i++, p++) y[p] *= total[i];
      }
    }
  }
  return out;
}

/** The last-axis case (rows of length n, one after another) with scalar accumulators. */
function softmaxRows(x: FloatArray, y: FloatArray, rows: number, n: number, log: boolean): void {
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    let shift = -Infinity;
    for (let k = 0; k < n; k++) if (x[base + k] > shift) shift = x[base + k];
    if (!Number.isFinite(shift)) shift = 0;
    let total = 0;
    if (log) {
      for (let k = 0; k < n; k++) total += Math.exp(x[base + k] - shift);
      const lse = shift + Math.log(total);
      for (let k = 0; k < n; k++) y[base + k] = x[base + k] - lse;
    } else {
      for (let k = 0; k < n; k++) {
        const e = Math.exp(x[base + k] - shift);
        y[base + k] = e;
        total += e;
      }
      const inv = 1 / total;
      for (let k = 0; k < n; k++) y[base + k] *= inv;
    }
  }
}

/**
 * The backward of softmax (`log` false: y = softmax, dx = y·(g − Σ g·y)) or of log-softmax
 * (`log` true: y = log-softmax, dx = g − exp(y)·Σ g), sums along `axis`, in one pass each.
 */
export function softmaxBackward(g: Nd, y: Nd, axis: number, log: boolean): Nd {
  const gv = contiguous(g).data;
  const yv = contiguous(y).data;
  const out = zeros(y.shape, dtypeOf(g));
  const dx = out.data;
  const { outer, n, inner } = splitAxis(y.shape, axis);
  if (inner === 1) {
    softmaxRowsBackward(gv, yv, dx, outer, n, log);
    return out;
  }
  const total = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    total.fill(0);
    for (let k = 0, p = base; k < n; k++) {
      for (let i = 0; i < inner; i++, p++) total[i] += log ? gv[p] : gv[p] * yv[p];
    }
    for (let k = 0, p = base; k < n; k++) {
      for (let i = 0; i < inner; i++, p++) {
        dx[p] = log ? gv[p] - Math.exp(yv[p]) * total[i] : yv[p] * (gv[p] - total[i]);
      }
    }
  }
  return out;
}

function softmaxRowsBackward(g: FloatArray, y: FloatArray, dx: FloatArray, rows: number, n: number, log: boolean): void {
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    let total = 0;
    if (log) {
      for (let k = 0; k < n; k++) total += g[base + k];
      for (let k = 0; k < n; k++) dx[base + k] = g[base + k] - Math.exp(y[base + k]) * total;
    } else {
      for (let k = 0; k < n; k++) total += g[base + k] * y[base + k];
      for (let k = 0; k < n; k++) dx[base + k] = y[base + k] * (g[base + k] - total);
    }
  }
}

/**
 * Cross-entropy of each row of contiguous logits x [rows, classes] against integer labels
 * (already validated): loss_r = logsumexp(x_r) − x_r[label_r]. Returns the per-row losses and
 * the log-sum-exps, which the backward reuses.
 */
export function crossEntropyRows(x: Nd, labels: Int32Array): { losses: Float64Array; lse: Float64Array } {
  const v = contiguous(x).data;
  const rows = labels.length;
  const classes = rows === 0 ? 0 : v.length / rows;
  const losses = new Float64Array(rows);
  const lse = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let m = -Infinity;
    for (let c = 0; c < classes; c++) if (v[base + c] > m) m = v[base + c];
    if (!Number.isFinite(m)) m = 0;
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(v[base + c] - m);
    lse[r] = m + Math.log(s);
    losses[r] = lse[r] - v[base + labels[r]];
  }
  return { losses, lse };
}

/**
 * The fused backward of cross-entropy: dx_r = scale_r · (softmax(x_r) − onehot(label_r)),
 * with softmax(x_r) = exp(x_r − lse_r). `scale` is one number for every row or one per row.
 */
export function crossEntropyBackward(x: Nd, labels: Int32Array, lse: Float64Array, scale: number | Float64Array): Nd {
  const v = contiguous(x).data;
  const out = zeros(x.shape, dtypeOf(x));
  const dx = out.data;
  const rows = labels.length;
  const classes = rows === 0 ? 0 : v.length / rows;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const s = typeof scale === 'number' ? scale : scale[r];
    const shift = lse[r];
    for (let c = 0; c < classes; c++) dx[base + c] = s * Math.exp(v[base + c] - shift);
    dx[base + labels[r]] -= s;
  }
  return out;
}
