import { describe, expect, it } from 'vitest';
import { tensor, ones, randn } from '../../src/creation';
import { add, mul, exp } from '../../src/ops';
import { noGrad, tapeSize, listTape, lastBackwardRules, clearTape } from '../../src/autograd/tape';
import { grad, valueAndGrad } from '../../src/autograd/functional';
import { defineOp, record } from '../../src/ops/record';
import { GraphError } from '../../src/errors';
import { Generator } from '../../src/random';
import * as nd from '../../src/nd';
import type { Tensor } from '../../src/tensor';
import { gradTensor } from '../grad';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

function values(t: Tensor | null): number[] {
  if (t === null) throw new Error('expected a gradient');
  return Array.from(t.toTypedArray());
}

describe('tape: gradient accumulation', () => {
  it('sums the gradients of a reused node (b = a + a; c = b * b)', () => {
    const a = tensor([1, 2, 3], f64);
    const b = a.add(a);
    const c = b.mul(b);
    c.sum().backward();
    // c = 4a², dc/da = 8a
    expect(values(a.grad)).toEqual([8, 16, 24]);
  });

  it('handles a diamond (x feeds two branches that meet again)', () => {
    const x = tensor([0.5, -1.5], f64);
    const left = x.mul(2);
    const right = x.exp();
    const z = left.mul(right).sum(); // 2x·eˣ → 2eˣ(1 + x)
    z.backward();
    const expected = [0.5, -1.5].map((v) => 2 * Math.exp(v) * (1 + v));
    values(x.grad).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 12));
  });

  it('runs backward through a 2 000-op chain without recursion', () => {
    const x = tensor([1], f64);
    let y: Tensor = x;
    for (let i = 0; i < 2000; i++) y = y.mul(1.001);
    y.sum().backward();
    expect(values(x.grad)[0]).toBeCloseTo(1.001 ** 2000, 9);
  });

  it('accumulates into .grad across two backward calls', () => {
    const x = tensor([3], f64);
    x.mul(x).sum().backward();
    x.mul(x).sum().backward();
    expect(values(x.grad)).toEqual([12]); // 2·(2x)
  });

  it('gives intermediates no .grad unless retainGrad() was called', () => {
    const x = tensor([2], f64);
    const h = x.mul(3);
    const kept = x.mul(5).retainGrad();
    h.add(kept).mul(h).sum().backward(); // (3x + 5x)·3x; d/dkept = h = 6
    expect(h.grad).toBeNull();
    expect(values(kept.grad)).toEqual([6]);
    expect(values(x.grad)).toEqual([2 * 24 * 2]); // 24x² → 48x
  });

  it('never aliases the caller-provided gradient in .grad', () => {
    const x = tensor([1, 2], f64);
    const seed = tensor([1, 1], { dtype: 'float64' });
    x.backward(seed);
    gradTensor(x).toNdarray().data.fill(0);
    expect(values(seed)).toEqual([1, 1]);
  });
});

