// Every documented default, pinned by behaviour: each rule factory called without options gives
// the gradient its doc comment's formula gives at the documented parameter (and not at a nearby
// one), and each optimizer's default learning rate moves a parameter by the documented amount.
// Also the edges of the rules: boxcar at its edges, clippedStraightThrough with one bound, and
// backward-function rules (guided, a blend containing one) on heaviside with a threshold.
import { describe, expect, it } from 'vitest';
import { heaviside, relu, rules, sign, tanh } from '../src/activations';
import { tensor } from '../src/creation';
import { Adagrad, Adam, Adamax, AdamW, RMSprop, SGD } from '../src/optim';
import type { Tensor } from '../src/tensor';
import { RuleError } from '../src/errors';
import { expectClose, gradOf } from './ops/helpers';

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));
const XS = [-1.3, -0.6, -0.2, -0.05, 0, 0.04, 0.3, 0.9, 2.2];

/** The gradient of Σ act(x) at XS (float64), i.e. the rule's h(x) elementwise. */
function hOf(apply: (x: Tensor) => Tensor, xs: readonly number[] = XS): number[] {
  const x = tensor([...xs], { dtype: 'float64', requiresGrad: true });
  apply(x).sum().backward();
  return gradOf(x);
}

interface DefaultCase {
  name: string;
  /** The factory called with no options, applied through an activation. */
  withDefault: (x: Tensor) => Tensor;
  /** The same factory given the documented default explicitly: must agree. */
  explicit: (x: Tensor) => Tensor;
  /** The formula at the documented default. */
  formula: (u: number) => number;
  /** The formula at a nearby parameter: must differ, so the test would see a changed default. */
  nearby: (u: number) => number;
}

const fastSig = (k: number) => (u: number): number => 1 / (1 + k * Math.abs(u)) ** 2;
const atanH = (a: number) => (u: number): number => a / 2 / (1 + ((Math.PI * a * u) / 2) ** 2);
const sigSur = (k: number) => (u: number): number => k * sigma(k * u) * (1 - sigma(k * u));
const gauss = (s: number) => (u: number): number => Math.exp(-(u * u) / (2 * s * s)) / (s * Math.sqrt(2 * Math.PI));
const tri = (a: number) => (u: number): number => Math.max(0, a - a * a * Math.abs(u));
const box = (w: number) => (u: number): number => (Math.abs(u) < w / 2 ? 1 / w : 0);
const bsilu = (a: number) => (x: number): number => sigma(x) + (x + a) * sigma(x) * (1 - sigma(x));
const tanhD = (x: number): number => 1 - Math.tanh(x) ** 2;

