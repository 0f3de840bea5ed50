// The study end to end on its tiny budget: planning, calibration of dead units, the
// re-initialisation baseline, resuming from the results file, determinism, and the report.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, nn, noGrad, randn, type Tensor } from '../../src';
import { planStudy, vanishingRows } from '../../study/plan';
import { readResults, runStudy } from '../../study/run';
import { calibrateBias, reinitialiseDeadUnits, runTrial } from '../../study/trial';
import { renderStudy } from '../../study/report';
import { loadDataset } from '../../src/node';
import { buildModel, initialWeights, loadInitialWeights } from '../../src/experiment/model';
import { deriveSeed } from '../../src/experiment/stats';

describe('study plan', () => {
  it('crosses the design and gives every trial a unique key', () => {
    const full = planStudy('full');
    const vanishing = full.filter((t) => t.section === 'vanishing');
    // 2 activations × 4 depths × 3 optimizers × 3 inits × 5 seeds
    expect(vanishing.length).toBe(2 * 4 * 3 * 3 * 5);
    expect(new Set(full.map((t) => t.key)).size).toBe(full.length);
    // every artificial rule sigmoid has, plus exact and four remedies
    const labels = vanishingRows('sigmoid').map((r) => r.label);
    expect(labels).toEqual(expect.arrayContaining(['exact', 'floorAdded', 'widened', 'peakNormalised', 'BatchNorm + exact', 'residual + exact']));
  });
});

describe('dead units', () => {
  it('calibration finds the bias that leaves the target fraction of units dead (counted directly)', () => {
    const spec = { ...planStudy('tiny').find((t) => t.section === 'dying' && t.targetDead === 0.5)!, seed: 3 };
    const split = loadDataset('mnist', { trainSize: spec.trainSize, testSize: spec.testSize });
    const reference = split.train;
    const bias = calibrateBias(spec, split, reference);
    const arch = { inputs: 784, classes: 10, depth: spec.depth, width: spec.width };
    const model = buildModel(arch, { activation: 'relu', activationOptions: {}, backward: 'exact', batchNorm: false });
    loadInitialWeights(model, initialWeights(arch, new Generator(deriveSeed(spec.seed, 1)), 'default', null, bias));
    let dead = 0;
    noGrad(() => {
      let h: Tensor = reference.x;
      for (const layer of model.children()) {
        h = layer.forward(h);
        if (layer instanceof nn.ReLU) {
          const v = h.toArray() as number[][];
          dead += v[0].filter((_, c) => v.every((row) => row[c] === 0)).length;
        }
      }
    });
    const units = spec.depth * spec.width;
    expect(Math.abs(dead / units - 0.5)).toBeLessThanOrEqual(1 / units + 1e-12);
  });

  it('re-initialisation leaves no unit dead on the batch', () => {
    const g = new Generator(5);
    const model = new nn.Sequential(new nn.Linear(20, 30, { generator: g }), new nn.ReLU(), new nn.Linear(30, 30, { generator: g }), new nn.ReLU(), new nn.Linear(30, 3, { generator: g }));
    const x = randn([64, 20], { generator: g });
    const hidden = [model.at(0), model.at(2)] as nn.Linear[];
    noGrad(() => {
      for (const l of hidden) l.bias!.toNdarray().data.fill(-50); // every hidden unit dead
    });
    const deadCount = (): number[] =>
      noGrad(() => {
        let h: Tensor = x;
        const counts: number[] = [];
        for (const layer of model.children()) {
          h = layer.forward(h);
          if (layer instanceof nn.Linear && layer !== model.at(4)) {
            const v = h.toArray() as number[][];
            counts.push(v[0].filter((_, c) => v.every((row) => row[c] <= 0)).length);
          }
        }
        return counts;
      });
    expect(deadCount()).toEqual([30, 30]);
    const redrawn = reinitialiseDeadUnits(model, x, new Generator(9));
    expect(redrawn).toBeGreaterThanOrEqual(60);
    expect(deadCount()).toEqual([0, 0]);
    // the output layer is not touched
    expect(model.at(4) instanceof nn.Linear).toBe(true);
  });

  it('re-initialisation redraws conv channels that are ≤ 0 at every position of every example', () => {
    const g = new Generator(6);
    const conv = new nn.Conv2d(1, 6, 3, { padding: 1, generator: g });
    const model = new nn.Sequential(conv, new nn.ReLU(), new nn.Flatten(), new nn.Linear(6 * 25, 2, { generator: g }));
    const x = randn([8, 1, 5, 5], { generator: g });
    const deadChannels = (): number =>
      noGrad(() => {
        const z = conv.forward(x).toArray() as number[][][][];
        let dead = 0;
        for (let c = 0; c < 6; c++) if (z.every((img) => img[c].every((row) => row.every((v) => v <= 0)))) dead++;
        return dead;
      });
    noGrad(() => {
      const b = conv.bias!.toNdarray();
      for (const c of [1, 4]) b.set(c, -100); // two channels dead, four alive
    });
    expect(deadChannels()).toBe(2);
    const before = Array.from(conv.weight.toTypedArray());
    expect(reinitialiseDeadUnits(model, x, new Generator(2))).toBeGreaterThanOrEqual(2);
    expect(deadChannels()).toBe(0);
    // only the dead channels' kernels changed (9 weights each)
    const after = Array.from(conv.weight.toTypedArray());
    const changed = [...Array(6).keys()].filter((c) => after.slice(c * 9, c * 9 + 9).some((v, k) => v !== before[c * 9 + k]));
    expect(changed).toEqual([1, 4]);
  });
});

