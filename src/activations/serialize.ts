// Backward rules as data, so that a checkpoint can record each activation layer's rule and a
// fresh model, in another program, gets the same rule back. Used by checkpoint.ts only.
//
// A rule choice is data when it is one of:
//   - a name registered for the activation ('sigmoid', or a name given to registerRule): stored
//     as the name and looked up again in the loading program's registry;
//   - a rule made by a `rules` factory from numbers (rules.sigmoidShaped({ k: 2 })): stored as the
//     factory's name and the numbers, and made again by the same factory;
//   - rules.blend(A, B, λ) with a numeric λ and A, B data too (blends may nest).
// Anything else holds a function a file cannot: an inline { derivative }, a blend whose λ is a
// function, a rule object written by hand. `saveRule` says which, so that a save can fail rather
// than write a file that cannot be loaded. Registering such a rule under a name makes it data.
import { ArgumentError } from '../errors';
import { type Rule, type RuleChoice, blendPartsOf, isRule, ruleLabel } from './rule';
import { findEntry } from './registry';
import * as rules from './rules';
import { type Constraint, liveInfoOf, checkConstraint } from './learnable';
import { RuleParameter } from '../nn/learnable';
import { Schedule, type ScheduleState } from './schedule';
import type { Tensor } from '../tensor';

/** A rule parameter that is not a constant, as saved: a learnable value, or a schedule with its counter. */
export type SavedSource = { learnable: Constraint; value: number } | { schedule: ScheduleState };

/** A rule choice as plain JSON. */
export type SavedRule =
  | { kind: 'inherit' }
  | { kind: 'name'; name: string }
  | { kind: 'factory'; factory: string; params: Record<string, number>; live?: Record<string, SavedSource> }
  | { kind: 'blend'; a: SavedRule; b: SavedRule; lambda: number | { schedule: ScheduleState } }
  /** What earlier versions wrote for a rule that is a function: read, never written. */
  | { kind: 'unsaved'; label: string };

/** A choice as data, or why it cannot be (`why` completes "the layer uses ..."). */
export type SaveResult = { saved: SavedRule } | { why: string };

/** `choice` as data, for a layer applying `activation`. */
export function saveRule(choice: RuleChoice | undefined, activation: string, verify = true): SaveResult {
  if (choice === undefined) return { saved: { kind: 'inherit' } };
  if (typeof choice === 'string') return { saved: { kind: 'name', name: choice } };
  if (!isRule(choice)) return { why: 'an inline rule' };
  const cannot = { why: `the rule object '${ruleLabel(choice)}', which cannot be made again from its name and parameters` };
  const parts = blendPartsOf(choice);
  const result: SaveResult = parts !== undefined
    ? saveBlend(parts.a, parts.b, parts.lambda, activation)
    : factoryOf(choice.name) !== undefined
      ? saveFactory(choice)
      : cannot;
  if ('why' in result || !verify) return result;
  // Make the rule again from what would be saved and check that it is this rule. Factories
  // freeze what they make, so a copy of a factory rule with its function replaced is refused.
  let rebuilt: RuleChoice | undefined;
  try {
    rebuilt = restoreRule(result.saved, activation, 'saveRule');
  } catch {
    return cannot;
  }
  if (!Object.isFrozen(choice) || !isRule(rebuilt)) return cannot;
  if (liveInfoOf(choice) !== undefined || blendPartsOf(choice) !== undefined) {
    // learned values round-trip through the constraint to within an ulp: compare the saved forms
    const again = saveRule(rebuilt, activation, false);
    return 'saved' in again && sameStructure(again.saved, result.saved) && (blendPartsOf(choice) === undefined || sameRule(rebuilt, choice) || hasLive(result.saved)) ? result : cannot;
  }
  return sameRule(rebuilt, choice) ? result : cannot;
}

