// The fused spike op (src/snn/fused.ts `lifSpikeSequence`, what LIF.forward and Synaptic.forward
// record when only the spikes are wanted) and snn.maxOverTime. Oracles: hand-derived BPTT (3
// steps, by hand; then a hand-written BPTT loop in this file for longer sequences), the
// step-by-step path (itself checked against float64 finite differences with a smooth spike and a
// hand-derived BPTT in lif.test.ts), and for maxOverTime the definition (a naive loop) and
// max(x, 0).
import { describe, expect, it } from 'vitest';
import {
  Generator, ShapeError, type Tensor, lastBackwardRules, listTape, max, nn, randn, rules, snn, stack, tensor, withExactRules,
} from '../../src/index';
import { lifSpikeSequence, type SpikeGradient } from '../../src/snn/fused';
import { expectClose, gradOf } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());
const MODES = ['subtract', 'zero', 'none'] as const;
type Mode = (typeof MODES)[number];
/** snnTorch's atan surrogate with α = 2, bound at 0: h(u) = 1 / (1 + (πu)²). */
const atan = (u: number): number => 1 / (1 + (Math.PI * u) ** 2);

describe('LIF.forward (spikes only, one fused op): a hand-derived BPTT on 3 steps', () => {
  for (const detachReset of [true, false]) {
    it(`reset subtract, detachReset ${detachReset}, learnt β and Θ`, () => {
      const beta = 0.8;
      const theta = 1;
      const I = [0.7, 0.9, 0.6];
      const c = [0.5, -1.0, 2.0]; // L = Σ c_t S_t
      const x = tensor(I, { shape: [3, 1, 1], dtype: 'float64' }).requiresGrad_();
      const lif = new snn.LIF({ beta, threshold: theta, learnBeta: true, learnThreshold: true, detachReset, dtype: 'float64' });
      const spikes = lif.forward(x);
      const loss = spikes.mul(tensor(c, { shape: [3, 1, 1], dtype: 'float64' })).sum();
      expect(listTape(loss).map((r) => r.op)).toContain('lifSpikeSequence');
      expect(listTape(loss).map((r) => r.op)).not.toContain('heaviside');
      loss.backward();
      // forward by hand: U = 0.7, 1.46, 0.768, the middle step spikes
      const U = [0.7, 0.8 * 0.7 + 0.9, 0.8 * (0.8 * 0.7 + 0.9) + 0.6 - 1];
      expect(flat(spikes)).toEqual([0, 1, 0]);
      const R = [0, 0, 1];
      // δ_t = dL/dU_t
      const h = U.map((u) => atan(u - theta));
      const d = [0, 0, 0];
      d[2] = c[2] * h[2];
      d[1] = c[1] * h[1] + d[2] * beta + (detachReset ? 0 : d[2] * -theta * h[1]);
      d[0] = c[0] * h[0] + d[1] * beta + (detachReset ? 0 : d[1] * -theta * h[0]);
      const dBeta = d[1] * U[0] + d[2] * U[1];
      let dTheta = 0;
      for (let t = 0; t < 3; t++) dTheta += -c[t] * h[t] - d[t] * R[t];
      const hPrev = [atan(0 - theta), h[0], h[1]]; // R_0 = H(U_{−1} − Θ) with U_{−1} = 0
      if (!detachReset) for (let t = 0; t < 3; t++) dTheta += d[t] * -theta * -hPrev[t];
      expectClose(gradOf(x), d, 1e-12);
      expectClose(gradOf(lif.beta), [dBeta], 1e-12);
      expectClose(gradOf(lif.threshold), [dTheta], 1e-12);
    });
  }
});

/** The recurrence by hand: U[t] from U[t−1] (U[−1] = mem0), R[t] = (U[t−1] > Θ). */
function naiveForward(I: number[], mem0: number[], beta: number[], th: number, mode: Mode): number[] {
  const n = mem0.length;
  const U: number[] = [];
  let prev = mem0;
  for (let t = 0; t < I.length / n; t++) {
    const next = prev.map((p, i) => {
      const b = beta[i % beta.length];
      const r = p > th ? 1 : 0;
      const x = I[t * n + i];
      if (mode === 'subtract') return b * p + x - r * th;
      if (mode === 'zero') return b * (1 - r) * p + x;
      return b * p + x;
    });
    U.push(...next);
    prev = next;
  }
  return U;
}

