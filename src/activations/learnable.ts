// Rule parameters that are not constants: a tensor that requires grad (learnable) or a schedule.
//
//   rules.atan({ alpha: nn.learnable(2) })                  α learns (softplus-reparameterised > 0)
//   rules.sigmoidShaped({ k: schedules.linear({ from: 1, to: 8, steps: 1000 }) })
//
// A factory given such a value makes a "live" rule: an adaptive rule that, each time the op is
// recorded, reads the values in force, makes the numeric rule from them (so every check and
// formula is the factory's own) and, for learnable values, adds what the engine needs to give
// each parameter its gradient Σ g·∂S/∂θ (surrogates.ts defines S). The tape label shows the values
// read (`atan(alpha=2.31)`).
//
// Constraints are reparameterisations (no projection step, so any optimizer works unchanged): a
// learnable value θ is stored as ρ with θ = c(ρ), and ρ receives Σ g·∂S/∂θ·c′(ρ).
//   'real'              θ = ρ
//   'positive'          θ = softplus(ρ)                      (the default of `learnable`)
//   { min }             θ = min + softplus(ρ)
//   { max }             θ = max − softplus(ρ)
//   { min, max }        θ = min + (max − min)·σ(ρ)
// A plain tensor that requires grad (an nn.Parameter) is 'real': its value is checked against
// the rule's range whenever it is read, and an out-of-range value is an error naming the rule.
import { RuleError } from '../errors';
import type { Tensor } from '../tensor';
import { sigmoid as logistic, softplus } from './math';
import { Schedule } from './schedule';
import { SURROGATES, type SurrogateTarget } from './surrogates';
import {
  type AdaptiveRule,
  type BoundRule,
  type Derivative,
  type Rule,
  type RuleChoice,
  type RuleTarget,
  bindRule,
  blendPartsOf,
} from './rule';

/** How a learnable value is kept in range: a reparameterisation θ = c(ρ) of the stored ρ. */
export type Constraint = 'real' | 'positive' | { readonly min?: number; readonly max?: number };

/** A rule parameter: a number, a tensor (learnable when it requires grad) or a schedule. */
export type RuleParam = number | Tensor | Schedule;

/** A tensor carrying a constraint (nn.learnable makes these). */
export interface ConstrainedTensor extends Tensor {
  readonly constraint: Constraint;
}

/**
 * Whether a value is a tensor. Duck-typed: this file is loaded by the rule factories, which the
 * built-in activations call while tensor.ts is still loading, so it cannot import Tensor's value.
 */
export function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' && value !== null && typeof (value as Tensor).item === 'function' &&
    typeof (value as Tensor).requiresGrad === 'boolean' && Array.isArray((value as Tensor).shape)
  );
}

function constraintOf(t: Tensor): Constraint {
  const c = (t as Partial<ConstrainedTensor>).constraint;
  return c === undefined ? 'real' : c;
}

/** θ = c(ρ). */
export function constrain(constraint: Constraint, rho: number): number {
  if (constraint === 'real') return rho;
  if (constraint === 'positive') return softplus(rho);
  const { min, max } = constraint;
  if (min !== undefined && max !== undefined) return min + (max - min) * logistic(rho);
  if (min !== undefined) return min + softplus(rho);
  if (max !== undefined) return max - softplus(rho);
  return rho;
}

/** c′(ρ). */
export function constrainSlope(constraint: Constraint, rho: number): number {
  if (constraint === 'real') return 1;
  if (constraint === 'positive') return logistic(rho);
  const { min, max } = constraint;
  if (min !== undefined && max !== undefined) {
    const s = logistic(rho);
    return (max - min) * s * (1 - s);
  }
  if (min !== undefined) return logistic(rho);
  if (max !== undefined) return -logistic(rho);
  return 1;
}

/** ρ = c⁻¹(θ), or an error when θ is outside what c can reach. */
export function unconstrain(constraint: Constraint, theta: number, where: string): number {
  if (!Number.isFinite(theta)) throw new RuleError(`${where}: the value must be a finite number, got ${String(theta)}`);
  const softplusInverse = (v: number): number => (v > 30 ? v : Math.log(Math.expm1(v)));
  if (constraint === 'real') return theta;
  if (constraint === 'positive') {
    if (!(theta > 0)) throw new RuleError(`${where}: a 'positive' value must be > 0, got ${theta}`);
    return softplusInverse(theta);
  }
  const { min, max } = constraint;
  if (min !== undefined && max !== undefined) {
    if (!(theta > min && theta < max)) throw new RuleError(`${where}: the value must be strictly between min ${min} and max ${max}, got ${theta}`);
    const p = (theta - min) / (max - min);
    return Math.log(p / (1 - p));
  }
  if (min !== undefined) {
    if (!(theta > min)) throw new RuleError(`${where}: the value must be > min ${min}, got ${theta}`);
    return softplusInverse(theta - min);
  }
  if (max !== undefined) {
    if (!(theta < max)) throw new RuleError(`${where}: the value must be < max ${max}, got ${theta}`);
    return softplusInverse(max - theta);
  }
  return theta;
}

