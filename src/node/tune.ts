// tuneRules: which backward rule, with which parameters and learning rate, for this network?
//
// A grid of candidates (rules × parameter values × learning rates) is searched by successive
// halving over seeds: round r trains every surviving candidate on seed r (one trial = one model
// trained for `epochs` epochs), candidates are ranked by their mean metric over the seeds run so
// far, and the best half (rounded up) go on to the next seed. Every trial of seed s starts from
// seed s's initial weights and sees seed s's batches, whatever the candidate, so within a seed
// the rule and learning rate are the only difference. Trials run on worker threads
// (src/node/parallel.ts); the results depend on the seed only, not on the number of workers or
// the order threads finish in. A trial whose loss goes non-finite is recorded as diverged and
// ranked last; a trial that throws is recorded with its message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError } from '../errors';
import { Generator } from '../random';
import type { Module } from '../nn/module';
import { tensor } from '../creation';
import { noGrad } from '../autograd/tape';
import { activation as applyActivation } from '../activations';
import { chartSvg, type Series } from '../experiment/svg';
import { deriveSeed } from '../experiment/stats';
import { isDatasetName } from '../experiment/datasets';
import { defaultWorkers, runParallel } from './parallel';
import { type RuleSpec, type TrialResult, type TrialSpec, type TuneSetting, ruleFromSpec, ruleSpecLabel, runModelTrial, runTrial } from './tune-trial';

export type { RuleSpec, TrialResult, TuneSetting, TuneOptimizer } from './tune-trial';

/** A parameter's values: a list, or an evenly spaced grid (geometric when `log`). */
export type ParamRange = readonly number[] | { min: number; max: number; n: number; log?: boolean };

/** What to search: rules (names, or factories with parameter ranges) × learning rates. */
export interface SearchSpace {
  /** The rules: registered names, or factories with a range per parameter. */
  rules: readonly (string | { factory: string; params?: Readonly<Record<string, ParamRange>> })[];
  /** The learning rates, each tried with every rule. */
  lrs: readonly number[];
}

/** Higher test accuracy or lower test loss is better. */
export type TuneMetric = 'testAccuracy' | 'testLoss';

export interface TuneOptions extends TuneSetting {
  /** What to search. */
  space: SearchSpace;
  /** At most this many seeds (rounds of halving); default 3. */
  seeds?: number;
  /** The first seed (round r uses seed + r); default 1. */
  seed?: number;
  /** What ranks candidates (default 'testAccuracy'). */
  metric?: TuneMetric;
  /** Worker threads (default one per core; 0: this thread). Ignored with `model`. */
  workers?: number;
  /**
   * Your own model instead of the MLP spec (depth, width): called with a generator seeded per
   * seed, so every candidate of a seed starts from the same weights; its activation layers that
   * apply `activation` get each candidate's rule. Runs in this thread (a function cannot be sent
   * to a worker).
   */
  model?: (generator: Generator) => Module;
  /** Called after each trial, with the round and trial counts (see {@link TuneProgress}). */
  onProgress?: (event: TuneProgress) => void;
}

/** What `onProgress` of `tuneRules` is told after each trial. */
export interface TuneProgress {
  /** The round (0-based; round r uses the r-th seed). */
  round: number;
  /** The most rounds the search may run. */
  rounds: number;
  /** Trials finished in this round, and in it in all. */
  done: number;
  /** Trials in this round. */
  total: number;
  /** Trials finished over the whole search so far. */
  trialsDone: number;
  /** The trial that finished (undefined if it failed). */
  trial: TrialResult | undefined;
}

/** One point of the search space (a rule with its parameters and a learning rate) and how it fared. */
export interface TuneCandidate {
  /** Its index in the expanded search space. */
  id: number;
  /** A readable name: the rule with its parameters. */
  label: string;
  /** The rule, as data. */
  rule: RuleSpec;
  /** The learning rate. */
  lr: number;
  /** Its trials, one per seed it reached, in seed order. */
  trials: TrialResult[];
  /** Mean and sample sd of the metric over its trials (sd null with one trial); NaN if any diverged or failed. */
  mean: number;
  /** Sample standard deviation of the metric over its trials (null with one trial). */
  sd: number | null;
  /** 'diverged' or 'error' if any trial did. */
  status: 'ok' | 'diverged' | 'error';
  /** Rounds it took part in. */
  rounds: number;
  /** 1 for the best. */
  rank: number;
}

