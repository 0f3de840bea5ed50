// The spike op's one-pass backward (src/snn/fused.ts: the surrogate written out inside the BPTT
// loop, for the built-in heaviside rules, which declare their formula in src/activations/rules.ts).
// Oracles: the rules' own derivative functions (the declared formula must give the same value at
// every point), the two-pass path (the same op with an undeclared copy of the same rule: the
// values must be equal bit for bit, float32 and float64), a hand-written BPTT loop, and the
// step-by-step path for the layer.
import { describe, expect, it } from 'vitest';
import { Generator, type Rule, type Tensor, lastBackwardRules, listTape, randn, rules, snn, stack, tensor } from '../../src/index';
import { type Derivative, type DerivativeRule, evaluateFormula, formulaOf } from '../../src/activations/rule';
import { bindForCall, getEntry } from '../../src/activations/registry';
import { lifSpikeSequence, type SpikeGradient } from '../../src/snn/fused';
import { expectClose, gradOf } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());
const MODES = ['subtract', 'zero', 'none'] as const;

const DECLARED: [string, DerivativeRule][] = [
  ['atan()', rules.atan() as DerivativeRule],
  ['atan({ alpha: 3.7 })', rules.atan({ alpha: 3.7 }) as DerivativeRule],
  ['fastSigmoid()', rules.fastSigmoid() as DerivativeRule],
  ['fastSigmoid({ slope: 100 })', rules.fastSigmoid({ slope: 100 }) as DerivativeRule],
  ['superSpike()', rules.superSpike() as DerivativeRule],
  ['triangle()', rules.triangle() as DerivativeRule],
  ['triangle({ alpha: 2.5 })', rules.triangle({ alpha: 2.5 }) as DerivativeRule],
  ['gaussian({ sigma: 0.3 })', rules.gaussian({ sigma: 0.3 }) as DerivativeRule],
  ['boxcar()', rules.boxcar() as DerivativeRule],
  ['boxcar({ width: 0.4 })', rules.boxcar({ width: 0.4 }) as DerivativeRule],
];

/** Points to compare at: a fine grid, the kinks and edges, float32 values, tiny and huge ones. */
function points(): number[] {
  const xs: number[] = [];
  for (let i = -3000; i <= 3000; i++) xs.push(i / 1000, Math.fround(i / 997 + 1e-4));
  xs.push(0, -0, 0.2, -0.2, 0.5, -0.5, 1, -1, 0.4, 1 / 2.5, -1 / 2.5, 1e-30, -1e-30, 1e30, -1e30, Infinity, -Infinity);
  return xs;
}

describe('declared formulas: the heaviside rules give their own arithmetic', () => {
  for (const [name, rule] of DECLARED) {
    it(`${name}: the formula equals the rule's h at every point, bit for bit; bound at threshold 0.7, so does the shifted binding`, () => {
      const f = formulaOf(rule.derivative);
      expect(f).toBeDefined();
      if (f === undefined) return;
      expect(f.offset).toBe(0);
      for (const x of points()) expect(Object.is(evaluateFormula(f, x), rule.derivative(x, x > 0 ? 1 : 0))).toBe(true);
      // the layer's binding at threshold Θ reads h(x − Θ): a new function, declared with offset Θ
      const entry = getEntry('heaviside', 'test');
      const bound = bindForCall(entry, entry.kernelFor({ threshold: 0.7 }), rule);
      const h = bound.derivative as Derivative;
      const g = formulaOf(h);
      expect(g).toMatchObject({ kind: f.kind, a: f.a, b: f.b, offset: 0.7 });
      if (g !== undefined) for (const x of points()) expect(Object.is(evaluateFormula(g, x), h(x, x > 0.7 ? 1 : 0))).toBe(true);
    });
  }

  it('exact (0) is declared, at any threshold; other rules, derived rules and user rules are not', () => {
    const entry = getEntry('heaviside', 'test');
    for (const threshold of [0, 1]) {
      const bound = bindForCall(entry, entry.kernelFor({ threshold }), rules.exact());
      const f = formulaOf(bound.derivative as Derivative);
      expect(f).toMatchObject({ kind: 'zero', offset: threshold });
    }
    expect(formulaOf((rules.sigmoidSurrogate() as DerivativeRule).derivative)).toBeUndefined();
    const user: Derivative = (u) => 1 / (1 + (Math.PI * u) ** 2);
    expect(formulaOf(user)).toBeUndefined();
    const shiftedUser = bindForCall(entry, entry.kernelFor({ threshold: 1 }), { derivative: user } as Rule).derivative as Derivative;
    expect(formulaOf(shiftedUser)).toBeUndefined();
  });
});