/**
 * BPTT by hand for L = Σ G·S, S = H(U − Θ) with surrogate h(U − Θ); the reset's gradient through h
 * when `throughReset`. Returns dI, dMem0, dBeta (per entry of beta), dTheta.
 */
function naiveSpikeBackward(
  I: number[], mem0: number[], beta: number[], th: number, mode: Mode, G: number[], h: (u: number) => number, throughReset: boolean,
): { dI: number[]; dMem0: number[]; dBeta: number[]; dTheta: number } {
  const n = mem0.length;
  const T = I.length / n;
  const U = naiveForward(I, mem0, beta, th, mode);
  const prevOf = (t: number, i: number): number => (t === 0 ? mem0[i] : U[(t - 1) * n + i]);
  const dI = new Array<number>(T * n).fill(0);
  const dBeta = new Array<number>(beta.length).fill(0);
  let dTheta = 0;
  let carry = new Array<number>(n).fill(0);
  for (let t = T - 1; t >= 0; t--) {
    const next = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const local = G[t * n + i] * h(U[t * n + i] - th); // through this step's spike
      dTheta -= local; // S = H(U − Θ): ∂S/∂Θ = −h
      const a = local + carry[i]; // dL/dU[t]
      dI[t * n + i] = a;
      const p = prevOf(t, i);
      const b = beta[i % beta.length];
      const r = p > th ? 1 : 0;
      const dp = mode === 'zero' ? b * (1 - r) : b;
      const db = mode === 'zero' ? (1 - r) * p : p;
      const dth = mode === 'subtract' ? -r : 0;
      const dR = mode === 'subtract' ? -th : mode === 'zero' ? -b * p : 0;
      next[i] = a * dp;
      dBeta[i % beta.length] += a * db;
      dTheta += a * dth;
      if (throughReset) {
        next[i] += a * dR * h(p - th);
        dTheta -= a * dR * h(p - th);
      }
    }
    carry = next;
  }
  return { dI, dMem0: carry, dBeta, dTheta };
}

describe('lifSpikeSequence: every gradient equals a hand-written BPTT loop', () => {
  for (const mode of MODES) {
    for (const throughReset of [false, true]) {
      it(`mode '${mode}', reset ${throughReset ? 'through the surrogate' : 'detached'}, per-neuron β, Θ = 0.8, rule read at U − Θ`, () => {
        const T = 9;
        const n = 4;
        const beta = [0.9, 0.5, 0.75, 1];
        const th = 0.8;
        const gen = new Generator(mode.length * 7 + (throughReset ? 1 : 0));
        const I = Array.from({ length: T * n }, () => gen.normal() * 0.9 + 0.35);
        const mem0 = Array.from({ length: n }, () => gen.normal() * 0.7 + 0.5);
        const G = Array.from({ length: T * n }, (_, i) => Math.sin(i + 1));
        const x = tensor(I, { shape: [T, 1, 4], dtype: 'float64' }).requiresGrad_();
        const m = tensor(mem0, { shape: [1, 4], dtype: 'float64' }).requiresGrad_();
        const b = tensor(beta, { shape: [4], dtype: 'float64' }).requiresGrad_();
        const t = tensor(th, { dtype: 'float64' }).requiresGrad_();
        // the rule bound at 0 and read at U − Θ (as a layer with learnThreshold binds it)
        const spike: SpikeGradient = { h: (u) => atan(u), b: null, center: th, detachReset: !throughReset, label: 'atan' };
        const S = lifSpikeSequence(x, m, b, t, mode, spike);
        const U = naiveForward(I, mem0, beta, th, mode);
        expect(flat(S)).toEqual(U.map((u) => (u > th ? 1 : 0)));
        expect(flat(S)).toContain(1);
        S.backward(tensor(G, { shape: [T, 1, 4], dtype: 'float64' }));
        const want = naiveSpikeBackward(I, mem0, beta, th, mode, G, atan, throughReset && mode !== 'none');
        expectClose(gradOf(x), want.dI, 1e-12);
        expectClose(gradOf(m), want.dMem0, 1e-12);
        expectClose(gradOf(b), want.dBeta, 1e-12);
        expectClose(gradOf(t), [want.dTheta], 1e-12);
      });
    }
  }

  it('a rule given as b(g, x, y) is applied to the whole sequence (detached reset)', () => {
    const guided = (g: number, x: number): number => (g > 0 ? g / (1 + Math.abs(x - 0.5)) : 0);
    const T = 5;
    const I = [0.2, 0.9, 0.1, 0.7, 0.4, 0.3, 0.6, 0.8, 0.05, 0.5];
    const G = [1, -1, 0.5, 2, -0.3, 0.7, 1.5, -2, 0.1, 1];
    const x = tensor(I, { shape: [T, 1, 2], dtype: 'float64' }).requiresGrad_();
    const spike: SpikeGradient = { h: null, b: guided, center: 0, detachReset: true, label: 'guided' };
    const zero = tensor([0, 0], { shape: [1, 2], dtype: 'float64' });
    lifSpikeSequence(x, zero, tensor(0.6, { dtype: 'float64' }), tensor(0.5, { dtype: 'float64' }), 'zero', spike).backward(tensor(G, { shape: [T, 1, 2], dtype: 'float64' }));
    // by hand: local[t] = b(G, U, S); dL/dU[t] = local[t] + β(1 − R[t+1])·dL/dU[t+1]
    const U = naiveForward(I, [0, 0], [0.6], 0.5, 'zero');
    const want = new Array<number>(T * 2).fill(0);
    for (let i = 0; i < 2; i++) {
      let carry = 0;
      for (let t = T - 1; t >= 0; t--) {
        const a = guided(G[t * 2 + i], U[t * 2 + i]) + carry;
        want[t * 2 + i] = a;
        const p = t === 0 ? 0 : U[(t - 1) * 2 + i];
        carry = 0.6 * (1 - (p > 0.5 ? 1 : 0)) * a;
      }
    }
    expectClose(gradOf(x), want, 1e-12);
  });
});

