// The fused whole-sequence LIF op (src/snn/fused.ts) and the layers' use of it. Oracles: a naive
// forward loop written here from the formulas; central finite differences in float64 (the op
// with a detached reset is piecewise smooth: R is constant under a small perturbation when no
// membrane sits at the threshold); a hand-written BPTT loop for the reset through the surrogate;
// and the step-by-step path (one tensor per step), itself checked against finite differences and
// a hand-derived BPTT in lif.test.ts.
import { describe, expect, it } from 'vitest';
import {
  Generator, type Tensor, lastBackwardRules, listTape, nn, noGrad, randn, rules, snn, stack, tensor, withExactRules, zeros,
} from '../../src/index';
import { lifSequence, type ResetGradient } from '../../src/snn/fused';
import { expectClose, gradOf, numericGrad } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());
const MODES = ['subtract', 'zero', 'none'] as const;
type Mode = (typeof MODES)[number];

/** The recurrence by hand: U[t] from U[t−1] (U[−1] = mem0), R[t] = (U[t−1] > Θ). */
function naiveForward(I: number[], mem0: number[], beta: number[], th: number, mode: Mode): number[] {
  const n = mem0.length;
  const T = I.length / n;
  const U: number[] = [];
  let prev = mem0;
  for (let t = 0; t < T; t++) {
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
 * BPTT by hand for L = Σ G·U, with the reset's gradient through h (h(u) at u = U[t−1] − Θ):
 * returns dI, dMem0, dBeta (per entry of beta), dTheta.
 */
function naiveBackward(
  I: number[], mem0: number[], beta: number[], th: number, mode: Mode, G: number[], h: ((u: number) => number) | null,
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
      const a = G[t * n + i] + carry[i]; // dL/dU[t]
      dI[t * n + i] = a;
      const p = prevOf(t, i);
      const b = beta[i % beta.length];
      const r = p > th ? 1 : 0;
      // ∂U[t]/∂p with R fixed, ∂U[t]/∂b, ∂U[t]/∂Θ with R fixed, ∂U[t]/∂R
      const dp = mode === 'zero' ? b * (1 - r) : b;
      const db = mode === 'zero' ? (1 - r) * p : p;
      const dth = mode === 'subtract' ? -r : 0;
      const dR = mode === 'subtract' ? -th : mode === 'zero' ? -b * p : 0;
      next[i] = a * dp;
      dBeta[i % beta.length] += a * db;
      dTheta += a * dth;
      if (h !== null) {
        // R = H(p − Θ): ∂R/∂p = h(p − Θ), ∂R/∂Θ = −h(p − Θ)
        next[i] += a * dR * h(p - th);
        dTheta -= a * dR * h(p - th);
      }
    }
    carry = next;
  }
  return { dI, dMem0: carry, dBeta, dTheta };
}

/** Inputs whose membranes keep clear of the threshold (|U − Θ| > 0.05), so that FD never flips a reset. */
function clearInputs(seed: number, T: number, n: number, beta: number[], th: number, mode: Mode): { I: number[]; mem0: number[] } {
  const gen = new Generator(seed);
  for (;;) {
    const I = Array.from({ length: T * n }, () => gen.normal() * 0.9 + 0.3);
    const mem0 = Array.from({ length: n }, () => gen.normal() * 0.8 + 0.5);
    const U = naiveForward(I, mem0, beta, th, mode);
    const all = [...mem0, ...U];
    const spikes = all.filter((u) => u > th).length;
    if (all.every((u) => Math.abs(u - th) > 0.05) && spikes > 0 && spikes < all.length) return { I, mem0 };
  }
}

