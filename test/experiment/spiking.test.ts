// The three experiments of issue #9 on a tiny budget: they run, their numbers are in range, the
// exact rule learns nothing, and the CLI writes the table, JSON and SVG.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, optim, randn } from '../../src/index';
import * as experiment from '../../src/node/spiking';
import { poolMeanSd, runSnnCommand } from '../../src/node';

const inUnit = (v: number): boolean => v >= 0 && v <= 1;

describe('spiking and binarized experiments (small budget)', () => {
  it('spiking MNIST: one row per rule with accuracy, firing rates and silent fractions; exact gets no gradient', () => {
    const r = experiment.spikingMnist({ rules: ['atan', 'exact'], seeds: [1, 2], trainSize: 128, testSize: 64, hidden: 24, steps: 4, batchSize: 64 });
    expect(r.rows.map((row) => row.name)).toEqual(['atan', 'exact']);
    for (const row of r.rows) {
      expect(row.accuracy.n).toBe(2);
      expect(inUnit(row.accuracy.mean)).toBe(true);
      expect(inUnit(row.firingRates.lif1.mean) && inUnit(row.firingRates.lif2.mean)).toBe(true);
      expect(inUnit(row.silentFractions.lif1.mean)).toBe(true);
      expect(row.lossCurve.length).toBe(2);
    }
    const table = experiment.formatExperimentTable(r);
    expect(table).toMatch(/atan/);
    expect(table).toMatch(/rate lif1/);
  });

  it('spiking MNIST with the exact rule leaves every weight where it started (the gradient is 0 through every spike)', () => {
    // the count loss reaches the weights only through heaviside: under 'exact' every gradient is 0
    const model = new experiment.SpikingMLP(8, 6, 3, { beta: 0.9, steps: 5, backward: 'exact', generator: new Generator(1) });
    const opt = new optim.Adam(model.parameters(), { lr: 0.1 });
    const before = model.parameters().map((p) => Array.from(p.toTypedArray()));
    experiment.spikingMnistStep(model, opt, randn([4, 8], { generator: new Generator(2) }).abs().mul(3), [0, 1, 2, 0]);
    expect(model.parameters().map((p) => Array.from(p.toTypedArray()))).toEqual(before);
    expect(model.parameters().every((p) => p.grad === null || Array.from(p.grad.toTypedArray()).every((g) => g === 0))).toBe(true);
  });

  it('spiking toy task: exact vs fastSigmoid(100) vs atan rows, training accuracy on the memorised labels', () => {
    const r = experiment.spikingToy({ seeds: [1], iterations: 3, batchSize: 16, steps: 20 });
    expect(r.rows.map((row) => row.name)).toEqual(['exact', 'fastSigmoid(100)', 'atan']);
    for (const row of r.rows) {
      expect(inUnit(row.accuracy.mean)).toBe(true);
      expect(row.lossCurve.length).toBe(3);
      expect(inUnit(row.firingRates.hidden.mean)).toBe(true);
    }
  });

  it('binarized MNIST: each sign rule and full precision, for the MLP and the CNN', () => {
    const r = experiment.binarizedMnist({ seeds: [1], trainSize: 100, testSize: 50, hidden: 16, epochs: 1, batchSize: 50 });
    const rows = ['straightThrough', 'clippedStraightThrough', 'approxSign', 'fullPrecision'];
    expect(r.rows.map((row) => row.name)).toEqual([...rows.map((n) => `MLP ${n}`), ...rows.map((n) => `CNN ${n}`)]);
    for (const row of r.rows) {
      expect(inUnit(row.accuracy.mean)).toBe(true);
      expect(row.lossCurve.length).toBe(2);
      expect(row.lossCurve.every(Number.isFinite)).toBe(true);
    }
    expect(() => experiment.binarizedMnist({ nets: ['rnn' as 'cnn'] })).toThrow(/binarizedMnist: nets must be/);
  });

  it('the binarized CNN learns with a sign rule: a few hundred digits beat chance clearly', () => {
    const r = experiment.binarizedMnist({ nets: ['cnn'], rules: ['clippedStraightThrough'], seeds: [1], trainSize: 300, testSize: 100, epochs: 1, batchSize: 50 });
    expect(r.rows[0].accuracy.mean).toBeGreaterThan(0.4);
  });

  it('surrograd snn toy writes results.json, summary.txt and loss.svg and prints the table; bad flags are usage errors', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snn-'));
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: { write: (t: string) => (err += t) } };
    const code = runSnnCommand(['toy', '--seeds', '1', '--iterations', '2', '--steps', '10', '--rules', 'exact,atan', '--out', dir, '--no-progress'], io);
    expect(code).toBe(0);
    expect(out).toMatch(/Spiking toy task/);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as experiment.ExperimentResult;
    expect(json.rows.map((r) => r.name)).toEqual(['exact', 'atan']);
    expect(fs.readFileSync(path.join(dir, 'loss.svg'), 'utf8')).toMatch(/<svg[^>]*>[\s\S]*<\/svg>/);
    expect(fs.readFileSync(path.join(dir, 'summary.txt'), 'utf8')).toMatch(/atan/);
    expect(runSnnCommand(['toy', '--bogus', '1'], io)).toBe(2);
    expect(err).toMatch(/unknown flag --bogus/);
    expect(runSnnCommand(['nope'], io)).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('surrograd snn mnist and snn binarized write their JSON and SVG too (tiny budgets); --nets is checked', () => {
    const io = { stdout: (): void => undefined, stderr: { write: (): boolean => true } };
    const runs: [string[], string, string[]][] = [
      [['mnist', '--seeds', '1', '--rules', 'atan', '--train-size', '64', '--test-size', '32', '--hidden', '8', '--steps', '3'], 'spiking-mnist', ['atan']],
      [['binarized', '--seeds', '1', '--rules', 'approxSign', '--nets', 'mlp,cnn', '--train-size', '64', '--test-size', '32', '--hidden', '8', '--epochs', '1'], 'binarized-mnist', ['MLP approxSign', 'CNN approxSign']],
    ];
    for (const [args, name, rows] of runs) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snn-'));
      expect(runSnnCommand([...args, '--out', dir, '--no-progress'], io)).toBe(0);
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as experiment.ExperimentResult;
      expect(json.experiment).toBe(name);
      expect(json.rows.map((r) => r.name)).toEqual(rows);
      expect(fs.readFileSync(path.join(dir, 'loss.svg'), 'utf8')).toMatch(/<svg[^>]*>[\s\S]*<\/svg>/);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    let err = '';
    expect(runSnnCommand(['binarized', '--nets', 'rnn'], { stdout: () => undefined, stderr: { write: (t: string) => (err += t) } })).toBe(1);
    expect(err).toMatch(/--nets must be mlp, cnn or mlp,cnn, got 'rnn'/);
  });

  it('onRow hands over the result after each finished row (the CLI writes its files then)', () => {
    const seen: string[][] = [];
    const r = experiment.spikingToy({ rules: ['exact', 'atan'], seeds: [1], iterations: 1, steps: 5, batchSize: 8, onRow: (p) => seen.push(p.rows.map((row) => row.name)) });
    expect(seen).toEqual([['exact'], ['exact', 'atan']]);
    expect(r.rows.map((row) => row.name)).toEqual(['exact', 'atan']);
  });

  it('snn merge: rows of runs with the same settings in one table; other settings or a repeated row are refused', () => {
    const io = { stdout: (): void => undefined, stderr: { write: (): boolean => true } };
    const base = ['toy', '--seeds', '1', '--iterations', '1', '--steps', '5', '--no-progress'];
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'snn-merge-'));
    const dir = (n: string): string => path.join(root, n);
    expect(runSnnCommand([...base, '--rules', 'exact', '--out', dir('a')], io)).toBe(0);
    expect(runSnnCommand([...base, '--rules', 'atan,fastSigmoid(100)', '--out', dir('b')], io)).toBe(0);
    expect(runSnnCommand([...base, '--rules', 'atan', '--hidden', '3', '--out', dir('c')], io)).toBe(0);
    let out = '';
    expect(runSnnCommand(['merge', '--out', dir('m'), dir('a'), dir('b')], { ...io, stdout: (t: string) => void (out += t) })).toBe(0);
    const merged = JSON.parse(fs.readFileSync(path.join(dir('m'), 'results.json'), 'utf8')) as experiment.ExperimentResult;
    const a = JSON.parse(fs.readFileSync(path.join(dir('a'), 'results.json'), 'utf8')) as experiment.ExperimentResult;
    const b = JSON.parse(fs.readFileSync(path.join(dir('b'), 'results.json'), 'utf8')) as experiment.ExperimentResult;
    expect(merged.rows).toEqual([...a.rows, ...b.rows]);
    expect(merged.rows.map((r) => r.name)).toEqual(['exact', 'atan', 'fastSigmoid(100)']);
    expect(out).toMatch(/fastSigmoid\(100\)/);
    expect(fs.existsSync(path.join(dir('m'), 'loss.svg'))).toBe(true);
    let err = '';
    const errIo = { stdout: (): void => undefined, stderr: { write: (t: string) => (err += t) } };
    expect(runSnnCommand(['merge', '--out', dir('n'), dir('a'), dir('c')], errIo)).toBe(1);
    expect(err).toMatch(/other settings than result 0 \(hidden\)/);
    expect(runSnnCommand(['merge', '--out', dir('n'), dir('b'), dir('b')], errIo)).toBe(1);
    expect(err).toMatch(/the row 'atan' is in more than one result with the same seed/);
    // another seed of the same row is pooled into it
    expect(runSnnCommand(['toy', '--seeds', '2', '--iterations', '1', '--steps', '5', '--no-progress', '--rules', 'exact', '--out', dir('a2')], io)).toBe(0);
    expect(runSnnCommand(['merge', '--out', dir('p'), dir('a'), dir('a2'), dir('b')], io)).toBe(0);
    const pooled = JSON.parse(fs.readFileSync(path.join(dir('p'), 'results.json'), 'utf8')) as experiment.ExperimentResult;
    expect(pooled.config.seeds).toEqual([1, 2]);
    expect(pooled.rows.map((r) => [r.name, r.accuracy.n])).toEqual([['exact', 2], ['atan', 1], ['fastSigmoid(100)', 1]]);
    const [s1, s2] = pooled.rows[0].perSeed;
    expect(pooled.rows[0].accuracy.mean).toBeCloseTo((s1 + s2) / 2, 12);
    expect(pooled.rows[0].accuracy.sd).toBeCloseTo(Math.abs(s1 - s2) / Math.SQRT2, 12);
    expect(runSnnCommand(['merge', dir('a')], errIo)).toBe(2);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('poolMeanSd of groups equals the mean and sample sd of all their values (naive two-pass)', () => {
    const gen = new Generator(9);
    for (const sizes of [[1, 1], [3, 1, 2], [5, 4], [1], [2, 0, 3]]) {
      const groups = sizes.map((n) => Array.from({ length: n }, () => gen.uniform() * 10 - 3));
      const all = groups.flat();
      const mean = all.reduce((a, b) => a + b, 0) / all.length;
      const sd = all.length < 2 ? null : Math.sqrt(all.reduce((a, v) => a + (v - mean) ** 2, 0) / (all.length - 1));
      const part = (g: number[]): { mean: number; sd: number | null; n: number } => {
        if (g.length === 0) return { mean: Number.NaN, sd: null, n: 0 };
        const m = g.reduce((a, b) => a + b, 0) / g.length;
        return { mean: m, sd: g.length < 2 ? null : Math.sqrt(g.reduce((a, v) => a + (v - m) ** 2, 0) / (g.length - 1)), n: g.length };
      };
      const pooled = poolMeanSd(groups.map(part));
      expect(pooled.n).toBe(all.length);
      expect(pooled.mean).toBeCloseTo(mean, 12);
      if (sd === null) expect(pooled.sd).toBeNull();
      else expect(pooled.sd).toBeCloseTo(sd, 12);
    }
  });
});
