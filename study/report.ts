// docs/study.md and its figures, generated from the results file: tables of mean ± sd test
// accuracy over seeds, each artificial rule and remedy tested against the exact derivative of
// the same cell (Welch's t-test, Holm-corrected per section and per kind: rules and remedies are
// separate families), comparisons where every row is at chance left untested and counted apart,
// the cost of each rule, the agreement-vs-accuracy plot, and a closing section whose every
// sentence is computed from the data.
import { experiment, grad, nn, tensor, type ActivationCallOptions, type ActivationName, type Tensor } from '../src';
import { loadDataset } from '../src/node';
import type { Chart, Series } from '../src/experiment';
import { BUDGET_SPECS, DESIGN_VERSION, LEARNING_RATES, type Budget, type RowSpec, type Section, type TrialSpec } from './plan';
import type { RowResult, TrialResult } from './trial';
import { renderFollowUp } from './followup';
import { meanSdText, pct, plural } from './format';
import { describe, holm, quantile, welch, type WelchResult } from './stats';

const { chartSvg, panelsSvg } = experiment;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const ALPHA = 0.05;
/** A row is "at chance" when its mean test accuracy is below the chance level plus this. */
export const CHANCE_MARGIN = 0.05;

export interface StudyReport {
  markdown: string;
  /** File name (relative to the markdown's folder) → SVG text. */
  figures: Record<string, string>;
}

/**
 * How a row compares with the cell's exact row. 'chance': both rows' mean accuracies are below
 * chance + 5 points (no test: two dead networks differ by noise, or not at all); 'vacuous': the
 * rule's derivative is the exact one (the row repeats exact); 'untestable': fewer than two seeds,
 * or both rows constant over seeds and different (zero variance: no t-test).
 */
export type Verdict = 'better' | 'worse' | 'same' | 'chance' | 'vacuous' | 'untestable';

/** One row of one cell over its seeds. */
interface CellRow {
  label: string;
  kind: RowResult['kind'];
  backward: RowSpec['backward'];
  accuracies: number[];
  /** Welch's test against the cell's exact row (null: not tested, see `verdict`). */
  vsExact: WelchResult | null;
  adjustedP: number;
  verdict: Verdict;
  /** Step-time ratios to the exact row of the same trial, from the trials where neither row diverged. */
  costRatios: number[];
  /** Trials left out of `costRatios` because this row or exact diverged. */
  costDropped: number;
  initialCosine: number[];
  initialDead: number[];
  diverged: number;
  /** How each seed's run stopped, the epochs it trained, the epoch its result was taken at, its best validation accuracy. */
  stops: RowResult['stop'][];
  epochsRun: number[];
  bestEpochs: number[];
  bestValidation: number[];
  /** Test accuracy after the first epoch, and the mean cosine to the exact gradient after the last. */
  firstEpoch: number[];
  finalCosine: number[];
}

interface Cell {
  key: string;
  section: Section;
  spec: TrialSpec;
  seeds: number;
  /** Seeds the plan has for this cell. */
  planned: number;
  rows: CellRow[];
}

