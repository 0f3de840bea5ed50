// One trial of the study: one seed of one cell, every row trained by compareRules from the same
// initial weights on the same batches. Returns a compact, JSON-ready summary of each row: what
// the report needs and nothing else (the full per-step curves stay out of the results file).
import { compareRules, diagnostics, nn, noGrad, rules, schedules, Generator, type RuleChoice, type Tensor } from '../src';
import { loadDataset } from '../src/node';
import type { CompareResult, RuleVariant } from '../src/experiment';
import { buildModel, initialWeights, loadInitialWeights, type Architecture } from '../src/experiment/model';
import { deriveSeed } from '../src/experiment/stats';
import { subset, type ClassificationDataset, type Split } from '../src/data/dataset';
import type { FactoryRule, RowSpec, TrialSpec } from './plan';

export interface RowResult {
  label: string;
  kind: RowSpec['kind'];
  exact: boolean;
  /** Test accuracy after each epoch the row trained. */
  accuracy: number[];
  /** Validation accuracy after each epoch (what the stopping rule watched). */
  validationAccuracy: number[];
  /** Test accuracy at the epoch of best validation accuracy (the row's result). */
  finalAccuracy: number;
  /** That epoch (1-based), and why the row stopped. */
  bestEpoch: number;
  stop: 'epochs' | 'patience' | 'diverged';
  finalTrainLoss: number;
  diverged: boolean;
  /** Seconds of training steps per epoch (forward, backward, update; no evaluation). */
  secondsPerEpoch: number;
  /** On the reference batch before training / after the last epoch. */
  initialDead: number | null;
  finalDead: number | null;
  initialSaturated: number | null;
  finalSaturated: number | null;
  initialFirstLast: number;
  /** Per-layer weight-gradient norms before training, input side first. */
  initialGradNorms: number[];
  /** Mean over weight layers of cos(gradient under the row's rule, exact gradient), before training and after the last epoch. */
  initialCosine: number | null;
  finalCosine: number | null;
}

export interface TrialResult {
  key: string;
  /** The trial's spec as run: a resumed study reruns a trial whose spec has changed since. */
  spec: TrialSpec;
  /** The hidden bias the dead-unit calibration chose (null: PyTorch's default biases). */
  biasInit: number | null;
  rows: RowResult[];
  seconds: number;
}

const REFERENCE_SIZE = 256;

type Digits = Split<ClassificationDataset> & { validation: ClassificationDataset };
const splits = new Map<string, Digits>();

/**
 * MNIST digits, loaded once per process for each size: train, a validation set for the stopping
 * rule and test, disjoint (validation is a fixed part of the loader's training split).
 */
function mnist(trainSize: number, validationSize: number, testSize: number): Digits {
  const key = `${trainSize}/${validationSize}/${testSize}`;
  let split = splits.get(key);
  if (split === undefined) {
    const loaded = loadDataset('mnist', { trainSize: trainSize + validationSize, testSize });
    const order = new Generator(20211130).permutation(loaded.train.length);
    split = {
      train: subset(loaded.train, order.slice(0, trainSize)),
      validation: subset(loaded.train, order.slice(trainSize)),
      test: loaded.test,
    };
    splits.set(key, split);
  }
  return split;
}

function factoryRule(rule: FactoryRule, learnable: string | undefined): RuleChoice {
  const params: Record<string, number | ReturnType<typeof nn.learnable>> = { ...rule.params };
  if (learnable !== undefined) params[learnable] = nn.learnable(rule.params[learnable]);
  switch (rule.factory) {
    case 'sigmoidShaped':
      return rules.sigmoidShaped(params);
    case 'bSilu':
      return rules.bSilu(params);
    case 'leakyBackward':
      return rules.leakyBackward(params);
    case 'floorAdded':
      return rules.floorAdded(params);
  }
}

/** A row's rule, made fresh (learnable parameters and schedules belong to one run); `steps` is the run's length. */
function toRule(row: RowSpec, steps: number): { rule: RuleChoice; schedule: ReturnType<typeof schedules.linear> | null } {
  const backward = row.backward;
  if (backward === undefined) return { rule: 'exact', schedule: null };
  const base = typeof backward === 'string' ? (backward as RuleChoice) : factoryRule(backward, row.learnable);
  if (row.anneal !== true) return { rule: base, schedule: null };
  // λ from 0 (the artificial rule) to 1 (exact) over the run, stepped after every optimizer step
  const schedule = schedules.linear({ from: 0, to: 1, steps });
  return { rule: rules.blend(base, 'exact', schedule), schedule };
}

