// Schedules for rule parameters and a blend's λ: a closed form value(t) of a counter t that
// `step()` advances, as learning-rate schedulers do. A rule reads the value in force when an op
// is recorded, and the tape label shows it (`atan(alpha=3.5)`), so a graph already built never
// changes when the schedule moves on.
//
//   constant      v
//   linear        from + (to − from)·min(t, steps)/steps
//   cosine        to + ½(from − to)(1 + cos(π·min(t, steps)/steps))
//   exponential   from·γᵗ
//   step          from·γ^⌊t / stepSize⌋
//   warmup        from + (v₀ − from)·t/steps for t < steps, then the schedule `then` at t − steps
//                 (v₀ = then's value at 0; `then` may be a number: constant after the warm-up)
//
// `per` says what t counts, optimizer steps or epochs; a `RuleSchedule` attached to a model
// advances each schedule of its activation layers' rules on `step()` or `epoch()` accordingly.
import { RuleError } from '../errors';

/** The kinds of schedule. */
export const SCHEDULE_KINDS = ['constant', 'linear', 'cosine', 'exponential', 'step', 'warmup'] as const;
/** The shapes a schedule can take (constant, linear, cosine, exponential, step, warm-up). */
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** What the counter t of a schedule counts. */
export type ScheduleUnit = 'step' | 'epoch';

/** A schedule as plain data (what checkpoints save and the CLI reads). */
export type ScheduleSpec =
  | { kind: 'constant'; value: number; per?: ScheduleUnit }
  | { kind: 'linear'; from: number; to: number; steps: number; per?: ScheduleUnit }
  | { kind: 'cosine'; from: number; to: number; steps: number; per?: ScheduleUnit }
  | { kind: 'exponential'; from: number; gamma: number; per?: ScheduleUnit }
  | { kind: 'step'; from: number; gamma: number; stepSize: number; per?: ScheduleUnit }
  | { kind: 'warmup'; from?: number; steps: number; then: ScheduleSpec | number; per?: ScheduleUnit };

/** A schedule's state: its spec and its counter. */
export interface ScheduleState {
  /** The schedule as data. */
  spec: ScheduleSpec;
  /** The counter t: steps (or epochs) advanced so far. */
  t: number;
}

const KEYS: Record<ScheduleKind, readonly string[]> = {
  constant: ['kind', 'value', 'per'],
  linear: ['kind', 'from', 'to', 'steps', 'per'],
  cosine: ['kind', 'from', 'to', 'steps', 'per'],
  exponential: ['kind', 'from', 'gamma', 'per'],
  step: ['kind', 'from', 'gamma', 'stepSize', 'per'],
  warmup: ['kind', 'from', 'steps', 'then', 'per'],
};

/** A value that follows a schedule over steps or epochs. Use `schedules.linear(...)` and friends to make one. */
export class Schedule {
  /** The schedule as data (checked, frozen). */
  readonly spec: Readonly<ScheduleSpec>;
  /** What t counts. */
  readonly per: ScheduleUnit;
  #t = 0;
  readonly #then: Schedule | null;

  /** Creates a schedule from its spec (checked), with its counter at 0. */
  constructor(spec: ScheduleSpec) {
    checkSpec(spec, 'schedule');
    this.spec = Object.freeze(JSON.parse(JSON.stringify(spec)) as ScheduleSpec);
    this.per = spec.per ?? 'step';
    this.#then = spec.kind === 'warmup' && typeof spec.then === 'object' ? new Schedule(spec.then) : null;
  }

  /** The counter: 0 when made, one more after each `step()`. */
  get t(): number {
    return this.#t;
  }

