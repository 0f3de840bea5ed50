// What a backward rule is. A rule replaces an activation's derivative f'(x) in backpropagation;
// the forward value never changes. Three shapes, all plain objects:
//
//   - a local derivative h(x, y) (x the input, y = f(x) the output): the engine computes
//     grad_in = grad_out · h(x, y) in one fused loop, whatever the rule;
//   - an elementwise backward b(g, x, y) for rules that need the upstream gradient g (guided
//     backprop): grad_in = b(g, x, y), same loop;
//   - an adaptive rule, bound to the activation it is applied to (its exact derivative, its
//     parameters): "floor-added f' + c" is written once and works for sigmoid, tanh or any
//     activation, including ones a user defines.
//
// A rule is resolved and bound when the op is recorded; the tape record keeps the bound function,
// so changing a setting afterwards never changes a graph already built.
import { RuleError } from '../errors';
import type { FloatArray } from '../nd';
import type { Tensor } from '../tensor';
import type { Schedule } from './schedule';
import { describeValue } from '../validate';

/** A local derivative: h(x, y), with x the input and y = f(x) the forward output. */
export type Derivative = (x: number, y: number) => number;

/** A full elementwise backward: the input gradient from the upstream gradient g, x and y. */
export type ElementBackward = (g: number, x: number, y: number) => number;

/** What every rule says about itself (and what `listRules` reports). */
export interface RuleInfo {
  /** The rule's name: its registry key, or the factory's name for a rule made by a factory. */
  readonly name: string;
  /** True only for the activation's true derivative. */
  readonly exact: boolean;
  /** One line: the formula, its normalisation (peak, area), the tie at 0, the source. */
  readonly description: string;
  /** The numeric parameters the rule was made with. */
  readonly params: Readonly<Record<string, number>>;
}

/** A rule given by its local derivative h(x, y); grad_in = grad_out · h(x, y). */
export interface DerivativeRule extends RuleInfo {
  /** The local derivative h(x, y): grad_in = grad_out · h(x, y). */
  readonly derivative: Derivative;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly backward?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly bind?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly context?: undefined;
}

/** A rule that needs the upstream gradient: grad_in = backward(g, x, y), elementwise. */
export interface BackwardRule extends RuleInfo {
  /** The elementwise backward: grad_in = backward(g, x, y). */
  readonly backward: ElementBackward;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly derivative?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly bind?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly context?: undefined;
}

/** What a rule with context sees besides the arrays: the step count and the training flag. */
export interface RuleContext {
  /** The step count: from a `RuleSchedule` attached to the model, or `withRuleContext`; 0 otherwise. */
  readonly step: number;
  /** The calling layer's training flag (true outside layers, unless `withRuleContext` says otherwise). */
  readonly training: boolean;
}

/**
 * A whole-tensor backward (context.ts): the upstream gradient `g`, the input `x` and output `y` as
 * contiguous arrays of `shape` (the first axis is the batch), and the context; returns the input
 * gradient, one number per element. Used for rules that need batch statistics.
 */
export type ContextBackward = (
  g: FloatArray,
  x: FloatArray,
  y: FloatArray,
  shape: readonly number[],
  context: RuleContext,
) => FloatArray | readonly number[];

/** A rule given by a whole-tensor backward with context (batch statistics, the step, the training flag). */
export interface ContextRule extends RuleInfo {
  /** The whole-tensor backward with context. */
  readonly context: ContextBackward;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly derivative?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly backward?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly bind?: undefined;
}

/**
 * The learnable parameters of a bound rule (learnable.ts): the tensors that receive a gradient,
 * and for each, ∂S/∂ρ(x, y) at one element (S the smooth function whose derivative the rule is,
 * ρ the tensor's stored value; the reparameterisation's chain factor is included).
 */
export interface LearnableBinding {
  /** The tensors that receive a gradient. */
  readonly tensors: readonly Tensor[];
  /** For each tensor, ∂S/∂ρ(x, y) at one element. */
  readonly dS: readonly Derivative[];
}

/** A rule made concrete for one activation call: a local derivative, an elementwise backward, or a context backward. */
export type BoundRule =
  | {
      readonly derivative: Derivative;
      readonly backward?: undefined;
      readonly context?: undefined;
      readonly label?: string;
      /** Learnable parameters, when the rule has any (their gradient is Σ g·∂S/∂ρ). */
      readonly learnable?: LearnableBinding;
    }
  | { readonly backward: ElementBackward; readonly derivative?: undefined; readonly context?: undefined; readonly label?: string; readonly learnable?: undefined }
  | { readonly context: ContextBackward; readonly derivative?: undefined; readonly backward?: undefined; readonly label?: string; readonly learnable?: undefined };

/**
 * What an adaptive rule sees of the activation it is bound to. All functions take u = x − centre
 * (the centre is the heaviside threshold, 0 for every other built-in), so a rule written for a
 * step at 0 works for any threshold.
 */
