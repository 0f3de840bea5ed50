// The activation names and their parameters, as types. The registry key of each built-in equals
// its exported function's name, so a misspelt name in `activation()`, `withBackward()` or
// `setBackward()` is a compile error.
import type { ActivationOptions, RuleChoice } from './rule';

/** An activation without parameters. */
export type NoParams = Record<never, never>;

/** The parameters of each built-in activation (all optional; defaults as in PyTorch). */
export interface BuiltinActivationParams {
  /** max(0, x): no parameters. */
  relu: NoParams;
  /** slope: the negative-side slope (default 0.01). */
  leakyRelu: { slope?: number };
  /** min(max(0, x), 6): no parameters. */
  relu6: NoParams;
  /** alpha: the negative-side saturation value (default 1). */
  elu: { alpha?: number };
  /** SELU, with its fixed α and scale: no parameters. */
  selu: NoParams;
  /** alpha > 0 (default 1). */
  celu: { alpha?: number };
  /** approximate: 'none' (x·Φ(x), default) or 'tanh'. */
  gelu: { approximate?: 'none' | 'tanh' };
  /** x·σ(x): no parameters. */
  silu: NoParams;
  /** x·tanh(softplus(x)): no parameters. */
  mish: NoParams;
  /** beta > 0 (default 1); threshold: above β·x the output is x (default 20). */
  softplus: { beta?: number; threshold?: number };
  /** σ(x) = 1/(1 + e^−x): no parameters. */
  sigmoid: NoParams;
  /** log σ(x): no parameters. */
  logSigmoid: NoParams;
  /** tanh(x): no parameters. */
  tanh: NoParams;
  /** min < max (default −1 and 1). */
  hardtanh: { min?: number; max?: number };
  /** the hard sigmoid: no parameters. */
  hardSigmoid: NoParams;
  /** the hard swish: no parameters. */
  hardSwish: NoParams;
  /** x/(1 + |x|): no parameters. */
  softsign: NoParams;
  /** threshold: the output is 1 where x > threshold (default 0). */
  heaviside: { threshold?: number };
  /** sign(x): no parameters. */
  sign: NoParams;
  /** round half to even: no parameters. */
  round: NoParams;
  /** bits: 2^bits levels, an integer in [1, 32] (default 8); range: [lo, hi] (default [0, 1]). */
  quantize: { bits?: number; range?: readonly [number, number] };
}

/**
 * Every activation's parameters by name. Augment it to give an activation made with
 * `defineActivation` a typed name:
 * `declare module 'surrograd' { interface ActivationParamMap { swish2: NoParams } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: declaration-merging target
export interface ActivationParamMap extends BuiltinActivationParams {}

/** The name of an activation: a built-in, or one added to `ActivationParamMap`. */
export type ActivationName = keyof ActivationParamMap & string;

/** The built-in names. */
export type BuiltinActivationName = keyof BuiltinActivationParams;

const BUILTIN_LIST = [
  'relu', 'leakyRelu', 'relu6', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'softplus',
  'sigmoid', 'logSigmoid', 'tanh', 'hardtanh', 'hardSigmoid', 'hardSwish', 'softsign',
  'heaviside', 'sign', 'round', 'quantize',
] as const satisfies readonly BuiltinActivationName[];

// A compile error here means a built-in was added to BuiltinActivationParams but not listed.
type Unlisted = Exclude<BuiltinActivationName, (typeof BUILTIN_LIST)[number]>;
const everyBuiltinListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyBuiltinListed;

/** Every built-in activation, in the order of the documentation. */
export const ACTIVATIONS: readonly ActivationName[] = Object.freeze([...BUILTIN_LIST]);

/** The options of one activation call: its parameters plus `backward`. */
export type ActivationCallOptions<N extends ActivationName = ActivationName> = ActivationOptions &
  (N extends keyof ActivationParamMap ? ActivationParamMap[N] : never);

/** Backward choices by activation name, for `withBackward` and `gradientAgreement`. */
export type BackwardChoices = { readonly [N in ActivationName]?: RuleChoice };
