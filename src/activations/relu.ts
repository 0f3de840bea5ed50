// The ReLU family: relu, leakyRelu, relu6, elu, selu, celu. Each: forward, exact derivative (with
// its value at the kink, as PyTorch has it) and its named rules, in one definition.
import type { Tensor } from '../tensor';
import { reluInto, stepScaleInto } from '../nd';
import { type Derivative, attachAffineKernel } from './rule';
import type { ActivationCallOptions, BuiltinActivationParams as P } from './names';
import { numberParam } from './params';
import { registerActivation } from './registry';
import { applyActivation } from './engine';
import * as rules from './rules';

// ---- relu ----
const RELU = registerActivation<P['relu']>({
  name: 'relu',
  builtIn: true,
  description: 'max(0, x)',
  exact: '1 for x > 0, 0 for x ≤ 0 (0 at the kink, as PyTorch)',
  kernel: () => ({
    forward: (x) => (x < 0 ? 0 : x),
    // Branch-free: with random signs a `v < 0 ? 0 : v` branch mispredicts half the time, and
    // +(v > 0) is a 0/1 mask (about 2× faster on a [128, 256] batch). `+ 0` turns −0 into 0; NaN
    // stays NaN; −∞ needs its own (always predicted) test because −∞ · 0 is NaN.
    forwardLoop: (x, y) => {
      if (reluInto(y, x)) return; // float32: the same values from the WASM SIMD kernel
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        y[i] = v === -Infinity ? 0 : v * +(v > 0) + 0;
      }
    },
    // float32 fast path: the WASM step kernel, shared with every rule of the same two-level shape
    // ('leaky', 'identity', floorAdded/peakNormalised of this derivative) so each costs what exact
    // costs; 'sigmoid', 'bSilu' and 'guided' have WASM kernels of their own (rules.ts), so that no
    // relu rule falls back to a JS loop on float32 (issue 11's rule-cost ratio).
    derivative: reluDerivative(),
    params: {},
    derivativePeak: 1,
  }),
  rules: {
    sigmoid: rules.sigmoidShaped({ k: 1 }),
    bSilu: rules.bSilu(),
    leaky: rules.leakyBackward(),
    identity: rules.identity(),
    guided: rules.guided(),
  },
});

/** relu's exact derivative 1[x > 0], with its float32 fast path g·(scale·1[x > 0] + shift). */
function reluDerivative(): Derivative {
  const h: Derivative = (x) => +(x > 0);
  attachAffineKernel(h, (out, g, x, _y, scale, shift) => stepScaleInto(out, g, x, scale + shift, shift));
  return h;
}

/**
 * ReLU, max(0, x). Backward rules: 'exact' (1[x > 0]), 'sigmoid' (σ(x), after Hu et al. 2021),
 * 'bSilu' (SUGAR), 'leaky' (c = 0.01 below 0), 'identity' (straight-through), 'guided'.
 */
export function relu(x: Tensor, options?: ActivationCallOptions<'relu'>): Tensor {
  return applyActivation(RELU, x, options);
}

// ---- leakyRelu ----
const LEAKY_RELU = registerActivation<P['leakyRelu']>({
  name: 'leakyRelu',
  builtIn: true,
  description: 'x for x > 0, slope·x otherwise',
  exact: '1 for x > 0, slope for x ≤ 0 (slope at the kink, as PyTorch)',
  paramKeys: ['slope'],
  kernel: (o) => {
    const slope = numberParam('leakyRelu', o, 'slope', 0.01);
    return {
      forward: (x) => (x > 0 ? x : slope * x),
      derivative: (x) => (x > 0 ? 1 : slope),
      params: { slope },
      derivativePeak: Math.max(1, slope),
    };
  },
  rules: { identity: rules.identity() },
});

