import { describe, expect, it } from 'vitest';
import { nn, optim, tensor, randn, Generator } from '../../src';

describe('zeroGrad(setToNone)', () => {
  it('by default sets .grad to null, as PyTorch ≥ 2', () => {
    const lin = new nn.Linear(3, 2, { generator: new Generator(1) });
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    lin.forward(tensor([[1, 2, 3]])).sum().backward();
    opt.zeroGrad();
    expect(lin.weight.grad).toBeNull();
    lin.forward(tensor([[1, 2, 3]])).sum().backward();
    lin.zeroGrad();
    expect(lin.bias?.grad).toBeNull();
  });

  it('zeroGrad(false) keeps the buffers, zeroed, and backward accumulates into the same memory', () => {
    const gen = new Generator(2);
    const lin = new nn.Linear(4, 3, { generator: gen, dtype: 'float64' });
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    const x = randn([5, 4], { generator: gen, dtype: 'float64' });
    lin.forward(x).sum().backward();
    const buffer = lin.weight.grad?.toNdarray().data;
    for (const zero of [(): void => opt.zeroGrad(false), (): void => lin.zeroGrad(false)]) {
      zero();
      expect(Array.from(lin.weight.grad?.toTypedArray() ?? [])).toEqual(new Array(12).fill(0));
      lin.forward(x).sum().backward();
      expect(lin.weight.grad?.toNdarray().data).toBe(buffer);
      // d(sum(xWᵀ + b))/dW[o, i] = Σ_n x[n, i], the same for every output row o
      const colSums = [0, 1, 2, 3].map((i) => (x.toArray() as number[][]).reduce((s, row) => s + row[i], 0));
      const g = lin.weight.grad?.toArray() as number[][];
      g.forEach((row) => row.forEach((v, i) => expect(v).toBeCloseTo(colSums[i], 12)));
      expect(Array.from(lin.bias?.grad?.toTypedArray() ?? [])).toEqual([5, 5, 5]);
    }
  });

  it('zeroGrad(false) replaces a strided .grad set by hand instead of writing through it', () => {
    const p = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const source = tensor([[5, 6], [7, 8]]);
    p.grad = source.T; // a transposed view of someone else's data
    new optim.SGD([p], { lr: 0.1 }).zeroGrad(false);
    expect(source.toArray()).toEqual([[5, 6], [7, 8]]);
    expect(p.grad?.toArray()).toEqual([[0, 0], [0, 0]]);
  });

  it('refuses a setToNone that is not a boolean', () => {
    expect(() => new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 }).zeroGrad('no' as unknown as boolean)).toThrow(/setToNone must be true or false/);
  });
});
