// Stage 2 of the study: a referee's two questions to every win of an artificial rule.
//
// 1. Was the exact derivative only stopped too early? Early stopping ends a run whose validation
//    accuracy has not risen for `patience` epochs, and a run sitting at chance can still escape
//    its plateau later.
// 2. Was it trained at a learning rate that suits the rule but not it? Stage 1 uses one rate per
//    optimizer, and a rule that scales the derivative acts like a larger rate.
//
// For the stage-1 cells where the best artificial rule's mean test accuracy beats the exact
// derivative's by at least `minGain` points (the `perSection` largest gains of vanishing gradients
// and as many of dying ReLU: the largest gains of all are all dying-ReLU cells), the exact derivative and that rule are trained again for the whole epoch cap with no
// early stopping, at the cell's learning rate times each factor of LR_FACTORS. Each row's rate is
// then chosen on validation accuracy (the mean over seeds of its best validation epoch), and the
// two rows are compared on test accuracy at their chosen rates. The stage's cells depend on
// stage 1's results, so it is planned only once stage 1 is complete; it is as deterministic as they are.
import { BUDGET_SPECS, type Budget, type RowSpec, type TrialSpec } from './plan';
import type { RowResult, TrialResult } from './trial';
import { describe, holm, welch } from './stats';
import { meanSdText, pct, plural } from './format';

/** The learning-rate factors each row of a follow-up cell is trained at (× the stage-1 cell's rate). */
export const LR_FACTORS = [1, 3, 10] as const;

/** Which stage-1 cells get a follow-up: a gain of at least `minGain` (a fraction: 0.1 = 10 points), at most `perSection` of section 1 and as many of section 2. */
export const FOLLOW_UP: Record<Budget, { minGain: number; perSection: number }> = {
  tiny: { minGain: -Infinity, perSection: 1 },
  small: { minGain: 0.05, perSection: 2 },
  full: { minGain: 0.1, perSection: 3 },
};

/** A stage-1 cell the follow-up re-examines: its first seed's spec, and the rule that won there. */
export interface FollowUpCell {
  cell: string;
  spec: TrialSpec;
  rule: RowSpec;
  /** Mean test accuracy of the rule and of exact in stage 1 (fractions). */
  ruleAccuracy: number;
  exactAccuracy: number;
}

const meanOf = (values: number[]): number => describe(values).mean;

/**
 * The stage-1 cells to follow up: section 1's, then section 2's, largest gain first in each (ties by
 * cell key), or null when some trial of `stage1` has no result yet (the choice is made on complete data only).
 */
export function followUpCells(budget: Budget, stage1: TrialSpec[], results: Map<string, TrialResult>): FollowUpCell[] | null {
  if (stage1.some((t) => !results.has(t.key))) return null;
  const { minGain, perSection } = FOLLOW_UP[budget];
  const byCell = new Map<string, TrialSpec[]>();
  for (const t of stage1) {
    if (t.section !== 'vanishing' && t.section !== 'dying') continue;
    byCell.set(t.cell, [...(byCell.get(t.cell) ?? []), t]);
  }
  const candidates: (FollowUpCell & { gain: number })[] = [];
  for (const [cell, trials] of byCell) {
    const rowsOf = (label: string): number[] => trials.map((t) => (results.get(t.key) as TrialResult).rows.find((r) => r.label === label)?.finalAccuracy ?? Number.NaN);
    const spec = trials[0];
    const exact = spec.rows.find((r) => r.kind === 'exact');
    if (exact === undefined) continue;
    const exactAccuracy = meanOf(rowsOf(exact.label));
    let best: { row: RowSpec; accuracy: number } | null = null;
    for (const row of spec.rows.filter((r) => r.kind === 'artificial')) {
      const accuracy = meanOf(rowsOf(row.label));
      if (best === null || accuracy > best.accuracy) best = { row, accuracy };
    }
    if (best === null || !(best.accuracy - exactAccuracy >= minGain)) continue;
    candidates.push({ cell, spec, rule: best.row, ruleAccuracy: best.accuracy, exactAccuracy, gain: best.accuracy - exactAccuracy });
  }
  candidates.sort((a, b) => b.gain - a.gain || (a.cell < b.cell ? -1 : 1));
  const top = (section: TrialSpec['section']): FollowUpCell[] =>
    candidates.filter((c) => c.spec.section === section).slice(0, perSection).map(({ gain: _gain, ...c }) => c);
  return [...top('vanishing'), ...top('dying')];
}

