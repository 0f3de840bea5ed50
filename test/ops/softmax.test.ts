import { describe, expect, it } from 'vitest';
import { logSoftmax, mul, softmax, sum, transpose } from '../../src/ops';
import { randn, tensor } from '../../src/creation';
import { Generator } from '../../src/random';
import { expectClose, f64, flat, gradOf } from './helpers';

const LN2 = Math.log(2);

describe('softmax and logSoftmax: values', () => {
  it('softmax of [0, ln 2] is [1/3, 2/3]', () => {
    expectClose(softmax(tensor([0, LN2], { dtype: 'float64' })), [1 / 3, 2 / 3], 1e-15);
    expectClose(logSoftmax(tensor([0, LN2], { dtype: 'float64' })), [Math.log(1 / 3), Math.log(2 / 3)], 1e-15);
  });

  it('is stable for large logits (the maximum is subtracted)', () => {
    expectClose(softmax(tensor([1000, 1000 + LN2], { dtype: 'float64' })), [1 / 3, 2 / 3], 1e-12);
    expectClose(logSoftmax(tensor([-1000, -1000 + LN2])), [Math.log(1 / 3), Math.log(2 / 3)], 1e-4); // float32 input rounding
    expectClose(softmax(tensor([0, 800])), [0, 1], 0);
    expectClose(logSoftmax(tensor([0, 800], { dtype: 'float64' })), [-800, 0], 1e-12);
  });

  it('works along any axis, including for transposed views', () => {
    const a = tensor([[0, 0], [LN2, 0]], { dtype: 'float64' });
    expectClose(softmax(a, 0), [1 / 3, 0.5, 2 / 3, 0.5], 1e-15);
    expectClose(softmax(transpose(a)), [1 / 3, 2 / 3, 0.5, 0.5], 1e-15);
    const x = randn([3, 4, 5], { dtype: 'float64', generator: new Generator(2) });
    const s = softmax(x, 1);
    const totals = flat(sum(s, 1));
    expectClose(totals, new Array(15).fill(1), 1e-14);
    expectClose(logSoftmax(x, 1), flat(s).map(Math.log), 1e-13);
  });

  it('a 0-d tensor is one class', () => {
    expect(softmax(tensor(3)).item()).toBe(1);
    expect(logSoftmax(tensor(3)).item()).toBe(0);
  });
});

describe('softmax and logSoftmax: gradients', () => {
  it('softmax: dx = y·(g − Σ g·y)', () => {
    const x = tensor([0, LN2], f64);
    sum(mul(softmax(x), tensor([1, 0], { dtype: 'float64' }))).backward();
    // y = [1/3, 2/3], g = [1, 0]: Σ g·y = 1/3; dx = [1/3·2/3, 2/3·(−1/3)]
    expectClose(gradOf(x), [2 / 9, -2 / 9], 1e-15);
  });

  it('logSoftmax: dx = g − softmax·Σ g', () => {
    const x = tensor([0, LN2], f64);
    sum(mul(logSoftmax(x), tensor([1, 2], { dtype: 'float64' }))).backward();
    expectClose(gradOf(x), [1 - 3 / 3, 2 - 6 / 3], 1e-15);
    const y = tensor([[0, LN2], [0, 0]], f64);
    sum(logSoftmax(y)).backward(); // g = 1: dx = 1 − 2·softmax
    expectClose(gradOf(y), [1 / 3, -1 / 3, 0, 0], 1e-15);
  });
});
