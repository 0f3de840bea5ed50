// Turning a CompareResult into things to read: the summary table (text), the plots (SVG) and
// the files in a results folder.
import type { CompareResult, RunResult } from './types';
import type { MeanSd } from './stats';
import { CATEGORICAL, type Chart, type Series, chartSvg, panelsSvg, sequentialColor } from './svg';

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

/** "0.312 ± 0.004"; one value without "±"; "—" for none. */
function formatMeanSd(m: MeanSd, format: (v: number) => string): string {
  if (m.n === 0) return '—';
  if (!Number.isFinite(m.mean)) return m.mean > 0 ? '∞' : '−∞';
  return m.sd === null ? format(m.mean) : `${format(m.mean)} ± ${format(m.sd)}`;
}

const fixed = (digits: number) => (v: number): string => v.toFixed(digits);
const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;
const scientific = (v: number): string => (v === 0 ? '0' : v.toExponential(1));

/**
 * The summary as a fixed-width table: per rule, mean ± sd over seeds of the final training loss
 * (mean over the last epoch's batches), test accuracy, first/last-layer gradient ratio on the
 * reference batch before training and after it, dead (rectifiers) or saturated (sigmoid, tanh)
 * fraction after training, and seconds per epoch.
 */
export function formatTable(result: CompareResult): string {
  // a row measures dead units (rectifiers) or saturation (sigmoid, tanh), whichever its runs report
  const measuresDead = (rule: string): boolean => result.runs.some((r) => r.rule === rule && r.final.deadFraction !== null);
  const kinds = new Set(result.summary.map((s) => measuresDead(s.rule)));
  const deadOrSaturated = kinds.size > 1 ? 'dead / saturated' : kinds.has(true) ? 'dead units' : 'saturated';
  const stopping = result.config.earlyStopping !== null;
  const header = ['rule', 'train loss', 'test acc', ...(stopping ? ['test acc @ best val', 'epochs'] : []), 'first/last grad, start', 'first/last grad, end', deadOrSaturated, 's/epoch'];
  const rows = result.summary.map((s) => {
    const m = s.metrics;
    const units = measuresDead(s.rule) ? m.deadFraction : m.saturatedFraction;
    const diverged = s.divergedSeeds.length > 0 ? ` (diverged: seed ${s.divergedSeeds.join(', ')})` : '';
    return [
      s.rule + diverged,
      formatMeanSd(m.trainLoss, fixed(3)),
      formatMeanSd(m.testAccuracy, percent),
      ...(stopping ? [formatMeanSd(s.bestTestAccuracy, percent), formatMeanSd(s.epochsRun, fixed(1))] : []),
      formatMeanSd(s.initialFirstLastRatio, scientific),
      formatMeanSd(m.firstLastRatio, scientific),
      formatMeanSd(units, percent),
      formatMeanSd(m.secondsPerEpoch, fixed(2)),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const c = result.config;
  const seeds = c.seeds.length === 1 ? `seed ${c.seeds[0]}` : `mean ± sd over seeds ${c.seeds.join(', ')}`;
  const title =
    `${c.dataset} (${c.trainSize} train / ${c.testSize} test), ${c.activation} ${c.arch === 'cnn' ? `CNN (conv ${(c.channels ?? []).join('-')}, then ${c.depth}×${c.width})` : `MLP ${c.depth}×${c.width}`}` +
    `${c.batchNorm ? ' + BatchNorm' : ''}, ${c.optimizer} lr ${c.lr}, ${c.earlyStopping === null ? '' : 'at most '}${c.epochs} epoch${c.epochs === 1 ? '' : 's'} of batch ${c.batchSize}` +
    `${c.earlyStopping === null ? '' : ` (early stopping: patience ${c.earlyStopping.patience} on ${c.earlyStopping.validationSize} validation examples)`}` +
    `${c.init !== 'default' ? `, ${c.init} init${c.initGain !== null ? ` (gain ${c.initGain})` : ''}` : ''}${c.biasInit !== null ? `, hidden biases ${c.biasInit}` : ''}; ${seeds}`;
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The plots
// ---------------------------------------------------------------------------------------------

function runsOf(result: CompareResult, rule: string): RunResult[] {
  return result.runs.filter((r) => r.rule === rule);
}

/** The mean over runs of each step's loss, smoothed by a trailing moving average of `window` steps. */
function meanLossCurve(runs: RunResult[], window: number): [number, number][] {
  const steps = Math.max(0, ...runs.map((r) => r.losses.length));
  // the mean over the runs that reached each step with a finite loss (a diverged run's last
  // loss is NaN or infinite; it must not poison the window of the healthy runs after it)
  const mean: number[] = [];
  for (let i = 0; i < steps; i++) {
    let sum = 0;
    let n = 0;
    for (const r of runs) {
      if (i < r.losses.length && Number.isFinite(r.losses[i])) {
        sum += r.losses[i];
        n++;
      }
    }
    mean.push(n === 0 ? Number.NaN : sum / n);
  }
  // each point: the mean of the finite step means in the window ending there (NaN if none)
  const out: [number, number][] = [];
  for (let i = 0; i < mean.length; i++) {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - window + 1); j <= i; j++) {
      if (Number.isFinite(mean[j])) {
        sum += mean[j];
        n++;
      }
    }
    out.push([i + 1, n === 0 ? Number.NaN : sum / n]);
  }
  return out;
}

/** Training loss against step, one line per rule (mean over seeds, moving average). */
export function lossChart(result: CompareResult): Chart {
  const window = Math.max(1, Math.round(result.config.stepsPerEpoch / 10));
  const series: Series[] = result.summary.map((s, i) => ({
    label: s.rule,
    color: CATEGORICAL[i % CATEGORICAL.length],
    points: meanLossCurve(runsOf(result, s.rule), window),
  }));
  const seeds = result.config.seeds.length;
  return {
    title: `Training loss (${result.config.dataset}, ${result.config.activation} ${result.config.depth}×${result.config.width})`,
    xLabel: `step (${result.config.stepsPerEpoch} per epoch)`,
    yLabel: `cross-entropy${seeds > 1 ? `, mean of ${seeds} seeds` : ''}${window > 1 ? `, ${window}-step average` : ''}`,
    series,
    integerX: true,
  };
}

/** Test accuracy after each epoch, one line per rule (mean over seeds). */
export function accuracyChart(result: CompareResult): Chart {
  const series: Series[] = result.summary.map((s, i) => {
    const runs = runsOf(result, s.rule);
    const points: [number, number][] = [];
    for (let e = 0; e < result.config.epochs; e++) {
      // the mean over the runs that trained this epoch (an early-stopped run ends its line there)
      const values = runs.map((r) => r.epochs[e]?.testAccuracy).filter((v): v is number => v !== undefined);
      if (values.length === 0) break;
      points.push([e + 1, (100 * values.reduce((a, b) => a + b, 0)) / values.length]);
    }
    return { label: s.rule, color: CATEGORICAL[i % CATEGORICAL.length], points, markers: true };
  });
  return {
    title: `Test accuracy (${result.config.dataset}, ${result.config.activation} ${result.config.depth}×${result.config.width})`,
    xLabel: 'epoch',
    integerX: true,
    yLabel: 'accuracy (%)',
    series,
    xRange: [0.8, result.config.epochs + 0.2],
  };
}

/** One layer's gradient norm at each recorded step: the mean over runs (0 when no gradient reached it). */
function layerNormCurve(runs: RunResult[], layer: number): [number, number][] {
  const points = runs[0]?.gradNorms ?? [];
  return points.map((p, k) => {
    const values = runs.map((r) => r.gradNorms[k]?.layers[layer]).filter((v): v is number => v !== undefined);
    return [p.step + 1, values.reduce((a, b) => a + b, 0) / values.length];
  });
}

/** One panel per rule: each weight layer's gradient norm over training (log scale, shared range). */
export function gradNormCharts(result: CompareResult): { charts: Chart[]; legend: Series[] } {
  const layers = result.config.depth + 1;
  const color = (l: number): string => sequentialColor(layers === 1 ? 0 : l / (layers - 1));
  const curves = result.summary.map((s) => {
    const runs = runsOf(result, s.rule);
    return Array.from({ length: layers }, (_, l) => layerNormCurve(runs, l));
  });
  const values = curves.flat(2).map(([, y]) => y).filter((y) => y > 0 && Number.isFinite(y));
  const lo = values.length === 0 ? 1e-3 : 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = values.length === 0 ? 1 : 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const legend: Series[] = Array.from({ length: layers }, (_, l) => ({
    label: l === 0 ? 'layer 1 (input side)' : l === layers - 1 ? `layer ${l + 1} (output)` : `layer ${l + 1}`,
    color: color(l),
    points: [],
  }));
  const charts: Chart[] = result.summary.map((s, i) => ({
    title: s.rule,
    xLabel: 'step',
    yLabel: `‖∂L/∂W‖ per layer${result.config.seeds.length > 1 ? ', mean of seeds' : ''}`,
    integerX: true,
    logY: true,
    yRange: [lo, hi],
    legend: false,
    zeroAtFloor: true,
    series: curves[i].map((points, l) => ({ label: legend[l].label, color: color(l), points, width: 1.4 })),
  }));
  return { charts, legend };
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** Where writeResults put each file. */
export interface WrittenFiles {
  /** The folder written to. */
  dir: string;
  /** The path of results.json (the whole result). */
  json: string;
  /** The path of summary.txt (the table). */
  summary: string;
  /** The path of loss.svg (the loss curves). */
  loss: string;
  /** The path of accuracy.svg (the accuracy curves). */
  accuracy: string;
  /** The path of grad-norms.svg (weight-gradient norms per layer). */
  gradNorms: string;
}

/** The result as JSON text; NaN and ±Infinity (a diverged run) become null. */
export function resultsJson(result: CompareResult): string {
  return `${JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 1)}\n`;
}
