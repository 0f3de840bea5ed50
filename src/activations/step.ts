// Non-differentiable activations: heaviside (spiking), sign, round, quantize. Their exact
// derivative is zero almost everywhere, so under the default 'exact' rule no gradient flows
// through them: training needs a surrogate, chosen like any other rule. 'exact' stays the default
// on purpose — a surrogate is a modelling decision and should be visible in the code.
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import type { ActivationCallOptions, BuiltinActivationParams as P } from './names';
import { roundHalfEven } from './math';
import { describe, numberParam } from './params';
import { registerActivation } from './registry';
import { applyActivation } from './engine';
import * as rules from './rules';
import { declareFormula } from './rule';

const ZERO_A_E = '0 everywhere (the true derivative almost everywhere: no gradient flows; choose a surrogate to train)';
const zero = (): number => 0;
declareFormula(zero, { kind: 'zero', a: 0, b: 0, offset: 0 }); // the spike op's fused backward evaluates it inline

// ---- heaviside ----
const HEAVISIDE = registerActivation<P['heaviside']>({
  name: 'heaviside',
  builtIn: true,
  description: '1 for x > threshold, 0 otherwise (0 at the threshold, as snnTorch and Norse; SpikingJelly uses ≥)',
  exact: ZERO_A_E,
  paramKeys: ['threshold'],
  kernel: (o) => {
    const threshold = numberParam('heaviside', o, 'threshold', 0);
    return {
      forward: (x) => (x > threshold ? 1 : 0),
      derivative: zero,
      center: threshold,
      params: { threshold },
    };
  },
  rules: {
    fastSigmoid: rules.fastSigmoid({ slope: 25 }),
    atan: rules.atan({ alpha: 2 }),
    sigmoid: rules.sigmoidSurrogate({ slope: 4 }),
    triangle: rules.triangle({ alpha: 1 }),
    gaussian: rules.gaussian({ sigma: 0.5 }),
    boxcar: rules.boxcar({ width: 1 }),
    superSpike: rules.superSpike({ alpha: 100 }),
    straightThrough: rules.straightThrough(),
  },
});

/**
 * The Heaviside step (a spike): 1 where x > `threshold` (default 0). Surrogates read
 * u = x − threshold: 'fastSigmoid' (slope 25), 'atan' (α 2), 'sigmoid' (σ' with slope 4),
 * 'triangle', 'gaussian', 'boxcar', 'superSpike', 'straightThrough'. The default, 'exact', is
 * zero: no gradient flows until a surrogate is chosen.
 */
export function heaviside(x: Tensor, options?: ActivationCallOptions<'heaviside'>): Tensor {
  return applyActivation(HEAVISIDE, x, options);
}

// ---- sign ----
const SIGN = registerActivation<P['sign']>({
  name: 'sign',
  builtIn: true,
  description: '−1, 0 or 1 (sign(0) = 0, as PyTorch)',
  exact: ZERO_A_E,
  kernel: () => ({ forward: Math.sign, derivative: zero, params: {} }),
  rules: {
    straightThrough: rules.straightThrough(),
    clippedStraightThrough: rules.clippedStraightThrough(),
    approxSign: rules.approxSign(),
  },
});

/** sign(x). Rules: 'exact' (zero), 'straightThrough', 'clippedStraightThrough' (|x| ≤ 1), 'approxSign'. */
export function sign(x: Tensor, options?: ActivationCallOptions<'sign'>): Tensor {
  return applyActivation(SIGN, x, options);
}

// ---- round ----
const ROUND = registerActivation<P['round']>({
  name: 'round',
  builtIn: true,
  description: 'the nearest integer, halves to even (0.5 → 0, 1.5 → 2, as PyTorch and NumPy)',
  exact: ZERO_A_E,
  kernel: () => ({ forward: roundHalfEven, derivative: zero, params: {} }),
  rules: { straightThrough: rules.straightThrough(), clippedStraightThrough: rules.clippedStraightThrough() },
});

/** Round half to even. Rules: 'exact' (zero), 'straightThrough', 'clippedStraightThrough' (|x| ≤ 1). */
export function round(x: Tensor, options?: ActivationCallOptions<'round'>): Tensor {
  return applyActivation(ROUND, x, options);
}

// ---- quantize ----
const QUANTIZE = registerActivation<P['quantize']>({
  name: 'quantize',
  builtIn: true,
  description: 'x clamped to [lo, hi] and rounded to the nearest of 2^bits evenly spaced levels (lo and hi included; halves to even)',
  exact: ZERO_A_E,
  paramKeys: ['bits', 'range'],
  kernel: (o) => {
    const bits = numberParam('quantize', o, 'bits', 8);
    if (!Number.isInteger(bits) || bits < 1 || bits > 32) {
      throw new ArgumentError(`quantize: bits must be an integer from 1 to 32, got ${bits}`);
    }
    const range = o.range ?? [0, 1];
    if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(range[0] < range[1])) {
      throw new ArgumentError(`quantize: range must be [lo, hi] with finite lo < hi, got ${describe(range)}`);
    }
    const [lo, hi] = range;
    const steps = 2 ** bits - 1;
    const delta = (hi - lo) / steps;
    return {
      forward: (x) => {
        const c = x < lo ? lo : x > hi ? hi : x;
        return lo + roundHalfEven((c - lo) / delta) * delta;
      },
      derivative: zero,
      params: { bits, lo, hi },
      passBand: [lo, hi],
    };
  },
  rules: { straightThrough: rules.straightThrough(), clippedStraightThrough: rules.clippedStraightThrough() },
});

/**
 * Uniform quantization to 2^`bits` levels over `range` (defaults 8 bits, [0, 1]; DoReFa's
 * round((2^k − 1)x)/(2^k − 1) for x in [0, 1]). Rules: 'exact' (zero), 'straightThrough',
 * 'clippedStraightThrough' (1 inside the range, the QAT fake-quant rule).
 */
export function quantize(x: Tensor, options?: ActivationCallOptions<'quantize'>): Tensor {
  return applyActivation(QUANTIZE, x, options);
}
