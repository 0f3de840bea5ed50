// SpikeEvents, eventLinear and spikeLinear: x·Wᵀ + b from the non-zero entries of x. Oracles: the product
// written as a naive loop here, and float64 central differences for the weight and bias.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, ShapeError, type Tensor, linear, randn, snn, tensor, zeros } from '../../src/index';
import { expectClose, gradOf, numericGrad } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

/** A sparse [T, N, F] input: spikes (1) at rate p, and a few other values. */
function sparse(shape: number[], p: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const gen = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: size }, () => {
    const u = gen.uniform();
    return u < p ? 1 : u < p * 1.2 ? -0.5 : 0;
  });
  return tensor(v, { shape, dtype });
}

function naiveLinear(x: number[], rows: number, F: number, W: number[], outF: number, b: number[] | null): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b === null ? 0 : b[o];
      for (let f = 0; f < F; f++) s += x[r * F + f] * W[o * F + f];
      out.push(s);
    }
  }
  return out;
}

describe('SpikeEvents', () => {
  it('keeps exactly the non-zero entries, row by row, and gives the dense tensor back', () => {
    const x = tensor([[0, 1, 0], [0, 0, 0], [2, 0, -1]], { dtype: 'float64' });
    const e = snn.SpikeEvents.from(x);
    expect(Array.from(e.rowStart)).toEqual([0, 1, 1, 3]);
    expect(Array.from(e.feature)).toEqual([1, 0, 2]);
    expect(Array.from(e.value)).toEqual([1, 2, -1]);
    expect(e.count).toBe(3);
    expect(e.density).toBeCloseTo(3 / 9, 15);
    expect(flat(e.toDense())).toEqual(flat(x));
    expect(e.toDense().shape).toEqual([3, 3]);
    const seq = sparse([4, 3, 7], 0.2, 1);
    expect(flat(snn.SpikeEvents.from(seq).toDense())).toEqual(flat(seq));
  });
  it('copies the values: changing the tensor afterwards does not change the events', () => {
    const x = tensor([[0, 1]]);
    const e = snn.SpikeEvents.from(x);
    (x.toNdarray().data as Float32Array)[0] = 5;
    expect(flat(e.toDense())).toEqual([0, 1]);
  });

  it('is immutable: its arrays are copies, so editing them changes neither the events nor a recorded eventLinear', () => {
    const x = tensor([[0, 1, 0], [2, 0, -1]], { dtype: 'float64' });
    const e = snn.SpikeEvents.from(x);
    const W = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    const y = snn.eventLinear(e, W);
    e.value[0] = 100;
    e.feature[1] = 1;
    e.rowStart[1] = 0;
    expect(Array.from(e.value)).toEqual([1, 2, -1]);
    expect(Array.from(e.feature)).toEqual([1, 0, 2]);
    expect(Array.from(e.rowStart)).toEqual([0, 1, 3]);
    expect(flat(e.toDense())).toEqual(flat(x));
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.shape)).toBe(true);
    y.sum().backward(); // dW = Σ_r x[r, :]
    expect(gradOf(W)).toEqual([2, 1, -1]);
  });

  it('refuses a tensor that requires grad (events are data: the gradient would be lost silently)', () => {
    const x = tensor([[0, 1]], { requiresGrad: true });
    expect(() => snn.SpikeEvents.from(x)).toThrow(ArgumentError);
    expect(() => snn.SpikeEvents.from(x)).toThrow(/snn.SpikeEvents.from: the tensor requires grad.*x\.detach\(\)/);
    expect(flat(snn.SpikeEvents.from(x.detach()).toDense())).toEqual([0, 1]);
  });
});

describe('eventLinear', () => {
  for (const withBias of [false, true]) {
    it(`equals x·Wᵀ${withBias ? ' + b' : ''} (a naive loop), and its weight${withBias ? ' and bias' : ''} gradients equal float64 central differences`, () => {
      const gen = new Generator(3);
      const x = sparse([5, 3, 8], 0.15, 2);
      const W = randn([4, 8], { generator: gen, dtype: 'float64' }).requiresGrad_();
      const b = withBias ? randn([4], { generator: gen, dtype: 'float64' }).requiresGrad_() : null;
      const e = snn.SpikeEvents.from(x);
      const y = snn.eventLinear(e, W, b);
      expect(y.shape).toEqual([5, 3, 4]);
      expectClose(flat(y), naiveLinear(flat(x), 15, 8, flat(W), 4, b === null ? null : flat(b)), 1e-12);
      const g = randn([5, 3, 4], { generator: gen, dtype: 'float64' });
      const loss = (): number => snn.eventLinear(e, W, b).mul(g).sum().add(snn.eventLinear(e, W, b).square().sum().mul(0.1)).item();
      snn.eventLinear(e, W, b).mul(g).sum().add(snn.eventLinear(e, W, b).square().sum().mul(0.1)).backward();
      expectClose(gradOf(W), numericGrad(loss, W), 1e-7, 1e-6);
      if (b !== null) expectClose(gradOf(b), numericGrad(loss, b), 1e-7, 1e-6);
    });
  }
  it('float32: the same values as the dense linear to float32 rounding; rows without events give the bias', () => {
    const x = sparse([10, 6, 20], 0.05, 4, 'float32');
    const W = randn([3, 20], { generator: new Generator(5) });
    const b = randn([3], { generator: new Generator(6) });
    const y = snn.eventLinear(snn.SpikeEvents.from(x), W, b);
    expectClose(flat(y), naiveLinear(flat(x), 60, 20, flat(W), 3, flat(b)), 1e-5, 1e-5);
    const empty = snn.eventLinear(snn.SpikeEvents.from(zeros([2, 20])), W, b);
    expect(flat(empty)).toEqual([...flat(b), ...flat(b)]);
  });
  it('bad input: a clear error naming eventLinear and the shapes', () => {
    const e = snn.SpikeEvents.from(zeros([2, 5]));
    expect(() => snn.eventLinear(e, zeros([3, 4]))).toThrow(ShapeError);
    expect(() => snn.eventLinear(e, zeros([3, 4]))).toThrow(/snn.eventLinear: the events have 5 features \(shape \[2, 5\]\) but the weight \[3, 4\] takes 4/);
    expect(() => snn.eventLinear(e, zeros([3, 5]), zeros([4]))).toThrow(/the bias must have shape \[3\], got \[4\]/);
    expect(() => snn.eventLinear(e, zeros([3, 5], { dtype: 'float64' }))).toThrow(/the events are float32 but the weight is float64/);
    expect(() => snn.eventLinear(zeros([2, 5]) as unknown as snn.SpikeEvents, zeros([3, 5]))).toThrow(ArgumentError);
    expect(() => snn.SpikeEvents.from(tensor(1))).toThrow(/rank ≥ 1/);
  });
});

