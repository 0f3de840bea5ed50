// The surrograd command: --help documents every flag, mistakes exit with code 2 and name the
// valid choices, and a tiny comparison on synthetic data writes its JSON and SVG files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main, parseRule, type CliIO } from '../src/cli';
import { rules } from '../src/index';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const io: CliIO = { stdout: (text) => (stdout += text), stderr: stream };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const FLAGS = [
  'dataset', 'activation', 'depth', 'width', 'rules', 'optimizer', 'lr', 'epochs', 'seeds', 'batch-size', 'train-size',
  'test-size', 'data-seed', 'init', 'init-gain', 'bias-init', 'batch-norm', 'out', 'no-progress', 'help', 'patience', 'validation', 'min-delta',
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('surrograd --help', () => {
  it('compare --help documents every flag and exits 0', async () => {
    const { code, stdout } = await run('compare', '--help');
    expect(code).toBe(0);
    for (const flag of FLAGS) expect(stdout).toMatch(new RegExp(`\\n  --${flag}\\b`));
    expect(stdout).toContain('mnist | iris | xor | spirals | blobs');
  });

  it('no arguments, --help and help print the overview with both commands', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const { code, stdout } = await run(...argv);
      expect(code).toBe(0);
      expect(stdout).toContain('surrograd compare [flags]');
      expect(stdout).toContain('surrograd rules [ACTIVATION]');
    }
  });
});

describe('surrograd compare: argument errors exit 2 and name the valid choices', () => {
  const cases: [string[], RegExp][] = [
    [['--epoch', '3'], /unknown flag '--epoch' \(did you mean --epochs\?\)\. The flags are: --dataset, --activation, .*--no-progress, --help/],
    [['--dataset', 'cifar'], /unknown dataset 'cifar'; choose one of: mnist, iris, xor, spirals, blobs/],
    [['--activation', 'swish'], /unknown activation 'swish'; choose one of: relu, leakyRelu, .*sigmoid/],
    [['--activation', 'sigmoid', '--rules', 'exact,sigmoidish'], /unknown rule 'sigmoidish' for sigmoid\. The rules of sigmoid are: exact, floorAdded, floored, peakNormalised, widened/],
    [['--optimizer', 'lbfgs'], /unknown optimizer 'lbfgs'; choose one of: sgd, momentum, adam/],
    [['--init', 'orthogonal'], /unknown init 'orthogonal'; choose one of: default, xavier, kaiming/],
    [['--depth', 'ten'], /--depth must be an integer ≥ 0, got 'ten'/],
    [['--lr', '-1'], /--lr must be a positive number, got '-1'/],
    [['--seeds', '1,x'], /--seeds must be comma-separated integers, got 'x'/],
    [['--lr'], /--lr needs a value/],
    [['--batch-norm=yes'], /--batch-norm is a switch/],
    [['stray'], /unexpected argument 'stray'/],
    [['--dataset', 'iris', '--train-size', '10'], /iris is always split 120 train \/ 30 test/],
    [['--validation', '100'], /--validation and --min-delta configure early stopping; add --patience N/],
    [['--patience', '0'], /--patience must be an integer ≥ 1, got '0'/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const { code, stderr, stdout } = await run('compare', ...argv);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain("Run 'surrograd compare --help'");
      expect(stdout).toBe('');
    });
  }

  it('an unknown command exits 2 and lists the commands', async () => {
    const { code, stderr } = await run('train');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'train'; the commands are compare, rules, tune, help");
  });
});

describe('rule specs', () => {
  it('reads names, and factories with parameters', () => {
    expect(parseRule('floorAdded', 'sigmoid')).toBe('floorAdded');
    const r = parseRule('floorAdded(c=0.05)', 'sigmoid');
    expect(r).toMatchObject({ name: 'floorAdded', params: { c: 0.05 } });
    const made = rules.sigmoidShaped({ k: 4 });
    expect(parseRule('sigmoidShaped(k=4)', 'relu')).toMatchObject({ name: made.name, params: made.params, description: made.description });
    expect(() => parseRule('floorAdded(c=abc)', 'sigmoid')).toThrow(/'c=abc' is not name=number/);
  });
});

