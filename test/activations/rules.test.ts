// Every artificial rule against its stated formula on a grid, through the real backward pass:
// grad_in = g · h(x) (or the rule's own backward). Formulas are written out here from the
// references, not taken from the library.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { RuleError } from '../../src/errors';
import { defineActivation, listRules, rules, type Rule } from '../../src/activations';
import { expectClose, grid, gradOf, sigma } from './helpers';
import { gradTensor } from '../grad';

const XS = grid(-4, 4, 33); // includes points near, but not at, 0
const dsigma = (x: number) => sigma(x) * (1 - sigma(x));
const dtanh = (x: number) => 1 - Math.tanh(x) ** 2;

describe('ReLU rules', () => {
  it("'sigmoid' is σ(x) (sigmoidShaped, k = 1)", () => {
    expectClose(gradOf('relu', XS, 'sigmoid'), XS.map(sigma));
  });

  it('sigmoidShaped k = 2 at x = 0.5 is σ(1), and 0.5 at the tie', () => {
    expectClose(gradOf('relu', [0.5, 0, -1], rules.sigmoidShaped({ k: 2 })), [sigma(1), 0.5, sigma(-2)]);
  });

  it("'bSilu' is σ(x) + (x + 1.67)σ(x)(1 − σ(x))", () => {
    expectClose(gradOf('relu', XS, 'bSilu'), XS.map((x) => sigma(x) + (x + 1.67) * dsigma(x)));
    expectClose(gradOf('relu', [0], rules.bSilu({ alpha: 1 })), [0.5 + 0.25]);
  });

  it("'leaky' is 1 above 0 and 0.01 at and below it", () => {
    expectClose(gradOf('relu', [-2, 0, 1e-9, 3], 'leaky'), [0.01, 0.01, 1, 1]);
    expectClose(gradOf('relu', [-2, 3], rules.leakyBackward({ c: 0.1 })), [0.1, 1]);
  });

  it("'identity' passes the gradient unchanged", () => {
    const g = XS.map((x) => Math.cos(x));
    expectClose(gradOf('relu', XS, 'identity', {}, g), g);
  });

  it("'guided' passes g only where x > 0 and g > 0 (negative upstream gradients are cut)", () => {
    const xs = [-1, -1, 2, 2, 0, 3];
    const g = [0.5, -0.5, 0.7, -0.7, 0.9, 0];
    expectClose(gradOf('relu', xs, 'guided', {}, g), [0, 0, 0.7, 0, 0, 0]);
  });

  it('exact relu is 1[x > 0], 0 at the tie', () => {
    expectClose(gradOf('relu', [-1, 0, 2], undefined), [0, 0, 1]);
  });
});

describe('non-vanishing rules for sigmoid, tanh and any activation', () => {
  it("sigmoid 'floorAdded' is σ'(x) + 0.1; with c = 0.05, σ'(x) + 0.05", () => {
    expectClose(gradOf('sigmoid', XS, 'floorAdded'), XS.map((x) => dsigma(x) + 0.1));
    expectClose(gradOf('sigmoid', XS, rules.floorAdded({ c: 0.05 })), XS.map((x) => dsigma(x) + 0.05));
  });

  it("tanh 'floorAdded' is 1 − tanh²(x) + 0.1: the same factory, the activation's own derivative", () => {
    expectClose(gradOf('tanh', XS, 'floorAdded'), XS.map((x) => dtanh(x) + 0.1));
  });

  it("'floored' is max(f'(x), c)", () => {
    expectClose(gradOf('sigmoid', XS, 'floored'), XS.map((x) => Math.max(dsigma(x), 0.1)));
    expectClose(gradOf('tanh', XS, rules.floored({ c: 0.3 })), XS.map((x) => Math.max(dtanh(x), 0.3)));
  });

  it("'peakNormalised' is 4σ'(x) for sigmoid, unchanged for tanh, 6·(1/6) for hardSigmoid", () => {
    expectClose(gradOf('sigmoid', XS, 'peakNormalised'), XS.map((x) => 4 * dsigma(x)));
    expectClose(gradOf('tanh', XS, 'peakNormalised'), XS.map(dtanh));
    expectClose(gradOf('hardSigmoid', [-4, 0.5, 2], 'peakNormalised'), [0, 1, 1]);
  });

  it("'widened' is f'(x / w): same peak, w times wider", () => {
    expectClose(gradOf('sigmoid', XS, 'widened'), XS.map((x) => dsigma(x / 2)));
    expectClose(gradOf('tanh', XS, rules.widened({ w: 3 })), XS.map((x) => dtanh(x / 3)));
  });

  it('the same factories work on activations that do not register them (softsign, gelu, a user activation)', () => {
    const dsoftsign = (x: number) => 1 / (1 + Math.abs(x)) ** 2;
    expectClose(gradOf('softsign', XS, rules.floorAdded({ c: 0.2 })), XS.map((x) => dsoftsign(x) + 0.2));
    expectClose(gradOf('elu', [-3, 1], rules.floored({ c: 0.5 })), [0.5, 1]);
    const square = defineActivation({ name: 'testSquareRules', forward: (x) => x * x, derivative: (x) => 2 * x });
    const x = tensor([-1, 0.25, 2], { dtype: 'float64', requiresGrad: true });
    square(x, { backward: rules.floorAdded({ c: 1 }) }).sum().backward();
    expectClose(gradTensor(x).toArray() as number[], [-1, 1.5, 5]);
  });

  it('peakNormalised on an activation without a declared peak is a RuleError naming it', () => {
    expect(() => gradOf('gelu', [1], rules.peakNormalised())).toThrow(RuleError);
    expect(() => gradOf('gelu', [1], rules.peakNormalised())).toThrowWith(RuleError, /'gelu' declares no peak/);
  });
});

