// The contract of backward() as a user meets it, pinned through public behaviour only (values,
// gradients, error classes, requiresGrad), so it holds whatever the graph's internal layout:
// seeds of the wrong shape, custom backwards that return the wrong number or shape of gradients,
// graphs already freed, grad-mode scopes that throw, a leaf as the root, mixed dtypes.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { Tensor } from '../../src/tensor';
import { ArgumentError, GraphError } from '../../src/errors';
import { enableGrad, isGradEnabled, noGrad } from '../../src/autograd/tape';
import { defineOp, record } from '../../src/ops/record';
import * as nd from '../../src/nd';
import { expectClose, f64, gradOf } from '../ops/helpers';
import { gradTensor } from '../grad';

describe('backward(gradient) checks the seed', () => {
  it('a seed of the output shape is multiplied through (y = 3x, seed s gives 3s)', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], f64);
    const y = x.mul(3);
    y.backward(tensor([[1, -1, 2], [0.5, 0, -2]], { dtype: 'float64' }));
    expectClose(gradOf(x), [3, -3, 6, 1.5, 0, -6]);
  });

  for (const [label, shape] of [
    ['transposed', [3, 2]],
    ['flattened', [6]],
    ['with an extra axis', [1, 2, 3]],
    ['a scalar', []],
  ] as const) {
    it(`a seed of the wrong shape (${label}) is a GraphError, and no gradient is written`, () => {
      const x = tensor([[1, 2, 3], [4, 5, 6]], f64);
      const y = x.mul(3);
      const seed = new Tensor(nd.full([...shape], 1, 'float64'));
      expect(() => y.backward(seed)).toThrow(GraphError);
      expect(() => y.backward(seed)).toThrowWith(GraphError, /gradient has shape/);
      expect(x.grad).toBeNull();
    });
  }

  it('a non-scalar root without a seed is a GraphError', () => {
    const x = tensor([1, 2], f64);
    expect(() => x.mul(2).backward()).toThrow(GraphError);
    expect(x.grad).toBeNull();
  });

  it('the seed is not aliased: changing it afterwards leaves .grad alone', () => {
    const x = tensor([1, 2], f64);
    const seed = tensor([2, 3], { dtype: 'float64' });
    x.backward(seed);
    seed.toNdarray().data.fill(100);
    expect(gradOf(x)).toEqual([2, 3]);
  });
});

