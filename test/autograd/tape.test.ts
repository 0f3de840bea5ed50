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
    const y = noGrad(() => x.mul(2).add(1));
    expect(y.requiresGrad).toBe(false);
    expect(tapeSize(y)).toBe(0);
    expect(y.gradFn).toBeNull();
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
    expect(() => y.backward()).toThrow(/retainGraph/);
    expect(() => y.backward()).toThrow(/was freed/);
    expect(() => y.backward()).not.toThrow(/already differentiated/);
  });

  it('refuses backward through a graph that clearTape(root) released, without blaming a backward', () => {
    const x = tensor([2], f64);
    const h = x.mul(3);
    const y = h.exp().sum();
    expect(tapeSize(y)).toBe(3);
    clearTape(y);
    expect(tapeSize(y)).toBe(0);
    expect(tapeSize(h)).toBe(0); // h's record was part of y's graph
    expect(() => y.backward()).toThrow(/freed .*clearTape\(\)/);
    expect(x.grad).toBeNull();
  });

  it('refuses a backward through a part of the graph that an earlier backward freed', () => {
    const x = tensor([2], f64);
    const h = x.mul(x);
    h.sum().backward(); // frees h's record
    expect(() => h.mul(2).sum().backward()).toThrow(GraphError);
    expect(() => h.mul(2).sum().backward()).toThrow(/retainGraph/);
  });

  it('the inspection functions ask for the tensor whose graph they report', () => {
    expect(() => (listTape as unknown as () => unknown)()).toThrow(/expected the tensor whose graph/);
    expect(() => (tapeSize as unknown as (x: null) => unknown)(null)).toThrow(/no global tape/);
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
  it('a graph lives on its output: each record holds its inputs, backward releases what it ran', () => {
    const gen = new Generator(7);
    const w = randn([4, 1], { generator: gen, requiresGrad: true });
    const x = randn([8, 4], { generator: gen });
    for (let step = 0; step < 1000; step++) {
      const loss = x.matmul(w).square().mean();
      expect(tapeSize(loss)).toBe(3); // matmul, square, mean — never the earlier steps' records
      loss.backward();
      expect(tapeSize(loss)).toBe(0);
      expect(loss.gradFn?.released).toBe(true);
      expect(loss.gradFn?.saved).toBeUndefined();
      expect(loss.gradFn?.inputs).toEqual([]);
      w.grad = null;
    }
  });

  it('retainGraph keeps the records and their saved values', () => {
    const x = tensor([1, 2], f64);
    const y = x.exp().sum();
    y.backward({ retainGraph: true });
    expect(tapeSize(y)).toBe(2);
    expect(y.gradFn?.inputs.length).toBe(1);
  });

  it('lists the records reachable from a tensor with op and rule names, in recording order', () => {
    const x = tensor([1, 2], f64);
    const unrelated = x.mul(5); // recorded, but not part of y's graph
    const y = exp(mul(add(x, 1), 2));
    const entries = listTape(y);
    expect(entries.map((r) => `${r.op}:${r.rule}`)).toEqual(['add:exact', 'mul:exact', 'exp:exact']);
    expect(entries[2].outputId).toBe(y.id);
    expect(entries[0].inputIds[0]).toBe(x.id);
    expect(entries.map((r) => r.seq)).toEqual([...entries.map((r) => r.seq)].sort((p, q) => p - q));
    expect(listTape(unrelated).map((r) => r.op)).toEqual(['mul']);
    expect(listTape(x)).toEqual([]); // a leaf has no record
    y.sum().backward();
    expect(lastBackwardRules()).toEqual({ sum: ['exact'], exp: ['exact'], mul: ['exact'], add: ['exact'] });
    expect(tapeSize(y)).toBe(0);
    expect(tapeSize(unrelated)).toBe(1); // another graph: untouched by y's backward
  });

  it('a shared subgraph is listed once and run once', () => {
    const x = tensor([3], f64);
    const h = x.mul(x); // used by both branches
    const z = h.add(h.exp());
    expect(listTape(z).map((r) => r.op)).toEqual(['mul', 'exp', 'add']);
    z.sum().backward();
    // z = x² + exp(x²): dz/dx = 2x + 2x·exp(x²)
    expect(values(x.grad)[0]).toBeCloseTo(6 + 6 * Math.exp(9), 6);
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

describe('tape: pooled gradient buffers never leak into user-visible tensors', () => {
  it('a .grad kept from one step is not overwritten by the next steps', () => {
    const gen = new Generator(11);
    const w = randn([6, 5], { generator: gen, requiresGrad: true, dtype: 'float64' });
    const x = randn([4, 6], { generator: gen, dtype: 'float64' });
    const step = (): Tensor => {
      w.grad = null;
      x.matmul(w).sigmoid().square().sum().backward();
      return w.grad as unknown as Tensor;
    };
    const first = step();
    const kept = Array.from(first.toTypedArray());
    for (let i = 0; i < 5; i++) step();
    expect(Array.from(first.toTypedArray())).toEqual(kept);
    expect(nd.isPooled(first.toNdarray().data)).toBe(false);
  });

  it('one buffer returned for two inputs gives each its own correct gradient', () => {
    // backward returns the same pooled buffer for both inputs: neither may alias it
    const twin = defineOp<null>('twin', (g) => {
      const out = nd.pooledEmpty(g.shape, 'float64');
      for (let i = 0; i < out.data.length; i++) out.data[i] = 2 * g.data[g.offset + i];
      return [out, out];
    });
    const a = tensor([1, 2], f64);
    const b = tensor([3, 4], f64);
    const y = record(twin, [a, b], nd.copy(a.toNdarray()), null);
    y.mul(tensor([1, 10], { dtype: 'float64' })).sum().backward();
    expect(values(a.grad)).toEqual([2, 20]);
    expect(values(b.grad)).toEqual([2, 20]);
    expect(a.grad?.toNdarray().data).not.toBe(b.grad?.toNdarray().data);
    a.grad?.toNdarray().data.fill(0);
    expect(values(b.grad)).toEqual([2, 20]);
  });

  it('gradients summed from several uses stay correct while buffers are recycled', () => {
    const x = tensor([0.3, -0.7, 1.1], f64);
    for (let rep = 0; rep < 3; rep++) {
      x.grad = null;
      const s = x.sigmoid();
      s.add(s.mul(s)).add(s.exp()).sum().backward(); // d/dx [s + s² + eˢ] = s'(1 + 2s + eˢ)
      const expected = [0.3, -0.7, 1.1].map((v) => {
        const sv = 1 / (1 + Math.exp(-v));
        return sv * (1 - sv) * (1 + 2 * sv + Math.exp(sv));
      });
      values(x.grad).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 12));
    }
  });

  it('a retained intermediate gradient is its own buffer, unchanged by later steps', () => {
    const w = tensor([0.5, -1], f64);
    const h = w.mul(3).retainGrad();
    h.sigmoid().sum().backward();
    const kept = values(h.grad);
    for (let i = 0; i < 3; i++) w.mul(3).sigmoid().sum().backward();
    expect(values(h.grad)).toEqual(kept);
    const s = [1.5, -3].map((v) => 1 / (1 + Math.exp(-v)));
    kept.forEach((g, i) => expect(g).toBeCloseTo(s[i] * (1 - s[i]), 12));
  });
});