/** Check a constraint given by a user. */
export function checkConstraint(constraint: unknown, where: string): Constraint {
  if (constraint === 'real' || constraint === 'positive') return constraint;
  if (constraint !== null && typeof constraint === 'object') {
    const { min, max, ...rest } = constraint as { min?: unknown; max?: unknown };
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new RuleError(`${where}: unknown constraint key '${extra[0]}'; use { min?, max? }`);
    for (const [k, v] of [['min', min], ['max', max]] as const) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new RuleError(`${where}: constraint ${k} must be a finite number, got ${String(v)}`);
    }
    if (min !== undefined && max !== undefined && !((min as number) < (max as number))) {
      throw new RuleError(`${where}: constraint min (${String(min)}) must be below max (${String(max)})`);
    }
    return { min: min as number | undefined, max: max as number | undefined };
  }
  throw new RuleError(`${where}: constraint must be 'real', 'positive' or { min?, max? }, got ${JSON.stringify(constraint)}`);
}

/** A readable constraint: `positive (softplus)`. */
export function describeConstraint(c: Constraint): string {
  if (c === 'real') return 'unconstrained';
  if (c === 'positive') return 'positive (θ = softplus(ρ))';
  if (c.min !== undefined && c.max !== undefined) return `in (${c.min}, ${c.max}) (θ = min + (max − min)σ(ρ))`;
  if (c.min !== undefined) return `> ${c.min} (θ = min + softplus(ρ))`;
  if (c.max !== undefined) return `< ${c.max} (θ = max − softplus(ρ))`;
  return 'unconstrained';
}

// ---------------------------------------------------------------------------------------------
// Live rules
// ---------------------------------------------------------------------------------------------

/** A live rule's sources: what a factory was given, by parameter. */
export interface LiveInfo {
  /** The factory's name ('atan'). */
  readonly factory: string;
  /** Every parameter as given (numbers for constants). */
  readonly options: Readonly<Record<string, RuleParam>>;
}

const liveRules = new WeakMap<object, LiveInfo>();

/** What a live rule was made from, or undefined for any other rule. */
export function liveInfoOf(rule: object): LiveInfo | undefined {
  return liveRules.get(rule);
}

/** Whether a tensor learns: it requires grad. */
function learns(value: RuleParam): value is Tensor {
  return isTensor(value) && value.requiresGrad;
}

/** The number a source stands for now (θ, not ρ). */
function read(value: RuleParam): number {
  if (typeof value === 'number') return value;
  if (value instanceof Schedule) return value.value();
  return constrain(constraintOf(value), value.item());
}

/**
 * The live rule a factory makes when some of its options are tensors or schedules. `make` is the
 * factory itself, called with numbers each time the rule is bound.
 */
