// What the study runs, as plain data: a list of trials, each one seed of one cell of the design
// (activation × depth × optimizer × initialisation, or a dead-unit fraction), training every row
// of that cell (the exact rule, the artificial rules, the conventional remedies) from the same
// initial weights on the same batches (compareRules' equal footing). Plain data so a trial can be
// sent to a worker thread and its key written next to its result, which makes the study resumable.
import { listRules, type ActivationName } from '../src';
import type { OptimizerName } from '../src/experiment';

export const BUDGETS = ['tiny', 'small', 'full'] as const;

/**
 * The design's version, part of the results file's name. 1: a fixed 4 epochs (study/results/full.jsonl,
 * the data of the docs/study.md generated in session 2). 2: early stopping on a validation set, a
 * dying-ReLU CNN cell.
 */
export const DESIGN_VERSION = 2;
export type Budget = (typeof BUDGETS)[number];

/** A rule made by a factory of `rules` with these parameters, e.g. { factory: 'sigmoidShaped', params: { k: 4 } }. */
export interface FactoryRule {
  factory: 'sigmoidShaped' | 'bSilu' | 'leakyBackward' | 'floorAdded';
  params: Record<string, number>;
}

/** One row of a trial: what differs from the cell's exact baseline. */
export interface RowSpec {
  label: string;
  /** A registered rule name or a factory rule (default 'exact'). */
  backward?: string | FactoryRule;
  /** Another hidden activation (a conventional remedy: the forward changes). */
  activation?: ActivationName;
  batchNorm?: boolean;
  residual?: boolean;
  /** Before training, re-draw the incoming weights and bias of every unit dead on the reference batch. */
  reinitDead?: boolean;
  /** Anneal the rule into the exact derivative: blend(rule, exact, λ) with λ linear from 0 to 1 over the trial's first `minEpochs` epochs, exact after. */
  anneal?: boolean;
  /** Make this parameter of the factory rule learnable (nn.learnable, trained by the row's optimizer). */
  learnable?: string;
  /** What kind of row this is, for the report. */
  kind: 'exact' | 'artificial' | 'remedy' | 'scheduled' | 'learned';
}

export type Section = 'vanishing' | 'dying' | 'schedule' | 'followup';

export interface TrialSpec {
  /** Unique and stable: the section, the cell and the seed. */
  key: string;
  /** 'mlp', or 'cnn' (conv blocks of `channels` before the `depth` hidden Linear layers). */
  arch: 'mlp' | 'cnn';
  /** cnn: out channels of each conv block; null for an mlp. */
  channels: number[] | null;
  section: Section;
  /** The cell's key (the trial's key without the seed): trials of one cell are its seeds. */
  cell: string;
  seed: number;
  activation: ActivationName;
  depth: number;
  width: number;
  optimizer: OptimizerName;
  lr: number;
  init: 'default' | 'xavier';
  initGain: number | null;
  /** Dying ReLU: the fraction of hidden units dead at the start (the hidden biases are calibrated to it); null: PyTorch's default biases. */
  targetDead: number | null;
  /** The most epochs a row trains; it stops earlier when its validation accuracy has stalled. */
  maxEpochs: number;
  /** The stopping rule: stop after `patience` epochs without a rise of more than `minDelta` in validation accuracy, never before `minEpochs`. */
  patience: number;
  minDelta: number;
  minEpochs: number;
  trainSize: number;
  /** Digits held out for the stopping rule (disjoint from train and test). */
  validationSize: number;
  testSize: number;
  batchSize: number;
  rows: RowSpec[];
  /** Section 4: annealed rows reach the exact rule after this many epochs (default: minEpochs, as in design 2's first section-4 runs). */
  annealEpochs?: number;
  /** Section 4: every row's result is its best validation epoch among epochs ≥ this one (so an annealed row's result is a model trained to the exact rule's end). */
  selectFrom?: number;
  /** Section 6 (the follow-up stage): the stage-1 cell this trial re-examines, and the factor its learning rate is of that cell's. */
  followUpOf?: string;
  lrFactor?: number;
}

interface BudgetSpec {
  activations: ActivationName[];
  depths: number[];
  optimizers: OptimizerName[];
  inits: { name: string; init: 'default' | 'xavier'; gain: number | null }[];
  seeds: number;
  /** The epoch cap and the stopping rule (see TrialSpec). */
  maxEpochs: number;
  patience: number;
  minDelta: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
  width: number;
  dying: { depths: number[]; targets: (number | null)[]; optimizers: OptimizerName[] };
  /** Dying ReLU on a CNN: conv blocks of these channels then `depth` hidden Linear layers, trained with these optimizers; null: none. */
  dyingCnn: { channels: number[]; depth: number; optimizers: OptimizerName[] } | null;
  /**
   * Section 4's two cells (dying ReLU, and deep sigmoid at `sigmoidDepth` where floorAdded beat exact),
   * with the anneal over `annealEpochs` epochs; null: none.
   */
  schedule: { sigmoidDepth: number; annealEpochs: number } | null;
}