/** The choice a SavedRule stands for; an ArgumentError starting with `where` if it has none. */
export function restoreRule(saved: SavedRule, activation: string, where: string): RuleChoice | undefined {
  if (saved === null || typeof saved !== 'object') throw new ArgumentError(`${where}: malformed backward rule entry`);
  switch (saved.kind) {
    case 'inherit':
      return undefined;
    case 'name':
      if (typeof saved.name !== 'string') throw new ArgumentError(`${where}: malformed rule name`);
      if (findEntry(activation)?.rules.has(saved.name) !== true) {
        throw new ArgumentError(
          `${where}: the checkpoint names the rule '${saved.name}', which ${activation} does not have in this program; ` +
            `if your program registers it, call registerRule('${activation}', '${saved.name}', ...) before loading`,
        );
      }
      return saved.name;
    case 'factory': {
      const factory = factoryOf(saved.factory);
      if (factory === undefined) throw new ArgumentError(`${where}: no rule factory named '${saved.factory}' exists in this version`);
      if (!isNumberRecord(saved.params)) throw new ArgumentError(`${where}: malformed parameters for rules.${saved.factory}`);
      const options: Record<string, number | Tensor | Schedule> = { ...saved.params };
      for (const [key, source] of Object.entries(saved.live ?? {})) options[key] = restoreSource(source, `${where}: rules.${saved.factory} ${key}`);
      return (factory as unknown as (o: Record<string, number | Tensor | Schedule>) => Rule)(options);
    }
    case 'blend': {
      const lambda = typeof saved.lambda === 'number' ? saved.lambda : restoreSource(saved.lambda, `${where}: blend lambda`);
      if (!(typeof lambda === 'number' || lambda instanceof Schedule)) throw new ArgumentError(`${where}: malformed blend (lambda)`);
      const a = restoreRule(saved.a, activation, where);
      const b = restoreRule(saved.b, activation, where);
      if (a === undefined || b === undefined) throw new ArgumentError(`${where}: malformed blend (a part is missing)`);
      return rules.blend(a, b, lambda);
    }
    case 'unsaved':
      throw new ArgumentError(
        `${where}: the layer used ${saved.label}, a rule given as a function, which a file cannot hold (an earlier ` +
          'version of surrograd saved only its label); set the same rule on the layer before loading and it is kept',
      );
    default:
      throw new ArgumentError(`${where}: unknown backward rule kind '${String((saved as { kind: unknown }).kind)}'`);
  }
}

// ---- rules made by factories ----

type Factory = (params: Record<string, number>) => Rule;

/** The `rules` factory of that name ('blend' excepted: it takes rules, not numbers). */
function factoryOf(name: string): Factory | undefined {
  if (name === 'blend' || name === 'custom' || !Object.hasOwn(rules, name)) return undefined;
  const f = (rules as unknown as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as Factory) : undefined;
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'number');
}

function hasLive(saved: SavedRule): boolean {
  if (saved.kind === 'factory') return saved.live !== undefined && Object.keys(saved.live).length > 0;
  if (saved.kind === 'blend') return typeof saved.lambda !== 'number' || hasLive(saved.a) || hasLive(saved.b);
  return false;
}

/** Same name, parameters, description and kind of function. */
function sameRule(a: Rule, b: Rule): boolean {
  const kind = (r: Rule): string => (r.derivative !== undefined ? 'derivative' : r.backward !== undefined ? 'backward' : 'bind');
  return ruleLabel(a) === ruleLabel(b) && a.description === b.description && kind(a) === kind(b);
}

// ---- blends: saved as their parts (rules.blend remembers them), each part saved in turn ----

function saveBlend(a: RuleChoice, b: RuleChoice, lambda: number | (() => number) | Schedule, activation: string): SaveResult {
  if (typeof lambda === 'function') return { why: 'a blend whose λ is a function' };
  const savedA = saveRule(a, activation);
  if ('why' in savedA) return savedA;
  const savedB = saveRule(b, activation);
  if ('why' in savedB) return savedB;
  const savedLambda = typeof lambda === 'number' ? lambda : { schedule: lambda.stateDict() };
  return { saved: { kind: 'blend', a: savedA.saved, b: savedB.saved, lambda: savedLambda } };
}