describe('lifSequence: forward against the recurrence by hand', () => {
  for (const mode of MODES) {
    for (const beta of [[0.8], [0.2, 0.9, 1, 0, 0.55, 0.7]]) {
      it(`mode '${mode}', ${beta.length === 1 ? 'one β' : 'one β per neuron'} (features [2, 3]), from a non-zero membrane`, () => {
        const T = 5;
        const { I, mem0 } = clearInputs(7, T, 2 * 6, beta, 0.6, mode);
        const shape = [T, 2, 2, 3];
        const U = lifSequence(
          tensor(I, { shape, dtype: 'float64' }),
          tensor(mem0, { shape: shape.slice(1), dtype: 'float64' }),
          tensor(beta, { shape: beta.length === 1 ? [] : [2, 3], dtype: 'float64' }),
          tensor(0.6, { dtype: 'float64' }),
          mode,
          { detach: true },
        );
        expect(U.shape).toEqual(shape);
        expectClose(flat(U), naiveForward(I, mem0, beta, 0.6, mode), 1e-12);
      });
    }
  }
});

describe('lifSequence: gradients', () => {
  for (const mode of MODES) {
    for (const perNeuron of [false, true]) {
      it(`detached reset, mode '${mode}', ${perNeuron ? 'per-neuron' : 'scalar'} β: input, mem0, β and Θ against float64 central differences`, () => {
        const T = 6;
        const n = 3 * 2;
        const beta = perNeuron ? [0.3, 0.95, 0.6] : [0.85];
        const { I, mem0 } = clearInputs(mode.length + (perNeuron ? 10 : 0), T, n, beta, 0.7, mode);
        const x = tensor(I, { shape: [T, 2, 3], dtype: 'float64' }).requiresGrad_();
        const m = tensor(mem0, { shape: [2, 3], dtype: 'float64' }).requiresGrad_();
        const b = tensor(beta, { shape: perNeuron ? [3] : [], dtype: 'float64' }).requiresGrad_();
        const th = tensor(0.7, { dtype: 'float64' }).requiresGrad_();
        const w = randn([T, 2, 3], { generator: new Generator(5), dtype: 'float64' });
        const lossT = (): Tensor => {
          const U = lifSequence(x, m, b, th, mode, { detach: true });
          return U.mul(w).sum().add(U.square().sum().mul(0.1));
        };
        const loss = (): number => lossT().item();
        lossT().backward();
        for (const p of [x, m, b, th]) expectClose(gradOf(p), numericGrad(loss, p), 1e-7, 1e-6);
      });
    }
  }

  for (const mode of ['subtract', 'zero'] as const) {
    it(`reset through the surrogate, mode '${mode}': every gradient equals a hand-written BPTT loop`, () => {
      const T = 7;
      const n = 4;
      const beta = [0.9, 0.5, 0.75, 1];
      const th = 0.8;
      const { I, mem0 } = clearInputs(21, T, n, beta, th, mode);
      const G = Array.from({ length: T * n }, (_, i) => Math.sin(i + 1));
      const h = (u: number): number => 1 / (1 + (Math.PI * u) ** 2); // atan, α = 2
      const x = tensor(I, { shape: [T, 1, 4], dtype: 'float64' }).requiresGrad_();
      const m = tensor(mem0, { shape: [1, 4], dtype: 'float64' }).requiresGrad_();
      const b = tensor(beta, { shape: [4], dtype: 'float64' }).requiresGrad_();
      const t = tensor(th, { dtype: 'float64' }).requiresGrad_();
      // the op reads h at U − center; here the rule is bound at 0, so center = Θ
      const reset: ResetGradient = { detach: false, h: (u) => h(u), center: th };
      lifSequence(x, m, b, t, mode, reset).backward(tensor(G, { shape: [T, 1, 4], dtype: 'float64' }));
      const want = naiveBackward(I, mem0, beta, th, mode, G, h);
      expectClose(gradOf(x), want.dI, 1e-12);
      expectClose(gradOf(m), want.dMem0, 1e-12);
      expectClose(gradOf(b), want.dBeta, 1e-12);
      expectClose(gradOf(t), [want.dTheta], 1e-12);
      // and the surrogate did something: the detached gradient differs
      const detached = naiveBackward(I, mem0, beta, th, mode, G, null);
      expect(detached.dMem0.some((v, i) => Math.abs(v - want.dMem0[i]) > 1e-6)).toBe(true);
    });
  }
});

