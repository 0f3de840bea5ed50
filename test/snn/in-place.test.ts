// LIF.run({ membranes: false }) with nothing recorded updates one membrane buffer in place. Its
// spikes and final membrane are checked against a naive reference loop written here (every
// reset mode, per-neuron decay, a given starting state) and the recorded path's bits, and the
// caller's state is left untouched. (bench/snn.ts measures the allocations it saves.)
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, type Tensor, nn, noGrad, randn, snn, tensor } from '../../src/index';

import { gradOf } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

/** The LIF recursion as a plain loop in float64 (R[t] = H(U[t−1] − Θ), S[t] = H(U[t] − Θ)). */
function reference(xs: number[], T: number, per: number, beta: (i: number) => number, th: number, mode: string, u0: number[]): { spikes: number[][]; mem: number[] } {
  let u = [...u0];
  const spikes: number[][] = [];
  for (let t = 0; t < T; t++) {
    u = u.map((v, i) => {
      const r = v > th ? 1 : 0;
      const x = xs[t * per + i];
      if (mode === 'subtract') return beta(i) * v + x - r * th;
      if (mode === 'zero') return beta(i) * (1 - r) * v + x;
      return beta(i) * v + x;
    });
    spikes.push(u.map((v) => (v > th ? 1 : 0)));
  }
  return { spikes, mem: u };
}

