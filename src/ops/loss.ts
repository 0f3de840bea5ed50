// Losses, each one op with a fused backward. `reduction` is 'mean' (default), 'sum' or 'none'
// (the per-element, or per-row, losses). Targets of the pointwise losses get a gradient only
// if they require one; class labels never do.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { type OpDef, defineOp, record } from './record';
import { validator } from '../validate';

/** How a loss combines its per-element values: 'mean' (default), 'sum' or 'none'. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Options of the loss functions: the reduction. */
export interface LossOptions {
  /** How per-element losses are combined: 'mean' (default), 'sum', or 'none' to keep them all. */
  reduction?: Reduction;
}

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

function reductionOf(op: string, options: LossOptions | undefined): Reduction {
  const v = validator(op);
  const o = v.options(options, ['reduction'], { example: "{ reduction: 'sum' }" });
  return v.oneOf('reduction', o.reduction ?? 'mean', REDUCTIONS);
}

/** Per-element losses combined by `reduction` (sum and mean accumulate in float64). */
function reduceLosses(losses: nd.Nd, reduction: Reduction, dtype: nd.Dtype): nd.Nd {
  if (reduction === 'none') return nd.dtypeOf(losses) === dtype ? losses : nd.copy(losses, dtype);
  const all = [...losses.shape.keys()];
  const total = nd.reduce(losses, all, 'sum', 'float64').data[0];
  return nd.full([], reduction === 'sum' ? total : total / losses.size, dtype);
}

/** The upstream gradient of a reduced loss as one number: g, or g / count for 'mean'. */
function scalarScale(g: nd.Nd, reduction: Reduction, count: number): number {
  const gv = g.data[g.offset];
  return reduction === 'mean' ? gv / count : gv;
}

// ---- pointwise losses: loss(p, t) per element, with ∂/∂p and ∂/∂t ----
interface Pointwise {
  value: (p: number, t: number) => number;
  dPred: (p: number, t: number) => number;
  dTarget: (p: number, t: number) => number;
}

interface PointwiseSaved {
  pred: nd.Nd;
  target: nd.Nd;
  reduction: Reduction;
}

function pointwiseOp(name: string, f: Pointwise): OpDef<PointwiseSaved> {
  const partial = (g: nd.Nd, { pred, target, reduction }: PointwiseSaved, d: Pointwise['dPred']): nd.Nd => {
    if (reduction === 'none') return nd.zip3(g, pred, target, (gv, p, t) => gv * d(p, t), nd.dtypeOf(g));
    const s = scalarScale(g, reduction, pred.size);
    return nd.zip(pred, target, (p, t) => s * d(p, t), nd.dtypeOf(g));
  };
  return defineOp<PointwiseSaved>(name, (g, saved, needs) => [
    needs[0] ? partial(g, saved, f.dPred) : null,
    needs[1] ? partial(g, saved, f.dTarget) : null,
  ]);
}

function pointwiseLoss(
  op: OpDef<PointwiseSaved>,
  f: Pointwise,
  pred: Tensor,
  target: Tensor,
  options: LossOptions | undefined,
  targetName = 'target',
): Tensor {
  const reduction = reductionOf(op.name, options);
  if (!(pred instanceof Tensor) || !(target instanceof Tensor)) {
    throw new ArgumentError(`${op.name}: the prediction and the ${targetName} must both be tensors`);
  }
  if (pred.ndim !== target.ndim || pred.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(
      `${op.name}: the prediction has shape ${formatShape(pred.shape)} but the ${targetName} has shape ${formatShape(target.shape)}; ` +
        'they must match (losses do not broadcast, so that [N, 1] against [N] is caught): reshape one of them',
    );
  }
  const dtype = nd.promote(pred.dtype, target.dtype);
  const losses = nd.zip(pred.data, target.data, f.value, reduction === 'none' ? dtype : 'float64');
  const out = reduceLosses(losses, reduction, dtype);
  return record(op, [pred, target], out, { pred: pred.data, target: target.data, reduction });
}

// mse: (p − t)², ∂p = 2(p − t), ∂t = −2(p − t)
const mse: Pointwise = {
  value: (p, t) => (p - t) * (p - t),
  dPred: (p, t) => 2 * (p - t),
  dTarget: (p, t) => 2 * (t - p),
};
const mseLossOp = pointwiseOp('mseLoss', mse);
/** Mean squared error (p − t)², reduced by `reduction`. */
export function mseLoss(pred: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pointwiseLoss(mseLossOp, mse, pred, target, options);
}

// l1: |p − t|, ∂p = sign(p − t) (0 where p = t), ∂t = −sign(p − t)
const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);
const l1: Pointwise = {
  value: (p, t) => Math.abs(p - t),
  dPred: (p, t) => sign(p - t),
  dTarget: (p, t) => sign(t - p),
};
const l1LossOp = pointwiseOp('l1Loss', l1);
/** Mean absolute error |p − t|, reduced by `reduction`. */
export function l1Loss(pred: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pointwiseLoss(l1LossOp, l1, pred, target, options);
}

// bce with logits, stable form: max(x, 0) − x·t + log(1 + e^{−|x|}); ∂x = σ(x) − t, ∂t = −x
const sigmoid = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};
const bce: Pointwise = {
  value: (x, t) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))),
  dPred: (x, t) => sigmoid(x) - t,
  dTarget: (x) => -x,
};
const bceOp = pointwiseOp('binaryCrossEntropyWithLogits', bce);
/**
 * Binary cross-entropy between sigmoid(logits) and targets in [0, 1], computed from the logits
 * in the stable form (finite even for logits of ±100 and beyond).
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, options?: LossOptions): Tensor {
  return pointwiseLoss(bceOp, bce, logits, targets, options, 'targets');
}

// ---- class-label losses ----

/** Logits or log-probabilities as rows × classes, with the labels checked and converted. */
interface Classified {
  x: nd.Nd;
  labels: Int32Array;
  /** True for 1-D input [C] with one label: a 'none' result is then 0-d. */
  single: boolean;
}

