// The activation registry and the choice of backward rule.
//
// Each activation is registered once: its forward, its exact derivative and its named rules.
// When an activation is called, its rule is resolved, first match wins:
//
//   1. per call      x.relu({ backward: 'sigmoid' })      (nn layers pass their rule this way)
//   2. scoped        withBackward({ relu: 'sigmoid' }, fn)
//   3. global        setBackward('relu', 'sigmoid')
//   4. the default   'exact'
//
// Resolution is a Map lookup (names were resolved to rule objects when they were set), and it
// happens when the op is recorded: the record keeps the bound rule, so a later change of setting
// never changes a graph already built.
import { ArgumentError, RuleError } from '../errors';
import { validator } from '../validate';
import {
  type Derivative,
  type Rule,
  type RuleChoice,
  type RuleInfo,
  type RuleTarget,
  type BoundRule,
  bindRule,
  declareFormula,
  formulaOf,
  isRule,
  ruleLabel,
  toRule,
} from './rule';
import { exact as exactRule } from './rules';
import type { ActivationName, BackwardChoices } from './names';

/** How an activation computes, for one set of parameters. */
export interface Kernel {
  /** The forward function of one element. */
  readonly forward: (x: number) => number;
  /** A tight loop over contiguous arrays, for the activations where speed matters most. */
  readonly forwardLoop?: (x: Float32Array | Float64Array, y: Float32Array | Float64Array) => void;
  /** The exact derivative h(x, y), y = forward(x). */
  readonly derivative: Derivative;
  /** Rules read x as u = x − centre (the heaviside threshold; 0 elsewhere). */
  readonly center?: number;
  /** The numeric parameters, defaults filled in (what rules and records see). */
  readonly params: Readonly<Record<string, number>>;
  /** max f', where it has one (for peakNormalised). */
  readonly derivativePeak?: number;
  /** Where clipped straight-through passes the gradient by default (quantize's range). */
  readonly passBand?: readonly [number, number];
}

/** A rule as the registry holds it: the rule, how the tape names it, and the choice it came from. */
export interface ResolvedRule {
  readonly rule: Rule;
  readonly label: string;
  readonly choice: RuleChoice;
}

export interface ActivationEntry {
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  /** Option keys that are parameters (anything else but `backward` is an error). */
  readonly paramKeys: readonly string[];
  /** The kernel for the parameters in `options` (validated); the default one when there are none. */
  kernelFor(options: object | undefined): Kernel;
  readonly rules: Map<string, ResolvedRule>;
  readonly exact: ResolvedRule;
}

const registry = new Map<string, ActivationEntry>();

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

export interface EntrySpec<P> {
  name: string;
  description: string;
  /** The exact rule's description: the formula and its value at the ties. */
  exact: string;
  paramKeys?: readonly string[];
  /** Make the kernel for validated options (called with `{}` for the defaults). */
  kernel: (options: P) => Kernel;
  /** Named rules besides 'exact'. */
  rules?: Readonly<Record<string, Rule>>;
  builtIn: boolean;
}

/** Register an activation; returns its entry. */
export function registerActivation<P extends object>(spec: EntrySpec<P>): ActivationEntry {
  if (registry.has(spec.name)) {
    throw new ArgumentError(`defineActivation: an activation named '${spec.name}' already exists; choose another name`);
  }
  const paramKeys = spec.paramKeys ?? [];
  let defaultKernel: Kernel | undefined;
  const exactResolved: ResolvedRule = {
    rule: { ...exactRule(), description: spec.exact },
    label: 'exact',
    choice: 'exact',
  };
  const rules = new Map<string, ResolvedRule>([['exact', exactResolved]]);
  for (const [key, rule] of Object.entries(spec.rules ?? {})) rules.set(key, { rule, label: key, choice: key });

  const entry: ActivationEntry = {
    name: spec.name,
    description: spec.description,
    builtIn: spec.builtIn,
    paramKeys,
    rules,
    exact: exactResolved,
    kernelFor(options) {
      if (options !== undefined) {
        for (const key of paramKeys) {
          if ((options as Record<string, unknown>)[key] !== undefined) return spec.kernel(options as P);
        }
      }
      if (defaultKernel === undefined) defaultKernel = spec.kernel({} as P);
      return defaultKernel;
    },
  };
  registry.set(spec.name, entry);
  return entry;
}

