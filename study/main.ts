// npm run study -- --budget small|full [--workers N] [--limit N] [--report-only]
// Runs the trials of the budget that are not done yet (resuming from study/results/<budget>-v<design>.jsonl),
// then, once they are all done, the follow-up stage planned from them (study/followup.ts), then
// writes docs/study.md (full budget) or docs/study-<budget>.md and the SVG figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { BUDGETS, DESIGN_VERSION, planStudy, type Budget } from './plan';
import { currentResults, readResults, runFollowUp, runStudy } from './run';
import { planFollowUp } from './followup';
import { renderStudy } from './report';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      budget: { type: 'string', default: 'small' },
      workers: { type: 'string', default: String(os.availableParallelism()) },
      limit: { type: 'string' },
      results: { type: 'string' },
      out: { type: 'string', default: 'docs' },
      'report-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('npm run study -- --budget tiny|small|full [--workers N] [--limit N] [--results FILE] [--out DIR] [--report-only]\n');
    return;
  }
  const budget = values.budget as Budget;
  if (!(BUDGETS as readonly string[]).includes(budget)) throw new Error(`study: unknown budget '${budget}'; use ${BUDGETS.join(', ')}`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`study: --workers must be a positive integer, got '${values.workers}'`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new Error(`study: --limit must be a whole number, got '${values.limit}'`);
  // the results of each design version in a file of their own: a changed design never mixes with
  // (or silently discards) the results that generated the current docs/study.md
  const resultsFile = values.results ?? path.join(__dirname, 'results', `${budget}-v${DESIGN_VERSION}.jsonl`);

  const plan = planStudy(budget);
  if (!values['report-only']) {
    const bar = new SingleBar({
      format: 'study {budget} {stage} |{bar}| {value}/{total} trials | {last} | ETA {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 10000,
      etaBuffer: 50,
    });
    const progress = (stage: string) => (done: number, total: number, last: { key: string } | null): void => {
      // the trials read back from the results file are not this run's work: restart the bar (and
      // its ETA, which would otherwise count them as done in the first second) from their count
      if (last === null) bar.start(total, done, { budget, stage, last: 'resumed' });
      else bar.update(done, { budget, stage, last: last.key });
    };
    const stage1 = await runStudy({ budget, resultsFile, workers, limit, onProgress: progress('stage 1') });
    bar.stop();
    const left = limit === undefined ? undefined : limit - stage1.ran;
    if (left === undefined || left > 0) {
      await runFollowUp({ budget, resultsFile, workers, limit: left, onProgress: progress('follow-up') });
      bar.stop();
    }
  }
  // the report: every stored result run with its trial's current spec, of stage 1 and (once stage 1 is complete) the follow-up
  const stored = readResults(resultsFile);
  const followUp = planFollowUp(budget, plan, currentResults(plan, stored)) ?? [];
  const results = currentResults([...plan, ...followUp], stored);
  const report = renderStudy(budget, plan, results, {
    date: new Date().toISOString().slice(0, 10),
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${workers} worker${workers === 1 ? '' : 's'}`,
    command: `npm run study -- --budget ${budget}`,
  });
  fs.mkdirSync(values.out, { recursive: true });
  const name = budget === 'full' ? 'study.md' : `study-${budget}.md`;
  const prefix = budget === 'full' ? '' : `${budget}-`;
  let markdown = report.markdown;
  for (const [file, svg] of Object.entries(report.figures)) {
    fs.writeFileSync(path.join(values.out, prefix + file), svg);
    markdown = markdown.split(`](${file})`).join(`](${prefix}${file})`);
  }
  fs.writeFileSync(path.join(values.out, name), markdown);
  process.stdout.write(`wrote ${path.join(values.out, name)} (${[...results.keys()].filter((k) => plan.some((t) => t.key === k)).length}/${plan.length} trials)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
