// Schedules for rule parameters and a blend's λ: closed forms written out here, the value in
// force at record time, RuleSchedule stepping, and a resumed run equal to an uninterrupted one.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { RuleError } from '../../src/errors';
import { listTape } from '../../src/autograd/tape';
import { rules, schedule, schedules, Schedule } from '../../src/activations';
import * as nn from '../../src/nn';
import * as optim from '../../src/optim';
import { Generator } from '../../src/random';
import { applyCheckpoint, decodeCheckpoint, encodeCheckpoint } from '../../src/checkpoint';
import { expectClose, sigma } from './helpers';

const values = (s: Schedule, n: number): number[] => Array.from({ length: n }, (_, t) => s.valueAt(t));

describe('schedule values (closed forms)', () => {
  it('constant, linear, cosine, exponential, step, warmup', () => {
    expect(values(schedules.constant(3), 3)).toEqual([3, 3, 3]);
    expect(values(schedules.linear({ from: 1, to: 4, steps: 3 }), 5)).toEqual([1, 2, 3, 4, 4]);
    expectClose(values(schedules.cosine({ from: 4, to: 0, steps: 2 }), 4), [4, 2, 0, 0], 1e-15);
    expectClose(values(schedules.exponential({ from: 8, gamma: 0.5 }), 4), [8, 4, 2, 1], 1e-15);
    expectClose(values(schedules.step({ from: 1, gamma: 10, stepSize: 2 }), 5), [1, 1, 10, 10, 100], 1e-15);
    expectClose(values(schedules.warmup({ steps: 4, then: 2 }), 6), [0, 0.5, 1, 1.5, 2, 2], 1e-15);
    const wc = schedules.warmup({ from: 1, steps: 2, then: schedules.linear({ from: 3, to: 5, steps: 2 }) });
    expectClose(values(wc, 6), [1, 2, 3, 4, 5, 5], 1e-15);
  });

  it('step() advances t; the JSON spec makes the same schedule', () => {
    const s = schedule({ kind: 'linear', from: 0, to: 1, steps: 4 });
    s.step();
    s.step(2);
    expect(s.t).toBe(3);
    expect(s.value()).toBe(0.75);
  });

  it('bad schedules: unknown kind, negative or fractional lengths, non-finite values, unknown keys', () => {
    expect(() => schedule({ kind: 'sawtooth' } as never)).toThrow(/unknown schedule kind "sawtooth"; the kinds are constant, linear, cosine, exponential, step, warmup/);
    expect(() => schedules.linear({ from: 1, to: 2, steps: -5 })).toThrow(/steps is a length and must be an integer ≥ 1, got -5/);
    expect(() => schedules.step({ from: 1, gamma: 0.5, stepSize: 1.5 })).toThrow(/stepSize/);
    expect(() => schedules.linear({ from: Number.NaN, to: 2, steps: 3 })).toThrow(/from must be a finite number, got NaN/);
    expect(() => schedules.exponential({ from: 1, gamma: 0 })).toThrow(/gamma must be > 0/);
    expect(() => schedule({ kind: 'linear', from: 1, to: 2, steps: 3, step: 1 } as never)).toThrow(/unknown option 'step'/);
    expect(() => schedules.linear({ from: 1, to: 2, steps: 3, per: 'batch' as never })).toThrow(/per must be 'step' or 'epoch'/);
    expect(() => schedules.linear({ from: 0, to: 1, steps: 1 }).step(-1)).toThrow(RuleError);
  });
});

describe('rules that follow a schedule', () => {
  it('a parameter schedule: the tape records the value in force at record time, and backward uses it', () => {
    const k = schedules.linear({ from: 1, to: 3, steps: 2 });
    const rule = rules.sigmoidShaped({ k });
    const x = tensor([0.4, -0.7], { requiresGrad: true, dtype: 'float64' });
    const y = x.relu({ backward: rule });
    k.step(); // k = 2 now, after recording
    expect(listTape(y).some((r) => r.rule === 'sigmoidShaped(k=1)')).toBe(true);
    y.sum().backward();
    expectClose(Array.from(x.grad!.toTypedArray()), [sigma(0.4), sigma(-0.7)], 1e-15);
    const x2 = tensor([0.4], { requiresGrad: true, dtype: 'float64' });
    x2.relu({ backward: rule }).sum().backward();
    expectClose([x2.grad!.item()], [sigma(0.8)], 1e-15);
  });

  it("a blend's λ follows a schedule (continuation from an artificial rule to the exact one)", () => {
    const lambda = schedules.linear({ from: 0, to: 1, steps: 4 });
    const rule = rules.blend('sigmoid', 'exact', lambda);
    const grads: number[] = [];
    for (let t = 0; t <= 4; t++) {
      const x = tensor([-0.5], { requiresGrad: true, dtype: 'float64' });
      x.relu({ backward: rule }).sum().backward();
      grads.push(x.grad!.item());
      lambda.step();
    }
    expectClose(grads, [0, 1, 2, 3, 4].map((t) => (1 - t / 4) * sigma(-0.5)), 1e-15);
  });

  it('a schedule that leaves the rule range fails when recorded, naming the activation, rule and value', () => {
    const slope = schedules.linear({ from: 1, to: -1, steps: 2 });
    const rule = rules.fastSigmoid({ slope });
    slope.step(2);
    const x = tensor([0.1], { requiresGrad: true });
    expect(() => x.heaviside({ backward: rule })).toThrow(/heaviside: its backward rule fastSigmoid was given slope = -1.*> 0, got -1/);
    expect(() => rules.blend('sigmoid', 'exact', schedules.linear({ from: 0, to: 2, steps: 1 }))).not.toThrow();
    const over = schedules.linear({ from: 0.5, to: 2, steps: 1 });
    const blend = rules.blend('sigmoid', 'exact', over);
    over.step();
    expect(() => x.relu({ backward: blend })).toThrow(/relu.*lambda must be in \[0, 1\], got 2/);
  });
});

