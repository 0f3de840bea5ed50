// RuleSchedule: the schedules of a model's backward rules, stepped together, as an LR scheduler
// steps an optimizer's learning rates.
//
//   const ruleSchedule = new nn.RuleSchedule(model);
//   for (...) { loss.backward(); opt.step(); ruleSchedule.step(); }   // per-step schedules
//   ruleSchedule.epoch();                                             // at the end of each epoch
//
// It also gives the model's rule-holding layers their rule-context step (context rules read
// `step`): the number of `step()` calls so far.
import { ArgumentError } from '../errors';
import { Module } from './module';
import { type RuleHost, isRuleHost } from './rule-host';
import { attachStepSource } from '../activations/context';
import { ruleSources } from '../activations/learnable';
import type { Schedule } from '../activations/schedule';

/** A RuleSchedule's state: its counters and each schedule's t by `<layer>.<parameter>`. */
export interface RuleScheduleState {
  /** Optimizer steps counted. */
  steps: number;
  /** Epochs counted. */
  epochs: number;
  /** Each schedule's counter t, by `<layer path>.<parameter>`. */
  schedules: Record<string, number>;
}

/** Steps the schedules of every rule attached to a model's layers (activation, spiking, binary and quantized), and gives context rules the step count: call `step()` after each optimizer step (and `epoch()` after each epoch). */
export class RuleSchedule {
  /** The model whose activation-layer rules are stepped. */
  readonly model: Module;
  #steps = 0;
  #epochs = 0;

  /** Attaches to the activation layers of `model`, with both counters at 0. */
  constructor(model: Module) {
    if (!(model instanceof Module)) throw new ArgumentError(`RuleSchedule: expected an nn.Module, got ${model === null ? 'null' : typeof model}`);
    this.model = model;
    for (const [, layer] of this.#layers()) attachStepSource(layer, () => this.#steps);
  }

  /** Every module of the model holding rule choices (activation layers, spiking neurons, binary and quantized layers). */
  #layers(): [string, Module & RuleHost][] {
    return this.model.namedModules().filter((e): e is [string, Module & RuleHost] => isRuleHost(e[1]));
  }

  /**
   * Every schedule of the model's layer rules, by `<layer path>.<parameter>` (a rule held in another
   * slot than `rule`, such as BinaryLinear's `weightRule`, by `<layer path>.<slot>.<parameter>`);
   * each schedule once.
   */
  schedules(): [string, Schedule][] {
    const out: [string, Schedule][] = [];
    const seen = new Set<Schedule>();
    for (const [path, layer] of this.#layers()) {
      for (const [slot, choice] of layer.ruleChoices()) {
        const base = slot === 'rule' ? path : path === '' ? slot : `${path}.${slot}`;
        for (const [name, s] of ruleSources(choice).schedules) {
          if (seen.has(s)) continue;
          seen.add(s);
          out.push([base === '' ? name : `${base}.${name}`, s]);
        }
      }
    }
    return out;
  }

  /** The value of each schedule now. */
  values(): Record<string, number> {
    return Object.fromEntries(this.schedules().map(([k, s]) => [k, s.value()]));
  }

  /** Optimizer steps counted so far (the `step` rules with context see). */
  get steps(): number {
    return this.#steps;
  }

  /** Epochs counted so far. */
  get epochs(): number {
    return this.#epochs;
  }

  /** One optimizer step: advance every schedule counted in steps. */
  step(): void {
    this.#steps += 1;
    for (const [, s] of this.schedules()) if (s.per === 'step') s.step();
  }

  /** One epoch: advance every schedule counted in epochs. */
  epoch(): void {
    this.#epochs += 1;
    for (const [, s] of this.schedules()) if (s.per === 'epoch') s.step();
  }

  /** The step and epoch counters and each schedule's position, as plain data for `loadStateDict`. */
  stateDict(): RuleScheduleState {
    return { steps: this.#steps, epochs: this.#epochs, schedules: Object.fromEntries(this.schedules().map(([k, s]) => [k, s.t])) };
  }

  /** Restore counters saved by `stateDict()`; checked before anything changes. */
  loadStateDict(state: RuleScheduleState): void {
    const bad = (why: string): never => {
      throw new ArgumentError(`RuleSchedule.loadStateDict: ${why}`);
    };
    if (state === null || typeof state !== 'object') bad(`expected { steps, epochs, schedules }, got ${String(state)}`);
    for (const key of ['steps', 'epochs'] as const) {
      if (!(Number.isInteger(state[key]) && state[key] >= 0)) bad(`${key} must be an integer ≥ 0, got ${String(state[key])}`);
    }
    const mine = new Map(this.schedules());
    for (const [k, t] of Object.entries(state.schedules ?? {})) {
      if (!mine.has(k)) bad(`the state has a schedule '${k}' the model does not have (its schedules: ${[...mine.keys()].join(', ') || 'none'})`);
      if (!(Number.isInteger(t) && t >= 0)) bad(`schedule '${k}': t must be an integer ≥ 0, got ${String(t)}`);
    }
    this.#steps = state.steps;
    this.#epochs = state.epochs;
    for (const [k, t] of Object.entries(state.schedules ?? {})) {
      const s = mine.get(k) as Schedule;
      s.loadStateDict({ spec: s.spec as never, t });
    }
  }
}