/** The entry for `name`, or a RuleError listing the activations that exist. */
export function getEntry(name: string, context: string): ActivationEntry {
  const entry = registry.get(name);
  if (entry === undefined) {
    throw new RuleError(`${context}: there is no activation named '${String(name)}'; the activations are: ${[...registry.keys()].join(', ')}`);
  }
  return entry;
}

/** The entry for `name`, if there is one. */
export function findEntry(name: string): ActivationEntry | undefined {
  return registry.get(name);
}

/** Every registered activation, built-ins first, then those made with `defineActivation`. */
export function listActivations(): string[] {
  return [...registry.keys()];
}

// ---------------------------------------------------------------------------------------------
// Resolving a choice to a rule
// ---------------------------------------------------------------------------------------------

const objectChoices = new WeakMap<object, ResolvedRule>();

/** A choice (name, rule or inline rule) as a rule of `entry`; unknown names list the valid ones. */
export function resolveChoice(entry: ActivationEntry, choice: RuleChoice, context: string): ResolvedRule {
  if (typeof choice === 'string') {
    const found = entry.rules.get(choice);
    if (found === undefined) throw unknownRule(entry, choice, context);
    return found;
  }
  // Anything but an object (a number, null, a function) misses the cache (WeakMap.get of a
  // non-object is undefined) and is refused by toRule with a RuleError.
  const cached = objectChoices.get(choice);
  if (cached !== undefined) return cached;
  const rule = toRule(choice, context);
  const resolved: ResolvedRule = { rule, label: isRule(choice) ? ruleLabel(rule) : 'inline', choice };
  objectChoices.set(choice, resolved);
  return resolved;
}

function unknownRule(entry: ActivationEntry, name: string, context: string): RuleError {
  return new RuleError(
    `${context}: ${entry.name} has no backward rule '${name}'; its rules are: ${[...entry.rules.keys()].join(', ')}. ` +
      'Or pass a rule object (e.g. rules.sigmoidShaped({ k: 2 })) or an inline rule { derivative: (x, y) => ... }.',
  );
}

// ---------------------------------------------------------------------------------------------
// Scoped and global choices
// ---------------------------------------------------------------------------------------------

const globalChoices = new Map<string, ResolvedRule>();
/** The merged scope frames (innermost wins), or null outside any withBackward. */
let scopeChoices: Map<string, ResolvedRule> | null = null;
/** Set by withExactRules: every activation uses its exact rule, whatever was chosen. */
let exactOnly = false;

/** The rule an activation call resolves to right now. */
export function resolveForCall(entry: ActivationEntry, choice: RuleChoice | undefined): ResolvedRule {
  if (exactOnly) return entry.exact;
  if (choice !== undefined) return resolveChoice(entry, choice, `${entry.name}({ backward })`);
  if (scopeChoices !== null) {
    const scoped = scopeChoices.get(entry.name);
    if (scoped !== undefined) return scoped;
  }
  return globalChoices.get(entry.name) ?? entry.exact;
}

/**
 * Run `fn` with these backward rules (`{ relu: 'sigmoid', tanh: rules.floorAdded({ c: 0.05 }) }`)
 * and return its result. Scopes nest (the innermost wins); the previous choices come back when
 * `fn` returns or throws. Per-call `backward` options still beat a scope. `fn` must be
 * synchronous: after an `await`, the scope has already ended.
 */
