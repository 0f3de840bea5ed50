import { describe, expect, it } from 'vitest';
import { argmax, argmin, eq, ge, gt, le, lt, transpose } from '../../src/ops';
import { tensor } from '../../src/creation';
import { ShapeError } from '../../src/errors';
import { f64 } from './helpers';

describe('comparisons', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);

  it('give 0/1 masks with broadcasting and numbers', () => {
    expect(gt(a, 3).toArray()).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(ge(a, 3).toArray()).toEqual([[0, 0, 1], [1, 1, 1]]);
    expect(lt(a, tensor([2, 2, 7])).toArray()).toEqual([[1, 0, 1], [0, 0, 1]]);
    expect(le(tensor([[2], [5]]), a).toArray()).toEqual([[0, 1, 1], [0, 1, 1]]);
    expect(eq(a, tensor([1, 5, 0])).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eq(transpose(a), transpose(a)).toArray()).toEqual([[1, 1], [1, 1], [1, 1]]);
    expect(gt(tensor([NaN]), 0).toArray()).toEqual([0]);
    expect(gt(a, 3).dtype).toBe('float32');
  });

  it('are methods too', () => {
    expect(a.gt(2).toArray()).toEqual([[0, 0, 1], [1, 1, 1]]);
    expect(a.le(2).toArray()).toEqual([[1, 1, 0], [0, 0, 0]]);
  });

  it('name themselves and both shapes when the shapes do not broadcast', () => {
    expect(() => gt(a, tensor([1, 2]))).toThrow(ShapeError);
    expect(() => eq(a, tensor([1, 2]))).toThrowWith(ShapeError, /^eq: shapes \[2, 3\] and \[2\] cannot be broadcast together/);
  });
});

describe('non-differentiable ops', () => {
  it('outputs never require grad, even for inputs that do', () => {
    const x = tensor([[1, -2], [3, 0]], f64);
    const y = tensor([0, 1], f64);
    for (const out of [gt(x, y), ge(x, 0), lt(x, y), le(y, x), eq(x, x), argmax(x), argmin(x, 1)]) {
      expect(out.requiresGrad).toBe(false);
      expect(out.isLeaf).toBe(true);
    }
  });
});
