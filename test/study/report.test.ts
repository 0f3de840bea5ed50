// The study report on small synthetic result sets whose right answers are derived by hand: the
// "all at chance" verdict, separate Holm families for rules and remedies, rules tested against
// every remedy, vacuous rules, titles, cost ratios and the computed convergence sentences.
import { describe, expect, it } from 'vitest';
import { planStudy, type RowSpec, type TrialSpec } from '../../study/plan';
import { derivativeEqualsExact, renderStudy } from '../../study/report';
import type { RowResult, TrialResult } from '../../study/trial';

const CHANCE = 0.1135; // the most frequent class's share the tests pretend the test set has: at chance below 16.35 %
const INFO = { date: '2026-11-30', machine: 'test', command: 'test', chance: CHANCE };
/** Spread over five seeds: mean 0, sample sd 0.0079 — small against the 0.1–0.4 gaps used below. */
const NOISE = [0, 0.01, -0.01, 0.005, -0.005];

const tiny = planStudy('tiny');
const vanishingBase = tiny.find((t) => t.section === 'vanishing') as TrialSpec;
const dyingBase = tiny.find((t) => t.section === 'dying' && t.arch === 'mlp') as TrialSpec;
const cnnBase = tiny.find((t) => t.section === 'dying' && t.arch === 'cnn') as TrialSpec;
const scheduleBase = tiny.find((t) => t.section === 'schedule' && t.activation === 'relu') as TrialSpec;

/** The seeds 1..n of a cell made from a base spec. */
function cellSpecs(base: TrialSpec, over: Partial<TrialSpec> & { cell: string }, seeds = 5): TrialSpec[] {
  return Array.from({ length: seeds }, (_, i) => ({ ...base, ...over, seed: i + 1, key: `${over.cell}/seed${i + 1}` }));
}

function rowResult(spec: RowSpec, accuracy: number, over: Partial<RowResult> = {}): RowResult {
  return {
    label: spec.label, kind: spec.kind, exact: spec.kind === 'exact', accuracy: [accuracy], validationAccuracy: [accuracy],
    finalAccuracy: accuracy, bestEpoch: 1, stop: 'patience', finalTrainLoss: 1, diverged: false, secondsPerEpoch: 1,
    initialDead: null, finalDead: null, initialSaturated: null, finalSaturated: null, initialFirstLast: 1, initialGradNorms: [],
    initialCosine: 0.9, finalCosine: 0.9, ...over,
  };
}

/**
 * Results for the trials of one cell: `accuracy(label, seedIndex)` gives each row's result,
 * `extra(label, seedIndex)` any other field.
 */
function cellResults(
  specs: TrialSpec[],
  accuracy: (label: string, i: number) => number,
  extra: (label: string, i: number) => Partial<RowResult> = () => ({}),
): [string, TrialResult][] {
  return specs.map((spec, i) => [spec.key, { key: spec.key, spec, biasInit: null, seconds: 1, rows: spec.rows.map((r) => rowResult(r, accuracy(r.label, i), extra(r.label, i))) }]);
}

const line = (markdown: string, start: string): string => markdown.split('\n').find((l) => l.startsWith(start)) ?? '';