/** Loss of the spikes only: what a hidden layer's spikes see. */
function lossOf(spikes: Tensor, ws: Tensor): Tensor {
  return spikes.mul(ws).sum();
}

interface Case {
  name: string;
  options: snn.LIFOptions;
  features: number[];
  batch: number;
  T: number;
  /** Whether LIF.forward records the spike op (false: a fallback, which must give the same). */
  spikeOp: boolean;
}

const guidedLike = { backward: (g: number, x: number): number => (g > 0 ? g / (1 + Math.abs(x)) : 0) };
const CASES: Case[] = [];
for (const reset of MODES) {
  for (const detachReset of [true, false]) {
    CASES.push({ name: `atan, reset ${reset}, detachReset ${detachReset}, learnBeta and learnThreshold, β per neuron, features [5]`, options: { beta: [0.9, 0.5, 0.7, 1, 0.2], reset, detachReset, learnBeta: true, learnThreshold: true }, features: [5], batch: 3, T: 8, spikeOp: true });
    CASES.push({ name: `fastSigmoid(25), reset ${reset}, detachReset ${detachReset}, fixed β and Θ 0.6, features [2, 2, 3] (after a conv)`, options: { beta: 0.8, reset, detachReset, backward: 'fastSigmoid', threshold: 0.6 }, features: [2, 2, 3], batch: 2, T: 6, spikeOp: true });
    CASES.push({ name: `triangle, reset ${reset}, detachReset ${detachReset}, learnt scalar β, β per neuron over [2, 3] features`, options: { beta: tensor([0.9, 0.8, 0.7, 0.6, 0.95, 0.5], { shape: [2, 3] }), reset, detachReset, backward: 'triangle', learnBeta: true }, features: [2, 3], batch: 2, T: 7, spikeOp: true });
  }
}
CASES.push(
  { name: 'batch 1, T = 1', options: { beta: 0.7, threshold: 0.004, backward: 'triangle', detachReset: false, learnBeta: true, learnThreshold: true }, features: [4], batch: 1, T: 1, spikeOp: true },
  { name: 'a parameterised rule (fastSigmoid slope 100), learnThreshold, reset through it', options: { beta: 0.85, backward: rules.fastSigmoid({ slope: 100 }), detachReset: false, learnThreshold: true }, features: [3], batch: 2, T: 9, spikeOp: true },
  { name: 'an inline local derivative, reset zero, through it', options: { beta: 0.9, reset: 'zero', backward: { derivative: (x: number) => Math.exp(-x * x) }, detachReset: false }, features: [3], batch: 2, T: 7, spikeOp: true },
  { name: 'a backward rule b(g, x, y), detached reset', options: { beta: 0.9, backward: guidedLike }, features: [4], batch: 2, T: 6, spikeOp: true },
  { name: 'a backward rule b(g, x, y) with the reset through it: step by step', options: { beta: 0.9, backward: guidedLike, detachReset: false }, features: [4], batch: 2, T: 6, spikeOp: false },
  { name: 'a learnable rule (atan with α learnt), detached reset: membranes op + heaviside', options: { beta: 0.9, backward: rules.atan({ alpha: nn.learnable(3) }), learnBeta: true }, features: [4], batch: 2, T: 6, spikeOp: false },
  { name: 'a learnable rule with the reset through it: step by step', options: { beta: 0.9, backward: rules.atan({ alpha: nn.learnable(3) }), detachReset: false }, features: [4], batch: 2, T: 6, spikeOp: false },
  { name: 'a context rule (batchNormalised): step by step', options: { beta: 0.9, backward: rules.batchNormalised({ base: 'atan' }) }, features: [4], batch: 3, T: 5, spikeOp: false },
  { name: 'the exact rule', options: { beta: 0.9, backward: 'exact', detachReset: false }, features: [4], batch: 2, T: 5, spikeOp: true },
  { name: 'a spikeFunction (smooth stand-in): step by step', options: { beta: 0.8, spikeFunction: (u: Tensor) => u.mul(4).sigmoid(), detachReset: false, learnBeta: true }, features: [3], batch: 2, T: 5, spikeOp: false },
);

