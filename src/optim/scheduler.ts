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

/** What a scheduler needs of an optimizer: its param groups' learning rates. */
export interface SchedulableOptimizer {
  readonly paramGroups: { lr: number; initialLr?: number }[];
}

/** A learning-rate scheduler's state, as saved in a checkpoint. */
export interface SchedulerStateDict {
  type: string;
  lastEpoch: number;
  baseLrs: number[];
  lastLrs: number[];
  [extra: string]: number | number[] | string | boolean | null;
}

function fail(name: string, option: string, value: unknown, rule: string): never {
  const shown = Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
  throw new ArgumentError(`${name}: invalid ${option}: ${shown}; ${rule}`);
}

function positiveInteger(name: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(name, option, value, 'it must be an integer ≥ 1');
  return value;
}

function finiteNonNegative(name: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(name, option, value, 'it must be a finite number ≥ 0');
  return value;
}

/** The base of the epoch-based schedulers: subclasses give the closed form `lrAt`. */
export abstract class LRScheduler {
  abstract readonly name: string;
  readonly optimizer: SchedulableOptimizer;
  /** The learning rate each group started from. */
  readonly baseLrs: number[];
  /** The epoch count t: 0 after construction, one more after each `step()`. */
  lastEpoch: number;
  private lastLrs: number[] = [];

  protected constructor(name: string, optimizer: SchedulableOptimizer, lastEpoch = -1) {
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new ArgumentError(`${name}: expected an optimizer (with paramGroups), got ${String(optimizer)}`);
    }
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) fail(name, 'lastEpoch', lastEpoch, 'it must be an integer ≥ -1');
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) {
        group.initialLr ??= group.lr;
      } else if (group.initialLr === undefined) {
        throw new ArgumentError(
          `${name}: resuming at lastEpoch ${lastEpoch} needs initialLr in param group ${i}; ` +
            'restore the optimizer state first, or start from lastEpoch -1',
        );
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
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

  stateDict(): SchedulerStateDict {
    return { type: this.name, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLrs: [...this.lastLrs] };
  }

  loadStateDict(state: SchedulerStateDict): void {
    checkSchedulerState(this.name, state, this.baseLrs.length);
    this.lastEpoch = state.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.lastLrs = [...state.lastLrs];
  }
}

function checkSchedulerState(name: string, state: SchedulerStateDict, groups: number): void {
  if (state === null || typeof state !== 'object' || state.type !== name) {
    throw new ArgumentError(`${name}.loadStateDict: expected a ${name} state dict, got type ${String(state?.type)}`);
  }
  if (!Number.isInteger(state.lastEpoch) || !Array.isArray(state.baseLrs) || state.baseLrs.length !== groups) {
    throw new ArgumentError(`${name}.loadStateDict: the state dict is for ${state.baseLrs?.length} param groups, not ${groups}`);
  }
}

/** Options of `optim.StepLR`. */
export interface StepLROptions {
  /** Decay every `stepSize` epochs. */
  stepSize: number;
  /** The factor (default 0.1). */
  gamma?: number;
  lastEpoch?: number;
}

/** lr = base · γ^⌊t / stepSize⌋ */
export class StepLR extends LRScheduler {
  readonly name = 'StepLR';
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super('StepLR', optimizer, options?.lastEpoch);
    this.stepSize = positiveInteger('StepLR', 'stepSize', options.stepSize);
    this.gamma = finiteNonNegative('StepLR', 'gamma', options.gamma ?? 0.1);
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
  gamma?: number;
  lastEpoch?: number;
}

/** lr = base · γ^(number of milestones ≤ t) */
export class MultiStepLR extends LRScheduler {
  readonly name = 'MultiStepLR';
  readonly milestones: readonly number[];
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer, options?.lastEpoch);
    const ms = options.milestones;
    if (!Array.isArray(ms) || ms.some((m, i) => !Number.isInteger(m) || m < 0 || (i > 0 && m <= ms[i - 1]))) {
      fail('MultiStepLR', 'milestones', ms, 'they must be increasing non-negative integers');
    }
    this.milestones = [...ms];
    this.gamma = finiteNonNegative('MultiStepLR', 'gamma', options.gamma ?? 0.1);
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
  gamma: number;
  lastEpoch?: number;
}

/** lr = base · γ^t */
export class ExponentialLR extends LRScheduler {
  readonly name = 'ExponentialLR';
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer, options?.lastEpoch);
    this.gamma = finiteNonNegative('ExponentialLR', 'gamma', options.gamma);
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
  lastEpoch?: number;
}

/** lr = ηmin + ½(base − ηmin)(1 + cos(π t / Tmax)); past Tmax the cosine continues (it rises again). */
export class CosineAnnealingLR extends LRScheduler {
  readonly name = 'CosineAnnealingLR';
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer, options?.lastEpoch);
    this.tMax = positiveInteger('CosineAnnealingLR', 'tMax', options.tMax);
    this.etaMin = finiteNonNegative('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
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
  lastEpoch?: number;
}