/** Leaky ReLU with negative-side `slope` (default 0.01). Rules: 'exact', 'identity'. */
export function leakyRelu(x: Tensor, options?: ActivationCallOptions<'leakyRelu'>): Tensor {
  return applyActivation(LEAKY_RELU, x, options);
}

// ---- relu6 ----
const RELU6 = registerActivation<P['relu6']>({
  name: 'relu6',
  builtIn: true,
  description: 'min(max(0, x), 6)',
  exact: '1 for 0 < x < 6, 0 elsewhere (0 at both kinks, as PyTorch)',
  kernel: () => ({
    forward: (x) => (x < 0 ? 0 : x > 6 ? 6 : x),
    derivative: (x) => (x > 0 && x < 6 ? 1 : 0),
    params: {},
    derivativePeak: 1,
    passBand: [0, 6],
  }),
  rules: { identity: rules.identity(), floorAdded: rules.floorAdded(), floored: rules.floored() },
});

/** ReLU6, min(max(0, x), 6). Rules: 'exact', 'identity', 'floorAdded', 'floored'. */
export function relu6(x: Tensor, options?: ActivationCallOptions<'relu6'>): Tensor {
  return applyActivation(RELU6, x, options);
}

// ---- elu ----
const ELU = registerActivation<P['elu']>({
  name: 'elu',
  builtIn: true,
  description: 'x for x > 0, α(eˣ − 1) otherwise',
  exact: '1 for x > 0, α·eˣ = y + α for x ≤ 0 (α at 0, as PyTorch)',
  paramKeys: ['alpha'],
  kernel: (o) => {
    const alpha = numberParam('elu', o, 'alpha', 1);
    return {
      forward: (x) => (x > 0 ? x : alpha * Math.expm1(x)),
      derivative: (x, y) => (x > 0 ? 1 : y + alpha),
      params: { alpha },
    };
  },
});

/** ELU (Clevert et al. 2016) with saturation `alpha` (default 1). Rules: 'exact'. */
export function elu(x: Tensor, options?: ActivationCallOptions<'elu'>): Tensor {
  return applyActivation(ELU, x, options);
}

// ---- selu ----
/** SELU's constants (Klambauer et al. 2017), as in PyTorch. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
/** SELU's scale λ ≈ 1.0507 (Klambauer et al. 2017). */
export const SELU_SCALE = 1.0507009873554804934193349852946;

const SELU = registerActivation<P['selu']>({
  name: 'selu',
  builtIn: true,
  description: 'λ·x for x > 0, λα(eˣ − 1) otherwise, λ ≈ 1.0507, α ≈ 1.6733',
  exact: 'λ for x > 0, λα·eˣ = y + λα for x ≤ 0',
  kernel: () => ({
    forward: (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x)),
    derivative: (x, y) => (x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA),
    params: {},
  }),
});

/** SELU, self-normalising (λ = 1.0507…, α = 1.6733…). Rules: 'exact'. */
export function selu(x: Tensor, options?: ActivationCallOptions<'selu'>): Tensor {
  return applyActivation(SELU, x, options);
}

// ---- celu ----
const CELU = registerActivation<P['celu']>({
  name: 'celu',
  builtIn: true,
  description: 'max(0, x) + min(0, α(e^(x/α) − 1))',
  exact: '1 for x > 0, e^(x/α) = y/α + 1 for x ≤ 0 (1 at 0)',
  paramKeys: ['alpha'],
  kernel: (o) => {
    const alpha = numberParam('celu', o, 'alpha', 1, 'positive');
    return {
      forward: (x) => (x > 0 ? x : alpha * Math.expm1(x / alpha)),
      derivative: (x, y) => (x > 0 ? 1 : y / alpha + 1),
      params: { alpha },
    };
  },
});

/** CELU (Barron 2017) with `alpha` > 0 (default 1). Rules: 'exact'. */
export function celu(x: Tensor, options?: ActivationCallOptions<'celu'>): Tensor {
  return applyActivation(CELU, x, options);
}