describe('study report: verdicts', () => {
  it('two constant rows at chance get "all at chance", not a significant difference; rules and remedies are separate Holm families', () => {
    // cell 1, two seeds: exact [0.67, 0.68]; floored [0.744, 0.754]: per-side variance d²/2 with d = 0.01,
    // se² = d²/2, df = 2, t = 0.074/(0.01/√2) = 10.465, p = 1 − t/√(2 + t²) = 0.0090 (closed form for
    // df = 2). The other three rules and the four remedies equal exact seed by seed (p = 1). Holm over
    // the four rules: 4p = 0.036 < 0.05, significant; pooled with the remedies it would be 8p = 0.072.
    const specs = cellSpecs(vanishingBase, { cell: 'vanishing/sigmoid/depth3/adam/default' }, 2);
    // cell 2: exact 11.3 % on every seed, floorAdded 9.8 % on every seed: both at chance (< 16.35 %),
    // constant and different (the old code gave p = 0, "significant"); every other row 11.3 %
    const chanceCell = cellSpecs(vanishingBase, { cell: 'vanishing/sigmoid/depth5/adam/default', depth: 5 }, 2);
    const results = new Map([
      ...cellResults(specs, (label, i) => (label === 'floored' ? 0.744 : 0.67) + 0.01 * i),
      ...cellResults(chanceCell, (label) => (label === 'floorAdded' ? 0.098 : 0.113)),
    ]);
    const plan = [...specs, ...chanceCell];
    const md = renderStudy('tiny', plan, results, INFO).markdown;
    // cell 1: floored ▲, the others equal to exact
    const row1 = line(md, '| depth 3, adam (lr 0.001), PyTorch default |');
    expect(row1).toContain('74.9 ± 0.7 ▲');
    expect(row1).not.toContain('▼');
    // cell 2: every row at chance → · on every non-exact row, no ▲/▼
    const row2 = line(md, '| depth 5, adam (lr 0.001), PyTorch default |');
    expect(row2.match(/·/g)?.length).toBe(8);
    expect(row2).not.toMatch(/[▲▼]/);
    expect(md).toContain('| depth 5, adam (lr 0.001), PyTorch default | floorAdded | −1.5 | — | — | — | all at chance · (not tested) |');
    // section 5: cell 1 has 4 tested rules (1 better, 3 same) and 4 remedies (same); cell 2 has 8 at chance
    expect(md).toContain('artificial rules vs exact — 4 tested: 1 significantly better, 0 significantly worse, 3 not significantly different; 4 with every row at chance (not tested)');
    expect(md).toContain('Conventional remedies vs exact — 4 tested: 0 significantly better, 0 significantly worse, 4 not significantly different; 4 with every row at chance (not tested)');
    expect(md).toContain('- **At chance**: 8 comparisons of sections 1–2 were ones where every row was at chance');
  });

  it('one at-chance comparison is singular; an empty study renders without claims', () => {
    const specs = cellSpecs(dyingBase, { cell: 'dying/relu/depth3/adam/dead0', targetDead: 0 }, 2);
    // only 'sigmoidShaped k=1' is at chance together with exact; every other row learned
    const results = new Map(cellResults(specs, (label, i) => (label === 'exact' ? 0.11 + 0.001 * i : label === 'sigmoidShaped k=1' ? 0.12 : 0.8 + 0.01 * i)));
    const md = renderStudy('tiny', specs, results, INFO).markdown;
    expect(md).toContain('- **At chance**: 1 comparison of sections 1–2 was one where every row was at chance');
    // targetDead 0 is a target, not "default biases"
    expect(md).toContain('| depth 3, adam, target 0 % dead (measured — % dead) |');
    const empty = renderStudy('tiny', tiny, new Map(), INFO).markdown;
    expect(empty).toContain('in no cell of sections 1–2 did an artificial rule beat the exact derivative significantly');
    expect(empty).toContain(`Only 0 of ${tiny.length} trials have run`);
    expect(empty).toContain('0 tested comparisons');
  });
});

