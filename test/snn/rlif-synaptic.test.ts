// RLIF and Synaptic: dynamics against naive reference loops, BPTT against finite differences
// with a smooth stand-in spike, state checks.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, ShapeError, type Tensor, randn, snn, tensor } from '../../src/index';
import { expectClose, gradOf, numericGrad } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());
const smooth = (u: Tensor): Tensor => u.mul(4).sigmoid();

describe('Synaptic', () => {
  for (const reset of ['subtract', 'zero', 'none'] as const) {
    it(`follows snnTorch's second-order update (reset '${reset}') step by step`, () => {
      const gen = new Generator(5);
      const alpha = 0.6;
      const beta = 0.85;
      const th = 0.9;
      const x = randn([8, 3, 2], { generator: gen, dtype: 'float64' }).mul(0.9).add(0.3);
      const layer = new snn.Synaptic({ alpha, beta, threshold: th, reset, dtype: 'float64' });
      const { spikes, membranes, syn } = layer.run(x);
      const xs = flat(x);
      let I = new Array(6).fill(0);
      let U = new Array(6).fill(0);
      let S = new Array(6).fill(0);
      for (let t = 0; t < 8; t++) {
        const R = U.map((u) => (u > th ? 1 : 0));
        const I2 = I.map((v, k) => alpha * v + xs[t * 6 + k]);
        let U2 = U.map((v, k) => beta * v + I2[k] - (reset === 'subtract' ? R[k] * th : 0));
        if (reset === 'zero') {
          U2 = U2.map((v, k) => v * (1 - R[k]));
          I = I2.map((v, k) => v * (1 - R[k]));
        } else I = I2;
        U = U2;
        S = U.map((u) => (u > th ? 1 : 0));
        expectClose(flat(membranes[t]), U, 1e-12);
        expect(flat(spikes[t])).toEqual(S);
      }
      expectClose(flat(syn), I, 1e-12);
      expect(S.length).toBe(6);
    });
  }
  it('float64 BPTT equals finite differences (smooth spike, learnt alpha, beta, threshold)', () => {
    const gen = new Generator(8);
    const layer = new snn.Synaptic({
      alpha: [0.5, 0.7], beta: 0.8, learnAlpha: true, learnBeta: true, learnThreshold: true, detachReset: false, dtype: 'float64', spikeFunction: smooth,
    });
    const x = randn([5, 3, 2], { generator: gen, dtype: 'float64' }).requiresGrad_();
    const f = (): Tensor => {
      const { spikes, mem } = layer.run(x);
      return spikes.reduce((acc, s, t) => acc.add(s.mul(t + 1).sum()), mem.sum());
    };
    f().backward();
    for (const p of [x, layer.alpha, layer.beta, layer.threshold]) expectClose(gradOf(p), numericGrad(() => f().item(), p), 1e-7, 1e-6);
  });
  it('rejects alpha outside [0, 1] and a stale state', () => {
    expect(() => new snn.Synaptic({ alpha: 1.2, beta: 0.5 })).toThrow(/Synaptic: alpha must be in \[0, 1\].*1\.2/);
    const layer = new snn.Synaptic({ alpha: 0.5, beta: 0.5 });
    const [syn, mem] = layer.initState([2, 3]);
    expect(() => layer.step(randn([4, 3]), syn, mem)).toThrow(/Synaptic.step: the state syn has shape \[2, 3\] but the input has shape \[4, 3\]/);
  });
});

describe('RLIF', () => {
  it('adds V(S[t−1]) to the input (all-to-all) and matches a naive loop; step() agrees with run()', () => {
    const gen = new Generator(2);
    const layer = new snn.RLIF({ beta: 0.7, features: 3, dtype: 'float64', generator: gen });
    const W = flat(layer.recurrent!.weight);
    const b = flat(layer.recurrent!.bias!);
    const x = randn([6, 2, 3], { generator: gen, dtype: 'float64' }).add(0.8);
    const { spikes, membranes } = layer.run(x);
    const xs = flat(x);
    let U = new Array(6).fill(0);
    let S = new Array(6).fill(0);
    let spk: Tensor | undefined;
    let mem: Tensor | undefined;
    for (let t = 0; t < 6; t++) {
      const U2 = U.map((u, k) => {
        const n = Math.floor(k / 3);
        const j = k % 3;
        let v = b[j];
        for (let i = 0; i < 3; i++) v += W[j * 3 + i] * S[n * 3 + i];
        return 0.7 * u + xs[t * 6 + k] + v - S[k] * 1;
      });
      U = U2;
      S = U.map((u) => (u > 1 ? 1 : 0));
      expectClose(flat(membranes[t]), U, 1e-12);
      expect(flat(spikes[t])).toEqual(S);
      [spk, mem] = layer.step(x.slice([[t, t + 1]]).squeeze(0), spk, mem);
      expectClose(flat(mem), U, 1e-12);
    }
  });
  it('one-to-one V: float64 BPTT equals finite differences (smooth spike)', () => {
    const gen = new Generator(4);
    const layer = new snn.RLIF({ beta: 0.8, allToAll: false, V: [0.5, -0.3], detachReset: false, learnBeta: true, dtype: 'float64', spikeFunction: smooth });
    const x = randn([5, 2, 2], { generator: gen, dtype: 'float64' }).requiresGrad_();
    const f = (): Tensor => layer.run(x).spikes.reduce((acc, s, t) => acc.add(s.mul(t - 2).sum()), tensor(0, { dtype: 'float64' }));
    f().backward();
    for (const p of [x, layer.V!, layer.beta]) expectClose(gradOf(p), numericGrad(() => f().item(), p), 1e-7, 1e-6);
  });
  it('all-to-all needs features and [N, F] inputs', () => {
    expect(() => new snn.RLIF({ beta: 0.5 })).toThrow(ArgumentError);
    const layer = new snn.RLIF({ beta: 0.5, features: 4 });
    expect(() => layer.step(randn([2, 3]))).toThrow(ShapeError);
  });
});
