// User-defined activations: a forward, its exact derivative and any named rules, registered like
// the built-ins, so scopes, setBackward, listRules and activation(name, ...) all know them.
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import type { ActivationOptions, Derivative, InlineRule, Rule } from './rule';
import { toRule } from './rule';
import { registerActivation } from './registry';
import { applyActivation } from './engine';

/** Everything `defineActivation` needs to make a new activation: its name, forward function, exact derivative and optional extra backward rules. */
export interface ActivationDefinition {
  /** The registry key; must not be taken. Add it to `ActivationParamMap` to use it as a typed name. */
  name: string;
  /** f(x) for one element. */
  forward: (x: number) => number;
  /** The exact derivative h(x, y), y = f(x): registered as the rule 'exact', the default. */
  derivative: Derivative;
  /** Named rules besides 'exact': rule objects (from `rules`), inline rules or bare h(x, y). */
  rules?: Readonly<Record<string, Rule | InlineRule | Derivative>>;
  /** One line for documentation and listings. */
  description?: string;
  /** max f', if it has one (lets `rules.peakNormalised()` apply). */
  derivativePeak?: number;
  /** Where `rules.clippedStraightThrough()` passes the gradient by default. */
  passBand?: readonly [number, number];
}

/** The function `defineActivation` returns: call it like a built-in activation. */
export interface DefinedActivation {
  (x: Tensor, options?: ActivationOptions): Tensor;
  /** Its registry name. */
  readonly activationName: string;
}

/**
 * Register a new activation and return it as a function. It is also reachable as
 * `activation(name, x)`, and its rules through `withBackward({ [name]: ... })` and friends.
 */
export function defineActivation(definition: ActivationDefinition): DefinedActivation {
  const { name, forward, derivative } = definition ?? ({} as ActivationDefinition);
  if (typeof name !== 'string' || name.length === 0) throw new ArgumentError('defineActivation: name must be a non-empty string');
  if (typeof forward !== 'function') throw new ArgumentError(`defineActivation('${name}'): forward must be a function (x) => number`);
  if (typeof derivative !== 'function') {
    throw new ArgumentError(`defineActivation('${name}'): derivative must be the exact derivative, a function (x, y) => number`);
  }
  const named: Record<string, Rule> = {};
  for (const [key, value] of Object.entries(definition.rules ?? {})) {
    if (key === 'exact') throw new ArgumentError(`defineActivation('${name}'): 'exact' is the derivative you give; name your rule otherwise`);
    named[key] =
      typeof value === 'function'
        ? { name: key, exact: false, description: `user rule '${key}'`, params: {}, derivative: value }
        : toRule(value, `defineActivation('${name}'), rule '${key}'`);
  }
  const kernel = {
    forward,
    derivative,
    params: {},
    derivativePeak: definition.derivativePeak,
    passBand: definition.passBand,
  };
  const entry = registerActivation({
    name,
    builtIn: false,
    description: definition.description ?? `user activation '${name}'`,
    exact: `the derivative given to defineActivation('${name}')`,
    kernel: () => kernel,
    rules: named,
  });
  const fn = (x: Tensor, options?: ActivationOptions): Tensor => applyActivation(entry, x, options);
  Object.defineProperty(fn, 'name', { value: name });
  Object.defineProperty(fn, 'activationName', { value: name, enumerable: true });
  return fn as DefinedActivation;
}