const points = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}` : '—');
const pText = (p: number): string => (!Number.isFinite(p) ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3));
const mean = (v: readonly number[]): number => describe(v).mean;

/**
 * The share of the most frequent class among the test digits the budget's trials score on: the
 * accuracy of a network that answers one class whatever the input (loaded as study/trial.ts loads them).
 */
export function chanceLevel(budget: Budget): number {
  const b = BUDGET_SPECS[budget];
  const labels = loadDataset('mnist', { trainSize: b.trainSize + b.validationSize, testSize: b.testSize }).test.labels;
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return Math.max(...counts.values()) / labels.length;
}

const sameAsExact = new Map<string, boolean>();

/**
 * Whether the named rule's derivative of `activation` is the exact derivative (float64, on 241
 * points of [−6, 6], to 1e-12 relative): such a rule's row repeats the exact row (tanh's
 * peakNormalised: tanh' already peaks at 1), so comparing it with exact tests nothing.
 */
export function derivativeEqualsExact(activation: ActivationName, rule: string): boolean {
  const key = `${activation}/${rule}`;
  const known = sameAsExact.get(key);
  if (known !== undefined) return known;
  let equal = false;
  try {
    const x = tensor(Float64Array.from({ length: 241 }, (_, i) => -6 + i / 20));
    const derivative = (backward: string): Float64Array => {
      const layer = new nn.Activation(activation, { backward } as ActivationCallOptions);
      return Float64Array.from((grad((t: Tensor) => layer.forward(t).sum())(x) as Tensor).toTypedArray());
    };
    const exact = derivative('exact');
    const mine = derivative(rule);
    equal = exact.every((v, i) => Math.abs(v - mine[i]) <= 1e-12 * Math.max(1, Math.abs(v)));
  } catch {
    equal = false; // a rule that cannot run standalone is not the exact one
  }
  sameAsExact.set(key, equal);
  return equal;
}

/** The Holm family of a comparison: per section, rules (artificial, scheduled, learned) apart from remedies. */
const family = (section: Section, kind: RowResult['kind']): string => `${section}/${kind === 'remedy' ? 'remedies' : 'rules'}`;

/** Group the results by cell, test every non-exact row against the cell's exact row, Holm per section and kind. */
function buildCells(plan: TrialSpec[], results: Map<string, TrialResult>, chance: number): Cell[] {
  const cells = new Map<string, Cell>();
  const planned = new Map<string, number>();
  for (const spec of plan) planned.set(spec.cell, (planned.get(spec.cell) ?? 0) + 1);
  for (const spec of plan) {
    const result = results.get(spec.key);
    if (result === undefined) continue;
    let cell = cells.get(spec.cell);
    if (cell === undefined) {
      cell = {
        key: spec.cell, section: spec.section, spec, seeds: 0, planned: planned.get(spec.cell) ?? 0,
        rows: spec.rows.map((r) => ({
          label: r.label, kind: r.kind, backward: r.backward, accuracies: [], vsExact: null, adjustedP: Number.NaN, verdict: 'untestable',
          costRatios: [], costDropped: 0, initialCosine: [], initialDead: [], diverged: 0, stops: [], epochsRun: [], bestEpochs: [],
          bestValidation: [], firstEpoch: [], finalCosine: [],
        })),
      };
      cells.set(spec.cell, cell);
    }
    cell.seeds++;
    const exact = result.rows.find((r) => r.kind === 'exact') as RowResult;
    result.rows.forEach((r, i) => {
      const row = cell.rows[i];
      // a run that diverged in its first epoch scores 0 (a diverged model classifies nothing);
      // one that diverged later keeps the test accuracy of its best epoch before
      row.accuracies.push(r.finalAccuracy);
      row.stops.push(r.stop);
      row.epochsRun.push(r.accuracy.length);
      row.bestEpochs.push(r.bestEpoch);
      row.bestValidation.push(r.validationAccuracy.length === 0 ? Number.NaN : Math.max(...r.validationAccuracy));
      if (r.diverged) row.diverged++;
      // a diverged run's seconds per epoch cover a partial epoch: no ratio from it
      if (r.diverged || exact.diverged) row.costDropped++;
      else if (exact.secondsPerEpoch > 0) row.costRatios.push(r.secondsPerEpoch / exact.secondsPerEpoch);
      if (r.initialCosine !== null) row.initialCosine.push(r.initialCosine);
      if (r.initialDead !== null) row.initialDead.push(r.initialDead);
      if (r.accuracy.length >= 1) row.firstEpoch.push(r.accuracy[0]);
      if (r.finalCosine !== null) row.finalCosine.push(r.finalCosine);
    });
  }
  const list = [...cells.values()];
  const families = new Map<string, CellRow[]>();
  for (const cell of list) {
    const exact = cell.rows.find((r) => r.kind === 'exact') as CellRow;
    for (const row of cell.rows) {
      if (row.kind === 'exact') continue;
      if (row.kind === 'artificial' && typeof row.backward === 'string' && derivativeEqualsExact(cell.spec.activation, row.backward)) {
        row.verdict = 'vacuous';
      } else if (mean(row.accuracies) < chance + CHANCE_MARGIN && mean(exact.accuracies) < chance + CHANCE_MARGIN) {
        row.verdict = 'chance';
        row.vsExact = welch(row.accuracies, exact.accuracies); // for the difference shown; its p is not used
      } else {
        row.vsExact = welch(row.accuracies, exact.accuracies);
        const f = family(cell.section, row.kind);
        families.set(f, [...(families.get(f) ?? []), row]);
      }
    }
  }
  for (const tested of families.values()) {
    const adjusted = holm(tested.map((r) => r.vsExact?.p ?? Number.NaN));
    tested.forEach((r, i) => {
      r.adjustedP = adjusted[i];
      r.verdict = !Number.isFinite(r.adjustedP) ? 'untestable' : r.adjustedP >= ALPHA ? 'same' : (r.vsExact as WelchResult).diff > 0 ? 'better' : 'worse';
    });
  }
  return list;
}

const MARK: Record<Verdict, string> = { better: ' ▲', worse: ' ▼', same: '', chance: ' ·', vacuous: ' ≡', untestable: '' };

/** "target 50 %", "target 0 %" (not "default" for 0: only null means PyTorch's biases). */
const targetText = (t: number): string => `${Math.abs(100 * t - Math.round(100 * t)) < 1e-9 ? Math.round(100 * t).toFixed(0) : pct(t)} %`;

function cellTitle(cell: Cell): string {
  const s = cell.spec;
  if (s.section === 'dying') {
    const dead = mean(cell.rows[0].initialDead);
    const target = s.targetDead === null ? 'default biases' : `target ${targetText(s.targetDead)} dead`;
    const net = s.arch === 'cnn' ? `CNN (conv ${(s.channels ?? []).join('→')}, ${s.depth} hidden)` : `depth ${s.depth}`;
    return `${net}, ${s.optimizer}, ${target} (measured ${pct(dead)} % dead)`;
  }
  const init = s.init === 'default' ? 'PyTorch default' : s.initGain === 1 ? 'Glorot' : `Glorot gain ${s.initGain}`;
  return `depth ${s.depth}, ${s.optimizer} (lr ${s.lr}), ${init}${s.targetDead === null ? '' : `, ${targetText(s.targetDead)} dead`}`;
}

/** The cell's name in running text: its activation (ReLU for a dying cell) and title. */
const cellName = (c: Cell): string => `${c.spec.section === 'dying' ? 'ReLU' : c.spec.activation} ${cellTitle(c)}`;

function table(cells: Cell[]): string {
  if (cells.length === 0) return '_No trials of this section have run yet._\n';
  const labels = cells[0].rows.map((r) => r.label);
  const head = `| cell | ${labels.join(' | ')} |\n|---|${labels.map(() => '---').join('|')}|\n`;
  const body = cells
    .map((c) => {
      const n = c.seeds < c.planned ? ` (n = ${c.seeds} of ${c.planned})` : '';
      return `| ${cellTitle(c)}${n} | ${c.rows.map((r) => `${meanSdText(r.accuracies)}${MARK[r.verdict]}${r.diverged > 0 ? ` (${r.diverged} diverged)` : ''}`).join(' | ')} |`;
    })
    .join('\n');
  return `${head}${body}\n`;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  better: 'better ▲',
  worse: 'worse ▼',
  same: 'no significant difference',
  chance: 'all at chance · (not tested)',
  vacuous: 'same derivative as exact ≡ (not tested)',
  untestable: 'untestable',
};

/** Every comparison of these cells, folded: the difference from exact with its 95 % CI, p and Holm-adjusted p. */
function detailsTable(cells: Cell[], what: string): string {
  const lines: string[] = [];
  for (const c of cells) {
    for (const r of c.rows) {
      if (r.kind === 'exact') continue;
      const w = r.vsExact;
      const tested = r.verdict !== 'chance' && r.verdict !== 'vacuous';
      const ci = w !== null && tested && Number.isFinite(w.ci95[0]) ? `[${points(w.ci95[0])}, ${points(w.ci95[1])}]` : '—';
      const why = r.verdict === 'untestable' ? (w?.zeroVariance === true ? 'untestable (every seed equal on both sides, different means)' : 'untestable (fewer than 2 seeds)') : VERDICT_TEXT[r.verdict];
      lines.push(`| ${cellTitle(c)} | ${r.label} | ${w === null ? '—' : points(w.diff)} | ${ci} | ${tested && w !== null ? pText(w.p) : '—'} | ${tested ? pText(r.adjustedP) : '—'} | ${why} |`);
    }
  }
  if (lines.length === 0) return '';
  return [
    `<details><summary>Every comparison ${what}: difference from exact (points), its 95 % confidence interval (Welch), p and Holm-adjusted p</summary>`,
    '',
    '| cell | row | Δ vs exact (points) | 95 % CI | p | Holm p | verdict |',
    '|---|---|---|---|---|---|---|',
    ...lines,
    '',
    '</details>',
    '',
  ].join('\n');
}

/** Test accuracy against depth, one line per row with ± sd bars, one panel per optimizer × initialisation. */
function depthFigure(cells: Cell[], activation: string): string | null {
  const mine = cells.filter((c) => c.section === 'vanishing' && c.spec.activation === activation);
  if (mine.length === 0) return null;
  const panels = new Map<string, Cell[]>();
  for (const c of mine) {
    const key = `${c.spec.optimizer} · ${c.spec.init === 'default' ? 'default init' : c.spec.initGain === 1 ? 'Glorot' : `Glorot ×${c.spec.initGain}`}`;
    panels.set(key, [...(panels.get(key) ?? []), c]);
  }
  const labels = mine[0].rows.map((r) => r.label);
  const legend: Series[] = labels.map((label, i) => ({ label, color: COLORS[i % COLORS.length], points: [] }));
  // rows side by side at each depth (±0.3 layers) so their bars do not hide each other
  const shift = (i: number): number => (labels.length < 2 ? 0 : -0.3 + (0.6 * i) / (labels.length - 1));
  const charts: Chart[] = [...panels].map(([title, group]) => ({
    title,
    xLabel: 'hidden layers',
    yLabel: 'test accuracy % (mean ± sd)',
    yRange: [0, 100],
    integerX: true,
    series: labels.flatMap((label, i): Series[] => {
      const color = COLORS[i % COLORS.length];
      const stats = group.map((c) => ({ x: c.spec.depth + shift(i), d: describe(c.rows[i].accuracies) })).sort((a, b) => a.x - b.x);
      const bars = stats
        .filter(({ d }) => d.n >= 2)
        .map(({ x, d }): Series => ({ label: `${label} ± sd`, color, width: 1, points: [[x, 100 * (d.mean - d.sd)], [x, 100 * (d.mean + d.sd)]] }));
      return [{ label, color, markers: true, points: stats.map(({ x, d }) => [x, 100 * d.mean] as const) }, ...bars];
    }),
  }));
  return panelsSvg(`${activation} MLPs: test accuracy over seeds (mean, bars ± 1 sd)`, charts, { columns: 3, legend });
}

/** The group an artificial row is coloured by in the agreement figure. */
const agreementGroup = (c: Cell): string => (c.spec.section === 'dying' ? `ReLU ${c.spec.arch === 'cnn' ? 'CNN' : 'MLP'} (dying)` : `${c.spec.activation} (vanishing)`);

/** Each artificial row of each cell of sections 1–2: mean cosine to the exact gradient before training vs its final test accuracy. */
function agreementFigure(cells: Cell[]): { svg: string; toAccuracy: [number, number][]; toGain: [number, number][] } | null {
  const groups = new Map<string, [number, number][]>();
  const toAccuracy: [number, number][] = [];
  const toGain: [number, number][] = [];
  for (const c of cells) {
    if (c.section === 'schedule') continue;
    const exact = mean((c.rows.find((r) => r.kind === 'exact') as CellRow).accuracies);
    for (const r of c.rows) {
      if (r.kind !== 'artificial' || r.verdict === 'vacuous' || r.initialCosine.length === 0) continue;
      const cos = mean(r.initialCosine);
      const acc = mean(r.accuracies);
      const g = agreementGroup(c);
      groups.set(g, [...(groups.get(g) ?? []), [cos, 100 * acc]]);
      toAccuracy.push([cos, acc]);
      toGain.push([cos, acc - exact]);
    }
  }
  if (toAccuracy.length === 0) return null;
  const chart: Chart = {
    title: 'Agreement with the exact gradient vs final test accuracy (one dot per rule and cell)',
    xLabel: 'mean cosine to the exact gradient before training (reference batch)',
    yLabel: 'final test accuracy % (mean over seeds)',
    yRange: [0, 100],
    series: [...groups].map(([label, pts], i) => ({ label, color: COLORS[i % COLORS.length], markers: true, width: 0, points: pts })),
    legend: true,
  };
  return { svg: chartSvg(chart), toAccuracy, toGain };
}

/** Spearman's rank correlation. */
function spearman(points: readonly [number, number][]): number {
  const rank = (v: number[]): number[] => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(points.map((p) => p[0]));
  const ry = rank(points.map((p) => p[1]));
  const mx = describe(rx).mean;
  const my = describe(ry).mean;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

function costTable(cells: Cell[]): string {
  const groups = new Map<string, { ratios: number[]; dropped: number }>();
  for (const c of cells) {
    for (const r of c.rows) {
      if (r.kind === 'exact') continue;
      // relu rows run on an MLP or a CNN: different step times, different keys
      const net = c.spec.activation === 'relu' ? ` ${c.spec.arch === 'cnn' ? 'CNN' : 'MLP'}` : '';
      const key = `${c.spec.activation}${net}: ${r.label}`;
      const g = groups.get(key) ?? { ratios: [], dropped: 0 };
      g.ratios.push(...r.costRatios);
      g.dropped += r.costDropped;
      groups.set(key, g);
    }
  }
  if (groups.size === 0) return '_No trials yet._\n';
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
  const rows = [...groups].map(([label, { ratios, dropped }]) => `| ${label} | ${f(quantile(ratios, 0.5))} | ${f(quantile(ratios, 0.25))}–${f(quantile(ratios, 0.75))} | ${ratios.length} | ${dropped} |`);
  return `| row | median step-time ratio to exact | interquartile range | trials | left out (a row diverged) |\n|---|---|---|---|---|\n${rows.join('\n')}\n`;
}

function countVerdicts(cells: Cell[], kind: 'artificial' | 'remedy'): Record<Verdict, number> {
  const out: Record<Verdict, number> = { better: 0, worse: 0, same: 0, chance: 0, vacuous: 0, untestable: 0 };
  for (const c of cells) for (const r of c.rows) if (r.kind === kind) out[r.verdict]++;
  return out;
}

/** "3 significantly better, 1 significantly worse, 2 not significantly different; 4 all at chance (not tested)". */
function verdictText(v: Record<Verdict, number>): string {
  const tested = v.better + v.worse + v.same;
  const parts = [`${tested} tested: ${v.better} significantly better, ${v.worse} significantly worse, ${v.same} not significantly different`];
  parts.push(`${v.chance} with every row at chance (not tested)`);
  if (v.vacuous > 0) parts.push(`${v.vacuous} identical to exact by definition (not tested)`);
  if (v.untestable > 0) parts.push(`${v.untestable} untestable (too few seeds, or constant over seeds)`);
  return parts.join('; ');
}

interface Help {
  cell: Cell;
  /** The best-mean rule among those significantly better than exact. */
  best: CellRow;
  /** The rule against each remedy of the cell, Holm-adjusted over every such comparison of the report. */
  vsRemedies: { remedy: CellRow; test: WelchResult; adjustedP: number }[];
  /** The rule is significantly better than every remedy of the cell. */
  beatsEveryRemedy: boolean;
  /** Some remedy is significantly better than the rule. */
  remedyBetter: CellRow[];
}

/**
 * The cells of sections 1–2 (the only ones with remedies) where some artificial rule beat exact
 * significantly, with that rule (the best such) tested against every remedy of the cell.
 */
function helpCells(cells: Cell[]): Help[] {
  const out: Help[] = [];
  for (const c of cells) {
    if (c.section !== 'vanishing' && c.section !== 'dying') continue;
    const winners = c.rows.filter((r) => r.kind === 'artificial' && r.verdict === 'better');
    if (winners.length === 0) continue;
    const best = winners.reduce((a, b) => (mean(b.accuracies) > mean(a.accuracies) ? b : a));
    const vsRemedies = c.rows.filter((r) => r.kind === 'remedy').map((remedy) => ({ remedy, test: welch(best.accuracies, remedy.accuracies), adjustedP: Number.NaN }));
    out.push({ cell: c, best, vsRemedies, beatsEveryRemedy: false, remedyBetter: [] });
  }
  const all = out.flatMap((h) => h.vsRemedies);
  holm(all.map((x) => x.test.p)).forEach((p, i) => (all[i].adjustedP = p));
  for (const h of out) {
    const sig = (x: Help['vsRemedies'][number]): boolean => Number.isFinite(x.adjustedP) && x.adjustedP < ALPHA;
    h.beatsEveryRemedy = h.vsRemedies.length > 0 && h.vsRemedies.every((x) => sig(x) && x.test.diff > 0);
    h.remedyBetter = h.vsRemedies.filter((x) => sig(x) && x.test.diff < 0).map((x) => x.remedy);
  }
  return out;
}

function rescalingNote(cells: Cell[]): string {
  // peakNormalised multiplies sigmoid's exact derivative by 4 (its peak is 1/4); Adam divides each
  // parameter's step by its gradient's running scale, which should cancel a constant factor
  const diffs = new Map<string, number[]>();
  for (const c of cells) {
    if (c.section !== 'vanishing' || c.spec.activation !== 'sigmoid') continue;
    const exact = c.rows.find((r) => r.kind === 'exact') as CellRow;
    const peak = c.rows.find((r) => r.label === 'peakNormalised');
    if (peak === undefined || peak.accuracies.length === 0) continue;
    diffs.set(c.spec.optimizer, [...(diffs.get(c.spec.optimizer) ?? []), Math.abs(mean(peak.accuracies) - mean(exact.accuracies))]);
  }
  if (diffs.size === 0) return '';
  const byOptimizer = [...diffs].map(([opt, d]) => ({ opt, m: mean(d), n: d.length }));
  const numbers = `Mean |accuracy(peakNormalised) − accuracy(exact)| over the cells of each optimizer: ${byOptimizer.map((x) => `${x.opt} ${pct(x.m)} points (${plural(x.n, 'cell')})`).join('; ')}.`;
  const adam = byOptimizer.find((x) => x.opt === 'adam');
  const adamSmallest = adam !== undefined && byOptimizer.length > 1 && byOptimizer.every((x) => x === adam || adam.m < x.m);
  if (adamSmallest) {
    return (
      `- **A constant rescaling of the derivative matters least under Adam.** For sigmoid, \`peakNormalised\` is the exact derivative times 4. ${numbers} ` +
      'Adam divides each parameter\'s step by a running estimate of its gradient\'s scale, which cancels a constant factor (up to ε); ' +
      'under SGD the factor compounds over depth (4^depth on the first layer) and acts as a larger learning rate for the early layers.\n'
    );
  }
  return `- **Rescaling the derivative.** For sigmoid, \`peakNormalised\` is the exact derivative times 4. ${numbers}\n`;
}

