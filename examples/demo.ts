// The demo (`npm run demo`): do artificial derivatives help, and when? Two experiments on MNIST,
// each training the same MLP once per backward rule from the same initial weights on the same
// batches, so the rule is the only difference between rows:
//
//   1. Vanishing gradients: a sigmoid MLP with 10 hidden layers, exact vs artificial sigmoid
//      derivatives, plus BatchNorm with exact rules (the conventional remedy).
//   2. Dying ReLU: a ReLU MLP whose hidden biases start at −1, so many units are dead from the
//      first step; exact vs sigmoid-shaped vs leaky backward, plus a LeakyReLU forward (the
//      conventional remedy).
//
// It prints a table per experiment and writes JSON and SVG plots under runs/demo/ (or
// $SURROGRAD_OUT). SURROGRAD_BUDGET=small shrinks everything to a few seconds (for the tests) and
// writes to runs/demo-small/ instead, so a test run never overwrites the real results.
//
//   npx ts-node examples/demo.ts
//   SURROGRAD_BUDGET=small npx ts-node examples/demo.ts
import * as path from 'node:path';
import { experiment } from 'surrograd';
import { compareRules, writeResults } from 'surrograd/node';

type CompareOptions = experiment.CompareOptions;
type CompareResult = experiment.CompareResult;
type RunResult = experiment.RunResult;
const { formatTable } = experiment;

export type Budget = 'full' | 'small';

export interface DemoOptions {
  budget?: Budget;
  /** The folder for the results (default runs/demo, or runs/demo-small for the small budget). */
  out?: string;
  /** Where the text goes (default console.log). */
  log?: (line: string) => void;
}

/** The settings that differ between the full demo and the quick one. */
function sizes(budget: Budget): Pick<CompareOptions, 'datasetOptions' | 'epochs' | 'seeds' | 'referenceSize'> & { width: number } {
  return budget === 'small'
    ? { datasetOptions: { trainSize: 256, testSize: 128 }, epochs: 1, seeds: [1], referenceSize: 64, width: 16 }
    : { datasetOptions: { trainSize: 4000, testSize: 1000 }, epochs: 3, seeds: [1, 2, 3], referenceSize: 256, width: 64 };
}

const percent = (v: number): string => `${(100 * v).toFixed(1)}%`;
const sci = (v: number): string => (Number.isFinite(v) ? v.toExponential(1) : String(v));