const CASES: DefaultCase[] = [
  {
    name: 'sigmoidShaped: k = 1 (σ(x)) on relu',
    withDefault: (x) => relu(x, { backward: rules.sigmoidShaped() }),
    explicit: (x) => relu(x, { backward: rules.sigmoidShaped({ k: 1 }) }),
    formula: (x) => sigma(x),
    nearby: (x) => sigma(1.5 * x),
  },
  {
    name: 'bSilu: α = 1.67 on relu',
    withDefault: (x) => relu(x, { backward: rules.bSilu() }),
    explicit: (x) => relu(x, { backward: rules.bSilu({ alpha: 1.67 }) }),
    formula: bsilu(1.67),
    nearby: bsilu(1.5),
  },
  {
    name: 'leakyBackward: c = 0.01 on relu',
    withDefault: (x) => relu(x, { backward: rules.leakyBackward() }),
    explicit: (x) => relu(x, { backward: rules.leakyBackward({ c: 0.01 }) }),
    formula: (x) => (x > 0 ? 1 : 0.01),
    nearby: (x) => (x > 0 ? 1 : 0.02),
  },
  {
    name: 'fastSigmoid: slope 25 on heaviside',
    withDefault: (x) => heaviside(x, { backward: rules.fastSigmoid() }),
    explicit: (x) => heaviside(x, { backward: rules.fastSigmoid({ slope: 25 }) }),
    formula: fastSig(25),
    nearby: fastSig(20),
  },
  {
    name: 'atan: α = 2 on heaviside',
    withDefault: (x) => heaviside(x, { backward: rules.atan() }),
    explicit: (x) => heaviside(x, { backward: rules.atan({ alpha: 2 }) }),
    formula: atanH(2),
    nearby: atanH(2.5),
  },
  {
    name: 'sigmoidSurrogate: slope 4 on heaviside',
    withDefault: (x) => heaviside(x, { backward: rules.sigmoidSurrogate() }),
    explicit: (x) => heaviside(x, { backward: rules.sigmoidSurrogate({ slope: 4 }) }),
    formula: sigSur(4),
    nearby: sigSur(5),
  },
  {
    name: 'triangle: α = 1 on heaviside',
    withDefault: (x) => heaviside(x, { backward: rules.triangle() }),
    explicit: (x) => heaviside(x, { backward: rules.triangle({ alpha: 1 }) }),
    formula: tri(1),
    nearby: tri(1.2),
  },
  {
    name: 'gaussian: σ = 0.5 on heaviside',
    withDefault: (x) => heaviside(x, { backward: rules.gaussian() }),
    explicit: (x) => heaviside(x, { backward: rules.gaussian({ sigma: 0.5 }) }),
    formula: gauss(0.5),
    nearby: gauss(0.6),
  },
  {
    name: 'boxcar: width 1 on heaviside',
    withDefault: (x) => heaviside(x, { backward: rules.boxcar() }),
    explicit: (x) => heaviside(x, { backward: rules.boxcar({ width: 1 }) }),
    formula: box(1),
    nearby: box(2),
  },
  {
    name: 'superSpike: α = 100 on heaviside',
    withDefault: (x) => heaviside(x, { backward: rules.superSpike() }),
    explicit: (x) => heaviside(x, { backward: rules.superSpike({ alpha: 100 }) }),
    formula: fastSig(100),
    nearby: fastSig(80),
  },
  {
    name: 'clippedStraightThrough: [−1, 1] on sign',
    withDefault: (x) => sign(x, { backward: rules.clippedStraightThrough() }),
    explicit: (x) => sign(x, { backward: rules.clippedStraightThrough({ min: -1, max: 1 }) }),
    formula: (u) => (u >= -1 && u <= 1 ? 1 : 0),
    nearby: (u) => (u >= -0.5 && u <= 0.5 ? 1 : 0),
  },
  {
    name: 'floorAdded: c = 0.1 on tanh',
    withDefault: (x) => tanh(x, { backward: rules.floorAdded() }),
    explicit: (x) => tanh(x, { backward: rules.floorAdded({ c: 0.1 }) }),
    formula: (x) => tanhD(x) + 0.1,
    nearby: (x) => tanhD(x) + 0.2,
  },
  {
    name: 'floored: c = 0.1 on tanh',
    withDefault: (x) => tanh(x, { backward: rules.floored() }),
    explicit: (x) => tanh(x, { backward: rules.floored({ c: 0.1 }) }),
    formula: (x) => Math.max(tanhD(x), 0.1),
    nearby: (x) => Math.max(tanhD(x), 0.2),
  },
  {
    name: 'widened: w = 2 on tanh',
    withDefault: (x) => tanh(x, { backward: rules.widened() }),
    explicit: (x) => tanh(x, { backward: rules.widened({ w: 2 }) }),
    formula: (x) => tanhD(x / 2),
    nearby: (x) => tanhD(x / 3),
  },
];