describe('LIF.forward: the spike op equals the step-by-step path (spikes and every gradient)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const make = (): snn.LIF => new snn.LIF({ ...c.options, dtype: 'float64' });
      const fusedLayer = make();
      const stepLayer = make();
      stepLayer.loadStateDict(fusedLayer.stateDict());
      const gen = new Generator(c.T * 37 + c.batch);
      const shape = [c.T, c.batch, ...c.features];
      const xData = randn(shape, { generator: gen, dtype: 'float64' }).mul(0.9).add(0.4);
      const ws = randn(shape, { generator: gen, dtype: 'float64' });

      const x1 = xData.detach().requiresGrad_();
      const spikes = fusedLayer.forward(x1);
      const loss1 = lossOf(spikes, ws);
      expect(listTape(loss1).some((r) => r.op === 'lifSpikeSequence')).toBe(c.spikeOp);
      loss1.backward();

      const x2 = xData.detach().requiresGrad_();
      const steps = Array.from({ length: c.T }, (_, t) => x2.slice([[t, t + 1]]).squeeze(0));
      // one tensor in a list is read as a [T, ...] sequence, so a single step goes through step()
      const ref = c.T === 1 ? [stepLayer.step(steps[0])[0]] : stepLayer.run(steps).spikes;
      const loss2 = lossOf(stack(ref, 0), ws);
      expect(listTape(loss2).some((r) => r.op === 'lifSpikeSequence' || r.op === 'lifSequence')).toBe(false);
      loss2.backward();

      expect(spikes.shape).toEqual(shape);
      expect(flat(spikes)).toEqual(flat(stack(ref, 0)));
      if (c.options.spikeFunction === undefined) expect(flat(spikes)).toContain(1);
      expectClose(gradOf(x1), gradOf(x2), 1e-10, 1e-9);
      const p2 = new Map(stepLayer.namedParameters());
      for (const [name, p] of fusedLayer.namedParameters()) expectClose(gradOf(p), gradOf(p2.get(name) as Tensor), 1e-10, 1e-9);
    });
  }

  for (const [mode, beta] of MODES.flatMap((m) => [[m, 0.9], [m, [0.9, 0.95, 0.8, 0.7]]] as const)) {
    it(`float32, reset ${mode}, ${typeof beta === 'number' ? 'one β' : 'β per neuron'}: the spikes are the step path's bit for bit, the gradients equal to float32 rounding`, () => {
      const a = new snn.LIF({ beta, reset: mode, learnBeta: true });
      const b = new snn.LIF({ beta, reset: mode, learnBeta: true });
      const xData = randn([30, 3, 4], { generator: new Generator(9) }).mul(0.8).add(0.2);
      const ws = randn([30, 3, 4], { generator: new Generator(10) });
      const x1 = xData.detach().requiresGrad_();
      const s1 = a.forward(x1);
      lossOf(s1, ws).backward();
      const x2 = xData.detach().requiresGrad_();
      const s2 = stack(b.run(Array.from({ length: 30 }, (_, t) => x2.slice([[t, t + 1]]).squeeze(0))).spikes, 0);
      lossOf(s2, ws).backward();
      expect(flat(s1)).toEqual(flat(s2));
      expectClose(gradOf(x1), gradOf(x2), 1e-6, 1e-5);
      expectClose(gradOf(a.beta), gradOf(b.beta), 1e-4, 1e-4);
      expect(flat(s1)).toContain(1);
    });
  }

  it('the rule is resolved as for a step: the layer option, withExactRules over it; the tape names the rule', () => {
    const x = tensor([0.9, 0.95], { shape: [2, 1, 1], dtype: 'float64' }).requiresGrad_();
    const lif = new snn.LIF({ beta: 0.5, backward: 'fastSigmoid', dtype: 'float64' });
    lif.forward(x).sum().backward();
    expect(lastBackwardRules()).toMatchObject({ lifSpikeSequence: ['fastSigmoid'] });
    expect(gradOf(x)[1]).toBeCloseTo(1 / (1 + 25 * Math.abs(0.95 + 0.45 - 1)) ** 2, 12);
    x.grad = null;
    withExactRules(() => lif.forward(x).sum().backward());
    expect(gradOf(x)).toEqual([0, 0]);
    expect(lastBackwardRules()).toMatchObject({ lifSpikeSequence: ['exact'] });
  });

  it('the rule bindings kept across calls: same rule, other thresholds and learnThreshold, in turns, each as its step path', () => {
    const xData = randn([6, 2, 3], { generator: new Generator(12), dtype: 'float64' }).mul(0.8).add(0.4);
    const ws = randn([6, 2, 3], { generator: new Generator(13), dtype: 'float64' });
    for (let round = 0; round < 2; round++) {
      for (const options of [{ threshold: 1 }, { threshold: 0.5 }, { threshold: 0.5, learnThreshold: true }, { threshold: 1, learnThreshold: true }, { threshold: 0.7, detachReset: false }]) {
        const a = new snn.LIF({ beta: 0.8, ...options, dtype: 'float64' });
        const b = new snn.LIF({ beta: 0.8, ...options, dtype: 'float64' });
        const x1 = xData.detach().requiresGrad_();
        lossOf(a.forward(x1), ws).backward();
        const x2 = xData.detach().requiresGrad_();
        lossOf(stack(b.run(Array.from({ length: 6 }, (_, t) => x2.slice([[t, t + 1]]).squeeze(0))).spikes, 0), ws).backward();
        expectClose(gradOf(x1), gradOf(x2), 1e-10, 1e-9);
        // and under withExactRules the same layer passes nothing through its spikes
        const x3 = xData.detach().requiresGrad_();
        withExactRules(() => lossOf(a.forward(x3), ws).backward());
        expect(gradOf(x3).every((v) => v === 0)).toBe(true);
      }
    }
  });

  it('Synaptic.forward (reset subtract, reset through the surrogate) equals its step path', () => {
    const options: snn.SynapticOptions = { alpha: [0.5, 0.8, 0.9], beta: [0.9, 0.6, 0.75], detachReset: false, learnAlpha: true, learnBeta: true, learnThreshold: true, dtype: 'float64' };
    const a = new snn.Synaptic(options);
    const b = new snn.Synaptic(options);
    const gen = new Generator(4);
    const xData = randn([8, 2, 3], { generator: gen, dtype: 'float64' }).mul(0.6).add(0.3);
    const ws = randn([8, 2, 3], { generator: gen, dtype: 'float64' });
    const x1 = xData.detach().requiresGrad_();
    const s1 = a.forward(x1);
    const loss1 = lossOf(s1, ws);
    expect(listTape(loss1).some((r) => r.op === 'lifSpikeSequence')).toBe(true);
    loss1.backward();
    const x2 = xData.detach().requiresGrad_();
    const s2 = stack(b.run(Array.from({ length: 8 }, (_, t) => x2.slice([[t, t + 1]]).squeeze(0))).spikes, 0);
    lossOf(s2, ws).backward();
    expect(flat(s1)).toEqual(flat(s2));
    expect(flat(s1)).toContain(1);
    expectClose(gradOf(x1), gradOf(x2), 1e-10, 1e-9);
    const qs = new Map(b.namedParameters());
    for (const [name, p] of a.namedParameters()) expectClose(gradOf(p), gradOf(qs.get(name) as Tensor), 1e-10, 1e-9);
  });
});