  /** The value now. */
  value(): number {
    return this.valueAt(this.#t);
  }

  /** The value at counter t (a closed form: no state). */
  valueAt(t: number): number {
    const s = this.spec;
    switch (s.kind) {
      case 'constant':
        return s.value;
      case 'linear':
        return s.from + ((s.to - s.from) * Math.min(t, s.steps)) / s.steps;
      case 'cosine':
        return s.to + 0.5 * (s.from - s.to) * (1 + Math.cos((Math.PI * Math.min(t, s.steps)) / s.steps));
      case 'exponential':
        return s.from * s.gamma ** t;
      case 'step':
        return s.from * s.gamma ** Math.floor(t / s.stepSize);
      case 'warmup': {
        const after = (u: number): number => (this.#then === null ? (s.then as number) : this.#then.valueAt(u));
        const from = s.from ?? 0;
        return t < s.steps ? from + ((after(0) - from) * t) / s.steps : after(t - s.steps);
      }
    }
  }

  /** Advance the counter by `n` (default 1). */
  step(n = 1): void {
    if (!(Number.isInteger(n) && n >= 0)) throw new RuleError(`Schedule.step: n must be an integer ≥ 0, got ${String(n)}`);
    this.#t += n;
  }

  /** The spec and the counter, as JSON-safe data. */
  stateDict(): ScheduleState {
    return { spec: JSON.parse(JSON.stringify(this.spec)) as ScheduleSpec, t: this.#t };
  }

  /** Restore the counter saved by `stateDict()` (the spec must be the same). */
  loadStateDict(state: ScheduleState): void {
    if (state === null || typeof state !== 'object' || !(Number.isInteger(state.t) && state.t >= 0)) {
      throw new RuleError(`Schedule.loadStateDict: expected { spec, t } with t an integer ≥ 0, got ${JSON.stringify(state)}`);
    }
    if (JSON.stringify(state.spec) !== JSON.stringify(this.spec)) {
      throw new RuleError(`Schedule.loadStateDict: the saved schedule ${JSON.stringify(state.spec)} is not this one (${JSON.stringify(this.spec)})`);
    }
    this.#t = state.t;
  }

  /** `linear(1 → 4 over 100 steps, t = 3)`: how the schedule prints. */
  toString(): string {
    return `${describeSpec(this.spec)}, t = ${this.#t}`;
  }
}

/** A schedule from its spec (the JSON form), checked. */
export function schedule(spec: ScheduleSpec): Schedule {
  return new Schedule(spec);
}

/** Ready-made schedules: `schedules.cosine({ from: 1, to: 8, steps: 500 })`. */
export const schedules = {
  /** A schedule that stays at `value`. */
  constant: (value: number, options: { per?: ScheduleUnit } = {}): Schedule => new Schedule({ kind: 'constant', value, ...options }),
  /** Linear from `from` to `to` over `steps`, then held at `to`. */
  linear: (o: { from: number; to: number; steps: number; per?: ScheduleUnit }): Schedule => new Schedule({ kind: 'linear', ...o }),
  /** Cosine annealing from `from` to `to` over `steps`, then held at `to`. */
  cosine: (o: { from: number; to: number; steps: number; per?: ScheduleUnit }): Schedule => new Schedule({ kind: 'cosine', ...o }),
  /** `from` · gamma^t, t counting steps (or epochs, with `per: 'epoch'`). */
  exponential: (o: { from: number; gamma: number; per?: ScheduleUnit }): Schedule => new Schedule({ kind: 'exponential', ...o }),
  /** `from` multiplied by `gamma` once every `stepSize` counts: `from` · gamma^⌊t / stepSize⌋. */
  step: (o: { from: number; gamma: number; stepSize: number; per?: ScheduleUnit }): Schedule => new Schedule({ kind: 'step', ...o }),
  /** Linear from `from` (default 0) to the start of `then` over `steps`, then follows `then` (a schedule or a constant). */
  warmup: (o: { from?: number; steps: number; then: Schedule | number; per?: ScheduleUnit }): Schedule =>
    new Schedule({ kind: 'warmup', from: o.from, steps: o.steps, then: o.then instanceof Schedule ? (o.then.spec as ScheduleSpec) : o.then, per: o.per }),
} as const;

function checkSpec(spec: ScheduleSpec, where: string): void {
  if (spec === null || typeof spec !== 'object') throw new RuleError(`${where}: expected a schedule spec such as { kind: 'linear', from: 1, to: 4, steps: 100 }, got ${String(spec)}`);
  const kind = (spec as { kind: unknown }).kind;
  if (typeof kind !== 'string' || !(SCHEDULE_KINDS as readonly string[]).includes(kind)) {
    throw new RuleError(`${where}: unknown schedule kind ${JSON.stringify(kind)}; the kinds are ${SCHEDULE_KINDS.join(', ')}`);
  }
  const at = `${where} '${kind}'`;
  for (const key of Object.keys(spec)) {
    if ((spec as unknown as Record<string, unknown>)[key] === undefined) continue;
    if (!KEYS[kind as ScheduleKind].includes(key)) {
      throw new RuleError(`${at}: unknown option '${key}'; its options are ${KEYS[kind as ScheduleKind].filter((k) => k !== 'kind').join(', ')}`);
    }
  }
  const num = (key: string, value: unknown, check: 'finite' | 'positive' | 'length' = 'finite'): void => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RuleError(`${at}: ${key} must be a finite number, got ${String(value)}`);
    if (check === 'positive' && !(value > 0)) throw new RuleError(`${at}: ${key} must be > 0, got ${value}`);
    if (check === 'length' && !(Number.isInteger(value) && value >= 1)) {
      throw new RuleError(`${at}: ${key} is a length and must be an integer ≥ 1, got ${value}`);
    }
  };
  const per = spec.per;
  if (per !== undefined && per !== 'step' && per !== 'epoch') throw new RuleError(`${at}: per must be 'step' or 'epoch', got ${JSON.stringify(per)}`);
  switch (spec.kind) {
    case 'constant':
      num('value', spec.value);
      break;
    case 'linear':
    case 'cosine':
      num('from', spec.from);
      num('to', spec.to);
      num('steps', spec.steps, 'length');
      break;
    case 'exponential':
      num('from', spec.from);
      num('gamma', spec.gamma, 'positive');
      break;
    case 'step':
      num('from', spec.from);
      num('gamma', spec.gamma, 'positive');
      num('stepSize', spec.stepSize, 'length');
      break;
    case 'warmup':
      if (spec.from !== undefined) num('from', spec.from);
      num('steps', spec.steps, 'length');
      if (typeof spec.then === 'number') num('then', spec.then);
      else checkSpec(spec.then, `${at}: then`);
      break;
  }
}

function describeSpec(s: Readonly<ScheduleSpec>): string {
  switch (s.kind) {
    case 'constant':
      return `constant(${s.value})`;
    case 'linear':
    case 'cosine':
      return `${s.kind}(${s.from} → ${s.to} over ${s.steps} ${s.per ?? 'step'}s)`;
    case 'exponential':
      return `exponential(${s.from}·${s.gamma}^t)`;
    case 'step':
      return `step(${s.from}·${s.gamma}^⌊t/${s.stepSize}⌋)`;
    case 'warmup':
      return `warmup(${s.from ?? 0} over ${s.steps}, then ${typeof s.then === 'number' ? s.then : describeSpec(s.then)})`;
  }
}
