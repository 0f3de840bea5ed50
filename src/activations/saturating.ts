// Saturating activations, whose derivative vanishes in the tails: sigmoid, logSigmoid, tanh,
// hardtanh, hardSigmoid, hardSwish, softsign. The non-vanishing rules (floorAdded, floored,
// peakNormalised, widened) are written once in rules.ts and registered here by name.
import { ArgumentError } from '../errors';
import { type FloatArray, sigmoidBackwardInto, sigmoidScaleInto } from '../nd';
import { type Derivative, attachAffineKernel } from './rule';
import type { Tensor } from '../tensor';
import type { ActivationCallOptions, BuiltinActivationParams as P } from './names';
import { sigmoid as logistic, softplus as softplusFn } from './math';
import { numberParam } from './params';
import { registerActivation } from './registry';
import { applyActivation } from './engine';
import * as rules from './rules';

/** The rules every saturating activation gets by name. */
function nonVanishing() {
  return {
    floorAdded: rules.floorAdded(),
    floored: rules.floored(),
    peakNormalised: rules.peakNormalised(),
    widened: rules.widened(),
  };
}

// ---- sigmoid ----
let onesF32 = new Float32Array(0);

/**
 * y = σ(x) on float32 arrays through the WebAssembly kernel that relu's sigmoid-shaped rule uses
 * (`nd.sigmoidScaleInto(out, g, x, k)` = g·σ(kx), here with g = 1 and k = 1). False, having touched
 * nothing, when the kernel does not take it (float64, small arrays, no WASM SIMD): the caller loops.
 */
function sigmoidFloat32(x: FloatArray, y: FloatArray): boolean {
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array)) return false;
  const n = x.length;
  if (onesF32.length < n) onesF32 = new Float32Array(Math.max(n, 2 * onesF32.length)).fill(1);
  return sigmoidScaleInto(y, onesF32.subarray(0, n), x, 1);
}

const SIGMOID = registerActivation<P['sigmoid']>({
  name: 'sigmoid',
  builtIn: true,
  description: 'σ(x) = 1/(1 + e^(−x))',
  exact: "σ'(x) = y(1 − y), peak 1/4 at 0, area 1",
  kernel: () => ({
    forward: logistic,
    forwardLoop: (x, y) => {
      // float32: the WASM SIMD kernel (1·σ(1·x), a float32 exp within 2.5 ulps, ~3× the JS loop)
      if (sigmoidFloat32(x, y)) return;
      // 1/(1 + e^-x) needs no sign branch: e^-x = Infinity gives 0, not NaN
      for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
    },
    derivative: sigmoidDerivative(),
    params: {},
    derivativePeak: 0.25,
  }),
  rules: nonVanishing(),
});

/** σ' from the output, y(1 − y), with its float32 fast path (also that of floorAdded and peakNormalised over it). */
function sigmoidDerivative(): Derivative {
  const h: Derivative = (_x, y) => y * (1 - y);
  attachAffineKernel(h, (out, g, _x, y, scale, shift) => sigmoidBackwardInto(out, g, y, scale, shift));
  return h;
}

/**
 * The logistic sigmoid. Rules: 'exact', 'floorAdded' (σ' + 0.1), 'floored' (max(σ', 0.1)),
 * 'peakNormalised' (4σ'), 'widened' (σ'(x/2)).
 */
export function sigmoid(x: Tensor, options?: ActivationCallOptions<'sigmoid'>): Tensor {
  return applyActivation(SIGMOID, x, options);
}

// ---- logSigmoid ----
const LOG_SIGMOID = registerActivation<P['logSigmoid']>({
  name: 'logSigmoid',
  builtIn: true,
  description: 'log σ(x) = −softplus(−x)',
  exact: 'σ(−x) = 1 − σ(x), → 1 for x → −∞, → 0 for x → ∞',
  kernel: () => ({
    forward: (x) => -softplusFn(-x),
    derivative: (x) => logistic(-x),
    params: {},
  }),
  rules: { floorAdded: rules.floorAdded(), floored: rules.floored() },
});

/** log σ(x), computed without overflow. Rules: 'exact', 'floorAdded', 'floored'. */
export function logSigmoid(x: Tensor, options?: ActivationCallOptions<'logSigmoid'>): Tensor {
  return applyActivation(LOG_SIGMOID, x, options);
}

