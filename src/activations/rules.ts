// The artificial (and exact) backward rules, as small parameterised factories written once and
// usable by any activation: `x.relu({ backward: rules.sigmoidShaped({ k: 2 }) })`,
// `x.tanh({ backward: rules.floorAdded({ c: 0.05 }) })`.
//
// Parameters are checked when the rule is made, so a bad slope fails at the call that wrote it,
// not deep inside a backward pass. Each description states the formula, the normalisation (peak
// height and area under h, which is what a surrogate for a step of height 1 should integrate to)
// and the value at the tie x = 0, and names the libraries that use the same name differently
// (see shared/reference/surrogates.md §2e).
//
// Surrogates for steps (heaviside, sign, round, quantize) read x as u = x − threshold.
import { RuleError } from '../errors';
import { ruleValidator } from '../validate';
import { bSiluScaleInto, guidedBackwardInto, sigmoidScaleInto, stepScaleInto } from '../nd';
import { sigmoid as logistic } from './math';
import {
  type AdaptiveRule,
  type BackwardRule,
  type BoundRule,
  type Derivative,
  type DerivativeFormula,
  type DerivativeRule,
  type ElementBackward,
  type LearnableBinding,
  type RuleChoice,
  type RuleTarget,
  attachKernel,
  declareFormula,
  deriveAffineKernel,
  rememberBlend,
  ruleLabel,
} from './rule';
import { type RuleParam, liveRule } from './learnable';
export { custom } from './learnable';

/**
 * Whether factory options hold a value that is not a plain number (a tensor or a schedule): then
 * the factory makes a live rule (learnable.ts). Written here, not imported: the built-in
 * activations call the factories while tensor.ts (which learnable.ts needs) is still loading.
 */
function hasLiveValue(options: object | undefined): boolean {
  if (options === undefined || options === null || typeof options !== 'object') return false;
  return Object.values(options).some((v) => typeof v === 'object' && v !== null);
}
import { Schedule } from './schedule';
export { batchNormalised, redirected } from './context';

// ---------------------------------------------------------------------------------------------
// Parameter checks
// ---------------------------------------------------------------------------------------------

// Every factory checks its options object (known keys only) and each parameter through the one
// validation module; a bad value is a RuleError naming the factory, the parameter and the value.

function ruleOptions(rule: string, options: unknown, keys: readonly string[]): void {
  ruleValidator(`rules.${rule}`).options(options, keys, { example: keys.length > 0 ? `{ ${keys[0]}: 1 }` : undefined });
}

function finite(rule: string, param: string, value: unknown): number {
  return ruleValidator(`rules.${rule}`).number(param, value as number);
}

function positive(rule: string, param: string, value: unknown): number {
  return ruleValidator(`rules.${rule}`).number(param, value as number, { min: 0, minOpen: true });
}

function nonNegative(rule: string, param: string, value: unknown): number {
  return ruleValidator(`rules.${rule}`).number(param, value as number, { min: 0 });
}

function derivativeRule(name: string, params: Record<string, number>, description: string, derivative: Derivative): DerivativeRule {
  return Object.freeze({ name, exact: false, description, params: Object.freeze(params), derivative });
}

/** `rule`, its derivative declared to compute formula `kind` with constants a and b (for fused loops, see declareFormula). */
function withFormula(rule: DerivativeRule, kind: DerivativeFormula['kind'], a: number, b: number): DerivativeRule {
  declareFormula(rule.derivative, { kind, a, b, offset: 0 });
  return rule;
}

function adaptiveRule(
  name: string,
  params: Record<string, number>,
  description: string,
  bind: (target: RuleTarget) => BoundRule,
  exact = false,
): AdaptiveRule {
  return Object.freeze({ name, exact, description, params: Object.freeze(params), bind });
}

// ---------------------------------------------------------------------------------------------
// The exact rule
// ---------------------------------------------------------------------------------------------

/** The activation's own derivative. Every activation registers it as `'exact'`, its default. */
export function exact(): AdaptiveRule {
  return adaptiveRule('exact', {}, "the activation's true derivative", (t) => ({ derivative: t.derivative }), true);
}

