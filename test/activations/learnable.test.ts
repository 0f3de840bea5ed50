// Learnable rule parameters. The oracle is the definition: h = ∂S/∂x and θ receives Σ g·∂S/∂θ,
// with S the antiderivative of h anchored at the centre. For every factory, in float64:
//   - S′ (central differences in u) equals h, read through the real backward pass of the rule
//     made with numbers (so S is tied to the rule's own formula, not to the table's);
//   - ∂S/∂θ (the table's closed form) equals central differences of S in θ;
//   - S(0; θ) = 0 (the anchor);
//   - a learnable parameter's gradient equals central differences in ρ of Σ g·S(x; c(ρ)).
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { RuleError } from '../../src/errors';
import { listTape } from '../../src/autograd/tape';
import { activation, rules, SURROGATES, type ActivationName, type RuleChoice } from '../../src/activations';
import { learnable, RuleParameter } from '../../src/nn/learnable';
import { Parameter } from '../../src/nn/module';
import * as nn from '../../src/nn';
import * as optim from '../../src/optim';
import { decodeCheckpoint, encodeCheckpoint, applyCheckpoint } from '../../src/checkpoint';
import { expectClose, gradOf, sigma } from './helpers';

type Factory = (o: Record<string, unknown>) => RuleChoice;

interface Case {
  factory: string;
  param: string;
  thetas: number[];
  activation: ActivationName;
  target: { forward: (u: number) => number; derivative: (u: number, y: number) => number };
  /** points u where S is smooth enough for differences (away from kinks) */
  us: number[];
}

const relu = { forward: (u: number) => Math.max(u, 0), derivative: (u: number) => (u > 0 ? 1 : 0) };
const step = { forward: (u: number) => (u > 0 ? 1 : 0), derivative: () => 0 };
const sig = { forward: sigma, derivative: (_u: number, y: number) => y * (1 - y) };
const tanh = { forward: Math.tanh, derivative: (_u: number, y: number) => 1 - y * y };
const US = [-2.3, -0.71, -0.137, 0.043, 0.29, 0.83, 1.9];

const CASES: Case[] = [
  { factory: 'sigmoidShaped', param: 'k', thetas: [0.5, 1, 3], activation: 'relu', target: relu, us: US },
  { factory: 'bSilu', param: 'alpha', thetas: [0.3, 1.67], activation: 'relu', target: relu, us: US },
  { factory: 'leakyBackward', param: 'c', thetas: [0.01, 0.2], activation: 'relu', target: relu, us: US },
  { factory: 'floorAdded', param: 'c', thetas: [0.05, 0.3], activation: 'sigmoid', target: sig, us: US },
  { factory: 'widened', param: 'w', thetas: [1.5, 3], activation: 'tanh', target: tanh, us: US },
  { factory: 'fastSigmoid', param: 'slope', thetas: [2, 25], activation: 'heaviside', target: step, us: US },
  { factory: 'superSpike', param: 'alpha', thetas: [3, 100], activation: 'heaviside', target: step, us: US },
  { factory: 'atan', param: 'alpha', thetas: [0.5, 2], activation: 'heaviside', target: step, us: US },
  { factory: 'sigmoidSurrogate', param: 'slope', thetas: [1, 4], activation: 'heaviside', target: step, us: US },
  { factory: 'triangle', param: 'alpha', thetas: [0.3, 1.3], activation: 'heaviside', target: step, us: US },
  { factory: 'gaussian', param: 'sigma', thetas: [0.2, 0.5, 1.1], activation: 'heaviside', target: step, us: US },
  { factory: 'boxcar', param: 'width', thetas: [0.7, 2.2], activation: 'heaviside', target: step, us: US },
];

const factory = (name: string): Factory => (rules as unknown as Record<string, Factory>)[name];