/** lr = base · (s + (e − s) · min(t, T) / T), PyTorch's LinearLR. */
export class LinearLR extends LRScheduler {
  readonly name = 'LinearLR';
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer, options.lastEpoch);
    const s = options.startFactor ?? 1 / 3;
    const e = options.endFactor ?? 1;
    if (typeof s !== 'number' || !(s > 0 && s <= 1)) fail('LinearLR', 'startFactor', s, 'it must be in (0, 1]');
    if (typeof e !== 'number' || !(e >= 0 && e <= 1)) fail('LinearLR', 'endFactor', e, 'it must be in [0, 1]');
    this.startFactor = s;
    this.endFactor = e;
    this.totalIters = positiveInteger('LinearLR', 'totalIters', options.totalIters ?? 5);
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
  lastEpoch?: number;
}

/** lr = base · min(1, (t + 1) / warmupSteps): the first step already trains, at base/warmupSteps. */
export class LinearWarmup extends LRScheduler {
  readonly name = 'LinearWarmup';
  readonly warmupSteps: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearWarmupOptions) {
    super('LinearWarmup', optimizer, options?.lastEpoch);
    this.warmupSteps = positiveInteger('LinearWarmup', 'warmupSteps', options.warmupSteps);
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
  lastEpoch?: number;
}

/**
 * Schedules one after another: scheduler k runs from milestones[k − 1] on, with its own epoch
 * count restarting at 0 there (e.g. LinearWarmup for 5 epochs, then CosineAnnealingLR).
 */
export class SequentialLR extends LRScheduler {
  readonly name = 'SequentialLR';
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    super('SequentialLR', optimizer, options?.lastEpoch);
    const { schedulers, milestones } = options;
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      fail('SequentialLR', 'schedulers', schedulers, 'give at least one scheduler');
    }
    if (schedulers.some((s) => s.optimizer !== optimizer)) {
      throw new ArgumentError('SequentialLR: every scheduler must be over the same optimizer as SequentialLR');
    }
    if (
      !Array.isArray(milestones) ||
      milestones.length !== schedulers.length - 1 ||
      milestones.some((m, i) => !Number.isInteger(m) || m < 1 || (i > 0 && m <= milestones[i - 1]))
    ) {
      fail('SequentialLR', 'milestones', milestones, `give ${schedulers.length - 1} increasing integers ≥ 1 (one per switch)`);
    }
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
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
  readonly name = 'ReduceLROnPlateau';
  readonly optimizer: SchedulableOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLrs: number[];

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new ArgumentError(`${name}: expected an optimizer (with paramGroups), got ${String(optimizer)}`);
    }
    this.optimizer = optimizer;
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') fail(name, 'mode', this.mode, "use 'min' or 'max'");
    this.factor = options.factor ?? 0.1;
    if (typeof this.factor !== 'number' || !(this.factor >= 0 && this.factor < 1)) {
      fail(name, 'factor', this.factor, 'it must be in [0, 1)');
    }
    this.patience = options.patience ?? 10;
    if (!Number.isInteger(this.patience) || this.patience < 0) fail(name, 'patience', this.patience, 'it must be an integer ≥ 0');
    this.threshold = finiteNonNegative(name, 'threshold', options.threshold ?? 1e-4);
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      fail(name, 'thresholdMode', this.thresholdMode, "use 'rel' or 'abs'");
    }
    this.cooldown = options.cooldown ?? 0;
    if (!Number.isInteger(this.cooldown) || this.cooldown < 0) fail(name, 'cooldown', this.cooldown, 'it must be an integer ≥ 0');
    const groups = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (typeof minLr === 'number') {
      this.minLrs = new Array<number>(groups).fill(finiteNonNegative(name, 'minLr', minLr));
    } else {
      if (!Array.isArray(minLr) || minLr.length !== groups) {
        fail(name, 'minLr', minLr, `give one number, or one per param group (${groups})`);
      }
      this.minLrs = minLr.map((v) => finiteNonNegative(name, 'minLr', v));
    }
    this.eps = finiteNonNegative(name, 'eps', options.eps ?? 1e-8);
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
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new ArgumentError(`ReduceLROnPlateau.step: the metric must be a number, got ${String(metric)}`);
    }
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

  getLastLr(): number[] {
    return [...this.lastLrs];
  }

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

  loadStateDict(state: SchedulerStateDict): void {
    if (state === null || typeof state !== 'object' || state.type !== this.name) {
      throw new ArgumentError(`${this.name}.loadStateDict: expected a ${this.name} state dict, got type ${String(state?.type)}`);
    }
    const { best, numBadEpochs, cooldownCounter, lastEpoch } = state;
    if (
      (best !== null && typeof best !== 'number') ||
      !Number.isInteger(numBadEpochs) ||
      !Number.isInteger(cooldownCounter) ||
      !Number.isInteger(lastEpoch)
    ) {
      throw new ArgumentError(`${this.name}.loadStateDict: the state dict is malformed`);
    }
    this.best = best ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.numBadEpochs = numBadEpochs as number;
    this.cooldownCounter = cooldownCounter as number;
    this.lastEpoch = lastEpoch;
    this.lastLrs = [...state.lastLrs];
  }
}
