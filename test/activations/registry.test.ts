// The registry's promises that the resolution tests do not reach: argument checks of withBackward,
// withExactRules, resetBackward and registerRule (by error class, before anything changes), what
// getBackward/currentRule report under withExactRules, `undefined` entries in a scope, and the
// heaviside threshold (the one kernel with a centre) seen by rules that read the activation's
// forward (a learnable `widened`) or x itself (a context rule).
import { afterEach, describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { ArgumentError, RuleError } from '../../src/errors';
import {
  activation,
  currentRule,
  getBackward,
  listRules,
  registerRule,
  resetBackward,
  rules,
  setBackward,
  withBackward,
  withExactRules,
  withRuleContext,
} from '../../src/activations';
import { learnable } from '../../src/nn/learnable';
import { expectClose, gradOf, sigma } from './helpers';

afterEach(() => resetBackward());

const XS = [-1.3, -0.2, 0.4, 1.7];
const dsigma = (x: number): number => sigma(x) * (1 - sigma(x));
const reluExact = (x: number): number => (x > 0 ? 1 : 0);

describe('withBackward refuses bad arguments before running anything', () => {
  it('a second argument that is not a function: ArgumentError', () => {
    expect(() => withBackward({ relu: 'sigmoid' }, 5 as never)).toThrowWith(ArgumentError, /second argument must be a function/);
    expect(() => withBackward({ relu: 'sigmoid' }, undefined as never)).toThrowWith(ArgumentError, /second argument must be a function/);
  });

  it('a first argument that is not an object of rules: RuleError, and fn is not run', () => {
    for (const bad of [null, 5, 'relu', true]) {
      let ran = false;
      expect(() => withBackward(bad as never, () => (ran = true)), String(bad)).toThrowWith(RuleError, /first argument must be an object of rules/);
      expect(ran).toBe(false);
    }
  });

  it('an entry that is undefined is skipped: the rule in force stays', () => {
    setBackward('relu', 'sigmoid');
    const inside = withBackward({ relu: undefined, tanh: 'floorAdded' }, () => [getBackward('relu'), getBackward('tanh'), gradOf('relu', XS, undefined)]);
    expect(inside[0]).toBe('sigmoid');
    expect(inside[1]).toBe('floorAdded');
    expectClose(inside[2] as number[], XS.map(sigma));
    // and inside an outer scope, the outer choice stays
    const nested = withBackward({ relu: 'exact' }, () => withBackward({ relu: undefined }, () => gradOf('relu', XS, undefined)));
    expectClose(nested, XS.map(reluExact));
  });
});

describe('withExactRules', () => {
  it('refuses a non-function with an ArgumentError', () => {
    expect(() => withExactRules(5 as never)).toThrowWith(ArgumentError, /fn/);
    expect(() => withExactRules(null as never)).toThrowWith(ArgumentError, /fn/);
  });

  it('getBackward and currentRule report the exact rule and the source exactOnly, over global and scoped choices', () => {
    setBackward('sigmoid', 'floorAdded');
    withBackward({ relu: 'sigmoid' }, () => {
      withExactRules(() => {
        expect(getBackward('sigmoid')).toBe('exact');
        expect(getBackward('relu')).toBe('exact');
        const r = currentRule('relu');
        expect(r.source).toBe('exactOnly');
        expect(r.name).toBe('exact');
        expect(r.exact).toBe(true);
        expect(currentRule('sigmoid').source).toBe('exactOnly');
        expectClose(gradOf('sigmoid', XS, undefined), XS.map(dsigma));
      });
      // outside it, the scope and the global choice are back
      expect(currentRule('relu')).toMatchObject({ name: 'sigmoid', source: 'scope' });
      expect(currentRule('sigmoid')).toMatchObject({ name: 'floorAdded', source: 'global' });
    });
    expect(currentRule('relu')).toMatchObject({ name: 'exact', source: 'default' });
  });
});

describe('resetBackward', () => {
  it('of an unknown activation is a RuleError, and the other choices stay', () => {
    setBackward('relu', 'sigmoid');
    expect(() => resetBackward('nope' as never)).toThrowWith(RuleError, /no activation named 'nope'/);
    expect(getBackward('relu')).toBe('sigmoid');
    resetBackward('relu');
    expect(getBackward('relu')).toBe('exact');
  });
});

describe('registerRule refuses a name that is not a non-empty string', () => {
  it('empty or not a string: RuleError, nothing registered', () => {
    const before = listRules('softsign').map((r) => r.name);
    for (const bad of ['', 5, undefined, null]) {
      expect(() => registerRule('softsign', bad as never, () => 1), String(bad)).toThrowWith(RuleError, /rule name must be a non-empty string/);
    }
    expect(listRules('softsign').map((r) => r.name)).toEqual(before);
  });
});

describe('the heaviside threshold (u = x − threshold) for rules that read the forward or x', () => {
  it("a learnable widened's ∂S/∂w reads the forward at u: Σ g over x above the threshold", () => {
    // h = f'(u/w) = 0 for a step, and S(u) = w·(f(u/w) − f(0)) with f the centred step [u > 0],
    // so ∂S/∂w = [u > 0] − 0 − (u/w)·0: the sum of g where x > threshold. With constraint 'real',
    // the parameter is w itself (slope 1).
    const w = learnable(2, { constraint: 'real' });
    const xs = [0.2, 0.9, 3.0];
    const g = [1, 2, 4];
    const x = tensor(Float64Array.from(xs), { requiresGrad: true });
    activation('heaviside', x, { threshold: 0.5, backward: rules.widened({ w }) }).backward(tensor(Float64Array.from(g)));
    expect(Array.from(x.grad!.toTypedArray())).toEqual([0, 0, 0]);
    expect(w.grad!.item()).toBe(2 + 4);
  });

  it('an elementwise backward rule reads u = x − threshold', () => {
    const xs = [0.2, 0.9, 1.5];
    const g = [1, 2, -3];
    const x = tensor(Float64Array.from(xs), { requiresGrad: true });
    const backward = { backward: (gi: number, u: number): number => gi * u };
    activation('heaviside', x, { threshold: 0.5, backward }).backward(tensor(Float64Array.from(g)));
    expectClose(Array.from(x.grad!.toTypedArray()), xs.map((v, i) => g[i] * (v - 0.5)), 1e-15);
  });

  it('a context rule reads u = x − threshold (redirected: pass g where it moves u toward 0)', () => {
    // the step's exact gradient is 0 everywhere, so the row is blocked and redirected passes g where
    // u < 0 and g < 0, or u > 0 and g > 0 (or u = 0)
    const xs = [0.2, 0.8, 0.3, 0.6, 0.5];
    const g = [-1, 2, 3, -4, 5];
    const us = xs.map((v) => v - 0.5);
    const expected = us.map((u, i) => (u === 0 || (u < 0 && g[i] < 0) || (u > 0 && g[i] > 0) ? g[i] : 0));
    expect(expected).toEqual([-1, 2, 0, 0, 5]);
    const x = tensor(Float64Array.from(xs), { requiresGrad: true });
    withRuleContext({ step: 0 }, () =>
      activation('heaviside', x, { threshold: 0.5, backward: rules.redirected() }).backward(tensor(Float64Array.from(g))),
    );
    expect(Array.from(x.grad!.toTypedArray())).toEqual(expected);
  });
});
