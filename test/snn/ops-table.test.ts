// Generated float64 checks of every differentiable op of the snn layer (snn.SNN_OPS; a new op
// without a case here is a compile error), at random shapes and values drawn by fast-check:
// central finite differences for the ops whose forward is smooth where the draw lands (the
// membranes with the reset detached: R is piecewise constant; maxima away from ties), and for the
// spike op, whose forward is a step, the gradient of the finite-difference-checked membranes op
// composed with the surrogate by hand: ∂L/∂U = g·h(U − Θ), plus Θ's own −Σ g·h.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, randn, rand, snn, tensor, type Tensor } from '../../src';
import { gradcheck } from '../../src/autograd/gradcheck';
import { lifMembrane } from '../../src/snn/membrane';
import { lifSequence, lifSpikeSequence } from '../../src/snn/fused';
import { leakyMaxOverTime } from '../../src/snn/readout';
import type { ResetMode, SnnOpName } from '../../src/snn';
import { gradTensor } from '../grad';

const SEED = 20261130;
const params = { seed: SEED, numRuns: 12, endOnFailure: true };
const f64 = (gen: Generator) => ({ dtype: 'float64' as const, generator: gen });
const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const dim = fc.integer({ min: 1, max: 3 });
const stateArb = fc.array(dim, { minLength: 1, maxLength: 2 });
const modeArb = fc.constantFrom<ResetMode>('subtract', 'zero', 'none');
/** Distinct values 0.3 apart in random order (no ties for the maxima). */
function grid(gen: Generator, shape: number[]): Tensor {
  const n = size(shape);
  const order = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tensor(new Float64Array(order.map((k) => (k - Math.floor(n / 2)) * 0.3 + 0.05)), { shape });
}
/** β of the state's trailing dims (or 0-d), in [0.2, 0.9]. */
const betaOf = (gen: Generator, state: number[], perNeuron: boolean): Tensor =>
  rand(perNeuron ? state.slice(-1) : [], { ...f64(gen), low: 0.2, high: 0.9 });
const theta = (gen: Generator): Tensor => rand([], { ...f64(gen), low: 0.6, high: 1.4 });

interface Drawn {
  inputs: Tensor[];
  fn: (...xs: Tensor[]) => Tensor;
}
type Case = fc.Arbitrary<(gen: Generator) => Drawn>;

const CASES: Record<Exclude<SnnOpName, 'lifSpikeSequence'>, Case> = {
  lifMembrane: fc.tuple(stateArb, modeArb, fc.boolean()).map(([state, mode, per]) => (gen) => ({
    inputs: [randn(state, f64(gen)), randn(state, f64(gen)), rand(state, f64(gen)).gt(0.5).to('float64'), betaOf(gen, state, per), theta(gen)],
    fn: (x, m, r, b, th) => lifMembrane(x, m, r, b, th, mode),
  })),
  lifSequence: fc.tuple(fc.integer({ min: 1, max: 4 }), stateArb, modeArb, fc.boolean()).map(([T, state, mode, per]) => (gen) => ({
    inputs: [randn([T, ...state], f64(gen)), randn(state, f64(gen)), betaOf(gen, state, per), theta(gen)],
    fn: (x, m, b, th) => lifSequence(x, m, b, th, mode, { detach: true }),
  })),
  leakyMaxOverTime: fc.tuple(fc.integer({ min: 1, max: 5 }), stateArb, fc.boolean()).map(([T, state, per]) => (gen) => {
    const beta = betaOf(gen, state, per); // not differentiated: a constant of the op
    return { inputs: [grid(gen, [T, ...state])], fn: (x) => leakyMaxOverTime(x, beta) };
  }),
  maxOverTime: fc.tuple(fc.integer({ min: 1, max: 5 }), stateArb).map(([T, state]) => (gen) => ({
    inputs: [grid(gen, [T, ...state])],
    fn: (x) => snn.maxOverTime(x),
  })),
  eventLinear: fc.tuple(dim, dim, dim).map(([rows, inF, outF]) => (gen) => {
    // events of a mostly-zero input (the input is data: only the weight and bias are differentiated)
    const x = randn([rows, inF], f64(gen)).mul(rand([rows, inF], f64(gen)).gt(0.6).to('float64'));
    const events = snn.SpikeEvents.from(x);
    return { inputs: [randn([outF, inF], f64(gen)), randn([outF], f64(gen))], fn: (w, b) => snn.eventLinear(events, w, b) };
  }),
  spikeLinear: fc.tuple(dim, fc.integer({ min: 1, max: 5 }), dim).map(([rows, inF, outF]) => (gen) => ({
    inputs: [randn([rows, inF], f64(gen)).mul(rand([rows, inF], f64(gen)).gt(0.5).to('float64')), randn([outF, inF], f64(gen)), randn([outF], f64(gen))],
    fn: (x, w, b) => snn.spikeLinear(x, w, b),
  })),
};

