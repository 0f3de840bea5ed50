// Learning-rate schedulers. Each epoch-based scheduler is a closed form lr(t) of the group's
// base learning rate and the epoch count t; `step()` advances t and writes lr(t) into every
// param group. As in PyTorch, constructing a scheduler already applies lr(0), and the base
// learning rate is remembered in the group as `initialLr` (set once, by the first scheduler),
// so several schedulers over one optimizer agree on it.
//
//   StepLR             lr = base · γ^⌊t / stepSize⌋
//   MultiStepLR        lr = base · γ^(number of milestones ≤ t)
//   ExponentialLR      lr = base · γ^t
//   CosineAnnealingLR  lr = ηmin + ½(base − ηmin)(1 + cos(π t / Tmax))
//   LinearLR           lr = base · (s + (e − s) · min(t, T) / T)
//   LinearWarmup       lr = base · min(1, (t + 1) / warmupSteps)
//   SequentialLR       one schedule, then another from a milestone on (its t restarts at 0)
//   ReduceLROnPlateau  multiply by `factor` when a metric stops improving
import { ArgumentError } from '../errors';
import { type Validator, describeValue, validator } from '../validate';

/** What a scheduler needs of an optimizer: its param groups' learning rates. */
export interface SchedulableOptimizer {
  /** The groups whose `lr` the scheduler sets (`initialLr` is recorded on them). */
  readonly paramGroups: { lr: number; initialLr?: number }[];
}

/** A learning-rate scheduler's state, as saved in a checkpoint. */
export interface SchedulerStateDict {
  /** The scheduler's class name, checked on load. */
  type: string;
  /** The epoch count when saved. */
  lastEpoch: number;
  /** The learning rate each group started from. */
  baseLrs: number[];
  /** The learning rates the last step set. */
  lastLrs: number[];
  [extra: string]: number | number[] | string | boolean | null;
}

/** The optimizer argument of a scheduler: an object with param groups whose lr are numbers ≥ 0. */
function checkOptimizer(v: Validator, optimizer: unknown): SchedulableOptimizer {
  const groups = (optimizer as { paramGroups?: unknown } | null)?.paramGroups;
  if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(groups)) {
    throw v.error(`expected an optimizer (with paramGroups), got ${describeValue(optimizer)}`);
  }
  groups.forEach((group: unknown, i) => {
    if (group === null || typeof group !== 'object') throw v.error(`param group ${i} of the optimizer is ${describeValue(group)}, not a group`);
    v.number(`lr of param group ${i}`, (group as { lr?: unknown }).lr, { min: 0 });
    const initialLr = (group as { initialLr?: unknown }).initialLr;
    if (initialLr !== undefined) v.number(`initialLr of param group ${i}`, initialLr, { min: 0 });
  });
  return optimizer as SchedulableOptimizer;
}

/**
 * The base learning rates a scheduler over `optimizer` starts from, checked without changing
 * anything: each group's `initialLr`, or its `lr` when a fresh schedule (lastEpoch -1) sets it.
 */
function plannedBaseLrs(v: Validator, optimizer: SchedulableOptimizer, lastEpoch: number): number[] {
  return optimizer.paramGroups.map((group, i) => {
    if (group.initialLr !== undefined) return group.initialLr;
    if (lastEpoch === -1) return group.lr;
    throw v.error(
      `resuming at lastEpoch ${lastEpoch} needs initialLr in param group ${i}; ` +
        'restore the optimizer state first, or start from lastEpoch -1',
    );
  });
}

/** The base of the epoch-based schedulers: subclasses give the closed form `lrAt`. */
export abstract class LRScheduler {
  /** The scheduler's class name, used in errors and state dicts. */
  abstract readonly name: string;
  /** The optimizer whose learning rates are set. */
  readonly optimizer: SchedulableOptimizer;
  /** The learning rate each group started from. */
  readonly baseLrs: number[];
  /** The epoch count t: 0 after construction, one more after each `step()`. */
  lastEpoch: number;
  private lastLrs: number[] = [];

  /**
   * Subclasses check all of their own options first and call this only then: it checks the
   * optimizer and `lastEpoch`, and only after that writes `initialLr` into the optimizer's groups.
   */
  protected constructor(name: string, optimizer: SchedulableOptimizer, lastEpoch: unknown = -1) {
    // 1. validate
    const v = validator(name);
    checkOptimizer(v, optimizer);
    const start = v.integer('lastEpoch', lastEpoch ?? -1, { min: -1 });
    const baseLrs = plannedBaseLrs(v, optimizer, start);
    // 2. mutate
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((group, i) => {
      group.initialLr = baseLrs[i];
    });
    this.baseLrs = baseLrs;
    this.lastEpoch = start;
  }