describe('surrogates for the Heaviside step', () => {
  const cases: [string, Rule | string, (u: number) => number][] = [
    ['fastSigmoid (slope 25)', 'fastSigmoid', (u) => 1 / (1 + 25 * Math.abs(u)) ** 2],
    ['atan (α 2)', 'atan', (u) => 1 / (1 + (Math.PI * u) ** 2)],
    ['sigmoid (slope 4)', 'sigmoid', (u) => 4 * dsigma(4 * u)],
    ['triangle (α 1)', 'triangle', (u) => Math.max(0, 1 - Math.abs(u))],
    ['gaussian (σ 0.5)', 'gaussian', (u) => Math.exp(-2 * u * u) / (0.5 * Math.sqrt(2 * Math.PI))],
    ['boxcar (width 1)', 'boxcar', (u) => (Math.abs(u) < 0.5 ? 1 : 0)],
    ['superSpike (α 100)', 'superSpike', (u) => 1 / (1 + 100 * Math.abs(u)) ** 2],
    ['straightThrough', 'straightThrough', () => 1],
    ['fastSigmoid slope 10', rules.fastSigmoid({ slope: 10 }), (u) => 1 / (1 + 10 * Math.abs(u)) ** 2],
    ['atan α 4', rules.atan({ alpha: 4 }), (u) => 2 / (1 + (2 * Math.PI * u) ** 2)],
    ['sigmoidSurrogate slope 25', rules.sigmoidSurrogate({ slope: 25 }), (u) => 25 * dsigma(25 * u)],
    ['triangle α 2', rules.triangle({ alpha: 2 }), (u) => Math.max(0, 2 - 4 * Math.abs(u))],
    ['gaussian σ 1', rules.gaussian({ sigma: 1 }), (u) => Math.exp(-u * u / 2) / Math.sqrt(2 * Math.PI)],
    ['boxcar width 0.4', rules.boxcar({ width: 0.4 }), (u) => (Math.abs(u) < 0.2 ? 2.5 : 0)],
    ['superSpike α 10', rules.superSpike({ alpha: 10 }), (u) => 1 / (1 + 10 * Math.abs(u)) ** 2],
  ];
  const us = grid(-2, 2, 41);

  for (const [label, rule, h] of cases) {
    it(`${label} at threshold 0 and, shifted, at threshold 0.7`, () => {
      expectClose(gradOf('heaviside', us, rule), us.map(h));
      expectClose(gradOf('heaviside', us, rule, { threshold: 0.7 }), us.map((x) => h(x - 0.7)));
    });
  }

  it('the sigmoid surrogate does not overflow into NaN far from threshold (snnTorch #427)', () => {
    const g = gradOf('heaviside', [-800, -5, 800], rules.sigmoidSurrogate({ slope: 25 }));
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('unit-area surrogates integrate to 1; fastSigmoid to 2/slope', () => {
    const fine = grid(-60, 60, 120_000);
    const dx = 120 / 120_000;
    const area = (rule: string) => gradOf('heaviside', fine, rule).reduce((s, v) => s + v, 0) * dx;
    for (const name of ['atan', 'sigmoid', 'triangle', 'gaussian', 'boxcar']) {
      expect(area(name), name).toBeCloseTo(1, 2);
    }
    expect(area('fastSigmoid')).toBeCloseTo(2 / 25, 3);
  });

  it("the default for heaviside is 'exact': zero gradient", () => {
    expectClose(gradOf('heaviside', us, undefined), us.map(() => 0));
  });
});

describe('straight-through rules for sign, round, quantize', () => {
  it("sign: 'straightThrough' 1, 'clippedStraightThrough' 1[|x| ≤ 1] (inclusive), 'approxSign' 2 − 2|x|", () => {
    const xs = [-2, -1, -0.5, 0, 0.25, 1, 1.5];
    expectClose(gradOf('sign', xs, 'straightThrough'), xs.map(() => 1));
    expectClose(gradOf('sign', xs, 'clippedStraightThrough'), [0, 1, 1, 1, 1, 1, 0]);
    expectClose(gradOf('sign', xs, 'approxSign'), [0, 0, 1, 2, 1.5, 0, 0]);
  });

  it('round: clipped straight-through on [−1, 1], or explicit bounds', () => {
    expectClose(gradOf('round', [-1.5, 0.3, 1], 'clippedStraightThrough'), [0, 1, 1]);
    expectClose(gradOf('round', [-1.5, 0.3, 2.5, 3.5], rules.clippedStraightThrough({ min: -2, max: 3 })), [1, 1, 1, 0]);
  });

  it("quantize: 'clippedStraightThrough' passes inside its own range", () => {
    const xs = [-1, -0.5, 0.3, 2, 2.1];
    expectClose(gradOf('quantize', xs, 'clippedStraightThrough', { bits: 4, range: [-0.5, 2] }), [0, 1, 1, 1, 0]);
    expectClose(gradOf('quantize', xs, 'straightThrough', { bits: 4 }), [1, 1, 1, 1, 1]);
  });
});

describe('blend', () => {
  const exactRelu = (x: number) => (x > 0 ? 1 : 0);

  it('λ = 0 is rule A, λ = 1 is rule B, λ = 0.3 is 0.7·A + 0.3·B', () => {
    expectClose(gradOf('relu', XS, rules.blend('exact', 'sigmoid', 0)), XS.map(exactRelu));
    expectClose(gradOf('relu', XS, rules.blend('exact', 'sigmoid', 1)), XS.map(sigma));
    expectClose(gradOf('relu', XS, rules.blend('exact', 'sigmoid', 0.3)), XS.map((x) => 0.7 * exactRelu(x) + 0.3 * sigma(x)));
  });

  it('mixes rule objects and inline rules, and backward rules with local derivatives', () => {
    const b = rules.blend(rules.identity(), { derivative: (x: number) => x * x }, 0.25);
    expectClose(gradOf('relu', [-2, 3], b), [0.75 + 0.25 * 4, 0.75 + 0.25 * 9]);
    const g = [0.5, -0.5, 0.5];
    const xs = [-1, 2, 2];
    const withGuided = rules.blend('exact', 'guided', 0.3);
    expectClose(gradOf('relu', xs, withGuided, {}, g), [0, 0.7 * -0.5, 0.7 * 0.5 + 0.3 * 0.5]);
  });

  it('λ from a function is read when each op is recorded (annealing)', () => {
    let lambda = 0;
    const annealed = rules.blend('sigmoid', 'exact', () => lambda);
    const x = tensor([-1, 1], { dtype: 'float64', requiresGrad: true });
    const y0 = x.relu({ backward: annealed });
    lambda = 1;
    const y1 = x.relu({ backward: annealed });
    y0.add(y1).sum().backward();
    expectClose(gradTensor(x).toArray() as number[], [sigma(-1) + 0, sigma(1) + 1]);
  });

  it('works for any activation: blend of exact and floorAdded on sigmoid', () => {
    expectClose(gradOf('sigmoid', XS, rules.blend('exact', 'floorAdded', 0.5)), XS.map((x) => dsigma(x) + 0.05));
  });

  it('is exact only when both parts are', () => {
    expect(rules.blend('exact', rules.exact(), 0.5).exact).toBe(true);
    expect(rules.blend('exact', 'sigmoid', 0.5).exact).toBe(false);
  });
});

describe('parameters are checked when the rule is made', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['fastSigmoid slope 0', () => rules.fastSigmoid({ slope: 0 }), /fastSigmoid: slope must be a finite number > 0/],
    ['fastSigmoid slope −1', () => rules.fastSigmoid({ slope: -1 }), /slope must be a finite number > 0/],
    ['fastSigmoid slope NaN', () => rules.fastSigmoid({ slope: Number.NaN }), /slope must be a finite number/],
    ['atan alpha 0', () => rules.atan({ alpha: 0 }), /atan: alpha must be a finite number > 0/],
    ['sigmoidSurrogate slope −2', () => rules.sigmoidSurrogate({ slope: -2 }), /slope must be a finite number > 0/],
    ['sigmoidShaped k 0', () => rules.sigmoidShaped({ k: 0 }), /k must be a finite number > 0/],
    ['triangle alpha Infinity', () => rules.triangle({ alpha: Infinity }), /alpha must be a finite number/],
    ['gaussian sigma −1', () => rules.gaussian({ sigma: -1 }), /sigma must be a finite number > 0/],
    ['boxcar width 0', () => rules.boxcar({ width: 0 }), /width must be a finite number > 0/],
    ['superSpike alpha 0', () => rules.superSpike({ alpha: 0 }), /alpha must be a finite number > 0/],
    ['leakyBackward c −0.1', () => rules.leakyBackward({ c: -0.1 }), /c must be a finite number ≥ 0/],
    ['floorAdded c −1', () => rules.floorAdded({ c: -1 }), /c must be a finite number ≥ 0/],
    ['floored c NaN', () => rules.floored({ c: Number.NaN }), /c must be a finite number/],
    ['widened w 0.5', () => rules.widened({ w: 0.5 }), /w must be ≥ 1/],
    ['clippedStraightThrough min ≥ max', () => rules.clippedStraightThrough({ min: 1, max: 1 }), /min \(1\) must be below max \(1\)/],
    ['blend λ 1.5', () => rules.blend('exact', 'sigmoid', 1.5), /lambda must be in \[0, 1\], got 1.5/],
    ['blend λ −0.1', () => rules.blend('exact', 'sigmoid', -0.1), /lambda must be in \[0, 1\]/],
    ['blend λ NaN', () => rules.blend('exact', 'sigmoid', Number.NaN), /lambda must be in \[0, 1\]/],
  ];
  for (const [label, make, message] of bad) {
    it(label, () => {
      expect(make).toThrow(RuleError);
      expect(make).toThrowWith(RuleError, message);
    });
  }

  it('a λ function returning a value outside [0, 1] fails when the op is recorded', () => {
    const b = rules.blend('exact', 'sigmoid', () => 2);
    expect(() => gradOf('relu', [1], b)).toThrowWith(RuleError, /lambda must be in \[0, 1\], got 2/);
  });

  it('a blend naming a rule the activation does not have fails when recorded, listing the valid ones', () => {
    expect(() => gradOf('tanh', [1], rules.blend('exact', 'bSilu', 0.5))).toThrowWith(RuleError, /tanh has no backward rule 'bSilu'; its rules are: exact, floorAdded/);
  });
});