const INITS = {
  default: { name: 'default', init: 'default', gain: null },
  glorot: { name: 'glorot', init: 'xavier', gain: 1 },
  glorot4: { name: 'glorot-gain4', init: 'xavier', gain: 4 },
} as const;

export const BUDGET_SPECS: Record<Budget, BudgetSpec> = {
  // exercised by the tests: every code path, seconds of work
  tiny: {
    activations: ['sigmoid'],
    depths: [3],
    optimizers: ['adam'],
    inits: [INITS.default],
    seeds: 2,
    maxEpochs: 2,
    patience: 1,
    minDelta: 0.005,
    trainSize: 300,
    validationSize: 100,
    testSize: 100,
    width: 16,
    dying: { depths: [3], targets: [null, 0.5], optimizers: ['adam'] },
    dyingCnn: { channels: [4], depth: 1, optimizers: ['adam'] },
    schedule: { sigmoidDepth: 3, annealEpochs: 1 },
  },
  // a few minutes on 2 cores
  small: {
    activations: ['sigmoid', 'tanh'],
    depths: [5, 10],
    optimizers: ['sgd', 'adam'],
    inits: [INITS.default, INITS.glorot4],
    seeds: 3,
    maxEpochs: 4,
    patience: 2,
    minDelta: 0.005,
    trainSize: 2000,
    validationSize: 500,
    testSize: 500,
    width: 64,
    dying: { depths: [5], targets: [null, 0, 0.25, 0.5, 0.9], optimizers: ['adam'] },
    dyingCnn: { channels: [4, 8], depth: 1, optimizers: ['adam'] },
    schedule: { sigmoidDepth: 10, annealEpochs: 2 },
  },
  // the study as published in docs/study.md
  full: {
    activations: ['sigmoid', 'tanh'],
    depths: [3, 5, 10, 20],
    optimizers: ['sgd', 'momentum', 'adam'],
    inits: [INITS.default, INITS.glorot, INITS.glorot4],
    seeds: 5,
    // 12 was too low: in a partial run half of the best rows were still improving at epoch 12
    maxEpochs: 30,
    patience: 3,
    minDelta: 0.005,
    trainSize: 2000,
    validationSize: 1000,
    testSize: 1000,
    width: 64,
    // null: PyTorch's default biases (14–31 % dead here); 0: the "~0 % dead" level (biases raised until none is)
    dying: { depths: [5, 10], targets: [null, 0, 0.25, 0.5, 0.9], optimizers: ['sgd', 'adam'] },
    // one optimizer: a CNN trial costs about seven MLP trials on this machine
    dyingCnn: { channels: [4, 8], depth: 1, optimizers: ['adam'] },
    // sigmoid depth 10, SGD, Glorot gain 4: floorAdded (c = 0.1) 78 % vs exact 10 % in design 2's first seeds;
    // the anneal ends after 5 of the 30 epochs, leaving the exact rule 25 epochs to remove the rule's bias
    schedule: { sigmoidDepth: 10, annealEpochs: 5 },
  },
};

/** The learning rate of each optimizer: the usual defaults (SGD 0.1; SGD + momentum 0.9 at 0.01, the same effective step; Adam 1e-3). */
export const LEARNING_RATES: Partial<Record<OptimizerName, number>> = { sgd: 0.1, momentum: 0.01, adam: 1e-3 };

/** The rows of a vanishing-gradient cell: exact, every artificial rule the activation has, the conventional remedies. */
export function vanishingRows(activation: ActivationName): RowSpec[] {
  const artificial = listRules(activation)
    .filter((r) => !r.exact)
    .map((r): RowSpec => ({ label: r.name, backward: r.name, kind: 'artificial' }));
  return [
    { label: 'exact', backward: 'exact', kind: 'exact' },
    ...artificial,
    { label: 'BatchNorm + exact', batchNorm: true, kind: 'remedy' },
    { label: 'residual + exact', residual: true, kind: 'remedy' },
    { label: 'LeakyReLU forward', activation: 'leakyRelu', kind: 'remedy' },
    { label: 'ReLU forward', activation: 'relu', kind: 'remedy' },
  ];
}

/** The rows of a dying-ReLU cell. */
export function dyingRows(): RowSpec[] {
  return [
    { label: 'exact', backward: 'exact', kind: 'exact' },
    { label: 'sigmoidShaped k=1', backward: { factory: 'sigmoidShaped', params: { k: 1 } }, kind: 'artificial' },
    { label: 'sigmoidShaped k=4', backward: { factory: 'sigmoidShaped', params: { k: 4 } }, kind: 'artificial' },
    { label: 'bSilu', backward: { factory: 'bSilu', params: {} }, kind: 'artificial' },
    { label: 'leaky backward c=0.01', backward: { factory: 'leakyBackward', params: { c: 0.01 } }, kind: 'artificial' },
    { label: 'leaky backward c=0.1', backward: { factory: 'leakyBackward', params: { c: 0.1 } }, kind: 'artificial' },
    { label: 'LeakyReLU forward', activation: 'leakyRelu', kind: 'remedy' },
    { label: 're-initialise dead units', reinitDead: true, kind: 'remedy' },
  ];
}