/** The follow-up cell key of a stage-1 cell at a learning-rate factor. */
export function followUpCellKey(cell: string, factor: number): string {
  return `followup/${cell}/lr-x${factor}`;
}

/**
 * The follow-up trials (seed-major, like stage 1), or null while stage 1 is incomplete. Each trial
 * is one seed of one (cell, factor): rows exact and the cell's winning rule, the whole epoch cap,
 * no early stopping (patience = minEpochs = the cap), result = the best validation epoch's test accuracy.
 */
export function planFollowUp(budget: Budget, stage1: TrialSpec[], results: Map<string, TrialResult>): TrialSpec[] | null {
  const cells = followUpCells(budget, stage1, results);
  if (cells === null) return null;
  const seeds = Array.from({ length: BUDGET_SPECS[budget].seeds }, (_, i) => i + 1);
  const trials: TrialSpec[] = [];
  for (const seed of seeds) {
    for (const c of cells) {
      for (const factor of LR_FACTORS) {
        const cell = followUpCellKey(c.cell, factor);
        const { annealEpochs: _a, selectFrom: _s, ...base } = c.spec;
        trials.push({
          ...base,
          key: `${cell}/seed${seed}`,
          section: 'followup',
          cell,
          seed,
          lr: c.spec.lr * factor,
          patience: c.spec.maxEpochs,
          minEpochs: c.spec.maxEpochs,
          rows: [{ label: 'exact', backward: 'exact', kind: 'exact' }, c.rule],
          followUpOf: c.cell,
          lrFactor: factor,
        });
      }
    }
  }
  return trials;
}

/** One row of a follow-up cell at its validation-chosen learning rate. */
export interface TunedRow {
  label: string;
  /** The chosen factor, and the mean best-validation accuracy at each factor that has results. */
  factor: number;
  validationByFactor: Map<number, number>;
  /** Test accuracies at the chosen factor, one per seed. */
  accuracies: number[];
}

export interface FollowUpOutcome {
  cell: FollowUpCell;
  exact: TunedRow;
  rule: TunedRow;
  /** Test accuracy of exact at factor 1 over the whole cap (no early stopping), per seed. */
  exactFullCap: number[];
  /** Stage-1 test accuracies (early-stopped) of exact and the rule, per seed. */
  stage1Exact: number[];
  stage1Rule: number[];
  test: ReturnType<typeof welch>;
  adjustedP: number;
}

function tuned(label: string, trialsByFactor: Map<number, TrialResult[]>): TunedRow | null {
  const validationByFactor = new Map<number, number>();
  let best: { factor: number; score: number } | null = null;
  for (const factor of LR_FACTORS) {
    const trials = trialsByFactor.get(factor) ?? [];
    if (trials.length === 0) continue;
    const rows = trials.map((t) => t.rows.find((r) => r.label === label)).filter((r): r is RowResult => r !== undefined);
    // the validation accuracy at each run's best epoch (0 for a diverged run: it classifies nothing)
    const score = meanOf(rows.map((r) => (r.diverged ? 0 : (r.validationAccuracy[r.bestEpoch - 1] ?? 0))));
    validationByFactor.set(factor, score);
    if (best === null || score > best.score) best = { factor, score };
  }
  if (best === null) return null;
  const chosen = (trialsByFactor.get(best.factor) ?? []).map((t) => t.rows.find((r) => r.label === label)?.finalAccuracy ?? Number.NaN);
  return { label, factor: best.factor, validationByFactor, accuracies: chosen };
}

