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

  it('hands tasks to the threads in spec order, one at a time per thread', async () => {
    const specs = Array.from({ length: 12 }, (_, x) => ({ x }));
    const outcomes = await runParallel({ task: { ...task, export: 'timed' }, specs, workers: 2 });
    const times = outcomes.map((o) => (o.ok ? (o.result as { start: number; end: number }) : { start: NaN, end: NaN }));
    // task j is handed out only when one of the two threads is free, i.e. after j − 1 of the tasks
    // before it have ended (start times are measured inside the task, so a thread's warm-up does
    // not matter; 1 ms of slack for the threads' clocks)
    for (let j = 2; j < times.length; j++) {
      const endedBefore = times.filter((t) => t.end <= times[j].start + 1).length;
      expect(endedBefore).toBeGreaterThanOrEqual(j - 1);
    }
  });

  it('in this thread (workers: 0): the same outcomes', async () => {
    expect(await runParallel({ task, specs, workers: 0 })).toEqual(expected);
  });

  it('bad arguments are errors before anything runs', async () => {
    await expect(runParallel({ task: { module: 'relative.ts', export: 'f' }, specs })).rejects.toThrow(ArgumentError);
    await expect(runParallel({ task, specs, workers: -1 })).rejects.toThrow(/workers must be an integer ≥ 0/);
    await expect(runParallel({ task: { ...task, export: 'nope' }, specs, workers: 0 })).rejects.toThrow(/no exported function 'nope'/);
  });
});