  /** Apply lr(0) (or lr(lastEpoch + 1) when resuming); subclasses call this last. */
  protected initialStep(): void {
    this.step();
  }

  /** The learning rate at epoch `t` of a group whose base learning rate is `baseLr`. */
  abstract lrAt(t: number, baseLr: number): number;

  /** Advance one epoch and set every group's lr. */
  step(): void {
    this.lastEpoch++;
    const groups = this.optimizer.paramGroups;
    const lrs = groups.map((_, i) => this.lrAt(this.lastEpoch, this.baseLrs[i]));
    lrs.forEach((lr, i) => {
      groups[i].lr = lr;
    });
    this.lastLrs = lrs;
  }

  /** The learning rates the last `step()` set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** The scheduler state as plain JSON-safe data, for `loadStateDict` (as PyTorch's `state_dict()`). */
  stateDict(): SchedulerStateDict {
    return { type: this.name, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLrs: [...this.lastLrs] };
  }

  /** Restore a state dict from `stateDict()`: every field is checked first; on error nothing changes. */
  loadStateDict(state: SchedulerStateDict): void {
    // 1. validate
    const v = validator(`${this.name}.loadStateDict`);
    const groups = this.baseLrs.length;
    const s = checkStateType(v, this.name, state, ['type', 'lastEpoch', 'baseLrs', 'lastLrs']);
    const lastEpoch = v.integer('lastEpoch', s.lastEpoch, { min: -1 });
    const baseLrs = v.numbers('baseLrs', s.baseLrs, { min: 0 }, groups);
    const lastLrs = v.numbers('lastLrs', s.lastLrs, { min: 0 }, lastEpoch === -1 ? 0 : groups);
    // 2. mutate
    this.lastEpoch = lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...baseLrs);
    this.lastLrs = lastLrs;
  }
}

/** A scheduler state dict of type `name` with only the keys `allowed`, as a record to read. */
function checkStateType(v: Validator, name: string, state: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw v.error(`expected a ${name} state dict (from stateDict()), got ${describeValue(state)}`);
  }
  const type = (state as { type?: unknown }).type;
  if (type !== name) throw v.error(`expected a ${name} state dict, got one of type ${describeValue(type)}`);
  const unknown = Object.keys(state).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw v.error(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; a ${name} state dict has ${allowed.join(', ')}`);
  return state as Record<string, unknown>;
}

/** Options of `optim.StepLR`. */
export interface StepLROptions {
  /** Decay every `stepSize` epochs. */
  stepSize: number;
  /** The factor (default 0.1). */
  gamma?: number;
  /** The epoch to resume from (default −1: a fresh start), as PyTorch's last_epoch. */
  lastEpoch?: number;
}

/** lr = base · γ^⌊t / stepSize⌋ */
export class StepLR extends LRScheduler {
  readonly name = 'StepLR';
  /** Decay every `stepSize` epochs. */
  readonly stepSize: number;
  /** The decay factor. */
  readonly gamma: number;

  /** Attaches to `optimizer` and takes the initial step, setting the learning rates of the first epoch (options checked), as PyTorch. */
  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    // 1. validate (the base constructor checks the optimizer and lastEpoch before it writes initialLr)
    const v = validator('StepLR');
    const o = v.options(options, ['stepSize', 'gamma', 'lastEpoch'], { required: true, example: '{ stepSize: 30, gamma: 0.1 }' });
    const stepSize = v.integer('stepSize', o.stepSize, { min: 1 });
    const gamma = v.number('gamma', o.gamma ?? 0.1, { min: 0 });
    // 2. mutate
    super('StepLR', optimizer, o.lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** Options of `optim.MultiStepLR`. */
export interface MultiStepLROptions {
  /** Epochs at which to decay, increasing. */
  milestones: readonly number[];
  /** The factor (default 0.1). */
  gamma?: number;
  /** The epoch to resume from (default −1: a fresh start), as PyTorch's last_epoch. */
  lastEpoch?: number;
}

/** lr = base · γ^(number of milestones ≤ t) */
export class MultiStepLR extends LRScheduler {
  readonly name = 'MultiStepLR';
  /** Epochs at which to decay, increasing. */
  readonly milestones: readonly number[];
  /** The decay factor. */
  readonly gamma: number;

  /** Attaches to `optimizer` and takes the initial step, setting the learning rates of the first epoch (options checked), as PyTorch. */
  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    // 1. validate
    const v = validator('MultiStepLR');
    const o = v.options(options, ['milestones', 'gamma', 'lastEpoch'], { required: true, example: '{ milestones: [30, 80] }' });
    const milestones = v.integers('milestones', o.milestones, { min: 0 }, { increasing: true });
    const gamma = v.number('gamma', o.gamma ?? 0.1, { min: 0 });
    // 2. mutate
    super('MultiStepLR', optimizer, o.lastEpoch);
    this.milestones = milestones;
    this.gamma = gamma;
    this.initialStep();
  }

  lrAt(t: number, baseLr: number): number {
    let passed = 0;
    for (const m of this.milestones) if (m <= t) passed++;
    return baseLr * this.gamma ** passed;
  }
}

/** Options of `optim.ExponentialLR`. */
export interface ExponentialLROptions {
  /** The factor per epoch. */
  gamma: number;
  /** The epoch to resume from (default −1: a fresh start), as PyTorch's last_epoch. */
  lastEpoch?: number;
}

/** lr = base · γ^t */
export class ExponentialLR extends LRScheduler {
  readonly name = 'ExponentialLR';
  /** The factor per epoch. */
  readonly gamma: number;

  /** Attaches to `optimizer` and takes the initial step, setting the learning rates of the first epoch (options checked), as PyTorch. */
  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    // 1. validate
    const v = validator('ExponentialLR');
    const o = v.options(options, ['gamma', 'lastEpoch'], { required: true, example: '{ gamma: 0.95 }' });
    const gamma = v.number('gamma', o.gamma, { min: 0 });
    // 2. mutate
    super('ExponentialLR', optimizer, o.lastEpoch);
    this.gamma = gamma;
    this.initialStep();
  }

  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** t;
  }
}

/** Options of `optim.CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** Epochs from the base learning rate down to etaMin (half a cosine period). */
  tMax: number;
  /** The minimum learning rate (default 0). */
  etaMin?: number;
  /** The epoch to resume from (default −1: a fresh start), as PyTorch's last_epoch. */
  lastEpoch?: number;
}

