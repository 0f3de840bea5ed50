// compareRules' stopping rule, its divergence stop and epochDiagnostics: the oracles are runs
// whose validation accuracy cannot change (a learning rate of 1e-12), so the epoch the rule must
// stop at follows from its definition by hand, and identical runs without the rule.
import { describe, expect, it } from 'vitest';
import { nn, rules } from '../../src/index';
import { compareRules, evaluate, lossChart, type CompareOptions, type CompareResult } from '../../src/experiment';
import { loadDataset } from '../../src/experiment/datasets';
import { ArgumentError } from '../../src/errors';
import { tiny, withoutTimings } from './helpers';

const frozen: CompareOptions = { ...tiny, rules: ['exact'], seeds: [1], lr: 1e-12, epochs: 8 };

describe('compareRules earlyStopping', () => {
  it('stops `patience` epochs after the last improvement when nothing can improve', () => {
    const result = compareRules({ ...frozen, earlyStopping: { validation: 24, patience: 2 } });
    const [run] = result.runs;
    // epoch 1 sets the best; epochs 2 and 3 do not beat it → stop after epoch 3
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(run.stop).toBe('patience');
    expect(run.diverged).toBe(false);
    expect(run.best.epoch).toBe(1);
    expect(run.best.testAccuracy).toBe(run.epochs[0].testAccuracy);
    expect(run.best.validationAccuracy).toBe(run.epochs[0].validationAccuracy);
    expect(result.config.earlyStopping).toEqual({ validationSize: 24, patience: 2, minDelta: 0.002, minEpochs: 1 });
  });

  it('minEpochs delays the stop; the epoch cap still ends a run that never stalls long enough', () => {
    const late = compareRules({ ...frozen, earlyStopping: { validation: 24, patience: 2, minEpochs: 6 } }).runs[0];
    expect(late.epochs).toHaveLength(6);
    expect(late.stop).toBe('patience');
    const capped = compareRules({ ...frozen, epochs: 3, earlyStopping: { validation: 24, patience: 3 } }).runs[0];
    expect(capped.epochs).toHaveLength(3);
    expect(capped.stop).toBe('epochs');
  });

  it('a run that keeps improving is not stopped, and stopping never changes what was trained', () => {
    const options: CompareOptions = { ...tiny, rules: ['exact'], seeds: [1], lr: 0.2, epochs: 4 };
    const withRule = compareRules({ ...options, earlyStopping: { validation: 24, patience: 1, minDelta: 0 } });
    const run = withRule.runs[0];
    const n = run.epochs.length;
    // the rule's definition, checked on the recorded validation accuracies
    let best = 0;
    for (let e = 1; e < n; e++) if ((run.epochs[e].validationAccuracy as number) > (run.epochs[best].validationAccuracy as number)) best = e;
    expect(run.best.epoch).toBe(best + 1);
    if (run.stop === 'patience') expect(n - 1 - best).toBe(1);
    else expect(n).toBe(4);
    // the same data held out without the rule: the same losses for the epochs both ran
    const plain = compareRules({ ...options, epochs: n, earlyStopping: { validation: 24, patience: 99 } });
    expect(plain.runs[0].losses).toEqual(run.losses);
  });

  it('patience counts from the last rise above minDelta, but the result is the highest validation accuracy', () => {
    // minDelta 0.9: no later epoch can rise 90 points above epoch 1, so the run stops after 1 + patience epochs
    const run = compareRules({ ...tiny, rules: ['exact'], seeds: [1], lr: 0.2, epochs: 6, earlyStopping: { validation: 24, patience: 2, minDelta: 0.9 } }).runs[0];
    expect(run.epochs).toHaveLength(3);
    expect(run.stop).toBe('patience');
    const v = run.epochs.map((e) => e.validationAccuracy as number);
    const top = v.indexOf(Math.max(...v));
    expect(run.best.epoch).toBe(top + 1);
    expect(run.best.testAccuracy).toBe(run.epochs[top].testAccuracy);
  });

  it('holds validation examples out of training, and validationAccuracy is the model evaluated on them', () => {
    const split = loadDataset('blobs', { trainSize: 96, testSize: 48, seed: 3 });
    const validation = loadDataset('blobs', { trainSize: 40, testSize: 8, seed: 11 }).train;
    let model: nn.Module | null = null;
    const result = compareRules({
      ...tiny, dataset: split, datasetOptions: undefined, rules: ['exact'], seeds: [1], epochs: 2,
      earlyStopping: { validation, patience: 5 },
      onModelCreated: (m) => (model = m),
    });
    expect(result.config.trainSize).toBe(96); // a given validation set takes nothing from train
    const run = result.runs[0];
    expect(run.epochs[1].validationAccuracy).toBe(evaluate(model as unknown as nn.Module, validation).accuracy);
    const held = compareRules({ ...tiny, rules: ['exact'], seeds: [1], epochs: 1, earlyStopping: { validation: 30 } });
    expect(held.config.trainSize).toBe(66);
    expect(held.config.stepsPerEpoch).toBe(Math.ceil(66 / 16));
    const fraction = compareRules({ ...tiny, rules: ['exact'], seeds: [1], epochs: 1, earlyStopping: { validation: 0.25 } });
    expect(fraction.config.earlyStopping?.validationSize).toBe(24); // a quarter of 96
    expect(fraction.config.trainSize).toBe(72);
    const v = held.runs[0].epochs[0].validationAccuracy as number;
    expect(Math.abs(v * 30 - Math.round(v * 30))).toBeLessThan(1e-9); // a count out of 30
  });

  it('refuses bad settings, naming the option', () => {
    const bad = (earlyStopping: unknown, message: RegExp): void =>
      expect(() => compareRules({ ...frozen, earlyStopping: earlyStopping as never })).toThrowWith(ArgumentError, message);
    bad({ validation: 96 }, /holds out 96 of 96 training examples/);
    bad({ validation: 0 }, /whole number of training examples ≥ 1 or a fraction in \(0, 1\), got 0/);
    bad({ validation: 2.5 }, /got 2\.5/);
    bad({ validation: 0.001 }, /holds out 0 of 96 training examples, leaving no validation set/);
    bad({ validation: 10, patience: 0 }, /earlyStopping\.patience must be an integer ≥ 1/);
    bad({ validation: 10, minDelta: -1 }, /minDelta must be a finite number ≥ 0/);
    bad({ validation: 10, wait: 3 }, /unknown earlyStopping option 'wait'/);
    bad({ validation: 'half' }, /must be a non-empty classification dataset or a number/);
    expect(() => compareRules({ ...frozen, epochDiagnostics: 'no' as never })).toThrowWith(ArgumentError, /epochDiagnostics must be true or false/);
  });
});

