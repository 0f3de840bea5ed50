import { describe, expect, it } from 'vitest';
import { argmax, argmin, logsumexp, max, mean, min, sum, transpose } from '../../src/ops';
import { randn, tensor } from '../../src/creation';
import { ArgumentError } from '../../src/errors';
import { expectClose, f64, gradOf } from './helpers';

const m = (): ReturnType<typeof tensor> => tensor([[1, 2, 3], [4, 5, 6]], f64);

describe('sum and mean', () => {
  it('reduce all axes to a 0-d tensor, or the given axes', () => {
    expect(sum(m()).shape).toEqual([]);
    expect(sum(m()).item()).toBe(21);
    expect(sum(m(), 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(m(), -1).toArray()).toEqual([6, 15]);
    expect(sum(m(), [0, 1]).item()).toBe(21);
    expect(mean(m()).item()).toBe(3.5);
    expect(mean(m(), 1).toArray()).toEqual([2, 5]);
  });

  it('keep reduced axes as length 1 with keepDims', () => {
    expect(sum(m(), 1, true).shape).toEqual([2, 1]);
    expect(mean(m(), undefined, true).shape).toEqual([1, 1]);
    expect(sum(randn([2, 3, 4]), [0, 2], true).shape).toEqual([1, 3, 1]);
  });

  it('reduce a transposed view by its logical layout', () => {
    expect(sum(transpose(m()), 1).toArray()).toEqual([5, 7, 9]);
  });

  it('spread the gradient back: 1 for sum, 1/count for mean', () => {
    const a = m();
    sum(a, 0).backward(tensor([1, 2, 3], { dtype: 'float64' }));
    expect(gradOf(a)).toEqual([1, 2, 3, 1, 2, 3]);
    const b = m();
    mean(b, 1, true).backward(tensor([[3], [6]], { dtype: 'float64' }));
    expect(gradOf(b)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('of an empty tensor: sum is 0, mean is NaN', () => {
    expect(sum(tensor([])).item()).toBe(0);
    expect(Number.isNaN(mean(tensor([])).item())).toBe(true);
  });
});

describe('max and min', () => {
  it('take the extreme over all or some axes', () => {
    const a = tensor([[1, 7, 3], [4, 5, -6]]);
    expect(max(a).item()).toBe(7);
    expect(min(a).item()).toBe(-6);
    expect(max(a, 0).toArray()).toEqual([4, 7, 3]);
    expect(min(a, 1, true).toArray()).toEqual([[1], [-6]]);
  });

  it('send the gradient to the extreme element only', () => {
    const a = tensor([[1, 7, 3], [4, 5, -6]], f64);
    max(a, 1).backward(tensor([10, 20], { dtype: 'float64' }));
    expect(gradOf(a)).toEqual([0, 10, 0, 0, 20, 0]);
  });

  it('split the gradient evenly among tied maxima and minima', () => {
    const a = tensor([1, 3, 3, 2], f64);
    max(a).backward();
    expect(gradOf(a)).toEqual([0, 0.5, 0.5, 0]);
    const b = tensor([[2, 2, 2], [0, 5, 0]], f64);
    min(b, 1).backward(tensor([3, 1], { dtype: 'float64' }));
    expect(gradOf(b)).toEqual([1, 1, 1, 0.5, 0, 0.5]);
  });

  it('refuse an empty reduction with an ArgumentError', () => {
    expect(() => max(tensor([]))).toThrow(ArgumentError);
    expect(() => min(tensor([], { shape: [2, 0] }), 1)).toThrowWith(ArgumentError, /min: cannot reduce over axis 1 of a tensor of shape \[2, 0\]/);
    expect(max(tensor([], { shape: [0, 2] }), 1).shape).toEqual([0]); // empty output, non-empty runs
  });
});

describe('logsumexp', () => {
  it('is log Σ exp', () => {
    expectClose(logsumexp(tensor([0, Math.log(2)], { dtype: 'float64' })), [Math.log(3)], 1e-15);
    expectClose(logsumexp(tensor([[1, 2], [3, 4]], { dtype: 'float64' }), 1), [
      Math.log(Math.exp(1) + Math.exp(2)),
      Math.log(Math.exp(3) + Math.exp(4)),
    ], 1e-14);
  });

  it('is stable for large and very negative values', () => {
    expectClose(logsumexp(tensor([1000, 1000], { dtype: 'float64' })), [1000 + Math.log(2)], 1e-12);
    expectClose(logsumexp(tensor([-1000, -1000], { dtype: 'float64' })), [-1000 + Math.log(2)], 1e-12);
    expectClose(logsumexp(tensor([1000, 1000])), [1000 + Math.log(2)], 1e-3); // float32 too
    expect(logsumexp(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(logsumexp(tensor([Infinity, 0])).item()).toBe(Infinity);
  });

  it('has the softmax as its gradient', () => {
    const a = tensor([0, Math.log(2), 1000], f64);
    logsumexp(a).backward();
    expectClose(gradOf(a), [0, 0, 1], 1e-12);
    const b = tensor([0, Math.log(3)], f64);
    logsumexp(b).backward();
    expectClose(gradOf(b), [0.25, 0.75], 1e-15);
  });
});

describe('argmax and argmin', () => {
  const a = tensor([[3, 9, 9], [7, 1, 7]]);

  it('give positions along an axis, first occurrence on ties', () => {
    expect(argmax(a, 1).toArray()).toEqual([1, 0]);
    expect(argmin(a, 1).toArray()).toEqual([0, 1]);
    expect(argmax(a, 0).toArray()).toEqual([1, 0, 0]);
    expect(argmin(a, -2, true).toArray()).toEqual([[0, 1, 1]]);
  });

  it('give the flattened position when no axis is given', () => {
    expect(argmax(a).shape).toEqual([]);
    expect(argmax(a).item()).toBe(1);
    expect(argmin(a).item()).toBe(4);
    expect(argmax(a, undefined, true).shape).toEqual([1, 1]);
  });

  it('read transposed views by their logical layout and treat NaN as the extreme', () => {
    expect(argmax(transpose(a), 0).toArray()).toEqual([1, 0]);
    expect(argmax(tensor([1, NaN, 5])).item()).toBe(1);
    expect(argmin(tensor([1, -2, NaN, -5])).item()).toBe(2);
  });

  it('never require grad and refuse empty input', () => {
    const x = tensor([[1, 2], [3, 0]], f64);
    expect(argmax(x, 1).requiresGrad).toBe(false);
    expect(argmin(x).requiresGrad).toBe(false);
    expect(() => argmax(tensor([]))).toThrow(ArgumentError);
    expect(() => argmax(x, 2)).toThrowWith(ArgumentError, /argmax: axis 2 is out of range/);
  });
});