describe('spikeLinear', () => {
  // 4 and 5 inputs: the toy task's hidden layer and a width that is not a multiple of 4
  for (const [outF, withBias, inF] of [[2, false, 5], [3, true, 5], [1, true, 5], [2, false, 4], [3, true, 4]] as const) {
    it(`${inF} inputs, ${outF} output${outF === 1 ? '' : 's'}${withBias ? ' with a bias' : ''}: x·Wᵀ + b by a naive loop; x, W${withBias ? ' and b' : ''} gradients against float64 central differences`, () => {
      const gen = new Generator(10 + outF + inF);
      // rows of zeros, spikes, and other values (the op skips only the zeros)
      const x = sparse([6, 3, inF], 0.2, 7 + outF + inF).requiresGrad_();
      const W = randn([outF, inF], { generator: gen, dtype: 'float64' }).requiresGrad_();
      const b = withBias ? randn([outF], { generator: gen, dtype: 'float64' }).requiresGrad_() : null;
      const y = snn.spikeLinear(x, W, b);
      expect(y.shape).toEqual([6, 3, outF]);
      expectClose(flat(y), naiveLinear(flat(x), 18, inF, flat(W), outF, b === null ? null : flat(b)), 1e-12);
      expect(flat(x).filter((v) => v === 0).length).toBeGreaterThan(9 * inF); // mostly zeros, some rows all zeros
      expect(Array.from({ length: 18 }, (_, r) => flat(x).slice(r * inF, (r + 1) * inF).every((v) => v === 0)).some(Boolean)).toBe(true);
      const g = randn([6, 3, outF], { generator: gen, dtype: 'float64' });
      const lossT = (): Tensor => snn.spikeLinear(x, W, b).mul(g).sum().add(snn.spikeLinear(x, W, b).square().sum().mul(0.1));
      lossT().backward();
      const loss = (): number => lossT().item();
      for (const p of b === null ? [x, W] : [x, W, b]) expectClose(gradOf(p), numericGrad(loss, p), 1e-7, 1e-6);
    });
  }

  it('float32: the values and gradients of linear to float32 rounding', () => {
    const x = sparse([20, 8, 4], 0.03, 9, 'float32');
    const W = randn([2, 4], { generator: new Generator(2) });
    const g = randn([20, 8, 2], { generator: new Generator(3) });
    const x1 = x.detach().requiresGrad_();
    const W1 = W.detach().requiresGrad_();
    const y1 = snn.spikeLinear(x1, W1);
    y1.mul(g).sum().backward();
    const x2 = x.detach().requiresGrad_();
    const W2 = W.detach().requiresGrad_();
    const y2 = linear(x2, W2);
    y2.mul(g).sum().backward();
    expectClose(flat(y1), flat(y2), 1e-6, 1e-6);
    expectClose(gradOf(x1), gradOf(x2), 1e-6, 1e-6);
    expectClose(gradOf(W1), gradOf(W2), 1e-5, 1e-5);
  });

  it('bad input: a clear error naming spikeLinear and the shapes', () => {
    expect(() => snn.spikeLinear(zeros([2, 5]), zeros([3, 4]))).toThrow(ShapeError);
    expect(() => snn.spikeLinear(zeros([2, 5]), zeros([3, 4]))).toThrow(/snn.spikeLinear: the input's last dimension must be 4 \(weight \[3, 4\]\), got \[2, 5\]/);
    expect(() => snn.spikeLinear(zeros([2, 5]), zeros([3, 5]), zeros([4]))).toThrow(/snn.spikeLinear: the bias must have shape \[3\], got \[4\]/);
    expect(() => snn.spikeLinear(zeros([2, 5]), zeros([3, 5], { dtype: 'float64' }))).toThrow(/snn.spikeLinear: the input is float32 but the weight is float64/);
    expect(() => snn.spikeLinear(zeros([2, 5]), zeros([5]))).toThrow(/the weight must be 2-D/);
  });
});
