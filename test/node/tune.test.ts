// tuneRules: successive halving checked against its definition (the survivors of a round are the
// best half by the mean metric so far), equal footing (the same rule under two names gives the
// same trials), a diverging trial recorded not thrown, the same results on worker threads as in
// this thread, bad input refused before anything runs, and the `surrograd tune` command.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatTuneTable, tuneRules, tuneSvg, writeTuneResults, type TuneOptions, type TuneResult } from '../../src/node';
import { ArgumentError } from '../../src/errors';
import * as nn from '../../src/nn';
import { main } from '../../src/cli';

const base: TuneOptions = {
  dataset: 'xor',
  datasetOptions: { trainSize: 96, testSize: 64 },
  activation: 'relu',
  depth: 2,
  width: 6,
  epochs: 2,
  batchSize: 16,
  seeds: 3,
  space: {
    rules: ['exact', 'leaky', { factory: 'leakyBackward', params: { c: [0.01] } }, { factory: 'sigmoidShaped', params: { k: { min: 0.5, max: 2, n: 2 } } }],
    lrs: [0.3, 1e9],
  },
};

describe('tuneRules', () => {
  let inThread: TuneResult;

  it('runs successive halving: every candidate on seed 1, then the best half by mean metric so far', async () => {
    inThread = await tuneRules({ ...base, workers: 0 });
    const { candidates, rounds } = inThread;
    expect(candidates.length).toBe(10); // (exact, leaky, leakyBackward c=0.01, sigmoidShaped k=0.5, k=2) × 2 lrs
    expect(rounds.map((r) => r.candidates.length)).toEqual([10, 5, 3]);
    expect(inThread.trials).toBe(18);
    expect(inThread.trialEpochs).toBe(36);
    const byId = new Map(candidates.map((c) => [c.id, c]));
    for (let r = 1; r < rounds.length; r++) {
      const prev = rounds[r - 1].candidates;
      const meanUpTo = (id: number): number => {
        const t = (byId.get(id) as TuneResult['candidates'][number]).trials.slice(0, r).map((x) => x.testAccuracy);
        return t.some((v) => !Number.isFinite(v)) ? -Infinity : t.reduce((a, b) => a + b, 0) / t.length;
      };
      const order = [...prev].sort((a, b) => meanUpTo(b) - meanUpTo(a) || a - b);
      expect([...rounds[r].candidates].sort((a, b) => a - b)).toEqual(order.slice(0, Math.ceil(prev.length / 2)).sort((a, b) => a - b));
    }
  }, 120_000);

  it('records a diverging trial (lr 1e9) as diverged, not a crash, and ranks it last among candidates that reached as many seeds', () => {
    const diverged = inThread.candidates.filter((c) => c.status === 'diverged');
    expect(diverged.length).toBeGreaterThan(0);
    for (const d of diverged) {
      expect(Number.isNaN(d.mean)).toBe(true);
      expect(d.trials.some((t) => t.diverged && Number.isNaN(t.testAccuracy))).toBe(true);
      for (const c of inThread.candidates) if (c.status === 'ok' && c.rounds === d.rounds) expect(c.rank).toBeLessThan(d.rank);
    }
    expect(formatTuneTable(inThread)).toContain('diverged (NaN loss)');
  });

  it('gives every candidate of a seed the same initial weights and batches: one rule under two names, identical trials', () => {
    const named = inThread.candidates.find((c) => c.label === 'leaky' && c.lr === 0.3);
    const factory = inThread.candidates.find((c) => c.label === 'leakyBackward(c=0.01)' && c.lr === 0.3);
    expect(named?.trials[0]).toEqual({ ...factory?.trials[0], candidate: named?.id, seconds: named?.trials[0].seconds });
  });

  it('gives the same search on 2 worker threads as in this thread (metrics equal to float32 rounding)', async () => {
    const child = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin.js'), path.join(__dirname, 'fixtures', 'tune-threaded.ts'), JSON.stringify({ ...base, workers: 2 })],
      { encoding: 'utf8', env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))) },
    );
    expect(child.stderr).toBe('');
    const threaded = JSON.parse(child.stdout, (_k, v) => (v === 'NaN' ? Number.NaN : v)) as TuneResult;
    expect(threaded.config.workers).toBe(2);
    // the same rounds, survivors and ranking
    expect(threaded.rounds).toEqual(inThread.rounds);
    expect(threaded.candidates.map((c) => [c.id, c.rank, c.status, c.rounds])).toEqual(inThread.candidates.map((c) => [c.id, c.rank, c.status, c.rounds]));
    // the kernels a worker thread picks may round float32 sums differently in the last bits
    const metrics = (r: TuneResult): number[] => r.candidates.flatMap((c) => c.trials.flatMap((t) => [t.testAccuracy, t.testLoss]));
    const a = metrics(threaded);
    const b = metrics(inThread);
    a.forEach((v, i) => (Number.isNaN(b[i]) ? expect(v).toBeNaN() : expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[i])))));
  }, 300_000);

  it('writes JSON and SVG', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tune-'));
    const files = writeTuneResults(inThread, dir);
    const json = JSON.parse(fs.readFileSync(files.json, 'utf8'));
    expect(json.candidates.length).toBe(10);
    expect(fs.readFileSync(files.svg, 'utf8')).toMatch(/<svg[\s\S]*18 trials, 36 trial-epochs/);
    expect(tuneSvg(inThread)).toContain('</svg>');
  });

  it('takes a user model factory (in this thread), giving each candidate the same starting weights', async () => {
    const result = await tuneRules({
      ...base,
      seeds: 1,
      space: { rules: ['leaky', { factory: 'leakyBackward', params: { c: [0.01] } }], lrs: [0.3] },
      model: (g) => new nn.Sequential(new nn.Linear(2, 6, { generator: g }), new nn.ReLU(), new nn.Linear(6, 2, { generator: g })),
    });
    const [a, b] = result.candidates;
    expect(a.trials[0].testAccuracy).toBe(b.trials[0].testAccuracy);
    expect(a.trials[0].trainLoss).toBe(b.trials[0].trainLoss);
    expect(result.config.model).toBe('user');
  }, 60_000);

  it('reads the Node-only datasets (mnist, iris) in its trials', async () => {
    // the trials once used the main entry's loader, which refuses 'mnist' and 'iris': every trial
    // of `surrograd tune --dataset mnist` ended in that error instead of training
    const result = await tuneRules({
      dataset: 'mnist', datasetOptions: { trainSize: 128, testSize: 64 }, activation: 'relu', depth: 1, width: 8, epochs: 1, batchSize: 32,
      seeds: 1, workers: 0, space: { rules: ['exact'], lrs: [0.1] },
    });
    const trial = result.candidates[0].trials[0];
    expect(trial.error).toBeUndefined();
    expect(trial.testAccuracy).toBeGreaterThan(0.1); // one epoch on 128 digits already beats chance
  });

  it('refuses bad input before any trial runs', async () => {
    await expect(tuneRules({ ...base, bogus: 1 } as never)).rejects.toThrow(/unknown option 'bogus'/);
    await expect(tuneRules({ ...base, space: { rules: [{ factory: 'atan', params: { alpha: [-1] } }], lrs: [0.1] } })).rejects.toThrow(
      /candidate atan\(alpha=-1\) cannot be used on relu: .*alpha must be .*> 0/,
    );
    await expect(tuneRules({ ...base, space: { rules: ['exact'], lrs: [-0.1] } })).rejects.toThrow(/learning rate must be > 0/);
    await expect(tuneRules({ ...base, epochs: 0 })).rejects.toThrow(ArgumentError);
    await expect(tuneRules({ ...base, space: { rules: ['nope'], lrs: [0.1] } })).rejects.toThrow(/has no backward rule 'nope'/);
  });
});