/** The follow-up's outcome per cell (cells with no follow-up results yet are left out), Holm-corrected over cells. */
export function followUpOutcomes(budget: Budget, stage1: TrialSpec[], stage2: TrialSpec[], results: Map<string, TrialResult>): FollowUpOutcome[] {
  const cells = followUpCells(budget, stage1, results) ?? [];
  const outcomes: Omit<FollowUpOutcome, 'adjustedP'>[] = [];
  for (const c of cells) {
    const byFactor = new Map<number, TrialResult[]>();
    for (const factor of LR_FACTORS) {
      const key = followUpCellKey(c.cell, factor);
      byFactor.set(factor, stage2.filter((t) => t.cell === key && results.has(t.key)).map((t) => results.get(t.key) as TrialResult));
    }
    const exact = tuned('exact', byFactor);
    const rule = tuned(c.rule.label, byFactor);
    if (exact === null || rule === null) continue;
    const stage1Trials = stage1.filter((t) => t.cell === c.cell).map((t) => results.get(t.key) as TrialResult);
    outcomes.push({
      cell: c,
      exact,
      rule,
      exactFullCap: (byFactor.get(1) ?? []).map((t) => t.rows[0].finalAccuracy),
      stage1Exact: stage1Trials.map((t) => t.rows.find((r) => r.kind === 'exact')?.finalAccuracy ?? Number.NaN),
      stage1Rule: stage1Trials.map((t) => t.rows.find((r) => r.label === c.rule.label)?.finalAccuracy ?? Number.NaN),
      test: welch(rule.accuracies, exact.accuracies),
    });
  }
  const adjusted = holm(outcomes.map((o) => o.test.p));
  return outcomes.map((o, i) => ({ ...o, adjustedP: adjusted[i] }));
}


/** A stage-1 cell's name for a reader: "sigmoid depth 10, sgd (lr 0.1), Glorot gain 4". */
function cellName(spec: TrialSpec): string {
  const init = spec.initGain === 4 ? 'Glorot gain 4' : spec.init === 'xavier' ? 'Glorot' : 'PyTorch default';
  const net = spec.arch === 'cnn' ? `CNN (${(spec.channels ?? []).join('-')} channels)` : `depth ${spec.depth}`;
  const dead = spec.targetDead === null ? (spec.section === 'dying' ? ', default biases' : '') : `, ${Math.round(spec.targetDead * 100)} % dead`;
  return `${spec.activation} ${net}, ${spec.optimizer} (lr ${spec.lr}), ${init}${dead}`;
}

/**
 * Section 6 of docs/study.md: the follow-up's table and its computed conclusion, or a line saying
 * it has not run (stage 1 incomplete) or is incomplete.
 */
export interface FollowUpSummary {
  markdown: string;
  /** Per section of stage 1: how many cells were followed up, and in how many the rule stayed significantly ahead of the tuned exact derivative. */
  vanishing: { cells: number; survived: number };
  dying: { cells: number; survived: number };
  complete: boolean;
}