// ---- tanh ----
const TANH = registerActivation<P['tanh']>({
  name: 'tanh',
  builtIn: true,
  description: 'tanh(x)',
  exact: '1 − y², peak 1 at 0, area 2',
  kernel: () => ({
    forward: Math.tanh,
    forwardLoop: (x, y) => {
      for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
    },
    derivative: (_x, y) => 1 - y * y,
    params: {},
    derivativePeak: 1,
  }),
  rules: nonVanishing(),
});

/** Hyperbolic tangent. Rules: 'exact', 'floorAdded', 'floored', 'peakNormalised' (= exact), 'widened'. */
export function tanh(x: Tensor, options?: ActivationCallOptions<'tanh'>): Tensor {
  return applyActivation(TANH, x, options);
}

// ---- hardtanh ----
const HARDTANH = registerActivation<P['hardtanh']>({
  name: 'hardtanh',
  builtIn: true,
  description: 'x clamped to [min, max]',
  exact: '1 for min < x < max, 0 elsewhere (0 at both kinks, as PyTorch)',
  paramKeys: ['min', 'max'],
  kernel: (o) => {
    const min = numberParam('hardtanh', o, 'min', -1);
    const max = numberParam('hardtanh', o, 'max', 1);
    if (!(min < max)) throw new ArgumentError(`hardtanh: min (${min}) must be below max (${max})`);
    return {
      forward: (x) => (x < min ? min : x > max ? max : x),
      derivative: (x) => (x > min && x < max ? 1 : 0),
      params: { min, max },
      derivativePeak: 1,
      passBand: [min, max],
    };
  },
  rules: { identity: rules.identity(), ...nonVanishing() },
});

/** x clamped to [`min`, `max`] (default [−1, 1]). Rules: 'exact', 'identity', and the non-vanishing ones. */
export function hardtanh(x: Tensor, options?: ActivationCallOptions<'hardtanh'>): Tensor {
  return applyActivation(HARDTANH, x, options);
}

// ---- hardSigmoid ----
const HARD_SIGMOID = registerActivation<P['hardSigmoid']>({
  name: 'hardSigmoid',
  builtIn: true,
  description: 'x/6 + 1/2 clamped to [0, 1] (PyTorch Hardsigmoid)',
  exact: '1/6 for −3 < x < 3, 0 elsewhere (0 at both kinks, as PyTorch)',
  kernel: () => ({
    forward: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
    derivative: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
    params: {},
    derivativePeak: 1 / 6,
  }),
  rules: nonVanishing(),
});

/** Piecewise-linear sigmoid, clamp(x/6 + 1/2, 0, 1). Rules: 'exact' and the non-vanishing ones. */
export function hardSigmoid(x: Tensor, options?: ActivationCallOptions<'hardSigmoid'>): Tensor {
  return applyActivation(HARD_SIGMOID, x, options);
}

// ---- hardSwish ----
const HARD_SWISH = registerActivation<P['hardSwish']>({
  name: 'hardSwish',
  builtIn: true,
  description: 'x·hardSigmoid(x) (Howard et al. 2019)',
  exact: '0 for x < −3, (2x + 3)/6 for −3 ≤ x ≤ 3, 1 for x > 3 (ties as PyTorch: −1/2 at −3, 3/2 at 3)',
  kernel: () => ({
    forward: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
    derivative: (x) => (x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1),
    params: {},
  }),
});

/** Hard swish, x·clamp(x/6 + 1/2, 0, 1). Rules: 'exact'. */
export function hardSwish(x: Tensor, options?: ActivationCallOptions<'hardSwish'>): Tensor {
  return applyActivation(HARD_SWISH, x, options);
}

// ---- softsign ----
const SOFTSIGN = registerActivation<P['softsign']>({
  name: 'softsign',
  builtIn: true,
  description: 'x/(1 + |x|)',
  exact: '1/(1 + |x|)², peak 1 at 0, area 2',
  kernel: () => ({
    forward: (x) => x / (1 + Math.abs(x)),
    derivative: (x) => {
      const d = 1 + Math.abs(x);
      return 1 / (d * d);
    },
    params: {},
    derivativePeak: 1,
  }),
  rules: nonVanishing(),
});

/** Softsign, x/(1 + |x|). Rules: 'exact' and the non-vanishing ones. */
export function softsign(x: Tensor, options?: ActivationCallOptions<'softsign'>): Tensor {
  return applyActivation(SOFTSIGN, x, options);
}