/**
 * The rows of a section-4 cell: the exact rule, an artificial rule, the same rule annealed into the
 * exact derivative over the run, and the same rule with its parameter learned.
 */
export function scheduleRows(rule: FactoryRule, param: string): RowSpec[] {
  const name = `${rule.factory}${Object.entries(rule.params).map(([k, v]) => ` ${k}=${v}`).join('')}`;
  return [
    { label: 'exact', backward: 'exact', kind: 'exact' },
    { label: name, backward: rule, kind: 'artificial' },
    { label: `${name} → exact (annealed)`, backward: rule, anneal: true, kind: 'scheduled' },
    { label: `${rule.factory}, ${param} learned`, backward: rule, learnable: param, kind: 'learned' },
  ];
}

/**
 * Every trial of a budget, in a fixed order: seed-major (every cell's seed 1, then every cell's
 * seed 2, …), so a study stopped part-way has every cell with fewer seeds rather than half the cells.
 */
export function planStudy(budget: Budget): TrialSpec[] {
  const trials = cellTrials(budget);
  return trials.sort((p, q) => p.seed - q.seed); // stable: design order within a seed
}

function cellTrials(budget: Budget): TrialSpec[] {
  const b = BUDGET_SPECS[budget];
  const seeds = Array.from({ length: b.seeds }, (_, i) => i + 1);
  const trials: TrialSpec[] = [];
  const common = {
    arch: 'mlp' as const, channels: null, width: b.width, maxEpochs: b.maxEpochs, patience: b.patience, minDelta: b.minDelta, minEpochs: 1,
    trainSize: b.trainSize, validationSize: b.validationSize, testSize: b.testSize, batchSize: 64,
  };
  for (const activation of b.activations) {
    for (const depth of b.depths) {
      for (const optimizer of b.optimizers) {
        for (const init of b.inits) {
          const cell = `vanishing/${activation}/depth${depth}/${optimizer}/${init.name}`;
          for (const seed of seeds) {
            trials.push({
              key: `${cell}/seed${seed}`, section: 'vanishing', cell, seed, activation, depth, optimizer,
              lr: LEARNING_RATES[optimizer] as number, init: init.init, initGain: init.gain, targetDead: null,
              rows: vanishingRows(activation), ...common,
            });
          }
        }
      }
    }
  }
  for (const depth of b.dying.depths) {
    for (const optimizer of b.dying.optimizers) {
      for (const target of b.dying.targets) {
        const cell = `dying/relu/depth${depth}/${optimizer}/dead${target === null ? 'default' : Math.round(target * 100)}`;
        for (const seed of seeds) {
          trials.push({
            key: `${cell}/seed${seed}`, section: 'dying', cell, seed, activation: 'relu', depth, optimizer,
            lr: LEARNING_RATES[optimizer] as number, init: 'default', initGain: null, targetDead: target,
            rows: dyingRows(), ...common,
          });
        }
      }
    }
  }
  if (b.dyingCnn !== null) {
    const { channels, depth, optimizers } = b.dyingCnn;
    for (const optimizer of optimizers) {
      for (const target of b.dying.targets) {
        const cell = `dying/relu/cnn${channels.join('-')}-depth${depth}/${optimizer}/dead${target === null ? 'default' : Math.round(target * 100)}`;
        for (const seed of seeds) {
          trials.push({
            key: `${cell}/seed${seed}`, section: 'dying', cell, seed, activation: 'relu', depth, optimizer,
            lr: LEARNING_RATES[optimizer] as number, init: 'default', initGain: null, targetDead: target,
            rows: dyingRows(), ...common, arch: 'cnn', channels: [...channels],
          });
        }
      }
    }
  }
  if (b.schedule !== null) {
    const { sigmoidDepth, annealEpochs } = b.schedule;
    const cells = [
      { activation: 'relu' as const, depth: b.dying.depths[0], optimizer: 'adam' as const, init: INITS.default, targetDead: 0.5,
        rows: scheduleRows({ factory: 'sigmoidShaped', params: { k: 1 } }, 'k') },
      { activation: 'sigmoid' as const, depth: sigmoidDepth, optimizer: 'sgd' as const, init: INITS.glorot4, targetDead: null,
        rows: scheduleRows({ factory: 'floorAdded', params: { c: 0.1 } }, 'c') },
    ];
    for (const c of cells) {
      const cell = `schedule/${c.activation}/depth${c.depth}/${c.optimizer}/${c.init.name}${c.targetDead === null ? '' : `/dead${Math.round(c.targetDead * 100)}`}`;
      for (const seed of seeds) {
        trials.push({
          key: `${cell}/seed${seed}`, section: 'schedule', cell, seed, activation: c.activation, depth: c.depth, optimizer: c.optimizer,
          lr: LEARNING_RATES[c.optimizer] as number, init: c.init.init, initGain: c.init.gain, targetDead: c.targetDead,
          // no row stops before the anneal has ended and `patience` epochs of the exact rule have run,
          // and every row's result is chosen among the epochs from the anneal's end on
          rows: c.rows, ...common, minEpochs: annealEpochs + b.patience, annealEpochs, selectFrom: annealEpochs,
        });
      }
    }
  }
  return trials;
}