describe('snn ops: generated float64 checks', () => {
  it('the tables cover every op of snn.SNN_OPS', () => {
    expect([...Object.keys(CASES), 'lifSpikeSequence'].sort()).toEqual([...snn.SNN_OPS].sort());
  });

  it.each(Object.keys(CASES) as Exclude<SnnOpName, 'lifSpikeSequence'>[])('%s: gradient = central finite differences', (name) => {
    fc.assert(
      fc.property(CASES[name], fc.integer({ min: 0, max: 2 ** 31 - 1 }), (draw, seed) => {
        const { inputs, fn } = draw(new Generator(seed));
        const result = gradcheck(fn, inputs, { atol: 1e-5, rtol: 1e-4, check: inputs.map((_, i) => i) });
        if (!result.ok) throw new Error(`${name} at shapes ${inputs.map((t) => `[${t.shape}]`).join(', ')}: ${result.message}`);
      }),
      params,
    );
  });

  it('lifSpikeSequence: gradient = lifSequence (checked above) composed with the surrogate h by hand', () => {
    const h = (u: number): number => 1 / (1 + (Math.PI * u) ** 2); // atan's local derivative, α = 2
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), stateArb, modeArb, fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (T, state, mode, per, seed) => {
        const gen = new Generator(seed);
        const make = (): Tensor[] => [randn([T, ...state], f64(gen)), randn(state, f64(gen)), betaOf(gen, state, per), theta(gen)];
        const values = make();
        const w = randn([T, ...state], f64(gen)); // upstream gradient
        const leaves = (): Tensor[] => values.map((t) => tensor(t.toTypedArray() as Float64Array, { shape: t.shape, requiresGrad: true }));
        const th = values[3].item();
        // the spike op: L = Σ w·S
        const a = leaves();
        lifSpikeSequence(a[0], a[1], a[2], a[3], mode, { h, b: null, center: th, detachReset: true, label: 'atan' }).mul(w).sum().backward();
        // the oracle: c = w·h(U − Θ) from the membranes, L = Σ c·U − Σc·Θ (c held constant)
        const b = leaves();
        const U = lifSequence(b[0], b[1], b[2], b[3], mode, { detach: true });
        const wv = w.toTypedArray();
        const c = Float64Array.from(U.toTypedArray(), (u, i) => wv[i] * h(u - th));
        const cSum = c.reduce((s, v) => s + v, 0);
        U.mul(tensor(c, { shape: U.shape })).sum().sub(b[3].mul(cSum)).backward();
        for (let i = 0; i < 4; i++) {
          const got = gradTensor(a[i]).toTypedArray();
          const want = gradTensor(b[i]).toTypedArray();
          got.forEach((v, k) => {
            if (!(Math.abs(v - want[k]) <= 1e-12 + 1e-10 * Math.abs(want[k]))) throw new Error(`input ${i}[${k}] (${mode}, T ${T}, state [${state}]): ${v} vs ${want[k]}`);
          });
        }
      }),
      params,
    );
  });
});
