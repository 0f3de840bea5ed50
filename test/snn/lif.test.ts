// LIF dynamics against hand-computed sequences, gradients through time against finite
// differences (smooth stand-in spike) and against a hand-derived BPTT (surrogate), bad input.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, ShapeError, RuleError, type Tensor, nn, randn, snn, tensor } from '../../src/index';
import { expectClose, gradOf, numericGrad } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());
/** A one-neuron, batch-of-one sequence [T, 1, 1] from the values of each step. */
const seq1 = (values: number[], dtype: 'float32' | 'float64' = 'float64'): Tensor => tensor(values, { shape: [values.length, 1, 1], dtype });

describe('LIF dynamics (hand-computed)', () => {
  const input = [0.8, 0.8, 0.8, 0.0, 1.5]; // beta 0.5, threshold 1
  it('reset by subtraction: U = βU + I − S[t−1]·Θ', () => {
    const lif = new snn.LIF({ beta: 0.5, dtype: 'float64' });
    const { spikes, membranes } = lif.run(seq1(input));
    // U1 = 0.8; U2 = 0.4 + 0.8 = 1.2 (spike); U3 = 0.6 + 0.8 − 1 = 0.4; U4 = 0.2; U5 = 0.1 + 1.5 = 1.6 (spike)
    expectClose(membranes.map((m) => m.item()), [0.8, 1.2, 0.4, 0.2, 1.6], 1e-12);
    expect(spikes.map((s) => s.item())).toEqual([0, 1, 0, 0, 1]);
  });
  it("reset to zero: U = β(1 − S[t−1])U + I (snnTorch's Leaky)", () => {
    const lif = new snn.LIF({ beta: 0.5, reset: 'zero', dtype: 'float64' });
    const { spikes, membranes } = lif.run(seq1(input));
    // U3 = 0.5·0·1.2 + 0.8 = 0.8; U4 = 0.4; U5 = 0.2 + 1.5 = 1.7
    expectClose(membranes.map((m) => m.item()), [0.8, 1.2, 0.8, 0.4, 1.7], 1e-12);
    expect(spikes.map((s) => s.item())).toEqual([0, 1, 0, 0, 1]);
  });
  it('no reset: pure leaky integration', () => {
    const lif = new snn.LIF({ beta: 0.5, reset: 'none', dtype: 'float64' });
    const { spikes, membranes } = lif.run(seq1(input));
    expectClose(membranes.map((m) => m.item()), [0.8, 1.2, 1.4, 0.7, 1.85], 1e-12);
    expect(spikes.map((s) => s.item())).toEqual([0, 1, 1, 0, 1]);
  });
  it('threshold 2 and a non-zero starting membrane: the first reset comes from the given state', () => {
    const lif = new snn.LIF({ beta: 0.9, threshold: 2, dtype: 'float64' });
    const { spikes, membranes } = lif.run(seq1([0.5, 0.5]), tensor([[2.5]], { dtype: 'float64' }));
    // R1 = H(2.5 − 2) = 1: U1 = 0.9·2.5 + 0.5 − 2 = 0.75; U2 = 0.675 + 0.5 = 1.175
    expectClose(membranes.map((m) => m.item()), [0.75, 1.175], 1e-12);
    expect(spikes.map((s) => s.item())).toEqual([0, 0]);
  });
  it('step() with explicit state gives the same sequence as run(), per-neuron beta and any feature shape', () => {
    const gen = new Generator(3);
    const beta = [0.2, 0.5, 0.9, 1.0, 0.0, 0.7];
    const betaT = tensor(beta, { shape: [2, 3], dtype: 'float64' });
    const x = randn([7, 4, 2, 3], { generator: gen, dtype: 'float64' }).mul(1.2);
    const lif = new snn.LIF({ beta: betaT, reset: 'subtract', threshold: 0.7, dtype: 'float64' });
    const { spikes, membranes } = lif.run(x);
    // a naive reference loop
    const xs = flat(x);
    const per = 4 * 6;
    let u = new Array(per).fill(0);
    let s = new Array(per).fill(0);
    let mem = lif.initState([4, 2, 3]);
    for (let t = 0; t < 7; t++) {
      const nu = u.map((v, i) => beta[i % 6] * v + xs[t * per + i] - s[i] * 0.7);
      s = nu.map((v) => (v > 0.7 ? 1 : 0));
      u = nu;
      expectClose(flat(membranes[t]), u, 1e-12);
      expect(flat(spikes[t])).toEqual(s);
      const [spk, next] = lif.step(x.slice([[t, t + 1]]).squeeze(0), mem);
      mem = next;
      expectClose(flat(mem), u, 1e-12);
      expect(flat(spk)).toEqual(s);
    }
    expect(lif.forward(x).shape).toEqual([7, 4, 2, 3]);
  });
  it('a constant current given as one tensor per step', () => {
    const lif = new snn.LIF({ beta: 0.5, dtype: 'float64' });
    const cur = tensor([[0.8]], { dtype: 'float64' });
    const out = lif.forward(cur, cur, cur);
    expect(flat(out)).toEqual([0, 1, 0]);
    const lifMem = new snn.LIF({ beta: 0.5, dtype: 'float64', output: 'membrane' });
    expectClose(flat(lifMem.forward(cur, cur, cur)), [0.8, 1.2, 0.4], 1e-12);
  });
});

