// The options and results of `compareRules`. Results are plain data (JSON-ready: non-finite
// numbers become null when written).
import type { ActivationName } from '../activations/names';
import type { RuleChoice } from '../activations/rule';
import type { ClassificationDataset, Split } from '../data/dataset';
import type { Module } from '../nn/module';
import type { DiagnosticsReport } from '../diagnostics/diagnose';
import type { DatasetName, DatasetOptions } from './datasets';
import type { MeanSd } from './stats';
import type { ArchName, InitName } from './model';

/** The optimizers the experiment runner offers. */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adamax'] as const;
/** 'momentum' is SGD with momentum 0.9. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/**
 * One row of a comparison that is more than a backward rule: a label, and what differs from the
 * comparison's settings. `{ label: 'BatchNorm + exact', batchNorm: true }`,
 * `{ label: 'LeakyReLU forward', activation: 'leakyRelu' }`.
 */
export interface RuleVariant {
  /** The row's name in tables, plots and JSON (unique within a comparison). */
  label: string;
  /** The backward rule of every hidden activation (default 'exact'). */
  backward?: RuleChoice;
  /** Another hidden activation (the forward changes: a conventional remedy). */
  activation?: ActivationName;
  /** Parameters of that activation (e.g. { slope: 0.1 }). */
  activationOptions?: Readonly<Record<string, number>>;
  /** BatchNorm1d after every hidden Linear (default: the comparison's `batchNorm`). */
  batchNorm?: boolean;
  /** Skip connections x + layer(x) around hidden layers 2..depth (default: the comparison's `residual`). */
  residual?: boolean;
}

/** What `onProgress` is told: after every training step, after every epoch, after every run. */
export interface ProgressEvent {
  /** 'step' after a training step, 'epoch' after an epoch, 'run' after a run. */
  phase: 'step' | 'epoch' | 'run';
  /** The label of the row being trained. */
  rule: string;
  /** The seed of the run. */
  seed: number;
  /** 1-based epoch (during a step: the epoch in progress). */
  epoch: number;
  /** Epochs per run. */
  epochs: number;
  /** Steps done over the whole comparison, and how many there will be. */
  completedSteps: number;
  /** Training steps over the whole comparison. */
  totalSteps: number;
  /** The step's loss, or the epoch's mean training loss for 'epoch' and 'run'. */
  loss: number;
  /** The test accuracy of the last finished epoch of this run (null before the first). */
  testAccuracy: number | null;
}

/** Options of `compareRules`: data, architecture, the rules to compare, training and what to record. */
export interface CompareOptions {
  /** A dataset name (loaded with `datasetOptions`) or a train/test split of classification data. */
  dataset: DatasetName | Split<ClassificationDataset>;
  /** Options of the named dataset's loader. */
  datasetOptions?: DatasetOptions;
  /** The hidden activation. */
  activation: ActivationName;
  /** Its parameters (e.g. { slope: 0.2 } for leakyRelu). */
  activationOptions?: Readonly<Record<string, number>>;
  /** Hidden layers (each Linear → [BatchNorm1d] → activation), ≥ 0. */
  depth: number;
  /** Units per hidden layer. */
  width: number;
  /**
   * 'mlp' (default), or 'cnn': each input row is read as an image (`imageShape`) and goes
   * through one block per entry of `channels` — Conv2d 3×3 padding 1 → [BatchNorm2d] →
   * activation (with the row's rule) → MaxPool2d 2 — before the `depth` hidden Linear layers.
   */
  arch?: ArchName;
  /** cnn: out channels of each conv block (default [8, 16]). */
  channels?: readonly number[];
  /** cnn: an input row as [C, H, W] (default [1, 28, 28] for 784 inputs, [1, s, s] for s² inputs). */
  imageShape?: readonly [number, number, number];
  /** The rows: rule names ('exact', 'floorAdded'), rule objects (rules.floorAdded({ c: 0.05 })), or variants. */
  rules: readonly (RuleChoice | RuleVariant)[];
  /** Default 'sgd'. */
  optimizer?: OptimizerName;
  /** The learning rate. */
  lr: number;
  /** Epochs per run. */
  epochs: number;
  /** One run per seed and rule; a seed fixes the initial weights, the batch order and the reference batch. */
  seeds: readonly number[];
  /** Default 64. */
  batchSize?: number;
  /** BatchNorm1d after every hidden Linear, for every row (a variant can override). Default false. */
  batchNorm?: boolean;
  /** Residual MLP: skip connections around hidden layers 2..depth, for every row (a variant can override). Default false. */
  residual?: boolean;
  /**
   * The initial Linear weights: 'default' (PyTorch's Linear initialisation, the default), 'xavier'
   * (Glorot uniform, zero biases) or 'kaiming' (He uniform for ReLU, zero biases).
   */
  init?: InitName;
  /** The gain of 'xavier' (default 1) or 'kaiming' (default √2); e.g. 4 for sigmoid, whose slope at 0 is 1/4. */
  initGain?: number;
  /** Set every hidden bias to this constant at initialisation (e.g. −1 to drive ReLU units dead). */
  biasInit?: number;
  /** Examples in the reference batch the diagnostics are measured on (default 256, at most the training set). */
  referenceSize?: number;
  /** Record the per-layer gradient norms every this many steps (default: about 25 points per epoch). */
  recordEvery?: number;
  /** Measure each layer's agreement with the exact gradient at every epoch (default true). */
  agreement?: boolean;
  /**
   * Diagnose the reference batch after every epoch (default true). false: only before training
   * and after the last epoch (intermediate epochs' `diagnostics` are null) — the diagnostics cost
   * about as much as an epoch of a small net.
   */
  epochDiagnostics?: boolean;
  /**
   * Stop a run when its accuracy on held-out data has stopped improving; `epochs` is then the
   * most a run may train. Off by default (every run trains `epochs` epochs).
   */
  earlyStopping?: EarlyStopping;
  /** Called after every training step, epoch and run (for progress bars). */
  onProgress?: (event: ProgressEvent) => void;
  /** Called with each run's model before it trains (its initial weights are set). */
  onModelCreated?: (model: Module, info: { rule: string; seed: number }) => void;
}

