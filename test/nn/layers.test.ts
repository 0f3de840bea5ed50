// Linear, BatchNorm1d, LayerNorm, Dropout, Flatten, Identity: values against formulas computed
// here with plain numbers, gradients against finite differences.
import { describe, expect, it } from 'vitest';
import { Generator, ShapeError, ArgumentError, type Tensor, manualSeed, nn, randn, tensor } from '../../src/index';
import { checkModuleGradients } from './helpers';
import { gradTensor } from '../grad';

const f64 = { dtype: 'float64' } as const;

function rows(t: Tensor): number[][] {
  return t.toArray() as number[][];
}

describe('Linear', () => {
  it('computes x·Wᵀ + b (W stored [out, in])', () => {
    const lin = new nn.Linear(3, 2, f64);
    lin.weight.toNdarray().data.set([1, 2, 3, -1, 0.5, 2]); // W = [[1, 2, 3], [-1, 0.5, 2]]
    lin.bias?.toNdarray().data.set([0.25, -1]);
    const x = [[1, 0, -1], [2, 4, 0.5]];
    const y = rows(lin.forward(tensor(x, f64)));
    const W = [[1, 2, 3], [-1, 0.5, 2]];
    const b = [0.25, -1];
    const expected = x.map((xi) => W.map((wj, j) => wj.reduce((s, w, k) => s + w * xi[k], b[j])));
    expect(y).toEqual(expected);
  });

  it('handles a single sample and extra leading dimensions', () => {
    const lin = new nn.Linear(2, 3, { ...f64, generator: new Generator(4) });
    const x = randn([4, 5, 2], { ...f64, generator: new Generator(5) });
    const y = lin.forward(x);
    expect(y.shape).toEqual([4, 5, 3]);
    const one = lin.forward(tensor([1, 2], f64));
    expect(one.shape).toEqual([3]);
  });

  it('without bias has only a weight', () => {
    const lin = new nn.Linear(3, 2, { bias: false });
    expect(lin.bias).toBeNull();
    expect(lin.namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('names itself and the shapes when the input does not fit', () => {
    expect(() => new nn.Linear(3, 2).forward(tensor([[1, 2]]))).toThrow(ShapeError);
    expect(() => new nn.Linear(3, 2).forward(tensor([[1, 2]]))).toThrowWith(ShapeError, /Linear\(3 → 2\).*\[1, 2\]/);
    expect(() => new nn.Linear(-1, 2)).toThrow(ArgumentError);
  });

  it('default initialisation is U(−1/√in, 1/√in) for weight and bias, seeded', () => {
    const lin = new nn.Linear(100, 50, { generator: new Generator(11) });
    const bound = 1 / Math.sqrt(100);
    const w = Array.from(lin.weight.toTypedArray());
    const b = Array.from(lin.bias?.toTypedArray() ?? []);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo(bound ** 2 / 3, 4); // U(−a, a) has variance a²/3
    // the same seed gives the same weights; the default generator is used without one
    expect(Array.from(new nn.Linear(100, 50, { generator: new Generator(11) }).weight.toTypedArray())).toEqual(Array.from(w));
    manualSeed(3);
    const c = new nn.Linear(4, 4).weight.toTypedArray();
    manualSeed(3);
    expect(Array.from(new nn.Linear(4, 4).weight.toTypedArray())).toEqual(Array.from(c));
  });

  it('gradients of weight, bias and input match finite differences', () => {
    const lin = new nn.Linear(3, 4, { ...f64, generator: new Generator(1) });
    const x = randn([5, 3], { ...f64, generator: new Generator(2) });
    const check = checkModuleGradients(lin, x);
    expect(check.ok, check.message).toBe(true);
  });
});

/** Per-feature mean and (biased or unbiased) variance of the columns of x. */
function columnStats(x: number[][], unbiased = false): { mean: number[]; variance: number[] } {
  const n = x.length;
  const mean = x[0].map((_, c) => x.reduce((s, r) => s + r[c], 0) / n);
  const variance = x[0].map((_, c) => x.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / (unbiased ? n - 1 : n));
  return { mean, variance };
}

describe('BatchNorm1d', () => {
  const data = [
    [1, 2, -3],
    [4, 0, 0.5],
    [-2, 2, 1],
    [0.5, -1, 7],
  ];

  it('training: normalises with the batch mean and biased variance, then scales and shifts', () => {
    const bn = new nn.BatchNorm1d(3, { ...f64, eps: 1e-5 });
    bn.weight?.toNdarray().data.set([1, 2, 0.5]);
    bn.bias?.toNdarray().data.set([0, -1, 3]);
    const y = rows(bn.forward(tensor(data, f64)));
    const { mean, variance } = columnStats(data);
    const gamma = [1, 2, 0.5];
    const beta = [0, -1, 3];
    data.forEach((r, i) =>
      r.forEach((v, c) => expect(y[i][c]).toBeCloseTo(((v - mean[c]) / Math.sqrt(variance[c] + 1e-5)) * gamma[c] + beta[c], 12)),
    );
  });

  it('training updates running statistics with the unbiased variance and momentum', () => {
    const bn = new nn.BatchNorm1d(3, { ...f64, momentum: 0.25 });
    bn.forward(tensor(data, f64));
    const { mean } = columnStats(data);
    const { variance: unbiased } = columnStats(data, true);
    const rm = bn.runningMean?.toTypedArray() ?? [];
    const rv = bn.runningVar?.toTypedArray() ?? [];
    mean.forEach((m, c) => expect(rm[c]).toBeCloseTo(0.75 * 0 + 0.25 * m, 14));
    unbiased.forEach((v, c) => expect(rv[c]).toBeCloseTo(0.75 * 1 + 0.25 * v, 14));
    expect(bn.numBatchesTracked?.item()).toBe(1);
  });

  it('eval: normalises with the running statistics', () => {
    const bn = new nn.BatchNorm1d(3, f64);
    bn.forward(tensor(data, f64));
    bn.forward(tensor(data.map((r) => r.map((v) => 2 * v + 1)), f64));
    bn.eval();
    const rm = Array.from(bn.runningMean?.toTypedArray() ?? []);
    const rv = Array.from(bn.runningVar?.toTypedArray() ?? []);
    const x = [[0.1, 0.2, 0.3]];
    const y = rows(bn.forward(tensor(x, f64)));
    x[0].forEach((v, c) => expect(y[0][c]).toBeCloseTo((v - rm[c]) / Math.sqrt(rv[c] + 1e-5), 12));
    // eval does not move the statistics
    expect(Array.from(bn.runningMean?.toTypedArray() ?? [])).toEqual(rm);
  });

  it('momentum null keeps a cumulative average', () => {
    const bn = new nn.BatchNorm1d(3, { ...f64, momentum: null });
    const second = data.map((r) => r.map((v) => v * 3 - 2));
    bn.forward(tensor(data, f64));
    bn.forward(tensor(second, f64));
    const m1 = columnStats(data).mean;
    const m2 = columnStats(second).mean;
    const rm = bn.runningMean?.toTypedArray() ?? [];
    m1.forEach((m, c) => expect(rm[c]).toBeCloseTo((m + m2[c]) / 2, 12));
  });

  it('[N, C, L] inputs are normalised per channel over N and L', () => {
    const bn = new nn.BatchNorm1d(2, f64);
    const x = randn([3, 2, 4], { ...f64, generator: new Generator(3) });
    const y = bn.forward(x).toArray() as number[][][];
    for (let c = 0; c < 2; c++) {
      const vals = y.flatMap((sample) => sample[c]);
      const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
      const variance = vals.reduce((s, v) => s + (v - mean) ** 2, 0) / vals.length;
      expect(mean).toBeCloseTo(0, 12);
      expect(variance).toBeCloseTo(1, 3); // 1 − eps/(σ² + eps)
    }
  });

  it('without running statistics, eval normalises with the batch; without affine there are no parameters', () => {
    const bn = new nn.BatchNorm1d(3, { ...f64, trackRunningStats: false, affine: false });
    expect(bn.parameters()).toEqual([]);
    expect(Object.keys(bn.stateDict())).toEqual([]);
    bn.eval();
    const y = rows(bn.forward(tensor(data, f64)));
    const { mean, variance } = columnStats(data);
    data.forEach((r, i) => r.forEach((v, c) => expect(y[i][c]).toBeCloseTo((v - mean[c]) / Math.sqrt(variance[c] + 1e-5), 12)));
  });

  it('training needs more than one value per feature; shapes are checked', () => {
    expect(() => new nn.BatchNorm1d(3).forward(tensor([[1, 2, 3]]))).toThrowWith(ArgumentError, /more than one value/);
    expect(() => new nn.BatchNorm1d(3).forward(tensor([[1, 2]]))).toThrow(ShapeError);
    expect(() => new nn.BatchNorm1d(3).eval().forward(tensor([[1, 2, 3]]))).not.toThrow();
  });

  it('gradients (training mode) match finite differences', () => {
    const bn = new nn.BatchNorm1d(3, f64);
    bn.weight?.toNdarray().data.set([1.5, 0.5, -1]);
    bn.bias?.toNdarray().data.set([0.1, 0.2, 0.3]);
    const check = checkModuleGradients(bn, tensor(data, f64));
    expect(check.ok, check.message).toBe(true);
  });

  it('gradients (eval mode) match finite differences', () => {
    const bn = new nn.BatchNorm1d(3, f64);
    bn.forward(tensor(data, f64));
    bn.eval();
    const check = checkModuleGradients(bn, tensor(data, f64));
    expect(check.ok, check.message).toBe(true);
  });
});

describe('LayerNorm', () => {
  it('normalises each sample over its last dimensions with the biased variance', () => {
    const ln = new nn.LayerNorm(4, f64);
    ln.weight?.toNdarray().data.set([1, 2, 3, 4]);
    ln.bias?.toNdarray().data.set([0, 0, 1, 1]);
    const x = [
      [1, 2, 3, 4],
      [-1, 5, 0.5, 2],
    ];
    const y = rows(ln.forward(tensor(x, f64)));
    x.forEach((r, i) => {
      const mean = r.reduce((s, v) => s + v, 0) / 4;
      const variance = r.reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
      r.forEach((v, j) => expect(y[i][j]).toBeCloseTo(((v - mean) / Math.sqrt(variance + 1e-5)) * [1, 2, 3, 4][j] + [0, 0, 1, 1][j], 12));
    });
  });

  it('normalises over several trailing dimensions', () => {
    const ln = new nn.LayerNorm([2, 3], { ...f64, elementwiseAffine: false });
    expect(ln.parameters()).toEqual([]);
    const y = ln.forward(randn([4, 2, 3], { ...f64, generator: new Generator(8) })).toArray() as number[][][];
    for (const sample of y) {
      const vals = sample.flat();
      expect(vals.reduce((s, v) => s + v, 0) / 6).toBeCloseTo(0, 12);
    }
    expect(() => ln.forward(randn([4, 3, 2]))).toThrow(ShapeError);
  });

  it('gradients match finite differences', () => {
    const ln = new nn.LayerNorm(5, f64);
    ln.weight?.toNdarray().data.set([1, -0.5, 2, 0.3, 1.2]);
    ln.bias?.toNdarray().data.set([0.1, 0, -0.2, 0.4, 0]);
    const check = checkModuleGradients(ln, randn([3, 5], { ...f64, generator: new Generator(9) }));
    expect(check.ok, check.message).toBe(true);
  });
});

describe('Dropout', () => {
  it('training: zeroes about p of the elements and scales the rest by 1/(1 − p)', () => {
    const drop = new nn.Dropout(0.25, { generator: new Generator(42) });
    const x = randn([100, 100], { ...f64, generator: new Generator(1) });
    const y = drop.forward(x).toTypedArray();
    const xs = x.toTypedArray();
    let zeros = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] === 0) zeros++;
      else expect(y[i]).toBeCloseTo(xs[i] / 0.75, 12);
    }
    expect(zeros / y.length).toBeGreaterThan(0.23);
    expect(zeros / y.length).toBeLessThan(0.27);
  });

  it('is reproducible from a seed', () => {
    const x = randn([50], { generator: new Generator(1) });
    const a = new nn.Dropout(0.5, { generator: new Generator(7) }).forward(x).toTypedArray();
    const b = new nn.Dropout(0.5, { generator: new Generator(7) }).forward(x).toTypedArray();
    expect(Array.from(a)).toEqual(Array.from(b));
    manualSeed(5);
    const c = new nn.Dropout(0.5).forward(x).toTypedArray();
    manualSeed(5);
    expect(Array.from(new nn.Dropout(0.5).forward(x).toTypedArray())).toEqual(Array.from(c));
  });

  it('is the identity in eval mode and for p = 0; p = 1 zeroes everything', () => {
    const x = randn([10]);
    expect(new nn.Dropout(0.5).eval().forward(x)).toBe(x);
    expect(new nn.Dropout(0).forward(x)).toBe(x);
    expect(Array.from(new nn.Dropout(1).forward(x).toTypedArray()).every((v) => v === 0)).toBe(true);
    expect(() => new nn.Dropout(1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
  });

  it('the gradient is the mask (0 or 1/(1 − p))', () => {
    const x = randn([20], { requiresGrad: true, generator: new Generator(2) });
    const y = new nn.Dropout(0.5, { generator: new Generator(3) }).forward(x);
    y.sum().backward();
    const g = gradTensor(x).toTypedArray();
    const yv = y.toTypedArray();
    for (let i = 0; i < g.length; i++) expect(g[i]).toBe(yv[i] === 0 ? 0 : 2);
  });
});

describe('Flatten and Identity', () => {
  it('Flatten keeps the batch dimension by default', () => {
    expect(new nn.Flatten().forward(randn([2, 3, 4])).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0).forward(randn([2, 3, 4])).shape).toEqual([24]);
  });
  it('Identity returns its input', () => {
    const x = randn([3]);
    expect(new nn.Identity().forward(x)).toBe(x);
  });
});
