// compareRules: train the same MLP once per backward rule (and per seed) on equal footing and
// collect what happened: loss curves, test accuracy, per-layer gradient norms over training,
// the first/last-layer ratio, dead or saturated units, time per epoch.
//
// Equal footing means: for one seed, every rule starts from the same Linear weights (drawn once
// and copied into each rule's model) and sees the same batches in the same order (a loader
// seeded the same way), and the diagnostics are measured on the same reference batch. So the
// only difference between two rows of one seed is the rule (or the variant's change).
import { ArgumentError } from '../errors';
import { listActivations, listRules } from '../activations/registry';
import { isRule, type RuleChoice } from '../activations/rule';
import { activation as activationLayer } from '../nn/activation';
import { noGrad } from '../autograd/tape';
import * as nd from '../nd';
import { Generator } from '../random';
import type { Tensor } from '../tensor';
import type { Module } from '../nn/module';
import { type ClassificationDataset, type Split, subset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import * as optim from '../optim';
import { diagnose } from '../diagnostics/diagnose';
import { layerGradNorms } from '../diagnostics/norms';
import { ruleName } from '../diagnostics/layers';
import { isDatasetName, loadDataset, DATASET_NAMES, type DatasetName, type DatasetOptions } from './datasets';
import { ARCH_NAMES, INIT_NAMES, buildModel, initialWeights, loadInitialWeights, type Architecture, type LayerChoice } from './model';
import { deriveSeed, meanSd } from './stats';
import {
  METRICS,
  OPTIMIZER_NAMES,
  type CompareConfig,
  type CompareOptions,
  type CompareResult,
  type EpochResult,
  type FinalMetrics,
  type OptimizerName,
  type RuleSummary,
  type RuleVariant,
  type RunResult,
  type Snapshot,
  type EarlyStopping,
  type StopReason,
} from './types';

/** A row of the comparison, resolved: what its model is made of. */
interface Row extends LayerChoice {
  label: string;
  exact: boolean;
  description: string;
}

const FN = 'compareRules';

/**
 * Train one MLP per rule and seed and compare them. Deterministic: the same options give the
 * same results, timings aside.
 *
 *     const result = compareRules({
 *       dataset: 'mnist', activation: 'sigmoid', depth: 10, width: 64,
 *       rules: ['exact', 'floorAdded', { label: 'BatchNorm + exact', batchNorm: true }],
 *       optimizer: 'sgd', lr: 0.1, epochs: 3, seeds: [1, 2],
 *     });
 *     writeResults(result, 'runs/sigmoid');
 */
export function compareRules(options: CompareOptions): CompareResult {
  return runComparison(options, loadDataset);
}

/** How the runner turns a dataset name into a split. */
export type NamedDatasetLoader = (name: DatasetName, options?: DatasetOptions) => Split<ClassificationDataset>;

/**
 * `compareRules` with the loader of named datasets given: the main entry's knows the synthetic
 * sets, `surrograd/node`'s also reads MNIST and iris from their packages.
 * @internal
 */
export function runComparison(options: CompareOptions, loadNamed: NamedDatasetLoader): CompareResult {
  const o = checkOptions(options);
  const data = typeof o.dataset === 'string' ? loadNamed(o.dataset, o.datasetOptions) : o.dataset;
  checkSplit(data);
  const { test } = data;
  const held = heldOutCount(o.earlyStopping, data.train.length);
  if (held !== null && (held >= data.train.length || held < 1)) {
    throw new ArgumentError(
      `${FN}: earlyStopping.validation holds out ${held} of ${data.train.length} training examples, leaving ${held < 1 ? 'no validation set' : 'none to train on'}; hold out ${held < 1 ? 'more' : 'fewer'}`,
    );
  }
  const { train, validation } = holdOut(data.train, o.earlyStopping);
  if (validation !== null && validation.x.size / validation.length !== train.x.size / train.length) {
    throw new ArgumentError(`${FN}: earlyStopping.validation examples have a different size from the training examples`);
  }
  const arch: Architecture = {
    inputs: train.x.size / train.length,
    classes: Math.max(train.numClasses, test.numClasses),
    depth: o.depth,
    width: o.width,
    ...cnnShape(o, train.x.size / train.length),
  };
  const rows = o.rules.map((r) => resolveRow(r, o));
  const labels = rows.map((r) => r.label);
  const duplicate = labels.find((l, i) => labels.indexOf(l) !== i);
  if (duplicate !== undefined) throw new ArgumentError(`${FN}: two rows are labelled '${duplicate}'; give variants distinct labels`);

  const batchSize = o.batchSize ?? 64;
  const stepsPerEpoch = Math.ceil(train.length / batchSize);
  const recordEvery = o.recordEvery ?? Math.max(1, Math.floor(stepsPerEpoch / 25));
  const referenceSize = Math.min(o.referenceSize ?? 256, train.length);
  const biasInit = o.biasInit ?? null;
  const totalSteps = rows.length * o.seeds.length * o.epochs * stepsPerEpoch;
  const progress = { completedSteps: 0, totalSteps };

  const runs: RunResult[] = [];
  // seed-major inside each rule would redraw the weights per row; draw them once per seed instead
  const initials = new Map<number, ReturnType<typeof initialWeights>>();
  for (const seed of o.seeds) initials.set(seed, initialWeights(arch, new Generator(deriveSeed(seed, 1)), o.init ?? 'default', o.initGain ?? null, biasInit));
  const references = new Map<number, ClassificationDataset>();
  for (const seed of o.seeds) {
    const order = new Generator(deriveSeed(seed, 3)).permutation(train.length);
    references.set(seed, subset(train, order.slice(0, referenceSize)));
  }

  for (const row of rows) {
    for (const seed of o.seeds) {
      const model = buildModel(arch, row);
      loadInitialWeights(model, initials.get(seed) as ReturnType<typeof initialWeights>);
      o.onModelCreated?.(model, { rule: row.label, seed });
      runs.push(
        trainOne({
          model,
          row,
          seed,
          train,
          test,
          reference: references.get(seed) as ClassificationDataset,
          validation,
          options: o,
          batchSize,
          recordEvery,
          stepsPerEpoch,
          progress,
        }),
      );
    }
  }

  const config: CompareConfig = {
    dataset: typeof o.dataset === 'string' ? o.dataset : train.name,
    trainSize: train.length,
    testSize: test.length,
    inputs: arch.inputs,
    classes: arch.classes,
    activation: o.activation,
    activationOptions: { ...o.activationOptions },
    depth: o.depth,
    width: o.width,
    arch: arch.kind ?? 'mlp',
    channels: arch.kind === 'cnn' ? [...(arch.channels ?? [])] : null,
    imageShape: arch.kind === 'cnn' && arch.imageShape !== undefined ? [...arch.imageShape] : null,
    rules: rows.map((r) => ({
      label: r.label,
      backward: ruleName(r.backward),
      activation: r.activation,
      batchNorm: r.batchNorm,
      residual: r.residual ?? false,
      exact: r.exact,
      description: r.description,
    })),
    optimizer: o.optimizer ?? 'sgd',
    lr: o.lr,
    epochs: o.epochs,
    earlyStopping:
      validation === null
        ? null
        : { validationSize: validation.length, ...stoppingRule(o.earlyStopping) },
    seeds: [...o.seeds],
    batchSize,
    batchNorm: o.batchNorm ?? false,
    residual: o.residual ?? false,
    init: o.init ?? 'default',
    initGain: o.initGain ?? null,
    biasInit,
    referenceSize,
    recordEvery,
    stepsPerEpoch,
  };
  return { config, runs, summary: rows.map((row) => summarise(row, runs.filter((r) => r.rule === row.label))) };
}

// ---------------------------------------------------------------------------------------------
// One run
// ---------------------------------------------------------------------------------------------

interface RunSetup {
  model: Module;
  row: Row;
  seed: number;
  train: ClassificationDataset;
  test: ClassificationDataset;
  reference: ClassificationDataset;
  /** The early-stopping validation set, or null without early stopping. */
  validation: ClassificationDataset | null;
  options: CompareOptions;
  batchSize: number;
  recordEvery: number;
  stepsPerEpoch: number;
  progress: { completedSteps: number; totalSteps: number };
}

function trainOne(s: RunSetup): RunResult {
  const { model, row, seed, options: o } = s;
  const optimizer = makeOptimizer(o.optimizer ?? 'sgd', model, o.lr);
  const loader = new DataLoader(s.train, { batchSize: s.batchSize, shuffle: true, seed: deriveSeed(seed, 2) });
  const snapshot = (): Snapshot => {
    model.train();
    const ref = s.reference;
    return diagnose(model, () => model.forward(ref.x).crossEntropy(ref.labels), { agreement: o.agreement ?? true });
  };

  const losses: number[] = [];
  const gradNorms: { step: number; layers: number[] }[] = [];
  const epochs: EpochResult[] = [];
  const initial = snapshot();
  let lastSnapshot = initial;
  const rule = s.validation === null ? null : stoppingRule(o.earlyStopping);
  const params = model.parameters();
  let diverged = false;
  let stop: StopReason = 'epochs';
  let best: RunResult['best'] | null = null;
  let level = -Infinity;
  let lastRise = 0;
  let testAccuracy: number | null = null;
  let step = 0;
  for (let epoch = 1; epoch <= o.epochs && stop === 'epochs'; epoch++) {
    model.train();
    let seconds = 0;
    let sum = 0;
    let count = 0;
    for (const batch of loader) {
      const t0 = performance.now();
      optimizer.zeroGrad();
      const loss = model.forward(batch.x).crossEntropy(batch.labels as readonly number[]);
      loss.backward();
      const value = loss.item();
      seconds += (performance.now() - t0) / 1000;
      if (step % s.recordEvery === 0) gradNorms.push({ step, layers: layerGradNorms(model).map((l) => l.weightGradNorm) });
      const t1 = performance.now();
      optimizer.step();
      seconds += (performance.now() - t1) / 1000;
      losses.push(value);
      sum += value;
      count++;
      step++;
      s.progress.completedSteps++;
      o.onProgress?.({ phase: 'step', rule: row.label, seed, epoch, epochs: o.epochs, ...s.progress, loss: value, testAccuracy });
      // a diverged run stops here: NaN weights only make NaN, and a learnable rule parameter
      // that became NaN would make the next forward throw
      if (!Number.isFinite(value) || !allFinite(params)) {
        diverged = true;
        stop = 'diverged';
        break;
      }
    }
    const trainLoss = sum / count;
    // a diverged model classifies nothing (and a rule parameter gone NaN would refuse to run)
    const evaluation = diverged ? { loss: NaN, accuracy: 0 } : evaluate(model, s.test);
    testAccuracy = evaluation.accuracy;
    const validationAccuracy = s.validation === null ? null : diverged ? 0 : evaluate(model, s.validation).accuracy;
    if (rule === null || validationAccuracy === null) {
      best = { epoch, validationAccuracy, testAccuracy };
    } else {
      // the best epoch is the highest validation accuracy (the first of equals); patience counts
      // the epochs since the last rise of more than minDelta over the level it had reached
      if (best === null || validationAccuracy > (best.validationAccuracy as number)) best = { epoch, validationAccuracy, testAccuracy };
      if (validationAccuracy > level + rule.minDelta || epoch === 1) {
        level = validationAccuracy;
        lastRise = epoch;
      }
      if (stop === 'epochs' && epoch >= rule.minEpochs && epoch - lastRise >= rule.patience && epoch < o.epochs) stop = 'patience';
    }
    const lastEpoch = stop !== 'epochs' || epoch === o.epochs;
    const diagnostics = diverged ? lastSnapshot : (o.epochDiagnostics ?? true) || lastEpoch ? snapshot() : null;
    if (diagnostics !== null) lastSnapshot = diagnostics;
    epochs.push({ epoch, trainLoss, testLoss: evaluation.loss, testAccuracy, validationAccuracy, seconds, diagnostics });
    o.onProgress?.({ phase: 'epoch', rule: row.label, seed, epoch, epochs: o.epochs, ...s.progress, loss: trainLoss, testAccuracy });
  }
  // the steps a stopped run did not take still count as done, so progress reaches its total
  s.progress.completedSteps += o.epochs * s.stepsPerEpoch - step;
  const last = epochs[epochs.length - 1];
  const lastDiagnostics = last.diagnostics as Snapshot;
  const final: FinalMetrics = {
    trainLoss: last.trainLoss,
    testLoss: last.testLoss,
    testAccuracy: last.testAccuracy,
    firstLastRatio: lastDiagnostics.firstLastRatio,
    deadFraction: lastDiagnostics.deadFraction,
    saturatedFraction: lastDiagnostics.saturatedFraction,
    secondsPerEpoch: epochs.reduce((a, e) => a + e.seconds, 0) / epochs.length,
  };
  o.onProgress?.({ phase: 'run', rule: row.label, seed, epoch: last.epoch, epochs: o.epochs, ...s.progress, loss: final.trainLoss, testAccuracy });
  return { rule: row.label, seed, losses, gradNorms, initial, finalDiagnostics: lastDiagnostics, epochs, final, best: best as RunResult['best'], stop, diverged };
}

/** Whether every parameter's every value is finite. */
function allFinite(params: readonly Tensor[]): boolean {
  for (const p of params) {
    const values = nd.contiguous(p.data).data;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  }
  return true;
}

/** The stopping rule with its defaults. */
function stoppingRule(es: EarlyStopping | undefined): { patience: number; minDelta: number; minEpochs: number } {
  return { patience: es?.patience ?? 3, minDelta: es?.minDelta ?? 0.002, minEpochs: es?.minEpochs ?? 1 };
}

/** How many training examples `validation` holds out (a count, or a fraction of the training set), or null when it is a dataset or absent. */
function heldOutCount(es: EarlyStopping | undefined, trainSize: number): number | null {
  if (es === undefined || typeof es.validation !== 'number') return null;
  return es.validation < 1 ? Math.round(es.validation * trainSize) : es.validation;
}

/** The training set and the early-stopping validation set (a given dataset, or examples held out of train). */
function holdOut(train: ClassificationDataset, es: EarlyStopping | undefined): { train: ClassificationDataset; validation: ClassificationDataset | null } {
  if (es === undefined) return { train, validation: null };
  if (typeof es.validation !== 'number') return { train, validation: es.validation };
  const order = new Generator(deriveSeed(0, 4)).permutation(train.length);
  const keep = train.length - (heldOutCount(es, train.length) as number);
  return { train: subset(train, order.slice(0, keep)), validation: subset(train, order.slice(keep)) };
}

/** Mean cross-entropy and accuracy over a dataset, in evaluation mode (restored after), in chunks. */
export function evaluate(model: Module, dataset: ClassificationDataset, chunk = 1000): { loss: number; accuracy: number } {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let correct = 0;
  noGrad(() => {
    for (const batch of new DataLoader(dataset, { batchSize: chunk })) {
      const labels = batch.labels as readonly number[];
      const logits = model.forward(batch.x);
      lossSum += logits.crossEntropy(labels, { reduction: 'sum' }).item();
      correct += countCorrect(logits, labels);
    }
  });
  model.train(wasTraining);
  return { loss: lossSum / dataset.length, accuracy: correct / dataset.length };
}

function countCorrect(logits: Tensor, labels: readonly number[]): number {
  const values = nd.contiguous(logits.data).data;
  const classes = logits.shape[1];
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[i * classes + c] > values[i * classes + best]) best = c;
    // a NaN row predicts nothing
    if (!Number.isNaN(values[i * classes + best]) && best === labels[i]) correct++;
  }
  return correct;
}

