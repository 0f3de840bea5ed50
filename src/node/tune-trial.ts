// One trial of `tuneRules`: train a model with one candidate (rule, learning rate) on one seed,
// from the seed's initial weights and batch order, and report the final metrics. A pure function
// of its spec, so it runs the same in any worker thread (src/node/parallel.ts) or in this one.
import { ArgumentError } from '../errors';
import { Generator } from '../random';
import type { Module } from '../nn/module';
import { Activation } from '../nn/activation';
import { DataLoader } from '../data/loader';
import type { ClassificationDataset, Split } from '../data/dataset';
import * as optim from '../optim';
import * as rules from '../activations/rules';
import type { RuleChoice } from '../activations/rule';
import type { ActivationName } from '../activations/names';
import { evaluate } from '../experiment/compare';
import type { DatasetName, DatasetOptions } from '../experiment/datasets';
// the Node loader: it also reads 'mnist' and 'iris' from their packages (trials run in Node)
import { loadDataset } from './datasets';
import { type InitName, buildModel, initialWeights, loadInitialWeights } from '../experiment/model';
import { deriveSeed } from '../experiment/stats';

/** A rule as data: a registered name ('sigmoid') or a factory with numbers ({ factory: 'atan', params: { alpha: 2 } }). */
export type RuleSpec = string | { factory: string; params: Record<string, number> };

/** The optimizers a tune search can use. */
export type TuneOptimizer = 'sgd' | 'momentum' | 'adam';

/** What every trial of a search shares: the data, the model and how it trains. */
export interface TuneSetting {
  /** The dataset, by name. */
  dataset: DatasetName;
  /** Options of the dataset's loader. */
  datasetOptions?: DatasetOptions;
  /** The activation of the hidden layers (an MLP spec). */
  activation: ActivationName;
  /** Parameters of the activation. */
  activationOptions?: Record<string, number>;
  /** Hidden layers of the MLP. */
  depth: number;
  /** Units per hidden layer. */
  width: number;
  /** The initialisation of the Linear weights (default 'default', PyTorch's). */
  init?: InitName;
  /** The gain of 'xavier' or 'kaiming' initialisation. */
  initGain?: number;
  /** Set every hidden bias to this constant at initialisation. */
  biasInit?: number;
  /** The optimizer (default plain SGD; 'momentum' is SGD with momentum 0.9). */
  optimizer?: TuneOptimizer;
  /** Examples per mini-batch (default 64). */
  batchSize?: number;
  /** Epochs per trial. */
  epochs: number;
}

/** One tune trial as plain data (sent to a worker thread): the setting, the rule, the learning rate, the seed and the epochs. */
export interface TrialSpec {
  /** What every trial of the search shares. */
  setting: TuneSetting;
  /** The candidate's id. */
  candidate: number;
  /** The rule, as data. */
  rule: RuleSpec;
  /** The learning rate. */
  lr: number;
  /** The seed of the initial weights and the batch order. */
  seed: number;
}

/** The outcome of one tune trial: test accuracy and loss, training loss, whether it diverged (or the error it threw), and its time. */
export interface TrialResult {
  /** The candidate's id. */
  candidate: number;
  /** The seed it ran with. */
  seed: number;
  /** Accuracy on the test split after training. */
  testAccuracy: number;
  /** Loss on the test split after training. */
  testLoss: number;
  /** Mean of the last epoch's mini-batch losses. */
  trainLoss: number;
  /** A non-finite training loss was seen (the metrics are then NaN). */
  diverged: boolean;
  /** Set when the trial threw: the message. */
  error?: string;
  /** Wall-clock seconds (not deterministic; never used for ranking). */
  seconds: number;
}

/** The rule a RuleSpec stands for. */
export function ruleFromSpec(spec: RuleSpec): RuleChoice {
  if (typeof spec === 'string') return spec;
  const factory = (rules as unknown as Record<string, unknown>)[spec.factory];
  if (typeof factory !== 'function' || spec.factory === 'blend') {
    throw new ArgumentError(`tune: there is no rule factory '${spec.factory}'`);
  }
  return (factory as (p: Record<string, number>) => RuleChoice)({ ...spec.params });
}