// ---------------------------------------------------------------------------------------------
// ReLU family
// ---------------------------------------------------------------------------------------------

/**
 * h(x) = σ(k·x): "the sigmoid as ReLU's derivative". After Hu, Zhang & Ge, "Handling Vanishing
 * Gradient Problem Using Artificial Derivative", IEEE Access 9 (2021); the formula is inferred
 * from the paper's figure as described secondhand (the full text was not checked), and `k` is
 * our parameter (k = 1 is the plain sigmoid).
 */
export function sigmoidShaped(options?: { k?: number }): DerivativeRule;
export function sigmoidShaped(options: { k?: RuleParam }): AdaptiveRule;
export function sigmoidShaped(options: { k?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('sigmoidShaped', options, (v) => sigmoidShaped(v));
  ruleOptions('sigmoidShaped', options, ['k']);
  const k = positive('sigmoidShaped', 'k', options.k ?? 1);
  const h: Derivative = (x) => logistic(k * x);
  // float32 fast path: the WASM SIMD kernel in src/nd (the same values to float32 rounding)
  attachKernel(h, (out, g, x) => sigmoidScaleInto(out, g, x, k));
  return derivativeRule(
    'sigmoidShaped',
    { k },
    `σ(k·x), k = ${k}: a smooth step in (0, 1) for ReLU, → 1 for x → ∞ and → 0 for x → −∞, 0.5 at the ` +
      "tie x = 0 (exact ReLU: 0). Hu, Zhang & Ge (IEEE Access 2021), formula inferred from the paper's figure.",
    h,
  );
}

/**
 * B-SiLU surrogate for ReLU (SUGAR, Horuz et al. 2025, arXiv:2505.22074): the derivative of
 * (x + α)·σ(x) − α/2, h(x) = σ(x) + (x + α)·σ(x)·(1 − σ(x)), α = 1.67 recommended.
 */
export function bSilu(options?: { alpha?: number }): DerivativeRule;
export function bSilu(options: { alpha?: RuleParam }): AdaptiveRule;
export function bSilu(options: { alpha?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('bSilu', options, (v) => bSilu(v));
  ruleOptions('bSilu', options, ['alpha']);
  const alpha = finite('bSilu', 'alpha', options.alpha ?? 1.67);
  return derivativeRule(
    'bSilu',
    { alpha },
    `σ(x) + (x + α)·σ(x)(1 − σ(x)), α = ${alpha}: derivative of B-SiLU (x + α)σ(x) − α/2 (SUGAR, Horuz et al. ` +
      `2025). 0.5 + α/4 at x = 0 (0.9175 at α = 1.67), peaks above 1 (≈ 1.29 near x = 1.5 at α = 1.67) and → 1 as ` +
      'x → ∞; slightly negative below about x = −α − 1 (minimum ≈ −0.024 at α = 1.67), → 0 as x → −∞.',
    bSiluDerivative(alpha),
  );
}

function bSiluDerivative(alpha: number): Derivative {
  const h: Derivative = (x) => {
    const s = logistic(x);
    return s + (x + alpha) * s * (1 - s);
  };
  attachKernel(h, (out, g, x) => bSiluScaleInto(out, g, x, alpha)); // float32: the WASM SIMD kernel, σ as in 'sigmoid'
  return h;
}

/** h(x) = 1 for x > 0, c otherwise: ReLU forward with a leaky backward. */
export function leakyBackward(options?: { c?: number }): DerivativeRule;
export function leakyBackward(options: { c?: RuleParam }): AdaptiveRule;
export function leakyBackward(options: { c?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('leakyBackward', options, (v) => leakyBackward(v));
  ruleOptions('leakyBackward', options, ['c']);
  const c = nonNegative('leakyBackward', 'c', options.c ?? 0.01);
  return derivativeRule(
    'leakyBackward',
    { c },
    `1 for x > 0, c = ${c} for x ≤ 0 (c at the tie): LeakyReLU's derivative under a ReLU forward ` +
      "(snnTorch LSO and SpikingJelly LeakyKReLU have the same shape).",
    leakyDerivative(c),
  );
}

function leakyDerivative(c: number): Derivative {
  const values = [c, 1]; // indexed by the 0/1 mask +(x > 0): no branch to mispredict on random signs
  const h: Derivative = (x) => values[+(x > 0)];
  attachKernel(h, (out, g, x) => stepScaleInto(out, g, x, 1, c)); // float32: relu exact's WASM step kernel
  return h;
}

/** h(x) = 1: the gradient passes unchanged (MadryLab's FakeReLU; the identity straight-through). */
export function identity(): DerivativeRule {
  const h: Derivative = () => 1;
  attachKernel(h, (out, g, x) => stepScaleInto(out, g, x, 1, 1)); // float32: relu exact's WASM step kernel
  return derivativeRule('identity', {}, '1 everywhere: the gradient passes through unchanged (identity straight-through, "FakeReLU").', h);
}

/**
 * Guided backpropagation (Springenberg et al. 2015): grad_in = g where x > 0 and g > 0, else 0.
 * Needs the upstream gradient, so it is a backward rule rather than a local derivative.
 */
export function guided(): BackwardRule {
  const backward: ElementBackward = (g, x) => (x > 0 && g > 0 ? g : 0);
  attachKernel(backward, (out, g, x) => guidedBackwardInto(out, g, x)); // float32: the same values on WASM SIMD
  return Object.freeze({
    name: 'guided',
    exact: false,
    description: 'guided backprop: passes g where x > 0 and g > 0, else 0 (0 at both ties); for saliency maps, not training.',
    params: Object.freeze({}),
    backward,
  });
}

// ---------------------------------------------------------------------------------------------
// Non-vanishing derivatives for saturating activations (sigmoid, tanh, any with an exact f')
// ---------------------------------------------------------------------------------------------

/** h = f'(x) + c (Roodschild, Gotay Sardiñas & Will 2020, for sigmoid); works for any activation. */
export function floorAdded(options?: { c?: RuleParam }): AdaptiveRule;
export function floorAdded(options: { c?: RuleParam } = {}): AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('floorAdded', options, (v) => floorAdded(v));
  ruleOptions('floorAdded', options, ['c']);
  const c = nonNegative('floorAdded', 'c', options.c ?? 0.1);
  return adaptiveRule(
    'floorAdded',
    { c },
    `f'(x) + c, c = ${c}: the exact derivative lifted by a constant so it never vanishes (Roodschild et al. 2020; ` +
      `their c was not checked). Peak f'max + c; area unbounded.`,
    (t) => {
      const d = t.derivative;
      const derivative: Derivative = (u, y) => d(u, y) + c;
      deriveAffineKernel(derivative, d, 1, c); // d's float32 fast path, if it has one, lifted by c
      return { derivative };
    },
  );
}

/** h = max(f'(x), c): the exact derivative with a floor. */
export function floored(options?: { c?: RuleParam }): AdaptiveRule;
export function floored(options: { c?: RuleParam } = {}): AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('floored', options, (v) => floored(v));
  ruleOptions('floored', options, ['c']);
  const c = nonNegative('floored', 'c', options.c ?? 0.1);
  return adaptiveRule(
    'floored',
    { c },
    `max(f'(x), c), c = ${c}: the exact derivative, but never below c. Peak unchanged (when c ≤ f'max); area unbounded.`,
    (t) => {
      const d = t.derivative;
      return { derivative: (u, y) => Math.max(d(u, y), c) };
    },
  );
}

/** h = f'(x) / max f': the exact derivative scaled to peak 1 (4·σ'(x) for sigmoid, tanh unchanged). */
export function peakNormalised(): AdaptiveRule {
  return adaptiveRule(
    'peakNormalised',
    {},
    "f'(x) / max f': the exact derivative scaled so its peak is 1 (sigmoid: 4σ'(x), area 4; tanh: unchanged).",
    (t) => {
      const peak = t.derivativePeak;
      if (peak === undefined || !(peak > 0) || !Number.isFinite(peak)) {
        throw new RuleError(
          `rules.peakNormalised: '${t.activation}' declares no peak of its derivative; it is known for sigmoid, tanh, ` +
            'softsign, hardtanh, hardSigmoid, relu6 (or pass derivativePeak to defineActivation)',
        );
      }
      const d = t.derivative;
      const scale = 1 / peak;
      const derivative: Derivative = (u, y) => d(u, y) * scale;
      deriveAffineKernel(derivative, d, scale, 0); // d's float32 fast path, if it has one, scaled
      return { derivative };
    },
  );
}

/** h(x) = f'(x / w): the exact derivative stretched w times wider, same peak (area × w). */
export function widened(options?: { w?: RuleParam }): AdaptiveRule;
export function widened(options: { w?: RuleParam } = {}): AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('widened', options, (v) => widened(v));
  ruleOptions('widened', options, ['w']);
  const w = finite('widened', 'w', options.w ?? 2);
  if (!(w >= 1)) throw new RuleError(`rules.widened: w must be ≥ 1 (w = 1 is the exact derivative), got ${w}`);
  return adaptiveRule(
    'widened',
    { w },
    `f'(x / w), w = ${w}: the exact derivative with the same peak and w times wider support (area × w).`,
    (t) => {
      const { derivative: d, forward: f } = t;
      return {
        derivative: (u) => {
          const v = u / w;
          return d(v, f(v));
        },
      };
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Surrogates for the Heaviside step (spiking units). u = x − threshold.
// ---------------------------------------------------------------------------------------------

/** h(u) = 1 / (1 + slope·|u|)²: snnTorch's fast_sigmoid (Zenke & Ganguli 2018). */
export function fastSigmoid(options?: { slope?: number }): DerivativeRule;
export function fastSigmoid(options: { slope?: RuleParam }): AdaptiveRule;
export function fastSigmoid(options: { slope?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('fastSigmoid', options, (v) => fastSigmoid(v));
  ruleOptions('fastSigmoid', options, ['slope']);
  const slope = positive('fastSigmoid', 'slope', options.slope ?? 25);
  const rule = derivativeRule(
    'fastSigmoid',
    { slope },
    `1/(1 + k|u|)², k = ${slope}: peak 1 at u = 0, area 2/k (${2 / slope}); snnTorch fast_sigmoid (same default). ` +
      "Norse's SuperSpike is this with k = 100; SpikingJelly's SoftSign has unit area.",
    (u) => {
      const d = 1 + slope * Math.abs(u);
      return 1 / (d * d);
    },
  );
  return withFormula(rule, 'inverseSquare', slope, 0);
}

/** h(u) = (α/2) / (1 + (π·α·u/2)²): the derivative of (1/π)·atan(π·α·u/2) + 1/2 (Fang et al. 2021). */
export function atan(options?: { alpha?: number }): DerivativeRule;
export function atan(options: { alpha?: RuleParam }): AdaptiveRule;
export function atan(options: { alpha?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('atan', options, (v) => atan(v));
  ruleOptions('atan', options, ['alpha']);
  const alpha = positive('atan', 'alpha', options.alpha ?? 2);
  const half = alpha / 2;
  const scale = (Math.PI * alpha) / 2;
  const rule = derivativeRule(
    'atan',
    { alpha },
    `(α/2)/(1 + (παu/2)²), α = ${alpha}: peak α/2 at u = 0, area 1. snnTorch and SpikingJelly code agree ` +
      "(snnTorch's docstring omits the α/2 factor).",
    (u) => {
      const z = scale * u;
      return half / (1 + z * z);
    },
  );
  return withFormula(rule, 'atan', half, scale);
}

/** h(u) = k·σ(k·u)·(1 − σ(k·u)): the derivative of σ(k·u), in the form that cannot overflow. */
export function sigmoidSurrogate(options?: { slope?: number }): DerivativeRule;
export function sigmoidSurrogate(options: { slope?: RuleParam }): AdaptiveRule;
export function sigmoidSurrogate(options: { slope?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('sigmoidSurrogate', options, (v) => sigmoidSurrogate(v));
  ruleOptions('sigmoidSurrogate', options, ['slope']);
  const slope = positive('sigmoidSurrogate', 'slope', options.slope ?? 4);
  return derivativeRule(
    'sigmoidSurrogate',
    { slope },
    `k·σ(ku)(1 − σ(ku)), k = ${slope}: derivative of σ(ku), peak k/4 at u = 0, area 1 (SpikingJelly Sigmoid, ` +
      "default k = 4; snnTorch sigmoid uses k = 25). Not relu's 'sigmoid' rule, which is σ(kx) itself.",
    (u) => {
      const s = logistic(slope * u);
      return slope * s * (1 - s);
    },
  );
}

/** h(u) = max(0, α − α²·|u|): a hat of unit area (SpikingJelly's PiecewiseQuadratic). */
export function triangle(options?: { alpha?: number }): DerivativeRule;
export function triangle(options: { alpha?: RuleParam }): AdaptiveRule;
export function triangle(options: { alpha?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('triangle', options, (v) => triangle(v));
  ruleOptions('triangle', options, ['alpha']);
  const alpha = positive('triangle', 'alpha', options.alpha ?? 1);
  const rule = derivativeRule(
    'triangle',
    { alpha },
    `max(0, α − α²|u|), α = ${alpha}: a hat with peak α at u = 0, support |u| < 1/α, area 1 (SpikingJelly ` +
      "PiecewiseQuadratic). Norse's triangle α·max(0, 1 − |u|) has area α; snnTorch's `triangular` is not a hat.",
    (u) => Math.max(0, alpha - alpha * alpha * Math.abs(u)),
  );
  return withFormula(rule, 'triangle', alpha, 0);
}

/** h(u) = exp(−u² / 2σ²) / (σ·√(2π)): the normal density, unit area. */
export function gaussian(options?: { sigma?: number }): DerivativeRule;
export function gaussian(options: { sigma?: RuleParam }): AdaptiveRule;
export function gaussian(options: { sigma?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('gaussian', options, (v) => gaussian(v));
  ruleOptions('gaussian', options, ['sigma']);
  const sigma = positive('gaussian', 'sigma', options.sigma ?? 0.5);
  const peak = 1 / (sigma * Math.sqrt(2 * Math.PI));
  const k = 1 / (2 * sigma * sigma);
  const rule = derivativeRule(
    'gaussian',
    { sigma },
    `exp(−u²/2σ²)/(σ√(2π)), σ = ${sigma}: the normal density, peak ${peak.toPrecision(4)} at u = 0, area 1 ` +
      "(sinabs' Gaussian also defaults to σ = 0.5; Norse's heavi_erfc is a Gaussian with peak 2/√π instead).",
    (u) => peak * Math.exp(-k * u * u),
  );
  return withFormula(rule, 'gaussian', peak, k);
}

/** h(u) = 1/width for |u| < width/2, else 0: a rectangle of unit area (SpikingJelly's Rect). */
export function boxcar(options?: { width?: number }): DerivativeRule;
export function boxcar(options: { width?: RuleParam }): AdaptiveRule;
export function boxcar(options: { width?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('boxcar', options, (v) => boxcar(v));
  ruleOptions('boxcar', options, ['width']);
  const width = positive('boxcar', 'width', options.width ?? 1);
  const half = width / 2;
  const height = 1 / width;
  const rule = derivativeRule(
    'boxcar',
    { width },
    `1/w for |u| < w/2 (0 at the edges), w = ${width}: peak 1/w, area 1 (SpikingJelly Rect with α = 1/w).`,
    (u) => (Math.abs(u) < half ? height : 0),
  );
  return withFormula(rule, 'boxcar', half, height);
}

/** h(u) = 1 / (1 + α·|u|)²: SuperSpike (Zenke & Ganguli 2018) with Norse's default α = 100. */
export function superSpike(options?: { alpha?: number }): DerivativeRule;
export function superSpike(options: { alpha?: RuleParam }): AdaptiveRule;
export function superSpike(options: { alpha?: RuleParam } = {}): DerivativeRule | AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('superSpike', options, (v) => superSpike(v));
  ruleOptions('superSpike', options, ['alpha']);
  const alpha = positive('superSpike', 'alpha', options.alpha ?? 100);
  const rule = derivativeRule(
    'superSpike',
    { alpha },
    `1/(1 + α|u|)², α = ${alpha}: peak 1 at u = 0, area 2/α (Norse's SuperSpike, default α = 100; the same ` +
      "formula as fastSigmoid). SpikingJelly's SuperSpike is α/(1 + |u|)², where α scales instead.",
    (u) => {
      const d = 1 + alpha * Math.abs(u);
      return 1 / (d * d);
    },
  );
  return withFormula(rule, 'inverseSquare', alpha, 0);
}

// ---------------------------------------------------------------------------------------------
// Straight-through estimators (sign, round, quantize, and the step)
// ---------------------------------------------------------------------------------------------

/** h = 1 everywhere (Hinton 2012; Bengio, Léonard & Courville 2013). */
export function straightThrough(): DerivativeRule {
  return derivativeRule(
    'straightThrough',
    {},
    'straight-through estimator: 1 everywhere (peak 1, area unbounded), the gradient is copied unchanged.',
    () => 1,
  );
}

/**
 * h = 1 where min ≤ u ≤ max, else 0: the derivative of hardtanh, as in binarized nets (Hubara et
 * al. 2016). Without bounds it uses the activation's own range (quantize's `range`), else [−1, 1].
 */
export function clippedStraightThrough(options?: { min?: RuleParam; max?: RuleParam }): AdaptiveRule;
export function clippedStraightThrough(options: { min?: RuleParam; max?: RuleParam } = {}): AdaptiveRule {
  if (hasLiveValue(options)) return liveRule('clippedStraightThrough', options, (v) => clippedStraightThrough(v));
  ruleOptions('clippedStraightThrough', options, ['min', 'max']);
  const given = options.min !== undefined || options.max !== undefined;
  const min = finite('clippedStraightThrough', 'min', options.min ?? -1);
  const max = finite('clippedStraightThrough', 'max', options.max ?? 1);
  if (!(min < max)) throw new RuleError(`rules.clippedStraightThrough: min (${min}) must be below max (${max})`);
  return adaptiveRule(
    'clippedStraightThrough',
    given ? { min, max } : {},
    `clipped straight-through: 1 for ${given ? `${min} ≤ u ≤ ${max}` : "u inside the activation's range ([−1, 1] unless it has one)"} ` +
      '(inclusive), 0 outside (BNN hardtanh STE); peak 1, area = the width of the band.',
    (t) => {
      const [lo, hi] = given ? [min, max] : (t.passBand ?? [-1, 1]);
      return { derivative: (u) => (u >= lo && u <= hi ? 1 : 0), label: `clippedStraightThrough(min=${lo}, max=${hi})` };
    },
  );
}

/** ApproxSign (Bi-Real Net, Liu et al. 2018): h = 2 − 2|u| on |u| < 1, else 0. */
export function approxSign(): DerivativeRule {
  return derivativeRule(
    'approxSign',
    {},
    'ApproxSign: 2 + 2u on [−1, 0), 2 − 2u on [0, 1), 0 elsewhere (Bi-Real Net); peak 2 at u = 0, area 2 = the jump of sign.',
    (u) => Math.max(0, 2 - 2 * Math.abs(u)),
  );
}

// ---------------------------------------------------------------------------------------------
// Combining rules
// ---------------------------------------------------------------------------------------------

/**
 * (1 − λ)·A + λ·B: λ = 0 is rule A, λ = 1 is rule B. λ may be a function, read each time the
 * activation is recorded, to anneal during training: `blend('sigmoid', 'exact', () => step / total)`.
 * A and B may be names (resolved for the activation the blend is applied to), rules or inline rules.
 */
export function blend(ruleA: RuleChoice, ruleB: RuleChoice, lambda: number | (() => number) | Schedule): AdaptiveRule {
  const fixed = typeof lambda === 'number';
  if (fixed) checkLambda(lambda);
  else if (lambda instanceof Schedule) {
    for (const t of [0, lambda.t]) checkLambda(lambda.valueAt(t), `(its schedule ${lambda.toString()} gives it at t = ${t})`);
  } else if (typeof lambda !== 'function') {
    throw new RuleError(`rules.blend: lambda must be a number in [0, 1], a schedule, or a function returning a number in [0, 1], got ${typeof lambda}`);
  }
  const nameA = choiceName(ruleA);
  const nameB = choiceName(ruleB);
  const bothExact = isExactChoice(ruleA) && isExactChoice(ruleB);
  const shown = fixed ? String(lambda) : lambda instanceof Schedule ? `following ${lambda.toString().replace(/, t = \d+$/, '')}` : 'read from a function when recorded';
  const rule = adaptiveRule(
    `blend(${nameA}, ${nameB})`,
    fixed ? { lambda } : {},
    `(1 − λ)·${nameA} + λ·${nameB}, λ = ${shown}: interpolates two rules.`,
    (t) => {
      const l = fixed
        ? lambda
        : lambda instanceof Schedule
          ? checkLambda(lambda.value(), `on ${t.activation} (from its schedule at t = ${lambda.t})`)
          : checkLambda(lambda(), `on ${t.activation} (returned by its λ function)`);
      const label = `blend(${nameA}, ${nameB}, lambda=${l})`;
      if (l === 0) return { ...t.bind(ruleA), label };
      if (l === 1) return { ...t.bind(ruleB), label };
      return mix(t.bind(ruleA), t.bind(ruleB), l, label);
    },
    bothExact,
  );
  rememberBlend(rule, { a: ruleA, b: ruleB, lambda });
  return rule;
}

function checkLambda(value: number, where = ''): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RuleError(`rules.blend${where === '' ? '' : ` ${where}`}: lambda must be in [0, 1], got ${String(value)}`);
  }
  return value;
}

function mix(a: BoundRule, b: BoundRule, l: number, label: string): BoundRule {
  const wa = 1 - l;
  if (a.derivative !== undefined && b.derivative !== undefined) {
    const ha = a.derivative;
    const hb = b.derivative;
    // learnable parts: S = (1 − λ)S_A + λS_B, so each part's ∂S/∂ρ is weighted like its h
    const scaled = (binding: LearnableBinding | undefined, w: number): LearnableBinding =>
      binding === undefined ? { tensors: [], dS: [] } : { tensors: binding.tensors, dS: binding.dS.map((d) => (x: number, y: number) => w * d(x, y)) };
    const la = scaled(a.learnable, wa);
    const lb = scaled(b.learnable, l);
    const learnable = la.tensors.length + lb.tensors.length === 0 ? undefined : { tensors: [...la.tensors, ...lb.tensors], dS: [...la.dS, ...lb.dS] };
    return { derivative: (x, y) => wa * ha(x, y) + l * hb(x, y), label, learnable };
  }
  if (a.learnable !== undefined || b.learnable !== undefined) {
    throw new RuleError(`rules.blend: ${label} mixes a rule with a learnable parameter and a backward rule; a learnable parameter needs a local derivative on both sides`);
  }
  const ba = asBackward(a, label);
  const bb = asBackward(b, label);
  return { backward: (g, x, y) => wa * ba(g, x, y) + l * bb(g, x, y), label };
}

function asBackward(rule: BoundRule, label: string): ElementBackward {
  if (rule.backward !== undefined) return rule.backward;
  if (rule.context !== undefined) {
    throw new RuleError(`rules.blend: ${label} mixes a context rule (a whole-tensor backward), which a blend cannot interpolate elementwise; use it alone`);
  }
  const h = rule.derivative;
  return (g, x, y) => g * h(x, y);
}

function choiceName(choice: RuleChoice): string {
  if (typeof choice === 'string') return choice;
  if ('exact' in choice && typeof choice.name === 'string') return ruleLabel(choice);
  return 'inline';
}

function isExactChoice(choice: RuleChoice): boolean {
  if (typeof choice === 'string') return choice === 'exact';
  return 'exact' in choice && choice.exact === true;
}
