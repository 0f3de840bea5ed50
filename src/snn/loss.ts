// Losses and readouts for spike trains, as snnTorch's `functional.loss` and `utils`: the output
// layer's spikes or membranes over time, [T, N, C], against class labels.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { tensor } from '../creation';
import { crossEntropy, mseLoss, sum, mean, stack } from '../ops';
import { noGrad } from '../autograd/tape';
import { validator } from '../validate';

/** A sequence [T, N, C] as one tensor, or one [N, C] tensor per step. */
export type OutputSequence = Tensor | readonly Tensor[];

function asSequence(fn: string, seq: unknown): Tensor {
  const t = Array.isArray(seq) ? (seq.length > 0 && seq.every((s) => s instanceof Tensor) ? stack(seq as Tensor[], 0) : null) : seq instanceof Tensor ? seq : null;
  if (t === null) throw new ArgumentError(`snn.${fn}: expected a sequence [T, N, C] (a tensor, or a non-empty list of [N, C] tensors)`);
  if (t.ndim !== 3) throw new ShapeError(`snn.${fn}: expected a sequence [T, N, C] (time, batch, classes), got shape ${formatShape(t.shape)}`);
  return t;
}

function checkLabels(fn: string, labels: Tensor | readonly number[], n: number, classes: number): void {
  const values = labels instanceof Tensor ? Array.from(labels.toTypedArray()) : labels;
  if (!Array.isArray(values) && !(labels instanceof Tensor)) throw new ArgumentError(`snn.${fn}: labels must be an array of class indices or a tensor`);
  if (values.length !== n) throw new ShapeError(`snn.${fn}: ${values.length} labels for a batch of ${n}`);
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v >= classes) throw new ArgumentError(`snn.${fn}: label ${v} is not a class index in [0, ${classes - 1}]`);
  }
}

/**
 * Cross-entropy of the spike counts: the output spikes summed over time are the logits
 * (snnTorch's `ce_count_loss`). Mean over the batch.
 */
export function ceCountLoss(spikes: OutputSequence, labels: Tensor | readonly number[]): Tensor {
  const s = asSequence('ceCountLoss', spikes);
  checkLabels('ceCountLoss', labels, s.shape[1], s.shape[2]);
  return crossEntropy(sum(s, 0), labels);
}

/** Options of `snn.ceMembraneLoss`: cross-entropy of the membrane summed over time, or summed over steps (`over`). */
export interface MembraneLossOptions {
  /**
   * 'sum' (default): the cross-entropy of the membrane summed over time, CE(Σ_t U[t]).
   * 'perStep': the cross-entropy at every step, summed over steps, Σ_t CE(U[t]) (the loss of
   * snnTorch's tutorial 5).
   */
  over?: 'sum' | 'perStep';
}

/** Cross-entropy of the output membrane potentials [T, N, C] (see `over`). Mean over the batch. */
export function ceMembraneLoss(membranes: OutputSequence, labels: Tensor | readonly number[], options: MembraneLossOptions = {}): Tensor {
  validator('snn.ceMembraneLoss').options(options, ['over'], { example: "{ over: 'perStep' }" });
  const over = options.over ?? 'sum';
  if (over !== 'sum' && over !== 'perStep') throw new ArgumentError(`snn.ceMembraneLoss: over must be 'sum' or 'perStep', got '${String(over)}'`);
  if (Array.isArray(membranes) && over === 'perStep') {
    const steps = membranes as readonly Tensor[];
    if (steps.length === 0 || !steps.every((m) => m instanceof Tensor && m.ndim === 2)) {
      throw new ShapeError('snn.ceMembraneLoss: expected a non-empty list of [N, C] membranes');
    }
    checkLabels('ceMembraneLoss', labels, steps[0].shape[0], steps[0].shape[1]);
    let total = crossEntropy(steps[0], labels);
    for (let t = 1; t < steps.length; t++) total = total.add(crossEntropy(steps[t], labels));
    return total;
  }
  const m = asSequence('ceMembraneLoss', membranes);
  checkLabels('ceMembraneLoss', labels, m.shape[1], m.shape[2]);
  if (over === 'sum') return crossEntropy(sum(m, 0), labels);
  let total = crossEntropy(m.slice([[0, 1]]).squeeze(0), labels);
  for (let t = 1; t < m.shape[0]; t++) total = total.add(crossEntropy(m.slice([[t, t + 1]]).squeeze(0), labels));
  return total;
}

/** Options of `snn.mseRateLoss`: the target firing rates of the correct and the wrong classes, and the reduction. */
export interface RateLossOptions {
  /** The target firing rate (spikes per step) of the labelled class (default 1). */
  correctRate?: number;
  /** The target firing rate of the other classes (default 0). */
  incorrectRate?: number;
}

/**
 * Mean squared error between each output neuron's firing rate (its spike count / T) and a target
 * rate: `correctRate` for the labelled class, `incorrectRate` for the others (snnTorch's
 * `mse_count_loss`, on rates rather than counts, so the scale does not grow with T).
 */
export function mseRateLoss(spikes: OutputSequence, labels: Tensor | readonly number[], options: RateLossOptions = {}): Tensor {
  const s = asSequence('mseRateLoss', spikes);
  const [steps, n, classes] = s.shape;
  checkLabels('mseRateLoss', labels, n, classes);
  const correct = options.correctRate ?? 1;
  const incorrect = options.incorrectRate ?? 0;
  for (const [name, v] of [['correctRate', correct], ['incorrectRate', incorrect]] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ArgumentError(`snn.mseRateLoss: ${name} must be in [0, 1], got ${String(v)}`);
  }
  const values = labels instanceof Tensor ? Array.from(labels.toTypedArray()) : labels;
  const target = new Array<number>(n * classes).fill(incorrect);
  values.forEach((c, i) => {
    target[i * classes + c] = correct;
  });
  return mseLoss(mean(s, 0), tensor(target, { shape: [n, classes], dtype: s.dtype }));
}

/** The fraction of the batch whose most-firing output neuron is the label (ties: the first neuron). */
export function accuracy(spikes: OutputSequence, labels: Tensor | readonly number[]): number {
  return noGrad(() => {
    const s = asSequence('accuracy', spikes);
    checkLabels('accuracy', labels, s.shape[1], s.shape[2]);
    const predicted = sum(s, 0).argmax(1).toTypedArray();
    const values = labels instanceof Tensor ? Array.from(labels.toTypedArray()) : labels;
    let right = 0;
    values.forEach((c, i) => {
      if (predicted[i] === c) right++;
    });
    return right / values.length;
  });
}

/** Spikes per neuron per step, averaged over time and batch: one value per output neuron shape [...features]. */
export function firingRate(spikes: OutputSequence): Tensor {
  return noGrad(() => {
    const s = Array.isArray(spikes) ? stack(spikes as Tensor[], 0) : (spikes as Tensor);
    if (!(s instanceof Tensor) || s.ndim < 2) throw new ShapeError('snn.firingRate: expected spikes [T, N, ...features]');
    return mean(s, [0, 1]);
  });
}
