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

  it('rejects non-leaf inputs and non-scalar outputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => gradientAgreement((t) => t.sum(), [x.relu()], {})).toThrowWith(ArgumentError, /input 0 is the output of an op/);
    expect(() => gradientAgreement((t) => t.relu(), [x], {})).toThrowWith(GraphError, /one-element tensor/);
  });
});