export function renderFollowUp(budget: Budget, stage1: TrialSpec[], results: Map<string, TrialResult>, alpha = 0.05): FollowUpSummary {
  const lines: string[] = [];
  const w = (s = ''): void => void lines.push(s);
  const { minGain, perSection } = FOLLOW_UP[budget];
  const cap = BUDGET_SPECS[budget].maxEpochs;
  w('## 5. Do the wins survive a longer run and a tuned learning rate for exact?');
  w();
  const stage2 = planFollowUp(budget, stage1, results);
  if (stage2 === null) {
    w('_Not run yet: this stage is planned from the complete results of sections 1–2. Rerun the command when they are complete._');
    return { markdown: lines.join('\n'), vanishing: { cells: 0, survived: 0 }, dying: { cells: 0, survived: 0 }, complete: false };
  }
  const gainText = Number.isFinite(minGain) ? `beat exact by at least ${pct(minGain)} points` : 'beat exact by the most';
  w(
    `Early stopping ends a run that has not improved for ${BUDGET_SPECS[budget].patience} epochs, and a run at chance can escape its plateau later; ` +
      `one learning rate per optimizer may suit a rule and not the exact derivative. So for each cell of sections 1–2 where the best artificial rule ${gainText} ` +
      `(the ${perSection === 1 ? 'largest gain' : `${perSection} largest gains`} of each of the two sections), exact and that rule were trained again for all ${cap} epochs with no early stopping, ` +
      `at the cell's learning rate × ${LR_FACTORS.join(', ')}. Each row's rate is chosen on validation accuracy (mean over seeds of its best validation epoch), ` +
      'and its result is the test accuracy at its best validation epoch at that rate. "Rule vs tuned exact" is Welch\'s test over seeds, Holm-corrected over the cells of this section.',
  );
  w();
  const done = stage2.filter((t) => results.has(t.key)).length;
  if (done < stage2.length) w(`> **Incomplete**: ${done} of ${stage2.length} follow-up trials have run; the table shows what has.`);
  w();
  const outcomes = followUpOutcomes(budget, stage1, stage2, results);
  if (outcomes.length === 0) {
    w(stage2.length === 0 ? '_No cell qualified: no artificial rule won by that margin._' : '_No follow-up results yet._');
    return { markdown: lines.join('\n'), vanishing: { cells: 0, survived: 0 }, dying: { cells: 0, survived: 0 }, complete: done === stage2.length };
  }
  w(`| cell | rule | stage 1: exact / rule (early-stopped) | exact, all ${cap} epochs at lr × 1 | exact, tuned (lr ×) | rule, tuned (lr ×) | rule − tuned exact | Holm p |`);
  w('|---|---|---|---|---|---|---|---|');
  let survived = 0;
  const bySection = { vanishing: { cells: 0, survived: 0 }, dying: { cells: 0, survived: 0 } };
  for (const o of outcomes) {
    const significant = o.adjustedP < alpha;
    const win = significant && o.test.diff > 0;
    const section = bySection[o.cell.spec.section === 'dying' ? 'dying' : 'vanishing'];
    section.cells++;
    if (win) {
      survived++;
      section.survived++;
    }
    const mark = significant ? (o.test.diff > 0 ? ' ▲' : ' ▼') : '';
    w(
      `| ${cellName(o.cell.spec)} | ${o.cell.rule.label} | ${pct(meanOf(o.stage1Exact))} / ${pct(meanOf(o.stage1Rule))} | ${meanSdText(o.exactFullCap)} | ` +
        `${meanSdText(o.exact.accuracies)} (×${o.exact.factor}) | ${meanSdText(o.rule.accuracies)} (×${o.rule.factor}) | ${(100 * o.test.diff).toFixed(1)}${mark} | ${Number.isFinite(o.adjustedP) ? o.adjustedP.toPrecision(2) : '—'} |`,
    );
  }
  w();
  const n = outcomes.length;
  const longer = outcomes.filter((o) => meanOf(o.exactFullCap) - meanOf(o.stage1Exact) >= 0.05).length;
  const tunedHelps = outcomes.filter((o) => o.exact.factor !== 1).length;
  w(
    `- Of ${plural(n, 'cell', 'cells')}, the rule stayed significantly ahead of the tuned, fully trained exact derivative in ${survived}; ` +
      `in ${n - survived} the difference was not significant or reversed.`,
  );
  w(
    `- Training exact for all ${cap} epochs at the same rate raised its mean by at least 5 points over the early-stopped stage-1 result in ${plural(longer, 'cell', 'cells')} of ${n}; ` +
      `validation chose a larger rate than stage 1's for exact in ${plural(tunedHelps, 'cell', 'cells')} of ${n}.`,
  );
  const edge = outcomes.filter((o) => o.exact.factor === Math.max(...LR_FACTORS)).length;
  if (edge > 0) {
    w(
      `- For exact, validation chose the grid's largest rate (× ${Math.max(...LR_FACTORS)}) in ${plural(edge, 'cell', 'cells')} of ${n}: a still larger rate might serve it better there, ` +
        'so a win of the rule in such a cell is an upper bound on what the rule adds over a tuned exact derivative.',
    );
  }
  w(
    `- By section: vanishing gradients, the rule stayed significantly ahead in ${bySection.vanishing.survived} of ${plural(bySection.vanishing.cells, 'cell', 'cells')}; ` +
      `dying ReLU, in ${bySection.dying.survived} of ${plural(bySection.dying.cells, 'cell', 'cells')}.`,
  );
  return { markdown: lines.join('\n'), ...bySection, complete: done === stage2.length };
}
