import { describe, expect, it } from 'vitest';
import {
  concat, flatten, mul, permute, reshape, slice, squeeze, stack, sum, transpose, unsqueeze,
} from '../../src/ops';
import { arange, randn, tensor } from '../../src/creation';
import { ArgumentError, ShapeError } from '../../src/errors';
import { f64, flat, gradOf } from './helpers';
import { gradTensor } from '../grad';

describe('reshape and flatten', () => {
  it('reshape keeps C order, infers one -1, and shares storage with a contiguous input', () => {
    const a = arange(6);
    const r = reshape(a, [2, -1]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(r.toNdarray().data).toBe(a.toNdarray().data);
    expect(reshape(tensor([7]), []).shape).toEqual([]);
  });

  it('reshape of a transposed view reads it in its logical order', () => {
    const t = transpose(reshape(arange(6), [2, 3]));
    expect(reshape(t, [6]).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('flatten merges a range of axes', () => {
    const a = randn([2, 3, 4, 5]);
    expect(flatten(a).shape).toEqual([120]);
    expect(flatten(a, 1).shape).toEqual([2, 60]);
    expect(flatten(a, 1, 2).shape).toEqual([2, 12, 5]);
    expect(flatten(a, -2).shape).toEqual([2, 3, 20]);
    expect(flatten(tensor(3)).shape).toEqual([1]);
  });

  it('gradients are reshaped back', () => {
    const a = tensor([[1, 2], [3, 4]], f64);
    reshape(a, [4]).backward(tensor([1, 2, 3, 4], { dtype: 'float64' }));
    expect(gradTensor(a).shape).toEqual([2, 2]);
    expect(gradOf(a)).toEqual([1, 2, 3, 4]);
  });
});

describe('transpose and permute', () => {
  it('are views: no data moves', () => {
    const a = reshape(arange(6), [2, 3]);
    const t = transpose(a);
    expect(t.shape).toEqual([3, 2]);
    expect(t.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(t.toNdarray().data).toBe(a.toNdarray().data);
    expect(a.T.toArray()).toEqual(t.toArray());
    const p = permute(reshape(arange(24), [2, 3, 4]), [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.toNdarray().data.length).toBe(24);
    // p[k, i, j] = a[i, j, k] = 12 i + 4 j + k
    expect(flat(p).slice(0, 6)).toEqual([0, 4, 8, 12, 16, 20]);
  });

  it('transpose swaps any two axes', () => {
    expect(transpose(randn([2, 3, 4]), 0, 2).shape).toEqual([4, 3, 2]);
    expect(transpose(randn([2, 3, 4])).shape).toEqual([2, 4, 3]);
  });

  it('backward permutes the gradient back', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], f64);
    const w = tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float64' });
    sum(mul(transpose(a), w)).backward();
    expect(gradOf(a)).toEqual([1, 3, 5, 2, 4, 6]);
    const b = randn([2, 3, 4], f64);
    sum(permute(b, [1, 2, 0])).backward();
    expect(gradTensor(b).shape).toEqual([2, 3, 4]);
  });
});

describe('squeeze and unsqueeze', () => {
  it('drop all size-1 axes or the listed ones (a listed axis of another size is left alone)', () => {
    const a = randn([1, 3, 1, 2]);
    expect(squeeze(a).shape).toEqual([3, 2]);
    expect(squeeze(a, 0).shape).toEqual([3, 1, 2]);
    expect(squeeze(a, [0, -2]).shape).toEqual([3, 2]);
    expect(squeeze(a, 1).shape).toEqual([1, 3, 1, 2]);
    expect(squeeze(tensor([[5]])).shape).toEqual([]);
  });

  it('insert an axis, with negative positions counted from the end of the result', () => {
    const a = randn([3, 2]);
    expect(unsqueeze(a, 0).shape).toEqual([1, 3, 2]);
    expect(unsqueeze(a, 2).shape).toEqual([3, 2, 1]);
    expect(unsqueeze(a, -1).shape).toEqual([3, 2, 1]);
    expect(unsqueeze(a, -3).shape).toEqual([1, 3, 2]);
    expect(unsqueeze(tensor(4), 0).toArray()).toEqual([4]);
    expect(flat(unsqueeze(transpose(reshape(arange(6), [2, 3])), 1))).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('slice', () => {
  const v = arange(10);

  it('takes Python-style ranges: negative indices, steps, clamping', () => {
    expect(slice(v, [[2, 5]]).toArray()).toEqual([2, 3, 4]);
    expect(slice(v, [[-3]]).toArray()).toEqual([7, 8, 9]);
    expect(slice(v, [[undefined, -7]]).toArray()).toEqual([0, 1, 2]);
    expect(slice(v, [[1, -1, 3]]).toArray()).toEqual([1, 4, 7]);
    expect(slice(v, [[-100, 100, 4]]).toArray()).toEqual([0, 4, 8]);
    expect(slice(v, [[8, 3]]).toArray()).toEqual([]);
    expect(slice(v, [[12, 20]]).shape).toEqual([0]);
    expect(slice(v, [null]).toArray()).toEqual(flat(v));
  });

  it('slices leading axes of a matrix and leaves the rest whole', () => {
    const a = reshape(arange(20), [4, 5]);
    expect(slice(a, [[1, 3]]).toArray()).toEqual([[5, 6, 7, 8, 9], [10, 11, 12, 13, 14]]);
    expect(slice(a, [null, [-2]]).toArray()).toEqual([[3, 4], [8, 9], [13, 14], [18, 19]]);
    expect(slice(a, [[0, undefined, 2], [1, 5, 2]]).toArray()).toEqual([[1, 3], [11, 13]]);
    expect(slice(transpose(a), [[-1]]).toArray()).toEqual([[4, 9, 14, 19]]);
    expect(slice(a, [[1, 2]]).toNdarray().data).toBe(a.toNdarray().data); // a view
  });

  it('backward writes the gradient into zeros at the sliced positions', () => {
    const a = tensor([0, 1, 2, 3, 4, 5, 6], f64);
    sum(mul(slice(a, [[1, -1, 2]]), tensor([10, 20, 30], { dtype: 'float64' }))).backward();
    expect(gradOf(a)).toEqual([0, 10, 0, 20, 0, 30, 0]);
  });

  it('rejects a step below 1 and too many ranges', () => {
    expect(() => slice(v, [[0, 5, 0]])).toThrowWith(ArgumentError, /slice: step for axis 0 must be at least 1, got 0/);
    expect(() => slice(v, [[5, 0, -1]])).toThrow(ArgumentError);
    expect(() => slice(v, [null, [0, 1]])).toThrowWith(ArgumentError, /2 ranges given for a tensor of shape \[10\]/);
    expect(() => slice(v, [[0.5, 2]])).toThrowWith(ArgumentError, /start for axis 0 must be an integer/);
  });
});

describe('concat and stack', () => {
  const a = tensor([[1, 2], [3, 4]], f64);
  const b = tensor([[5, 6]], f64);

  it('concat joins along an axis', () => {
    expect(concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([a, transpose(a)], 1).toArray()).toEqual([[1, 2, 1, 3], [3, 4, 2, 4]]);
    expect(concat([a], -1).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('stack joins along a new axis', () => {
    const c = tensor([[7, 8], [9, 10]]);
    expect(stack([a, c]).shape).toEqual([2, 2, 2]);
    expect(stack([a, c], 1).toArray()).toEqual([[[1, 2], [7, 8]], [[3, 4], [9, 10]]]);
    expect(stack([a, c], -1).toArray()).toEqual([[[1, 7], [2, 8]], [[3, 9], [4, 10]]]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
    expect(stack([a, c]).dtype).toBe('float64');
  });

  it('each input gets its own part of the gradient', () => {
    const x = tensor([1, 2], f64);
    const y = tensor([3, 4, 5], f64);
    concat([x, y]).backward(tensor([1, 2, 3, 4, 5], { dtype: 'float64' }));
    expect(gradOf(x)).toEqual([1, 2]);
    expect(gradOf(y)).toEqual([3, 4, 5]);
    const p = tensor([1, 2], f64);
    const q = tensor([3, 4], f64);
    stack([p, q], 1).backward(tensor([[1, 2], [3, 4]], { dtype: 'float64' }));
    expect(gradOf(p)).toEqual([1, 3]);
    expect(gradOf(q)).toEqual([2, 4]);
  });

  it('name the offending tensor by index and shape', () => {
    expect(() => concat([a, b, tensor([[1, 2, 3]])])).toThrowWith(ShapeError, 
      'concat: tensor 2 has shape [1, 3], but tensor 0 has shape [2, 2]; all dimensions except axis 0 must match',
    );
    expect(() => stack([a, b])).toThrowWith(ShapeError, 'stack: tensor 1 has shape [1, 2], but tensor 0 has shape [2, 2]; stack needs tensors of one shape');
    expect(() => concat([])).toThrow(ArgumentError);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(ShapeError);
    expect(() => concat([a, b], 2)).toThrowWith(ArgumentError, /concat: axis 2 is out of range/);
  });
});