function mean(values: readonly (number | null | undefined)[]): number {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

function runsOf(result: CompareResult, rule: string): RunResult[] {
  return result.runs.filter((r) => r.rule === rule);
}

function accuracyOf(result: CompareResult, rule: string): number {
  return result.summary.find((s) => s.rule === rule)?.metrics.testAccuracy.mean ?? Number.NaN;
}

/** The artificial row with the best mean test accuracy. */
function bestArtificial(result: CompareResult, remedy: string): string | undefined {
  const candidates = result.summary.filter((s) => !s.exact && s.rule !== remedy);
  candidates.sort((a, b) => (b.metrics.testAccuracy.mean || 0) - (a.metrics.testAccuracy.mean || 0));
  return candidates[0]?.rule;
}

function progress(log: (line: string) => void): CompareOptions['onProgress'] {
  return (e) => {
    if (e.phase !== 'run') return;
    log(`  ${e.rule}, seed ${e.seed}: final epoch loss ${e.loss.toFixed(3)}, test accuracy ${e.testAccuracy === null ? '—' : percent(e.testAccuracy)}`);
  };
}

function report(result: CompareResult, dir: string, log: (line: string) => void): void {
  const files = writeResults(result, dir);
  log('');
  log(formatTable(result));
  log('');
  log(`Plots: ${files.loss}, ${files.accuracy}, ${files.gradNorms}; everything in ${files.json}`);
}

/** Experiment 1: vanishing gradients in a deep sigmoid MLP. */
export function vanishing(budget: Budget, out: string, log: (line: string) => void): CompareResult {
  const s = sizes(budget);
  log('Experiment 1: vanishing gradients. MNIST, sigmoid MLP with 10 hidden layers of ' + `${s.width} units, plain SGD.`);
  log('Weights start Glorot-uniform with gain 4 (the usual scaling for sigmoid, whose slope at 0 is 1/4),');
  log('biases at 0. Rows: the exact derivative σ\' (peak 1/4), three artificial ones, and BatchNorm with exact rules.');
  const remedy = 'BatchNorm + exact';
  const result = compareRules({
    dataset: 'mnist',
    activation: 'sigmoid',
    depth: 10,
    rules: ['exact', 'floorAdded', 'peakNormalised', 'widened', { label: remedy, batchNorm: true }],
    optimizer: 'sgd',
    lr: 0.1,
    batchSize: 64,
    init: 'xavier',
    initGain: 4,
    ...s,
    onProgress: progress(log),
  });
  report(result, out, log);
  const exact = runsOf(result, 'exact');
  log('');
  log('What it shows (computed from the results above):');
  log(
    `- Exact rules: at the start the first layer's gradient is ${sci(mean(exact.map((r) => r.initial.firstLastRatio)))} times the last layer's ` +
      `(per layer, input side first: ${meanLayerNorms(exact).map(sci).join(' ')}); test accuracy ${percent(accuracyOf(result, 'exact'))}.`,
  );
  const best = bestArtificial(result, remedy);
  if (best !== undefined) {
    log(`- Best artificial rule by test accuracy: ${best}, ${percent(accuracyOf(result, best))}; ${remedy}: ${percent(accuracyOf(result, remedy))}.`);
  }
  for (const row of result.summary.filter((r) => !r.exact && r.rule !== remedy)) {
    log(
      `- ${row.rule}: first/last ratio ${sci(row.initialFirstLastRatio.mean)} at the start, ${sci(row.metrics.firstLastRatio.mean)} at the end; ` +
        `saturated values ${percent(row.metrics.saturatedFraction.mean)} at the end; test accuracy ${percent(row.metrics.testAccuracy.mean)}.`,
    );
  }
  return result;
}

/** Per-layer weight-gradient norms on the reference batch before training, averaged over seeds. */
function meanLayerNorms(runs: RunResult[]): number[] {
  const layers = runs[0]?.initial.layers.length ?? 0;
  return Array.from({ length: layers }, (_, l) => mean(runs.map((r) => r.initial.layers[l].weightGradNorm)));
}

/** Per hidden layer, the dead fraction before training and after it, averaged over seeds. */
function deadByLayer(runs: RunResult[]): { start: number[]; end: number[] } {
  const layers = runs[0]?.initial.activations.length ?? 0;
  const at = (pick: (r: RunResult) => RunResult['initial']) =>
    Array.from({ length: layers }, (_, l) => mean(runs.map((r) => pick(r).activations[l].deadFraction)));
  return { start: at((r) => r.initial), end: at((r) => r.finalDiagnostics) };
}

/** Experiment 2: dying ReLU units. */
export function dying(budget: Budget, out: string, log: (line: string) => void): CompareResult {
  const s = sizes(budget);
  log(`Experiment 2: dying ReLU. MNIST, ReLU MLP with 4 hidden layers of ${s.width} units, plain SGD.`);
  log('Weights start He-uniform (gain √2) and every hidden bias at −1, which leaves many units dead');
  log('(input ≤ 0 for every sample) from the first step. Rows: the exact derivative, sigmoid-shaped and');
  log('leaky (c = 0.01) backward rules, and a LeakyReLU forward (slope 0.01) with exact rules.');
  const remedy = 'LeakyReLU forward';
  const result = compareRules({
    dataset: 'mnist',
    activation: 'relu',
    depth: 4,
    rules: ['exact', 'sigmoid', 'leaky', { label: remedy, activation: 'leakyRelu' }],
    optimizer: 'sgd',
    lr: 0.1,
    batchSize: 64,
    init: 'kaiming',
    biasInit: -1,
    ...s,
    onProgress: progress(log),
  });
  report(result, out, log);
  log('');
  log('What it shows (computed from the results above):');
  log('- Dead units per hidden layer (input side first), at the start → at the end:');
  for (const row of result.summary) {
    const { start, end } = deadByLayer(runsOf(result, row.rule));
    log(`    ${row.rule.padEnd(18)} ${start.map(percent).join(' ')}  →  ${end.map(percent).join(' ')}`);
  }
  const best = bestArtificial(result, remedy);
  if (best !== undefined) {
    log(
      `- Best artificial rule by test accuracy: ${best}, ${percent(accuracyOf(result, best))}; exact: ${percent(accuracyOf(result, 'exact'))}; ` +
        `${remedy}: ${percent(accuracyOf(result, remedy))}.`,
    );
  }
  return result;
}

export function runDemo(options: DemoOptions = {}): { vanishing: CompareResult; dying: CompareResult } {
  const budget = options.budget ?? 'full';
  const out = options.out ?? path.join('runs', budget === 'small' ? 'demo-small' : 'demo');
  const log = options.log ?? ((line: string) => console.log(line));
  const t0 = performance.now();
  log(`surrograd demo (${budget === 'small' ? 'small budget: a smoke test, the numbers mean nothing' : 'full budget'}); results in ${out}`);
  log('');
  const v = vanishing(budget, path.join(out, 'vanishing'), log);
  log('');
  log('');
  const d = dying(budget, path.join(out, 'dying-relu'), log);
  log('');
  log(`Done in ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
  return { vanishing: v, dying: d };
}

function budgetFromEnv(): Budget {
  const value = process.env.SURROGRAD_BUDGET;
  if (value === undefined || value === '' || value === 'full') return 'full';
  if (value === 'small') return 'small';
  throw new Error(`SURROGRAD_BUDGET must be 'small' or 'full', got '${value}'`);
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  runDemo({ budget: budgetFromEnv(), out: process.env.SURROGRAD_OUT || undefined });
}