/** What the loop needs of an optimizer. */
interface Stepper {
  zeroGrad(): void;
  step(): void;
}

function makeOptimizer(name: OptimizerName, model: Module, lr: number): Stepper {
  const params = model.parameters();
  switch (name) {
    case 'sgd':
      return new optim.SGD(params, { lr });
    case 'momentum':
      return new optim.SGD(params, { lr, momentum: 0.9 });
    case 'adam':
      return new optim.Adam(params, { lr });
    case 'adamw':
      return new optim.AdamW(params, { lr });
    case 'rmsprop':
      return new optim.RMSprop(params, { lr });
    case 'adagrad':
      return new optim.Adagrad(params, { lr });
    case 'adamax':
      return new optim.Adamax(params, { lr });
  }
}

// ---------------------------------------------------------------------------------------------
// Rows and summaries
// ---------------------------------------------------------------------------------------------

function isVariant(value: unknown): value is RuleVariant {
  return typeof value === 'object' && value !== null && !isRule(value) && typeof (value as { label?: unknown }).label === 'string';
}

/** Resolve a row and check it by making one of its layers (an unknown rule fails here, naming the valid ones). */
function resolveRow(entry: RuleChoice | RuleVariant, o: CompareOptions): Row {
  const variant: RuleVariant = isVariant(entry) ? entry : { label: defaultLabel(entry), backward: entry };
  const activation = variant.activation ?? o.activation;
  const activationOptions = variant.activation === undefined ? { ...o.activationOptions, ...variant.activationOptions } : { ...variant.activationOptions };
  const backward = variant.backward ?? 'exact';
  const batchNorm = variant.batchNorm ?? o.batchNorm ?? false;
  const residual = variant.residual ?? o.residual ?? false;
  if (!listActivations().includes(activation)) {
    throw new ArgumentError(`${FN}: unknown activation '${String(activation)}'; the activations are ${listActivations().join(', ')}`);
  }
  activationLayer(activation, { ...activationOptions, backward } as never); // throws a RuleError naming the rules
  let exact: boolean;
  let description: string;
  if (typeof backward === 'string') {
    const found = listRules(activation).find((r) => r.name === backward);
    exact = found?.exact ?? false;
    description = found?.description ?? backward;
  } else if (isRule(backward)) {
    exact = backward.exact;
    description = backward.description;
  } else {
    exact = false;
    description = 'an inline rule';
  }
  const changes: string[] = [];
  if (activation !== o.activation) changes.push(`forward ${activation}${formatParams(activationOptions)}`);
  if (batchNorm !== (o.batchNorm ?? false)) changes.push(batchNorm ? 'with BatchNorm1d' : 'without BatchNorm1d');
  if (residual !== (o.residual ?? false)) changes.push(residual ? 'with residual connections' : 'without residual connections');
  if (changes.length > 0) description = `${changes.join(', ')}; backward ${ruleName(backward)}: ${description}`;
  return { label: variant.label, activation, activationOptions, backward, batchNorm, residual, exact, description };
}