describe('LIF.run in place (evaluation)', () => {
  for (const mode of ['subtract', 'zero', 'none'] as const) {
    it(`reset '${mode}', per-neuron beta, from a given state: the reference loop's spikes and membrane; the given state unchanged`, () => {
      const gen = new Generator(11);
      const betas = [0.2, 0.5, 0.9, 1.0, 0.0, 0.7];
      const lif = new snn.LIF({ beta: tensor(betas, { shape: [2, 3], dtype: 'float64' }), reset: mode, threshold: 0.7, dtype: 'float64' });
      const x = randn([9, 4, 2, 3], { generator: gen, dtype: 'float64' }).mul(1.1);
      const mem0 = randn([4, 2, 3], { generator: gen, dtype: 'float64' });
      const before = flat(mem0);
      const out = noGrad(() => lif.run(x, mem0, { membranes: false }));
      const ref = reference(flat(x), 9, 24, (i) => betas[i % 6], 0.7, mode, before);
      expect(out.membranes).toEqual([]);
      expect(out.spikes.map(flat)).toEqual(ref.spikes);
      const mem = flat(out.mem);
      for (let i = 0; i < 24; i++) expect(Math.abs(mem[i] - ref.mem[i])).toBeLessThan(1e-12);
      expect(flat(mem0)).toEqual(before);
      expect(ref.spikes.flat().some((s) => s === 1) && ref.spikes.flat().some((s) => s === 0)).toBe(true); // the case exercises both
    });
  }

  it('float32, scalar beta, a constant current fed T times: the same bits as the recorded path', () => {
    const gen = new Generator(5);
    const fc = new nn.Linear(20, 50, { generator: gen });
    const x = randn([8, 20], { generator: gen }).mul(2);
    const lif = new snn.LIF({ beta: 0.95 });
    const current = fc.forward(x); // requires grad: the recorded path
    const recorded = lif.run(new Array<Tensor>(25).fill(current));
    const evaluated = noGrad(() => lif.run(new Array<Tensor>(25).fill(fc.forward(x)), undefined, { membranes: false }));
    expect(evaluated.spikes.map(flat)).toEqual(recorded.spikes.map(flat));
    expect(flat(evaluated.mem)).toEqual(flat(recorded.mem));
    expect(recorded.spikes.some((s) => flat(s).includes(1))).toBe(true);
  });

  it('listeners (the monitor) see every step; spikes are separate tensors; the same result as keeping the membranes', () => {
    const lif = new snn.LIF({ beta: 0.9 });
    const seen: Tensor[] = [];
    const handle = lif.onSpikes((s) => seen.push(s));
    const x = randn([6, 3, 4], { generator: new Generator(2) });
    const out = noGrad(() => lif.run(x, undefined, { membranes: false }));
    handle.remove();
    expect(seen).toEqual(out.spikes);
    expect(new Set(out.spikes.map((s) => s.toNdarray().data)).size).toBe(6);
    const kept = noGrad(() => lif.run(x));
    // the kept membranes (views of the fused op's one [T, ...] buffer) are each step's own state
    let mem = lif.initState([3, 4]);
    for (let t = 0; t < 6; t++) {
      mem = noGrad(() => lif.step(x.slice([[t, t + 1]]).squeeze(0), mem))[1];
      expect(flat(kept.membranes[t])).toEqual(flat(mem));
    }
    expect(flat(out.mem)).toEqual(flat(kept.mem));
  });

  it('with gradients, { membranes: false } only leaves the membranes out; backward is unchanged', () => {
    const gen = new Generator(4);
    const w = randn([5, 3], { generator: gen, dtype: 'float64' }).requiresGrad_();
    const x = randn([7, 2, 5], { generator: gen, dtype: 'float64' });
    const lif = new snn.LIF({ beta: 0.8, threshold: 0.5, dtype: 'float64' });
    const a = lif.run(x.matmul(w), undefined, { membranes: false });
    expect(a.membranes).toEqual([]);
    a.spikes.reduce((acc, s, t) => acc.add(s.mul(t + 1).sum()), tensor(0, { dtype: 'float64' })).backward();
    const ga = gradOf(w);
    w.grad = null;
    const b = lif.run(x.matmul(w));
    b.spikes.reduce((acc, s, t) => acc.add(s.mul(t + 1).sum()), tensor(0, { dtype: 'float64' })).backward();
    expect(ga).toEqual(gradOf(w));
    expect(ga.some((v) => v !== 0)).toBe(true);
  });

  it('bad options are refused by name', () => {
    const lif = new snn.LIF({ beta: 0.9 });
    const x = randn([2, 1, 3]);
    expect(() => lif.run(x, undefined, { membranes: 'no' as unknown as boolean })).toThrow(ArgumentError);
    expect(() => lif.run(x, undefined, { membrane: false } as unknown as { membranes: boolean })).toThrow(/LIF.run: unknown option 'membrane'/);
  });

  for (const mode of ['subtract', 'zero', 'none'] as const) {
    it(`Synaptic, reset '${mode}', per-neuron decays, from a given state: the reference loop's spikes, current and membrane`, () => {
      const gen = new Generator(21);
      const alphas = [0.3, 0.8, 0.0, 1.0];
      const betas = [0.9, 0.5, 0.7, 0.2];
      const layer = new snn.Synaptic({ alpha: alphas, beta: betas, reset: mode, threshold: 0.6, dtype: 'float64' });
      const x = randn([8, 3, 4], { generator: gen, dtype: 'float64' });
      const syn0 = randn([3, 4], { generator: gen, dtype: 'float64' }).mul(0.5);
      const mem0 = randn([3, 4], { generator: gen, dtype: 'float64' });
      const [keptSyn, keptMem] = [flat(syn0), flat(mem0)];
      const out = noGrad(() => layer.run(x, { syn: syn0, mem: mem0 }, { membranes: false }));
      // I' = αI + X; U' = βU + I' − RΘ | β U + I' | (I', βU + I')·(1 − R), R = H(U − Θ)
      const xs = flat(x);
      let c = [...keptSyn];
      let u = [...keptMem];
      const spikes: number[][] = [];
      for (let t = 0; t < 8; t++) {
        const r = u.map((v) => (v > 0.6 ? 1 : 0));
        c = c.map((v, i) => alphas[i % 4] * v + xs[t * 12 + i]);
        u = u.map((v, i) => {
          if (mode === 'subtract') return betas[i % 4] * v + c[i] - r[i] * 0.6;
          if (mode === 'none') return betas[i % 4] * v + c[i];
          return (betas[i % 4] * v + c[i]) * (1 - r[i]);
        });
        if (mode === 'zero') c = c.map((v, i) => v * (1 - r[i]));
        spikes.push(u.map((v) => (v > 0.6 ? 1 : 0)));
      }
      expect(out.membranes).toEqual([]);
      expect(out.spikes.map(flat)).toEqual(spikes);
      flat(out.syn).forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-12));
      flat(out.mem).forEach((v, i) => expect(Math.abs(v - u[i])).toBeLessThan(1e-12));
      expect([flat(syn0), flat(mem0)]).toEqual([keptSyn, keptMem]);
      expect(spikes.flat().includes(1) && spikes.flat().includes(0)).toBe(true);
    });
  }

  it('Synaptic float32, reset zero: the same bits as the recorded path', () => {
    const gen = new Generator(8);
    const layer = new snn.Synaptic({ alpha: 0.8, beta: 0.9, reset: 'zero' });
    const x = randn([12, 6, 10], { generator: gen });
    const w = tensor(1.5).requiresGrad_();
    const recorded = layer.run(x.mul(w));
    const evaluated = noGrad(() => layer.run(x.mul(1.5), {}, { membranes: false }));
    expect(evaluated.spikes.map(flat)).toEqual(recorded.spikes.map(flat));
    expect(flat(evaluated.mem).map((v) => v + 0)).toEqual(flat(recorded.mem).map((v) => v + 0)); // + 0: −0 and 0 alike
    expect(flat(evaluated.syn).map((v) => v + 0)).toEqual(flat(recorded.syn).map((v) => v + 0));
  });

  for (const allToAll of [true, false]) {
    it(`RLIF (${allToAll ? 'all-to-all Linear' : 'one-to-one V'}): the reference loop's spikes and membrane`, () => {
      const gen = new Generator(31);
      const F = 5;
      const layer = allToAll
        ? new snn.RLIF({ beta: 0.8, features: F, threshold: 0.5, dtype: 'float64', generator: gen })
        : new snn.RLIF({ beta: 0.8, allToAll: false, V: [0.5, -1, 0.2, 1, 0], threshold: 0.5, dtype: 'float64' });
      const x = randn([9, 2, F], { generator: gen, dtype: 'float64' });
      const mem0 = randn([2, F], { generator: gen, dtype: 'float64' });
      const out = noGrad(() => layer.run(x, { mem: mem0 }, { membranes: false }));
      const W = allToAll ? flat(layer.recurrent?.weight as Tensor) : [];
      const b = allToAll ? flat(layer.recurrent?.bias as Tensor) : [];
      const V = [0.5, -1, 0.2, 1, 0];
      const xs = flat(x);
      let u = flat(mem0);
      let s = new Array<number>(2 * F).fill(0);
      const spikes: number[][] = [];
      for (let t = 0; t < 9; t++) {
        const fb = s.map((_, k) => {
          const n = Math.floor(k / F);
          const j = k % F;
          if (!allToAll) return V[j] * s[k];
          let acc = b[j];
          for (let m = 0; m < F; m++) acc += W[j * F + m] * s[n * F + m];
          return acc;
        });
        u = u.map((v, k) => 0.8 * v + (xs[t * 2 * F + k] + fb[k]) - (v > 0.5 ? 1 : 0) * 0.5);
        s = u.map((v) => (v > 0.5 ? 1 : 0));
        spikes.push(s);
      }
      expect(out.spikes.map(flat)).toEqual(spikes);
      flat(out.mem).forEach((v, k) => expect(Math.abs(v - u[k])).toBeLessThan(1e-12));
      expect(spikes.flat().includes(1) && spikes.flat().includes(0)).toBe(true);
    });
  }
});