/** lr = ηmin + ½(base − ηmin)(1 + cos(π t / Tmax)); past Tmax the cosine continues (it rises again). */
export class CosineAnnealingLR extends LRScheduler {
  readonly name = 'CosineAnnealingLR';
  /** Epochs from the base learning rate down to etaMin. */
  readonly tMax: number;
  /** The minimum learning rate. */
  readonly etaMin: number;

  /** Attaches to `optimizer` and takes the initial step, setting the learning rates of the first epoch (options checked), as PyTorch. */
  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    // 1. validate
    const v = validator('CosineAnnealingLR');
    const o = v.options(options, ['tMax', 'etaMin', 'lastEpoch'], { required: true, example: '{ tMax: 100 }' });
    const tMax = v.integer('tMax', o.tMax, { min: 1 });
    const etaMin = v.number('etaMin', o.etaMin ?? 0, { min: 0 });
    // 2. mutate
    super('CosineAnnealingLR', optimizer, o.lastEpoch);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  lrAt(t: number, baseLr: number): number {
    return this.etaMin + 0.5 * (baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax));
  }
}

/** Options of `optim.LinearLR`. */
export interface LinearLROptions {
  /** The factor at t = 0 (default 1/3). */
  startFactor?: number;
  /** The factor from t = totalIters on (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves linearly (default 5). */
  totalIters?: number;
  /** The epoch to resume from (default −1: a fresh start), as PyTorch's last_epoch. */
  lastEpoch?: number;
}

/** lr = base · (s + (e − s) · min(t, T) / T), PyTorch's LinearLR. */
export class LinearLR extends LRScheduler {
  readonly name = 'LinearLR';
  /** The factor at t = 0. */
  readonly startFactor: number;
  /** The factor from t = totalIters on. */
  readonly endFactor: number;
  /** Epochs over which the factor moves linearly. */
  readonly totalIters: number;