/** What `tuneRules` returns: every candidate with its trials, the ranking and the cost of the search. */
export interface TuneResult {
  /** The settings the search ran with. */
  config: TuneSetting & { space: SearchSpace; seeds: number[]; metric: TuneMetric; workers: number; model: 'mlp' | 'user' };
  /** Best first. */
  candidates: TuneCandidate[];
  /** Per round: its seed and the candidates that ran. */
  rounds: { round: number; seed: number; candidates: number[] }[];
  /** Trials run in all. */
  trials: number;
  /** Σ epochs over all trials: the cost of the search in epochs of one model. */
  trialEpochs: number;
  /** Wall time of the whole search. */
  seconds: number;
}

const FN = 'tuneRules';

/** Search `space` by successive halving over seeds; resolves to the ranked candidates. */
export async function tuneRules(options: TuneOptions): Promise<TuneResult> {
  const o = checkOptions(options);
  const t0 = performance.now();
  const candidates = expand(o.space);
  // every candidate must make a rule the activation accepts: checked before any trial runs
  for (const c of candidates) {
    try {
      noGrad(() => applyActivation(o.activation, tensor([0.5]), { ...(o.activationOptions ?? {}), backward: ruleFromSpec(c.rule) } as never));
    } catch (e) {
      throw new ArgumentError(`${FN}: the candidate ${c.label} cannot be used on ${o.activation}: ${(e as Error).message}`);
    }
  }
  const setting: TuneSetting = settingOf(o);
  const seedCount = o.seeds ?? 3;
  const first = o.seed ?? 1;
  const metric = o.metric ?? 'testAccuracy';
  const workers = o.model !== undefined ? 0 : (o.workers ?? defaultWorkers());
  const trialsOf = new Map<number, TrialResult[]>(candidates.map((c) => [c.id, []]));
  const rounds: TuneResult['rounds'] = [];
  let alive = candidates.map((c) => c.id);
  let trialsDone = 0;

  for (let round = 0; round < seedCount; round++) {
    const seed = first + round;
    rounds.push({ round, seed, candidates: [...alive] });
    const specs: TrialSpec[] = alive.map((id) => ({ setting, candidate: id, rule: candidates[id].rule, lr: candidates[id].lr, seed }));
    const progress = (done: number, trial: TrialResult | undefined): void => {
      trialsDone++;
      o.onProgress?.({ round, rounds: seedCount, done, total: specs.length, trialsDone, trial });
    };
    let results: TrialResult[];
    if (o.model !== undefined) {
      results = [];
      for (const spec of specs) {
        const model = o.model(new Generator(deriveSeed(seed, 1)));
        const result = runModelTrial(model, spec);
        results.push(result);
        progress(results.length, result);
      }
    } else {
      const outcomes = await runParallel<TrialSpec, TrialResult>({
        task: { module: trialModule(), export: 'runTrial' },
        specs,
        workers,
        local: runTrial,
        onProgress: (e) => progress(e.done, e.result),
      });
      results = outcomes.map((out, i) =>
        out.ok ? out.result : { candidate: specs[i].candidate, seed, testAccuracy: NaN, testLoss: NaN, trainLoss: NaN, diverged: false, error: out.error, seconds: 0 },
      );
    }
    for (const r of results) trialsOf.get(r.candidate)?.push(r);
    if (alive.length === 1 || round === seedCount - 1) break;
    const ranked = rank(alive, trialsOf, metric);
    alive = ranked.slice(0, Math.ceil(alive.length / 2)).sort((a, b) => a - b);
  }

  const rankedAll = rank(
    candidates.map((c) => c.id),
    trialsOf,
    metric,
  );
  const out: TuneCandidate[] = rankedAll.map((id, i) => {
    const trials = trialsOf.get(id) as TrialResult[];
    const { mean, sd } = summary(trials, metric);
    const status = trials.some((t) => t.error !== undefined) ? 'error' : trials.some((t) => t.diverged) ? 'diverged' : 'ok';
    return { ...candidates[id], trials, mean, sd, status, rounds: trials.length, rank: i + 1 };
  });
  const trials = out.reduce((a, c) => a + c.trials.length, 0);
  return {
    config: { ...setting, space: o.space, seeds: rounds.map((r) => r.seed), metric, workers, model: o.model === undefined ? 'mlp' : 'user' },
    candidates: out,
    rounds,
    trials,
    trialEpochs: trials * setting.epochs,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The file of tune-trial: .js when built, .ts when running from source. */
function trialModule(): string {
  const candidates = ['.js', '.ts'].map((ext) => path.join(__dirname, `tune-trial${ext}`));
  const found = candidates.find((f) => fs.existsSync(f));
  if (found === undefined) throw new ArgumentError(`${FN}: cannot find the trial module (looked for ${candidates.join(', ')})`);
  return found;
}

function summary(trials: readonly TrialResult[], metric: TuneMetric): { mean: number; sd: number | null } {
  const values = trials.map((t) => t[metric]);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return { mean: Number.NaN, sd: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length < 2 ? null : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd };
}

/** Ids best first: more rounds reached, then the better mean (NaN last), then the lower id. */
function rank(ids: readonly number[], trialsOf: Map<number, TrialResult[]>, metric: TuneMetric): number[] {
  const sign = metric === 'testLoss' ? 1 : -1;
  const key = (id: number): [number, number] => {
    const trials = trialsOf.get(id) as TrialResult[];
    const { mean } = summary(trials, metric);
    return [trials.length, Number.isFinite(mean) ? sign * mean : Number.POSITIVE_INFINITY];
  };
  return [...ids].sort((a, b) => {
    const [ra, ma] = key(a);
    const [rb, mb] = key(b);
    if (ra !== rb) return rb - ra;
    if (ma !== mb) return ma < mb ? -1 : 1;
    return a - b;
  });
}

// ---- the search space ----

interface Candidate {
  id: number;
  label: string;
  rule: RuleSpec;
  lr: number;
}

function valuesOf(range: ParamRange, where: string): number[] {
  if (Array.isArray(range)) {
    const list = range as readonly number[];
    if (list.length === 0 || list.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new ArgumentError(`${FN}: ${where} must list finite numbers, got [${list.join(', ')}]`);
    }
    return [...list];
  }
  const { min, max, n, log } = range as { min: number; max: number; n: number; log?: boolean };
  if (![min, max].every(Number.isFinite) || !(Number.isInteger(n) && n >= 1) || !(min <= max) || (log === true && !(min > 0))) {
    throw new ArgumentError(`${FN}: ${where} must be { min, max, n } with finite min ≤ max, n an integer ≥ 1 (and min > 0 with log), got ${JSON.stringify(range)}`);
  }
  if (n === 1) return [min];
  return Array.from({ length: n }, (_, i) => (log === true ? min * (max / min) ** (i / (n - 1)) : min + ((max - min) * i) / (n - 1)));
}

function expand(space: SearchSpace): Candidate[] {
  const ruleSpecs: RuleSpec[] = [];
  for (const entry of space.rules) {
    if (typeof entry === 'string') {
      ruleSpecs.push(entry);
      continue;
    }
    if (entry === null || typeof entry !== 'object' || typeof entry.factory !== 'string') {
      throw new ArgumentError(`${FN}: a rule in the space must be a name or { factory, params }, got ${JSON.stringify(entry)}`);
    }
    let grids: Record<string, number>[] = [{}];
    for (const [key, range] of Object.entries(entry.params ?? {})) {
      const values = valuesOf(range, `${entry.factory}.${key}`);
      grids = grids.flatMap((g) => values.map((v) => ({ ...g, [key]: v })));
    }
    for (const params of grids) ruleSpecs.push({ factory: entry.factory, params });
  }
  const lrs = valuesOf(space.lrs as number[], 'lrs');
  if (lrs.some((v) => !(v > 0))) throw new ArgumentError(`${FN}: every learning rate must be > 0, got [${lrs.join(', ')}]`);
  const out: Candidate[] = [];
  for (const rule of ruleSpecs) for (const lr of lrs) out.push({ id: out.length, label: ruleSpecLabel(rule), rule, lr });
  return out;
}

// ---- checks ----

const KEYS = [
  'dataset', 'datasetOptions', 'activation', 'activationOptions', 'depth', 'width', 'init', 'initGain', 'biasInit', 'optimizer',
  'batchSize', 'epochs', 'space', 'seeds', 'seed', 'metric', 'workers', 'model', 'onProgress',
];

function checkOptions(options: TuneOptions): TuneOptions {
  if (options === null || typeof options !== 'object') throw new ArgumentError(`${FN}: expected an options object`);
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new ArgumentError(`${FN}: unknown option '${key}'; the options are: ${KEYS.join(', ')}`);
  }
  if (!isDatasetName(options.dataset)) throw new ArgumentError(`${FN}: unknown dataset '${String(options.dataset)}'`);
  const int = (key: keyof TuneOptions, min: number, optional: boolean): void => {
    const v = options[key];
    if (v === undefined && optional) return;
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) throw new ArgumentError(`${FN}: ${key} must be an integer ≥ ${min}, got ${String(v)}`);
  };
  int('depth', 0, options.model !== undefined);
  int('width', 1, options.model !== undefined);
  int('epochs', 1, false);
  int('seeds', 1, true);
  int('seed', 0, true);
  int('workers', 0, true);
  int('batchSize', 1, true);
  if (options.metric !== undefined && options.metric !== 'testAccuracy' && options.metric !== 'testLoss') {
    throw new ArgumentError(`${FN}: metric must be 'testAccuracy' or 'testLoss', got ${String(options.metric)}`);
  }
  if (options.model !== undefined && typeof options.model !== 'function') throw new ArgumentError(`${FN}: model must be a function (generator) => Module`);
  if (options.space === null || typeof options.space !== 'object' || !Array.isArray(options.space.rules) || options.space.rules.length === 0) {
    throw new ArgumentError(`${FN}: space must be { rules: [...], lrs: [...] } with at least one rule`);
  }
  return options;
}

