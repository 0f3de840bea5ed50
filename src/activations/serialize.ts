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

/** A rule choice as plain JSON. */
export type SavedRule =
  | { kind: 'inherit' }
  | { kind: 'name'; name: string }
  | { kind: 'factory'; factory: string; params: Record<string, number> }
  | { kind: 'blend'; a: SavedRule; b: SavedRule; lambda: number }
  /** What earlier versions wrote for a rule that is a function: read, never written. */
  | { kind: 'unsaved'; label: string };

/** A choice as data, or why it cannot be (`why` completes "the layer uses ..."). */
export type SaveResult = { saved: SavedRule } | { why: string };

/** `choice` as data, for a layer applying `activation`. */
export function saveRule(choice: RuleChoice | undefined, activation: string): SaveResult {
  if (choice === undefined) return { saved: { kind: 'inherit' } };
  if (typeof choice === 'string') return { saved: { kind: 'name', name: choice } };
  if (!isRule(choice)) return { why: 'an inline rule' };
  const cannot = { why: `the rule object '${ruleLabel(choice)}', which cannot be made again from its name and parameters` };
  const parts = blendPartsOf(choice);
  const result: SaveResult = parts !== undefined
    ? saveBlend(parts.a, parts.b, parts.lambda, activation)
    : factoryOf(choice.name) !== undefined
      ? { saved: { kind: 'factory', factory: choice.name, params: { ...choice.params } } }
      : cannot;
  if ('why' in result) return result;
  // Make the rule again from what would be saved and check that it is this rule. Factories
  // freeze what they make, so a copy of a factory rule with its function replaced is refused.
  let rebuilt: RuleChoice | undefined;
  try {
    rebuilt = restoreRule(result.saved, activation, 'saveRule');
  } catch {
    return cannot;
  }
  return Object.isFrozen(choice) && isRule(rebuilt) && sameRule(rebuilt, choice) ? result : cannot;
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
      return factory({ ...saved.params });
    }
    case 'blend': {
      if (typeof saved.lambda !== 'number') throw new ArgumentError(`${where}: malformed blend (no numeric lambda)`);
      const a = restoreRule(saved.a, activation, where);
      const b = restoreRule(saved.b, activation, where);
      if (a === undefined || b === undefined) throw new ArgumentError(`${where}: malformed blend (a part is missing)`);
      return rules.blend(a, b, saved.lambda);
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
  if (name === 'blend' || !Object.hasOwn(rules, name)) return undefined;
  const f = (rules as unknown as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as Factory) : undefined;
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'number');
}

/** Same name, parameters, description and kind of function. */
function sameRule(a: Rule, b: Rule): boolean {
  const kind = (r: Rule): string => (r.derivative !== undefined ? 'derivative' : r.backward !== undefined ? 'backward' : 'bind');
  return ruleLabel(a) === ruleLabel(b) && a.description === b.description && kind(a) === kind(b);
}

// ---- blends: saved as their parts (rules.blend remembers them), each part saved in turn ----

function saveBlend(a: RuleChoice, b: RuleChoice, lambda: number | (() => number), activation: string): SaveResult {
  if (typeof lambda !== 'number') return { why: 'a blend whose λ is a function' };
  const savedA = saveRule(a, activation);
  if ('why' in savedA) return savedA;
  const savedB = saveRule(b, activation);
  if ('why' in savedB) return savedB;
  return { saved: { kind: 'blend', a: savedA.saved, b: savedB.saved, lambda } };
}
