// Rules with context: whole-tensor backwards with { step, training }. Oracles are naive loops
// written here from the formulas (batch-normalised h; Lucid's redirected_relu_grad).
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { RuleError, ShapeError } from '../../src/errors';
import { listTape } from '../../src/autograd/tape';
import { listRules, registerRule, rules, withBackward, withRuleContext, type RuleContext } from '../../src/activations';
import * as nn from '../../src/nn';
import { applyCheckpoint, decodeCheckpoint, encodeCheckpoint } from '../../src/checkpoint';
import { expectClose, sigma } from './helpers';

function gradWith(xs: number[][], g: number[][], backward: never, context: Partial<RuleContext> = {}): number[][] {
  const x = tensor(xs, { requiresGrad: true, dtype: 'float64' });
  withRuleContext(context, () => x.relu({ backward }).mul(tensor(g, { dtype: 'float64' })).sum().backward());
  return x.grad!.toArray() as number[][];
}

describe('rules.batchNormalised', () => {
  it('g·h/mean|h| over the whole batch (exact ReLU h: 1/active fraction on active units)', () => {
    const xs = [[1, -2, 3], [-1, -1, 0.5]];
    const g = [[0.3, 0.7, -1], [2, 1, 4]];
    const got = gradWith(xs, g, rules.batchNormalised() as never);
    // 3 of 6 active: mean|h| = 1/2, so active units pass 2g
    expectClose(got.flat(), [0.6, 0, -2, 0, 0, 8], 1e-15);
  });

  it('with a base rule: h = σ(x), scaled by n/Σσ', () => {
    const xs = [[0.2, -1.5], [2, -0.3]];
    const g = [[1, -1], [0.5, 2]];
    const h = xs.flat().map(sigma);
    const mean = h.reduce((a, b) => a + b, 0) / h.length;
    const got = gradWith(xs, g, rules.batchNormalised({ base: 'sigmoid' }) as never);
    expectClose(got.flat(), g.flat().map((gi, i) => (gi * h[i]) / mean), 1e-14);
  });

  it('all-zero h gives a zero gradient, not NaN', () => {
    expect(gradWith([[-1, -2]], [[1, 1]], rules.batchNormalised() as never).flat()).toEqual([0, 0]);
  });
});

describe('rules.redirected (Lucid)', () => {
  /** Lucid's redirected_relu_grad written out: per row, exact unless the row's exact gradient is all 0. */
  function lucid(xs: number[][], g: number[][], step: number, steps: number): number[][] {
    return xs.map((row, r) => {
      const exact = row.map((x, i) => (x > 0 ? g[r][i] : 0));
      if (step >= steps || exact.some((v) => v !== 0)) return exact;
      return row.map((x, i) => (x < 0 && g[r][i] > 0 ? 0 : g[r][i]));
    });
  }

  const xs = [[-1, -2, -0.5], [1, -1, 2], [-3, 0.5, -1]];
  const g = [[-0.4, 0.9, -1.2], [0.3, -0.6, 0.2], [-1, 0, 2]];

  it('equals Lucid before `steps`, exact after it', () => {
    for (const step of [0, 15, 16, 40]) {
      expectClose(gradWith(xs, g, rules.redirected() as never, { step }).flat(), lucid(xs, g, step, 16).flat(), 0);
    }
    expectClose(gradWith(xs, g, rules.redirected({ steps: 3 }) as never, { step: 3 }).flat(), lucid(xs, g, 3, 3).flat(), 0);
  });

  it('a RuleSchedule attached to the model gives the layer its step', () => {
    const act = new nn.ReLU({ backward: rules.redirected({ steps: 2 }) });
    const model = new nn.Sequential(act);
    const ruleSchedule = new nn.RuleSchedule(model);
    const run = (): number[] => {
      const x = tensor([[-1, -2]], { requiresGrad: true, dtype: 'float64' });
      model.forward(x).mul(tensor([[-1, -1]], { dtype: 'float64' })).sum().backward();
      return Array.from(x.grad!.toTypedArray(), (v) => v + 0); // −0 → 0
    };
    expect(run()).toEqual([-1, -1]);
    ruleSchedule.step();
    ruleSchedule.step();
    expect(run()).toEqual([0, 0]);
  });

  it('bad options are errors', () => {
    expect(() => rules.redirected({ steps: -1 })).toThrow(/steps must be an integer ≥ 0, got -1/);
  });
});

