// Each scheduler's learning-rate sequence against its closed form, written out here.
import { describe, expect, it } from 'vitest';
import { ArgumentError, optim, tensor } from '../../src/index';

function sgd(lr = 0.1, groups = 1): optim.SGD {
  const specs = Array.from({ length: groups }, (_, i) => ({ params: [tensor([1], { requiresGrad: true })], lr: lr * (i + 1) }));
  return new optim.SGD(specs, { lr });
}

/** lr after construction (t = 0) and after each of `n` steps (t = 1..n), group 0. */
function sequence(opt: optim.SGD, scheduler: { step(): void }, n: number): number[] {
  const out = [opt.paramGroups[0].lr];
  for (let t = 1; t <= n; t++) {
    scheduler.step();
    out.push(opt.paramGroups[0].lr);
  }
  return out;
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, t) => t);

describe('schedulers follow their closed forms', () => {
  it('StepLR: base · γ^⌊t / stepSize⌋', () => {
    const opt = sgd(0.1);
    const s = new optim.StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expectClose(sequence(opt, s, 10), range(11).map((t) => 0.1 * 0.5 ** Math.floor(t / 3)));
    expect(s.getLastLr()[0]).toBeCloseTo(0.1 * 0.5 ** 3, 15);
  });

  it('MultiStepLR: base · γ^(milestones passed)', () => {
    const opt = sgd(1);
    const s = new optim.MultiStepLR(opt, { milestones: [2, 5, 6], gamma: 0.1 });
    expectClose(sequence(opt, s, 8), [1, 1, 0.1, 0.1, 0.1, 0.01, 0.001, 0.001, 0.001]);
  });

  it('ExponentialLR: base · γ^t', () => {
    const opt = sgd(0.2);
    const s = new optim.ExponentialLR(opt, { gamma: 0.9 });
    expectClose(sequence(opt, s, 12), range(13).map((t) => 0.2 * 0.9 ** t));
  });

  it('CosineAnnealingLR: ηmin + ½(ηmax − ηmin)(1 + cos(πt/T))', () => {
    const opt = sgd(0.5);
    const s = new optim.CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.01 });
    const expected = range(21).map((t) => 0.01 + 0.5 * (0.5 - 0.01) * (1 + Math.cos((Math.PI * t) / 10)));
    expectClose(sequence(opt, s, 20), expected);
    expect(expected[10]).toBeCloseTo(0.01, 15); // the bottom at T
    expect(expected[20]).toBeCloseTo(0.5, 15); // and back up at 2T
  });

  it('LinearLR: base · (s + (e − s)·min(t, T)/T)', () => {
    const opt = sgd(0.3);
    const s = new optim.LinearLR(opt, { startFactor: 0.25, endFactor: 1, totalIters: 4 });
    expectClose(sequence(opt, s, 6), [0.075, 0.13125, 0.1875, 0.24375, 0.3, 0.3, 0.3]);
  });

  it('LinearWarmup: base · min(1, (t + 1)/warmupSteps)', () => {
    const opt = sgd(1);
    const s = new optim.LinearWarmup(opt, { warmupSteps: 4 });
    expectClose(sequence(opt, s, 6), [0.25, 0.5, 0.75, 1, 1, 1, 1]);
  });

  it('SequentialLR: warm-up, then cosine from its own t = 0', () => {
    const opt = sgd(1);
    const warm = new optim.LinearWarmup(opt, { warmupSteps: 3 });
    const cos = new optim.CosineAnnealingLR(opt, { tMax: 4 });
    const s = new optim.SequentialLR(opt, { schedulers: [warm, cos], milestones: [3] });
    const cosine = (t: number): number => 0.5 * (1 + Math.cos((Math.PI * t) / 4));
    expectClose(sequence(opt, s, 7), [1 / 3, 2 / 3, 1, cosine(0), cosine(1), cosine(2), cosine(3), cosine(4)]);
  });

  it('each group is scheduled from its own base learning rate', () => {
    const opt = sgd(0.1, 2);
    const s = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    s.step();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.1]);
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.2]);
  });

  it('stateDict / loadStateDict resume the sequence', () => {
    const opt = sgd(0.5);
    const s = new optim.CosineAnnealingLR(opt, { tMax: 10 });
    for (let i = 0; i < 4; i++) s.step();
    const state = s.stateDict();
    const opt2 = sgd(0.5);
    const s2 = new optim.CosineAnnealingLR(opt2, { tMax: 10 });
    s2.loadStateDict(state);
    s.step();
    s2.step();
    expect(opt2.paramGroups[0].lr).toBe(opt.paramGroups[0].lr);
    expect(s2.lastEpoch).toBe(5);
  });

  it('invalid options throw, naming the option', () => {
    expect(() => new optim.StepLR(sgd(), { stepSize: 0 })).toThrow(/stepSize must be an integer ≥ 1, got 0/);
    expect(() => new optim.MultiStepLR(sgd(), { milestones: [3, 2] })).toThrow(/milestones must be .*, got \[3, 2\]/);
    expect(() => new optim.CosineAnnealingLR(sgd(), { tMax: -1 })).toThrow(/tMax must be an integer ≥ 1, got -1/);
    expect(() => new optim.LinearLR(sgd(), { startFactor: 0 })).toThrow(/startFactor must be in \(0, 1\], got 0/);
    expect(() => new optim.ExponentialLR(sgd(), { gamma: Number.NaN })).toThrow(ArgumentError);
    expect(() => new optim.ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow(/factor must be in \[0, 1\), got 1/);
    expect(() => new optim.ReduceLROnPlateau(sgd(), { mode: 'up' as 'min' })).toThrow(/mode must be one of 'min', 'max', got 'up'/);
  });
});