function settingOf(o: TuneOptions): TuneSetting {
  const s: TuneSetting = { dataset: o.dataset, activation: o.activation, depth: o.depth ?? 0, width: o.width ?? 1, epochs: o.epochs };
  if (o.datasetOptions !== undefined) s.datasetOptions = { ...o.datasetOptions };
  if (o.activationOptions !== undefined) s.activationOptions = { ...o.activationOptions };
  if (o.init !== undefined) s.init = o.init;
  if (o.initGain !== undefined) s.initGain = o.initGain;
  if (o.biasInit !== undefined) s.biasInit = o.biasInit;
  if (o.optimizer !== undefined) s.optimizer = o.optimizer;
  if (o.batchSize !== undefined) s.batchSize = o.batchSize;
  return s;
}

// ---- reporting ----

function fmt(metric: TuneMetric, v: number): string {
  if (!Number.isFinite(v)) return '—';
  return metric === 'testAccuracy' ? `${(100 * v).toFixed(1)}%` : v.toFixed(4);
}

/** The ranked table: rank, rule, lr, seeds reached, metric mean ± sd, status. */
export function formatTuneTable(result: TuneResult): string {
  const metric = result.config.metric;
  const rows = result.candidates.map((c) => [
    String(c.rank),
    c.label,
    String(c.lr),
    String(c.rounds),
    c.sd === null ? fmt(metric, c.mean) : `${fmt(metric, c.mean)} ± ${fmt(metric, c.sd)}`,
    c.status === 'ok' ? '' : c.status === 'diverged' ? 'diverged (NaN loss)' : `error: ${c.trials.find((t) => t.error)?.error ?? ''}`,
  ]);
  const header = ['rank', 'rule', 'lr', 'seeds', metric === 'testAccuracy' ? 'test accuracy' : 'test loss', 'status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The search as a chart: each candidate's mean metric after each seed it reached. */
export function tuneSvg(result: TuneResult): string {
  const metric = result.config.metric;
  const series: Series[] = result.candidates.map((c, i) => ({
    label: `${c.rank}. ${c.label}, lr ${c.lr}`,
    color: COLORS[i % COLORS.length],
    markers: true,
    points: c.trials.map((_, k) => [k + 1, summary(c.trials.slice(0, k + 1), metric).mean * (metric === 'testAccuracy' ? 100 : 1)] as const),
  }));
  return chartSvg({
    title: `Successive halving: ${result.candidates.length} candidates, ${result.trials} trials, ${result.trialEpochs} trial-epochs`,
    xLabel: 'seeds reached',
    yLabel: metric === 'testAccuracy' ? 'mean test accuracy (%)' : 'mean test loss',
    series,
  });
}

/** Write `tune.json` and `tune.svg` into `dir` (made if needed); returns their paths. */
export function writeTuneResults(result: TuneResult, dir: string): { json: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'tune.json');
  const svg = path.join(dir, 'tune.svg');
  const finite = (_key: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  fs.writeFileSync(json, `${JSON.stringify(result, finite, 2)}\n`);
  fs.writeFileSync(svg, tuneSvg(result));
  return { json, svg };
}
