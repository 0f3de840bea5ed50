// The activations layer: elementwise ops whose backward is a swappable rule.
//
//   x.relu()                                         exact derivative (the default)
//   x.relu({ backward: 'sigmoid' })                  a named rule, for this call
//   x.relu({ backward: rules.sigmoidShaped({ k: 2 }) })
//   withBackward({ relu: 'sigmoid' }, () => model.forward(x))
//   setBackward('relu', 'leaky')                     for every later call (returns the previous)
//
// The rule is resolved when the op is recorded and kept in the tape record.
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import type { ActivationCallOptions, ActivationName } from './names';
import { findEntry, listActivations } from './registry';
import { applyActivation } from './engine';
import * as rules from './rules';

export { relu, leakyRelu, relu6, elu, selu, celu, SELU_ALPHA, SELU_SCALE } from './relu';
export { gelu, silu, mish, softplus } from './smooth';
export { sigmoid, logSigmoid, tanh, hardtanh, hardSigmoid, hardSwish, softsign } from './saturating';
export { heaviside, sign, round, quantize } from './step';

/** Factories of backward rules: sigmoidShaped, fastSigmoid, atan, triangle, straightThrough, floorAdded, blend, ... */
export { rules };
export {
  withBackward,
  withExactRules,
  setBackward,
  resetBackward,
  getBackward,
  currentRule,
  listRules,
  listActivations,
  registerRule,
} from './registry';
export type { ActiveRule, RuleDescription, RuleSource, RegisterRuleOptions } from './registry';
export { defineActivation } from './custom';
export type { ActivationDefinition, DefinedActivation } from './custom';
export { gradientAgreement } from './agreement';
export type { GradientAgreement } from './agreement';
export { ACTIVATIONS } from './names';
export type {
  ActivationName,
  BuiltinActivationName,
  ActivationParamMap,
  BuiltinActivationParams,
  ActivationCallOptions,
  BackwardChoices,
  NoParams,
} from './names';
export type {
  Rule,
  RuleInfo,
  RuleChoice,
  DerivativeRule,
  BackwardRule,
  AdaptiveRule,
  BoundRule,
  RuleTarget,
  InlineRule,
  Derivative,
  ElementBackward,
  ActivationOptions,
} from './rule';
export { isRule } from './rule';
export type { ContextRule, ContextBackward, RuleContext, LearnableBinding } from './rule';
export { withRuleContext, currentRuleContext } from './context';
export type { Constraint, RuleParam, CustomRuleSpec } from './learnable';
export { Schedule, schedule, schedules, SCHEDULE_KINDS } from './schedule';
export type { ScheduleSpec, ScheduleKind, ScheduleUnit, ScheduleState } from './schedule';
export { SURROGATES } from './surrogates';
export type { Surrogate, SurrogateTarget } from './surrogates';

/**
 * Apply an activation by name, with its parameters and rule: what nn layers use
 * (`activation('leakyRelu', x, { slope: 0.2, backward: 'identity' })`). Works for activations made
 * with `defineActivation` too.
 */
export function activation<N extends ActivationName>(name: N, x: Tensor, options?: ActivationCallOptions<N>): Tensor {
  const entry = findEntry(name);
  if (entry === undefined) {
    throw new ArgumentError(`activation: there is no activation named '${String(name)}'; the activations are: ${listActivations().join(', ')}`);
  }
  return applyActivation(entry, x, options);
}
