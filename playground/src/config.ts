// The playground's configuration: its defaults, its ranges, and its form in the URL (shared
// configurations). Reading a URL never fails: every value that is malformed or out of range is
// reported as a problem and replaced by its default, so a bad link shows a message, not a blank page.
import { type ActivationName, listActivations, listRules } from 'surrograd';
import { type RuleSpec, formatRule, parseRule, ruleChoice } from './rules';

export const DATASETS = ['circles', 'xor', 'spirals', 'blobs'] as const;
export type DatasetKind = (typeof DATASETS)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];

export interface Config {
  dataset: DatasetKind;
  /** Noise of the points, 0 to 0.5 (in units of the data's scale, about 1). */
  noise: number;
  /** Hidden layers, 1 to 20. */
  depth: number;
  /** Units per hidden layer, 1 to 32. */
  width: number;
  activation: ActivationName;
  /** The backward rule of every hidden layer... */
  rule: RuleSpec;
  /** ...unless a layer has its own (null: as `rule`). Length `depth`. */
  layerRules: (RuleSpec | null)[];
  lr: number;
  optimizer: OptimizerKind;
  batchSize: number;
  seed: number;
}

export const LIMITS = {
  noise: { min: 0, max: 0.5 },
  depth: { min: 1, max: 20 },
  width: { min: 1, max: 32 },
  lr: { min: 1e-5, max: 10 },
  batchSize: { min: 1, max: 256 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

export function defaultConfig(): Config {
  return {
    dataset: 'circles',
    noise: 0.1,
    depth: 4,
    width: 8,
    activation: 'relu',
    rule: { name: 'exact', params: {} },
    layerRules: [null, null, null, null],
    lr: 0.01,
    optimizer: 'adam',
    batchSize: 32,
    seed: 1,
  };
}

/** A configuration read from a URL's query, and what was wrong with it (replaced by defaults). */
export interface ParsedConfig {
  config: Config;
  problems: string[];
}

const KEYS = ['dataset', 'noise', 'depth', 'width', 'activation', 'rule', 'rules', 'lr', 'optimizer', 'batch', 'seed'];

/** Read `?dataset=xor&depth=6&rule=sigmoid(k=2)&rules=*|exact|*...` (missing keys: defaults). */
export function parseConfig(search: string): ParsedConfig {
  const problems: string[] = [];
  const config = defaultConfig();
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(search);
  } catch {
    return { config, problems: ['the link could not be read; using the defaults'] };
  }
  for (const key of query.keys()) {
    if (!KEYS.includes(key)) problems.push(`unknown setting '${key}' ignored`);
  }
  const get = (key: string): string | null => query.get(key);

  const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = get(key);
    if (v === null) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`${key} '${v}' is not one of ${allowed.join(', ')}; using ${fallback}`);
    return fallback;
  };
  const number = (key: string, name: keyof typeof LIMITS, fallback: number, integer: boolean): number => {
    const v = get(key);
    if (v === null) return fallback;
    const n = Number(v);
    const { min, max } = LIMITS[name];
    if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      problems.push(`${key} '${v}' is not ${integer ? 'an integer' : 'a number'} from ${min} to ${max}; using ${fallback}`);
      return fallback;
    }
    return n;
  };

  config.dataset = choice('dataset', DATASETS, config.dataset);
  config.noise = number('noise', 'noise', config.noise, false);
  config.depth = number('depth', 'depth', config.depth, true);
  config.width = number('width', 'width', config.width, true);
  config.activation = choice('activation', listActivations() as ActivationName[], config.activation);
  config.lr = number('lr', 'lr', config.lr, false);
  config.optimizer = choice('optimizer', OPTIMIZERS, config.optimizer);
  config.batchSize = number('batch', 'batchSize', config.batchSize, true);
  config.seed = number('seed', 'seed', config.seed, true);

  const rule = get('rule');
  if (rule !== null) {
    const spec = checkedRule(config.activation, rule, 'rule', problems);
    if (spec !== null) config.rule = spec;
  }
  config.layerRules = new Array<RuleSpec | null>(config.depth).fill(null);
  const perLayer = get('rules');
  if (perLayer !== null) {
    const parts = perLayer.split('|');
    if (parts.length !== config.depth) {
      problems.push(`rules lists ${parts.length} layers but depth is ${config.depth}; every layer uses rule ${formatRule(config.rule)}`);
    } else {
      parts.forEach((part, i) => {
        if (part === '*' || part === '') return;
        config.layerRules[i] = checkedRule(config.activation, part, `layer ${i + 1}'s rule`, problems);
      });
    }
  }
  return { config, problems };
}

/** A rule read from text and checked against the activation's rules; null (and a problem) if bad. */
export function checkedRule(activation: ActivationName, text: string, what: string, problems: string[]): RuleSpec | null {
  const spec = parseRule(text);
  if (spec === null) {
    problems.push(`${what} '${text}' is not of the form name or name(param=value,...); using exact`);
    return null;
  }
  const known = listRules(activation);
  const rule = known.find((r) => r.name === spec.name);
  if (rule === undefined) {
    problems.push(`${activation} has no rule '${spec.name}' (it has ${known.map((r) => r.name).join(', ')}); using exact`);
    return null;
  }
  const unknown = Object.keys(spec.params).filter((k) => !(k in rule.params));
  if (unknown.length > 0) {
    const has = Object.keys(rule.params);
    problems.push(`${what}: '${spec.name}' has no parameter ${unknown.join(', ')} (${has.length === 0 ? 'it has none' : `it has ${has.join(', ')}`}); using exact`);
    return null;
  }
  try {
    ruleChoice(activation, spec);
  } catch (e) {
    problems.push(`${what} '${text}': ${(e as Error).message}; using exact`);
    return null;
  }
  return spec;
}

/** The query string that `parseConfig` reads back as `config` (without the leading '?'). */
export function configToSearch(config: Config): string {
  const q = new URLSearchParams();
  q.set('dataset', config.dataset);
  q.set('noise', String(config.noise));
  q.set('depth', String(config.depth));
  q.set('width', String(config.width));
  q.set('activation', config.activation);
  q.set('rule', formatRule(config.rule));
  if (config.layerRules.some((r) => r !== null)) q.set('rules', config.layerRules.map((r) => (r === null ? '*' : formatRule(r))).join('|'));
  q.set('lr', String(config.lr));
  q.set('optimizer', config.optimizer);
  q.set('batch', String(config.batchSize));
  q.set('seed', String(config.seed));
  return q.toString();
}

/** The rule that hidden layer `i` (0-based) uses. */
export function layerRule(config: Config, i: number): RuleSpec {
  return config.layerRules[i] ?? config.rule;
}