describe('ReduceLROnPlateau', () => {
  it('reduces by factor after more than `patience` epochs without improvement', () => {
    const opt = sgd(1);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5 });
    const metrics = [10, 9, 9, 9, 9, 8, 8, 8, 8];
    const lrs = metrics.map((m) => {
      s.step(m);
      return opt.paramGroups[0].lr;
    });
    // worked by hand: bad epochs 0,0,1,2,3→reduce; 0 (8 is better),1,2,3→reduce
    expect(lrs).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });

  it('cooldown, minLr, max mode and an absolute threshold', () => {
    const opt = sgd(1);
    const s = new optim.ReduceLROnPlateau(opt, {
      mode: 'max',
      patience: 0,
      factor: 0.1,
      cooldown: 1,
      minLr: 0.005,
      threshold: 0.5,
      thresholdMode: 'abs',
    });
    // best 1; 1.2 is not better than 1 + 0.5 → bad 1 > 0 → reduce to 0.1, cooldown 1;
    // 1.3: bad but in cooldown → not counted; 1.4: bad → reduce to 0.01; 0.5: bad, cooldown;
    // 0.6: bad → max(0.001, 0.005) = 0.005; 3: better
    const lrs = [1, 1.2, 1.3, 1.4, 0.5, 0.6, 3].map((m) => {
      s.step(m);
      return opt.paramGroups[0].lr;
    });
    expectClose(lrs, [1, 0.1, 0.1, 0.01, 0.01, 0.005, 0.005]);
  });

  it('state round trip', () => {
    const opt = sgd(1);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 1 });
    s.step(5);
    s.step(6);
    const s2 = new optim.ReduceLROnPlateau(sgd(1), { patience: 1 });
    s2.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    expect(s2.best).toBe(5);
    expect(s2.numBadEpochs).toBe(1);
  });
});

describe('gradient clipping', () => {
  it('clipGradNorm scales all gradients together and returns the total norm', () => {
    const a = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1], { dtype: 'float64', requiresGrad: true });
    a.grad = tensor([3, 4], { dtype: 'float64' });
    b.grad = tensor([12], { dtype: 'float64' });
    const total = optim.clipGradNorm([a, b], 6.5);
    expect(total).toBeCloseTo(13, 14);
    const k = 6.5 / (13 + 1e-6);
    expect(Array.from(a.grad.toTypedArray())).toEqual([3 * k, 4 * k]);
    expect(b.grad.item()).toBe(12 * k);
  });

  it('clipGradNorm leaves small gradients alone; infinity norm; skips missing gradients', () => {
    const a = tensor([1, 1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    a.grad = tensor([0.3, -0.4]);
    expect(optim.clipGradNorm([a, b], 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(a.grad.toTypedArray())).toEqual(Array.from(new Float32Array([0.3, -0.4])));
    expect(optim.clipGradNorm([a], 0.2, { normType: Infinity })).toBeCloseTo(0.4, 6);
    expect(a.grad.toTypedArray()[1]).toBeCloseTo(-0.4 * (0.2 / (0.4 + 1e-6)), 6);
  });

  it('clipGradNorm with errorIfNonfinite refuses a NaN norm and changes nothing', () => {
    const a = tensor([1, 1], { requiresGrad: true });
    a.grad = tensor([Number.NaN, 5]);
    expect(() => optim.clipGradNorm([a], 1, { errorIfNonfinite: true })).toThrowWith(ArgumentError, /NaN/);
    expect(a.grad.toTypedArray()[1]).toBe(5);
  });

  it('clipGradValue clamps each element', () => {
    const a = tensor([1, 1, 1], { requiresGrad: true });
    a.grad = tensor([-3, 0.5, 2]);
    optim.clipGradValue([a], 1);
    expect(Array.from(a.grad.toTypedArray())).toEqual([-1, 0.5, 1]);
    expect(() => optim.clipGradValue([a], -1)).toThrow(/clipValue must be a number ≥ 0, got -1/);
  });
});
