// docs/study.md and its figures, generated from the results file: tables of mean ± sd test
// accuracy over seeds, each artificial rule and remedy tested against the exact derivative of
// the same cell (Welch's t-test, Holm-corrected per section), the cost of each rule, the
// agreement-vs-accuracy plot, and a closing section whose every sentence is computed from the data.
import { experiment } from '../src';
import type { Chart, Series } from '../src/experiment';
import { BUDGET_SPECS, DESIGN_VERSION, LEARNING_RATES, type Budget, type Section, type TrialSpec } from './plan';
import type { RowResult, TrialResult } from './trial';
import { describe, holm, welch } from './stats';

const { chartSvg, panelsSvg } = experiment;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const ALPHA = 0.05;

export interface StudyReport {
  markdown: string;
  /** File name (relative to the markdown's folder) → SVG text. */
  figures: Record<string, string>;
}

/** One row of one cell over its seeds. */
interface CellRow {
  label: string;
  kind: RowResult['kind'];
  accuracies: number[];
  /** The same seeds' exact accuracies, for the test. */
  vsExact: ReturnType<typeof welch> | null;
  adjustedP: number;
  costRatios: number[];
  initialCosine: number[];
  initialDead: number[];
  diverged: number;
  /** How each seed's run stopped, and the epoch its result was taken at. */
  stops: RowResult['stop'][];
  bestEpochs: number[];
  /** Test accuracy after the first epoch, and the mean cosine to the exact gradient after the last. */
  firstEpoch: number[];
  finalCosine: number[];
}

interface Cell {
  key: string;
  section: Section;
  spec: TrialSpec;
  seeds: number;
  rows: CellRow[];
}

const pct = (v: number): string => (Number.isFinite(v) ? (100 * v).toFixed(1) : '—');

function meanSdText(values: number[]): string {
  const d = describe(values);
  if (d.n === 0) return '—';
  return d.n < 2 ? pct(d.mean) : `${pct(d.mean)} ± ${pct(d.sd)}`;
}

