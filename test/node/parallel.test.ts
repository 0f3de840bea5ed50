// runParallel: results in spec order whatever order threads finish in, errors recorded per task,
// the same outcomes on worker threads as in this thread.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { runParallel } from '../../src/node/parallel';
import { ArgumentError } from '../../src/errors';

const task = { module: path.join(__dirname, 'fixtures', 'task.ts'), export: 'square' };
const specs = [3, 1, -2, 5, 0, 4].map((x) => ({ x }));
const expected = specs.map(({ x }) => (x < 0 ? { ok: false, error: `negative input ${x}` } : { ok: true, result: { y: x * x } }));

describe('runParallel', () => {
  it('on 2 worker threads: outcomes in spec order, a throwing task recorded, progress per task', async () => {
    const seen: number[] = [];
    const outcomes = await runParallel({ task, specs, workers: 2, onProgress: (e) => seen.push(e.done) });
    expect(outcomes).toEqual(expected);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  }, 60_000);

  it('in this thread (workers: 0): the same outcomes', async () => {
    expect(await runParallel({ task, specs, workers: 0 })).toEqual(expected);
  });

  it('bad arguments are errors before anything runs', async () => {
    await expect(runParallel({ task: { module: 'relative.ts', export: 'f' }, specs })).rejects.toThrow(ArgumentError);
    await expect(runParallel({ task, specs, workers: -1 })).rejects.toThrow(/workers must be an integer ≥ 0/);
    await expect(runParallel({ task: { ...task, export: 'nope' }, specs, workers: 0 })).rejects.toThrow(/no exported function 'nope'/);
  });
});