describe('LIF gradients through time', () => {
  /** Sigmoid stand-in with its exact derivative: the whole network is smooth, so FD applies. */
  const smooth = (u: Tensor): Tensor => u.mul(4).sigmoid();

  for (const reset of ['subtract', 'zero', 'none'] as const) {
    it(`float64 BPTT equals finite differences (smooth spike, reset '${reset}', reset not detached, learnt beta and threshold)`, () => {
      const gen = new Generator(11);
      const fc = new nn.Linear(3, 4, { dtype: 'float64', generator: gen });
      const lif = new snn.LIF({
        beta: [0.3, 0.6, 0.8, 0.95], reset, detachReset: false, learnBeta: true, learnThreshold: true, threshold: 0.8,
        dtype: 'float64', spikeFunction: smooth,
      });
      const x = randn([6, 2, 3], { generator: gen, dtype: 'float64' }).mul(1.5);
      const w = randn([6, 2, 4], { generator: gen, dtype: 'float64' });
      const loss = (): number => {
        const { spikes, membranes } = lif.run(fc.forward(x));
        let total = spikes[0].mul(w.slice([[0, 1]]).squeeze(0)).sum();
        for (let t = 1; t < 6; t++) total = total.add(spikes[t].mul(w.slice([[t, t + 1]]).squeeze(0)).sum());
        return total.add(membranes[5].square().sum().mul(0.1)).item() as number;
      };
      const lossT = (): Tensor => {
        const { spikes, membranes } = lif.run(fc.forward(x));
        let total = spikes[0].mul(w.slice([[0, 1]]).squeeze(0)).sum();
        for (let t = 1; t < 6; t++) total = total.add(spikes[t].mul(w.slice([[t, t + 1]]).squeeze(0)).sum());
        return total.add(membranes[5].square().sum().mul(0.1));
      };
      expect(loss()).toBeCloseTo(lossT().item(), 12);
      lossT().backward();
      for (const p of [fc.weight, fc.bias as Tensor, lif.beta, lif.threshold]) {
        expectClose(gradOf(p), numericGrad(loss, p), 1e-7, 1e-6);
      }
    });
  }

  /** snnTorch's atan surrogate with α = 2: h(u) = 1 / (1 + (πu)²). */
  const atan = (u: number): number => 1 / (1 + (Math.PI * u) ** 2);
  for (const detachReset of [true, false]) {
    it(`3 steps with the atan surrogate equal a hand-derived BPTT (reset subtract, detachReset ${detachReset})`, () => {
      const beta = 0.8;
      const theta = 1;
      const I = [0.7, 0.9, 0.6];
      const c = [0.5, -1.0, 2.0]; // L = Σ c_t S_t
      const x = tensor(I, { shape: [3, 1, 1], dtype: 'float64' }).requiresGrad_();
      const lif = new snn.LIF({ beta, threshold: theta, learnBeta: true, learnThreshold: true, detachReset, dtype: 'float64' });
      const { spikes } = lif.run(x);
      spikes[0].mul(c[0]).add(spikes[1].mul(c[1])).add(spikes[2].mul(c[2])).sum().backward();
      // forward by hand
      const U = [0, 0, 0];
      const S = [0, 0, 0];
      const R = [0, 0, 0];
      let prevU = 0;
      for (let t = 0; t < 3; t++) {
        R[t] = t === 0 ? 0 : S[t - 1];
        U[t] = beta * prevU + I[t] - R[t] * theta;
        S[t] = U[t] > theta ? 1 : 0;
        prevU = U[t];
      }
      expect(S).toEqual([0, 1, 0]); // U = 0.7, 1.46, 0.768: the middle step spikes
      // backward by hand: δ_t = dL/dU_t
      const h = U.map((u) => atan(u - theta));
      const d = [0, 0, 0];
      d[2] = c[2] * h[2];
      d[1] = c[1] * h[1] + d[2] * beta + (detachReset ? 0 : d[2] * -theta * h[1]);
      d[0] = c[0] * h[0] + d[1] * beta + (detachReset ? 0 : d[1] * -theta * h[0]);
      const dBeta = d[1] * U[0] + d[2] * U[1];
      // Θ enters each spike directly (−h_t) and each subtracted reset (−R_t; and through R_t itself when not detached)
      let dTheta = 0;
      for (let t = 0; t < 3; t++) dTheta += -c[t] * h[t] - d[t] * R[t];
      // R_t = H(U_{t−1} − Θ) depends on Θ too when not detached; that includes R_0 = H(U_0 − Θ), U_0 = 0
      const hPrev = [atan(0 - theta), h[0], h[1]];
      if (!detachReset) for (let t = 0; t < 3; t++) dTheta += d[t] * -theta * -hPrev[t];
      expectClose(gradOf(x), d, 1e-12);
      expectClose(gradOf(lif.beta), [dBeta], 1e-12);
      expectClose(gradOf(lif.threshold), [dTheta], 1e-12);
    });
  }

  it("the exact rule passes no gradient through the spike; 'fastSigmoid' and inline rules are used when chosen", () => {
    const x = tensor([0.9, 0.95], { shape: [2, 1, 1], dtype: 'float64' }).requiresGrad_();
    new snn.LIF({ beta: 0.5, backward: 'exact', dtype: 'float64' }).forward(x).sum().backward();
    expect(gradOf(x)).toEqual([0, 0]);
    const y = tensor([0.9], { shape: [1, 1, 1], dtype: 'float64' }).requiresGrad_();
    new snn.LIF({ beta: 0.5, backward: 'fastSigmoid', dtype: 'float64' }).forward(y).sum().backward();
    expectClose(gradOf(y), [1 / (1 + 25 * 0.1) ** 2], 1e-12);
  });

  it('a learnt beta outside [0, 1] decays with the clamped value and gets no gradient there', () => {
    const lif = new snn.LIF({ beta: 1, learnBeta: true, dtype: 'float64', reset: 'none' });
    (lif.beta.toNdarray().data as Float64Array)[0] = 1.3; // as an optimizer step could leave it
    const x = tensor([0.5, 0.2], { shape: [2, 1, 1], dtype: 'float64' });
    const { membranes } = lif.run(x);
    expectClose(membranes.map((m) => m.item()), [0.5, 0.7], 1e-12); // β used = 1
    membranes[1].sum().backward();
    expect(gradOf(lif.beta)).toEqual([0]);
    expect(lif.parameters()).toContain(lif.beta);
  });
});