function defaultLabel(choice: RuleChoice): string {
  if (typeof choice === 'string') return choice;
  return ruleName(choice);
}

function formatParams(params: Readonly<Record<string, number>>): string {
  const entries = Object.entries(params);
  return entries.length === 0 ? '' : `(${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}

function summarise(row: Row, runs: RunResult[]): RuleSummary {
  const metrics = Object.fromEntries(METRICS.map((m) => [m, meanSd(runs.map((r) => r.final[m]))])) as RuleSummary['metrics'];
  return {
    rule: row.label,
    description: row.description,
    exact: row.exact,
    metrics,
    initialFirstLastRatio: meanSd(runs.map((r) => r.initial.firstLastRatio)),
    bestTestAccuracy: meanSd(runs.map((r) => r.best.testAccuracy)),
    epochsRun: meanSd(runs.map((r) => r.epochs.length)),
    divergedSeeds: runs.filter((r) => r.diverged).map((r) => r.seed),
  };
}

// ---------------------------------------------------------------------------------------------
// Checking the options
// ---------------------------------------------------------------------------------------------

const KEYS = [
  'dataset', 'datasetOptions', 'activation', 'activationOptions', 'depth', 'width', 'rules', 'optimizer', 'lr', 'epochs',
  'seeds', 'batchSize', 'batchNorm', 'residual', 'arch', 'channels', 'imageShape', 'init', 'initGain', 'biasInit', 'referenceSize', 'recordEvery', 'agreement', 'epochDiagnostics', 'earlyStopping', 'onProgress', 'onModelCreated',
];

function checkOptions(options: CompareOptions): CompareOptions {
  if (options === null || typeof options !== 'object') throw new ArgumentError(`${FN}: expected an options object`);
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new ArgumentError(`${FN}: unknown option '${key}'; the options are ${KEYS.join(', ')}`);
  }
  const o = options;
  if (typeof o.dataset === 'string' && !isDatasetName(o.dataset)) {
    throw new ArgumentError(`${FN}: unknown dataset '${o.dataset}'; the datasets are ${DATASET_NAMES.join(', ')}`);
  }
  if (typeof o.activation !== 'string' || !listActivations().includes(o.activation)) {
    throw new ArgumentError(`${FN}: unknown activation '${String(o.activation)}'; the activations are ${listActivations().join(', ')}`);
  }
  integer('depth', o.depth, 0);
  integer('width', o.width, 1);
  integer('epochs', o.epochs, 1);
  if (o.batchSize !== undefined) integer('batchSize', o.batchSize, 1);
  if (o.referenceSize !== undefined) integer('referenceSize', o.referenceSize, 2);
  if (o.recordEvery !== undefined) integer('recordEvery', o.recordEvery, 1);
  if (typeof o.lr !== 'number' || !(o.lr > 0) || !Number.isFinite(o.lr)) throw new ArgumentError(`${FN}: lr must be a positive number, got ${String(o.lr)}`);
  if (o.residual !== undefined && typeof o.residual !== 'boolean') throw new ArgumentError(`${FN}: residual must be true or false, got ${String(o.residual)}`);
  if (o.biasInit !== undefined && (typeof o.biasInit !== 'number' || !Number.isFinite(o.biasInit))) {
    throw new ArgumentError(`${FN}: biasInit must be a finite number, got ${String(o.biasInit)}`);
  }
  if (o.init !== undefined && !(INIT_NAMES as readonly string[]).includes(o.init)) {
    throw new ArgumentError(`${FN}: unknown init '${String(o.init)}'; the schemes are ${INIT_NAMES.join(', ')}`);
  }
  if (o.initGain !== undefined) {
    if (typeof o.initGain !== 'number' || !(o.initGain > 0) || !Number.isFinite(o.initGain)) {
      throw new ArgumentError(`${FN}: initGain must be a positive number, got ${String(o.initGain)}`);
    }
    if ((o.init ?? 'default') === 'default') throw new ArgumentError(`${FN}: initGain applies to init 'xavier' or 'kaiming', not to the default`);
  }
  if (o.optimizer !== undefined && !(OPTIMIZER_NAMES as readonly string[]).includes(o.optimizer)) {
    throw new ArgumentError(`${FN}: unknown optimizer '${String(o.optimizer)}'; the optimizers are ${OPTIMIZER_NAMES.join(', ')}`);
  }
  if (!Array.isArray(o.seeds) || o.seeds.length === 0 || o.seeds.some((s) => !Number.isInteger(s))) {
    throw new ArgumentError(`${FN}: seeds must be a non-empty array of integers, got ${JSON.stringify(o.seeds)}`);
  }
  if (new Set(o.seeds).size !== o.seeds.length) throw new ArgumentError(`${FN}: seeds must be distinct, got ${JSON.stringify(o.seeds)}`);
  if (!Array.isArray(o.rules) || o.rules.length === 0) throw new ArgumentError(`${FN}: rules must list at least one rule`);
  if (o.arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(o.arch)) {
    throw new ArgumentError(`${FN}: unknown arch '${String(o.arch)}'; the architectures are ${ARCH_NAMES.join(', ')}`);
  }
  if ((o.arch ?? 'mlp') === 'mlp' && (o.channels !== undefined || o.imageShape !== undefined)) {
    throw new ArgumentError(`${FN}: channels and imageShape describe a cnn; add arch: 'cnn' or leave them out`);
  }
  if (o.channels !== undefined && (!Array.isArray(o.channels) || o.channels.some((c) => !Number.isInteger(c) || c < 1))) {
    throw new ArgumentError(`${FN}: channels must be a list of positive integers (one per conv block), got ${JSON.stringify(o.channels)}`);
  }
  if (o.imageShape !== undefined && (!Array.isArray(o.imageShape) || o.imageShape.length !== 3 || o.imageShape.some((c) => !Number.isInteger(c) || c < 1))) {
    throw new ArgumentError(`${FN}: imageShape must be [C, H, W] (positive integers), got ${JSON.stringify(o.imageShape)}`);
  }
  if (o.epochDiagnostics !== undefined && typeof o.epochDiagnostics !== 'boolean') {
    throw new ArgumentError(`${FN}: epochDiagnostics must be true or false, got ${String(o.epochDiagnostics)}`);
  }
  if (o.earlyStopping !== undefined) checkEarlyStopping(o.earlyStopping);
  if (o.depth === 0 && o.rules.length > 1 && (o.arch !== 'cnn' || (o.channels ?? [8, 16]).length === 0)) {
    throw new ArgumentError(`${FN}: with depth 0 there is no hidden activation, so every rule gives the same model; use depth ≥ 1`);
  }
  return o;
}

function checkEarlyStopping(es: EarlyStopping): void {
  if (es === null || typeof es !== 'object') throw new ArgumentError(`${FN}: earlyStopping must be an object { validation, patience?, minDelta?, minEpochs? }`);
  const keys = ['validation', 'patience', 'minDelta', 'minEpochs'];
  for (const key of Object.keys(es)) {
    if (!keys.includes(key)) throw new ArgumentError(`${FN}: unknown earlyStopping option '${key}'; the options are ${keys.join(', ')}`);
  }
  const v = es.validation;
  if (typeof v === 'number') {
    if (!(Number.isFinite(v) && ((v > 0 && v < 1) || (Number.isInteger(v) && v >= 1)))) {
      throw new ArgumentError(`${FN}: earlyStopping.validation must be a whole number of training examples ≥ 1 or a fraction in (0, 1), got ${String(v)}`);
    }
  }
  else if (v === null || typeof v !== 'object' || v.task !== 'classification' || v.labels === null || v.length === 0) {
    throw new ArgumentError(`${FN}: earlyStopping.validation must be a non-empty classification dataset or a number of training examples to hold out`);
  }
  if (es.patience !== undefined) integer('earlyStopping.patience', es.patience, 1);
  if (es.minEpochs !== undefined) integer('earlyStopping.minEpochs', es.minEpochs, 1);
  if (es.minDelta !== undefined && (typeof es.minDelta !== 'number' || !(es.minDelta >= 0) || !Number.isFinite(es.minDelta))) {
    throw new ArgumentError(`${FN}: earlyStopping.minDelta must be a finite number ≥ 0, got ${String(es.minDelta)}`);
  }
}

function integer(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ArgumentError(`${FN}: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

function checkSplit(data: Split<ClassificationDataset>): void {
  if (data === null || typeof data !== 'object' || data.train === undefined || data.test === undefined) {
    throw new ArgumentError(`${FN}: dataset must be a name (${DATASET_NAMES.join(', ')}) or a { train, test } split`);
  }
  for (const side of ['train', 'test'] as const) {
    const d = data[side];
    if (d.task !== 'classification' || d.labels === null) throw new ArgumentError(`${FN}: the ${side} set must be a classification dataset (with labels)`);
    if (d.length === 0) throw new ArgumentError(`${FN}: the ${side} set is empty`);
  }
  if (data.train.x.size / data.train.length !== data.test.x.size / data.test.length) {
    throw new ArgumentError(`${FN}: train and test examples have different sizes`);
  }
}

/** The cnn fields of the architecture (none for an mlp): channels and an image shape that fits the inputs. */
function cnnShape(o: CompareOptions, inputs: number): Partial<Architecture> {
  if ((o.arch ?? 'mlp') !== 'cnn') return {};
  const channels = [...(o.channels ?? [8, 16])];
  let image: [number, number, number];
  if (o.imageShape !== undefined) {
    image = [o.imageShape[0], o.imageShape[1], o.imageShape[2]];
  } else {
    const side = Math.round(Math.sqrt(inputs));
    if (side * side !== inputs) {
      throw new ArgumentError(`${FN}: arch 'cnn' needs image-shaped inputs; ${inputs} inputs are not a square, give imageShape [C, H, W]`);
    }
    image = [1, side, side];
  }
  if (image[0] * image[1] * image[2] !== inputs) {
    throw new ArgumentError(`${FN}: imageShape [${image}] has ${image[0] * image[1] * image[2]} values but each input has ${inputs}`);
  }
  const shrink = 2 ** channels.length;
  if (image[1] < shrink || image[2] < shrink) {
    throw new ArgumentError(
      `${FN}: ${channels.length} conv blocks halve the image ${channels.length} times, but ${image[1]}×${image[2]} is smaller than ${shrink}×${shrink}; use fewer channels entries`,
    );
  }
  return { kind: 'cnn', channels, imageShape: image };
}