describe('custom backwards are checked', () => {
  interface Two {
    a: nd.Nd;
    b: nd.Nd;
  }
  // a two-input op whose backward returns a configurable list: the op-definition API users write against
  function opReturning(name: string, grads: (g: nd.Nd, s: Two) => (nd.Nd | null)[]): (a: Tensor, b: Tensor) => Tensor {
    const op = defineOp<Two>(name, (g, s) => grads(g, s));
    return (a, b) => record(op, [a, b], nd.zip(a.data, b.data, (x, y) => x + y), { a: a.data, b: b.data });
  }

  it('one gradient for two inputs is a GraphError naming the op, and nothing is written', () => {
    const f = opReturning('tooFew', (g) => [g]);
    const a = tensor([1, 2], f64);
    const b = tensor([3, 4], f64);
    const y = f(a, b).sum();
    expect(() => y.backward({ retainGraph: true })).toThrow(GraphError);
    expect(() => y.backward({ retainGraph: true })).toThrowWith(GraphError, /tooFew.*returned 1 gradients for 2 inputs/);
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it('three gradients for two inputs is a GraphError', () => {
    const f = opReturning('tooMany', (g) => [g, g, g]);
    const a = tensor([1, 2], f64);
    const b = tensor([3, 4], f64);
    expect(() => f(a, b).sum().backward()).toThrow(GraphError);
    expect(a.grad).toBeNull();
  });

  it('a gradient of the wrong shape is a GraphError naming the input index', () => {
    const f = opReturning('badShape', (g) => [g, nd.full([3], 1, 'float64')]);
    const a = tensor([1, 2], f64);
    const b = tensor([3, 4], f64);
    expect(() => f(a, b).sum().backward()).toThrow(GraphError);
    const c = tensor([1, 2], f64);
    const d = tensor([3, 4], f64);
    expect(() => f(c, d).sum().backward()).toThrowWith(GraphError, /badShape.*shape \[3\] for input 1 of shape \[2\]/);
  });

  it('null for an input that needs no gradient is accepted; the other input gets its gradient', () => {
    const f = opReturning('halfNull', (g) => [g, null]);
    const a = tensor([1, 2], f64);
    const b = tensor([3, 4], f64);
    f(a, b).sum().backward();
    expect(gradOf(a)).toEqual([1, 1]);
    expect(b.grad).toBeNull();
  });

  it('a gradient returned for an input that does not require grad is ignored', () => {
    const f = opReturning('extraGrad', (g) => [g, g]);
    const a = tensor([1, 2], f64);
    const b = tensor([3, 4], { dtype: 'float64' });
    f(a, b).sum().backward();
    expect(gradOf(a)).toEqual([1, 1]);
    expect(b.grad).toBeNull();
  });
});

describe('freed graphs', () => {
  it('a second backward through the same graph is a GraphError that says how to keep it', () => {
    const x = tensor([1, 2], f64);
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(GraphError);
    expect(gradOf(x)).toEqual([2, 4]); // unchanged by the refused pass
  });

  it('a new graph built on an intermediate whose records were freed is a GraphError, not a TypeError', () => {
    const x = tensor([1, 2], f64);
    const h = x.mul(2);
    h.mul(3).sum().backward();
    const again = h.mul(5).sum();
    let thrown: unknown;
    try {
      again.backward();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GraphError);
    expect(String(thrown)).toMatch(/retainGraph/);
  });

  it('retainGraph keeps it: a second pass accumulates the same gradient again', () => {
    const x = tensor([1, 2], f64);
    const y = x.mul(x).sum();
    y.backward({ retainGraph: true });
    y.backward();
    expect(gradOf(x)).toEqual([4, 8]);
  });
});

describe('grad mode scopes restore on throw', () => {
  const boom = (): never => {
    throw new RangeError('boom');
  };

  it('enableGrad inside noGrad: the throw propagates and grad mode is off again afterwards', () => {
    const seen = noGrad(() => {
      expect(() => enableGrad(boom)).toThrow(RangeError);
      return isGradEnabled();
    });
    expect(seen).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });

  it('noGrad inside enableGrad: the throw propagates and grad mode is on again afterwards', () => {
    const seen = noGrad(() =>
      enableGrad(() => {
        expect(() => noGrad(boom)).toThrow(RangeError);
        return isGradEnabled();
      }),
    );
    expect(seen).toBe(true);
    expect(isGradEnabled()).toBe(true);
  });

  it('enableGrad records inside noGrad; the result requires grad and differentiates', () => {
    const x = tensor([1, 2], f64);
    const y = noGrad(() => enableGrad(() => x.mul(x).sum()));
    expect(y.requiresGrad).toBe(true);
    y.backward();
    expect(gradOf(x)).toEqual([2, 4]);
  });

  it('the scopes return the function value and nest', () => {
    expect(noGrad(() => noGrad(() => isGradEnabled()))).toBe(false);
    expect(noGrad(() => enableGrad(() => noGrad(() => 7)))).toBe(7);
    expect(isGradEnabled()).toBe(true);
  });
});

describe('a leaf as the root', () => {
  it('root.backward() on a one-element leaf sets its own .grad to 1', () => {
    const x = tensor([3], f64);
    x.backward();
    expect(x.grad).not.toBeNull();
    expect(gradOf(x)).toEqual([1]);
    expect(gradTensor(x).dtype).toBe('float64');
  });

  it('with a seed, the leaf gets the seed; a second call accumulates', () => {
    const x = tensor([[1, 2]], f64);
    x.backward(tensor([[2.5, -1]], { dtype: 'float64' }));
    x.backward(tensor([[0.5, 4]], { dtype: 'float64' }));
    expect(gradOf(x)).toEqual([3, 3]);
  });

  it('a float32 leaf seeded with float64 gets a float32 gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.backward(tensor([0.1, 0.2], { dtype: 'float64' }));
    expect(gradTensor(x).dtype).toBe('float32');
    expect(gradOf(x)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it('a leaf that does not require grad is refused with GraphError', () => {
    expect(() => tensor([1]).backward()).toThrow(GraphError);
  });
});

describe('mixed-dtype gradient accumulation', () => {
  // L = Σ x·w + Σ x² with x float32 and w float64: dL/dx = w + 2x, delivered once in float64
  // (through the promoted product) and once in float32; .grad keeps x's dtype.
  const xs = [0.5, -1.25, 2];
  const ws = [0.1, 0.3, -0.7];
  const expected = xs.map((x, i) => Math.fround(ws[i] + 2 * x));

  it('float64 contribution first, then float32', () => {
    const x = tensor(xs, { requiresGrad: true });
    const w = tensor(ws, { dtype: 'float64' });
    x.mul(w).sum().add(x.mul(x).sum()).backward();
    expect(gradTensor(x).dtype).toBe('float32');
    expectClose(gradOf(x), expected, 1e-6);
  });

  it('float32 contribution first, then float64', () => {
    const x = tensor(xs, { requiresGrad: true });
    const w = tensor(ws, { dtype: 'float64' });
    x.mul(x).sum().add(x.mul(w).sum()).backward();
    expect(gradTensor(x).dtype).toBe('float32');
    expectClose(gradOf(x), expected, 1e-6);
  });

  it('a second pass adds a float64 gradient into the existing float32 .grad', () => {
    const x = tensor(xs, { requiresGrad: true });
    const w = tensor(ws, { dtype: 'float64' });
    x.mul(w).sum().backward();
    x.mul(w).sum().backward();
    expect(gradTensor(x).dtype).toBe('float32');
    expectClose(gradOf(x), ws.map((v) => 2 * v), 1e-6);
  });

  it('a float64 leaf used through a float32 cast gets float64 gradients summed from both paths', () => {
    const x = tensor(xs, f64);
    x.to('float32').mul(3).sum().add(x.sum()).backward();
    expect(gradTensor(x).dtype).toBe('float64');
    expectClose(gradOf(x), [4, 4, 4], 0);
  });
});

describe('grad-mode scopes refuse a non-function', () => {
  it('noGrad(5) and enableGrad(5) are ArgumentErrors naming the function', () => {
    expect(() => noGrad(5 as never)).toThrowWith(ArgumentError, /noGrad: fn must be a function/);
    expect(() => enableGrad(5 as never)).toThrowWith(ArgumentError, /enableGrad: fn must be a function/);
  });
});