describe('compareRules divergence and epochDiagnostics', () => {
  it('stops a run whose loss becomes non-finite, and its progress still reaches the total', () => {
    let last = { completedSteps: 0, totalSteps: -1 };
    const result = compareRules({
      ...tiny, rules: ['exact'], seeds: [1], lr: 1e30, epochs: 5,
      onProgress: (e) => (last = { completedSteps: e.completedSteps, totalSteps: e.totalSteps }),
    });
    const [run] = result.runs;
    expect(run.diverged).toBe(true);
    expect(run.stop).toBe('diverged');
    expect(run.epochs.length).toBeLessThan(5);
    expect(last.completedSteps).toBe(last.totalSteps);
    expect(result.summary[0].divergedSeeds).toEqual([1]);
  });

  it('a learnable rule parameter driven to NaN ends the run as diverged instead of throwing', () => {
    const result = compareRules({
      ...tiny, activation: 'sigmoid', rules: [rules.floorAdded({ c: nn.learnable(0.1) })], seeds: [1], lr: 1e30, epochs: 3,
    });
    expect(result.runs[0].stop).toBe('diverged');
  });

  it('epochDiagnostics false diagnoses only before training and after the last epoch', () => {
    const every = compareRules({ ...tiny, rules: ['exact'], seeds: [1], epochs: 3 });
    const ends = compareRules({ ...tiny, rules: ['exact'], seeds: [1], epochs: 3, epochDiagnostics: false });
    const [run] = ends.runs;
    expect(run.epochs.map((e) => e.diagnostics === null)).toEqual([true, true, false]);
    expect(run.epochs[2].diagnostics).toBe(run.finalDiagnostics);
    // the diagnostics do not touch training: everything else is identical
    const strip = (r: typeof every): unknown => withoutTimings({ ...r, runs: r.runs.map((x) => ({ ...x, epochs: x.epochs.map((e) => ({ ...e, diagnostics: null })) })) });
    expect(strip(ends)).toEqual(strip(every));
  });
});

describe('lossChart with a diverged run', () => {
  it('averages each step over the runs with a finite loss there, so a diverged seed does not poison later points', () => {
    const result = {
      runs: [
        { rule: 'r', seed: 1, losses: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
        { rule: 'r', seed: 2, losses: [3, 3, 3, Number.NaN] },
      ],
      summary: [{ rule: 'r' }],
      config: { stepsPerEpoch: 20, seeds: [1, 2], dataset: 'd', activation: 'a', depth: 1, width: 1 },
    } as unknown as CompareResult;
    const points = lossChart(result).series[0].points;
    expect(points).toHaveLength(10);
    // a 2-step window (20 steps per epoch / 10); steps 1–3: both seeds, mean 2; from step 5 on only seed 1's losses (1) are in any window
    for (const [step, value] of points) {
      if (step <= 3) expect(value).toBeCloseTo(2, 12);
      if (step >= 5) expect(value).toBeCloseTo(1, 12);
      expect(Number.isFinite(value)).toBe(true);
    }
  });
});