/** The reference batch compareRules measures diagnostics on for this seed. */
function referenceBatch(train: ClassificationDataset, seed: number): ClassificationDataset {
  const order = new Generator(deriveSeed(seed, 3)).permutation(train.length);
  return subset(train, order.slice(0, Math.min(REFERENCE_SIZE, train.length)));
}

export function runTrial(spec: TrialSpec): TrialResult {
  const t0 = performance.now();
  const split = mnist(spec.trainSize, spec.validationSize, spec.testSize);
  const reference = referenceBatch(split.train, spec.seed);
  const biasInit = spec.targetDead === null ? null : calibrateBias(spec, split, reference);
  // an annealed row reaches the exact rule after the first annealEpochs epochs
  const steps = (spec.annealEpochs ?? spec.minEpochs) * Math.ceil(spec.trainSize / spec.batchSize);
  const makeVariants = (): { variants: RuleVariant[]; schedules: Map<string, ReturnType<typeof schedules.linear>> } => {
    const made = new Map<string, ReturnType<typeof schedules.linear>>();
    const variants = spec.rows.map((row): RuleVariant => {
      const { rule, schedule } = toRule(row, steps);
      if (schedule !== null) made.set(row.label, schedule);
      return {
        label: row.label,
        backward: rule,
        ...(row.activation === undefined ? {} : { activation: row.activation }),
        ...(row.batchNorm === undefined ? {} : { batchNorm: row.batchNorm }),
        ...(row.residual === undefined ? {} : { residual: row.residual }),
      };
    });
    return { variants, schedules: made };
  };
  const reinit = new Set(spec.rows.filter((r) => r.reinitDead === true).map((r) => r.label));
  const common = {
    activation: spec.activation,
    arch: spec.arch,
    ...(spec.channels === null ? {} : { channels: spec.channels }),
    depth: spec.depth,
    width: spec.width,
    optimizer: spec.optimizer,
    lr: spec.lr,
    seeds: [spec.seed],
    batchSize: spec.batchSize,
    init: spec.init,
    ...(spec.initGain === null ? {} : { initGain: spec.initGain }),
    ...(biasInit === null ? {} : { biasInit }),
  };
  // warm every row's code up first (a few steps on a few examples, thrown away), so the first
  // row does not carry the JIT's warm-up in its step time
  const few = (d: ClassificationDataset, n: number): ClassificationDataset => subset(d, [...Array(Math.min(n, d.length)).keys()]);
  compareRules({ ...common, rules: makeVariants().variants, dataset: { train: few(split.train, 4 * spec.batchSize), test: few(split.test, 32) }, epochs: 1, agreement: false, referenceSize: 32 });
  const { variants, schedules: annealed } = makeVariants();
  const result = compareRules({
    ...common,
    rules: variants,
    dataset: { train: split.train, test: split.test },
    epochs: spec.maxEpochs,
    earlyStopping: { validation: split.validation, patience: spec.patience, minDelta: spec.minDelta, minEpochs: spec.minEpochs },
    epochDiagnostics: false,
    referenceSize: REFERENCE_SIZE,
    onProgress: (event) => {
      if (event.phase === 'step') annealed.get(event.rule)?.step();
    },
    onModelCreated: (model, info) => {
      if (reinit.has(info.rule)) reinitialiseDeadUnits(model, reference.x, new Generator(deriveSeed(spec.seed, 7)));
    },
  });
  return { key: spec.key, spec, biasInit, rows: summariseRows(spec, result), seconds: (performance.now() - t0) / 1000 };
}

function meanCosine(agreement: { cosine: number }[] | undefined): number | null {
  if (agreement === undefined || agreement.length === 0) return null;
  const finite = agreement.map((a) => a.cosine).filter((c) => Number.isFinite(c));
  return finite.length === 0 ? null : finite.reduce((a, b) => a + b, 0) / finite.length;
}

/**
 * The row's result epoch: compareRules' best (the first epoch of highest validation accuracy), or,
 * with `selectFrom`, the first epoch of highest validation accuracy among epochs ≥ selectFrom (a
 * row that stopped before it, by diverging, keeps compareRules' choice).
 */
function resultEpoch(spec: TrialSpec, run: CompareResult['runs'][number]): number {
  const from = spec.selectFrom;
  if (from === undefined || run.epochs.length < from) return run.best.epoch;
  let best = from;
  for (let e = from + 1; e <= run.epochs.length; e++) {
    if ((run.epochs[e - 1].validationAccuracy as number) > (run.epochs[best - 1].validationAccuracy as number)) best = e;
  }
  return best;
}