describe('rule factories: the documented default parameters', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const expected = XS.map(c.formula);
      const other = XS.map(c.nearby);
      // the points separate the default from the nearby parameter
      expect(Math.max(...expected.map((e, i) => Math.abs(e - other[i])))).toBeGreaterThan(1e-3);
      expectClose(hOf(c.withDefault), expected, 1e-12);
      expectClose(hOf(c.explicit), expected, 1e-12);
    });
  }

  it('the defaults are also the params each rule reports', () => {
    expect(rules.sigmoidShaped().params).toEqual({ k: 1 });
    expect(rules.bSilu().params).toEqual({ alpha: 1.67 });
    expect(rules.leakyBackward().params).toEqual({ c: 0.01 });
    expect(rules.fastSigmoid().params).toEqual({ slope: 25 });
    expect(rules.atan().params).toEqual({ alpha: 2 });
    expect(rules.sigmoidSurrogate().params).toEqual({ slope: 4 });
    expect(rules.triangle().params).toEqual({ alpha: 1 });
    expect(rules.gaussian().params).toEqual({ sigma: 0.5 });
    expect(rules.boxcar().params).toEqual({ width: 1 });
    expect(rules.superSpike().params).toEqual({ alpha: 100 });
    expect(rules.floorAdded().params).toEqual({ c: 0.1 });
    expect(rules.floored().params).toEqual({ c: 0.1 });
    expect(rules.widened().params).toEqual({ w: 2 });
  });
});

describe('rule edges', () => {
  it('boxcar is 1/w strictly inside |u| < w/2 and 0 exactly at the edges', () => {
    expect(hOf((x) => heaviside(x, { backward: rules.boxcar() }), [-0.5, -0.4999, 0, 0.4999, 0.5, 0.5001])).toEqual([0, 1, 1, 1, 0, 0]);
    expect(hOf((x) => heaviside(x, { backward: rules.boxcar({ width: 4 }) }), [-2, -1.999, 1.999, 2])).toEqual([0, 0.25, 0.25, 0]);
    // with a threshold, the edges move with it: u = x − 1
    expect(hOf((x) => heaviside(x, { threshold: 1, backward: rules.boxcar() }), [0.5, 0.5001, 1.4999, 1.5])).toEqual([0, 1, 1, 0]);
  });

  it('clippedStraightThrough with only min: the band is [min, 1], inclusive', () => {
    expect(hOf((x) => sign(x, { backward: rules.clippedStraightThrough({ min: -0.25 }) }), [-0.3, -0.25, 0, 1, 1.01])).toEqual([0, 1, 1, 1, 0]);
  });

  it('clippedStraightThrough with only max: the band is [−1, max], inclusive', () => {
    expect(hOf((x) => sign(x, { backward: rules.clippedStraightThrough({ max: 0.25 }) }), [-1.01, -1, 0, 0.25, 0.3])).toEqual([0, 1, 1, 1, 0]);
  });

  it('clippedStraightThrough with one bound that leaves no band is a RuleError', () => {
    expect(() => rules.clippedStraightThrough({ min: 1 })).toThrow(RuleError);
    expect(() => rules.clippedStraightThrough({ max: -1 })).toThrow(RuleError);
    expect(() => rules.clippedStraightThrough({ min: 2, max: 1 })).toThrow(RuleError);
  });
});