export interface RuleTarget {
  /** The activation's name. */
  readonly activation: string;
  /** Its numeric parameters for this call (defaults filled in). */
  readonly params: Readonly<Record<string, number>>;
  /** The forward function. */
  readonly forward: (u: number) => number;
  /** The exact derivative, as a local derivative h(u, y). */
  readonly derivative: Derivative;
  /** The maximum of the exact derivative, when the activation declares one (sigmoid: 1/4). */
  readonly derivativePeak?: number;
  /** Where a clipped straight-through estimator passes the gradient by default (quantize: its range). */
  readonly passBand?: readonly [number, number];
  /** Bind another choice (a name registered for this activation, a rule, an inline rule) here. */
  bind(choice: RuleChoice): BoundRule;
}

/** A rule specialised when it is applied: it may read the activation's exact derivative and parameters. */
export interface AdaptiveRule extends RuleInfo {
  /** Specialise the rule for the activation it is applied to. */
  readonly bind: (target: RuleTarget) => BoundRule;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly derivative?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly backward?: undefined;
  /** Absent: a rule has exactly one of derivative, backward, context and bind. */
  readonly context?: undefined;
}

/** A backward rule: the local derivative (or a full backward function) an activation uses in backpropagation, with its name, parameters, `exact` flag and description. */
export type Rule = DerivativeRule | BackwardRule | AdaptiveRule | ContextRule;

/** A rule written in place, without a name: `x.relu({ backward: { derivative: (x) => ... } })`. */
export type InlineRule =
  | { readonly derivative: Derivative; readonly name?: undefined }
  | { readonly backward: ElementBackward; readonly name?: undefined }
  | { readonly context: ContextBackward; readonly name?: undefined };

/** How a backward rule is chosen: a registered name, a rule object, or an inline rule. */
export type RuleChoice = string | Rule | InlineRule;

/** The options every activation takes. */
export interface ActivationOptions {
  /** The backward rule for this call; beats `withBackward` scopes and `setBackward`. */
  backward?: RuleChoice;
}

/** Whether a value is a rule object (named, with an `exact` flag). */
export function isRule(value: unknown): value is Rule {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Rule>;
  const kinds =
    Number(typeof r.derivative === 'function') +
    Number(typeof r.backward === 'function') +
    Number(typeof r.bind === 'function') +
    Number(typeof r.context === 'function');
  return typeof r.name === 'string' && typeof r.exact === 'boolean' && kinds === 1;
}

/**
 * Check a value used as a rule (a user's object) and give it a name when it has none. Throws a
 * RuleError naming `context` when it is neither a rule nor an inline rule.
 */
export function toRule(value: unknown, context: string): Rule {
  if (isRule(value)) return value;
  if (typeof value === 'object' && value !== null && !('name' in value && typeof value.name === 'string')) {
    const v = value as { derivative?: unknown; backward?: unknown; context?: unknown };
    if (typeof v.context === 'function' && v.derivative === undefined && v.backward === undefined) {
      return { name: 'inline', exact: false, description: 'an inline context backward', params: {}, context: v.context as ContextBackward };
    }
    if (typeof v.derivative === 'function' && v.backward === undefined) {
      return { name: 'inline', exact: false, description: 'an inline local derivative', params: {}, derivative: v.derivative as Derivative };
    }
    if (typeof v.backward === 'function' && v.derivative === undefined) {
      return { name: 'inline', exact: false, description: 'an inline backward', params: {}, backward: v.backward as ElementBackward };
    }
  }
  throw new RuleError(
    `${context}: expected a rule name, a rule from the \`rules\` factories, or an inline rule ` +
      `{ derivative: (x, y) => number } / { backward: (g, x, y) => number } / { context: (g, x, y, shape, ctx) => array }; got ${describeValue(value)}`,
  );
}

/** Bind a rule object to a target: adaptive rules specialise themselves, the others are ready as they are. */
export function bindRule(rule: Rule, target: RuleTarget): BoundRule {
  return rule.bind !== undefined ? rule.bind(target) : rule;
}