/** Loss of spikes and membranes, so both outputs carry a gradient. */
function lossOf(spikes: Tensor, membranes: Tensor, ws: Tensor, wu: Tensor): Tensor {
  return spikes.mul(ws).sum().add(membranes.mul(wu).sum()).add(membranes.square().sum().mul(0.05));
}

interface Case {
  name: string;
  options: snn.LIFOptions;
  /** The feature shape after the batch. */
  features: number[];
  batch: number;
  T: number;
  /** Whether the fused op is expected to run (false: the layer falls back to step by step). */
  fused: boolean;
}

const guidedLike = { backward: (g: number, x: number): number => (g > 0 ? g / (1 + Math.abs(x)) : 0) };

const CASES: Case[] = [];
for (const reset of MODES) {
  for (const detachReset of [true, false]) {
    CASES.push({ name: `atan, reset ${reset}, detachReset ${detachReset}, learnBeta and learnThreshold, β per neuron, features [5]`, options: { beta: [0.9, 0.5, 0.7, 1, 0.2], reset, detachReset, learnBeta: true, learnThreshold: true }, features: [5], batch: 3, T: 8, fused: true });
    CASES.push({ name: `fastSigmoid(25), reset ${reset}, detachReset ${detachReset}, fixed β and Θ, features [2, 2, 3] (after a conv)`, options: { beta: 0.8, reset, detachReset, backward: 'fastSigmoid', threshold: 0.6 }, features: [2, 2, 3], batch: 2, T: 6, fused: true });
  }
}
CASES.push(
  { name: 'triangle, batch 1, T = 1', options: { beta: 0.7, backward: 'triangle', detachReset: false, learnBeta: true }, features: [4], batch: 1, T: 1, fused: true },
  { name: 'a parameterised rule (fastSigmoid slope 100), learnThreshold, reset through it', options: { beta: 0.85, backward: rules.fastSigmoid({ slope: 100 }), detachReset: false, learnThreshold: true }, features: [3], batch: 2, T: 9, fused: true },
  { name: 'an inline local derivative, reset zero, through it', options: { beta: 0.9, reset: 'zero', backward: { derivative: (x: number) => Math.exp(-x * x) }, detachReset: false }, features: [3], batch: 2, T: 7, fused: true },
  { name: 'a learnable rule (atan with α learnt), detached reset: fused', options: { beta: 0.9, backward: rules.atan({ alpha: nn.learnable(3) }), learnBeta: true }, features: [4], batch: 2, T: 6, fused: true },
  { name: 'a learnable rule with the reset through it: step by step', options: { beta: 0.9, backward: rules.atan({ alpha: nn.learnable(3) }), detachReset: false }, features: [4], batch: 2, T: 6, fused: false },
  { name: 'a backward rule b(g, x, y), detached reset: fused', options: { beta: 0.9, backward: guidedLike }, features: [4], batch: 2, T: 6, fused: true },
  { name: 'a backward rule b(g, x, y) with the reset through it: step by step', options: { beta: 0.9, backward: guidedLike, detachReset: false }, features: [4], batch: 2, T: 6, fused: false },
  { name: 'a context rule (batchNormalised): step by step', options: { beta: 0.9, backward: rules.batchNormalised({ base: 'atan' }) }, features: [4], batch: 3, T: 5, fused: false },
  { name: 'the exact rule', options: { beta: 0.9, backward: 'exact', detachReset: false }, features: [4], batch: 2, T: 5, fused: true },
);