describe('tape: modes and errors', () => {
  it('records nothing under noGrad, and restores grad mode after a throw', () => {
    const x = tensor([1, 2], f64);
    const before = tapeSize();
    const y = noGrad(() => x.mul(2).add(1));
    expect(y.requiresGrad).toBe(false);
    expect(tapeSize()).toBe(before);
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('refuses backward on a non-scalar output without a gradient, naming the shape', () => {
    const y = tensor([1, 2, 3], f64).mul(2);
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => y.backward()).toThrowWith(GraphError, /\[3\]/);
    y.backward(ones([3], { dtype: 'float64' }));
  });

  it('refuses a second backward through a freed graph, and allows it with retainGraph', () => {
    const x = tensor([2], f64);
    const y = x.mul(x).sum();
    y.backward({ retainGraph: true });
    y.backward();
    expect(values(x.grad)).toEqual([8]);
    expect(() => y.backward()).toThrowWith(GraphError, /retainGraph/);
  });

  it('refuses backward on a tensor that does not require grad', () => {
    expect(() => tensor([1]).backward()).toThrow(GraphError);
  });

  it('names the op, rule and input when a backward returns a wrong-shaped gradient', () => {
    const bad = defineOp<null>('badOp', () => [nd.zeros([5], 'float64')]);
    const x = tensor([1, 2], f64);
    const y = record(bad, [x], nd.copy(x.toNdarray()), null);
    expect(() => y.sum().backward()).toThrowWith(GraphError, /'badOp'.*'exact'.*\[5\].*input 0.*\[2\]/);
  });
});

describe('tape: memory and inspection', () => {
  it('frees its records after backward: 10 000 training steps leave the tape as it was', () => {
    clearTape();
    const gen = new Generator(7);
    const w = randn([4, 1], { generator: gen, requiresGrad: true });
    const x = randn([8, 4], { generator: gen });
    const start = tapeSize();
    let maxSeen = 0;
    for (let step = 0; step < 10_000; step++) {
      const loss = x.matmul(w).square().mean();
      maxSeen = Math.max(maxSeen, tapeSize());
      loss.backward();
      w.grad = null;
    }
    expect(tapeSize()).toBe(start);
    expect(maxSeen).toBe(start + 3); // matmul, square, mean
  });

  it('lists the live records with op and rule names, in recording order', () => {
    clearTape();
    const x = tensor([1, 2], f64);
    const y = exp(mul(add(x, 1), 2));
    const names = listTape().map((r) => `${r.op}:${r.rule}`);
    expect(names).toEqual(['add:exact', 'mul:exact', 'exp:exact']);
    y.sum().backward();
    expect(lastBackwardRules()).toEqual({ sum: ['exact'], exp: ['exact'], mul: ['exact'], add: ['exact'] });
    expect(tapeSize()).toBe(0);
  });
});

describe('functional forms', () => {
  it('grad(f) returns df/dx without touching the caller\'s tensor', () => {
    const f = (x: Tensor): Tensor => x.mul(x).mul(x).sum(); // x³ → 3x²
    const x = tensor([1, -2], { dtype: 'float64' });
    expect(values(grad(f)(x))).toEqual([3, 12]);
    expect(x.grad).toBeNull();
    expect(x.requiresGrad).toBe(false);
  });

  it('valueAndGrad returns the value and gradients for several arguments', () => {
    const f = (x: Tensor, y: Tensor): Tensor => x.mul(y).sum(); // grads: y, x
    const x = tensor([1, 2], { dtype: 'float64' });
    const y = tensor([3, 4], { dtype: 'float64' });
    const [value, [gx, gy]] = valueAndGrad(f, [0, 1])(x, y);
    expect(value.item()).toBe(11);
    expect(values(gx)).toEqual([3, 4]);
    expect(values(gy)).toEqual([1, 2]);
  });

  it('gives a zero gradient for an argument the function ignores', () => {
    const f = (x: Tensor, _y: Tensor): Tensor => x.sum();
    const g = grad(f, 1)(tensor([1]), tensor([5, 6]));
    expect(values(g)).toEqual([0, 0]);
  });
});

describe('tape: stale graphs and grad mode', () => {
  it('refuses backward after an input was changed in place (an optimizer step), naming the op', () => {
    const w = tensor([2], f64);
    const x = tensor([3], f64);
    const y = w.mul(x);
    w.toNdarray().data[0] = 1;
    w.bumpVersion(); // what optimizers, initialisers and loadStateDict do after writing in place
    expect(() => y.sum().backward()).toThrowWith(GraphError, /'mul': input 0 .* modified in place/);
  });

  it('grad(f) differentiates even when called inside noGrad, and noGrad is restored', () => {
    const f = (t: Tensor): Tensor => t.mul(t).sum();
    const g = noGrad(() => grad(f)(tensor([1, 2], { dtype: 'float64' })));
    expect(values(g)).toEqual([2, 4]);
    expect(noGrad(() => tensor([1], f64).mul(2).requiresGrad)).toBe(false);
  });
});