/**
 * The stopping rule of `compareRules`: after each epoch the run is evaluated on `validation`;
 * it stops once `patience` epochs in a row have not raised the validation accuracy by more than
 * `minDelta` above the level of its last such rise (and at least `minEpochs` epochs have run).
 * Its result (`best`) is the epoch of highest validation accuracy, whether or not that epoch rose
 * by `minDelta`. The test split is never used to decide anything.
 */
export interface EarlyStopping {
  /**
   * Held-out examples: a classification dataset, or how many training examples to hold out — a
   * whole number, or a fraction in (0, 1) such as 0.2 — drawn once by a fixed permutation, the same
   * for every row and seed; the rest are trained on.
   */
  validation: ClassificationDataset | number;
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  /** The smallest rise in validation accuracy that counts as an improvement (default 0.002). */
  minDelta?: number;
  /** Never stop before this many epochs (default 1). */
  minEpochs?: number;
}

/**
 * Why a run stopped: it trained every epoch, the stopping rule fired, or it diverged (a loss or a
 * parameter became NaN or infinite; training stops there, and the epoch it diverged in records
 * test accuracy 0 and test loss NaN without evaluating).
 */
export type StopReason = 'epochs' | 'patience' | 'diverged';

/**
 * Diagnostics on the reference batch, in training mode (BatchNorm normalises with the batch's
 * statistics, as in a training step), with agreement per layer unless turned off (see diagnostics.diagnose).
 */
export type Snapshot = DiagnosticsReport;

/** What one epoch of a run recorded. */
export interface EpochResult {
  /** 1-based epoch. */
  epoch: number;
  /** Mean of the epoch's mini-batch losses. */
  trainLoss: number;
  /** Mean loss on the test split after the epoch. */
  testLoss: number;
  /** Accuracy on the test split after the epoch. */
  testAccuracy: number;
  /** Accuracy on the early-stopping validation set after the epoch (null without early stopping). */
  validationAccuracy: number | null;
  /** Wall time of the epoch's training steps (no evaluation, no diagnostics). */
  seconds: number;
  /** Diagnostics on the reference batch after the epoch (null for an intermediate epoch when `epochDiagnostics` is false). */
  diagnostics: Snapshot | null;
}

/** The headline numbers of a run (the last epoch's). */
export interface FinalMetrics {
  /** Mean of the last epoch's mini-batch losses. */
  trainLoss: number;
  /** Test loss after the last epoch. */
  testLoss: number;
  /** Test accuracy after the last epoch. */
  testAccuracy: number;
  /** ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ on the reference batch after the last epoch. */
  firstLastRatio: number;
  /** Dead fraction of a rectifier net, saturated fraction of a sigmoid/tanh net, else null. */
  deadFraction: number | null;
  /** Saturated fraction of a sigmoid/tanh net, else null. */
  saturatedFraction: number | null;
  /** Mean wall time of an epoch's training steps. */
  secondsPerEpoch: number;
}

