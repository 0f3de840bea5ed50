// Smooth, non-saturating activations: gelu, silu, mish, softplus.
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import type { ActivationCallOptions, BuiltinActivationParams as P } from './names';
import { normalCdf, normalPdf, sigmoid as logistic, softplus as softplusFn } from './math';
import { describe, numberParam } from './params';
import { registerActivation } from './registry';
import { applyActivation } from './engine';

// ---- gelu ----
const GELU_TANH_SCALE = Math.sqrt(2 / Math.PI);
const GELU_TANH_CUBIC = 0.044715;

const GELU = registerActivation<P['gelu']>({
  name: 'gelu',
  builtIn: true,
  description: "x·Φ(x) (Hendrycks & Gimpel 2016); approximate: 'tanh' for 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))",
  exact: "Φ(x) + x·φ(x) (or the derivative of the tanh form when approximate = 'tanh')",
  paramKeys: ['approximate'],
  kernel: (o) => {
    const approximate = o.approximate ?? 'none';
    if (approximate === 'none') {
      return {
        forward: (x) => x * normalCdf(x),
        derivative: (x) => normalCdf(x) + x * normalPdf(x),
        params: {},
      };
    }
    if (approximate === 'tanh') {
      return {
        forward: (x) => 0.5 * x * (1 + Math.tanh(GELU_TANH_SCALE * (x + GELU_TANH_CUBIC * x * x * x))),
        derivative: (x) => {
          const t = Math.tanh(GELU_TANH_SCALE * (x + GELU_TANH_CUBIC * x * x * x));
          return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_TANH_SCALE * (1 + 3 * GELU_TANH_CUBIC * x * x);
        },
        params: {},
      };
    }
    throw new ArgumentError(`gelu: approximate must be 'none' or 'tanh', got ${describe(approximate)}`);
  },
});

/** GELU, x·Φ(x); `approximate: 'tanh'` for the tanh form. Rules: 'exact'. */
export function gelu(x: Tensor, options?: ActivationCallOptions<'gelu'>): Tensor {
  return applyActivation(GELU, x, options);
}

// ---- silu ----
const SILU = registerActivation<P['silu']>({
  name: 'silu',
  builtIn: true,
  description: 'x·σ(x) (SiLU, swish with β = 1)',
  exact: 'σ(x)·(1 + x(1 − σ(x)))',
  kernel: () => ({
    forward: (x) => x * logistic(x),
    derivative: (x) => {
      const s = logistic(x);
      return s * (1 + x * (1 - s));
    },
    params: {},
  }),
});

/** SiLU (swish), x·σ(x). Rules: 'exact'. */
export function silu(x: Tensor, options?: ActivationCallOptions<'silu'>): Tensor {
  return applyActivation(SILU, x, options);
}

// ---- mish ----
const MISH = registerActivation<P['mish']>({
  name: 'mish',
  builtIn: true,
  description: 'x·tanh(softplus(x)) (Misra 2019)',
  exact: 'tanh(sp(x)) + x·(1 − tanh²(sp(x)))·σ(x), sp = softplus',
  kernel: () => ({
    forward: (x) => x * Math.tanh(softplusFn(x)),
    derivative: (x) => {
      const t = Math.tanh(softplusFn(x));
      return t + x * (1 - t * t) * logistic(x);
    },
    params: {},
  }),
});

/** Mish, x·tanh(softplus(x)). Rules: 'exact'. */
export function mish(x: Tensor, options?: ActivationCallOptions<'mish'>): Tensor {
  return applyActivation(MISH, x, options);
}

// ---- softplus ----
const SOFTPLUS = registerActivation<P['softplus']>({
  name: 'softplus',
  builtIn: true,
  description: '(1/β)·log(1 + e^(βx)), and x where β·x > threshold (as PyTorch)',
  exact: 'σ(βx), and 1 where β·x > threshold',
  paramKeys: ['beta', 'threshold'],
  kernel: (o) => {
    const beta = numberParam('softplus', o, 'beta', 1, 'positive');
    const threshold = numberParam('softplus', o, 'threshold', 20, 'notNaN');
    return {
      forward: (x) => (beta * x > threshold ? x : softplusFn(beta * x) / beta),
      derivative: (x) => (beta * x > threshold ? 1 : logistic(beta * x)),
      params: { beta, threshold },
    };
  },
});

/** Softplus with `beta` > 0 (default 1) and linear above β·x > `threshold` (default 20). Rules: 'exact'. */
export function softplus(x: Tensor, options?: ActivationCallOptions<'softplus'>): Tensor {
  return applyActivation(SOFTPLUS, x, options);
}