describe('surrograd tune', () => {
  it('prints the ranked table and writes tune.json and tune.svg', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tune-cli-'));
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: Object.assign(new (require('node:stream').Writable)({ write: (c: Buffer, _e: string, cb: () => void) => ((err += c.toString()), cb()) }), { isTTY: false }) };
    const code = await main(
      ['tune', '--dataset', 'xor', '--train-size', '64', '--test-size', '32', '--depth', '1', '--width', '4', '--rules', 'exact,sigmoidShaped(k=0.5|2)', '--lr', '0.3', '--epochs', '1', '--seeds', '2', '--workers', '0', '--out', dir],
      io,
    );
    expect(err).not.toContain('surrograd:');
    expect(code).toBe(0);
    expect(out).toMatch(/rank\s+rule\s+lr\s+seeds\s+test accuracy/);
    expect(out).toContain('sigmoidShaped(k=0.5)');
    expect(out).toMatch(/5 trials, 5 trial-epochs/);
    expect(fs.existsSync(path.join(dir, 'tune.json')) && fs.existsSync(path.join(dir, 'tune.svg'))).toBe(true);
  }, 60_000);

  it('a bad flag is a usage error (exit 2) pointing to tune --help', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: Object.assign(new (require('node:stream').Writable)({ write: (c: Buffer, _e: string, cb: () => void) => ((err += c.toString()), cb()) }), { isTTY: false }) };
    expect(await main(['tune', '--bogus', '1'], io)).toBe(2);
    expect(err).toContain("unknown flag '--bogus'");
    expect(err).toContain("Run 'surrograd tune --help'");
  });
});
