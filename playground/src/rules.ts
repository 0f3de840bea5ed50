// Backward rules as the playground offers them: every rule an activation has (listRules), with
// its parameters editable. A named rule with its own parameters is used by name; with edited
// parameters it is made again by the `rules` factory that made it (FACTORIES below; a test
// checks that each entry makes the named rule exactly at its default parameters).
import { type ActivationName, type RuleChoice, listRules, rules } from 'surrograd';

/** A rule as chosen in the page and written in the URL: its registered name and parameters. */
export interface RuleSpec {
  name: string;
  params: Record<string, number>;
}

type Factory = (params: Record<string, number>) => RuleChoice;

const factory = <O>(make: (options: O) => RuleChoice): Factory => (params) => make(params as O);

/** Registered rule name → the factory that makes it, where the rule has parameters. */
const BY_NAME: Record<string, Factory> = {
  bSilu: factory(rules.bSilu),
  leaky: factory(rules.leakyBackward),
  floorAdded: factory(rules.floorAdded),
  floored: factory(rules.floored),
  widened: factory(rules.widened),
  fastSigmoid: factory(rules.fastSigmoid),
  atan: factory(rules.atan),
  triangle: factory(rules.triangle),
  gaussian: factory(rules.gaussian),
  boxcar: factory(rules.boxcar),
  superSpike: factory(rules.superSpike),
};

/** Where one name means different factories for different activations. */
const BY_ACTIVATION: Record<string, Record<string, Factory>> = {
  relu: { sigmoid: factory(rules.sigmoidShaped) },
  heaviside: { sigmoid: factory(rules.sigmoidSurrogate) },
};

/** The factory behind `activation`'s rule `name`, or undefined for a rule without parameters. */
export function factoryFor(activation: string, name: string): Factory | undefined {
  return BY_ACTIVATION[activation]?.[name] ?? BY_NAME[name];
}

/** A rule's parameters and their defaults, as listRules reports them ({} when it has none). */
export function defaultParams(activation: ActivationName, name: string): Record<string, number> {
  return listRules(activation).find((r) => r.name === name)?.params ?? {};
}

/**
 * The choice to give a layer for `spec`: the registered name when the parameters are the
 * defaults, else the factory's rule with the given parameters.
 */
export function ruleChoice(activation: ActivationName, spec: RuleSpec): RuleChoice {
  const defaults = defaultParams(activation, spec.name);
  const edited = Object.keys(spec.params).some((k) => spec.params[k] !== defaults[k]);
  if (!edited) return spec.name;
  const make = factoryFor(activation, spec.name);
  if (make === undefined) throw new Error(`the rule '${spec.name}' of ${activation} has no editable parameters`);
  return make({ ...defaults, ...spec.params });
}

/** `name` or `name(k=2,c=0.1)`: how a rule is written in the URL and shown in legends. */
export function formatRule(spec: RuleSpec): string {
  const entries = Object.entries(spec.params);
  return entries.length === 0 ? spec.name : `${spec.name}(${entries.map(([k, v]) => `${k}=${v}`).join(',')})`;
}

/** The inverse of formatRule; null for text that is not of that form. */
export function parseRule(text: string): RuleSpec | null {
  const m = /^([A-Za-z][A-Za-z0-9]*)(?:\(([^()]*)\))?$/.exec(text.trim());
  if (m === null) return null;
  const params: Record<string, number> = {};
  if (m[2] !== undefined && m[2].trim() !== '') {
    for (const part of m[2].split(',')) {
      const kv = /^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*$/.exec(part);
      if (kv === null) return null;
      const value = Number(kv[2]);
      if (!Number.isFinite(value)) return null;
      params[kv[1]] = value;
    }
  }
  return { name: m[1], params };
}