describe('study report: where rules help, against every remedy', () => {
  it('a rule that beats one remedy but not the other is not "better than every remedy"; section-4 cells never count', () => {
    // dying cells: remedies are 'LeakyReLU forward' and 're-initialise dead units'
    const a = cellSpecs(dyingBase, { cell: 'dying/relu/depth3/adam/dead50', targetDead: 0.5 });
    const b = cellSpecs(dyingBase, { cell: 'dying/relu/depth3/adam/dead90', targetDead: 0.9 });
    const c = cellSpecs(cnnBase, { cell: 'dying/relu/cnn4-depth1/adam/dead50', targetDead: 0.5 });
    const s = cellSpecs(scheduleBase, { cell: 'schedule/relu/depth3/adam/default/dead50' });
    const base = (label: string, table: Record<string, number>): number => table[label] ?? 0.5;
    const results = new Map([
      // cell a: bSilu 90 % beats exact 50 %; LeakyReLU forward 60 % (beaten), re-init 90 % (not beaten)
      ...cellResults(a, (l, i) => base(l, { bSilu: 0.9, 'LeakyReLU forward': 0.6, 're-initialise dead units': 0.9 }) + NOISE[i]),
      // cell b: bSilu 90 % beats exact and both remedies (60 %, 55 %)
      ...cellResults(b, (l, i) => base(l, { bSilu: 0.9, 'LeakyReLU forward': 0.6, 're-initialise dead units': 0.55 }) + NOISE[i]),
      // cell c: nothing beats exact
      ...cellResults(c, (l, i) => 0.9 + NOISE[(i + l.length) % 5]),
      // section 4: the rule beats exact, but these cells have no remedy rows
      ...cellResults(s, (l, i) => (l === 'exact' ? 0.5 : 0.9) + NOISE[i]),
    ]);
    const md = renderStudy('tiny', [...a, ...b, ...c, ...s], results, INFO).markdown;
    const help = line(md, '- **Where they help**');
    expect(help).toContain('2 cells');
    expect(help).not.toContain('PyTorch default'); // the section-4 cell's title
    expect(help).toContain('In all of them exact was above chance.');
    expect(line(md, '- **Against the conventional remedies**')).toContain(
      'Holm over these 4 comparisons): in 1 of the 2 cells at least one remedy was not significantly worse than the rule; in 1 the rule was significantly better than every remedy of the cell (ReLU depth 3, adam, target 90 % dead',
    );
    expect(md).toContain('In 1 of the 2 cells where one won, at least one conventional remedy was not significantly worse than it; in 1 the artificial rule was significantly better than every remedy tested.');
    expect(md).not.toContain('which is the measured reason');
    // the section-4 cell's title shows its dead fraction
    expect(md).toContain('| depth 3, adam (lr 0.001), PyTorch default, 50 % dead |');
  });
});

