// Every program in examples/ runs to completion with the small budget (SURROGRAD_BUDGET=small), so
// none of them can rot. The examples are found on disk: a new one is covered without touching this
// file, with at least the check that it exits with code 0 and prints something. The examples
// listed in KEY_OUTPUT also have to print the line that says they did what they claim.
//
// Each example runs as a child process, exactly as a user runs it (through ts-node, transpile
// only), two at a time: the machine has two cores and each child spends ~3 s compiling the
// library before it starts.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const CONCURRENCY = 2;
/** Per example; a small-budget run takes a few seconds, but the machine may be shared. */
const CHILD_TIMEOUT_MS = 120_000;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** What an example must print with the small budget, beyond exiting with code 0. */
const KEY_OUTPUT: Record<string, (stdout: string) => void> = {
  'quickstart.ts': (out) => {
    expect(out).toMatch(/relu\(x\)\s+exact\s+sigmoid/);
    const fit = /learned w = (-?[\d.]+), b = (-?[\d.]+)/.exec(out);
    expect(fit, 'the fit result line').not.toBeNull();
    expect(Number(fit?.[1])).toBeCloseTo(2, 0);
    expect(Number(fit?.[2])).toBeCloseTo(1, 0);
  },
  'xor.ts': (out) => {
    expect(out).toContain('accuracy: 100%');
    expect(out).toMatch(/\(\s*1,\s*-1\) -> class 1/);
  },
  'swap-backward.ts': (out) => {
    expect(out).toMatch(/0\.weight\s+[\d.]+\s+[\d.]+/); // the gradientAgreement table
    // the point of the example: with the floor, the loss gets below 0.1 within the small budget
    expect(out).toMatch(/first epoch with loss < 0\.1: exact .*, floorAdded \d+/);
    expect(out).toMatch(/accuracy: exact [\d.]+%, floorAdded [\d.]+%/);
  },
  'custom-rule.ts': (out) => {
    expect(out).toContain("listRules('squareplus')");
    expect(out).toMatch(/ramp\s+artificial/);
    expect(out).toContain('gradcheck, squareplus exact rule: ok');
    expect(out).toContain("gradcheck, squareplus 'step' rule: differs");
  },
  'spiking-neuron.ts': (out) => {
    expect(out).toMatch(/epoch\s+1 .*test accuracy/);
    const final = /final test accuracy: ([\d.]+)%/.exec(out);
    expect(final, 'the final accuracy line').not.toBeNull();
    expect(Number(final?.[1])).toBeGreaterThan(65); // chance is 50%
    expect(out).toContain("with backward 'exact' instead of the surrogate, the gradient norm is 0");
  },
  'binarized-net.ts': (out) => {
    const ste = /clippedStraightThrough\s+train [\d.]+%\s+test ([\d.]+)%/.exec(out);
    expect(ste, 'the clipped straight-through result line').not.toBeNull();
    expect(Number(ste?.[1])).toBeGreaterThan(70); // chance is 25%
    expect(out).toMatch(/exact\s+train [\d.]+%\s+test [\d.]+%\s+first layer moved by ‖ΔW‖ = 0\.000/);
  },
  'mnist-mlp.ts': (out) => {
    expect(out).toMatch(/test accuracy: trained ([\d.]+)%, reloaded \1%; largest logit difference 0/);
    expect(out).toContain('identical: yes');
  },
  'mnist-cnn.ts': (out) => {
    const accuracy = /final test accuracy: ([\d.]+)%/.exec(out);
    expect(Number(accuracy?.[1])).toBeGreaterThan(40); // one small epoch; chance is 10%
  },
};

/** Files an example leaves behind (named in its output), removed after the run. */
const CLEANUP: Record<string, (stdout: string) => string | null> = {
  'mnist-mlp.ts': (out) => {
    const file = /^checkpoint: (.+\.ckpt)/m.exec(out)?.[1];
    return file === undefined ? null : path.dirname(file);
  },
};

function runExample(file: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register', path.join('examples', file)],
      {
        cwd: ROOT,
        env: { ...process.env, SURROGRAD_BUDGET: 'small', TS_NODE_TRANSPILE_ONLY: 'true' },
        timeout: CHILD_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** Run `task`s at most `limit` at a time. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

const examples = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .sort();
const limit = limiter(CONCURRENCY);

describe('examples run with SURROGRAD_BUDGET=small', () => {
  it('finds the examples issue 5 asks for', () => {
    expect(examples).toEqual(expect.arrayContaining(Object.keys(KEY_OUTPUT)));
  });

  for (const file of examples) {
    it.concurrent(
      `${file} exits with code 0${KEY_OUTPUT[file] !== undefined ? ' and prints its key output' : ''}`,
      async () => {
        const result = await limit(() => runExample(file));
        const cleanup = CLEANUP[file]?.(result.stdout);
        if (cleanup !== null && cleanup !== undefined) fs.rmSync(cleanup, { recursive: true, force: true });

        const report = `examples/${file}: exit code ${result.code}, signal ${result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
        expect(result.code, report).toBe(0);
        expect(result.stdout.trim().length, report).toBeGreaterThan(0);
        KEY_OUTPUT[file]?.(result.stdout);
      },
      CHILD_TIMEOUT_MS + 30_000,
    );
  }
});