describe('snn.maxOverTime', () => {
  /** max over axis 0 by its definition, and the gradient of Σ g·max: g shared evenly by the tied maxima (NaN ties with NaN). */
  function naive(x: number[], T: number, g: number[]): { y: number[]; dx: number[] } {
    const n = x.length / T;
    const y: number[] = [];
    const dx = new Array<number>(x.length).fill(0);
    for (let i = 0; i < n; i++) {
      const col = Array.from({ length: T }, (_, t) => x[t * n + i]);
      const m = col.some((v) => Number.isNaN(v)) ? Number.NaN : Math.max(...col);
      y.push(m);
      const hits = col.map((v) => (Number.isNaN(m) ? Number.isNaN(v) : v === m));
      const count = hits.filter(Boolean).length;
      hits.forEach((hit, t) => {
        if (hit) dx[t * n + i] = g[i] / count;
      });
    }
    return { y, dx };
  }

  it('values and gradient: the definition, ties shared evenly, NaN propagating, −∞; equal to max(x, 0)', () => {
    const x = [
      1, 5, -Infinity, 2, Number.NaN, 0,
      3, 5, -Infinity, 2, 1, 0,
      3, -1, -Infinity, 7, Number.NaN, 0,
      0, 5, -Infinity, 2, 9, 0,
    ];
    const g = [1, 2, 3, 4, 5, 6];
    const xt = tensor(x, { shape: [4, 2, 3], dtype: 'float64' }).requiresGrad_();
    const y = snn.maxOverTime(xt);
    expect(y.shape).toEqual([2, 3]);
    y.backward(tensor(g, { shape: [2, 3], dtype: 'float64' }));
    const want = naive(x, 4, g);
    expect(flat(y)).toEqual(want.y);
    expect(gradOf(xt)).toEqual(want.dx);
    const xm = tensor(x, { shape: [4, 2, 3], dtype: 'float64' }).requiresGrad_();
    max(xm, 0).backward(tensor(g, { shape: [2, 3], dtype: 'float64' }));
    expect(gradOf(xt)).toEqual(gradOf(xm));
  });

  it('float32, random [T, N, C] and a rank-1 sequence; errors for a 0-d tensor or no time steps', () => {
    const gen = new Generator(3);
    const xt = randn([50, 7, 2], { generator: gen }).requiresGrad_();
    const g = randn([7, 2], { generator: gen });
    const y = snn.maxOverTime(xt);
    y.backward(g);
    const want = naive(flat(xt), 50, flat(g));
    expect(flat(y)).toEqual(want.y.map(Math.fround));
    expect(gradOf(xt)).toEqual(want.dx.map(Math.fround));
    const v = tensor([0.5, 2, 2, -1], { requiresGrad: true });
    const m = snn.maxOverTime(v);
    expect(m.shape).toEqual([]);
    m.backward();
    expect(gradOf(v)).toEqual([0, 0.5, 0.5, 0]);
    expect(() => snn.maxOverTime(tensor(1))).toThrow(ShapeError);
    expect(() => snn.maxOverTime(randn([0, 3]))).toThrow(/snn.maxOverTime: expected a sequence \[T, \.\.\.\] with at least one time step, got shape \[0, 3\]/);
  });
});

