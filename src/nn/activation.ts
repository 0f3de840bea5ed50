// Activation layers. One generic layer, `new nn.Activation('relu', { backward: 'sigmoid' })` or
// `nn.activation('relu', { backward: 'sigmoid' })`, and a named class per built-in activation
// (`new nn.ReLU({ backward: 'sigmoid' })`, `new nn.LeakyReLU({ slope: 0.2 })`), all made from
// one table below.
//
// A layer's rule is passed with every call it makes, so it sits exactly where DESIGN.md puts
// it: it beats `withBackward` scopes and `setBackward`, and an explicit per-call choice made by
// calling the activation function directly still beats it. Unset, the layer follows whatever
// scope or global choice is in force when it runs.
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import { tensor } from '../creation';
import { noGrad } from '../autograd/tape';
import {
  type ActivationCallOptions,
  type ActivationName,
  type BuiltinActivationName,
  type RuleChoice,
  activation as applyActivation,
  currentRule,
  isRule,
} from '../activations';
import { Module } from './module';
import { type RuleHost, ruleParameterEntries, syncRuleChild } from './rule-host';
import { stepOf, withLayerContext } from '../activations/context';

/** An activation's parameters without the backward choice (e.g. { slope: 0.2 }). */
export type ActivationParams<N extends ActivationName> = Omit<ActivationCallOptions<N>, 'backward'>;

/** A layer applying an activation with its parameters and backward rule (`new nn.Activation('relu', { backward: 'sigmoid' })`); the rule can be changed at any time through `backward`. */
export class Activation<N extends ActivationName = ActivationName> extends Module implements RuleHost {
  /** The activation's registry name ('relu', 'leakyRelu', ...). */
  readonly activation: N;
  #params: Readonly<ActivationParams<N>>;
  #backward: RuleChoice | undefined;
  /** The options passed on every call: the parameters plus the backward rule, if set. */
  #callOptions: ActivationCallOptions<N> | undefined;

  /** Creates a layer applying activation `name` with its options and `backward` rule. */
  constructor(name: N, options: ActivationCallOptions<N> = {} as ActivationCallOptions<N>) {
    super();
    if (typeof name !== 'string') throw new ArgumentError(`nn.Activation: the activation name must be a string, got ${typeof name}`);
    if (options === null || typeof options !== 'object') {
      throw new ArgumentError(`nn.Activation('${name}'): options must be an object such as { backward: 'sigmoid' }`);
    }
    this.activation = name;
    const { backward, ...params } = options as ActivationCallOptions<N> & { backward?: RuleChoice };
    checkOptions(name, params as ActivationParams<N>, backward);
    ruleParameterEntries(backward, `nn.Activation('${name}')`);
    this.#params = Object.freeze({ ...params }) as Readonly<ActivationParams<N>>;
    this.#backward = backward;
    this.#callOptions = buildCallOptions<N>(this.#params, backward);
    this.#syncRuleParameters();
  }

  /** The backward rule chosen for this layer, or undefined to follow scoped / global choices. */
  get backward(): RuleChoice | undefined {
    return this.#backward;
  }

