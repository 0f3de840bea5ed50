// Run many independent, serialisable tasks (trials of a search, runs of a sweep) on worker
// threads, deterministically: each task is a pure function of its spec, results come back in
// spec order whatever order the threads finish in, and progress is reported as tasks complete.
//
//   const results = await runParallel({
//     task: { module: require.resolve('./my-trial'), export: 'runTrial' },
//     specs: [{ seed: 1, lr: 0.1 }, { seed: 2, lr: 0.1 }],
//     workers: 4,
//     onProgress: ({ done, total }) => bar.update(done),
//   });
//
// A task module exports a function (spec) => result (or a promise of one); spec and result must
// survive structured cloning (plain data). A TypeScript module works when running from source
// (the worker registers ts-node). `workers: 0` runs the tasks in this thread, one after another,
// with the same results: the specs carry their seeds, so nothing depends on the thread a task
// lands on or on what ran before it there.
import * as os from 'node:os';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { ArgumentError } from '../errors';

/** Which exported function of which module runs each task. */
export interface TaskRef {
  /** An absolute path (use require.resolve) to a .js or .ts module. */
  module: string;
  /** The name of the exported function (spec) => result. */
  export: string;
}

/** One task finished (or failed). */
export interface ParallelProgress<R> {
  /** Tasks finished so far, this one included. */
  done: number;
  /** The number of tasks. */
  total: number;
  /** The spec index of the task that finished. */
  index: number;
  /** Its result, or undefined when it threw. */
  result: R | undefined;
  /** Its error message, when it threw. */
  error?: string;
}

/** Options of `runParallel`: the task, its specs, the number of worker threads and a progress callback. */
export interface ParallelOptions<S, R> {
  /** The module and export name of the function each task runs. */
  task: TaskRef;
  /** One spec per task, passed to the function. */
  specs: readonly S[];
  /** Worker threads (default: one per core); 0 runs the tasks in this thread. */
  workers?: number;
  /** Called after each task finishes, with the count done and its result or error. */
  onProgress?: (event: ParallelProgress<R>) => void;
  /**
   * The task's function itself, used when `workers` is 0 instead of loading `task.module` again
   * (which would load a second copy of the library, without this program's registered rules).
   */
  local?: (spec: S) => R | Promise<R>;
}

/** A task's outcome: its result, or the message of the error it threw (never a rejected batch). */
export type Outcome<R> = { ok: true; result: R } | { ok: false; error: string };

/** The default number of workers: one per core. */
export function defaultWorkers(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : Math.max(1, os.cpus().length);
}

/**
 * Run `task` on every spec; resolves to one outcome per spec, in spec order. A task that throws
 * gives `{ ok: false, error }` and the others still run.
 */
export async function runParallel<S, R>(options: ParallelOptions<S, R>): Promise<Outcome<R>[]> {
  const { task, specs, onProgress } = options;
  if (task === null || typeof task !== 'object' || typeof task.module !== 'string' || typeof task.export !== 'string') {
    throw new ArgumentError("runParallel: task must be { module: '/abs/path/to/module', export: 'functionName' }");
  }
  if (!path.isAbsolute(task.module)) throw new ArgumentError(`runParallel: task.module must be an absolute path (use require.resolve), got '${task.module}'`);
  if (!Array.isArray(specs)) throw new ArgumentError('runParallel: specs must be an array');
  const workers = options.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 0)) throw new ArgumentError(`runParallel: workers must be an integer ≥ 0, got ${String(workers)}`);

  const outcomes: Outcome<R>[] = new Array(specs.length);
  let done = 0;
  const finish = (index: number, outcome: Outcome<R>): void => {
    outcomes[index] = outcome;
    done++;
    onProgress?.({ done, total: specs.length, index, result: outcome.ok ? outcome.result : undefined, error: outcome.ok ? undefined : outcome.error });
  };

  if (workers === 0 || specs.length === 0) {
    const fn = options.local ?? loadTask<S, R>(task);
    for (let i = 0; i < specs.length; i++) {
      try {
        finish(i, { ok: true, result: await fn(specs[i]) });
      } catch (e) {
        finish(i, { ok: false, error: messageOf(e) });
      }
    }
    return outcomes;
  }

  const threads = Math.min(workers, specs.length);
  const pool = new Piscina({ filename: path.join(__dirname, 'worker.js'), minThreads: threads, maxThreads: threads });
  try {
    // one task in flight per thread, handed out in spec order: the pool's own queue does not keep
    // the order, and a caller such as the study orders its specs so that a run cut short has done
    // the first ones
    let next = 0;
    const feed = async (): Promise<void> => {
      while (next < specs.length) {
        const i = next++;
        try {
          finish(i, { ok: true, result: (await pool.run({ module: task.module, export: task.export, spec: specs[i] })) as R });
        } catch (e) {
          finish(i, { ok: false, error: messageOf(e) });
        }
      }
    };
    await Promise.all(Array.from({ length: threads }, feed));
  } finally {
    await pool.destroy();
  }
  return outcomes;
}

function loadTask<S, R>(task: TaskRef): (spec: S) => R | Promise<R> {
  if (/\.[cm]?ts$/.test(task.module)) registerTypeScript();
  // biome-ignore lint/style/noCommonJs: the task module is named at run time
  const fn = (require(task.module) as Record<string, unknown>)[task.export];
  if (typeof fn !== 'function') throw new ArgumentError(`runParallel: ${task.module} has no exported function '${task.export}'`);
  return fn as (spec: S) => R | Promise<R>;
}

let tsRegistered = false;

/** Let `require` load a TypeScript task module (running from source), as the worker does. */
function registerTypeScript(): void {
  if (tsRegistered || require.extensions['.ts'] !== undefined) return;
  // biome-ignore lint/style/noCommonJs: ts-node is a dev dependency, loaded only for .ts tasks
  (require('ts-node') as { register: (o: object) => void }).register({ transpileOnly: true, swc: process.env.VITEST === undefined });
  tsRegistered = true;
}

/** An error's message; errors from a worker may arrive as plain objects. */
function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