describe('S and ∂S/∂θ of every factory (float64 central differences)', () => {
  it('covers every built-in factory with a numeric parameter (refusals included)', () => {
    const covered = new Set([...CASES.map((c) => c.factory), 'floored', 'clippedStraightThrough']);
    expect(new Set(Object.keys(SURROGATES))).toEqual(covered);
  });

  for (const c of CASES) {
    describe(c.factory, () => {
      const s = SURROGATES[c.factory];
      for (const theta of c.thetas) {
        const p = { [c.param]: theta };
        it(`S′ = h (the rule's backward) and S(0) = 0 at ${c.param} = ${theta}`, () => {
          const h = gradOf(c.activation, c.us, factory(c.factory)(p));
          const e = 1e-6;
          const fd = c.us.map((u) => (s.S(u + e, p, c.target) - s.S(u - e, p, c.target)) / (2 * e));
          expectClose(fd, h, 1e-7);
          expect(Math.abs(s.S(0, p, c.target))).toBeLessThan(1e-15);
        });
        it(`∂S/∂${c.param} = central differences of S in ${c.param} at ${theta}`, () => {
          const e = 1e-6 * theta;
          const fd = c.us.map((u) => (s.S(u, { [c.param]: theta + e }, c.target) - s.S(u, { [c.param]: theta - e }, c.target)) / (2 * e));
          const closed = c.us.map((u) => s.dS[c.param](u, p, c.target));
          expectClose(closed, fd, 1e-7);
        });
      }
      it('a learnable parameter gets Σ g·∂S/∂θ·c′(ρ) = d/dρ Σ g·S(x; c(ρ)), and x the same gradient as the numeric rule', () => {
        const theta = c.thetas[c.thetas.length - 1];
        const constraint = c.factory === 'widened' ? { min: 1 } : 'positive';
        const param = learnable(theta, { constraint });
        const g = c.us.map((u, i) => Math.cos(3 * u + i));
        const x = tensor(Float64Array.from(c.us), { requiresGrad: true });
        const y = activation(c.activation, x, { backward: factory(c.factory)({ [c.param]: param }) } as never);
        y.backward(tensor(Float64Array.from(g)));
        expectClose(Array.from(x.grad!.toTypedArray()), gradOf(c.activation, c.us, factory(c.factory)({ [c.param]: theta }), {}, g), 1e-12);
        const rho = param.item();
        const L = (r: number): number => {
          const th = param.constraint === 'positive' ? Math.log1p(Math.exp(r)) : 1 + Math.log1p(Math.exp(r));
          return c.us.reduce((acc, u, i) => acc + g[i] * s.S(u, { [c.param]: th }, c.target), 0);
        };
        const e = 1e-6;
        expectClose([param.grad!.item()], [(L(rho + e) - L(rho - e)) / (2 * e)], 1e-7);
      });
    });
  }

  it('a heaviside threshold shifts ∂S/∂θ with h (u = x − threshold)', () => {
    const alpha = learnable(1.5);
    const xs = [0.1, 0.4, 0.9];
    const x = tensor(Float64Array.from(xs), { requiresGrad: true });
    activation('heaviside', x, { threshold: 0.5, backward: rules.atan({ alpha }) }).sum().backward();
    const dS = SURROGATES.atan.dS.alpha;
    const expected = xs.reduce((a, v) => a + dS(v - 0.5, { alpha: 1.5 }, step), 0) * sigma(alpha.item());
    expectClose([alpha.grad!.item()], [expected], 1e-12);
  });
});

describe('learnable parameters in modules, optimizers and checkpoints', () => {
  it('module.parameters() collects the rule parameter as <layer>.rule.<name>; an optimizer moves it', () => {
    const k = learnable(1);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU({ backward: rules.sigmoidShaped({ k }) }), new nn.Linear(4, 1));
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toContain('1.rule.k');
    const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
    const x = tensor([[1, -2, 0.5], [0.3, 0.1, -1]]);
    model.forward(x).sum().backward();
    expect(k.grad).not.toBeNull();
    const before = k.value;
    opt.step();
    expect(k.value).not.toBe(before);
    expect(k.value).toBeGreaterThan(0); // softplus keeps it positive whatever the step
  });

  it('the tape label shows the value in force when the op was recorded', () => {
    const alpha = learnable(2);
    const x = tensor([0.2], { requiresGrad: true });
    const y = x.heaviside({ backward: rules.atan({ alpha }) });
    expect(listTape(y).some((r) => r.rule === `atan(alpha=${alpha.value})`)).toBe(true);
  });

  it('a plain nn.Parameter is an unconstrained learnable value; out of range it fails naming the rule, activation and value', () => {
    const raw = new Parameter(tensor(-0.5, { dtype: 'float64' }));
    const rule = rules.atan({ alpha: new Parameter(tensor(2, { dtype: 'float64' })) });
    expect(rule.name).toBe('atan');
    const bad = rules.atan({ alpha: tensor(2, { dtype: 'float64', requiresGrad: true }) });
    raw.data.data[0] = -0.5;
    const x = tensor([0.1], { requiresGrad: true });
    x.heaviside({ backward: bad }); // fine at 2
    const negative = tensor(-0.5, { dtype: 'float64', requiresGrad: true });
    expect(() => rules.atan({ alpha: negative })).toThrow(/alpha must be .*> 0, got -0.5/);
    const p = tensor(2, { dtype: 'float64', requiresGrad: true });
    const r = rules.atan({ alpha: p });
    p.data.data[0] = Number.NaN;
    expect(() => x.heaviside({ backward: r })).toThrow(RuleError);
    expect(() => x.heaviside({ backward: r })).toThrow(/heaviside.*atan.*alpha = NaN/);
  });

  it('refuses a learnable value where S has no usable ∂S/∂θ, saying why', () => {
    expect(() => rules.floored({ c: learnable(0.1) })).toThrow(/rules.floored: c cannot be learnable: .*no closed form/);
    expect(() => rules.clippedStraightThrough({ min: learnable(0.5, { constraint: 'real' }) })).toThrow(/cannot be learnable/);
    expect(() => rules.atan({ alpha: tensor([1, 2], { requiresGrad: true }) })).toThrow(/one-element tensor/);
  });

  it('bad learnable values and constraints are errors before anything is made', () => {
    expect(() => learnable(-1)).toThrow(/'positive' value must be > 0, got -1/);
    expect(() => learnable(Number.NaN)).toThrow(/finite/);
    expect(() => learnable(0.5, { constraint: { min: 1 } })).toThrow(/> min 1/);
    expect(() => learnable(1, { constraint: { min: 2, max: 1 } })).toThrow(/below max/);
    expect(() => learnable(1, { constraint: 'negative' as never })).toThrow(/constraint must be/);
    expect(() => learnable(1, { bound: 1 } as never)).toThrow(/unknown option 'bound'/);
  });

  it('a range constraint keeps θ in (min, max) for any ρ', () => {
    const w = learnable(1.5, { constraint: { min: 1, max: 4 } });
    expectClose([w.value], [1.5], 1e-14);
    w.data.data[0] = 50;
    expect(w.value).toBeLessThanOrEqual(4);
    w.data.data[0] = -50;
    expect(w.value).toBeGreaterThanOrEqual(1);
  });

  it('a checkpoint saves the learned value; loading into the same model keeps the parameter objects an optimizer holds', () => {
    const make = (): { model: nn.Sequential; k: RuleParameter } => {
      const k = learnable(1);
      return { model: new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU({ backward: rules.sigmoidShaped({ k }) })), k };
    };
    const a = make();
    const opt = new optim.SGD(a.model.parameters(), { lr: 1 });
    a.model.forward(tensor([[1, -1], [0.5, 2]])).sum().backward();
    opt.step();
    const learned = a.k.value;
    expect(learned).not.toBe(1);
    const file = decodeCheckpoint(encodeCheckpoint({ model: a.model }));

    const b = make();
    applyCheckpoint(file, { model: b.model });
    expect(b.k.value).toBe(learned); // the same object, filled from the state dict
    expect((b.model.namedParameters().find(([n]) => n === '1.rule.k') as [string, RuleParameter])[1]).toBe(b.k);

    const fresh = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    applyCheckpoint(file, { model: fresh });
    const restored = fresh.namedParameters().find(([n]) => n === '1.rule.k')?.[1] as RuleParameter;
    expect(restored).toBeInstanceOf(RuleParameter);
    expect(restored.value).toBeCloseTo(learned, 12);
  });
});