/** A small model whose relu rule follows a per-step schedule and an exponential per-epoch one. */
function makeRun(): { model: nn.Sequential; opt: optim.SGD; ruleSchedule: nn.RuleSchedule } {
  const gen = new Generator(7);
  const model = new nn.Sequential(
    new nn.Linear(3, 5, { generator: gen }),
    new nn.ReLU({ backward: rules.sigmoidShaped({ k: schedules.cosine({ from: 1, to: 6, steps: 7 }) }) }),
    new nn.Linear(5, 2, { generator: gen }),
    new nn.Tanh({ backward: rules.floorAdded({ c: schedules.exponential({ from: 0.2, gamma: 0.5, per: 'epoch' }) }) }),
  );
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  return { model, opt, ruleSchedule: new nn.RuleSchedule(model) };
}

function trainStep(run: ReturnType<typeof makeRun>, i: number): void {
  const x = tensor([[Math.sin(i), Math.cos(2 * i), 0.5], [0.3 * i - 1, -0.2, Math.sin(3 * i)]]);
  run.opt.zeroGrad();
  run.model.forward(x).pow(2).sum().backward();
  run.opt.step();
  run.ruleSchedule.step();
  if (i % 3 === 2) run.ruleSchedule.epoch();
}

describe('RuleSchedule', () => {
  it('steps per-step schedules on step() and per-epoch ones on epoch()', () => {
    const run = makeRun();
    expect(Object.keys(run.ruleSchedule.values())).toEqual(['1.k', '3.c']);
    for (let i = 0; i < 3; i++) trainStep(run, i);
    const v = run.ruleSchedule.values();
    expectClose([v['1.k'], v['3.c']], [6 - 2.5 * (1 + Math.cos((Math.PI * 3) / 7)) , 0.1], 1e-14);
    expect(run.ruleSchedule.steps).toBe(3);
    expect(run.ruleSchedule.epochs).toBe(1);
  });

  it('a run resumed from a checkpoint gives the same schedule values and weights as an uninterrupted one', () => {
    const whole = makeRun();
    for (let i = 0; i < 10; i++) trainStep(whole, i);

    const first = makeRun();
    for (let i = 0; i < 4; i++) trainStep(first, i);
    const bytes = encodeCheckpoint({ model: first.model, optimizer: first.opt, meta: { ruleSchedule: first.ruleSchedule.stateDict() } as never });

    const resumed = makeRun();
    const file = decodeCheckpoint(bytes);
    applyCheckpoint(file, { model: resumed.model, optimizer: resumed.opt });
    expect(resumed.ruleSchedule.values()).toEqual(first.ruleSchedule.values()); // the counters came with the rules
    resumed.ruleSchedule.loadStateDict((file.meta as unknown as { ruleSchedule: nn.RuleScheduleState }).ruleSchedule);
    expect(resumed.ruleSchedule.values()).toEqual(first.ruleSchedule.values());
    for (let i = 4; i < 10; i++) trainStep(resumed, i);

    expect(resumed.ruleSchedule.values()).toEqual(whole.ruleSchedule.values());
    const a = whole.model.stateDict();
    const b = resumed.model.stateDict();
    for (const key of Object.keys(a)) expect(Array.from(b[key].toTypedArray())).toEqual(Array.from(a[key].toTypedArray()));
  });

  it('a checkpoint restores the schedule counters into a model made without the rule', () => {
    const run = makeRun();
    for (let i = 0; i < 5; i++) trainStep(run, i);
    const file = decodeCheckpoint(encodeCheckpoint({ model: run.model }));
    const bare = new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 2), new nn.Tanh());
    applyCheckpoint(file, { model: bare });
    expect(new nn.RuleSchedule(bare).values()).toEqual(run.ruleSchedule.values());
  });

  it('loadStateDict refuses unknown schedules and bad counters, changing nothing', () => {
    const run = makeRun();
    expect(() => run.ruleSchedule.loadStateDict({ steps: 1, epochs: 0, schedules: { '9.k': 1 } })).toThrow(/'9.k' the model does not have/);
    expect(() => run.ruleSchedule.loadStateDict({ steps: -1, epochs: 0, schedules: {} })).toThrow(/steps must be an integer ≥ 0/);
    expect(run.ruleSchedule.steps).toBe(0);
  });
});