describe('LIF: the fused sequence equals the step-by-step path (values and every gradient)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const make = (): snn.LIF => new snn.LIF({ ...c.options, dtype: 'float64' });
      const fusedLayer = make();
      const stepLayer = make();
      stepLayer.loadStateDict(fusedLayer.stateDict());
      const gen = new Generator(c.T * 31 + c.batch);
      const shape = [c.T, c.batch, ...c.features];
      const xData = randn(shape, { generator: gen, dtype: 'float64' }).mul(0.9).add(0.35);
      const mem0Data = randn(shape.slice(1), { generator: gen, dtype: 'float64' }).mul(0.7).add(0.4);
      const ws = randn(shape, { generator: gen, dtype: 'float64' });
      const wu = randn(shape, { generator: gen, dtype: 'float64' });

      const x1 = xData.detach().requiresGrad_();
      const m1 = mem0Data.detach().requiresGrad_();
      const out = fusedLayer.runSequence(x1, m1);
      const loss1 = lossOf(out.spikes, out.membranes, ws, wu);
      expect(listTape(loss1).some((r) => r.op === 'lifSequence')).toBe(c.fused);
      loss1.backward();

      const x2 = xData.detach().requiresGrad_();
      const m2 = mem0Data.detach().requiresGrad_();
      const steps = Array.from({ length: c.T }, (_, t) => x2.slice([[t, t + 1]]).squeeze(0));
      // one tensor in a list is read as a [T, ...] sequence, so a single step goes through step()
      const ref = c.T === 1 ? ((([s, u]) => ({ spikes: [s], membranes: [u], mem: u }))(stepLayer.step(steps[0], m2))) : stepLayer.run(steps, m2);
      const loss2 = lossOf(stack(ref.spikes, 0), stack(ref.membranes, 0), ws, wu);
      expect(listTape(loss2).some((r) => r.op === 'lifSequence')).toBe(false);
      loss2.backward();

      expect(flat(out.spikes)).toEqual(flat(stack(ref.spikes, 0)));
      expect(flat(out.spikes)).toContain(1);
      expectClose(flat(out.membranes), flat(stack(ref.membranes, 0)), 1e-12);
      expectClose(flat(out.mem), flat(ref.mem), 1e-12);
      expectClose(gradOf(x1), gradOf(x2), 1e-10, 1e-9);
      expectClose(gradOf(m1), gradOf(m2), 1e-10, 1e-9);
      const p1 = fusedLayer.namedParameters();
      const p2 = new Map(stepLayer.namedParameters());
      for (const [name, p] of p1) expectClose(gradOf(p), gradOf(p2.get(name) as Tensor), 1e-10, 1e-9);
      if (c.options.learnBeta === true || c.options.learnThreshold === true) expect(p1.length).toBeGreaterThan(0);
    });
  }

  it('forward, run and runSequence agree; run gives per-step views of the fused results', () => {
    const lif = new snn.LIF({ beta: 0.8, threshold: 0.5, dtype: 'float64' });
    const x = randn([6, 2, 3], { generator: new Generator(2), dtype: 'float64' }).requiresGrad_();
    const whole = lif.runSequence(x);
    const listed = lif.run(x);
    expect(flat(lif.forward(x))).toEqual(flat(whole.spikes));
    expect(flat(stack(listed.spikes, 0))).toEqual(flat(whole.spikes));
    expect(flat(stack(listed.membranes, 0))).toEqual(flat(whole.membranes));
    // gradient through the per-step lists equals that through the whole sequence
    stack(listed.membranes, 0).square().sum().backward();
    const viaLists = gradOf(x);
    x.grad = null;
    lif.runSequence(x).membranes.square().sum().backward();
    expectClose(gradOf(x), viaLists, 1e-12);
  });

  it('a float32 layer gives the step-by-step values bit for bit (same arithmetic, same order)', () => {
    const lif = new snn.LIF({ beta: [0.9, 0.95, 0.8, 0.7], reset: 'zero' });
    const x = randn([20, 3, 4], { generator: new Generator(9) }).mul(0.8).requiresGrad_();
    const whole = lif.runSequence(x);
    const steps = lif.run(Array.from({ length: 20 }, (_, t) => x.slice([[t, t + 1]]).squeeze(0)));
    expect(flat(whole.membranes)).toEqual(flat(stack(steps.membranes, 0)));
    expect(flat(whole.spikes)).toEqual(flat(stack(steps.spikes, 0)));
  });
});