/** `name` or `name(k=2, c=0.1)`: how a rule appears on the tape. */
export function ruleLabel(rule: RuleInfo): string {
  const entries = Object.entries(rule.params);
  if (entries.length === 0) return rule.name;
  return `${rule.name}(${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

/** What `rules.blend` was made from; kept beside the rule (not in it) so that checkpoints can save a blend as its parts. */
export interface BlendParts {
  readonly a: RuleChoice;
  readonly b: RuleChoice;
  readonly lambda: number | (() => number) | Schedule;
}

const blendParts = new WeakMap<object, BlendParts>();

/** Remember the parts of a rule made by `rules.blend`. */
export function rememberBlend(rule: object, parts: BlendParts): void {
  blendParts.set(rule, parts);
}

/** The parts of a rule made by `rules.blend`, or undefined for any other rule. */
export function blendPartsOf(rule: object): BlendParts | undefined {
  return blendParts.get(rule);
}

/**
 * An optional fast path for a local derivative h or an elementwise backward b: out[i] = g[i] ·
 * h(x[i], y[i]) (or b(g[i], x[i], y[i])) over whole float32 arrays of one length, returning false
 * (having written nothing) when it cannot run, so the engine's usual loop runs instead. Attached
 * to the function itself, not to the rule object: a rule copied with another derivative, a blend,
 * or a centre-shifted wrapper is a different function and so never inherits it.
 */
export type ElementKernel = (out: Float32Array, g: Float32Array, x: Float32Array, y: Float32Array) => boolean;

const elementKernels = new WeakMap<Derivative | ElementBackward, ElementKernel>();

/** Declare `kernel` an exact (to float32 rounding) fast path for derivative or elementwise backward `f`. */
export function attachKernel(f: Derivative | ElementBackward, kernel: ElementKernel): void {
  elementKernels.set(f, kernel);
}

/** The fast path declared for derivative or elementwise backward `f`, if any. */
export function kernelOf(f: Derivative | ElementBackward): ElementKernel | undefined {
  return elementKernels.get(f);
}

/**
 * A fast path for the whole family out[i] = g[i] · (scale · h(x[i], y[i]) + shift), so that rules
 * that only scale or lift a derivative (peakNormalised, floorAdded) run on the same kernel as the
 * derivative itself and an artificial rule keeps costing what the exact one costs.
 */
export type AffineDerivativeKernel = (
  out: Float32Array, g: Float32Array, x: Float32Array, y: Float32Array, scale: number, shift: number,
) => boolean;

const affineKernels = new WeakMap<Derivative, AffineDerivativeKernel>();

/** Declare `kernel` the fast path of g·(scale·h + shift) for derivative `h` (and so of h itself). */
export function attachAffineKernel(h: Derivative, kernel: AffineDerivativeKernel): void {
  affineKernels.set(h, kernel);
  elementKernels.set(h, (out, g, x, y) => kernel(out, g, x, y, 1, 0));
}

/**
 * `derived` = scale·`base` + shift: when `base` has an affine fast path, give `derived` the same
 * kernel with the constants folded in (nothing happens otherwise).
 */
export function deriveAffineKernel(derived: Derivative, base: Derivative, scale: number, shift: number): void {
  const kernel = affineKernels.get(base);
  if (kernel === undefined) return;
  attachAffineKernel(derived, (out, g, x, y, s, sh) => kernel(out, g, x, y, s * scale, s * shift + sh));
}

// ---------------------------------------------------------------------------------------------
// Declared formulas: the closed form of a built-in heaviside surrogate, so a fused loop (the spike
// op of src/snn/fused.ts) can evaluate h inline, as straight arithmetic, in the loop that uses it.
// Like the kernels, attached to the derivative function itself: a derived or wrapped derivative
// is a different function and has none, unless the wrapper declares its own (bindForCall's
// centre shift does). `evaluateFormula` is the arithmetic of the rule's h, operation for
// operation, so both give the same values.
// ---------------------------------------------------------------------------------------------

/**
 * h(x) = F(x − offset) for one of the built-in shapes (a, b its constants):
 * 'zero' 0; 'atan' a/(1 + (b·u)²); 'inverseSquare' 1/(1 + a·|u|)²; 'triangle' max(0, a − a²·|u|);
 * 'boxcar' b for |u| < a, else 0; 'gaussian' a·exp(−b·u·u).
 */
export interface DerivativeFormula {
  readonly kind: 'zero' | 'atan' | 'inverseSquare' | 'triangle' | 'boxcar' | 'gaussian';
  readonly a: number;
  readonly b: number;
  /** Subtracted from x before the shape reads it (the threshold of a centre-shifted binding). */
  readonly offset: number;
}

const formulas = new WeakMap<Derivative, DerivativeFormula>();

/** Declare that derivative `h` computes `formula` (operation for operation, see evaluateFormula). */
export function declareFormula(h: Derivative, formula: DerivativeFormula): void {
  formulas.set(h, Object.freeze({ ...formula }));
}

/** The formula declared for derivative `h`, if any. */
export function formulaOf(h: Derivative): DerivativeFormula | undefined {
  return formulas.get(h);
}

/** h(x) as `formula` declares it: the reference the fused loops follow (for tests and for reading). */
export function evaluateFormula(formula: DerivativeFormula, x: number): number {
  const { a, b } = formula;
  const u = x - formula.offset;
  switch (formula.kind) {
    case 'atan': {
      const z = b * u;
      return a / (1 + z * z);
    }
    case 'inverseSquare': {
      const d = 1 + a * Math.abs(u);
      return 1 / (d * d);
    }
    case 'triangle':
      return Math.max(0, a - a * a * Math.abs(u));
    case 'boxcar':
      return Math.abs(u) < a ? b : 0;
    case 'gaussian':
      return a * Math.exp(-b * u * u);
    default:
      return 0;
  }
}