export function withBackward<T>(choices: BackwardChoices, fn: () => T): T {
  if (typeof fn !== 'function') throw new ArgumentError('withBackward: the second argument must be a function to run');
  if (typeof choices !== 'object' || choices === null) {
    throw new RuleError('withBackward: the first argument must be an object of rules by activation name, e.g. { relu: "sigmoid" }');
  }
  const next = new Map(scopeChoices ?? []);
  for (const [name, choice] of Object.entries(choices) as [string, RuleChoice | undefined][]) {
    if (choice === undefined) continue;
    const entry = getEntry(name, 'withBackward');
    next.set(name, resolveChoice(entry, choice, `withBackward({ ${name} })`));
  }
  const previous = scopeChoices;
  scopeChoices = next;
  try {
    return fn();
  } finally {
    scopeChoices = previous;
  }
}

/**
 * Run `fn` with every activation on its exact rule, overriding per-call, scoped and global
 * choices (the reference that `gradientAgreement` compares against).
 */
export function withExactRules<T>(fn: () => T): T {
  validator('withExactRules').func('fn', fn);
  const previous = exactOnly;
  exactOnly = true;
  try {
    return fn();
  } finally {
    exactOnly = previous;
  }
}

/**
 * Set the global backward rule of an activation; returns the previous global choice (undefined
 * for "none": the default 'exact'), so `setBackward(name, previous)` restores it. Passing
 * undefined removes the global choice.
 */
export function setBackward(name: ActivationName, choice: RuleChoice | undefined): RuleChoice | undefined {
  const entry = getEntry(name, 'setBackward');
  const previous = globalChoices.get(name)?.choice;
  if (choice === undefined) globalChoices.delete(name);
  else globalChoices.set(name, resolveChoice(entry, choice, `setBackward('${name}')`));
  return previous;
}

/** Remove the global choice of one activation, or of all of them. */
export function resetBackward(name?: ActivationName): void {
  if (name === undefined) {
    globalChoices.clear();
    return;
  }
  getEntry(name, 'resetBackward');
  globalChoices.delete(name);
}

/** Where the active rule of an activation comes from. */
export type RuleSource = 'exactOnly' | 'scope' | 'global' | 'default';

function active(name: string, context: string): [ResolvedRule, RuleSource] {
  const entry = getEntry(name, context);
  if (exactOnly) return [entry.exact, 'exactOnly'];
  const scoped = scopeChoices?.get(name);
  if (scoped !== undefined) return [scoped, 'scope'];
  const global = globalChoices.get(name);
  if (global !== undefined) return [global, 'global'];
  return [entry.exact, 'default'];
}

/** The choice an activation call without a `backward` option would use now ('exact' by default). */
export function getBackward(name: ActivationName): RuleChoice {
  return active(name, 'getBackward')[0].choice;
}

/** The rule a call without a `backward` option would use now, described, with where it comes from. */
export interface ActiveRule extends RuleDescription {
  /** Where the rule comes from: 'exactOnly', a 'scope', the 'global' choice or the 'default'. */
  source: RuleSource;
}

/** The rule a call of activation `name` without a `backward` option would use now, described, with its source. */
export function currentRule(name: ActivationName): ActiveRule {
  const [resolved, source] = active(name, 'currentRule');
  return { ...describe(resolved.label, resolved.rule), source };
}

// ---------------------------------------------------------------------------------------------
// Listing and registering rules
// ---------------------------------------------------------------------------------------------

/** A rule as `listRules` reports it: plain data. */
export interface RuleDescription {
  /** The rule's name. */
  name: string;
  /** True only for the activation's true derivative. */
  exact: boolean;
  /** The numeric parameters the rule was made with. */
  params: Record<string, number>;
  /** One line: the formula, its normalisation, the source. */
  description: string;
}

function describe(name: string, rule: RuleInfo): RuleDescription {
  return { name, exact: rule.exact, params: { ...rule.params }, description: rule.description };
}

/** Every named rule of an activation, 'exact' first. */
export function listRules(name: ActivationName): RuleDescription[] {
  const entry = getEntry(name, 'listRules');
  return [...entry.rules].map(([key, r]) => describe(key, r.rule));
}

/** Options of `registerRule`. */
export interface RegisterRuleOptions {
  /** Replace a rule already registered under this name (never 'exact'). */
  replace?: boolean;
  /** One line for `listRules` when `rule` is a bare function. */
  description?: string;
}