/** The op's gradients [input, mem0] for rule derivative h (declared: one pass; a copy: two passes). */
function opGrads(h: Derivative, mode: (typeof MODES)[number], dtype: 'float32' | 'float64', seed: number, T: number, n: number): { spikes: number[]; dI: number[]; dMem0: number[] } {
  const gen = new Generator(seed);
  const x = randn([T, 1, n], { generator: gen, dtype }).mul(0.7).add(0.45).detach().requiresGrad_();
  const m = randn([1, n], { generator: gen, dtype }).mul(0.5).add(0.6).detach().requiresGrad_();
  const G = randn([T, 1, n], { generator: gen, dtype });
  const spike: SpikeGradient = { h, b: null, center: 0, detachReset: true, label: 'rule' };
  const S = lifSpikeSequence(x, m, tensor(0.85, { dtype }), tensor(1, { dtype }), mode, spike);
  S.backward(G);
  return { spikes: flat(S), dI: gradOf(x), dMem0: gradOf(m) };
}

describe('lifSpikeSequence, one pass (declared rule) = two passes (the same rule undeclared), bit for bit', () => {
  const entry = getEntry('heaviside', 'test');
  const cases: [string, Derivative][] = DECLARED.map(([name, rule]) => [name, bindForCall(entry, entry.kernelFor({ threshold: 1 }), rule).derivative as Derivative]);
  cases.push(['exact', bindForCall(entry, entry.kernelFor({ threshold: 1 }), rules.exact()).derivative as Derivative]);
  for (const [name, h] of cases) {
    for (const mode of MODES) {
      it(`${name} at Θ = 1, reset ${mode}, detached: float32 and float64, T = 1 and 37`, () => {
        expect(formulaOf(h)).toBeDefined();
        const copy: Derivative = (x, y) => h(x, y); // a different function: no declaration, the two-pass path
        for (const dtype of ['float32', 'float64'] as const) {
          for (const T of [1, 37]) {
            const seed = name.length * 31 + mode.length + T;
            const one = opGrads(h, mode, dtype, seed, T, 6);
            const two = opGrads(copy, mode, dtype, seed, T, 6);
            if (T === 37) expect(one.spikes).toContain(1);
            expect(one.spikes).toEqual(two.spikes);
            expect(one.dI).toEqual(two.dI);
            expect(one.dMem0).toEqual(two.dMem0);
            if (name !== 'exact' && T === 37) expect(one.dI.some((v) => v !== 0)).toBe(true);
          }
        }
      });
    }
  }
});

