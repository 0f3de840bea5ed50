// rules.blend beyond the values at λ = 0, 0.3 and 1 (rules.test.ts): λ = 0 and 1 are exactly one
// rule (the other side is never evaluated, so it may be a context rule or return ±∞), the tape
// label, learnable parameters on either side weighted like their h (oracle: central differences
// of the blended antiderivative S written here), and the names a blend reports for its parts.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { RuleError } from '../../src/errors';
import { listTape } from '../../src/autograd/tape';
import { rules } from '../../src/activations';
import { learnable } from '../../src/nn/learnable';
import { expectClose, gradOf, sigma } from './helpers';

const XS = [-1.7, -0.4, 0.3, 1.1, 2.6];
const reluExact = (x: number): number => (x > 0 ? 1 : 0);

describe('λ = 0 and λ = 1 are one rule, the other side unused', () => {
  it('a context rule on the unused side: no error, the used rule exactly', () => {
    expectClose(gradOf('relu', XS, rules.blend('exact', rules.batchNormalised(), 0)), XS.map(reluExact), 0);
    expectClose(gradOf('relu', XS, rules.blend(rules.batchNormalised(), 'exact', 1)), XS.map(reluExact), 0);
    expectClose(gradOf('relu', XS, rules.blend('sigmoid', rules.batchNormalised(), 0)), XS.map(sigma), 0);
  });

  it('a side that returns ±∞ is not multiplied by 0 (which would be NaN)', () => {
    const inf = { derivative: (): number => Infinity };
    expectClose(gradOf('relu', XS, rules.blend('exact', inf, 0)), XS.map(reluExact), 0);
    expectClose(gradOf('relu', XS, rules.blend(inf, 'sigmoid', 1)), XS.map(sigma), 0);
    // a backward rule with a learnable rule on the unused side is not a mix either
    const k = learnable(2, { constraint: 'real' });
    expectClose(gradOf('relu', XS, rules.blend(rules.sigmoidShaped({ k }), 'guided', 1), {}, XS.map(() => 1)), XS.map(reluExact), 0);
  });

  it('records the blend with its λ on the tape', () => {
    for (const lambda of [0, 1, 0.25]) {
      const x = tensor([0.5, -0.5], { dtype: 'float64', requiresGrad: true });
      const y = x.relu({ backward: rules.blend('exact', 'sigmoid', lambda) });
      expect(listTape(y).map((r) => r.rule)).toEqual([`blend(exact, sigmoid, lambda=${lambda})`]);
    }
  });
});

describe('learnable parameters inside a blend', () => {
  // sigmoidShaped: h = σ(k·u), S(u; k) = (softplus(k·u) − ln 2)/k; the blend's S is (1 − λ)S_A + λS_B
  const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  const S = (u: number, k: number): number => (softplus(k * u) - Math.LN2) / k;
  const g = XS.map((x, i) => Math.cos(2 * x + i));
  /** d/dk Σ g·w·S(x; k) by central differences. */
  const fdWeighted = (k: number, w: number): number => {
    const e = 1e-6;
    return XS.reduce((acc, x, i) => acc + g[i] * w * ((S(x, k + e) - S(x, k - e)) / (2 * e)), 0);
  };

  function run(make: (ka: ReturnType<typeof learnable>, kb: ReturnType<typeof learnable>) => ReturnType<typeof rules.blend>) {
    const ka = learnable(1.5, { constraint: 'real' });
    const kb = learnable(3, { constraint: 'real' });
    const x = tensor(Float64Array.from(XS), { requiresGrad: true });
    x.relu({ backward: make(ka, kb) }).backward(tensor(Float64Array.from(g)));
    return { ka, kb, xg: Array.from(x.grad!.toTypedArray()) };
  }

  it('on side A, its gradient is weighted by 1 − λ; x gets the blended h', () => {
    const { ka, xg } = run((ka) => rules.blend(rules.sigmoidShaped({ k: ka }), 'exact', 0.3));
    expectClose([ka.grad!.item()], [fdWeighted(1.5, 0.7)], 1e-7);
    expectClose(xg, XS.map((x, i) => g[i] * (0.7 * sigma(1.5 * x) + 0.3 * reluExact(x))), 1e-12);
  });

  it('on side B, weighted by λ', () => {
    const { kb } = run((_, kb) => rules.blend('exact', rules.sigmoidShaped({ k: kb }), 0.3));
    expectClose([kb.grad!.item()], [fdWeighted(3, 0.3)], 1e-7);
  });

  it('on both sides, each weighted by its own side', () => {
    const { ka, kb, xg } = run((ka, kb) => rules.blend(rules.sigmoidShaped({ k: ka }), rules.sigmoidShaped({ k: kb }), 0.25));
    expectClose([ka.grad!.item()], [fdWeighted(1.5, 0.75)], 1e-7);
    expectClose([kb.grad!.item()], [fdWeighted(3, 0.25)], 1e-7);
    expectClose(xg, XS.map((x, i) => g[i] * (0.75 * sigma(1.5 * x) + 0.25 * sigma(3 * x))), 1e-12);
  });

  it('a learnable side mixed with a backward rule is refused with a RuleError', () => {
    const k = learnable(2);
    expect(() => gradOf('relu', XS, rules.blend(rules.sigmoidShaped({ k }), 'guided', 0.5))).toThrowWith(RuleError, /learnable parameter needs a local derivative/);
    expect(() => gradOf('relu', XS, rules.blend('guided', rules.sigmoidShaped({ k }), 0.5))).toThrowWith(RuleError, /learnable parameter needs a local derivative/);
  });
});

describe('the names a blend gives its parts', () => {
  it('a name as it is, a rule object by its label, an inline rule as "inline"', () => {
    const b = rules.blend(rules.sigmoidShaped({ k: 2 }), { derivative: () => 1 }, 0.5);
    expect(b.name).toBe('blend(sigmoidShaped(k=2), inline)');
    expect(b.description).toContain('(1 − λ)·sigmoidShaped(k=2) + λ·inline');
    expect(rules.blend('floorAdded', rules.exact(), 0.5).name).toBe('blend(floorAdded, exact)');
    // an inline rule that happens to carry an `exact` key is still inline
    const odd = { derivative: () => 1, exact: false } as unknown as { derivative: () => number };
    expect(rules.blend(odd, 'exact', 0.5).name).toBe('blend(inline, exact)');
  });

  it('exact only when both parts are the exact rule (by name or object)', () => {
    expect(rules.blend(rules.exact(), 'exact', 0.5).exact).toBe(true);
    expect(rules.blend('exact', 'exact', 0.5).exact).toBe(true);
    expect(rules.blend(rules.sigmoidShaped(), 'exact', 0.5).exact).toBe(false);
    expect(rules.blend('exact', rules.sigmoidShaped(), 0.5).exact).toBe(false);
    expect(rules.blend({ derivative: () => 1 }, 'exact', 0.5).exact).toBe(false);
    expect(rules.blend('exact', 'sigmoid', 0.5).exact).toBe(false);
    expect(rules.blend('sigmoid', 'exact', 0.5).exact).toBe(false);
  });
});