describe('LIF fused: rules, diagnostics, bad input', () => {
  it('the rule is resolved as for a step: the layer option, and withExactRules over it; lastBackwardRules names it', () => {
    const x = tensor([0.9, 0.95], { shape: [2, 1, 1], dtype: 'float64' }).requiresGrad_();
    const lif = new snn.LIF({ beta: 0.5, backward: 'fastSigmoid', dtype: 'float64' });
    lif.forward(x).sum().backward();
    // the spikes alone: one op makes them, recorded with the heaviside rule as its rule
    expect(lastBackwardRules()).toMatchObject({ lifSpikeSequence: ['fastSigmoid'] });
    expect(lastBackwardRules().heaviside).toBeUndefined();
    expect(gradOf(x)[1]).toBeCloseTo(1 / (1 + 25 * Math.abs(0.95 + 0.45 - 1)) ** 2, 12);
    x.grad = null;
    withExactRules(() => lif.forward(x).sum().backward());
    expect(gradOf(x)).toEqual([0, 0]);
    // with the reset through the surrogate, withExactRules cuts that path too
    const y = tensor([1.4, 0.2], { shape: [2, 1, 1], dtype: 'float64' }).requiresGrad_();
    const kept = new snn.LIF({ beta: 0.5, detachReset: false, output: 'membrane', dtype: 'float64' });
    withExactRules(() => kept.forward(y).sum().backward());
    expect(gradOf(y)).toEqual([1.5, 1]); // U2 = 0.5·U1 + I2 − R2: dU2/dI1 = β, the reset's path gives 0
  });

  it('listeners (the monitor) see every step of a fused sequence', () => {
    const lif = new snn.LIF({ beta: 0.9, threshold: 0.5 });
    const seen: number[][] = [];
    const handle = lif.onSpikes((s) => seen.push(flat(s)));
    const x = randn([5, 2, 3], { generator: new Generator(3) }).requiresGrad_();
    const spikes = lif.forward(x);
    handle.remove();
    expect(seen.length).toBe(5);
    expect(seen.flat()).toEqual(flat(spikes));
    // a readout (output membrane) with a monitor still reports its spikes
    const readout = new snn.LIF({ beta: 0.9, threshold: 0.5, output: 'membrane' });
    let count = 0;
    const h2 = readout.onSpikes(() => count++);
    new nn.Sequential(readout).forward(x);
    h2.remove();
    expect(count).toBe(5);
  });

  it('bad input: the same errors as run, naming runSequence, and nothing changed', () => {
    const lif = new snn.LIF({ beta: 0.5, learnBeta: true });
    const before = flat(lif.beta);
    expect(() => lif.runSequence(tensor([1, 2, 3]))).toThrow(/LIF.runSequence: expected a sequence of shape \[T, N, \.\.\.features\] \(rank ≥ 2\), got shape \[3\]/);
    expect(() => lif.runSequence(zeros([0, 2, 3]))).toThrow(/LIF.runSequence: the sequence has no time steps/);
    expect(() => lif.runSequence(randn([2, 3, 5]), lif.initState([4, 5]))).toThrow(/LIF.runSequence: the state mem has shape \[4, 5\] but the input has shape \[3, 5\]/);
    expect(() => lif.runSequence(randn([2, 3, 5], { dtype: 'float64' }))).toThrow(/LIF.runSequence: the sequence is float64 but the layer is float32/);
    const perNeuron = new snn.LIF({ beta: [0.1, 0.2, 0.3] });
    expect(() => perNeuron.runSequence(randn([2, 2, 4]))).toThrow(/beta has one value per neuron, shape \[3\], but the input has shape \[2, 4\]/);
    expect(() => perNeuron.forward(randn([2, 2, 4]))).toThrow(/LIF.run: beta has one value per neuron/);
    expect(flat(lif.beta)).toEqual(before);
    const syn = new snn.Synaptic({ alpha: 0.5, beta: 0.8 });
    expect(() => syn.runSequence(randn([2, 3, 5]), { syn: zeros([4, 5]) })).toThrow(/Synaptic.runSequence: the state syn has shape \[4, 5\] but the input has shape \[3, 5\]/);
    expect(() => syn.runSequence(tensor([1, 2, 3]))).toThrow(/Synaptic.runSequence: expected a sequence of shape \[T, N, \.\.\.features\]/);
  });

  it('evaluation without membranes still updates one buffer in place (no [T, ...] membrane buffer)', () => {
    const lif = new snn.LIF({ beta: 0.9 });
    const x = randn([4, 2, 3], { generator: new Generator(1) });
    const out = noGrad(() => lif.run(x, undefined, { membranes: false }));
    expect(out.membranes).toEqual([]);
    expect(new Set(out.spikes.map((s) => s.toNdarray().data)).size).toBe(4); // each step its own spikes
    expect(flat(out.mem)).toEqual(flat(lif.runSequence(x).mem));
  });
});

