// Edge cases the doc comments promise, each against a value worked out by hand: how maximum and
// minimum split a tie, NaN propagation, pow's exponent gradient at base 0, logsumexp of a row of
// −∞, shape refusals of mseLoss and linear, and reductions of a 0-d tensor over axis 0 / −1.
import { describe, expect, it } from 'vitest';
import { argmax, argmin, linear, matmul, logsumexp, max, maximum, mean, min, minimum, mseLoss, pow, sum } from '../../src/ops';
import { lastBackwardRules } from '../../src/autograd/tape';
import { zeros } from '../../src/creation';
import type { Tensor } from '../../src/tensor';
import { tensor } from '../../src/creation';
import { ArgumentError, ShapeError } from '../../src/errors';
import { expectClose, f64, flat, gradOf } from './helpers';

const d64 = { dtype: 'float64' as const };

describe('maximum / minimum split the gradient evenly on ties', () => {
  // L = Σ c·op(a, b) with distinct weights c, so any split other than ½/½ shows
  const c = tensor([2, 3, 4, 5], d64);

  it('maximum: the larger input takes all, a tie gives each half', () => {
    const a = tensor([1, 2, 3, -1], f64);
    const b = tensor([1, 5, 3, -2], f64);
    maximum(a, b).mul(c).sum().backward();
    expect(gradOf(a)).toEqual([1, 0, 2, 5]);
    expect(gradOf(b)).toEqual([1, 3, 2, 0]);
  });

  it('minimum: the smaller input takes all, a tie gives each half', () => {
    const a = tensor([1, 2, 3, -1], f64);
    const b = tensor([1, 5, 3, -2], f64);
    minimum(a, b).mul(c).sum().backward();
    expect(gradOf(a)).toEqual([1, 3, 2, 0]);
    expect(gradOf(b)).toEqual([1, 0, 2, 5]);
  });

  it('a broadcast scalar tied with some elements collects half of each tied gradient', () => {
    const a = tensor([[1, 2], [2, 3]], f64);
    const s = tensor(2, f64);
    maximum(a, s).mul(tensor([[1, 10], [100, 1000]], d64)).sum().backward();
    // a: 1 < 2 → 0; tie → ½·10; tie → ½·100; 3 > 2 → 1000
    expect(gradOf(a)).toEqual([0, 5, 50, 1000]);
    // s: all of element 0, half of the two ties
    expect(gradOf(s)).toEqual([1 + 5 + 50]);
    const b = tensor([[1, 2], [2, 3]], f64);
    const t = tensor(2, f64);
    minimum(b, t).mul(tensor([[1, 10], [100, 1000]], d64)).sum().backward();
    expect(gradOf(b)).toEqual([1, 5, 50, 0]);
    expect(gradOf(t)).toEqual([5 + 50 + 1000]);
  });

  it('the operand order does not change the split', () => {
    const a = tensor([4, 4], f64);
    const b = tensor([4, 1], f64);
    maximum(b, a).mul(tensor([6, 8], d64)).sum().backward();
    expect(gradOf(a)).toEqual([3, 8]);
    expect(gradOf(b)).toEqual([3, 0]);
  });
});