describe('context rules keep the guarantees of other rules', () => {
  it('training flag: the layer passes its own; the tape records the rule label', () => {
    const seen: boolean[] = [];
    const spy = { context: (gr: Float64Array | Float32Array, _x: unknown, _y: unknown, _s: unknown, ctx: RuleContext) => (seen.push(ctx.training), gr) };
    const layer = new nn.ReLU({ backward: spy as never });
    const x = tensor([[1, 2]], { requiresGrad: true });
    layer.forward(x).sum().backward();
    layer.eval();
    layer.forward(x).sum().backward();
    expect(seen).toEqual([true, false]);
    const y = tensor([1], { requiresGrad: true });
    const out = y.relu({ backward: rules.batchNormalised() });
    expect(listTape(out).some((r) => r.rule === 'batchNormalised(exact)')).toBe(true);
  });

  it('registered by name: resolved in scopes, listed by listRules, saved in checkpoints by name', () => {
    registerRule('relu', 'ctxHalf', { context: (gr: Float64Array | Float32Array) => Array.from(gr, (v) => v / 2) });
    expect(listRules('relu').map((r) => r.name)).toContain('ctxHalf');
    const x = tensor([3, -1], { requiresGrad: true, dtype: 'float64' });
    withBackward({ relu: 'ctxHalf' }, () => x.relu()).sum().backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([0.5, 0.5]);
    const model = new nn.Sequential(new nn.ReLU({ backward: 'ctxHalf' }));
    const file = decodeCheckpoint(encodeCheckpoint({ model }));
    expect(file.activations[0].backward).toEqual({ kind: 'name', name: 'ctxHalf' });
    const fresh = new nn.Sequential(new nn.ReLU());
    applyCheckpoint(file, { model: fresh });
    expect((fresh as unknown as { 0: nn.ReLU })[0].backward).toBe('ctxHalf');
  });

  it('a context rule returning the wrong length or NaN fails in backward, naming the rule and activation', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    const short = x.relu({ backward: { context: () => [1] } as never });
    expect(() => short.sum().backward()).toThrow(ShapeError);
    const x2 = tensor([[1, 2]], { requiresGrad: true });
    expect(() => x2.relu({ backward: { context: () => [1] } as never }).sum().backward()).toThrow(/relu: the context rule inline returned 1 values for an input of shape \[1, 2\]/);
    const x3 = tensor([[1, 2]], { requiresGrad: true });
    expect(() => x3.relu({ backward: { context: () => [0, Number.NaN] } as never }).sum().backward()).toThrow(RuleError);
    const x4 = tensor([[1, 2]], { requiresGrad: true });
    expect(() => x4.relu({ backward: { context: () => [0, Number.NaN] } as never }).sum().backward()).toThrow(/returned NaN at element 1 \(x = 2, g = 1\)/);
    expect(x4.grad).toBeNull();
  });

  it('a blend cannot mix a context rule; withRuleContext checks its argument', () => {
    const x = tensor([1], { requiresGrad: true });
    expect(() => x.relu({ backward: rules.blend(rules.batchNormalised(), 'exact', 0.5) })).toThrow(/context rule/);
    expect(() => withRuleContext({ step: -1 }, () => 0)).toThrow(/step must be an integer ≥ 0/);
    expect(() => withRuleContext({ epoch: 1 } as never, () => 0)).toThrow(/unknown key 'epoch'/);
  });
});