describe('spiking layers after module.to()', () => {
  // W and b are dyadic, so exact in float32 and float64; β = 0.9 was stored in float32, so after
  // to('float64') it is fround(0.9), and the whole recurrence runs in float64.
  const W = [[0.5, -0.25, 1], [0.75, 0.5, -0.5]];
  const b = [0.125, -0.0625];
  const xs = [[0.9, 0.3, 0.7], [0.2, -0.6, 1.3], [1.1, 0.4, 0.35], [0.05, 0.8, 0.6], [0.7, 0.1, 0.9]];
  /** The LIF recurrence by hand in float64: U = βU + I − S[t−1]·Θ, S = (U > Θ). */
  function reference(beta: number, threshold: number): { mem: number[][]; spk: number[][] } {
    const mem: number[][] = [];
    const spk: number[][] = [];
    let u = [0, 0];
    let s = [0, 0];
    for (const x of xs) {
      const I = W.map((row, j) => row[0] * x[0] + row[1] * x[1] + row[2] * x[2] + b[j]);
      u = u.map((uj, j) => beta * uj + I[j] - s[j] * threshold);
      s = u.map((uj) => (uj > threshold ? 1 : 0));
      mem.push(u);
      spk.push(s);
    }
    return { mem, spk };
  }
  const input = (): Tensor => tensor(xs, { shape: [xs.length, 1, 3], dtype: 'float64' });

  for (const learn of [false, true]) {
    it(`LIF (learnBeta/learnThreshold ${learn}) runs a float64 sequence and matches the float64 recurrence`, () => {
      const make = (output: 'spikes' | 'membrane'): nn.Sequential =>
        new nn.Sequential(new nn.Linear(3, 2), new snn.LIF({ beta: 0.9, threshold: 1, output, learnBeta: learn, learnThreshold: learn }));
      const ref = reference(Math.fround(0.9), 1);
      expect(ref.spk.flat()).toContain(1); // the sequence spikes, so the reset is exercised
      for (const output of ['membrane', 'spikes'] as const) {
        const model = make(output);
        const names = Object.keys(model.stateDict());
        expect(names).toEqual(learn ? ['0.weight', '0.bias', '1.threshold', '1.beta'] : ['0.weight', '0.bias']);
        const lif = model.at(1) as snn.LIF;
        expect(lif.learnBeta).toBe(learn);
        expect(lif.learnThreshold).toBe(learn);
        model.to('float64');
        expect(lif.dtype).toBe('float64');
        expect(lif.beta.dtype).toBe('float64');
        expect(lif.threshold.dtype).toBe('float64');
        expect(Object.keys(model.stateDict())).toEqual(names);
        model.loadStateDict({ '0.weight': tensor(W, { dtype: 'float64' }), '0.bias': tensor(b, { dtype: 'float64' }) }, { strict: false });
        const y = model.forward(input());
        expect(y.dtype).toBe('float64');
        expect(y.shape).toEqual([xs.length, 1, 2]);
        const want = output === 'membrane' ? ref.mem : ref.spk;
        expectClose(flat(y), want.flat(), 1e-12);
        if (learn) {
          y.sum().backward();
          for (const p of model.parameters()) expect(p.grad?.dtype).toBe('float64');
        }
      }
    });
  }

  it('LIF converted back to float32 refuses float64 input and accepts float32', () => {
    const lif = new snn.LIF({ beta: 0.5, dtype: 'float64' });
    lif.to('float32');
    expect(lif.dtype).toBe('float32');
    expect(() => lif.run(input().slice([null, null, [0, 1]]))).toThrow(/float64 but the layer is float32/);
    expect(lif.run(tensor([[[0.8]], [[0.8]]])).membranes.map((m) => m.item())).toEqual([Math.fround(0.8), Math.fround(Math.fround(0.4) + Math.fround(0.8))]);
  });

  it('Synaptic and RLIF after to(float64) equal the same layers made in float64', () => {
    const seq = randn([6, 2, 3], { generator: new Generator(11), dtype: 'float64' }).mul(2);
    const pairs: [snn.Synaptic | snn.RLIF, snn.Synaptic | snn.RLIF][] = [
      [new snn.Synaptic({ alpha: 0.5, beta: 0.75, threshold: 0.5 }), new snn.Synaptic({ alpha: 0.5, beta: 0.75, threshold: 0.5, dtype: 'float64' })],
      [new snn.RLIF({ beta: 0.75, allToAll: false, V: [0.5, -0.25, 1] }), new snn.RLIF({ beta: 0.75, allToAll: false, V: [0.5, -0.25, 1], dtype: 'float64' })],
    ];
    for (const [converted, native] of pairs) {
      const names = Object.keys(converted.stateDict());
      converted.to('float64');
      expect(converted.dtype).toBe('float64');
      expect(Object.keys(converted.stateDict())).toEqual(names);
      const a = converted.forward(seq);
      expect(a.dtype).toBe('float64');
      expect(flat(a)).toEqual(flat(native.forward(seq)));
    }
  });
});