  /** Attaches to `optimizer` and takes the initial step, setting the learning rates of the first epoch (options checked), as PyTorch. */
  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    // 1. validate
    const v = validator('LinearLR');
    const o = v.options(options, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    const startFactor = v.number('startFactor', o.startFactor ?? 1 / 3, { min: 0, max: 1, minOpen: true });
    const endFactor = v.number('endFactor', o.endFactor ?? 1, { min: 0, max: 1 });
    const totalIters = v.integer('totalIters', o.totalIters ?? 5, { min: 1 });
    // 2. mutate
    super('LinearLR', optimizer, o.lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  lrAt(t: number, baseLr: number): number {
    const progress = Math.min(t, this.totalIters) / this.totalIters;
    return baseLr * (this.startFactor + (this.endFactor - this.startFactor) * progress);
  }
}

/** Options of `optim.LinearWarmup`. */
export interface LinearWarmupOptions {
  /** Steps to reach the base learning rate: lr = base · (t + 1) / warmupSteps until then. */
  warmupSteps: number;
  /** The epoch to resume from (default −1: a fresh start), as PyTorch's last_epoch. */
  lastEpoch?: number;
}

/** lr = base · min(1, (t + 1) / warmupSteps): the first step already trains, at base/warmupSteps. */
export class LinearWarmup extends LRScheduler {
  readonly name = 'LinearWarmup';
  /** Steps to reach the base learning rate. */
  readonly warmupSteps: number;

  /** Attaches to `optimizer` and takes the initial step, setting the learning rates of the first epoch (options checked), as PyTorch. */
  constructor(optimizer: SchedulableOptimizer, options: LinearWarmupOptions) {
    // 1. validate
    const v = validator('LinearWarmup');
    const o = v.options(options, ['warmupSteps', 'lastEpoch'], { required: true, example: '{ warmupSteps: 5 }' });
    const warmupSteps = v.integer('warmupSteps', o.warmupSteps, { min: 1 });
    // 2. mutate
    super('LinearWarmup', optimizer, o.lastEpoch);
    this.warmupSteps = warmupSteps;
    this.initialStep();
  }

  lrAt(t: number, baseLr: number): number {
    return baseLr * Math.min(1, (t + 1) / this.warmupSteps);
  }
}

/** Options of `optim.SequentialLR`. */
export interface SequentialLROptions {
  /** The schedules, in order; each must have been made over the same optimizer. */
  schedulers: readonly LRScheduler[];
  /** Where each schedule after the first takes over (one fewer than the schedulers). */
  milestones: readonly number[];
  /** The epoch to resume from (default −1: a fresh start), as PyTorch's last_epoch. */
  lastEpoch?: number;
}

/**
 * Schedules one after another: scheduler k runs from milestones[k − 1] on, with its own epoch
 * count restarting at 0 there (e.g. LinearWarmup for 5 epochs, then CosineAnnealingLR).
 */
export class SequentialLR extends LRScheduler {
  readonly name = 'SequentialLR';
  /** The schedules, in order. */
  readonly schedulers: readonly LRScheduler[];
  /** Where each schedule after the first takes over. */
  readonly milestones: readonly number[];

  /** Attaches to `optimizer` and takes the initial step, setting the learning rates of the first epoch (options checked), as PyTorch. */
  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    // 1. validate
    const v = validator('SequentialLR');
    const o = v.options(options, ['schedulers', 'milestones', 'lastEpoch'], { required: true, example: '{ schedulers: [warmup, cosine], milestones: [5] }' });
    const schedulers = o.schedulers;
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw v.invalid('schedulers', schedulers, 'an array of at least one scheduler');
    schedulers.forEach((s: unknown, i) => {
      if (!(s instanceof LRScheduler)) throw v.invalid(`schedulers[${i}]`, s, 'an epoch-based scheduler (StepLR, LinearWarmup, ...)');
      if (s.optimizer !== optimizer) throw v.error(`schedulers[${i}] (${s.name}) is over another optimizer; every scheduler must be over the same optimizer as SequentialLR`);
    });
    const milestones = v.integers('milestones', o.milestones, { min: 1 }, { increasing: true, length: schedulers.length - 1 });
    // 2. mutate
    super('SequentialLR', optimizer, o.lastEpoch);
    this.schedulers = [...(schedulers as LRScheduler[])];
    this.milestones = milestones;
    this.initialStep();
  }

  lrAt(t: number, baseLr: number): number {
    let k = 0;
    while (k < this.milestones.length && t >= this.milestones[k]) k++;
    const start = k === 0 ? 0 : this.milestones[k - 1];
    return this.schedulers[k].lrAt(t - start, baseLr);
  }
}

/** Options of `optim.ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). */
  mode?: 'min' | 'max';
  /** Multiply the learning rate by this on a plateau (default 0.1, must be < 1). */
  factor?: number;
  /** Epochs without improvement to tolerate before reducing (default 10). */
  patience?: number;
  /** How much better counts as better (default 1e-4). */
  threshold?: number;
  /** 'rel': better by a factor (1 ± threshold); 'abs': by an amount (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** A floor for the learning rate, one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Reduce the learning rate when a metric has stopped improving (PyTorch's ReduceLROnPlateau). */
export class ReduceLROnPlateau {
  /** The scheduler's class name, used in errors and state dicts. */
  readonly name = 'ReduceLROnPlateau';
  /** The optimizer whose learning rates are reduced. */
  readonly optimizer: SchedulableOptimizer;
  /** 'min': the metric should fall; 'max': it should rise. */
  readonly mode: 'min' | 'max';
  /** The factor the learning rate is multiplied by on a plateau. */
  readonly factor: number;
  /** Epochs without improvement tolerated before reducing. */
  readonly patience: number;
  /** How much better counts as better. */
  readonly threshold: number;
  /** 'rel': better by a factor (1 ± threshold); 'abs': by an amount. */
  readonly thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again. */
  readonly cooldown: number;
  /** The floor of each group's learning rate. */
  readonly minLrs: number[];
  /** Reductions smaller than this are skipped. */
  readonly eps: number;
  /** The best metric seen so far (±Infinity before the first step). */
  best: number;
  /** Bad epochs counted since the last improvement or reduction (not counted in cooldown). */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** The number of `step(metric)` calls so far. */
  lastEpoch = 0;
  private lastLrs: number[];