// ---- live rules: learnable values and schedules ----

function saveFactory(rule: Rule): SaveResult {
  const info = liveInfoOf(rule);
  if (info === undefined) return { saved: { kind: 'factory', factory: rule.name, params: { ...rule.params } } };
  const params: Record<string, number> = {};
  const live: Record<string, SavedSource> = {};
  for (const [key, source] of Object.entries(info.options)) {
    if (typeof source === 'number') params[key] = source;
    else if (source instanceof Schedule) live[key] = { schedule: source.stateDict() };
    else if (source.requiresGrad) {
      const constraint = source instanceof RuleParameter ? source.constraint : 'real';
      live[key] = { learnable: constraint, value: source instanceof RuleParameter ? source.value : source.item() };
    } else return { why: `the rule '${rule.name}' whose ${key} is read from a tensor that does not learn (pass a number instead)` };
  }
  return { saved: { kind: 'factory', factory: info.factory, params, live } };
}

function restoreSource(source: unknown, where: string): Tensor | Schedule {
  if (source === null || typeof source !== 'object') throw new ArgumentError(`${where}: malformed saved parameter`);
  if ('schedule' in source) {
    const state = (source as { schedule: ScheduleState }).schedule;
    try {
      const made = new Schedule(state.spec);
      made.loadStateDict(state);
      return made;
    } catch (e) {
      throw new ArgumentError(`${where}: ${(e as Error).message}`);
    }
  }
  if ('learnable' in source) {
    const { learnable, value } = source as { learnable: unknown; value: unknown };
    try {
      return new RuleParameter(value as number, checkConstraint(learnable, where));
    } catch (e) {
      throw new ArgumentError(`${where}: ${(e as Error).message}`);
    }
  }
  throw new ArgumentError(`${where}: malformed saved parameter (neither learnable nor schedule)`);
}

/**
 * Whether two saved rules are the same rule up to the values that change in training (learned
 * values, schedule counters): then a checkpoint can load into the rule a layer already has,
 * keeping its parameter objects (which an optimizer holds).
 */
export function sameStructure(a: SavedRule, b: SavedRule): boolean {
  const strip = (r: unknown): unknown => {
    if (Array.isArray(r)) return r.map(strip);
    if (r === null || typeof r !== 'object') return r;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 't' || k === 'value') continue;
      if (k === 'params' && (r as { live?: Record<string, unknown> }).live !== undefined) {
        const live = (r as { live: Record<string, unknown> }).live;
        out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([p]) => !(p in live)));
        continue;
      }
      out[k] = strip(v);
    }
    return out;
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** Set the schedule counters of `choice` (a rule with the same structure) to those saved. */
export function loadScheduleCounters(choice: RuleChoice | undefined, saved: SavedRule): void {
  if (choice === undefined || typeof choice !== 'object' || saved === null || typeof saved !== 'object') return;
  if (saved.kind === 'blend') {
    const parts = blendPartsOf(choice);
    if (parts === undefined) return;
    if (parts.lambda instanceof Schedule && typeof saved.lambda === 'object') parts.lambda.loadStateDict(saved.lambda.schedule);
    loadScheduleCounters(parts.a, saved.a);
    loadScheduleCounters(parts.b, saved.b);
    return;
  }
  if (saved.kind !== 'factory' || saved.live === undefined) return;
  const info = liveInfoOf(choice);
  if (info === undefined) return;
  for (const [key, source] of Object.entries(saved.live)) {
    const mine = info.options[key];
    if (mine instanceof Schedule && 'schedule' in source) mine.loadStateDict(source.schedule);
  }
}
