import { describe, expect, it } from 'vitest';
import {
  arange, eye, full, linspace, ones, onesLike, rand, randn, tensor, zeros, zerosLike,
} from '../src/creation';
import { Generator, manualSeed } from '../src/random';
import { ArgumentError, ShapeError } from '../src/errors';
import { gradTensor } from './grad';

describe('tensor creation', () => {
  it('infers shape and defaults to float32 from nested arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('makes 0-d tensors from numbers and reads them with item()', () => {
    const t = tensor(2.5, { dtype: 'float64' });
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(2.5);
    expect(t.toArray()).toBe(2.5);
  });

  it('takes typed arrays with an explicit shape, and keeps float64 from a Float64Array', () => {
    const t = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(t.dtype).toBe('float64');
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('copies its input: changing the source array later does not change the tensor', () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 9;
    expect(t.toArray()).toEqual([1, 2]);
  });

  it('rejects ragged arrays, unknown dtypes and sizes that do not fill the shape', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrowWith(ShapeError, /ragged at index \[1\]/);
    expect(() => tensor([1], { dtype: 'float16' as never })).toThrow(ArgumentError);
    expect(() => tensor([1], { dtype: 'float16' as never })).toThrow(/'float32', 'float64'/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values do not fill shape \[2,2\]/);
    expect(() => zeros([2, -1])).toThrow(ShapeError);
  });

  it('fills constant tensors', () => {
    expect(zeros([2]).toArray()).toEqual([0, 0]);
    expect(ones([2, 1], { dtype: 'float64' }).toArray()).toEqual([[1], [1]]);
    expect(full([3], 7).toArray()).toEqual([7, 7, 7]);
    const like = zerosLike(tensor([1, 2], { dtype: 'float64' }));
    expect(like.dtype).toBe('float64');
    expect(onesLike(like).toArray()).toEqual([1, 1]);
  });

  it('makes ranges, linspace and identity matrices', () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(() => arange(0, 1, 0)).toThrow(ArgumentError);
  });

  it('draws reproducibly from a seeded generator, and from manualSeed', () => {
    const a = randn([5], { generator: new Generator(3) }).toArray();
    const b = randn([5], { generator: new Generator(3) }).toArray();
    const c = randn([5], { generator: new Generator(4) }).toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    manualSeed(11);
    const d = rand([4]).toArray();
    manualSeed(11);
    expect(rand([4]).toArray()).toEqual(d);
  });

  it('draws with the right moments (rand in [low, high), randn mean and std)', () => {
    const gen = new Generator(5);
    const u = Array.from(rand([20000], { generator: gen, low: -1, high: 3, dtype: 'float64' }).toTypedArray());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(u.reduce((s, v) => s + v, 0) / u.length).toBeCloseTo(1, 1); // mean (low+high)/2
    const z = Array.from(randn([20000], { generator: gen, mean: 2, std: 3, dtype: 'float64' }).toTypedArray());
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeCloseTo(3, 1);
  });
});

describe('tensor basics', () => {
  it('prints shape, dtype and values, truncated for big tensors', () => {
    expect(tensor([[1, 2], [3, 4.5]]).toString()).toBe('Tensor(shape=[2, 2], dtype=float32, [[1, 2], [3, 4.5]])');
    const big = arange(100).toString();
    expect(big).toContain('...');
    expect(big).toContain('99');
    expect(big.length).toBeLessThan(120);
  });

  it('refuses item() on a multi-element tensor, naming its shape', () => {
    expect(() => tensor([1, 2]).item()).toThrowWith(ArgumentError, /shape \[2\]/);
  });

  it('detach() shares storage but leaves the graph; clone() copies', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    d.toNdarray().data[0] = 5;
    expect(x.toArray()).toEqual([5, 2]);
    const c = x.clone();
    c.toNdarray().data[1] = 9;
    expect(x.toArray()).toEqual([5, 2]);
    expect(c.requiresGrad).toBe(true);
  });

  it('casts between dtypes with the gradient flowing back in the source dtype', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.to('float64');
    expect(y.dtype).toBe('float64');
    y.mul(y).sum().backward();
    expect(gradTensor(x).dtype).toBe('float32');
    expect(gradTensor(x).toArray()).toEqual([2, 4]);
  });
});