  /** Attaches to `optimizer`, tracking a metric passed to `step(metric)` (options checked). */
  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    // 1. validate
    const v = validator('ReduceLROnPlateau');
    checkOptimizer(v, optimizer);
    const o = v.options(options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    const mode = v.oneOf('mode', o.mode ?? 'min', ['min', 'max'] as const);
    const factor = v.number('factor', o.factor ?? 0.1, { min: 0, max: 1, maxOpen: true });
    const patience = v.integer('patience', o.patience ?? 10, { min: 0 });
    const threshold = v.number('threshold', o.threshold ?? 1e-4, { min: 0 });
    const thresholdMode = v.oneOf('thresholdMode', o.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    const cooldown = v.integer('cooldown', o.cooldown ?? 0, { min: 0 });
    const groups = optimizer.paramGroups.length;
    const minLr = o.minLr ?? 0;
    const minLrs = typeof minLr === 'number'
      ? new Array<number>(groups).fill(v.number('minLr', minLr, { min: 0 }))
      : v.numbers('minLr', minLr, { min: 0 }, groups);
    const eps = v.number('eps', o.eps ?? 1e-8, { min: 0 });
    // 2. mutate
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = minLrs;
    this.eps = eps;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(value: number): boolean {
    const { threshold, best } = this;
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel' ? value < best * (1 - threshold) : value < best - threshold;
    }
    return this.thresholdMode === 'rel' ? value > best * (1 + threshold) : value > best + threshold;
  }

  /** Record this epoch's metric; reduce the learning rates if it has plateaued. */
  step(metric: number): void {
    validator('ReduceLROnPlateau.step').number('metric', metric, { allowInfinity: true });
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const reduced = Math.max(group.lr * this.factor, this.minLrs[i]);
        if (group.lr - reduced > this.eps) group.lr = reduced;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLrs = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates the last `step()` set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** The scheduler state as plain JSON-safe data, for `loadStateDict` (as PyTorch's `state_dict()`). */
  stateDict(): SchedulerStateDict {
    return {
      type: this.name,
      lastEpoch: this.lastEpoch,
      baseLrs: [],
      lastLrs: [...this.lastLrs],
      // ±Infinity is not JSON: store "no best yet" as null
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
    };
  }

  /** Restore a state dict from `stateDict()`: every field is checked first; on error nothing changes. */
  loadStateDict(state: SchedulerStateDict): void {
    // 1. validate
    const v = validator(`${this.name}.loadStateDict`);
    const s = checkStateType(v, this.name, state, ['type', 'lastEpoch', 'baseLrs', 'lastLrs', 'best', 'numBadEpochs', 'cooldownCounter']);
    const groups = this.optimizer.paramGroups.length;
    const lastEpoch = v.integer('lastEpoch', s.lastEpoch, { min: 0 });
    v.numbers('baseLrs', s.baseLrs ?? [], {}, 0);
    const lastLrs = v.numbers('lastLrs', s.lastLrs, { min: 0 }, groups);
    const best = s.best === null ? null : v.number('best', s.best);
    const numBadEpochs = v.integer('numBadEpochs', s.numBadEpochs, { min: 0 });
    const cooldownCounter = v.integer('cooldownCounter', s.cooldownCounter, { min: 0 });
    // 2. mutate
    this.best = best ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.numBadEpochs = numBadEpochs;
    this.cooldownCounter = cooldownCounter;
    this.lastEpoch = lastEpoch;
    this.lastLrs = lastLrs;
  }
}