function summariseRows(spec: TrialSpec, result: CompareResult): RowResult[] {
  return spec.rows.map((row, i) => {
    const run = result.runs[i];
    const bestEpoch = resultEpoch(spec, run);
    return {
      label: row.label,
      kind: row.kind,
      exact: result.summary[i].exact,
      accuracy: run.epochs.map((e) => e.testAccuracy),
      validationAccuracy: run.epochs.map((e) => e.validationAccuracy as number),
      finalAccuracy: run.epochs[bestEpoch - 1].testAccuracy,
      bestEpoch,
      stop: run.stop,
      finalTrainLoss: run.final.trainLoss,
      diverged: run.diverged,
      secondsPerEpoch: run.final.secondsPerEpoch,
      initialDead: run.initial.deadFraction,
      finalDead: run.finalDiagnostics.deadFraction,
      initialSaturated: run.initial.saturatedFraction,
      finalSaturated: run.finalDiagnostics.saturatedFraction,
      initialFirstLast: run.initial.firstLastRatio,
      initialGradNorms: run.initial.layers.map((l) => l.weightGradNorm),
      initialCosine: meanCosine(run.initial.agreement),
      finalCosine: meanCosine(run.finalDiagnostics.agreement),
    };
  });
}

/**
 * The hidden bias that makes `spec.targetDead` of the hidden units dead at the start (on the
 * reference batch, with this seed's initial weights), by bisection: the dead fraction only grows
 * as the bias falls.
 */
export function calibrateBias(spec: TrialSpec, split: Split<ClassificationDataset>, reference: ClassificationDataset): number {
  const target = spec.targetDead as number;
  const arch: Architecture = {
    inputs: split.train.x.size / split.train.length, classes: 10, depth: spec.depth, width: spec.width,
    ...(spec.arch === 'cnn' ? { kind: 'cnn' as const, channels: spec.channels ?? [], imageShape: [1, 28, 28] as const } : {}),
  };
  const deadAt = (bias: number): number => {
    const weights = initialWeights(arch, new Generator(deriveSeed(spec.seed, 1)), spec.init, spec.initGain, bias);
    const model = buildModel(arch, { activation: 'relu', activationOptions: {}, backward: 'exact', batchNorm: false });
    loadInitialWeights(model, weights);
    const report = diagnostics.diagnose(model, () => model.forward(reference.x).crossEntropy(reference.labels as readonly number[]), { agreement: false });
    return report.deadFraction ?? 0;
  };
  let lo = -8; // dead fraction ~1 here
  let hi = 2; // ~0 here
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (deadAt(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The re-initialisation baseline: walk the model in order and, for each Linear or Conv2d followed
 * by a rectifier, re-draw (PyTorch's default U(±1/√fanIn)) the incoming weights and the bias of
 * every unit (a Linear's output, a conv's output channel) whose pre-activation is ≤ 0 for every
 * example of the batch (and every position, for a channel), until none is dead or after ten
 * tries (a unit whose inputs are all zero stays dead). Returns how many units were re-drawn.
 */
export function reinitialiseDeadUnits(model: nn.Module, x: Tensor, generator: Generator): number {
  let redrawn = 0;
  noGrad(() => {
    let h = x;
    const layers = model.children();
    layers.forEach((layer, i) => {
      const next = layers[i + 1];
      const rectified = next instanceof nn.Activation && next.activation === 'relu';
      if (rectified && (layer instanceof nn.Linear || layer instanceof nn.Conv2d)) {
        const weight = layer.weight;
        const fanIn = weight.size / weight.shape[0];
        const bound = 1 / Math.sqrt(fanIn);
        for (let attempt = 0; attempt < 10; attempt++) {
          const dead = deadUnits(layer.forward(h));
          if (dead.length === 0) break;
          // a unit's incoming weights are one row of the weight viewed as [units, fanIn]
          const w = weight.data.data;
          const b = layer.bias === null ? null : layer.bias.data.data;
          for (const unit of dead) {
            for (let j = 0; j < fanIn; j++) w[unit * fanIn + j] = (2 * generator.uniform() - 1) * bound;
            if (b !== null) b[unit] = (2 * generator.uniform() - 1) * bound;
            redrawn++;
          }
          weight.bumpVersion();
          layer.bias?.bumpVersion();
        }
      }
      h = layer.forward(h);
    });
  });
  return redrawn;
}

/** The units (axis 1) of a [N, units, ...] pre-activation that are ≤ 0 everywhere. */
function deadUnits(z: Tensor): number[] {
  const values = z.toTypedArray();
  const [n, units] = z.shape;
  const inner = z.size / (n * units);
  const dead: number[] = [];
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let e = 0; e < n && !alive; e++) {
      const base = (e * units + u) * inner;
      for (let k = 0; k < inner; k++) if (values[base + k] > 0) { alive = true; break; }
    }
    if (!alive) dead.push(u);
  }
  return dead;
}
