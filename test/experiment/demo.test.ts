// The demo (examples/demo.ts) with its small budget, so it cannot rot: both experiments run,
// print their tables and write their files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../examples/demo';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-demo-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('examples/demo.ts (SURROGRAD_BUDGET=small)', () => {
  it('runs both experiments, prints their tables and writes JSON and SVG for each', () => {
    const lines: string[] = [];
    const { vanishing, dying } = runDemo({ budget: 'small', out, log: (line) => lines.push(line) });
    const text = lines.join('\n');
    expect(vanishing.summary.map((s) => s.rule)).toEqual(['exact', 'floorAdded', 'peakNormalised', 'widened', 'BatchNorm + exact']);
    expect(dying.summary.map((s) => s.rule)).toEqual(['exact', 'sigmoid', 'leaky', 'LeakyReLU forward']);
    expect(vanishing.config.depth).toBe(10);
    expect(text).toMatch(/mnist \(256 train \/ 128 test\), sigmoid MLP 10×16/);
    expect(text).toMatch(/mnist \(256 train \/ 128 test\), relu MLP 4×16/);
    expect(text).toContain('Dead units per hidden layer');
    for (const dir of ['vanishing', 'dying-relu']) {
      for (const file of ['results.json', 'summary.txt', 'loss.svg', 'accuracy.svg', 'grad-norms.svg']) {
        expect(fs.existsSync(path.join(out, dir, file))).toBe(true);
      }
    }
  });
});
