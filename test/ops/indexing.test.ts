import { describe, expect, it } from 'vitest';
import { gather, gt, mul, sum, transpose, where } from '../../src/ops';
import { tensor } from '../../src/creation';
import { ArgumentError, ShapeError } from '../../src/errors';
import { f64, gradOf } from './helpers';

describe('gather', () => {
  const a = (): ReturnType<typeof tensor> => tensor([[1, 2, 3], [4, 5, 6]], f64);

  it('picks along an axis with PyTorch semantics', () => {
    // axis 1: out[i][j] = a[i][index[i][j]]
    expect(gather(a(), 1, tensor([[0, 0], [2, 1]])).toArray()).toEqual([[1, 1], [6, 5]]);
    // axis 0: out[i][j] = a[index[i][j]][j]
    expect(gather(a(), 0, tensor([[1, 0, 1]])).toArray()).toEqual([[4, 2, 6]]);
    expect(gather(a(), -1, tensor([[2], [0]])).toArray()).toEqual([[3], [4]]);
    expect(gather(transpose(a()), 1, tensor([[1], [0], [1]])).toArray()).toEqual([[4], [2], [6]]);
    expect(gather(tensor(5), 0, tensor(0)).item()).toBe(5);
  });

  it('scatter-adds the gradient back, accumulating repeated indices', () => {
    const x = a();
    gather(x, 1, tensor([[0, 0, 0, 2], [1, 1, 2, 1]])).backward(
      tensor([[1, 2, 3, 4], [1, 1, 1, 1]], { dtype: 'float64' }),
    );
    expect(gradOf(x)).toEqual([6, 0, 4, 0, 3, 1]);
  });

  it('rejects out-of-range and non-integer indices, naming the value and the bound', () => {
    expect(() => gather(a(), 1, tensor([[0, 3], [0, 0]]))).toThrow(ArgumentError);
    expect(() => gather(a(), 1, tensor([[0, 3], [0, 0]]))).toThrowWith(ArgumentError, 
      'gather: index 3 (at flat position 1) is out of range for axis 1 of size 3; indices must be integers in [0, 3)',
    );
    expect(() => gather(a(), 0, tensor([[-1, 0, 0]]))).toThrowWith(ArgumentError, /index -1 .* out of range for axis 0 of size 2/);
    expect(() => gather(a(), 0, tensor([[0.5, 0, 0]]))).toThrowWith(ArgumentError, /index 0.5 .* is not an integer/);
  });

  it('rejects an index of another rank or larger than the input along another axis', () => {
    expect(() => gather(a(), 1, tensor([0, 1]))).toThrow(ShapeError);
    expect(() => gather(a(), 1, tensor([[0], [0], [0]]))).toThrowWith(ShapeError, /larger than the input's \[2, 3\] along axis 0/);
  });
});

describe('where', () => {
  it('takes a where the mask is nonzero and b elsewhere, broadcasting all three', () => {
    const m = tensor([[1], [0]]);
    expect(where(m, tensor([1, 2, 3]), tensor(-1)).toArray()).toEqual([[1, 2, 3], [-1, -1, -1]]);
    expect(where(tensor([0, 2, -1]), 5, tensor([7, 8, 9])).toArray()).toEqual([7, 5, 5]);
    const x = tensor([-2, 3, -1, 4]);
    expect(where(gt(x, 0), x, 0).toArray()).toEqual([0, 3, 0, 4]);
  });

  it('sends the gradient to a or b by the mask, summed over broadcast axes, never to the mask', () => {
    const m = tensor([[1, 0, 1], [0, 0, 1]], f64); // requires grad, but is a mask
    const a = tensor([1, 2, 3], f64);
    const b = tensor(5, f64);
    sum(mul(where(m, a, b), tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' }))).backward();
    expect(gradOf(a)).toEqual([1, 0, 9]);
    expect(gradOf(b)).toEqual([4 + 2 + 5]);
    expect(m.grad).toBeNull();
  });

  it('names all three shapes when they do not broadcast', () => {
    expect(() => where(tensor([1, 0]), tensor([1, 2, 3]), 0)).toThrowWith(ShapeError, 
      'where: mask [2], a [3] and b [] cannot be broadcast together',
    );
  });
});