/** One training run of `compareRules`: one rule, one seed. */
export interface RunResult {
  /** The label of the row. */
  rule: string;
  /** The seed of the run. */
  seed: number;
  /** The loss of every training step, in order. */
  losses: number[];
  /** Per-layer weight gradient norms (input side first) of the training batch at recorded steps (0-based). */
  gradNorms: { step: number; layers: number[] }[];
  /** Diagnostics on the reference batch before training. */
  initial: Snapshot;
  /** Diagnostics on the reference batch after the last epoch (always measured; for a diverged run, the last measured before it diverged). */
  finalDiagnostics: Snapshot;
  /** What each epoch recorded. */
  epochs: EpochResult[];
  /** The headline numbers (the last epoch's). */
  final: FinalMetrics;
  /**
   * The epoch with the highest validation accuracy (the first of equals) and its test accuracy —
   * the usual early-stopping model selection; without early stopping, the last epoch.
   */
  best: { epoch: number; validationAccuracy: number | null; testAccuracy: number };
  /** Why the run stopped. */
  stop: StopReason;
  /** True when a loss or a parameter became NaN or infinite (the run stopped there). */
  diverged: boolean;
}

/** The metrics the experiment runner records per epoch. */
export const METRICS = ['trainLoss', 'testLoss', 'testAccuracy', 'firstLastRatio', 'deadFraction', 'saturatedFraction', 'secondsPerEpoch'] as const;
/** A metric the experiment runner records. */
export type MetricName = (typeof METRICS)[number];

/** Mean and standard deviation over seeds of one rule's final metrics. */
export interface RuleSummary {
  /** The label of the row. */
  rule: string;
  /** What the row is: the rule's description, plus the variant's changes. */
  description: string;
  /** Whether the row's rule is the exact derivative. */
  exact: boolean;
  /** Mean ± sd over seeds of each final metric. */
  metrics: Record<MetricName, MeanSd>;
  /** Mean ± sd over seeds of the reference-batch first/last ratio before training. */
  initialFirstLastRatio: MeanSd;
  /** Mean ± sd over seeds of the test accuracy at each run's best validation epoch (with early stopping; otherwise the final test accuracy). */
  bestTestAccuracy: MeanSd;
  /** Mean ± sd over seeds of the epochs each run trained. */
  epochsRun: MeanSd;
  /** Seeds whose run diverged. */
  divergedSeeds: number[];
}

/** The settings a comparison ran with, as plain data. */
export interface CompareConfig {
  /** The dataset's name. */
  dataset: string;
  /** Training examples. */
  trainSize: number;
  /** Test examples. */
  testSize: number;
  /** Input features per example. */
  inputs: number;
  /** Number of classes. */
  classes: number;
  /** The hidden activation. */
  activation: string;
  /** Its parameters. */
  activationOptions: Record<string, number>;
  /** Hidden layers. */
  depth: number;
  /** Units per hidden layer. */
  width: number;
  /** 'mlp' or 'cnn'. */
  arch: ArchName;
  /** cnn: the conv blocks' channels and the image shape; null for an mlp. */
  channels: number[] | null;
  /** cnn: an input row as [C, H, W]; null for an mlp. */
  imageShape: number[] | null;
  /** The rows, resolved: label, rule, activation, BatchNorm and residual settings, description. */
  rules: { label: string; backward: string; activation: string; batchNorm: boolean; residual: boolean; exact: boolean; description: string }[];
  /** The optimizer. */
  optimizer: OptimizerName;
  /** The learning rate. */
  lr: number;
  /** Epochs per run (the most, with early stopping). */
  epochs: number;
  /** The stopping rule, resolved (validationSize: held-out examples), or null. */
  earlyStopping: { validationSize: number; patience: number; minDelta: number; minEpochs: number } | null;
  /** The seeds, one run per seed and row. */
  seeds: number[];
  /** Examples per mini-batch. */
  batchSize: number;
  /** BatchNorm1d after every hidden Linear (the default of the rows). */
  batchNorm: boolean;
  /** Skip connections around hidden layers (the default of the rows). */
  residual: boolean;
  /** The initialisation of the Linear weights. */
  init: InitName;
  /** The initialisation gain, or null for the default. */
  initGain: number | null;
  /** The constant the hidden biases were set to, or null. */
  biasInit: number | null;
  /** Examples in the reference batch. */
  referenceSize: number;
  /** Gradient norms were recorded every this many steps. */
  recordEvery: number;
  /** Training steps per epoch. */
  stepsPerEpoch: number;
}

/** What `compareRules` returns: the configuration, every run, and a summary per rule. */
export interface CompareResult {
  /** The settings the comparison ran with. */
  config: CompareConfig;
  /** One per rule and seed, rule-major in the order given. */
  runs: RunResult[];
  /** One per rule, in the order given. */
  summary: RuleSummary[];
}