describe('study report: vacuous rules, cost, convergence', () => {
  it("tanh's peakNormalised is the exact derivative by definition; sigmoid's is not", () => {
    expect(derivativeEqualsExact('tanh', 'peakNormalised')).toBe(true); // tanh'(0) = 1 already
    expect(derivativeEqualsExact('sigmoid', 'peakNormalised')).toBe(false); // 4·σ'
    expect(derivativeEqualsExact('tanh', 'widened')).toBe(false);
  });

  it('a vacuous row is marked ≡, explained in the caption and left out of the counts', () => {
    const specs = cellSpecs(vanishingBase, { cell: 'vanishing/tanh/depth3/adam/default', activation: 'tanh', rows: planStudy('small').find((t) => t.activation === 'tanh')!.rows }, 3);
    const results = new Map(cellResults(specs, (_l, i) => 0.8 + NOISE[i]));
    const md = renderStudy('small', specs, results, INFO).markdown;
    expect(md).toContain("`peakNormalised` is tanh's exact derivative");
    const labels = specs[0].rows.map((r) => r.label);
    const row = line(md, '| depth 3, adam (lr 0.001), PyTorch default |');
    expect(row.split('|')[2 + labels.indexOf('peakNormalised')]).toContain('≡');
    // the other rules of tanh are tested (identical to exact here: not significant)
    const others = specs[0].rows.filter((r) => r.kind === 'artificial' && r.label !== 'peakNormalised').length;
    expect(md).toContain(`artificial rules vs exact — ${others} tested: 0 significantly better, 0 significantly worse, ${others} not significantly different; 0 with every row at chance (not tested); 1 identical to exact by definition (not tested)`);
  });

  it('cost ratios leave out diverged pairs, key relu rows by MLP/CNN, and print the interquartile range', () => {
    const mlp = cellSpecs(dyingBase, { cell: 'dying/relu/depth3/adam/default', targetDead: null });
    const cnn = cellSpecs(cnnBase, { cell: 'dying/relu/cnn4-depth1/adam/default', targetDead: null });
    // bSilu's seconds per epoch over exact's (1 s): 1, 1.5, 2, 2.5 and a diverged 9 (left out)
    // → median of [1, 1.5, 2, 2.5] = 1.75, quartiles (type 7) 1 + 0.75·0.5 = 1.375 and 2 + 0.25·0.5 = 2.125
    const seconds = [1, 1.5, 2, 2.5, 9];
    const results = new Map([
      ...cellResults(mlp, () => 0.9, (l, i) => (l === 'bSilu' ? { secondsPerEpoch: seconds[i], diverged: i === 4, stop: i === 4 ? 'diverged' : 'patience' } : {})),
      ...cellResults(cnn, () => 0.9, (l) => (l === 'bSilu' ? { secondsPerEpoch: 2 } : {})),
    ]);
    const md = renderStudy('tiny', [...mlp, ...cnn], results, INFO).markdown;
    expect(md).toContain('| relu MLP: bSilu | 1.750 | 1.375–2.125 | 4 | 1 |');
    expect(md).toContain('| relu CNN: bSilu | 2.000 | 2.000–2.000 | 5 | 0 |');
    expect(md).toContain('The exact row always runs first in a trial');
    expect(md).toContain('1 of 80 runs diverged (in 1 row of the tables');
  });

  it('stop epochs per kind of row, the runs stopped near chance, n per cell, and the rescaling claim only when the data show it', () => {
    const sgd = cellSpecs(vanishingBase, { cell: 'vanishing/sigmoid/depth3/sgd/default', optimizer: 'sgd', lr: 0.1 });
    const adam = cellSpecs(vanishingBase, { cell: 'vanishing/sigmoid/depth3/adam/default' }, 3);
    // exact at chance in the sgd cell, trained 4, 4, 6, 5, 4 epochs; everything else 80 % after 10 epochs
    const sgdEpochs = [4, 4, 6, 5, 4];
    const run = (acc: number, epochs: number): Partial<RowResult> => ({ accuracy: Array(epochs).fill(acc), validationAccuracy: Array(epochs).fill(acc) });
    // peakNormalised − exact: sgd |0.9 − 0.113| = 78.7 points; adam |0.5 − 0.8| = 30 points: Adam's is smaller
    const results = new Map([
      ...cellResults(sgd, (l) => (l === 'exact' ? 0.113 : l === 'peakNormalised' ? 0.9 : 0.8), (l, i) => (l === 'exact' ? run(0.113, sgdEpochs[i]) : run(0.8, 10))),
      ...cellResults(adam, (l) => (l === 'peakNormalised' ? 0.5 : 0.8), () => run(0.8, 10)),
    ]);
    const plan = [...sgd, ...adam, ...cellSpecs(vanishingBase, { cell: 'vanishing/sigmoid/depth3/adam/default' }).slice(3)];
    const md = renderStudy('tiny', plan, results, INFO).markdown;
    expect(md).toContain('exact rows: 8 runs stopped at epoch 4–10 (median 5.5); the 5 runs scoring at chance (< 16.4 %) stopped at epoch 4–6 (median 4)');
    expect(md).toContain('remedy rows: 32 runs stopped at epoch 10; none of them scored at chance');
    expect(md).toContain('- 5 of 72 runs stopped on the patience rule while their validation accuracy was still within 5.0 points of chance');
    expect(md).toContain('by kind: exact 5');
    expect(md).toContain('| depth 3, adam (lr 0.001), PyTorch default (n = 3 of 5) |');
    expect(md).toContain('1 cell has fewer so far');
    expect(md).toContain('**A constant rescaling of the derivative matters least under Adam.**');
    expect(md).toContain('sgd 78.7 points (1 cell); adam 30.0 points (1 cell)');
    // the other way round the claim is not made
    const flipped = new Map([
      ...cellResults(sgd, () => 0.8, () => run(0.8, 10)),
      ...cellResults(adam, (l) => (l === 'peakNormalised' ? 0.5 : 0.8), () => run(0.8, 10)),
    ]);
    const md2 = renderStudy('tiny', plan, flipped, INFO).markdown;
    expect(md2).not.toContain('matters least under Adam');
    expect(md2).toContain('- **Rescaling the derivative.**');
    expect(md2).toContain('No run stopped on the patience rule while its validation accuracy was still within 5.0 points of chance');
  });
});
