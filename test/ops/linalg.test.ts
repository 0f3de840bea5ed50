import { describe, expect, it } from 'vitest';
import { linear, matmul, slice, sum, transpose } from '../../src/ops';
import { randn, tensor, zeros } from '../../src/creation';
import { Generator } from '../../src/random';
import type { Tensor } from '../../src/tensor';
import { expectClose, f64, flat, gradOf } from './helpers';
import { ShapeError } from '../../src/errors';
import { gradTensor } from '../grad';

/** The product by the definition, in float64, from the operands' values (any layout). */
function naive(a: Tensor, b: Tensor): number[] {
  const [n, k] = a.shape;
  const m = b.shape[1];
  const x = flat(a);
  const y = flat(b);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * y[p * m + j];
      out.push(s);
    }
  }
  return out;
}

describe('matmul: values', () => {
  const gen = new Generator(11);
  const shapes: [number, number, number][] = [
    [1, 1, 1], [2, 3, 4], [5, 1, 7], [7, 9, 1], [33, 40, 35], [64, 17, 70],
  ];
  for (const [n, k, m] of shapes) {
    it(`matches a naive triple loop for ${n}×${k} @ ${k}×${m}, in all four transpose layouts`, () => {
      const a = randn([n, k], { dtype: 'float64', generator: gen });
      const b = randn([k, m], { dtype: 'float64', generator: gen });
      const at = transpose(randn([k, n], { dtype: 'float64', generator: gen })); // a transposed buffer
      const bt = transpose(randn([m, k], { dtype: 'float64', generator: gen }));
      expectClose(matmul(a, b), naive(a, b), 1e-12);
      expectClose(matmul(at, b), naive(at, b), 1e-12);
      expectClose(matmul(a, bt), naive(a, bt), 1e-12);
      expectClose(matmul(at, bt), naive(at, bt), 1e-12);
    });
  }

  it('computes a small product by hand', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6], [7, 8]]);
    expect(matmul(a, b).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(matmul(a, b).dtype).toBe('float32');
  });

  it('follows NumPy for 1-D operands', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor([[1, 0], [0, 1], [1, 1]]);
    expect(matmul(v, m).shape).toEqual([2]);
    expect(matmul(v, m).toArray()).toEqual([4, 5]);
    expect(matmul(transpose(m), v).toArray()).toEqual([4, 5]);
    const dot = matmul(v, tensor([4, 5, 6]));
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(32);
  });

  it('broadcasts batch dimensions', () => {
    const gen2 = new Generator(3);
    const a = randn([2, 3, 4], { dtype: 'float64', generator: gen2 });
    const w = randn([4, 5], { dtype: 'float64', generator: gen2 });
    const out = matmul(a, w);
    expect(out.shape).toEqual([2, 3, 5]);
    for (let i = 0; i < 2; i++) {
      const ai = slice(a, [[i, i + 1]]).reshape([3, 4]);
      expectClose(flat(out).slice(i * 15, (i + 1) * 15), naive(ai, w), 1e-12);
    }
    expect(matmul(tensor([[[1, 2]]]), tensor([[[1], [1]], [[2], [2]]])).toArray()).toEqual([[[3]], [[6]]]);
    expect(matmul(randn([3, 1, 2, 4]), randn([5, 4, 6])).shape).toEqual([3, 5, 2, 6]);
  });

  it('promotes float32 @ float64 to float64', () => {
    expect(matmul(tensor([[1, 2]]), tensor([[3], [4]], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('handles empty inner and outer dimensions', () => {
    expect(matmul(tensor([[], []]), tensor([], { shape: [0, 3] })).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(matmul(tensor([], { shape: [0, 2] }), tensor([[1], [2]])).shape).toEqual([0, 1]);
  });

  it('float32 products of a training-sized layer agree with float64 to float32 precision', () => {
    const gen3 = new Generator(5);
    const x = randn([128, 64], { generator: gen3 });
    const w = randn([64, 10], { generator: gen3 });
    expectClose(matmul(x, w), naive(x, w), 1e-4);
  });
});

describe('matmul: gradients', () => {
  it('gives dA = g·Bᵀ and dB = Aᵀ·g (sum of the product: row and column sums)', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], f64);
    const b = tensor([[1, -1], [2, 0], [0, 3]], f64);
    sum(matmul(a, b)).backward();
    // dA[i, k] = Σ_j B[k, j];  dB[k, j] = Σ_i A[i, k]
    expect(gradOf(a)).toEqual([0, 2, 3, 0, 2, 3]);
    expect(gradOf(b)).toEqual([5, 5, 7, 7, 9, 9]);
  });

  it('computes no gradient for an operand that does not require grad', () => {
    const x = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const w = tensor([[1, 0], [0, 1]], f64);
    sum(matmul(x, w)).backward();
    expect(x.grad).toBeNull();
    expect(gradOf(w)).toEqual([4, 4, 6, 6]);
  });

  it('sums the gradient of a broadcast batch operand over the batch', () => {
    const a = tensor([[[1, 2]], [[3, 4]], [[5, 6]]], f64); // [3, 1, 2]
    const w = tensor([[1], [1]], f64); // [2, 1], shared by the batch
    sum(matmul(a, w)).backward();
    expect(gradOf(w)).toEqual([9, 12]);
    expect(gradOf(a)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('returns gradients shaped like 1-D operands', () => {
    const v = tensor([1, 2], f64);
    const m = tensor([[1, 2, 3], [4, 5, 6]], f64);
    sum(matmul(v, m)).backward();
    expect(gradTensor(v).shape).toEqual([2]);
    expect(gradOf(v)).toEqual([6, 15]);
    expect(gradOf(m)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('transposed operands get gradients in their own (untransposed) layout', () => {
    const p = tensor([[1, 2], [3, 4], [5, 6]], f64); // used as pᵀ: [2, 3]
    const q = tensor([[1, 0, 2]], f64); // used as qᵀ: [3, 1]
    sum(matmul(transpose(p), transpose(q))).backward();
    // out = pᵀ qᵀ; d/dp[k, i] = q[0, k]; d/dq[0, k] = Σ_i p[k, i]
    expect(gradOf(p)).toEqual([1, 1, 0, 0, 2, 2]);
    expect(gradOf(q)).toEqual([3, 7, 11]);
  });
});

describe('linear', () => {
  it('computes x·Wᵀ + b (checked against plain loops), for 2-D and batched inputs', () => {
    const gen = new Generator(31);
    const x = randn([2, 3, 4], { dtype: 'float64', generator: gen });
    const w = randn([5, 4], { dtype: 'float64', generator: gen });
    const b = randn([5], { dtype: 'float64', generator: gen });
    const y = linear(x, w, b);
    expect(y.shape).toEqual([2, 3, 5]);
    const X = x.toTypedArray();
    const W = w.toTypedArray();
    const B = b.toTypedArray();
    const Y = y.toTypedArray();
    for (let r = 0; r < 6; r++) {
      for (let o = 0; o < 5; o++) {
        let s = B[o];
        for (let i = 0; i < 4; i++) s += X[r * 4 + i] * W[o * 4 + i];
        expect(Y[r * 5 + o]).toBeCloseTo(s, 12);
      }
    }
    expect(linear(x, w).toTypedArray()[0]).toBeCloseTo(Y[0] - B[0], 12);
  });

  it('with zero input features gives the bias (and the bias gradient counts the rows)', () => {
    const b = tensor([1, 2, 3], { requiresGrad: true });
    const y = linear(zeros([4, 0]), zeros([3, 0], { requiresGrad: true }), b);
    expect(y.toArray()).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    y.sum().backward();
    expect(gradTensor(b).toArray()).toEqual([4, 4, 4]);
  });

  it('promotes to the widest dtype of input, weight and bias, as matmul + add does', () => {
    const y = linear(zeros([2, 3]), zeros([4, 3]), zeros([4], { dtype: 'float64' }));
    expect(y.dtype).toBe('float64');
  });

  it('names the shapes when input, weight or bias do not fit', () => {
    const w = zeros([5, 4]);
    expect(() => linear(zeros([3, 3]), w)).toThrowWith(ShapeError, /last dimension must be 4.*\[3, 3\]/);
    expect(() => linear(zeros([3, 4]), zeros([5]))).toThrowWith(ShapeError, /weight must be 2-D/);
    expect(() => linear(zeros([3, 4]), w, zeros([4]))).toThrowWith(ShapeError, /bias must have shape \[5\], got \[4\]/);
  });
});