describe('Synaptic: the fused sequence equals the step-by-step path', () => {
  const cases: [string, snn.SynapticOptions, boolean][] = [];
  for (const reset of ['subtract', 'none', 'zero'] as const) {
    for (const detachReset of [true, false]) {
      cases.push([
        `reset ${reset}, detachReset ${detachReset}, learnt α, β and Θ, per-neuron decays`,
        { alpha: [0.5, 0.8, 0.9], beta: [0.9, 0.6, 0.75], reset, detachReset, learnAlpha: true, learnBeta: true, learnThreshold: true, backward: 'atan' },
        reset !== 'zero', // reset zero zeroes the current too: step by step
      ]);
    }
  }
  cases.push(['fastSigmoid, fixed decays, features [2, 3]', { alpha: 0.7, beta: 0.85, backward: 'fastSigmoid', threshold: 0.5 }, true]);
  for (const [name, options, fused] of cases) {
    it(name, () => {
      const a = new snn.Synaptic({ ...options, dtype: 'float64' });
      const b = new snn.Synaptic({ ...options, dtype: 'float64' });
      const features = options.alpha === 0.7 ? [2, 3] : [3];
      const shape = [7, 2, ...features];
      const gen = new Generator(17);
      const xData = randn(shape, { generator: gen, dtype: 'float64' }).mul(0.6).add(0.3);
      const syn0 = randn(shape.slice(1), { generator: gen, dtype: 'float64' }).mul(0.3);
      const mem0 = randn(shape.slice(1), { generator: gen, dtype: 'float64' }).mul(0.5).add(0.5);
      const ws = randn(shape, { generator: gen, dtype: 'float64' });
      const wu = randn(shape, { generator: gen, dtype: 'float64' });
      const x1 = xData.detach().requiresGrad_();
      const s1 = syn0.detach().requiresGrad_();
      const m1 = mem0.detach().requiresGrad_();
      const out = a.runSequence(x1, { syn: s1, mem: m1 });
      const loss1 = lossOf(out.spikes, out.membranes, ws, wu).add(out.syn.square().sum());
      expect(listTape(loss1).some((r) => r.op === 'lifSequence')).toBe(fused);
      loss1.backward();
      const x2 = xData.detach().requiresGrad_();
      const s2 = syn0.detach().requiresGrad_();
      const m2 = mem0.detach().requiresGrad_();
      const ref = b.run(Array.from({ length: 7 }, (_, t) => x2.slice([[t, t + 1]]).squeeze(0)), { syn: s2, mem: m2 });
      lossOf(stack(ref.spikes, 0), stack(ref.membranes, 0), ws, wu).add(ref.syn.square().sum()).backward();
      expect(flat(out.spikes)).toEqual(flat(stack(ref.spikes, 0)));
      expect(flat(out.spikes)).toContain(1);
      expectClose(flat(out.membranes), flat(stack(ref.membranes, 0)), 1e-12);
      expectClose(flat(out.syn), flat(ref.syn), 1e-12);
      for (const [p, q] of [[x1, x2], [s1, s2], [m1, m2]]) expectClose(gradOf(p), gradOf(q), 1e-10, 1e-9);
      const qs = new Map(b.namedParameters());
      for (const [n, p] of a.namedParameters()) expectClose(gradOf(p), gradOf(qs.get(n) as Tensor), 1e-10, 1e-9);
      expect(flat(a.forward(x1))).toEqual(flat(a.runSequence(x1).spikes)); // from rest
    });
  }
});
