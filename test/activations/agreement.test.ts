// gradientAgreement: cosine similarity and norm ratio between the gradients under chosen rules
// and under exact rules.
import { describe, expect, it } from 'vitest';
import { randn, tensor } from '../../src/creation';
import { Generator } from '../../src/random';
import type { Tensor } from '../../src/tensor';
import { gradientAgreement, rules, setBackward, resetBackward } from '../../src/activations';
import { sigma } from './helpers';
import { ArgumentError } from '../../src/errors';
import { GraphError } from '../../src/errors';
import { Linear, ReLU, Sequential } from '../../src/nn';
import { noGrad } from '../../src/autograd/tape';

describe('gradientAgreement', () => {
  it('exact against exact: cosine 1, ratio 1', () => {
    const generator = new Generator(3);
    const x = randn([5, 4], { generator, dtype: 'float64' });
    const w = randn([4, 3], { generator, dtype: 'float64' });
    const [gx, gw] = gradientAgreement((a, b) => a.matmul(b).relu().tanh().sum(), [x, w], { relu: 'exact', tanh: 'exact' });
    for (const r of [gx, gw]) {
      expect(r.cosine).toBeCloseTo(1, 12);
      expect(r.normRatio).toBeCloseTo(1, 12);
      expect(r.exactNorm).toBeGreaterThan(0);
    }
  });

  it('a hand-computed case: sum(relu(x)) at x = [−1, 2] under sigmoid', () => {
    // exact gradient e = [0, 1]; sigmoid rule g = [σ(−1), σ(2)]
    const x = tensor([-1, 2], { dtype: 'float64' });
    const [r] = gradientAgreement((t) => t.relu().sum(), [x], { relu: 'sigmoid' });
    const norm = Math.hypot(sigma(-1), sigma(2));
    expect(r.exactNorm).toBeCloseTo(1, 14);
    expect(r.ruleNorm).toBeCloseTo(norm, 14);
    expect(r.cosine).toBeCloseTo(sigma(2) / norm, 14);
    expect(r.normRatio).toBeCloseTo(norm, 14);
  });

  it('the exact reference ignores global and per-call choices; the rules scope still yields to per-call ones', () => {
    setBackward('relu', 'identity');
    try {
      const x = tensor([-1, 2], { dtype: 'float64' });
      // per call 'leaky' beats the scope's 'sigmoid': g = [0.01, 1]; the reference is exact: [0, 1]
      const [r] = gradientAgreement((t) => t.relu({ backward: 'leaky' }).sum(), [x], { relu: 'sigmoid' });
      expect(r.ruleNorm).toBeCloseTo(Math.hypot(0.01, 1), 14);
      expect(r.exactNorm).toBeCloseTo(1, 14);
    } finally {
      resetBackward();
    }
  });

  it('a zero exact gradient (a step) gives cosine NaN and ratio Infinity', () => {
    const u = tensor([-0.3, 0.2], { dtype: 'float64' });
    const [r] = gradientAgreement((t) => t.heaviside().sum(), [u], { heaviside: rules.atan() });
    expect(r.exactNorm).toBe(0);
    expect(r.ruleNorm).toBeGreaterThan(0);
    expect(Number.isNaN(r.cosine)).toBe(true);
    expect(r.normRatio).toBe(Infinity);
    const [same] = gradientAgreement((t) => t.heaviside().sum(), [u], {});
    expect(same).toEqual({ cosine: 1, normRatio: 1, ruleNorm: 0, exactNorm: 0 });
  });

  it('works on captured parameters and leaves their grad and requiresGrad as it found them', () => {
    const generator = new Generator(5);
    const w = randn([3, 2], { generator, requiresGrad: true });
    const frozen = randn([2], { generator });
    const before = tensor([[1, 2]]);
    w.grad = before;
    const x = randn([4, 3], { generator });
    const loss = (): Tensor => x.matmul(w).relu().add(frozen).sum();
    const [rw, rf] = gradientAgreement(loss, [w, frozen], { relu: 'sigmoid' });
    expect(rw.cosine).toBeGreaterThan(0);
    expect(rw.cosine).toBeLessThanOrEqual(1);
    expect(rf).toMatchObject({ cosine: expect.closeTo(1, 6), normRatio: expect.closeTo(1, 6) });
    expect(w.grad).toBe(before);
    expect(frozen.requiresGrad).toBe(false);
    expect(frozen.grad).toBeNull();
  });

  it('leaves the .grad of tensors that are not inputs alone (a model\'s weights), and measures against finite differences', () => {
    const generator = new Generator(5);
    const model = new Sequential(new Linear(2, 3, { dtype: 'float64', generator }), new ReLU(), new Linear(3, 1, { dtype: 'float64', generator }));
    const [w1, b1, w2, b2] = model.parameters();
    const preset = tensor([[0.25, -1.5, 3]], { dtype: 'float64' });
    w2.grad = preset;
    const X = [[0.3, -0.2], [1.0, 0.5], [-0.7, 0.9]];
    const x = tensor(X, { dtype: 'float64' });
    const f = (t: Tensor): Tensor => model.forward(t).sum();
    const [r] = gradientAgreement(f, [x], { relu: 'sigmoid' });
    // the weights: null stays null, a preset .grad keeps exactly its value (not a sum of two runs)
    expect(w1.grad).toBeNull();
    expect(b1.grad).toBeNull();
    expect(b2.grad).toBeNull();
    expect(w2.grad).toBe(preset);
    expect(Array.from(preset.toNdarray().data)).toEqual([0.25, -1.5, 3]);
    expect(x.grad).toBeNull();
    expect(x.requiresGrad).toBe(false);
    // e: central differences in float64; g: Σ_j W2_j σ(z_j) W1_j per row (the sigmoid rule, by hand)
    const W1 = [...w1.toNdarray().data];
    const B1 = [...b1.toNdarray().data];
    const W2 = [...w2.toNdarray().data];
    const eps = 1e-6;
    const e: number[] = [];
    const g: number[] = [];
    X.forEach((row, i) => {
      row.forEach((_, k) => {
        const at = (d: number): number => {
          const p = X.map((r2) => r2.slice());
          p[i][k] += d;
          return noGrad(() => f(tensor(p, { dtype: 'float64' })).item());
        };
        e.push((at(eps) - at(-eps)) / (2 * eps));
        let sum = 0;
        for (let j = 0; j < 3; j++) {
          const z = W1[j * 2] * row[0] + W1[j * 2 + 1] * row[1] + B1[j];
          sum += W2[j] * sigma(z) * W1[j * 2 + k];
        }
        g.push(sum);
      });
    });
    const norm = (v: number[]): number => Math.hypot(...v);
    const dot = g.reduce((a, v, n) => a + v * e[n], 0);
    expect(r.exactNorm).toBeCloseTo(norm(e), 8);
    expect(r.ruleNorm).toBeCloseTo(norm(g), 10);
    expect(r.cosine).toBeCloseTo(dot / (norm(g) * norm(e)), 8);
  });

  it('rejects non-leaf inputs and non-scalar outputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => gradientAgreement((t) => t.sum(), [x.relu()], {})).toThrowWith(ArgumentError, /input 0 is the output of an op/);
    expect(() => gradientAgreement((t) => t.relu(), [x], {})).toThrowWith(GraphError, /one-element tensor/);
  });
});
