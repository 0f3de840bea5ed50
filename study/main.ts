// npm run study -- --budget small|full [--workers N] [--limit N] [--report-only]
// Runs the trials of the budget that are not done yet (resuming from study/results/<budget>-v<design>.jsonl),
// then writes docs/study.md (full budget) or docs/study-<budget>.md and the SVG figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { BUDGETS, DESIGN_VERSION, planStudy, type Budget } from './plan';
import { currentResults, readResults, runStudy } from './run';
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

  let results;
  const plan = planStudy(budget);
  if (values['report-only']) {
    results = currentResults(plan, readResults(resultsFile));
  } else {
    const bar = new SingleBar({
      format: 'study {budget} |{bar}| {value}/{total} trials | {last} | ETA {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 10000,
      etaBuffer: 50,
    });
    bar.start(plan.length, 0, { budget, last: 'resuming' });
    ({ results } = await runStudy({
      budget, resultsFile, workers, limit,
      // the trials read back from the results file are not this run's work: restart the bar (and
      // its ETA, which would otherwise count them as done in the first second) from their count
      onProgress: (done, _total, last) => (last === null ? bar.start(plan.length, done, { budget, last: 'resumed' }) : bar.update(done, { budget, last: last.key })),
    }));
    bar.stop();
  }
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