describe('descriptions', () => {
  it('every registered rule of every activation has a description, params and an exact flag', () => {
    for (const name of ['relu', 'sigmoid', 'tanh', 'heaviside', 'sign', 'round', 'quantize'] as const) {
      const listed = listRules(name);
      expect(listed[0]).toMatchObject({ name: 'exact', exact: true });
      for (const r of listed) {
        expect(r.description.length, `${name}.${r.name}`).toBeGreaterThan(10);
        expect(typeof r.exact).toBe('boolean');
      }
      expect(listed.filter((r) => r.exact)).toHaveLength(1);
    }
  });

  it('surrogate descriptions state the peak, the area and the ReLU preset its source', () => {
    const heaviside = Object.fromEntries(listRules('heaviside').map((r) => [r.name, r]));
    for (const name of ['fastSigmoid', 'atan', 'sigmoid', 'triangle', 'gaussian', 'boxcar', 'superSpike']) {
      expect(heaviside[name].description, name).toMatch(/peak/);
      expect(heaviside[name].description, name).toMatch(/area/);
    }
    expect(heaviside.fastSigmoid.params).toEqual({ slope: 25 });
    expect(heaviside.atan.params).toEqual({ alpha: 2 });
    const relu = Object.fromEntries(listRules('relu').map((r) => [r.name, r]));
    expect(relu.sigmoid.description).toMatch(/inferred from the paper's figure/);
    expect(relu.sigmoid.params).toEqual({ k: 1 });
    expect(Object.keys(relu)).toEqual(['exact', 'sigmoid', 'bSilu', 'leaky', 'identity', 'guided']);
  });
});
