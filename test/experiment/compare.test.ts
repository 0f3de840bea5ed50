// compareRules: equal footing (same initial weights, same batches), determinism, what it
// records, and its errors.
import { describe, expect, it } from 'vitest';
import { nn, rules, type Tensor } from '../../src/index';
import { compareRules, meanSd, type CompareResult } from '../../src/experiment';
import { weightLayers } from '../../src/diagnostics';
import { tiny, withoutTimings } from './helpers';
import { ArgumentError } from '../../src/errors';
import { RuleError } from '../../src/errors';

function weightsOf(model: nn.Module): number[][] {
  return weightLayers(model).flatMap((l) => [Array.from(l.weight.toTypedArray()), Array.from((l.bias as Tensor).toTypedArray())]);
}

describe('compareRules', () => {
  it('is deterministic: the same options give identical results, timings aside', () => {
    const a = compareRules(tiny);
    const b = compareRules(tiny);
    expect(withoutTimings(b)).toEqual(withoutTimings(a));
    // and the seeds matter
    const c = compareRules({ ...tiny, seeds: [3, 4] });
    expect(c.runs[0].losses).not.toEqual(a.runs[0].losses);
  });

  it('every rule (and a variant with BatchNorm) starts from the same Linear weights for a seed', () => {
    const initial = new Map<string, number[][]>();
    compareRules({
      ...tiny,
      rules: ['exact', 'sigmoid', rules.leakyBackward({ c: 0.2 }), { label: 'BatchNorm + exact', batchNorm: true }],
      epochs: 1,
      onModelCreated: (model, { rule, seed }) => initial.set(`${rule}/${seed}`, weightsOf(model)),
    });
    expect([...initial.keys()]).toEqual([
      'exact/1', 'exact/2', 'sigmoid/1', 'sigmoid/2', 'leakyBackward(c=0.2)/1', 'leakyBackward(c=0.2)/2', 'BatchNorm + exact/1', 'BatchNorm + exact/2',
    ]);
    for (const rule of ['sigmoid', 'leakyBackward(c=0.2)', 'BatchNorm + exact']) {
      expect(initial.get(`${rule}/1`)).toEqual(initial.get('exact/1'));
      expect(initial.get(`${rule}/2`)).toEqual(initial.get('exact/2'));
    }
    expect(initial.get('exact/1')).not.toEqual(initial.get('exact/2'));
  });

  it('every rule sees the same batches: the first step loss agrees, then the rules make a difference', () => {
    const result = compareRules(tiny);
    for (const seed of tiny.seeds) {
      const [exact, sigmoid] = result.runs.filter((r) => r.seed === seed);
      expect(exact.rule).toBe('exact');
      expect(sigmoid.rule).toBe('sigmoid');
      // same weights, same first batch, same forward: bit-identical losses before any update
      expect(sigmoid.losses[0]).toBe(exact.losses[0]);
      expect(sigmoid.initial.loss).toBe(exact.initial.loss);
      // after the first update the backward rule has changed the weights
      expect(sigmoid.losses[1]).not.toBe(exact.losses[1]);
    }
  });

  it('records loss curves, per-layer gradient norms, epochs and a summary per rule', () => {
    const result = compareRules({ ...tiny, recordEvery: 2 });
    const { config } = result;
    expect(config.stepsPerEpoch).toBe(6); // 96 / 16
    expect(config.rules.map((r) => [r.label, r.exact])).toEqual([['exact', true], ['sigmoid', false]]);
    expect(result.runs).toHaveLength(4);
    for (const run of result.runs) {
      expect(run.losses).toHaveLength(12);
      expect(run.gradNorms.map((g) => g.step)).toEqual([0, 2, 4, 6, 8, 10]);
      expect(run.gradNorms.every((g) => g.layers.length === 3)).toBe(true);
      expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(run.epochs[1].trainLoss).toBeCloseTo(run.losses.slice(6).reduce((a, b) => a + b, 0) / 6, 10);
      expect(run.final.testAccuracy).toBe(run.epochs[1].testAccuracy);
      expect(run.final.firstLastRatio).toBe(run.finalDiagnostics.firstLastRatio);
      expect(run.final.deadFraction).toBe(run.finalDiagnostics.deadFraction);
      expect(run.final.saturatedFraction).toBeNull(); // relu: dead units, not saturation
      expect(run.finalDiagnostics.agreement).toHaveLength(3);
      expect(run.epochs[1].diagnostics).toBe(run.finalDiagnostics);
      expect(run.epochs[0].diagnostics?.agreement).toHaveLength(3); // every epoch by default
      expect(run.stop).toBe('epochs');
      expect(run.best).toEqual({ epoch: 2, validationAccuracy: null, testAccuracy: run.final.testAccuracy });
    }
    const exactRuns = result.runs.filter((r) => r.rule === 'exact');
    const summary = result.summary[0];
    expect(summary.rule).toBe('exact');
    expect(summary.metrics.testAccuracy).toEqual(meanSd(exactRuns.map((r) => r.final.testAccuracy)));
    expect(summary.metrics.testAccuracy.n).toBe(2);
  });

  it('the exact rule agrees with itself; an artificial one does not', () => {
    const result = compareRules({ ...tiny, seeds: [1], epochs: 1, biasInit: -0.3 });
    const [exact, sigmoid] = result.runs;
    for (const a of exact.finalDiagnostics.agreement ?? []) {
      expect(a.cosine).toBeCloseTo(1, 6);
      expect(a.normRatio).toBeCloseTo(1, 6);
    }
    const first = (sigmoid.finalDiagnostics.agreement ?? [])[0];
    expect(first.cosine).toBeLessThan(0.999);
  });

  it('biasInit sets every hidden bias, not the output layer', () => {
    let biases: number[][] = [];
    compareRules({ ...tiny, seeds: [1], epochs: 1, rules: ['exact'], biasInit: -2, onModelCreated: (m) => (biases = weightsOf(m).filter((_, i) => i % 2 === 1)) });
    expect(biases[0].every((b) => b === -2)).toBe(true);
    expect(biases[1].every((b) => b === -2)).toBe(true);
    expect(biases[2].every((b) => b === -2)).toBe(false);
  });

  it('meanSd: sample standard deviation over the finite values, no sd for one value', () => {
    const m = meanSd([1, 2, 3, 6]);
    expect(m.mean).toBe(3);
    expect(m.sd).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(meanSd([5, Number.NaN, null])).toEqual({ mean: 5, sd: null, n: 1 });
    expect(meanSd([5, Infinity])).toEqual({ mean: Infinity, sd: null, n: 2 });
    expect(meanSd([]).n).toBe(0);
  });

  it('names the valid choices for an unknown rule, dataset, activation or option', () => {
    expect(() => compareRules({ ...tiny, rules: ['exact', 'nope'] })).toThrowWith(RuleError, /relu has no backward rule 'nope'; its rules are: exact, sigmoid/);
    expect(() => compareRules({ ...tiny, dataset: 'cifar' as never })).toThrowWith(ArgumentError, /unknown dataset 'cifar'; the datasets are mnist, iris, xor, spirals, blobs/);
    expect(() => compareRules({ ...tiny, activation: 'swish' as never })).toThrowWith(ArgumentError, /unknown activation 'swish'; the activations are relu, /);
    expect(() => compareRules({ ...tiny, epoch: 3 } as never)).toThrowWith(ArgumentError, /unknown option 'epoch'/);
    expect(() => compareRules({ ...tiny, rules: ['exact', 'exact'] })).toThrowWith(ArgumentError, /two rows are labelled 'exact'/);
    expect(() => compareRules({ ...tiny, seeds: [] })).toThrowWith(ArgumentError, /seeds must be a non-empty array/);
  });
});

describe('a diverging rule', () => {
  it('is flagged, and its NaN losses do not break the summary', () => {
    const result: CompareResult = compareRules({ ...tiny, activation: 'leakyRelu', rules: ['exact'], seeds: [1], lr: 1e6, epochs: 1 });
    const run = result.runs[0];
    expect(run.diverged).toBe(true);
    expect(result.summary[0].divergedSeeds).toEqual([1]);
    expect(result.summary[0].metrics.trainLoss.n).toBe(0);
  });
});