export function liveRule(factory: string, options: Readonly<Record<string, unknown>>, make: (values: Record<string, number>) => Rule): AdaptiveRule {
  const sources: Record<string, RuleParam> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const where = `rules.${factory}: ${key}`;
    if (isTensor(value)) {
      if (value.size !== 1) throw new RuleError(`${where} must be a one-element tensor (a scalar parameter), got shape [${value.shape.join(', ')}]`);
      if (value.requiresGrad) {
        const surrogate = SURROGATES[factory];
        const why = surrogate === undefined ? `rules.${factory} has no parameter S is known for` : surrogate.refused?.[key];
        if (surrogate === undefined || why !== undefined || surrogate.dS[key] === undefined) {
          throw new RuleError(
            `${where} cannot be learnable: ${why ?? `no ∂S/∂${key} is defined`}. Pass a number or a schedule instead (or a tensor with requiresGrad false, read as a constant).`,
          );
        }
      }
    } else if (!(value instanceof Schedule) && typeof value !== 'number') {
      throw new RuleError(`${where} must be a number, a tensor (learnable) or a schedule, got ${typeof value}`);
    }
    sources[key] = value as RuleParam;
  }
  const valuesNow = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [key, source] of Object.entries(sources)) out[key] = read(source);
    return out;
  };
  // make it once now: a bad starting value fails where the rule is written
  const first = make(valuesNow());
  const params: Record<string, number> = {};
  for (const key of Object.keys(first.params)) {
    Object.defineProperty(params, key, { enumerable: true, get: () => (key in sources ? read(sources[key]) : first.params[key]) });
  }
  const kinds = Object.entries(sources)
    .filter(([, s]) => typeof s !== 'number')
    .map(([k, s]) => (s instanceof Schedule ? `${k} follows ${s.toString().replace(/, t = \d+$/, '')}` : learns(s) ? `${k} learns (${describeConstraint(constraintOf(s))})` : `${k} read from a tensor`));
  const rule: AdaptiveRule = Object.freeze({
    name: factory,
    exact: false,
    description: `${kinds.join('; ')}; at the start: ${first.description}`,
    params: Object.freeze(params),
    bind: (t: RuleTarget): BoundRule => {
      const values = valuesNow();
      let concrete: Rule;
      try {
        concrete = make(values);
      } catch (e) {
        const shown = Object.entries(values).map(([k, v]) => `${k} = ${v}`).join(', ');
        throw new RuleError(`${t.activation}: its backward rule ${factory} was given ${shown} by a learnable parameter or schedule: ${(e as Error).message}`);
      }
      const bound = bindRule(concrete, t);
      const label = `${factory}(${Object.entries(concrete.params).map(([k, v]) => `${k}=${v}`).join(', ')})`;
      const learning = Object.entries(sources).filter((e): e is [string, Tensor] => learns(e[1]));
      if (learning.length === 0) return { ...bound, label } as BoundRule;
      if (bound.derivative === undefined) throw new RuleError(`${t.activation}: ${factory} with a learnable parameter must be a local derivative`);
      const surrogate = SURROGATES[factory];
      const target: SurrogateTarget = { forward: t.forward, derivative: t.derivative };
      const all = { ...concrete.params, ...values };
      const dS: Derivative[] = learning.map(([key, tensor]) => {
        const d = surrogate.dS[key];
        const slope = constrainSlope(constraintOf(tensor), tensor.item());
        return (u: number) => d(u, all, target) * slope;
      });
      return { derivative: bound.derivative, label, learnable: { tensors: learning.map(([, tensor]) => tensor), dS } };
    },
  });
  liveRules.set(rule, { factory, options: Object.freeze({ ...sources }) });
  return rule;
}

/** Every learnable tensor of a live rule (by parameter name) and every schedule, for layers and RuleSchedule. */
export function liveSources(rule: object): { tensors: [string, Tensor][]; schedules: [string, Schedule][] } {
  const info = liveRules.get(rule);
  if (info === undefined) return { tensors: [], schedules: [] };
  const tensors = Object.entries(info.options).filter((e): e is [string, Tensor] => learns(e[1]));
  const schedules = Object.entries(info.options).filter((e): e is [string, Schedule] => e[1] instanceof Schedule);
  return { tensors, schedules };
}

/**
 * Every learnable tensor and every schedule of a rule choice, through blends: names are the
 * parameter's ('alpha'), prefixed by the blend side ('a_alpha', 'b_k'); a blend's λ schedule is
 * 'lambda'.
 */
export function ruleSources(choice: RuleChoice | undefined, prefix = ''): { tensors: [string, Tensor][]; schedules: [string, Schedule][] } {
  const out: { tensors: [string, Tensor][]; schedules: [string, Schedule][] } = { tensors: [], schedules: [] };
  if (choice === undefined || typeof choice !== 'object' || choice === null) return out;
  const parts = blendPartsOf(choice);
  if (parts !== undefined) {
    for (const [side, part] of [['a', parts.a], ['b', parts.b]] as const) {
      const inner = ruleSources(part, `${prefix}${side}_`);
      out.tensors.push(...inner.tensors);
      out.schedules.push(...inner.schedules);
    }
    if (parts.lambda instanceof Schedule) out.schedules.push([`${prefix}lambda`, parts.lambda]);
    return out;
  }
  const own = liveSources(choice);
  out.tensors.push(...own.tensors.map(([k, t]): [string, Tensor] => [`${prefix}${k}`, t]));
  out.schedules.push(...own.schedules.map(([k, s]): [string, Schedule] => [`${prefix}${k}`, s]));
  return out;
}


// ---------------------------------------------------------------------------------------------
// A user's rule with parameters
// ---------------------------------------------------------------------------------------------

/** A user rule's formulas, each given the parameter values in force. */
export interface CustomRuleSpec {
  /** The rule's name (the tape shows `name(k=…)`). */
  name: string;
  /** Its parameters: numbers, learnable tensors or schedules. */
  params: Readonly<Record<string, RuleParam>>;
  /** h(x, y; θ): the local derivative (x the input, y the output). */
  derivative: (x: number, y: number, p: Readonly<Record<string, number>>) => number;
  /** S(x; θ), whose derivative in x is h: a learnable θ then gets Σ g·∂S/∂θ by central differences in θ. */
  surrogate?: (x: number, p: Readonly<Record<string, number>>) => number;
  /** ∂S/∂θ for each learnable parameter, in closed form (preferred over `surrogate` when given). */
  dSurrogate?: Readonly<Record<string, (x: number, y: number, p: Readonly<Record<string, number>>) => number>>;
  /** One line for listRules. */
  description?: string;
}