/** Group the results by cell, test every non-exact row against the cell's exact row, Holm per section. */
function buildCells(plan: TrialSpec[], results: Map<string, TrialResult>): Cell[] {
  const cells = new Map<string, Cell>();
  for (const spec of plan) {
    const result = results.get(spec.key);
    if (result === undefined) continue;
    let cell = cells.get(spec.cell);
    if (cell === undefined) {
      cell = {
        key: spec.cell, section: spec.section, spec, seeds: 0,
        rows: spec.rows.map((r) => ({
          label: r.label, kind: r.kind, accuracies: [], vsExact: null, adjustedP: Number.NaN, costRatios: [],
          initialCosine: [], initialDead: [], diverged: 0, stops: [], bestEpochs: [], firstEpoch: [], finalCosine: [],
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
      row.bestEpochs.push(r.bestEpoch);
      if (r.diverged) row.diverged++;
      if (exact.secondsPerEpoch > 0) row.costRatios.push(r.secondsPerEpoch / exact.secondsPerEpoch);
      if (r.initialCosine !== null) row.initialCosine.push(r.initialCosine);
      if (r.initialDead !== null) row.initialDead.push(r.initialDead);
      if (r.accuracy.length >= 1) row.firstEpoch.push(r.accuracy[0]);
      if (r.finalCosine !== null) row.finalCosine.push(r.finalCosine);
    });
  }
  const list = [...cells.values()];
  for (const section of ['vanishing', 'dying', 'schedule'] as const) {
    const tested: CellRow[] = [];
    for (const cell of list.filter((c) => c.section === section)) {
      const exact = cell.rows.find((r) => r.kind === 'exact') as CellRow;
      for (const row of cell.rows) {
        if (row.kind === 'exact') continue;
        row.vsExact = welch(row.accuracies, exact.accuracies);
        tested.push(row);
      }
    }
    const adjusted = holm(tested.map((r) => r.vsExact?.p ?? Number.NaN));
    tested.forEach((r, i) => (r.adjustedP = adjusted[i]));
  }
  return list;
}

type Verdict = 'better' | 'worse' | 'same' | 'untested';

function verdict(row: CellRow): Verdict {
  if (row.vsExact === null || !Number.isFinite(row.adjustedP)) return 'untested';
  if (row.adjustedP >= ALPHA) return 'same';
  return row.vsExact.diff > 0 ? 'better' : 'worse';
}

const MARK: Record<Verdict, string> = { better: ' ▲', worse: ' ▼', same: '', untested: '' };

function cellTitle(cell: Cell): string {
  const s = cell.spec;
  if (s.section === 'dying') {
    const dead = describe(cell.rows[0].initialDead).mean;
    const target = s.targetDead === null ? 'default biases' : `target ${pct(s.targetDead)} %`;
    const net = s.arch === 'cnn' ? `CNN (conv ${(s.channels ?? []).join('→')}, ${s.depth} hidden)` : `depth ${s.depth}`;
    return `${net}, ${s.optimizer}, ${target} (measured ${pct(dead)} % dead)`;
  }
  const init = s.init === 'default' ? 'PyTorch default' : s.initGain === 1 ? 'Glorot' : `Glorot gain ${s.initGain}`;
  return `depth ${s.depth}, ${s.optimizer} (lr ${s.lr}), ${init}`;
}

function table(cells: Cell[]): string {
  if (cells.length === 0) return '_No trials of this section have run yet._\n';
  const labels = cells[0].rows.map((r) => r.label);
  const head = `| cell | ${labels.join(' | ')} |\n|---|${labels.map(() => '---').join('|')}|\n`;
  const body = cells
    .map((c) => `| ${cellTitle(c)} | ${c.rows.map((r) => `${meanSdText(r.accuracies)}${MARK[verdict(r)]}${r.diverged > 0 ? ` (${r.diverged} diverged)` : ''}`).join(' | ')} |`)
    .join('\n');
  return `${head}${body}\n`;
}

/** Test accuracy against depth, one line per row, one panel per optimizer × initialisation. */
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
  const charts: Chart[] = [...panels].map(([title, group]) => ({
    title,
    xLabel: 'hidden layers',
    yLabel: 'test accuracy %',
    yRange: [0, 100],
    integerX: true,
    series: labels.map((label, i) => ({
      label,
      color: COLORS[i % COLORS.length],
      markers: true,
      points: group
        .map((c) => [c.spec.depth, 100 * describe(c.rows[i].accuracies).mean] as const)
        .sort((a, b) => a[0] - b[0]),
    })),
  }));
  return panelsSvg(`${activation} MLPs: mean test accuracy over seeds`, charts, { columns: 3, legend });
}

/** Each artificial row of each cell: mean cosine to the exact gradient at the start vs its accuracy gain over exact. */
function agreementFigure(cells: Cell[]): { svg: string; points: [number, number][] } | null {
  const points: [number, number][] = [];
  for (const c of cells) {
    const exact = describe((c.rows.find((r) => r.kind === 'exact') as CellRow).accuracies).mean;
    for (const r of c.rows) {
      if (r.kind !== 'artificial' || r.initialCosine.length === 0) continue;
      points.push([describe(r.initialCosine).mean, 100 * (describe(r.accuracies).mean - exact)]);
    }
  }
  if (points.length === 0) return null;
  const chart: Chart = {
    title: 'Agreement with the exact gradient vs gain in accuracy (one dot per rule and cell)',
    xLabel: 'mean cosine to the exact gradient before training',
    yLabel: 'accuracy − exact (points)',
    series: [{ label: 'rule × cell', color: COLORS[0], markers: true, width: 0, points }],
    legend: false,
  };
  return { svg: chartSvg(chart), points };
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
  const byLabel = new Map<string, number[]>();
  for (const c of cells) for (const r of c.rows) if (r.kind !== 'exact') byLabel.set(`${c.spec.activation}: ${r.label}`, [...(byLabel.get(`${c.spec.activation}: ${r.label}`) ?? []), ...r.costRatios]);
  if (byLabel.size === 0) return '_No trials yet._\n';
  const median = (v: number[]): number => {
    const s = [...v].sort((a, b) => a - b);
    return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const rows = [...byLabel].map(([label, ratios]) => `| ${label} | ${median(ratios).toFixed(3)} | ${ratios.length} |`);
  return `| row | median step-time ratio to exact | runs |\n|---|---|---|\n${rows.join('\n')}\n`;
}

function countVerdicts(cells: Cell[], kind: 'artificial' | 'remedy'): Record<Verdict, number> {
  const out: Record<Verdict, number> = { better: 0, worse: 0, same: 0, untested: 0 };
  for (const c of cells) for (const r of c.rows) if (r.kind === kind) out[verdict(r)]++;
  return out;
}

/** The cells where some artificial rule beat exact significantly, with the best rule and the best remedy. */
function helpCells(cells: Cell[]): { cell: Cell; best: CellRow; remedy: CellRow | null; remedyAtLeastAsGood: boolean }[] {
  const out = [];
  for (const c of cells) {
    const winners = c.rows.filter((r) => r.kind === 'artificial' && verdict(r) === 'better');
    if (winners.length === 0) continue;
    const best = winners.reduce((a, b) => (describe(b.accuracies).mean > describe(a.accuracies).mean ? b : a));
    const remedies = c.rows.filter((r) => r.kind === 'remedy');
    const remedy = remedies.length === 0 ? null : remedies.reduce((a, b) => (describe(b.accuracies).mean > describe(a.accuracies).mean ? b : a));
    // the remedy is "at least as good" unless the best rule beats it significantly (uncorrected: the lenient reading for the rule)
    const remedyAtLeastAsGood = remedy !== null && !(welch(best.accuracies, remedy.accuracies).p < ALPHA && describe(best.accuracies).mean > describe(remedy.accuracies).mean);
    out.push({ cell: c, best, remedy, remedyAtLeastAsGood });
  }
  return out;
}

function rescalingNote(cells: Cell[]): string {
  // peakNormalised multiplies the exact derivative by a constant (4 for sigmoid, 1 for tanh's
  // peak already 1), so under Adam, which divides each parameter's step by its gradient's scale,
  // it should be indistinguishable from exact; under SGD it changes the effective learning rate.
  const diffs: Record<string, number[]> = {};
  for (const c of cells) {
    if (c.section !== 'vanishing' || c.spec.activation !== 'sigmoid') continue;
    const exact = c.rows.find((r) => r.kind === 'exact') as CellRow;
    const peak = c.rows.find((r) => r.label === 'peakNormalised');
    if (peak === undefined) continue;
    const d = Math.abs(describe(peak.accuracies).mean - describe(exact.accuracies).mean);
    (diffs[c.spec.optimizer] ??= []).push(d);
  }
  const parts = Object.entries(diffs).map(([opt, d]) => `${opt}: ${pct(describe(d).mean)} points`);
  if (parts.length === 0) return '';
  return (
    `- **A constant rescaling is undone by Adam.** For sigmoid, \`peakNormalised\` is the exact derivative times 4. ` +
    `Mean |accuracy(peakNormalised) − accuracy(exact)| per optimizer over all cells — ${parts.join('; ')}. ` +
    'Adam divides each parameter\'s step by a running estimate of its gradient\'s scale, so a constant factor on every derivative cancels (up to ε); ' +
    'under SGD the same factor compounds over depth (4^depth on the first layer) and acts as a much larger learning rate for the early layers.\n'
  );
}

export function renderStudy(budget: Budget, plan: TrialSpec[], results: Map<string, TrialResult>, info: { date: string; machine: string; command: string }): StudyReport {
  const b = BUDGET_SPECS[budget];
  const cells = buildCells(plan, results);
  const vanishing = cells.filter((c) => c.section === 'vanishing');
  const dying = cells.filter((c) => c.section === 'dying');
  const figures: Record<string, string> = {};
  const done = plan.filter((t) => results.has(t.key)).length;
  const lines: string[] = [];
  const w = (s = ''): void => void lines.push(s);

  w('# When do artificial derivatives help? The study');
  w();
  w(`_Generated by \`${info.command}\` on ${info.date} (${info.machine}) from \`study/results/${budget}-v${DESIGN_VERSION}.jsonl\`: ${done} of ${plan.length} trials. Do not edit by hand: rerun the command._`);
  w();
  if (done < plan.length) w(`> **Incomplete**: ${plan.length - done} trials have not run yet; the tables show what has. Rerun the command to continue where it stopped.\n`);
  w('## Setup');
  w();
  w(`- Data: MNIST digits, ${b.trainSize} training, ${b.validationSize} validation and ${b.testSize} test images (disjoint, standardised), batch 64.`);
  w(`- Epochs (how they were chosen): every run trains until its validation accuracy has not risen by more than ${pct(b.minDelta)} points for ${b.patience} epochs in a row, at most ${b.maxEpochs} epochs; its result is the test accuracy at the epoch of best validation accuracy (early-stopping model selection; the test set decides nothing). A stalled run stops early, so the budget goes to the runs that are still learning.`);
  w(`- Nets: MLPs of width ${b.width}; hidden layers Linear → activation${b.dyingCnn === null ? '' : `; for dying ReLU also a CNN (conv 3×3 blocks of ${b.dyingCnn.channels.join(', ')} channels, each conv → ReLU → max-pool 2, then ${b.dyingCnn.depth} hidden Linear layer of width ${b.width})`}; learning rates ${Object.entries(LEARNING_RATES).map(([k, v]) => `${k} ${v}`).join(', ')} (momentum = SGD with momentum 0.9).`);
  w(`- Each trial is one seed of one cell; inside it every row starts from the same initial weights and sees the same batches (\`compareRules\`), so rows of one seed differ only by the rule or remedy. ${b.seeds} seeds per cell.`);
  w('- Test: each artificial rule and each remedy against the exact derivative of the same cell, Welch\'s two-sided t-test on test accuracy over seeds, Holm-corrected over all comparisons of the section; ▲ / ▼ mark a significant gain / loss at α = 0.05.');
  const winners = cells.map((c) => c.rows.reduce((a, r) => (describe(r.accuracies).mean > describe(a.accuracies).mean ? r : a)));
  const winnerStops = winners.flatMap((r) => r.stops);
  const allStops = cells.flatMap((c) => c.rows.flatMap((r) => r.stops));
  if (winnerStops.length > 0) {
    const count = (list: RowResult['stop'][], stop: RowResult['stop']): number => list.filter((x) => x === stop).length;
    const capped = winners.map((r, i) => ({ r, c: cells[i] })).filter(({ r }) => r.stops.includes('epochs'));
    w(
      `- Convergence check: of the runs of each cell's best row (${winnerStops.length} runs), ${count(winnerStops, 'patience')} stopped because their validation accuracy had levelled off and ${count(winnerStops, 'epochs')} reached the ${b.maxEpochs}-epoch cap still improving` +
        `${capped.length === 0 ? '' : ` (in ${capped.length} cells: ${capped.slice(0, 6).map(({ r, c }) => `${c.spec.section === 'dying' ? 'ReLU' : c.spec.activation} ${cellTitle(c)}, ${r.label}`).join('; ')}${capped.length > 6 ? '; …' : ''})`}` +
        `; over all runs: ${count(allStops, 'patience')} levelled off, ${count(allStops, 'epochs')} capped, ${count(allStops, 'diverged')} diverged. ` +
        `${count(winnerStops, 'epochs') <= winnerStops.length / 10 ? 'The winners had converged by this rule.' : 'Many winners were still improving at the cap: read their rows as "after this budget".'}`,
    );
    const bestEpochs = describe(winners.flatMap((r) => r.bestEpochs));
    w(`- The best rows' results were taken at epoch ${bestEpochs.mean.toFixed(1)} ± ${bestEpochs.sd.toFixed(1)} on average.`);
  }
  w();

  w('## 1. Deep sigmoid and tanh MLPs (vanishing gradients)');
  w();
  for (const activation of b.activations) {
    w(`### ${activation}`);
    w();
    w('Test accuracy % (mean ± sd over seeds).');
    w();
    w(table(vanishing.filter((c) => c.spec.activation === activation)));
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

  w('## 3. Cost');
  w();
  w('Seconds per epoch of training steps of each row divided by the exact row of the same trial (same process, one after the other); the median over trials. Remedies change the network, so their ratios measure a different model.');
  w();
  w(costTable(cells));

  w('## 4. Rules learned and scheduled');
  w();
  const scheduled = cells.filter((c) => c.section === 'schedule');
  w('Does annealing from an artificial rule into the exact derivative keep the early-training benefit and remove the late bias? Each cell trains the exact rule, an artificial rule, the same rule blended into exact (`rules.blend(rule, \'exact\', schedules.linear({ from: 0, to: 1, steps }))`, λ stepped after every optimizer step over the first half of the epoch cap, exact after; no row of these cells may stop before then), and the same rule with its parameter learned (`nn.learnable`, trained by the same optimizer). Test accuracy % at the best validation epoch; ▲ / ▼ against exact (Holm-corrected within this section).');
  w();
  w(table(scheduled));
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
          `and its final accuracy differs from the plain rule's by ${pct(late.diff)} points (Welch p = ${Number.isFinite(late.p) ? late.p.toFixed(3) : '—'}, uncorrected).`,
      );
    }
  }
  w();

  w('## 5. What the data says');
  w();
  if (done < plan.length) {
    w(`> **Preliminary.** Only ${done} of ${plan.length} trials have run, so many cells have fewer seeds than planned and cannot reach significance yet; every statement below describes the trials so far and will change as the study completes.`);
    w();
  }
  const a = countVerdicts(vanishing, 'artificial');
  const rv = countVerdicts(vanishing, 'remedy');
  const d = countVerdicts(dying, 'artificial');
  const rd = countVerdicts(dying, 'remedy');
  w(`- **Vanishing gradients** (${vanishing.length} cells): artificial rules vs exact — ${a.better} significantly better, ${a.worse} significantly worse, ${a.same} no significant difference${a.untested > 0 ? `, ${a.untested} untestable (too few seeds)` : ''}. Conventional remedies vs exact — ${rv.better} better, ${rv.worse} worse, ${rv.same} no difference.`);
  w(`- **Dying ReLU** (${dying.length} cells): artificial rules vs exact — ${d.better} better, ${d.worse} worse, ${d.same} no difference. Remedies — ${rd.better} better, ${rd.worse} worse, ${rd.same} no difference.`);
  const helped = helpCells(cells);
  if (helped.length === 0) {
    w('- **Where they help**: in no cell did an artificial rule beat the exact derivative significantly.');
  } else {
    const beaten = helped.filter((h) => !h.remedyAtLeastAsGood);
    w(`- **Where they help**: ${helped.length} cells — ${helped.map((h) => `${h.cell.spec.section === 'dying' ? 'ReLU' : h.cell.spec.activation} ${cellTitle(h.cell)}: ${h.best.label} ${pct(describe(h.best.accuracies).mean)} % vs exact ${pct(describe((h.cell.rows.find((r) => r.kind === 'exact') as CellRow).accuracies).mean)} %`).join('; ')}.`);
    w(`- **Against the conventional remedies**: in ${helped.length - beaten.length} of those ${helped.length} cells the best remedy (${[...new Set(helped.map((h) => h.remedy?.label).filter((x): x is string => x !== undefined))].join(', ')}) did at least as well as the best artificial rule; in ${beaten.length} the rule was significantly better than every remedy${beaten.length > 0 ? ` (${beaten.map((h) => `${h.cell.spec.section === 'dying' ? 'ReLU' : h.cell.spec.activation} ${cellTitle(h.cell)}`).join('; ')})` : ''}.`);
  }
  const hurt = cells.flatMap((c) => c.rows.filter((r) => r.kind === 'artificial' && verdict(r) === 'worse').map((r) => `${r.label} in ${c.spec.section === 'dying' ? 'ReLU' : c.spec.activation} ${cellTitle(c)}`));
  w(`- **Where they hurt**: ${hurt.length === 0 ? 'nowhere significantly.' : `${hurt.length} rule × cell pairs — ${hurt.slice(0, 12).join('; ')}${hurt.length > 12 ? `; and ${hurt.length - 12} more` : ''}.`}`);
  const note = rescalingNote(cells);
  if (note !== '') w(note.trimEnd());
  const agreement = agreementFigure(cells);
  if (agreement !== null) {
    figures['study-agreement.svg'] = agreement.svg;
    w(`- **Agreement and benefit**: Spearman correlation between a rule's mean cosine to the exact gradient (before training) and its accuracy gain over exact: ${spearman(agreement.points).toFixed(2)} over ${agreement.points.length} rule × cell pairs.`);
    w();
    w('![agreement vs gain](study-agreement.svg)');
  }
  w();
  w('### The answer');
  w();
  const total = a.better + a.worse + a.same + d.better + d.worse + d.same;
  const wins = a.better + d.better;
  const remedyWins = helped.filter((h) => h.remedyAtLeastAsGood).length;
  const sentences = [
    `Across ${total} tested comparisons an artificial derivative beat the exact one ${wins} times (${pct(total === 0 ? Number.NaN : wins / total)} %) and lost ${a.worse + d.worse} times.`,
  ];
  if (helped.length === 0) {
    sentences.push('In this budget an artificial derivative never trained a network significantly better than the exact one.');
  } else if (remedyWins === helped.length) {
    sentences.push(
      `In every one of the ${helped.length} cells where one won, a conventional remedy (BatchNorm, a residual connection, or a non-saturating forward) did at least as well:`,
      'artificial derivatives rescue badly set-up networks, but the standard remedies rescue the same networks without biasing the gradient — which is the measured reason they are not used more.',
    );
  } else {
    sentences.push(
      `In ${remedyWins} of the ${helped.length} cells where one won, a conventional remedy did at least as well; in ${helped.length - remedyWins} the artificial rule beat every remedy tested,`,
      'so there it is a real option, not only a substitute for a standard fix.',
    );
  }
  w(`${done < plan.length ? '_Preliminary:_ ' : ''}${sentences.join(' ')}`);
  w();
  return { markdown: `${lines.join('\n')}\n`, figures };
}