describe('rules.custom: a user rule with parameters', () => {
  // h = k/(2·cosh²(kx)) is the x-derivative of S = tanh(kx)/2; ∂S/∂k = x/(2·cosh²(kx))
  const h = (x: number, _y: number, { k }: Readonly<Record<string, number>>): number => k / (2 * Math.cosh(k * x) ** 2);
  const S = (x: number, { k }: Readonly<Record<string, number>>): number => Math.tanh(k * x) / 2;
  const xs = [-1.3, -0.2, 0.05, 0.7];
  const g = [0.5, -1, 2, 0.3];

  function paramGrad(rule: RuleChoice, param: RuleParameter): { gx: number[]; gk: number } {
    const x = tensor(Float64Array.from(xs), { requiresGrad: true });
    activation('heaviside', x, { backward: rule } as never).backward(tensor(Float64Array.from(g)));
    return { gx: Array.from(x.grad!.toTypedArray()), gk: param.grad!.item() };
  }
  const expectedGk = (param: RuleParameter): number => {
    const rho = param.item();
    const L = (r: number): number => xs.reduce((a, x, i) => a + g[i] * S(x, { k: Math.log1p(Math.exp(r)) }), 0);
    return (L(rho + 1e-6) - L(rho - 1e-6)) / 2e-6;
  };

  it('with S only: x gets g·h, k gets Σ g·∂S/∂k by differences of S (checked against d/dρ of Σ g·S)', () => {
    const k = learnable(1.7);
    const { gx, gk } = paramGrad(rules.custom({ name: 'softStep', params: { k }, derivative: h, surrogate: S }), k);
    expectClose(gx, xs.map((x, i) => g[i] * h(x, 0, { k: 1.7 })), 1e-12);
    expectClose([gk], [expectedGk(k)], 1e-6);
  });

  it('with ∂S/∂k in closed form', () => {
    const k = learnable(0.6);
    const rule = rules.custom({ name: 'softStep', params: { k }, derivative: h, dSurrogate: { k: (x, _y, p) => x / (2 * Math.cosh(p.k * x) ** 2) } });
    expectClose([paramGrad(rule, k).gk], [expectedGk(k)], 1e-7);
    const layer = new nn.Heaviside({ backward: rule });
    expect(layer.namedParameters().map(([n]) => n)).toEqual(['rule.k']);
  });

  it('refuses a learnable parameter with neither S nor ∂S/∂θ, naming the rule and parameter', () => {
    expect(() => rules.custom({ name: 'mine', params: { k: learnable(1) }, derivative: h })).toThrow(
      /rules.custom 'mine': k is learnable, but neither surrogate .* nor dSurrogate.k/,
    );
    expect(() => rules.custom({ name: 'mine', params: { k: Number.POSITIVE_INFINITY }, derivative: h })).toThrow(/k must be a finite number, got Infinity/);
  });
});
