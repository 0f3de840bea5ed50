// Run the trials of a budget that are not done yet, in parallel on worker threads, appending each
// finished trial to a JSON-lines results file as it completes. A killed study resumes where it
// stopped: the trials already in the file are read back, not run again. Every trial is
// deterministic for its seed, so the order in which workers finish changes nothing in the report.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planStudy, type Budget, type TrialSpec } from './plan';
import { runTrial, type TrialResult } from './trial';
import { planFollowUp } from './followup';
import { runParallel } from '../src/node/parallel';

export interface RunStudyOptions {
  budget: Budget;
  /** The JSON-lines file the results are read from and appended to. */
  resultsFile: string;
  /** Worker threads (default 1: in this thread). */
  workers?: number;
  /** Run at most this many new trials (the rest are left for the next call). */
  limit?: number;
  onProgress?: (done: number, total: number, last: TrialSpec | null) => void;
}

/** The results already in `file`, by trial key (a torn last line from a killed run is skipped). */
export function readResults(file: string): Map<string, TrialResult> {
  const out = new Map<string, TrialResult>();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const result = JSON.parse(line) as TrialResult;
      if (typeof result.key === 'string' && Array.isArray(result.rows)) out.set(result.key, result);
    } catch {
      // a line cut short by a kill: the trial runs again
    }
  }
  return out;
}

/** Whether a stored result was run with this spec (a result from before a design change is run again). */
export function isResultOf(result: TrialResult | undefined, spec: TrialSpec): result is TrialResult {
  return result !== undefined && result.spec !== undefined && JSON.stringify(result.spec) === JSON.stringify(spec);
}

/** The stored results of the plan's trials that were run with the plan's current specs, by key. */
export function currentResults(plan: TrialSpec[], stored: Map<string, TrialResult>): Map<string, TrialResult> {
  const out = new Map<string, TrialResult>();
  for (const spec of plan) {
    const result = stored.get(spec.key);
    if (isResultOf(result, spec)) out.set(spec.key, result);
  }
  return out;
}

/** Run what is missing of the budget's plan (stage 1); returns every result of the plan that exists afterwards. */
export async function runStudy(options: RunStudyOptions): Promise<{ plan: TrialSpec[]; results: Map<string, TrialResult>; ran: number }> {
  return runTrials(planStudy(options.budget), options);
}

/**
 * Run what is missing of the follow-up stage (study/followup.ts), which is planned from stage 1's
 * complete results; `plan` is null (and nothing runs) while stage 1 is incomplete.
 */
export async function runFollowUp(options: RunStudyOptions): Promise<{ plan: TrialSpec[] | null; results: Map<string, TrialResult>; ran: number }> {
  const stage1 = planStudy(options.budget);
  const plan = planFollowUp(options.budget, stage1, currentResults(stage1, readResults(options.resultsFile)));
  if (plan === null) return { plan, results: new Map(), ran: 0 };
  return runTrials(plan, options);
}

/** Run the trials of `plan` that have no current result in the results file, appending each as it finishes. */
export async function runTrials(plan: TrialSpec[], options: Omit<RunStudyOptions, 'budget'>): Promise<{ plan: TrialSpec[]; results: Map<string, TrialResult>; ran: number }> {
  fs.mkdirSync(path.dirname(options.resultsFile), { recursive: true });
  const results = currentResults(plan, readResults(options.resultsFile));
  // a run killed mid-line left a torn last line: end it, so the next result starts on its own line
  if (fs.existsSync(options.resultsFile)) {
    const text = fs.readFileSync(options.resultsFile, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) fs.appendFileSync(options.resultsFile, '\n');
  }
  const todo = plan.filter((t) => !results.has(t.key)).slice(0, options.limit ?? Infinity);
  let done = plan.length - plan.filter((t) => !results.has(t.key)).length;
  options.onProgress?.(done, plan.length, null);
  const record = (spec: TrialSpec, result: TrialResult): void => {
    fs.appendFileSync(options.resultsFile, `${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
    results.set(spec.key, result);
    done++;
    options.onProgress?.(done, plan.length, spec);
  };
  // the experiment runner's parallel trial machinery (the pool `tune` uses): worker threads, or
  // this thread when workers is 1
  const workers = options.workers ?? 1;
  const outcomes = await runParallel<TrialSpec, TrialResult>({
    task: { module: path.join(__dirname, 'trial.ts'), export: 'runTrial' },
    specs: todo,
    workers: workers <= 1 ? 0 : workers,
    local: runTrial,
    onProgress: (event) => {
      if (event.result !== undefined) record(todo[event.index], event.result);
    },
  });
  const failed = outcomes.map((o, i) => (o.ok ? null : `${todo[i].key}: ${o.error}`)).filter((x): x is string => x !== null);
  if (failed.length > 0) throw new Error(`study: ${failed.length} trials failed (they will run again next time):\n${failed.join('\n')}`);
  return { plan, results, ran: todo.length };
}
