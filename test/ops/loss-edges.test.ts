// Loss edge cases against hand-worked values: argument classes and messages, label shapes for
// one sample, output dtypes, float32 per-element losses summed without rounding each term, and
// the logistic of very large logits.
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, nllLoss } from '../../src/ops';
import { tensor } from '../../src/creation';
import { ArgumentError, ShapeError } from '../../src/errors';
import type { Tensor } from '../../src/tensor';
import { flat, gradOf } from './helpers';

const d64 = { dtype: 'float64' as const };

describe('pointwise losses refuse non-tensors', () => {
  for (const [name, loss] of [['mseLoss', mseLoss], ['l1Loss', l1Loss], ['binaryCrossEntropyWithLogits', binaryCrossEntropyWithLogits]] as const) {
    it(`${name}: a number or an array as prediction or target is an ArgumentError`, () => {
      const t = tensor([1, 2], d64);
      for (const bad of [1, [1, 2]]) {
        expect(() => loss(bad as unknown as Tensor, t)).toThrowWith(ArgumentError, new RegExp(`${name}: the prediction and the targets? must both be tensors`));
        expect(() => loss(t, bad as unknown as Tensor)).toThrowWith(ArgumentError, /must both be tensors/);
      }
    });
  }
});

describe('classification losses check input and labels', () => {
  it('crossEntropy / nllLoss: an input that is not a tensor is an ArgumentError naming it', () => {
    expect(() => crossEntropy([[1, 2]] as unknown as Tensor, [0])).toThrowWith(ArgumentError, /crossEntropy: logits must be a Tensor/);
    expect(() => nllLoss(3 as unknown as Tensor, [0])).toThrowWith(ArgumentError, /nllLoss: log-probabilities must be a Tensor/);
  });

  it('labels that are neither a tensor nor an array are an ArgumentError', () => {
    const x = tensor([[1, 2, 3]], d64);
    for (const bad of [1, 'abc', null]) {
      expect(() => crossEntropy(x, bad as unknown as number[])).toThrowWith(ArgumentError, /labels must be a Tensor or an array of class indices/);
    }
  });

  it('one sample [C]: one label as a 0-d tensor or [label]; a 2-D or longer label tensor is a ShapeError', () => {
    const x = tensor([0, Math.log(3), 0], d64);
    const expected = Math.log(5) - Math.log(3); // logsumexp([0, ln 3, 0]) − x[1]
    expect(crossEntropy(x, tensor(1, d64)).item()).toBeCloseTo(expected, 14);
    expect(crossEntropy(x, tensor([1], d64)).item()).toBeCloseTo(expected, 14);
    expect(crossEntropy(x, [1]).item()).toBeCloseTo(expected, 14);
    expect(() => crossEntropy(x, tensor([[1]], d64))).toThrowWith(ShapeError, /one label \(a 0-d tensor or \[label\]\)/);
    expect(() => crossEntropy(x, tensor([1, 0], d64))).toThrowWith(ShapeError, /one label \(a 0-d tensor or \[label\]\)/);
    // 'none' for one sample is 0-d
    expect(crossEntropy(x, [1], { reduction: 'none' }).shape).toEqual([]);
  });

  it('a batch [N, C] needs a 1-D label tensor; the count must match the rows, named in the message', () => {
    const x = tensor([[1, 2, 3], [3, 2, 1]], d64);
    expect(() => crossEntropy(x, tensor([[0], [1]], d64))).toThrowWith(ShapeError, /a 1-D tensor of 2 labels/);
    expect(() => crossEntropy(x, [0])).toThrowWith(ShapeError, /1 labels for 2 rows of logits/);
    expect(() => crossEntropy(tensor([1, 2, 3], d64), [0, 1])).toThrowWith(ShapeError, /2 labels for 1 row of logits/);
  });

  it('labels must be integers in [0, C): others are an ArgumentError naming the label and position', () => {
    const x = tensor([[1, 2, 3], [3, 2, 1]], d64);
    for (const bad of [[0, 3], [0, -1], [0, 1.5], [0, '1']]) {
      expect(() => crossEntropy(x, bad as number[])).toThrowWith(ArgumentError, /at position 1 is not a class index for 3 classes/);
    }
  });
});

describe('loss dtypes and precision', () => {
  it("crossEntropy with reduction 'none' keeps the logits' dtype (float32 in, float32 out)", () => {
    const x = tensor([[1, 2, 3], [3, 2, 1]]);
    const y = crossEntropy(x, [2, 0], { reduction: 'none' });
    expect(y.dtype).toBe('float32');
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(flat(y)).toEqual([Math.fround(lse - 3), Math.fround(lse - 3)]);
    expect(crossEntropy(tensor([[1, 2, 3]], d64), [0], { reduction: 'none' }).dtype).toBe('float64');
  });

  it('a float32 sum of squared errors adds the exact squares and rounds once', () => {
    // (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ needs 25 bits: rounding each term to float32 first would lose
    // 5·2⁻²⁴, which moves the float32 result of the sum by one ulp
    const p = tensor([1, 1, 1, 1, 1].map(() => 1 + 2 ** -12));
    const t = tensor([0, 0, 0, 0, 0]);
    const exact = 5 * (1 + 2 ** -12) ** 2;
    expect(mseLoss(p, t, { reduction: 'sum' }).item()).toBe(Math.fround(exact));
    expect(Math.fround(exact)).not.toBe(Math.fround(5 * Math.fround((1 + 2 ** -12) ** 2)));
  });

  it('binaryCrossEntropyWithLogits at logits ±800: finite values, gradients σ(x) − t without NaN', () => {
    const x = tensor([800, -800, 800, -800], { dtype: 'float64', requiresGrad: true });
    const t = tensor([1, 0, 0, 1], d64);
    const y = binaryCrossEntropyWithLogits(x, t, { reduction: 'sum' });
    // max(x, 0) − x·t + log(1 + e^{−|x|}): 0, 0, 800, 800
    expect(y.item()).toBe(1600);
    y.backward();
    expect(gradOf(x)).toEqual([0, 0, 1, -1]);
  });
});