  /** Choose this layer's backward rule (checked now: an unknown name throws here). */
  set backward(choice: RuleChoice | undefined) {
    checkOptions(this.activation, this.#params, choice);
    ruleParameterEntries(choice, `nn.Activation('${this.activation}').backward`);
    this.#backward = choice;
    this.#callOptions = buildCallOptions<N>(this.#params, choice);
    this.#syncRuleParameters();
  }

  /** The activation's parameters (e.g. { slope: 0.2 }). */
  get params(): Readonly<ActivationParams<N>> {
    return this.#params;
  }

  /**
   * Replace parameters and rule together, as `options` in the constructor. Checked before
   * anything changes.
   */
  configure(options: ActivationCallOptions<N>): this {
    const { backward, ...params } = options as ActivationCallOptions<N> & { backward?: RuleChoice };
    checkOptions(this.activation, params as ActivationParams<N>, backward);
    ruleParameterEntries(backward, `nn.Activation('${this.activation}').configure`);
    this.#params = Object.freeze({ ...params }) as Readonly<ActivationParams<N>>;
    this.#backward = backward;
    this.#callOptions = buildCallOptions<N>(this.#params, backward);
    this.#syncRuleParameters();
    return this;
  }

  override forward(x: Tensor): Tensor {
    return withLayerContext(this.training, stepOf(this), () => applyActivation(this.activation, x, this.#callOptions));
  }

  /** The layer's rule choice, for RuleSchedule (its learnable parameters are the child `rule`). */
  ruleChoices(): [string, RuleChoice | undefined][] {
    return [['rule', this.#backward]];
  }

  /** Keep the `rule` child (the rule's learnable parameters) in step with the rule. */
  #syncRuleParameters(): void {
    syncRuleChild(this, 'rule', this.#backward, `nn.Activation('${this.activation}')`);
  }

  protected override typeName(): string {
    return (CLASS_NAMES as Record<string, string>)[this.activation] ?? `Activation<${this.activation}>`;
  }

  protected override extraRepr(): string {
    const params = Object.entries(this.#params as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
    let rule: string;
    if (this.#backward === undefined) {
      let now = '?';
      try {
        now = currentRule(this.activation).name;
      } catch {
        // an activation no longer registered: show the layer anyway
      }
      rule = `backward=inherit (now ${now})`;
    } else {
      rule = `backward=${describeChoice(this.#backward)}`;
    }
    return [...params, rule].join(', ');
  }
}

function buildCallOptions<N extends ActivationName>(
  params: Readonly<ActivationParams<N>>,
  backward: RuleChoice | undefined,
): ActivationCallOptions<N> | undefined {
  const hasParams = Object.values(params as Record<string, unknown>).some((v) => v !== undefined);
  if (backward === undefined) return hasParams ? ({ ...params } as ActivationCallOptions<N>) : undefined;
  return { ...params, backward } as ActivationCallOptions<N>;
}

/**
 * Make the activation check its name, parameters and rule now (a one-element call outside the
 * tape), so a mistake fails where the layer is made, not in the middle of training.
 */
function checkOptions<N extends ActivationName>(name: N, params: ActivationParams<N>, backward: RuleChoice | undefined): void {
  const options = buildCallOptions<N>(params, backward);
  noGrad(() => applyActivation(name, tensor([0.5]), options));
}

/** How a rule choice is shown: its name, a factory rule with its parameters, or 'inline'. */
export function describeChoice(choice: RuleChoice): string {
  if (typeof choice === 'string') return `'${choice}'`;
  if (isRule(choice)) {
    const params = Object.entries(choice.params);
    return params.length === 0 ? choice.name : `${choice.name}(${params.map(([k, v]) => `${k}=${v}`).join(', ')})`;
  }
  return 'inline';
}

// ---- the named classes ----

/** The class name of each built-in activation's layer (PyTorch's, where PyTorch has one). */
const CLASS_NAMES: { readonly [N in BuiltinActivationName]: string } = {
  relu: 'ReLU',
  leakyRelu: 'LeakyReLU',
  relu6: 'ReLU6',
  elu: 'ELU',
  selu: 'SELU',
  celu: 'CELU',
  gelu: 'GELU',
  silu: 'SiLU',
  mish: 'Mish',
  softplus: 'Softplus',
  sigmoid: 'Sigmoid',
  logSigmoid: 'LogSigmoid',
  tanh: 'Tanh',
  hardtanh: 'Hardtanh',
  hardSigmoid: 'Hardsigmoid',
  hardSwish: 'Hardswish',
  softsign: 'Softsign',
  heaviside: 'Heaviside',
  sign: 'Sign',
  round: 'Round',
  quantize: 'Quantize',
};

/** The constructor of a named activation layer: `new nn.ReLU({ backward: 'sigmoid' })`. */
export interface ActivationLayerClass<N extends ActivationName> {
  /** Creates the layer with the activation's options and `backward` rule. */
  new (options?: ActivationCallOptions<N>): Activation<N>;
  /** The activation this class applies. */
  readonly activationName: N;
}

function layerClass<N extends BuiltinActivationName>(name: N): ActivationLayerClass<N> {
  const cls = class extends Activation<N> {
    static readonly activationName = name;
    constructor(options?: ActivationCallOptions<N>) {
      super(name, options);
    }
  };
  Object.defineProperty(cls, 'name', { value: CLASS_NAMES[name] });
  return cls;
}

/** Every named layer class by activation name (a compile error if a built-in lacks one). */
export const ACTIVATION_LAYERS = makeLayerClasses();

function makeLayerClasses(): { readonly [N in BuiltinActivationName]: ActivationLayerClass<N> } {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(CLASS_NAMES) as BuiltinActivationName[]) out[name] = layerClass(name);
  return Object.freeze(out) as { readonly [N in BuiltinActivationName]: ActivationLayerClass<N> };
}

/**
 * A layer applying activation `name` with these options (parameters and `backward`): an
 * instance of the named class for a built-in (`nn.activation('relu')` is an `nn.ReLU`).
 */
export function activation<N extends ActivationName>(name: N, options?: ActivationCallOptions<N>): Activation<N> {
  const named = (ACTIVATION_LAYERS as Record<string, ActivationLayerClass<ActivationName> | undefined>)[name];
  if (named !== undefined && Object.hasOwn(ACTIVATION_LAYERS, name)) return new named(options as never) as Activation<N>;
  return new Activation(name, options);
}

// one statement each: the declaration bundler (rollup-plugin-dts) cannot read a destructuring export
/** The relu layer class: `new nn.ReLU({ backward: ... })`. */
export const ReLU = ACTIVATION_LAYERS.relu;
/** The leakyRelu layer class: `new nn.LeakyReLU({ backward: ... })`. */
export const LeakyReLU = ACTIVATION_LAYERS.leakyRelu;
/** The relu6 layer class: `new nn.ReLU6({ backward: ... })`. */
export const ReLU6 = ACTIVATION_LAYERS.relu6;
/** The elu layer class: `new nn.ELU({ backward: ... })`. */
export const ELU = ACTIVATION_LAYERS.elu;
/** The selu layer class: `new nn.SELU({ backward: ... })`. */
export const SELU = ACTIVATION_LAYERS.selu;
/** The celu layer class: `new nn.CELU({ backward: ... })`. */
export const CELU = ACTIVATION_LAYERS.celu;
/** The gelu layer class: `new nn.GELU({ backward: ... })`. */
export const GELU = ACTIVATION_LAYERS.gelu;
/** The silu layer class: `new nn.SiLU({ backward: ... })`. */
export const SiLU = ACTIVATION_LAYERS.silu;
/** The mish layer class: `new nn.Mish({ backward: ... })`. */
export const Mish = ACTIVATION_LAYERS.mish;
/** The softplus layer class: `new nn.Softplus({ backward: ... })`. */
export const Softplus = ACTIVATION_LAYERS.softplus;
/** The sigmoid layer class: `new nn.Sigmoid({ backward: ... })`. */
export const Sigmoid = ACTIVATION_LAYERS.sigmoid;
/** The logSigmoid layer class: `new nn.LogSigmoid({ backward: ... })`. */
export const LogSigmoid = ACTIVATION_LAYERS.logSigmoid;
/** The tanh layer class: `new nn.Tanh({ backward: ... })`. */
export const Tanh = ACTIVATION_LAYERS.tanh;
/** The hardtanh layer class: `new nn.Hardtanh({ backward: ... })`. */
export const Hardtanh = ACTIVATION_LAYERS.hardtanh;
/** The hardSigmoid layer class: `new nn.Hardsigmoid({ backward: ... })`. */
export const Hardsigmoid = ACTIVATION_LAYERS.hardSigmoid;
/** The hardSwish layer class: `new nn.Hardswish({ backward: ... })`. */
export const Hardswish = ACTIVATION_LAYERS.hardSwish;
/** The softsign layer class: `new nn.Softsign({ backward: ... })`. */
export const Softsign = ACTIVATION_LAYERS.softsign;
/** The heaviside layer class: `new nn.Heaviside({ backward: ... })`. */
export const Heaviside = ACTIVATION_LAYERS.heaviside;
/** The sign layer class: `new nn.Sign({ backward: ... })`. */
export const Sign = ACTIVATION_LAYERS.sign;
/** The round layer class: `new nn.Round({ backward: ... })`. */
export const Round = ACTIVATION_LAYERS.round;
/** The quantize layer class: `new nn.Quantize({ backward: ... })`. */
export const Quantize = ACTIVATION_LAYERS.quantize;

// the instance types, so `let act: nn.ReLU` reads as in PyTorch
/** An instance of nn.ReLU: an activation layer applying relu. */
export type ReLU = Activation<'relu'>;
/** An instance of nn.LeakyReLU: an activation layer applying leakyRelu. */
export type LeakyReLU = Activation<'leakyRelu'>;
/** An instance of nn.ReLU6: an activation layer applying relu6. */
export type ReLU6 = Activation<'relu6'>;
/** An instance of nn.ELU: an activation layer applying elu. */
export type ELU = Activation<'elu'>;
/** An instance of nn.SELU: an activation layer applying selu. */
export type SELU = Activation<'selu'>;
/** An instance of nn.CELU: an activation layer applying celu. */
export type CELU = Activation<'celu'>;
/** An instance of nn.GELU: an activation layer applying gelu. */
export type GELU = Activation<'gelu'>;
/** An instance of nn.SiLU: an activation layer applying silu. */
export type SiLU = Activation<'silu'>;
/** An instance of nn.Mish: an activation layer applying mish. */
export type Mish = Activation<'mish'>;
/** An instance of nn.Softplus: an activation layer applying softplus. */
export type Softplus = Activation<'softplus'>;
/** An instance of nn.Sigmoid: an activation layer applying sigmoid. */
export type Sigmoid = Activation<'sigmoid'>;
/** An instance of nn.LogSigmoid: an activation layer applying logSigmoid. */
export type LogSigmoid = Activation<'logSigmoid'>;
/** An instance of nn.Tanh: an activation layer applying tanh. */
export type Tanh = Activation<'tanh'>;
/** An instance of nn.Hardtanh: an activation layer applying hardtanh. */
export type Hardtanh = Activation<'hardtanh'>;
/** An instance of nn.Hardsigmoid: an activation layer applying hardSigmoid. */
export type Hardsigmoid = Activation<'hardSigmoid'>;
/** An instance of nn.Hardswish: an activation layer applying hardSwish. */
export type Hardswish = Activation<'hardSwish'>;
/** An instance of nn.Softsign: an activation layer applying softsign. */
export type Softsign = Activation<'softsign'>;
/** An instance of nn.Heaviside: an activation layer applying heaviside. */
export type Heaviside = Activation<'heaviside'>;
/** An instance of nn.Sign: an activation layer applying sign. */
export type Sign = Activation<'sign'>;
/** An instance of nn.Round: an activation layer applying round. */
export type Round = Activation<'round'>;
/** An instance of nn.Quantize: an activation layer applying quantize. */
export type Quantize = Activation<'quantize'>;