/**
 * A rule of your own with parameters that may learn or follow a schedule:
 *
 *     rules.custom({
 *       name: 'softStep', params: { k: nn.learnable(2) },
 *       derivative: (x, _y, { k }) => k / (2 * Math.cosh(k * x) ** 2),   // h = S′
 *       surrogate: (x, { k }) => Math.tanh(k * x) / 2,                     // S
 *     })
 *
 * A learnable parameter needs `dSurrogate[name]` (∂S/∂θ) or `surrogate` (S; ∂S/∂θ is then taken
 * by central differences in θ, step 1e-6·max(1, |θ|)); without either it is refused.
 */
export function custom(spec: CustomRuleSpec): AdaptiveRule {
  if (spec === null || typeof spec !== 'object') throw new RuleError('rules.custom: expected { name, params, derivative, surrogate?, dSurrogate? }');
  const { name, params, derivative, surrogate, dSurrogate } = spec;
  if (typeof name !== 'string' || name.length === 0) throw new RuleError('rules.custom: name must be a non-empty string');
  const where = `rules.custom '${name}'`;
  if (typeof derivative !== 'function') throw new RuleError(`${where}: derivative must be a function (x, y, params) => number`);
  if (surrogate !== undefined && typeof surrogate !== 'function') throw new RuleError(`${where}: surrogate must be a function (x, params) => number`);
  if (params === null || typeof params !== 'object') throw new RuleError(`${where}: params must be an object of numbers, tensors or schedules`);
  const sources: Record<string, RuleParam> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RuleError(`${where}: ${key} must be a finite number, got ${value}`);
    } else if (isTensor(value)) {
      if (value.size !== 1) throw new RuleError(`${where}: ${key} must be a one-element tensor, got shape [${value.shape.join(', ')}]`);
      if (value.requiresGrad && typeof dSurrogate?.[key] !== 'function' && surrogate === undefined) {
        throw new RuleError(
          `${where}: ${key} is learnable, but neither surrogate (S, whose x-derivative is the rule) nor dSurrogate.${key} (∂S/∂${key}) is given; ` +
            "a learnable parameter's gradient is Σ g·∂S/∂θ, so one of them is needed",
        );
      }
    } else if (!(value instanceof Schedule)) {
      throw new RuleError(`${where}: ${key} must be a number, a tensor or a schedule, got ${typeof value}`);
    }
    sources[key] = value;
  }
  const valuesNow = (): Record<string, number> => Object.fromEntries(Object.entries(sources).map(([k, s]) => [k, read(s)]));
  const shown: Record<string, number> = {};
  for (const key of Object.keys(sources)) Object.defineProperty(shown, key, { enumerable: true, get: () => read(sources[key]) });
  const rule: AdaptiveRule = Object.freeze({
    name,
    exact: false,
    description: spec.description ?? `user rule '${name}' with parameters ${Object.keys(sources).join(', ') || 'none'}`,
    params: Object.freeze(shown),
    bind: (t: RuleTarget): BoundRule => {
      const values = valuesNow();
      for (const [k, v] of Object.entries(values)) {
        if (!Number.isFinite(v)) throw new RuleError(`${t.activation}: its backward rule ${name} was given ${k} = ${v}; it must be finite`);
      }
      const h: Derivative = (x, y) => derivative(x, y, values);
      const label = `${name}(${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(', ')})`;
      const learning = Object.entries(sources).filter((e): e is [string, Tensor] => learns(e[1]));
      if (learning.length === 0) return { derivative: h, label };
      const dS: Derivative[] = learning.map(([key, tensor]) => {
        const slope = constrainSlope(constraintOf(tensor), tensor.item());
        const closed = dSurrogate?.[key];
        if (typeof closed === 'function') return (x: number, y: number) => closed(x, y, values) * slope;
        const S = surrogate as (x: number, p: Readonly<Record<string, number>>) => number;
        const eps = 1e-6 * Math.max(1, Math.abs(values[key]));
        const up = { ...values, [key]: values[key] + eps };
        const down = { ...values, [key]: values[key] - eps };
        return (x: number) => ((S(x, up) - S(x, down)) / (2 * eps)) * slope;
      });
      return { derivative: h, label, learnable: { tensors: learning.map(([, tensor]) => tensor), dS } };
    },
  });
  liveRules.set(rule, { factory: 'custom', options: Object.freeze({ ...sources }) });
  return rule;
}