describe('surrograd rules', () => {
  it('lists every activation, or one activation with descriptions', async () => {
    const all = await run('rules');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/relu\s+exact, sigmoid, bSilu, leaky, identity, guided/);
    const one = await run('rules', 'sigmoid');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/exact\s+\[exact\] σ'\(x\) = y\(1 − y\)/);
    expect(one.stdout).toContain('peakNormalised');
    const bad = await run('rules', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown activation 'nope'");
  });
});

describe('surrograd compare end to end', () => {
  it('trains on a synthetic set, prints the table, and writes JSON and SVG plots', async () => {
    const out = path.join(tmp, 'run');
    const { code, stdout, stderr } = await run(
      'compare', '--dataset', 'xor', '--activation', 'relu', '--depth', '2', '--width', '8',
      '--rules', 'exact,sigmoid,leakyBackward(c=0.1)', '--optimizer', 'adam', '--lr', '0.01', '--epochs', '2',
      '--seeds', '1,2', '--batch-size', '16', '--train-size', '64', '--test-size', '32', '--out', out,
    );
    expect(stderr).not.toMatch(/surrograd:/);
    expect(code).toBe(0);
    // the table: one row per rule with mean ± sd over the two seeds
    expect(stdout).toContain('xor (64 train / 32 test), relu MLP 2×8, adam lr 0.01, 2 epochs of batch 16; mean ± sd over seeds 1, 2');
    for (const rule of ['exact', 'sigmoid', 'leakyBackward(c=0.1)']) expect(stdout).toMatch(new RegExp(`\\n${rule.replace(/[()]/g, '\\$&')}\\s+\\d\\.\\d{3} ± \\d\\.\\d{3}\\s+\\d+\\.\\d% ± `));
    expect(stdout).toContain('dead units');
    expect(stdout).toContain(`Results in ${out}/`);
    // progress went to stderr (not a terminal: plain lines)
    expect(stderr).toMatch(/seed \d .*epoch \d\/2 \| loss \d/);

    const json = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(json.config.rules.map((r: { label: string }) => r.label)).toEqual(['exact', 'sigmoid', 'leakyBackward(c=0.1)']);
    expect(json.runs).toHaveLength(6);
    expect(json.runs[0].losses).toHaveLength(8);
    expect(json.summary[1].metrics.testAccuracy.n).toBe(2);
    expect(fs.readFileSync(path.join(out, 'summary.txt'), 'utf8')).toContain('sigmoid');
    for (const name of ['loss.svg', 'accuracy.svg', 'grad-norms.svg']) {
      const svg = fs.readFileSync(path.join(out, name), 'utf8');
      expect(svg.startsWith('<?xml')).toBe(true);
      expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+ L/);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    }
    const grad = fs.readFileSync(path.join(out, 'grad-norms.svg'), 'utf8');
    expect(grad).toContain('layer 1 (input side)');
    expect(grad).toContain('layer 3 (output)');
  });

  it('--patience stops runs early on held-out training examples and says so in the table', async () => {
    const out = path.join(tmp, 'stop');
    const { code, stdout } = await run(
      'compare', '--dataset', 'xor', '--activation', 'relu', '--depth', '1', '--width', '4', '--rules', 'exact',
      '--lr', '1e-9', '--epochs', '6', '--patience', '2', '--validation', '16', '--train-size', '64', '--test-size', '16',
      '--batch-size', '16', '--no-progress', '--out', out,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('xor (48 train / 16 test)');
    expect(stdout).toContain('at most 6 epochs of batch 16 (early stopping: patience 2 on 16 validation examples)');
    expect(stdout).toContain('test acc @ best val');
    const json = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    // lr 1e-9 cannot change the validation accuracy: best at epoch 1, stopped after epoch 3
    expect(json.runs[0].epochs).toHaveLength(3);
    expect(json.runs[0].stop).toBe('patience');
    expect(json.summary[0].epochsRun.mean).toBe(3);
  });
});