describe('lifSpikeSequence, one pass: a hand-written BPTT loop', () => {
  for (const mode of MODES) {
    it(`atan (α 2) at Θ = 0.8, reset ${mode}, scalar β, detached: dI and dmem0`, () => {
      const T = 11;
      const n = 3;
      const beta = 0.9;
      const th = 0.8;
      const gen = new Generator(40 + mode.length);
      const I = Array.from({ length: T * n }, () => gen.normal() * 0.8 + 0.3);
      const mem0 = Array.from({ length: n }, () => gen.normal() * 0.6 + 0.5);
      const G = Array.from({ length: T * n }, (_, i) => Math.cos(i + 2));
      const entry = getEntry('heaviside', 'test');
      const h = bindForCall(entry, entry.kernelFor({ threshold: th }), rules.atan()).derivative as Derivative;
      const x = tensor(I, { shape: [T, 1, n], dtype: 'float64' }).requiresGrad_();
      const m = tensor(mem0, { shape: [1, n], dtype: 'float64' }).requiresGrad_();
      const S = lifSpikeSequence(x, m, tensor(beta, { dtype: 'float64' }), tensor(th, { dtype: 'float64' }), mode, { h, b: null, center: 0, detachReset: true, label: 'atan' });
      S.backward(tensor(G, { shape: [T, 1, n], dtype: 'float64' }));
      // by hand: U forward, then δ[t] = G[t]·h(U[t] − Θ) + β·(1 − R[t+1])·δ[t+1] (R[t+1] = U[t] > Θ, 'zero' only)
      const U: number[] = [];
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < n; i++) {
          const p = t === 0 ? mem0[i] : U[(t - 1) * n + i];
          const r = p > th ? 1 : 0;
          const inp = I[t * n + i];
          U.push(mode === 'subtract' ? beta * p + inp - r * th : mode === 'zero' ? beta * (1 - r) * p + inp : beta * p + inp);
        }
      }
      expect(flat(S)).toEqual(U.map((u) => (u > th ? 1 : 0)));
      expect(flat(S)).toContain(1);
      const atan = (u: number): number => 1 / (1 + (Math.PI * u) ** 2);
      const d = new Array<number>(T * n).fill(0);
      const dMem0 = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) {
        let carry = 0;
        for (let t = T - 1; t >= 0; t--) {
          const a = G[t * n + i] * atan(U[t * n + i] - th) + carry;
          d[t * n + i] = a;
          const p = t === 0 ? mem0[i] : U[(t - 1) * n + i];
          carry = mode === 'zero' ? beta * (1 - (p > th ? 1 : 0)) * a : beta * a;
        }
        dMem0[i] = carry;
      }
      expectClose(gradOf(x), d, 1e-12);
      expectClose(gradOf(m), dMem0, 1e-12);
    });
  }
});

describe('LIF.forward with a built-in rule (one pass) = the same rule written by the user (two passes) = the step path', () => {
  for (const mode of MODES) {
    for (const [batch, T] of [[1, 1], [3, 40]] as const) {
      it(`atan vs its arithmetic as an inline rule, reset ${mode}, threshold 1, float32, batch ${batch}, T = ${T}`, () => {
        const user = { derivative: (u: number): number => { const z = Math.PI * u; return 1 / (1 + z * z); } };
        const builtin = new snn.LIF({ beta: 0.9, reset: mode, backward: 'atan' });
        const inline = new snn.LIF({ beta: 0.9, reset: mode, backward: user });
        const stepper = new snn.LIF({ beta: 0.9, reset: mode, backward: 'atan' });
        const xData = randn([T, batch, 5], { generator: new Generator(T + batch) }).mul(0.8).add(0.45);
        const ws = randn([T, batch, 5], { generator: new Generator(T + 7) });
        const run = (layer: snn.LIF): { s: number[]; g: number[] } => {
          const x = xData.detach().requiresGrad_();
          const s = layer.forward(x);
          const loss = s.mul(ws).sum();
          expect(listTape(loss).some((r) => r.op === 'lifSpikeSequence')).toBe(true);
          loss.backward();
          return { s: flat(s), g: gradOf(x) };
        };
        const a = run(builtin);
        expect(lastBackwardRules()).toMatchObject({ lifSpikeSequence: ['atan'] });
        const b = run(inline);
        expect(a.s).toEqual(b.s);
        expect(a.g).toEqual(b.g);
        if (T > 1) expect(a.s).toContain(1);
        const x3 = xData.detach().requiresGrad_();
        const steps = Array.from({ length: T }, (_, t) => x3.slice([[t, t + 1]]).squeeze(0));
        const ref = T === 1 ? [stepper.step(steps[0])[0]] : stepper.run(steps).spikes;
        stack(ref, 0).mul(ws).sum().backward();
        expect(a.s).toEqual(flat(stack(ref, 0)));
        expectClose(a.g, gradOf(x3), 1e-6, 1e-5);
      });
    }
  }
});