describe('study run (tiny budget)', () => {
  it('resumes from its results file, is deterministic per trial, and writes a report', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'study-'));
    const file = path.join(dir, 'tiny.jsonl');
    const plan = planStudy('tiny');
    let ran = 0;
    await runStudy({ budget: 'tiny', resultsFile: file, limit: 2, onProgress: (_d, _n, last) => void (last !== null && ran++) });
    expect(ran).toBe(2);
    expect(readResults(file).size).toBe(2);
    // a torn line (a killed run) is skipped, and the rest runs on the next call
    fs.appendFileSync(file, '{"key": "vanishing/sig');
    ran = 0;
    const { results } = await runStudy({ budget: 'tiny', resultsFile: file, onProgress: (_d, _n, last) => void (last !== null && ran++) });
    expect(ran).toBe(plan.length - 2);
    expect(results.size).toBe(plan.length);

    // the same trial run again gives the same accuracies (timings aside)
    const again = runTrial(plan[0]);
    const first = results.get(plan[0].key)!;
    expect(again.rows.map((r) => r.finalAccuracy)).toEqual(first.rows.map((r) => r.finalAccuracy));
    // the calibrated trial really starts with half its hidden units dead (±1 unit of 48)
    const calibrated = [...results.values()].find((r) => r.biasInit !== null)!;
    expect(Math.abs(calibrated.rows[0].initialDead! - 0.5)).toBeLessThanOrEqual(1 / 48 + 1e-12);
    // the re-initialised row starts with no dead unit
    expect(calibrated.rows.find((r) => r.label === 're-initialise dead units')!.initialDead).toBe(0);

    // a result run with an older spec of its trial is run again (here: one whose cap differs)
    const stale = { ...first, spec: { ...first.spec, maxEpochs: first.spec.maxEpochs + 1 } };
    fs.appendFileSync(file, `${JSON.stringify(stale)}\n`);
    ran = 0;
    await runStudy({ budget: 'tiny', resultsFile: file, onProgress: (_d, _n, last) => void (last !== null && ran++) });
    expect(ran).toBe(1);
    // every row stopped for a stated reason, and its result is the test accuracy of its best validation epoch
    for (const r of [...results.values()].flatMap((t) => t.rows)) {
      expect(['epochs', 'patience', 'diverged']).toContain(r.stop);
      expect(r.finalAccuracy).toBe(r.accuracy[r.bestEpoch - 1]);
      expect(r.validationAccuracy).toHaveLength(r.accuracy.length);
    }
    // the CNN cell was calibrated too
    const cnn = [...results.values()].find((r) => r.spec.arch === 'cnn' && r.biasInit !== null)!;
    expect(Math.abs(cnn.rows[0].initialDead! - 0.5)).toBeLessThan(0.05);

    const report = renderStudy('tiny', plan, readResults(file), { date: '2026-11-30', machine: 'test', command: 'npm run study -- --budget tiny' });
    expect(report.markdown).toContain(`${plan.length} of ${plan.length} trials`);
    expect(report.markdown).toContain('## 6. What the data says');
    expect(report.markdown).toContain('### CNN');
    expect(report.markdown).toContain('Convergence check');
    expect(report.markdown).toContain('| depth 3, adam (lr 0.001), PyTorch default |');
    // the chance level is the most frequent class's share of the trials' test digits, counted here
    const tiny = { trainSize: plan[0].trainSize + plan[0].validationSize, testSize: plan[0].testSize };
    const labels = loadDataset('mnist', tiny).test.labels;
    const top = Math.max(...Array.from({ length: 10 }, (_, k) => labels.filter((l) => l === k).length));
    expect(report.markdown).toContain(`the most frequent class is ${((100 * top) / labels.length).toFixed(1)} % of the ${labels.length} test digits`);
    expect(report.markdown).toContain('When runs stopped, by kind of row — exact rows:');
    expect(Object.keys(report.figures)).toContain('study-sigmoid-depth.svg');
    expect(report.figures['study-sigmoid-depth.svg']).toMatch(/^<\?xml/);
  }, 120_000);
});