function classify(op: string, input: Tensor, labels: Tensor | readonly number[], what: string): Classified {
  if (!(input instanceof Tensor)) throw new ArgumentError(`${op}: ${what} must be a Tensor`);
  if (input.ndim !== 1 && input.ndim !== 2) {
    throw new ShapeError(
      `${op}: ${what} must have shape [N, C] (a batch) or [C] (one sample), got ${formatShape(input.shape)}`,
    );
  }
  const single = input.ndim === 1;
  const rows = single ? 1 : input.shape[0];
  const classes = input.shape[input.ndim - 1];
  let values: ArrayLike<number>;
  if (labels instanceof Tensor) {
    const shapeOk = single ? labels.size === 1 && labels.ndim <= 1 : labels.ndim === 1;
    if (!shapeOk) {
      throw new ShapeError(
        `${op}: labels have shape ${formatShape(labels.shape)}; for ${what} of shape ${formatShape(input.shape)} ` +
          `give ${single ? 'one label (a 0-d tensor or [label])' : `a 1-D tensor of ${rows} labels`}`,
      );
    }
    values = nd.contiguous(labels.data).data;
  } else if (Array.isArray(labels)) {
    values = labels;
  } else {
    throw new ArgumentError(`${op}: labels must be a Tensor or an array of class indices`);
  }
  if (values.length !== rows) {
    throw new ShapeError(
      `${op}: ${values.length} labels for ${rows} row${rows === 1 ? '' : 's'} of ${what} ${formatShape(input.shape)}; give one label per row`,
    );
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ArgumentError(
        `${op}: label ${String(v)} at position ${i} is not a class index for ${classes} classes; labels must be integers in [0, ${classes})`,
      );
    }
    out[i] = v;
  }
  const x = single ? nd.reshape(input.data, [1, classes]) : nd.contiguous(input.data);
  return { x, labels: out, single };
}

/** Per-row losses (float64) as the op's output, reduced by `reduction`. */
function rowOutput(losses: Float64Array, reduction: Reduction, single: boolean, dtype: nd.Dtype): nd.Nd {
  const perRow = nd.wrap(losses, single ? [] : [losses.length]);
  return reduceLosses(perRow, reduction, dtype);
}

/** The per-row scale of the upstream gradient: g_r for 'none', else one number. */
function rowScale(g: nd.Nd, reduction: Reduction, rows: number): number | Float64Array {
  if (reduction !== 'none') return scalarScale(g, reduction, rows);
  return Float64Array.from(nd.contiguous(g).data);
}

// crossEntropy: logsumexp(x) − x[label]; ∂x = scale · (softmax(x) − onehot(label))
interface CrossEntropySaved extends Classified {
  lse: Float64Array;
  reduction: Reduction;
  shape: readonly number[];
}
const crossEntropyOp = defineOp<CrossEntropySaved>('crossEntropy', (g, { x, labels, lse, reduction, shape }) => {
  const scale = rowScale(g, reduction, labels.length);
  return [nd.wrap(nd.crossEntropyBackward(x, labels, lse, scale).data, shape)];
});

/**
 * Cross-entropy of logits [N, C] (or [C]) against integer class labels (a tensor or an array),
 * with a fused log-softmax: the same as nllLoss(logSoftmax(logits), labels), faster and in one
 * op. Labels get no gradient.
 */
export function crossEntropy(logits: Tensor, labels: Tensor | readonly number[], options?: LossOptions): Tensor {
  const reduction = reductionOf('crossEntropy', options);
  const input = classify('crossEntropy', logits, labels, 'logits');
  const { losses, lse } = nd.crossEntropyRows(input.x, input.labels);
  const out = rowOutput(losses, reduction, input.single, logits.dtype);
  return record(crossEntropyOp, [logits], out, { ...input, lse, reduction, shape: logits.shape });
}

// nllLoss: −x[label]; ∂x = −scale at the label, 0 elsewhere
interface NllSaved {
  index: nd.Nd;
  reduction: Reduction;
  shape: readonly number[];
  rows: number;
}
const nllLossOp = defineOp<NllSaved>('nllLoss', (g, { index, reduction, shape, rows }) => {
  const scale = rowScale(g, reduction, rows);
  const picked = nd.zeros([rows, 1], nd.dtypeOf(g));
  for (let r = 0; r < rows; r++) picked.data[r] = -(typeof scale === 'number' ? scale : scale[r]);
  const classes = shape[shape.length - 1];
  return [nd.wrap(nd.scatterAdd([rows, classes], 1, index, picked).data, shape)];
});

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [C]), e.g. from logSoftmax, against
 * integer class labels: −logProbs[r, label_r], reduced by `reduction`.
 */
export function nllLoss(logProbs: Tensor, labels: Tensor | readonly number[], options?: LossOptions): Tensor {
  const reduction = reductionOf('nllLoss', options);
  const input = classify('nllLoss', logProbs, labels, 'log-probabilities');
  const rows = input.labels.length;
  const index = nd.wrap(Float64Array.from(input.labels), [rows, 1]);
  const picked = nd.gather(input.x, 1, index);
  const losses = Float64Array.from(picked.data, (v) => -v);
  const out = rowOutput(losses, reduction, input.single, logProbs.dtype);
  return record(nllLossOp, [logProbs], out, { index, reduction, shape: logProbs.shape, rows });
}