describe('LIF.maxMembrane: maxOverTime of the membranes, one op for a leaky readout', () => {
  const cases: [string, snn.LIFOptions, number[], number, boolean][] = [
    ['reset none, scalar β, features [2] (the toy readout)', { beta: 0.9, reset: 'none', threshold: 1e9 }, [2], 40, true],
    ['reset none, β per neuron, features [2, 3] (rank 3 with the batch)', { beta: tensor([0.5, 0.9, 1, 0, 0.7, 0.95], { shape: [2, 3] }), reset: 'none' }, [2, 3], 12, true],
    ['T = 1, batch 1', { beta: 0.8, reset: 'none' }, [3], 1, true],
    ['reset subtract: runSequence, then maxOverTime', { beta: 0.8, reset: 'subtract', threshold: 0.5 }, [3], 10, false],
    ['learnt β: runSequence, then maxOverTime', { beta: 0.8, reset: 'none', learnBeta: true }, [3], 10, false],
  ];
  for (const [name, options, features, T, fused] of cases) {
    it(name, () => {
      const a = new snn.LIF({ ...options, dtype: 'float64' });
      const b = new snn.LIF({ ...options, dtype: 'float64' });
      const shape = [T, 2, ...features];
      const gen = new Generator(T + features.length);
      const xData = randn(shape, { generator: gen, dtype: 'float64' }).mul(0.7);
      const g = randn(shape.slice(1), { generator: gen, dtype: 'float64' });
      const x1 = xData.detach().requiresGrad_();
      const y1 = a.maxMembrane(x1);
      expect(listTape(y1).some((r) => r.op === 'leakyMaxOverTime')).toBe(fused);
      y1.backward(g);
      const x2 = xData.detach().requiresGrad_();
      const y2 = max(b.runSequence(x2).membranes, 0);
      y2.backward(g);
      expect(y1.shape).toEqual(shape.slice(1));
      expect(flat(y1)).toEqual(flat(y2));
      expectClose(gradOf(x1), gradOf(x2), 1e-12, 1e-12);
      if (options.learnBeta === true) expectClose(gradOf(a.beta), gradOf(b.beta), 1e-12, 1e-12);
    });
  }

  it('the gradient by hand (β^(t*−t) g up to the maximum), tied maxima (an input of zeros) and NaN, float32 bit for bit', () => {
    const lif = new snn.LIF({ beta: 0.5, reset: 'none' });
    // neuron 0: U = 1, 1.5, 0.75 (max at t = 1); neuron 1: zeros (tied at every step); neuron 2: a NaN from t = 1
    const x = tensor([1, 0, 0.25, 1, 0, Number.NaN, -1, 0, 2], { shape: [3, 1, 3], requiresGrad: true });
    const y = lif.maxMembrane(x);
    expect(flat(y).slice(0, 2)).toEqual([1.5, 0]);
    expect(Number.isNaN(flat(y)[2])).toBe(true);
    y.backward(tensor([2, 3, 4], { shape: [1, 3] }));
    // dL/dI[t] = g·β^(1−t) for t ≤ 1 (neuron 0); 3/3 at each tied step plus the decayed later shares (neuron 1); NaN ties at t = 1, 2 (neuron 2)
    expect(gradOf(x)).toEqual([1, 3 / 3 + 0.5 * (1 + 0.5), 4 / 2 * 0.5 + 4 / 2 * 0.25, 2, 1 + 0.5 * 1, 2 + 0.5 * 2, 0, 1, 2]);
    const ref = new snn.LIF({ beta: 0.5, reset: 'none' });
    const x2 = x.detach().requiresGrad_();
    max(ref.runSequence(x2).membranes, 0).backward(tensor([2, 3, 4], { shape: [1, 3] }));
    expect(gradOf(x)).toEqual(gradOf(x2));
  });

  it('with a spike listener (the monitor) it runs runSequence, so the listener sees every step', () => {
    const lif = new snn.LIF({ beta: 0.9, reset: 'none', threshold: 0.5 });
    let steps = 0;
    const handle = lif.onSpikes(() => steps++);
    const x = randn([6, 2, 3], { generator: new Generator(1) });
    const y = lif.maxMembrane(x);
    handle.remove();
    expect(steps).toBe(6);
    expect(flat(y)).toEqual(flat(lif.maxMembrane(x)));
  });

  it('bad input: the sequence checks of the layer, naming maxMembrane', () => {
    const lif = new snn.LIF({ beta: 0.9, reset: 'none' });
    expect(() => lif.maxMembrane(tensor([1, 2]))).toThrow(/LIF.maxMembrane: expected a sequence of shape \[T, N, \.\.\.features\] \(rank ≥ 2\), got shape \[2\]/);
    expect(() => lif.maxMembrane(randn([0, 2, 3]))).toThrow(/LIF.maxMembrane: the sequence has no time steps/);
    expect(() => new snn.LIF({ beta: [0.1, 0.2], reset: 'none' }).maxMembrane(randn([2, 2, 3]))).toThrow(/LIF.maxMembrane: beta has one value per neuron, shape \[2\], but the input has shape \[2, 3\]/);
  });
});
