import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropyWithLogits, crossEntropy, l1Loss, logSoftmax, mseLoss, nllLoss,
} from '../../src/ops';
import { randn, tensor } from '../../src/creation';
import { Generator } from '../../src/random';
import { ArgumentError, ShapeError } from '../../src/errors';
import { expectClose, f64, flat, gradOf } from './helpers';

const LN2 = Math.log(2);
const d64 = { dtype: 'float64' as const };

describe('mseLoss and l1Loss', () => {
  it('reduce by mean (default), sum or none', () => {
    const p = tensor([1, 2, 3], d64);
    const t = tensor([1, 0, 6], d64);
    expect(mseLoss(p, t).item()).toBeCloseTo(13 / 3, 14);
    expect(mseLoss(p, t, { reduction: 'sum' }).item()).toBe(13);
    expect(mseLoss(p, t, { reduction: 'none' }).toArray()).toEqual([0, 4, 9]);
    expect(l1Loss(p, t).item()).toBeCloseTo(5 / 3, 14);
    expect(l1Loss(p, t, { reduction: 'none' }).toArray()).toEqual([0, 2, 3]);
  });

  it('give the prediction 2(p − t)/N and sign(p − t)/N, and the target the opposite when it requires grad', () => {
    const p = tensor([1, 2, 3], f64);
    const t = tensor([1, 0, 6], f64);
    mseLoss(p, t).backward();
    expectClose(gradOf(p), [0, 4 / 3, -2], 1e-15);
    expectClose(gradOf(t), [0, -4 / 3, 2], 1e-15);
    const q = tensor([1, 2, 3], f64);
    l1Loss(q, tensor([1, 0, 6], d64), { reduction: 'sum' }).backward();
    expect(gradOf(q)).toEqual([0, 1, -1]);
  });

  it('a target that does not require grad gets none', () => {
    const p = tensor([1, 2], f64);
    const t = tensor([0, 0], d64);
    mseLoss(p, t).backward();
    expect(t.grad).toBeNull();
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  it('equals −t·log σ(x) − (1 − t)·log(1 − σ(x))', () => {
    const x = [-2, -0.5, 0, 1.5];
    const t = [0, 1, 0.3, 1];
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const expected = x.map((v, i) => -t[i] * Math.log(sig(v)) - (1 - t[i]) * Math.log(1 - sig(v)));
    expectClose(binaryCrossEntropyWithLogits(tensor(x, d64), tensor(t, d64), { reduction: 'none' }), expected, 1e-14);
  });

  it('stays finite at logits of ±100 (stable form)', () => {
    const x = tensor([100, -100, 100, -100], f64);
    const t = tensor([1, 0, 0, 1], d64);
    const losses = binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
    expectClose(losses, [0, 0, 100, 100], 1e-12);
    losses.backward(tensor([1, 1, 1, 1], d64));
    expectClose(gradOf(x), [0, 0, 1, -1], 1e-12); // σ(x) − t
    const f32 = binaryCrossEntropyWithLogits(tensor([100, -100]), tensor([0, 1]));
    expect(f32.item()).toBeCloseTo(100, 4);
  });

  it('gives the targets −x/N when they require grad', () => {
    const x = tensor([2, -3], d64);
    const t = tensor([0.5, 0.5], f64);
    binaryCrossEntropyWithLogits(x, t).backward();
    expectClose(gradOf(t), [-1, 1.5], 1e-15);
  });
});

describe('crossEntropy', () => {
  it('matches closed forms', () => {
    // logits [0, ln 2]: softmax [1/3, 2/3]
    expectClose(crossEntropy(tensor([[0, LN2]], d64), [1]), [-Math.log(2 / 3)], 1e-15);
    expectClose(crossEntropy(tensor([[0, LN2]], d64), [0]), [Math.log(3)], 1e-15);
    // uniform logits: ln C whatever the label
    expectClose(crossEntropy(tensor([[5, 5, 5, 5], [0, 0, 0, 0]], d64), [3, 1]), [Math.log(4)], 1e-15);
    expectClose(crossEntropy(tensor([[0, LN2], [0, 0]], d64), [1, 0], { reduction: 'none' }), [-Math.log(2 / 3), LN2], 1e-15);
    expectClose(crossEntropy(tensor([[0, LN2], [0, 0]], d64), tensor([1, 0]), { reduction: 'sum' }), [-Math.log(2 / 3) + LN2], 1e-15);
  });

  it('is stable for huge logits', () => {
    expectClose(crossEntropy(tensor([[1000, 1000 + LN2]]), [1]), [-Math.log(2 / 3)], 1e-5);
    expectClose(crossEntropy(tensor([[-1000, 1000]], d64), [0]), [2000], 1e-9);
  });

  it('has the fused gradient (softmax − onehot)/N', () => {
    const x = tensor([[0, LN2], [0, 0]], f64);
    crossEntropy(x, [1, 0]).backward();
    expectClose(gradOf(x), [1 / 6, -1 / 6, -1 / 4, 1 / 4], 1e-15);
  });

  it('accepts 1-D logits with one label', () => {
    const x = tensor([0, LN2], f64);
    const loss = crossEntropy(x, [1], { reduction: 'none' });
    expect(loss.shape).toEqual([]);
    expectClose(loss, [-Math.log(2 / 3)], 1e-15);
    loss.backward();
    expectClose(gradOf(x), [1 / 3, -1 / 3], 1e-15);
    expectClose(crossEntropy(tensor([0, LN2], d64), tensor(0)), [Math.log(3)], 1e-15);
  });

  it('agrees with nllLoss(logSoftmax(x)) on a [128, 10] batch, float32', () => {
    const gen = new Generator(4);
    const x = randn([128, 10], { generator: gen, requiresGrad: true });
    const labels = Array.from({ length: 128 }, () => Math.floor(gen.uniform() * 10));
    const fused = crossEntropy(x, labels);
    fused.backward();
    const fusedGrad = flat(x.grad!);
    x.grad = null;
    const composed = nllLoss(logSoftmax(x), labels);
    composed.backward();
    expect(fused.dtype).toBe('float32');
    expect(fused.item()).toBeCloseTo(composed.item(), 5);
    expectClose(fusedGrad, flat(x.grad!), 1e-7);
  });

  it('validates labels: integers, in [0, C), one per row', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => crossEntropy(x, [0, 3])).toThrow(ArgumentError);
    expect(() => crossEntropy(x, [0, 3])).toThrowWith(ArgumentError, 
      'crossEntropy: label 3 at position 1 is not a class index for 3 classes; labels must be integers in [0, 3)',
    );
    expect(() => crossEntropy(x, [-1, 0])).toThrowWith(ArgumentError, /label -1 at position 0/);
    expect(() => crossEntropy(x, [0.5, 0])).toThrowWith(ArgumentError, /label 0.5 at position 0/);
    expect(() => crossEntropy(x, [0])).toThrow(ShapeError);
    expect(() => crossEntropy(x, [0])).toThrowWith(ShapeError, /1 labels for 2 rows of logits \[2, 3\]/);
    expect(() => crossEntropy(x, tensor([[0], [1]]))).toThrowWith(ShapeError, /labels have shape \[2, 1\]/);
    expect(() => crossEntropy(tensor([[[1]]]), [0])).toThrowWith(ShapeError, /logits must have shape \[N, C\] .* got \[1, 1, 1\]/);
    expect(() => crossEntropy(x, [0, 1], { reduction: 'avg' as 'mean' })).toThrowWith(ArgumentError, /reduction must be one of 'none', 'mean', 'sum', got 'avg'/);
    // options that are not an object: the message shows what to pass
    expect(() => crossEntropy(x, [0, 1], 'sum' as never)).toThrowWith(ArgumentError, /options must be an object such as \{ reduction: 'sum' \}, got 'sum'/);
  });

  it('labels never get a gradient', () => {
    const x = tensor([[1, 2], [3, 4]], f64);
    const labels = tensor([0, 1], f64);
    crossEntropy(x, labels).backward();
    expect(labels.grad).toBeNull();
    expect(x.grad).not.toBeNull();
  });
});

describe('nllLoss', () => {
  it('is −logProbs[label], with −1/N at the label as gradient', () => {
    const lp = tensor([[-1, -2, -3], [-4, -5, -6]], f64);
    const loss = nllLoss(lp, [2, 0]);
    expect(loss.item()).toBe(3.5);
    loss.backward();
    expect(gradOf(lp)).toEqual([0, 0, -0.5, -0.5, 0, 0]);
    expect(nllLoss(tensor([[-1, -2]], d64), [1], { reduction: 'none' }).toArray()).toEqual([2]);
    expect(() => nllLoss(lp, [3, 0])).toThrowWith(ArgumentError, /nllLoss: label 3 at position 0/);
  });
});

describe('loss shapes', () => {
  it('refuse mismatched prediction and target shapes, naming both', () => {
    expect(() => mseLoss(tensor([[1], [2]]), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => mseLoss(tensor([[1], [2]]), tensor([1, 2]))).toThrowWith(ShapeError, 
      /^mseLoss: the prediction has shape \[2, 1\] but the target has shape \[2\]/,
    );
    expect(() => binaryCrossEntropyWithLogits(tensor([1]), tensor([1, 0]))).toThrowWith(ShapeError, /targets has shape \[2\]/);
  });
});
