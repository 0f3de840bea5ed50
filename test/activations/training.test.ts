// The same small network trains under relu exact and relu sigmoid-shaped: plain SGD by hand on a
// synthetic 3-class problem, matmul/add/crossEntropy from src/ops and relu from this layer.
import { describe, expect, it } from 'vitest';
import { randn, zeros } from '../../src/creation';
import { Generator } from '../../src/random';
import type { Tensor } from '../../src/tensor';
import { noGrad } from '../../src/autograd/tape';
import { rules, withBackward, type RuleChoice } from '../../src/activations';
import { gradTensor } from '../grad';

const N = 96;
const IN = 4;
const HIDDEN = 16;
const CLASSES = 3;

/** Inputs and labels: the class is the argmax of three fixed nonlinear scores of the input. */
function dataset(): { x: Tensor; labels: number[] } {
  const generator = new Generator(7);
  const x = randn([N, IN], { generator });
  const v = x.toTypedArray();
  const labels: number[] = [];
  for (let i = 0; i < N; i++) {
    const [a, b, c, d] = [v[i * IN], v[i * IN + 1], v[i * IN + 2], v[i * IN + 3]];
    const scores = [a * b + c, Math.abs(b) - d, a - c * d];
    labels.push(scores.indexOf(Math.max(...scores)));
  }
  return { x, labels };
}

function train(rule: RuleChoice, steps: number): number[] {
  const { x, labels } = dataset();
  const generator = new Generator(11);
  const w1 = randn([IN, HIDDEN], { generator, std: 0.5, requiresGrad: true });
  const b1 = zeros([HIDDEN], { requiresGrad: true });
  const w2 = randn([HIDDEN, CLASSES], { generator, std: 0.5, requiresGrad: true });
  const b2 = zeros([CLASSES], { requiresGrad: true });
  const params = [w1, b1, w2, b2];
  const lr = 0.2;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = withBackward({ relu: rule }, () => x.matmul(w1).add(b1).relu().matmul(w2).add(b2).crossEntropy(labels));
    losses.push(loss.item());
    for (const p of params) p.grad = null;
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        const data = p.toNdarray().data;
        const grad = gradTensor(p).toTypedArray();
        if (grad === undefined) throw new Error('a parameter received no gradient');
        for (let i = 0; i < data.length; i++) data[i] -= lr * grad[i];
      }
    });
  }
  return losses;
}

describe('the same network trains under exact and artificial ReLU derivatives', () => {
  for (const [label, rule] of [
    ['exact', 'exact'],
    ["'sigmoid' (σ(x), Hu et al.)", 'sigmoid'],
    ['sigmoidShaped k = 4', rules.sigmoidShaped({ k: 4 })],
  ] as const) {
    it(`loss decreases with relu ${label}`, () => {
      const losses = train(rule, 150);
      const first = losses[0];
      const last = losses[losses.length - 1];
      expect(Number.isFinite(last)).toBe(true);
      expect(last, `loss ${first} → ${last}`).toBeLessThan(0.75 * first);
      // and it is a real descent, not one lucky step: the last 10 average below the first 10
      const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
      expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    });
  }

  it('the two rules give different training trajectories (the rule is really used)', () => {
    const exact = train('exact', 5);
    const sigmoid = train('sigmoid', 5);
    expect(exact[0]).toBe(sigmoid[0]); // same start
    expect(exact[4]).not.toBe(sigmoid[4]);
  });
});