/**
 * Register a named rule for an activation: a local derivative `(x, y) => h`, a rule object, or an
 * inline rule. The name is then usable anywhere a rule is chosen: `x.relu({ backward: 'mine' })`.
 */
export function registerRule(
  activation: ActivationName,
  name: string,
  rule: Derivative | Rule | Exclude<RuleChoice, string>,
  options: RegisterRuleOptions = {},
): void {
  const entry = getEntry(activation, 'registerRule');
  if (typeof name !== 'string' || name.length === 0) throw new RuleError('registerRule: the rule name must be a non-empty string');
  if (name === 'exact') throw new RuleError(`registerRule: 'exact' is ${activation}'s true derivative and cannot be replaced`);
  if (entry.rules.has(name) && options.replace !== true) {
    throw new RuleError(`registerRule: ${activation} already has a rule named '${name}'; pass { replace: true } to replace it`);
  }
  const asRule: Rule =
    typeof rule === 'function'
      ? { name, exact: false, description: options.description ?? `user rule '${name}'`, params: {}, derivative: rule }
      : toRule(rule, `registerRule('${activation}', '${name}')`);
  entry.rules.set(name, { rule: asRule, label: name, choice: name });
}

// ---------------------------------------------------------------------------------------------
// Binding a rule to a call
// ---------------------------------------------------------------------------------------------

const targets = new WeakMap<Kernel, RuleTarget>();

function targetOf(entry: ActivationEntry, kernel: Kernel): RuleTarget {
  let target = targets.get(kernel);
  if (target !== undefined) return target;
  const c = kernel.center ?? 0;
  const { forward, derivative } = kernel;
  const made: RuleTarget = {
    activation: entry.name,
    params: kernel.params,
    forward: c === 0 ? forward : (u) => forward(u + c),
    derivative: c === 0 ? derivative : zeroOrShifted(derivative, c),
    derivativePeak: kernel.derivativePeak,
    passBand: kernel.passBand,
    bind: (choice) => bindRule(resolveChoice(entry, choice, `${entry.name}: blend`).rule, made),
  };
  targets.set(kernel, made);
  target = made;
  return target;
}

/** u ↦ derivative(u + c), declared 0 when `derivative` is (an exact step's: the fused spike op then runs it inline). */
function zeroOrShifted(derivative: Derivative, c: number): Derivative {
  const shifted: Derivative = (u, y) => derivative(u + c, y);
  const formula = formulaOf(derivative);
  if (formula !== undefined && formula.kind === 'zero') declareFormula(shifted, formula);
  return shifted;
}

/** The rule made concrete for this call, reading x (not u) once the centre shift is applied. */
export function bindForCall(entry: ActivationEntry, kernel: Kernel, rule: Rule): BoundRule {
  if (rule.derivative !== undefined && (kernel.center ?? 0) === 0) return rule; // the common case: nothing to make
  const bound = bindRule(rule, targetOf(entry, kernel));
  const c = kernel.center ?? 0;
  if (c === 0) return bound;
  if (bound.derivative !== undefined) {
    const h = bound.derivative;
    const learnable = bound.learnable === undefined ? undefined : { tensors: bound.learnable.tensors, dS: bound.learnable.dS.map((f) => (x: number, y: number) => f(x - c, y)) };
    const shifted: Derivative = (x, y) => h(x - c, y);
    const formula = formulaOf(h);
    if (formula !== undefined && formula.offset === 0) declareFormula(shifted, { ...formula, offset: c }); // h(x − c), still the declared shape
    else if (formula !== undefined && formula.kind === 'zero') declareFormula(shifted, { ...formula, offset: formula.offset + c });
    return { derivative: shifted, label: bound.label, learnable };
  }
  if (bound.context !== undefined) {
    const fn = bound.context;
    return { context: (g, x, y, shape, ctx) => fn(g, x.map((v) => v - c), y, shape, ctx), label: bound.label };
  }
  const b = bound.backward;
  return { backward: (g, x, y) => b(g, x - c, y), label: bound.label };
}
