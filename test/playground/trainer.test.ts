// The playground's trainer (what its Web Worker runs), in Node: it learns, it reports what the
// page draws with the right shapes, it switches rules mid-training, and it notices divergence.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../playground/src/config';
import { GRID, Trainer } from '../../playground/src/trainer';

const xor = (over: Partial<Config> = {}): Config => ({ ...defaultConfig(), dataset: 'xor', depth: 3, width: 8, layerRules: [null, null, null], ...over });

describe('playground trainer', () => {
  it('learns XOR: the training loss falls from ln 2 and the test accuracy beats chance', () => {
    const t = new Trainer(xor({ lr: 0.03 }));
    const before = t.snapshot();
    expect(before.trainLoss).toBeGreaterThan(0.6); // about ln 2 = 0.693 for an untrained net
    t.train(300);
    const after = t.snapshot();
    expect(after.step).toBe(300);
    expect(after.trainLoss).toBeLessThan(before.trainLoss / 2);
    expect(after.testAccuracy).toBeGreaterThan(0.85);
  });

  it('reports one gradient norm and one agreement per weight layer, dead/saturated per hidden layer, a GRID² boundary', () => {
    const t = new Trainer(xor({ depth: 5, layerRules: [null, null, null, null, null], activation: 'tanh' }));
    t.train(5);
    const s = t.snapshot();
    expect(s.gradNorms).toHaveLength(6);
    expect(s.agreement).toHaveLength(6);
    expect(s.dead).toEqual([null, null, null, null, null]); // tanh is no rectifier
    expect(s.saturated).toHaveLength(5);
    for (const f of s.saturated) expect(f).toBeGreaterThanOrEqual(0);
    expect(s.grid).toHaveLength(GRID * GRID);
    for (const p of s.grid) expect(p >= 0 && p <= 1).toBe(true);
    // exact rules everywhere: the gradient is the exact one, so every cosine is 1
    for (const c of s.agreement) expect(c).toBeCloseTo(1, 6);
  });

  it('switches a rule mid-training: the weights stay, the agreement with the exact gradient drops below 1', () => {
    const t = new Trainer(xor({ activation: 'sigmoid' }));
    t.train(20);
    const weights = t.model.parameters().map((p) => Array.from(p.toTypedArray()));
    t.setRules({ name: 'exact', params: {} }, [null, { name: 'floorAdded', params: { c: 0.5 } }, null]);
    expect(t.model.parameters().map((p) => Array.from(p.toTypedArray()))).toEqual(weights);
    const s = t.snapshot();
    expect(s.rules).toEqual(['exact', 'floorAdded(c=0.5)', 'exact']);
    // layers after the artificial one (in backprop order: the ones before it, input side) see a changed gradient
    expect(s.agreement[0]).toBeLessThan(0.9999);
    expect(s.agreement[3]).toBeCloseTo(1, 6); // the output layer's gradient does not pass any activation's backward
  });

  it('a diverging run (huge learning rate) is reported as diverged and stops training', () => {
    const t = new Trainer(xor({ optimizer: 'sgd', lr: 10, activation: 'relu', depth: 6, width: 32, layerRules: new Array(6).fill(null), rule: { name: 'identity', params: {} } }));
    t.train(200);
    const s = t.snapshot();
    expect(s.diverged).toBe(true);
    const steps = t.steps;
    t.train(10);
    expect(t.steps).toBe(steps);
  });
});