describe('NaN propagates through maximum, minimum, max and min', () => {
  it('elementwise: NaN in either operand gives NaN', () => {
    const a = tensor([NaN, 1, NaN, -Infinity], d64);
    const b = tensor([1, NaN, NaN, NaN], d64);
    for (const op of [maximum, minimum]) {
      expect(flat(op(a, b)).every(Number.isNaN)).toBe(true);
      expect(flat(op(b, a)).every(Number.isNaN)).toBe(true);
    }
    expect(flat(maximum(tensor([NaN, 3], d64), 2)).map(String)).toEqual(['NaN', '3']);
    expect(flat(minimum(2, tensor([1, NaN], d64))).map(String)).toEqual(['1', 'NaN']);
  });

  it('reductions: a NaN anywhere in a reduced group makes its max and min NaN, wherever it sits', () => {
    for (const row of [[NaN, 1, 5], [1, NaN, 5], [1, 5, NaN]]) {
      expect(Number.isNaN(max(tensor(row, d64)).item())).toBe(true);
      expect(Number.isNaN(min(tensor(row, d64)).item())).toBe(true);
    }
    const m = tensor([[1, NaN, 3], [4, 5, 6]], d64);
    expect(flat(max(m, 1)).map(String)).toEqual(['NaN', '6']);
    expect(flat(min(m, 1)).map(String)).toEqual(['NaN', '4']);
    expect(flat(max(m, 0)).map(String)).toEqual(['4', 'NaN', '6']);
    expect(flat(min(m, 0)).map(String)).toEqual(['1', 'NaN', '3']);
  });

  it('the gradient of a NaN max / min goes to the NaN elements, shared evenly', () => {
    for (const op of [max, min]) {
      const x = tensor([1, NaN, 3], f64);
      op(x).backward();
      expect(gradOf(x)).toEqual([0, 1, 0]);
      const y = tensor([[NaN, 2, NaN, 0], [5, 1, 5, 0]], f64);
      op(y, 1).mul(tensor([4, 6], d64)).sum().backward();
      // row 0: two NaNs share 4; row 1: ties of the extreme (5 for max, 0 for min) share 6
      expect(gradOf(y)).toEqual(op === max ? [2, 0, 2, 0, 3, 0, 3, 0] : [2, 0, 2, 0, 0, 0, 0, 6]);
    }
  });

  it('max / min without NaN: the extreme, and ±Infinity count as values', () => {
    const m = tensor([[-Infinity, -5, -7], [2, Infinity, 1]], d64);
    expect(flat(max(m, 1))).toEqual([-5, Infinity]);
    expect(flat(min(m, 1))).toEqual([-Infinity, 1]);
    expect(flat(max(tensor([-Infinity, -Infinity], d64)))).toEqual([-Infinity]);
    expect(flat(min(tensor([Infinity, Infinity], d64)))).toEqual([Infinity]);
  });
});

describe("pow's gradients at the edges", () => {
  it('d/db a^b = a^b·ln a, and 0 where a = 0 (not NaN from 0·ln 0)', () => {
    const a = tensor([0, 2, 0, 3], f64);
    const b = tensor([2, 3, 0.5, 0], f64);
    pow(a, b).sum().backward();
    expectClose(gradOf(b), [0, 8 * Math.log(2), 0, Math.log(3)], 1e-14);
    // d/da a^b = b·a^(b−1): 0 at (0, 2), 12 at (2, 3), ∞ at (0, 0.5), 0 for b = 0
    expect(gradOf(a)).toEqual([0, 12, Infinity, 0]);
  });

  it('d/da a^0 is 0 everywhere, also at a = 0 (not 0·0^(−1) = NaN)', () => {
    const a = tensor([0, 0, 5, -2], f64);
    const b = tensor([0, 1, 0, 0], f64);
    const y = pow(a, b);
    expect(flat(y)).toEqual([1, 0, 1, 1]);
    y.sum().backward();
    expect(gradOf(a)).toEqual([0, 1, 0, 0]);
  });

  it('a broadcast exponent sums its gradient, with base 0 contributing 0', () => {
    const a = tensor([0, 2, 4], f64);
    const b = tensor(2, f64);
    pow(a, b).sum().backward();
    expectClose(gradOf(b), [4 * Math.log(2) + 16 * Math.log(4)], 1e-13);
    expect(gradOf(a)).toEqual([0, 4, 8]);
  });
});

describe('logsumexp of a row of −∞', () => {
  it('is −∞ with gradient 0, not NaN; the other rows get the softmax', () => {
    const x = tensor([[-Infinity, -Infinity], [0, Math.log(3)]], f64);
    const y = logsumexp(x, 1);
    expect(flat(y)[0]).toBe(-Infinity);
    expect(flat(y)[1]).toBeCloseTo(Math.log(4), 14);
    // the −∞ row would poison a plain sum: select the finite output with a mask-free weight
    y.mul(tensor([1, 2], d64)).sum().backward();
    expectClose(gradOf(x), [0, 0, 2 * 0.25, 2 * 0.75], 1e-15);
  });

  it('a row holding +∞ gives +∞', () => {
    expect(flat(logsumexp(tensor([[1, Infinity]], d64), 1))).toEqual([Infinity]);
  });

  it('large finite values do not overflow: logsumexp([1000, 1000]) = 1000 + ln 2', () => {
    expect(logsumexp(tensor([1000, 1000], d64)).item()).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logsumexp(tensor([-1000, -1000], d64)).item()).toBeCloseTo(-1000 + Math.log(2), 10);
  });
});