/** "4–6 (median 4)" for the epochs trained. */
function epochRange(epochs: number[]): string {
  if (epochs.length === 0) return '—';
  const [lo, hi] = [Math.min(...epochs), Math.max(...epochs)];
  return lo === hi ? `${lo}` : `${lo}–${hi} (median ${quantile(epochs, 0.5)})`;
}

export function renderStudy(
  budget: Budget,
  plan: TrialSpec[],
  results: Map<string, TrialResult>,
  info: { date: string; machine: string; command: string; chance?: number },
): StudyReport {
  const b = BUDGET_SPECS[budget];
  const chance = info.chance ?? chanceLevel(budget);
  const atChance = chance + CHANCE_MARGIN;
  const cells = buildCells(plan, results, chance);
  const vanishing = cells.filter((c) => c.section === 'vanishing');
  const dying = cells.filter((c) => c.section === 'dying');
  const figures: Record<string, string> = {};
  const done = plan.filter((t) => results.has(t.key)).length;
  const plannedCells = new Set(plan.map((t) => t.cell)).size;
  const short = cells.filter((c) => c.seeds < c.planned).length + (plannedCells - cells.length);
  const lines: string[] = [];
  const w = (s = ''): void => void lines.push(s);

  w('# When do artificial derivatives help? The study');
  w();
  w(`_Generated by \`${info.command}\` on ${info.date} (${info.machine}) from \`study/results/${budget}-v${DESIGN_VERSION}.jsonl\`: ${done} of ${plan.length} trials. Do not edit by hand: rerun the command._`);
  w();
  if (done < plan.length) w(`> **Incomplete**: ${plural(plan.length - done, 'trial has', 'trials have')} not run yet; the tables show what has. Rerun the command to continue where it stopped.\n`);
  w('## Setup');
  w();
  w(`- Data: MNIST digits, ${b.trainSize} training, ${b.validationSize} validation and ${b.testSize} test images (disjoint, standardised), batch 64.`);
  w(`- Chance level: the most frequent class is ${pct(chance)} % of the ${b.testSize} test digits (the accuracy of a network that gives one answer whatever the input). A row is **at chance** when its mean test accuracy is below chance + ${pct(CHANCE_MARGIN)} points, i.e. ${pct(atChance)} %.`);
  w(`- Epochs (how they were chosen): every run trains until its validation accuracy has not risen by more than ${pct(b.minDelta)} points for ${b.patience} epochs in a row, at most ${b.maxEpochs} epochs; its result is the test accuracy at the epoch of best validation accuracy (early-stopping model selection; the test set decides nothing). A stalled run stops early, so the budget goes to the runs that are still learning.`);
  const allRuns = cells.flatMap((c) => c.rows.flatMap((r) => r.stops));
  const divergedRuns = allRuns.filter((x) => x === 'diverged').length;
  const divergedRows = cells.reduce((n, c) => n + c.rows.filter((r) => r.diverged > 0).length, 0);
  w(`- Diverged runs: a run whose loss or weights become non-finite stops there; that epoch scores 0 % (a diverged model classifies nothing), so the run's result is the test accuracy of its best validation epoch before, and 0 % if it diverged in its first epoch. ${divergedRuns} of ${plural(allRuns.length, 'run')} diverged (in ${plural(divergedRows, 'row')} of the tables, marked "(k diverged)").`);
  w(`- Nets: MLPs of width ${b.width}; hidden layers Linear → activation${b.dyingCnn === null ? '' : `; for dying ReLU also a CNN (conv 3×3 blocks of ${b.dyingCnn.channels.join(', ')} channels, each conv → ReLU → max-pool 2, then ${b.dyingCnn.depth} hidden Linear layer of width ${b.width})`}; learning rates ${Object.entries(LEARNING_RATES).map(([k, v]) => `${k} ${v}`).join(', ')} (momentum = SGD with momentum 0.9).`);
  w(`- Each trial is one seed of one cell; inside it every row starts from the same initial weights and sees the same batches (\`compareRules\`), so rows of one seed differ only by the rule or remedy. ${b.seeds} seeds per cell${short > 0 ? `; ${plural(short, 'cell has', 'cells have')} fewer so far (marked "n = k of ${b.seeds}")` : ''}.`);
  w(
    '- Tests: each artificial rule and each remedy against the exact derivative of the same cell, Welch\'s two-sided t-test on test accuracy over seeds, Holm-corrected within each family: the rules of a section, and the remedies of a section, are separate families. ' +
      `▲ / ▼ mark a significant gain / loss at α = ${ALPHA} (no mark: not significant, or untestable — see the list); · marks a comparison where both rows are at chance (not tested: counted apart in section 5); ≡ a rule whose derivative is the exact one (not tested). ` +
      'A comparison where both rows are constant over seeds but different has no test (zero variance) and is counted as untestable. Each section folds a list of every comparison with its difference, 95 % confidence interval, p and Holm-adjusted p.',
  );
  const winners = cells.map((c) => c.rows.reduce((a, r) => (mean(r.accuracies) > mean(a.accuracies) ? r : a)));
  const winnerStops = winners.flatMap((r) => r.stops);
  if (winnerStops.length > 0) {
    const count = (list: RowResult['stop'][], stop: RowResult['stop']): number => list.filter((x) => x === stop).length;
    const capped = winners.map((r, i) => ({ r, c: cells[i] })).filter(({ r }) => r.stops.includes('epochs'));
    const cappedWinners = count(winnerStops, 'epochs');
    w(
      `- Convergence check: of the runs of each cell's best row (${plural(winnerStops.length, 'run')}), ${count(winnerStops, 'patience')} stopped because their validation accuracy had levelled off, ${cappedWinners} reached the ${b.maxEpochs}-epoch cap${cappedWinners === 0 ? '' : ' (the stopping rule had not ended them: not necessarily still improving)'} and ${count(winnerStops, 'diverged')} diverged` +
        `${capped.length === 0 ? '' : ` (capped in ${plural(capped.length, 'cell')}: ${capped.slice(0, 6).map(({ r, c }) => `${cellName(c)}, ${r.label}`).join('; ')}${capped.length > 6 ? '; …' : ''})`}` +
        `; over all runs: ${count(allRuns, 'patience')} levelled off, ${count(allRuns, 'epochs')} reached the cap, ${count(allRuns, 'diverged')} diverged.`,
    );
    const bestEpochs = describe(winners.flatMap((r) => r.bestEpochs));
    w(`- The best rows' results were taken at epoch ${bestEpochs.mean.toFixed(1)}${Number.isFinite(bestEpochs.sd) ? ` ± ${bestEpochs.sd.toFixed(1)}` : ''} on average.`);
    // when did each kind of row stop, and did the stopping rule end runs that never left chance?
    const kinds = (['exact', 'artificial', 'remedy', 'scheduled', 'learned'] as const).filter((k) => cells.some((c) => c.rows.some((r) => r.kind === k && r.epochsRun.length > 0)));
    const perKind = kinds.map((k) => {
      const rows = cells.flatMap((c) => c.rows.filter((r) => r.kind === k));
      const all = rows.flatMap((r) => r.epochsRun);
      const chanceEpochs = rows.flatMap((r) => r.epochsRun.filter((_, i) => r.accuracies[i] < atChance));
      return `${k} rows: ${plural(all.length, 'run')} stopped at epoch ${epochRange(all)}; ${chanceEpochs.length === 0 ? 'none of them scored at chance' : `the ${plural(chanceEpochs.length, 'run')} scoring at chance (< ${pct(atChance)} %) stopped at epoch ${epochRange(chanceEpochs)}`}`;
    });
    const rowsAll = cells.flatMap((c) => c.rows);
    const stuck = rowsAll.reduce((n, r) => n + r.bestValidation.filter((v, i) => v < atChance && r.stops[i] === 'patience').length, 0);
    const stuckByKind = kinds
      .map((k) => [k, cells.flatMap((c) => c.rows.filter((r) => r.kind === k)).reduce((n, r) => n + r.bestValidation.filter((v, i) => v < atChance && r.stops[i] === 'patience').length, 0)] as const)
      .filter(([, n]) => n > 0);
    w(`- When runs stopped, by kind of row — ${perKind.join('. ')}.`);
    w(
      stuck === 0
        ? `- No run stopped on the patience rule while its validation accuracy was still within ${pct(CHANCE_MARGIN)} points of chance (best validation accuracy < ${pct(atChance)} %).`
        : `- ${stuck} of ${plural(allRuns.length, 'run')} stopped on the patience rule while their validation accuracy was still within ${pct(CHANCE_MARGIN)} points of chance (best validation accuracy < ${pct(atChance)} %, the test set's chance level + ${pct(CHANCE_MARGIN)} points` +
            `${stuckByKind.length === 0 ? '' : `; by kind: ${stuckByKind.map(([k, n]) => `${k} ${n}`).join(', ')}`}): ` +
            `such a run was stopped after ${b.patience} epochs without a rise of more than ${pct(b.minDelta)} points, so its row says "no progress within ${b.patience} epochs", not "cannot learn".`,
    );
  }
  w();

  w('## 1. Deep sigmoid and tanh MLPs (vanishing gradients)');
  w();
  for (const activation of b.activations) {
    const mine = vanishing.filter((c) => c.spec.activation === activation);
    const vacuous = [...new Set(mine.flatMap((c) => c.rows.filter((r) => r.verdict === 'vacuous').map((r) => r.label)))];
    w(`### ${activation}`);
    w();
    w(
      `Test accuracy % (mean ± sd over seeds).${vacuous.length === 0 ? '' : ` ${vacuous.map((l) => `\`${l}\``).join(', ')} ${vacuous.length === 1 ? 'is' : 'are'} ${activation}'s exact derivative (the rule's derivative equals exact at every point checked${activation === 'tanh' && vacuous.includes('peakNormalised') ? '; tanh\' already peaks at 1' : ''}): ${vacuous.length === 1 ? 'its row repeats' : 'their rows repeat'} exact, marked ≡ and left out of the tests and counts.`}`,
    );
    w();
    w(table(mine));
    w(detailsTable(mine, `of ${activation} (Holm families: the rules, and the remedies, of all of section 1)`));
    const fig = depthFigure(cells, activation);
    if (fig !== null) {
      figures[`study-${activation}-depth.svg`] = fig;
      w(`![${activation}: accuracy vs depth](study-${activation}-depth.svg)`);
      w();
    }
  }

  w('## 2. Dying ReLU');
  w();
  w('Hidden biases set to the constant that leaves the target fraction of hidden units dead (pre-activation ≤ 0 on every example of the 256-example reference batch) at the start, found by bisection per seed. "Re-initialise dead units" re-draws the incoming weights and bias of each unit dead at the start (PyTorch\'s default distribution) before training. Test accuracy %.');
  w();
  const dyingMlp = dying.filter((c) => c.spec.arch === 'mlp');
  const dyingCnn = dying.filter((c) => c.spec.arch === 'cnn');
  w('### MLPs');
  w();
  w(table(dyingMlp));
  if (b.dyingCnn !== null) {
    w('### CNN');
    w();
    w('Dead units counted per conv output (channel × position) and per hidden unit; "re-initialise dead units" re-draws a conv channel whose outputs are all ≤ 0 on the reference batch.');
    w();
    w(table(dyingCnn));
  }
  w(detailsTable(dying, 'of section 2 (Holm families: the rules, and the remedies, of this section)'));

  w('## 3. Cost');
  w();
  w(
    'Seconds per epoch of training steps of each row divided by the exact row of the same trial (same process, one after the other); the median and interquartile range over trials. ' +
      'Trials where either row diverged are left out (a diverged run\'s seconds per epoch cover a partial epoch). ' +
      'The exact row always runs first in a trial (after a warm-up of every row), so a ratio can carry an order effect (a warmer JIT, a different machine load later in the trial). ' +
      'ReLU rows are keyed by network (MLP or CNN). Remedies change the network, so their ratios measure a different model.',
  );
  w();
  w(costTable(cells));

  w('## 4. Rules learned and scheduled');
  w();
  const scheduled = cells.filter((c) => c.section === 'schedule');
  const anneal = b.schedule?.annealEpochs ?? 0;
  w(
    'Does annealing from an artificial rule into the exact derivative keep the early-training benefit and remove the late bias? Each cell trains the exact rule, an artificial rule, ' +
      `the same rule blended into exact (\`rules.blend(rule, 'exact', schedules.linear({ from: 0, to: 1, steps }))\`, λ stepped after every optimizer step over the first ${plural(anneal, 'epoch')}, the exact derivative alone after), ` +
      `and the same rule with its parameter learned (\`nn.learnable\`, trained by the same optimizer). No row of these cells stops before epoch ${anneal + b.patience} (the anneal and ${plural(b.patience, 'epoch')} of patience), ` +
      `and every row's result is the test accuracy at its best validation epoch from epoch ${anneal} on, so the annealed row's result is a network whose last steps used the exact derivative. ▲ / ▼ against exact (Holm-corrected within this section).`,
  );
  w();
  w(table(scheduled));
  w(detailsTable(scheduled, 'of section 4 (Holm family: the rows of this section)'));
  if (scheduled.length > 0) {
    w('| cell | row | accuracy after epoch 1 | result accuracy | cosine to exact at the end |');
    w('|---|---|---|---|---|');
    for (const c of scheduled) {
      for (const r of c.rows) {
        const cos = describe(r.finalCosine);
        w(`| ${c.spec.activation} ${cellTitle(c)} | ${r.label} | ${meanSdText(r.firstEpoch)} | ${meanSdText(r.accuracies)} | ${cos.n === 0 ? '—' : cos.mean.toFixed(3)} |`);
      }
    }
    w();
    for (const c of scheduled) {
      const [exact, rule, annealed] = [c.rows.find((r) => r.kind === 'exact'), c.rows.find((r) => r.kind === 'artificial'), c.rows.find((r) => r.kind === 'scheduled')];
      if (exact === undefined || rule === undefined || annealed === undefined) continue;
      const early = describe(annealed.firstEpoch).mean - describe(exact.firstEpoch).mean;
      const late = welch(annealed.accuracies, rule.accuracies);
      const cosA = describe(annealed.finalCosine).mean;
      const cosR = describe(rule.finalCosine).mean;
      w(
        `- ${c.spec.activation} ${cellTitle(c)}: after one epoch the annealed rule is ${pct(Math.abs(early))} points ${early >= 0 ? 'above' : 'below'} exact ` +
          `(the plain rule ${pct(Math.abs(describe(rule.firstEpoch).mean - describe(exact.firstEpoch).mean))} points ${describe(rule.firstEpoch).mean >= describe(exact.firstEpoch).mean ? 'above' : 'below'}); ` +
          `at the end its gradient's cosine to the exact one is ${Number.isFinite(cosA) ? cosA.toFixed(3) : '—'} against ${Number.isFinite(cosR) ? cosR.toFixed(3) : '—'} for the plain rule, ` +
          `and its final accuracy differs from the plain rule's by ${points(late.diff)} points (Welch p = ${pText(late.p)}, uncorrected).`,
      );
    }
  }
  w();

  const followUp = renderFollowUp(budget, plan, results);
  w(followUp.markdown);
  w();

  w('## 6. What the data says');
  w();
  if (done < plan.length) {
    w(`> **Preliminary.** Only ${done} of ${plan.length} trials have run: ${short} of ${plural(plannedCells, 'cell')} ${short === 1 ? 'has' : 'have'} fewer seeds than the ${b.seeds} planned (or none yet), and a comparison with fewer seeds has less power; every statement below describes the trials so far and will change as the study completes.`);
    w();
  }
  const a = countVerdicts(vanishing, 'artificial');
  const rv = countVerdicts(vanishing, 'remedy');
  const d = countVerdicts(dying, 'artificial');
  const rd = countVerdicts(dying, 'remedy');
  w(`- **Vanishing gradients** (${plural(vanishing.length, 'cell')}): artificial rules vs exact — ${verdictText(a)}. Conventional remedies vs exact — ${verdictText(rv)}.`);
  w(`- **Dying ReLU** (${plural(dying.length, 'cell')}): artificial rules vs exact — ${verdictText(d)}. Remedies vs exact — ${verdictText(rd)}.`);
  const chanceCount = a.chance + rv.chance + d.chance + rd.chance;
  w(`- **At chance**: ${plural(chanceCount, 'comparison')} of sections 1–2 ${chanceCount === 1 ? 'was one' : 'were ones'} where every row was at chance (both the row and exact below ${pct(atChance)} %); they are not tested, because a network that learned nothing under either rule says nothing about the rule.`);
  const helped = helpCells(cells);
  const beats = helped.filter((h) => h.beatsEveryRemedy);
  const notWorse = helped.filter((h) => !h.beatsEveryRemedy);
  const remedyWon = helped.filter((h) => h.remedyBetter.length > 0);
  const exactOf = (c: Cell): CellRow => c.rows.find((r) => r.kind === 'exact') as CellRow;
  if (helped.length === 0) {
    w('- **Where they help**: in no cell of sections 1–2 did an artificial rule beat the exact derivative significantly.');
  } else {
    const rescued = helped.filter((h) => mean(exactOf(h.cell).accuracies) < atChance).length;
    w(
      `- **Where they help**: ${plural(helped.length, 'cell')} — ${helped.map((h) => `${cellName(h.cell)}: ${h.best.label} ${pct(mean(h.best.accuracies))} % vs exact ${pct(mean(exactOf(h.cell).accuracies))} %`).join('; ')}. ` +
        `${rescued === 0 ? 'In all of them exact was above chance.' : `In ${rescued} of them exact was at chance (< ${pct(atChance)} %): the rule trained a network the exact derivative left at chance${rescued < helped.length ? `; in ${helped.length - rescued} exact was above chance` : ''}.`}`,
    );
    const comparisons = helped.reduce((n, h) => n + h.vsRemedies.length, 0);
    w(
      `- **Against the conventional remedies** (the best significant rule of each of those cells against every remedy of the cell: Welch, Holm over these ${plural(comparisons, 'comparison')}): ` +
        `in ${notWorse.length} of the ${plural(helped.length, 'cell')} at least one remedy was not significantly worse than the rule` +
        `${remedyWon.length === 0 ? '' : ` (in ${remedyWon.length} of them a remedy was significantly better: ${remedyWon.map((h) => `${cellName(h.cell)} — ${h.remedyBetter.map((r) => r.label).join(', ')}`).join('; ')})`}; ` +
        `in ${beats.length} the rule was significantly better than every remedy of the cell${beats.length > 0 ? ` (${beats.map((h) => `${cellName(h.cell)}: ${h.best.label}`).join('; ')})` : ''}.`,
    );
  }
  const hurt = cells.flatMap((c) => c.rows.filter((r) => r.kind === 'artificial' && r.verdict === 'worse').map((r) => `${r.label} in ${cellName(c)}`));
  w(`- **Where they hurt**: ${hurt.length === 0 ? 'nowhere significantly.' : `${plural(hurt.length, 'rule × cell pair')} — ${hurt.slice(0, 12).join('; ')}${hurt.length > 12 ? `; and ${hurt.length - 12} more` : ''}.`}`);
  const note = rescalingNote(cells);
  if (note !== '') w(note.trimEnd());
  const agreement = agreementFigure(cells);
  if (agreement !== null) {
    figures['study-agreement.svg'] = agreement.svg;
    const rho = (pts: [number, number][]): string => (Number.isFinite(spearman(pts)) ? spearman(pts).toFixed(2) : '— (no spread)');
    w(
      `- **Agreement and accuracy**: the cosine between a rule's gradient and the exact gradient is measured before training, on the 256-example reference batch (mean over weight layers and seeds). ` +
        `Spearman correlation of that cosine with the rule's final test accuracy: ${rho(agreement.toAccuracy)}; with its gain over exact in the same cell: ${rho(agreement.toGain)} (over ${plural(agreement.toAccuracy.length, 'rule × cell pair')} of sections 1–2).`,
    );
    w();
    w('![agreement vs final accuracy](study-agreement.svg)');
  }
  w();
  w('### The answer');
  w();
  const tested = a.better + a.worse + a.same + d.better + d.worse + d.same;
  const wins = a.better + d.better;
  const losses = a.worse + d.worse;
  const ruleChance = a.chance + d.chance;
  const sentences = [
    `Across ${plural(tested, 'tested comparison')} of an artificial derivative with the exact one (sections 1–2), the artificial one was significantly better ${plural(wins, 'time')} (${pct(tested === 0 ? Number.NaN : wins / tested)} %) and significantly worse ${plural(losses, 'time')}; ${plural(ruleChance, 'more comparison')} had every row at chance and ${ruleChance === 1 ? 'was' : 'were'} not tested.`,
  ];
  if (helped.length === 0) {
    sentences.push('In this budget an artificial derivative never trained a network significantly better than the exact one.');
  } else if (beats.length === 0) {
    sentences.push(
      `In every one of the ${plural(helped.length, 'cell')} where one won, at least one conventional remedy (BatchNorm, a residual connection, a non-saturating forward, or re-initialising dead units) was not significantly worse than it${remedyWon.length > 0 ? `, and in ${remedyWon.length} a remedy was significantly better` : ''}.`,
    );
  } else {
    sentences.push(
      `In ${notWorse.length} of the ${plural(helped.length, 'cell')} where one won, at least one conventional remedy was not significantly worse than it; in ${beats.length} the artificial rule was significantly better than every remedy tested.`,
    );
  }
  const { vanishing: fv, dying: fd } = followUp;
  if (fv.cells + fd.cells > 0) {
    sentences.push(
      `Re-examined with all ${b.maxEpochs} epochs and a learning rate chosen on validation for the exact derivative (section 5${followUp.complete ? '' : ', incomplete'}), ` +
        `the rule stayed significantly ahead in ${fv.survived} of the ${plural(fv.cells, 'vanishing-gradient cell')} and in ${fd.survived} of the ${plural(fd.cells, 'dying-ReLU cell')} with the largest wins.`,
    );
  }
  w(`${done < plan.length ? '_Preliminary:_ ' : ''}${sentences.join(' ')}`);
  w();
  return { markdown: `${lines.join('\n')}\n`, figures };
}