describe('backward-function rules on an activation with a threshold', () => {
  // heaviside(x, threshold 0.5): rules read u = x − 0.5
  const xs = [0.2, 0.6, 1.0, 0.5, 0.7, -1];
  const seed = [1, 2, -1, 1, 0.5, 3];

  function gradWith(backward: Parameters<typeof heaviside>[1]): number[] {
    const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
    heaviside(x, backward).backward(tensor(seed, { dtype: 'float64' }));
    return gradOf(x);
  }

  it('guided passes g only where u > 0 and g > 0 (0 at the threshold itself)', () => {
    expect(gradWith({ threshold: 0.5, backward: rules.guided() })).toEqual([0, 2, 0, 0, 0.5, 0]);
    // threshold 0 reads x itself: 0.2 now passes
    expect(gradWith({ threshold: 0, backward: rules.guided() })).toEqual([1, 2, 0, 1, 0.5, 0]);
  });

  it('a blend of guided and fastSigmoid mixes the two at λ, on u', () => {
    const lambda = 0.25;
    const expected = xs.map((x, i) => {
      const u = x - 0.5;
      const g = seed[i];
      const guidedPart = u > 0 && g > 0 ? g : 0;
      return (1 - lambda) * guidedPart + lambda * g * fastSig(25)(u);
    });
    expectClose(gradWith({ threshold: 0.5, backward: rules.blend(rules.guided(), 'fastSigmoid', lambda) }), expected, 1e-12);
    // the ends of the blend are its parts
    expect(gradWith({ threshold: 0.5, backward: rules.blend(rules.guided(), 'fastSigmoid', 0) })).toEqual([0, 2, 0, 0, 0.5, 0]);
    expectClose(
      gradWith({ threshold: 0.5, backward: rules.blend(rules.guided(), 'fastSigmoid', 1) }),
      xs.map((x, i) => seed[i] * fastSig(25)(x - 0.5)),
      1e-12,
    );
  });

  it('a blend whose other part is a derivative rule object keeps reading u', () => {
    const expected = xs.map((x, i) => {
      const u = x - 0.5;
      return 0.5 * (u > 0 && seed[i] > 0 ? seed[i] : 0) + 0.5 * seed[i] * box(1)(u);
    });
    expectClose(gradWith({ threshold: 0.5, backward: rules.blend(rules.boxcar(), rules.guided(), 0.5) }), expected, 1e-12);
  });
});

describe('optimizers: documented default learning rates', () => {
  // one step from θ = 1 with g = 2 (g = 2 makes every Adam-style first step ±lr exactly up to eps)
  function firstStep(make: (p: Tensor[]) => { step(): unknown }): number {
    const p = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = make([p]);
    p.grad = tensor([2], { dtype: 'float64' });
    opt.step();
    return p.item();
  }

  it('SGD: lr 1e-3, so θ − 1e-3·g', () => {
    expect(firstStep((p) => new SGD(p))).toBeCloseTo(1 - 1e-3 * 2, 15);
  });

  it('Adam: lr 1e-3, so the first step is lr·g/(|g| + ε) = about 1e-3', () => {
    expect(firstStep((p) => new Adam(p))).toBeCloseTo(1 - (1e-3 * 2) / (2 + 1e-8), 15);
  });

  it('AdamW: lr 1e-3 and weightDecay 0.01, decoupled: θ(1 − lr·λ) − lr', () => {
    expect(firstStep((p) => new AdamW(p))).toBeCloseTo(1 * (1 - 1e-3 * 0.01) - (1e-3 * 2) / (2 + 1e-8), 15);
  });

  it('RMSprop: lr 1e-2 and α 0.99, so θ − lr·g/(√((1 − α)g²) + ε)', () => {
    expect(firstStep((p) => new RMSprop(p))).toBeCloseTo(1 - (1e-2 * 2) / (Math.sqrt(0.01 * 4) + 1e-8), 14);
  });

  it('Adagrad: lr 1e-2, so the first step is lr·g/(|g| + ε)', () => {
    expect(firstStep((p) => new Adagrad(p))).toBeCloseTo(1 - (1e-2 * 2) / (2 + 1e-10), 15);
  });

  it('Adamax: lr 2e-3, so the first step is lr·g/(|g| + ε)', () => {
    expect(firstStep((p) => new Adamax(p))).toBeCloseTo(1 - (2e-3 * 2) / (2 + 1e-8), 15);
  });

  it('the defaults each optimizer reports are the documented ones', () => {
    const p = [tensor([1], { requiresGrad: true })];
    expect({ ...new SGD(p).defaults }).toEqual({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    expect({ ...new Adam(p).defaults }).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new AdamW(p).defaults.weightDecay).toBe(0.01);
    expect({ ...new RMSprop(p).defaults }).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    expect({ ...new Adagrad(p).defaults }).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
    expect({ ...new Adamax(p).defaults }).toEqual({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
  });
});