describe('shape refusals', () => {
  it('mseLoss(pred [N], target [N, 1]) is a ShapeError, in both orders', () => {
    const p = tensor([1, 2, 3], d64);
    const t = tensor([[1], [2], [3]], d64);
    expect(() => mseLoss(p, t)).toThrow(ShapeError);
    expect(() => mseLoss(t, p)).toThrow(ShapeError);
    expect(() => mseLoss(p, t)).toThrowWith(ShapeError, /\[3\].*\[3, 1\]/);
  });

  it('linear with a 2-D bias [1, out] or [out, 1] is a ShapeError naming the expected shape', () => {
    const x = tensor([[1, 2, 3]], d64);
    const w = tensor([[1, 0, 0], [0, 1, 0]], d64);
    expect(() => linear(x, w, tensor([[1, 2]], d64))).toThrow(ShapeError);
    expect(() => linear(x, w, tensor([[1], [2]], d64))).toThrow(ShapeError);
    expect(() => linear(x, w, tensor([1, 2, 3], d64))).toThrowWith(ShapeError, /bias must have shape \[2\]/);
    expect(() => linear(x, w, tensor(1, d64))).toThrow(ShapeError);
    // the 1-D bias of the right length is added to every row
    expect(flat(linear(tensor([[1, 2, 3], [4, 5, 6]], d64), w, tensor([10, 20], d64)))).toEqual([11, 22, 14, 25]);
  });

  it('linear refuses a weight that is not 2-D and an input of the wrong width', () => {
    expect(() => linear(tensor([[1, 2]], d64), tensor([1, 2], d64))).toThrow(ShapeError);
    expect(() => linear(tensor([[1, 2]], d64), tensor([[1, 2, 3]], d64))).toThrow(ShapeError);
    expect(() => linear(tensor(1, d64), tensor([[1]], d64))).toThrow(ShapeError);
  });
});

describe('reductions of a 0-d tensor', () => {
  for (const axis of [0, -1, undefined] as const) {
    it(`sum and mean over axis ${String(axis)} return the value as 0-d, gradient 1`, () => {
      const x = tensor(2.5, f64);
      const s = sum(x, axis);
      expect(s.shape).toEqual([]);
      expect(s.item()).toBe(2.5);
      const m = mean(x, axis);
      expect(m.shape).toEqual([]);
      expect(m.item()).toBe(2.5);
      s.add(m.mul(3)).backward();
      expect(gradOf(x)).toEqual([4]);
    });
  }

  it('keepDims on a 0-d tensor keeps it 0-d; max and min of it are the value', () => {
    const x = tensor(-4, f64);
    expect(sum(x, 0, true).shape).toEqual([]);
    expect(max(x, -1).item()).toBe(-4);
    expect(min(x, 0).item()).toBe(-4);
  });

  it('any other axis is an ArgumentError', () => {
    const x = tensor(1, d64);
    expect(() => sum(x, 1)).toThrow(ArgumentError);
    expect(() => mean(x, -2)).toThrow(ArgumentError);
  });
});