/** How a RuleSpec is shown: `sigmoid`, `atan(alpha=2)`. */
export function ruleSpecLabel(spec: RuleSpec): string {
  if (typeof spec === 'string') return spec;
  const params = Object.entries(spec.params);
  return params.length === 0 ? spec.factory : `${spec.factory}(${params.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

const datasets = new Map<string, Split<ClassificationDataset>>();

function datasetOf(setting: TuneSetting): Split<ClassificationDataset> {
  const key = JSON.stringify([setting.dataset, setting.datasetOptions ?? {}]);
  let data = datasets.get(key);
  if (data === undefined) {
    data = loadDataset(setting.dataset, setting.datasetOptions);
    datasets.set(key, data);
  }
  return data;
}

/** Run one trial of an MLP spec (what the workers call). */
export function runTrial(spec: TrialSpec): TrialResult {
  const { setting } = spec;
  const t0 = performance.now();
  try {
    const data = datasetOf(setting);
    const arch = {
      inputs: data.train.x.size / data.train.length,
      classes: Math.max(data.train.numClasses, data.test.numClasses),
      depth: setting.depth,
      width: setting.width,
    };
    const model = buildModel(arch, {
      activation: setting.activation,
      activationOptions: setting.activationOptions ?? {},
      backward: ruleFromSpec(spec.rule),
      batchNorm: false,
    });
    const weights = initialWeights(arch, new Generator(deriveSeed(spec.seed, 1)), setting.init ?? 'default', setting.initGain ?? null, setting.biasInit ?? null);
    loadInitialWeights(model, weights);
    return { ...train(model, spec, data), seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    return failed(spec, (e as Error).message, t0);
  }
}

/**
 * Run one trial on a user's model (in this thread): `model` already holds the seed's initial
 * weights; every activation layer applying `activation` gets the candidate's rule.
 */
export function runModelTrial(model: Module, spec: TrialSpec): TrialResult {
  const t0 = performance.now();
  try {
    const rule = ruleFromSpec(spec.rule);
    for (const m of model.modules()) if (m instanceof Activation && m.activation === spec.setting.activation) m.backward = rule;
    return { ...train(model, spec, datasetOf(spec.setting)), seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    return failed(spec, (e as Error).message, t0);
  }
}

function failed(spec: TrialSpec, error: string, t0: number): TrialResult {
  return {
    candidate: spec.candidate,
    seed: spec.seed,
    testAccuracy: Number.NaN,
    testLoss: Number.NaN,
    trainLoss: Number.NaN,
    diverged: false,
    error,
    seconds: (performance.now() - t0) / 1000,
  };
}

function train(model: Module, spec: TrialSpec, data: Split<ClassificationDataset>): Omit<TrialResult, 'seconds'> {
  const { setting } = spec;
  const params = model.parameters();
  const opt =
    setting.optimizer === 'adam'
      ? new optim.Adam(params, { lr: spec.lr })
      : new optim.SGD(params, { lr: spec.lr, momentum: setting.optimizer === 'momentum' ? 0.9 : 0 });
  const loader = new DataLoader(data.train, { batchSize: setting.batchSize ?? 64, shuffle: true, seed: deriveSeed(spec.seed, 2) });
  let trainLoss = Number.NaN;
  let diverged = false;
  for (let epoch = 0; epoch < setting.epochs && !diverged; epoch++) {
    model.train();
    let sum = 0;
    let count = 0;
    for (const batch of loader) {
      opt.zeroGrad();
      const loss = model.forward(batch.x).crossEntropy(batch.labels as readonly number[]);
      const value = loss.item();
      if (!Number.isFinite(value)) {
        diverged = true;
        break;
      }
      loss.backward();
      opt.step();
      sum += value;
      count++;
    }
    trainLoss = sum / count;
  }
  if (diverged) return { candidate: spec.candidate, seed: spec.seed, testAccuracy: Number.NaN, testLoss: Number.NaN, trainLoss: Number.NaN, diverged };
  const { loss, accuracy } = evaluate(model, data.test);
  return { candidate: spec.candidate, seed: spec.seed, testAccuracy: accuracy, testLoss: loss, trainLoss, diverged: !Number.isFinite(loss) };
}