describe('LIF bad input', () => {
  it('rejects beta outside [0, 1], a non-positive threshold, an unknown reset, a bad rule, unknown options', () => {
    expect(() => new snn.LIF({ beta: 1.5 })).toThrow(ArgumentError);
    expect(() => new snn.LIF({ beta: 1.5 })).toThrow(/LIF: beta must be in \[0, 1\].*1\.5/);
    expect(() => new snn.LIF({ beta: [0.5, -0.1] })).toThrow(/LIF: beta .*-0\.1 \(element 1\)/);
    expect(() => new snn.LIF({ beta: 0.5, threshold: 0 })).toThrow(/LIF: threshold must be .*> 0, got 0/);
    expect(() => new snn.LIF({ beta: 0.5, threshold: -1 })).toThrow(ArgumentError);
    expect(() => new snn.LIF({ beta: 0.5, reset: 'sub' as 'zero' })).toThrow(/LIF: reset must be one of .*'sub'/);
    expect(() => new snn.LIF({ beta: 0.5, backward: 'atann' })).toThrow(RuleError);
    expect(() => new snn.LIF({ beta: 0.5, bta: 1 } as unknown as snn.LIFOptions)).toThrow(/unknown option 'bta'/);
  });
  it('rejects a sequence of the wrong rank and a state of the wrong shape, naming the layer and shapes, changing nothing', () => {
    const lif = new snn.LIF({ beta: 0.5, learnBeta: true });
    const before = flat(lif.beta);
    expect(() => lif.forward(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => lif.forward(tensor([1, 2, 3]))).toThrow(/LIF.run: expected a sequence of shape \[T, N, \.\.\.features\] \(rank ≥ 2\), got shape \[3\]/);
    const mem = lif.initState([4, 5]);
    expect(() => lif.step(randn([3, 5]), mem)).toThrow(/LIF.step: the state mem has shape \[4, 5\] but the input has shape \[3, 5\]/);
    expect(() => lif.run(randn([2, 3, 5]), mem)).toThrow(ShapeError);
    expect(flat(mem)).toEqual(new Array(20).fill(0));
    expect(flat(lif.beta)).toEqual(before);
    const perNeuron = new snn.LIF({ beta: [0.1, 0.2, 0.3] });
    expect(() => perNeuron.step(randn([2, 4]))).toThrow(/beta has one value per neuron, shape \[3\], but the input has shape \[2, 4\]/);
    expect(() => lif.step(randn([2, 4], { dtype: 'float64' }))).toThrow(/LIF.step: input is float64 but the layer is float32/);
  });
});

describe('LIF after a convolution', () => {
  it('Conv2d → LIF with one β per channel and position: the reference loop, and the surrogate reaches the kernels', () => {
    const gen = new Generator(41);
    const conv = new nn.Conv2d(1, 2, 3, { generator: gen, dtype: 'float64' });
    const x = randn([2, 1, 5, 5], { generator: gen, dtype: 'float64' });
    const betas = Array.from({ length: 2 * 3 * 3 }, (_, i) => 0.5 + 0.02 * i);
    const lif = new snn.LIF({ beta: tensor(betas, { shape: [2, 3, 3], dtype: 'float64' }), threshold: 0.3, dtype: 'float64' });
    const current = conv.forward(x); // [2, 2, 3, 3]
    const spikes = lif.forward(...new Array<Tensor>(6).fill(current)); // [6, 2, 2, 3, 3]
    expect(spikes.shape).toEqual([6, 2, 2, 3, 3]);
    const c = flat(current);
    let u = new Array<number>(c.length).fill(0);
    const expected: number[] = [];
    for (let t = 0; t < 6; t++) {
      u = u.map((v, i) => betas[i % 18] * v + c[i] - (v > 0.3 ? 1 : 0) * 0.3);
      expected.push(...u.map((v) => (v > 0.3 ? 1 : 0)));
    }
    expect(flat(spikes)).toEqual(expected);
    expect(expected.includes(1) && expected.includes(0)).toBe(true);
    spikes.sum().backward();
    expect(flat(conv.weight.grad as Tensor).some((g) => g !== 0)).toBe(true);
  });
});