describe('argmax / argmin against a plain loop', () => {
  // a [2, 3, 4] tensor with ties (first occurrence wins)
  const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 9, 2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5];
  const shape = [2, 3, 4];
  const at = (i: number, j: number, k: number): number => values[i * 12 + j * 4 + k];

  function reference(kind: 'max' | 'min', axis: number): { shape: number[]; values: number[] } {
    const outShape = shape.filter((_, d) => d !== axis);
    const out: number[] = [];
    const better = (v: number, best: number): boolean => (kind === 'max' ? v > best : v < best);
    for (let p = 0; p < outShape[0]; p++) {
      for (let q = 0; q < outShape[1]; q++) {
        let bestIndex = 0;
        let best = NaN;
        for (let r = 0; r < shape[axis]; r++) {
          const idx = [p, q];
          idx.splice(axis, 0, r);
          const v = at(idx[0], idx[1], idx[2]);
          if (r === 0 || better(v, best)) {
            best = v;
            bestIndex = r;
          }
        }
        out.push(bestIndex);
      }
    }
    return { shape: outShape, values: out };
  }

  for (const [name, op, kind] of [['argmax', argmax, 'max'], ['argmin', argmin, 'min']] as const) {
    for (const axis of [0, 1, 2, -1]) {
      it(`${name} along axis ${axis}, with and without keepDims`, () => {
        const x = tensor(values, d64).reshape(shape);
        const ax = (axis + 3) % 3;
        const expected = reference(kind, ax);
        const y = op(x, axis);
        expect(y.shape).toEqual(expected.shape);
        expect(flat(y)).toEqual(expected.values);
        const kept = op(x, axis, true);
        expect(kept.shape).toEqual(shape.map((d, i) => (i === ax ? 1 : d)));
        expect(flat(kept)).toEqual(expected.values);
      });
    }

    it(`${name} of the flattened tensor: the first extreme's flat position; keepDims gives all-ones axes`, () => {
      const x = tensor(values, d64).reshape(shape);
      const target = kind === 'max' ? Math.max(...values) : Math.min(...values);
      expect(op(x).shape).toEqual([]);
      expect(op(x).item()).toBe(values.indexOf(target));
      expect(op(x, undefined, true).shape).toEqual([1, 1, 1]);
    });

    it(`${name} of a 0-d tensor over axis 0 or −1 is position 0, 0-d`, () => {
      for (const axis of [0, -1, undefined]) {
        const y = op(tensor(7, d64), axis);
        expect(y.shape).toEqual([]);
        expect(y.item()).toBe(0);
      }
    });

    it(`${name} over a non-empty axis of a tensor with an empty other axis gives an empty result`, () => {
      expect(op(zeros([2, 0]), 0).shape).toEqual([0]);
      expect(() => op(zeros([2, 0]), 1)).toThrowWith(ArgumentError, new RegExp(`${name} over axis 1 of a tensor of shape \\[2, 0\\]: it is empty`));
      expect(() => op(zeros([0]))).toThrowWith(ArgumentError, new RegExp(`${name} over all elements of a tensor of shape \\[0\\]: it is empty`));
    });

    it(`${name} refuses a list of axes, naming the rule that it takes one number`, () => {
      const x = tensor([[1, 2], [3, 4]], d64);
      expect(() => op(x, [0] as unknown as number)).toThrowWith(ArgumentError, /axis must be a single number/);
      expect(() => op(x, 2)).toThrowWith(ArgumentError, /out of range/);
    });
  }
});

describe('max and min are recorded as themselves', () => {
  it('the last backward pass reports the op that ran, max or min', () => {
    const x = tensor([1, 5, 3], f64);
    min(x).backward();
    expect(Object.keys(lastBackwardRules())).toEqual(['min']);
    expect(gradOf(x)).toEqual([1, 0, 0]);
    const y = tensor([1, 5, 3], f64);
    max(y).backward();
    expect(Object.keys(lastBackwardRules())).toEqual(['max']);
    expect(gradOf(y)).toEqual([0, 1, 0]);
  });
});

describe('matmul and linear refuse operands that are not tensors', () => {
  const t = tensor([[1, 2], [3, 4]], d64);
  it('matmul: a number, an array or null on either side is an ArgumentError', () => {
    for (const bad of [2, [[1, 2]], null]) {
      expect(() => matmul(t, bad as unknown as Tensor)).toThrowWith(ArgumentError, /matmul: b must be a Tensor/);
      expect(() => matmul(bad as unknown as Tensor, t)).toThrowWith(ArgumentError, /matmul: a must be a Tensor/);
    }
  });

  it('matmul: a 0-d operand on either side is a ShapeError that says to use mul', () => {
    expect(() => matmul(t, tensor(2, d64))).toThrowWith(ShapeError, /at least one dimension.*use mul/);
    expect(() => matmul(tensor(2, d64), t)).toThrowWith(ShapeError, /at least one dimension.*use mul/);
  });

  it('linear: x, weight or a bias that is not a tensor is an ArgumentError; a null bias is none', () => {
    const w = tensor([[1, 0], [0, 1], [1, 1]], d64);
    for (const bad of [2, [1, 2, 3], 'b']) {
      expect(() => linear(bad as unknown as Tensor, w)).toThrowWith(ArgumentError, /linear: x must be a Tensor/);
      expect(() => linear(t, bad as unknown as Tensor)).toThrowWith(ArgumentError, /linear: weight must be a Tensor/);
      expect(() => linear(t, w, bad as unknown as Tensor)).toThrowWith(ArgumentError, /linear: .*bias a tensor or null/);
    }
    expect(flat(linear(t, w, null))).toEqual([1, 2, 3, 3, 4, 7]);
  });
});
